//! Opening the database and what `palisade db status` reports.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension as _};

use crate::error::{Error, sql};
use crate::import::ImportSummary;
use crate::schema;

/// How long a statement waits for another process's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The palisade store: one SQLite file. Cheap to share between threads (one
/// connection behind a mutex; every operation is short).
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
}

/// What `palisade db status` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Status {
    /// The database file.
    pub path: PathBuf,
    /// Its schema version.
    pub schema_version: i64,
    /// Advisories in force (not withdrawn).
    pub advisories: u64,
    /// Withdrawn advisories kept as tombstones (they match nothing).
    pub withdrawn: u64,
    /// Distinct npm package names named by advisories in force.
    pub packages: u64,
    /// Cached verdicts, all engine versions.
    pub verdicts: u64,
    /// Pinned MCP servers.
    pub pinned_servers: u64,
    /// Pinned MCP tools.
    pub pinned_tools: u64,
    /// The last import, if any.
    pub last_import: Option<ImportRecord>,
}

/// One finished import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    /// What was imported (the path given).
    pub source: String,
    /// When it finished, seconds since the epoch.
    pub finished_at: i64,
    /// Its counts.
    pub summary: ImportSummary,
}

/// WAL journaling, settings, and the schema migrated to this build's version.
fn prepare(conn: &mut Connection, path: &Path) -> Result<(), Error> {
    let open_error = |source| Error::Open {
        path: path.to_path_buf(),
        source,
    };
    // WAL lets readers go on while one process writes. Reading the mode reads
    // the file, so a file that is not a database fails here.
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .map_err(open_error)?;
    if !mode.eq_ignore_ascii_case("wal") {
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
            .map_err(open_error)?;
    }
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
        .map_err(open_error)?;
    schema::migrate(conn, path)
}

/// Whether an error is SQLite's "database is busy / locked".
fn is_busy(error: &Error) -> bool {
    let source = match error {
        Error::Open { source, .. } | Error::Sqlite { source, .. } => source,
        _ => return false,
    };
    matches!(
        source.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

impl Store {
    /// Opens the store at `path`, creating the file (and its folder) if needed,
    /// and migrates its schema.
    ///
    /// # Errors
    /// [`Error::CreateDir`], [`Error::Open`] (not a database, no permission),
    /// [`Error::SchemaTooNew`], or a failed migration.
    pub fn open(path: &Path) -> Result<Self, Error> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| Error::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Self::open_with(path, flags)
    }

    /// Opens the store at `path` only if the file exists: `Ok(None)` otherwise,
    /// and nothing is created. For readers that work without a store.
    ///
    /// # Errors
    /// As [`Store::open`].
    pub fn open_existing(path: &Path) -> Result<Option<Self>, Error> {
        if !path.is_file() {
            return Ok(None);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Self::open_with(path, flags).map(Some)
    }

    fn open_with(path: &Path, flags: OpenFlags) -> Result<Self, Error> {
        let open_error = |source| Error::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut conn = Connection::open_with_flags(path, flags).map_err(open_error)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
        // Switching a new file to WAL and migrating it take locks for which
        // SQLite may answer "busy" at once, without waiting (another process
        // is doing the same): retry for as long as the busy timeout.
        let start = std::time::Instant::now();
        loop {
            match prepare(&mut conn, path) {
                Err(e) if is_busy(&e) && start.elapsed() < BUSY_TIMEOUT => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                result => break result?,
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection. A thread that panicked while holding it cannot have
    /// left a transaction open (rusqlite rolls back on drop), so poisoning is
    /// ignored.
    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Counts and the last import, for `palisade db status`.
    ///
    /// # Errors
    /// [`Error::Sqlite`] when a query fails.
    pub fn status(&self) -> Result<Status, Error> {
        let conn = self.conn();
        let count = |query: &str| -> Result<u64, Error> {
            conn.query_row(query, [], |row| row.get::<_, i64>(0))
                .map(|n| u64::try_from(n).unwrap_or(0))
                .map_err(sql("counting store rows"))
        };
        let schema_version = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(sql("reading the schema version"))?;
        let last_import = conn
            .query_row(
                "SELECT source, finished_at, summary FROM imports ORDER BY id DESC LIMIT 1",
                [],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, String>(2)?,
                    ))
                },
            )
            .optional()
            .map_err(sql("reading the last import"))?
            .map(|(source, finished_at, summary)| ImportRecord {
                source,
                finished_at,
                summary: serde_json::from_str(&summary).unwrap_or_default(),
            });
        Ok(Status {
            path: self.path.clone(),
            schema_version,
            advisories: count("SELECT count(*) FROM advisories WHERE withdrawn IS NULL")?,
            withdrawn: count("SELECT count(*) FROM advisories WHERE withdrawn IS NOT NULL")?,
            packages: count(
                "SELECT count(DISTINCT p.ecosystem || ':' || p.name) FROM advisory_packages p \
                 JOIN advisories a ON a.id = p.advisory_id WHERE a.withdrawn IS NULL",
            )?,
            verdicts: count("SELECT count(*) FROM verdicts")?,
            pinned_servers: count("SELECT count(*) FROM mcp_servers")?,
            pinned_tools: count("SELECT count(*) FROM mcp_pins")?,
            last_import,
        })
    }
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn creates_migrates_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/folder/palisade.db");
        let store = Store::open(&path).unwrap();
        let status = store.status().unwrap();
        assert_eq!(status.schema_version, schema::SCHEMA_VERSION);
        assert_eq!(status.advisories, 0);
        assert!(status.last_import.is_none());
        let mode: String = store
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(store);
        let again = Store::open_existing(&path).unwrap().unwrap();
        assert_eq!(
            again.status().unwrap().schema_version,
            schema::SCHEMA_VERSION
        );
    }

    #[test]
    fn open_existing_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/palisade.db");
        assert!(Store::open_existing(&path).unwrap().is_none());
        assert!(!dir.path().join("sub").exists());
    }

    #[test]
    fn a_file_that_is_not_a_database_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("palisade.db");
        std::fs::write(
            &path,
            b"this is not sqlite, just some text that is long enough",
        )
        .unwrap();
        let error = Store::open(&path).unwrap_err();
        assert!(matches!(error, Error::Open { .. }), "{error:?}");
        assert!(error.to_string().contains("palisade.db"));
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("palisade.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", schema::SCHEMA_VERSION + 5)
                .unwrap();
        }
        let error = Store::open(&path).unwrap_err();
        assert!(
            matches!(error, Error::SchemaTooNew { found, .. } if found == schema::SCHEMA_VERSION + 5),
            "{error:?}"
        );
    }

    #[test]
    fn concurrent_openers_and_writers_share_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("palisade.db");
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || {
                    // Each thread is its own connection, as another process would be.
                    let store = Store::open(&path).unwrap();
                    for i in 0..25 {
                        let key = crate::ServerKey::new("client", format!("s{t}-{i}"), "cmd");
                        let tool = crate::ToolPin::new("t", &serde_json::json!({ "n": i }));
                        store.pin_tools(&key, None, &[tool]).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let status = Store::open(&path).unwrap().status().unwrap();
        assert_eq!(status.pinned_servers, 100);
        assert_eq!(status.pinned_tools, 100);
    }
}
