//! `palisade db`: the local store of known-malicious advisories and cached
//! verdicts. `import` loads OSV records; `status` says what is there.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use palisade_store::{ImportLimits, ImportSummary, Store, format_unix};
use serde_json::json;

use crate::exit::{Status, usage};
use crate::output;

/// `palisade db` arguments.
#[derive(Args)]
pub struct DbArgs {
    #[command(subcommand)]
    pub command: DbCommand,
}

/// `palisade db` subcommands.
#[derive(Subcommand)]
pub enum DbCommand {
    /// Load OSV malicious-package records (`MAL-…`): a folder, walked
    /// recursively (e.g. the OpenSSF malicious-packages `osv/malicious/`),
    /// a `.zip` of OSV JSON files, or one JSON file. npm and PyPI records.
    Import {
        /// The folder, zip or JSON file.
        path: PathBuf,
        /// Print the counts as JSON.
        #[arg(long)]
        json: bool,
        /// Most JSON files read.
        #[arg(long, value_name = "N")]
        max_files: Option<u64>,
        /// Largest single JSON file, in bytes.
        #[arg(long, value_name = "BYTES")]
        max_file_bytes: Option<u64>,
    },
    /// Show the store: where it is, advisories, cached verdicts, the last import.
    Status {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `palisade db`.
pub fn run(args: &DbArgs) -> anyhow::Result<Status> {
    let path = palisade_store::default_store_path().ok_or_else(|| {
        usage("no folder for the palisade store: set `PALISADE_HOME` (or `HOME`)")
    })?;
    match &args.command {
        DbCommand::Import {
            path: input,
            json,
            max_files,
            max_file_bytes,
        } => {
            let mut limits = ImportLimits::default();
            if let Some(n) = max_files {
                limits = limits.max_files(*n);
            }
            if let Some(n) = max_file_bytes {
                limits = limits.max_file_bytes(*n);
            }
            import(&path, input, &limits, *json)
        }
        DbCommand::Status { json } => status(&path, *json),
    }
}

fn import(
    store_path: &Path,
    input: &Path,
    limits: &ImportLimits,
    json: bool,
) -> anyhow::Result<Status> {
    if !input.exists() {
        return Err(usage(format!(
            "`{}`: no such file or folder",
            input.display()
        )));
    }
    let store = Store::open(store_path).map_err(|e| usage(chain(&e)))?;
    let summary = store.import_path(input, limits).map_err(|e| {
        if matches!(
            e,
            palisade_store::Error::ImportInput { .. } | palisade_store::Error::ImportRead { .. }
        ) {
            usage(e.to_string())
        } else {
            anyhow::anyhow!(chain(&e))
        }
    })?;
    let text = if json {
        let mut value = serde_json::to_value(&summary)?;
        value["store"] = json!(store_path.display().to_string());
        value["source"] = json!(input.display().to_string());
        value["skipped"] = json!(summary.skipped());
        serde_json::to_string_pretty(&value)? + "\n"
    } else {
        let mut out = format!(
            "imported OSV records from `{}` into `{}`\n",
            input.display(),
            store_path.display()
        );
        summary_lines(&mut out, &summary, "  ");
        out
    };
    output::print(&text)?;
    if let Some(stopped) = &summary.stopped {
        eprintln!("warning: the import {stopped}; raise the limit to read the rest");
    }
    Ok(Status::Clean)
}

/// The counts of an import, one per line.
fn summary_lines(out: &mut String, s: &ImportSummary, indent: &str) {
    let _ = writeln!(out, "{indent}files read  {:>8}", s.files);
    let _ = writeln!(out, "{indent}imported    {:>8}", s.imported);
    let _ = writeln!(out, "{indent}updated     {:>8}", s.updated);
    let _ = writeln!(out, "{indent}unchanged   {:>8}", s.unchanged);
    let _ = writeln!(
        out,
        "{indent}withdrawn   {:>8}  (ignored; {} previously imported removed)",
        s.withdrawn, s.removed
    );
    let mut why: Vec<String> = Vec::new();
    if s.not_malicious > 0 {
        why.push(format!(
            "{} not malicious-package records (vulnerabilities)",
            s.not_malicious
        ));
    }
    for (ecosystem, n) in &s.other_ecosystems {
        why.push(format!("{ecosystem}: {n}"));
    }
    let why = if why.is_empty() {
        String::new()
    } else {
        format!("  ({})", why.join("; "))
    };
    let _ = writeln!(out, "{indent}skipped     {:>8}{why}", s.skipped());
    let _ = writeln!(out, "{indent}invalid     {:>8}", s.invalid);
    for f in &s.invalid_files {
        let _ = writeln!(out, "{indent}  {}: {}", f.file, f.reason);
    }
    let listed = s.invalid_files.len() as u64;
    if s.invalid > listed {
        let _ = writeln!(out, "{indent}  … and {} more", s.invalid - listed);
    }
    if let Some(stopped) = &s.stopped {
        let _ = writeln!(out, "{indent}stopped: {stopped}");
    }
}

fn status(store_path: &Path, json: bool) -> anyhow::Result<Status> {
    let Some(store) = Store::open_existing(store_path).map_err(|e| usage(chain(&e)))? else {
        let text = if json {
            serde_json::to_string_pretty(&json!({
                "store": store_path.display().to_string(),
                "exists": false,
            }))? + "\n"
        } else {
            format!(
                "no store yet at `{}`: `palisade db import` creates it, and so does a scan's verdict cache\n",
                store_path.display()
            )
        };
        output::print(&text)?;
        return Ok(Status::Clean);
    };
    let s = store.status().map_err(|e| anyhow::anyhow!(chain(&e)))?;
    let engine = super::known::engine_version();
    let text = if json {
        let last = s.last_import.as_ref().map(|l| {
            json!({
                "source": l.source,
                "finished": format_unix(l.finished_at),
                "summary": l.summary,
            })
        });
        serde_json::to_string_pretty(&json!({
            "store": s.path.display().to_string(),
            "exists": true,
            "schema_version": s.schema_version,
            "advisories": s.advisories,
            "withdrawn": s.withdrawn,
            "packages": s.packages,
            "verdicts": s.verdicts,
            "engine": engine,
            "pinned_servers": s.pinned_servers,
            "pinned_tools": s.pinned_tools,
            "last_import": last,
        }))? + "\n"
    } else {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "store        {} (schema {})",
            s.path.display(),
            s.schema_version
        );
        let _ = writeln!(
            out,
            "advisories   {} in force naming {} packages (npm, PyPI); {} withdrawn",
            s.advisories, s.packages, s.withdrawn
        );
        let _ = writeln!(
            out,
            "verdicts     {} cached (this engine: {engine})",
            s.verdicts
        );
        let _ = writeln!(
            out,
            "mcp pins     {} servers, {} tools",
            s.pinned_servers, s.pinned_tools
        );
        match &s.last_import {
            Some(last) => {
                let _ = writeln!(
                    out,
                    "last import  {} from `{}`",
                    format_unix(last.finished_at),
                    last.source
                );
                summary_lines(&mut out, &last.summary, "  ");
            }
            None => {
                let _ = writeln!(out, "last import  none");
            }
        }
        out
    };
    output::print(&text)?;
    Ok(Status::Clean)
}

/// An error and its sources on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let _ = write!(text, ": {s}");
        source = s.source();
    }
    text
}
