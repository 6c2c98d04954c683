//! `palisade scan <spec> --registry <url>` against the in-process mock
//! registry on `127.0.0.1`: resolution, integrity, errors. The postmark-mcp
//! fixtures stand in for the real incident.

mod common;

use common::{Run, Sandbox, fixture_tarball, only_package, run};
use palisade_test::MockRegistry;

/// A registry holding postmark-mcp 1.0.15 and 1.0.16 (latest), as in
/// September 2025.
fn postmark_registry() -> MockRegistry {
    let registry = MockRegistry::start();
    registry.publish_tarball(
        "postmark-mcp",
        "1.0.15",
        &fixture_tarball("postmark-mcp-1.0.15"),
    );
    registry.publish_tarball(
        "postmark-mcp",
        "1.0.16",
        &fixture_tarball("postmark-mcp-1.0.16"),
    );
    registry
}

fn scan(registry: &MockRegistry, spec: &str) -> Run {
    let sandbox = Sandbox::new();
    let url = registry.url();
    run(sandbox.command(&["scan", spec, "--registry", &url, "--format", "json"]))
}

#[test]
fn postmark_mcp_1_0_16_from_the_registry_is_malicious() {
    let registry = postmark_registry();
    let run = scan(&registry, "postmark-mcp@1.0.16");
    run.assert_code(1);
    let report = run.json();
    let package = only_package(&report);
    assert_eq!(package["name"], "postmark-mcp");
    assert_eq!(package["version"], "1.0.16");
    assert_eq!(package["verdict"], "malicious", "{package:#}");
    let published = palisade_test::sri_sha512(&fixture_tarball("postmark-mcp-1.0.16"));
    assert_eq!(package["integrity"], published.as_str());
    assert!(
        registry
            .requests()
            .iter()
            .all(|r| r.authorization.is_none()),
        "no credentials are sent when none are configured"
    );
}

#[test]
fn postmark_mcp_caret_range_resolves_the_highest_version() {
    let registry = postmark_registry();
    let run = scan(&registry, "postmark-mcp@^1.0.0");
    run.assert_code(1);
    let report = run.json();
    let package = only_package(&report);
    assert_eq!(package["version"], "1.0.16");
    assert_eq!(package["verdict"], "malicious");
}

#[test]
fn postmark_mcp_pinned_1_0_15_from_the_registry_is_clean() {
    let registry = postmark_registry();
    let run = scan(&registry, "postmark-mcp@1.0.15");
    run.assert_code(0);
    assert_eq!(only_package(&run.json())["verdict"], "clean");
}

#[test]
fn integrity_mismatch_is_an_error_and_nothing_is_scanned() {
    let registry = postmark_registry();
    registry.corrupt_tarball("postmark-mcp", "1.0.16");
    let run = scan(&registry, "postmark-mcp@1.0.16");
    run.assert_code(2);
    let report = run.json();
    assert_eq!(
        report["packages"],
        serde_json::json!([]),
        "nothing from the bad tarball is scanned"
    );
    let errors = report["errors"].as_array().expect("`errors` is an array");
    assert_eq!(errors.len(), 1, "{report:#}");
    assert_eq!(errors[0]["input"], "postmark-mcp@1.0.16");
    let stderr = run.stderr.to_lowercase();
    assert!(
        run.stderr.contains("postmark-mcp"),
        "names the package: {}",
        run.stderr
    );
    assert!(
        stderr.contains("integrity"),
        "names the digest mismatch: {}",
        run.stderr
    );
    assert!(
        stderr.contains("sha512"),
        "names the digest: {}",
        run.stderr
    );
}

#[test]
fn unknown_package_is_an_error() {
    let registry = postmark_registry();
    let run = scan(&registry, "no-such-package-here@1.0.0");
    run.assert_code(2);
    assert_eq!(run.json()["packages"], serde_json::json!([]));
    assert!(
        run.stderr.contains("no-such-package-here"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.starts_with("error:"), "{}", run.stderr);
}

#[test]
fn unknown_version_is_an_error() {
    let registry = postmark_registry();
    let run = scan(&registry, "postmark-mcp@2.0.0");
    run.assert_code(2);
    assert!(run.stderr.contains("postmark-mcp"), "{}", run.stderr);
}

#[test]
fn malicious_package_wins_over_an_input_error() {
    let registry = postmark_registry();
    let sandbox = Sandbox::new();
    let url = registry.url();
    let run = run(sandbox.command(&[
        "scan",
        "postmark-mcp@1.0.16",
        "no-such-package-here",
        "--registry",
        &url,
        "--format",
        "json",
    ]));
    run.assert_code(1);
    let report = run.json();
    assert_eq!(only_package(&report)["verdict"], "malicious");
    assert_eq!(report["errors"][0]["input"], "no-such-package-here");
}

#[test]
fn registry_from_the_user_npmrc() {
    let registry = postmark_registry();
    let sandbox = Sandbox::new();
    let npmrc = sandbox.dir.path().join("home/.npmrc");
    std::fs::write(&npmrc, format!("registry={}\n", registry.url())).expect("write .npmrc");
    let run = run(sandbox.command(&["scan", "postmark-mcp@1.0.15", "--format", "json"]));
    run.assert_code(0);
    assert_eq!(only_package(&run.json())["version"], "1.0.15");
}
