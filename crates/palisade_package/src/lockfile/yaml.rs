//! YAML to JSON values for `pnpm-lock.yaml` and yarn berry's `yarn.lock`,
//! over `yaml-rust2`'s event parser.
//!
//! Lockfiles use plain maps, lists and scalars. Aliases are refused (they are
//! how a small YAML file expands into an enormous document), nesting is
//! capped at [`super::MAX_NESTING`], and every scalar stays a string: the
//! readers want versions such as `1.10` as written, not as numbers.

use serde_json::{Map, Value};
use yaml_rust2::Event;
use yaml_rust2::parser::Parser;

enum Frame {
    Map(Map<String, Value>, Option<String>),
    Seq(Vec<Value>),
}

/// Parses the first YAML document of `text`; an empty document is `null`.
pub(crate) fn parse(text: &str) -> Result<Value, String> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut done: Option<Value> = None;
    loop {
        let (event, mark) = parser.next_token().map_err(|e| format!("YAML: {e}"))?;
        let value = match event {
            Event::StreamEnd | Event::DocumentEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentStart => continue,
            Event::Alias(_) => {
                return Err(format!(
                    "YAML aliases are not accepted in a lockfile (line {})",
                    mark.line()
                ));
            }
            Event::Scalar(s, ..) => Value::String(s),
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() >= super::MAX_NESTING {
                    return Err(format!("YAML nests too deep (line {})", mark.line()));
                }
                stack.push(if matches!(event, Event::MappingStart(..)) {
                    Frame::Map(Map::new(), None)
                } else {
                    Frame::Seq(Vec::new())
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(m, _)) => Value::Object(m),
                Some(Frame::Seq(s)) => Value::Array(s),
                None => return Err("unbalanced YAML".to_owned()),
            },
        };
        match stack.last_mut() {
            None => {
                done = Some(value);
            }
            Some(Frame::Seq(s)) => s.push(value),
            Some(Frame::Map(m, key)) => match key.take() {
                None => {
                    let k = match value {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    *key = Some(k);
                }
                Some(k) => {
                    m.insert(k, value);
                }
            },
        }
        if done.is_some() && stack.is_empty() {
            break;
        }
    }
    Ok(done.unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_lists_and_strings() {
        let v = parse("a: 1.10\nb:\n  - x\n  - {c: d}\n'e@1': {}\n").expect("valid");
        assert_eq!(v["a"], "1.10");
        assert_eq!(v["b"][1]["c"], "d");
        assert!(v["e@1"].is_object());
    }

    #[test]
    fn aliases_are_refused() {
        let bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n";
        assert!(parse(bomb).expect_err("refused").contains("aliases"));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn broken_yaml_is_an_error() {
        assert!(parse("a: [b\n").is_err());
    }
}
