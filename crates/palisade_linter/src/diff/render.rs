//! A diff for people (text, one screen), for programs (JSON) and for code
//! scanning (SARIF, through the shared renderer).
//!
//! JSON: `{"old":{"name","version"},"new":{"name","version"},"bump",
//! "docs_changed","changes":[{"kind","detail","location":{"path","line"},
//! "install_time"?,"diff"}],"verdict","score","findings":[...]}`; findings
//! have the shape of a scan's.

use std::fmt::Write as _;

use palisade_diagnostics::render::{Format, RenderOptions, RuleInfo};
use palisade_diagnostics::{Report, Severity, Verdict};
use serde_json::{Value, json};

use super::{Change, DiffReport};

/// Changes listed in full (with their hunk) in text output; the rest get
/// one line each.
const MAX_HUNKS: usize = 5;
/// Context-only changes (`info`) listed in text output.
const MAX_CONTEXT_LINES: usize = 12;

/// The JSON value of a diff.
pub fn to_json(report: &DiffReport) -> Value {
    let changes: Vec<Value> = report
        .changes
        .iter()
        .map(|c| {
            let mut v = json!({
                "kind": c.kind(),
                "detail": c.detail(),
                "location": { "path": c.location.path, "line": c.location.line },
            });
            if c.install_time {
                v["install_time"] = Value::Bool(true);
            }
            v["diff"] = c.diff.clone().map_or(Value::Null, Value::String);
            v
        })
        .collect();
    json!({
        "old": { "name": report.old.name, "version": report.old.version },
        "new": { "name": report.new.name, "version": report.new.version },
        "bump": report.bump.as_str(),
        "docs_changed": report.docs_changed,
        "changes": changes,
        "verdict": report.verdict.as_str(),
        "score": report.score,
        "findings": serde_json::to_value(&report.findings).unwrap_or(Value::Null),
    })
}

/// Pretty JSON ending in a newline, with the keys in the documented order
/// (`old`, `new`, `bump`, `docs_changed`, `changes`, `verdict`, `score`,
/// `findings`; a change's `kind`, `detail`, `location`, `install_time`,
/// `diff`), not alphabetical.
pub fn render_json(report: &DiffReport) -> String {
    const ORDER: &[&str] = &[
        "old",
        "new",
        "name",
        "version",
        "bump",
        "docs_changed",
        "changes",
        "rule",
        "severity",
        "confidence",
        "kind",
        "detail",
        "message",
        "help",
        "location",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "snippet",
        "capability",
        "install_time",
        "preview",
        "deciding",
        "diff",
        "verdict",
        "score",
        "findings",
    ];
    let mut out = String::new();
    write_ordered(&mut out, &to_json(report), 0, ORDER);
    out.push('\n');
    out
}

/// Pretty-prints `value` (two-space indent, as serde_json does) with the
/// keys listed in `order` first, in that order, then the others sorted.
fn write_ordered(out: &mut String, value: &Value, depth: usize, order: &[&str]) {
    let pad = |n: usize| "  ".repeat(n);
    match value {
        Value::Object(map) if !map.is_empty() => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by_key(|k| {
                (
                    order.iter().position(|o| o == k).unwrap_or(usize::MAX),
                    k.as_str(),
                )
            });
            out.push_str("{\n");
            for (i, k) in keys.iter().enumerate() {
                let _ = write!(out, "{}{}: ", pad(depth + 1), Value::String((*k).clone()));
                write_ordered(out, &map[k.as_str()], depth + 1, order);
                out.push_str(if i + 1 < keys.len() { ",\n" } else { "\n" });
            }
            let _ = write!(out, "{}}}", pad(depth));
        }
        Value::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                write_ordered(out, item, depth + 1, order);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            let _ = write!(out, "{}]", pad(depth));
        }
        other => out.push_str(&other.to_string()),
    }
}

/// SARIF 2.1.0, through the shared renderer: one run, the diff's findings
/// as results of the new version.
pub fn render_sarif(report: &DiffReport, rules: &[RuleInfo]) -> String {
    let mut r = Report::default();
    r.packages.push(report.to_package_report());
    palisade_diagnostics::render::render(
        &r,
        Format::Sarif,
        RenderOptions {
            rules,
            ..RenderOptions::default()
        },
    )
}

/// The rule descriptors of the diff rules, for SARIF.
pub fn rule_infos() -> Vec<RuleInfo> {
    super::rules::ALL
        .iter()
        .map(|r| {
            let m = r.meta();
            RuleInfo::new(m.id, m.summary).with_severity(m.severity)
        })
        .collect()
}

/// The worst severity a finding gave this change, if any.
fn severity_of(report: &DiffReport, change: &Change) -> Option<Severity> {
    report
        .findings
        .iter()
        .filter(|f| {
            f.location.as_ref() == Some(&change.location)
                && f.capability.as_deref() == Some(change.kind())
        })
        .map(|f| f.severity)
        .max()
}

/// Text for a terminal: the header, each new capability with its hunk,
/// and the verdict with what decided it.
pub fn render_text(report: &DiffReport, color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "`{}` {} → {} ({} release; {})",
        report.new.name,
        report.old.version,
        report.new.version,
        report.bump,
        if report.docs_changed {
            "README, description or tool definitions changed"
        } else {
            "README, description and tool definitions unchanged"
        }
    );
    if report.old.name != report.new.name {
        let _ = writeln!(
            out,
            "note: comparing `{}` with `{}`",
            report.old.name, report.new.name
        );
    }
    let n = report.changes.len();
    let _ = writeln!(out, "{n} new capabilit{}", if n == 1 { "y" } else { "ies" });

    let mut ranked: Vec<(Option<Severity>, &Change)> = report
        .changes
        .iter()
        .map(|c| (severity_of(report, c), c))
        .collect();
    ranked.sort_by_key(|r| std::cmp::Reverse(r.0));
    let (loud, quiet): (Vec<_>, Vec<_>) = ranked
        .into_iter()
        .partition(|(s, _)| s.is_some_and(|s| s > Severity::Info));
    for (i, (sev, c)) in loud.iter().enumerate() {
        let sev = sev.map_or("", |s| s.as_str());
        let _ = writeln!(
            out,
            "\n{} {} {}: {}",
            paint("1", sev),
            c.kind(),
            c.location,
            c.detail()
        );
        if i < MAX_HUNKS
            && let Some(d) = &c.diff
        {
            for line in d.lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    if !quiet.is_empty() {
        let _ = writeln!(out, "\ncontext:");
        for (_, c) in quiet.iter().take(MAX_CONTEXT_LINES) {
            let _ = writeln!(out, "  {} {}: {}", c.kind(), c.location, c.detail());
        }
        if quiet.len() > MAX_CONTEXT_LINES {
            let _ = writeln!(
                out,
                "  … and {} more (see `--format json`)",
                quiet.len() - MAX_CONTEXT_LINES
            );
        }
    }
    let verdict = match report.verdict {
        Verdict::Malicious => paint("1;31", "malicious"),
        Verdict::Suspicious => paint("1;33", "suspicious"),
        Verdict::Clean => paint("1;32", "clean"),
    };
    let _ = writeln!(out, "\nverdict: {verdict}");
    for f in report.deciding() {
        let loc = f
            .location
            .as_ref()
            .map(|l| format!(" at {l}"))
            .unwrap_or_default();
        let _ = writeln!(out, "  {} {}{loc}: {}", f.severity, f.rule, f.message);
    }
    out
}
