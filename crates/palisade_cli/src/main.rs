//! `palisade`: keeps malicious packages and MCP servers away from developers'
//! machines and AI agents. The binary is thin: argument parsing, the
//! commands, and exit codes.

mod args;
mod commands;
mod exit;
mod output;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};
use crate::exit::Status;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Status::Usage.into()
            } else {
                Status::Clean.into()
            };
        }
    };
    let result = match cli.command {
        Command::Scan(args) => commands::scan::run(&args),
        Command::Diff(args) => commands::diff::run(&args),
        Command::Rules(args) => commands::rules::list(&args),
        Command::Rule { id } => commands::rules::show(&id),
        Command::Mcp(args) => commands::mcp::run(&args),
        Command::Db(args) => commands::db::run(&args),
        Command::Files { input, path } => commands::files::run(&input, path.as_deref()),
    };
    match result {
        Ok(status) => status.into(),
        Err(e) => {
            eprintln!("error: {e:#}");
            e.downcast_ref::<exit::UsageError>()
                .map_or(Status::Internal, |_| Status::Usage)
                .into()
        }
    }
}
