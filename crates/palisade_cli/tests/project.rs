//! `palisade scan` of whole projects against the mock registry on
//! `127.0.0.1`: one fixture project per lockfile format (shared with
//! `palisade_package`'s tests, `tests/fixtures/lockfiles/<format>/`), each
//! with a planted bad transitive dependency, `bravo@2.0.0`, whose install
//! script sends the environment to a `.invalid` host
//! (`tests/fixtures/project-bravo-exfil`, inert).
//!
//! ```text
//! app ── alpha 1.0.0 ── bravo 2.0.0   (malicious)
//!     ├─ delta-alias = npm:delta 4.0.0
//!     ├─ echo (git: not fetched, a finding)
//!     └─ charlie 3.0.0 (dev) ── bravo 1.0.0
//! web (workspace, some fixtures) ── golf 1.0.0
//! ```

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{Run, Sandbox, fixture_tarball, run};
use palisade_test::MockRegistry;
use serde_json::{Value, json};

/// The lockfile fixtures of `palisade_package`.
fn lockfile_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../palisade_package/tests/fixtures/lockfiles")
        .join(name)
}

fn clean_files(name: &str, version: &str, deps: Value) -> Vec<(String, Vec<u8>)> {
    let manifest = json!({
        "name": name,
        "version": version,
        "main": "index.js",
        "dependencies": deps,
        "license": "MIT",
    });
    vec![
        (
            "package.json".to_owned(),
            serde_json::to_vec_pretty(&manifest).expect("JSON"),
        ),
        (
            "index.js".to_owned(),
            format!(
                "module.exports = function {}() {{ return 1; }};\n",
                name.replace('-', "_")
            )
            .into_bytes(),
        ),
    ]
}

/// The registry every fixture project installs from. Returns it with the
/// map from each fixture's placeholder integrity (`sha512` of
/// `name@version`) to the published tarball's.
fn registry() -> (MockRegistry, BTreeMap<String, String>) {
    let registry = MockRegistry::start();
    let mut integrities = BTreeMap::new();
    let mut publish = |name: &str, version: &str, bytes: Vec<u8>, deps: Value| {
        let published = registry
            .package(name, version)
            .tarball(bytes)
            .manifest_field("dependencies", deps)
            .publish();
        integrities.insert(
            palisade_test::sri_sha512(format!("{name}@{version}").as_bytes()),
            published.integrity,
        );
    };
    let tar = |files: Vec<(String, Vec<u8>)>| {
        let borrowed: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(p, b)| (p.as_str(), b.as_slice()))
            .collect();
        palisade_test::tarball(&borrowed)
    };
    publish(
        "alpha",
        "1.0.0",
        tar(clean_files("alpha", "1.0.0", json!({"bravo": "^2.0.0"}))),
        json!({"bravo": "^2.0.0"}),
    );
    publish(
        "bravo",
        "1.0.0",
        tar(clean_files("bravo", "1.0.0", json!({}))),
        json!({}),
    );
    publish(
        "bravo",
        "2.0.0",
        fixture_tarball("project-bravo-exfil"),
        json!({}),
    );
    publish(
        "charlie",
        "3.0.0",
        tar(clean_files("charlie", "3.0.0", json!({"bravo": "^1.0.0"}))),
        json!({"bravo": "^1.0.0"}),
    );
    publish(
        "delta",
        "4.0.0",
        tar(clean_files("delta", "4.0.0", json!({}))),
        json!({}),
    );
    publish(
        "golf",
        "1.0.0",
        tar(clean_files("golf", "1.0.0", json!({}))),
        json!({}),
    );
    (registry, integrities)
}

/// Copies a fixture project into `to`, with the placeholder integrities
/// replaced by the published ones (all but those named in `keep`).
fn copy_project(from: &Path, to: &Path, integrities: &BTreeMap<String, String>, keep: &[&str]) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("fixture folder") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_project(&path, &target, integrities, keep);
            continue;
        }
        let mut text = std::fs::read_to_string(&path).expect("text fixture");
        for (placeholder, real) in integrities {
            let kept = keep
                .iter()
                .any(|k| palisade_test::sri_sha512(k.as_bytes()) == *placeholder);
            if !kept {
                text = text.replace(placeholder, real);
            }
        }
        std::fs::write(&target, text).expect("write");
    }
}

fn scan(sandbox: &Sandbox, registry: &MockRegistry, target: &str, extra: &[&str]) -> Run {
    let url = registry.url();
    let mut args = vec!["scan", target, "--registry", &url, "--format", "json"];
    args.extend_from_slice(extra);
    run(sandbox.command(&args))
}

fn package<'a>(report: &'a Value, name: &str, version: &str) -> &'a Value {
    report["packages"]
        .as_array()
        .expect("`packages` is an array")
        .iter()
        .find(|p| p["name"] == name && p["version"] == version)
        .unwrap_or_else(|| panic!("{name}@{version} not listed in {report:#}"))
}

fn rules(package: &Value) -> Vec<&str> {
    package["findings"]
        .as_array()
        .expect("`findings` is an array")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect()
}

/// Scans one fixture project and checks what every format must show.
fn check_format(fixture: &str, workspace: bool) -> Value {
    let (registry, integrities) = registry();
    let sandbox = Sandbox::new();
    let project = sandbox.work().join("project");
    copy_project(&lockfile_fixture(fixture), &project, &integrities, &[]);
    let run = scan(&sandbox, &registry, "project", &[]);
    run.assert_code(1);
    let report = run.json();

    let bravo = package(&report, "bravo", "2.0.0");
    assert_eq!(bravo["verdict"], "malicious", "{bravo:#}");
    assert_eq!(bravo["dependency_path"], json!(["app", "alpha", "bravo"]));
    assert!(
        rules(bravo).contains(&"exfil/secrets-to-network"),
        "{bravo:#}"
    );

    for (name, version, path) in [
        ("alpha", "1.0.0", json!(["app", "alpha"])),
        ("bravo", "1.0.0", json!(["app", "charlie", "bravo"])),
        ("charlie", "3.0.0", json!(["app", "charlie"])),
        ("delta", "4.0.0", json!(["app", "delta-alias"])),
    ] {
        let p = package(&report, name, version);
        assert_eq!(p["verdict"], "clean", "{fixture}: {p:#}");
        assert_eq!(p["dependency_path"], path, "{fixture}: {name}");
        assert!(
            !rules(p).contains(&"lockfile/integrity-mismatch"),
            "{fixture}: {p:#}"
        );
    }
    let echo = report["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == "echo")
        .unwrap_or_else(|| panic!("{fixture}: echo not listed"));
    assert_eq!(rules(echo), ["lockfile/non-registry-source"], "{echo:#}");
    assert_eq!(echo["dependency_path"], json!(["app", "echo"]));
    if workspace {
        let golf = package(&report, "golf", "1.0.0");
        assert_eq!(golf["dependency_path"], json!(["web", "golf"]));
        assert_eq!(golf["verdict"], "clean");
    }
    assert_eq!(report["project"]["resolution"], "lockfile");
    assert_eq!(report["project"]["verdicts"]["malicious"], 1);
    assert!(report.get("errors").is_none(), "{report:#}");

    // No previous-version diff by default: each packument once, and no
    // tarball but the locked ones.
    let requests = registry.requests();
    let alpha_packuments = requests.iter().filter(|r| r.path == "/alpha").count();
    assert_eq!(alpha_packuments, 1, "{requests:#?}");
    assert!(
        requests.iter().all(|r| !r.path.contains("echo")),
        "a git dependency is never fetched from the registry"
    );
    report
}

#[test]
fn npm_v3_project_with_a_workspace() {
    let report = check_format("npm-v3", true);
    assert_eq!(package(&report, "web", "0.1.0")["verdict"], "clean");
}

#[test]
fn npm_v2_project() {
    check_format("npm-v2", false);
}

#[test]
fn npm_v1_project() {
    check_format("npm-v1", false);
}

#[test]
fn npm_shrinkwrap_project() {
    check_format("npm-shrinkwrap", false);
}

#[test]
fn pnpm_v9_project() {
    check_format("pnpm-v9", true);
}

#[test]
fn pnpm_v6_project() {
    check_format("pnpm-v6", false);
}

#[test]
fn yarn_classic_project() {
    check_format("yarn-classic", false);
}

#[test]
fn yarn_berry_project() {
    check_format("yarn-berry", true);
}

#[test]
fn bun_project() {
    check_format("bun", true);
}

#[test]
fn a_lockfile_named_directly() {
    let (registry, integrities) = registry();
    let sandbox = Sandbox::new();
    copy_project(
        &lockfile_fixture("pnpm-v9"),
        &sandbox.work().join("p"),
        &integrities,
        &[],
    );
    let run = scan(&sandbox, &registry, "p/pnpm-lock.yaml", &[]);
    run.assert_code(1);
    let report = run.json();
    assert_eq!(
        package(&report, "bravo", "2.0.0")["dependency_path"],
        json!(["app", "alpha", "bravo"])
    );
}

#[test]
fn project_metadata_judges_every_registry_dependency() {
    let (registry, integrities) = registry();
    let sandbox = Sandbox::new();
    copy_project(
        &lockfile_fixture("npm-v2"),
        &sandbox.work().join("p"),
        &integrities,
        &[],
    );
    // Off by default: no metadata finding, no full packument requested.
    let plain = scan(&sandbox, &registry, "p", &["--no-cache"]).json();
    let any_metadata = |report: &Value| {
        report["packages"]
            .as_array()
            .expect("packages")
            .iter()
            .filter(|p| rules(p).iter().any(|r| r.starts_with("metadata/")))
            .count()
    };
    assert_eq!(any_metadata(&plain), 0);
    let with = scan(
        &sandbox,
        &registry,
        "p",
        &["--no-cache", "--project-metadata"],
    )
    .json();
    assert!(
        any_metadata(&with) >= 2,
        "every registry dependency gets metadata findings: {with:#}"
    );
    // The planted package keeps its code verdict and its path.
    let bravo = package(&with, "bravo", "2.0.0");
    assert_eq!(bravo["verdict"], "malicious");
    assert_eq!(bravo["dependency_path"], json!(["app", "alpha", "bravo"]));
}

#[test]
fn lockfile_integrity_mismatch_is_a_finding() {
    let (registry, integrities) = registry();
    let sandbox = Sandbox::new();
    // The lockfile keeps its placeholder digest for alpha: not what the
    // registry serves.
    copy_project(
        &lockfile_fixture("npm-v3"),
        &sandbox.work().join("project"),
        &integrities,
        &["alpha@1.0.0"],
    );
    let run = scan(&sandbox, &registry, "project", &["--fail-on", "suspicious"]);
    run.assert_code(1);
    let report = run.json();
    let alpha = package(&report, "alpha", "1.0.0");
    assert_eq!(alpha["verdict"], "suspicious", "{alpha:#}");
    let finding = &alpha["findings"][0];
    assert_eq!(finding["rule"], "lockfile/integrity-mismatch");
    let message = finding["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("`alpha@1.0.0`") && message.contains("sha512-"),
        "{message}"
    );
}

#[test]
fn text_output_shows_paths_and_a_summary() {
    let (registry, integrities) = registry();
    let sandbox = Sandbox::new();
    copy_project(
        &lockfile_fixture("yarn-classic"),
        &sandbox.work().join("project"),
        &integrities,
        &[],
    );
    let url = registry.url();
    let run = run(sandbox.command(&["scan", "project", "--registry", &url]));
    run.assert_code(1);
    let out = &run.stdout;
    assert!(out.contains("bravo@2.0.0  MALICIOUS"), "{out}");
    assert!(out.contains("  via: app > alpha > bravo\n"), "{out}");
    assert!(out.contains("project app: "), "{out}");
    assert!(out.contains("exact versions from the lockfile"), "{out}");
    assert!(
        out.contains("1 malicious, 0 suspicious, 5 clean; 0 not scanned"),
        "{out}"
    );
    assert!(out.contains("  time: "), "{out}");
    assert!(
        run.stderr.is_empty(),
        "no progress line when stderr is not a terminal: {}",
        run.stderr
    );
}

#[test]
fn sarif_results_carry_the_dependency_path() {
    let (registry, integrities) = registry();
    let sandbox = Sandbox::new();
    copy_project(
        &lockfile_fixture("bun"),
        &sandbox.work().join("project"),
        &integrities,
        &[],
    );
    let url = registry.url();
    let run = run(sandbox.command(&["scan", "project", "--registry", &url, "--format", "sarif"]));
    run.assert_code(1);
    let sarif = run.json();
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let exfil = results
        .iter()
        .find(|r| r["ruleId"] == "exfil/secrets-to-network")
        .expect("the planted finding");
    assert_eq!(exfil["properties"]["dependencyPath"], "app > alpha > bravo");
    let rules: Vec<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(rules.contains(&"lockfile/non-registry-source"), "{rules:?}");
}

#[test]
fn a_package_folder_without_a_lockfile_is_still_a_package() {
    let (registry, _) = registry();
    let sandbox = Sandbox::new();
    let dir = sandbox.work().join("app");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("package.json"),
        r#"{"name": "app", "version": "1.0.0", "dependencies": {"alpha": "^1.0.0"}}"#,
    )
    .expect("write");
    let run = scan(&sandbox, &registry, "app", &[]);
    run.assert_code(0);
    let report = run.json();
    let packages = report["packages"].as_array().expect("packages");
    assert_eq!(packages.len(), 1, "{report:#}");
    assert_eq!(packages[0]["name"], "app");
    assert!(report.get("project").is_none());
    assert!(registry.requests().is_empty(), "nothing is resolved");
}

#[test]
fn without_a_lockfile_project_ranges_are_resolved_and_said_so() {
    let (registry, _) = registry();
    let sandbox = Sandbox::new();
    let dir = sandbox.work().join("app");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("package.json"),
        r#"{"name": "app", "version": "1.0.0", "dependencies": {"alpha": "^1.0.0", "d": "npm:delta@^4"},
           "devDependencies": {"charlie": "^3.0.0"}}"#,
    )
    .expect("write");
    let run = scan(&sandbox, &registry, "app", &["--project"]);
    run.assert_code(1);
    let report = run.json();
    assert_eq!(report["project"]["resolution"], "registry-ranges");
    assert!(run.stderr.contains("no lockfile"), "{}", run.stderr);
    let bravo = package(&report, "bravo", "2.0.0");
    assert_eq!(bravo["verdict"], "malicious");
    assert_eq!(bravo["dependency_path"], json!(["app", "alpha", "bravo"]));
    assert_eq!(
        package(&report, "bravo", "1.0.0")["dependency_path"],
        json!(["app", "charlie", "bravo"])
    );
    assert_eq!(
        package(&report, "delta", "4.0.0")["dependency_path"],
        json!(["app", "d"])
    );
    assert_eq!(report["packages"].as_array().map(Vec::len), Some(5));
}

#[test]
fn an_installed_node_modules_tree() {
    let (registry, _) = registry();
    let sandbox = Sandbox::new();
    let root = sandbox.work().join("app");
    let write = |rel: &str, text: &[u8]| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write(
        "package.json",
        br#"{"name": "app", "version": "1.0.0", "dependencies": {"alpha": "^1.0.0"}}"#,
    );
    for (rel, bytes) in clean_files("alpha", "1.0.0", json!({"bravo": "^2.0.0"})) {
        write(&format!("node_modules/alpha/{rel}"), &bytes);
    }
    for (rel, bytes) in common::fixture_files("project-bravo-exfil") {
        write(&format!("node_modules/bravo/{rel}"), &bytes);
    }
    let run = scan(&sandbox, &registry, "app/node_modules", &[]);
    run.assert_code(1);
    let report = run.json();
    let bravo = package(&report, "bravo", "2.0.0");
    assert_eq!(bravo["verdict"], "malicious");
    assert_eq!(bravo["dependency_path"], json!(["app", "alpha", "bravo"]));
    assert!(
        rules(bravo).contains(&"manifest/install-script"),
        "analysed as installed, with its install script: {bravo:#}"
    );
    assert_eq!(package(&report, "alpha", "1.0.0")["verdict"], "clean");
    assert!(
        registry.requests().is_empty(),
        "an installed tree is read from disk"
    );
}

#[test]
fn a_broken_lockfile_is_a_usage_error() {
    let (registry, _) = registry();
    let sandbox = Sandbox::new();
    let dir = sandbox.work().join("p");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("package-lock.json"), "{\"lockfileVersion\": 3, ").expect("write");
    let run = scan(&sandbox, &registry, "p", &[]);
    run.assert_code(2);
    assert!(run.stderr.contains("package-lock.json"), "{}", run.stderr);
    assert!(run.stderr.contains("not valid JSON"), "{}", run.stderr);
}

#[test]
fn projects_and_packages_are_not_mixed() {
    let (registry, integrities) = registry();
    let sandbox = Sandbox::new();
    copy_project(
        &lockfile_fixture("npm-v2"),
        &sandbox.work().join("p"),
        &integrities,
        &[],
    );
    let url = registry.url();
    let run = run(sandbox.command(&["scan", "p", "alpha@1.0.0", "--registry", &url]));
    run.assert_code(2);
    assert!(run.stderr.contains("separate runs"), "{}", run.stderr);
}

/// The issue's figure: a 1 000-package lockfile, scanned cold (no cache)
/// against the mock registry on 127.0.0.1, with the planted package found
/// two levels down. Prints the time and the number of requests.
#[test]
fn a_thousand_package_lockfile() {
    let registry = MockRegistry::start();
    let mut packages = serde_json::Map::new();
    let name = |i: usize| format!("pkg-{i:04}");
    let children = |i: usize| (0..9).map(move |k| 100 + i * 9 + k);
    for i in 0..1000 {
        let deps: serde_json::Map<String, Value> = if i < 100 {
            children(i).map(|c| (name(c), json!("^1.0.0"))).collect()
        } else {
            serde_json::Map::new()
        };
        let bytes = if i == 999 {
            fixture_tarball("project-bravo-exfil")
        } else {
            let files = clean_files(&name(i), "1.0.0", Value::Object(deps.clone()));
            let borrowed: Vec<(&str, &[u8])> = files
                .iter()
                .map(|(p, b)| (p.as_str(), b.as_slice()))
                .collect();
            palisade_test::tarball(&borrowed)
        };
        let published = registry.package(&name(i), "1.0.0").tarball(bytes).publish();
        let mut entry = json!({
            "version": "1.0.0",
            "resolved": published.tarball_url,
            "integrity": published.integrity,
        });
        if !deps.is_empty() {
            entry["dependencies"] = Value::Object(deps);
        }
        packages.insert(format!("node_modules/{}", name(i)), entry);
    }
    let root_deps: serde_json::Map<String, Value> =
        (0..100).map(|i| (name(i), json!("^1.0.0"))).collect();
    packages.insert(
        String::new(),
        json!({"name": "app", "version": "1.0.0", "dependencies": root_deps}),
    );
    let lock =
        json!({"name": "app", "version": "1.0.0", "lockfileVersion": 3, "packages": packages});
    let sandbox = Sandbox::new();
    let dir = sandbox.work().join("big");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("package-lock.json"),
        serde_json::to_vec_pretty(&lock).expect("JSON"),
    )
    .expect("write");
    registry.clear_requests();

    let started = std::time::Instant::now();
    let run = scan(&sandbox, &registry, "big", &[]);
    let elapsed = started.elapsed();
    run.assert_code(1);
    let report = run.json();
    assert_eq!(report["packages"].as_array().map(Vec::len), Some(1000));
    let bad = package(&report, "pkg-0999", "1.0.0");
    assert_eq!(bad["verdict"], "malicious");
    assert_eq!(
        bad["dependency_path"],
        json!(["app", "pkg-0099", "pkg-0999"])
    );
    assert_eq!(report["project"]["verdicts"]["clean"], 999);
    let requests = registry.requests().len();
    eprintln!(
        "1000-package lockfile, cold: {:.2} s, {requests} requests",
        elapsed.as_secs_f64()
    );
    assert_eq!(requests, 2000, "one packument and one tarball per package");

    // Warm: the same sandbox (its cache folder), the same lockfile.
    registry.clear_requests();
    let started = std::time::Instant::now();
    let warm = scan(&sandbox, &registry, "big", &[]);
    let warm_elapsed = started.elapsed();
    warm.assert_code(1);
    let warm_report = warm.json();
    assert_eq!(warm_report["packages"].as_array().map(Vec::len), Some(1000));
    let bad = package(&warm_report, "pkg-0999", "1.0.0");
    assert_eq!(bad["verdict"], "malicious");
    assert_eq!(
        bad["dependency_path"],
        json!(["app", "pkg-0099", "pkg-0999"]),
        "the path is this run's, not the cached one's"
    );
    let warm_requests = registry.requests();
    eprintln!(
        "1000-package lockfile, warm: {:.2} s, {} requests",
        warm_elapsed.as_secs_f64(),
        warm_requests.len()
    );
    assert!(
        warm_requests.iter().all(|r| !r.path.ends_with(".tgz")),
        "no tarball is downloaded again"
    );
}

#[test]
fn local_folders_outside_the_project_are_not_read() {
    let (registry, _) = registry();
    let sandbox = Sandbox::new();
    let dir = sandbox.work().join("p");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::create_dir_all(sandbox.work().join("secret")).expect("mkdir");
    std::fs::write(
        sandbox.work().join("secret/package.json"),
        r#"{"name": "secret", "version": "1.0.0"}"#,
    )
    .expect("write");
    let lock = json!({
        "name": "app",
        "lockfileVersion": 3,
        "packages": {
            "": {"name": "app", "dependencies": {"secret": "file:../secret"}},
            "node_modules/secret": {"resolved": "../secret", "link": true},
            "../secret": {"name": "secret", "version": "1.0.0"},
        },
    });
    std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write");
    let run = scan(&sandbox, &registry, "p", &[]);
    run.assert_code(2);
    assert!(run.stderr.contains("outside the project"), "{}", run.stderr);
    assert_eq!(run.json()["packages"], json!([]));
}

/// A `package-lock.json` (v3) locking `name@version` pairs from the
/// registry, without integrities (they are optional).
fn lock_v3(deps: &[(&str, &str)]) -> String {
    let mut packages = serde_json::Map::new();
    packages.insert(
        String::new(),
        json!({
            "name": "app",
            "version": "1.0.0",
            "dependencies": deps.iter().map(|(n, _)| ((*n).to_owned(), json!("*"))).collect::<serde_json::Map<_, _>>(),
        }),
    );
    for (name, version) in deps {
        packages.insert(
            format!("node_modules/{name}"),
            json!({
                "version": version,
                "resolved": format!("https://registry.invalid/{name}/-/{name}-{version}.tgz"),
            }),
        );
    }
    serde_json::to_string_pretty(&json!({
        "name": "app",
        "version": "1.0.0",
        "lockfileVersion": 3,
        "requires": true,
        "packages": packages,
    }))
    .expect("JSON")
}

#[test]
fn diff_against_an_older_lockfile_diffs_every_updated_package() {
    let registry = MockRegistry::start();
    let tar = |files: Vec<(String, Vec<u8>)>| {
        let borrowed: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(p, b)| (p.as_str(), b.as_slice()))
            .collect();
        palisade_test::tarball(&borrowed)
    };
    // `bravo` 1.0.0 was published by its maintainer; 2.0.0, with an install
    // script that sends the environment out, by a stranger.
    registry
        .package("bravo", "1.0.0")
        .tarball(tar(clean_files("bravo", "1.0.0", json!({}))))
        .npm_user("alice", "alice@example.invalid")
        .maintainer("alice", "alice@example.invalid")
        .publish();
    registry
        .package("bravo", "2.0.0")
        .tarball(fixture_tarball("project-bravo-exfil"))
        .npm_user("mallory", "mallory@example.invalid")
        .maintainer("mallory", "mallory@example.invalid")
        .publish();
    for (name, version) in [("delta", "4.0.0"), ("golf", "1.0.0"), ("kilo", "1.0.0")] {
        registry
            .package(name, version)
            .tarball(tar(clean_files(name, version, json!({}))))
            .publish();
    }
    let sandbox = Sandbox::new();
    let dir = sandbox.work().join("p");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("package-lock.json"),
        lock_v3(&[("bravo", "2.0.0"), ("golf", "1.0.0"), ("kilo", "1.0.0")]),
    )
    .expect("write");
    let old = sandbox.work().join("old-package-lock.json");
    std::fs::write(
        &old,
        lock_v3(&[("bravo", "1.0.0"), ("delta", "4.0.0"), ("kilo", "1.0.0")]),
    )
    .expect("write");

    let old_arg = old.display().to_string();
    let run = scan(
        &sandbox,
        &registry,
        "p",
        &["--no-cache", "--diff-against", &old_arg],
    );
    run.assert_code(1);
    let report = run.json();
    let changed = &report["project"]["changed"];
    assert_eq!(changed["updated"], json!(["bravo 1.0.0 → 2.0.0"]));
    assert_eq!(changed["added"], json!(["golf@1.0.0"]));
    assert_eq!(changed["removed"], json!(["delta@4.0.0"]));

    // The updated package carries what 2.0.0 can do that 1.0.0 could not,
    // and who published it; unchanged and added packages are not diffed.
    let bravo = package(&report, "bravo", "2.0.0");
    assert_eq!(bravo["verdict"], "malicious");
    let bravo_rules = rules(bravo);
    for rule in [
        "diff/new-install-script",
        "diff/new-network-destination",
        "diff/publisher-change",
    ] {
        assert!(bravo_rules.contains(&rule), "{rule} missing: {bravo:#}");
    }
    for (name, version) in [("golf", "1.0.0"), ("kilo", "1.0.0")] {
        let p = package(&report, name, version);
        assert!(
            rules(p).iter().all(|r| !r.starts_with("diff/")),
            "{name} is not diffed: {p:#}"
        );
    }

    // The text summary says the same.
    let url = registry.url();
    let text = run_text(&sandbox, &url, &old_arg);
    assert!(
        text.contains("1 updated (diffed), 1 added, 1 removed")
            && text.contains("updated: bravo 1.0.0 → 2.0.0"),
        "{text}"
    );

    // An older lockfile that cannot be read is a usage error.
    let missing = sandbox.work().join("missing.json").display().to_string();
    scan(&sandbox, &registry, "p", &["--diff-against", &missing]).assert_code(2);
}

fn run_text(sandbox: &Sandbox, url: &str, old: &str) -> String {
    run(sandbox.command(&[
        "scan",
        "p",
        "--registry",
        url,
        "--no-cache",
        "--diff-against",
        old,
    ]))
    .stdout
}
