//! Decompression bombs, in a test binary of their own so the process's peak
//! resident memory measures the reader alone. The bombs are built streaming:
//! the test never holds the unpacked bytes either.

mod support;

use std::io::{self, Read, Write};

use palisade_package::{LimitKind, Limits, read_bytes, read_zip};

const GIB: u64 = 1024 * 1024 * 1024;
const MIB: u64 = 1024 * 1024;

/// A `.tgz` holding `files` files of `size` zero bytes each, built streaming.
fn zero_tgz(files: u64, size: u64) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let mut b = tar::Builder::new(gz);
    for i in 0..files {
        let mut h = tar::Header::new_gnu();
        h.set_size(size);
        h.set_mode(0o644);
        b.append_data(
            &mut h,
            format!("package/zero-{i}.bin"),
            io::repeat(0).take(size),
        )
        .expect("append");
    }
    b.into_inner().expect("tar").finish().expect("gzip")
}

/// Peak resident memory of this process, from `/proc` (Linux only).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[test]
fn gzip_bombs_stop_early_with_bounded_memory() {
    let limits = Limits::default();

    // One file of 1 GiB of zeros: over the per-file limit, then skipped
    // through the budget, which stops at the compression ratio.
    let one = zero_tgz(1, GIB);
    let pkg = read_bytes(&one, "bomb.tgz", &limits).expect("tgz");
    assert!(pkg.hit_limit(LimitKind::FileBytes), "{:?}", pkg.issues);
    let stopped =
        pkg.hit_limit(LimitKind::CompressionRatio) || pkg.hit_limit(LimitKind::TotalBytes);
    assert!(stopped, "{:?}", pkg.issues);
    assert_eq!(pkg.unpacked_bytes, 0);
    eprintln!(
        "1 GiB in one file: {} bytes compressed, {:?}",
        one.len(),
        pkg.issues
    );

    // 64 files of 16 MiB: each within the per-file limit, 1 GiB in all.
    let many = zero_tgz(64, 16 * MIB);
    let compressed = many.len() as u64;
    eprintln!("1 GiB in 64 files: {compressed} bytes compressed");
    let pkg = read_bytes(&many, "bomb.tgz", &limits).expect("tgz");
    let hit = pkg.hit_limit(LimitKind::CompressionRatio) || pkg.hit_limit(LimitKind::TotalBytes);
    assert!(hit, "{:?}", pkg.issues);
    let bound = (limits.max_compression_ratio * compressed).max(Limits::RATIO_FLOOR_BYTES);
    assert!(
        pkg.unpacked_bytes <= bound,
        "kept {} bytes, bound {bound}",
        pkg.unpacked_bytes
    );
    drop(pkg);

    // Peak memory: the retained files plus slack, far from the 1 GiB bomb.
    if let Some(peak) = peak_rss() {
        eprintln!("peak rss {} MiB, bound {} MiB", peak / MIB, bound / MIB);
        assert!(peak < bound + 128 * MIB, "peak rss {peak}");
    }
}

#[test]
fn zip_bomb_stops_at_the_compression_ratio() {
    let mut w = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    for i in 0..16 {
        w.start_file(format!("zero-{i}.bin"), opts).expect("entry");
        io::copy(&mut io::repeat(0).take(16 * MIB), &mut w).expect("write");
    }
    w.write_all(&[]).expect("flush");
    let zip = w.finish().expect("zip").into_inner();
    let pkg = read_zip(&zip, "bomb.zip", &Limits::default());
    assert!(
        pkg.hit_limit(LimitKind::CompressionRatio),
        "{:?}",
        pkg.issues
    );
    let bound =
        (Limits::default().max_compression_ratio * zip.len() as u64).max(Limits::RATIO_FLOOR_BYTES);
    assert!(pkg.unpacked_bytes <= bound);
    let _ = support::paths(&pkg);
}
