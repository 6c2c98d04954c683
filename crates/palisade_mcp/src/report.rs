//! The result of `palisade mcp list` and `palisade mcp scan`, and its
//! renderers: a table grouped by client (text), JSON, and SARIF.
//!
//! JSON shape (stable):
//! `{"tool", "servers": [{"client", "config", "name", "transport",
//! "command", "args", "url", "package": {"ecosystem", "name", "version",
//! "requested", "pinned"}, "launch", "verdict", "findings", "scanned",
//! "not_analysed", "error"}], "tools": [...], "files": [...], "errors": [...]}`.

use std::fmt::Write as _;
use std::path::PathBuf;

use palisade_diagnostics::render::{self, RenderOptions, RuleInfo};
use palisade_diagnostics::{
    Finding, InputError, PackageReport, Report, ScanStats, Severity, ToolInfo, Verdict,
};
use serde::Serialize;

use crate::discover::ConfigFile;
use crate::model::{Client, Launch, ServerEntry, Transport};
use crate::secrets::redact_url;
use crate::tools::ToolReport;

/// The package a server runs, as output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageOut {
    /// `npm`, `pypi` or `docker`.
    pub ecosystem: &'static str,
    pub name: String,
    /// The exact version: the one pinned, or the one that would run today
    /// when the registry was asked; else what the config asks for.
    pub version: Option<String>,
    /// What the configuration asks for, as written (`None`: latest).
    pub requested: Option<String>,
    pub pinned: bool,
}

/// What was scanned for a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scanned {
    /// `name@version`, a folder, or a file.
    pub source: String,
    pub verdict: Verdict,
    pub score: u32,
    /// How the version was chosen, e.g. "pinned" or "`latest` today: the
    /// version `npx -y` would run now".
    pub note: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrity: Option<String>,
}

/// One configured server and what is known about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerReport {
    pub client: Client,
    pub config: PathBuf,
    /// Where in the config file.
    pub pointer: String,
    pub name: String,
    pub transport: Transport,
    pub command: Option<String>,
    pub args: Vec<String>,
    /// Credentials in the URL are redacted.
    pub url: Option<String>,
    /// The keys of `env` (values are never output).
    pub env: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
    pub launch: Launch,
    pub package: Option<PackageOut>,
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scanned: Option<Scanned>,
    /// Why the server's code was not analysed, when it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_analysed: Option<String>,
    /// Why a scan failed (registry error, unreadable folder).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What `--live` read from the running server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<LiveOut>,
    /// The package scan, kept for SARIF.
    #[serde(skip)]
    pub package_report: Option<PackageReport>,
}

/// What `--live` read from a server, or why it could not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LiveOut {
    /// `serverInfo` name and version, as the server gave them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_version: Option<String>,
    /// Whether the server sent `instructions`.
    pub instructions: bool,
    /// Tool names, in the server's order.
    pub tools: Vec<String>,
    pub prompts: Vec<String>,
    pub resources: Vec<String>,
    /// Why the listing failed (timeout, could not start, not MCP).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Pin findings of a server read from a `--tools` file that matches no
/// configured server (a configured server carries them in its findings).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PinReport {
    pub client: String,
    pub server: String,
    /// What the pin is keyed by: a command line, a URL, or `file:<path>`.
    pub target: String,
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
}

impl ServerReport {
    /// A server with its config findings, not scanned yet.
    pub fn new(entry: &ServerEntry) -> ServerReport {
        let launch = crate::resolve(entry);
        let mut findings = crate::rules::check_server(entry, &launch);
        let (verdict, _) = Verdict::decide(&mut findings);
        let package = launch.package().map(|p| PackageOut {
            ecosystem: p.ecosystem,
            name: p.name,
            version: if p.pinned { p.version.clone() } else { None },
            requested: p.version,
            pinned: p.pinned,
        });
        ServerReport {
            client: entry.client,
            config: entry.config.clone(),
            pointer: entry.pointer.clone(),
            name: entry.name.clone(),
            transport: entry.transport,
            command: entry.command.clone(),
            args: crate::secrets::redact_args(&entry.args),
            url: entry.url.as_deref().map(redact_url),
            env: entry.env.keys().cloned().collect(),
            disabled: entry.disabled,
            not_analysed: launch.not_analysed().map(str::to_owned),
            launch,
            package,
            verdict,
            findings,
            scanned: None,
            error: None,
            live: None,
            package_report: None,
        }
    }

    /// Adds findings (pin comparisons) and decides the verdict again.
    pub fn add_findings(&mut self, findings: Vec<Finding>) {
        if findings.is_empty() {
            return;
        }
        self.findings.extend(findings);
        let (verdict, _) = Verdict::decide(&mut self.findings);
        self.verdict = verdict.max(self.scanned.as_ref().map_or(Verdict::Clean, |s| s.verdict));
    }

    /// Adds a package scan: its findings join the config findings, and the
    /// verdict is the worse of the two.
    pub fn add_scan(&mut self, report: PackageReport, source: String, note: String) {
        if let Some(p) = &mut self.package {
            p.version = Some(report.version.clone());
        }
        self.scanned = Some(Scanned {
            source,
            verdict: report.verdict,
            score: report.score,
            note,
            integrity: report.integrity.clone(),
        });
        self.verdict = self.verdict.max(report.verdict);
        self.findings.extend(report.findings.iter().cloned());
        self.package_report = Some(report);
    }
}

/// The whole run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct McpReport {
    pub tool: ToolInfo,
    pub servers: Vec<ServerReport>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolReport>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pins: Vec<PinReport>,
    pub files: Vec<ConfigFile>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<InputError>,
}

impl McpReport {
    /// The worst verdict of any server or tool.
    pub fn worst(&self) -> Verdict {
        self.servers
            .iter()
            .map(|s| s.verdict)
            .chain(self.tools.iter().map(|t| t.verdict))
            .chain(self.pins.iter().map(|p| p.verdict))
            .max()
            .unwrap_or(Verdict::Clean)
    }

    /// JSON, pretty-printed, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut out = serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\": \"cannot serialise the report: {e}\"}}"));
        out.push('\n');
        out
    }

    /// SARIF 2.1.0: each server (and each tool with findings) as a package
    /// of the common report.
    pub fn to_sarif(&self, rules: &[RuleInfo]) -> String {
        let mut report = Report {
            tool: self.tool.clone(),
            packages: Vec::new(),
            errors: self.errors.clone(),
        };
        for s in &self.servers {
            let (name, version) = match (&s.package_report, &s.package) {
                (Some(p), _) => (p.name.clone(), p.version.clone()),
                (None, Some(p)) => (p.name.clone(), p.version.clone().unwrap_or_default()),
                (None, None) => (s.name.clone(), String::new()),
            };
            report.packages.extend(package_report(
                name,
                version,
                s.config.display().to_string(),
                s.verdict,
                &s.findings,
            ));
        }
        for p in self.pins.iter().filter(|p| !p.findings.is_empty()) {
            report.packages.extend(package_report(
                p.server.clone(),
                String::new(),
                p.target.clone(),
                p.verdict,
                &p.findings,
            ));
        }
        for t in self.tools.iter().filter(|t| !t.findings.is_empty()) {
            report.packages.extend(package_report(
                format!("{}/{}", t.server, t.tool),
                String::new(),
                "tools".to_owned(),
                t.verdict,
                &t.findings,
            ));
        }
        render::sarif::render(
            &report,
            RenderOptions {
                rules,
                ..RenderOptions::default()
            },
        )
    }

    /// Text for people: a table of servers grouped by client, then the
    /// findings of each server and tool. `details` adds scan notes.
    pub fn to_text(&self, details: bool) -> String {
        let mut out = String::new();
        if self.servers.is_empty() && self.tools.is_empty() {
            out.push_str("No MCP servers configured in the files palisade knows.\n");
        }
        for client in Client::ALL {
            let servers: Vec<&ServerReport> =
                self.servers.iter().filter(|s| s.client == client).collect();
            if servers.is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                "{} ({} server{})",
                client.display_name(),
                servers.len(),
                if servers.len() == 1 { "" } else { "s" }
            );
            let rows: Vec<[String; 6]> = servers
                .iter()
                .map(|s| {
                    let launch = match (&s.command, &s.url) {
                        (Some(c), _) => std::iter::once(c.as_str())
                            .chain(s.args.iter().map(String::as_str))
                            .collect::<Vec<_>>()
                            .join(" "),
                        (None, Some(u)) => u.clone(),
                        (None, None) => String::new(),
                    };
                    let package = match &s.package {
                        Some(p) => match p.version.as_ref().or(p.requested.as_ref()) {
                            Some(v) => format!("{} {}@{v}", p.ecosystem, p.name),
                            None => format!("{} {}", p.ecosystem, p.name),
                        },
                        None => s.launch.summary(),
                    };
                    let pinned = match &s.package {
                        Some(p) if p.pinned => "pinned",
                        Some(_) => "UNPINNED",
                        None => "-",
                    };
                    let name = if s.disabled {
                        format!("{} (disabled)", s.name)
                    } else {
                        s.name.clone()
                    };
                    [
                        name,
                        s.transport.to_string(),
                        truncate(&launch, 60),
                        package,
                        pinned.to_owned(),
                        s.verdict.to_string(),
                    ]
                })
                .collect();
            let header = [
                "name",
                "transport",
                "command/url",
                "package",
                "pinned",
                "verdict",
            ];
            let mut widths = header.map(str::len);
            for r in &rows {
                for (w, c) in widths.iter_mut().zip(r) {
                    *w = (*w).max(c.chars().count());
                }
            }
            let line = |cells: [&str; 6]| {
                let mut l = String::from(" ");
                for (i, c) in cells.iter().enumerate() {
                    let _ = write!(l, " {c:<w$}", w = widths[i]);
                }
                l.trim_end().to_owned() + "\n"
            };
            out.push_str(&line(header));
            for r in &rows {
                out.push_str(&line([&r[0], &r[1], &r[2], &r[3], &r[4], &r[5]]));
            }
            let mut files: Vec<&PathBuf> = servers.iter().map(|s| &s.config).collect();
            files.dedup();
            for f in files {
                let _ = writeln!(out, "  from {}", f.display());
            }
            out.push('\n');
        }
        for s in &self.servers {
            let noteworthy = !s.findings.is_empty()
                || s.error.is_some()
                || s.live.is_some()
                || (details && (s.scanned.is_some() || s.not_analysed.is_some()));
            if !noteworthy {
                continue;
            }
            let _ = writeln!(
                out,
                "{} `{}` ({}): {}",
                s.client.display_name(),
                s.name,
                s.launch.summary(),
                s.verdict
            );
            if let Some(sc) = &s.scanned {
                let _ = writeln!(out, "  scanned {}: {} ({})", sc.source, sc.verdict, sc.note);
            }
            if details && let Some(n) = &s.not_analysed {
                let _ = writeln!(out, "  not analysed: {n}");
            }
            if let Some(e) = &s.error {
                let _ = writeln!(out, "  error: {e}");
            }
            if let Some(live) = &s.live {
                write_live(&mut out, live);
            }
            write_findings(&mut out, &s.findings);
            out.push('\n');
        }
        for p in self.pins.iter().filter(|p| !p.findings.is_empty()) {
            let _ = writeln!(
                out,
                "pinned server `{}` ({}): {}",
                p.server, p.target, p.verdict
            );
            write_findings(&mut out, &p.findings);
            out.push('\n');
        }
        for t in self.tools.iter().filter(|t| !t.findings.is_empty()) {
            let _ = writeln!(out, "tool `{}` of `{}`: {}", t.tool, t.server, t.verdict);
            write_findings(&mut out, &t.findings);
            out.push('\n');
        }
        if !self.tools.is_empty() {
            let flagged = self.tools.iter().filter(|t| !t.findings.is_empty()).count();
            let _ = writeln!(
                out,
                "{} tool definition(s) checked, {flagged} flagged.",
                self.tools.len()
            );
        }
        for e in &self.errors {
            let _ = writeln!(out, "error: {}: {}", e.input, e.error);
        }
        let _ = writeln!(
            out,
            "{} server(s) in {} config file(s); worst verdict: {}.",
            self.servers.len(),
            self.files.len(),
            self.worst()
        );
        out
    }
}

fn write_findings(out: &mut String, findings: &[Finding]) {
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| std::cmp::Reverse((f.deciding, f.severity)));
    for f in sorted {
        if f.severity == Severity::Info {
            continue;
        }
        let mark = if f.deciding { "*" } else { "-" };
        let _ = writeln!(out, "  {mark} {} [{}] {}", f.severity, f.rule, f.message);
        if let Some(loc) = &f.location
            && loc.line > 0
        {
            let _ = writeln!(out, "      at {loc}");
        }
        if let Some(snippet) = &f.snippet {
            let snippet = snippet.trim_matches('\n');
            if snippet.contains('\n') {
                // A diff: its leading markers and indentation matter.
                for line in snippet.lines() {
                    let _ = writeln!(out, "      | {}", line.trim_end());
                }
            } else {
                let _ = writeln!(out, "      | {}", snippet.trim());
            }
        }
        if let Some(help) = &f.help {
            let _ = writeln!(out, "      help: {help}");
        }
    }
}

fn write_live(out: &mut String, live: &LiveOut) {
    if let Some(e) = &live.error {
        let _ = writeln!(out, "  live: error: {e}");
        return;
    }
    let who = match (&live.server_name, &live.server_version) {
        (Some(n), Some(v)) => format!(" (`{n}` {v})"),
        (Some(n), None) => format!(" (`{n}`)"),
        _ => String::new(),
    };
    let list = |items: &[String]| {
        if items.is_empty() {
            String::new()
        } else {
            format!(": {}", truncate(&items.join(", "), 80))
        }
    };
    let _ = writeln!(
        out,
        "  live{who}: {} tool(s){}; {} prompt(s), {} resource(s){}",
        live.tools.len(),
        list(&live.tools),
        live.prompts.len(),
        live.resources.len(),
        if live.instructions {
            "; sends instructions"
        } else {
            ""
        }
    );
}

/// A package report for SARIF, built through serde so that fields added to
/// the model later keep their defaults.
fn package_report(
    name: String,
    version: String,
    source: String,
    verdict: Verdict,
    findings: &[Finding],
) -> Option<PackageReport> {
    serde_json::from_value(serde_json::json!({
        "name": name,
        "version": version,
        "source": source,
        "verdict": verdict,
        "score": 0,
        "findings": findings,
        "stats": ScanStats::default(),
    }))
    .ok()
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        s.chars().take(max - 1).collect::<String>() + "…"
    }
}

/// SARIF descriptors for the `mcp/` rules.
pub fn rule_infos() -> Vec<RuleInfo> {
    crate::rules::metas()
        .into_iter()
        .map(|m| RuleInfo::new(m.id, m.summary).with_severity(m.severity))
        .collect()
}
