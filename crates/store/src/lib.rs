//! The embedded warehouse: one SQLite file (`<home>/warehouse.sqlite`, WAL mode).
//!
//! Owns: opening and migrating the database, the schema version, partition rewrites in one
//! transaction, canonical content hashes of rows, read-only SQL queries, the
//! process-wide memos of expensive reads keyed by the content they read ([`memo`]), the
//! writer's insert statement ([`Inserter`]: it binds text in place through SQLite's C API)
//! and the readers' query ([`Query`]: it reads columns through the same API). Those two are
//! the workspace's only modules allowed `unsafe`.
//! Reads and writes: every table, on behalf of the step crates (they never open SQLite
//! themselves). Table definitions come from `propcast_core::schema`.
//! Depends on: `core`. Never on: `ingest`, `analytics`, `features`, `models`, `grading`,
//! `publish`, `pipeline`, `cli`.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let wh = propcast_store::Warehouse::open(&dir.path().join("w.sqlite")).unwrap();
//! let r = wh.query("select count(*) as n from schedule", &[]).unwrap();
//! assert_eq!(r.columns, vec!["n"]);
//! ```
#![deny(missing_docs)]
#![deny(clippy::unwrap_used)]

mod error;
mod hash;
mod insert;
pub mod memo;
mod read;
mod step;
mod warehouse;

pub use error::{Error, Result};
pub use hash::{canonical, cmp_row, cmp_value, hash_row, RowHasher};
pub use insert::Inserter;
pub use read::{Cols, FromCol, Query};
pub use rusqlite::types::Value;
pub use rusqlite::{params, params_from_iter, Connection, Error as SqliteError, Row, ToSql, Transaction};
pub use step::{CheckKind, CheckSpec, Input, Output, PartitionData, Step, Window, SAMPLE_COLUMNS};
pub use warehouse::{delete_partition, insert_rows, QueryResult, Unsynced, Warehouse, SCHEMA_VERSION};

/// The text at column `i` of a row, borrowed from it (an error when the value is not text).
pub fn text_at<'r>(r: &'r Row<'_>, i: usize) -> std::result::Result<&'r str, SqliteError> {
    r.get_ref(i)?.as_str().map_err(SqliteError::from)
}

/// The value of `key` in a map keyed by owned strings, inserted (default) when absent; the
/// key is copied only then (keys read from rows are borrowed text).
pub fn slot<'m, V: Default, S: std::hash::BuildHasher>(
    map: &'m mut std::collections::HashMap<String, V, S>,
    key: &str,
) -> &'m mut V {
    if !map.contains_key(key) {
        map.insert(key.to_string(), V::default());
    }
    map.get_mut(key).expect("inserted above")
}

/// A number read from SQLite: REAL or INTEGER as `f64`, anything else (NULL, text, blob) as
/// `None`.
pub fn real(v: &Value) -> Option<f64> {
    match v {
        Value::Real(x) => Some(*x),
        Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}
