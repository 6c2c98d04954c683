//! `bun.lock`, bun's text lockfile: JSON with trailing commas (and, being
//! JSONC, possibly comments).
//!
//! ```text
//! {
//!   "lockfileVersion": 1,
//!   "workspaces": { "": { "name": "app", "dependencies": { "a": "^1" } } },
//!   "packages": {
//!     "a": ["a@1.0.0", "", { "dependencies": { "b": "^2" } }, "sha512-…"],
//!     "a/b": ["b@2.0.0", "", {}, "sha512-…"],
//!   },
//! }
//! ```
//!
//! A `packages` key is the install location (`a/b` is `b` nested under `a`),
//! the first element the resolution: `name@version` for the registry
//! (then registry URL or `""`, info, integrity), `name@workspace:path`,
//! `name@link:path`, `name@file:path`, `name@git+…`, `name@github:…`, or a
//! tarball URL (then info). Dependencies resolve from the most nested key
//! outwards, as Node would.

use std::collections::HashMap;

use serde_json::Value;

use super::graph::{Edge, Graph, NameDeps, Node, Root, RootEdge};
use super::{Parsed, ProjectManifests, Source, classify_resolved, split_name, str_of, string_map};

pub(crate) fn parse(
    text: &str,
    manifests: &ProjectManifests,
    folder: &str,
) -> Result<Parsed, String> {
    let json: Value = serde_json::from_str(&strip_jsonc(text)).map_err(|e| {
        format!("not valid JSON (after removing trailing commas and comments): {e}")
    })?;
    let version = json
        .get("lockfileVersion")
        .map(Value::to_string)
        .ok_or("no `lockfileVersion`")?;
    let empty = serde_json::Map::new();
    let packages = json
        .get("packages")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut graph = Graph::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut pending: Vec<(usize, String, NameDeps)> = Vec::new();
    for (key, entry) in packages {
        let Some(items) = entry.as_array() else {
            return Err(format!("`packages[\"{key}\"]` is not a list"));
        };
        let ident = items
            .first()
            .and_then(Value::as_str)
            .ok_or_else(|| format!("`packages[\"{key}\"]` has no resolution"))?;
        let (name, reference) = split_name(ident)
            .ok_or_else(|| format!("`packages[\"{key}\"]`: `{ident}` is not `name@…`"))?;
        let is_version = reference.chars().next().is_some_and(|c| c.is_ascii_digit());
        let (source, info, integrity) = if is_version {
            let registry = items
                .get(1)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty());
            (
                Source::Registry {
                    resolved: registry.map(str::to_owned),
                },
                items.get(2),
                items.get(3).and_then(Value::as_str).map(str::to_owned),
            )
        } else if let Some(path) = reference.strip_prefix("workspace:") {
            (
                Source::Workspace {
                    path: path.to_owned(),
                },
                None,
                None,
            )
        } else if reference.starts_with("root:") {
            continue;
        } else {
            (classify_resolved(name, reference), items.get(1), None)
        };
        let version = if is_version {
            reference.to_owned()
        } else {
            info.and_then(|i| str_of(i, "version"))
                .unwrap_or("0.0.0")
                .to_owned()
        };
        let mut node = Node::new(name, version, source);
        let installed = last_segment(key);
        if installed != name {
            node.alias = Some(installed.to_owned());
        }
        node.integrity = integrity;
        let i = graph.add(node);
        index.insert(key.clone(), i);
        let mut deps: Vec<(String, bool)> = Vec::new();
        if let Some(info) = info {
            deps.extend(
                string_map(info, "dependencies")
                    .into_iter()
                    .map(|(d, _)| (d, false)),
            );
            deps.extend(
                string_map(info, "optionalDependencies")
                    .into_iter()
                    .map(|(d, _)| (d, true)),
            );
        }
        pending.push((i, key.clone(), deps));
    }
    for (i, key, deps) in &pending {
        graph.nodes[*i].deps = deps
            .iter()
            .filter_map(|(d, optional)| {
                resolve(&index, key, d).map(|to| Edge {
                    to,
                    optional: *optional,
                })
            })
            .collect();
    }
    let workspaces = json.get("workspaces").and_then(Value::as_object);
    let root = workspaces
        .and_then(|w| w.get(""))
        .and_then(|w| str_of(w, "name"))
        .or(manifests.name())
        .unwrap_or(folder)
        .to_owned();
    let mut list: Vec<(&String, &Value)> =
        workspaces.map(|w| w.iter().collect()).unwrap_or_default();
    list.sort_by_key(|(path, _)| !path.is_empty());
    for (path, ws) in list {
        let name = if path.is_empty() {
            root.clone()
        } else {
            str_of(ws, "name").unwrap_or(path).to_owned()
        };
        let mut deps = Vec::new();
        for (section, dev, optional) in [
            ("dependencies", false, false),
            ("optionalDependencies", false, true),
            ("devDependencies", true, false),
        ] {
            for (d, _) in string_map(ws, section) {
                let found = if path.is_empty() {
                    index.get(&d).copied()
                } else {
                    resolve(&index, &name, &d)
                };
                if let Some(to) = found {
                    deps.push(RootEdge { to, dev, optional });
                }
            }
        }
        graph.roots.push(Root { name, deps });
    }
    if graph.roots.is_empty() {
        graph.root_from_orphans(&root);
    }
    Ok(Parsed {
        format_version: version,
        root,
        graph,
    })
}

/// The segments of a key: `a/@s/b/c` → `["a", "@s/b", "c"]`.
fn segments(key: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = key;
    while !rest.is_empty() {
        let end = if rest.starts_with('@') {
            rest.match_indices('/')
                .nth(1)
                .map_or(rest.len(), |(i, _)| i)
        } else {
            rest.find('/').unwrap_or(rest.len())
        };
        out.push(&rest[..end]);
        rest = rest.get(end + 1..).unwrap_or("");
    }
    out
}

fn last_segment(key: &str) -> &str {
    segments(key).last().copied().unwrap_or(key)
}

/// `dep` from the package at `key`: `key/dep`, then each parent's, then `dep`.
fn resolve(index: &HashMap<String, usize>, key: &str, dep: &str) -> Option<usize> {
    let segs = segments(key);
    for n in (0..=segs.len()).rev() {
        let candidate = if n == 0 {
            dep.to_owned()
        } else {
            format!("{}/{dep}", segs[..n].join("/"))
        };
        if let Some(&i) = index.get(&candidate) {
            return Some(i);
        }
    }
    None
}

/// Removes `//` and `/* */` comments and trailing commas outside strings.
pub(crate) fn strip_jsonc(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut in_string = false;
    let mut last_copied = 0;
    // Byte index in `out` of a comma that may turn out to be trailing.
    let mut pending_comma: Option<usize> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            if b == b'\\' {
                i += 2;
                continue;
            }
            if b == b'"' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => {
                pending_comma = None;
                in_string = true;
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                out.push_str(&text[last_copied..i]);
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                last_copied = i;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                out.push_str(&text[last_copied..i]);
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(bytes.len());
                last_copied = i;
            }
            b',' => {
                out.push_str(&text[last_copied..i]);
                pending_comma = Some(out.len());
                out.push(',');
                i += 1;
                last_copied = i;
            }
            b'}' | b']' => {
                if let Some(at) = pending_comma.take() {
                    out.push_str(&text[last_copied..i]);
                    out.replace_range(at..=at, " ");
                    last_copied = i;
                }
                i += 1;
            }
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            _ => {
                pending_comma = None;
                i += 1;
            }
        }
    }
    out.push_str(text.get(last_copied..).unwrap_or(""));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_commas_and_comments_go() {
        let text = "{\"a\": [1, 2,], // c\n \"b\": \"x,]\" /* d */,}";
        let v: Value = serde_json::from_str(&strip_jsonc(text)).expect("valid after stripping");
        assert_eq!(v["a"][1], 2);
        assert_eq!(v["b"], "x,]");
    }

    #[test]
    fn keys_split_into_segments() {
        assert_eq!(segments("a/@s/b/c"), ["a", "@s/b", "c"]);
        assert_eq!(last_segment("@s/b"), "@s/b");
    }
}
