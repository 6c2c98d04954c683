//! The dependency graph every format parser builds, and what is derived from
//! it: one entry per package, dependency paths, development and optional
//! flags.

use std::collections::{BTreeMap, VecDeque};

use super::{LockedPackage, Source};

/// Dependencies by name and reference (version or range), with whether
/// they are optional: what a node records before the edges are resolved.
pub(crate) type RefDeps = Vec<(String, String, bool)>;

/// Dependencies by name, with whether they are optional.
pub(crate) type NameDeps = Vec<(String, bool)>;

/// A package in the graph (one per place the lockfile records it).
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub name: String,
    pub version: String,
    pub alias: Option<String>,
    pub source: Source,
    pub integrity: Option<String>,
    /// What the lockfile says, when it says it.
    pub dev_hint: Option<bool>,
    pub optional_hint: Option<bool>,
    pub deps: Vec<Edge>,
}

impl Node {
    pub fn new(name: impl Into<String>, version: impl Into<String>, source: Source) -> Self {
        Self {
            name: name.into(),
            version: version.into(),
            alias: None,
            source,
            integrity: None,
            dev_hint: None,
            optional_hint: None,
            deps: Vec::new(),
        }
    }

    fn label(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }
}

/// A dependency edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Edge {
    pub to: usize,
    pub optional: bool,
}

/// A dependency of a project root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RootEdge {
    pub to: usize,
    pub dev: bool,
    pub optional: bool,
}

/// A project root (the project, or one of its workspaces).
#[derive(Debug, Clone)]
pub(crate) struct Root {
    pub name: String,
    pub deps: Vec<RootEdge>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Graph {
    pub nodes: Vec<Node>,
    pub roots: Vec<Root>,
}

impl Graph {
    pub fn add(&mut self, node: Node) -> usize {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    /// When the lockfile names no roots: one root, `name`, depending on
    /// every package nothing else depends on.
    pub fn root_from_orphans(&mut self, name: &str) {
        let mut has_parent = vec![false; self.nodes.len()];
        for n in &self.nodes {
            for e in &n.deps {
                if let Some(h) = has_parent.get_mut(e.to) {
                    *h = true;
                }
            }
        }
        let deps = has_parent
            .iter()
            .enumerate()
            .filter(|(_, h)| !**h)
            .map(|(i, _)| RootEdge {
                to: i,
                dev: self.nodes[i].dev_hint.unwrap_or(false),
                optional: self.nodes[i].optional_hint.unwrap_or(false),
            })
            .collect();
        self.roots.push(Root {
            name: name.to_owned(),
            deps,
        });
    }

    /// Nodes reachable from roots through edges that `follow` accepts,
    /// starting from root edges that `start` accepts.
    fn reach(
        &self,
        start: impl Fn(&RootEdge) -> bool,
        follow: impl Fn(&Edge) -> bool,
    ) -> Vec<bool> {
        let mut seen = vec![false; self.nodes.len()];
        let mut queue = VecDeque::new();
        for r in &self.roots {
            for e in r.deps.iter().filter(|e| start(e)) {
                if e.to < seen.len() && !seen[e.to] {
                    seen[e.to] = true;
                    queue.push_back(e.to);
                }
            }
        }
        while let Some(i) = queue.pop_front() {
            for e in self.nodes[i].deps.iter().filter(|e| follow(e)) {
                if e.to < seen.len() && !seen[e.to] {
                    seen[e.to] = true;
                    queue.push_back(e.to);
                }
            }
        }
        seen
    }

    /// Every package once (same name, version and source merged), sorted,
    /// with its shortest dependency path and its flags.
    pub fn finish(self) -> Vec<LockedPackage> {
        let n = self.nodes.len();
        // Breadth-first from every root, in order: the first root to reach a
        // node gives its (shortest) path.
        #[derive(Clone, Copy)]
        enum From {
            Root(usize),
            Node(usize),
        }
        let mut parent: Vec<Option<From>> = vec![None; n];
        let mut queue = VecDeque::new();
        for (ri, r) in self.roots.iter().enumerate() {
            for e in &r.deps {
                if e.to < n && parent[e.to].is_none() {
                    parent[e.to] = Some(From::Root(ri));
                    queue.push_back(e.to);
                }
            }
        }
        while let Some(i) = queue.pop_front() {
            for e in &self.nodes[i].deps {
                if e.to < n && parent[e.to].is_none() {
                    parent[e.to] = Some(From::Node(i));
                    queue.push_back(e.to);
                }
            }
        }
        let prod = self.reach(|e| !e.dev, |_| true);
        let required = self.reach(|e| !e.optional, |e| !e.optional);

        let path_of = |i: usize| -> Vec<String> {
            let mut path = vec![self.nodes[i].label().to_owned()];
            let mut at = parent[i];
            let mut guard = 0;
            while let Some(from) = at {
                guard += 1;
                if guard > n + 1 {
                    break;
                }
                match from {
                    From::Root(r) => {
                        path.push(self.roots[r].name.clone());
                        break;
                    }
                    From::Node(p) => {
                        path.push(self.nodes[p].label().to_owned());
                        at = parent[p];
                    }
                }
            }
            path.reverse();
            path
        };

        let mut merged: BTreeMap<(String, String, Source), LockedPackage> = BTreeMap::new();
        for (i, node) in self.nodes.iter().enumerate() {
            let reachable = parent[i].is_some();
            let dev = node.dev_hint.unwrap_or(reachable && !prod[i]);
            let optional = node.optional_hint.unwrap_or(reachable && !required[i]);
            let package = LockedPackage {
                name: node.name.clone(),
                version: node.version.clone(),
                alias: node.alias.clone(),
                source: node.source.clone(),
                integrity: node.integrity.clone(),
                dev,
                optional,
                path: path_of(i),
            };
            let key = (node.name.clone(), node.version.clone(), node.source.clone());
            match merged.get_mut(&key) {
                None => {
                    merged.insert(key, package);
                }
                Some(existing) => {
                    existing.dev &= package.dev;
                    existing.optional &= package.optional;
                    if existing.integrity.is_none() {
                        existing.integrity = package.integrity;
                    }
                    if existing.alias.is_some() && package.alias.is_none() {
                        existing.alias = None;
                    }
                    let shorter = package.path.len() < existing.path.len();
                    let reaches_root = package.path.len() > 1 && existing.path.len() == 1;
                    if (shorter && package.path.len() > 1) || reaches_root {
                        existing.path = package.path;
                    }
                }
            }
        }
        merged.into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg() -> Source {
        Source::Registry { resolved: None }
    }

    #[test]
    fn paths_flags_and_merging() {
        let mut g = Graph::default();
        let a = g.add(Node::new("a", "1.0.0", reg()));
        let b = g.add(Node::new("b", "1.0.0", reg()));
        let b2 = g.add(Node::new("b", "1.0.0", reg()));
        let t = g.add(Node::new("t", "2.0.0", reg()));
        let o = g.add(Node::new("o", "3.0.0", reg()));
        g.nodes[a].deps.push(Edge {
            to: b,
            optional: false,
        });
        g.nodes[t].deps.push(Edge {
            to: b2,
            optional: false,
        });
        g.nodes[a].deps.push(Edge {
            to: o,
            optional: true,
        });
        g.roots.push(Root {
            name: "app".into(),
            deps: vec![
                RootEdge {
                    to: a,
                    dev: false,
                    optional: false,
                },
                RootEdge {
                    to: t,
                    dev: true,
                    optional: false,
                },
            ],
        });
        let out = g.finish();
        let names: Vec<String> = out.iter().map(LockedPackage::id).collect();
        assert_eq!(names, ["a@1.0.0", "b@1.0.0", "o@3.0.0", "t@2.0.0"]);
        let b = &out[1];
        assert_eq!(b.path_text(), "app > a > b");
        assert!(!b.dev, "reached from a production dependency");
        assert!(out[3].dev);
        assert!(out[2].optional && !out[2].dev);
        assert!(!out[0].optional);
    }

    #[test]
    fn cycles_end() {
        let mut g = Graph::default();
        let a = g.add(Node::new("a", "1.0.0", reg()));
        let b = g.add(Node::new("b", "1.0.0", reg()));
        g.nodes[a].deps.push(Edge {
            to: b,
            optional: false,
        });
        g.nodes[b].deps.push(Edge {
            to: a,
            optional: false,
        });
        g.root_from_orphans("app");
        let out = g.finish();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].path, ["a"]);
    }
}
