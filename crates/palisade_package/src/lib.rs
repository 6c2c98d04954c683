//! Safe, bounded, in-memory reading of packages.
//!
//! A [`Package`] is read once into memory with hard limits ([`Limits`]):
//! total unpacked bytes, file count, per-file size, path depth and
//! compression ratio. Paths are normalised; `..`, absolute paths and links
//! are never followed or written anywhere. Anything over a limit or
//! unreadable becomes a [`ReadIssue`] on the package, never a panic: the
//! engine turns issues into findings so policy can decide.
//!
//! Archives: gzip-compressed tar (`package/…`, `name-1.0.0/package/…`, flat,
//! or any single top folder; the package root is the folder of the shallowest
//! `package.json`), plain tar and zip. Every byte an archive unpacks to is
//! counted while it is read, so a decompression bomb stops at
//! [`Limits::max_total_bytes`] or [`Limits::max_compression_ratio`] with
//! bounded memory and time, whatever the headers claim. GNU and PAX long
//! names are honoured; names that are not UTF-8, duplicate entries, links and
//! special files are reported. Folders ([`read_dir`]) are read as they are:
//! the folder is the root.
//!
//! Nothing here executes, installs or unpacks to disk.
//!
//! Python packages read the same way: wheels (`.whl`, a zip) keep their
//! layout, sdists (`name-1.0.tar.gz` or `.zip`) lose their top folder, and
//! [`PythonMeta`] holds what `METADATA`/`PKG-INFO`, `pyproject.toml`,
//! `setup.cfg` and `entry_points.txt` say.
//!
//! [`lockfile`] reads what a project locks (npm, pnpm, yarn and bun lockfiles,
//! installed `node_modules` trees), each package once with its dependency path.

mod archive;
mod collect;
mod dir;
mod limits;
pub mod lockfile;
mod manifest;
mod package;
mod python;

pub use archive::{read_tar, read_tgz, read_zip};
pub use dir::read_dir;
pub use limits::{LimitKind, Limits};
pub use manifest::Manifest;
pub use package::{Package, PackageFile, ReadIssue, ReadIssueKind};
pub use python::{EntryPoint, PythonLayout, PythonMeta};

use std::io::Read;
use std::path::Path;

/// Errors for inputs that cannot be read at all (as opposed to a package that
/// reads with issues).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("`{path}`: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{0}` is not a package: expected a folder, a .tgz/.tar.gz, .tar, .zip or .whl file")]
    UnknownFormat(String),
}

/// Reads a package from a path: a folder, `.tgz`/`.tar.gz`, `.tar`, `.zip` or `.whl`
/// (sniffed by content, not by extension). A path that is neither a folder
/// nor a regular file (a fifo, a device) is [`Error::UnknownFormat`].
pub fn read_path(path: &Path, limits: &Limits) -> Result<Package, Error> {
    let display = path.display().to_string();
    let io = |source| Error::Io {
        path: display.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return read_dir(path, limits).map_err(io);
    }
    if !meta.is_file() {
        return Err(Error::UnknownFormat(display));
    }
    let too_large = |len: u64| {
        let mut pkg = Package::empty(display.clone());
        pkg.issues.push(ReadIssue::limit(
            LimitKind::ArchiveBytes,
            None,
            format!(
                "archive is {len} bytes, over the limit of {}",
                limits.max_archive_bytes
            ),
        ));
        pkg
    };
    if meta.len() > limits.max_archive_bytes {
        return Ok(too_large(meta.len()));
    }
    // Bounded even if the file grows while it is read.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    std::fs::File::open(path)
        .and_then(|f| f.take(limits.max_archive_bytes + 1).read_to_end(&mut bytes))
        .map_err(io)?;
    if bytes.len() as u64 > limits.max_archive_bytes {
        return Ok(too_large(bytes.len() as u64));
    }
    if let Some(pkg) = read_bytes(&bytes, &display, limits) {
        return Ok(pkg);
    }
    // Named like an archive but not one: a package that could not be read is a
    // finding (`package/unreadable`), so policy decides; anything else is the
    // user naming the wrong file.
    let lower = display.to_ascii_lowercase();
    if [".tgz", ".tar.gz", ".tar", ".zip", ".whl"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        let mut pkg = Package::empty(display);
        pkg.issues.push(ReadIssue::new(
            ReadIssueKind::Unreadable,
            None,
            "not a gzip, tar or zip archive (unrecognised content)",
        ));
        return Ok(pkg);
    }
    Err(Error::UnknownFormat(display))
}

/// Reads a package from archive bytes, sniffing the format: gzip (read as a
/// tarball), zip, or a ustar/GNU tar. `None` when the bytes are no archive
/// format palisade knows; a known format that is corrupt reads to a package
/// with a [`ReadIssueKind::Unreadable`] issue.
pub fn read_bytes(bytes: &[u8], origin: &str, limits: &Limits) -> Option<Package> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        Some(read_tgz(bytes, origin, limits))
    } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        Some(read_zip(bytes, origin, limits))
    } else if bytes.len() >= 262 && &bytes[257..262] == b"ustar" {
        Some(read_tar(bytes, origin, limits))
    } else {
        None
    }
}
