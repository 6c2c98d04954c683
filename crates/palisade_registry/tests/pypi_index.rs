//! The Python index client against the mock index on 127.0.0.1: simple API
//! in JSON and HTML, the JSON API's latest, verified downloads, the cache.

#![expect(clippy::unwrap_used, reason = "tests")]

use palisade_registry::{Cache, DistKind, Error, PipConfig, PypiClient};
use palisade_test::pypi::{MockIndex, sdist, wheel};

fn client(index: &MockIndex) -> PypiClient {
    PypiClient::new(PipConfig::new(&index.simple_url()).unwrap()).unwrap()
}

fn publish_demo(index: &MockIndex) {
    for version in ["1.0", "1.2", "2.0rc1"] {
        index.publish(
            "demo_pkg",
            version,
            sdist(
                "demo-pkg",
                version,
                &[("setup.py", b"from setuptools import setup\n")],
            ),
        );
    }
    index.publish_wheel(
        "demo-pkg",
        "1.2",
        wheel("demo-pkg", "1.2", &[("demo_pkg/__init__.py", b"x = 1\n")]),
    );
}

#[test]
fn resolves_exact_and_latest_releases() {
    let index = MockIndex::start();
    publish_demo(&index);
    let client = client(&index);
    let release = client.resolve("demo.pkg", Some("1.2.0")).unwrap();
    assert_eq!(release.name, "demo-pkg");
    assert_eq!(release.version, "1.2");
    let kinds: Vec<DistKind> = release.files.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [DistKind::Sdist, DistKind::Wheel { pure: true }]);
    // The JSON API's latest is the last published (a wheel of 1.2).
    let latest = client.resolve("demo-pkg", None).unwrap();
    assert_eq!(latest.version, "1.2");
    let bytes = client.fetch("demo-pkg", &release.files[0]).unwrap();
    assert!(bytes.starts_with(&[0x1f, 0x8b]));
    // Project pages are asked for by normalised name.
    assert!(index.requests().iter().any(|p| p == "/simple/demo-pkg/"));
}

#[test]
fn html_pages_and_no_json_api() {
    let index = MockIndex::start();
    publish_demo(&index);
    index.html_only(true);
    index.json_api(false);
    let client = client(&index);
    let project = client.project("demo-pkg").unwrap();
    assert_eq!(project.latest, None);
    assert_eq!(project.files.len(), 4);
    assert!(project.files.iter().all(|f| f.sha256.is_some()));
    // Without the JSON API, latest is the highest final release.
    let latest = client.resolve("demo-pkg", None).unwrap();
    assert_eq!(latest.version, "1.2");
    client.fetch("demo-pkg", &latest.files[1]).unwrap();
}

#[test]
fn a_corrupted_file_fails_its_hash_check() {
    let index = MockIndex::start();
    publish_demo(&index);
    index.corrupt("demo_pkg-1.0.tar.gz");
    let client = client(&index);
    let release = client.resolve("demo-pkg", Some("1.0")).unwrap();
    let error = client.fetch("demo-pkg", &release.files[0]).unwrap_err();
    assert!(matches!(error, Error::HashMismatch { .. }), "{error}");
    assert!(error.to_string().contains("demo_pkg-1.0.tar.gz"), "{error}");
}

#[test]
fn unknown_projects_and_versions() {
    let index = MockIndex::start();
    publish_demo(&index);
    let client = client(&index);
    let error = client.resolve("absent", None).unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error}");
    let error = client.resolve("demo-pkg", Some("9.9")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "no version of `demo-pkg` matches `==9.9`"
    );
    let error = client.resolve("../etc", None).unwrap_err();
    assert!(matches!(error, Error::InvalidSpec { .. }), "{error}");
}

#[test]
fn yanked_files_are_a_last_resort() {
    let index = MockIndex::start();
    publish_demo(&index);
    index.yank("demo_pkg-1.2.tar.gz");
    let client = client(&index);
    let release = client.resolve("demo-pkg", Some("1.2")).unwrap();
    let names: Vec<&str> = release.files.iter().map(|f| f.filename.as_str()).collect();
    assert_eq!(names, ["demo_pkg-1.2-py3-none-any.whl"]);
}

#[test]
fn the_cache_serves_files_a_second_time() {
    let index = MockIndex::start();
    publish_demo(&index);
    let dir = tempfile::tempdir().unwrap();
    let first = client(&index).with_cache(Cache::new(dir.path()));
    let release = first.resolve("demo-pkg", Some("1.0")).unwrap();
    first.fetch("demo-pkg", &release.files[0]).unwrap();
    let downloads = |index: &MockIndex| {
        index
            .requests()
            .iter()
            .filter(|p| p.starts_with("/files/"))
            .count()
    };
    assert_eq!(downloads(&index), 1);
    let offline = client(&index).with_cache(Cache::new(dir.path()).offline(true));
    let release = offline.resolve("demo-pkg", Some("1.0")).unwrap();
    offline.fetch("demo-pkg", &release.files[0]).unwrap();
    assert_eq!(downloads(&index), 1);
}
