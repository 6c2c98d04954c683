//! A tree-sitter syntax tree copied into one flat array, for the analyser's
//! walks.
//!
//! The analyser walks a file's tree several times (functions first, then a
//! pass per round of what local functions receive and return) and asks
//! nodes for children and fields on every step. Through tree-sitter each of
//! those steps is a cursor move across the FFI boundary that re-derives the
//! child's position from the parent's subtree; on large packages that was
//! half the analyser's time. Copying the tree once (one cursor walk) into
//! plain indices makes every later step a few loads. The node API mirrors
//! the subset of `tree_sitter::Node` the analyser uses, so the walks read
//! the same.

use std::num::NonZeroU16;
use std::sync::LazyLock;

/// No node (no parent, child or sibling).
const NONE: u32 = u32::MAX;

const NAMED: u8 = 1;
const MISSING: u8 = 1 << 1;
const HAS_ERROR: u8 = 1 << 2;

/// tree-sitter's id for an `ERROR` node.
const ERROR_KIND: u16 = u16::MAX;

/// The grammar fields the analyser reads, with their ids looked up once:
/// tree-sitter finds a field by name with a string compare per field of
/// the grammar, on every call.
const FIELDS: [&str; 26] = [
    "alias",
    "alternative",
    "argument",
    "arguments",
    "attribute",
    "body",
    "cause",
    "condition",
    "consequence",
    "definition",
    "expression",
    "function",
    "key",
    "left",
    "module_name",
    "name",
    "object",
    "operator",
    "operators",
    "parameters",
    "return_type",
    "right",
    "subscript",
    "superclasses",
    "type",
    "value",
];

/// The grammar, loaded once: field and kind ids and names come from it.
static LANGUAGE: LazyLock<tree_sitter::Language> =
    LazyLock::new(|| tree_sitter_python::LANGUAGE.into());

static FIELD_IDS: LazyLock<[u16; FIELDS.len()]> =
    LazyLock::new(|| FIELDS.map(|f| LANGUAGE.field_id_for_name(f).map_or(0, NonZeroU16::get)));

/// A field's id; 0, which no child carries, when the grammar has no such
/// field. Fields outside `FIELDS` are looked up in the grammar each time.
pub(super) fn field_id(name: &str) -> u16 {
    match FIELDS.iter().position(|f| *f == name) {
        Some(i) => FIELD_IDS[i],
        None => LANGUAGE.field_id_for_name(name).map_or(0, NonZeroU16::get),
    }
}

/// A kind's id in the grammar (`named` tells `"*"` the token from a named
/// node of the same name); 0 when the grammar has none.
pub(super) fn kind_id(name: &str, named: bool) -> u16 {
    LANGUAGE.id_for_node_kind(name, named)
}

/// Kind names by kind id, looked up once.
static KINDS: LazyLock<Vec<String>> = LazyLock::new(|| {
    (0..LANGUAGE.node_kind_count())
        .map(|id| {
            u16::try_from(id)
                .ok()
                .and_then(|id| LANGUAGE.node_kind_for_id(id))
                .unwrap_or("")
                .to_owned()
        })
        .collect()
});

#[derive(Debug, Clone, Copy)]
struct Raw {
    start: u32,
    end: u32,
    parent: u32,
    first_child: u32,
    next_sibling: u32,
    kind: u16,
    /// The field this node fills in its parent (0: none).
    field: u16,
    flags: u8,
}

/// A parsed file's nodes in pre-order (a node's index is below its
/// descendants').
#[derive(Debug)]
pub(super) struct Tree {
    nodes: Vec<Raw>,
}

impl Tree {
    /// Copies a tree-sitter tree: every node, named or not, with its field.
    pub(super) fn build(ts: &tree_sitter::Tree) -> Tree {
        let mut b = Builder::default();
        let mut cursor = ts.walk();
        loop {
            let n = cursor.node();
            let mut flags = 0;
            if n.is_named() {
                flags |= NAMED;
            }
            if n.is_missing() {
                flags |= MISSING;
            }
            if n.has_error() {
                flags |= HAS_ERROR;
            }
            let pushed = b.push(
                n.kind_id(),
                cursor.field_id().map_or(0, NonZeroU16::get),
                u32::try_from(n.start_byte()).unwrap_or(u32::MAX),
                u32::try_from(n.end_byte()).unwrap_or(u32::MAX),
                flags,
            );
            if pushed.is_none() {
                // Four billion nodes do not fit a source under the size
                // limits; stop copying rather than wrap.
                break;
            }
            if cursor.goto_first_child() {
                continue;
            }
            b.close();
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return b.finish();
                }
                b.close();
            }
        }
        b.finish()
    }

    pub(super) fn root_node(&self) -> Node<'_> {
        Node { tree: self, id: 0 }
    }
}

/// Builds a tree node by node in pre-order: `open` a node, add its
/// children, `close` it. Both the tree-sitter copy and ruff's (`ast.rs`)
/// go through it.
#[derive(Debug, Default)]
pub(super) struct Builder {
    nodes: Vec<Raw>,
    /// The open nodes: (node, its last child so far).
    open: Vec<(u32, u32)>,
}

impl Builder {
    /// Starts a node under the innermost open one; `None` past four
    /// billion nodes.
    pub(super) fn open(
        &mut self,
        kind: u16,
        field: u16,
        start: u32,
        end: u32,
        named: bool,
    ) -> Option<u32> {
        self.push(kind, field, start, end, if named { NAMED } else { 0 })
    }

    fn push(&mut self, kind: u16, field: u16, start: u32, end: u32, flags: u8) -> Option<u32> {
        let id = u32::try_from(self.nodes.len())
            .ok()
            .filter(|i| *i != NONE)?;
        let parent = match self.open.last_mut() {
            Some((p, last)) => {
                if *last == NONE {
                    self.nodes[*p as usize].first_child = id;
                } else {
                    self.nodes[*last as usize].next_sibling = id;
                }
                *last = id;
                *p
            }
            None => NONE,
        };
        self.nodes.push(Raw {
            start,
            end,
            parent,
            first_child: NONE,
            next_sibling: NONE,
            kind,
            field,
            flags,
        });
        self.open.push((id, NONE));
        Some(id)
    }

    /// Ends the innermost open node.
    pub(super) fn close(&mut self) {
        self.open.pop();
    }

    pub(super) fn finish(self) -> Tree {
        Tree { nodes: self.nodes }
    }
}

#[derive(Clone, Copy)]
pub(super) struct Node<'t> {
    tree: &'t Tree,
    id: u32,
}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} [{}..{}]",
            self.kind(),
            self.start_byte(),
            self.end_byte()
        )
    }
}

impl PartialEq for Node<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.tree, other.tree) && self.id == other.id
    }
}

impl Eq for Node<'_> {}

impl<'t> Node<'t> {
    fn raw(&self) -> &'t Raw {
        &self.tree.nodes[self.id as usize]
    }

    fn at(&self, id: u32) -> Option<Node<'t>> {
        (id != NONE).then_some(Node {
            tree: self.tree,
            id,
        })
    }

    pub(super) fn kind(&self) -> &'static str {
        match self.raw().kind {
            ERROR_KIND => "ERROR",
            k => KINDS.get(usize::from(k)).map_or("", String::as_str),
        }
    }

    pub(super) fn start_byte(&self) -> usize {
        self.raw().start as usize
    }

    pub(super) fn end_byte(&self) -> usize {
        self.raw().end as usize
    }

    pub(super) fn is_named(&self) -> bool {
        self.raw().flags & NAMED != 0
    }

    pub(super) fn is_error(&self) -> bool {
        self.raw().kind == ERROR_KIND
    }

    pub(super) fn is_missing(&self) -> bool {
        self.raw().flags & MISSING != 0
    }

    pub(super) fn has_error(&self) -> bool {
        self.raw().flags & HAS_ERROR != 0
    }

    /// Whether the node fills a field of its parent.
    pub(super) fn has_field(&self) -> bool {
        self.raw().field != 0
    }

    /// The field the node fills in its parent.
    pub(super) fn field_name(&self) -> Option<&'static str> {
        NonZeroU16::new(self.raw().field).and_then(|f| LANGUAGE.field_name_for_id(f.get()))
    }

    pub(super) fn parent(&self) -> Option<Node<'t>> {
        self.at(self.raw().parent)
    }

    /// Every child, named or not.
    pub(super) fn children(&self) -> Children<'t> {
        Children {
            next: self.at(self.raw().first_child),
        }
    }

    pub(super) fn named_children(&self) -> impl Iterator<Item = Node<'t>> + 't {
        self.children().filter(Node::is_named)
    }

    pub(super) fn named_child(&self, i: usize) -> Option<Node<'t>> {
        self.named_children().nth(i)
    }

    pub(super) fn named_child_count(&self) -> usize {
        self.named_children().count()
    }

    /// The first child in field `name`.
    pub(super) fn field(&self, name: &str) -> Option<Node<'t>> {
        self.fields(name).next()
    }

    /// Every child in field `name`.
    pub(super) fn fields(&self, name: &str) -> impl Iterator<Item = Node<'t>> + 't {
        let id = field_id(name);
        self.children()
            .filter(move |n| id != 0 && n.raw().field == id)
    }
}

pub(super) struct Children<'t> {
    next: Option<Node<'t>>,
}

impl<'t> Iterator for Children<'t> {
    type Item = Node<'t>;

    fn next(&mut self) -> Option<Node<'t>> {
        let n = self.next?;
        self.next = n.at(n.raw().next_sibling);
        Some(n)
    }
}
