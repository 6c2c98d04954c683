//! Python packages end to end: fixtures read from folders the way
//! `palisade scan <folder>` reads them, scanned by the engine.
//!
//! The malicious fixtures are inert: they point at 127.0.0.1 or `*.invalid`.

use std::fmt::Write as _;
use std::path::Path;

use palisade_diagnostics::{PackageReport, Verdict};
use palisade_linter::{Engine, EngineOptions};
use palisade_package::{Limits, read_dir};

fn scan(name: &str) -> PackageReport {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/python")
        .join(name);
    let package = read_dir(&dir, &Limits::default()).expect("fixture folder reads");
    let mut report = Engine::new(EngineOptions::default()).scan(&package);
    report.source = name.to_owned();
    report
}

fn summary(report: &PackageReport) -> String {
    let mut out = format!("{}@{}: {}\n", report.name, report.version, report.verdict);
    for f in &report.findings {
        let loc = f
            .location
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{} {} {loc}{}: {}",
            f.severity,
            f.rule,
            if f.install_time {
                " [install-time]"
            } else {
                ""
            },
            f.message
        );
    }
    out
}

/// A wheel whose `.pth` file runs a decoded command at every Python start
/// (the LiteLLM 1.82.8 technique).
#[test]
fn pth_with_executable_line_is_malicious() {
    let r = scan("pth-exec");
    assert_eq!(r.verdict, Verdict::Malicious, "{}", summary(&r));
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule == "persistence/pth-executable-line")
    );
    insta::assert_snapshot!("python_pth_exec", summary(&r));
}

/// An sdist whose `install` command downloads a file and runs it.
#[test]
fn setup_py_that_downloads_at_install_is_malicious() {
    let r = scan("setup-download");
    assert_eq!(r.verdict, Verdict::Malicious, "{}", summary(&r));
    assert!(r.findings.iter().any(|f| f.install_time && f.deciding));
    insta::assert_snapshot!("python_setup_download", summary(&r));
}

/// The postmark-mcp technique in a Python MCP server: a hard-coded `Bcc`.
#[test]
fn mcp_server_with_hardcoded_bcc_is_malicious() {
    let r = scan("fastmcp-bcc");
    assert_eq!(r.verdict, Verdict::Malicious, "{}", summary(&r));
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule == "exfil/email-hardcoded-recipient")
    );
}

#[test]
fn ordinary_setup_py_is_clean() {
    let r = scan("setup-benign");
    assert_eq!(r.verdict, Verdict::Clean, "{}", summary(&r));
    assert_eq!(r.name, "demo");
    assert_eq!(r.version, "2.3.0");
    assert!(
        r.findings
            .iter()
            .all(|f| f.severity <= palisade_diagnostics::Severity::Low),
        "{}",
        summary(&r)
    );
}

#[test]
fn fastmcp_server_calling_the_configured_api_is_clean() {
    let r = scan("fastmcp-benign");
    assert_eq!(r.verdict, Verdict::Clean, "{}", summary(&r));
    assert_eq!(r.name, "weather-mcp");
    assert!(
        r.findings
            .iter()
            .all(|f| f.severity <= palisade_diagnostics::Severity::Low),
        "{}",
        summary(&r)
    );
}
