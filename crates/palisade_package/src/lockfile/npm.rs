//! `package-lock.json` and `npm-shrinkwrap.json`.
//!
//! - Versions 2 and 3 list every installed folder in `packages`, keyed by
//!   its location (`""` is the project, `node_modules/a/node_modules/b` a
//!   nested copy, `packages/x` a workspace, linked from `node_modules/x`
//!   with `"link": true`). Dependencies resolve as Node resolves them: the
//!   nearest `node_modules/<name>` walking up from the dependent.
//! - Version 1 nests `dependencies` objects with `requires`; it is turned
//!   into the same location map.
//!
//! An alias (`"x": "npm:y@1"`) is the folder `node_modules/x` whose entry
//! says `"name": "y"` (v2/v3) or whose `version` is `npm:y@1.0.0` (v1).

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::graph::{Edge, Graph, Node, Root, RootEdge};
use super::{Parsed, ProjectManifests, Source, classify_resolved, split_name, str_of};

/// Folders by location, and links between locations: Node's resolution.
#[derive(Debug, Default)]
pub(crate) struct LocationTree {
    pub nodes: HashMap<String, usize>,
    pub links: HashMap<String, String>,
}

impl LocationTree {
    fn at(&self, loc: &str) -> Option<usize> {
        let mut loc = loc;
        // Links may chain; a few hops are plenty.
        for _ in 0..8 {
            if let Some(&i) = self.nodes.get(loc) {
                return Some(i);
            }
            loc = self.links.get(loc)?;
        }
        None
    }

    /// The folder `dep` resolves to from the package at `from`.
    pub fn resolve(&self, from: &str, dep: &str) -> Option<usize> {
        let mut base = from.to_owned();
        loop {
            let candidate = if base.is_empty() {
                format!("node_modules/{dep}")
            } else {
                format!("{base}/node_modules/{dep}")
            };
            if let Some(i) = self.at(&candidate) {
                return Some(i);
            }
            if base.is_empty() {
                return None;
            }
            base = parent(&base).to_owned();
        }
    }
}

/// The location whose `node_modules` holds `loc` (`""` for the project).
pub(crate) fn parent(loc: &str) -> &str {
    match loc.rfind("/node_modules/") {
        Some(pos) => &loc[..pos],
        None => "",
    }
}

/// The package name a location installs (`node_modules/@s/a` → `@s/a`).
pub(crate) fn name_at(loc: &str) -> &str {
    match loc.rfind("node_modules/") {
        Some(pos) => &loc[pos + "node_modules/".len()..],
        None => loc.rsplit('/').next().unwrap_or(loc),
    }
}

/// One folder of the lockfile.
struct Entry {
    loc: String,
    /// Dependencies as (name, dev, optional).
    deps: Vec<(String, bool, bool)>,
}

pub(crate) fn parse(
    text: &str,
    manifests: &ProjectManifests,
    folder: &str,
) -> Result<Parsed, String> {
    let json: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let Value::Object(top) = &json else {
        return Err("not a JSON object".to_owned());
    };
    let version = top
        .get("lockfileVersion")
        .and_then(Value::as_u64)
        .ok_or("no numeric `lockfileVersion`")?;
    let root = top
        .get("name")
        .and_then(Value::as_str)
        .or(manifests.name())
        .unwrap_or(folder)
        .to_owned();
    let graph = match top.get("packages").and_then(Value::as_object) {
        Some(packages) if version >= 2 => from_packages(packages, &root)?,
        _ => match top.get("dependencies").and_then(Value::as_object) {
            Some(deps) => from_v1(deps, &root, manifests)?,
            None if version >= 2 => return Err("no `packages` object".to_owned()),
            None => Graph::default(),
        },
    };
    Ok(Parsed {
        format_version: version.to_string(),
        root,
        graph,
    })
}

fn deps_of(v: &Value, with_dev: bool) -> Vec<(String, bool, bool)> {
    let mut out = Vec::new();
    for (section, dev, optional) in [
        ("dependencies", false, false),
        ("optionalDependencies", false, true),
        ("devDependencies", true, false),
    ] {
        if dev && !with_dev {
            continue;
        }
        if let Some(m) = v.get(section).and_then(Value::as_object) {
            for name in m.keys() {
                out.push((name.clone(), dev, optional));
            }
        }
    }
    out
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn from_packages(packages: &Map<String, Value>, root: &str) -> Result<Graph, String> {
    let mut graph = Graph::default();
    let mut tree = LocationTree::default();
    let mut entries: Vec<Entry> = Vec::new();
    let mut workspace_roots: Vec<(String, String)> = Vec::new();
    let mut root_deps = Vec::new();
    for (loc, value) in packages {
        if !value.is_object() {
            return Err(format!("`packages[\"{loc}\"]` is not an object"));
        }
        if loc.is_empty() {
            root_deps = deps_of(value, true);
            continue;
        }
        if flag(value, "link") {
            if let Some(target) = str_of(value, "resolved") {
                tree.links.insert(loc.clone(), target.to_owned());
            }
            continue;
        }
        let is_workspace = !loc.starts_with("node_modules/") && !loc.contains("/node_modules/");
        let installed = name_at(loc);
        let name = str_of(value, "name").unwrap_or(installed).to_owned();
        let version = str_of(value, "version").unwrap_or("0.0.0").to_owned();
        let source = if is_workspace {
            workspace_roots.push((loc.clone(), name.clone()));
            Source::Workspace { path: loc.clone() }
        } else if flag(value, "inBundle") {
            Source::Bundled
        } else {
            match str_of(value, "resolved") {
                Some(r) => classify_resolved(&name, r),
                None => Source::Registry { resolved: None },
            }
        };
        let mut node = Node::new(name.clone(), version, source);
        if !is_workspace && installed != name {
            node.alias = Some(installed.to_owned());
        }
        node.integrity = str_of(value, "integrity").map(str::to_owned);
        if !is_workspace {
            node.dev_hint = Some(flag(value, "dev"));
            node.optional_hint = Some(flag(value, "optional"));
        }
        let i = graph.add(node);
        tree.nodes.insert(loc.clone(), i);
        entries.push(Entry {
            loc: loc.clone(),
            deps: deps_of(value, is_workspace),
        });
    }
    for entry in &entries {
        let Some(&from) = tree.nodes.get(&entry.loc) else {
            continue;
        };
        let edges: Vec<Edge> = entry
            .deps
            .iter()
            .filter_map(|(d, _, optional)| {
                tree.resolve(&entry.loc, d).map(|to| Edge {
                    to,
                    optional: *optional,
                })
            })
            .collect();
        graph.nodes[from].deps = edges;
    }
    let root_edges = |from: &str, deps: &[(String, bool, bool)]| -> Vec<RootEdge> {
        deps.iter()
            .filter_map(|(d, dev, optional)| {
                tree.resolve(from, d).map(|to| RootEdge {
                    to,
                    dev: *dev,
                    optional: *optional,
                })
            })
            .collect()
    };
    graph.roots.push(Root {
        name: root.to_owned(),
        deps: root_edges("", &root_deps),
    });
    for (loc, name) in workspace_roots {
        let deps = entries
            .iter()
            .find(|e| e.loc == loc)
            .map(|e| root_edges(&loc, &e.deps))
            .unwrap_or_default();
        graph.roots.push(Root { name, deps });
    }
    Ok(graph)
}

/// Version 1: nested `dependencies` with `requires`.
fn from_v1(
    deps: &Map<String, Value>,
    root: &str,
    manifests: &ProjectManifests,
) -> Result<Graph, String> {
    let mut graph = Graph::default();
    let mut tree = LocationTree::default();
    let mut entries: Vec<Entry> = Vec::new();
    let mut stack: Vec<(String, &Map<String, Value>, usize)> = vec![(String::new(), deps, 0)];
    while let Some((prefix, deps, depth)) = stack.pop() {
        if depth > super::MAX_NESTING {
            return Err("`dependencies` nest too deep".to_owned());
        }
        for (installed, value) in deps {
            if !value.is_object() {
                return Err(format!("dependency `{installed}` is not an object"));
            }
            let loc = if prefix.is_empty() {
                format!("node_modules/{installed}")
            } else {
                format!("{prefix}/node_modules/{installed}")
            };
            let raw_version = str_of(value, "version").unwrap_or("0.0.0");
            let (name, version) = match raw_version.strip_prefix("npm:").and_then(split_name) {
                Some((real, v)) => (real.to_owned(), v.to_owned()),
                None => (installed.clone(), raw_version.to_owned()),
            };
            let source = if flag(value, "bundled") {
                Source::Bundled
            } else {
                match str_of(value, "resolved") {
                    Some(r) => classify_resolved(&name, r),
                    None if raw_version.contains(':') && !raw_version.starts_with("npm:") => {
                        classify_resolved(&name, raw_version)
                    }
                    None => Source::Registry { resolved: None },
                }
            };
            let version = if source.is_registry() || matches!(source, Source::Bundled) {
                version
            } else {
                // A git or URL "version" is the reference; the real version is unknown.
                version
                    .rsplit_once('#')
                    .map_or(version.clone(), |(_, commit)| commit.to_owned())
            };
            let mut node = Node::new(name.clone(), version, source);
            if name != *installed {
                node.alias = Some(installed.clone());
            }
            node.integrity = str_of(value, "integrity").map(str::to_owned);
            node.dev_hint = Some(flag(value, "dev"));
            node.optional_hint = Some(flag(value, "optional"));
            let i = graph.add(node);
            tree.nodes.insert(loc.clone(), i);
            let requires = value
                .get("requires")
                .and_then(Value::as_object)
                .map(|m| m.keys().map(|k| (k.clone(), false, false)).collect())
                .unwrap_or_default();
            entries.push(Entry {
                loc: loc.clone(),
                deps: requires,
            });
            if let Some(nested) = value.get("dependencies").and_then(Value::as_object) {
                stack.push((loc, nested, depth + 1));
            }
        }
    }
    for entry in &entries {
        let Some(&from) = tree.nodes.get(&entry.loc) else {
            continue;
        };
        graph.nodes[from].deps = entry
            .deps
            .iter()
            .filter_map(|(d, _, _)| {
                tree.resolve(&entry.loc, d).map(|to| Edge {
                    to,
                    optional: false,
                })
            })
            .collect();
    }
    // Version 1 does not record the project's own dependencies: take them
    // from `package.json`, else every top-level folder.
    let deps: Vec<RootEdge> = match &manifests.root {
        Some(m) => super::manifest_deps(m)
            .into_iter()
            .filter_map(|(d, _, dev, optional)| {
                tree.resolve("", &d)
                    .map(|to| RootEdge { to, dev, optional })
            })
            .collect(),
        None => entries
            .iter()
            .filter(|e| !e.loc.contains("/node_modules/"))
            .filter_map(|e| {
                let to = *tree.nodes.get(&e.loc)?;
                Some(RootEdge {
                    to,
                    dev: graph.nodes[to].dev_hint.unwrap_or(false),
                    optional: graph.nodes[to].optional_hint.unwrap_or(false),
                })
            })
            .collect(),
    };
    graph.roots.push(Root {
        name: root.to_owned(),
        deps,
    });
    Ok(graph)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations() {
        assert_eq!(parent("node_modules/a/node_modules/@s/b"), "node_modules/a");
        assert_eq!(parent("node_modules/a"), "");
        assert_eq!(parent("packages/x"), "");
        assert_eq!(name_at("node_modules/a/node_modules/@s/b"), "@s/b");
        assert_eq!(name_at("packages/x"), "x");
    }
}
