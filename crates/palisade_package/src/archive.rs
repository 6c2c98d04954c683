//! Tar, gzip-compressed tar and zip archives, read entry by entry into memory.
//!
//! Every byte an archive unpacks to goes through a [`Budget`], which stops the
//! stream at the total or compression-ratio limit: a bomb costs at most the
//! limits in time and memory, whatever its headers claim.

use std::io::Read;

use crate::collect::{Budget, Collector, Source};
use crate::{LimitKind, Limits, Package, ReadIssue, ReadIssueKind};

/// An archive over [`Limits::max_archive_bytes`]: the issue alone.
fn too_large(bytes: &[u8], origin: &str, limits: &Limits) -> Option<Package> {
    let len = bytes.len() as u64;
    if len <= limits.max_archive_bytes {
        return None;
    }
    let mut pkg = Package::empty(origin);
    pkg.issues.push(ReadIssue::limit(
        LimitKind::ArchiveBytes,
        None,
        format!(
            "archive is {len} bytes, over the limit of {}",
            limits.max_archive_bytes
        ),
    ));
    Some(pkg)
}

/// Reads a gzip-compressed tar archive. As `gunzip` and Node's zlib do,
/// concatenated gzip members are one stream and bytes after the last member
/// that are not a gzip member are ignored. The whole stream is checked, so a
/// truncated or corrupt tarball is reported even after the tar end marker.
pub fn read_tgz(bytes: &[u8], origin: &str, limits: &Limits) -> Package {
    if let Some(pkg) = too_large(bytes, origin, limits) {
        return pkg;
    }
    // Tar reads headers 512 bytes at a time: buffer them, rather than call
    // the inflater for each. Large reads bypass the buffer.
    let gunzip = std::io::BufReader::with_capacity(64 * 1024, Gunzip::new(bytes));
    read_tar_stream(gunzip, Some(bytes.len() as u64), origin, limits)
}

/// Gzip members one after another, stopping at the first trailing byte that
/// does not start a member.
struct Gunzip<'a> {
    member: Option<flate2::bufread::GzDecoder<&'a [u8]>>,
}

impl<'a> Gunzip<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            member: Some(flate2::bufread::GzDecoder::new(bytes)),
        }
    }
}

impl Read for Gunzip<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while let Some(member) = &mut self.member {
            let n = member.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            // End of this member: the slice now starts after its trailer.
            let rest = self.member.take().map_or(&[][..], |m| m.into_inner());
            if rest.starts_with(&[0x1f, 0x8b]) {
                self.member = Some(flate2::bufread::GzDecoder::new(rest));
            }
        }
        Ok(0)
    }
}

/// Reads an uncompressed tar archive.
pub fn read_tar(bytes: &[u8], origin: &str, limits: &Limits) -> Package {
    if let Some(pkg) = too_large(bytes, origin, limits) {
        return pkg;
    }
    read_tar_stream(bytes, None, origin, limits)
}

fn read_tar_stream(
    reader: impl Read,
    compressed: Option<u64>,
    origin: &str,
    limits: &Limits,
) -> Package {
    let budget = Budget::new(limits, compressed);
    let mut c = Collector::new(origin, limits, Source::Archive);
    let mut archive = tar::Archive::new(budget.guard(reader));
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => {
            c.stream_error(&budget, &e, None);
            return c.finish();
        }
    };
    for entry in entries {
        if c.stopped() {
            break;
        }
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                c.stream_error(&budget, &e, None);
                break;
            }
        };
        let kind = entry.header().entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        let raw = c.name(&entry.path_bytes());
        if kind.is_symlink() || kind.is_hard_link() {
            let target = entry
                .link_name_bytes()
                .map(|t| String::from_utf8_lossy(&t).into_owned())
                .unwrap_or_default();
            let what = if kind.is_symlink() {
                "symbolic link"
            } else {
                "hard link"
            };
            c.issue(ReadIssue::new(
                ReadIssueKind::Link,
                Some(raw),
                format!("{what} to `{target}` not followed"),
            ));
            continue;
        }
        if !(kind.is_file() || kind.is_contiguous() || kind.is_gnu_sparse()) {
            c.issue(ReadIssue::new(
                ReadIssueKind::SpecialFile,
                Some(raw),
                format!(
                    "special entry of type `{}` skipped",
                    kind.as_byte().escape_ascii()
                ),
            ));
            continue;
        }
        let Some(path) = c.normalise(&raw) else {
            continue;
        };
        if !c.admit() {
            break;
        }
        // `Entry::size` includes a PAX size override and sparse holes.
        let size = entry.size();
        let executable = entry.header().mode().is_ok_and(|m| m & 0o111 != 0);
        if let Err(e) = c.add(path.clone(), size, executable, &mut entry) {
            c.stream_error(&budget, &e, Some(path));
            break;
        }
    }
    if !c.stopped() {
        // Read what follows the tar end marker (padding, usually) so that a
        // truncated or corrupt compressed stream is noticed; the budget
        // bounds it.
        if let Err(e) = std::io::copy(&mut archive.into_inner(), &mut std::io::sink()) {
            c.stream_error(&budget, &e, None);
        }
    }
    c.finish()
}

/// File type bits of a unix mode.
const S_IFMT: u32 = 0o170_000;
const S_IFREG: u32 = 0o100_000;
const S_IFDIR: u32 = 0o040_000;
const S_IFLNK: u32 = 0o120_000;

/// Reads a zip archive. Entry sizes are read from the central directory and
/// never trusted: each entry is bounded by its declared size and the limits.
pub fn read_zip(bytes: &[u8], origin: &str, limits: &Limits) -> Package {
    if let Some(pkg) = too_large(bytes, origin, limits) {
        return pkg;
    }
    let budget = Budget::new(limits, Some(bytes.len() as u64));
    let mut c = Collector::new(origin, limits, Source::Archive);
    let mut zip = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
        Ok(z) => z,
        Err(e) => {
            c.issue(ReadIssue::new(
                ReadIssueKind::Unreadable,
                None,
                format!("not a readable zip archive: {e}"),
            ));
            return c.finish();
        }
    };
    for i in 0..zip.len() {
        if c.stopped() {
            break;
        }
        let mut entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                c.issue(ReadIssue::new(
                    ReadIssueKind::Unreadable,
                    None,
                    format!("zip entry {i} could not be read: {e}"),
                ));
                continue;
            }
        };
        let raw = c.name(entry.name_raw());
        let file_type = entry.unix_mode().map_or(S_IFREG, |m| m & S_IFMT);
        if entry.is_dir() || file_type == S_IFDIR {
            continue;
        }
        if file_type == S_IFLNK {
            c.issue(ReadIssue::new(
                ReadIssueKind::Link,
                Some(raw),
                "symbolic link not followed",
            ));
            continue;
        }
        if file_type != S_IFREG && file_type != 0 {
            c.issue(ReadIssue::new(
                ReadIssueKind::SpecialFile,
                Some(raw),
                "special entry skipped",
            ));
            continue;
        }
        let Some(path) = c.normalise(&raw) else {
            continue;
        };
        if !c.admit() {
            break;
        }
        let size = entry.size();
        let executable = entry.unix_mode().is_some_and(|m| m & 0o111 != 0);
        let mut guarded = budget.guard(&mut entry);
        if let Err(e) = c.add(path.clone(), size, executable, &mut guarded) {
            if let Some(kind) = budget.tripped() {
                c.issue(budget.issue(kind));
                c.stop();
            } else {
                c.issue(ReadIssue::new(
                    ReadIssueKind::Unreadable,
                    Some(path),
                    format!("entry could not be decompressed: {e}"),
                ));
            }
        }
    }
    c.finish()
}
