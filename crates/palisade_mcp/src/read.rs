//! Reading configuration files with limits, in their formats: JSON, JSON
//! with comments and trailing commas (VS Code, Zed, OpenCode), TOML (Codex)
//! and YAML (Continue, Goose). Every format is turned into a
//! [`serde_json::Value`] for the client parsers.

use std::io::Read;
use std::path::Path;

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::Error;

/// The largest configuration file read. `~/.claude.json` holds history and
/// grows; real ones stay far below this.
pub const MAX_CONFIG_BYTES: u64 = 16 * 1024 * 1024;

/// The largest `tools/list` result read.
pub const MAX_TOOLS_BYTES: u64 = 16 * 1024 * 1024;

/// Most YAML nodes built, counting the copies aliases make (a
/// "billion laughs" document stops here).
const MAX_YAML_NODES: usize = 200_000;

/// Deepest nesting accepted in YAML.
const MAX_YAML_DEPTH: usize = 128;

/// The formats configuration files come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    /// JSON with `//` and `/* */` comments and trailing commas.
    Jsonc,
    Toml,
    Yaml,
}

impl Format {
    /// The format a file's name implies.
    pub fn of(path: &Path) -> Format {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("toml") => Format::Toml,
            Some("yaml" | "yml") => Format::Yaml,
            Some("jsonc") => Format::Jsonc,
            _ => Format::Json,
        }
    }
}

/// Reads at most `limit` bytes of a file as UTF-8; larger files are an error.
pub fn read_limited(path: &Path, limit: u64) -> Result<String, Error> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, &e))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, &e))?;
    if bytes.len() as u64 > limit {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    String::from_utf8(bytes).map_err(|_| Error::Malformed {
        path: path.to_path_buf(),
        reason: "not UTF-8 text".to_owned(),
    })
}

/// Parses `text` in `format` into a JSON value.
pub fn parse(text: &str, format: Format, path: &Path) -> Result<Value, Error> {
    let malformed = |reason: String| Error::Malformed {
        path: path.to_path_buf(),
        reason,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match format {
        Format::Json => serde_json::from_str(text).or_else(|e| {
            // Several clients accept comments in plain `.json` files too;
            // fall back before failing, but report the strict error.
            serde_json::from_str(&strip_jsonc(text)).map_err(|_| malformed(e.to_string()))
        }),
        Format::Jsonc => {
            serde_json::from_str(&strip_jsonc(text)).map_err(|e| malformed(e.to_string()))
        }
        Format::Toml => {
            let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
                malformed(e.message().to_owned() + &toml_line(text, e.span()))
            })?;
            serde_json::to_value(table).map_err(|e| malformed(e.to_string()))
        }
        Format::Yaml => yaml_to_json(text).map_err(malformed),
    }
}

fn toml_line(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    span.map_or_else(String::new, |s| {
        let line = text
            .get(..s.start)
            .map_or(0, |t| t.bytes().filter(|&b| b == b'\n').count())
            + 1;
        format!(" (line {line})")
    })
}

/// Removes `//` and `/* */` comments and trailing commas outside strings,
/// keeping line breaks so that error lines still match the file.
pub fn strip_jsonc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = '\0';
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                    }
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
            }
            _ => out.push(c),
        }
    }
    remove_trailing_commas(&out)
}

fn remove_trailing_commas(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        if c == '"' {
            in_string = true;
        }
        if c == ',' {
            let next = chars[i + 1..].iter().find(|n| !n.is_whitespace());
            if matches!(next, Some('}' | ']')) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Converts the first YAML document to JSON, with node and depth limits.
fn yaml_to_json(text: &str) -> Result<Value, String> {
    let mut builder = YamlBuilder::default();
    let mut parser = Parser::new_from_str(text);
    parser
        .load(&mut builder, false)
        .map_err(|e| e.to_string())?;
    if let Some(e) = builder.error {
        return Err(e);
    }
    Ok(builder.root.unwrap_or(Value::Null))
}

#[derive(Default)]
struct YamlBuilder {
    /// Open collections: the value being built, its anchor, and for mappings
    /// the key waiting for its value.
    stack: Vec<(Value, usize, Option<String>)>,
    anchors: std::collections::HashMap<usize, Value>,
    root: Option<Value>,
    nodes: usize,
    error: Option<String>,
}

impl YamlBuilder {
    fn count(&mut self, n: usize) -> bool {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_YAML_NODES {
            self.error.get_or_insert_with(|| {
                format!("more than {MAX_YAML_NODES} YAML nodes (aliases expanded)")
            });
            return false;
        }
        true
    }

    fn insert(&mut self, value: Value) {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(value);
                }
            }
            Some((Value::Array(items), _, _)) => items.push(value),
            Some((Value::Object(map), _, key)) => match key.take() {
                None => *key = Some(key_string(&value)),
                Some(k) => {
                    map.insert(k, value);
                }
            },
            Some(_) => {}
        }
    }
}

fn key_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_owned(),
        other => other.to_string(),
    }
}

fn node_count(value: &Value) -> usize {
    match value {
        Value::Array(a) => 1 + a.iter().map(node_count).sum::<usize>(),
        Value::Object(m) => 1 + m.values().map(node_count).sum::<usize>(),
        _ => 1,
    }
}

fn scalar(text: String, style: TScalarStyle) -> Value {
    if style != TScalarStyle::Plain {
        return Value::String(text);
    }
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        t => {
            if let Ok(i) = t.parse::<i64>() {
                Value::Number(i.into())
            } else if let Some(n) = t.parse::<f64>().ok().and_then(Number::from_f64)
                && t.chars().any(|c| c.is_ascii_digit())
            {
                Value::Number(n)
            } else {
                Value::String(text)
            }
        }
    }
}

impl MarkedEventReceiver for YamlBuilder {
    fn on_event(&mut self, ev: Event, _mark: Marker) {
        if self.error.is_some() {
            return;
        }
        match ev {
            Event::Scalar(text, style, anchor, _) => {
                if !self.count(1) {
                    return;
                }
                let v = scalar(text, style);
                if anchor > 0 {
                    self.anchors.insert(anchor, v.clone());
                }
                self.insert(v);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() >= MAX_YAML_DEPTH {
                    self.error = Some(format!("YAML nested deeper than {MAX_YAML_DEPTH}"));
                    return;
                }
                if !self.count(1) {
                    return;
                }
                let v = if matches!(ev, Event::SequenceStart(..)) {
                    Value::Array(Vec::new())
                } else {
                    Value::Object(Map::new())
                };
                self.stack.push((v, anchor, None));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((v, anchor, _)) = self.stack.pop() {
                    if anchor > 0 {
                        self.anchors.insert(anchor, v.clone());
                    }
                    self.insert(v);
                }
            }
            Event::Alias(id) => {
                let v = self.anchors.get(&id).cloned().unwrap_or(Value::Null);
                if !self.count(node_count(&v)) {
                    return;
                }
                self.insert(v);
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonc_comments_and_trailing_commas() {
        let text = "{\n // c\n \"a\": \"http://x//y\", /* b */\n \"b\": [1, 2,],\n}\n";
        let v: Value = serde_json::from_str(&strip_jsonc(text)).expect("valid after stripping");
        assert_eq!(v["a"], "http://x//y");
        assert_eq!(v["b"][1], 2);
    }

    #[test]
    fn yaml_maps_lists_and_scalars() {
        let v =
            yaml_to_json("a:\n  - name: x\n    n: 3\n    on: true\n    s: '5'\n").expect("yaml");
        assert_eq!(v["a"][0]["name"], "x");
        assert_eq!(v["a"][0]["n"], 3);
        assert_eq!(v["a"][0]["on"], true);
        assert_eq!(v["a"][0]["s"], "5");
    }

    #[test]
    fn yaml_billion_laughs_stops() {
        let mut doc = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for name in ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] {
            doc.push_str(&format!(
                "{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
            prev = name;
        }
        let err = yaml_to_json(&doc).expect_err("must stop");
        assert!(err.contains("YAML nodes"), "{err}");
    }

    #[test]
    fn yaml_syntax_error_is_an_error() {
        assert!(yaml_to_json("a: [1, 2\nb: c").is_err());
    }

    #[test]
    fn toml_errors_name_the_line() {
        let err = parse("[a]\nx = \n", Format::Toml, Path::new("c.toml")).expect_err("bad");
        assert!(err.to_string().contains("line 2"), "{err}");
    }

    #[test]
    fn size_limit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("big.json");
        std::fs::write(&p, vec![b' '; 100]).expect("write");
        assert!(matches!(read_limited(&p, 10), Err(Error::TooLarge { .. })));
        assert!(read_limited(&p, 100).is_ok());
    }
}
