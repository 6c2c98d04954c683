//! Exit codes, documented in the README.

use std::process::ExitCode;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 0: nothing at or above `--fail-on`.
    Clean,
    /// 1: a package at or above `--fail-on`.
    Findings,
    /// 2: a usage, input or configuration error.
    Usage,
    /// 3: an internal error.
    Internal,
}

impl From<Status> for ExitCode {
    fn from(s: Status) -> Self {
        ExitCode::from(match s {
            Status::Clean => 0,
            Status::Findings => 1,
            Status::Usage => 2,
            Status::Internal => 3,
        })
    }
}

/// An error caused by what the user asked for (exit code 2).
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Shorthand for a usage error.
pub fn usage(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(msg.into()))
}
