use std::fmt;

use crate::{LimitKind, Manifest, PythonMeta};

/// One file of a package, in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFile {
    /// Path relative to the package root, `/`-separated, normalised.
    pub path: String,
    pub data: Vec<u8>,
    /// The archive or file system marked it executable.
    pub executable: bool,
}

impl PackageFile {
    /// The file's extension, lower-cased, without the dot.
    pub fn extension(&self) -> Option<String> {
        let name = self.path.rsplit('/').next().unwrap_or(&self.path);
        name.rsplit_once('.')
            .filter(|(stem, _)| !stem.is_empty())
            .map(|(_, ext)| ext.to_ascii_lowercase())
    }
}

/// What went wrong while reading; each becomes a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadIssueKind {
    /// A limit was hit; the rest of the package may be incomplete.
    LimitExceeded(LimitKind),
    /// An entry tried to leave the package root (`..`, absolute path).
    PathTraversal,
    /// A symbolic or hard link: listed, never followed.
    Link,
    /// A device, fifo or other special entry.
    SpecialFile,
    /// The archive or a part of it could not be decoded: corrupt,
    /// truncated, empty, or an entry whose size differs from its header.
    Unreadable,
    /// An entry name that is not UTF-8 or holds control characters; the file
    /// is kept under a lossy name.
    InvalidName,
    /// Two entries with one path and different contents; the last is kept,
    /// as extraction would.
    /// Tools that keep the first would see another file (for example another
    /// `package.json`).
    DuplicateEntry,
}

impl ReadIssueKind {
    /// A stable kebab-case name, for messages and JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            ReadIssueKind::LimitExceeded(_) => "limit-exceeded",
            ReadIssueKind::PathTraversal => "path-traversal",
            ReadIssueKind::Link => "link",
            ReadIssueKind::SpecialFile => "special-file",
            ReadIssueKind::Unreadable => "unreadable",
            ReadIssueKind::InvalidName => "invalid-name",
            ReadIssueKind::DuplicateEntry => "duplicate-entry",
        }
    }
}

impl fmt::Display for ReadIssueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadIssueKind::LimitExceeded(limit) => write!(f, "limit-exceeded ({limit})"),
            other => f.write_str(other.as_str()),
        }
    }
}

/// A problem met while reading a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadIssue {
    pub kind: ReadIssueKind,
    /// The entry concerned, as written in the archive.
    pub path: Option<String>,
    pub detail: String,
}

impl fmt::Display for ReadIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "{}: `{path}`: {}", self.kind, self.detail),
            None => write!(f, "{}: {}", self.kind, self.detail),
        }
    }
}

impl ReadIssue {
    /// Whether this issue is `limit` being exceeded.
    pub fn is_limit(&self, limit: LimitKind) -> bool {
        self.kind == ReadIssueKind::LimitExceeded(limit)
    }

    pub fn limit(kind: LimitKind, path: Option<String>, detail: impl Into<String>) -> Self {
        Self {
            kind: ReadIssueKind::LimitExceeded(kind),
            path,
            detail: detail.into(),
        }
    }

    pub fn new(kind: ReadIssueKind, path: Option<String>, detail: impl Into<String>) -> Self {
        Self {
            kind,
            path,
            detail: detail.into(),
        }
    }
}

/// A package read into memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Package {
    /// Where it came from: a path, a spec.
    pub origin: String,
    /// Files, sorted by path.
    pub files: Vec<PackageFile>,
    /// `package.json` at the root, parsed; `None` when absent or invalid.
    pub manifest: Option<Manifest>,
    /// Why `package.json` could not be parsed, when it exists but is invalid.
    pub manifest_error: Option<String>,
    pub issues: Vec<ReadIssue>,
    /// Python metadata when the root holds a wheel's `*.dist-info`,
    /// `PKG-INFO`, `pyproject.toml`, `setup.cfg` or `setup.py`.
    pub python: Option<PythonMeta>,
    /// Sum of unpacked sizes of the files kept.
    pub unpacked_bytes: u64,
}

impl Package {
    pub fn empty(origin: impl Into<String>) -> Self {
        Self {
            origin: origin.into(),
            ..Self::default()
        }
    }

    /// Builds a package from in-memory files (tests, fixtures, other readers).
    pub fn from_files(origin: impl Into<String>, files: Vec<PackageFile>) -> Self {
        let mut pkg = Self::empty(origin);
        pkg.files = files;
        pkg.finish();
        pkg
    }

    /// Sorts files, sums sizes, parses the root manifest and reads Python
    /// metadata.
    pub fn finish(&mut self) {
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        self.unpacked_bytes = self.files.iter().map(|f| f.data.len() as u64).sum();
        if let Some(file) = self.file("package.json") {
            match Manifest::parse(&file.data) {
                Ok(m) => self.manifest = Some(m),
                Err(e) => self.manifest_error = Some(e),
            }
        }
        self.python = PythonMeta::read(&self.files);
    }

    /// Whether this is a Python package (and not an npm one).
    pub fn is_python(&self) -> bool {
        self.manifest.is_none() && self.python.is_some()
    }

    /// Whether reading met an issue of this kind.
    pub fn has_issue(&self, kind: &ReadIssueKind) -> bool {
        self.issues.iter().any(|i| &i.kind == kind)
    }

    /// Whether reading hit `limit`.
    pub fn hit_limit(&self, limit: LimitKind) -> bool {
        self.issues.iter().any(|i| i.is_limit(limit))
    }

    pub fn file(&self, path: &str) -> Option<&PackageFile> {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.files[i])
    }

    /// `name` from the manifest (or the Python metadata), or `None`.
    pub fn name(&self) -> Option<&str> {
        self.manifest
            .as_ref()
            .and_then(Manifest::name)
            .or_else(|| self.python.as_ref().and_then(|p| p.name.as_deref()))
    }

    /// `version` from the manifest (or the Python metadata), or `None`.
    pub fn version(&self) -> Option<&str> {
        self.manifest
            .as_ref()
            .and_then(Manifest::version)
            .or_else(|| self.python.as_ref().and_then(|p| p.version.as_deref()))
    }
}
