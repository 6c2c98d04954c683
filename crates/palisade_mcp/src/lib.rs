//! MCP servers: which ones the AI clients on this machine can start, what
//! code each one is, and whether its tool definitions try to steer the model.
//!
//! - [`discover`] finds the configuration files of every known client
//!   ([`Client`]) and reads their server entries ([`ServerEntry`]);
//! - [`resolve`] maps an entry's command line to what it runs ([`Launch`]):
//!   an npm package, a local file, a Python package, a container image, a
//!   remote URL;
//! - [`rules`] holds the `mcp/` rules: config rules over entries (unpinned
//!   launches, inline secrets, plain HTTP) and tool rules over tool
//!   definitions (tool poisoning, hidden Unicode, shadowing);
//! - [`live`] (`--live`, opt-in) starts a server with `rmcp` as the client
//!   and lists its tools, prompts and resources, under a timeout;
//! - [`pins`] compares tool definitions with the ones pinned in the store
//!   (`palisade mcp pin`): changed, added, removed tools (rug pulls);
//! - [`report`] is the result model of `palisade mcp list` / `mcp scan` and
//!   its text, JSON and SARIF renderers.
//!
//! Only [`live`] starts a server or expands a variable, and only when asked:
//! everywhere else configuration values are reported as written, secrets
//! redacted.

pub mod discover;
pub mod live;
pub mod model;
pub mod parse;
pub mod pins;
pub mod read;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod secrets;
pub mod tools;
pub mod vars;

use std::path::{Path, PathBuf};

pub use discover::{ConfigFile, Discovery, Env, discover, read_config_file};
pub use model::{Client, Launch, PackageRef, ServerEntry, Transport};
pub use resolve::resolve;

/// What can go wrong reading configuration and tool files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("`{}`: {message}", path.display())]
    Io { path: PathBuf, message: String },
    #[error("`{}`: larger than {limit} bytes; not read", path.display())]
    TooLarge { path: PathBuf, limit: u64 },
    #[error("`{}`: malformed: {reason}", path.display())]
    Malformed { path: PathBuf, reason: String },
    #[error("`{}` at `{pointer}`: {reason}", path.display())]
    BadEntry {
        path: PathBuf,
        pointer: String,
        reason: String,
    },
}

impl Error {
    pub(crate) fn io(path: &Path, e: &std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }

    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            Error::Io { path, .. }
            | Error::TooLarge { path, .. }
            | Error::Malformed { path, .. }
            | Error::BadEntry { path, .. } => path,
        }
    }
}
