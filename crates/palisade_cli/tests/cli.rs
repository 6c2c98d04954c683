//! Output formats, exit codes and the small commands, through the binary.

mod common;

use common::{Sandbox, fixture, fixture_tarball, only_package, run, run_in_fixtures};

#[test]
fn sarif_output_file_validates_against_the_schema() {
    let sandbox = Sandbox::new();
    let out = sandbox.work().join("report.sarif");
    let input = fixture("postmark-mcp-1.0.16");
    let run = run(sandbox.command(&[
        "scan",
        &input.to_string_lossy(),
        "--format",
        "sarif",
        "--output",
        &out.to_string_lossy(),
    ]));
    run.assert_code(1);
    assert!(
        run.stdout.is_empty(),
        "the report goes to the file, not stdout: {}",
        run.stdout
    );
    let text = std::fs::read_to_string(&out).expect("the report file exists");
    let sarif: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "exfil/email-hardcoded-recipient"),
        "{sarif:#}"
    );

    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/validate-sarif.py"
    );
    let status = std::process::Command::new("python3")
        .arg(script)
        .arg(&out)
        .output();
    match status {
        Ok(o) if o.status.code() == Some(0) => {}
        Ok(o) if o.status.code() == Some(3) && std::env::var_os("CI").is_none() => {
            eprintln!(
                "skipped SARIF schema validation: the `jsonschema` Python package is missing"
            );
        }
        Ok(o) => panic!(
            "validate-sarif.py failed ({:?}):\n{}{}",
            o.status.code(),
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped SARIF schema validation: no python3 ({e})")
        }
        Err(e) => panic!("python3 is required under CI: {e}"),
    }
}

#[test]
fn output_into_a_missing_folder_fails_and_leaves_no_file() {
    let sandbox = Sandbox::new();
    let missing = sandbox.work().join("no-such-folder");
    let out = missing.join("report.json");
    let input = fixture("postmark-mcp-1.0.15");
    let run = run(sandbox.command(&[
        "scan",
        &input.to_string_lossy(),
        "--format",
        "json",
        "--output",
        &out.to_string_lossy(),
    ]));
    assert!(
        matches!(run.code, Some(2 | 3)),
        "exit {:?}: {}",
        run.code,
        run.stderr
    );
    assert!(
        run.stderr.contains("report.json"),
        "names the file: {}",
        run.stderr
    );
    assert!(!missing.exists(), "no folder is created");
    let leftovers: Vec<_> = std::fs::read_dir(sandbox.work())
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "no partial file: {leftovers:?}");
}

#[test]
fn output_file_replaces_an_existing_report() {
    let sandbox = Sandbox::new();
    let out = sandbox.work().join("report.json");
    std::fs::write(&out, "old").expect("write");
    let input = fixture("postmark-mcp-1.0.15");
    let run = run(sandbox.command(&[
        "scan",
        &input.to_string_lossy(),
        "-f",
        "json",
        "-o",
        &out.to_string_lossy(),
    ]));
    run.assert_code(0);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap_or_default())
            .expect("JSON report");
    assert_eq!(only_package(&report)["verdict"], "clean");
    let names: Vec<_> = std::fs::read_dir(sandbox.work())
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
}

#[test]
fn no_color_text_has_no_ansi_escapes() {
    for input in [
        "postmark-mcp-1.0.16",
        "suspicious-bin-shadow",
        "postmark-mcp-1.0.15",
    ] {
        let run = run_in_fixtures(&["scan", input]);
        assert!(!run.stdout.contains('\u{1b}'), "{input}: {:?}", run.stdout);
        assert!(!run.stderr.contains('\u{1b}'), "{input}: {:?}", run.stderr);
    }
}

#[test]
fn fail_on_suspicious_changes_the_exit_code() {
    let run = run_in_fixtures(&["scan", "suspicious-bin-shadow", "--format", "json"]);
    run.assert_code(0);
    assert_eq!(only_package(&run.json())["verdict"], "suspicious");
    run_in_fixtures(&["scan", "suspicious-bin-shadow", "--fail-on", "suspicious"]).assert_code(1);
    run_in_fixtures(&["scan", "suspicious-bin-shadow", "--fail-on", "malicious"]).assert_code(0);
    run_in_fixtures(&["scan", "postmark-mcp-1.0.15", "--fail-on", "suspicious"]).assert_code(0);
}

#[test]
fn rules_lists_every_rule_once() {
    let run = run_in_fixtures(&["rules", "--json"]);
    run.assert_code(0);
    let rules = run.json();
    let ids: Vec<&str> = rules
        .as_array()
        .expect("an array")
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default())
        .collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "duplicate rule ids: {ids:?}");
    assert!(ids.contains(&"exfil/email-hardcoded-recipient"));
    assert!(ids.contains(&"package/limit-exceeded"));
    assert!(ids.contains(&"lockfile/integrity-mismatch"));
    run_in_fixtures(&["rule", "lockfile/non-registry-source"]).assert_code(0);

    let text = run_in_fixtures(&["rules"]);
    text.assert_code(0);
    for id in &ids {
        let lines = text
            .stdout
            .lines()
            .filter(|l| l.split_whitespace().next() == Some(id))
            .count();
        assert_eq!(lines, 1, "`{id}` is listed once in `palisade rules`");
    }
}

#[test]
fn rule_prints_its_documentation() {
    let run = run_in_fixtures(&["rule", "exfil/email-hardcoded-recipient"]);
    run.assert_code(0);
    for section in ["What it does", "Why is this bad?", "Example", "References"] {
        assert!(
            run.stdout.contains(section),
            "missing `{section}`:\n{}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("postmark-mcp"));
}

#[test]
fn unknown_rule_is_a_usage_error() {
    let run = run_in_fixtures(&["rule", "nope/not-a-rule"]);
    run.assert_code(2);
    assert!(run.stderr.contains("`nope/not-a-rule`"), "{}", run.stderr);
}

#[test]
fn missing_tarball_is_a_usage_error() {
    let sandbox = Sandbox::new();
    let run = run(sandbox.command(&["scan", "./does-not-exist.tgz"]));
    run.assert_code(2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("`./does-not-exist.tgz`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("no such file"), "{}", run.stderr);
}

#[test]
fn bad_flag_is_a_usage_error() {
    run_in_fixtures(&["scan", "postmark-mcp-1.0.15", "--format", "yaml"]).assert_code(2);
    run_in_fixtures(&["scan"]).assert_code(2);
    run_in_fixtures(&["--help"]).assert_code(0);
}

#[test]
fn files_lists_a_tarball_and_prints_one_file() {
    let sandbox = Sandbox::new();
    let tgz = sandbox.work().join("postmark-mcp-1.0.16.tgz");
    std::fs::write(&tgz, fixture_tarball("postmark-mcp-1.0.16")).expect("write tarball");
    let run = run(sandbox.command(&["files", &tgz.to_string_lossy()]));
    run.assert_code(0);
    let names: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .collect();
    assert_eq!(names, ["index.js", "package.json"], "{}", run.stdout);

    let one = common::run(sandbox.command(&["files", &tgz.to_string_lossy(), "index.js"]));
    one.assert_code(0);
    assert!(
        one.stdout.contains("Bcc: 'phan@giftshop.invalid',"),
        "{}",
        one.stdout
    );
}

#[test]
fn tarball_and_folder_give_the_same_verdict() {
    let sandbox = Sandbox::new();
    let tgz = sandbox.work().join("postmark-mcp-1.0.16.tgz");
    std::fs::write(&tgz, fixture_tarball("postmark-mcp-1.0.16")).expect("write tarball");
    let run = run(sandbox.command(&["scan", &tgz.to_string_lossy(), "--format", "json"]));
    run.assert_code(1);
    let report = run.json();
    let package = only_package(&report);
    assert_eq!(package["verdict"], "malicious");
    assert_eq!(package["source"], tgz.to_string_lossy().as_ref());
}
