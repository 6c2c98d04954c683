//! Rules over tool definitions: tool poisoning, hidden text, shadowing.

pub mod conceals_from_user;
pub mod cross_server_shadowing;
pub mod data_carrier_parameter;
pub mod exfiltration_destination;
pub mod hidden_unicode;
pub mod instruction_block;
pub mod orders_tool_call;
pub mod safety_override;
pub mod sensitive_file_instruction;

use std::sync::LazyLock;

use regex::Regex;

/// Compiles a pattern written in this crate (a bad pattern is a bug caught
/// by the tests, which compile every pattern).
pub(crate) fn re(pattern: &str) -> Regex {
    match Regex::new(pattern) {
        Ok(r) => r,
        Err(e) => panic!("bad pattern {pattern:?}: {e}"),
    }
}

/// The sentence (or line) of `text` around byte offset `at`. A period ends
/// a sentence only before white space or the end (`~/.ssh/id_rsa` and
/// `mcp.json` stay whole).
pub(crate) fn sentence_at(text: &str, at: usize) -> &str {
    let bytes = text.as_bytes();
    let is_end = |i: usize| match bytes[i] {
        b'\n' | b'!' | b'?' => true,
        b'.' => bytes.get(i + 1).is_none_or(u8::is_ascii_whitespace),
        _ => false,
    };
    let at = at.min(text.len());
    let start = (0..at).rev().find(|&i| is_end(i)).map_or(0, |i| i + 1);
    let end = (at..text.len()).find(|&i| is_end(i)).unwrap_or(text.len());
    &text[start..end]
}

/// Tool-name-shaped words: `snake_case`, `kebab-case` or `camelCase`,
/// optionally in backticks or quotes.
pub(crate) static TOOL_NAME: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"[`'\x22]?\b([A-Za-z][A-Za-z0-9]*(?:[_\-][A-Za-z0-9]+)+|[a-z]+(?:[A-Z][a-z0-9]+)+)\b[`'\x22]?",
    )
});

/// Realistic descriptions of the kind popular servers expose (filesystem,
/// git, GitHub, Postgres, browser automation, fetch, memory, Slack):
/// every tool rule must stay silent on all of them.
#[cfg(test)]
pub(crate) mod benign {
    use serde_json::{Value, json};

    use crate::tools::{ServerTools, Tool};

    fn tool(name: &str, description: &str, params: Value) -> Tool {
        Tool::from_json(&json!({
            "name": name,
            "description": description,
            "inputSchema": {"type": "object", "properties": params}
        }))
        .expect("tool")
    }

    /// Servers with ordinary tools.
    pub fn servers() -> Vec<ServerTools> {
        vec![
            ServerTools {
                server: "filesystem".into(),
                tools: vec![
                    tool(
                        "read_text_file",
                        "Read the complete contents of a file from the file system as text. Handles various text encodings and provides detailed error messages if the file cannot be read. Use this tool when you need to examine the contents of a single file. Use the 'head' parameter to read only the first N lines of a file, or the 'tail' parameter to read only the last N lines. Only works within allowed directories.",
                        json!({"path": {"type": "string"}, "head": {"type": "number", "description": "If provided, returns only the first N lines of the file"}}),
                    ),
                    tool(
                        "write_file",
                        "Create a new file or completely overwrite an existing file with new content. Use with caution as it will overwrite existing files without warning. Handles text content with proper encoding. Only works within allowed directories.",
                        json!({"path": {"type": "string"}, "content": {"type": "string"}}),
                    ),
                    tool(
                        "edit_file",
                        "Make line-based edits to a text file. Each edit replaces exact line sequences with new content. Returns a git-style diff showing the changes made. Only works within allowed directories.",
                        json!({"path": {"type": "string"}, "dryRun": {"type": "boolean", "description": "Preview changes using git-style diff format"}}),
                    ),
                    tool(
                        "search_files",
                        "Recursively search for files and directories matching a pattern. Searches through all subdirectories from the starting path. The search is case-insensitive and matches partial names. Returns full paths to all matching items. Great for finding files when you don't know their exact location. Only searches within allowed directories.",
                        json!({"path": {"type": "string"}, "pattern": {"type": "string"}, "excludePatterns": {"type": "array", "items": {"type": "string"}}}),
                    ),
                    tool(
                        "list_allowed_directories",
                        "Returns the list of directories that this server is allowed to access. Use this to understand which directories are available before trying to access files.",
                        json!({}),
                    ),
                ],
            },
            ServerTools {
                server: "git".into(),
                tools: vec![
                    tool(
                        "git_status",
                        "Shows the working tree status",
                        json!({"repo_path": {"type": "string"}}),
                    ),
                    tool(
                        "git_diff_unstaged",
                        "Shows changes in the working directory that are not yet staged",
                        json!({"repo_path": {"type": "string"}, "context_lines": {"type": "integer"}}),
                    ),
                    tool(
                        "git_commit",
                        "Records changes to the repository",
                        json!({"repo_path": {"type": "string"}, "message": {"type": "string", "description": "Commit message"}}),
                    ),
                    tool(
                        "git_log",
                        "Shows the commit logs",
                        json!({"repo_path": {"type": "string"}, "max_count": {"type": "integer"}}),
                    ),
                    tool(
                        "git_checkout",
                        "Switches branches",
                        json!({"repo_path": {"type": "string"}, "branch_name": {"type": "string"}}),
                    ),
                ],
            },
            ServerTools {
                server: "github".into(),
                tools: vec![
                    tool(
                        "create_or_update_file",
                        "Create or update a single file in a GitHub repository. If updating, you must provide the SHA of the file you want to update. Use this tool to create or update a file in a GitHub repository remotely; if you are working with a local repository, use local tools instead.",
                        json!({"owner": {"type": "string", "description": "Repository owner (username or organization)"}, "repo": {"type": "string"}, "path": {"type": "string", "description": "Path where to create/update the file"}, "sha": {"type": "string", "description": "The blob SHA of the file being replaced. Required if the file already exists."}}),
                    ),
                    tool(
                        "create_pull_request",
                        "Create a new pull request in a GitHub repository.",
                        json!({"title": {"type": "string"}, "body": {"type": "string", "description": "PR description"}, "head": {"type": "string", "description": "Branch containing changes"}, "base": {"type": "string", "description": "Branch to merge into"}}),
                    ),
                    tool(
                        "search_code",
                        "Fast and precise code search across ALL GitHub repositories using GitHub's native search engine. Best for finding exact symbols, functions, classes, or specific code patterns. Use this when you need to find where a function is defined; for broader questions, call search_repositories first.",
                        json!({"query": {"type": "string", "description": "Search query using GitHub's powerful code search syntax. Examples: 'content:Skill language:Java org:github', 'NOT is:archived language:Python OR language:go', 'repo:github/github-mcp-server'."}}),
                    ),
                    tool(
                        "add_issue_comment",
                        "Add a comment to a specific issue in a GitHub repository. Use this tool to add comments to pull requests as well (in this case pass pull request number as issue_number), but only if user is not asking specifically to add review comments.",
                        json!({"issue_number": {"type": "number"}, "body": {"type": "string", "description": "Comment content"}}),
                    ),
                    tool(
                        "get_file_contents",
                        "Get the contents of a file or directory from a GitHub repository, for example the README.md, package.json or a .github/workflows file.",
                        json!({"path": {"type": "string", "description": "Path to file/directory (directories must end with a slash '/')"}, "ref": {"type": "string", "description": "Accepts optional git refs such as `refs/tags/{tag}`, `refs/heads/{branch}` or `refs/pull/{pr_number}/head`"}}),
                    ),
                ],
            },
            ServerTools {
                server: "postgres".into(),
                tools: vec![
                    tool(
                        "query",
                        "Run a read-only SQL query",
                        json!({"sql": {"type": "string"}}),
                    ),
                    tool(
                        "list_schemas",
                        "List all schemas in the database, including system schemas. Use this before `list_objects` to find the schema name.",
                        json!({}),
                    ),
                    tool(
                        "explain_query",
                        "Explains the execution plan for a SQL query, showing how the database will execute it and provides detailed cost estimates.",
                        json!({"sql": {"type": "string"}, "analyze": {"type": "boolean", "description": "When true, actually runs the query to show real execution statistics instead of estimates. Takes longer but provides more accurate information."}}),
                    ),
                ],
            },
            ServerTools {
                server: "playwright".into(),
                tools: vec![
                    tool(
                        "browser_navigate",
                        "Navigate to a URL",
                        json!({"url": {"type": "string", "description": "The URL to navigate to"}}),
                    ),
                    tool(
                        "browser_snapshot",
                        "Capture accessibility snapshot of the current page, this is better than screenshot",
                        json!({}),
                    ),
                    tool(
                        "browser_click",
                        "Perform click on a web page",
                        json!({"element": {"type": "string", "description": "Human-readable element description used to obtain permission to interact with the element"}, "ref": {"type": "string", "description": "Exact target element reference from the page snapshot"}}),
                    ),
                    tool(
                        "browser_take_screenshot",
                        "Take a screenshot of the current page. You can't perform actions based on the screenshot, use browser_snapshot for actions.",
                        json!({"type": {"type": "string", "enum": ["png", "jpeg"]}, "filename": {"type": "string", "description": "File name to save the screenshot to. Defaults to `page-{timestamp}.{png|jpeg}` if not specified."}}),
                    ),
                    tool(
                        "browser_file_upload",
                        "Upload one or multiple files",
                        json!({"paths": {"type": "array", "description": "The absolute paths to the files to upload. Can be a single file or multiple files."}}),
                    ),
                    tool(
                        "browser_network_requests",
                        "Returns all network requests since loading the page",
                        json!({}),
                    ),
                ],
            },
            ServerTools {
                server: "fetch".into(),
                tools: vec![tool(
                    "fetch",
                    "Fetches a URL from the internet and optionally extracts its contents as markdown.\n\nAlthough originally you did not have internet access, and were advised to refuse and tell the user this, this tool now grants you internet access. Now you can fetch the most up-to-date information and let the user know that.",
                    json!({"url": {"type": "string", "description": "URL to fetch"}, "max_length": {"type": "integer", "description": "Maximum number of characters to return."}, "raw": {"type": "boolean", "description": "Get the actual HTML content of the requested page, without simplification."}}),
                )],
            },
            ServerTools {
                server: "memory".into(),
                tools: vec![
                    tool(
                        "create_entities",
                        "Create multiple new entities in the knowledge graph",
                        json!({"entities": {"type": "array"}}),
                    ),
                    tool(
                        "add_observations",
                        "Add new observations to existing entities in the knowledge graph",
                        json!({"observations": {"type": "array", "items": {"type": "object", "properties": {"contents": {"type": "array", "description": "An array of observation contents to add"}}}}}),
                    ),
                ],
            },
            ServerTools {
                server: "slack".into(),
                tools: vec![
                    tool(
                        "slack_post_message",
                        "Post a new message to a Slack channel",
                        json!({"channel_id": {"type": "string", "description": "The ID of the channel to post to"}, "text": {"type": "string", "description": "The message text to post"}}),
                    ),
                    tool(
                        "slack_reply_to_thread",
                        "Reply to a specific message thread in Slack",
                        json!({"thread_ts": {"type": "string", "description": "The timestamp of the parent message in the format '1234567890.123456'. Timestamps in the format without the period can be converted by adding the period such that 6 numbers come after it."}}),
                    ),
                ],
            },
            ServerTools {
                server: "search".into(),
                tools: vec![
                    tool(
                        "web_search",
                        "Performs a web search using the Brave Search API, ideal for general queries, news, articles, and online content. Use this for broad information gathering, recent events, or when you need diverse web sources. Supports pagination, content filtering, and freshness controls. Maximum 20 results per request 👩‍💻",
                        json!({"query": {"type": "string", "description": "Search query (max 400 chars, 50 words)"}, "context": {"type": "string", "description": "Additional context to narrow the search, such as a product or library name"}, "notes": {"type": "string", "description": "Optional notes to store with the saved search"}}),
                    ),
                    tool(
                        "send_email",
                        "Send an email to one or more recipients using Postmark. The sender is the configured default sender unless `from` is given.",
                        json!({"to": {"type": "string", "description": "Recipient email address"}, "subject": {"type": "string"}, "textBody": {"type": "string"}, "debug": {"type": "boolean", "description": "Log the request and response to stderr"}}),
                    ),
                ],
            },
        ]
    }
}

#[cfg(test)]
pub(crate) mod tester {
    use palisade_diagnostics::Finding;
    use serde_json::json;

    use crate::rules::ToolRule;
    use crate::tools::{ServerTools, Tool, ToolContext};

    /// A one-tool server named `evil` with this description.
    pub fn described(description: &str) -> ServerTools {
        ServerTools {
            server: "evil".into(),
            tools: vec![Tool::from_json(&json!({"name": "add", "description": description, "inputSchema": {"type": "object", "properties": {"a": {"type": "number"}}}})).expect("tool")],
        }
    }

    /// Runs `rule` over every tool of `target` with `others` also present.
    pub fn run(rule: &dyn ToolRule, target: &ServerTools, others: &[ServerTools]) -> Vec<Finding> {
        let mut all = vec![target.clone()];
        all.extend(others.iter().cloned());
        let ctx = ToolContext {
            server: &all[0],
            all: &all,
        };
        let mut out = Vec::new();
        for tool in &all[0].tools {
            rule.check(&ctx, tool, &mut out);
        }
        for f in &out {
            assert_eq!(f.rule, rule.meta().id);
        }
        out
    }

    /// Asserts `rule` fires on each description and is silent over the
    /// ordinary servers and the extra silent descriptions.
    pub fn test(rule: &dyn ToolRule, fire: &[&str], silent: &[&str]) {
        for d in fire {
            assert!(
                !run(rule, &described(d), &super::benign::servers()).is_empty(),
                "should fire: {d}"
            );
        }
        for d in silent {
            let f = run(rule, &described(d), &super::benign::servers());
            assert!(f.is_empty(), "should stay silent: {d}\n{f:#?}");
        }
        let servers = super::benign::servers();
        for (i, s) in servers.iter().enumerate() {
            let others: Vec<ServerTools> = servers
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, s)| s.clone())
                .collect();
            let f = run(rule, s, &others);
            assert!(
                f.is_empty(),
                "should stay silent on server `{}`:\n{f:#?}",
                s.server
            );
        }
    }
}
