//! Ruff's Python parser, with its syntax tree laid out as tree-sitter's.
//!
//! tree-sitter-python recovers from syntax errors, which broken malware and
//! Python 2 files need, but it parses at about 15 MB/s; ruff's hand-written
//! parser reads the same files eight times faster and rejects what is not
//! valid Python 3. A file ruff accepts is therefore parsed by ruff and its
//! tree copied into the analyser's flat tree with tree-sitter-python's node
//! kinds, fields and byte ranges (`tree.rs`), so the analyser reads one
//! shape whichever parser ran. A file ruff rejects, or that holds syntax
//! this copy does not lay out (`match`, `type` aliases, type parameters,
//! t-strings), is parsed by tree-sitter as before.
//!
//! ruff's parser is a hand-written recursive descent whose time follows the
//! file's length (a few constructs are read twice: soft keywords,
//! parenthesised `with` items; brackets, `with` and `match` subjects nested
//! 8,000 deep parse in about 5 ms) and whose stack grows with nesting
//! instead of overflowing. It needs no time bound of its own: files are
//! held to the package size limits, and the copy stops past `MAX_DEPTH`.
//!
//! The copy matches tree-sitter on every named node and every field the
//! analyser reads; comments, escape sequences, format specifiers and
//! anonymous punctuation are left out (`tree_mismatch` compares the two
//! trees on those terms, and the corpus comparison in `palisade_bench`
//! runs it over every file of the Python sets).

use std::sync::LazyLock;

use ruff_python_ast as ast;
use ruff_python_ast::token::TokenKind;
use ruff_text_size::{Ranged, TextRange};

use super::tree::{Builder, Node, Tree, field_id, kind_id};

/// Deepest nesting the copy follows; deeper files go to tree-sitter.
const MAX_DEPTH: u32 = 400;

/// The file parsed by ruff and laid out as tree-sitter's tree; `None` when
/// ruff reports a syntax error or the file holds syntax the copy does not
/// lay out.
pub(super) fn build(src: &str) -> Option<Tree> {
    u32::try_from(src.len()).ok()?;
    let parsed = ruff_python_parser::parse_module(src).ok()?;
    if !parsed.unsupported_syntax_errors().is_empty() {
        return None;
    }
    let tokens = parsed
        .tokens()
        .iter()
        .filter(|t| {
            !t.kind().is_trivia()
                && !matches!(
                    t.kind(),
                    TokenKind::Newline | TokenKind::Indent | TokenKind::Dedent
                )
        })
        .map(|t| (t.kind(), t.start().to_u32(), t.end().to_u32()))
        .collect();
    let mut c = Copy {
        src,
        tokens,
        b: Builder::default(),
        failed: false,
        depth: 0,
    };
    let module = parsed.syntax();
    let end = u32::try_from(src.len()).ok()?;
    c.open(K.module, 0, 0, end);
    for s in &module.body {
        c.stmt(s);
    }
    c.close();
    (!c.failed).then(|| c.b.finish())
}

/// A struct of grammar ids, one per name, looked up once by `$lookup`.
macro_rules! ids {
    ($(#[$doc:meta])* $name:ident, $table:ident, $lookup:expr, { $($field:ident: $text:literal,)* }) => {
        $(#[$doc])*
        struct $name {
            $($field: u16,)*
        }

        static $table: LazyLock<$name> = LazyLock::new(|| {
            let lookup = $lookup;
            $name {
                $($field: lookup($text),)*
            }
        });
    };
}

ids!(
    /// The kind ids the copy writes.
    Kinds, K, |name: &str| kind_id(name, true), {
    module: "module",
    expression_statement: "expression_statement",
    assignment: "assignment",
    augmented_assignment: "augmented_assignment",
    block: "block",
    function_definition: "function_definition",
    decorated_definition: "decorated_definition",
    decorator: "decorator",
    class_definition: "class_definition",
    parameters: "parameters",
    lambda_parameters: "lambda_parameters",
    typed_parameter: "typed_parameter",
    default_parameter: "default_parameter",
    typed_default_parameter: "typed_default_parameter",
    list_splat_pattern: "list_splat_pattern",
    dictionary_splat_pattern: "dictionary_splat_pattern",
    keyword_separator: "keyword_separator",
    positional_separator: "positional_separator",
    type_: "type",
    return_statement: "return_statement",
    delete_statement: "delete_statement",
    raise_statement: "raise_statement",
    assert_statement: "assert_statement",
    pass_statement: "pass_statement",
    break_statement: "break_statement",
    continue_statement: "continue_statement",
    global_statement: "global_statement",
    nonlocal_statement: "nonlocal_statement",
    import_statement: "import_statement",
    import_from_statement: "import_from_statement",
    future_import_statement: "future_import_statement",
    dotted_name: "dotted_name",
    aliased_import: "aliased_import",
    relative_import: "relative_import",
    import_prefix: "import_prefix",
    wildcard_import: "wildcard_import",
    if_statement: "if_statement",
    elif_clause: "elif_clause",
    else_clause: "else_clause",
    for_statement: "for_statement",
    while_statement: "while_statement",
    try_statement: "try_statement",
    except_clause: "except_clause",
    finally_clause: "finally_clause",
    with_statement: "with_statement",
    with_clause: "with_clause",
    with_item: "with_item",
    as_pattern: "as_pattern",
    as_pattern_target: "as_pattern_target",
    identifier: "identifier",
    attribute: "attribute",
    subscript: "subscript",
    slice: "slice",
    call: "call",
    argument_list: "argument_list",
    keyword_argument: "keyword_argument",
    list_splat: "list_splat",
    dictionary_splat: "dictionary_splat",
    parenthesized_expression: "parenthesized_expression",
    boolean_operator: "boolean_operator",
    binary_operator: "binary_operator",
    unary_operator: "unary_operator",
    not_operator: "not_operator",
    comparison_operator: "comparison_operator",
    lambda: "lambda",
    conditional_expression: "conditional_expression",
    named_expression: "named_expression",
    dictionary: "dictionary",
    pair: "pair",
    set: "set",
    list: "list",
    tuple: "tuple",
    expression_list: "expression_list",
    pattern_list: "pattern_list",
    tuple_pattern: "tuple_pattern",
    list_pattern: "list_pattern",
    list_comprehension: "list_comprehension",
    set_comprehension: "set_comprehension",
    dictionary_comprehension: "dictionary_comprehension",
    generator_expression: "generator_expression",
    for_in_clause: "for_in_clause",
    if_clause: "if_clause",
    await_: "await",
    yield_: "yield",
    string: "string",
    concatenated_string: "concatenated_string",
    string_start: "string_start",
    string_content: "string_content",
    string_end: "string_end",
    interpolation: "interpolation",
    integer: "integer",
    float: "float",
    true_: "true",
    false_: "false",
    none: "none",
    ellipsis: "ellipsis",
});

ids!(
    /// The field ids the copy writes.
    Fields, F, field_id, {
    alias: "alias",
    alternative: "alternative",
    argument: "argument",
    arguments: "arguments",
    attribute: "attribute",
    body: "body",
    cause: "cause",
    condition: "condition",
    consequence: "consequence",
    definition: "definition",
    expression: "expression",
    function: "function",
    key: "key",
    left: "left",
    module_name: "module_name",
    name: "name",
    object: "object",
    operator: "operator",
    operators: "operators",
    parameters: "parameters",
    return_type: "return_type",
    right: "right",
    subscript: "subscript",
    superclasses: "superclasses",
    type_: "type",
    value: "value",
});

/// Where an expression sits, which decides tree-sitter's names for tuples,
/// lists and stars.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// An ordinary expression.
    Value,
    /// An assignment or loop target (tree-sitter's patterns).
    Target,
    /// A top-level target inside an assignment's `pattern_list`.
    TargetItem,
}

struct Copy<'s> {
    src: &'s str,
    /// The tokens that are not trivia or layout: (kind, start, end).
    tokens: Vec<(TokenKind, u32, u32)>,
    b: Builder,
    failed: bool,
    depth: u32,
}

fn span(r: TextRange) -> (u32, u32) {
    (r.start().to_u32(), r.end().to_u32())
}

impl Copy<'_> {
    fn open(&mut self, kind: u16, field: u16, start: u32, end: u32) -> u32 {
        match self.b.open(kind, field, start, end, true) {
            Some(id) => id,
            None => {
                self.failed = true;
                0
            }
        }
    }

    fn close(&mut self) {
        self.b.close();
    }

    fn leaf(&mut self, kind: u16, field: u16, start: u32, end: u32) {
        self.open(kind, field, start, end);
        self.close();
    }

    /// An anonymous token (an operator), kind looked up by its text.
    fn token(&mut self, text: &str, field: u16, start: u32, end: u32) {
        let kind = kind_id(text, false);
        if kind == 0 {
            self.failed = true;
            return;
        }
        if self.b.open(kind, field, start, end, false).is_none() {
            self.failed = true;
        }
        self.close();
    }

    fn text(&self, start: u32, end: u32) -> &str {
        self.src.get(start as usize..end as usize).unwrap_or("")
    }

    /// The index of the first token starting at or after `pos`.
    fn token_at(&self, pos: u32) -> usize {
        self.tokens.partition_point(|t| t.1 < pos)
    }

    /// The first token at or after `pos`: (kind, start, end).
    fn next_token(&self, pos: u32) -> Option<(TokenKind, u32, u32)> {
        self.tokens.get(self.token_at(pos)).copied()
    }

    /// The parentheses around `start..end` that lie inside `lo..hi`, as
    /// the ranges of the `parenthesized_expression`s they make, outermost
    /// first.
    fn parens(&self, start: u32, end: u32, lo: u32, hi: u32) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        let (mut s, mut e) = (start, end);
        loop {
            let after = self.token_at(e);
            let before = self.token_at(s);
            if before == 0 {
                break;
            }
            let (Some(l), Some(r)) = (self.tokens.get(before - 1), self.tokens.get(after)) else {
                break;
            };
            if l.0 != TokenKind::Lpar || r.0 != TokenKind::Rpar || l.1 < lo || r.2 > hi {
                break;
            }
            s = l.1;
            e = r.2;
            out.push((s, e));
        }
        out.reverse();
        out
    }

    fn enter(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.failed = true;
        }
        !self.failed
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    // ---- statements ----

    fn block(&mut self, body: &[ast::Stmt], field: u16) {
        if body.is_empty() {
            return;
        }
        let start = body.first().map_or(0, |s| s.start().to_u32());
        let end = body.last().map_or(0, |s| s.end().to_u32());
        self.open(K.block, field, start, end);
        for s in body {
            self.stmt(s);
        }
        self.close();
    }

    fn stmt(&mut self, s: &ast::Stmt) {
        if !self.enter() {
            return;
        }
        let (start, end) = span(s.range());
        match s {
            ast::Stmt::FunctionDef(f) => self.function(f),
            ast::Stmt::ClassDef(c) => self.class(c),
            ast::Stmt::Return(r) => {
                self.open(K.return_statement, 0, start, end);
                if let Some(v) = &r.value {
                    self.expressions(v, 0, start, end);
                }
                self.close();
            }
            ast::Stmt::Delete(d) => {
                self.open(K.delete_statement, 0, start, end);
                match d.targets.as_slice() {
                    [one] => self.expr(one, 0, start, end, Place::Value),
                    many => {
                        let (s0, e0) = (
                            many.first().map_or(start, |e| e.start().to_u32()),
                            many.last().map_or(end, |e| e.end().to_u32()),
                        );
                        self.open(K.expression_list, 0, s0, e0);
                        for t in many {
                            self.expr(t, 0, start, end, Place::Value);
                        }
                        self.close();
                    }
                }
                self.close();
            }
            ast::Stmt::Assign(a) => {
                self.open(K.expression_statement, 0, start, end);
                self.assignment(&a.targets, &a.value, 0, end);
                self.close();
            }
            ast::Stmt::AugAssign(a) => {
                self.open(K.expression_statement, 0, start, end);
                self.open(K.augmented_assignment, 0, start, end);
                let t_end = self.target(&a.target, F.left, start, end);
                if let Some((_, os, oe)) = self.next_token(t_end) {
                    let op = self.text(os, oe).to_owned();
                    self.token(&op, F.operator, os, oe);
                }
                self.right_side(&a.value, start, end);
                self.close();
                self.close();
            }
            ast::Stmt::AnnAssign(a) => {
                self.open(K.expression_statement, 0, start, end);
                self.open(K.assignment, 0, start, end);
                self.target(&a.target, F.left, start, end);
                self.typed(&a.annotation, F.type_, start, end);
                if let Some(v) = &a.value {
                    self.right_side(v, start, end);
                }
                self.close();
                self.close();
            }
            ast::Stmt::For(f) => {
                self.open(K.for_statement, 0, start, end);
                if f.is_async {
                    self.token("async", 0, start, start + 5);
                }
                self.target(&f.target, F.left, start, end);
                self.expressions(&f.iter, F.right, start, end);
                self.block(&f.body, F.body);
                self.else_clause(&f.orelse, F.alternative);
                self.close();
            }
            ast::Stmt::While(w) => {
                self.open(K.while_statement, 0, start, end);
                self.expr(&w.test, F.condition, start, end, Place::Value);
                self.block(&w.body, F.body);
                self.else_clause(&w.orelse, F.alternative);
                self.close();
            }
            ast::Stmt::If(i) => {
                self.open(K.if_statement, 0, start, end);
                self.expr(&i.test, F.condition, start, end, Place::Value);
                self.block(&i.body, F.consequence);
                for clause in &i.elif_else_clauses {
                    let (cs, ce) = span(clause.range());
                    match &clause.test {
                        Some(test) => {
                            self.open(K.elif_clause, F.alternative, cs, ce);
                            self.expr(test, F.condition, cs, ce, Place::Value);
                            self.block(&clause.body, F.consequence);
                            self.close();
                        }
                        None => {
                            self.open(K.else_clause, F.alternative, cs, ce);
                            self.block(&clause.body, F.body);
                            self.close();
                        }
                    }
                }
                self.close();
            }
            ast::Stmt::With(w) => self.with(w),
            ast::Stmt::Raise(r) => {
                self.open(K.raise_statement, 0, start, end);
                if let Some(exc) = &r.exc {
                    self.expressions(exc, 0, start, end);
                }
                if let Some(cause) = &r.cause {
                    self.expr(cause, F.cause, start, end, Place::Value);
                }
                self.close();
            }
            ast::Stmt::Try(t) => self.try_statement(t),
            ast::Stmt::Assert(a) => {
                self.open(K.assert_statement, 0, start, end);
                self.expr(&a.test, 0, start, end, Place::Value);
                if let Some(m) = &a.msg {
                    self.expr(m, 0, start, end, Place::Value);
                }
                self.close();
            }
            ast::Stmt::Import(i) => {
                self.open(K.import_statement, 0, start, end);
                for alias in &i.names {
                    self.alias(alias);
                }
                self.close();
            }
            ast::Stmt::ImportFrom(i) => self.import_from(i),
            ast::Stmt::Global(ast::StmtGlobal { names, .. }) => {
                self.names(K.global_statement, start, end, names);
            }
            ast::Stmt::Nonlocal(ast::StmtNonlocal { names, .. }) => {
                self.names(K.nonlocal_statement, start, end, names);
            }
            ast::Stmt::Expr(e) => {
                self.open(K.expression_statement, 0, start, end);
                match &*e.value {
                    // `a, b` as a statement: the items are its children.
                    ast::Expr::Tuple(t) if !t.parenthesized => {
                        for item in &t.elts {
                            self.expr(item, 0, start, end, Place::Value);
                        }
                    }
                    v => self.expr(v, 0, start, end, Place::Value),
                }
                self.close();
            }
            ast::Stmt::Pass(_) => self.leaf(K.pass_statement, 0, start, end),
            ast::Stmt::Break(_) => self.leaf(K.break_statement, 0, start, end),
            ast::Stmt::Continue(_) => self.leaf(K.continue_statement, 0, start, end),
            ast::Stmt::Match(_) | ast::Stmt::TypeAlias(_) | ast::Stmt::IpyEscapeCommand(_) => {
                self.failed = true;
            }
        }
        self.leave();
    }

    /// `global a, b` / `nonlocal a, b`: the names as identifiers.
    fn names(&mut self, kind: u16, start: u32, end: u32, names: &[ast::Identifier]) {
        self.open(kind, 0, start, end);
        for n in names {
            let (s, e) = span(n.range());
            self.leaf(K.identifier, 0, s, e);
        }
        self.close();
    }

    fn else_clause(&mut self, body: &[ast::Stmt], field: u16) {
        self.keyword_clause(K.else_clause, field, TokenKind::Else, body, F.body);
    }

    /// A clause that is a keyword and a block (`else:`, `finally:`): it
    /// starts at the keyword, the last one before the block's first
    /// statement.
    fn keyword_clause(
        &mut self,
        kind: u16,
        field: u16,
        keyword: TokenKind,
        body: &[ast::Stmt],
        body_field: u16,
    ) {
        let (Some(first), Some(last)) = (body.first(), body.last()) else {
            return;
        };
        let first_start = first.start().to_u32();
        let i = self.token_at(first_start);
        let start = self.tokens[..i]
            .iter()
            .rev()
            .find(|t| t.0 == keyword)
            .map_or(first_start, |t| t.1);
        self.open(kind, field, start, last.end().to_u32());
        self.block(body, body_field);
        self.close();
    }

    fn function(&mut self, f: &ast::StmtFunctionDef) {
        let generic = f.type_params.is_some();
        self.definition(
            K.function_definition,
            generic,
            f.range(),
            &f.decorator_list,
            |c, start, end| {
                if f.is_async {
                    c.token("async", 0, start, start + 5);
                }
                c.leaf_name(&f.name);
                c.parameters(&f.parameters, K.parameters, F.parameters);
                if let Some(r) = &f.returns {
                    c.typed(r, F.return_type, start, end);
                }
                c.block(&f.body, F.body);
            },
        );
    }

    fn class(&mut self, c: &ast::StmtClassDef) {
        let generic = c.type_params.is_some();
        self.definition(
            K.class_definition,
            generic,
            c.range(),
            &c.decorator_list,
            |this, _, _| {
                this.leaf_name(&c.name);
                if let Some(args) = &c.arguments {
                    this.arguments(args, F.superclasses);
                }
                this.block(&c.body, F.body);
            },
        );
    }

    fn leaf_name(&mut self, name: &ast::Identifier) {
        let (s, e) = span(name.range());
        self.leaf(K.identifier, F.name, s, e);
    }

    /// A function or class definition, in a `decorated_definition` when it
    /// has decorators; `inner` adds its children, given where the
    /// definition starts (at `def`, `async` or `class`) and ends. Type
    /// parameters are not laid out: tree-sitter reads the file.
    fn definition(
        &mut self,
        kind: u16,
        generic: bool,
        range: TextRange,
        decorators: &[ast::Decorator],
        inner: impl FnOnce(&mut Self, u32, u32),
    ) {
        if generic {
            self.failed = true;
            return;
        }
        let (start, end) = span(range);
        let def_start = self.decorated(decorators, start, end);
        self.open(kind, self.definition_field(decorators), def_start, end);
        inner(self, def_start, end);
        self.close();
        if !decorators.is_empty() {
            self.close();
        }
    }

    fn definition_field(&self, decorators: &[ast::Decorator]) -> u16 {
        if decorators.is_empty() {
            0
        } else {
            F.definition
        }
    }

    /// Opens `decorated_definition` with its decorators when there are
    /// any; returns where the definition itself starts.
    fn decorated(&mut self, decorators: &[ast::Decorator], start: u32, end: u32) -> u32 {
        if decorators.is_empty() {
            return start;
        }
        self.open(K.decorated_definition, 0, start, end);
        let mut last = start;
        for d in decorators {
            let (ds, de) = span(d.range());
            self.open(K.decorator, 0, ds, de);
            self.expr(&d.expression, 0, ds, de, Place::Value);
            self.close();
            last = de;
        }
        // The definition starts at its `def`, `async` or `class`.
        self.next_token(last).map_or(start, |t| t.1)
    }

    fn parameters(&mut self, p: &ast::Parameters, kind: u16, field: u16) {
        let (start, end) = span(p.range());
        self.open(kind, field, start, end);
        let mut items: Vec<(u32, u8, usize)> = Vec::new();
        for (i, a) in p.posonlyargs.iter().enumerate() {
            items.push((a.start().to_u32(), 0, i));
        }
        for (i, a) in p.args.iter().enumerate() {
            items.push((a.start().to_u32(), 1, i));
        }
        if let Some(v) = &p.vararg {
            items.push((v.start().to_u32(), 2, 0));
        }
        for (i, a) in p.kwonlyargs.iter().enumerate() {
            items.push((a.start().to_u32(), 3, i));
        }
        if let Some(v) = &p.kwarg {
            items.push((v.start().to_u32(), 4, 0));
        }
        // The `/` and bare `*` separators: tokens outside every parameter.
        let taken: Vec<(u32, u32)> = p.iter().map(|a| span(a.range())).collect();
        let (mut ti, te) = (self.token_at(start), self.token_at(end));
        while ti < te {
            let (k, s, e) = self.tokens[ti];
            let outside = !taken.iter().any(|(a, b)| *a <= s && e <= *b);
            if outside && k == TokenKind::Slash {
                items.push((s, 5, 0));
            } else if outside && k == TokenKind::Star {
                items.push((s, 6, 0));
            }
            ti += 1;
        }
        items.sort_unstable();
        for (pos, what, i) in items {
            match what {
                0 => self.parameter_with_default(&p.posonlyargs[i]),
                1 => self.parameter_with_default(&p.args[i]),
                3 => self.parameter_with_default(&p.kwonlyargs[i]),
                2 => {
                    if let Some(v) = &p.vararg {
                        self.star_parameter(v, K.list_splat_pattern);
                    }
                }
                4 => {
                    if let Some(v) = &p.kwarg {
                        self.star_parameter(v, K.dictionary_splat_pattern);
                    }
                }
                5 => self.leaf(K.positional_separator, 0, pos, pos + 1),
                _ => self.leaf(K.keyword_separator, 0, pos, pos + 1),
            }
        }
        self.close();
    }

    fn parameter_with_default(&mut self, p: &ast::ParameterWithDefault) {
        let (start, end) = span(p.range());
        let (ns, ne) = span(p.parameter.name.range());
        match (&p.parameter.annotation, &p.default) {
            (None, None) => self.leaf(K.identifier, 0, ns, ne),
            (Some(t), None) => {
                self.open(K.typed_parameter, 0, start, end);
                self.leaf(K.identifier, 0, ns, ne);
                self.typed(t, F.type_, start, end);
                self.close();
            }
            (None, Some(d)) => {
                self.open(K.default_parameter, 0, start, end);
                self.leaf(K.identifier, F.name, ns, ne);
                self.expr(d, F.value, start, end, Place::Value);
                self.close();
            }
            (Some(t), Some(d)) => {
                self.open(K.typed_default_parameter, 0, start, end);
                self.leaf(K.identifier, F.name, ns, ne);
                self.typed(t, F.type_, start, end);
                self.expr(d, F.value, start, end, Place::Value);
                self.close();
            }
        }
    }

    /// `*args` / `**kwargs`, typed or not.
    fn star_parameter(&mut self, p: &ast::Parameter, kind: u16) {
        let (start, end) = span(p.range());
        let (ns, ne) = span(p.name.range());
        match &p.annotation {
            None => {
                self.open(kind, 0, start, end);
                self.leaf(K.identifier, 0, ns, ne);
                self.close();
            }
            Some(t) => {
                self.open(K.typed_parameter, 0, start, end);
                self.open(kind, 0, start, ne);
                self.leaf(K.identifier, 0, ns, ne);
                self.close();
                self.typed(t, F.type_, start, end);
                self.close();
            }
        }
    }

    /// An annotation: tree-sitter wraps it in a `type` node.
    fn typed(&mut self, e: &ast::Expr, field: u16, lo: u32, hi: u32) {
        let (s, e_) = span(e.range());
        let parens = self.parens(s, e_, lo, hi);
        let (os, oe) = parens.first().copied().unwrap_or((s, e_));
        self.open(K.type_, field, os, oe);
        self.expr(e, 0, lo, hi, Place::Value);
        self.close();
    }

    fn alias(&mut self, a: &ast::Alias) {
        let (start, end) = span(a.range());
        match &a.asname {
            None => self.dotted(a.name.range(), F.name),
            Some(as_name) => {
                self.open(K.aliased_import, F.name, start, end);
                self.dotted(a.name.range(), F.name);
                let (s, e) = span(as_name.range());
                self.leaf(K.identifier, F.alias, s, e);
                self.close();
            }
        }
    }

    /// `a.b.c` as `dotted_name` with an identifier per part.
    fn dotted(&mut self, r: TextRange, field: u16) {
        let (start, end) = span(r);
        self.open(K.dotted_name, field, start, end);
        let (mut i, e) = (self.token_at(start), self.token_at(end));
        while i < e {
            let (k, s, t) = self.tokens[i];
            if k == TokenKind::Name {
                self.leaf(K.identifier, 0, s, t);
            }
            i += 1;
        }
        self.close();
    }

    fn import_from(&mut self, i: &ast::StmtImportFrom) {
        let (start, end) = span(i.range());
        let future = i.level == 0
            && i.module
                .as_ref()
                .is_some_and(|m| m.id.as_str() == "__future__");
        if future {
            self.open(K.future_import_statement, 0, start, end);
        } else {
            self.open(K.import_from_statement, 0, start, end);
            if i.level > 0 {
                // The dots start right after `from`.
                let ti = self.token_at(start) + 1;
                let dots_start = self.tokens.get(ti).map_or(start, |t| t.1);
                let mut dots_end = dots_start;
                let mut j = ti;
                while let Some(t) = self.tokens.get(j)
                    && matches!(t.0, TokenKind::Dot | TokenKind::Ellipsis)
                {
                    dots_end = t.2;
                    j += 1;
                }
                let rel_end = i.module.as_ref().map_or(dots_end, |m| m.end().to_u32());
                self.open(K.relative_import, F.module_name, dots_start, rel_end);
                self.leaf(K.import_prefix, 0, dots_start, dots_end);
                if let Some(m) = &i.module {
                    self.dotted(m.range(), 0);
                }
                self.close();
            } else if let Some(m) = &i.module {
                self.dotted(m.range(), F.module_name);
            }
        }
        match i.names.as_slice() {
            [star] if star.name.id.as_str() == "*" => {
                let (s, e) = span(star.range());
                self.leaf(K.wildcard_import, 0, s, e);
            }
            names => {
                for a in names {
                    self.alias(a);
                }
            }
        }
        self.close();
    }

    fn with(&mut self, w: &ast::StmtWith) {
        let (start, end) = span(w.range());
        self.open(K.with_statement, 0, start, end);
        if w.is_async {
            self.token("async", 0, start, start + 5);
        }
        let first = w.items.first().map_or(start, |i| i.start().to_u32());
        let last = w.items.last().map_or(start, |i| i.end().to_u32());
        // `with (a as b, c):` puts the parentheses in the clause.
        let body_start = w.body.first().map_or(end, |s| s.start().to_u32());
        let mut cs = first;
        let mut ce = last;
        let i = self.token_at(first);
        if i > 0
            && self.tokens[i - 1].0 == TokenKind::Lpar
            && self.tokens[i - 1].1 > start
            && let Some(close) = self.tokens[self.token_at(last)..]
                .iter()
                .find(|t| t.0 != TokenKind::Comma)
                .copied()
            && close.0 == TokenKind::Rpar
            && close.2 < body_start
            && (w.items.len() > 1 || w.items.iter().any(|it| it.optional_vars.is_some()))
        {
            cs = self.tokens[i - 1].1;
            ce = close.2;
        }
        self.open(K.with_clause, 0, cs, ce);
        for item in &w.items {
            let (is, ie) = span(item.range());
            self.open(K.with_item, 0, is, ie);
            match &item.optional_vars {
                None => self.expr(&item.context_expr, F.value, cs, ce, Place::Value),
                Some(v) => {
                    self.open(K.as_pattern, F.value, is, ie);
                    self.expr(&item.context_expr, 0, is, ie, Place::Value);
                    let vs = self.outer_start(v, is, ie);
                    let ve = self.parens_end(v, is, ie);
                    self.open(K.as_pattern_target, F.alias, vs, ve);
                    self.expr(v, 0, is, ie, Place::Value);
                    self.close();
                    self.close();
                }
            }
            self.close();
        }
        self.close();
        self.block(&w.body, F.body);
        self.close();
    }

    fn try_statement(&mut self, t: &ast::StmtTry) {
        let (start, end) = span(t.range());
        self.open(K.try_statement, 0, start, end);
        self.block(&t.body, F.body);
        for h in &t.handlers {
            let ast::ExceptHandler::ExceptHandler(h) = h;
            let (hs, he) = span(h.range());
            self.open(K.except_clause, 0, hs, he);
            if let Some(ty) = &h.type_ {
                match (&**ty, &h.name) {
                    (ast::Expr::Tuple(tu), None) if !tu.parenthesized => {
                        for item in &tu.elts {
                            self.expr(item, F.value, hs, he, Place::Value);
                        }
                    }
                    (_, None) => self.expr(ty, F.value, hs, he, Place::Value),
                    // `except E as e`: an `as_pattern`.
                    (_, Some(name)) => {
                        let ts = self.outer_start(ty, hs, he);
                        let (s, e) = span(name.range());
                        self.open(K.as_pattern, F.value, ts, e);
                        self.expr(ty, 0, hs, he, Place::Value);
                        self.open(K.as_pattern_target, F.alias, s, e);
                        self.leaf(K.identifier, 0, s, e);
                        self.close();
                        self.close();
                    }
                }
            }
            self.block(&h.body, 0);
            self.close();
        }
        self.else_clause(&t.orelse, 0);
        self.keyword_clause(K.finally_clause, 0, TokenKind::Finally, &t.finalbody, 0);
        self.close();
    }

    /// `a = b = value` as tree-sitter nests it: `assignment(left: a,
    /// right: assignment(left: b, right: value))`.
    fn assignment(&mut self, targets: &[ast::Expr], value: &ast::Expr, field: u16, end: u32) {
        let Some((first, rest)) = targets.split_first() else {
            return;
        };
        let start = self.outer_start(first, 0, end);
        self.open(K.assignment, field, start, end);
        self.target(first, F.left, start, end);
        if rest.is_empty() {
            self.right_side(value, start, end);
        } else {
            self.assignment(rest, value, F.right, end);
        }
        self.close();
    }

    fn outer_start(&self, e: &ast::Expr, lo: u32, hi: u32) -> u32 {
        let (s, end) = span(e.range());
        self.parens(s, end, lo, hi).first().map_or(s, |p| p.0)
    }

    /// The value of an assignment: an unparenthesised tuple is an
    /// `expression_list`.
    fn right_side(&mut self, e: &ast::Expr, lo: u32, hi: u32) {
        self.expressions(e, F.right, lo, hi);
    }

    /// An expression where tree-sitter allows `_expressions`: a bare
    /// tuple is an `expression_list`.
    fn expressions(&mut self, e: &ast::Expr, field: u16, lo: u32, hi: u32) {
        match e {
            ast::Expr::Tuple(t) if !t.parenthesized && !t.elts.is_empty() => {
                let (s, end) = span(t.range());
                self.open(K.expression_list, field, s, end);
                for item in &t.elts {
                    self.expr(item, 0, lo, hi, Place::Value);
                }
                self.close();
            }
            _ => self.expr(e, field, lo, hi, Place::Value),
        }
    }

    /// An assignment or loop target; returns where it ends.
    fn target(&mut self, e: &ast::Expr, field: u16, lo: u32, hi: u32) -> u32 {
        match e {
            ast::Expr::Tuple(t) if !t.parenthesized => {
                let (s, end) = span(t.range());
                self.open(K.pattern_list, field, s, end);
                for item in &t.elts {
                    self.expr(item, 0, lo, hi, Place::TargetItem);
                }
                self.close();
                end
            }
            _ => {
                self.expr(e, field, lo, hi, Place::Target);
                let (s, end) = span(e.range());
                self.parens(s, end, lo, hi).first().map_or(end, |p| p.1)
            }
        }
    }

    // ---- expressions ----

    /// An expression in field `field`, with the parentheses around it
    /// inside `lo..hi` as `parenthesized_expression`s.
    fn expr(&mut self, e: &ast::Expr, field: u16, lo: u32, hi: u32, place: Place) {
        if !self.enter() {
            return;
        }
        let (s, end) = span(e.range());
        let parens = if place == Place::Value {
            self.parens(s, end, lo, hi)
        } else {
            Vec::new()
        };
        let mut f = field;
        for (ps, pe) in &parens {
            self.open(K.parenthesized_expression, f, *ps, *pe);
            f = 0;
        }
        self.expr_node(e, f, place);
        for _ in &parens {
            self.close();
        }
        self.leave();
    }

    fn expr_node(&mut self, e: &ast::Expr, field: u16, place: Place) {
        let (start, end) = span(e.range());
        let v = Place::Value;
        match e {
            ast::Expr::Name(_) => self.leaf(K.identifier, field, start, end),
            ast::Expr::Attribute(a) => {
                self.open(K.attribute, field, start, end);
                self.expr(&a.value, F.object, start, end, v);
                let (s, e) = span(a.attr.range());
                self.leaf(K.identifier, F.attribute, s, e);
                self.close();
            }
            ast::Expr::Subscript(sub) => {
                self.open(K.subscript, field, start, end);
                self.expr(&sub.value, F.value, start, end, v);
                let value_end = self.parens_end(&sub.value, start, end);
                let inner = (value_end + 1, end.saturating_sub(1));
                match &*sub.slice {
                    ast::Expr::Tuple(t) if !t.parenthesized => {
                        for item in &t.elts {
                            self.expr(item, F.subscript, inner.0, inner.1, v);
                        }
                    }
                    slice => self.expr(slice, F.subscript, inner.0, inner.1, v),
                }
                self.close();
            }
            ast::Expr::Slice(sl) => {
                self.open(K.slice, field, start, end);
                for part in [&sl.lower, &sl.upper, &sl.step].into_iter().flatten() {
                    self.expr(part, 0, start, end, v);
                }
                self.close();
            }
            ast::Expr::Call(c) => {
                self.open(K.call, field, start, end);
                self.expr(&c.func, F.function, start, end, v);
                // `f(x for x in y)`: the generator is the argument list.
                match (&*c.arguments.args, c.arguments.keywords.is_empty()) {
                    ([ast::Expr::Generator(g)], true) if !g.parenthesized => {
                        let (s, e) = span(c.arguments.range());
                        self.generator(g, F.arguments, s, e);
                    }
                    _ => self.arguments(&c.arguments, F.arguments),
                }
                self.close();
            }
            ast::Expr::StringLiteral(s) => {
                let parts: Vec<(u32, u32)> = s.value.iter().map(|p| span(p.range())).collect();
                self.strings(field, start, end, &parts, &[]);
            }
            ast::Expr::BytesLiteral(b) => {
                let parts: Vec<(u32, u32)> = b.value.iter().map(|p| span(p.range())).collect();
                self.strings(field, start, end, &parts, &[]);
            }
            ast::Expr::FString(f) => self.fstring(f, field),
            ast::Expr::TString(_) | ast::Expr::IpyEscapeCommand(_) => self.failed = true,
            ast::Expr::NumberLiteral(n) => {
                let kind = match n.value {
                    ast::Number::Int(_) => K.integer,
                    ast::Number::Float(_) => K.float,
                    ast::Number::Complex { .. } => {
                        let t = self.text(start, end);
                        let is_hex = t.starts_with("0x") || t.starts_with("0X");
                        if !is_hex && t.contains(['.', 'e', 'E']) {
                            K.float
                        } else {
                            K.integer
                        }
                    }
                };
                self.leaf(kind, field, start, end);
            }
            ast::Expr::BooleanLiteral(b) => {
                self.leaf(if b.value { K.true_ } else { K.false_ }, field, start, end);
            }
            ast::Expr::NoneLiteral(_) => self.leaf(K.none, field, start, end),
            ast::Expr::EllipsisLiteral(_) => self.leaf(K.ellipsis, field, start, end),
            ast::Expr::BoolOp(b) => self.bool_op(&b.values, field, end),
            ast::Expr::BinOp(b) => {
                self.open(K.binary_operator, field, start, end);
                self.expr(&b.left, F.left, start, end, v);
                let left_end = self.parens_end(&b.left, start, end);
                if let Some((_, os, oe)) = self.next_token(left_end) {
                    let op = self.text(os, oe).to_owned();
                    self.token(&op, F.operator, os, oe);
                }
                self.expr(&b.right, F.right, start, end, v);
                self.close();
            }
            ast::Expr::UnaryOp(u) => {
                if u.op == ast::UnaryOp::Not {
                    self.open(K.not_operator, field, start, end);
                    self.expr(&u.operand, F.argument, start, end, v);
                } else {
                    self.open(K.unary_operator, field, start, end);
                    let op = self.text(start, start + 1).to_owned();
                    self.token(&op, F.operator, start, start + 1);
                    self.expr(&u.operand, F.argument, start, end, v);
                }
                self.close();
            }
            ast::Expr::Compare(c) => {
                self.open(K.comparison_operator, field, start, end);
                self.expr(&c.left, 0, start, end, v);
                let mut prev = self.parens_end(&c.left, start, end);
                for right in &c.comparators {
                    let i = self.token_at(prev);
                    if let Some(&(k, os, oe)) = self.tokens.get(i) {
                        let second = self.tokens.get(i + 1).copied();
                        match (k, second) {
                            (TokenKind::Not, Some((TokenKind::In, _, e2))) => {
                                self.token("not in", F.operators, os, e2);
                            }
                            (TokenKind::Is, Some((TokenKind::Not, _, e2))) => {
                                self.token("is not", F.operators, os, e2);
                            }
                            _ => {
                                let op = self.text(os, oe).to_owned();
                                self.token(&op, F.operators, os, oe);
                            }
                        }
                    }
                    self.expr(right, 0, start, end, v);
                    prev = self.parens_end(right, start, end);
                }
                self.close();
            }
            ast::Expr::Lambda(l) => {
                self.open(K.lambda, field, start, end);
                if let Some(p) = &l.parameters {
                    self.parameters(p, K.lambda_parameters, F.parameters);
                }
                self.expr(&l.body, F.body, start, end, v);
                self.close();
            }
            ast::Expr::If(i) => {
                self.open(K.conditional_expression, field, start, end);
                self.expr(&i.body, 0, start, end, v);
                self.expr(&i.test, 0, start, end, v);
                self.expr(&i.orelse, 0, start, end, v);
                self.close();
            }
            ast::Expr::Named(n) => {
                self.open(K.named_expression, field, start, end);
                self.expr(&n.target, F.name, start, end, v);
                self.expr(&n.value, F.value, start, end, v);
                self.close();
            }
            ast::Expr::Dict(d) => {
                self.open(K.dictionary, field, start, end);
                for item in &d.items {
                    match &item.key {
                        Some(k) => {
                            let ks = self.outer_start(k, start, end);
                            let ve = self.parens_end(&item.value, start, end);
                            self.open(K.pair, 0, ks, ve);
                            self.expr(k, F.key, start, end, v);
                            self.expr(&item.value, F.value, start, end, v);
                            self.close();
                        }
                        None => {
                            // `**value`: the stars are the token before it.
                            let vs = self.outer_start(&item.value, start, end);
                            let i = self.token_at(vs);
                            let ss = if i > 0 { self.tokens[i - 1].1 } else { vs };
                            let ve = self.parens_end(&item.value, start, end);
                            self.open(K.dictionary_splat, 0, ss, ve);
                            self.expr(&item.value, 0, start, end, v);
                            self.close();
                        }
                    }
                }
                self.close();
            }
            ast::Expr::Set(s) => {
                self.open(K.set, field, start, end);
                for item in &s.elts {
                    self.expr(item, 0, start + 1, end - 1, v);
                }
                self.close();
            }
            ast::Expr::List(l) => {
                let kind = if place == Place::Value {
                    K.list
                } else {
                    K.list_pattern
                };
                let item_place = if place == Place::Value {
                    v
                } else {
                    Place::TargetItem
                };
                self.open(kind, field, start, end);
                for item in &l.elts {
                    self.expr(item, 0, start + 1, end - 1, item_place);
                }
                self.close();
            }
            ast::Expr::Tuple(t) => {
                let kind = match (place, t.parenthesized) {
                    (Place::Value, true) => K.tuple,
                    (Place::Value, false) => K.expression_list,
                    (_, true) => K.tuple_pattern,
                    (_, false) => K.pattern_list,
                };
                let item_place = if place == Place::Value {
                    v
                } else {
                    Place::TargetItem
                };
                let (lo, hi) = if t.parenthesized {
                    (start + 1, end - 1)
                } else {
                    (start, end)
                };
                self.open(kind, field, start, end);
                for item in &t.elts {
                    self.expr(item, 0, lo, hi, item_place);
                }
                self.close();
            }
            ast::Expr::Starred(s) => {
                let kind = if place == Place::Value {
                    K.list_splat
                } else {
                    K.list_splat_pattern
                };
                self.open(kind, field, start, end);
                self.expr(&s.value, 0, start, end, v);
                self.close();
            }
            ast::Expr::ListComp(c) => {
                self.comprehension(
                    K.list_comprehension,
                    field,
                    start,
                    end,
                    &c.elt,
                    None,
                    &c.generators,
                );
            }
            ast::Expr::SetComp(c) => {
                self.comprehension(
                    K.set_comprehension,
                    field,
                    start,
                    end,
                    &c.elt,
                    None,
                    &c.generators,
                );
            }
            ast::Expr::DictComp(c) => match &c.key {
                Some(k) => self.comprehension(
                    K.dictionary_comprehension,
                    field,
                    start,
                    end,
                    k,
                    Some(&c.value),
                    &c.generators,
                ),
                None => self.failed = true,
            },
            ast::Expr::Generator(g) => self.generator(g, field, start, end),
            ast::Expr::Await(a) => {
                self.open(K.await_, field, start, end);
                self.expr(&a.value, 0, start, end, v);
                self.close();
            }
            ast::Expr::Yield(y) => {
                self.open(K.yield_, field, start, end);
                if let Some(value) = &y.value {
                    self.expressions(value, 0, start, end);
                }
                self.close();
            }
            ast::Expr::YieldFrom(y) => {
                self.open(K.yield_, field, start, end);
                self.expr(&y.value, 0, start, end, v);
                self.close();
            }
        }
    }

    /// Where an expression ends, closing parentheses included.
    fn parens_end(&self, e: &ast::Expr, lo: u32, hi: u32) -> u32 {
        let (s, end) = span(e.range());
        self.parens(s, end, lo, hi).first().map_or(end, |p| p.1)
    }

    /// `a and b and c` as tree-sitter nests it, left first.
    fn bool_op(&mut self, values: &[ast::Expr], field: u16, end: u32) {
        let Some((last, rest)) = values.split_last() else {
            return;
        };
        if rest.is_empty() {
            self.expr(last, field, 0, end, Place::Value);
            return;
        }
        let start = values.first().map_or(0, |f| self.outer_start(f, 0, end));
        let last_end = self.parens_end(last, 0, end);
        self.open(K.boolean_operator, field, start, last_end);
        if rest.len() == 1 {
            self.expr(&rest[0], F.left, start, last_end, Place::Value);
        } else {
            let left_end = self.parens_end(&rest[rest.len() - 1], start, last_end);
            self.bool_op(rest, F.left, left_end);
        }
        let prev_end = self.parens_end(&rest[rest.len() - 1], start, last_end);
        if let Some((_, os, oe)) = self.next_token(prev_end) {
            let op = self.text(os, oe).to_owned();
            self.token(&op, F.operator, os, oe);
        }
        self.expr(last, F.right, start, last_end, Place::Value);
        self.close();
    }

    fn arguments(&mut self, args: &ast::Arguments, field: u16) {
        let (start, end) = span(args.range());
        self.open(K.argument_list, field, start, end);
        let (lo, hi) = (start + 1, end.saturating_sub(1));
        let mut items: Vec<(u32, bool, usize)> = args
            .args
            .iter()
            .enumerate()
            .map(|(i, a)| (a.start().to_u32(), false, i))
            .collect();
        items.extend(
            args.keywords
                .iter()
                .enumerate()
                .map(|(i, k)| (k.start().to_u32(), true, i)),
        );
        items.sort_unstable();
        for (_, is_kw, i) in items {
            if !is_kw {
                self.expr(&args.args[i], 0, lo, hi, Place::Value);
                continue;
            }
            let k = &args.keywords[i];
            let (ks, ke) = span(k.range());
            match &k.arg {
                Some(name) => {
                    self.open(K.keyword_argument, 0, ks, ke);
                    let (ns, ne) = span(name.range());
                    self.leaf(K.identifier, F.name, ns, ne);
                    self.expr(&k.value, F.value, ks, ke, Place::Value);
                    self.close();
                }
                None => {
                    self.open(K.dictionary_splat, 0, ks, ke);
                    self.expr(&k.value, 0, ks, ke, Place::Value);
                    self.close();
                }
            }
        }
        self.close();
    }

    fn generator(&mut self, g: &ast::ExprGenerator, field: u16, start: u32, end: u32) {
        self.comprehension(
            K.generator_expression,
            field,
            start,
            end,
            &g.elt,
            None,
            &g.generators,
        );
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "a comprehension is its kind, place and three parts"
    )]
    fn comprehension(
        &mut self,
        kind: u16,
        field: u16,
        start: u32,
        end: u32,
        elt: &ast::Expr,
        value: Option<&ast::Expr>,
        generators: &[ast::Comprehension],
    ) {
        let (lo, hi) = (start + 1, end.saturating_sub(1));
        self.open(kind, field, start, end);
        match value {
            None => self.expr(elt, F.body, lo, hi, Place::Value),
            Some(v) => {
                let ks = self.outer_start(elt, lo, hi);
                let ve = self.parens_end(v, lo, hi);
                self.open(K.pair, F.body, ks, ve);
                self.expr(elt, F.key, lo, hi, Place::Value);
                self.expr(v, F.value, lo, hi, Place::Value);
                self.close();
            }
        }
        for g in generators {
            let (gs, _) = span(g.range());
            let iter_end = self.parens_end(&g.iter, lo, hi);
            self.open(K.for_in_clause, 0, gs, iter_end);
            if g.is_async {
                self.token("async", 0, gs, gs + 5);
            }
            self.target(&g.target, F.left, lo, hi);
            match &g.iter {
                ast::Expr::Tuple(t) if !t.parenthesized => {
                    for item in &t.elts {
                        self.expr(item, F.right, lo, hi, Place::Value);
                    }
                }
                it => self.expr(it, F.right, lo, hi, Place::Value),
            }
            self.close();
            for cond in &g.ifs {
                // `if` is the token before the condition.
                let cs = self.outer_start(cond, lo, hi);
                let i = self.token_at(cs);
                let s = if i > 0 { self.tokens[i - 1].1 } else { cs };
                let ce = self.parens_end(cond, lo, hi);
                self.open(K.if_clause, 0, s, ce);
                self.expr(cond, 0, lo, hi, Place::Value);
                self.close();
            }
        }
        self.close();
    }

    /// A string literal, or several side by side (`concatenated_string`).
    /// `interpolations` holds, per part, its `{...}` elements.
    fn strings(
        &mut self,
        field: u16,
        start: u32,
        end: u32,
        parts: &[(u32, u32)],
        interpolations: &[Vec<&ast::InterpolatedElement>],
    ) {
        let many = parts.len() > 1;
        if many {
            self.open(K.concatenated_string, field, start, end);
        }
        for (i, &(ps, pe)) in parts.iter().enumerate() {
            let none = Vec::new();
            let elements = interpolations.get(i).unwrap_or(&none);
            self.string(if many { 0 } else { field }, ps, pe, elements);
        }
        if many {
            self.close();
        }
    }

    fn string(&mut self, field: u16, start: u32, end: u32, elements: &[&ast::InterpolatedElement]) {
        let text = self.text(start, end);
        let prefix = text.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
        let quote = text.as_bytes().get(prefix).copied().unwrap_or(b'"');
        let triple = text
            .as_bytes()
            .get(prefix..prefix + 3)
            .is_some_and(|q| q.iter().all(|b| *b == quote))
            && text.len() >= prefix + 6;
        let q = if triple { 3 } else { 1 };
        let open_end = start + (prefix + q) as u32;
        let close_start = end.saturating_sub(q as u32).max(open_end);
        self.open(K.string, field, start, end);
        self.leaf(K.string_start, 0, start, open_end);
        let mut pos = open_end;
        for el in elements {
            let (es, ee) = span(el.range());
            if es > pos {
                self.leaf(K.string_content, 0, pos, es);
            }
            self.open(K.interpolation, 0, es, ee);
            let expr_lo = es + 1;
            match &*el.expression {
                ast::Expr::Tuple(t) if !t.parenthesized => {
                    let (ts, te) = span(t.range());
                    self.open(K.expression_list, F.expression, ts, te);
                    for item in &t.elts {
                        self.expr(item, 0, expr_lo, ee, Place::Value);
                    }
                    self.close();
                }
                e => self.expr(e, F.expression, expr_lo, ee, Place::Value),
            }
            self.close();
            pos = ee;
        }
        if close_start > pos {
            self.leaf(K.string_content, 0, pos, close_start);
        }
        self.leaf(K.string_end, 0, close_start, end);
        self.close();
    }

    fn fstring(&mut self, f: &ast::ExprFString, field: u16) {
        let (start, end) = span(f.range());
        let mut parts = Vec::new();
        let mut interpolations = Vec::new();
        for part in f.value.iter() {
            match part {
                ast::FStringPart::Literal(l) => {
                    parts.push(span(l.range()));
                    interpolations.push(Vec::new());
                }
                ast::FStringPart::FString(fs) => {
                    parts.push(span(fs.range()));
                    let els: Vec<&ast::InterpolatedElement> = fs
                        .elements
                        .iter()
                        .filter_map(|e| match e {
                            ast::InterpolatedStringElement::Interpolation(i) => Some(i),
                            ast::InterpolatedStringElement::Literal(_) => None,
                        })
                        .collect();
                    interpolations.push(els);
                }
            }
        }
        self.strings(field, start, end, &parts, &interpolations);
    }
}

/// Where the tree ruff's parse lays out first differs from tree-sitter's,
/// on the terms the analyser reads: named nodes (comments, escape
/// sequences and format specifiers aside) and every node in a field, by
/// kind, field and byte range. `None` when they agree or ruff does not
/// take the file.
pub fn tree_mismatch(src: &str) -> Option<String> {
    let ours = build(src)?;
    let ts = super::parse(src).ok()?;
    let theirs = Tree::build(&ts);
    compare(ours.root_node(), theirs.root_node(), src)
}

/// Where the facts the analyser draws from ruff's tree differ from those
/// it draws from tree-sitter's; `None` when they agree or ruff does not
/// take the file.
pub fn facts_mismatch(src: &str) -> Option<String> {
    let ours = build(src)?;
    let ts = super::parse(src).ok()?;
    let theirs = Tree::build(&ts);
    let role = super::PyRole::Module;
    let a = super::analyzer::run("module.py", src, &ours, role);
    let b = super::analyzer::run("module.py", src, &theirs, role);
    if a.facts == b.facts && a.decoded_payloads == b.decoded_payloads {
        return None;
    }
    let a = format!("{:#?}", a.facts);
    let b = format!("{:#?}", b.facts);
    let diff: Vec<String> = a
        .lines()
        .filter(|l| !b.contains(*l))
        .map(|l| format!("ruff only: {}", l.trim()))
        .chain(
            b.lines()
                .filter(|l| !a.contains(*l))
                .map(|l| format!("tree-sitter only: {}", l.trim())),
        )
        .take(6)
        .collect();
    Some(diff.join(" | "))
}

fn kept(n: &Node<'_>) -> bool {
    (n.is_named() || n.has_field())
        && !matches!(
            n.kind(),
            "comment"
                | "escape_sequence"
                | "escape_interpolation"
                | "format_specifier"
                | "type_conversion"
                | "line_continuation"
        )
}

fn compare(a: Node<'_>, b: Node<'_>, src: &str) -> Option<String> {
    let ranges_differ = a.start_byte() != b.start_byte() || a.end_byte() != b.end_byte();
    // Blocks and definitions end differently around trailing comments;
    // their children are compared.
    let loose = matches!(
        a.kind(),
        "block"
            | "module"
            | "decorator"
            | "function_definition"
            | "class_definition"
            | "decorated_definition"
            | "if_statement"
            | "for_statement"
            | "while_statement"
            | "try_statement"
            | "with_statement"
            | "elif_clause"
            | "else_clause"
            | "except_clause"
            | "finally_clause"
    );
    if a.kind() != b.kind() || a.field_name() != b.field_name() || (ranges_differ && !loose) {
        let line = src[..b.start_byte().min(src.len())].matches('\n').count() + 1;
        return Some(format!(
            "line {line}: ruff {:?} in {:?}, tree-sitter {:?} in {:?} ({:?})",
            a,
            a.field_name(),
            b,
            b.field_name(),
            b.parent().map(|p| p.kind())
        ));
    }
    if a.kind() == "type" {
        // Annotations: tree-sitter has its own type grammar; the analyser
        // does not read them.
        return None;
    }
    let ac: Vec<Node<'_>> = a.children().filter(kept).collect();
    let bc: Vec<Node<'_>> = b.children().filter(kept).collect();
    for (x, y) in ac.iter().zip(bc.iter()) {
        if let Some(m) = compare(*x, *y, src) {
            return Some(m);
        }
    }
    if ac.len() != bc.len() {
        let line = src[..b.start_byte().min(src.len())].matches('\n').count() + 1;
        return Some(format!(
            "line {line}: {:?} has {} children from ruff, {} from tree-sitter: {:?} / {:?}",
            b,
            ac.len(),
            bc.len(),
            ac.get(bc.len()).or(ac.last()),
            bc.get(ac.len()).or(bc.last())
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every construct the copy lays out, in one file.
    const EVERY_SHAPE: &str = r#"
import os, os.path as osp
from . import sibling
from ..pkg.mod import (a as b, c,)
from __future__ import annotations
from mod import *

@decorator(arg)  # trailing comment
@other
async def fetch(a, b: int, c=1, d: str = "x", /, e=2, *args: str, f, g=3, **kw) -> dict:
    global counter
    x = y = (1 + 2) * -3 ** 2 // 4 % 5
    x += 1
    total: int = 0
    first, *rest = a, b
    (p, q), [r, s] = pairs
    obj.attr, items[0] = 1, 2
    del x, y
    assert x, "message"
    if not a and b or c:
        pass
    elif a is not b and a not in c and 1 < x <= 3:
        return a, b
    else:
        raise ValueError("bad") from None
    for i, j in zip(a, b):
        continue
    else:
        print(f"{i!r:>10} and {j} {{x}}", f'{a}' "plain", b'bytes' b"more")
    async for item in stream():
        break
    while True:
        await thing()
    try:
        value = data[1:2, ::3]
    except (KeyError, IndexError) as err:
        log(err)
    except Exception:
        pass
    else:
        pass
    finally:
        cleanup()
    with open(path) as fh, lock:
        fh.read()
    with (
        open(a) as one,
        open(b) as two,
    ):
        pass
    async with session:
        pass
    squares = [n * n for n in range(10) if n % 2 if n > 3]
    table = {k: v for k, v in pairs}
    unique = {n for n in data}
    total = sum(n for n in data)
    gen = (n async for n in source)
    merged = {**base, "key": [1, 2.5, 3j, 0x1F, *extra], "t": (1,), "e": ()}
    pick = a if cond else b
    fn = lambda x, *y, z=1, **w: x
    fn2 = lambda: None
    flags = ~mask & (bits | 0b1) | other << 2 >> 1
    call(a, *args, key=value, **kw)
    call(x for x in y)
    yield value
    yield from other
    if (n := len(data)) > 10:
        pass
    text = "a" "b" 'c'
    raw = r"\d+" + '\x41\n'
    doc = """triple
    quoted"""
    return ...

class Child(Base, metaclass=Meta):
    """Doc."""
    name = "child"
    def method(self, *, only):
        nonlocal_value = True
        return self.name

def star_only(*, key):
    pass
"#;

    #[test]
    fn laid_out_as_tree_sitter_lays_it_out() {
        assert!(build(EVERY_SHAPE).is_some(), "ruff should take the file");
        assert_eq!(tree_mismatch(EVERY_SHAPE), None);
        assert_eq!(facts_mismatch(EVERY_SHAPE), None);
    }

    #[test]
    fn windows_line_ends_and_a_byte_order_mark_change_nothing() {
        let crlf = EVERY_SHAPE.replace('\n', "\r\n");
        let bom = format!("\u{feff}{EVERY_SHAPE}");
        for src in [crlf.as_str(), bom.as_str()] {
            assert!(build(src).is_some());
            assert_eq!(facts_mismatch(src), None);
        }
    }

    #[test]
    fn differences_are_reported() {
        // The comparison itself must see a difference: an operator token
        // in the wrong place shows up as a mismatch.
        let src = "x = a + b\n";
        let ours = build(src).expect("valid");
        let ts = super::super::parse("x = a - b\n").expect("parses");
        let theirs = Tree::build(&ts);
        assert!(compare(ours.root_node(), theirs.root_node(), src).is_some());
    }

    #[test]
    fn files_ruff_rejects_or_the_copy_skips_go_to_tree_sitter() {
        // Python 2, a syntax error, and syntax the copy does not lay out.
        for src in [
            "print 'hello'\n",
            "def broken(:\n    pass\n",
            "match command:\n    case 'go':\n        pass\n",
            "type Alias = list[int]\n",
            "def generic[T](x: T) -> T:\n    return x\n",
        ] {
            assert!(build(src).is_none(), "{src}");
        }
    }

    #[test]
    fn every_prefix_is_laid_out_or_refused() {
        // Cut anywhere, the file is valid (and laid out) or refused; the
        // copy never indexes past what ruff produced.
        let mut laid_out = 0;
        for end in (0..=EVERY_SHAPE.len()).filter(|i| EVERY_SHAPE.is_char_boundary(*i)) {
            laid_out += usize::from(build(&EVERY_SHAPE[..end]).is_some());
        }
        assert!(laid_out > 10, "{laid_out}");
    }

    #[test]
    fn deep_nesting_falls_back_instead_of_recursing() {
        let depth = 2_000;
        let src = format!("x = {}1{}\n", "(".repeat(depth), ")".repeat(depth));
        // Either ruff refuses it or the copy stops at its depth limit;
        // it must not overflow the stack.
        let _ = build(&src);
        let src = format!("x = {}1{}\n", "[".repeat(depth), "]".repeat(depth));
        assert!(build(&src).is_none());
    }
}
