//! The part every reader shares: path normalisation, limits, the unpacked-byte
//! budget of an archive stream, package-root detection and de-duplication.

use std::cell::Cell;
use std::io::{self, Read};

use crate::{LimitKind, Limits, Package, PackageFile, ReadIssue, ReadIssueKind};

/// Issues kept per package; limit and unreadable issues of a kind not seen
/// yet are always kept, so the reason a read stopped is never lost.
const MAX_ISSUES: usize = 200;

/// Components an archive path may have before the package root is known:
/// the depth limit plus room for `name-1.0.0/package/`.
const ROOT_PREFIX_SLACK: usize = 2;

/// Where the files come from; only archives have a root prefix to strip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Archive,
    Dir,
}

/// Counts the bytes an archive unpacks to (entry data and headers, kept or
/// skipped) and fails the stream as soon as the total or the compression
/// ratio limit is crossed, so a bomb is stopped early with bounded memory.
pub(crate) struct Budget {
    unpacked: Cell<u64>,
    total_cap: u64,
    ratio_cap: u64,
    compressed: u64,
    ratio: u64,
    tripped: Cell<Option<LimitKind>>,
}

impl Budget {
    /// `compressed` is the archive's compressed size, `None` when the stream
    /// is not compressed (a plain tar).
    pub(crate) fn new(limits: &Limits, compressed: Option<u64>) -> Self {
        let ratio_cap = compressed.map_or(u64::MAX, |c| {
            limits
                .max_compression_ratio
                .saturating_mul(c)
                .max(Limits::RATIO_FLOOR_BYTES)
        });
        Self {
            unpacked: Cell::new(0),
            total_cap: limits.max_total_bytes,
            ratio_cap,
            compressed: compressed.unwrap_or(0),
            ratio: limits.max_compression_ratio,
            tripped: Cell::new(None),
        }
    }

    fn consume(&self, n: usize) -> io::Result<()> {
        let unpacked = self.unpacked.get().saturating_add(n as u64);
        self.unpacked.set(unpacked);
        if unpacked <= self.ratio_cap.min(self.total_cap) {
            return Ok(());
        }
        let kind = if self.ratio_cap <= self.total_cap {
            LimitKind::CompressionRatio
        } else {
            LimitKind::TotalBytes
        };
        self.tripped.set(Some(kind));
        Err(limit_error(kind))
    }

    /// The limit that stopped the stream, if any.
    pub(crate) fn tripped(&self) -> Option<LimitKind> {
        self.tripped.get()
    }

    /// The issue explaining why the stream stopped.
    pub(crate) fn issue(&self, kind: LimitKind) -> ReadIssue {
        let detail = match kind {
            LimitKind::CompressionRatio => format!(
                "archive of {} bytes unpacks to more than {} bytes (over {}x); reading stopped",
                self.compressed, self.ratio_cap, self.ratio
            ),
            _ => format!(
                "archive unpacks to more than {} bytes; reading stopped",
                self.total_cap
            ),
        };
        ReadIssue::limit(kind, None, detail)
    }

    /// Wraps a reader so that every byte it yields is counted.
    pub(crate) fn guard<R: Read>(&self, inner: R) -> Guarded<'_, R> {
        Guarded {
            inner,
            budget: self,
        }
    }
}

fn limit_error(kind: LimitKind) -> io::Error {
    io::Error::other(format!("`{kind}` limit reached"))
}

/// A reader whose output is counted against a [`Budget`].
pub(crate) struct Guarded<'b, R> {
    inner: R,
    budget: &'b Budget,
}

impl<R: Read> Read for Guarded<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(kind) = self.budget.tripped() {
            return Err(limit_error(kind));
        }
        let n = self.inner.read(buf)?;
        self.budget.consume(n)?;
        Ok(n)
    }
}

/// Collects entries under the limits, then decides the package root.
pub(crate) struct Collector<'a> {
    limits: &'a Limits,
    source: Source,
    pkg: Package,
    total: u64,
    stopped: bool,
}

impl<'a> Collector<'a> {
    pub(crate) fn new(origin: &str, limits: &'a Limits, source: Source) -> Self {
        Self {
            limits,
            source,
            pkg: Package::empty(origin),
            total: 0,
            stopped: false,
        }
    }

    /// A limit was hit or the input broke: read no further entries.
    pub(crate) fn stopped(&self) -> bool {
        self.stopped
    }

    pub(crate) fn stop(&mut self) {
        self.stopped = true;
    }

    pub(crate) fn issue(&mut self, issue: ReadIssue) {
        let always = matches!(
            issue.kind,
            ReadIssueKind::LimitExceeded(_) | ReadIssueKind::Unreadable
        ) && !self.pkg.issues.iter().any(|i| i.kind == issue.kind);
        if always || self.pkg.issues.len() < MAX_ISSUES {
            self.pkg.issues.push(issue);
        }
    }

    /// Records why a stream failed: the budget's limit when it tripped,
    /// otherwise a corrupt or truncated archive. Stops reading.
    pub(crate) fn stream_error(&mut self, budget: &Budget, err: &io::Error, path: Option<String>) {
        match budget.tripped() {
            Some(kind) => self.issue(budget.issue(kind)),
            None => self.issue(ReadIssue::new(
                ReadIssueKind::Unreadable,
                path,
                format!("archive is truncated or corrupt: {err}"),
            )),
        }
        self.stopped = true;
    }

    /// Turns raw name bytes into a string; records an issue when they are
    /// not UTF-8 or hold control characters (which could spoof output).
    pub(crate) fn name(&mut self, raw: &[u8]) -> String {
        match std::str::from_utf8(raw) {
            Ok(s) if !s.chars().any(char::is_control) => s.to_owned(),
            Ok(s) => {
                let name = s.to_owned();
                self.issue(ReadIssue::new(
                    ReadIssueKind::InvalidName,
                    Some(name.escape_debug().to_string()),
                    "entry name holds control characters",
                ));
                name
            }
            Err(_) => {
                let name = String::from_utf8_lossy(raw).into_owned();
                self.issue(ReadIssue::new(
                    ReadIssueKind::InvalidName,
                    Some(name.clone()),
                    "entry name is not valid UTF-8; read with replacement characters",
                ));
                name
            }
        }
    }

    /// Normalises an entry path; `None` (with an issue) when it escapes the
    /// root or is far too deep.
    pub(crate) fn normalise(&mut self, raw: &str) -> Option<String> {
        let bytes = raw.as_bytes();
        let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
        if raw.starts_with(['/', '\\']) || drive {
            self.issue(ReadIssue::new(
                ReadIssueKind::PathTraversal,
                Some(raw.to_owned()),
                "absolute path in archive; entry skipped",
            ));
            return None;
        }
        let mut parts: Vec<&str> = Vec::new();
        for part in raw.split(['/', '\\']) {
            match part {
                "" | "." => {}
                ".." => {
                    self.issue(ReadIssue::new(
                        ReadIssueKind::PathTraversal,
                        Some(raw.to_owned()),
                        "entry path leaves the package root; entry skipped",
                    ));
                    return None;
                }
                p => parts.push(p),
            }
        }
        if parts.is_empty() {
            return None;
        }
        let slack = match self.source {
            Source::Archive => ROOT_PREFIX_SLACK,
            Source::Dir => 0,
        };
        if parts.len() > self.limits.max_path_depth.saturating_add(slack) {
            self.depth_issue(raw, parts.len());
            return None;
        }
        Some(parts.join("/"))
    }

    fn depth_issue(&mut self, path: &str, depth: usize) {
        self.issue(ReadIssue::limit(
            LimitKind::PathDepth,
            Some(path.to_owned()),
            format!(
                "path is {depth} levels deep, over the limit of {}; not read",
                self.limits.max_path_depth
            ),
        ));
    }

    /// Whether another file may be added; records the limit issue once.
    pub(crate) fn admit(&mut self) -> bool {
        if self.stopped {
            return false;
        }
        if self.pkg.files.len() >= self.limits.max_files {
            self.stopped = true;
            self.issue(ReadIssue::limit(
                LimitKind::Files,
                None,
                format!(
                    "more than {} files; the rest were not read",
                    self.limits.max_files
                ),
            ));
            return false;
        }
        true
    }

    /// Reads one entry whose header declares `declared` bytes, under the
    /// per-file and total limits, with one allocation. An entry shorter or
    /// longer than declared is kept (cut at `declared`) with an issue. An
    /// `Err` means the underlying stream failed.
    pub(crate) fn add(
        &mut self,
        path: String,
        declared: u64,
        executable: bool,
        reader: &mut dyn Read,
    ) -> io::Result<()> {
        if declared > self.limits.max_file_bytes {
            self.issue(ReadIssue::limit(
                LimitKind::FileBytes,
                Some(path),
                format!(
                    "file is {declared} bytes, over the limit of {}; not read",
                    self.limits.max_file_bytes
                ),
            ));
            return Ok(());
        }
        if declared > self.limits.max_total_bytes.saturating_sub(self.total) {
            self.stopped = true;
            self.issue(ReadIssue::limit(
                LimitKind::TotalBytes,
                Some(path),
                format!(
                    "package unpacks to more than {} bytes; the rest were not read",
                    self.limits.max_total_bytes
                ),
            ));
            return Ok(());
        }
        // `declared` is within both limits, so it fits in memory.
        let mut data = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
        reader.take(declared).read_to_end(&mut data)?;
        if (data.len() as u64) < declared {
            self.issue(ReadIssue::new(
                ReadIssueKind::Unreadable,
                Some(path.clone()),
                format!(
                    "entry is truncated: its header declares {declared} bytes, {} found",
                    data.len()
                ),
            ));
        } else {
            let mut probe = [0u8; 1];
            if reader.read(&mut probe)? > 0 {
                self.issue(ReadIssue::new(
                    ReadIssueKind::Unreadable,
                    Some(path.clone()),
                    format!(
                        "entry holds more than the {declared} bytes its header declares; \
                         the rest was not read"
                    ),
                ));
            }
        }
        self.total += data.len() as u64;
        self.pkg.files.push(PackageFile {
            path,
            data,
            executable,
        });
        Ok(())
    }

    /// Strips the package root prefix of archives (`package/`,
    /// `name-1.0.0/package/`, any single folder holding `package.json`),
    /// applies the depth limit below the root, keeps the last of duplicate
    /// entries (as extraction would) and finishes the package.
    pub(crate) fn finish(mut self) -> Package {
        let had_entries = !self.pkg.files.is_empty() || !self.pkg.issues.is_empty();
        let mut prefix = String::new();
        if self.source == Source::Archive
            && let Some(root) = package_root(&self.pkg.files).filter(|r| !r.is_empty())
        {
            prefix = format!("{root}/");
            for f in &mut self.pkg.files {
                if let Some(rest) = f.path.strip_prefix(&prefix) {
                    f.path = rest.to_owned();
                }
            }
        }
        let max_depth = self.limits.max_path_depth;
        let mut too_deep = Vec::new();
        self.pkg.files.retain(|f| {
            let depth = f.path.split('/').count();
            let keep = depth <= max_depth;
            if !keep {
                // Issues name entries as the archive does.
                too_deep.push((format!("{prefix}{}", f.path), depth));
            }
            keep
        });
        for (path, depth) in too_deep {
            self.depth_issue(&path, depth);
        }
        self.dedup();
        if self.source == Source::Archive && !had_entries {
            self.issue(ReadIssue::new(
                ReadIssueKind::Unreadable,
                None,
                "archive holds no files",
            ));
        }
        self.pkg.finish();
        self.pkg
    }

    /// Two entries with one path: keep the last; report when their contents
    /// differ (identical copies happen in benign tarballs).
    fn dedup(&mut self) {
        // A stable sort keeps archive order within one path.
        self.pkg.files.sort_by(|a, b| a.path.cmp(&b.path));
        let mut dups = Vec::new();
        self.pkg.files.dedup_by(|later, kept| {
            if later.path != kept.path {
                return false;
            }
            if later.data != kept.data || later.executable != kept.executable {
                dups.push(kept.path.clone());
            }
            std::mem::swap(later, kept);
            true
        });
        dups.dedup();
        for path in dups {
            self.issue(ReadIssue::new(
                ReadIssueKind::DuplicateEntry,
                Some(path),
                "entry appears more than once with different contents; the last copy is kept, as extraction would",
            ));
        }
    }
}

/// The folder holding the shallowest `package.json` (`""` for the top); with
/// no `package.json`, the single folder every file is under, if any.
fn package_root(files: &[PackageFile]) -> Option<String> {
    let manifest_dir = files
        .iter()
        .filter_map(|f| {
            let dir = f.path.strip_suffix("package.json")?;
            if !(dir.is_empty() || dir.ends_with('/')) {
                return None;
            }
            Some(dir.trim_end_matches('/'))
        })
        .min_by_key(|d| (d.split('/').count() - usize::from(d.is_empty()), *d));
    // A Python package's root (`PKG-INFO`, `setup.py`, a wheel's
    // `*.dist-info`) wins only when it is shallower than any `package.json`:
    // npm tarballs read as before, and an sdist that bundles a web front end
    // keeps its own root.
    let depth = |d: &str| d.split('/').count() - usize::from(d.is_empty());
    let python_dir = files
        .iter()
        .filter_map(|f| crate::python::marker_root(&f.path))
        .min_by_key(|d| (depth(d), *d));
    if let Some(py) = python_dir
        && manifest_dir.is_none_or(|m| depth(py) < depth(m))
    {
        return Some(py.to_owned());
    }
    if let Some(dir) = manifest_dir {
        return Some(dir.to_owned());
    }
    // No manifest: npm strips the first component of every entry, so a
    // single top folder (whatever its name) is the root.
    let (first, _) = files.first()?.path.split_once('/')?;
    files
        .iter()
        .all(|f| {
            f.path
                .strip_prefix(first)
                .and_then(|rest| rest.strip_prefix('/'))
                .is_some_and(|rest| !rest.is_empty())
        })
        .then(|| first.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> PackageFile {
        PackageFile {
            path: path.to_owned(),
            data: Vec::new(),
            executable: false,
        }
    }

    fn root(paths: &[&str]) -> Option<String> {
        let files: Vec<_> = paths.iter().map(|p| file(p)).collect();
        package_root(&files)
    }

    #[test]
    fn root_detection() {
        assert_eq!(
            root(&["package/package.json", "package/a.js"]).as_deref(),
            Some("package")
        );
        assert_eq!(
            root(&[
                "x-1.0.0/package/package.json",
                "x-1.0.0/package/node_modules/y/package.json"
            ])
            .as_deref(),
            Some("x-1.0.0/package")
        );
        assert_eq!(
            root(&["package.json", "package/package.json"]).as_deref(),
            Some("")
        );
        assert_eq!(
            root(&["b/package.json", "a/package.json"]).as_deref(),
            Some("a")
        );
        assert_eq!(
            root(&["package/a.js", "package/b.js"]).as_deref(),
            Some("package")
        );
        assert_eq!(root(&["lib/a.js"]).as_deref(), Some("lib"));
        assert_eq!(
            root(&["x-1.2.3/a.js", "x-1.2.3/b/c.js"]).as_deref(),
            Some("x-1.2.3")
        );
        assert_eq!(root(&["x/a.js", "xy/b.js"]), None);
        assert_eq!(root(&["x/a.js", "b.js"]), None);
        assert_eq!(root(&["a.js"]), None);
        assert_eq!(root(&["notpackage.json"]), None);
        assert_eq!(root(&[]), None);
        // Python: an sdist's top folder, a wheel's top level.
        assert_eq!(
            root(&[
                "x-1.0/PKG-INFO",
                "x-1.0/x/__init__.py",
                "x-1.0/web/package.json"
            ])
            .as_deref(),
            Some("x-1.0")
        );
        assert_eq!(
            root(&["x-1.0.dist-info/METADATA", "x-1.0.dist-info/RECORD"]).as_deref(),
            Some("")
        );
        assert_eq!(
            root(&["package/package.json", "package/setup.py"]).as_deref(),
            Some("package")
        );
    }

    #[test]
    fn normalise_rejects_escapes() {
        let limits = Limits::default();
        let mut c = Collector::new("t", &limits, Source::Archive);
        assert_eq!(
            c.normalise("package/./a//b.js").as_deref(),
            Some("package/a/b.js")
        );
        assert_eq!(c.normalise("a\\b.js").as_deref(), Some("a/b.js"));
        for bad in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            "\\x",
            "C:\\x",
            "c:x",
            "a/..",
        ] {
            assert_eq!(c.normalise(bad), None, "{bad}");
        }
        assert_eq!(c.normalise("./"), None);
        assert!(
            c.pkg
                .issues
                .iter()
                .all(|i| i.kind == ReadIssueKind::PathTraversal)
        );
        assert_eq!(c.pkg.issues.len(), 7);
    }

    #[test]
    fn budget_trips_on_ratio_before_total() {
        let limits = Limits::default();
        let budget = Budget::new(&limits, Some(1024));
        let mut r = budget.guard(io::repeat(0).take(u64::MAX));
        let err = io::copy(&mut r, &mut io::sink()).err();
        assert!(err.is_some());
        assert_eq!(budget.tripped(), Some(LimitKind::CompressionRatio));
        assert!(budget.unpacked.get() <= Limits::RATIO_FLOOR_BYTES + 64 * 1024);
    }

    #[test]
    fn budget_trips_on_total_when_uncompressed() {
        let limits = Limits {
            max_total_bytes: 1000,
            ..Limits::default()
        };
        let budget = Budget::new(&limits, None);
        let mut r = budget.guard(io::repeat(0).take(5000));
        assert!(io::copy(&mut r, &mut io::sink()).is_err());
        assert_eq!(budget.tripped(), Some(LimitKind::TotalBytes));
    }

    #[test]
    fn issues_are_capped_but_limits_kept() {
        let limits = Limits::default();
        let mut c = Collector::new("t", &limits, Source::Archive);
        for i in 0..(MAX_ISSUES + 50) {
            c.issue(ReadIssue::new(
                ReadIssueKind::Link,
                Some(i.to_string()),
                "x",
            ));
        }
        c.issue(ReadIssue::limit(LimitKind::Files, None, "x"));
        c.issue(ReadIssue::limit(LimitKind::Files, None, "again"));
        assert_eq!(c.pkg.issues.len(), MAX_ISSUES + 1);
        assert_eq!(
            c.pkg.issues.last().map(|i| &i.kind),
            Some(&ReadIssueKind::LimitExceeded(LimitKind::Files))
        );
    }
}
