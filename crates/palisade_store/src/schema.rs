//! The schema and its migrations, tracked with `PRAGMA user_version`.
//!
//! Adding a migration: append its SQL to [`MIGRATIONS`]; never edit one that
//! has shipped. Each runs once, in order, inside the opening transaction.

use std::path::Path;

use rusqlite::Connection;

use crate::error::{Error, sql};

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: verdict cache, advisories, imports, MCP pins.
    "
    CREATE TABLE verdicts (
        integrity   TEXT NOT NULL,
        engine      TEXT NOT NULL,
        name        TEXT NOT NULL,
        version     TEXT NOT NULL,
        report      TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (integrity, engine)
    ) WITHOUT ROWID;

    CREATE TABLE advisories (
        id          TEXT PRIMARY KEY,
        modified    TEXT NOT NULL,
        published   TEXT,
        withdrawn   TEXT,
        summary     TEXT,
        aliases     TEXT NOT NULL DEFAULT '[]',
        source      TEXT,
        imported_at INTEGER NOT NULL
    );

    CREATE TABLE advisory_packages (
        advisory_id TEXT NOT NULL REFERENCES advisories(id) ON DELETE CASCADE,
        ecosystem   TEXT NOT NULL,
        name        TEXT NOT NULL,
        versions    TEXT NOT NULL DEFAULT '[]',
        ranges      TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX advisory_packages_by_name ON advisory_packages (ecosystem, name);
    CREATE INDEX advisory_packages_by_advisory ON advisory_packages (advisory_id);

    CREATE TABLE imports (
        id          INTEGER PRIMARY KEY,
        source      TEXT NOT NULL,
        finished_at INTEGER NOT NULL,
        summary     TEXT NOT NULL
    );

    CREATE TABLE mcp_servers (
        client               TEXT NOT NULL,
        server               TEXT NOT NULL,
        target               TEXT NOT NULL,
        instructions_sha256  TEXT,
        instructions         TEXT,
        pinned_at            INTEGER NOT NULL,
        PRIMARY KEY (client, server, target)
    );

    CREATE TABLE mcp_pins (
        client          TEXT NOT NULL,
        server          TEXT NOT NULL,
        target          TEXT NOT NULL,
        tool            TEXT NOT NULL,
        sha256          TEXT NOT NULL,
        canonical_json  TEXT NOT NULL,
        pinned_at       INTEGER NOT NULL,
        PRIMARY KEY (client, server, target, tool)
    );
    ",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the schema of `conn` up to [`SCHEMA_VERSION`]. Runs in one
/// `BEGIN IMMEDIATE` transaction, so two processes opening a new file at once
/// do not both migrate it.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), Error> {
    let current: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(sql("reading the schema version"))?;
    if current == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(sql("starting the schema migration"))?;
    // Read again under the write lock: another process may have migrated.
    let current: i64 = tx
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(sql("reading the schema version"))?;
    if current > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            path: path.to_path_buf(),
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    let start = usize::try_from(current.max(0)).unwrap_or(usize::MAX);
    for migration in MIGRATIONS.iter().skip(start) {
        tx.execute_batch(migration)
            .map_err(sql("migrating the schema"))?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(sql("recording the schema version"))?;
    tx.commit().map_err(sql("committing the schema migration"))
}
