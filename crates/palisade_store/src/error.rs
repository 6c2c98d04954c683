//! Errors of the store. Each names the file or the operation concerned.

use std::path::PathBuf;

/// What can go wrong opening, migrating, reading or writing the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database file cannot be opened or is not a SQLite database.
    #[error("cannot open the palisade store `{}`", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        source: rusqlite::Error,
    },

    /// The folder for the database file cannot be created.
    #[error("cannot create the folder `{}` for the palisade store", path.display())]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },

    /// The file was written by a newer palisade whose schema this build does not know.
    #[error(
        "the palisade store `{}` has schema version {found}, newer than this palisade knows \
         ({supported}); upgrade palisade or point `PALISADE_HOME` at another folder",
        path.display()
    )]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// The file's schema version.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },

    /// A query failed.
    #[error("palisade store: {what} failed")]
    Sqlite {
        /// What was being done, e.g. `reading the verdict cache`.
        what: &'static str,
        /// The SQLite error.
        source: rusqlite::Error,
    },

    /// A stored JSON value could not be written.
    #[error("palisade store: cannot serialise {what}")]
    Json {
        /// What was being stored.
        what: &'static str,
        /// The JSON error.
        source: serde_json::Error,
    },

    /// The path given to an import is neither a folder nor a `.zip` file.
    #[error(
        "`{}` is neither a folder of OSV JSON files nor a `.zip` of them",
        path.display()
    )]
    ImportInput {
        /// The path given.
        path: PathBuf,
    },

    /// An import input could not be read.
    #[error("cannot read `{}`: {reason}", path.display())]
    ImportRead {
        /// The file or folder.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

/// Shorthand to wrap a SQLite error with what was being done.
pub(crate) fn sql(what: &'static str) -> impl FnOnce(rusqlite::Error) -> Error {
    move |source| Error::Sqlite { what, source }
}
