//! Turning a client's parsed configuration into [`ServerEntry`]s. One
//! function per layout; where a layout comes from is noted on each.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::Error;
use crate::model::{Client, ServerEntry, Transport};

/// The layout of a configuration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `{"mcpServers": {name: {command, args, env, url, headers, type}}}`:
    /// Claude Desktop, Cursor, Windsurf (`serverUrl`), Gemini CLI
    /// (`httpUrl`, `url` = SSE), Cline, LM Studio, Kiro, Claude Code's
    /// `.mcp.json`. Continue's `.continue/mcpServers/*.json` blocks too.
    McpServers,
    /// `~/.claude.json`: top-level `mcpServers` (user scope) and
    /// `projects.<path>.mcpServers` (local scope).
    ClaudeCodeUser,
    /// VS Code `mcp.json`: `{"servers": {...}, "inputs": [...]}`.
    VsCodeMcp,
    /// VS Code user `settings.json`: `{"mcp": {"servers": {...}}}`.
    VsCodeSettings,
    /// Codex `config.toml`: `[mcp_servers.<name>]`.
    CodexToml,
    /// Zed `settings.json`: `context_servers`.
    Zed,
    /// Continue `config.yaml` and `.continue/mcpServers/*.yaml`:
    /// `mcpServers:` as a list of `{name, command, args, env, type, url}`.
    ContinueYaml,
    /// Goose `config.yaml`: `extensions: {key: {type, cmd, args, envs, uri}}`.
    GooseYaml,
    /// OpenCode `opencode.json(c)`: `mcp: {name: {type: local|remote, command: [..], url}}`.
    OpenCode,
}

/// What parsing one file gave: its servers, and problems with single
/// entries (the other entries are still listed).
#[derive(Debug, Default)]
pub struct Parsed {
    pub servers: Vec<ServerEntry>,
    pub problems: Vec<Error>,
}

struct Ctx<'a> {
    client: Client,
    path: &'a Path,
    base_dir: PathBuf,
    out: Parsed,
}

impl Ctx<'_> {
    fn problem(&mut self, pointer: &str, reason: impl Into<String>) {
        self.out.problems.push(Error::BadEntry {
            path: self.path.to_path_buf(),
            pointer: pointer.to_owned(),
            reason: reason.into(),
        });
    }

    fn entry(&self, name: &str, pointer: String) -> ServerEntry {
        ServerEntry {
            client: self.client,
            config: self.path.to_path_buf(),
            pointer,
            base_dir: self.base_dir.clone(),
            name: name.to_owned(),
            transport: Transport::Stdio,
            command: None,
            args: Vec::new(),
            url: None,
            cwd: None,
            env: BTreeMap::new(),
            headers: BTreeMap::new(),
            disabled: false,
        }
    }
}

/// Parses `value`, read from `path`, in `layout` for `client`. `base_dir`
/// is the folder that relative paths in entries are read against.
pub fn parse(
    value: &Value,
    layout: Layout,
    client: Client,
    path: &Path,
    base_dir: &Path,
) -> Parsed {
    let mut ctx = Ctx {
        client,
        path,
        base_dir: base_dir.to_path_buf(),
        out: Parsed::default(),
    };
    if !value.is_object() {
        ctx.problem("", "the file is not an object");
        return ctx.out;
    }
    match layout {
        Layout::McpServers => servers_map(&mut ctx, value.get("mcpServers"), "mcpServers"),
        Layout::ClaudeCodeUser => {
            servers_map(&mut ctx, value.get("mcpServers"), "mcpServers");
            if let Some(projects) = value.get("projects").and_then(Value::as_object) {
                for (project, settings) in projects {
                    let saved = std::mem::replace(&mut ctx.base_dir, PathBuf::from(project));
                    let pointer = format!("projects[{project:?}].mcpServers");
                    servers_map(&mut ctx, settings.get("mcpServers"), &pointer);
                    ctx.base_dir = saved;
                }
            }
        }
        Layout::VsCodeMcp => servers_map(&mut ctx, value.get("servers"), "servers"),
        Layout::VsCodeSettings => {
            let servers = value.get("mcp").and_then(|m| m.get("servers"));
            servers_map(&mut ctx, servers, "mcp.servers");
        }
        Layout::CodexToml => codex(&mut ctx, value.get("mcp_servers")),
        Layout::Zed => zed(&mut ctx, value.get("context_servers")),
        Layout::ContinueYaml => continue_list(&mut ctx, value),
        Layout::GooseYaml => goose(&mut ctx, value.get("extensions")),
        Layout::OpenCode => opencode(&mut ctx, value.get("mcp")),
    }
    ctx.out
}

fn as_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn string_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items.iter().map(as_string).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), as_string(v))).collect())
        .unwrap_or_default()
}

fn transport_named(name: &str) -> Option<Transport> {
    match name.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
        "stdio" | "local" => Some(Transport::Stdio),
        "http" | "streamablehttp" | "remote" => Some(Transport::Http),
        "sse" => Some(Transport::Sse),
        _ => None,
    }
}

/// A `url` with no `type`: SSE when the path says so, else streamable HTTP.
fn guess_url_transport(url: &str) -> Transport {
    if url.trim_end_matches('/').ends_with("/sse") {
        Transport::Sse
    } else {
        Transport::Http
    }
}

/// The common `{command, args, env, url, headers, type}` object.
fn common_entry(ctx: &mut Ctx<'_>, name: &str, pointer: String, obj: &Map<String, Value>) {
    let mut e = ctx.entry(name, pointer.clone());
    e.command = obj
        .get("command")
        .and_then(Value::as_str)
        .map(str::to_owned);
    e.args = string_list(obj.get("args"));
    e.env = string_map(obj.get("env"));
    e.headers = string_map(obj.get("headers"));
    e.cwd = obj.get("cwd").and_then(Value::as_str).map(str::to_owned);
    e.disabled = obj
        .get("disabled")
        .and_then(Value::as_bool)
        .unwrap_or(false)
        || obj.get("enabled").and_then(Value::as_bool) == Some(false);
    // Gemini CLI: `httpUrl` is streamable HTTP, `url` is SSE. Windsurf:
    // `serverUrl`. Everyone else: `url`.
    let (url, transport) = if let Some(u) = obj.get("httpUrl").and_then(Value::as_str) {
        (Some(u), Some(Transport::Http))
    } else if let Some(u) = obj.get("serverUrl").and_then(Value::as_str) {
        (Some(u), None)
    } else if let Some(u) = obj.get("url").and_then(Value::as_str) {
        let sse = (ctx.client == Client::GeminiCli).then_some(Transport::Sse);
        (Some(u), sse)
    } else {
        (None, None)
    };
    e.url = url.map(str::to_owned);
    let declared = obj
        .get("type")
        .or_else(|| obj.get("transport"))
        .and_then(Value::as_str)
        .and_then(transport_named);
    e.transport = match (declared, transport, &e.url, &e.command) {
        (Some(t), _, _, _) => t,
        (None, Some(t), _, _) => t,
        (None, None, _, Some(_)) => Transport::Stdio,
        (None, None, Some(u), None) => guess_url_transport(u),
        (None, None, None, None) => Transport::Stdio,
    };
    if e.command.is_none() && e.url.is_none() {
        ctx.problem(
            &pointer,
            format!("server `{name}` has neither `command` nor a URL"),
        );
        return;
    }
    ctx.out.servers.push(e);
}

fn servers_map(ctx: &mut Ctx<'_>, servers: Option<&Value>, at: &str) {
    let Some(servers) = servers else { return };
    let Some(map) = servers.as_object() else {
        ctx.problem(at, "expected an object of servers");
        return;
    };
    for (name, v) in map {
        let pointer = format!("{at}.{name}");
        match v.as_object() {
            Some(obj) => common_entry(ctx, name, pointer, obj),
            None => ctx.problem(&pointer, "a server entry must be an object"),
        }
    }
}

/// Codex: `[mcp_servers.<name>]` with `command`, `args`, `env`, `cwd`,
/// `url`, `bearer_token` / `bearer_token_env_var`, `http_headers`,
/// `enabled`.
fn codex(ctx: &mut Ctx<'_>, servers: Option<&Value>) {
    let Some(servers) = servers else { return };
    let Some(map) = servers.as_object() else {
        ctx.problem("mcp_servers", "expected a table of servers");
        return;
    };
    for (name, v) in map {
        let pointer = format!("mcp_servers.{name}");
        let Some(obj) = v.as_object() else {
            ctx.problem(&pointer, "a server entry must be a table");
            continue;
        };
        let mut obj = obj.clone();
        let mut headers = string_map(obj.get("http_headers"));
        if let Some(token) = obj.get("bearer_token").and_then(Value::as_str) {
            headers.insert("Authorization".to_owned(), format!("Bearer {token}"));
        }
        if let Some(var) = obj.get("bearer_token_env_var").and_then(Value::as_str) {
            headers
                .entry("Authorization".to_owned())
                .or_insert_with(|| format!("Bearer ${{{var}}}"));
        }
        obj.insert(
            "headers".to_owned(),
            Value::Object(
                headers
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect(),
            ),
        );
        common_entry(ctx, name, pointer, &obj);
    }
}

/// Zed: `context_servers.<name>` with either `command: {path, args, env}`
/// (older) or `command`, `args`, `env` (with `source: "custom"`), or `url`;
/// `source: "extension"` servers come from a Zed extension.
fn zed(ctx: &mut Ctx<'_>, servers: Option<&Value>) {
    let Some(servers) = servers else { return };
    let Some(map) = servers.as_object() else {
        ctx.problem("context_servers", "expected an object of servers");
        return;
    };
    for (name, v) in map {
        let pointer = format!("context_servers.{name}");
        let Some(obj) = v.as_object() else {
            ctx.problem(&pointer, "a server entry must be an object");
            continue;
        };
        let mut flat = obj.clone();
        if let Some(cmd) = obj.get("command").and_then(Value::as_object) {
            flat.insert(
                "command".to_owned(),
                cmd.get("path").cloned().unwrap_or(Value::Null),
            );
            for key in ["args", "env"] {
                if let Some(v) = cmd.get(key) {
                    flat.insert(key.to_owned(), v.clone());
                }
            }
        }
        if flat.get("command").and_then(Value::as_str).is_none() && flat.get("url").is_none() {
            // An extension-provided server: its code is the extension's.
            let mut e = ctx.entry(name, pointer);
            e.command = Some(format!("zed-extension:{name}"));
            ctx.out.servers.push(e);
            continue;
        }
        common_entry(ctx, name, pointer, &flat);
    }
}

/// Continue: `mcpServers:` a list of `{name, command, args, env, type,
/// url, requestOptions: {headers}}`. Block files may instead hold a
/// Claude-style `mcpServers` map.
fn continue_list(ctx: &mut Ctx<'_>, value: &Value) {
    match value.get("mcpServers") {
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let pointer = format!("mcpServers[{i}]");
                let Some(obj) = item.as_object() else {
                    ctx.problem(&pointer, "a server entry must be a mapping");
                    continue;
                };
                let name = obj
                    .get("name")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("server-{i}"), str::to_owned);
                let mut obj = obj.clone();
                if let Some(h) = item.get("requestOptions").and_then(|r| r.get("headers")) {
                    obj.insert("headers".to_owned(), h.clone());
                }
                common_entry(ctx, &name, pointer, &obj);
            }
        }
        Some(map @ Value::Object(_)) => servers_map(ctx, Some(map), "mcpServers"),
        Some(_) => ctx.problem("mcpServers", "expected a list of servers"),
        None => {}
    }
}

/// Goose: `extensions.<key>` with `type` (`stdio`, `sse`,
/// `streamable_http`, `builtin`, `platform`), `cmd`, `args`, `envs`, `uri`,
/// `headers`, `enabled`. Built-in extensions are part of Goose itself.
fn goose(ctx: &mut Ctx<'_>, extensions: Option<&Value>) {
    let Some(extensions) = extensions else { return };
    let Some(map) = extensions.as_object() else {
        ctx.problem("extensions", "expected a mapping of extensions");
        return;
    };
    for (key, v) in map {
        let pointer = format!("extensions.{key}");
        let Some(obj) = v.as_object() else {
            ctx.problem(&pointer, "an extension must be a mapping");
            continue;
        };
        let kind = obj.get("type").and_then(Value::as_str).unwrap_or("stdio");
        if matches!(kind, "builtin" | "platform" | "frontend" | "inline_python") {
            continue;
        }
        let name = obj.get("name").and_then(Value::as_str).unwrap_or(key);
        let mut flat = Map::new();
        if let Some(c) = obj.get("cmd") {
            flat.insert("command".to_owned(), c.clone());
        }
        for (from, to) in [
            ("args", "args"),
            ("envs", "env"),
            ("headers", "headers"),
            ("type", "type"),
        ] {
            if let Some(v) = obj.get(from) {
                flat.insert(to.to_owned(), v.clone());
            }
        }
        if let Some(u) = obj.get("uri").or_else(|| obj.get("url")) {
            flat.insert("url".to_owned(), u.clone());
        }
        if obj.get("enabled").and_then(Value::as_bool) == Some(false) {
            flat.insert("disabled".to_owned(), Value::Bool(true));
        }
        common_entry(ctx, name, pointer, &flat);
    }
}

/// OpenCode: `mcp.<name>` (or `mcp.servers.<name>`) with `type: "local"`
/// and `command: [program, args...]`, `environment`; or `type: "remote"`,
/// `url`, `headers`; `enabled`.
fn opencode(ctx: &mut Ctx<'_>, mcp: Option<&Value>) {
    let Some(mcp) = mcp else { return };
    let Some(mut map) = mcp.as_object() else {
        ctx.problem("mcp", "expected an object of servers");
        return;
    };
    let mut at = "mcp".to_owned();
    if let Some(inner) = map.get("servers").and_then(Value::as_object)
        && !inner.contains_key("type")
    {
        map = inner;
        at = "mcp.servers".to_owned();
    }
    for (name, v) in map {
        let pointer = format!("{at}.{name}");
        let Some(obj) = v.as_object() else {
            ctx.problem(&pointer, "a server entry must be an object");
            continue;
        };
        let mut flat = obj.clone();
        let command = string_list(obj.get("command"));
        if let Some((program, args)) = command.split_first() {
            flat.insert("command".to_owned(), Value::String(program.clone()));
            flat.insert(
                "args".to_owned(),
                Value::Array(args.iter().cloned().map(Value::String).collect()),
            );
        }
        if let Some(env) = obj.get("environment") {
            flat.insert("env".to_owned(), env.clone());
        }
        common_entry(ctx, name, pointer, &flat);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(v: Value, layout: Layout, client: Client) -> Parsed {
        parse(&v, layout, client, Path::new("/c/config"), Path::new("/c"))
    }

    #[test]
    fn mcp_servers_layout() {
        let p = run(
            json!({"mcpServers": {
                "fs": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"]},
                "remote": {"url": "https://mcp.invalid/sse"},
                "broken": {"env": {}},
                "odd": 3
            }}),
            Layout::McpServers,
            Client::Cursor,
        );
        assert_eq!(p.servers.len(), 2);
        assert_eq!(p.servers[0].name, "fs");
        assert_eq!(p.servers[1].transport, Transport::Sse);
        assert_eq!(p.problems.len(), 2);
    }

    #[test]
    fn gemini_url_kinds() {
        let p = run(
            json!({"mcpServers": {"a": {"httpUrl": "https://x.invalid/mcp"}, "b": {"url": "https://x.invalid/events"}}}),
            Layout::McpServers,
            Client::GeminiCli,
        );
        assert_eq!(p.servers[0].transport, Transport::Http);
        assert_eq!(p.servers[1].transport, Transport::Sse);
    }

    #[test]
    fn claude_code_projects() {
        let p = run(
            json!({"mcpServers": {"u": {"command": "node", "args": ["a.js"]}},
                   "projects": {"/w/app": {"mcpServers": {"p": {"type": "http", "url": "https://x.invalid/mcp"}}}}}),
            Layout::ClaudeCodeUser,
            Client::ClaudeCode,
        );
        assert_eq!(p.servers.len(), 2);
        assert_eq!(p.servers[1].base_dir, PathBuf::from("/w/app"));
        assert!(p.servers[1].pointer.contains("/w/app"));
    }

    #[test]
    fn codex_bearer_token_becomes_a_header() {
        let p = run(
            json!({"mcp_servers": {"docs": {"url": "https://x.invalid/mcp", "bearer_token": "abc"}}}),
            Layout::CodexToml,
            Client::Codex,
        );
        assert_eq!(p.servers[0].headers["Authorization"], "Bearer abc");
    }

    #[test]
    fn zed_both_command_forms_and_extensions() {
        let p = run(
            json!({"context_servers": {
                "a": {"command": {"path": "npx", "args": ["-y", "x"], "env": {}}},
                "b": {"source": "custom", "command": "uvx", "args": ["mcp-server-git"]},
                "c": {"source": "extension", "settings": {}}
            }}),
            Layout::Zed,
            Client::Zed,
        );
        assert_eq!(p.servers.len(), 3);
        assert_eq!(p.servers[0].command.as_deref(), Some("npx"));
        assert_eq!(p.servers[0].args, vec!["-y", "x"]);
        assert_eq!(p.servers[2].command.as_deref(), Some("zed-extension:c"));
    }

    #[test]
    fn goose_skips_builtins() {
        let p = run(
            json!({"extensions": {
                "developer": {"type": "builtin", "name": "developer", "enabled": true},
                "github": {"type": "stdio", "cmd": "npx", "args": ["-y", "x"], "envs": {"A": "b"}, "enabled": false},
                "r": {"type": "streamable_http", "uri": "https://x.invalid/mcp"}
            }}),
            Layout::GooseYaml,
            Client::Goose,
        );
        assert_eq!(p.servers.len(), 2);
        assert!(p.servers[0].disabled);
        assert_eq!(p.servers[1].transport, Transport::Http);
    }

    #[test]
    fn opencode_command_arrays() {
        let p = run(
            json!({"mcp": {"e": {"type": "local", "command": ["npx", "-y", "x@1.0.0"], "environment": {"K": "v"}}}}),
            Layout::OpenCode,
            Client::OpenCode,
        );
        assert_eq!(p.servers[0].command.as_deref(), Some("npx"));
        assert_eq!(p.servers[0].args, vec!["-y", "x@1.0.0"]);
        assert_eq!(p.servers[0].env["K"], "v");
    }

    #[test]
    fn continue_list_layout() {
        let p = run(
            json!({"mcpServers": [{"name": "Playwright", "command": "npx", "args": ["@playwright/mcp@latest"]}]}),
            Layout::ContinueYaml,
            Client::Continue,
        );
        assert_eq!(p.servers[0].name, "Playwright");
    }

    #[test]
    fn not_an_object() {
        let p = run(json!([1]), Layout::McpServers, Client::Cursor);
        assert!(p.servers.is_empty());
        assert_eq!(p.problems.len(), 1);
    }
}
