use serde_json::{Map, Value};

/// Largest `package.json` palisade parses.
const MAX_MANIFEST_BYTES: usize = 4 * 1024 * 1024;

/// A parsed `package.json`, kept as JSON with typed accessors, plus the raw
/// text so findings can point at lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub json: Map<String, Value>,
    pub text: String,
}

impl Manifest {
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        if bytes.len() > MAX_MANIFEST_BYTES {
            return Err(format!(
                "package.json is {} bytes, over the limit of {MAX_MANIFEST_BYTES}",
                bytes.len()
            ));
        }
        let text = String::from_utf8_lossy(bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned();
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(json)) => Ok(Self { json, text }),
            Ok(_) => Err("package.json is not a JSON object".to_owned()),
            Err(e) => Err(format!("package.json is not valid JSON: {e}")),
        }
    }

    fn str_field(&self, key: &str) -> Option<&str> {
        self.json.get(key).and_then(Value::as_str)
    }

    pub fn name(&self) -> Option<&str> {
        self.str_field("name")
    }

    pub fn version(&self) -> Option<&str> {
        self.str_field("version")
    }

    /// `description`, when it is a string.
    pub fn description(&self) -> Option<&str> {
        self.str_field("description")
    }

    /// `keywords`: the strings of the list (a single string counts as one).
    pub fn keywords(&self) -> Vec<&str> {
        match self.json.get("keywords") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// `"type": "module"`.
    pub fn is_module(&self) -> bool {
        self.str_field("type") == Some("module")
    }

    /// `scripts` as (name, command) pairs, in manifest order.
    pub fn scripts(&self) -> Vec<(&str, &str)> {
        self.json
            .get("scripts")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `bin` as (command, path) pairs; a string `bin` is named after the package.
    pub fn bins(&self) -> Vec<(String, String)> {
        match self.json.get("bin") {
            Some(Value::String(path)) => {
                let name = self.name().unwrap_or("");
                let cmd = name.rsplit('/').next().unwrap_or(name);
                vec![(cmd.to_owned(), path.clone())]
            }
            Some(Value::Object(m)) => m
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Dependencies of every kind as (section, name, spec).
    pub fn dependencies(&self) -> Vec<(&'static str, &str, &str)> {
        let mut out = Vec::new();
        for section in [
            "dependencies",
            "devDependencies",
            "optionalDependencies",
            "peerDependencies",
        ] {
            if let Some(m) = self.json.get(section).and_then(Value::as_object) {
                for (k, v) in m {
                    if let Some(v) = v.as_str() {
                        out.push((section, k.as_str(), v));
                    }
                }
            }
        }
        out
    }

    /// The 1-based line in the raw text where `"key"` first appears as a
    /// JSON key, optionally after `after` (used to point at a script).
    pub fn line_of_key(&self, key: &str, after: Option<&str>) -> Option<u32> {
        let start = after
            .and_then(|a| self.text.find(&format!("\"{a}\"")))
            .unwrap_or(0);
        let needle = format!("\"{key}\"");
        let rel = self.text[start..].find(&needle)?;
        let line = self.text[..start + rel]
            .bytes()
            .filter(|b| *b == b'\n')
            .count();
        u32::try_from(line + 1).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn description_and_keywords() {
        let m =
            Manifest::parse(br#"{"description": "Mail tools", "keywords": ["mcp", 3, "email"]}"#)
                .expect("valid");
        assert_eq!(m.description(), Some("Mail tools"));
        assert_eq!(m.keywords(), ["mcp", "email"]);
        let m = Manifest::parse(br#"{"description": ["not", "text"], "keywords": "mcp"}"#)
            .expect("valid");
        assert_eq!(m.description(), None);
        assert_eq!(m.keywords(), ["mcp"]);
        assert!(Manifest::parse(b"{}").expect("valid").keywords().is_empty());
    }
}
