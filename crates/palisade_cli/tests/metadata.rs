//! Metadata and authenticity findings through `palisade scan <spec>`, against
//! the in-process mock registry on 127.0.0.1.
//!
//! The `postmark-mcp` incident (September 2025): an unscoped copy of an email
//! company's MCP server, whose `repository` pointed at the company's project,
//! published by someone unconnected to the company. Here the organisation's
//! own package is `@postmark/mcp-server`; the copy is `postmark-mcp`, whose
//! 1.0.16 adds the inert `Bcc` line (`phan@giftshop.invalid`). Nothing is
//! installed or run.

mod common;

use common::{Run, Sandbox, fixture_files};
use palisade_test::MockRegistry;
use serde_json::{Value, json};

const REPOSITORY: &str = "git+https://github.com/postmark/mcp-server.git";

fn run(mut cmd: std::process::Command) -> Run {
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run palisade: {e}"));
    Run::from_output(&output)
}

/// The organisation's package and the copy, both versions of it.
fn postmark_registry() -> MockRegistry {
    let registry = MockRegistry::start();
    let org_files = fixture_files("postmark-mcp-1.0.15");
    let org: Vec<(&str, &[u8])> = org_files
        .iter()
        .filter(|(p, _)| p != "package.json")
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let _ = registry
        .package("@postmark/mcp-server", "1.2.0")
        .files(&org)
        .maintainer("postmark-bot", "bot@postmark.invalid")
        .maintainer("jdoe", "jdoe@postmark.invalid")
        .npm_user("postmark-bot", "bot@postmark.invalid")
        .repository(json!({ "type": "git", "url": REPOSITORY }))
        .time("2025-08-01T10:00:00.000Z")
        .publish();
    for (version, time) in [
        ("1.0.15", "2025-09-14T08:00:00.000Z"),
        ("1.0.16", "2025-09-17T08:00:00.000Z"),
    ] {
        let files = fixture_files(&format!("postmark-mcp-{version}"));
        let borrowed: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(p, b)| (p.as_str(), b.as_slice()))
            .collect();
        let _ = registry
            .package("postmark-mcp", version)
            .files(&borrowed)
            .maintainer("phanpak", "phan@giftshop.invalid")
            .npm_user("phanpak", "phan@giftshop.invalid")
            .repository(json!({ "type": "git", "url": REPOSITORY }))
            .time(time)
            .publish();
    }
    registry
}

fn scan(registry: &MockRegistry, spec: &str, extra: &[&str]) -> (Run, Value) {
    let sandbox = Sandbox::new();
    let url = registry.url();
    let mut args = vec!["scan", spec, "--registry", &url, "--format", "json"];
    args.extend_from_slice(extra);
    let out = run(sandbox.command(&args));
    let report = out.json();
    (out, report)
}

fn findings(report: &Value) -> Vec<Value> {
    report["packages"][0]["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn severity_of(findings: &[Value], rule: &str) -> Option<String> {
    findings
        .iter()
        .find(|f| f["rule"] == rule)
        .and_then(|f| f["severity"].as_str().map(str::to_owned))
}

/// The must-show: the copy gets metadata findings as well as the code finding.
#[test]
fn postmark_copy_gets_metadata_findings_and_the_code_finding() {
    let registry = postmark_registry();
    let (out, report) = scan(&registry, "postmark-mcp@1.0.16", &[]);
    out.assert_code(1);
    let package = &report["packages"][0];
    assert_eq!(package["verdict"], "malicious", "{package:#}");
    let found = findings(&report);
    assert_eq!(
        severity_of(&found, "exfil/email-hardcoded-recipient").as_deref(),
        Some("critical"),
        "{package:#}"
    );
    let impersonation = found
        .iter()
        .find(|f| f["rule"] == "metadata/name-impersonation")
        .cloned()
        .unwrap_or_default();
    assert_eq!(impersonation["severity"], "high", "{package:#}");
    assert!(
        impersonation["message"]
            .as_str()
            .unwrap_or_default()
            .contains("unscoped copy of `@postmark/mcp-server`"),
        "{impersonation:#}"
    );
    let claim = found
        .iter()
        .find(|f| f["rule"] == "metadata/repository-claim")
        .cloned()
        .unwrap_or_default();
    assert_eq!(claim["severity"], "high", "{package:#}");
    let message = claim["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("github.com/postmark/mcp-server"),
        "{message}"
    );
    assert!(message.contains("`phanpak`"), "{message}");
    // The code (and the version diff) decide `malicious`; metadata is never
    // critical.
    assert!(
        found
            .iter()
            .filter(|f| f["deciding"] == true)
            .all(|f| !f["rule"]
                .as_str()
                .unwrap_or_default()
                .starts_with("metadata/")),
        "{package:#}"
    );
}

/// The honest 1.0.15 of the copy is not malicious, but its metadata makes it
/// suspicious: the copy was a copy before it turned.
#[test]
fn postmark_copy_before_the_bcc_is_suspicious_by_metadata_alone() {
    let registry = postmark_registry();
    let (_, report) = scan(&registry, "postmark-mcp@1.0.15", &[]);
    let package = &report["packages"][0];
    assert_eq!(package["verdict"], "suspicious", "{package:#}");
    let deciding: Vec<&str> = findings(&report)
        .iter()
        .filter(|f| f["deciding"] == true)
        .filter_map(|f| f["rule"].as_str().map(str::to_owned))
        .map(|r| {
            if r.starts_with("metadata/") {
                "metadata"
            } else {
                "other"
            }
        })
        .collect();
    assert!(
        !deciding.is_empty() && deciding.iter().all(|r| *r == "metadata"),
        "{package:#}"
    );
}

#[test]
fn the_organisations_own_package_gets_no_authenticity_findings() {
    let registry = postmark_registry();
    let (out, report) = scan(&registry, "@postmark/mcp-server@1.2.0", &[]);
    out.assert_code(0);
    let found = findings(&report);
    for rule in [
        "metadata/name-impersonation",
        "metadata/repository-claim",
        "metadata/publisher-change",
    ] {
        assert_eq!(severity_of(&found, rule), None, "{rule}: {found:#?}");
    }
    assert_eq!(report["packages"][0]["verdict"], "clean");
}

#[test]
fn no_metadata_skips_the_metadata_rules() {
    let registry = postmark_registry();
    let (_, report) = scan(&registry, "postmark-mcp@1.0.16", &["--no-metadata"]);
    let found = findings(&report);
    assert!(
        !found.iter().any(|f| f["rule"]
            .as_str()
            .unwrap_or_default()
            .starts_with("metadata/")),
        "{found:#?}"
    );
    assert!(!found.is_empty());
}

/// A registry that strips `time`, `maintainers` and `_npmUser`: the report
/// says what is unknown and nothing fires on the absence.
#[test]
fn stripped_packuments_say_unknown() {
    let registry = MockRegistry::start();
    for version in ["1.0.0", "1.0.1"] {
        let _ = registry
            .package("plain-widget-kit", version)
            .file("index.js", b"module.exports = 1;\n")
            .publish();
    }
    let (out, report) = scan(&registry, "plain-widget-kit@1.0.1", &[]);
    out.assert_code(0);
    let found = findings(&report);
    let metadata: Vec<&Value> = found
        .iter()
        .filter(|f| {
            f["rule"]
                .as_str()
                .unwrap_or_default()
                .starts_with("metadata/")
        })
        .collect();
    assert_eq!(metadata.len(), 1, "{metadata:#?}");
    assert_eq!(metadata[0]["rule"], "metadata/unknown");
    let message = metadata[0]["message"].as_str().unwrap_or_default();
    for rule in ["metadata/publisher-change", "metadata/recent-release"] {
        assert!(message.contains(rule), "{message}");
    }
    assert_eq!(report["packages"][0]["verdict"], "clean");
}

/// A publisher nobody saw before, after years of silence, adding an install
/// script: the account-takeover shape.
#[test]
fn takeover_shape_is_reported() {
    let registry = MockRegistry::start();
    let _ = registry
        .package("tiny-color-utils", "1.4.2")
        .file("index.js", b"module.exports = 'red';\n")
        .maintainer("alice", "alice@example.invalid")
        .npm_user("alice", "alice@example.invalid")
        .time("2019-08-01T00:00:00.000Z")
        .publish();
    let _ = registry
        .package("tiny-color-utils", "1.4.3")
        .file("index.js", b"module.exports = 'red';\n")
        .file("setup.js", b"console.log('hello');\n")
        .script("postinstall", "node setup.js")
        .maintainer("mallory", "mallory@example.invalid")
        .npm_user("mallory", "mallory@example.invalid")
        .time("2025-09-20T03:00:00.000Z")
        .publish();
    let (_, report) = scan(&registry, "tiny-color-utils@1.4.3", &[]);
    let found = findings(&report);
    for (rule, severity) in [
        ("metadata/publisher-change", "medium"),
        ("metadata/dormant-release", "medium"),
        ("metadata/install-script-added", "medium"),
    ] {
        assert_eq!(
            severity_of(&found, rule).as_deref(),
            Some(severity),
            "{rule}: {found:#?}"
        );
    }
}

#[test]
fn rules_lists_and_documents_the_metadata_rules() {
    let sandbox = Sandbox::new();
    let out = run(sandbox.command(&["rules"]));
    out.assert_code(0);
    for id in [
        "metadata/name-impersonation",
        "metadata/repository-claim",
        "metadata/publisher-change",
        "metadata/version-jump",
        "metadata/unknown",
    ] {
        assert!(out.stdout.contains(id), "{id} not listed");
    }
    let out = run(sandbox.command(&["rule", "metadata/repository-claim"]));
    out.assert_code(0);
    assert!(out.stdout.contains("## Why is this bad?"), "{}", out.stdout);
}
