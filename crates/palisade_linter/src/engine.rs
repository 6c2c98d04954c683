use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, LazyLock};

use palisade_diagnostics::{Facts, Finding, PackageReport, RuleStatus, ScanStats, Verdict};
use palisade_package::{Package, PackageFile};
use rayon::prelude::*;

use crate::checkers::js::{self, JsKind};
use crate::checkers::{manifest, text};
use crate::context::{self, CodeFile, ScanContext};
use crate::rule::Rule;
use crate::rules;

/// Engine settings.
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    /// Let `preview` rules decide verdicts too.
    pub preview: bool,
    /// Keep the extracted facts in each report.
    pub keep_facts: bool,
    /// Run only these rules (all when empty).
    pub only_rules: Vec<String>,
}

/// Stack size for analysis threads: the parser and the visitor recurse, and
/// hostile input nests deeply. Reserved, not committed.
const STACK_BYTES: usize = 256 * 1024 * 1024;
/// Largest file analysed with the parser; larger ones get the text checks.
const MAX_PARSE_BYTES: usize = 16 * 1024 * 1024;
/// How deep decoded payloads (`eval(atob(...))` inside decoded code) are followed.
const MAX_DECODE_DEPTH: u32 = 3;

static POOL: LazyLock<Arc<rayon::ThreadPool>> = LazyLock::new(|| {
    Arc::new(
        rayon::ThreadPoolBuilder::new()
            .stack_size(STACK_BYTES)
            .thread_name(|i| format!("palisade-scan-{i}"))
            .build()
            .unwrap_or_else(|_| {
                // A pool with default settings is still correct; only deeply
                // nested input then falls back to the text checks sooner.
                rayon::ThreadPoolBuilder::new()
                    .build()
                    .expect("default thread pool")
            }),
    )
});

/// The scan engine: one instance serves any number of packages and threads.
#[derive(Debug, Clone, Default)]
pub struct Engine {
    options: EngineOptions,
}

impl Engine {
    pub fn new(options: EngineOptions) -> Self {
        Self { options }
    }

    /// Every rule the engine knows.
    pub fn rules() -> &'static [&'static dyn Rule] {
        rules::ALL
    }

    /// Analyses one package read into memory. Runs on palisade's analysis
    /// threads (large stacks); safe to call from any thread.
    pub fn scan(&self, package: &Package) -> PackageReport {
        if rayon::current_thread_index().is_some()
            && std::thread::current()
                .name()
                .is_some_and(|n| n.starts_with("palisade-scan"))
        {
            return self.scan_inner(package);
        }
        POOL.install(|| self.scan_inner(package))
    }

    fn scan_inner(&self, package: &Package) -> PackageReport {
        let mut facts = Facts {
            scripts: manifest::scripts(package),
            ..Facts::default()
        };
        let shell: Vec<_> = facts
            .scripts
            .iter()
            .flat_map(|s| manifest::shell_lines(package, s))
            .collect();
        facts.scripts.extend(shell);
        facts
            .network
            .extend(facts.scripts.iter().flat_map(script_destinations));
        let is_module = package
            .manifest
            .as_ref()
            .is_some_and(palisade_package::Manifest::is_module);

        // Install-time entry points: files the lifecycle scripts run.
        let entries: Vec<String> = facts
            .scripts
            .iter()
            .filter(|s| s.at.install_time)
            .flat_map(|s| s.runs_files.iter().cloned())
            .collect();

        // Code files, plus any file a script runs with `node` whatever its
        // extension (`node lib/README.md` is a trick seen in the wild).
        let run_by_node: HashSet<&str> = facts
            .scripts
            .iter()
            .filter(|s| s.command.contains("node"))
            .flat_map(|s| s.runs_files.iter().map(String::as_str))
            .collect();
        // Without a package.json (a Python package), script files in its
        // documentation are the rendered docs' assets: nothing installs or
        // imports them.
        let docs_only = package.manifest.is_none();
        let code: Vec<(&PackageFile, JsKind)> = package
            .files
            .iter()
            .filter(|f| !(docs_only && is_documentation(&f.path)))
            .filter_map(|f| {
                js_kind(&f.path, is_module)
                    .or_else(|| {
                        run_by_node
                            .contains(f.path.as_str())
                            .then_some(JsKind::Script)
                    })
                    .map(|k| (f, k))
            })
            .collect();
        let mut results: Vec<(String, FileResult)> = code
            .par_iter()
            .map(|(f, kind)| (f.path.clone(), analyse_file(f, *kind)))
            .collect();
        // Inline `node -e` code in install scripts is code too.
        for s in facts.scripts.clone() {
            if let Some(code) = crate::classify::command_traits(&s.command).inline_code {
                let mut r = analyse_text(&code, "package.json", JsKind::Script, 0);
                for_each_fact(&mut r.facts, |at| {
                    at.location = s.at.location.clone();
                    at.install_time = s.at.install_time;
                });
                results.push((format!("package.json#scripts.{}", s.event), r));
            }
        }

        // Install-time reachability through relative requires and through
        // processes install-time code starts (`spawn('node', ['index.js'])`,
        // `exec('sh setup.sh')`).
        let mut install: HashSet<String> = entries.iter().cloned().collect();
        let mut queue: VecDeque<String> = entries.into_iter().collect();
        let empty = palisade_package::Manifest::parse(b"{}").ok();
        while let Some(file) = queue.pop_front() {
            let mut next = Vec::new();
            if let Some((_, r)) = results.iter().find(|(p, _)| *p == file) {
                for spec in &r.local_requires {
                    next.extend(
                        manifest::join_relative(&file, spec)
                            .and_then(|p| manifest::resolve_file(&p, package)),
                    );
                }
                if let Some(m) = package.manifest.as_ref().or(empty.as_ref()) {
                    for p in &r.facts.processes {
                        if let Some(cmd) = &p.command {
                            next.extend(manifest::files_run_by(cmd, package, m));
                        }
                    }
                }
                // `fork(path.join(__dirname, decode('…')))`: install code
                // starts a file it will not name. Any code file beside it
                // may be the one, so all of them run at install.
                let hidden_fork = r.facts.processes.iter().any(|p| {
                    p.api.ends_with(".fork") && p.command.as_deref().is_none_or(|c| c.contains('*'))
                });
                if hidden_fork {
                    let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
                    next.extend(
                        results
                            .iter()
                            .map(|(p, _)| p)
                            .filter(|p| {
                                p.rsplit_once('/').map_or("", |(d, _)| d) == dir
                                    && !p.starts_with("package.json#")
                            })
                            .cloned(),
                    );
                }
            }
            for target in next {
                if install.insert(target.clone()) {
                    queue.push_back(target);
                }
            }
        }
        // Shell files that install-time code starts are install-time scripts.
        let spawned_shell: Vec<palisade_diagnostics::ScriptFact> = install
            .iter()
            .filter(|f| !facts.scripts.iter().any(|s| s.runs_files.contains(f)))
            .map(|f| palisade_diagnostics::ScriptFact {
                event: "install-time code".to_owned(),
                command: format!("sh {f}"),
                runs_files: vec![f.clone()],
                at: palisade_diagnostics::Fact {
                    location: palisade_diagnostics::Location::file(f.clone()),
                    install_time: true,
                },
            })
            .flat_map(|s| manifest::shell_lines(package, &s))
            .collect();
        facts
            .network
            .extend(spawned_shell.iter().flat_map(script_destinations));
        facts.scripts.extend(spawned_shell);

        // Python: `setup.py`, in-tree build backends, `.pth` files and
        // `sitecustomize` run at install or start-up.
        let (python, python_scripts) = crate::checkers::python::package::analyse_package(package);
        facts.scripts.extend(python_scripts);
        for a in python {
            if a.install_time {
                install.insert(a.path.clone());
            }
            results.push((
                a.path,
                FileResult {
                    facts: a.facts,
                    local_requires: Vec::new(),
                    parse_error: a.parse_error,
                    obfuscation: a.obfuscation,
                    bytes: a.bytes,
                },
            ));
        }

        let mut code_files = Vec::with_capacity(results.len());
        let mut stats = ScanStats {
            files: package.files.len() as u64,
            bytes: package.unpacked_bytes,
            ..ScanStats::default()
        };
        for (path, mut r) in results {
            let install_time = install.contains(&path) || path.starts_with("package.json#");
            if install_time {
                for_each_fact(&mut r.facts, |at| at.install_time = true);
            }
            if !path.starts_with("package.json#") {
                if !path.ends_with(".py") && !path.ends_with(".pyw") && !path.ends_with(".pth") {
                    stats.js_files += 1;
                    stats.js_bytes += r.bytes as u64;
                }
                if r.parse_error.is_some() {
                    stats.unparsed_files += 1;
                }
                code_files.push(CodeFile {
                    path: path.clone(),
                    install_time,
                    parse_error: r.parse_error,
                    obfuscation: r.obfuscation,
                    bytes: r.bytes,
                });
            }
            facts.extend(r.facts);
        }

        let vendor = context::vendor_domains(package);
        let ctx = ScanContext {
            package,
            facts: &facts,
            code_files: &code_files,
            vendor_domains: &vendor,
        };
        let mut findings: Vec<Finding> = Vec::new();
        for rule in rules::ALL {
            let meta = rule.meta();
            if !self.options.only_rules.is_empty()
                && !self.options.only_rules.iter().any(|r| r == meta.id)
            {
                continue;
            }
            let start = findings.len();
            rule.check(&ctx, &mut findings);
            for f in &mut findings[start..] {
                f.preview = meta.status == RuleStatus::Preview && !self.options.preview;
            }
        }
        dedup(&mut findings);
        findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.location.cmp(&b.location))
                .then_with(|| a.rule.cmp(&b.rule))
        });
        let (verdict, score) = Verdict::decide(&mut findings);
        PackageReport {
            name: package.name().unwrap_or("<unnamed>").to_owned(),
            version: package.version().unwrap_or("0.0.0").to_owned(),
            source: package.origin.clone(),
            integrity: None,
            verdict,
            score,
            findings,
            stats,
            facts: self.options.keep_facts.then_some(facts),
            cached: false,
            dependency_path: Vec::new(),
        }
    }
}

/// Hosts a script line reaches: URLs, and the host arguments of `ping`,
/// `nslookup`, `dig`, `host`, `nc`.
fn script_destinations(
    s: &palisade_diagnostics::ScriptFact,
) -> Vec<palisade_diagnostics::NetworkFact> {
    let mut hosts: Vec<String> = text::urls(&s.command).map(str::to_owned).collect();
    let words: Vec<&str> = s.command.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        if matches!(
            *w,
            "ping" | "nslookup" | "dig" | "host" | "nc" | "ncat" | "telnet"
        ) && let Some(arg) = words[i + 1..]
            .iter()
            .find(|a| !a.starts_with('-') && !a.chars().all(|c| c.is_ascii_digit()))
        {
            hosts.push(arg.trim_matches(|c| c == '"' || c == '\'').to_owned());
        }
    }
    hosts
        .into_iter()
        .filter_map(|h| {
            // Shell variables in a host name are data being smuggled out.
            let clean: String = h
                .split(['$', '%', '`'])
                .next_back()
                .unwrap_or(&h)
                .trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
                .to_owned();
            let d = crate::classify::destination(&h)
                .or_else(|| crate::classify::destination(&clean))?;
            Some(palisade_diagnostics::NetworkFact {
                api: Some("shell".to_owned()),
                destination: Some(h.clone()),
                host: Some(d.host.clone()),
                host_kind: Some(d.kind),
                collector: d.collector.map(str::to_owned),
                at: s.at.clone(),
            })
        })
        .collect()
}

/// One file's analysis.
struct FileResult {
    facts: Facts,
    local_requires: Vec<String>,
    parse_error: Option<String>,
    obfuscation: text::Obfuscation,
    bytes: usize,
}

fn js_kind(path: &str, package_is_module: bool) -> Option<JsKind> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.ends_with(".d.ts")
        || name.ends_with(".d.mts")
        || name.ends_with(".d.cts")
        || name.ends_with(".map")
    {
        return None;
    }
    let ext = name.rsplit_once('.')?.1;
    Some(match ext {
        "js" if package_is_module => JsKind::Module,
        "js" | "cjs" => JsKind::Script,
        "mjs" => JsKind::Module,
        "jsx" => JsKind::Jsx,
        "ts" | "mts" | "cts" => JsKind::TypeScript,
        "tsx" => JsKind::Tsx,
        _ => return None,
    })
}

fn analyse_file(file: &PackageFile, kind: JsKind) -> FileResult {
    let text = String::from_utf8_lossy(&file.data);
    analyse_text(&text, &file.path, kind, 0)
}

fn analyse_text(text: &str, path: &str, kind: JsKind, depth: u32) -> FileResult {
    let obfuscation = text::obfuscation(text);
    if text.len() > MAX_PARSE_BYTES {
        return FileResult {
            facts: text::fallback_facts(path, text),
            local_requires: Vec::new(),
            parse_error: Some(format!(
                "file is over {MAX_PARSE_BYTES} bytes; analysed as text"
            )),
            obfuscation,
            bytes: text.len(),
        };
    }
    let r = js::analyse(path, text, kind);
    let mut facts = r.facts;
    if r.parse_error.is_some() {
        facts = text::fallback_facts(path, text);
    }
    // Decoded payloads that get run are code of this file, at the eval site.
    if depth < MAX_DECODE_DEPTH {
        let idx = crate::lines::LineIndex::new(text);
        for (code, offset) in r.decoded_payloads {
            let mut inner = analyse_text(&code, path, JsKind::Script, depth + 1);
            let loc = idx.location(path, text, offset);
            for_each_fact(&mut inner.facts, |at| at.location = loc.clone());
            facts.extend(inner.facts);
        }
    }
    FileResult {
        facts,
        local_requires: r.local_requires,
        parse_error: r.parse_error,
        obfuscation,
        bytes: text.len(),
    }
}

pub(crate) fn for_each_fact(f: &mut Facts, mut g: impl FnMut(&mut palisade_diagnostics::Fact)) {
    f.imports.iter_mut().for_each(|x| g(&mut x.at));
    f.network.iter_mut().for_each(|x| g(&mut x.at));
    f.email_recipients.iter_mut().for_each(|x| g(&mut x.at));
    f.env.iter_mut().for_each(|x| g(&mut x.at));
    f.paths.iter_mut().for_each(|x| g(&mut x.at));
    f.files_written.iter_mut().for_each(|x| g(&mut x.at));
    f.processes.iter_mut().for_each(|x| g(&mut x.at));
    f.decode_run.iter_mut().for_each(|x| g(&mut x.at));
    f.scripts.iter_mut().for_each(|x| g(&mut x.at));
    f.flows.iter_mut().for_each(|x| g(&mut x.at));
    f.other.iter_mut().for_each(|x| g(&mut x.at));
}

/// One finding per rule and location.
fn dedup(findings: &mut Vec<Finding>) {
    let mut seen = HashSet::new();
    findings.retain(|f| seen.insert((f.rule.clone(), f.location.clone(), f.message.clone())));
}

/// Whether a file sits in a documentation folder (`doc/`, `docs/`, a
/// Sphinx `_static/`).
fn is_documentation(path: &str) -> bool {
    path.split('/')
        .rev()
        .skip(1)
        .any(|d| matches!(d, "doc" | "docs" | "_static"))
}
