//! `palisade db import`: OSV records from a folder (walked recursively) or a
//! `.zip`, read in memory with limits.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::advisories::{Outcome, apply};
use crate::error::{Error, sql};
use crate::osv::Advisory;
use crate::store::Store;
use crate::time::now_unix;

/// Invalid files named in a summary; the rest are only counted.
const MAX_LISTED_INVALID: usize = 10;

/// Records written per transaction, so a long import does not hold the
/// write lock for minutes.
const BATCH: usize = 2_000;

/// Bounds on what an import reads.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportLimits {
    /// Most JSON files read (default 2 000 000).
    pub max_files: u64,
    /// Largest single JSON file, in bytes (default 16 MiB).
    pub max_file_bytes: u64,
    /// Most JSON bytes read in all (default 8 GiB).
    pub max_total_bytes: u64,
    /// Deepest folder nesting walked (default 32).
    pub max_depth: usize,
}

impl Default for ImportLimits {
    fn default() -> Self {
        Self {
            max_files: 2_000_000,
            max_file_bytes: 16 * 1024 * 1024,
            max_total_bytes: 8 * 1024 * 1024 * 1024,
            max_depth: 32,
        }
    }
}

impl ImportLimits {
    /// Sets the most files read.
    #[must_use]
    pub fn max_files(mut self, n: u64) -> Self {
        self.max_files = n;
        self
    }

    /// Sets the largest single file.
    #[must_use]
    pub fn max_file_bytes(mut self, n: u64) -> Self {
        self.max_file_bytes = n;
        self
    }

    /// Sets the most bytes read in all.
    #[must_use]
    pub fn max_total_bytes(mut self, n: u64) -> Self {
        self.max_total_bytes = n;
        self
    }
}

/// What an import did, record by record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ImportSummary {
    /// JSON files read.
    pub files: u64,
    /// npm malicious-package records new to the store.
    pub imported: u64,
    /// Records that replaced an older copy (a later `modified`).
    pub updated: u64,
    /// Records the store already had in this version or a newer one.
    pub unchanged: u64,
    /// Withdrawn records (ignored; kept as tombstones).
    pub withdrawn: u64,
    /// Of those, records that were in force and are now removed.
    pub removed: u64,
    /// Records without an npm package, by ecosystem.
    pub other_ecosystems: BTreeMap<String, u64>,
    /// Records that are not malicious-package records (vulnerabilities).
    pub not_malicious: u64,
    /// Files or records that could not be used.
    pub invalid: u64,
    /// The first few invalid files and why.
    pub invalid_files: Vec<InvalidFile>,
    /// Set when a limit stopped the import early.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
}

impl ImportSummary {
    /// Records skipped: other ecosystems and non-malicious records.
    pub fn skipped(&self) -> u64 {
        self.other_ecosystems.values().sum::<u64>() + self.not_malicious
    }

    fn invalid(&mut self, file: &str, reason: impl Into<String>) {
        self.invalid += 1;
        if self.invalid_files.len() < MAX_LISTED_INVALID {
            self.invalid_files.push(InvalidFile {
                file: file.to_owned(),
                reason: reason.into(),
            });
        }
    }
}

/// A file that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidFile {
    /// The file (relative to the folder, or the name inside the zip).
    pub file: String,
    /// Why.
    pub reason: String,
}

/// Feeds records into the store in batches.
struct Importer<'s> {
    store: &'s Store,
    source: String,
    pending: Vec<(String, Advisory)>,
    summary: ImportSummary,
    total_bytes: u64,
    limits: ImportLimits,
}

impl Importer<'_> {
    /// Whether another file of `len` bytes may be read; records why not.
    fn admit(&mut self, name: &str, len: u64) -> Admit {
        if self.summary.files >= self.limits.max_files {
            self.summary.stopped = Some(format!(
                "stopped after {} files (the limit)",
                self.limits.max_files
            ));
            return Admit::Stop;
        }
        if len > self.limits.max_file_bytes {
            self.summary.invalid(
                name,
                format!(
                    "larger than the limit of {} bytes",
                    self.limits.max_file_bytes
                ),
            );
            return Admit::Skip;
        }
        if self.total_bytes.saturating_add(len) > self.limits.max_total_bytes {
            self.summary.stopped = Some(format!(
                "stopped at `{name}`: more than {} bytes read in all (the limit)",
                self.limits.max_total_bytes
            ));
            return Admit::Stop;
        }
        Admit::Read
    }

    fn file(&mut self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        self.summary.files += 1;
        self.total_bytes = self.total_bytes.saturating_add(bytes.len() as u64);
        let value: Value = match serde_json::from_slice(bytes) {
            Ok(v) => v,
            Err(e) => {
                self.summary.invalid(name, format!("not JSON: {e}"));
                return Ok(());
            }
        };
        // One record per file in OSV's layouts; a list of records is accepted too.
        let records = match value {
            Value::Array(items) => items,
            other => vec![other],
        };
        for record in &records {
            match Advisory::from_json(record) {
                Ok(advisory) => self.pending.push((name.to_owned(), advisory)),
                Err(reason) => self.summary.invalid(name, reason),
            }
        }
        if self.pending.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Error> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let now = now_unix();
        let mut conn = self.store.conn();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sql("starting an import batch"))?;
        for (file, advisory) in self.pending.drain(..) {
            let source = format!("{}:{file}", self.source);
            match apply(&tx, &advisory, &source, now)? {
                Outcome::Imported => self.summary.imported += 1,
                Outcome::Updated => self.summary.updated += 1,
                Outcome::Unchanged => self.summary.unchanged += 1,
                Outcome::Withdrawn { removed } => {
                    self.summary.withdrawn += 1;
                    self.summary.removed += u64::from(removed);
                }
                Outcome::NotMalicious => self.summary.not_malicious += 1,
                Outcome::OtherEcosystems(ecosystems) => {
                    let key = if ecosystems.is_empty() {
                        "(no package)".to_owned()
                    } else {
                        ecosystems.join(", ")
                    };
                    *self.summary.other_ecosystems.entry(key).or_default() += 1;
                }
            }
        }
        tx.commit().map_err(sql("committing an import batch"))
    }
}

enum Admit {
    Read,
    Skip,
    Stop,
}

impl Store {
    /// Imports OSV records from `path`: a folder (walked recursively for
    /// `*.json`, links not followed, e.g. the OpenSSF `malicious-packages`
    /// layout `osv/malicious/npm/<name>/MAL-….json`), a `.zip` of JSON files,
    /// or one JSON file. Keeps npm malicious-package records; a withdrawn
    /// record removes the one in force; a record replaces an older copy when
    /// its `modified` time is later.
    ///
    /// # Errors
    /// [`Error::ImportInput`] for a path that is none of these,
    /// [`Error::ImportRead`] when it cannot be read, store errors.
    /// Bad records are counted in the summary, not errors.
    pub fn import_path(&self, path: &Path, limits: &ImportLimits) -> Result<ImportSummary, Error> {
        let meta = std::fs::metadata(path).map_err(|e| Error::ImportRead {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let mut importer = Importer {
            store: self,
            source: path.display().to_string(),
            pending: Vec::new(),
            summary: ImportSummary::default(),
            total_bytes: 0,
            limits: limits.clone(),
        };
        if meta.is_dir() {
            walk(&mut importer, path, path, 0)?;
        } else if is_zip(path)? {
            read_zip(&mut importer, path)?;
        } else if has_extension(path, "json") {
            let name = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            if let Admit::Read = importer.admit(&name, meta.len()) {
                let bytes = read_limited(path, limits.max_file_bytes)?;
                if bytes.len() as u64 > limits.max_file_bytes {
                    let limit = limits.max_file_bytes;
                    importer
                        .summary
                        .invalid(&name, format!("larger than the limit of {limit} bytes"));
                } else {
                    importer.file(&name, &bytes)?;
                }
            }
        } else {
            return Err(Error::ImportInput {
                path: path.to_path_buf(),
            });
        }
        importer.flush()?;
        let summary = importer.summary;
        let json = serde_json::to_string(&summary).map_err(|source| Error::Json {
            what: "an import summary",
            source,
        })?;
        self.conn()
            .execute(
                "INSERT INTO imports (source, finished_at, summary) VALUES (?1, ?2, ?3)",
                rusqlite::params![path.display().to_string(), now_unix(), json],
            )
            .map_err(sql("recording the import"))?;
        Ok(summary)
    }
}

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case(ext))
}

/// A `.zip` by name, or any file starting with the zip signature.
fn is_zip(path: &Path) -> Result<bool, Error> {
    if has_extension(path, "zip") {
        return Ok(true);
    }
    let mut magic = [0u8; 4];
    let n = File::open(path)
        .and_then(|mut f| f.read(&mut magic))
        .map_err(|e| Error::ImportRead {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    Ok(n == 4 && magic == *b"PK\x03\x04")
}

fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, Error> {
    let read_error = |e: std::io::Error| Error::ImportRead {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let mut bytes = Vec::new();
    File::open(path)
        .map_err(read_error)?
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    Ok(bytes)
}

/// Walks `dir` in name order, without following links.
fn walk(importer: &mut Importer<'_>, root: &Path, dir: &Path, depth: usize) -> Result<bool, Error> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::ImportRead {
            path: dir.to_path_buf(),
            reason: e.to_string(),
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            importer.summary.invalid(&rel, "cannot be read");
            continue;
        };
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if meta.is_dir() {
            if hidden {
                continue;
            }
            if depth + 1 > importer.limits.max_depth {
                importer
                    .summary
                    .invalid(&rel, "nested deeper than the folder depth limit");
                continue;
            }
            if !walk(importer, root, &path, depth + 1)? {
                return Ok(false);
            }
        } else if meta.is_file() && !hidden && has_extension(&path, "json") {
            match importer.admit(&rel, meta.len()) {
                Admit::Read => match read_limited(&path, importer.limits.max_file_bytes) {
                    Ok(bytes) if bytes.len() as u64 > importer.limits.max_file_bytes => {
                        let limit = importer.limits.max_file_bytes;
                        importer
                            .summary
                            .invalid(&rel, format!("larger than the limit of {limit} bytes"));
                    }
                    Ok(bytes) => importer.file(&rel, &bytes)?,
                    Err(e) => importer.summary.invalid(&rel, e.to_string()),
                },
                Admit::Skip => {}
                Admit::Stop => return Ok(false),
            }
        }
    }
    Ok(true)
}

fn read_zip(importer: &mut Importer<'_>, path: &Path) -> Result<(), Error> {
    let zip_error = |e: zip::result::ZipError| Error::ImportRead {
        path: path.to_path_buf(),
        reason: format!("not a readable zip archive: {e}"),
    };
    let file = File::open(path).map_err(|e| Error::ImportRead {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let mut archive = zip::ZipArchive::new(file).map_err(zip_error)?;
    for i in 0..archive.len() {
        let listed_name = archive
            .name_for_index(i)
            .map_or_else(|| format!("entry #{i}"), str::to_owned);
        let mut entry = match archive.by_index(i) {
            Ok(entry) => entry,
            Err(e) => {
                if listed_name.to_ascii_lowercase().ends_with(".json") {
                    importer
                        .summary
                        .invalid(&listed_name, format!("cannot be read: {e}"));
                }
                continue;
            }
        };
        let name = entry.name().to_owned();
        if entry.is_dir() || !name.to_ascii_lowercase().ends_with(".json") {
            continue;
        }
        match importer.admit(&name, entry.size()) {
            Admit::Read => {}
            Admit::Skip => continue,
            Admit::Stop => return Ok(()),
        }
        // The declared size may lie: read at most one byte past the limit.
        let mut bytes = Vec::new();
        let limit = importer.limits.max_file_bytes;
        match (&mut entry)
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
        {
            Ok(_) if bytes.len() as u64 > limit => {
                importer
                    .summary
                    .invalid(&name, format!("larger than the limit of {limit} bytes"));
            }
            Ok(_) => importer.file(&name, &bytes)?,
            Err(e) => importer
                .summary
                .invalid(&name, format!("cannot be read: {e}")),
        }
    }
    Ok(())
}
