//! Static recovery of javascript-obfuscator's string arrays.
//!
//! Obfuscated files keep every string in one array, reach it through a
//! decoder function (`_0x2775(0x90)`), often through layers of wrappers that
//! shift the index (`function w(a, b) { return _0x34b2(b - 0x18a, a) }`),
//! and rotate the array at start-up until a checksum over `parseInt` of some
//! entries matches a constant. The strings may be stored plain, in a custom
//! base64, or base64 plus RC4 with a per-call key.
//!
//! Nothing here runs the file: the rotation is found by evaluating the
//! checksum expression (numbers, `+ - * / %`, `parseInt`, decoder calls)
//! over each possible rotation, as a calculator would, and decoder calls are
//! answered by indexing the rotated array. Anything outside that small
//! language makes the recovery give up for that call.

use std::collections::HashMap;

use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_syntax::scope::ScopeFlags;

/// The alphabet of javascript-obfuscator's base64 (lower case first).
const ALPHABET: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=";
/// Limits: arrays, wrapper depth, expression size.
const MAX_ARRAY: usize = 20_000;
const MAX_DEPTH: u32 = 24;
const MAX_EXPR_NODES: usize = 4_000;

/// A value of the small evaluated language.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Num(f64),
    Str(String),
}

impl Value {
    fn num(&self) -> f64 {
        match self {
            Value::Num(n) => *n,
            Value::Str(s) => {
                let t = s.trim();
                if t.is_empty() {
                    0.0
                } else if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                    i64::from_str_radix(h, 16).map_or(f64::NAN, |v| v as f64)
                } else {
                    t.parse::<f64>().unwrap_or(f64::NAN)
                }
            }
        }
    }

    fn text(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            Value::Num(n) => {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    format!("{}", *n as i64)
                } else {
                    format!("{n}")
                }
            }
        }
    }
}

/// An expression copied out of the AST, in the subset we evaluate.
#[derive(Debug, Clone)]
enum Expr {
    Num(f64),
    Str(String),
    Var(String),
    Neg(Box<Expr>),
    Bin(BinaryOperator, Box<Expr>, Box<Expr>),
    ParseInt(Box<Expr>),
    Call(String, Vec<Expr>),
}

fn convert(e: &Expression<'_>, budget: &mut usize) -> Option<Expr> {
    *budget = budget.checked_sub(1)?;
    Some(match e.get_inner_expression() {
        Expression::NumericLiteral(n) => Expr::Num(n.value),
        Expression::StringLiteral(s) => Expr::Str(s.value.to_string()),
        Expression::Identifier(id) => Expr::Var(id.name.to_string()),
        Expression::UnaryExpression(u) => match u.operator {
            UnaryOperator::UnaryNegation => Expr::Neg(Box::new(convert(&u.argument, budget)?)),
            UnaryOperator::UnaryPlus => Expr::Bin(
                BinaryOperator::Multiplication,
                Box::new(convert(&u.argument, budget)?),
                Box::new(Expr::Num(1.0)),
            ),
            _ => return None,
        },
        Expression::BinaryExpression(b)
            if matches!(
                b.operator,
                BinaryOperator::Addition
                    | BinaryOperator::Subtraction
                    | BinaryOperator::Multiplication
                    | BinaryOperator::Division
                    | BinaryOperator::Remainder
            ) =>
        {
            Expr::Bin(
                b.operator,
                Box::new(convert(&b.left, budget)?),
                Box::new(convert(&b.right, budget)?),
            )
        }
        Expression::CallExpression(c) => {
            let Expression::Identifier(callee) = c.callee.get_inner_expression() else {
                return None;
            };
            let args: Option<Vec<Expr>> = c
                .arguments
                .iter()
                .map(|a| a.as_expression().and_then(|a| convert(a, budget)))
                .collect();
            let mut args = args?;
            if callee.name == "parseInt" {
                if args.is_empty() {
                    return None;
                }
                Expr::ParseInt(Box::new(args.swap_remove(0)))
            } else {
                Expr::Call(callee.name.to_string(), args)
            }
        }
        _ => return None,
    })
}

fn contains_parse_int(e: &Expr) -> bool {
    match e {
        Expr::ParseInt(_) => true,
        Expr::Neg(a) => contains_parse_int(a),
        Expr::Bin(_, a, b) => contains_parse_int(a) || contains_parse_int(b),
        Expr::Call(_, args) => args.iter().any(contains_parse_int),
        _ => false,
    }
}

/// JavaScript's `parseInt(s)` without a radix.
fn parse_int(s: &str) -> f64 {
    let t = s.trim_start();
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (radix, t) = match t.get(..2) {
        Some("0x" | "0X") => (16, &t[2..]),
        _ => (10, t),
    };
    let digits: String = t.chars().take_while(|c| c.is_digit(radix)).collect();
    if digits.is_empty() {
        return f64::NAN;
    }
    let mut v = 0f64;
    for c in digits.chars() {
        v = v * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0));
    }
    if neg { -v } else { v }
}

/// How a decoder turns an array entry into the string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Plain,
    Base64,
    Rc4,
}

#[derive(Debug, Clone)]
struct Decoder {
    array: String,
    offset: f64,
    encoding: Encoding,
}

#[derive(Debug, Clone)]
struct Wrapper {
    params: Vec<String>,
    target: String,
    args: Vec<Expr>,
}

/// The recovered string arrays of one file and the functions that read them.
#[derive(Debug, Default)]
pub(crate) struct StringArrays {
    arrays: HashMap<String, Vec<String>>,
    decoders: HashMap<String, Decoder>,
    wrappers: HashMap<String, Wrapper>,
    aliases: HashMap<String, String>,
}

impl StringArrays {
    /// Finds the string arrays of a program; `None` when it has none.
    pub(crate) fn find(program: &Program<'_>, source: &str) -> Option<Self> {
        let mut c = Collector {
            source,
            ..Collector::default()
        };
        c.visit_program(program);
        if c.arrays.is_empty() {
            return None;
        }
        let mut out = StringArrays {
            arrays: c.arrays,
            aliases: c.aliases,
            ..StringArrays::default()
        };
        for f in &c.functions {
            if let Some(d) = f.decoder(&out.arrays) {
                out.decoders.insert(f.name.clone(), d);
            }
        }
        if out.decoders.is_empty() {
            return None;
        }
        for f in &c.functions {
            if let Some(w) = &f.wrapper
                && !out.decoders.contains_key(&f.name)
            {
                out.wrappers.insert(f.name.clone(), w.clone());
            }
        }
        for (array, target, checksum) in c.rotations {
            out.rotate(&array, target, checksum.as_ref());
        }
        Some(out)
    }

    /// Rotates `array` the way its start-up loop does: until `checksum`
    /// equals `target`, or `target` times when there is no checksum.
    fn rotate(&mut self, array: &str, target: f64, checksum: Option<&Expr>) {
        let Some(len) = self.arrays.get(array).map(Vec::len) else {
            return;
        };
        if len == 0 {
            return;
        }
        let Some(checksum) = checksum else {
            if target >= 0.0 && target.fract() == 0.0 {
                let n = (target as usize) % len;
                if let Some(a) = self.arrays.get_mut(array) {
                    a.rotate_left(n);
                }
            }
            return;
        };
        for _ in 0..len {
            let v = self.value(checksum, &HashMap::new(), 0);
            if matches!(v, Some(Value::Num(n)) if n == target) {
                return;
            }
            if let Some(a) = self.arrays.get_mut(array) {
                a.rotate_left(1);
            }
        }
        // No rotation matched: the order is unknown, so answer nothing.
        self.decoders.retain(|_, d| d.array != array);
    }

    /// Whether `name` reads a string array (a decoder, wrapper or alias).
    pub(crate) fn knows(&self, name: &str) -> bool {
        let name = self.resolve(name);
        self.decoders.contains_key(name) || self.wrappers.contains_key(name)
    }

    fn resolve<'n>(&'n self, mut name: &'n str) -> &'n str {
        for _ in 0..8 {
            match self.aliases.get(name) {
                Some(n) => name = n,
                None => break,
            }
        }
        name
    }

    /// The string a call to `name` returns, for constant arguments given as
    /// the analyser folded them (numbers as decimal text).
    pub(crate) fn call(&self, name: &str, args: &[Option<String>]) -> Option<String> {
        let values: Vec<Value> = args
            .iter()
            .map(|a| {
                let a = a.as_ref()?;
                Some(match a.parse::<f64>() {
                    Ok(n) if !a.is_empty() => Value::Num(n),
                    _ => Value::Str(a.clone()),
                })
            })
            .collect::<Option<_>>()?;
        match self.invoke(name, values, 0)? {
            Value::Str(s) => Some(s),
            Value::Num(_) => None,
        }
    }

    fn invoke(&self, name: &str, args: Vec<Value>, depth: u32) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        let name = self.resolve(name);
        if let Some(d) = self.decoders.get(name) {
            let index = args.first()?.num() - d.offset;
            if !(index >= 0.0 && index.fract() == 0.0) {
                return None;
            }
            let raw = self.arrays.get(&d.array)?.get(index as usize)?;
            return match d.encoding {
                Encoding::Plain => Some(Value::Str(raw.clone())),
                Encoding::Base64 => base64(raw).map(Value::Str),
                Encoding::Rc4 => {
                    let key = args.get(1)?.text();
                    rc4(raw, &key).map(Value::Str)
                }
            };
        }
        let w = self.wrappers.get(name)?;
        let env: HashMap<&str, Value> = w
            .params
            .iter()
            .map(String::as_str)
            .zip(
                args.into_iter()
                    .chain(std::iter::repeat(Value::Num(f64::NAN))),
            )
            .collect();
        let args: Option<Vec<Value>> = w
            .args
            .iter()
            .map(|a| self.value(a, &env, depth + 1))
            .collect();
        self.invoke(&w.target, args?, depth + 1)
    }

    fn value(&self, e: &Expr, env: &HashMap<&str, Value>, depth: u32) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        Some(match e {
            Expr::Num(n) => Value::Num(*n),
            Expr::Str(s) => Value::Str(s.clone()),
            Expr::Var(v) => env.get(v.as_str())?.clone(),
            Expr::Neg(a) => Value::Num(-self.value(a, env, depth + 1)?.num()),
            Expr::ParseInt(a) => Value::Num(parse_int(&self.value(a, env, depth + 1)?.text())),
            Expr::Call(name, args) => {
                let args: Option<Vec<Value>> =
                    args.iter().map(|a| self.value(a, env, depth + 1)).collect();
                self.invoke(name, args?, depth + 1)?
            }
            Expr::Bin(op, a, b) => {
                let (a, b) = (
                    self.value(a, env, depth + 1)?,
                    self.value(b, env, depth + 1)?,
                );
                match op {
                    BinaryOperator::Addition => match (&a, &b) {
                        (Value::Num(x), Value::Num(y)) => Value::Num(x + y),
                        _ => Value::Str(a.text() + &b.text()),
                    },
                    BinaryOperator::Subtraction => Value::Num(a.num() - b.num()),
                    BinaryOperator::Multiplication => Value::Num(a.num() * b.num()),
                    BinaryOperator::Division => Value::Num(a.num() / b.num()),
                    BinaryOperator::Remainder => Value::Num(a.num() % b.num()),
                    _ => return None,
                }
            }
        })
    }
}

/// javascript-obfuscator's base64: its own alphabet, then the bytes read as
/// UTF-8 (`decodeURIComponent` of `%xx` escapes).
fn base64(s: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(s.len());
    let (mut bc, mut bs) = (0u32, 0i64);
    for ch in s.chars() {
        let Some(buffer) = ALPHABET.find(ch) else {
            continue;
        };
        let buffer = buffer as i64;
        bs = if bc % 4 != 0 {
            bs * 64 + buffer
        } else {
            buffer
        };
        let emit = bc % 4 != 0;
        bc += 1;
        if emit {
            let shift = (bc.wrapping_mul(2).wrapping_neg()) & 6;
            bytes.push((((bs as i32) >> shift) & 0xff) as u8);
        }
    }
    String::from_utf8(bytes).ok()
}

/// Base64 as above, then RC4 over the UTF-16 units with `key`.
fn rc4(s: &str, key: &str) -> Option<String> {
    let data: Vec<u16> = base64(s)?.encode_utf16().collect();
    let key: Vec<u16> = key.encode_utf16().collect();
    if key.is_empty() {
        return None;
    }
    let mut st: Vec<usize> = (0..256).collect();
    let mut j = 0usize;
    for i in 0..256 {
        j = (j + st[i] + usize::from(key[i % key.len()])) % 256;
        st.swap(i, j);
    }
    let (mut i, mut j) = (0usize, 0usize);
    let mut out = Vec::with_capacity(data.len());
    for &c in &data {
        i = (i + 1) % 256;
        j = (j + st[i]) % 256;
        st.swap(i, j);
        out.push(c ^ st[(st[i] + st[j]) % 256] as u16);
    }
    Some(String::from_utf16_lossy(&out))
}

/// A named function, summarised for the search.
#[derive(Debug)]
struct FnInfo {
    name: String,
    params: Vec<String>,
    /// Arrays the body reads (string-array functions called, array variables indexed).
    reads: Vec<String>,
    /// `p0 = p0 - K`, `p0 -= K` or `arr[p0 - K]` in the body.
    offset: Option<f64>,
    text_has_alphabet: bool,
    text_has_256: bool,
    wrapper: Option<Wrapper>,
}

impl FnInfo {
    fn decoder(&self, arrays: &HashMap<String, Vec<String>>) -> Option<Decoder> {
        if self.params.is_empty() || arrays.contains_key(&self.name) {
            return None;
        }
        let array = self.reads.iter().find(|r| arrays.contains_key(*r))?;
        let encoding = match (self.text_has_alphabet, self.text_has_256) {
            (true, true) => Encoding::Rc4,
            (true, false) => Encoding::Base64,
            _ => Encoding::Plain,
        };
        Some(Decoder {
            array: array.clone(),
            offset: self.offset.unwrap_or(0.0),
            encoding,
        })
    }
}

#[derive(Default)]
struct Collector<'s> {
    source: &'s str,
    arrays: HashMap<String, Vec<String>>,
    functions: Vec<FnInfo>,
    aliases: HashMap<String, String>,
    /// (array, target, checksum) of start-up rotation loops.
    rotations: Vec<(String, f64, Option<Expr>)>,
}

/// All-string array literal of a useful size.
fn string_array(e: &Expression<'_>) -> Option<Vec<String>> {
    let Expression::ArrayExpression(arr) = e.get_inner_expression() else {
        return None;
    };
    if arr.elements.len() < 3 || arr.elements.len() > MAX_ARRAY {
        return None;
    }
    arr.elements
        .iter()
        .map(|el| match el.as_expression()?.get_inner_expression() {
            Expression::StringLiteral(s) => Some(s.value.to_string()),
            _ => None,
        })
        .collect()
}

/// What a function body reads and how it shifts its index.
#[derive(Default)]
struct BodyScan {
    calls: Vec<String>,
    indexed: Vec<String>,
    offset: Option<f64>,
}

impl<'a> Visit<'a> for BodyScan {
    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if let Expression::Identifier(id) = it.callee.get_inner_expression() {
            self.calls.push(id.name.to_string());
        }
        walk::walk_call_expression(self, it);
    }

    fn visit_computed_member_expression(&mut self, it: &ComputedMemberExpression<'a>) {
        if let Expression::Identifier(id) = it.object.get_inner_expression() {
            self.indexed.push(id.name.to_string());
            if self.offset.is_none() {
                self.offset = subtracted(&it.expression, None);
            }
        }
        walk::walk_computed_member_expression(self, it);
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        // The index shift: `j = j - 0x89` or `j -= 0x89` (in the decoder or
        // the inner function it redefines itself as).
        if let AssignmentTarget::AssignmentTargetIdentifier(id) = &it.left
            && self.offset.is_none()
        {
            self.offset = match it.operator {
                AssignmentOperator::Subtraction => constant(&it.right),
                AssignmentOperator::Assign => subtracted(&it.right, Some(id.name.as_str())),
                _ => None,
            };
        }
        walk::walk_assignment_expression(self, it);
    }
}

/// `K` in `p - K` (K a constant expression; `p` the given name, if any).
fn subtracted(e: &Expression<'_>, param: Option<&str>) -> Option<f64> {
    let Expression::BinaryExpression(b) = e.get_inner_expression() else {
        return None;
    };
    let Expression::Identifier(id) = b.left.get_inner_expression() else {
        return None;
    };
    if param.is_some_and(|p| id.name != p) {
        return None;
    }
    match b.operator {
        BinaryOperator::Subtraction => constant(&b.right),
        BinaryOperator::Addition => constant(&b.right).map(|k| -k),
        _ => None,
    }
}

/// A call argument the analyser could not fold (`-0x1a`, `0x3*-0x2`), as text.
pub(crate) fn constant_text(e: &Expression<'_>) -> Option<String> {
    constant(e).map(|n| Value::Num(n).text())
}

fn constant(e: &Expression<'_>) -> Option<f64> {
    let mut budget = 64;
    let expr = convert(e, &mut budget)?;
    match StringArrays::default().value(&expr, &HashMap::new(), 0)? {
        Value::Num(n) if n.is_finite() => Some(n),
        _ => None,
    }
}

fn param_names(params: &FormalParameters<'_>) -> Vec<String> {
    params
        .items
        .iter()
        .map(|p| match &p.pattern {
            BindingPattern::BindingIdentifier(id) => id.name.to_string(),
            _ => String::new(),
        })
        .collect()
}

impl<'s> Collector<'s> {
    fn function(&mut self, name: &str, f: &Function<'_>) {
        let Some(body) = &f.body else {
            return;
        };
        // `function arr() { const a = ['..', ...]; arr = function () { return a }; return arr() }`
        if f.params.items.is_empty() {
            for stmt in &body.statements {
                if let Statement::VariableDeclaration(d) = stmt
                    && let Some(values) = d
                        .declarations
                        .iter()
                        .find_map(|d| d.init.as_ref().and_then(string_array))
                {
                    self.arrays.insert(name.to_owned(), values);
                    return;
                }
            }
        }
        let params = param_names(&f.params);
        let mut scan = BodyScan::default();
        scan.visit_function_body(body);
        let text = self
            .source
            .get(body.span.start as usize..body.span.end as usize)
            .unwrap_or("");
        let wrapper = match body.statements.as_slice() {
            [Statement::ReturnStatement(r)] => r.argument.as_ref().and_then(|a| {
                let mut budget = MAX_EXPR_NODES;
                match convert(a, &mut budget)? {
                    Expr::Call(target, args) => Some(Wrapper {
                        params: params.clone(),
                        target,
                        args,
                    }),
                    _ => None,
                }
            }),
            _ => None,
        };
        let mut reads = scan.calls;
        reads.extend(scan.indexed);
        self.functions.push(FnInfo {
            name: name.to_owned(),
            params,
            reads,
            offset: scan.offset,
            text_has_alphabet: text.contains(ALPHABET),
            text_has_256: text.contains("0x100") || text.contains("256"),
            wrapper,
        });
    }

    /// `(function (arr, target) { ... push(shift()) ... })(_0xarr, 0x37568)`.
    fn rotation(&mut self, call: &CallExpression<'_>) {
        let Expression::FunctionExpression(f) = call.callee.get_inner_expression() else {
            return;
        };
        let [first, second] = call.arguments.as_slice() else {
            return;
        };
        let (Some(Expression::Identifier(arr)), Some(target)) = (
            first.as_expression().map(|e| e.get_inner_expression()),
            second.as_expression().and_then(constant),
        ) else {
            return;
        };
        let Some(body) = &f.body else {
            return;
        };
        let text = self
            .source
            .get(body.span.start as usize..body.span.end as usize)
            .unwrap_or("");
        if !(text.contains("push") && text.contains("shift")) {
            return;
        }
        let mut finder = ChecksumFinder::default();
        finder.visit_function_body(body);
        self.rotations
            .push((arr.name.to_string(), target, finder.checksum));
    }
}

#[derive(Default)]
struct ChecksumFinder {
    checksum: Option<Expr>,
}

impl<'a> Visit<'a> for ChecksumFinder {
    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if self.checksum.is_none()
            && let Some(init) = &it.init
        {
            let mut budget = MAX_EXPR_NODES;
            if let Some(e) = convert(init, &mut budget).filter(contains_parse_int) {
                self.checksum = Some(e);
                return;
            }
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        if self.checksum.is_none() {
            let mut budget = MAX_EXPR_NODES;
            if let Some(e) = convert(&it.right, &mut budget).filter(contains_parse_int) {
                self.checksum = Some(e);
                return;
            }
        }
        walk::walk_assignment_expression(self, it);
    }
}

impl<'a> Visit<'a> for Collector<'_> {
    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        if let Some(id) = &it.id {
            let name = id.name.to_string();
            self.function(&name, it);
        }
        walk::walk_function(self, it, flags);
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let BindingPattern::BindingIdentifier(id) = &it.id
            && let Some(init) = &it.init
        {
            match init.get_inner_expression() {
                Expression::Identifier(target) => {
                    self.aliases
                        .insert(id.name.to_string(), target.name.to_string());
                }
                Expression::FunctionExpression(f) => self.function(id.name.as_str(), f),
                e => {
                    if let Some(values) = string_array(e) {
                        self.arrays.insert(id.name.to_string(), values);
                    }
                }
            }
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        self.rotation(it);
        walk::walk_call_expression(self, it);
    }
}

#[cfg(test)]
mod tests {
    use oxc_allocator::Allocator;
    use oxc_parser::Parser;
    use oxc_span::SourceType;

    use super::*;

    fn tables(src: &str) -> Option<StringArrays> {
        let alloc = Allocator::default();
        let ret = Parser::new(&alloc, src, SourceType::cjs()).parse();
        StringArrays::find(&ret.program, src)
    }

    /// Encodes as javascript-obfuscator's base64 (for the tests).
    fn encode(s: &str) -> String {
        let bytes = s.as_bytes();
        let a: Vec<char> = ALPHABET.chars().collect();
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..=chunk.len() {
                out.push(a[((n >> (18 - 6 * i)) & 63) as usize]);
            }
        }
        out
    }

    #[test]
    fn plain_array_with_rotation_and_checksum() {
        // Entries chosen so that exactly one rotation gives parseInt sums 7.
        let src = r"
function _0xa(){const x=['3abc','child_process','exec','4zz'];_0xa=function(){return x;};return _0xa();}
function _0xd(i,k){const a=_0xa();return _0xd=function(j,l){j=j-0x10;let v=a[j];return v;},_0xd(i,k);}
(function(f,t){const g=_0xd,arr=f();while(!![]){try{const c=parseInt(g(0x10))+parseInt(g(0x13));if(c===t)break;else arr['push'](arr['shift']());}catch(e){arr['push'](arr['shift']());}}}(_0xa,0x7));
const cp=require(_0xd(0x11));
";
        let t = tables(src).expect("found");
        // Rotation by 0: '3abc' + '4zz' = 7: no rotation needed.
        assert_eq!(
            t.call("_0xd", &[Some("17".into())]).as_deref(),
            Some("child_process")
        );
        assert_eq!(
            t.call("_0xd", &[Some("18".into())]).as_deref(),
            Some("exec")
        );
    }

    #[test]
    fn rotation_is_found_by_the_checksum() {
        let src = r"
function _0xa(){const x=['exec','4zz','3abc','child_process'];_0xa=function(){return x;};return _0xa();}
function _0xd(i,k){const a=_0xa();return _0xd=function(j,l){j=j-0x10;let v=a[j];return v;},_0xd(i,k);}
(function(f,t){const g=_0xd,arr=f();while(!![]){try{const c=parseInt(g(0x10))+parseInt(g(0x13))*0x2;if(c===t)break;else arr['push'](arr['shift']());}catch(e){arr['push'](arr['shift']());}}}(_0xa,0xb));
";
        // Wanted: '3abc' first and '4zz' last: 3 + 4*2 = 11 = 0xb, after two rotations.
        let t = tables(src).expect("found");
        assert_eq!(
            t.call("_0xd", &[Some("17".into())]).as_deref(),
            Some("child_process")
        );
        assert_eq!(
            t.call("_0xd", &[Some("18".into())]).as_deref(),
            Some("exec")
        );
    }

    #[test]
    fn wrappers_shift_the_index_and_reorder_arguments() {
        let src = r"
function _0xa(){const x=['zero','one','two','three'];_0xa=function(){return x;};return _0xa();}
function _0xd(i,k){const a=_0xa();return _0xd=function(j,l){j=j-0x100;let v=a[j];return v;},_0xd(i,k);}
function w1(p,q,r){return _0xd(r- -0x2,p);}
function w2(a,b){return w1(b,a,a-0x5);}
";
        let t = tables(src).expect("found");
        // w2(0x105, x) -> w1(x, 0x105, 0x100) -> _0xd(0x102) -> 'two'
        assert_eq!(
            t.call("w2", &[Some("261".into()), Some("0".into())])
                .as_deref(),
            Some("two")
        );
        assert!(t.knows("w2"));
    }

    #[test]
    fn base64_and_rc4_entries() {
        let b = encode("child_process");
        let src = format!(
            "function _0xa(){{const x=['{b}','{b}','pad'];_0xa=function(){{return x;}};return _0xa();}}
function _0xd(i,k){{const a=_0xa();return _0xd=function(j,l){{j=j-0x0;let v=a[j];const s='{ALPHABET}';return v;}},_0xd(i,k);}}"
        );
        let t = tables(&src).expect("found");
        assert_eq!(
            t.call("_0xd", &[Some("0".into())]).as_deref(),
            Some("child_process")
        );

        // RC4: encrypt with the same routine (it is symmetric over base64 text).
        let key = "Ab1c";
        let plain = "homedir";
        let mut st: Vec<usize> = (0..256).collect();
        let kb: Vec<u16> = key.encode_utf16().collect();
        let mut j = 0;
        for i in 0..256 {
            j = (j + st[i] + usize::from(kb[i % kb.len()])) % 256;
            st.swap(i, j);
        }
        let (mut i, mut j) = (0, 0);
        let mut enc = Vec::new();
        for c in plain.bytes() {
            i = (i + 1) % 256;
            j = (j + st[i]) % 256;
            st.swap(i, j);
            enc.push(c ^ st[(st[i] + st[j]) % 256] as u8);
        }
        // Keep the test to ASCII ciphertext bytes so UTF-8 is one byte each.
        if enc.iter().all(|b| *b < 0x80) {
            let e = encode(std::str::from_utf8(&enc).expect("ascii"));
            assert_eq!(rc4(&e, key).as_deref(), Some(plain));
        }
    }

    #[test]
    fn parse_int_follows_javascript() {
        assert_eq!(parse_int("663885ZKePbb"), 663_885.0);
        assert_eq!(parse_int("  -12x"), -12.0);
        assert!(parse_int("post").is_nan());
        assert_eq!(parse_int("0x1f"), 31.0);
    }

    #[test]
    fn no_checksum_match_answers_nothing() {
        let src = r"
function _0xa(){const x=['a1','b2','c3'];_0xa=function(){return x;};return _0xa();}
function _0xd(i){const a=_0xa();return _0xd=function(j){j=j-0x0;return a[j];},_0xd(i);}
(function(f,t){const g=_0xd,arr=f();while(!![]){try{const c=parseInt(g(0x0));if(c===t)break;else arr['push'](arr['shift']());}catch(e){arr['push'](arr['shift']());}}}(_0xa,0x63));
";
        let t = tables(src);
        assert!(t.is_none_or(|t| t.call("_0xd", &[Some("0".into())]).is_none()));
    }

    #[test]
    fn ordinary_code_has_no_tables() {
        assert!(tables("const a = ['x','y','z']; function f(i) { return i + 1 }").is_none());
    }
}
