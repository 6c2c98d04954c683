//! Archive builders for tests: everything is written in memory, nothing is
//! extracted or executed.

#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the helpers"
)]

use std::io::Write;

use palisade_package::{LimitKind, Package, ReadIssueKind};
use tar::{EntryType, Header};

/// A tar archive of regular files, written with `tar::Builder`.
pub fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in entries {
        let mut h = Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, path, *data).expect("append");
    }
    b.into_inner().expect("finish tar")
}

/// Gzip-compresses bytes.
pub fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip finish")
}

pub fn tgz_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    gz(&tar_of(entries))
}

/// A ustar header written field by field, bypassing `tar`'s path checks, so
/// that hostile names (`..`, absolute, invalid UTF-8) and links can be made.
pub fn raw_header(name: &[u8], kind: EntryType, size: u64, link: &[u8]) -> Header {
    let mut h = Header::new_ustar();
    {
        let old = h.as_old_mut();
        old.name[..name.len()].copy_from_slice(name);
        old.linkname[..link.len()].copy_from_slice(link);
    }
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_cksum();
    h
}

/// A raw tar entry: (name, type, link target, data).
pub type RawEntry<'a> = (&'a [u8], EntryType, &'a [u8], &'a [u8]);

/// A tar archive of raw entries.
pub fn raw_tar(entries: &[RawEntry<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, kind, link, data) in entries {
        let h = raw_header(name, *kind, data.len() as u64, link);
        b.append(&h, *data).expect("append raw");
    }
    b.into_inner().expect("finish tar")
}

/// A zip archive of (name, data) entries, deflated.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).expect("zip entry");
        w.write_all(data).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}

/// Small deterministic pseudo-random bytes (xorshift), no extra dependency.
pub fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[3]
        })
        .collect()
}

pub fn paths(pkg: &Package) -> Vec<&str> {
    pkg.files.iter().map(|f| f.path.as_str()).collect()
}

/// Issue kinds with their paths, for compact assertions.
pub fn issues(pkg: &Package) -> Vec<(String, Option<String>)> {
    pkg.issues
        .iter()
        .map(|i| (i.kind.to_string(), i.path.clone()))
        .collect()
}

pub fn has(pkg: &Package, kind: &ReadIssueKind) -> bool {
    pkg.has_issue(kind)
}

pub fn hit(pkg: &Package, limit: LimitKind) -> bool {
    pkg.hit_limit(limit)
}
