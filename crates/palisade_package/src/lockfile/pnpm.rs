//! `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x.
//!
//! - `importers` (or, in a single-project 5.x/6.x file, top-level
//!   `dependencies`/`devDependencies`/`optionalDependencies`) hold what each
//!   project folder depends on: `{specifier, version}` maps since 6.0, bare
//!   versions before.
//! - 6.x keys `packages` as `/name@version(peer@1)`; 5.x as
//!   `/name/version_peer@1`; 9.x as `name@version(peer@1)`, with package
//!   metadata (`resolution`) in `packages` and dependencies in `snapshots`.
//! - A reference is a version (`1.0.0(peer@2.0.0)`), an alias
//!   (`real@1.0.0`, `/real@1.0.0` in 6.x), `link:path` (another folder), or a
//!   key of its own for git and tarball packages.
//! - `resolution` is `{integrity}` for a registry package, `{tarball}` for a
//!   URL, `{type: git, repo, commit}`, or `{directory}`.

use std::collections::HashMap;

use serde_json::Value;

use super::graph::{Edge, Graph, Node, RefDeps, Root, RootEdge};
use super::{Parsed, ProjectManifests, Source, classify_resolved, split_name, str_of, string_map};

pub(crate) fn parse(
    text: &str,
    manifests: &ProjectManifests,
    folder: &str,
) -> Result<Parsed, String> {
    let doc = super::yaml::parse(text)?;
    if !doc.is_object() {
        return Err("not a YAML map".to_owned());
    }
    let version = match doc.get("lockfileVersion") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => return Err("no `lockfileVersion`".to_owned()),
    };
    let major: f64 = version
        .split('-')
        .next()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("`lockfileVersion` `{version}` is not a number"))?;
    if major < 5.0 {
        return Err(format!("lockfile version `{version}` is older than 5.0"));
    }
    let root = manifests.name().unwrap_or(folder).to_owned();
    let empty = serde_json::Map::new();
    let packages = doc
        .get("packages")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let snapshots = doc.get("snapshots").and_then(Value::as_object);

    let mut graph = Graph::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    // (node, dependency entries) for edges after every node exists.
    let mut pending: Vec<(usize, RefDeps)> = Vec::new();

    let keys: Vec<&String> = match snapshots {
        Some(s) => s
            .keys()
            .chain(packages.keys().filter(|k| !s.contains_key(*k)))
            .collect(),
        None => packages.keys().collect(),
    };
    for key in keys {
        let meta = packages
            .get(key)
            .or_else(|| packages.get(strip_peers(key)))
            .unwrap_or(&Value::Null);
        let deps_from = snapshots.and_then(|s| s.get(key)).unwrap_or(meta);
        let (key_name, key_version) = split_key(key);
        let name = str_of(meta, "name").map_or(key_name, str::to_owned);
        let resolution = meta.get("resolution").unwrap_or(&Value::Null);
        let (source, integrity) = source_of(&name, resolution);
        let version = str_of(meta, "version").map_or(key_version, str::to_owned);
        let mut node = Node::new(name, version, source);
        node.integrity = integrity;
        node.dev_hint = meta.get("dev").and_then(as_bool);
        node.optional_hint = meta.get("optional").and_then(as_bool);
        let i = graph.add(node);
        index.insert(key.clone(), i);
        index.entry(strip_peers(key).to_owned()).or_insert(i);
        let mut deps: Vec<(String, String, bool)> = string_map(deps_from, "dependencies")
            .into_iter()
            .map(|(n, r)| (n, r, false))
            .collect();
        deps.extend(
            string_map(deps_from, "optionalDependencies")
                .into_iter()
                .map(|(n, r)| (n, r, true)),
        );
        pending.push((i, deps));
    }
    for (i, deps) in pending {
        let mut edges = Vec::new();
        for (n, r, optional) in &deps {
            if let Some(to) = lookup(&index, n, r) {
                note_alias(&mut graph, to, n);
                edges.push(Edge {
                    to,
                    optional: *optional,
                });
            }
        }
        graph.nodes[i].deps = edges;
    }

    let mut importers: Vec<(String, &Value)> = match doc.get("importers").and_then(Value::as_object)
    {
        Some(m) => m.iter().map(|(k, v)| (k.clone(), v)).collect(),
        None => vec![(".".to_owned(), &doc)],
    };
    importers.sort_by_key(|(k, _)| *k != ".");
    for (path, importer) in importers {
        let name = if path == "." {
            root.clone()
        } else {
            manifests
                .workspaces
                .iter()
                .find(|(p, _)| *p == path)
                .and_then(|(_, m)| m.name())
                .map_or_else(|| path.clone(), str::to_owned)
        };
        let mut deps = Vec::new();
        for (section, dev, optional) in [
            ("dependencies", false, false),
            ("optionalDependencies", false, true),
            ("devDependencies", true, false),
        ] {
            let Some(m) = importer.get(section).and_then(Value::as_object) else {
                continue;
            };
            for (dep, v) in m {
                let reference = match v {
                    Value::String(s) => s.as_str(),
                    other => str_of(other, "version").unwrap_or(""),
                };
                if let Some(to) = lookup(&index, dep, reference) {
                    note_alias(&mut graph, to, dep);
                    deps.push(RootEdge { to, dev, optional });
                } else if let Some(target) = reference.strip_prefix("link:") {
                    // Another workspace or a local folder: listed as local.
                    let mut node = Node::new(
                        dep.clone(),
                        "0.0.0",
                        Source::Local {
                            path: target.to_owned(),
                        },
                    );
                    node.dev_hint = Some(dev);
                    let to = graph.add(node);
                    deps.push(RootEdge { to, dev, optional });
                }
            }
        }
        graph.roots.push(Root { name, deps });
    }
    Ok(Parsed {
        format_version: version,
        root,
        graph,
    })
}

/// A package reached under another name is an alias (`"x": "npm:y@1"`).
fn note_alias(graph: &mut Graph, node: usize, installed: &str) {
    let n = &mut graph.nodes[node];
    if n.name != installed && n.alias.is_none() {
        n.alias = Some(installed.to_owned());
    }
}

fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// `name@1.0.0(peer@2)(other@3)` → `name@1.0.0`; 5.x `/name/1.0.0_peer@2` → `/name/1.0.0`.
fn strip_peers(key: &str) -> &str {
    let key = key.split('(').next().unwrap_or(key);
    if let Some(at) = v5_version_start(key)
        && let Some(underscore) = key[at..].find('_')
    {
        return &key[..at + underscore];
    }
    key
}

/// Where the version starts in a 5.x key (`/name/1.0.0`, `/@s/name/1.0.0`).
fn v5_version_start(key: &str) -> Option<usize> {
    let start = usize::from(key.starts_with('/'));
    let body = &key[start..];
    let name_end = if body.starts_with('@') {
        body.match_indices('/').nth(1)?.0
    } else {
        body.find('/')?
    };
    if body[..name_end].get(1..)?.contains('@') {
        return None;
    }
    body[name_end + 1..]
        .starts_with(|c: char| c.is_ascii_digit())
        .then_some(start + name_end + 1)
}

/// Name and version from a package key of any version.
fn split_key(key: &str) -> (String, String) {
    let bare = strip_peers(key);
    let bare = bare.strip_prefix('/').unwrap_or(bare);
    if let Some((name, version)) = split_name(bare)
        && (!version.contains('/') || version.contains(':'))
    {
        return (name.to_owned(), version.to_owned());
    }
    // 5.x `name/1.0.0` or `@s/name/1.0.0`.
    match bare.rsplit_once('/') {
        Some((name, version)) if !name.is_empty() => (name.to_owned(), version.to_owned()),
        _ => (bare.to_owned(), "0.0.0".to_owned()),
    }
}

fn lookup(index: &HashMap<String, usize>, name: &str, reference: &str) -> Option<usize> {
    if reference.is_empty() || reference.starts_with("link:") {
        return None;
    }
    let candidates = [
        reference.to_owned(),
        format!("{name}@{reference}"),
        format!("/{name}@{reference}"),
        format!("/{name}/{reference}"),
        format!("/{reference}"),
    ];
    candidates
        .iter()
        .find_map(|c| index.get(c).or_else(|| index.get(strip_peers(c))))
        .copied()
}

fn source_of(name: &str, resolution: &Value) -> (Source, Option<String>) {
    let integrity = str_of(resolution, "integrity").map(str::to_owned);
    let source = if str_of(resolution, "type") == Some("git") || resolution.get("repo").is_some() {
        let repo = str_of(resolution, "repo").unwrap_or("");
        let commit = str_of(resolution, "commit").unwrap_or("");
        Source::Git {
            url: if commit.is_empty() {
                repo.to_owned()
            } else {
                format!("{repo}#{commit}")
            },
        }
    } else if let Some(tarball) = str_of(resolution, "tarball") {
        classify_resolved(name, tarball)
    } else if let Some(dir) = str_of(resolution, "directory") {
        Source::Local {
            path: dir.to_owned(),
        }
    } else {
        Source::Registry { resolved: None }
    };
    (source, integrity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_every_version() {
        assert_eq!(split_key("/a@1.0.0"), ("a".into(), "1.0.0".into()));
        assert_eq!(
            split_key("/@s/a@1.0.0(p@2.0.0)"),
            ("@s/a".into(), "1.0.0".into())
        );
        assert_eq!(split_key("@s/a@1.0.0"), ("@s/a".into(), "1.0.0".into()));
        assert_eq!(split_key("/a/1.0.0_p@2.0.0"), ("a".into(), "1.0.0".into()));
        assert_eq!(split_key("/@s/a/1.0.0"), ("@s/a".into(), "1.0.0".into()));
    }
}
