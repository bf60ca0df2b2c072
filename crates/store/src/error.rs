//! Store errors.

use std::path::PathBuf;

/// What went wrong in the warehouse.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// SQLite failed.
    #[error("warehouse: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file was written by a newer propcast.
    #[error(
        "warehouse {path} has schema version {found}, newer than this propcast supports ({supported}); \
         upgrade propcast or use another --home"
    )]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// Creating the home directory failed.
    #[error("cannot create {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A step's computation found something it cannot handle.
    #[error("{step}: {message}")]
    Step {
        /// The step.
        step: &'static str,
        /// What went wrong.
        message: String,
    },
    /// A table name that the schema does not define.
    #[error("unknown table {0:?}")]
    UnknownTable(String),
    /// The machine went down while the warehouse was written without syncs, and SQLite's
    /// integrity check finds it damaged.
    #[error(
        "warehouse {path} was being written when the machine went down and is damaged ({detail}); \
         move it aside and run `propcast up` to rebuild it from the data set"
    )]
    Damaged {
        /// The database file.
        path: PathBuf,
        /// The integrity check's first finding.
        detail: String,
    },
}

/// Result with the store [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
