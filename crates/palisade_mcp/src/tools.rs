//! Tool definitions (`tools/list` results) and the rules over them.
//!
//! Accepted inputs, all JSON: a `tools/list` result (`{"tools": [...]}`), a
//! whole JSON-RPC response (`{"result": {"tools": [...]}}`), one server
//! (`{"server": "name", "tools": [...]}`), or several
//! (`{"servers": {"name": {"tools": [...]}}}` or a list of one-server
//! objects). Several servers are needed to see cross-server shadowing.

use std::path::Path;

use palisade_diagnostics::{Finding, Location, Verdict};
use serde::Serialize;
use serde_json::Value;

use crate::Error;
use crate::read;
use crate::rules::TOOL_RULES;

/// Most tools read from one file.
pub const MAX_TOOLS: usize = 10_000;

/// One tool as a server describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tool {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub description: String,
    #[serde(rename = "inputSchema")]
    pub input_schema: Value,
    /// `outputSchema`, `null` when absent.
    #[serde(rename = "outputSchema", skip_serializing_if = "Value::is_null")]
    pub output_schema: Value,
    /// `annotations` (hints such as `readOnlyHint`), `null` when absent.
    #[serde(skip_serializing_if = "Value::is_null")]
    pub annotations: Value,
}

impl Tool {
    /// A tool from its `tools/list` JSON object.
    pub fn from_json(v: &Value) -> Option<Tool> {
        let name = v.get("name")?.as_str()?.to_owned();
        Some(Tool {
            name,
            title: v.get("title").and_then(Value::as_str).map(str::to_owned),
            description: v
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            input_schema: v
                .get("inputSchema")
                .or_else(|| v.get("input_schema"))
                .cloned()
                .unwrap_or(Value::Null),
            output_schema: v
                .get("outputSchema")
                .or_else(|| v.get("output_schema"))
                .cloned()
                .unwrap_or(Value::Null),
            annotations: v.get("annotations").cloned().unwrap_or(Value::Null),
        })
    }

    /// What a pin covers: name, title, description, input and output
    /// schema, annotations. Absent parts are left out, so a server that
    /// starts sending an empty `annotations` object shows as a change.
    pub fn pin_definition(&self) -> Value {
        let mut def = serde_json::Map::new();
        def.insert("name".to_owned(), Value::String(self.name.clone()));
        if let Some(t) = &self.title {
            def.insert("title".to_owned(), Value::String(t.clone()));
        }
        def.insert(
            "description".to_owned(),
            Value::String(self.description.clone()),
        );
        for (key, v) in [
            ("inputSchema", &self.input_schema),
            ("outputSchema", &self.output_schema),
            ("annotations", &self.annotations),
        ] {
            if !v.is_null() {
                def.insert(key.to_owned(), v.clone());
            }
        }
        Value::Object(def)
    }

    /// Every text the model reads: the description, the title, and each
    /// parameter's description (nested ones too), with where it is.
    pub fn texts(&self) -> Vec<(String, &str)> {
        let mut out = vec![("description".to_owned(), self.description.as_str())];
        if let Some(t) = &self.title {
            out.push(("title".to_owned(), t.as_str()));
        }
        collect_schema_texts(&self.input_schema, "inputSchema", &mut out, 0);
        out
    }

    /// The top-level parameters: name and description.
    pub fn parameters(&self) -> Vec<(&str, &str)> {
        self.input_schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|props| {
                props
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str(),
                            v.get("description").and_then(Value::as_str).unwrap_or(""),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn collect_schema_texts<'a>(
    schema: &'a Value,
    at: &str,
    out: &mut Vec<(String, &'a str)>,
    depth: usize,
) {
    if depth > 16 {
        return;
    }
    let Some(obj) = schema.as_object() else {
        return;
    };
    for key in ["description", "title"] {
        if depth > 0
            && let Some(d) = obj.get(key).and_then(Value::as_str)
        {
            out.push((format!("{at}.{key}"), d));
        }
    }
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (name, p) in props {
            collect_schema_texts(p, &format!("{at}.properties.{name}"), out, depth + 1);
        }
    }
    if let Some(items) = obj.get("items") {
        collect_schema_texts(items, &format!("{at}.items"), out, depth + 1);
    }
    if let Some(values) = obj.get("enum").and_then(Value::as_array) {
        for v in values.iter().filter_map(Value::as_str) {
            out.push((format!("{at}.enum"), v));
        }
    }
}

/// The tools of one server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerTools {
    pub server: String,
    pub tools: Vec<Tool>,
}

/// What a tool rule may read besides the tool itself.
pub struct ToolContext<'a> {
    /// The tool's own server.
    pub server: &'a ServerTools,
    /// Every server in the run, its own included.
    pub all: &'a [ServerTools],
}

impl ToolContext<'_> {
    /// Whether the tool's own server has a tool of this name.
    pub fn is_own_tool(&self, name: &str) -> bool {
        self.server.tools.iter().any(|t| t.name == name)
    }

    /// The other servers that have a tool of this name.
    pub fn other_servers_with(&self, name: &str) -> Vec<&str> {
        self.all
            .iter()
            .filter(|s| s.server != self.server.server && s.tools.iter().any(|t| t.name == name))
            .map(|s| s.server.as_str())
            .collect()
    }
}

/// Reads a tools file (see the module documentation for the shapes).
pub fn read_tools_file(path: &Path) -> Result<Vec<ServerTools>, Error> {
    let text = read::read_limited(path, read::MAX_TOOLS_BYTES)?;
    let value: Value = serde_json::from_str(&text).map_err(|e| Error::Malformed {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let default_name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("server")
        .to_owned();
    let servers = parse_tools(&value, &default_name).map_err(|reason| Error::Malformed {
        path: path.to_path_buf(),
        reason,
    })?;
    let count: usize = servers.iter().map(|s| s.tools.len()).sum();
    if count > MAX_TOOLS {
        return Err(Error::Malformed {
            path: path.to_path_buf(),
            reason: format!("{count} tools; at most {MAX_TOOLS} are read"),
        });
    }
    Ok(servers)
}

/// Parses the accepted shapes; `default_name` names a server that is not named.
pub fn parse_tools(value: &Value, default_name: &str) -> Result<Vec<ServerTools>, String> {
    fn one(v: &Value, name: &str) -> Result<ServerTools, String> {
        let v = v.get("result").unwrap_or(v);
        let tools = v
            .get("tools")
            .and_then(Value::as_array)
            .ok_or_else(|| "expected a `tools` array (a `tools/list` result)".to_owned())?;
        let server = v
            .get("server")
            .or_else(|| v.get("serverName"))
            .and_then(Value::as_str)
            .unwrap_or(name)
            .to_owned();
        let tools = tools
            .iter()
            .enumerate()
            .map(|(i, t)| Tool::from_json(t).ok_or_else(|| format!("tool {i} has no `name`")))
            .collect::<Result<_, _>>()?;
        Ok(ServerTools { server, tools })
    }
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| one(v, &format!("{default_name}-{i}")))
            .collect(),
        Value::Object(obj) if obj.get("servers").is_some_and(Value::is_object) => obj["servers"]
            .as_object()
            .map(|m| m.iter().map(|(k, v)| one(v, k)).collect())
            .unwrap_or_else(|| Ok(Vec::new())),
        v => one(v, default_name).map(|s| vec![s]),
    }
}

/// The findings of one tool.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolReport {
    pub server: String,
    pub tool: String,
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
}

/// Runs every tool rule over every tool of every server.
pub fn check_tools(servers: &[ServerTools]) -> Vec<ToolReport> {
    let mut out = Vec::new();
    for server in servers {
        let ctx = ToolContext {
            server,
            all: servers,
        };
        for tool in &server.tools {
            let mut findings = check_tool(&ctx, tool);
            let (verdict, _) = Verdict::decide(&mut findings);
            out.push(ToolReport {
                server: server.server.clone(),
                tool: tool.name.clone(),
                verdict,
                findings,
            });
        }
    }
    out
}

/// Runs every tool rule over one tool.
pub fn check_tool(ctx: &ToolContext<'_>, tool: &Tool) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in TOOL_RULES {
        rule.check(ctx, tool, &mut findings);
    }
    findings
}

/// Where a tool finding points: `tools/<server>/<tool>#<field>`.
pub(crate) fn location(ctx: &ToolContext<'_>, tool: &Tool, field: &str) -> Location {
    Location::file(format!("tools/{}/{}#{field}", ctx.server.server, tool.name))
}

/// Up to `width` characters of `text` around byte offset `at`, on one line,
/// with invisible characters shown as `<U+XXXX>`.
pub(crate) fn excerpt(text: &str, at: usize, width: usize) -> String {
    let at = at.min(text.len());
    let mut start = at.saturating_sub(width / 2);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (start + width).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    for c in text[start..end].chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if crate::rules::tools::hidden_unicode::is_invisible(c) => {
                out.push_str(&format!("<U+{:04X}>", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    if end < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes() {
        let t = json!({"tools": [{"name": "a", "description": "x", "inputSchema": {"type": "object"}}]});
        assert_eq!(parse_tools(&t, "fs").expect("ok")[0].server, "fs");
        let rpc = json!({"jsonrpc": "2.0", "id": 1, "result": {"tools": [{"name": "a"}]}});
        assert_eq!(parse_tools(&rpc, "s").expect("ok")[0].tools[0].name, "a");
        let many =
            json!({"servers": {"mail": {"tools": [{"name": "send_email"}]}, "x": {"tools": []}}});
        assert_eq!(parse_tools(&many, "s").expect("ok").len(), 2);
        assert!(parse_tools(&json!({"nope": 1}), "s").is_err());
        assert!(parse_tools(&json!({"tools": [{"description": "no name"}]}), "s").is_err());
    }

    #[test]
    fn texts_include_parameters() {
        let t = Tool::from_json(&json!({"name": "a", "description": "d",
            "inputSchema": {"type": "object", "properties": {"p": {"type": "string", "description": "pd"}}}}))
        .expect("tool");
        let texts = t.texts();
        assert!(
            texts
                .iter()
                .any(|(w, s)| w == "inputSchema.properties.p.description" && *s == "pd")
        );
    }

    #[test]
    fn excerpt_shows_invisibles() {
        assert_eq!(excerpt("a\u{200b}b", 0, 10), "a<U+200B>b");
    }
}
