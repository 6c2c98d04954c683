//! The walk over a Python syntax tree (tree-sitter's, copied flat by
//! `tree`): scopes, constant folding, taint, and the facts they prove.

use std::collections::{HashMap, HashSet};

use palisade_diagnostics::{
    DecodeRunFact, EmailRecipientFact, EnvAccessFact, Fact, FactKind, Facts, FlowFact, HostKind,
    ImportFact, NetworkFact, PathFact, ProcessFact,
};

use super::strings::{decode_base64, decode_hex, rot13, unescape};
use super::tree::{Node, Tree};
use super::{PyFileResult, PyRole, apis};
use crate::classify;
use crate::lines::LineIndex;

/// Deepest tree walk; deeper nodes are skipped (hostile nesting).
const MAX_WALK_DEPTH: u32 = 600;
/// Deepest expression evaluation for constant folding and taint.
const MAX_EVAL_DEPTH: u32 = 40;
/// Longest string produced by constant folding.
const MAX_FOLDED: usize = 1 << 20;
/// Most facts of one kind kept per file.
const MAX_FACTS: usize = 200;
/// Most characters of a tool's description kept in its `mcp-tool` fact.
const MAX_TOOL_DOC_CHARS: usize = 4000;

type Taint = u16;
const ENV_BULK: Taint = 1;
const ENV_SECRET: Taint = 1 << 1;
const CRED: Taint = 1 << 2;
const SYSINFO: Taint = 1 << 3;
const TOOLARG: Taint = 1 << 4;
const NETRESP: Taint = 1 << 5;
const PUBLISH_TOKEN: Taint = 1 << 6;
/// A tool argument written into a value slot of a text that something
/// parses (`f"... id = '{user_id}'"`, `"(uid=%s)" % name`): the author
/// meant it as one value, the parser reads whatever it says.
const SLOT: Taint = 1 << 7;
/// The slot is between quotes (`'{x}'`): the form a shell command shows
/// when its author meant one argument.
const QUOTED: Taint = 1 << 8;
const EXFIL_SOURCES: Taint = ENV_BULK | ENV_SECRET | CRED | SYSINFO | TOOLARG | PUBLISH_TOKEN;

fn taint_names(t: Taint) -> impl Iterator<Item = &'static str> {
    [
        (ENV_BULK, "env"),
        (ENV_SECRET, "env-secret"),
        (PUBLISH_TOKEN, "publish-token"),
        (CRED, "credential-file"),
        (SYSINFO, "system-info"),
        (TOOLARG, "tool-argument"),
    ]
    .into_iter()
    .filter(move |(bit, _)| t & bit != 0)
    .map(|(_, name)| name)
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
        "USER" | "USERNAME" | "LOGNAME" | "HOSTNAME" | "COMPUTERNAME" | "USERDOMAIN"
    ) {
        t |= SYSINFO;
    }
    t
}

#[derive(Debug, Default, Clone, PartialEq)]
struct Scope {
    strings: HashMap<String, String>,
    lists: HashMap<String, Vec<String>>,
    /// Names bound to a module, a function of one, or an instance of a
    /// class of one, by qualified name.
    modules: HashMap<String, String>,
    taint: HashMap<String, Taint>,
    decoders: HashMap<String, &'static str>,
    /// Network objects and where they connect.
    sink_dest: HashMap<String, String>,
    /// File objects opened for writing, by path.
    files: HashMap<String, String>,
    /// Email message objects (`msg['Bcc'] = ...`).
    emails: HashSet<String>,
    /// Argument lists by name, with what reaches their program (see
    /// `program_taint`).
    argv: HashMap<String, Taint>,
}

/// What one pass learns about the file's own functions, for the next.
#[derive(Debug, Default, Clone, PartialEq)]
struct Summaries {
    /// Taint reaching each parameter of a local function from its callers.
    seeds: HashMap<String, Vec<Taint>>,
    /// Taint and constant value a local function returns.
    returns: HashMap<String, (Taint, Option<String>)>,
    /// A local function that passes parameter `i` to a code or process sink.
    passes: HashMap<String, (String, usize)>,
    /// Local functions that return decoded data (`def d(s): return
    /// b64decode(s)`), with the decoder.
    decoders: HashMap<String, &'static str>,
    /// Module-level bindings (incl. `self.x`) at the end of the pass.
    globals: Scope,
}

struct Analyzer<'s> {
    path: &'s str,
    src: &'s str,
    idx: LineIndex,
    role: PyRole,
    scopes: Vec<Scope>,
    /// Names of the functions being walked, innermost last; `None` for a
    /// lambda.
    functions: Vec<(String, Vec<String>)>,
    tool_depth: usize,
    /// Enclosing loops, innermost last: how many times each runs
    /// (`u64::MAX` for `while True`, 0 when unknown).
    loops: Vec<u64>,
    /// The `setup.py` command class being walked (`PostInstall(install)`).
    install_hook: Option<String>,
    fn_params: HashMap<String, Vec<String>>,
    prev: Summaries,
    next: Summaries,
    facts: Facts,
    decoded: Vec<(String, u32)>,
    seen_destinations: HashSet<String>,
    seen_paths: HashSet<String>,
    email_api: Option<&'static str>,
    /// The file loops over the whole environment; where it lists
    /// secret-name fragments. Both seen: a secret harvest.
    env_loop: bool,
    /// A walk of the environment stores the values it picks.
    env_keeps: bool,
    secret_words: Option<Fact>,
    /// The source names an archive unpacker: only then is each function
    /// walked for nested unpacking (`extracts_recursively`).
    unpacks_archives: bool,
}

/// Most passes over one file. Each learns what local functions receive,
/// return and pass on from the one before: a value returned by one helper
/// and handed to another needs three.
const MAX_PASSES: usize = 4;

/// Runs the passes: the first learns what local functions receive, return
/// and pass on; each later one records facts with that knowledge, and is
/// the last when it learns nothing new.
pub(super) fn run(path: &str, src: &str, tree: &Tree, role: PyRole) -> PyFileResult {
    let root = tree.root_node();
    let mut fn_params = HashMap::new();
    let mut errors = 0;
    collect_functions(root, src, &mut fn_params, &mut errors, 0);
    if errors == 0 && root.has_error() {
        errors = 1;
    }
    let unpacks_archives = ["extractall", "unpack_archive"]
        .iter()
        .any(|f| memchr::memmem::find(src.as_bytes(), f.as_bytes()).is_some());
    let mut prev = Summaries::default();
    let mut result = PyFileResult::default();
    for pass in 0..MAX_PASSES {
        let mut a = Analyzer {
            path,
            src,
            idx: LineIndex::new(src),
            role,
            scopes: vec![prev.globals.clone()],
            functions: Vec::new(),
            tool_depth: 0,
            loops: Vec::new(),
            install_hook: None,
            fn_params: fn_params.clone(),
            prev: prev.clone(),
            next: Summaries::default(),
            facts: Facts::default(),
            decoded: Vec::new(),
            seen_destinations: HashSet::new(),
            seen_paths: HashSet::new(),
            email_api: None,
            env_loop: false,
            env_keeps: false,
            secret_words: None,
            unpacks_archives,
        };
        a.visit(root, 0);
        if pass > 0 {
            result = PyFileResult {
                facts: a.facts,
                parse_error: None,
                error_nodes: errors,
                decoded_payloads: a.decoded,
            };
        }
        let mut next = a.next;
        next.globals = a.scopes.swap_remove(0);
        if pass > 0 && next == prev {
            break;
        }
        prev = next;
    }
    result
}

/// Every function's parameters, by function name; counts syntax errors.
fn collect_functions(
    node: Node<'_>,
    src: &str,
    out: &mut HashMap<String, Vec<String>>,
    errors: &mut usize,
    d: u32,
) {
    if d > MAX_WALK_DEPTH {
        return;
    }
    if node.is_error() || node.is_missing() {
        *errors += 1;
    }
    if node.kind() == "function_definition"
        && let Some(name) = node.field("name")
    {
        let params = node
            .field("parameters")
            .map(|p| param_names(p, src))
            .unwrap_or_default();
        out.insert(text(name, src).to_owned(), params);
    }
    for child in node.named_children() {
        collect_functions(child, src, out, errors, d + 1);
    }
}

fn text<'a>(node: Node<'_>, src: &'a str) -> &'a str {
    src.get(node.start_byte()..node.end_byte()).unwrap_or("")
}

fn param_names(params: Node<'_>, src: &str) -> Vec<String> {
    let mut out = Vec::new();
    for p in params.named_children() {
        let name = match p.kind() {
            "identifier" => Some(p),
            "default_parameter" | "typed_default_parameter" => p.field("name"),
            "typed_parameter" | "list_splat_pattern" | "dictionary_splat_pattern" => {
                p.named_child(0).filter(|c| c.kind() == "identifier")
            }
            _ => None,
        };
        if let Some(n) = name {
            out.push(text(n, src).to_owned());
        }
    }
    out
}

/// Positional arguments and keyword arguments of a call.
struct Args<'t> {
    positional: Vec<Node<'t>>,
    keywords: Vec<(String, Node<'t>)>,
}

impl<'t> Args<'t> {
    fn of(call: Node<'t>, src: &str) -> Self {
        let mut positional = Vec::new();
        let mut keywords = Vec::new();
        if let Some(list) = call.field("arguments") {
            if list.kind() == "generator_expression" {
                positional.push(list);
            } else {
                for a in list.named_children() {
                    match a.kind() {
                        "keyword_argument" => {
                            if let (Some(k), Some(v)) = (a.field("name"), a.field("value")) {
                                keywords.push((text(k, src).to_owned(), v));
                            }
                        }
                        "comment" => {}
                        _ => positional.push(a),
                    }
                }
            }
        }
        Self {
            positional,
            keywords,
        }
    }

    fn get(&self, i: usize, kw: &[&str]) -> Option<Node<'t>> {
        self.positional.get(i).copied().or_else(|| {
            self.keywords
                .iter()
                .find(|(k, _)| kw.contains(&k.as_str()))
                .map(|(_, v)| *v)
        })
    }

    fn all(&self) -> impl Iterator<Item = Node<'t>> + '_ {
        self.positional
            .iter()
            .copied()
            .chain(self.keywords.iter().map(|(_, v)| *v))
    }
}

fn normalise(q: &str) -> String {
    let q = q
        .strip_prefix("__builtins__.")
        .or_else(|| q.strip_prefix("builtins."))
        .unwrap_or(q);
    match q {
        "Path" => "pathlib.Path".to_owned(),
        _ => q.to_owned(),
    }
}

fn is_open_write_mode(mode: &str) -> bool {
    mode.contains(['w', 'a', 'x'])
}

impl<'s> Analyzer<'s> {
    fn t(&self, node: Node<'_>) -> &'s str {
        text(node, self.src)
    }

    fn at(&self, node: Node<'_>) -> Fact {
        Fact {
            location: self.idx.location(
                self.path,
                self.src,
                u32::try_from(node.start_byte()).unwrap_or(u32::MAX),
            ),
            install_time: false,
        }
    }

    fn lookup<T>(&self, f: impl Fn(&Scope) -> Option<&T>) -> Option<&T> {
        self.scopes.iter().rev().find_map(f)
    }

    fn top(&mut self) -> &mut Scope {
        let last = self.scopes.len() - 1;
        &mut self.scopes[last]
    }

    fn current_function(&self) -> Option<&(String, Vec<String>)> {
        self.functions.last()
    }

    // ---- resolution ------------------------------------------------------

    /// The qualified name an expression stands for: a module, a function
    /// of one, or an instance of a class of one.
    fn qualify(&self, node: Node<'_>, depth: u32) -> Option<String> {
        if depth > MAX_EVAL_DEPTH {
            return None;
        }
        match node.kind() {
            "identifier" => {
                let name = self.t(node);
                Some(
                    self.lookup(|s| s.modules.get(name))
                        .cloned()
                        .unwrap_or_else(|| name.to_owned()),
                )
            }
            "attribute" => {
                let obj = node.field("object")?;
                let attr = self.t(node.field("attribute")?);
                if obj.kind() == "identifier" && self.t(obj) == "self" {
                    let key = format!("self.{attr}");
                    return Some(self.lookup(|s| s.modules.get(&key)).cloned().unwrap_or(key));
                }
                let base = self.qualify(obj, depth + 1)?;
                Some(normalise(&format!("{base}.{attr}")))
            }
            "call" => {
                let func = node.field("function")?;
                let q = normalise(&self.qualify(func, depth + 1)?);
                let args = Args::of(node, self.src);
                match q.as_str() {
                    "__import__" | "importlib.import_module" | "importlib.__import__" => {
                        self.eval(args.get(0, &["name"])?, false, depth + 1)
                    }
                    "getattr" => {
                        let obj = self.qualify(args.get(0, &[])?, depth + 1)?;
                        let name = self.eval(args.get(1, &[])?, false, depth + 1)?;
                        Some(normalise(&format!("{obj}.{name}")))
                    }
                    "globals" | "locals" | "vars" => Some("builtins".to_owned()),
                    _ => Some(q),
                }
            }
            "subscript" => {
                // `__builtins__['exec']`, `globals()['__builtins__']`.
                let value = self.qualify(node.field("value")?, depth + 1)?;
                let key = self.eval(node.field("subscript")?, false, depth + 1)?;
                matches!(value.as_str(), "builtins" | "__builtins__" | "sys.modules")
                    .then(|| normalise(&format!("builtins.{key}")))
            }
            "await" | "parenthesized_expression" => self.qualify(node.named_child(0)?, depth + 1),
            _ => None,
        }
    }

    // ---- constant folding ------------------------------------------------

    fn string_literal(&self, node: Node<'_>, partial: bool, depth: u32) -> Option<String> {
        let prefix = node
            .named_child(0)
            .filter(|c| c.kind() == "string_start")
            .map_or("", |c| self.t(c));
        let raw = prefix.contains(['r', 'R']);
        let mut out = String::new();
        for c in node.named_children() {
            match c.kind() {
                "string_content" => out.push_str(&unescape(self.t(c), raw)),
                "interpolation" => {
                    let v = c
                        .field("expression")
                        .or_else(|| c.named_child(0))
                        .and_then(|e| self.eval(e, partial, depth + 1));
                    match v {
                        Some(v) => out.push_str(&v),
                        None if partial => out.push('*'),
                        None => return None,
                    }
                }
                _ => {}
            }
            if out.len() > MAX_FOLDED {
                return None;
            }
        }
        Some(out)
    }

    /// `Cls.NAME` or `self.NAME` read as the class-body binding `NAME`
    /// (class bodies bind into the enclosing scope), unless `Cls` is a
    /// module the analyser knows.
    fn class_attribute<'k>(&self, key: &'k str) -> Option<&'k str> {
        let (base, name) = key.split_once('.')?;
        (!name.contains('.') && !apis::is_known_root(base)).then_some(name)
    }

    fn eval(&self, node: Node<'_>, partial: bool, depth: u32) -> Option<String> {
        let unknown = || partial.then(|| "*".to_owned());
        if depth > MAX_EVAL_DEPTH {
            return unknown();
        }
        let v = match node.kind() {
            "string" => self.string_literal(node, partial, depth),
            "concatenated_string" => {
                let mut out = String::new();
                for c in node.named_children() {
                    out.push_str(&self.eval(c, partial, depth + 1)?);
                }
                Some(out)
            }
            "integer" => Some(self.t(node).to_owned()),
            "identifier" => self.lookup(|s| s.strings.get(self.t(node))).cloned(),
            "attribute" => {
                let key = self.t(node);
                self.lookup(|s| s.strings.get(key))
                    .or_else(|| self.lookup(|s| s.strings.get(self.class_attribute(key)?)))
                    .cloned()
            }
            "parenthesized_expression" | "await" => {
                self.eval(node.named_child(0)?, partial, depth + 1)
            }
            "conditional_expression" => self.eval(node.named_child(0)?, partial, depth + 1),
            "binary_operator" => {
                let l = node.field("left")?;
                let r = node.field("right")?;
                let op = node.field("operator").map_or("", |o| self.t(o));
                match op {
                    "+" => Some(
                        self.eval(l, partial, depth + 1)? + &self.eval(r, partial, depth + 1)?,
                    ),
                    "/" => Some(format!(
                        "{}/{}",
                        self.eval(l, partial, depth + 1)?,
                        self.eval(r, partial, depth + 1)?
                    )),
                    "%" => {
                        let fmt = self.eval(l, partial, depth + 1)?;
                        let args: Vec<String> = if r.kind() == "tuple" {
                            r.named_children()
                                .map(|c| self.eval(c, partial, depth + 1))
                                .collect::<Option<_>>()?
                        } else {
                            vec![self.eval(r, partial, depth + 1)?]
                        };
                        Some(percent_format(&fmt, &args))
                    }
                    _ => None,
                }
            }
            "subscript" => {
                let value = node.field("value")?;
                let sub = node.field("subscript")?;
                if self.qualify(value, depth + 1).as_deref() == Some("os.environ") {
                    let key = self.eval(sub, false, depth + 1)?;
                    return home_var(&key).or_else(unknown);
                }
                if sub.kind() == "slice" && self.t(sub).replace(' ', "") == "::-1" {
                    return self
                        .eval(value, partial, depth + 1)
                        .map(|s| s.chars().rev().collect());
                }
                None
            }
            "call" => self.eval_call(node, partial, depth),
            _ => None,
        };
        match v {
            Some(s) if s.len() <= MAX_FOLDED => Some(s),
            Some(_) => None,
            None => unknown(),
        }
    }

    fn eval_call(&self, node: Node<'_>, partial: bool, depth: u32) -> Option<String> {
        let func = node.field("function")?;
        let args = Args::of(node, self.src);
        let arg = |i: usize| args.positional.get(i).copied();
        let q = self.qualify(func, depth + 1).map(|q| normalise(&q));
        let q = q.as_deref().unwrap_or("");
        match q {
            "str" | "bytes" | "bytearray" | "os.path.expanduser" | "os.path.expandvars"
            | "os.path.abspath" | "os.path.realpath" | "os.fsencode" | "os.fsdecode" => {
                return self.eval(arg(0)?, partial, depth + 1);
            }
            "pathlib.Path" | "pathlib.PosixPath" | "os.path.join" | "posixpath.join" => {
                let parts: Vec<String> = args
                    .positional
                    .iter()
                    .map(|a| self.eval(*a, partial, depth + 1))
                    .collect::<Option<_>>()?;
                return Some(parts.join("/"));
            }
            "pathlib.Path.home" | "os.path.home" => return Some("~".to_owned()),
            "os.getenv" | "os.environ.get" => {
                let key = self.eval(arg(0)?, false, depth + 1)?;
                return home_var(&key).or_else(|| partial.then(|| "*".to_owned()));
            }
            "chr" => {
                let n: u32 = self.eval(arg(0)?, false, depth + 1)?.parse().ok()?;
                return char::from_u32(n).map(String::from);
            }
            _ => {}
        }
        if let Some(dec) = apis::decoder(q) {
            let input = self.eval(arg(0)?, false, depth + 1);
            let decoded = match (dec, input) {
                ("base64", Some(s)) => decode_base64(&s),
                ("hex", Some(s)) => decode_hex(&s),
                ("codecs", Some(s)) => {
                    let codec = arg(1)
                        .or_else(|| args.get(9, &["encoding"]))
                        .and_then(|c| self.eval(c, false, depth + 1))
                        .unwrap_or_default()
                        .to_ascii_lowercase()
                        .replace('-', "_");
                    match codec.as_str() {
                        "rot13" | "rot_13" => Some(rot13(&s)),
                        "hex" => decode_hex(&s),
                        "base64" => decode_base64(&s),
                        _ => None,
                    }
                }
                _ => None,
            };
            return decoded.or_else(|| partial.then(|| "*".to_owned()));
        }
        if let Some(local) = self.local_function(q)
            && let Some((_, Some(v))) = self.prev.returns.get(local)
        {
            return Some(v.clone());
        }
        // Methods on a value.
        if func.kind() == "attribute" {
            let obj = func.field("object")?;
            let method = self.t(func.field("attribute")?);
            match method {
                "decode" | "encode" | "strip" | "rstrip" | "lstrip" | "expanduser" | "resolve"
                | "absolute" | "as_posix" => return self.eval(obj, partial, depth + 1),
                "lower" => return self.eval(obj, partial, depth + 1).map(|s| s.to_lowercase()),
                "upper" => return self.eval(obj, partial, depth + 1).map(|s| s.to_uppercase()),
                "joinpath" => {
                    let mut out = self.eval(obj, partial, depth + 1)?;
                    for a in &args.positional {
                        out.push('/');
                        out.push_str(&self.eval(*a, partial, depth + 1)?);
                    }
                    return Some(out);
                }
                "replace" => {
                    let s = self.eval(obj, partial, depth + 1)?;
                    let from = self.eval(arg(0)?, false, depth + 1)?;
                    let to = self.eval(arg(1)?, false, depth + 1)?;
                    if from.is_empty() {
                        return Some(s);
                    }
                    return Some(s.replace(&from, &to));
                }
                "join" => {
                    let sep = self.eval(obj, partial, depth + 1)?;
                    let items = self.eval_list(arg(0)?, partial, depth + 1)?;
                    return Some(items.join(&sep));
                }
                "format" => {
                    let fmt = self.eval(obj, partial, depth + 1)?;
                    let pos: Vec<String> = args
                        .positional
                        .iter()
                        .map(|a| {
                            self.eval(*a, partial, depth + 1)
                                .unwrap_or_else(|| "*".into())
                        })
                        .collect();
                    let kw: HashMap<&str, String> = args
                        .keywords
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.as_str(),
                                self.eval(*v, partial, depth + 1)
                                    .unwrap_or_else(|| "*".into()),
                            )
                        })
                        .collect();
                    let out = brace_format(&fmt, &pos, &kw);
                    if !partial && out.contains('*') && !fmt.contains('*') {
                        return None;
                    }
                    return Some(out);
                }
                _ => {}
            }
        }
        None
    }

    /// The strings of a list, tuple or character-code generator.
    fn eval_list(&self, node: Node<'_>, partial: bool, depth: u32) -> Option<Vec<String>> {
        if depth > MAX_EVAL_DEPTH {
            return None;
        }
        match node.kind() {
            "list" | "tuple" | "set" => node
                .named_children()
                .filter(|c| c.kind() != "comment")
                .map(|c| self.eval(c, partial, depth + 1))
                .collect(),
            "identifier" => self.lookup(|s| s.lists.get(self.t(node))).cloned(),
            "attribute" => {
                let key = self.t(node);
                self.lookup(|s| s.lists.get(key))
                    .or_else(|| self.lookup(|s| s.lists.get(self.class_attribute(key)?)))
                    .cloned()
            }
            "parenthesized_expression" => self.eval_list(node.named_child(0)?, partial, depth + 1),
            // `chr(c) for c in [105, 109]`, `map(chr, [...])`.
            "generator_expression" | "list_comprehension" => {
                let body = node.field("body")?;
                let clause = node
                    .named_children()
                    .find(|c| c.kind() == "for_in_clause")?;
                let right = clause.field("right")?;
                let codes = self.eval_list(right, false, depth + 1)?;
                let is_chr = body.kind() == "call"
                    && body.field("function").is_some_and(|f| self.t(f) == "chr");
                if !is_chr {
                    return None;
                }
                codes
                    .iter()
                    .map(|c| {
                        c.parse::<u32>()
                            .ok()
                            .and_then(char::from_u32)
                            .map(String::from)
                    })
                    .collect()
            }
            "call" => {
                let func = node.field("function")?;
                let args = Args::of(node, self.src);
                // `glob.glob(pattern)`: the paths matching it, as the pattern.
                let q = self.qualify(func, depth + 1).map(|q| normalise(&q));
                if matches!(q.as_deref(), Some("glob.glob" | "glob.iglob")) {
                    let pattern = self.eval(args.get(0, &["pathname"])?, false, depth + 1)?;
                    return Some(vec![pattern]);
                }
                if self.t(func) == "map"
                    && args.positional.first().is_some_and(|f| self.t(*f) == "chr")
                {
                    let codes = self.eval_list(*args.positional.get(1)?, false, depth + 1)?;
                    return codes
                        .iter()
                        .map(|c| {
                            c.parse::<u32>()
                                .ok()
                                .and_then(char::from_u32)
                                .map(String::from)
                        })
                        .collect();
                }
                None
            }
            _ => None,
        }
    }

    // ---- taint -----------------------------------------------------------

    fn taint(&self, node: Node<'_>, depth: u32) -> Taint {
        if depth > MAX_EVAL_DEPTH {
            return 0;
        }
        match node.kind() {
            "identifier" => self
                .lookup(|s| s.taint.get(self.t(node)))
                .copied()
                .unwrap_or(0),
            "string" => {
                let mut t = 0;
                for c in node.named_children() {
                    if c.kind() == "interpolation" {
                        let ct = self.taint(c, depth + 1);
                        if ct & TOOLARG != 0 {
                            t |= self.in_value_slot(node, c);
                        }
                        t |= ct;
                    }
                }
                t
            }
            "binary_operator" => {
                let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
                    return 0;
                };
                let (lt, rt) = (self.taint(left, depth + 1), self.taint(right, depth + 1));
                let op = node.field("operator").map_or("", |o| self.t(o));
                let slot = match op {
                    // `"(uid=%s)" % name`, `"... = '%s'" % (a, b)`.
                    "%" if rt & TOOLARG != 0 && left.kind() == "string" => {
                        has_value_slot(self.t(left), "%s")
                    }
                    // `"... id = '" + user_id + "'"`.
                    "+" if rt & TOOLARG != 0 => self.ends_in_slot(left),
                    _ => 0,
                };
                lt | rt | slot
            }
            "attribute" => {
                if self.qualify(node, depth + 1).as_deref() == Some("os.environ") {
                    return ENV_BULK;
                }
                let key = self.t(node);
                if key.starts_with("self.") {
                    return self.lookup(|s| s.taint.get(key)).copied().unwrap_or(0);
                }
                node.field("object").map_or(0, |o| self.taint(o, depth + 1))
            }
            "subscript" => {
                let Some(value) = node.field("value") else {
                    return 0;
                };
                if self.qualify(value, depth + 1).as_deref() == Some("os.environ") {
                    return node
                        .field("subscript")
                        .and_then(|k| self.eval(k, false, depth + 1))
                        .map_or(0, |k| env_taint(&k));
                }
                self.taint(value, depth + 1)
            }
            "call" => self.call_taint(node, depth),
            "lambda" | "function_definition" | "comment" => 0,
            _ => {
                let mut t = 0;
                for c in node.named_children() {
                    t |= self.taint(c, depth + 1);
                }
                t
            }
        }
    }

    /// Whether an interpolation sits in a value slot of its f-string:
    /// between quotes (`'{x}'`, `'%{x}%'`) or after `=` (`(uid={x})`).
    fn in_value_slot(&self, string: Node<'_>, interp: Node<'_>) -> Taint {
        let before = &self.src[string.start_byte()..interp.start_byte()];
        let after = &self.src[interp.end_byte()..string.end_byte()];
        // The string's own prefix and opening quote are not a slot.
        slot_between(before.get(string_prefix_len(before)..).unwrap_or(""), after)
    }

    /// Whether the text on the left of `+` ends where a value goes: a
    /// quote opened (`"... id = '"`) or an `=`.
    fn ends_in_slot(&self, left: Node<'_>) -> Taint {
        let leaf = if left.kind() == "binary_operator" {
            left.field("right")
        } else {
            Some(left)
        };
        let Some(v) = leaf
            .filter(|l| l.kind() == "string")
            .and_then(|l| self.string_literal(l, true, 0))
        else {
            return 0;
        };
        let v = v.trim_end_matches(|c: char| c.is_whitespace() || c == '%');
        // An odd number of quotes: the last one opens a value.
        if (v.ends_with('\'') && v.matches('\'').count() % 2 == 1)
            || (v.ends_with('"') && v.matches('"').count() % 2 == 1)
        {
            SLOT | QUOTED
        } else if v.ends_with('=') {
            SLOT
        } else {
            0
        }
    }

    fn call_taint(&self, node: Node<'_>, depth: u32) -> Taint {
        let Some(func) = node.field("function") else {
            return 0;
        };
        let args = Args::of(node, self.src);
        let q = self.qualify(func, depth + 1).map(|q| normalise(&q));
        let q = q.as_deref().unwrap_or("");
        match q {
            "os.getenv" | "os.environ.get" | "os.environ.pop" | "os.environ.setdefault" => {
                return args
                    .get(0, &["key"])
                    .and_then(|k| self.eval(k, false, depth + 1))
                    .map_or(0, |k| env_taint(&k));
            }
            "os.environ.copy" | "os.environ.items" | "os.environ.keys" | "os.environ.values" => {
                return ENV_BULK;
            }
            _ => {}
        }
        if apis::is_sysinfo(q) {
            return SYSINFO;
        }
        if apis::is_network(q) {
            return NETRESP;
        }
        let mut t = 0;
        if apis::is_read(q)
            && let Some(p) = args
                .get(0, &["file", "path"])
                .and_then(|p| self.eval(p, true, depth + 1))
            && classify::sensitive_path(&p).is_some_and(|(_, secret)| secret)
        {
            t |= CRED;
        }
        if let Some(local) = self.local_function(q)
            && let Some((rt, _)) = self.prev.returns.get(local)
        {
            t |= rt;
        }
        // A process started with the environment (`env=os.environ`) does
        // not return it.
        if apis::is_process(q) {
            return t;
        }
        for a in args.all() {
            t |= self.taint(a, depth + 1);
        }
        if func.kind() == "attribute"
            && let Some(obj) = func.field("object")
        {
            // `"id = '{}'".format(user_id)`.
            if t & TOOLARG != 0
                && obj.kind() == "string"
                && func
                    .field("attribute")
                    .is_some_and(|a| self.t(a) == "format")
            {
                t |= has_value_slot(self.t(obj), "{");
            }
            t |= self.taint(obj, depth + 1);
        }
        t
    }

    /// The decoder whose output an expression carries, if any.
    fn decoder_of(&self, node: Node<'_>, depth: u32) -> Option<&'static str> {
        if depth > MAX_EVAL_DEPTH {
            return None;
        }
        match node.kind() {
            "identifier" => self.lookup(|s| s.decoders.get(self.t(node))).copied(),
            "parenthesized_expression" | "await" => {
                self.decoder_of(node.named_child(0)?, depth + 1)
            }
            "binary_operator" => node
                .field("left")
                .and_then(|l| self.decoder_of(l, depth + 1))
                .or_else(|| {
                    node.field("right")
                        .and_then(|r| self.decoder_of(r, depth + 1))
                }),
            "subscript" => {
                let sub = node.field("subscript")?;
                if sub.kind() == "slice" && self.t(sub).replace(' ', "") == "::-1" {
                    return Some("reversed-string");
                }
                self.decoder_of(node.field("value")?, depth + 1)
            }
            "call" => {
                let func = node.field("function")?;
                let args = Args::of(node, self.src);
                let q = self.qualify(func, depth + 1).map(|q| normalise(&q));
                if let Some(d) = q
                    .as_deref()
                    .and_then(|q| self.local_function(q))
                    .and_then(|f| self.prev.decoders.get(f))
                {
                    return Some(d);
                }
                if let Some(d) = q.as_deref().and_then(apis::decoder) {
                    if d != "codecs" {
                        return Some(d);
                    }
                    let codec = args
                        .get(1, &["encoding"])
                        .and_then(|c| self.eval(c, false, depth + 1))
                        .unwrap_or_default()
                        .to_ascii_lowercase()
                        .replace('-', "_");
                    return match codec.as_str() {
                        "rot13" | "rot_13" => Some("rot13"),
                        "hex" | "hex_codec" => Some("hex"),
                        "base64" | "base64_codec" => Some("base64"),
                        "zlib" | "zlib_codec" => Some("zlib"),
                        _ => None,
                    };
                }
                if func.kind() == "attribute"
                    && let Some(obj) = func.field("object")
                {
                    let method = func.field("attribute").map_or("", |m| self.t(m));
                    if method == "join"
                        && args
                            .positional
                            .first()
                            .and_then(|a| self.eval_list(*a, false, depth + 1))
                            .is_some_and(|l| l.len() > 3)
                        && args.positional.first().is_some_and(|a| {
                            matches!(
                                a.kind(),
                                "generator_expression" | "list_comprehension" | "call"
                            )
                        })
                    {
                        return Some("char-codes");
                    }
                    if let Some(d) = self.decoder_of(obj, depth + 1) {
                        return Some(d);
                    }
                }
                args.all().find_map(|a| self.decoder_of(a, depth + 1))
            }
            _ => None,
        }
    }

    /// A local function's name for a callee, if the file defines it
    /// (`helper`, `self.helper`).
    fn local_function<'q>(&self, q: &'q str) -> Option<&'q str> {
        if self.fn_params.contains_key(q) {
            return Some(q);
        }
        // A method: `self.helper`, `client.send` on a local class instance.
        let (base, name) = q.rsplit_once('.')?;
        let root = base.split('.').next().unwrap_or(base);
        (!apis::is_known_root(root) && self.fn_params.contains_key(name)).then_some(name)
    }

    // ---- facts -----------------------------------------------------------

    fn push_network(&mut self, api: Option<String>, destination: Option<String>, node: Node<'_>) {
        if self.facts.network.len() >= MAX_FACTS {
            return;
        }
        let parsed = destination.as_deref().and_then(classify::destination);
        if api.is_none() {
            let Some(d) = &parsed else { return };
            if !self.seen_destinations.insert(d.host.clone()) {
                return;
            }
        }
        let at = self.at(node);
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
        api: &str,
        destination: Option<String>,
        node: Node<'_>,
    ) {
        if taint & EXFIL_SOURCES == 0 || self.facts.flows.len() >= MAX_FACTS {
            return;
        }
        let at = self.at(node);
        for source in taint_names(taint) {
            self.facts.flows.push(FlowFact {
                source: source.to_owned(),
                sink: sink.to_owned(),
                sink_api: api.to_owned(),
                destination: destination.clone(),
                at: at.clone(),
            });
        }
    }

    fn other(&mut self, kind: &str, detail: String, node: Node<'_>) {
        if self.facts.other.len() >= MAX_FACTS {
            return;
        }
        let at = self.at(node);
        self.facts.other.push(FactKind {
            kind: kind.to_owned(),
            detail,
            at,
        });
    }

    fn env_fact(&mut self, name: Option<String>, node: Node<'_>) {
        if self.facts.env.len() >= MAX_FACTS {
            return;
        }
        let at = self.at(node);
        self.facts.env.push(EnvAccessFact { name, at });
    }

    fn path_fact(&mut self, path: &str, node: Node<'_>, written: bool) {
        let Some((category, _)) = classify::sensitive_path(path) else {
            return;
        };
        // Other system configuration only matters when written.
        if category == "system-config" && !written {
            return;
        }
        if !self.seen_paths.insert(format!("{written}{path}")) {
            return;
        }
        let fact = PathFact {
            path: path.to_owned(),
            category: category.to_owned(),
            at: self.at(node),
        };
        if written {
            self.facts.files_written.push(fact);
        } else if self.facts.paths.len() < MAX_FACTS {
            self.facts.paths.push(fact);
        }
    }

    fn record_import(&mut self, module: Option<String>, how: &str, node: Node<'_>) {
        if let Some(m) = &module {
            self.email_api = self.email_api.or_else(|| apis::email_api(m));
        }
        if self.facts.imports.len() < MAX_FACTS {
            let at = self.at(node);
            self.facts.imports.push(ImportFact {
                module,
                how: how.to_owned(),
                at,
            });
        }
    }

    fn recipient(
        &mut self,
        field: &str,
        literal: Option<String>,
        api: Option<&str>,
        node: Node<'_>,
    ) {
        let api = api.or(self.email_api).unwrap_or("unknown").to_owned();
        let at = self.at(node);
        self.facts.email_recipients.push(EmailRecipientFact {
            api,
            field: field.to_ascii_lowercase(),
            literal,
            at,
        });
    }

    /// Destinations and sensitive paths named in a string.
    fn scan_string(&mut self, s: &str, node: Node<'_>) {
        if s.len() < 4 {
            return;
        }
        if s.starts_with("..") && classify::is_traversal_payload(s) {
            self.other("path-traversal", s.to_owned(), node);
        }
        if s.starts_with('/')
            && let Some(f) = classify::host_recon_file(s)
        {
            self.other("host-recon", f.to_owned(), node);
        }
        // A command kept as text (a workflow step, a reply for the agent
        // to run) that plants a scheduled task or raises privileges.
        if s.len() <= 1024
            && s.contains(' ')
            && (s.contains('>')
                || s.contains("crontab")
                || s.contains("tee ")
                || s.contains("user")
                || s.contains("gpasswd"))
        {
            for target in classify::command_persists(s) {
                self.other("command-text", format!("{target}\t{s}"), node);
            }
        }
        if s.len() <= 2048 && !s.contains(char::is_whitespace) {
            // `127.0.0.1:9200/_cluster/health`: a service on the machine or
            // its network, named without a scheme.
            if let Some(d) = classify::destination(s)
                && (d.collector.is_some()
                    || s.contains("://")
                    || (d.host != s
                        && s.contains('/')
                        && (d.host == "localhost" || d.kind != HostKind::Domain)))
            {
                self.push_network(None, Some(s.to_owned()), node);
            }
            if (s.contains('/') || s.contains('\\') || s.starts_with('.'))
                && classify::sensitive_path(s).is_some()
            {
                self.path_fact(s, node, false);
            }
        } else if memchr::memmem::find(s.as_bytes(), b"://").is_some() {
            for url in crate::checkers::text::urls(s).take(16) {
                self.push_network(None, Some(url.to_owned()), node);
            }
        }
    }

    // ---- the walk --------------------------------------------------------

    fn visit_children(&mut self, node: Node<'_>, depth: u32) {
        for c in node.named_children() {
            self.visit(c, depth + 1);
        }
    }

    fn visit(&mut self, node: Node<'_>, depth: u32) {
        if depth > MAX_WALK_DEPTH {
            return;
        }
        match node.kind() {
            "comment" => {}
            "import_statement" => self.visit_import(node),
            "import_from_statement" => self.visit_import_from(node),
            "expression_statement"
                if node.named_child_count() == 1
                    && node
                        .named_child(0)
                        .is_some_and(|c| matches!(c.kind(), "string" | "concatenated_string")) =>
            {
                // A bare string statement is a docstring: documentation,
                // not code.
            }
            "assignment" => {
                if let Some(r) = node.field("right") {
                    self.visit(r, depth + 1);
                    if let Some(l) = node.field("left") {
                        self.assign(l, r);
                    }
                }
            }
            "augmented_assignment" => {
                if let (Some(l), Some(r)) = (node.field("left"), node.field("right")) {
                    self.visit(r, depth + 1);
                    let key = self.t(l).to_owned();
                    let t = self.taint(r, 0);
                    let joined = self.eval(l, false, 0).zip(self.eval(r, false, 0));
                    let scope = self.top();
                    *scope.taint.entry(key.clone()).or_default() |= t;
                    match joined {
                        Some((a, b)) if a.len() + b.len() <= MAX_FOLDED => {
                            scope.strings.insert(key, a + &b);
                        }
                        _ => {
                            scope.strings.remove(&key);
                        }
                    }
                }
            }
            "decorated_definition" => {
                let mut decorators = Vec::new();
                for c in node.named_children() {
                    if c.kind() == "decorator" {
                        decorators.push(c);
                    }
                }
                match node.field("definition") {
                    Some(def) if def.kind() == "function_definition" => {
                        for d in &decorators {
                            self.visit_children(*d, depth);
                        }
                        self.visit_function(def, &decorators, depth);
                    }
                    _ => self.visit_children(node, depth),
                }
            }
            "function_definition" => self.visit_function(node, &[], depth),
            "class_definition" => {
                let hook = self.install_hook_class(node);
                let inner = hook.or_else(|| self.install_hook.clone());
                let outer = std::mem::replace(&mut self.install_hook, inner);
                self.visit_children(node, depth);
                self.install_hook = outer;
            }
            "lambda" => {
                self.scopes.push(Scope::default());
                self.visit_children(node, depth);
                self.scopes.pop();
            }
            "with_statement" => {
                self.visit_with_items(node, depth);
                self.visit_children(node, depth);
            }
            "for_statement" => {
                if let (Some(l), Some(r)) = (node.field("left"), node.field("right")) {
                    self.visit(r, depth + 1);
                    let t = self.taint(r, 0);
                    self.bind_taint(l, t);
                    self.bind_loop_value(l, r);
                    self.port_list(r, node);
                    if t & ENV_BULK != 0 {
                        let keeps = self.keeps_picked_values(l, node);
                        if !self.env_loop || keeps && !self.env_keeps {
                            self.env_loop = true;
                            self.env_keeps |= keeps;
                            self.env_secret_filter();
                        }
                    }
                    self.push_loop(self.range_count(r), node);
                    if let Some(body) = node.field("body") {
                        self.visit(body, depth + 1);
                    }
                    self.loops.pop();
                } else {
                    self.visit_children(node, depth);
                }
            }
            "while_statement" => {
                let forever = node
                    .field("condition")
                    .is_some_and(|c| matches!(self.t(c), "True" | "1"));
                self.loops.push(if forever { u64::MAX } else { 0 });
                if forever {
                    self.endless_loop(node);
                }
                self.visit_children(node, depth);
                self.loops.pop();
            }
            "return_statement" => {
                if let Some(v) = node.named_child(0) {
                    let t = self.taint(v, 0);
                    let s = self.eval(v, false, 0).or_else(|| self.partial_value(v));
                    let decoder = self.decoder_of(v, 0);
                    if let Some((name, _)) = self.current_function().cloned() {
                        if let Some(d) = decoder {
                            self.next.decoders.insert(name.clone(), d);
                        }
                        let entry = self.next.returns.entry(name).or_insert((0, s.clone()));
                        entry.0 |= t;
                        if entry.1 != s {
                            entry.1 = None;
                        }
                    }
                }
                self.visit_children(node, depth);
            }
            "call" => {
                self.visit_call(node);
                self.visit_children(node, depth);
            }
            "binary_operator" => {
                self.filler(node);
                self.visit_children(node, depth);
            }
            "list" | "tuple" | "set" if self.secret_words.is_none() => {
                let words = node
                    .named_children()
                    .filter(|c| c.kind() == "string")
                    .filter_map(|c| self.string_literal(c, false, 0))
                    .filter(|w| is_secret_word(w))
                    .count();
                if words >= 3 {
                    self.secret_words = Some(self.at(node));
                    self.env_secret_filter();
                }
                self.visit_children(node, depth);
            }
            "dictionary" => {
                self.dict_email(node);
                self.visit_children(node, depth);
            }
            "attribute" | "identifier" => {
                self.visit_environ(node);
                if node.kind() == "attribute" {
                    self.visit_children(node, depth);
                }
            }
            "string" => {
                if let Some(s) = self.eval(node, true, 0) {
                    self.scan_string(&s, node);
                }
                self.visit_children(node, depth);
            }
            _ => self.visit_children(node, depth),
        }
    }

    fn visit_import(&mut self, node: Node<'_>) {
        let names: Vec<Node<'_>> = node.fields("name").collect();
        for n in names {
            let (module, alias) = match n.kind() {
                "aliased_import" => (
                    n.field("name").map(|m| self.t(m).to_owned()),
                    n.field("alias").map(|a| self.t(a).to_owned()),
                ),
                _ => (Some(self.t(n).to_owned()), None),
            };
            let Some(module) = module else { continue };
            self.record_import(Some(module.clone()), "import", n);
            match alias {
                Some(a) => {
                    self.top().modules.insert(a, module);
                }
                None => {
                    let root = module.split('.').next().unwrap_or(&module).to_owned();
                    self.top().modules.insert(root.clone(), root);
                }
            }
        }
    }

    fn visit_import_from(&mut self, node: Node<'_>) {
        let module = node
            .field("module_name")
            .map(|m| self.t(m).to_owned())
            .unwrap_or_default();
        self.record_import(Some(module.clone()), "from", node);
        let names: Vec<Node<'_>> = node.fields("name").collect();
        for n in names {
            let (name, alias) = match n.kind() {
                "aliased_import" => (
                    n.field("name").map(|m| self.t(m).to_owned()),
                    n.field("alias").map(|a| self.t(a).to_owned()),
                ),
                _ => (Some(self.t(n).to_owned()), None),
            };
            let Some(name) = name else { continue };
            let bound = alias.unwrap_or_else(|| name.clone());
            let full = normalise(&format!("{module}.{name}"));
            self.top().modules.insert(bound, full);
        }
    }

    /// `os.environ` reads: one variable or all of it.
    fn visit_environ(&mut self, node: Node<'_>) {
        if !self.t(node).contains("environ")
            || self.qualify(node, 0).as_deref() != Some("os.environ")
        {
            return;
        }
        let parent = node.parent();
        let named = parent.and_then(|p| match p.kind() {
            "subscript" if p.field("value") == Some(node) => {
                p.field("subscript").and_then(|k| self.eval(k, false, 0))
            }
            "attribute" => {
                let method = p.field("attribute").map_or("", |m| self.t(m));
                if matches!(method, "get" | "pop" | "setdefault") {
                    p.parent()
                        .filter(|c| c.kind() == "call")
                        .and_then(|c| Args::of(c, self.src).get(0, &["key"]))
                        .and_then(|k| self.eval(k, false, 0))
                } else {
                    None
                }
            }
            _ => None,
        });
        // Writing one variable (`os.environ['X'] = ...`) is not a read.
        let is_write = parent.is_some_and(|p| {
            p.kind() == "subscript"
                && p.parent()
                    .is_some_and(|a| a.kind() == "assignment" && a.field("left") == Some(p))
        });
        if !is_write {
            self.env_fact(named, node);
        }
    }

    fn visit_function(&mut self, node: Node<'_>, decorators: &[Node<'_>], depth: u32) {
        let name = node
            .field("name")
            .map(|n| self.t(n).to_owned())
            .unwrap_or_default();
        let params = self.fn_params.get(&name).cloned().unwrap_or_default();
        let tool = decorators.iter().any(|d| {
            let expr = d.named_child(0);
            let callee = expr.map(|e| {
                if e.kind() == "call" {
                    e.field("function").unwrap_or(e)
                } else {
                    e
                }
            });
            callee.is_some_and(|c| apis::is_tool_decorator(self.t(c)))
        });
        if tool {
            let doc = node
                .field("body")
                .and_then(|b| b.named_child(0))
                .filter(|s| s.kind() == "expression_statement")
                .and_then(|s| s.named_child(0))
                .filter(|s| s.kind() == "string")
                .and_then(|s| self.eval(s, true, 0))
                .unwrap_or_default();
            let doc: String = doc.split_whitespace().collect::<Vec<_>>().join(" ");
            let doc: String = doc.chars().take(MAX_TOOL_DOC_CHARS).collect();
            self.other("mcp-tool", format!("{name}: {doc}"), node);
        }
        let method = node
            .parent()
            .filter(|p| p.kind() == "decorated_definition")
            .or(Some(node))
            .and_then(|n| n.parent())
            .and_then(|b| b.parent())
            .is_some_and(|c| c.kind() == "class_definition");
        if !method
            && let Some(body) = node.field("body")
            && recurses_unconditionally(body, &name, self.src, 0)
        {
            self.other(
                "resource-loop",
                format!("recurses without a base case (`{name}`)"),
                node,
            );
        }
        if self.unpacks_archives
            && let Some(body) = node.field("body")
            && extracts_recursively(body, &name, method, self.src)
        {
            self.other(
                "resource-loop",
                format!(
                    "unpacks the archives it finds inside archives with no depth limit (`{name}`)"
                ),
                node,
            );
        }
        let mut scope = Scope::default();
        let seeds = self.prev.seeds.get(&name).cloned().unwrap_or_default();
        for (i, p) in params.iter().enumerate() {
            let mut t = seeds.get(i).copied().unwrap_or(0);
            if tool && !matches!(p.as_str(), "self" | "ctx" | "context") {
                t |= TOOLARG;
            }
            if t != 0 {
                scope.taint.insert(p.clone(), t);
            }
        }
        self.scopes.push(scope);
        self.functions.push((name, params));
        if tool {
            self.tool_depth += 1;
        }
        if let Some(body) = node.field("body") {
            self.visit(body, depth + 1);
        }
        if tool {
            self.tool_depth -= 1;
        }
        self.functions.pop();
        self.scopes.pop();
    }

    fn visit_with_items(&mut self, node: Node<'_>, _depth: u32) {
        let Some(clause) = node.named_children().find(|c| c.kind() == "with_clause") else {
            return;
        };
        let items: Vec<Node<'_>> = clause.named_children().collect();
        for item in items {
            let Some(value) = item.field("value") else {
                continue;
            };
            if value.kind() != "as_pattern" {
                continue;
            }
            let (Some(expr), Some(alias)) = (value.named_child(0), value.field("alias")) else {
                continue;
            };
            let target = alias.named_child(0).unwrap_or(alias);
            self.assign(target, expr);
        }
    }

    /// `for p in ["~/.ssh/id_rsa", ...]`: the loop variable stands for the
    /// list's most telling element (a secret path, then any sensitive path,
    /// then a URL, then the first), so that what the body does with it
    /// reads as constant.
    fn bind_loop_value(&mut self, target: Node<'_>, iterable: Node<'_>) {
        if target.kind() != "identifier" {
            return;
        }
        let name = self.t(target).to_owned();
        let value = match self.eval_list(iterable, false, 0) {
            Some(list) => {
                let rank = |v: &String| match classify::sensitive_path(v) {
                    Some((_, true)) => 0,
                    Some(_) => 1,
                    None if v.contains("://") => 2,
                    None => 3,
                };
                list.iter().min_by_key(|v| rank(v)).cloned()
            }
            None => None,
        };
        let scope = self.top();
        match value {
            Some(v) => {
                scope.strings.insert(name, v);
            }
            None => {
                scope.strings.remove(&name);
            }
        }
    }

    /// Enters a loop that runs `count` times (0: unknown); a nest of
    /// counted loops that together run a hundred million times burns the
    /// CPU whatever the body does.
    fn push_loop(&mut self, count: u64, node: Node<'_>) {
        const BURN: u64 = 100_000_000;
        let known = |c: &u64| *c != 0 && *c != u64::MAX;
        let before = self
            .loops
            .iter()
            .filter(|c| known(c))
            .fold(1u64, |p, c| p.saturating_mul(*c));
        self.loops.push(count);
        let after = before.saturating_mul(if known(&count) { count } else { 1 });
        if before < BURN && after >= BURN {
            self.other(
                "resource-loop",
                format!("burns the CPU (a loop nest of {after} iterations)"),
                node,
            );
        }
    }

    /// Both halves of a secret harvest seen: the environment walked, and
    /// names like KEY, SECRET, TOKEN to pick from it. The detail says
    /// whether the walk keeps the values it picks (`os.environ values`).
    fn env_secret_filter(&mut self) {
        if self.env_loop
            && let Some(words) = &self.secret_words
            && self.facts.other.len() < MAX_FACTS
        {
            let at = words.clone();
            let detail = if self.env_keeps {
                "os.environ values"
            } else {
                "os.environ"
            };
            self.facts.other.push(FactKind {
                kind: "env-secret-filter".to_owned(),
                detail: detail.to_owned(),
                at,
            });
        }
    }

    /// `for name, value in os.environ.items(): if <test>: picked[name] =
    /// value`: the loop stores the value under a condition that is not a
    /// negation (`if not ...` keeps the harmless ones, as a redacting copy
    /// does; masking stores something else than the value).
    fn keeps_picked_values(&self, target: Node<'_>, loop_node: Node<'_>) -> bool {
        if !matches!(target.kind(), "pattern_list" | "tuple_pattern") {
            return false;
        }
        let Some(value) = target
            .named_children()
            .nth(1)
            .filter(|v| v.kind() == "identifier")
        else {
            return false;
        };
        let value = self.t(value);
        let Some(body) = loop_node.field("body") else {
            return false;
        };
        let mut stack = vec![(body, false)];
        let mut seen = 0;
        while let Some((n, picked)) = stack.pop() {
            seen += 1;
            if seen > 2_000 {
                return false;
            }
            if picked
                && n.kind() == "assignment"
                && n.field("left").is_some_and(|l| l.kind() == "subscript")
                && n.field("right").is_some_and(|r| self.t(r) == value)
            {
                return true;
            }
            if matches!(n.kind(), "function_definition" | "class_definition") {
                continue;
            }
            if n.kind() == "if_statement" {
                let positive = n
                    .field("condition")
                    .is_some_and(|c| c.kind() != "not_operator");
                if let Some(c) = n.field("consequence") {
                    stack.push((c, picked || positive));
                }
                continue;
            }
            for c in n.named_children() {
                stack.push((c, picked));
            }
        }
        false
    }

    /// A loop over well-known service ports (`for port in [22, 80, 3306,
    /// 6379]`): the shape of a port scan when the file also connects.
    fn port_list(&mut self, iterable: Node<'_>, node: Node<'_>) {
        const SERVICES: &[u16] = &[
            21, 22, 23, 25, 53, 80, 110, 135, 139, 143, 443, 445, 1433, 1521, 2375, 2379, 3000,
            3306, 3389, 5000, 5432, 5672, 5900, 5984, 6379, 6443, 8000, 8080, 8443, 8888, 9000,
            9090, 9200, 9300, 10250, 11211, 15672, 27017,
        ];
        let Some(items) = self.eval_list(iterable, false, 0) else {
            return;
        };
        let mut ports: Vec<u16> = items.iter().filter_map(|i| i.parse().ok()).collect();
        ports.sort_unstable();
        ports.dedup();
        if ports.len() >= 4 && ports.iter().filter(|p| SERVICES.contains(p)).count() >= 4 {
            let shown: Vec<String> = ports.iter().take(8).map(u16::to_string).collect();
            self.other("port-list", shown.join(", "), node);
        }
    }

    /// An integer written as a constant expression: `10 * 1024 * 1024`,
    /// `10**6`, `100_000`.
    fn int_value(&self, node: Node<'_>, depth: u32) -> Option<u64> {
        if depth > MAX_EVAL_DEPTH {
            return None;
        }
        match node.kind() {
            "integer" => self.t(node).replace('_', "").parse().ok(),
            "parenthesized_expression" => self.int_value(node.named_child(0)?, depth + 1),
            "binary_operator" => {
                let l = self.int_value(node.field("left")?, depth + 1)?;
                let r = self.int_value(node.field("right")?, depth + 1)?;
                match self.t(node.field("operator")?) {
                    "*" => l.checked_mul(r),
                    "+" => l.checked_add(r),
                    "**" => l.checked_pow(u32::try_from(r).ok()?),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// `b"X" * (10 * 1024 * 1024)`: padding built in memory, ten MiB or
    /// more at a time, to fill a disk, a pipe or the memory itself.
    fn filler(&mut self, node: Node<'_>) {
        const FILL: u64 = 10 << 20;
        // The outermost product only: `b"X" * 1024 * 1024 * 10` once.
        if node
            .parent()
            .is_some_and(|p| p.kind() == "binary_operator" && self.padding_bytes(p, 0).is_some())
        {
            return;
        }
        if let Some(n) = self.padding_bytes(node, 0)
            && n >= FILL
        {
            self.other(
                "resource-loop",
                format!(
                    "fills memory or disk with padding ({} MiB at a time)",
                    n >> 20
                ),
                node,
            );
        }
    }

    /// The size of a repeated constant: `b"X" * 1024 * 1024`, `"A" * (10 <<
    /// 20)`; `None` for anything else.
    fn padding_bytes(&self, node: Node<'_>, depth: u32) -> Option<u64> {
        if depth > MAX_EVAL_DEPTH {
            return None;
        }
        match node.kind() {
            "parenthesized_expression" => self.padding_bytes(node.named_child(0)?, depth + 1),
            "binary_operator" => {
                let (l, r, op) = (
                    node.field("left")?,
                    node.field("right")?,
                    node.field("operator")?,
                );
                if self.t(op) != "*" {
                    return None;
                }
                let (text, count) = match (
                    self.padding_bytes(l, depth + 1),
                    self.padding_bytes(r, depth + 1),
                ) {
                    (Some(w), _) => (w, r),
                    (_, Some(w)) => (w, l),
                    _ => return None,
                };
                Some(text.saturating_mul(self.int_value(count, 0)?))
            }
            "string" => Some(
                self.string_literal(node, false, 0)
                    .map_or(1, |s| s.len().max(1) as u64),
            ),
            _ => None,
        }
    }

    /// A `while True:` loop that can only burn: bare arithmetic that leaves
    /// when a counter passes a hundred million (a busy loop; a loop that
    /// calls anything, like a reader with a size cap, is work), or a loop
    /// that never leaves while it yields padding (an endless stream to
    /// whoever reads it).
    fn endless_loop(&mut self, node: Node<'_>) {
        const BURN: u64 = 100_000_000;
        const CHUNK: u64 = 64 << 10;
        let Some(body) = node.field("body") else {
            return;
        };
        // `calls`: a loop that reads, sends or sleeps does work; only a
        // loop of bare arithmetic is a busy loop.
        let (mut exits, mut bound, mut padding, mut calls) = (false, 0u64, 0u64, false);
        // Each node with whether it sits in a loop nested in this one: a
        // `break` there (under an `if` or not) leaves that loop, not this.
        let mut stack = vec![(body, false)];
        let mut seen = 0;
        while let Some((n, nested)) = stack.pop() {
            seen += 1;
            if seen > 2_000 {
                return;
            }
            match n.kind() {
                "function_definition" | "class_definition" | "lambda" => continue,
                "for_statement" | "while_statement" => {
                    stack.extend(n.named_children().map(|c| (c, true)));
                    continue;
                }
                "return_statement" | "raise_statement" => exits = true,
                "break_statement" if !nested => exits = true,
                "call" => calls = true,
                "if_statement" if !nested => {
                    let leaves = n
                        .field("consequence")
                        .is_some_and(|c| c.named_children().any(|s| s.kind() == "break_statement"));
                    if leaves
                        && let Some(c) = n.field("condition")
                        && c.kind() == "comparison_operator"
                    {
                        let most = c
                            .named_children()
                            .filter_map(|x| self.int_value(x, 0))
                            .max()
                            .unwrap_or(0);
                        bound = bound.max(most);
                    }
                }
                "yield" => {
                    if let Some(v) = n.named_child(0) {
                        padding = padding.max(self.padding_bytes(v, 0).unwrap_or(0));
                    }
                }
                _ => {}
            }
            stack.extend(n.named_children().map(|c| (c, nested)));
        }
        if bound >= BURN && !calls {
            self.other(
                "resource-loop",
                format!("spins the CPU (a busy loop of {bound} iterations)"),
                node,
            );
        } else if !exits && padding >= CHUNK {
            self.other(
                "resource-loop",
                format!(
                    "streams padding without end ({} KiB a chunk, no way out of the loop)",
                    padding >> 10
                ),
                node,
            );
        }
    }

    /// How many times `for _ in range(N)` runs: N when constant, 0 otherwise.
    fn range_count(&self, iterable: Node<'_>) -> u64 {
        if iterable.kind() != "call"
            || iterable
                .field("function")
                .is_none_or(|f| self.t(f) != "range")
        {
            return 0;
        }
        let args = Args::of(iterable, self.src);
        // `range(stop)`, `range(start, stop[, step])`, bounds as written
        // (`100_000`, `10**6`, `10 * 1000`).
        let int = |i: usize| args.positional.get(i).and_then(|a| self.int_value(*a, 0));
        let count = match args.positional.len() {
            1 => int(0),
            2 => int(1)
                .zip(int(0))
                .map(|(stop, start)| stop.saturating_sub(start)),
            3 => int(1)
                .zip(int(0))
                .zip(int(2).filter(|s| *s > 0))
                .map(|((stop, start), step)| stop.saturating_sub(start).div_ceil(step)),
            _ => None,
        };
        count.unwrap_or(0)
    }

    /// Process, thread and descriptor creation in loops that run very many
    /// times or forever, forks in any loop, a raised recursion limit:
    /// `resource-loop` facts.
    fn resource_loop(&mut self, q: &str, args: &Args<'_>, node: Node<'_>) {
        /// Loops that run at least this often count as unbounded.
        const MANY: u64 = 1000;
        let most = self.loops.iter().copied().max().unwrap_or(0);
        let what = match q {
            "os.fork" | "os.forkpty" if !self.loops.is_empty() => {
                Some("forks processes in a loop (a fork bomb)".to_owned())
            }
            "sys.setrecursionlimit" => args
                .positional
                .first()
                .and_then(|a| self.t(*a).replace('_', "").parse::<u64>().ok())
                .filter(|n| *n >= 100_000)
                .map(|n| format!("raises the recursion limit to {n}")),
            _ if most >= MANY
                && (apis::is_process(q)
                    || matches!(
                        q,
                        "threading.Thread"
                            | "multiprocessing.Process"
                            | "socket.socket"
                            | "socket.create_connection"
                            | "os.pipe"
                            | "open"
                    )) =>
            {
                let times = if most == u64::MAX {
                    "forever".to_owned()
                } else {
                    format!("{most} times")
                };
                Some(format!("calls `{q}` in a loop that runs {times}"))
            }
            _ => None,
        };
        if let Some(w) = what {
            self.other("resource-loop", w, node);
        }
    }

    /// A value with unknown parts worth keeping, `*` for each: a path
    /// (`f"~{user}/.ssh"`) or a URL whose host is known
    /// (`f"http://127.0.0.1:{port}"`): where it points is still readable.
    fn partial_value(&self, expr: Node<'_>) -> Option<String> {
        let p = self.eval(expr, true, 0)?;
        let path = (p.starts_with('~') || p.starts_with('/'))
            && p.chars().filter(|c| !matches!(c, '*' | '/' | '~')).count() >= 3;
        let url = p.split_once("://").is_some_and(|(scheme, rest)| {
            scheme.bytes().all(|b| b.is_ascii_alphabetic())
                && rest
                    .split(['/', ':', '?'])
                    .next()
                    .is_some_and(|host| host.len() >= 3 && !host.contains('*'))
        });
        (path || url).then_some(p)
    }

    /// `found.append(secret)`, `data.update(env)`: the collection now
    /// carries what was put in it.
    fn collect_into(&mut self, func: Node<'_>, call: Node<'_>) {
        if func.kind() != "attribute" {
            return;
        }
        let (Some(obj), Some(method)) = (func.field("object"), func.field("attribute")) else {
            return;
        };
        if obj.kind() != "identifier"
            || !matches!(
                self.t(method),
                "append" | "extend" | "insert" | "update" | "add" | "setdefault"
            )
        {
            return;
        }
        let args = Args::of(call, self.src);
        let t = args.all().fold(0, |t, a| t | self.taint(a, 0));
        if t != 0 {
            let name = self.t(obj).to_owned();
            *self.top().taint.entry(name).or_default() |= t;
        }
    }

    fn bind_taint(&mut self, target: Node<'_>, t: Taint) {
        match target.kind() {
            "identifier" => {
                let name = self.t(target).to_owned();
                if t == 0 {
                    self.top().taint.remove(&name);
                } else {
                    self.top().taint.insert(name, t);
                }
            }
            "pattern_list" | "tuple_pattern" | "tuple" | "list_pattern" | "list" => {
                let children: Vec<Node<'_>> = target.named_children().collect();
                for c in children {
                    self.bind_taint(c, t);
                }
            }
            _ => {}
        }
    }

    fn assign(&mut self, left: Node<'_>, right: Node<'_>) {
        match left.kind() {
            "identifier" => {
                let name = self.t(left).to_owned();
                self.bind(&name, right, false);
            }
            "attribute" if self.t(left).starts_with("self.") => {
                let name = self.t(left).to_owned();
                self.bind(&name, right, true);
            }
            "subscript" => self.assign_subscript(left, right),
            "pattern_list" | "tuple_pattern" | "tuple" | "list_pattern" => {
                let targets: Vec<Node<'_>> = left.named_children().collect();
                let values: Vec<Node<'_>> =
                    if matches!(right.kind(), "tuple" | "expression_list" | "list") {
                        right.named_children().collect()
                    } else {
                        Vec::new()
                    };
                if values.len() == targets.len() {
                    for (l, r) in targets.into_iter().zip(values) {
                        self.assign(l, r);
                    }
                } else {
                    let t = self.taint(right, 0);
                    self.bind_taint(left, t);
                }
            }
            _ => {}
        }
    }

    /// `msg['Bcc'] = addr` on an email message; `d['k'] = secret` taints `d`.
    fn assign_subscript(&mut self, left: Node<'_>, right: Node<'_>) {
        let Some(value) = left.field("value") else {
            return;
        };
        let key = left.field("subscript").and_then(|k| self.eval(k, false, 0));
        let holder = self.t(value).to_owned();
        let is_email = self.lookup(|s| s.emails.get(&holder)).is_some();
        if is_email
            && let Some(k) = &key
            && matches!(k.to_ascii_lowercase().as_str(), "to" | "cc" | "bcc")
        {
            for (lit, node) in self.recipient_values(right) {
                self.recipient(k, lit, Some("smtp"), node);
            }
        }
        let t = self.taint(right, 0);
        if t != 0 && value.kind() == "identifier" {
            *self.top().taint.entry(holder).or_default() |= t;
        }
    }

    /// Literal addresses in a recipient value (a string, a list, a
    /// comma-separated string); non-literal parts yield `None`.
    fn recipient_values<'t>(&self, value: Node<'t>) -> Vec<(Option<String>, Node<'t>)> {
        match value.kind() {
            "list" | "tuple" => value
                .named_children()
                .flat_map(|c| self.recipient_values(c))
                .collect(),
            _ => match self.eval(value, false, 0) {
                Some(s) => s
                    .split([',', ';'])
                    .map(str::trim)
                    .filter(|a| a.contains('@'))
                    .map(|a| (Some(a.to_owned()), value))
                    .collect(),
                None => vec![(None, value)],
            },
        }
    }

    fn bind(&mut self, name: &str, expr: Node<'_>, global: bool) {
        // A path with an unknown part (`f"~{user}/.ssh"`) keeps its known
        // parts, `*` for the rest: where it points is still readable. A
        // mode with the setuid or setgid bit keeps the bit's name.
        let string = self
            .eval(expr, false, 0)
            .or_else(|| self.partial_value(expr))
            .or_else(|| {
                let text = self.t(expr);
                ["S_ISUID", "S_ISGID"]
                    .into_iter()
                    .find(|b| text.contains(b))
                    .map(|b| format!("stat.{b}"))
            });
        let argv = matches!(expr.kind(), "list" | "tuple").then(|| self.program_taint(expr));
        match argv {
            Some(t) => {
                self.top().argv.insert(name.to_owned(), t);
            }
            None => {
                self.top().argv.remove(name);
            }
        }
        let list = self.eval_list(expr, false, 0);
        let taint = self.taint(expr, 0);
        let decoder = self.decoder_of(expr, 0);
        let mut module = None;
        let mut is_email = expr.kind() == "dictionary" && self.is_email_dict(expr);
        let mut file = None;
        let mut dest = None;
        match expr.kind() {
            "identifier" | "attribute" | "subscript" => {
                if let Some(q) = self.qualify(expr, 0)
                    && (q.contains('.')
                        || apis::eval_sink(&q).is_some()
                        || self.lookup(|s| s.modules.get(self.t(expr))).is_some())
                {
                    module = Some(q);
                }
            }
            "call" => {
                if let Some(q) = self.qualify(expr, 0) {
                    let q = normalise(&q);
                    is_email = apis::is_email_message(&q);
                    let args = Args::of(expr, self.src);
                    if q == "open" || q == "io.open" {
                        let mode = args
                            .get(1, &["mode"])
                            .and_then(|m| self.eval(m, false, 0))
                            .unwrap_or_default();
                        if is_open_write_mode(&mode) {
                            file = args.get(0, &["file"]).and_then(|p| self.eval(p, true, 0));
                        }
                    }
                    if apis::is_network(&q) {
                        dest = self.destination(&q, &args);
                    }
                    if q.contains('.') || apis::is_known_root(&q) {
                        module = Some(q);
                    }
                }
            }
            "lambda" => {
                // `run = lambda c: exec(c)`: the name stands for the sink.
                if let Some(body) = expr.field("body")
                    && body.kind() == "call"
                    && let Some(f) = body.field("function")
                    && let Some(q) = self.qualify(f, 0)
                {
                    module = Some(normalise(&q));
                }
            }
            _ => {}
        }
        let scope_index = if global { 0 } else { self.scopes.len() - 1 };
        let scope = &mut self.scopes[scope_index];
        let key = name.to_owned();
        match string {
            Some(s) => scope.strings.insert(key.clone(), s),
            None => scope.strings.remove(&key),
        };
        match list {
            Some(l) => scope.lists.insert(key.clone(), l),
            None => scope.lists.remove(&key),
        };
        if taint != 0 {
            scope.taint.insert(key.clone(), taint);
        } else {
            scope.taint.remove(&key);
        }
        match decoder {
            Some(d) => scope.decoders.insert(key.clone(), d),
            None => scope.decoders.remove(&key),
        };
        match module {
            Some(m) => scope.modules.insert(key.clone(), m),
            None => scope.modules.remove(&key),
        };
        match file {
            Some(f) => scope.files.insert(key.clone(), f),
            None => scope.files.remove(&key),
        };
        match dest {
            Some(d) => scope.sink_dest.insert(key.clone(), d),
            None => scope.sink_dest.remove(&key),
        };
        if is_email {
            scope.emails.insert(key);
        } else {
            scope.emails.remove(&key);
        }
    }

    /// Where a network call goes, when its destination is known (partly).
    fn destination(&self, api: &str, args: &Args<'_>) -> Option<String> {
        let method = api.rsplit('.').next().unwrap_or(api);
        let node = if method == "request" && !api.starts_with("http.client") {
            args.get(1, &["url"])
        } else if api.ends_with("urlopen")
            || api.ends_with("Request")
            || api.ends_with("urlretrieve")
        {
            args.get(0, &["url"])
        } else if api.starts_with("http.client") && method == "request" {
            None
        } else if matches!(
            method,
            "connect" | "connect_ex" | "sendto" | "create_connection"
        ) {
            let a = if method == "sendto" {
                args.get(1, &["address"])
            } else {
                args.get(0, &["address"])
            }?;
            if matches!(a.kind(), "tuple" | "list") {
                a.named_child(0)
            } else {
                Some(a)
            }
        } else {
            args.get(0, &["url", "host", "hostname", "address"])
        }?;
        let s = self.eval(node, true, 0)?;
        (!s.starts_with('*') && !s.is_empty()).then_some(s)
    }

    fn visit_call(&mut self, node: Node<'_>) {
        let Some(func) = node.field("function") else {
            return;
        };
        self.collect_into(func, node);
        let Some(q) = self.qualify(func, 0).map(|q| normalise(&q)) else {
            return;
        };
        let args = Args::of(node, self.src);
        self.resource_loop(&q, &args, node);
        let receiver = (func.kind() == "attribute")
            .then(|| func.field("object"))
            .flatten();
        let top_level = self.functions.is_empty();

        // Local functions: what reaches their parameters, and the sinks
        // they pass a parameter to.
        if let Some(local) = self.local_function(&q).map(str::to_owned) {
            let params = self.fn_params.get(&local).cloned().unwrap_or_default();
            let offset = usize::from(
                func.kind() == "attribute"
                    && params.first().is_some_and(|p| p == "self" || p == "cls"),
            );
            let mut seeds = vec![0; params.len()];
            for (i, a) in args.positional.iter().enumerate() {
                if let Some(s) = seeds.get_mut(i + offset) {
                    *s |= self.taint(*a, 0);
                }
            }
            for (k, v) in &args.keywords {
                if let Some(i) = params.iter().position(|p| p == k) {
                    seeds[i] |= self.taint(*v, 0);
                }
            }
            let entry = self
                .next
                .seeds
                .entry(local.clone())
                .or_insert_with(|| vec![0; params.len()]);
            for (e, s) in entry.iter_mut().zip(seeds) {
                *e |= s;
            }
            if let Some((sink, i)) = self.prev.passes.get(&local).cloned()
                && let Some(arg) = args.positional.get(i.saturating_sub(offset))
            {
                if let Some(s) = apis::eval_sink(&sink) {
                    self.check_eval(s, *arg, node);
                } else if apis::is_process(&sink) {
                    let command = self.command_of(*arg);
                    self.push_process(&sink, command, node);
                }
            }
        }

        match q.as_str() {
            // Loading a module from a file the model names runs that file.
            "importlib.util.spec_from_file_location"
            | "imp.load_source"
            | "runpy.run_path"
            | "runpy.run_module" => {
                let at = usize::from(!q.starts_with("runpy."));
                if args
                    .get(at, &["location", "pathname", "path_name", "mod_name"])
                    .is_some_and(|a| self.taint(a, 0) & TOOLARG != 0)
                {
                    self.other("tool-argument-code", q.clone(), node);
                }
            }
            "__import__" | "importlib.import_module" | "importlib.__import__" => {
                let m = args.get(0, &["name"]).and_then(|a| self.eval(a, false, 0));
                self.record_import(m, "__import__", node);
                if args
                    .get(0, &["name"])
                    .is_some_and(|a| self.taint(a, 0) & TOOLARG != 0)
                {
                    self.other("tool-argument-code", q.clone(), node);
                }
            }
            // Deserialisers that run code: loading tool input with them runs it.
            "yaml.load" | "yaml.unsafe_load" | "yaml.load_all" | "pickle.loads" | "dill.loads"
            | "marshal.loads" | "jsonpickle.decode" => {
                let unsafe_yaml = !q.starts_with("yaml.load")
                    || q == "yaml.unsafe_load"
                    || args.get(1, &["Loader"]).is_some_and(|l| {
                        matches!(
                            self.t(l).rsplit('.').next(),
                            Some("Loader" | "UnsafeLoader" | "FullLoader")
                        )
                    });
                if unsafe_yaml
                    && args
                        .get(0, &["stream", "data"])
                        .is_some_and(|a| self.taint(a, 0) & TOOLARG != 0)
                {
                    self.other("tool-argument-code", q.clone(), node);
                }
            }
            // Template engines compile their source: Jinja2 and Mako
            // templates run Python, Django's load tag libraries.
            "jinja2.Template"
            | "jinja2.environment.Template"
            | "jinja2.Environment.from_string"
            | "jinja2.environment.Environment.from_string"
            | "mako.template.Template"
            | "django.template.Template"
            | "django.template.Engine.from_string"
            | "django.template.engine.Engine.from_string"
                if args
                    .get(0, &["source", "text", "template_string"])
                    .is_some_and(|a| self.taint(a, 0) & TOOLARG != 0) =>
            {
                self.other("tool-argument-code", q.clone(), node);
            }
            // `json.dump(entry, f)` with `f` open for writing.
            "json.dump" | "pickle.dump" | "yaml.dump" | "yaml.safe_dump" | "marshal.dump" => {
                if let (Some(data), Some(f)) = (
                    args.get(0, &["obj", "data"]),
                    args.get(1, &["fp", "file", "stream"]),
                ) {
                    self.tool_data_to_file(f, data, node);
                }
            }
            "os.getenv" | "os.putenv" => {}
            // Listing every home directory: who uses the machine.
            "os.listdir" | "os.scandir" | "os.walk" | "pathlib.Path.iterdir"
                if args
                    .get(0, &["path", "top"])
                    .and_then(|a| self.eval(a, false, 0))
                    .is_some_and(|p| matches!(p.trim_end_matches('/'), "/home" | "/Users")) =>
            {
                self.other("host-recon", "/home/*".to_owned(), node);
            }
            "pwd.getpwall" | "grp.getgrall" => {
                self.other("host-recon", q.clone(), node);
            }
            "os.chmod" | "pathlib.Path.chmod" => {
                // The mode as written, or what a name holds
                // (`new = old | stat.S_ISUID; os.chmod(p, new)`).
                let mode = args
                    .get(1, &["mode"])
                    .map(|m| {
                        if m.kind() == "identifier" {
                            self.lookup(|s| s.strings.get(self.t(m)))
                                .cloned()
                                .unwrap_or_else(|| self.t(m).to_owned())
                        } else {
                            self.t(m).to_owned()
                        }
                    })
                    .unwrap_or_default();
                // `0o4755`, `0o2755`: the setuid (0o4000) or setgid
                // (0o2000) bit; `0o600` is neither.
                let octal = mode
                    .strip_prefix("0o")
                    .or_else(|| mode.strip_prefix("0O"))
                    .and_then(|m| u32::from_str_radix(&m.replace('_', ""), 8).ok());
                if mode.contains("S_ISUID")
                    || mode.contains("S_ISGID")
                    || octal.is_some_and(|m| m & 0o6000 != 0)
                {
                    let p = args
                        .get(0, &["path"])
                        .and_then(|p| self.eval(p, true, 0))
                        .unwrap_or_else(|| "*".into());
                    self.other("setuid", p, node);
                }
            }
            _ => {}
        }
        if apis::is_sysinfo(&q) {
            self.other("system-info", q.clone(), node);
        }
        // `def spawn(): Thread(target=spawn).start()`: each thread starts
        // another, without end.
        if matches!(
            q.as_str(),
            "threading.Thread" | "threading.Timer" | "multiprocessing.Process"
        ) && let Some(target) = args.get(usize::MAX, &["target", "function"])
            && self
                .functions
                .last()
                .is_some_and(|(f, _)| !f.is_empty() && self.t(target) == f)
        {
            self.other(
                "resource-loop",
                format!("starts threads that start themselves (a thread bomb: `{q}`)"),
                node,
            );
        }
        // `format_str.format(**values)` with a format string the model
        // writes: `{0.__class__.__init__.__globals__}` reads the process.
        if let Some(r) = receiver
            && r.kind() != "string"
            && matches!(q.rsplit('.').next(), Some("format" | "format_map"))
            && self.taint(r, 0) & TOOLARG != 0
        {
            self.other("tool-argument-code", "str.format".to_owned(), node);
        }
        if let Some(language) = apis::query_sink(&q)
            && args.all().any(|a| self.taint(a, 0) & SLOT != 0)
        {
            self.other("tool-argument-injection", format!("{language}: {q}"), node);
        }
        if let Some(sink) = apis::eval_sink(&q)
            && let Some(arg) = args.get(0, &["source", "expression", "object", "path_name"])
        {
            self.check_eval(sink, arg, node);
            self.note_pass(&q, arg);
        }
        if apis::is_process(&q) {
            let first = args.get(0, &["args", "cmd", "command", "path", "file"]);
            let command = first.map(|a| self.command_of(a)).unwrap_or(None);
            self.push_process(&q, command, node);
            if let Some(a) = first {
                if let Some(d) = self.decoder_of(a, 0) {
                    self.push_decode_run(&q, d, node);
                }
                if self.program_taint(a) & NETRESP != 0 {
                    self.push_decode_run(&q, "remote", node);
                }
                self.note_pass(&q, a);
            }
            if first.is_some_and(|a| self.program_taint(a) & QUOTED != 0) {
                self.other("tool-argument-injection", format!("shell: {q}"), node);
            }
            let t = args.all().fold(0, |t, a| t | self.taint(a, 0));
            self.push_flow(t, "process", &q, None, node);
            if top_level && self.role == PyRole::Init {
                self.other("import-time-side-effect", q.clone(), node);
            }
        }
        let network = apis::is_network(&q);
        let dns = apis::is_dns(&q);
        if network || dns {
            let mut dest = self.destination(&q, &args);
            if dest.is_none()
                && let Some(r) = receiver
            {
                dest = self.lookup(|s| s.sink_dest.get(self.t(r))).cloned();
            }
            if let (Some(r), Some(d)) = (receiver, &dest)
                && r.kind() == "identifier"
            {
                let name = self.t(r).to_owned();
                self.top().sink_dest.insert(name, d.clone());
            }
            self.push_network(Some(q.clone()), dest.clone(), node);
            let mut t = args.all().fold(0, |t, a| t | self.taint(a, 0));
            if let Some(r) = receiver {
                t |= self.taint(r, 0) & !NETRESP;
            }
            // A send whose reply nobody reads (`requests.post(...)` as a
            // statement): the data is the point of the call.
            if network && t & TOOLARG != 0 && reply_discarded(node) {
                self.other("discarded-reply", q.clone(), node);
            }
            // DNS: data travels in the name looked up.
            self.push_flow(t, if dns { "dns" } else { "network" }, &q, dest, node);
            if top_level && self.role == PyRole::Init {
                self.other("import-time-side-effect", q.clone(), node);
            }
            if q.ends_with("sendmail") || q.ends_with("send_message") {
                let to = if q.ends_with("sendmail") {
                    args.get(1, &["to_addrs"])
                } else {
                    args.get(2, &["to_addrs"])
                };
                if let Some(to) = to {
                    let values = self.recipient_values(to);
                    let mixed = values.iter().any(|(l, _)| l.is_none());
                    for (lit, n) in values {
                        if lit.is_some() {
                            self.recipient(if mixed { "bcc" } else { "to" }, lit, Some("smtp"), n);
                        }
                    }
                }
            }
            if q.ends_with("urlretrieve")
                && let Some(f) = args
                    .get(1, &["filename"])
                    .and_then(|f| self.eval(f, true, 0))
            {
                self.other("download-to-file", f, node);
            }
        }
        if let Some(hook) = self.install_hook.clone() {
            let what = if network || dns {
                Some("network")
            } else if apis::eval_sink(&q).is_some() {
                Some("code")
            } else if apis::is_process(&q) {
                Some("process")
            } else {
                None
            };
            if let Some(what) = what {
                self.other("install-hook", format!("{what} {hook}: {q}"), node);
            }
        }
        // Keyword email payloads: `send(To=..., Bcc='x@y', Subject=...)`.
        self.keyword_email(&args);
        // Files read or written.
        self.file_access(&q, &args, receiver, node);
    }

    /// `class PostInstall(install)`: a setuptools/distutils command class,
    /// whose `run()` setup.py runs at install.
    fn install_hook_class(&self, node: Node<'_>) -> Option<String> {
        let name = node.field("name").map_or("", |n| self.t(n));
        let supers = node.field("superclasses")?;
        let bases: Vec<Node<'_>> = supers.named_children().collect();
        bases.into_iter().find_map(|b| {
            let q = self.qualify(b, 0)?;
            let last = q.rsplit('.').next().unwrap_or(&q);
            let command = matches!(
                last,
                "install"
                    | "develop"
                    | "egg_info"
                    | "build_py"
                    | "build_ext"
                    | "build"
                    | "sdist"
                    | "bdist_wheel"
                    | "bdist_egg"
                    | "easy_install"
                    | "install_lib"
                    | "install_scripts"
            );
            let from_setuptools = q == last
                || q.starts_with("setuptools")
                || q.starts_with("distutils")
                || q.starts_with("wheel");
            (command && from_setuptools).then(|| format!("{name}({last})"))
        })
    }

    /// A local function passes its parameter to a code or process sink.
    fn note_pass(&mut self, sink: &str, arg: Node<'_>) {
        if arg.kind() != "identifier" {
            return;
        }
        let name = self.t(arg);
        if let Some((f, params)) = self.functions.last()
            && let Some(i) = params.iter().position(|p| p == name)
        {
            self.next.passes.insert(f.clone(), (sink.to_owned(), i));
        }
    }

    /// Whether a dict literal has a recipient key and a message key.
    fn is_email_dict(&self, node: Node<'_>) -> bool {
        let keys: Vec<String> = node
            .named_children()
            .filter(|c| c.kind() == "pair")
            .filter_map(|p| self.eval(p.field("key")?, false, 0))
            .map(|k| k.to_ascii_lowercase())
            .collect();
        keys.iter()
            .any(|k| matches!(k.as_str(), "to" | "cc" | "bcc" | "recipients"))
            && keys.iter().any(|k| is_message_key(k))
    }

    /// A dict shaped like an email payload (`{"To": ..., "Bcc": ...,
    /// "Subject": ...}`), as mail APIs take over HTTP.
    fn dict_email(&mut self, node: Node<'_>) {
        let pairs: Vec<(String, Node<'_>)> = node
            .named_children()
            .filter(|c| c.kind() == "pair")
            .filter_map(|p| {
                let k = self.eval(p.field("key")?, false, 0)?;
                Some((k, p.field("value")?))
            })
            .collect();
        let args = Args {
            positional: Vec::new(),
            keywords: pairs,
        };
        self.keyword_email(&args);
    }

    fn keyword_email(&mut self, args: &Args<'_>) {
        let lower: Vec<(String, Node<'_>)> = args
            .keywords
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), *v))
            .collect();
        let message = lower.iter().any(|(k, _)| is_message_key(k));
        if !message {
            return;
        }
        for (k, v) in lower {
            let field = match k.as_str() {
                "to" | "to_emails" | "recipients" | "to_addrs" => "to",
                "cc" | "cc_emails" => "cc",
                "bcc" | "bcc_emails" => "bcc",
                _ => continue,
            };
            for (lit, n) in self.recipient_values(v) {
                self.recipient(field, lit, None, n);
            }
        }
    }

    fn file_access(
        &mut self,
        q: &str,
        args: &Args<'_>,
        receiver: Option<Node<'_>>,
        node: Node<'_>,
    ) {
        let method = q.rsplit('.').next().unwrap_or(q);
        if apis::is_read(q) {
            let write = (q == "open" || q == "io.open" || q == "codecs.open")
                && args
                    .get(1, &["mode"])
                    .and_then(|m| self.eval(m, false, 0))
                    .is_some_and(|m| is_open_write_mode(&m));
            if let Some(p) = args
                .get(0, &["file", "path", "src", "top", "pathname"])
                .and_then(|p| self.eval(p, true, 0))
            {
                self.path_fact(&p, node, write);
            }
            if q.starts_with("shutil.copy")
                && let Some(d) = args.get(1, &["dst"]).and_then(|p| self.eval(p, true, 0))
            {
                self.path_fact(&d, node, true);
            }
        }
        if let Some(r) = receiver {
            let target = || self.eval(r, true, 0).filter(|p| p != "*");
            match method {
                "read_text" | "read_bytes" | "open" | "iterdir" | "glob" | "rglob" => {
                    if let Some(p) = target() {
                        self.path_fact(&p, node, false);
                    }
                }
                "write_text" | "write_bytes" | "touch" | "mkdir" | "symlink_to" => {
                    if let Some(p) = target() {
                        self.path_fact(&p, node, true);
                    }
                }
                "write" => {
                    // `f.write(requests.get(u).content)`: a download.
                    let path = self.lookup(|s| s.files.get(self.t(r))).cloned();
                    let from_net = args
                        .positional
                        .first()
                        .is_some_and(|a| self.taint(*a, 0) & NETRESP != 0);
                    if let Some(p) = path
                        && from_net
                    {
                        self.other("download-to-file", p, node);
                    }
                    if let Some(data) = args.positional.first() {
                        self.tool_data_to_file(r, *data, node);
                    }
                }
                _ => {}
            }
        }
    }

    /// Tool arguments written through the file object `file` when it was
    /// opened at a fixed path in a shared or system location (`/tmp`,
    /// `/var/tmp`, `/dev/shm`, `/var/log`): copies of what the model passed
    /// kept where the user does not look and other users can read.
    fn tool_data_to_file(&mut self, file: Node<'_>, data: Node<'_>, node: Node<'_>) {
        if file.kind() != "identifier" || self.taint(data, 0) & TOOLARG == 0 {
            return;
        }
        let Some(path) = self.lookup(|s| s.files.get(self.t(file))).cloned() else {
            return;
        };
        let shared = ["/tmp/", "/var/tmp/", "/dev/shm/", "/var/log/"]
            .iter()
            .any(|d| path.starts_with(d));
        if shared && !path.contains('*') {
            self.other("tool-data-to-file", path, node);
        }
    }

    /// The command line a process call runs: a string, or a list joined.
    fn command_of(&self, arg: Node<'_>) -> Option<String> {
        if let Some(list) = self.eval_list(arg, true, 0) {
            return Some(list.join(" "));
        }
        self.eval(arg, true, 0)
    }

    /// What reaches the part of a command that decides what runs: the
    /// whole of a command string, but only the program of an argument list
    /// (`["pip", "install", f"pkg=={version}"]` runs pip whatever the
    /// version says) unless the list hands a script to a shell or an
    /// interpreter (`["sh", "-c", text]`).
    fn program_taint(&self, command: Node<'_>) -> Taint {
        // `["docker", "exec", name] + cmd`: the list on the left decides.
        if command.kind() == "binary_operator"
            && let Some(left) = command.field("left")
            && matches!(left.kind(), "list" | "tuple")
            && left.named_child_count() >= 2
        {
            let right = command.field("right").map_or(0, |r| self.taint(r, 0));
            return self.program_taint(left)
                | if self.list_runs_script(left) {
                    right
                } else {
                    0
                };
        }
        if command.kind() == "identifier"
            && let Some(t) = self.lookup(|s| s.argv.get(self.t(command)))
        {
            return *t;
        }
        if !matches!(command.kind(), "list" | "tuple") {
            return self.taint(command, 0);
        }
        let items: Vec<Node<'_>> = command.named_children().collect();
        let Some(program) = items.first() else {
            return 0;
        };
        if self.list_runs_script(command) {
            return items.iter().fold(0, |t, i| t | self.taint(*i, 0));
        }
        self.taint(*program, 0)
    }

    /// `["sh", "-c", ...]`, `["python", "-c", ...]`: the list's second
    /// item hands a script to the program.
    fn list_runs_script(&self, list: Node<'_>) -> bool {
        list.named_child(1)
            .and_then(|flag| self.eval(flag, false, 0))
            .is_some_and(|f| {
                matches!(
                    f.as_str(),
                    "-c" | "/c" | "-e" | "-Command" | "-command" | "--eval"
                )
            })
    }

    fn push_process(&mut self, api: &str, command: Option<String>, node: Node<'_>) {
        if self.facts.processes.len() >= MAX_FACTS {
            return;
        }
        if let Some(c) = &command {
            for target in classify::command_writes(c) {
                self.path_fact(&target, node, true);
            }
        }
        let at = self.at(node);
        self.facts.processes.push(ProcessFact {
            api: api.to_owned(),
            command,
            at,
        });
    }

    fn push_decode_run(&mut self, sink: &str, decoder: &str, node: Node<'_>) {
        if self.facts.decode_run.len() >= MAX_FACTS {
            return;
        }
        let at = self.at(node);
        self.facts.decode_run.push(DecodeRunFact {
            sink: sink.to_owned(),
            decoder: decoder.to_owned(),
            at,
        });
    }

    /// `exec`/`eval`/`compile` over decoded, downloaded or tool-supplied text.
    fn check_eval(&mut self, sink: &str, arg: Node<'_>, node: Node<'_>) {
        let t = self.taint(arg, 0);
        let decoder = self.decoder_of(arg, 0);
        if t & NETRESP != 0 {
            self.push_decode_run(sink, "remote", node);
        } else if let Some(d) = decoder {
            self.push_decode_run(sink, d, node);
        } else if t & TOOLARG != 0 {
            self.other("tool-argument-code", sink.to_owned(), node);
        }
        if arg.kind() != "string"
            && let Some(code) = self.eval(arg, false, 0)
            && code.len() > 4
            && self.decoded.len() < 16
        {
            let offset = u32::try_from(node.start_byte()).unwrap_or(u32::MAX);
            self.decoded.push((code, offset));
        } else if arg.kind() == "string"
            && let Some(code) = self.eval(arg, false, 0)
            && code.contains(['(', ';', '\n'])
            && self.decoded.len() < 16
        {
            // `exec("import os; os.system(...)")`: code in a string.
            let offset = u32::try_from(node.start_byte()).unwrap_or(u32::MAX);
            self.decoded.push((code, offset));
        }
    }
}

/// A fragment of a secret's variable name (`KEY`, `secret`, `TOKEN`).
fn is_secret_word(w: &str) -> bool {
    matches!(
        w.to_ascii_uppercase().trim_matches('_'),
        "KEY"
            | "SECRET"
            | "PASSWORD"
            | "PASSWD"
            | "PASS"
            | "TOKEN"
            | "CREDENTIAL"
            | "CREDENTIALS"
            | "AUTH"
            | "PRIVATE"
            | "API_KEY"
            | "APIKEY"
            | "CERT"
            | "SESSION"
    )
}

/// Whether a function's body calls the function itself with nothing that
/// could stop it: no condition, loop, `try`, `and`/`or` or `match` on any
/// path (nested functions are their own).
/// Whether function `name` unpacks an archive (`extractall`,
/// `unpack_archive`) and calls itself on what it unpacked with no depth
/// count: the recursive call passes no arithmetic (`depth + 1`). A nested
/// archive then unpacks without end (a decompression bomb); honest
/// extractors unpack once or count levels. `method`: the function is a
/// class's, reached as `self.name`, `cls.name` or `Class.name`.
fn extracts_recursively(body: Node<'_>, name: &str, method: bool, src: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    let (mut unpacks, mut recurses) = (false, false);
    let mut stack = vec![body];
    let mut seen = 0;
    while let Some(n) = stack.pop() {
        seen += 1;
        if seen > 4_000 {
            return false;
        }
        match n.kind() {
            "function_definition" | "class_definition" | "lambda" => continue,
            "call" => {
                let Some(f) = n.field("function") else {
                    continue;
                };
                let callee = match f.kind() {
                    "identifier" if !method => Some(text(f, src)),
                    "attribute" if method => f
                        .field("object")
                        .filter(|o| {
                            let o = text(*o, src);
                            o == "self" || o == "cls" || o.starts_with(char::is_uppercase)
                        })
                        .and(f.field("attribute"))
                        .map(|a| text(a, src)),
                    _ => None,
                };
                let last = text(f, src).rsplit('.').next().unwrap_or("");
                if matches!(last, "extractall" | "unpack_archive") {
                    unpacks = true;
                }
                if callee == Some(name) {
                    let counted = n.field("arguments").is_some_and(|a| {
                        a.named_children().any(|x| {
                            x.kind() == "binary_operator"
                                || x.field("value")
                                    .is_some_and(|v| v.kind() == "binary_operator")
                        })
                    });
                    if counted {
                        return false;
                    }
                    recurses = true;
                }
            }
            _ => {}
        }
        stack.extend(n.named_children());
    }
    unpacks && recurses
}

fn recurses_unconditionally(node: Node<'_>, name: &str, src: &str, depth: u32) -> bool {
    fn walk(node: Node<'_>, name: &str, src: &str, depth: u32, calls: &mut bool) -> bool {
        if depth > MAX_EVAL_DEPTH * 4 {
            return false;
        }
        match node.kind() {
            "if_statement"
            | "conditional_expression"
            | "while_statement"
            | "for_statement"
            | "try_statement"
            | "boolean_operator"
            | "match_statement"
            | "with_statement"
            | "list_comprehension"
            | "generator_expression"
            | "raise_statement"
            | "assert_statement" => return false,
            "function_definition" | "lambda" | "class_definition" => return true,
            "call"
                if node
                    .field("function")
                    .is_some_and(|f| f.kind() == "identifier" && text(f, src) == name) =>
            {
                *calls = true;
            }
            _ => {}
        }
        let children: Vec<Node<'_>> = node.named_children().collect();
        children
            .into_iter()
            .all(|c| walk(c, name, src, depth + 1, calls))
    }
    let mut calls = false;
    !name.is_empty() && walk(node, name, src, depth, &mut calls) && calls
}

/// Length of a string literal's prefix and opening quote (`f"`, `rb"""`).
fn string_prefix_len(text: &str) -> usize {
    let prefix = text.find(['\'', '"']).unwrap_or(0);
    let quote = &text[prefix..];
    prefix
        + if quote.starts_with("\"\"\"") || quote.starts_with("'''") {
            3
        } else {
            1
        }
}

/// Whether a format string puts a placeholder (`%s`, `{`) in a value slot:
/// between quotes (`SLOT | QUOTED`) or after `=` (`SLOT`).
fn has_value_slot(template: &str, placeholder: &str) -> Taint {
    let body = template.get(string_prefix_len(template)..).unwrap_or("");
    body.match_indices(placeholder)
        .map(|(i, _)| {
            let after = &body[i + placeholder.len()..];
            let rest = if placeholder == "{" {
                after.split_once('}').map_or("", |(_, r)| r)
            } else {
                after
            };
            slot_between(&body[..i], rest)
        })
        .fold(0, |t, s| t | s)
}

/// The slot between two pieces of a text (the closing delimiter of the
/// literal still on `after`): after `=` (`SLOT`), or between a quote and
/// its match (`SLOT | QUOTED`). Spaces and SQL `%` wildcards are skipped.
fn slot_between(before: &str, after: &str) -> Taint {
    let before = before.trim_end_matches(|c: char| c.is_whitespace() || c == '%');
    match before.chars().next_back() {
        Some('=') => SLOT,
        Some(q @ ('\'' | '"'))
            if after.trim_start_matches('%').starts_with(q) && after.len() > 1 =>
        {
            SLOT | QUOTED
        }
        _ => 0,
    }
}

/// Whether a call's result is thrown away: the call (or its `await`) is a
/// statement of its own.
fn reply_discarded(call: Node<'_>) -> bool {
    let mut n = call;
    while let Some(p) = n.parent() {
        match p.kind() {
            "await" | "parenthesized_expression" => n = p,
            "expression_statement" => return p.named_child_count() == 1,
            _ => return false,
        }
    }
    false
}

/// A key of an email payload other than its recipients.
fn is_message_key(k: &str) -> bool {
    matches!(
        k,
        "subject"
            | "html_body"
            | "text_body"
            | "htmlbody"
            | "textbody"
            | "html_content"
            | "plain_text_content"
            | "body"
            | "html"
            | "text"
            | "from"
            | "from_email"
            | "from_"
            | "sender"
    )
}

/// The home folder for `HOME`-like variables.
fn home_var(key: &str) -> Option<String> {
    matches!(key, "HOME" | "USERPROFILE").then(|| "~".to_owned())
}

/// `'%s/%s' % (a, b)`.
fn percent_format(fmt: &str, args: &[String]) -> String {
    let mut out = String::new();
    let mut it = args.iter();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '%' {
            match chars.peek() {
                Some('%') => {
                    chars.next();
                    out.push('%');
                }
                Some(_) => {
                    // Skip flags and width up to the conversion letter.
                    for n in chars.by_ref() {
                        if n.is_ascii_alphabetic() {
                            break;
                        }
                    }
                    out.push_str(it.next().map_or("*", String::as_str));
                }
                None => out.push('%'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `'{}/{name}'.format(a, name=b)`.
fn brace_format(fmt: &str, pos: &[String], kw: &HashMap<&str, String>) -> String {
    let mut out = String::new();
    let mut next = 0;
    let mut rest = fmt;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(stripped) = after.strip_prefix('{') {
            out.push('{');
            rest = stripped;
            continue;
        }
        let Some(end) = after.find('}') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let field = after[..end].split([':', '!']).next().unwrap_or("");
        let value = if field.is_empty() {
            let v = pos.get(next);
            next += 1;
            v.cloned()
        } else if let Ok(n) = field.parse::<usize>() {
            pos.get(n).cloned()
        } else {
            kw.get(field).cloned()
        };
        out.push_str(value.as_deref().unwrap_or("*"));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}
