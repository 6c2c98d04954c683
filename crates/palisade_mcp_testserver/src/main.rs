//! `palisade-mcp-testserver`: a stdio MCP server for palisade's tests, built
//! with `rmcp`. It serves the tool definitions of a JSON file, so a test can
//! change one description between two runs (a rug pull).
//!
//! Usage: `palisade-mcp-testserver [--tools FILE] [--instructions TEXT]
//! [--prompts] [--hang] [--env-tools]`. The tools file may also come from the
//! environment variable `PALISADE_TESTSERVER_TOOLS`. It holds a `tools/list`
//! result (`{"tools": [...]}`) or a bare array of tools.
//!
//! - `--hang`: never answer, not even `initialize` (a hung server);
//! - `--prompts`: also serve one prompt and one resource;
//! - `--env-tools`: add one tool `env_<NAME>` per environment variable the
//!   server was started with, so a test can see which environment a client
//!   gave it.
//!
//! It answers no `tools/call` with real work: nothing here reads files or
//! talks to the network.

use std::process::ExitCode;

use rmcp::ServiceExt as _;
use rmcp::model::{
    Implementation, ListPromptsResult, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams, Prompt, Resource, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::{ErrorData, ServerHandler};
use serde_json::{Value, json};

/// Largest tools file read.
const MAX_TOOLS_BYTES: u64 = 4 * 1024 * 1024;

struct TestServer {
    tools: Vec<Tool>,
    instructions: Option<String>,
    prompts: bool,
}

impl ServerHandler for TestServer {
    fn get_info(&self) -> ServerConfig {
        let caps = if self.prompts {
            ServerCapabilities::builder()
                .enable_tools()
                .enable_prompts()
                .enable_resources()
                .build()
        } else {
            ServerCapabilities::builder().enable_tools().build()
        };
        let config = ServerConfig::new(caps)
            .with_server_info(Implementation::new("palisade-mcp-testserver", "1.0.0"));
        match &self.instructions {
            Some(i) => config.with_instructions(i.clone()),
            None => config,
        }
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools.clone()))
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        if !self.prompts {
            return Err(ErrorData::method_not_found::<
                rmcp::model::ListPromptsRequestMethod,
            >());
        }
        let prompt: Prompt = serde_json::from_value(json!({
            "name": "summarise",
            "description": "Summarise a document."
        }))
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        Ok(ListPromptsResult::with_all_items(vec![prompt]))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        if !self.prompts {
            return Err(ErrorData::method_not_found::<
                rmcp::model::ListResourcesRequestMethod,
            >());
        }
        let resource: Resource = serde_json::from_value(json!({
            "uri": "memo://readme",
            "name": "readme"
        }))
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        Ok(ListResourcesResult::with_all_items(vec![resource]))
    }
}

struct Options {
    tools: Option<String>,
    instructions: Option<String>,
    prompts: bool,
    hang: bool,
    env_tools: bool,
}

fn parse_args() -> Result<Options, String> {
    let mut opts = Options {
        tools: std::env::var("PALISADE_TESTSERVER_TOOLS")
            .ok()
            .filter(|v| !v.is_empty()),
        instructions: None,
        prompts: false,
        hang: false,
        env_tools: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--tools" => opts.tools = Some(args.next().ok_or("--tools needs a file")?),
            "--instructions" => {
                opts.instructions = Some(args.next().ok_or("--instructions needs a text")?);
            }
            "--prompts" => opts.prompts = true,
            "--hang" => opts.hang = true,
            "--env-tools" => opts.env_tools = true,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(opts)
}

fn read_tools(path: &str) -> Result<Vec<Tool>, String> {
    let len = std::fs::metadata(path)
        .map_err(|e| format!("`{path}`: {e}"))?
        .len();
    if len > MAX_TOOLS_BYTES {
        return Err(format!("`{path}`: larger than {MAX_TOOLS_BYTES} bytes"));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("`{path}`: {e}"))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| format!("`{path}`: {e}"))?;
    let list = match value {
        Value::Array(items) => items,
        Value::Object(mut o) => match o.remove("tools") {
            Some(Value::Array(items)) => items,
            _ => return Err(format!("`{path}`: expected a `tools` array")),
        },
        _ => return Err(format!("`{path}`: expected a `tools` array")),
    };
    list.into_iter()
        .enumerate()
        .map(|(i, t)| serde_json::from_value(t).map_err(|e| format!("`{path}`: tool {i}: {e}")))
        .collect()
}

fn env_tools() -> Result<Vec<Tool>, String> {
    let mut names: Vec<String> = std::env::vars_os()
        .map(|(k, _)| k.to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            serde_json::from_value(json!({
                "name": format!("env_{name}"),
                "description": "Reports that this variable is set.",
                "inputSchema": {"type": "object", "properties": {}}
            }))
            .map_err(|e| e.to_string())
        })
        .collect()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("palisade-mcp-testserver: {e}");
            return ExitCode::from(2);
        }
    };
    if opts.hang {
        // Read nothing, answer nothing: the client must give up by itself.
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    }
    let mut tools = match opts.tools.as_deref().map(read_tools).transpose() {
        Ok(t) => t.unwrap_or_default(),
        Err(e) => {
            eprintln!("palisade-mcp-testserver: {e}");
            return ExitCode::from(2);
        }
    };
    if opts.env_tools {
        match env_tools() {
            Ok(t) => tools.extend(t),
            Err(e) => {
                eprintln!("palisade-mcp-testserver: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let server = TestServer {
        tools,
        instructions: opts.instructions,
        prompts: opts.prompts,
    };
    match server.serve(rmcp::transport::stdio()).await {
        Ok(running) => {
            let _ = running.waiting().await;
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("palisade-mcp-testserver: {e}");
            ExitCode::from(1)
        }
    }
}
