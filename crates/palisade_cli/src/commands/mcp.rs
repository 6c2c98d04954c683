//! `palisade mcp list` and `palisade mcp scan`: the MCP servers AI clients
//! on this machine can start, what code each one is, and whether it is safe.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use palisade_diagnostics::render::RuleInfo;
use palisade_diagnostics::{InputError, PackageReport, Verdict};
use palisade_linter::{Engine, EngineOptions};
use palisade_mcp::report::{McpReport, ServerReport};
use palisade_mcp::{Env, Launch};
use palisade_package::Limits;
use palisade_registry::PackageSpec;
use rayon::prelude::*;

use super::input::Registry;
use crate::args::{FailOn, LimitArgs, OutputFormat};
use crate::exit::{Status, usage};
use crate::output;

/// The environment variable `--home` falls back to.
pub const HOME_ENV: &str = "PALISADE_MCP_HOME";

#[derive(Args)]
pub struct McpArgs {
    #[command(subcommand)]
    pub command: McpCommand,
}

#[derive(Subcommand)]
pub enum McpCommand {
    /// List every MCP server configured in every AI client, without network access.
    List(McpListArgs),
    /// List every server, resolve each to its code and scan it.
    Scan(McpScanArgs),
}

#[derive(Args)]
pub struct McpListArgs {
    /// Read only this client config file (repeatable) instead of discovering them.
    #[arg(long, value_name = "FILE")]
    pub config: Vec<PathBuf>,
    /// Discover user-level configs under this folder instead of the real home
    /// (default: `$PALISADE_MCP_HOME`, else the user's home and `APPDATA` /
    /// `XDG_CONFIG_HOME`).
    #[arg(long, value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Do not read project-level configs (`.mcp.json`, `.cursor/mcp.json`, ...)
    /// in the current folder.
    #[arg(long)]
    pub no_project: bool,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Exit with 1 when a server is rated at least this.
    #[arg(long, value_enum, default_value_t = FailOn::Malicious)]
    pub fail_on: FailOn,
}

#[derive(Args)]
pub struct McpScanArgs {
    #[command(flatten)]
    pub list: McpListArgs,
    /// Check the tool definitions in this JSON file (a `tools/list` result;
    /// repeatable). Alone, only the tools are checked; with `--config` or
    /// `--home`, the servers too.
    #[arg(long, value_name = "FILE")]
    pub tools: Vec<PathBuf>,
    /// Registry URL (default: from the npm configuration).
    #[arg(long)]
    pub registry: Option<String>,
    /// Let preview rules decide verdicts too.
    #[arg(long)]
    pub preview: bool,
    /// Do not compare registry packages with their previous published version.
    #[arg(long)]
    pub no_diff: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Runs `palisade mcp ...`.
pub fn run(args: &McpArgs) -> anyhow::Result<Status> {
    match &args.command {
        McpCommand::List(a) => {
            let report = inventory(a)?;
            finish(&report, a, false)
        }
        McpCommand::Scan(a) => scan(a),
    }
}

/// Discovery and config findings, no network.
fn inventory(args: &McpListArgs) -> anyhow::Result<McpReport> {
    let discovery = if args.config.is_empty() {
        let home = args.home.clone().or_else(|| {
            std::env::var_os(HOME_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
        let project = if args.no_project {
            None
        } else {
            std::env::current_dir().ok()
        };
        let env = match home {
            Some(home) => {
                if !home.is_dir() {
                    return Err(usage(format!("`{}`: no such folder", home.display())));
                }
                Env::with_home(home, project)
            }
            None => {
                let mut env = Env::from_process()
                    .ok_or_else(|| usage("cannot find the home folder: set HOME or use --home"))?;
                env.project = project;
                env
            }
        };
        palisade_mcp::discover(&env)
    } else {
        let mut all = palisade_mcp::Discovery::default();
        for path in &args.config {
            if !path.is_file() {
                return Err(usage(format!("`{}`: no such file", path.display())));
            }
            let d = palisade_mcp::read_config_file(path);
            all.servers.extend(d.servers);
            all.files.extend(d.files);
            all.errors.extend(d.errors);
        }
        all
    };
    let mut report = McpReport::default();
    for e in discovery.errors {
        eprintln!("error: {e}");
        report.errors.push(InputError {
            input: e.path().display().to_string(),
            error: e.to_string(),
        });
    }
    report.servers = discovery.servers.iter().map(ServerReport::new).collect();
    report.files = discovery.files;
    Ok(report)
}

fn scan(args: &McpScanArgs) -> anyhow::Result<Status> {
    let tools_only =
        !args.tools.is_empty() && args.list.config.is_empty() && args.list.home.is_none();
    let mut report = if tools_only {
        McpReport::default()
    } else {
        inventory(&args.list)?
    };
    for path in &args.tools {
        if !path.is_file() {
            return Err(usage(format!("`{}`: no such file", path.display())));
        }
        match palisade_mcp::tools::read_tools_file(path) {
            Ok(servers) => report
                .tools
                .extend(palisade_mcp::tools::check_tools(&servers)),
            Err(e) => {
                eprintln!("error: {e}");
                report.errors.push(InputError {
                    input: path.display().to_string(),
                    error: e.to_string(),
                });
            }
        }
    }

    let limits = args.limits.limits();
    let engine = Engine::new(EngineOptions {
        preview: args.preview,
        keep_facts: !args.no_diff,
        ..EngineOptions::default()
    });
    let registry = Registry::new(args.registry.as_deref());
    let scanner = Scanner {
        engine: &engine,
        registry: &registry,
        limits: &limits,
        diff: !args.no_diff,
    };
    report
        .servers
        .par_iter_mut()
        .for_each(|server| scanner.scan_server(server));
    for s in &report.servers {
        if let Some(e) = &s.error {
            eprintln!("error: server `{}`: {e}", s.name);
            report.errors.push(InputError {
                input: format!("{} ({})", s.name, s.config.display()),
                error: e.clone(),
            });
        }
    }
    finish(&report, &args.list, true)
}

struct Scanner<'a> {
    engine: &'a Engine,
    registry: &'a Registry<'a>,
    limits: &'a Limits,
    diff: bool,
}

impl Scanner<'_> {
    fn scan_server(&self, server: &mut ServerReport) {
        match server.launch.clone() {
            Launch::Npm {
                runner,
                name,
                requested,
                pinned,
            } => {
                let text = match &requested {
                    Some(r) => format!("{name}@{r}"),
                    None => name.clone(),
                };
                let spec = match text.parse::<PackageSpec>() {
                    Ok(s) => s,
                    Err(e) => {
                        server.error = Some(e.to_string());
                        return;
                    }
                };
                match self.registry.fetch(&spec, self.limits) {
                    Ok((pkg, integrity)) => {
                        let mut report = self.engine.scan(&pkg);
                        report.integrity = integrity;
                        if self.diff {
                            super::diff::add_previous_version_diff(
                                self.registry,
                                self.limits,
                                &pkg,
                                &mut report,
                            );
                        }
                        let source = format!("{}@{}", report.name, report.version);
                        let note = if pinned {
                            "the pinned version".to_owned()
                        } else {
                            format!(
                                "not pinned: `{}` resolves today to {}, the version `{runner}` would run now; the next publish changes it",
                                requested.as_deref().unwrap_or("latest"),
                                report.version
                            )
                        };
                        report.facts = None;
                        server.add_scan(report, source, note);
                    }
                    Err(e) => server.error = Some(format!("`{text}`: {e}")),
                }
            }
            Launch::Local { path, .. } => match package_root(&path) {
                Some(root) => match palisade_package::read_path(&root, self.limits) {
                    Ok(pkg) => {
                        let mut report: PackageReport = self.engine.scan(&pkg);
                        report.facts = None;
                        report.source = root.display().to_string();
                        let source = root.display().to_string();
                        server.add_scan(
                            report,
                            source,
                            "local code, scanned as a folder".to_owned(),
                        );
                    }
                    Err(e) => server.error = Some(format!("`{}`: {e}", root.display())),
                },
                None => {
                    server.error = Some(format!("`{}`: no such file or folder", path.display()));
                }
            },
            Launch::Python { .. }
            | Launch::Docker { .. }
            | Launch::Remote { .. }
            | Launch::Unknown { .. } => {}
        }
    }
}

/// The folder to scan for a local server: the nearest folder with a
/// `package.json` above a script (at most four levels), else the script's
/// own folder; a folder as given.
fn package_root(path: &Path) -> Option<PathBuf> {
    if path.is_dir() {
        return Some(path.to_path_buf());
    }
    if !path.is_file() {
        return None;
    }
    let parent = path.parent()?;
    let mut dir = parent;
    for _ in 0..4 {
        if dir.join("package.json").is_file() {
            return Some(dir.to_path_buf());
        }
        match dir.parent() {
            Some(p) => dir = p,
            None => break,
        }
    }
    Some(parent.to_path_buf())
}

fn rule_infos() -> Vec<RuleInfo> {
    Engine::rules()
        .iter()
        .map(|r| {
            let m = r.meta();
            RuleInfo::new(m.id, m.summary).with_severity(m.severity)
        })
        .chain(palisade_linter::diff::rule_infos())
        .chain(palisade_mcp::report::rule_infos())
        .collect()
}

fn finish(report: &McpReport, args: &McpListArgs, details: bool) -> anyhow::Result<Status> {
    let text = match args.format {
        OutputFormat::Text => report.to_text(details),
        OutputFormat::Json => report.to_json(),
        OutputFormat::Sarif => report.to_sarif(&rule_infos()),
    };
    match &args.output {
        Some(path) => output::write_file(path, &text).map_err(|e| usage(format!("{e:#}")))?,
        None => output::print(&text)?,
    }
    let threshold = match args.fail_on {
        FailOn::Suspicious => Verdict::Suspicious,
        FailOn::Malicious => Verdict::Malicious,
    };
    Ok(if report.worst() >= threshold {
        Status::Findings
    } else if !report.errors.is_empty() {
        Status::Usage
    } else {
        Status::Clean
    })
}
