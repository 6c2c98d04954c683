//! Measurements over real tarballs, ignored by default (they need the
//! corpus). Run with:
//!
//! ```text
//! cargo test -p palisade_package --release --test corpus -- --ignored --nocapture
//! ```
//!
//! `PALISADE_CORPUS` lists folders of `.tgz` files (`:`-separated); by default
//! the malicious samples in `../shared/corpus/npm-malicious` and the benign
//! cache in `~/.cache/palisade-corpus/*`. Tarballs are only read in memory.

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use palisade_package::{Limits, read_bytes};

fn corpus_dirs() -> Vec<PathBuf> {
    if let Ok(list) = std::env::var("PALISADE_CORPUS") {
        return list.split(':').map(PathBuf::from).collect();
    }
    let mut dirs = vec![PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/npm-malicious"
    ))];
    if let Some(home) = std::env::var_os("HOME") {
        let cache = PathBuf::from(home).join(".cache/palisade-corpus");
        if let Ok(entries) = std::fs::read_dir(cache) {
            dirs.extend(entries.filter_map(Result::ok).map(|e| e.path()));
        }
    }
    dirs
}

#[test]
#[ignore = "needs the corpus; a measurement, not a check"]
fn corpus_reads_and_throughput() {
    let limits = Limits::default();
    for dir in corpus_dirs() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let tarballs: Vec<(String, Vec<u8>)> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "tgz"))
            .filter_map(|p| Some((p.display().to_string(), std::fs::read(&p).ok()?)))
            .collect();
        if tarballs.is_empty() {
            continue;
        }
        let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
        let (mut unpacked, mut compressed, mut files, mut no_manifest) = (0u64, 0u64, 0usize, 0);
        let mut odd = Vec::new();
        let start = Instant::now();
        for (origin, bytes) in &tarballs {
            let pkg = read_bytes(bytes, origin, &limits).expect("tgz");
            if pkg.manifest.is_none() || !pkg.issues.is_empty() {
                odd.push(pkg.clone());
            }
            compressed += bytes.len() as u64;
            unpacked += pkg.unpacked_bytes;
            files += pkg.files.len();
            no_manifest += usize::from(pkg.manifest.is_none());
            for issue in &pkg.issues {
                *kinds.entry(issue.kind.to_string()).or_default() += 1;
            }
        }
        let secs = start.elapsed().as_secs_f64();
        let gunzip = Instant::now();
        let mut stream = 0u64;
        for (_, bytes) in &tarballs {
            let mut gz = flate2::read::GzDecoder::new(&bytes[..]);
            stream += std::io::copy(&mut gz, &mut std::io::sink()).unwrap_or(0);
        }
        let gunzip = gunzip.elapsed().as_secs_f64();
        for pkg in odd.iter().take(8) {
            eprintln!(
                "  {}: manifest {:?} error {:?} first files {:?} issues {:?}",
                pkg.origin,
                pkg.name(),
                pkg.manifest_error,
                support::paths(pkg).iter().take(4).collect::<Vec<_>>(),
                pkg.issues
            );
        }
        eprintln!(
            "  gunzip alone: {:.1} MB tar stream in {gunzip:.2}s = {:.0} MB/s; \
             reader on the tar stream: {:.0} MB/s",
            stream as f64 / 1e6,
            stream as f64 / 1e6 / gunzip,
            stream as f64 / 1e6 / secs,
        );
        eprintln!(
            "{}: {} tarballs, {files} files, {:.1} MB unpacked ({:.1} MB compressed) in {secs:.2}s \
             = {:.0} MB/s unpacked; no manifest: {no_manifest}; issues: {kinds:?}",
            dir.display(),
            tarballs.len(),
            unpacked as f64 / 1e6,
            compressed as f64 / 1e6,
            unpacked as f64 / 1e6 / secs,
        );
    }
}

#[test]
#[ignore = "a measurement, not a check"]
fn synthetic_throughput() {
    // 4 000 files of JS-like text, about 80 MB unpacked.
    let body: Vec<u8> = support::random_bytes(9, 20_000)
        .into_iter()
        .map(|b| b"function x(a){return a+1;}\n var y = require('z');"[usize::from(b) % 48])
        .collect();
    let names: Vec<String> = (0..4000).map(|i| format!("package/lib/m{i}.js")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &body[..])).collect();
    let tar = support::tar_of(&entries);
    let tgz = support::gz(&tar);
    let limits = Limits::default();
    for (label, bytes) in [("tar", &tar), ("tgz", &tgz)] {
        let start = Instant::now();
        let rounds = 5;
        let mut unpacked = 0;
        for _ in 0..rounds {
            let pkg = read_bytes(bytes, "synthetic", &limits).expect("archive");
            assert!(pkg.issues.is_empty(), "{:?}", pkg.issues);
            unpacked += pkg.unpacked_bytes;
        }
        let secs = start.elapsed().as_secs_f64();
        eprintln!(
            "{label}: {:.0} MB/s unpacked ({} bytes archive)",
            unpacked as f64 / 1e6 / secs,
            bytes.len()
        );
    }
}
