use std::fmt::Write as _;

use palisade_linter::{Engine, RuleMeta};

use crate::args::RulesArgs;
use crate::exit::{Status, usage};
use crate::output;

/// Every rule's metadata: package rules, version-diff rules, advisory and
/// metadata rules, `mcp/` rules, then the lockfile findings of project scans.
fn all_metas() -> Vec<&'static RuleMeta> {
    Engine::rules()
        .iter()
        .map(|r| r.meta())
        .chain(palisade_linter::diff::rules::ALL.iter().map(|r| r.meta()))
        .chain(palisade_linter::known::metas())
        .chain(palisade_linter::metadata::metas())
        .chain(palisade_mcp::rules::metas())
        .chain(super::project::LOCKFILE_RULES.iter())
        .collect()
}

/// `palisade rules`.
pub fn list(args: &RulesArgs) -> anyhow::Result<Status> {
    let rules = all_metas();
    let text = if args.json {
        let v: Vec<serde_json::Value> = rules
            .iter()
            .map(|m| {
                serde_json::json!({
                    "id": m.id,
                    "category": m.category(),
                    "severity": m.severity,
                    "status": m.status,
                    "summary": m.summary,
                })
            })
            .collect();
        serde_json::to_string_pretty(&v)? + "\n"
    } else {
        let width = rules.iter().map(|m| m.id.len()).max().unwrap_or(0);
        let mut out = String::new();
        for m in rules {
            let status = if m.status == palisade_diagnostics::RuleStatus::Preview {
                " (preview)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "{:<width$}  {:<8}  {}{status}",
                m.id,
                m.severity.as_str(),
                m.summary
            );
        }
        out
    };
    output::print(&text)?;
    Ok(Status::Clean)
}

/// `palisade rule <id>`.
pub fn show(id: &str) -> anyhow::Result<Status> {
    let m = all_metas()
        .into_iter()
        .find(|m| m.id == id)
        .ok_or_else(|| usage(format!("no rule `{id}`; `palisade rules` lists them")))?;
    let status = match m.status {
        palisade_diagnostics::RuleStatus::Stable => "stable",
        palisade_diagnostics::RuleStatus::Preview => "preview",
    };
    let mut out = format!(
        "# {}\n\n{}\n\nDefault severity: {}. Status: {status}.\n\n",
        m.id, m.summary, m.severity
    );
    for line in m.doc.lines() {
        out.push_str(line.strip_prefix(' ').unwrap_or(line));
        out.push('\n');
    }
    output::print(&out)?;
    Ok(Status::Clean)
}
