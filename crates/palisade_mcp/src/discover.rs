//! Where AI clients keep their MCP configuration, on Linux, macOS and
//! Windows, and reading all of it.
//!
//! Every user-level location of every platform is tried under the home
//! folder (a file that does not exist is skipped), so a home copied from
//! another system is read as well, and tests can build a fake home. Sources
//! for the paths and layouts, looked up in each client's documentation:
//!
//! - Claude Desktop: `claude_desktop_config.json` in
//!   `~/Library/Application Support/Claude/` (macOS), `%APPDATA%\Claude\`
//!   (Windows), `$XDG_CONFIG_HOME/Claude/` (Linux builds); `mcpServers`.
//!   (MCP user quickstart; vendor guides such as Playwright MCP's.)
//! - Claude Code: `~/.claude.json`, top-level `mcpServers` (user scope) and
//!   `projects.<path>.mcpServers` (local scope); `.mcp.json` in the project
//!   (project scope). (Claude Code docs, "MCP installation scopes".)
//! - Cursor: `~/.cursor/mcp.json` and `.cursor/mcp.json`; `mcpServers`,
//!   `url` for remote servers. (cursor.com/docs/mcp.)
//! - VS Code: `mcp.json` in the user folder (`Code/User/` under the config
//!   folder of each OS) and `.vscode/mcp.json`, with `servers` and
//!   `inputs`; also an `mcp` key in user `settings.json`. Both are JSON with
//!   comments. (code.visualstudio.com, "MCP configuration reference".)
//! - Windsurf: `~/.codeium/windsurf/mcp_config.json`; `serverUrl` for
//!   remote servers. (docs.windsurf.com, Cascade MCP.)
//! - Gemini CLI: `~/.gemini/settings.json` and `.gemini/settings.json`;
//!   `command`, `url` (SSE), `httpUrl` (streamable HTTP).
//!   (gemini-cli `docs/tools/mcp-server.md`.)
//! - Codex: `$CODEX_HOME/config.toml` (default `~/.codex`) and
//!   `.codex/config.toml`; `[mcp_servers.<name>]`. (Codex `docs/config.md`.)
//! - Zed: `settings.json` in `~/.config/zed/` (Linux, macOS),
//!   `~/Library/Application Support/Zed/`, `%APPDATA%\Zed\`, and
//!   `.zed/settings.json`; `context_servers`. (zed.dev docs, context servers.)
//! - Cline: `~/.cline/data/settings/cline_mcp_settings.json`, and the VS Code
//!   extension's `globalStorage/saoudrizwan.claude-dev/settings/` in each
//!   editor's user folder. (docs.cline.bot, configuration.)
//! - Continue: `~/.continue/config.yaml` (`mcpServers:` list) and block files
//!   in `~/.continue/mcpServers/` and `.continue/mcpServers/` (YAML, or JSON
//!   in the Claude layout). (docs.continue.dev, MCP deep dive.)
//! - Goose: `~/.config/goose/config.yaml`,
//!   `%APPDATA%\Block\goose\config\config.yaml`; `extensions`.
//!   (block.github.io/goose, configuration files.)
//! - OpenCode: `~/.config/opencode/opencode.json(c)`, `opencode.json(c)` and
//!   `.opencode/opencode.json(c)` in the project; `mcp`. (opencode.ai docs,
//!   MCP servers.)
//! - LM Studio: `~/.lmstudio/mcp.json` (Cursor's layout); some macOS
//!   versions keep it in `~/.cache/lm-studio/mcp.json`
//!   (lmstudio.ai/docs/app/mcp; lmstudio-bug-tracker issue 1371).
//! - Kiro: `~/.kiro/settings/mcp.json` and `.kiro/settings/mcp.json`;
//!   `mcpServers`. (kiro.dev/docs/mcp/configuration.)

use std::path::{Path, PathBuf};

use crate::Error;
use crate::model::{Client, ServerEntry};
use crate::parse::{self, Layout};
use crate::read::{self, Format};

/// The folders discovery starts from.
#[derive(Debug, Clone)]
pub struct Env {
    pub home: PathBuf,
    /// `$XDG_CONFIG_HOME`; `~/.config` when unset.
    pub xdg_config_home: Option<PathBuf>,
    /// `%APPDATA%`; `~/AppData/Roaming` when unset.
    pub appdata: Option<PathBuf>,
    /// `$CODEX_HOME`; `~/.codex` when unset.
    pub codex_home: Option<PathBuf>,
    /// The project folder whose project-level files are read.
    pub project: Option<PathBuf>,
}

impl Env {
    /// From the process environment: `HOME` (`USERPROFILE` on Windows),
    /// `XDG_CONFIG_HOME`, `APPDATA`, `CODEX_HOME`, and the working folder.
    pub fn from_process() -> Option<Env> {
        let var = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let home = var("HOME").or_else(|| var("USERPROFILE"))?;
        Some(Env {
            home,
            xdg_config_home: var("XDG_CONFIG_HOME"),
            appdata: var("APPDATA"),
            codex_home: var("CODEX_HOME"),
            project: std::env::current_dir().ok(),
        })
    }

    /// Only `home` (for `--home`): every other folder derives from it, so
    /// nothing outside it is read.
    pub fn with_home(home: impl Into<PathBuf>, project: Option<PathBuf>) -> Env {
        Env {
            home: home.into(),
            xdg_config_home: None,
            appdata: None,
            codex_home: None,
            project,
        }
    }

    fn xdg(&self) -> PathBuf {
        self.xdg_config_home
            .clone()
            .unwrap_or_else(|| self.home.join(".config"))
    }

    fn appdata(&self) -> PathBuf {
        self.appdata
            .clone()
            .unwrap_or_else(|| self.home.join("AppData").join("Roaming"))
    }

    fn mac_support(&self) -> PathBuf {
        self.home.join("Library").join("Application Support")
    }

    /// The per-user application-data folders of the three platforms.
    fn app_dirs(&self) -> [PathBuf; 3] {
        [self.mac_support(), self.appdata(), self.xdg()]
    }
}

/// One place a client may keep MCP configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub client: Client,
    pub path: PathBuf,
    pub layout: Layout,
    pub format: Format,
    /// Relative paths in its entries are read against this folder.
    pub base_dir: PathBuf,
}

fn loc(client: Client, path: PathBuf, layout: Layout, base: &Path) -> Location {
    let format = match Format::of(&path) {
        // These clients document comments in their JSON files.
        Format::Json if matches!(client, Client::VsCode | Client::Zed | Client::OpenCode) => {
            Format::Jsonc
        }
        f => f,
    };
    Location {
        client,
        path,
        layout,
        format,
        base_dir: base.to_path_buf(),
    }
}

/// Editors that share VS Code's user-folder layout (for VS Code itself and
/// for the Cline extension).
const VSCODE_EDITORS: &[&str] = &["Code", "Code - Insiders", "VSCodium"];
const CLINE_HOSTS: &[&str] = &["Code", "Code - Insiders", "VSCodium", "Cursor", "Windsurf"];
const CLINE_STORAGE: &str = "globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json";

/// Every user-level location under `env`, in report order.
pub fn user_locations(env: &Env) -> Vec<Location> {
    use Client::*;
    let h = &env.home;
    let mut out = Vec::new();
    for dir in env.app_dirs() {
        out.push(loc(
            ClaudeDesktop,
            dir.join("Claude/claude_desktop_config.json"),
            Layout::McpServers,
            h,
        ));
    }
    out.push(loc(
        ClaudeCode,
        h.join(".claude.json"),
        Layout::ClaudeCodeUser,
        h,
    ));
    out.push(loc(
        Cursor,
        h.join(".cursor/mcp.json"),
        Layout::McpServers,
        h,
    ));
    for dir in env.app_dirs() {
        for editor in VSCODE_EDITORS {
            let user = dir.join(editor).join("User");
            out.push(loc(VsCode, user.join("mcp.json"), Layout::VsCodeMcp, h));
            out.push(loc(
                VsCode,
                user.join("settings.json"),
                Layout::VsCodeSettings,
                h,
            ));
        }
    }
    out.push(loc(
        Windsurf,
        h.join(".codeium/windsurf/mcp_config.json"),
        Layout::McpServers,
        h,
    ));
    out.push(loc(
        GeminiCli,
        h.join(".gemini/settings.json"),
        Layout::McpServers,
        h,
    ));
    let codex = env.codex_home.clone().unwrap_or_else(|| h.join(".codex"));
    out.push(loc(Codex, codex.join("config.toml"), Layout::CodexToml, h));
    out.push(loc(
        Zed,
        env.xdg().join("zed/settings.json"),
        Layout::Zed,
        h,
    ));
    out.push(loc(
        Zed,
        h.join(".config/zed/settings.json"),
        Layout::Zed,
        h,
    ));
    out.push(loc(
        Zed,
        env.mac_support().join("Zed/settings.json"),
        Layout::Zed,
        h,
    ));
    out.push(loc(
        Zed,
        env.appdata().join("Zed/settings.json"),
        Layout::Zed,
        h,
    ));
    out.push(loc(
        Cline,
        h.join(".cline/data/settings/cline_mcp_settings.json"),
        Layout::McpServers,
        h,
    ));
    for dir in env.app_dirs() {
        for editor in CLINE_HOSTS {
            out.push(loc(
                Cline,
                dir.join(editor).join("User").join(CLINE_STORAGE),
                Layout::McpServers,
                h,
            ));
        }
    }
    out.push(loc(
        Continue,
        h.join(".continue/config.yaml"),
        Layout::ContinueYaml,
        h,
    ));
    out.extend(continue_blocks(&h.join(".continue/mcpServers"), h));
    out.push(loc(
        Goose,
        env.xdg().join("goose/config.yaml"),
        Layout::GooseYaml,
        h,
    ));
    out.push(loc(
        Goose,
        h.join(".config/goose/config.yaml"),
        Layout::GooseYaml,
        h,
    ));
    out.push(loc(
        Goose,
        env.appdata().join("Block/goose/config/config.yaml"),
        Layout::GooseYaml,
        h,
    ));
    for name in ["opencode.json", "opencode.jsonc"] {
        out.push(loc(
            OpenCode,
            env.xdg().join("opencode").join(name),
            Layout::OpenCode,
            h,
        ));
        out.push(loc(
            OpenCode,
            h.join(".config/opencode").join(name),
            Layout::OpenCode,
            h,
        ));
    }
    out.push(loc(
        LmStudio,
        h.join(".lmstudio/mcp.json"),
        Layout::McpServers,
        h,
    ));
    out.push(loc(
        LmStudio,
        h.join(".cache/lm-studio/mcp.json"),
        Layout::McpServers,
        h,
    ));
    out.push(loc(
        Kiro,
        h.join(".kiro/settings/mcp.json"),
        Layout::McpServers,
        h,
    ));
    dedup(out)
}

/// Every project-level location in `project`.
pub fn project_locations(project: &Path) -> Vec<Location> {
    use Client::*;
    let p = project;
    let mut out = vec![
        loc(ClaudeCode, p.join(".mcp.json"), Layout::McpServers, p),
        loc(Cursor, p.join(".cursor/mcp.json"), Layout::McpServers, p),
        loc(VsCode, p.join(".vscode/mcp.json"), Layout::VsCodeMcp, p),
        loc(
            VsCode,
            p.join(".vscode/settings.json"),
            Layout::VsCodeSettings,
            p,
        ),
        loc(
            GeminiCli,
            p.join(".gemini/settings.json"),
            Layout::McpServers,
            p,
        ),
        loc(Codex, p.join(".codex/config.toml"), Layout::CodexToml, p),
        loc(Zed, p.join(".zed/settings.json"), Layout::Zed, p),
    ];
    out.extend(continue_blocks(&p.join(".continue/mcpServers"), p));
    for name in ["opencode.json", "opencode.jsonc"] {
        out.push(loc(OpenCode, p.join(name), Layout::OpenCode, p));
        out.push(loc(
            OpenCode,
            p.join(".opencode").join(name),
            Layout::OpenCode,
            p,
        ));
    }
    out.push(loc(
        Kiro,
        p.join(".kiro/settings/mcp.json"),
        Layout::McpServers,
        p,
    ));
    out
}

/// Most block files read from one Continue `mcpServers` folder.
const MAX_BLOCK_FILES: usize = 256;

fn continue_blocks(dir: &Path, base: &Path) -> Vec<Location> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        })
        .take(MAX_BLOCK_FILES)
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let layout = if Format::of(&path) == Format::Yaml {
                Layout::ContinueYaml
            } else {
                Layout::McpServers
            };
            loc(Client::Continue, path, layout, base)
        })
        .collect()
}

fn dedup(locations: Vec<Location>) -> Vec<Location> {
    let mut seen = std::collections::HashSet::new();
    locations
        .into_iter()
        .filter(|l| seen.insert(l.path.clone()))
        .collect()
}

/// A configuration file that was read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConfigFile {
    pub client: Client,
    pub path: PathBuf,
    pub servers: usize,
}

/// Everything discovery found.
#[derive(Debug, Default)]
pub struct Discovery {
    pub servers: Vec<ServerEntry>,
    /// The files that were read, with how many servers each named.
    pub files: Vec<ConfigFile>,
    /// Files that could not be read or parsed, and bad single entries.
    pub errors: Vec<Error>,
}

impl Discovery {
    fn read(&mut self, location: &Location) {
        let text = match read::read_limited(&location.path, read::MAX_CONFIG_BYTES) {
            Ok(t) => t,
            Err(e) => {
                self.errors.push(e);
                return;
            }
        };
        let value = match read::parse(&text, location.format, &location.path) {
            Ok(v) => v,
            Err(e) => {
                self.errors.push(e);
                return;
            }
        };
        let parsed = parse::parse(
            &value,
            location.layout,
            location.client,
            &location.path,
            &location.base_dir,
        );
        self.files.push(ConfigFile {
            client: location.client,
            path: location.path.clone(),
            servers: parsed.servers.len(),
        });
        self.servers.extend(parsed.servers);
        self.errors.extend(parsed.problems);
    }
}

/// Reads every user-level and project-level location of `env` that exists.
pub fn discover(env: &Env) -> Discovery {
    let mut locations = user_locations(env);
    if let Some(project) = &env.project {
        locations.extend(project_locations(project));
    }
    let mut discovery = Discovery::default();
    for location in dedup(locations) {
        if location.path.is_file() {
            discovery.read(&location);
        }
    }
    discovery
}

/// Reads one file named by the user (`--config`). Its client and layout
/// come from its path, else from its content.
pub fn read_config_file(path: &Path) -> Discovery {
    let mut discovery = Discovery::default();
    let base = path
        .parent()
        .map(project_root_of)
        .unwrap_or_else(|| PathBuf::from("."));
    let location = match location_for(path, &base) {
        Some(l) => l,
        None => {
            // Unknown name: sniff the content.
            let text = match read::read_limited(path, read::MAX_CONFIG_BYTES) {
                Ok(t) => t,
                Err(e) => {
                    discovery.errors.push(e);
                    return discovery;
                }
            };
            let format = match Format::of(path) {
                Format::Json => Format::Jsonc,
                f => f,
            };
            let value = match read::parse(&text, format, path) {
                Ok(v) => v,
                Err(e) => {
                    discovery.errors.push(e);
                    return discovery;
                }
            };
            let (client, layout) = sniff(&value);
            loc(client, path.to_path_buf(), layout, &base)
        }
    };
    discovery.read(&location);
    discovery
}

/// For a file inside `.cursor/`, `.vscode/` and the like, the project is
/// the folder above.
fn project_root_of(dir: &Path) -> PathBuf {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.starts_with('.') && name.len() > 1 {
        dir.parent()
            .map_or_else(|| dir.to_path_buf(), Path::to_path_buf)
    } else {
        dir.to_path_buf()
    }
}

fn location_for(path: &Path, base: &Path) -> Option<Location> {
    use Client::*;
    let name = path.file_name()?.to_str()?;
    let text = path.to_string_lossy().replace('\\', "/");
    let has = |s: &str| text.contains(s);
    let (client, layout) = match name {
        "claude_desktop_config.json" => (ClaudeDesktop, Layout::McpServers),
        ".claude.json" => (ClaudeCode, Layout::ClaudeCodeUser),
        ".mcp.json" => (ClaudeCode, Layout::McpServers),
        "mcp_config.json" if has("windsurf") => (Windsurf, Layout::McpServers),
        "cline_mcp_settings.json" => (Cline, Layout::McpServers),
        "config.toml" if has(".codex") => (Codex, Layout::CodexToml),
        "opencode.json" | "opencode.jsonc" => (OpenCode, Layout::OpenCode),
        "mcp.json" if has(".cursor/") => (Cursor, Layout::McpServers),
        "mcp.json" if has(".vscode/") || has("/User/") => (VsCode, Layout::VsCodeMcp),
        "mcp.json" if has(".kiro/") => (Kiro, Layout::McpServers),
        "mcp.json" if has("lmstudio") || has("lm-studio") => (LmStudio, Layout::McpServers),
        "settings.json" if has(".gemini/") => (GeminiCli, Layout::McpServers),
        "settings.json" if has("zed/") || has("Zed/") => (Zed, Layout::Zed),
        "settings.json" if has(".vscode/") || has("/User/") => (VsCode, Layout::VsCodeSettings),
        "config.yaml" if has("goose") => (Goose, Layout::GooseYaml),
        _ if has(".continue/") && Format::of(path) == Format::Yaml => {
            (Continue, Layout::ContinueYaml)
        }
        _ if has(".continue/") => (Continue, Layout::McpServers),
        _ => return None,
    };
    Some(loc(client, path.to_path_buf(), layout, base))
}

fn sniff(value: &serde_json::Value) -> (Client, Layout) {
    if value.get("context_servers").is_some() {
        (Client::Zed, Layout::Zed)
    } else if value.get("mcp_servers").is_some() {
        (Client::Codex, Layout::CodexToml)
    } else if value
        .get("mcpServers")
        .is_some_and(serde_json::Value::is_array)
    {
        (Client::Continue, Layout::ContinueYaml)
    } else if value.get("projects").is_some() {
        (Client::ClaudeCode, Layout::ClaudeCodeUser)
    } else if value.get("mcpServers").is_some() {
        (Client::Custom, Layout::McpServers)
    } else if value.get("servers").is_some() {
        (Client::VsCode, Layout::VsCodeMcp)
    } else if value.get("extensions").is_some() {
        (Client::Goose, Layout::GooseYaml)
    } else if value
        .get("mcp")
        .and_then(|m| m.get("servers"))
        .and_then(|s| s.as_object())
        .is_some_and(|s| {
            s.values().all(|v| {
                v.get("type").is_none()
                    || v.get("command").is_some_and(serde_json::Value::is_string)
            })
        })
    {
        (Client::VsCode, Layout::VsCodeSettings)
    } else {
        (Client::OpenCode, Layout::OpenCode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_home_stays_inside_home() {
        let env = Env::with_home("/fake", None);
        for l in user_locations(&env) {
            assert!(l.path.starts_with("/fake"), "{}", l.path.display());
        }
    }

    #[test]
    fn xdg_and_appdata_are_honoured() {
        let env = Env {
            home: "/h".into(),
            xdg_config_home: Some("/x".into()),
            appdata: Some("/a".into()),
            codex_home: Some("/c".into()),
            project: None,
        };
        let paths: Vec<PathBuf> = user_locations(&env).into_iter().map(|l| l.path).collect();
        assert!(paths.contains(&PathBuf::from("/x/Claude/claude_desktop_config.json")));
        assert!(paths.contains(&PathBuf::from("/a/Claude/claude_desktop_config.json")));
        assert!(paths.contains(&PathBuf::from("/x/Code/User/mcp.json")));
        assert!(paths.contains(&PathBuf::from("/a/Block/goose/config/config.yaml")));
        assert!(paths.contains(&PathBuf::from("/c/config.toml")));
    }

    #[test]
    fn config_file_client_from_path() {
        let l = location_for(Path::new("/p/.cursor/mcp.json"), Path::new("/p")).expect("known");
        assert_eq!(l.client, Client::Cursor);
        let l = location_for(Path::new("/p/.vscode/mcp.json"), Path::new("/p")).expect("known");
        assert_eq!((l.client, l.format), (Client::VsCode, Format::Jsonc));
        assert!(location_for(Path::new("/p/servers.json"), Path::new("/p")).is_none());
        assert_eq!(
            project_root_of(Path::new("/p/.cursor")),
            PathBuf::from("/p")
        );
    }

    #[test]
    fn malformed_file_is_an_error_and_others_are_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let home = dir.path();
        std::fs::create_dir_all(home.join(".cursor")).expect("mkdir");
        std::fs::write(home.join(".cursor/mcp.json"), "{ \"mcpServers\": { ").expect("write");
        std::fs::create_dir_all(home.join(".kiro/settings")).expect("mkdir");
        std::fs::write(
            home.join(".kiro/settings/mcp.json"),
            r#"{"mcpServers": {"k": {"command": "npx", "args": ["-y", "k-mcp"]}}}"#,
        )
        .expect("write");
        let d = discover(&Env::with_home(home, None));
        assert_eq!(d.servers.len(), 1);
        assert_eq!(d.errors.len(), 1);
        let msg = d.errors[0].to_string();
        assert!(
            msg.contains(".cursor/mcp.json") && msg.contains("malformed"),
            "{msg}"
        );
    }
}
