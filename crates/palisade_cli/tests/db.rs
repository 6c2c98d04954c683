//! `palisade db import` / `db status`, the known-malicious check in `scan`,
//! the verdict cache and `--offline`, against the mock registry on 127.0.0.1.
//! Every record and package here is an inert fixture written by the test.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Run, Sandbox, only_package, rules_of, run};
use palisade_test::MockRegistry;
use serde_json::{Value, json};

/// A sandbox whose palisade home (store and caches) is `<sandbox>/palisade`.
struct Home {
    sandbox: Sandbox,
}

impl Home {
    fn new() -> Self {
        Self {
            sandbox: Sandbox::new(),
        }
    }

    fn dir(&self) -> PathBuf {
        self.sandbox.dir.path().join("palisade")
    }

    fn store(&self) -> PathBuf {
        self.dir().join("palisade.db")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.sandbox.command(args);
        cmd.env("PALISADE_HOME", self.dir());
        cmd
    }

    fn run(&self, args: &[&str]) -> Run {
        run(self.command(args))
    }

    fn scan(&self, registry: &MockRegistry, spec: &str, extra: &[&str]) -> Run {
        let url = registry.url();
        let mut args = vec!["scan", spec, "--registry", url.as_str(), "--format", "json"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// Writes OSV records in the OpenSSF layout under `<sandbox>/osv` and imports them.
    fn import(&self, records: &[Value]) -> Run {
        let root = self.sandbox.dir.path().join("osv");
        for record in records {
            let id = record["id"].as_str().expect("id");
            let ecosystem = record["affected"][0]["package"]["ecosystem"]
                .as_str()
                .unwrap_or("none");
            let name = record["affected"][0]["package"]["name"]
                .as_str()
                .unwrap_or("none");
            let dir = root.join("osv/malicious").join(ecosystem).join(name);
            std::fs::create_dir_all(&dir).expect("fixture folder");
            std::fs::write(
                dir.join(format!("{id}.json")),
                serde_json::to_vec_pretty(record).expect("json"),
            )
            .expect("fixture record");
        }
        self.run(&["db", "import", root.to_str().expect("utf-8 path")])
    }
}

/// An OpenSSF-style malicious-package record for npm `name`.
fn record(id: &str, name: &str, affected: Value) -> Value {
    let mut entry = json!({ "package": { "ecosystem": "npm", "name": name } });
    if let (Some(entry), Some(extra)) = (entry.as_object_mut(), affected.as_object()) {
        entry.extend(extra.clone());
    }
    json!({
        "modified": "2025-06-01T12:00:00Z",
        "published": "2025-06-01T11:00:00Z",
        "schema_version": "1.5.0",
        "id": id,
        "summary": format!("Malicious code in {name} (npm)"),
        "details": "Inert test fixture; it names no real package.",
        "affected": [entry],
        "database_specific": { "malicious-packages-origins": [{ "source": "palisade-test" }] }
    })
}

fn every_version() -> Value {
    json!({ "ranges": [{ "type": "SEMVER", "events": [{ "introduced": "0" }] }] })
}

/// A harmless package: nothing in its code is a finding.
fn publish_clean(registry: &MockRegistry, name: &str, version: &str) {
    let code = format!("module.exports = function add(a, b) {{ return a + b; }}; // {version}\n");
    registry.publish(name, version, &[("index.js", code.as_bytes())]);
}

fn tarball_requests(registry: &MockRegistry) -> Vec<String> {
    registry
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/-/"))
        .map(|r| r.path)
        .collect()
}

fn advisory_findings(package: &Value) -> Vec<&Value> {
    package["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "known/malicious-advisory")
        .collect()
}

#[test]
fn a_package_named_by_an_advisory_is_malicious_with_its_id() {
    let registry = MockRegistry::start();
    publish_clean(&registry, "quiet-helper", "1.2.0");
    let home = Home::new();

    // Without any advisory: clean.
    let before = home.scan(&registry, "quiet-helper@1.2.0", &[]);
    before.assert_code(0);
    assert_eq!(only_package(&before.json())["verdict"], "clean");

    home.import(&[record("MAL-2025-4242", "quiet-helper", every_version())])
        .assert_code(0);
    let run = home.scan(&registry, "quiet-helper@1.2.0", &[]);
    run.assert_code(1);
    let report = run.json();
    let package = only_package(&report);
    assert_eq!(package["verdict"], "malicious", "{package:#}");
    let found = advisory_findings(package);
    assert_eq!(found.len(), 1, "{package:#}");
    assert_eq!(found[0]["severity"], "critical");
    assert_eq!(found[0]["deciding"], true);
    let message = found[0]["message"].as_str().expect("message");
    assert!(message.contains("`MAL-2025-4242`"), "{message}");
    assert!(message.contains("every version is affected"), "{message}");

    // The text report names it too.
    let url = registry.url();
    let text = home.run(&["scan", "quiet-helper@1.2.0", "--registry", &url]);
    text.assert_code(1);
    assert!(
        text.stdout.contains("known/malicious-advisory"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("MAL-2025-4242"), "{}", text.stdout);
}

#[test]
fn folders_and_tarballs_are_checked_by_their_package_json() {
    let home = Home::new();
    home.import(&[record(
        "MAL-2025-5000",
        "local-thing",
        json!({ "versions": ["0.3.1"] }),
    )])
    .assert_code(0);
    let folder = home.sandbox.work().join("local-thing");
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(
        folder.join("package.json"),
        r#"{ "name": "local-thing", "version": "0.3.1" }"#,
    )
    .expect("package.json");
    std::fs::write(folder.join("index.js"), "module.exports = 1;\n").expect("index.js");
    let tgz = home.sandbox.work().join("local-thing-0.3.1.tgz");
    std::fs::write(
        &tgz,
        palisade_test::tarball(&[
            (
                "package.json",
                br#"{ "name": "local-thing", "version": "0.3.1" }"#,
            ),
            ("index.js", b"module.exports = 1;\n"),
        ]),
    )
    .expect("tarball");

    for input in [folder.as_path(), tgz.as_path()] {
        let run = home.run(&["scan", input.to_str().expect("utf-8"), "--format", "json"]);
        run.assert_code(1);
        let report = run.json();
        let package = only_package(&report);
        assert_eq!(package["verdict"], "malicious");
        assert_eq!(rules_of(package), ["known/malicious-advisory"]);
    }

    // Another version of the same name is not named by the advisory.
    std::fs::write(
        folder.join("package.json"),
        r#"{ "name": "local-thing", "version": "0.3.2" }"#,
    )
    .expect("package.json");
    let run = home.run(&["scan", folder.to_str().expect("utf-8"), "--format", "json"]);
    run.assert_code(0);
    assert_eq!(only_package(&run.json())["verdict"], "clean");
}

#[test]
fn withdrawn_advisories_and_other_ranges_are_ignored() {
    let registry = MockRegistry::start();
    publish_clean(&registry, "retracted", "1.0.0");
    publish_clean(&registry, "ranged", "1.0.4");
    publish_clean(&registry, "ranged", "2.0.0");
    let home = Home::new();
    let mut withdrawn = record("MAL-2025-6001", "retracted", every_version());
    withdrawn["withdrawn"] = json!("2025-06-02T00:00:00Z");
    let ranged = record(
        "MAL-2025-6002",
        "ranged",
        json!({ "ranges": [{ "type": "SEMVER", "events": [{ "introduced": "1.0.2" }, { "fixed": "1.0.5" }] }] }),
    );
    let import = home.import(&[withdrawn, ranged]);
    import.assert_code(0);
    assert!(import.stdout.contains("withdrawn"), "{}", import.stdout);

    let run = home.scan(&registry, "retracted@1.0.0", &[]);
    run.assert_code(0);
    let report = run.json();
    assert!(advisory_findings(only_package(&report)).is_empty());

    let run = home.scan(&registry, "ranged@2.0.0", &[]);
    run.assert_code(0);
    let run = home.scan(&registry, "ranged@1.0.4", &[]);
    run.assert_code(1);
    let report = run.json();
    let found = advisory_findings(only_package(&report));
    assert!(
        found[0]["message"]
            .as_str()
            .expect("message")
            .contains("`>=1.0.2 <1.0.5`"),
        "{found:?}"
    );
}

#[test]
fn a_version_gone_from_the_registry_is_still_reported_malicious() {
    let registry = MockRegistry::start();
    publish_clean(&registry, "pulled", "1.0.0");
    let home = Home::new();
    home.import(&[record(
        "MAL-2025-7001",
        "pulled",
        json!({ "versions": ["1.0.1"] }),
    )])
    .assert_code(0);
    let run = home.scan(&registry, "pulled@1.0.1", &[]);
    run.assert_code(1);
    let report = run.json();
    let package = only_package(&report);
    assert_eq!(package["verdict"], "malicious");
    let help = advisory_findings(package)[0]["help"]
        .as_str()
        .expect("help");
    assert!(help.contains("not analysed"), "{help}");
    assert!(report.get("errors").is_none(), "{report:#}");
}

#[test]
fn the_second_scan_comes_from_the_verdict_cache() {
    let registry = MockRegistry::start();
    publish_clean(&registry, "cached-pkg", "1.0.0");
    publish_clean(&registry, "cached-pkg", "1.1.0");
    let home = Home::new();

    // Metadata (`metadata/` rules) is fetched fresh on every scan, never
    // cached: left out here, where requests are counted.
    let first = home.scan(&registry, "cached-pkg@1.1.0", &["--no-metadata"]);
    first.assert_code(0);
    let report = first.json();
    let package = only_package(&report);
    assert!(package.get("cached").is_none(), "{package:#}");
    // The package and the previous version it is compared with.
    assert_eq!(tarball_requests(&registry).len(), 2);
    assert!(home.store().is_file());

    registry.clear_requests();
    let second = home.scan(&registry, "cached-pkg@1.1.0", &["--no-metadata"]);
    second.assert_code(0);
    let report = second.json();
    let cached = only_package(&report);
    assert_eq!(cached["cached"], true, "{cached:#}");
    assert_eq!(cached["verdict"], package["verdict"]);
    assert_eq!(cached["findings"], package["findings"]);
    let requests = registry.requests();
    assert!(tarball_requests(&registry).is_empty(), "{requests:?}");
    assert_eq!(
        requests.len(),
        1,
        "one packument revalidation: {requests:?}"
    );
    assert!(requests[0].if_none_match.is_some());

    // --no-cache analyses again (the tarballs still come from the disk cache).
    registry.clear_requests();
    let fresh = home.scan(&registry, "cached-pkg@1.1.0", &["--no-cache"]);
    fresh.assert_code(0);
    assert!(only_package(&fresh.json()).get("cached").is_none());
    assert!(tarball_requests(&registry).is_empty());

    // An advisory imported after the verdict was cached still decides.
    home.import(&[record("MAL-2025-8001", "cached-pkg", every_version())])
        .assert_code(0);
    let flagged = home.scan(&registry, "cached-pkg@1.1.0", &[]);
    flagged.assert_code(1);
    let report = flagged.json();
    let package = only_package(&report);
    assert_eq!(package["cached"], true);
    assert_eq!(package["verdict"], "malicious");
}

#[test]
fn offline_scans_use_only_the_cache_and_say_what_is_missing() {
    let registry = MockRegistry::start();
    publish_clean(&registry, "offline-pkg", "2.0.0");
    let home = Home::new();

    let cold = home.scan(&registry, "offline-pkg@2.0.0", &["--offline"]);
    cold.assert_code(2);
    assert!(registry.requests().is_empty(), "{:?}", registry.requests());
    assert!(
        cold.stderr
            .contains("`offline-pkg`: the packument is not in the cache"),
        "{}",
        cold.stderr
    );
    assert!(cold.stderr.contains("offline mode"), "{}", cold.stderr);

    home.scan(&registry, "offline-pkg@2.0.0", &["--no-diff"])
        .assert_code(0);
    registry.clear_requests();
    // Offline and without the verdict cache: analysed from the cached tarball.
    let warm = home.scan(
        &registry,
        "offline-pkg@2.0.0",
        &["--offline", "--no-cache", "--no-diff"],
    );
    warm.assert_code(0);
    let report = warm.json();
    let package = only_package(&report);
    assert_eq!(package["version"], "2.0.0");
    assert!(package.get("cached").is_none());
    assert!(registry.requests().is_empty(), "{:?}", registry.requests());

    // A version whose tarball was never downloaded.
    publish_clean(&registry, "offline-pkg", "2.1.0");
    let missing = home.scan(&registry, "offline-pkg@2.1.0", &["--offline"]);
    missing.assert_code(2);
    assert!(missing.stderr.contains("offline-pkg"), "{}", missing.stderr);
    assert!(registry.requests().is_empty());
}

#[test]
fn local_scans_create_no_store() {
    let home = Home::new();
    let folder = home.sandbox.work().join("plain");
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(
        folder.join("package.json"),
        r#"{ "name": "plain", "version": "1.0.0" }"#,
    )
    .expect("package.json");
    home.run(&["scan", folder.to_str().expect("utf-8")])
        .assert_code(0);
    assert!(
        !home.dir().exists(),
        "nothing written under {}",
        home.dir().display()
    );

    let status = home.run(&["db", "status"]);
    status.assert_code(0);
    assert!(status.stdout.contains("no store yet"), "{}", status.stdout);
    assert!(!home.store().exists());
}

#[test]
fn db_import_reports_counts_and_status_shows_them() {
    let home = Home::new();
    let mut other = record(
        "MAL-2025-9002",
        "evil-crate",
        json!({ "versions": ["0.1.0"] }),
    );
    other["affected"][0]["package"]["ecosystem"] = json!("crates.io");
    let import = home.import(&[record("MAL-2025-9001", "alpha", every_version()), other]);
    import.assert_code(0);
    let broken = home.sandbox.dir.path().join("osv/osv/malicious/npm/broken");
    std::fs::create_dir_all(&broken).expect("folder");
    std::fs::write(broken.join("MAL-2025-9003.json"), "{ \"id\": ").expect("broken record");

    let root = home.sandbox.dir.path().join("osv");
    let again = home.run(&["db", "import", root.to_str().expect("utf-8"), "--json"]);
    again.assert_code(0);
    let counts = again.json();
    assert_eq!(counts["files"], 3);
    assert_eq!(counts["imported"], 0);
    assert_eq!(counts["unchanged"], 1);
    assert_eq!(counts["skipped"], 1);
    assert_eq!(counts["other_ecosystems"]["crates.io"], 1);
    assert_eq!(counts["invalid"], 1);
    assert_eq!(
        counts["invalid_files"][0]["file"],
        "osv/malicious/npm/broken/MAL-2025-9003.json"
    );

    let status = home.run(&["db", "status", "--json"]);
    status.assert_code(0);
    let status = status.json();
    assert_eq!(status["advisories"], 1);
    assert_eq!(status["packages"], 1);
    assert_eq!(status["last_import"]["summary"]["invalid"], 1);
    assert_eq!(status["store"], home.store().display().to_string());

    let text = home.run(&["db", "status"]);
    text.assert_code(0);
    assert!(
        text.stdout
            .contains("1 in force naming 1 packages (npm, PyPI)"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("MAL-2025-9003.json: not JSON"),
        "{}",
        text.stdout
    );
}

#[test]
fn db_import_of_a_missing_path_is_a_usage_error() {
    let home = Home::new();
    let run = home.run(&["db", "import", "no/such/folder"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("no such file or folder"),
        "{}",
        run.stderr
    );
    assert!(!home.store().exists());
    let text = home.sandbox.work().join("notes.txt");
    std::fs::write(&text, "hello").expect("notes");
    let run = home.run(&["db", "import", text.to_str().expect("utf-8")]);
    run.assert_code(2);
    assert!(run.stderr.contains("neither a folder"), "{}", run.stderr);
}

#[test]
fn the_rule_is_listed_and_documented() {
    let home = Home::new();
    let list = home.run(&["rules"]);
    list.assert_code(0);
    assert!(
        list.stdout.contains("known/malicious-advisory"),
        "{}",
        list.stdout
    );
    let doc = home.run(&["rule", "known/malicious-advisory"]);
    doc.assert_code(0);
    assert!(doc.stdout.contains("## What it does"), "{}", doc.stdout);
    assert!(doc.stdout.contains("withdrawn"), "{}", doc.stdout);
}

#[test]
fn a_broken_store_is_a_warning_for_scans() {
    let home = Home::new();
    std::fs::create_dir_all(home.dir()).expect("home");
    std::fs::write(home.store(), vec![b'x'; 4096]).expect("garbage store");
    let folder = home.sandbox.work().join("plain");
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(
        folder.join("package.json"),
        r#"{ "name": "plain", "version": "1.0.0" }"#,
    )
    .expect("package.json");
    let run = home.run(&["scan", folder.to_str().expect("utf-8")]);
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("warning: cannot open the palisade store"),
        "{}",
        run.stderr
    );
    let status = home.run(&["db", "status"]);
    status.assert_code(2);
    assert!(Path::new(&home.store()).is_file());
}
