//! Ingest errors: every input error names the file, the line and the column.

use std::path::PathBuf;

/// Where in the input an error is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file.
    pub file: PathBuf,
    /// 1-based line number (the header is line 1); 0 when the whole file is at fault.
    pub line: u64,
    /// The column, when one is at fault.
    pub column: Option<String>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ", line {}", self.line)?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column `{c}`")?;
        }
        Ok(())
    }
}

/// What is wrong with the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// The file cannot be read or decompressed (e.g. a truncated gzip).
    #[error("cannot read the file: {0}")]
    Unreadable(String),
    /// The CSV structure is broken (wrong number of fields, bad quoting, bad UTF-8).
    #[error("malformed CSV: {0}")]
    Malformed(String),
    /// A required column is absent from the header.
    #[error("missing required column `{column}` (header has: {present})")]
    MissingColumn {
        /// The column.
        column: String,
        /// The columns the header has.
        present: String,
    },
    /// A key or required value is empty.
    #[error("required value is empty")]
    MissingValue,
    /// A numeric column holds something else.
    #[error("{value:?} is not {expected}")]
    NotNumeric {
        /// The text found.
        value: String,
        /// e.g. "an integer".
        expected: &'static str,
    },
    /// A value of a domain type does not parse (team code, date, id, season, ...).
    #[error("{0}")]
    Invalid(String),
    /// The date belongs to no season of the schedule.
    #[error("date {date} is outside every season of the schedule ({seasons})")]
    DateOutsideSeason {
        /// The date.
        date: String,
        /// The seasons' spans.
        seasons: String,
    },
    /// The row names a game the schedule does not have.
    #[error("game {0} is not in the schedule")]
    UnknownGame(String),
    /// The row disagrees with the schedule about its game.
    #[error("{0}")]
    DisagreesWithSchedule(String),
    /// Two rows have the same key.
    #[error("duplicate key ({key}); first seen on line {first_line}")]
    DuplicateKey {
        /// The key values.
        key: String,
        /// Where the first row with this key is.
        first_line: u64,
    },
}

/// An ingest error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bad input: nothing was written.
    #[error("bad input at {location}: {problem}")]
    Input {
        /// Where.
        location: Location,
        /// What.
        problem: Problem,
    },
    /// A required file is absent.
    #[error("the data set at {dir} has no {table} file ({table}.csv.gz or {table}.csv): it is required")]
    MissingFile {
        /// The directory.
        dir: PathBuf,
        /// The table whose file is missing.
        table: String,
    },
    /// The warehouse failed.
    #[error(transparent)]
    Store(#[from] propcast_store::Error),
    /// SQLite failed during the write.
    #[error("warehouse write failed: {0}")]
    Sqlite(#[from] propcast_store::SqliteError),
}

impl Error {
    /// The input location, for bad input.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Input { location, .. } => Some(location),
            _ => None,
        }
    }
}

/// Result with the ingest [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
