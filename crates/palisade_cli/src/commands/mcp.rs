//! `palisade mcp list`, `palisade mcp scan` and `palisade mcp pin`: the MCP
//! servers AI clients on this machine can start, what code each one is,
//! whether it is safe, and whether its tools changed since they were pinned.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};
use palisade_diagnostics::render::RuleInfo;
use palisade_diagnostics::{InputError, PackageReport, Verdict};
use palisade_linter::{Engine, EngineOptions};
use palisade_mcp::report::{LiveOut, McpReport, PinReport, ServerReport};
use palisade_mcp::tools::ServerTools;
use palisade_mcp::{Env, Launch, ServerEntry};
use palisade_package::Limits;
use palisade_registry::{PackageSpec, VersionReq};
use rayon::prelude::*;

use super::input::Registry;
use super::known::{Known, NPM};
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
    /// Record today's tool definitions of every server (from `--live` or
    /// `--tools FILE`), so that `mcp scan` reports what changes later.
    Pin(McpPinArgs),
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
    pub live: LiveArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// `--live` and its timeout.
#[derive(Args)]
pub struct LiveArgs {
    /// Start every enabled stdio server (its configured command, with only its
    /// configured environment plus `PATH` and `HOME`) and connect to every HTTP
    /// server, to read their tools, prompts and resources over MCP. This RUNS
    /// the servers' code.
    #[arg(long)]
    pub live: bool,
    /// Seconds one server may take under `--live` before it is stopped.
    #[arg(long, value_name = "SECONDS", default_value_t = 20)]
    pub live_timeout: u64,
}

#[derive(Args)]
pub struct McpPinArgs {
    /// Read only this client config file (repeatable) instead of discovering them.
    #[arg(long, value_name = "FILE")]
    pub config: Vec<PathBuf>,
    /// Discover user-level configs under this folder instead of the real home.
    #[arg(long, value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Do not read project-level configs in the current folder.
    #[arg(long)]
    pub no_project: bool,
    /// Pin the tool definitions in this JSON file (a `tools/list` result;
    /// repeatable). A server named in it is matched to the configured servers
    /// of that name; an unmatched one is pinned under the file.
    #[arg(long, value_name = "FILE")]
    pub tools: Vec<PathBuf>,
    #[command(flatten)]
    pub live: LiveArgs,
    /// Print what was pinned as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `palisade mcp ...`.
pub fn run(args: &McpArgs) -> anyhow::Result<Status> {
    match &args.command {
        McpCommand::List(a) => {
            let (report, _) = inventory(a)?;
            finish(&report, a, false)
        }
        McpCommand::Scan(a) => scan(a),
        McpCommand::Pin(a) => pin(a),
    }
}

/// Discovery and config findings, no network. The entries are returned too,
/// in the order of `report.servers`.
fn inventory(args: &McpListArgs) -> anyhow::Result<(McpReport, Vec<ServerEntry>)> {
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
    Ok((report, discovery.servers))
}

fn scan(args: &McpScanArgs) -> anyhow::Result<Status> {
    let tools_only = !args.tools.is_empty()
        && !args.live.live
        && args.list.config.is_empty()
        && args.list.home.is_none();
    let (mut report, entries) = if tools_only {
        (McpReport::default(), Vec::new())
    } else {
        inventory(&args.list)?
    };
    let listed = list_tools(&mut report, &entries, &args.tools, &args.live)?;
    let all = check_listed_tools(&mut report, &listed);
    compare_with_pins(&mut report, &listed, &all)?;

    let limits = args.limits.limits();
    let engine = Engine::new(EngineOptions {
        preview: args.preview,
        keep_facts: !args.no_diff,
        ..EngineOptions::default()
    });
    let registry = Registry::new(args.registry.as_deref());
    // Known-malicious advisories, when a store has been imported; no
    // verdict cache (servers are scanned with the diff and their notes).
    let fingerprint = super::known::options_fingerprint(args.preview, false, &limits);
    let known = Known::new(
        &super::known::CacheArgs {
            offline: false,
            no_cache: true,
        },
        &fingerprint,
    );
    let scanner = Scanner {
        engine: &engine,
        registry: &registry,
        known: &known,
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

/// Tool definitions read in this run (from `--tools` files or `--live`),
/// with the pin key of their server.
struct Listed {
    key: palisade_store::ServerKey,
    tools: ServerTools,
    /// The server's instructions; `None` when the source cannot tell.
    instructions: Option<Option<String>>,
    /// The configured server they belong to (index in `report.servers`).
    server: Option<usize>,
}

/// Reads the `--tools` files and, with `--live`, lists the tools of every
/// enabled server. Failures become errors of the report; the rest goes on.
fn list_tools(
    report: &mut McpReport,
    entries: &[ServerEntry],
    files: &[PathBuf],
    live: &LiveArgs,
) -> anyhow::Result<Vec<Listed>> {
    let mut listed = Vec::new();
    for path in files {
        if !path.is_file() {
            return Err(usage(format!("`{}`: no such file", path.display())));
        }
        match palisade_mcp::tools::read_tools_file(path) {
            Ok(servers) => {
                for tools in servers {
                    let matching: Vec<usize> = (0..entries.len())
                        .filter(|&i| entries[i].name == tools.server)
                        .collect();
                    if matching.is_empty() {
                        listed.push(Listed {
                            key: palisade_mcp::pins::key_for_tools_file(&tools.server, path),
                            tools,
                            instructions: None,
                            server: None,
                        });
                    } else {
                        for i in matching {
                            listed.push(Listed {
                                key: palisade_mcp::pins::key_for_entry(&entries[i]),
                                tools: tools.clone(),
                                instructions: None,
                                server: Some(i),
                            });
                        }
                    }
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                report.errors.push(InputError {
                    input: path.display().to_string(),
                    error: e.to_string(),
                });
            }
        }
    }
    if live.live {
        listed.extend(list_live(report, entries, live));
    }
    Ok(listed)
}

/// `--live`: starts each enabled server once (the same launch configured in
/// several clients runs once), in parallel, each under the timeout.
fn list_live(report: &mut McpReport, entries: &[ServerEntry], live: &LiveArgs) -> Vec<Listed> {
    let timeout = Duration::from_secs(live.live_timeout.max(1));
    let startable: Vec<usize> = (0..entries.len())
        .filter(|&i| !entries[i].disabled)
        .collect();
    let mut launches: HashMap<String, usize> = HashMap::new();
    let mut unique: Vec<usize> = Vec::new();
    let mut launch_of: Vec<usize> = vec![usize::MAX; entries.len()];
    for &i in &startable {
        let e = &entries[i];
        let id = format!(
            "{:?}",
            (
                e.transport,
                &e.command,
                &e.args,
                &e.env,
                &e.cwd,
                &e.base_dir,
                &e.url,
                &e.headers
            )
        );
        let n = *launches.entry(id).or_insert_with(|| {
            unique.push(i);
            unique.len() - 1
        });
        launch_of[i] = n;
    }
    if !unique.is_empty() {
        eprintln!(
            "warning: --live starts {} MCP server(s) and runs their code (stdio servers get only their configured environment plus PATH and HOME; each is stopped after {} s at most)",
            unique.len(),
            timeout.as_secs()
        );
    }
    let results: Vec<Result<palisade_mcp::live::LiveListing, palisade_mcp::live::LiveError>> =
        unique
            .par_iter()
            .map(|&i| palisade_mcp::live::list(&entries[i], timeout))
            .collect();
    let mut listed = Vec::new();
    for i in startable {
        let entry = &entries[i];
        let server = &mut report.servers[i];
        match &results[launch_of[i]] {
            Ok(listing) => {
                let tools = listing.server_tools(&entry.name);
                server.live = Some(LiveOut {
                    server_name: listing.server_name.clone(),
                    server_version: listing.server_version.clone(),
                    instructions: listing.instructions.is_some(),
                    tools: tools.tools.iter().map(|t| t.name.clone()).collect(),
                    prompts: listing.prompts.clone(),
                    resources: listing.resources.clone(),
                    error: None,
                });
                listed.push(Listed {
                    key: palisade_mcp::pins::key_for_entry(entry),
                    tools,
                    instructions: Some(listing.instructions.clone()),
                    server: Some(i),
                });
            }
            Err(e) => {
                let message = e.to_string();
                eprintln!(
                    "error: server `{}` ({}): --live: {message}",
                    entry.name,
                    entry.client.display_name()
                );
                report.errors.push(InputError {
                    input: format!("{} ({})", entry.name, entry.config.display()),
                    error: format!("--live: {message}"),
                });
                server.live = Some(LiveOut {
                    error: Some(message),
                    ..LiveOut::default()
                });
            }
        }
    }
    listed
}

/// Runs the tool rules over every listed server (each distinct server
/// once, all together for cross-server shadowing); returns what was checked.
fn check_listed_tools(report: &mut McpReport, listed: &[Listed]) -> Vec<ServerTools> {
    let mut all: Vec<ServerTools> = Vec::new();
    for l in listed {
        if !all.contains(&l.tools) {
            all.push(l.tools.clone());
        }
    }
    report.tools.extend(palisade_mcp::tools::check_tools(&all));
    all
}

/// Compares each listed server with its pins in the store, if it has any.
fn compare_with_pins(
    report: &mut McpReport,
    listed: &[Listed],
    all: &[ServerTools],
) -> anyhow::Result<()> {
    if listed.is_empty() {
        return Ok(());
    }
    let Some(path) = palisade_store::default_store_path() else {
        return Ok(());
    };
    let Some(store) = palisade_store::Store::open_existing(&path)
        .map_err(|e| usage(format!("`{}`: {e}", path.display())))?
    else {
        return Ok(());
    };
    for l in listed {
        let Some(pins) = store
            .pins_for(&l.key)
            .map_err(|e| usage(format!("`{}`: {e}", path.display())))?
        else {
            continue;
        };
        let mut findings = palisade_mcp::pins::compare(
            &l.tools,
            l.instructions.as_ref().map(Option::as_deref),
            &pins,
            all,
        );
        match l.server {
            Some(i) => report.servers[i].add_findings(findings),
            None if !findings.is_empty() => {
                let (verdict, _) = Verdict::decide(&mut findings);
                report.pins.push(PinReport {
                    client: l.key.client.clone(),
                    server: l.key.server.clone(),
                    target: l.key.target.clone(),
                    verdict,
                    findings,
                });
            }
            None => {}
        }
    }
    Ok(())
}

/// `palisade mcp pin`: lists tools as `mcp scan` does and stores them.
fn pin(args: &McpPinArgs) -> anyhow::Result<Status> {
    if args.tools.is_empty() && !args.live.live {
        return Err(usage(
            "nothing to pin from: give `--live` (start the servers) or `--tools FILE`",
        ));
    }
    let list = McpListArgs {
        config: args.config.clone(),
        home: args.home.clone(),
        no_project: args.no_project,
        format: OutputFormat::Text,
        output: None,
        fail_on: FailOn::Malicious,
    };
    let tools_only = !args.live.live && args.config.is_empty() && args.home.is_none();
    let (mut report, entries) = if tools_only {
        (McpReport::default(), Vec::new())
    } else {
        inventory(&list)?
    };
    let listed = list_tools(&mut report, &entries, &args.tools, &args.live)?;
    let path = palisade_store::default_store_path().ok_or_else(|| {
        usage("no folder for the palisade store: set `PALISADE_HOME` (or `HOME`)")
    })?;
    let store = palisade_store::Store::open(&path)
        .map_err(|e| usage(format!("`{}`: {e}", path.display())))?;
    let mut pinned = Vec::new();
    for l in &listed {
        let tools = palisade_mcp::pins::tool_pins(&l.tools);
        let instructions = l.instructions.clone().flatten();
        store
            .pin_tools(&l.key, instructions.as_deref(), &tools)
            .map_err(|e| usage(format!("`{}`: {e}", path.display())))?;
        pinned.push(serde_json::json!({
            "client": l.key.client,
            "server": l.key.server,
            "target": l.key.target,
            "tools": tools.iter().map(|t| serde_json::json!({"name": t.name, "sha256": t.sha256})).collect::<Vec<_>>(),
            "instructions": instructions.is_some(),
        }));
    }
    let text = if args.json {
        let mut t = serde_json::to_string_pretty(&serde_json::json!({
            "store": path.display().to_string(),
            "pinned": pinned,
            "errors": report.errors,
        }))?;
        t.push('\n');
        t
    } else {
        let mut t = String::new();
        for (l, p) in listed.iter().zip(&pinned) {
            t.push_str(&format!(
                "pinned `{}` ({}, `{}`): {} tool(s){}\n",
                l.key.server,
                l.key.client,
                l.key.target,
                l.tools.tools.len(),
                if p["instructions"] == true {
                    " and its instructions"
                } else {
                    ""
                }
            ));
        }
        t.push_str(&format!(
            "{} server(s) pinned in `{}`.\n",
            listed.len(),
            path.display()
        ));
        t
    };
    output::print(&text)?;
    Ok(if !report.errors.is_empty() || listed.is_empty() {
        Status::Usage
    } else {
        Status::Clean
    })
}

struct Scanner<'a> {
    engine: &'a Engine,
    registry: &'a Registry<'a>,
    known: &'a Known,
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
                        self.known.add_advisories(NPM, &mut report);
                        server.add_scan(report, source, note);
                    }
                    Err(e) => {
                        // A pinned version pulled from the registry is still
                        // known to be malicious.
                        let e = e.to_string();
                        let known = match &spec.req {
                            VersionReq::Exact(v) => self.known.advisory_report(
                                NPM,
                                &spec.name,
                                &v.to_string(),
                                &text,
                                &e,
                            ),
                            _ => None,
                        };
                        match known {
                            Some(report) => {
                                let source = format!("{}@{}", report.name, report.version);
                                server.add_scan(report, source, "the pinned version".to_owned());
                            }
                            None => server.error = Some(format!("`{text}`: {e}")),
                        }
                    }
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
            Launch::Python { .. } => {
                super::mcp_python::scan_python_server(
                    self.engine,
                    self.known,
                    self.limits,
                    self.diff,
                    server,
                );
            }
            Launch::Docker { .. } | Launch::Remote { .. } | Launch::Unknown { .. } => {}
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
