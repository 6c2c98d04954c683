//! `yarn.lock`, classic (v1) and berry (v2 and later).
//!
//! Classic is yarn's own indented format:
//!
//! ```text
//! "a@^1.0.0", a@^1.1.0:
//!   version "1.2.0"
//!   resolved "https://registry.invalid/a/-/a-1.2.0.tgz#<sha1>"
//!   integrity sha512-…
//!   dependencies:
//!     b "^2.0.0"
//! ```
//!
//! Berry is YAML with a `__metadata` entry; every entry has a `resolution`
//! (`a@npm:1.2.0`, `app@workspace:.`, `a@https://…`, `a@patch:…`), its
//! `checksum` is yarn's own cache checksum (not a tarball integrity, so it is
//! not reported as one), and workspaces are entries of their own.
//!
//! Neither records which dependencies are development ones: that comes from
//! the `package.json` files when they are there. Classic does not record the
//! project's own dependencies either: without a `package.json`, every
//! package nothing depends on is taken as a direct dependency.

use std::collections::HashMap;

use super::graph::{Edge, Graph, Node, RefDeps, Root, RootEdge};
use super::{
    Parsed, ProjectManifests, Source, classify_resolved, manifest_deps, split_name, str_of,
    string_map,
};

pub(crate) fn parse(
    text: &str,
    manifests: &ProjectManifests,
    folder: &str,
) -> Result<Parsed, String> {
    let berry = text
        .lines()
        .any(|l| l.starts_with("__metadata:") || l.starts_with("\"__metadata\":"));
    if berry {
        parse_berry(text, manifests, folder)
    } else {
        parse_classic(text, manifests, folder)
    }
}

/// One classic entry: its specs and fields.
#[derive(Default)]
struct ClassicEntry {
    specs: Vec<String>,
    fields: HashMap<String, String>,
    deps: Vec<(String, String, bool)>,
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        s[1..s.len() - 1]
            .replace("\\\"", "\"")
            .replace("\\\\", "\\")
    } else {
        s.to_owned()
    }
}

/// Splits `key value` where either may be quoted.
fn key_value(line: &str) -> (String, String) {
    let line = line.trim();
    if let Some(rest) = line.strip_prefix('"')
        && let Some(end) = rest.find('"')
    {
        return (rest[..end].to_owned(), unquote(&rest[end + 1..]));
    }
    match line.split_once([' ', '\t']) {
        Some((k, v)) => (k.trim_end_matches(':').to_owned(), unquote(v)),
        None => (line.trim_end_matches(':').to_owned(), String::new()),
    }
}

fn parse_classic(text: &str, manifests: &ProjectManifests, folder: &str) -> Result<Parsed, String> {
    let mut entries: Vec<ClassicEntry> = Vec::new();
    let mut section: Option<(bool, bool)> = None; // (in a dependency section, optional)
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        match indent {
            0 => {
                let head = line
                    .strip_suffix(':')
                    .ok_or_else(|| format!("line {}: expected `spec:`", n + 1))?;
                let specs = head.split(", ").map(unquote).collect();
                entries.push(ClassicEntry {
                    specs,
                    ..ClassicEntry::default()
                });
                section = None;
            }
            2 => {
                let entry = entries
                    .last_mut()
                    .ok_or_else(|| format!("line {}: a field outside an entry", n + 1))?;
                let trimmed = line.trim();
                if let Some(name) = trimmed.strip_suffix(':') {
                    section = Some((
                        matches!(name, "dependencies" | "optionalDependencies"),
                        name == "optionalDependencies",
                    ));
                } else {
                    let (k, v) = key_value(trimmed);
                    entry.fields.insert(k, v);
                    section = None;
                }
            }
            _ => {
                let entry = entries
                    .last_mut()
                    .ok_or_else(|| format!("line {}: a field outside an entry", n + 1))?;
                match section {
                    Some((true, optional)) => {
                        let (k, v) = key_value(line);
                        entry.deps.push((k, v, optional));
                    }
                    Some((false, _)) => {}
                    None => return Err(format!("line {}: unexpected indentation", n + 1)),
                }
            }
        }
    }

    let mut graph = Graph::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    for entry in &entries {
        let Some(first) = entry.specs.first() else {
            continue;
        };
        let (installed, range) = split_name(first).unwrap_or((first.as_str(), ""));
        let version = entry.fields.get("version").cloned().unwrap_or_default();
        let (name, alias) = match range.strip_prefix("npm:").and_then(split_name) {
            Some((real, _)) => (real.to_owned(), Some(installed.to_owned())),
            None => (installed.to_owned(), None),
        };
        let source = match entry.fields.get("resolved") {
            Some(r) => {
                let s = classify_resolved(&name, r);
                match s {
                    // The `#<sha1>` fragment of a registry URL is not part of it.
                    Source::Registry {
                        resolved: Some(url),
                    } => Source::Registry {
                        resolved: Some(url.split('#').next().unwrap_or(&url).to_owned()),
                    },
                    other => other,
                }
            }
            None if range.starts_with("file:") || range.starts_with("link:") => {
                classify_resolved(&name, range)
            }
            None => Source::Registry { resolved: None },
        };
        let mut node = Node::new(name, version, source);
        node.alias = alias;
        node.integrity = entry.fields.get("integrity").cloned();
        let i = graph.add(node);
        for spec in &entry.specs {
            index.insert(spec.clone(), i);
        }
    }
    for (i, entry) in entries.iter().filter(|e| !e.specs.is_empty()).enumerate() {
        graph.nodes[i].deps = entry
            .deps
            .iter()
            .filter_map(|(d, r, optional)| {
                index.get(&format!("{d}@{r}")).map(|&to| Edge {
                    to,
                    optional: *optional,
                })
            })
            .collect();
    }
    let root = manifests.name().unwrap_or(folder).to_owned();
    add_manifest_roots(&mut graph, manifests, &root, |d, spec| {
        index.get(&format!("{d}@{spec}")).copied()
    });
    Ok(Parsed {
        format_version: "classic".to_owned(),
        root,
        graph,
    })
}

/// Roots from the project's `package.json` files, or from orphans when there
/// is none.
fn add_manifest_roots(
    graph: &mut Graph,
    manifests: &ProjectManifests,
    root: &str,
    find: impl Fn(&str, &str) -> Option<usize>,
) {
    let Some(m) = &manifests.root else {
        graph.root_from_orphans(root);
        return;
    };
    let mut all = vec![(root.to_owned(), m)];
    for (path, w) in &manifests.workspaces {
        all.push((w.name().unwrap_or(path).to_owned(), w));
    }
    for (name, m) in all {
        let deps = manifest_deps(m)
            .into_iter()
            .filter_map(|(d, spec, dev, optional)| {
                find(&d, &spec).map(|to| RootEdge { to, dev, optional })
            })
            .collect();
        graph.roots.push(Root { name, deps });
    }
}

fn parse_berry(text: &str, manifests: &ProjectManifests, folder: &str) -> Result<Parsed, String> {
    let doc = super::yaml::parse(text)?;
    let map = doc.as_object().ok_or("not a YAML map")?;
    let version = map
        .get("__metadata")
        .and_then(|m| str_of(m, "version"))
        .unwrap_or("?");
    let mut graph = Graph::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut pending: Vec<(usize, RefDeps)> = Vec::new();
    let mut workspaces: Vec<(usize, String)> = Vec::new();
    for (key, entry) in map {
        if key == "__metadata" {
            continue;
        }
        let resolution = str_of(entry, "resolution")
            .ok_or_else(|| format!("entry `{key}` has no `resolution`"))?;
        let (name, reference) = split_name(resolution)
            .ok_or_else(|| format!("entry `{key}`: resolution `{resolution}` has no `@`"))?;
        let specs: Vec<&str> = key.split(", ").map(str::trim).collect();
        let installed: Vec<&str> = specs
            .iter()
            .filter_map(|s| split_name(s).map(|(n, _)| n))
            .collect();
        let alias = installed
            .first()
            .filter(|first| **first != name && installed.iter().all(|n| n == *first))
            .map(|s| (*s).to_owned());
        let version = str_of(entry, "version").unwrap_or("0.0.0").to_owned();
        let source = berry_source(name, reference);
        let is_workspace = matches!(source, Source::Workspace { .. });
        let mut node = Node::new(name, version, source);
        node.alias = alias;
        let i = graph.add(node);
        for spec in specs {
            index.insert(spec.to_owned(), i);
        }
        let meta = entry.get("dependenciesMeta");
        let mut deps: Vec<(String, String, bool)> = string_map(entry, "dependencies")
            .into_iter()
            .map(|(d, r)| {
                let optional = meta
                    .and_then(|m| m.get(&d))
                    .and_then(|m| str_of(m, "optional"))
                    == Some("true");
                (d, r, optional)
            })
            .collect();
        deps.extend(
            string_map(entry, "optionalDependencies")
                .into_iter()
                .map(|(d, r)| (d, r, true)),
        );
        if is_workspace {
            workspaces.push((i, reference.trim_start_matches("workspace:").to_owned()));
        }
        pending.push((i, deps));
    }
    let find = |d: &str, r: &str| -> Option<usize> {
        index
            .get(&format!("{d}@{r}"))
            .or_else(|| index.get(&format!("{d}@npm:{r}")))
            .copied()
    };
    for (i, deps) in &pending {
        graph.nodes[*i].deps = deps
            .iter()
            .filter_map(|(d, r, optional)| {
                find(d, r).map(|to| Edge {
                    to,
                    optional: *optional,
                })
            })
            .collect();
    }
    let root = manifests.name().unwrap_or(folder).to_owned();
    // Workspaces are roots; `.` first. Development dependencies come from
    // the manifests, when present.
    workspaces.sort_by_key(|(_, path)| path != ".");
    for (i, path) in workspaces {
        let manifest = if path == "." {
            manifests.root.as_ref()
        } else {
            manifests
                .workspaces
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, m)| m)
        };
        let declared = manifest.map(manifest_deps).unwrap_or_default();
        let deps = graph.nodes[i]
            .deps
            .iter()
            .map(|e| {
                let label = graph.nodes[e.to]
                    .alias
                    .as_deref()
                    .unwrap_or(&graph.nodes[e.to].name);
                let dev = declared.iter().any(|(d, _, dev, _)| *dev && d == label);
                RootEdge {
                    to: e.to,
                    dev,
                    optional: e.optional,
                }
            })
            .collect();
        let name = if path == "." {
            root.clone()
        } else {
            graph.nodes[i].name.clone()
        };
        graph.roots.push(Root { name, deps });
    }
    if graph.roots.is_empty() {
        graph.root_from_orphans(&root);
    }
    Ok(Parsed {
        format_version: format!("berry {version}"),
        root,
        graph,
    })
}

fn berry_source(name: &str, reference: &str) -> Source {
    if reference.starts_with("npm:") {
        Source::Registry { resolved: None }
    } else if let Some(path) = reference.strip_prefix("workspace:") {
        Source::Workspace {
            path: path.to_owned(),
        }
    } else if let Some(inner) = reference.strip_prefix("patch:") {
        // `patch:a@npm%3A1.0.0#./patches/a.patch::…`: a patched registry package.
        let inner = inner.split('#').next().unwrap_or(inner).replace("%3A", ":");
        match split_name(&inner) {
            Some((_, r)) if r.starts_with("npm:") => Source::Registry { resolved: None },
            Some((n, r)) => berry_source(n, r),
            None => Source::Local {
                path: reference.to_owned(),
            },
        }
    } else if ["file:", "link:", "portal:", "exec:"]
        .iter()
        .any(|p| reference.starts_with(p))
    {
        Source::Local {
            path: reference
                .split_once(':')
                .map_or(reference, |(_, p)| p)
                .to_owned(),
        }
    } else if reference.contains("#commit=")
        || reference.contains(".git#")
        || reference.ends_with(".git")
    {
        Source::Git {
            url: reference.to_owned(),
        }
    } else {
        classify_resolved(name, reference)
    }
}
