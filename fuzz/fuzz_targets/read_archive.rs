//! Any bytes through the archive sniffer and every reader: no panic, no
//! unbounded memory, and the package invariants hold.

#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_package::{Limits, Package, read_bytes, read_tar, read_tgz, read_zip};

/// Small limits so that bombs hit them quickly under the fuzzer.
fn limits() -> Limits {
    Limits {
        max_archive_bytes: 1024 * 1024,
        max_total_bytes: 16 * 1024 * 1024,
        max_files: 1000,
        max_file_bytes: 4 * 1024 * 1024,
        max_path_depth: 16,
        max_compression_ratio: 200,
    }
}

fn check(pkg: &Package, limits: &Limits) {
    assert!(pkg.unpacked_bytes <= limits.max_total_bytes);
    assert!(pkg.files.len() <= limits.max_files);
    for pair in pkg.files.windows(2) {
        assert!(pair[0].path < pair[1].path, "files sorted and unique");
    }
    for f in &pkg.files {
        assert!(f.data.len() as u64 <= limits.max_file_bytes);
        assert!(!f.path.is_empty() && !f.path.starts_with('/'));
        assert!(
            f.path
                .split('/')
                .all(|c| !c.is_empty() && c != "." && c != "..")
        );
        assert!(f.path.split('/').count() <= limits.max_path_depth);
    }
}

fuzz_target!(|data: &[u8]| {
    let limits = limits();
    if let Some(pkg) = read_bytes(data, "fuzz", &limits) {
        check(&pkg, &limits);
    }
    // Each reader on its own, whatever the magic bytes say.
    for pkg in [
        read_tgz(data, "fuzz", &limits),
        read_tar(data, "fuzz", &limits),
        read_zip(data, "fuzz", &limits),
    ] {
        check(&pkg, &limits);
    }
});
