//! What discovery finds: AI clients, their configured MCP servers, and how
//! each server is launched.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// An AI client (an MCP host) whose configuration names MCP servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Client {
    ClaudeDesktop,
    ClaudeCode,
    Cursor,
    VsCode,
    Windsurf,
    GeminiCli,
    Codex,
    Zed,
    Cline,
    Continue,
    Goose,
    OpenCode,
    LmStudio,
    Kiro,
    /// A file named with `--config` whose client is not recognised by its path.
    Custom,
}

impl Client {
    /// Every client, in report order.
    pub const ALL: [Client; 15] = [
        Client::ClaudeDesktop,
        Client::ClaudeCode,
        Client::Cursor,
        Client::VsCode,
        Client::Windsurf,
        Client::GeminiCli,
        Client::Codex,
        Client::Zed,
        Client::Cline,
        Client::Continue,
        Client::Goose,
        Client::OpenCode,
        Client::LmStudio,
        Client::Kiro,
        Client::Custom,
    ];

    /// The stable id used in JSON output.
    pub fn id(self) -> &'static str {
        match self {
            Client::ClaudeDesktop => "claude-desktop",
            Client::ClaudeCode => "claude-code",
            Client::Cursor => "cursor",
            Client::VsCode => "vs-code",
            Client::Windsurf => "windsurf",
            Client::GeminiCli => "gemini-cli",
            Client::Codex => "codex",
            Client::Zed => "zed",
            Client::Cline => "cline",
            Client::Continue => "continue",
            Client::Goose => "goose",
            Client::OpenCode => "open-code",
            Client::LmStudio => "lm-studio",
            Client::Kiro => "kiro",
            Client::Custom => "custom",
        }
    }

    /// The product's name, for people.
    pub fn display_name(self) -> &'static str {
        match self {
            Client::ClaudeDesktop => "Claude Desktop",
            Client::ClaudeCode => "Claude Code",
            Client::Cursor => "Cursor",
            Client::VsCode => "VS Code",
            Client::Windsurf => "Windsurf",
            Client::GeminiCli => "Gemini CLI",
            Client::Codex => "Codex",
            Client::Zed => "Zed",
            Client::Cline => "Cline",
            Client::Continue => "Continue",
            Client::Goose => "Goose",
            Client::OpenCode => "OpenCode",
            Client::LmStudio => "LM Studio",
            Client::Kiro => "Kiro",
            Client::Custom => "Other (--config)",
        }
    }
}

impl fmt::Display for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How the client talks to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    /// A local process over standard input and output.
    Stdio,
    /// Streamable HTTP.
    Http,
    /// The older HTTP + server-sent events transport.
    Sse,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Stdio => "stdio",
            Transport::Http => "http",
            Transport::Sse => "sse",
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One configured MCP server, as written in a client's configuration.
///
/// Values are kept exactly as written: `${VAR}`, `${env:VAR}` and
/// `${input:id}` are never expanded. `env` and `headers` may hold secrets:
/// they are not serialised, only their keys (see [`ServerEntry::env_keys`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerEntry {
    pub client: Client,
    /// The configuration file it was read from.
    pub config: PathBuf,
    /// Where in that file, e.g. `mcpServers.github` or
    /// `projects["/home/me/app"].mcpServers.github`.
    pub pointer: String,
    /// The folder relative paths in the entry are read against.
    #[serde(skip)]
    pub base_dir: PathBuf,
    pub name: String,
    pub transport: Transport,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    pub args: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The working folder the client starts the server in, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    #[serde(skip)]
    pub env: BTreeMap<String, String>,
    #[serde(skip)]
    pub headers: BTreeMap<String, String>,
    /// The client will not start it (`disabled: true`, `enabled: false`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
}

impl ServerEntry {
    /// The names of the environment variables the entry sets.
    pub fn env_keys(&self) -> Vec<&str> {
        self.env.keys().map(String::as_str).collect()
    }

    /// `command args...` or the URL, for display.
    pub fn launch_line(&self) -> String {
        match (&self.command, &self.url) {
            (Some(c), _) => {
                let mut line = c.clone();
                for a in &crate::secrets::redact_args(&self.args) {
                    line.push(' ');
                    line.push_str(a);
                }
                line
            }
            (None, Some(u)) => crate::secrets::redact_url(u),
            (None, None) => String::new(),
        }
    }
}

/// What a server entry runs, once its launcher is understood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Launch {
    /// An npm package fetched and run by a package runner (`npx`, `pnpm dlx`,
    /// `bunx`, `yarn dlx`, `npm exec`).
    Npm {
        runner: String,
        /// The package name, `@scope/name` for scoped packages.
        name: String,
        /// The version, range or tag as written (`None`: the `latest` tag).
        requested: Option<String>,
        /// An exact version: nothing new runs without a config change.
        pinned: bool,
    },
    /// Code on this machine: a script given to `node`, `python`, `deno`,
    /// `bun`, or an executable path.
    Local { runner: String, path: PathBuf },
    /// A Python package run by `uvx`, `uv tool run`, `pipx run` or a module
    /// run by `python -m`. Not analysed yet.
    Python {
        runner: String,
        name: String,
        requested: Option<String>,
        pinned: bool,
    },
    /// A container image run by `docker run` or `podman run`. Not analysed yet.
    Docker {
        image: String,
        /// Pinned by digest (`@sha256:...`).
        pinned: bool,
    },
    /// A remote server reached over HTTP.
    Remote { url: String },
    /// A command palisade does not know how to map to code.
    Unknown { command: String },
}

impl Launch {
    /// The package reference for output: name, version asked for, pinned.
    pub fn package(&self) -> Option<PackageRef> {
        match self {
            Launch::Npm {
                name,
                requested,
                pinned,
                ..
            } => Some(PackageRef {
                ecosystem: "npm",
                name: name.clone(),
                version: requested.clone(),
                pinned: *pinned,
            }),
            // `python -m module` and `python script.py` run what is installed:
            // no registry package to name.
            Launch::Python { runner, name, .. }
                if runner.ends_with("-m") || name.contains(['/', '\\']) =>
            {
                None
            }
            Launch::Python {
                name,
                requested,
                pinned,
                ..
            } => Some(PackageRef {
                ecosystem: "pypi",
                name: name.clone(),
                version: requested
                    .as_deref()
                    .map(|r| r.trim_start_matches(['=', '@']).to_owned()),
                pinned: *pinned,
            }),
            Launch::Docker { image, pinned } => Some(PackageRef {
                ecosystem: "docker",
                name: image.clone(),
                version: None,
                pinned: *pinned,
            }),
            Launch::Local { .. } | Launch::Remote { .. } | Launch::Unknown { .. } => None,
        }
    }

    /// One line saying what it is, for tables.
    pub fn summary(&self) -> String {
        match self {
            Launch::Npm {
                name, requested, ..
            } => match requested {
                Some(r) => format!("npm {name}@{r}"),
                None => format!("npm {name}"),
            },
            Launch::Python {
                name, requested, ..
            } => format!("python {name}{}", requested.as_deref().unwrap_or_default()),
            Launch::Docker { image, .. } => format!("docker {image}"),
            Launch::Local { path, .. } => format!("local {}", path.display()),
            Launch::Remote { url } => format!("remote {}", crate::secrets::redact_url(url)),
            Launch::Unknown { command } => format!("unknown `{command}`"),
        }
    }

    /// Why palisade cannot analyse this server's code yet, if it cannot.
    pub fn not_analysed(&self) -> Option<&'static str> {
        match self {
            Launch::Python { .. } => Some("Python servers are listed, not analysed yet"),
            Launch::Docker { .. } => Some("container images are listed, not analysed yet"),
            Launch::Remote { .. } => Some("remote servers run elsewhere: no code to analyse"),
            Launch::Unknown { .. } => Some("the command does not name a package or a file"),
            Launch::Npm { .. } | Launch::Local { .. } => None,
        }
    }
}

/// A package as named by a server entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageRef {
    /// `npm`, `pypi` or `docker`.
    pub ecosystem: &'static str,
    pub name: String,
    /// The version, range or tag as written; `None` means the latest.
    pub version: Option<String>,
    pub pinned: bool,
}
