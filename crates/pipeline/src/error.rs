//! Pipeline errors.

/// What stopped a pipeline run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Ingest failed (bad input names file, line and column).
    #[error(transparent)]
    Ingest(#[from] propcast_ingest::Error),
    /// The warehouse failed.
    #[error(transparent)]
    Store(#[from] propcast_store::Error),
    /// SQLite failed.
    #[error("warehouse: {0}")]
    Sqlite(#[from] propcast_store::SqliteError),
    /// The step graph is invalid (a bug in propcast, not in the data).
    #[error("invalid step graph: {0}")]
    Graph(String),
    /// The checks configuration is invalid.
    #[error("checks configuration: {0}")]
    Config(String),
    /// Another run holds the home.
    #[error("another propcast run (pid {pid}) holds {path}; wait for it to finish")]
    Locked {
        /// The lock file.
        path: std::path::PathBuf,
        /// The holder's process id.
        pid: String,
    },
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The path.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Result with the pipeline [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
