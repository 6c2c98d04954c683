//! The registry's disk cache: tarballs content-addressed by integrity,
//! packuments with their `ETag`/`Last-Modified` for revalidation.
//!
//! Layout under the cache folder:
//!
//! ```text
//! tarballs/<algorithm>/<hex[..2]>/<hex>.tgz     hex of the strongest digest
//! packuments/<hex[..2]>/<hex>.json              hex = sha256(URL, Accept)
//! ```
//!
//! A packument file is one line of metadata (JSON: URL, validators, time),
//! a newline, then the body as the registry sent it. Every file is written
//! to a temporary name in the same folder and renamed into place, so a
//! reader never sees half a file and concurrent writers do not corrupt each
//! other. Tarballs are verified against their integrity on every read; a
//! file that does not verify is deleted and counts as missing. Writing to
//! the cache is best-effort: a full disk never fails a scan.

use std::collections::HashSet;
use std::fs;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use crate::integrity::Integrity;

/// Tarball and packument cache in a folder; see the module documentation.
#[derive(Debug)]
pub struct Cache {
    root: PathBuf,
    offline: bool,
    /// Packument files revalidated (or written) by this process: read again
    /// without asking the registry.
    fresh: Mutex<HashSet<PathBuf>>,
    stats: Counters,
}

#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    not_modified: AtomicU64,
    packuments_cached: AtomicU64,
    tarballs_cached: AtomicU64,
    tarballs_downloaded: AtomicU64,
}

/// What the cache saved, for summaries and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheStats {
    /// HTTP requests sent to the registry by clients using this cache.
    pub requests: u64,
    /// Packument revalidations answered `304 Not Modified`.
    pub not_modified: u64,
    /// Packuments served from the cache without a request (offline, or
    /// already revalidated in this run).
    pub packuments_cached: u64,
    /// Tarballs served from the cache.
    pub tarballs_cached: u64,
    /// Tarballs downloaded.
    pub tarballs_downloaded: u64,
}

/// A packument as cached: the body and the validators to revalidate it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CachedPackument {
    pub(crate) etag: Option<String>,
    pub(crate) last_modified: Option<String>,
    pub(crate) body: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct PackumentMeta {
    url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_modified: Option<String>,
    len: u64,
}

impl Cache {
    /// A cache in `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            offline: false,
            fresh: Mutex::new(HashSet::new()),
            stats: Counters::default(),
        }
    }

    /// Offline mode: clients answer from the cache only and never send a
    /// request; what is not cached is an [`Error::Offline`](crate::Error::Offline).
    #[must_use]
    pub fn offline(mut self, offline: bool) -> Self {
        self.offline = offline;
        self
    }

    /// Whether the cache is in offline mode.
    pub fn is_offline(&self) -> bool {
        self.offline
    }

    /// The cache folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Counters since this cache was made.
    pub fn stats(&self) -> CacheStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        CacheStats {
            requests: get(&self.stats.requests),
            not_modified: get(&self.stats.not_modified),
            packuments_cached: get(&self.stats.packuments_cached),
            tarballs_cached: get(&self.stats.tarballs_cached),
            tarballs_downloaded: get(&self.stats.tarballs_downloaded),
        }
    }

    pub(crate) fn count_request(&self) {
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_not_modified(&self) {
        self.stats.not_modified.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_packument_cached(&self) {
        self.stats.packuments_cached.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_tarball_downloaded(&self) {
        self.stats
            .tarballs_downloaded
            .fetch_add(1, Ordering::Relaxed);
    }

    /// Where the tarball with this integrity is (or would be) stored.
    pub fn tarball_path(&self, integrity: &Integrity) -> PathBuf {
        let (algorithm, digest) = integrity.strongest_digest();
        let hex = hex::encode(digest);
        self.root
            .join("tarballs")
            .join(algorithm.name())
            .join(hex.get(..2).unwrap_or("00"))
            .join(format!("{hex}.tgz"))
    }

    /// The cached tarball with this integrity, verified; at most `limit`
    /// bytes. A file that does not verify is removed.
    pub fn read_tarball(&self, integrity: &Integrity, limit: u64) -> Option<Vec<u8>> {
        let path = self.tarball_path(integrity);
        let bytes = read_bounded(&path, limit)?;
        if integrity.verify(&bytes).is_err() {
            let _ignored = fs::remove_file(&path);
            return None;
        }
        self.stats.tarballs_cached.fetch_add(1, Ordering::Relaxed);
        Some(bytes)
    }

    /// Stores verified tarball bytes under their integrity. Best-effort.
    pub fn write_tarball(&self, integrity: &Integrity, bytes: &[u8]) {
        let path = self.tarball_path(integrity);
        if !path.is_file() {
            let _ignored = write_atomic(&path, &[bytes]);
        }
    }

    fn packument_path(&self, url: &str, accept: &str) -> PathBuf {
        let mut hasher = sha2::Sha256::new();
        hasher.update(url.as_bytes());
        hasher.update([0]);
        hasher.update(accept.as_bytes());
        let hex = hex::encode(hasher.finalize());
        self.root
            .join("packuments")
            .join(hex.get(..2).unwrap_or("00"))
            .join(format!("{hex}.json"))
    }

    /// The cached packument for `url` fetched with `accept`, and whether this
    /// process already revalidated it.
    pub(crate) fn read_packument(
        &self,
        url: &str,
        accept: &str,
        limit: u64,
    ) -> Option<(CachedPackument, bool)> {
        let path = self.packument_path(url, accept);
        // Metadata line plus body.
        let bytes = read_bounded(&path, limit.saturating_add(64 * 1024))?;
        let newline = bytes.iter().position(|b| *b == b'\n')?;
        let meta: PackumentMeta = serde_json::from_slice(&bytes[..newline]).ok()?;
        let body = bytes[newline + 1..].to_vec();
        if meta.url != url || meta.len != body.len() as u64 {
            return None;
        }
        let fresh = self
            .fresh
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(&path);
        Some((
            CachedPackument {
                etag: meta.etag,
                last_modified: meta.last_modified,
                body,
            },
            fresh,
        ))
    }

    /// Stores a packument body with its validators; marks it fresh for
    /// this process. Best-effort.
    pub(crate) fn write_packument(&self, url: &str, accept: &str, packument: &CachedPackument) {
        let path = self.packument_path(url, accept);
        let meta = PackumentMeta {
            url: url.to_owned(),
            etag: packument.etag.clone(),
            last_modified: packument.last_modified.clone(),
            len: packument.body.len() as u64,
        };
        let Ok(mut line) = serde_json::to_vec(&meta) else {
            return;
        };
        line.push(b'\n');
        if write_atomic(&path, &[&line, &packument.body]).is_ok() {
            self.mark_fresh(url, accept);
        }
    }

    /// Records that the packument for `url` was revalidated in this process.
    pub(crate) fn mark_fresh(&self, url: &str, accept: &str) {
        let path = self.packument_path(url, accept);
        self.fresh
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(path);
    }
}

/// Reads `path` if it exists and is at most `limit` bytes.
fn read_bounded(path: &Path, limit: u64) -> Option<Vec<u8>> {
    let file = fs::File::open(path).ok()?;
    if file.metadata().ok()?.len() > limit {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .ok()?;
    (bytes.len() as u64 <= limit).then_some(bytes)
}

/// Writes `parts` to a temporary file next to `path`, then renames it into place.
fn write_atomic(path: &Path, parts: &[&[u8]]) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        for part in parts {
            file.write_all(part)?;
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ignored = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use base64::Engine as _;

    use super::*;

    fn integrity_of(bytes: &[u8]) -> Integrity {
        let digest = sha2::Sha512::digest(bytes);
        Integrity::parse(&format!(
            "sha512-{}",
            base64::engine::general_purpose::STANDARD.encode(digest)
        ))
        .unwrap()
    }

    #[test]
    fn tarballs_are_content_addressed_and_verified() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let integrity = integrity_of(b"tarball bytes");
        assert_eq!(cache.read_tarball(&integrity, 1024), None);
        cache.write_tarball(&integrity, b"tarball bytes");
        let path = cache.tarball_path(&integrity);
        assert!(path.starts_with(dir.path().join("tarballs/sha512")));
        assert_eq!(
            cache.read_tarball(&integrity, 1024).as_deref(),
            Some(&b"tarball bytes"[..])
        );
        assert_eq!(cache.stats().tarballs_cached, 1);
        // Over the limit: not read.
        assert_eq!(cache.read_tarball(&integrity, 4), None);
        // Tampered on disk: removed, a miss.
        fs::write(&path, b"tampered bytes").unwrap();
        assert_eq!(cache.read_tarball(&integrity, 1024), None);
        assert!(!path.exists());
        // No temporary files left behind.
        let leftovers: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn packuments_keep_their_validators() {
        let dir = tempfile::tempdir().unwrap();
        let url = "http://127.0.0.1:1/demo";
        let cache = Cache::new(dir.path());
        assert_eq!(cache.read_packument(url, "json", 1024), None);
        let packument = CachedPackument {
            etag: Some("\"abc\"".into()),
            last_modified: Some("Tue, 24 Nov 2026 07:00:00 GMT".into()),
            body: b"{\"name\":\"demo\"}\n{with a newline}".to_vec(),
        };
        cache.write_packument(url, "json", &packument);
        assert_eq!(
            cache.read_packument(url, "json", 1024),
            Some((packument.clone(), true))
        );
        // Another Accept is another entry; another process starts not fresh.
        assert_eq!(cache.read_packument(url, "corgi", 1024), None);
        let other = Cache::new(dir.path());
        assert_eq!(
            other.read_packument(url, "json", 1024),
            Some((packument, false))
        );
        // A truncated file is a miss.
        let path = cache.packument_path(url, "json");
        let mut bytes = fs::read(&path).unwrap();
        bytes.truncate(bytes.len() - 3);
        fs::write(&path, bytes).unwrap();
        assert_eq!(other.read_packument(url, "json", 1024), None);
    }
}
