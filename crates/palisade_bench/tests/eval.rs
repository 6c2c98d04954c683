//! The evaluation over small, inert, generated sets: the engine's verdicts
//! do not matter here (the report model is tested with hand-made reports),
//! only that every entry is read, counted and listed in order.

use std::path::Path;
use std::time::Duration;

use palisade_bench::guarddog::GuardDogReport;
use palisade_bench::render::render;
use palisade_bench::run::{RunOptions, run};
use palisade_bench::{EvalReport, Label, Outcome, SetSpec, rule_table, summarise};
use palisade_diagnostics::{Finding, PackageReport, ScanStats, Severity, Verdict};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn write_package(dir: &Path, name: &str, version: &str, index: &str) -> std::io::Result<()> {
    let root = dir.join(format!("{name}-{version}"));
    std::fs::create_dir_all(&root)?;
    std::fs::write(
        root.join("package.json"),
        format!(r#"{{"name": "{name}", "version": "{version}", "main": "index.js"}}"#),
    )?;
    std::fs::write(root.join("index.js"), index)
}

fn report(name: &str, verdict: Verdict, findings: Vec<Finding>) -> PackageReport {
    PackageReport {
        name: name.to_owned(),
        version: "1.0.0".to_owned(),
        source: format!("{name}-1.0.0.tgz"),
        integrity: None,
        verdict,
        score: 0,
        findings,
        stats: ScanStats::default(),
        facts: None,
        cached: false,
        dependency_path: Vec::new(),
    }
}

fn finding(rule: &str, severity: Severity, preview: bool, deciding: bool) -> Finding {
    let mut f = Finding::new(rule, severity, "inert test finding");
    f.preview = preview;
    f.deciding = deciding;
    f
}

fn scanned(name: &str, bytes: u64, ms: u64, report: PackageReport) -> Outcome {
    Outcome::Scanned {
        entry: format!("{name}-1.0.0.tgz"),
        bytes,
        elapsed: Duration::from_millis(ms),
        report: Box::new(report),
    }
}

/// A report built from hand-made scan results: what a reader of the
/// evaluation sees, independent of the engine's current rules.
fn sample_report() -> EvalReport {
    let mal = SetSpec {
        name: "mal".to_owned(),
        label: Label::Malicious,
        path: "/corpus/mal".into(),
        python_files: false,
    };
    let benign = SetSpec {
        name: "ok".to_owned(),
        label: Label::Benign,
        path: "/corpus/ok".into(),
        python_files: false,
    };
    let mal_outcomes = vec![
        scanned(
            "stealer",
            2_000,
            3,
            report(
                "stealer",
                Verdict::Malicious,
                vec![
                    finding("exfil/env-to-network", Severity::Critical, false, true),
                    finding("install/script-runs-node", Severity::Medium, false, false),
                ],
            ),
        ),
        scanned(
            "recon",
            1_000,
            1,
            report(
                "recon",
                Verdict::Suspicious,
                vec![
                    finding("install/script-runs-node", Severity::High, false, true),
                    finding("obfuscation/hex-strings", Severity::Critical, true, false),
                    finding("obfuscation/hex-strings", Severity::Low, true, false),
                ],
            ),
        ),
        scanned("quiet", 500, 2, report("quiet", Verdict::Clean, vec![])),
        Outcome::Unreadable {
            entry: "broken-1.0.0.tgz".to_owned(),
            error: "`broken-1.0.0.tgz` is not a package".to_owned(),
        },
    ];
    let ok_outcomes = vec![
        scanned(
            "lodash-like",
            300_000,
            4,
            report(
                "lodash-like",
                Verdict::Suspicious,
                vec![
                    finding("obfuscation/hex-strings", Severity::High, false, true),
                    finding("capability/network", Severity::Info, false, false),
                ],
            ),
        ),
        scanned(
            "plain",
            10_000,
            1,
            report(
                "plain",
                Verdict::Clean,
                vec![finding("capability/network", Severity::Info, false, false)],
            ),
        ),
    ];
    let mut sets = vec![
        summarise(&mal, &mal_outcomes, Duration::from_millis(10)),
        summarise(&benign, &ok_outcomes, Duration::from_millis(5)),
    ];
    let guarddog = GuardDogReport::from_json(
        r#"{"version": "3.2.0", "set": "mal", "complete": true, "packages": [
          {"entry": "stealer-1.0.0.tgz", "status": "ok", "score": 8.0, "detected": true, "seconds": 0.9},
          {"entry": "recon-1.0.0.tgz", "status": "ok", "score": 2.0, "detected": false, "seconds": 0.7}]}"#,
    )
    .expect("valid GuardDog report");
    sets[0].guarddog = Some(guarddog.summary(None));
    let rules = rule_table(&[("mal", &mal_outcomes), ("ok", &ok_outcomes)]);
    EvalReport {
        palisade_version: "0.0.0-test".to_owned(),
        preview: false,
        engine_threads: "one per core (2)".to_owned(),
        sets,
        rules,
        peak_memory_kib: None,
    }
}

#[test]
fn text_report_without_timings() {
    insta::assert_snapshot!(render(&sample_report(), false));
}

#[test]
fn counts_rates_and_rule_table() {
    let report = sample_report();
    let mal = &report.sets[0];
    assert_eq!(
        (
            mal.counts.total,
            mal.counts.clean,
            mal.counts.suspicious,
            mal.counts.malicious,
            mal.counts.errors
        ),
        (4, 1, 1, 1, 1)
    );
    assert!((mal.rates.malicious - 0.25).abs() < 1e-9);
    assert!((mal.rates.suspicious_or_worse - 0.5).abs() < 1e-9);
    // Flagged: every package not rated malicious, sorted by entry.
    let flagged: Vec<&str> = mal.flagged.iter().map(|f| f.entry.as_str()).collect();
    assert_eq!(
        flagged,
        ["broken-1.0.0.tgz", "quiet-1.0.0.tgz", "recon-1.0.0.tgz"]
    );
    assert_eq!(mal.perf.packages, 3);
    assert_eq!(mal.perf.bytes, 3_500);
    assert_eq!(mal.perf.max_ms, 3.0);
    assert_eq!(
        mal.perf.largest.as_ref().map(|l| l.entry.as_str()),
        Some("stealer-1.0.0.tgz")
    );
    // Benign: only high or critical rules are listed for a flagged package.
    let ok = &report.sets[1];
    assert_eq!(ok.flagged.len(), 1);
    let rules: Vec<&str> = ok.flagged[0]
        .rules
        .iter()
        .map(|r| r.rule.as_str())
        .collect();
    assert_eq!(rules, ["obfuscation/hex-strings"]);

    let hex = report
        .rules
        .iter()
        .find(|r| r.rule == "obfuscation/hex-strings")
        .expect("rule row");
    assert_eq!(
        (hex.sets[0].stable, hex.sets[0].preview, hex.sets[0].high),
        (0, 1, 1)
    );
    assert_eq!(
        (hex.sets[1].stable, hex.sets[1].preview, hex.sets[1].high),
        (1, 0, 1)
    );
}

#[test]
fn json_round_trips() -> TestResult {
    let report = sample_report();
    let json = serde_json::to_string(&report)?;
    let back: EvalReport = serde_json::from_str(&json)?;
    assert_eq!(back, report);
    Ok(())
}

#[test]
fn runs_over_generated_sets_in_sorted_order() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let mal = tmp.path().join("mal");
    let ok = tmp.path().join("ok");
    write_package(&mal, "zeta", "1.0.0", "module.exports = 1;\n")?;
    write_package(&mal, "alpha", "2.0.0", "module.exports = 2;\n")?;
    std::fs::write(mal.join("broken.tgz"), b"not an archive")?;
    std::fs::write(mal.join("notes.log"), b"ignored")?;
    write_package(
        &ok,
        "left-pad-like",
        "1.3.0",
        "module.exports = (s) => s;\n",
    )?;

    let options = RunOptions {
        sets: vec![
            format!("mal=malicious:{}", mal.display()).parse()?,
            format!("ok=benign:{}", ok.display()).parse()?,
            format!("gone=benign:{}", tmp.path().join("gone").display()).parse()?,
        ],
        palisade_bin: None,
        process_every: 1,
        ..RunOptions::default()
    };
    let mut log = Vec::new();
    let first = run(&options, &mut log);
    let log = String::from_utf8(log)?;
    assert!(log.contains("warning: set `gone`"), "{log}");

    assert_eq!(first.sets.len(), 2, "the missing set is skipped");
    let entries: Vec<&str> = first.sets[0]
        .packages
        .iter()
        .map(|p| p.entry.as_str())
        .collect();
    assert_eq!(entries, ["alpha-2.0.0", "broken.tgz", "zeta-1.0.0"]);
    assert_eq!(first.sets[0].counts.total, 3);
    // A corrupt archive is a package with a `package/unreadable` finding,
    // not a harness error: policy decides what an unreadable package means.
    assert_eq!(first.sets[0].counts.errors, 0);
    assert!(first.sets[0].packages[1].error.is_none());
    assert_eq!(first.sets[0].packages[0].name, "alpha");
    assert_eq!(first.sets[1].counts.total, 1);
    assert!(first.peak_memory_kib.is_some() || !Path::new("/proc/self/status").exists());

    // Reruns give the same report, timings aside.
    let second = run(&options, &mut std::io::sink());
    assert_eq!(render(&first, false), render(&second, false));
    Ok(())
}
