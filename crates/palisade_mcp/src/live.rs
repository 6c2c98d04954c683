//! `--live`: start a configured server, as its client would, and read its
//! tool definitions over MCP (`initialize`, `tools/list`, `prompts/list`,
//! `resources/list`), with `rmcp` as the client.
//!
//! This runs the server's code: it is opt-in, and the caller warns. A stdio
//! server gets only the environment its entry configures, plus `PATH` and
//! `HOME` (and on Windows `SYSTEMROOT`, `TEMP`, ...) so that it can start at
//! all; `${VAR}` / `${env:VAR}` references are expanded from palisade's own
//! environment the way clients do, `${input:...}` stays as written. The whole
//! session is bounded by a timeout, and the child is killed afterwards
//! whatever happened (`kill_on_drop`). Remote servers are reached with the
//! streamable-HTTP transport, sending the entry's headers.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use rmcp::ServiceExt as _;
use rmcp::model::ServerPeerInfo;
use rmcp::service::{RoleClient, RunningService};
use serde::Serialize;
use serde_json::Value;

use crate::model::{ServerEntry, Transport};
use crate::tools::{ServerTools, Tool};
use crate::vars::{VariableKind, variables};

/// The environment variables passed through to a started server besides its
/// configured ones: what is needed to find and start a program.
const PASS_THROUGH: &[&str] = &[
    "PATH",
    "HOME",
    // Windows cannot start most programs without these.
    "SYSTEMROOT",
    "SystemRoot",
    "WINDIR",
    "TEMP",
    "TMP",
    "USERPROFILE",
    "APPDATA",
    "LOCALAPPDATA",
    "PATHEXT",
    "COMSPEC",
];

/// Most tools, prompts or resources kept from one server.
pub const MAX_ITEMS: usize = 10_000;

/// Why a live listing failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LiveError {
    #[error("did not answer within {} s (timed out; the server was stopped)", .0.as_secs())]
    Timeout(Duration),
    #[error("cannot start `{command}`: {message}")]
    Spawn { command: String, message: String },
    #[error("MCP `initialize` failed: {0}")]
    Initialize(String),
    #[error("`{method}` failed: {message}")]
    Request {
        method: &'static str,
        message: String,
    },
    #[error("{0}")]
    Unsupported(String),
}

/// What a server said about itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LiveListing {
    /// `serverInfo.name` and `version`, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_version: Option<String>,
    /// The server's `instructions` (read by the model like a description).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// Each tool as the server sent it (JSON).
    #[serde(skip)]
    pub tools: Vec<Value>,
    /// Prompt and resource names, for the report.
    pub prompts: Vec<String>,
    pub resources: Vec<String>,
}

impl LiveListing {
    /// The tools, parsed for the tool rules, under the server's name.
    pub fn server_tools(&self, server: &str) -> ServerTools {
        ServerTools {
            server: server.to_owned(),
            tools: self.tools.iter().filter_map(Tool::from_json).collect(),
        }
    }
}

/// Starts (or connects to) the server of `entry` and lists what it offers,
/// giving up after `timeout`.
///
/// # Errors
/// [`LiveError`]: the server could not be started, did not speak MCP, or
/// did not answer in time.
pub fn list(entry: &ServerEntry, timeout: Duration) -> Result<LiveListing, LiveError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| LiveError::Unsupported(format!("cannot start an async runtime: {e}")))?;
    let result = runtime.block_on(async {
        match tokio::time::timeout(timeout, session(entry)).await {
            Ok(r) => r,
            Err(_) => Err(LiveError::Timeout(timeout)),
        }
    });
    // Dropping the runtime drops the transport's tasks, and with them the
    // child process (`kill_on_drop`).
    runtime.shutdown_timeout(Duration::from_secs(2));
    result
}

async fn session(entry: &ServerEntry) -> Result<LiveListing, LiveError> {
    match entry.transport {
        Transport::Stdio => {
            let command = entry
                .command
                .as_deref()
                .ok_or_else(|| LiveError::Unsupported("no command to start".to_owned()))?;
            let mut cmd = tokio::process::Command::new(expand(command));
            cmd.args(entry.args.iter().map(|a| expand(a)))
                .env_clear()
                .envs(
                    PASS_THROUGH
                        .iter()
                        .filter_map(|k| std::env::var_os(k).map(|v| (*k, v))),
                )
                .envs(entry.env.iter().map(|(k, v)| (k, expand(v))))
                .kill_on_drop(true);
            if let Some(dir) = working_dir(entry) {
                cmd.current_dir(dir);
            }
            let (transport, _stderr) = rmcp::transport::TokioChildProcess::builder(cmd)
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| LiveError::Spawn {
                    command: command.to_owned(),
                    message: e.to_string(),
                })?;
            let client = ()
                .serve(transport)
                .await
                .map_err(|e| LiveError::Initialize(tidy(&e.to_string())))?;
            finish(client).await
        }
        Transport::Http => {
            let url = entry
                .url
                .as_deref()
                .ok_or_else(|| LiveError::Unsupported("no URL".to_owned()))?;
            let mut headers = HashMap::new();
            for (k, v) in &entry.headers {
                let name = reqwest::header::HeaderName::from_bytes(k.as_bytes()).map_err(|e| {
                    LiveError::Unsupported(format!("header `{k}` is not valid: {e}"))
                })?;
                let value = reqwest::header::HeaderValue::from_str(&expand(v)).map_err(|_| {
                    LiveError::Unsupported(format!("the value of header `{k}` is not valid"))
                })?;
                headers.insert(name, value);
            }
            let config = rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig::with_uri(expand(url))
                .custom_headers(headers);
            let transport = rmcp::transport::StreamableHttpClientTransport::from_config(config);
            let client = ()
                .serve(transport)
                .await
                .map_err(|e| LiveError::Initialize(tidy(&e.to_string())))?;
            finish(client).await
        }
        Transport::Sse => Err(LiveError::Unsupported(
            "the older HTTP+SSE transport is not supported by `--live`".to_owned(),
        )),
    }
}

/// Lists tools, prompts and resources, then closes the session.
async fn finish(client: RunningService<RoleClient, ()>) -> Result<LiveListing, LiveError> {
    let result = listing(&client).await;
    // Close stdin and wait briefly; the caller's timeout and `kill_on_drop`
    // bound the rest.
    let _ = tokio::time::timeout(Duration::from_secs(2), client.cancel()).await;
    result
}

async fn listing(client: &RunningService<RoleClient, ()>) -> Result<LiveListing, LiveError> {
    let info: Option<std::sync::Arc<ServerPeerInfo>> = client.peer_info();
    let mut out = LiveListing::default();
    if let Some(info) = &info {
        out.instructions = info.instructions.clone();
        out.server_name = info.server_info.as_ref().map(|i| i.name.clone());
        out.server_version = info.server_info.as_ref().map(|i| i.version.clone());
    }
    let caps = info.as_ref().map(|i| &i.capabilities);
    let tools = client
        .list_all_tools()
        .await
        .map_err(|e| LiveError::Request {
            method: "tools/list",
            message: tidy(&e.to_string()),
        })?;
    out.tools = tools
        .iter()
        .take(MAX_ITEMS)
        .filter_map(|t| serde_json::to_value(t).ok())
        .collect();
    // Prompts and resources are optional: a server without them (or one
    // that errors) still has its tools reported.
    if caps.is_none_or(|c| c.prompts.is_some())
        && let Ok(prompts) = client.list_all_prompts().await
    {
        out.prompts = prompts
            .iter()
            .take(MAX_ITEMS)
            .map(|p| p.name.clone())
            .collect();
    }
    if caps.is_none_or(|c| c.resources.is_some())
        && let Ok(resources) = client.list_all_resources().await
    {
        out.resources = resources
            .iter()
            .take(MAX_ITEMS)
            .map(|r| r.uri.clone())
            .collect();
    }
    Ok(out)
}

/// An `rmcp` error message without the Rust type names of its transport
/// (`Transport [rmcp::transport::...] error: ...`).
fn tidy(message: &str) -> String {
    let mut out = message.to_owned();
    while let Some(start) = out.find(" [rmcp::") {
        // The type name nests brackets: find the matching one.
        let mut depth = 0usize;
        let mut end = None;
        for (i, c) in out[start + 1..].char_indices() {
            match c {
                '[' | '<' => depth += 1,
                ']' | '>' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 && c == ']' {
                        end = Some(start + 1 + i + 1);
                        break;
                    }
                }
                _ => {}
            }
        }
        match end {
            Some(end) => out.replace_range(start..end, ""),
            None => break,
        }
    }
    out
}

/// The folder the client would start the server in: its `cwd` (read
/// against the config's folder), else the config's folder.
fn working_dir(entry: &ServerEntry) -> Option<PathBuf> {
    let dir = match &entry.cwd {
        Some(c) => entry.base_dir.join(expand(c)),
        None => entry.base_dir.clone(),
    };
    dir.is_dir().then_some(dir)
}

/// `value` with environment references (`${VAR}`, `${env:VAR}`, `$VAR`...)
/// replaced by palisade's environment, as clients do; an unset variable
/// becomes empty; `${input:...}` and client-defined variables stay.
pub fn expand(value: &str) -> String {
    let mut out = value.to_owned();
    for v in variables(value) {
        if v.kind == VariableKind::Env {
            let with = std::env::var(&v.name).unwrap_or_default();
            out = out.replacen(&v.raw, &with, 1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expand_env_only() {
        // PATH is set in any test environment.
        let path = std::env::var("PATH").unwrap_or_default();
        assert_eq!(expand("a ${PATH} b"), format!("a {path} b"));
        assert_eq!(expand("${input:token}"), "${input:token}");
        assert_eq!(expand("${PALISADE_SURELY_UNSET_VARIABLE}"), "");
        assert_eq!(expand("plain"), "plain");
    }

    #[test]
    fn tidy_drops_transport_type_names() {
        assert_eq!(
            tidy(
                "Send message error Transport [rmcp::transport::worker::WorkerTransport<rmcp::X<reqwest::Client>>] error: Client error: refused"
            ),
            "Send message error Transport error: Client error: refused"
        );
        assert_eq!(tidy("plain [x]"), "plain [x]");
    }

    #[test]
    fn a_missing_command_is_a_spawn_error() {
        let mut entry = crate::rules::config::test_support::stdio(
            "/nonexistent/palisade-no-such-server --stdio",
        );
        entry.base_dir = PathBuf::from("/nonexistent");
        match list(&entry, Duration::from_secs(5)) {
            Err(LiveError::Spawn { command, .. }) => {
                assert_eq!(command, "/nonexistent/palisade-no-such-server");
            }
            other => panic!("expected a spawn error, got {other:?}"),
        }
    }
}
