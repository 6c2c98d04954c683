//! A package's capabilities under stable keys (kind + value, never a line),
//! so that a moved line is not a change.

use std::collections::BTreeMap;

use palisade_diagnostics::{
    DecodeRunFact, EmailRecipientFact, FactKind, Facts, FlowFact, HostKind, Location, PathFact,
    ProcessFact, ScriptFact,
};
use palisade_package::Package;

/// Modules whose first use is worth a reviewer's look.
const MODULES_OF_INTEREST: &[&str] = &[
    "child_process",
    "net",
    "dns",
    "http",
    "https",
    "http2",
    "tls",
    "dgram",
    "vm",
    "fs",
    "os",
    "worker_threads",
    "cluster",
    "module",
    "inspector",
    "v8",
    "nodemailer",
    "node-fetch",
    "axios",
    "got",
    "undici",
    "ws",
];

/// Folders where built, bundled or minified code is expected.
const BUILD_FOLDERS: &[&str] = &[
    "dist",
    "build",
    "out",
    "bundle",
    "bundles",
    "umd",
    "cjs",
    "esm",
    "es",
    "min",
    "browser",
    "lib",
    "vendor",
    "prebuilds",
];

/// What a new version can do, as one capability.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Capability {
    /// A lifecycle script; `previous` is the old command of the same event.
    Script {
        fact: ScriptFact,
        previous: Option<String>,
    },
    /// A module of interest, normalised (`node:fs/promises` → `fs`).
    Module {
        module: String,
    },
    /// A network destination, by host; `api` is set when some call reaches it.
    Network {
        host: String,
        destination: Option<String>,
        api: Option<String>,
        host_kind: Option<HostKind>,
        collector: Option<String>,
    },
    EmailRecipient(EmailRecipientFact),
    SensitivePath(PathFact),
    FileWritten(PathFact),
    Process(ProcessFact),
    DecodeRun(DecodeRunFact),
    Flow(FlowFact),
    /// Anything else the checkers name (`system-info`, `ai-cli`, ...).
    Behaviour(FactKind),
    /// A dependency; `remote` is `url`, `git` or `file` for non-registry specs.
    Dependency {
        section: String,
        name: String,
        spec: String,
        remote: Option<&'static str>,
    },
    /// A file nobody can review: `binary`, `minified` or `obfuscated`.
    OpaqueFile {
        path: String,
        what: &'static str,
        detail: String,
    },
    /// The registry account that published the new version is not one of
    /// the old version's publisher and maintainers (registry metadata).
    Publisher {
        old: Option<String>,
        new: String,
    },
    /// The new version lost what vouched for its origin (registry metadata):
    /// `provenance attestations` or `registry signatures`.
    ProvenanceRemoved {
        what: &'static str,
    },
}

impl Capability {
    /// The change kind, as in JSON `changes[].kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Capability::Script { .. } => "install-script",
            Capability::Module { .. } => "module",
            Capability::Network { .. } => "network-destination",
            Capability::EmailRecipient(_) => "email-recipient",
            Capability::SensitivePath(_) => "sensitive-path",
            Capability::FileWritten(_) => "file-written",
            Capability::Process(_) => "process",
            Capability::DecodeRun(_) => "decode-and-run",
            Capability::Flow(_) => "flow",
            Capability::Behaviour(_) => "behaviour",
            Capability::Dependency { .. } => "dependency",
            Capability::OpaqueFile { .. } => "opaque-file",
            Capability::Publisher { .. } => "publisher",
            Capability::ProvenanceRemoved { .. } => "provenance",
        }
    }

    /// One line for people.
    pub fn detail(&self) -> String {
        match self {
            Capability::Script {
                fact,
                previous: None,
            } => format!("`{}` script `{}`", fact.event, fact.command),
            Capability::Script {
                fact,
                previous: Some(p),
            } => {
                format!(
                    "`{}` script changed from `{p}` to `{}`",
                    fact.event, fact.command
                )
            }
            Capability::Module { module } => format!("loads `{module}`"),
            Capability::Network {
                host,
                api,
                destination,
                ..
            } => {
                let what = destination.as_deref().unwrap_or(host);
                match api {
                    Some(api) => format!("`{api}` to `{what}`"),
                    None => format!("names `{what}`"),
                }
            }
            Capability::EmailRecipient(r) => format!(
                "{} recipient `{}` ({})",
                field_name(&r.field),
                r.literal.as_deref().unwrap_or("?"),
                r.api
            ),
            Capability::SensitivePath(p) => format!("reads `{}` ({})", p.path, p.category),
            Capability::FileWritten(p) => format!("writes `{}` ({})", p.path, p.category),
            Capability::Process(p) => match &p.command {
                Some(c) => format!("`{}` runs `{c}`", p.api),
                None => format!("`{}` with a computed command", p.api),
            },
            Capability::DecodeRun(d) => format!("`{}` of a `{}`-decoded string", d.sink, d.decoder),
            Capability::Flow(f) => format!(
                "{} → {} via `{}`{}",
                f.source,
                f.sink,
                f.sink_api,
                f.destination
                    .as_deref()
                    .map(|d| format!(" to `{d}`"))
                    .unwrap_or_default()
            ),
            Capability::Behaviour(k) => format!("{}: `{}`", k.kind, k.detail),
            Capability::Dependency {
                section,
                name,
                spec,
                remote,
            } => match remote {
                Some(r) => format!("`{name}@{spec}` in `{section}` ({r} dependency)"),
                None => format!("`{name}@{spec}` in `{section}`"),
            },
            Capability::OpaqueFile { path, what, detail } => {
                format!("{what} file `{path}` ({detail})")
            }
            Capability::Publisher {
                old: Some(old),
                new,
            } => {
                format!(
                    "published by `{new}`, who is not among the previous version's publisher (`{old}`) and maintainers"
                )
            }
            Capability::Publisher { old: None, new } => {
                format!("published by `{new}`, who is not among the previous version's maintainers")
            }
            Capability::ProvenanceRemoved { what } => {
                format!("no {what}, which the previous version had")
            }
        }
    }
}

pub(crate) fn field_name(field: &str) -> &'static str {
    match field {
        "bcc" => "Bcc",
        "cc" => "Cc",
        "to" => "To",
        "from" => "From",
        _ => "a",
    }
}

/// One capability where it was seen.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) capability: Capability,
    pub(crate) location: Location,
    pub(crate) install_time: bool,
}

/// Capabilities by stable key. When a key is seen several times, the first
/// install-time sighting wins, else the first.
pub(crate) type Profile = BTreeMap<String, Seen>;

fn add(profile: &mut Profile, key: String, seen: Seen) {
    match profile.get_mut(&key) {
        Some(old) => {
            if seen.install_time && !old.install_time {
                *old = seen;
            }
        }
        None => {
            profile.insert(key, seen);
        }
    }
}

/// `node:fs/promises` → `fs`; `@scope/x/y` → `@scope/x`.
pub(crate) fn normalise_module(spec: &str) -> String {
    let s = spec.strip_prefix("node:").unwrap_or(spec);
    let mut parts = s.split('/');
    let first = parts.next().unwrap_or("");
    if first.starts_with('@') {
        format!("{first}/{}", parts.next().unwrap_or(""))
    } else {
        first.to_owned()
    }
}

/// The capability profile of one version.
pub(crate) fn profile(facts: &Facts, package: &Package) -> Profile {
    let mut p = Profile::new();
    for s in &facts.scripts {
        let seen = Seen {
            location: s.at.location.clone(),
            install_time: s.at.install_time,
            capability: Capability::Script {
                fact: s.clone(),
                previous: None,
            },
        };
        add(&mut p, format!("script:{}:{}", s.event, s.command), seen);
    }
    for i in &facts.imports {
        let Some(m) = &i.module else { continue };
        let module = normalise_module(m);
        if !MODULES_OF_INTEREST.contains(&module.as_str()) {
            continue;
        }
        let seen = Seen {
            location: i.at.location.clone(),
            install_time: i.at.install_time,
            capability: Capability::Module {
                module: module.clone(),
            },
        };
        add(&mut p, format!("module:{module}"), seen);
    }
    for n in &facts.network {
        let Some(host) = n
            .host
            .clone()
            .or_else(|| n.destination.clone())
            .map(|h| h.to_ascii_lowercase())
        else {
            continue;
        };
        if host.is_empty() || host.contains('*') {
            continue;
        }
        let key = format!("host:{host}");
        // A call beats a mere mention.
        if let Some(Seen {
            capability: Capability::Network { api: Some(_), .. },
            install_time,
            ..
        }) = p.get(&key)
            && (*install_time || !n.at.install_time)
        {
            continue;
        }
        if n.api.is_none() && p.contains_key(&key) {
            continue;
        }
        p.insert(
            key,
            Seen {
                location: n.at.location.clone(),
                install_time: n.at.install_time,
                capability: Capability::Network {
                    host,
                    destination: n.destination.clone(),
                    api: n.api.clone(),
                    host_kind: n.host_kind,
                    collector: n.collector.clone(),
                },
            },
        );
    }
    for r in &facts.email_recipients {
        let Some(lit) = &r.literal else { continue };
        let seen = Seen {
            location: r.at.location.clone(),
            install_time: r.at.install_time,
            capability: Capability::EmailRecipient(r.clone()),
        };
        add(
            &mut p,
            format!("email:{}:{}", r.field, lit.to_ascii_lowercase()),
            seen,
        );
    }
    for x in &facts.paths {
        let seen = Seen {
            location: x.at.location.clone(),
            install_time: x.at.install_time,
            capability: Capability::SensitivePath(x.clone()),
        };
        add(&mut p, format!("path:{}:{}", x.category, x.path), seen);
    }
    for x in &facts.files_written {
        let seen = Seen {
            location: x.at.location.clone(),
            install_time: x.at.install_time,
            capability: Capability::FileWritten(x.clone()),
        };
        add(&mut p, format!("write:{}", x.path), seen);
    }
    for x in &facts.processes {
        let seen = Seen {
            location: x.at.location.clone(),
            install_time: x.at.install_time,
            capability: Capability::Process(x.clone()),
        };
        add(
            &mut p,
            format!("process:{}:{}", x.api, x.command.as_deref().unwrap_or("")),
            seen,
        );
    }
    for x in &facts.decode_run {
        let seen = Seen {
            location: x.at.location.clone(),
            install_time: x.at.install_time,
            capability: Capability::DecodeRun(x.clone()),
        };
        add(
            &mut p,
            format!("decode:{}:{}:{}", x.sink, x.decoder, x.at.location.path),
            seen,
        );
    }
    for x in &facts.flows {
        let dest = x
            .destination
            .as_deref()
            .and_then(crate::classify::destination)
            .map(|d| d.host)
            .unwrap_or_default();
        let seen = Seen {
            location: x.at.location.clone(),
            install_time: x.at.install_time,
            capability: Capability::Flow(x.clone()),
        };
        add(
            &mut p,
            format!("flow:{}:{}:{}:{dest}", x.source, x.sink, x.sink_api),
            seen,
        );
    }
    for x in &facts.other {
        let seen = Seen {
            location: x.at.location.clone(),
            install_time: x.at.install_time,
            capability: Capability::Behaviour(x.clone()),
        };
        add(&mut p, format!("other:{}:{}", x.kind, x.detail), seen);
    }
    if let Some(m) = &package.manifest {
        for (section, name, spec) in m.dependencies() {
            if section == "devDependencies" {
                continue;
            }
            let remote = remote_kind(spec);
            let key = match remote {
                Some(_) => format!("dep:{name}:{spec}"),
                None => format!("dep:{name}"),
            };
            let line = m.line_of_key(name, Some(section)).unwrap_or(1);
            let seen = Seen {
                location: Location::new("package.json", line, 1),
                install_time: false,
                capability: Capability::Dependency {
                    section: section.to_owned(),
                    name: name.to_owned(),
                    spec: spec.to_owned(),
                    remote,
                },
            };
            add(&mut p, key, seen);
        }
    }
    for f in &package.files {
        if let Some((what, detail)) = opaque(&f.path, &f.data) {
            let seen = Seen {
                location: Location::new(f.path.clone(), 1, 1),
                install_time: false,
                capability: Capability::OpaqueFile {
                    path: f.path.clone(),
                    what,
                    detail,
                },
            };
            add(&mut p, format!("opaque:{what}:{}", f.path), seen);
        }
    }
    p
}

/// `url`, `git` or `file` for a dependency spec that does not come from the
/// registry.
pub(crate) fn remote_kind(spec: &str) -> Option<&'static str> {
    let s = spec.trim().to_ascii_lowercase();
    if s.starts_with("git")
        || s.starts_with("github:")
        || s.starts_with("gitlab:")
        || s.starts_with("bitbucket:")
    {
        Some("git")
    } else if s.starts_with("http://") || s.starts_with("https://") {
        Some("url")
    } else if s.starts_with("file:") || s.starts_with("link:") {
        Some("file")
    } else if !s.starts_with('@')
        && !s.starts_with("npm:")
        && !s.starts_with("workspace:")
        && s.contains('/')
        && !s.contains(' ')
        && !s.contains("||")
    {
        // `owner/repo` is a GitHub shorthand.
        Some("git")
    } else {
        None
    }
}

fn in_build_folder(path: &str) -> bool {
    path.split('/')
        .rev()
        .skip(1)
        .any(|seg| BUILD_FOLDERS.contains(&seg))
}

/// Whether a file is a binary executable, a minified blob outside a build
/// folder, or obfuscated code.
fn opaque(path: &str, data: &[u8]) -> Option<(&'static str, String)> {
    let magic: &[(&[u8], &str)] = &[
        (b"\x7fELF", "ELF executable"),
        (b"MZ", "Windows executable"),
        (b"\xcf\xfa\xed\xfe", "Mach-O executable"),
        (b"\xca\xfe\xba\xbe", "Mach-O universal binary"),
    ];
    if let Some((_, what)) = magic.iter().find(|(m, _)| data.starts_with(m)) {
        return Some(("binary", (*what).to_owned()));
    }
    let lower = path.to_ascii_lowercase();
    let code = [".js", ".cjs", ".mjs"].iter().any(|e| lower.ends_with(e));
    if !code {
        return None;
    }
    let text = String::from_utf8_lossy(data);
    let o = crate::checkers::text::obfuscation(&text);
    if o.is_obfuscated(text.len()) {
        return Some(("obfuscated", o.describe()));
    }
    if lower.ends_with(".min.js") || in_build_folder(&lower) || data.len() < 2048 {
        return None;
    }
    let lines = text.lines().count().max(1);
    let avg = text.len() / lines;
    (avg > 500).then(|| {
        (
            "minified",
            format!("{} bytes on {lines} line(s)", text.len()),
        )
    })
}
