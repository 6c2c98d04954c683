//! The disk cache against the mock registry: content-addressed tarballs,
//! packuments revalidated with `ETag`, offline mode.

#![expect(clippy::unwrap_used, reason = "tests")]

use std::path::Path;

use palisade_registry::{Cache, Client, Error, NpmConfig, PackageSpec};
use palisade_test::MockRegistry;

fn client(registry: &MockRegistry, cache_dir: &Path, offline: bool) -> Client {
    Client::new(NpmConfig::new(&registry.url()).unwrap())
        .unwrap()
        .with_cache(Cache::new(cache_dir).offline(offline))
}

fn spec(text: &str) -> PackageSpec {
    text.parse().unwrap()
}

fn tarball_requests(registry: &MockRegistry) -> usize {
    registry
        .requests()
        .iter()
        .filter(|r| r.path.contains("/-/"))
        .count()
}

#[test]
fn a_second_run_revalidates_packuments_and_reuses_tarballs() {
    let registry = MockRegistry::start();
    registry.publish("demo", "1.0.0", &[("index.js", b"module.exports = 1;")]);
    let dir = tempfile::tempdir().unwrap();

    let first = client(&registry, dir.path(), false);
    let resolved = first.resolve(&spec("demo@1.0.0")).unwrap();
    let bytes = first.fetch_tarball(&resolved).unwrap();
    assert_eq!(registry.requests().len(), 2);
    assert_eq!(registry.requests()[0].if_none_match, None);
    // The same process asks once per packument.
    first.resolve(&spec("demo@^1")).unwrap();
    assert_eq!(registry.requests().len(), 2);
    assert_eq!(first.cache().unwrap().stats().packuments_cached, 1);

    // A new process: the packument is revalidated (304), the tarball is not fetched.
    registry.clear_requests();
    let second = client(&registry, dir.path(), false);
    let again = second.resolve(&spec("demo@1.0.0")).unwrap();
    assert_eq!(second.fetch_tarball(&again).unwrap(), bytes);
    let requests = registry.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert!(requests[0].if_none_match.is_some());
    let stats = second.cache().unwrap().stats();
    assert_eq!(
        (stats.requests, stats.not_modified, stats.tarballs_cached),
        (1, 1, 1)
    );
}

#[test]
fn a_changed_packument_is_downloaded_again() {
    let registry = MockRegistry::start();
    registry.publish("demo", "1.0.0", &[("index.js", b"1")]);
    let dir = tempfile::tempdir().unwrap();
    client(&registry, dir.path(), false)
        .resolve(&spec("demo"))
        .unwrap();
    registry.publish("demo", "1.1.0", &[("index.js", b"2")]);
    let resolved = client(&registry, dir.path(), false)
        .resolve(&spec("demo"))
        .unwrap();
    assert_eq!(resolved.version, "1.1.0");
}

#[test]
fn offline_uses_only_the_cache_and_names_what_is_missing() {
    let registry = MockRegistry::start();
    registry.publish("demo", "1.0.0", &[("index.js", b"1")]);
    registry.publish("other", "2.0.0", &[("index.js", b"2")]);
    let dir = tempfile::tempdir().unwrap();

    let offline = client(&registry, dir.path(), true);
    let error = offline.resolve(&spec("demo@1.0.0")).unwrap_err();
    assert!(
        matches!(
            error,
            Error::Offline {
                what: "packument",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("`demo`"), "{error}");
    assert!(registry.requests().is_empty());

    // Warm the cache for `demo` (packument and tarball), `other` only its packument.
    let online = client(&registry, dir.path(), false);
    let resolved = online.resolve(&spec("demo@1.0.0")).unwrap();
    let bytes = online.fetch_tarball(&resolved).unwrap();
    online.resolve(&spec("other")).unwrap();
    registry.clear_requests();

    let offline = client(&registry, dir.path(), true);
    let resolved = offline.resolve(&spec("demo@1.0.0")).unwrap();
    assert_eq!(offline.fetch_tarball(&resolved).unwrap(), bytes);
    let other = offline.resolve(&spec("other")).unwrap();
    let error = offline.fetch_tarball(&other).unwrap_err();
    assert!(
        matches!(
            error,
            Error::Offline {
                what: "tarball",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("`other@2.0.0`"), "{error}");
    assert!(registry.requests().is_empty(), "{:?}", registry.requests());
}

#[test]
fn a_tampered_cached_tarball_is_fetched_again() {
    let registry = MockRegistry::start();
    registry.publish("demo", "1.0.0", &[("index.js", b"1")]);
    let dir = tempfile::tempdir().unwrap();
    let online = client(&registry, dir.path(), false);
    let resolved = online.resolve(&spec("demo@1.0.0")).unwrap();
    let bytes = online.fetch_tarball(&resolved).unwrap();
    let integrity =
        palisade_registry::Integrity::parse(resolved.integrity.as_deref().unwrap()).unwrap();
    let path = online.cache().unwrap().tarball_path(&integrity);
    std::fs::write(&path, b"not the tarball").unwrap();

    assert_eq!(online.fetch_tarball(&resolved).unwrap(), bytes);
    assert_eq!(tarball_requests(&registry), 2);
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn without_etags_the_packument_is_downloaded_each_run() {
    let registry = MockRegistry::start();
    registry.serve_etags(false);
    registry.publish("demo", "1.0.0", &[("index.js", b"1")]);
    let dir = tempfile::tempdir().unwrap();
    client(&registry, dir.path(), false)
        .resolve(&spec("demo"))
        .unwrap();
    client(&registry, dir.path(), false)
        .resolve(&spec("demo"))
        .unwrap();
    let requests = registry.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(|r| r.if_none_match.is_none()));
}
