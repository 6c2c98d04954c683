//! `Store::import_path` over fixture OSV records: the OpenSSF
//! malicious-packages layout, updates by `modified`, withdrawals, other
//! ecosystems, vulnerability records, broken files, zips and limits.

#![expect(clippy::unwrap_used, reason = "tests")]

use std::io::Write as _;
use std::path::{Path, PathBuf};

use palisade_store::{ImportLimits, MatchReason, Store};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("palisade.db")).unwrap();
    (dir, store)
}

fn ids(store: &Store, name: &str, version: &str) -> Vec<String> {
    store
        .malicious_advisories(name, version)
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect()
}

/// A release number without trailing zeros (`2.0` and `2.0.0` are one).
fn release(v: &str) -> Option<Vec<u64>> {
    let mut parts: Vec<u64> = v
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    while parts.last() == Some(&0) {
        parts.pop();
    }
    Some(parts)
}

#[test]
fn imports_the_openssf_layout() {
    let (_dir, store) = store();
    let summary = store
        .import_path(&fixtures().join("osv"), &ImportLimits::default())
        .unwrap();
    assert_eq!(summary.files, 9, "README.md is not read: {summary:?}");
    assert_eq!(summary.imported, 4);
    assert_eq!(summary.withdrawn, 1);
    assert_eq!(summary.removed, 0);
    assert_eq!(summary.not_malicious, 1);
    assert_eq!(summary.other_ecosystems.get("crates.io"), Some(&1));
    assert_eq!(summary.other_ecosystems.get("PyPI"), None);
    assert_eq!(summary.skipped(), 2);
    assert_eq!(summary.invalid, 2);
    let invalid: Vec<(&str, &str)> = summary
        .invalid_files
        .iter()
        .map(|f| (f.file.as_str(), f.reason.as_str()))
        .collect();
    assert_eq!(invalid[0].0, "malicious/npm/broken/MAL-2025-0105.json");
    assert!(
        invalid[0].1.starts_with("not JSON: EOF"),
        "{}",
        invalid[0].1
    );
    assert_eq!(
        invalid[1],
        (
            "malicious/npm/broken/MAL-2025-0106.json",
            "`MAL-2025-0106` has no `modified` time"
        )
    );

    // `introduced: "0"` and no fix: every version.
    let every = store.malicious_advisories("evil-logger", "7.7.7").unwrap();
    assert_eq!(every.len(), 1);
    assert_eq!(every[0].id, "MAL-2025-0101");
    assert_eq!(every[0].reason, MatchReason::AllVersions);
    assert_eq!(
        every[0].summary.as_deref(),
        Some("Malicious code in evil-logger (npm)")
    );
    // Listed versions of a scoped package.
    assert_eq!(
        ids(&store, "@acme-mail/mcp-server", "1.0.16"),
        ["MAL-2025-0102"]
    );
    assert!(ids(&store, "@acme-mail/mcp-server", "1.0.15").is_empty());
    let listed = store
        .malicious_advisories("@acme-mail/mcp-server", "1.0.17")
        .unwrap();
    assert_eq!(listed[0].aliases, ["GHSA-0000-1111-2222"]);
    assert_eq!(listed[0].reason, MatchReason::Listed);
    // SEMVER and ECOSYSTEM ranges; the GIT range is ignored.
    assert_eq!(ids(&store, "ranged-pkg", "2.1.2"), ["MAL-2025-0103"]);
    assert!(ids(&store, "ranged-pkg", "2.1.3").is_empty());
    assert!(ids(&store, "ranged-pkg", "2.0.9").is_empty());
    assert_eq!(ids(&store, "ranged-pkg", "3.0.0-beta.2"), ["MAL-2025-0103"]);
    assert_eq!(ids(&store, "ranged-pkg", "3.0.2"), ["MAL-2025-0103"]);
    assert!(ids(&store, "ranged-pkg", "3.0.3").is_empty());
    // PyPI: names compared normalised (PEP 503), versions in the
    // ecosystem's order (here a stand-in for PEP 440: `2.0` is `2.0.0`).
    let pypi = |name: &str, version: &str| -> Vec<String> {
        store
            .malicious_advisories_in("PyPI", name, version, release)
            .unwrap()
            .into_iter()
            .map(|m| m.id)
            .collect()
    };
    assert_eq!(pypi("evil-py", "0.1.0"), ["MAL-2025-0107"]);
    assert_eq!(pypi("Evil.PY", "0.1"), ["MAL-2025-0107"]);
    assert_eq!(pypi("evil_py", "2.2.9"), ["MAL-2025-0107"]);
    assert!(pypi("evil-py", "2.3").is_empty());
    assert!(pypi("evil-py", "0.2.0").is_empty());
    assert!(pypi("evilpy", "0.1.0").is_empty());
    // The npm lookup does not see PyPI records, nor the other way round.
    assert!(ids(&store, "evil-py", "0.1.0").is_empty());
    assert!(pypi("evil-logger", "7.7.7").is_empty());
    // Withdrawn, other ecosystems and vulnerabilities match nothing.
    assert!(ids(&store, "withdrawn-pkg", "1.0.0").is_empty());
    assert!(ids(&store, "evil-crate", "0.1.0").is_empty());
    assert!(ids(&store, "demo-merge", "4.0.0").is_empty());
    assert!(ids(&store, "broken", "1.0.0").is_empty());
    // Names are exact.
    assert!(ids(&store, "Evil-Logger", "1.0.0").is_empty());

    let status = store.status().unwrap();
    assert_eq!(
        (status.advisories, status.withdrawn, status.packages),
        (4, 1, 4)
    );
    let last = status.last_import.unwrap();
    assert_eq!(last.summary, summary);
    assert!(last.source.ends_with("osv"));
}

#[test]
fn reimport_updates_by_modified_and_withdrawals_remove() {
    let (_dir, store) = store();
    let limits = ImportLimits::default();
    store.import_path(&fixtures().join("osv"), &limits).unwrap();
    let again = store.import_path(&fixtures().join("osv"), &limits).unwrap();
    assert_eq!((again.imported, again.updated), (0, 0));
    assert_eq!(again.unchanged, 5, "4 in force and 1 tombstone: {again:?}");

    let update = store
        .import_path(&fixtures().join("osv-update"), &limits)
        .unwrap();
    assert_eq!(update.updated, 1, "{update:?}");
    assert_eq!(update.withdrawn, 1);
    assert_eq!(update.removed, 1);
    assert_eq!(update.unchanged, 1);
    // The update added a fixed version.
    assert_eq!(ids(&store, "evil-logger", "1.9.9"), ["MAL-2025-0101"]);
    assert!(ids(&store, "evil-logger", "2.0.0").is_empty());
    // The withdrawn record no longer matches...
    assert!(ids(&store, "@acme-mail/mcp-server", "1.0.16").is_empty());
    // ...and an older copy imported later does not bring it back.
    let old = store.import_path(&fixtures().join("osv"), &limits).unwrap();
    assert_eq!((old.imported, old.updated), (0, 0));
    assert!(ids(&store, "@acme-mail/mcp-server", "1.0.16").is_empty());
    assert_eq!(store.status().unwrap().advisories, 3);
}

/// A zip of the fixture records (plus a directory entry and a non-JSON file).
fn fixture_zip(path: &Path) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.add_directory("npm/", options).unwrap();
    for rel in [
        "malicious/npm/evil-logger/MAL-2025-0101.json",
        "malicious/npm/ranged-pkg/MAL-2025-0103.json",
        "malicious/pypi/evil-py/MAL-2025-0107.json",
        "malicious/npm/broken/MAL-2025-0105.json",
    ] {
        let bytes = std::fs::read(fixtures().join("osv").join(rel)).unwrap();
        let name = format!("npm/{}", rel.rsplit('/').next().unwrap());
        zip.start_file(name, options).unwrap();
        zip.write_all(&bytes).unwrap();
    }
    zip.start_file("npm/NOTES.txt", options).unwrap();
    zip.write_all(b"not a record").unwrap();
    zip.finish().unwrap();
}

#[test]
fn imports_a_zip() {
    let (dir, store) = store();
    let zip_path = dir.path().join("npm.zip");
    fixture_zip(&zip_path);
    let summary = store
        .import_path(&zip_path, &ImportLimits::default())
        .unwrap();
    assert_eq!(summary.files, 4);
    assert_eq!(summary.imported, 3, "npm and PyPI: {summary:?}");
    assert_eq!(summary.invalid, 1);
    assert_eq!(summary.invalid_files[0].file, "npm/MAL-2025-0105.json");
    assert_eq!(ids(&store, "evil-logger", "1.0.0"), ["MAL-2025-0101"]);
}

#[test]
fn limits_stop_or_skip_and_say_so() {
    let (dir, store) = store();
    let zip_path = dir.path().join("npm.zip");
    fixture_zip(&zip_path);

    let few = store
        .import_path(&zip_path, &ImportLimits::default().max_files(2))
        .unwrap();
    assert_eq!(few.files, 2);
    assert!(
        few.stopped.as_deref().unwrap().contains("2 files"),
        "{few:?}"
    );

    let small = store
        .import_path(
            &fixtures().join("osv"),
            &ImportLimits::default().max_file_bytes(900),
        )
        .unwrap();
    assert!(
        small
            .invalid_files
            .iter()
            .any(|f| f.file.ends_with("MAL-2025-0101.json") && f.reason.contains("900 bytes")),
        "{small:?}"
    );

    let total = store
        .import_path(
            &fixtures().join("osv"),
            &ImportLimits::default().max_total_bytes(1500),
        )
        .unwrap();
    assert!(
        total.stopped.as_deref().unwrap().contains("1500 bytes"),
        "{total:?}"
    );
}

#[test]
fn bad_inputs_are_errors() {
    let (dir, store) = store();
    let missing = store
        .import_path(&dir.path().join("nope"), &ImportLimits::default())
        .unwrap_err();
    assert!(missing.to_string().contains("nope"), "{missing}");
    let text = dir.path().join("records.txt");
    std::fs::write(&text, "hello").unwrap();
    let error = store
        .import_path(&text, &ImportLimits::default())
        .unwrap_err();
    assert!(error.to_string().contains("neither a folder"), "{error}");
    let fake_zip = dir.path().join("fake.zip");
    std::fs::write(&fake_zip, "PK but not really").unwrap();
    let error = store
        .import_path(&fake_zip, &ImportLimits::default())
        .unwrap_err();
    assert!(error.to_string().contains("not a readable zip"), "{error}");
}

#[test]
fn a_single_file_and_a_list_of_records() {
    let (dir, store) = store();
    let one = fixtures().join("osv/malicious/npm/ranged-pkg/MAL-2025-0103.json");
    assert_eq!(
        store
            .import_path(&one, &ImportLimits::default())
            .unwrap()
            .imported,
        1
    );
    let list = dir.path().join("export.json");
    let records = serde_json::json!([
        { "id": "MAL-2025-0900", "modified": "2025-01-01T00:00:00Z",
          "affected": [ { "package": { "ecosystem": "npm", "name": "listed-a" }, "versions": ["1.0.0"] } ] },
        { "id": "MAL-2025-0901", "modified": "2025-01-01T00:00:00Z",
          "affected": [ { "package": { "ecosystem": "npm", "name": "listed-b" }, "versions": ["2.0.0"] } ] }
    ]);
    std::fs::write(&list, records.to_string()).unwrap();
    assert_eq!(
        store
            .import_path(&list, &ImportLimits::default())
            .unwrap()
            .imported,
        2
    );
    assert_eq!(ids(&store, "listed-b", "2.0.0"), ["MAL-2025-0901"]);
}
