//! The readers' hot path: stepping a query and reading its columns straight through SQLite's
//! C API.
//!
//! rusqlite's `Row::get` costs about 240 instructions a value (a column-count check, the
//! value's type, a `ValueRef`, the conversion and its error mapping, and a fresh `String` for
//! text): the steps read some 45 million values in a full backfill, a tenth of its
//! instructions (docs/decisions.md, session 11). [`Query`] reads a value with SQLite's type
//! call and one getter, converting as rusqlite does (an integer read as a real is widened; a
//! real, text or blob read as an integer is an error that names the column), and lends text
//! as `&str` borrowed from the row.

#![allow(unsafe_code)]

use crate::error::Result;
use crate::insert::{failure, prepare};
use rusqlite::ffi;
use rusqlite::types::{Type, Value};
use rusqlite::{Connection, Error as SqliteError};
use std::ffi::{c_char, c_int, CStr};
use std::marker::PhantomData;

/// A prepared query with its parameters bound, stepped row by row. It borrows the connection
/// it was prepared on; the statement is finalized when it is dropped.
pub struct Query<'c> {
    db: *mut ffi::sqlite3,
    stmt: *mut ffi::sqlite3_stmt,
    columns: c_int,
    _conn: PhantomData<&'c Connection>,
}

impl<'c> Query<'c> {
    /// Prepares `sql` on `conn` and binds `params` (text, copied by SQLite) to `?1`, `?2`, ….
    pub fn new(conn: &'c Connection, sql: &str, params: &[&str]) -> Result<Query<'c>> {
        // SAFETY: the handle is the live connection `conn` borrows for 'c, and the statement
        // is finalized (Drop) before that borrow ends.
        let db = unsafe { conn.handle() };
        let stmt = prepare(db, sql, 0)?;
        // SAFETY: `stmt` is the statement just prepared (null for an empty `sql`, which
        // column_count and finalize accept).
        let q = Query { db, stmt, columns: unsafe { ffi::sqlite3_column_count(stmt) }, _conn: PhantomData };
        for (i, p) in params.iter().enumerate() {
            let at = c_int::try_from(i + 1).map_err(|_| failure(db, ffi::SQLITE_RANGE))?;
            let n = c_int::try_from(p.len()).map_err(|_| failure(db, ffi::SQLITE_TOOBIG))?;
            // SAFETY: a live statement; SQLITE_TRANSIENT makes SQLite copy the text at once.
            let rc = unsafe {
                ffi::sqlite3_bind_text(q.stmt, at, p.as_ptr().cast::<c_char>(), n, ffi::SQLITE_TRANSIENT())
            };
            if rc != ffi::SQLITE_OK {
                return Err(failure(db, rc).into());
            }
        }
        Ok(q)
    }

    /// The next row, or `None` when the query is done.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Cols<'_>>> {
        if self.stmt.is_null() {
            return Ok(None);
        }
        // SAFETY: a live statement with its parameters bound.
        match unsafe { ffi::sqlite3_step(self.stmt) } {
            ffi::SQLITE_ROW => Ok(Some(Cols { stmt: self.stmt, columns: self.columns, _row: PhantomData })),
            ffi::SQLITE_DONE => Ok(None),
            rc => Err(failure(self.db, rc).into()),
        }
    }
}

impl Drop for Query<'_> {
    fn drop(&mut self) {
        // SAFETY: the statement is live (or null, which finalize ignores) and dropped once;
        // the connection outlives it ('c).
        unsafe { ffi::sqlite3_finalize(self.stmt) };
    }
}

/// The columns of the current row. It borrows its query mutably, so the row cannot outlive
/// the step that produced it (text it lends is SQLite's, valid until the next step).
pub struct Cols<'q> {
    stmt: *mut ffi::sqlite3_stmt,
    columns: c_int,
    _row: PhantomData<&'q mut ()>,
}

/// A type a column converts into.
pub trait FromCol<'q>: Sized {
    /// The value of column `i` of `row`.
    fn from_col(row: &Cols<'q>, i: usize) -> std::result::Result<Self, SqliteError>;
}

impl<'q> Cols<'q> {
    /// The value at column `i`, converted.
    pub fn get<T: FromCol<'q>>(&self, i: usize) -> std::result::Result<T, SqliteError> {
        T::from_col(self, i)
    }

    /// The column index as SQLite's, checked.
    fn at(&self, i: usize) -> std::result::Result<c_int, SqliteError> {
        c_int::try_from(i).ok().filter(|c| *c < self.columns).ok_or(SqliteError::InvalidColumnIndex(i))
    }

    /// Column `i`'s value (SQLite's unprotected `sqlite3_value`, read with the `value_*`
    /// calls only) and its storage type: one column lookup however the value is then read
    /// (each `column_*` call looks the column up again).
    fn kind(&self, i: usize) -> std::result::Result<(*mut ffi::sqlite3_value, c_int), SqliteError> {
        let at = self.at(i)?;
        // SAFETY: the statement is on a row (this borrow) and `at` is one of its columns; the
        // value lives until the statement steps again.
        let v = unsafe { ffi::sqlite3_column_value(self.stmt, at) };
        // SAFETY: `v` is the live value just returned.
        Ok((v, unsafe { ffi::sqlite3_value_type(v) }))
    }

    fn wrong(&self, i: usize, kind: c_int) -> SqliteError {
        let ty = match kind {
            ffi::SQLITE_INTEGER => Type::Integer,
            ffi::SQLITE_FLOAT => Type::Real,
            ffi::SQLITE_TEXT => Type::Text,
            ffi::SQLITE_BLOB => Type::Blob,
            _ => Type::Null,
        };
        // SAFETY: the statement is live and `i` a checked column; the name is copied at once.
        let name = unsafe {
            let p = ffi::sqlite3_column_name(self.stmt, i as c_int);
            if p.is_null() {
                String::new()
            } else {
                CStr::from_ptr(p).to_string_lossy().into_owned()
            }
        };
        SqliteError::InvalidColumnType(i, name, ty)
    }

    fn int_at(&self, i: usize) -> std::result::Result<Option<i64>, SqliteError> {
        match self.kind(i)? {
            (_, ffi::SQLITE_NULL) => Ok(None),
            // SAFETY: an integer value of the current row.
            (v, ffi::SQLITE_INTEGER) => Ok(Some(unsafe { ffi::sqlite3_value_int64(v) })),
            (_, k) => Err(self.wrong(i, k)),
        }
    }

    fn real_at(&self, i: usize) -> std::result::Result<Option<f64>, SqliteError> {
        match self.kind(i)? {
            (_, ffi::SQLITE_NULL) => Ok(None),
            // SAFETY: a numeric value of the current row.
            (v, ffi::SQLITE_FLOAT) => Ok(Some(unsafe { ffi::sqlite3_value_double(v) })),
            (v, ffi::SQLITE_INTEGER) => Ok(Some(unsafe { ffi::sqlite3_value_int64(v) } as f64)),
            (_, k) => Err(self.wrong(i, k)),
        }
    }

    fn text_at(&self, i: usize) -> std::result::Result<Option<&'q str>, SqliteError> {
        match self.kind(i)? {
            (_, ffi::SQLITE_NULL) => Ok(None),
            // SAFETY: a text value of the current row.
            (v, ffi::SQLITE_TEXT) => text(unsafe { bytes(v) }).map(Some),
            (_, k) => Err(self.wrong(i, k)),
        }
    }

    /// The value at column `i`, owned, whatever its type.
    pub fn value(&self, i: usize) -> std::result::Result<Value, SqliteError> {
        // SAFETY: each read matches the value's type on the current row.
        Ok(match self.kind(i)? {
            (_, ffi::SQLITE_NULL) => Value::Null,
            (v, ffi::SQLITE_INTEGER) => Value::Integer(unsafe { ffi::sqlite3_value_int64(v) }),
            (v, ffi::SQLITE_FLOAT) => Value::Real(unsafe { ffi::sqlite3_value_double(v) }),
            (v, ffi::SQLITE_TEXT) => Value::Text(text(unsafe { bytes(v) })?.to_string()),
            (v, _) => Value::Blob(unsafe { bytes(v) }.to_vec()),
        })
    }
}

/// The bytes of a text or blob value, as stored: `sqlite3_value_blob` on text converts
/// nothing (SQLite's type-conversion table: TEXT to BLOB, no change), while
/// `sqlite3_value_text` copies a string to end it with a NUL when it lies unterminated in a
/// page, which is how every stored string is read.
///
/// # Safety
///
/// `v` is a live text or blob value of a statement's current row; the bytes are valid until
/// that statement steps again, and the caller's lifetime `'q` must not outlive that.
unsafe fn bytes<'q>(v: *mut ffi::sqlite3_value) -> &'q [u8] {
    // SAFETY: the caller's contract; the pointer first, then the length (SQLite's order).
    unsafe {
        let p = ffi::sqlite3_value_blob(v).cast::<u8>();
        let n = ffi::sqlite3_value_bytes(v);
        if p.is_null() || n <= 0 {
            &[]
        } else {
            std::slice::from_raw_parts(p, n as usize)
        }
    }
}

/// Stored text as `&str`: checked as UTF-8 (a string written through SQL need not be), with
/// a fast path for ASCII, which nearly all of the warehouse's text is.
fn text(b: &[u8]) -> std::result::Result<&str, SqliteError> {
    if b.is_ascii() {
        // SAFETY: ASCII is UTF-8.
        Ok(unsafe { std::str::from_utf8_unchecked(b) })
    } else {
        std::str::from_utf8(b).map_err(SqliteError::Utf8Error)
    }
}

fn null(row: &Cols<'_>, i: usize) -> SqliteError {
    row.wrong(i, ffi::SQLITE_NULL)
}

impl<'q> FromCol<'q> for Option<i64> {
    fn from_col(row: &Cols<'q>, i: usize) -> std::result::Result<Self, SqliteError> {
        row.int_at(i)
    }
}

impl<'q> FromCol<'q> for i64 {
    fn from_col(row: &Cols<'q>, i: usize) -> std::result::Result<Self, SqliteError> {
        row.int_at(i)?.ok_or_else(|| null(row, i))
    }
}

impl<'q> FromCol<'q> for Option<f64> {
    fn from_col(row: &Cols<'q>, i: usize) -> std::result::Result<Self, SqliteError> {
        row.real_at(i)
    }
}

impl<'q> FromCol<'q> for f64 {
    fn from_col(row: &Cols<'q>, i: usize) -> std::result::Result<Self, SqliteError> {
        row.real_at(i)?.ok_or_else(|| null(row, i))
    }
}

impl<'q> FromCol<'q> for bool {
    fn from_col(row: &Cols<'q>, i: usize) -> std::result::Result<Self, SqliteError> {
        Ok(i64::from_col(row, i)? != 0)
    }
}

impl<'q> FromCol<'q> for Option<&'q str> {
    fn from_col(row: &Cols<'q>, i: usize) -> std::result::Result<Self, SqliteError> {
        row.text_at(i)
    }
}

impl<'q> FromCol<'q> for &'q str {
    fn from_col(row: &Cols<'q>, i: usize) -> std::result::Result<Self, SqliteError> {
        row.text_at(i)?.ok_or_else(|| null(row, i))
    }
}

impl<'q> FromCol<'q> for Option<String> {
    fn from_col(row: &Cols<'q>, i: usize) -> std::result::Result<Self, SqliteError> {
        Ok(row.text_at(i)?.map(str::to_string))
    }
}

impl<'q> FromCol<'q> for String {
    fn from_col(row: &Cols<'q>, i: usize) -> std::result::Result<Self, SqliteError> {
        Ok(<&str>::from_col(row, i)?.to_string())
    }
}

impl<'q> FromCol<'q> for Value {
    fn from_col(row: &Cols<'q>, i: usize) -> std::result::Result<Self, SqliteError> {
        row.value(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every conversion agrees with rusqlite's `Row::get` on every storage type, errors
    /// included (as errors: their variants may differ).
    #[test]
    fn reads_as_rusqlite_does() {
        let conn = Connection::open_in_memory().expect("open");
        conn.execute_batch(
            "CREATE TABLE t (a, b INTEGER); INSERT INTO t VALUES (NULL, 1), (7, 2), (2.5, 3), ('héllo', 4),
             (x'00ff', 5), (-0.0, 6), ('', 7), (9007199254740993, 8), (CAST(x'c328' AS TEXT), 9),
             (printf('%.*c', 6000, 'x'), 10);",
        )
        .expect("table");
        let mut want: Vec<String> = Vec::new();
        let mut stmt =
            conn.prepare("SELECT a, b FROM t WHERE b >= ?1 AND b <> 9 ORDER BY b").expect("prepare");
        let mut rows = stmt.query(["1"]).expect("query");
        fn show<T: std::fmt::Debug, E>(r: std::result::Result<T, E>) -> String {
            r.map_or_else(|_| "error".to_string(), |v| format!("{v:?}"))
        }
        while let Some(r) = rows.next().expect("row") {
            want.push(format!(
                "{} {} {} {} {} {} {} {}",
                show(r.get::<_, Option<i64>>(0)),
                show(r.get::<_, i64>(0)),
                show(r.get::<_, Option<f64>>(0)),
                show(r.get::<_, f64>(0)),
                show(r.get::<_, Option<String>>(0)),
                show(r.get::<_, String>(0)),
                show(r.get::<_, Value>(0)),
                show(r.get::<_, Value>(1)),
            ));
        }
        let mut got: Vec<String> = Vec::new();
        let mut q = Query::new(&conn, "SELECT a, b FROM t WHERE b >= ?1 AND b <> 9 ORDER BY b", &["1"])
            .expect("query");
        while let Some(r) = q.next().expect("row") {
            got.push(format!(
                "{} {} {} {} {} {} {} {}",
                show(r.get::<Option<i64>>(0)),
                show(r.get::<i64>(0)),
                show(r.get::<Option<f64>>(0)),
                show(r.get::<f64>(0)),
                show(r.get::<Option<String>>(0)),
                show(r.get::<String>(0)),
                show(r.get::<Value>(0)),
                show(r.get::<Value>(1)),
            ));
            assert!(r.get::<Value>(2).is_err(), "no third column");
        }
        assert_eq!((got.len(), want.len()), (9, 9));
        // Text that is not UTF-8 (rusqlite panics on it): an error, not a panic.
        let mut q = Query::new(&conn, "SELECT a FROM t WHERE b = 9", &[]).expect("query");
        let r = q.next().expect("step").expect("a row");
        assert!(r.get::<&str>(0).is_err() && r.get::<Value>(0).is_err());
        assert_eq!(got, want);
        // A bad statement is SQLite's error, message included.
        let err = Query::new(&conn, "SELECT nope FROM t", &[]).err().expect("an error").to_string();
        assert!(err.contains("no such column: nope"), "{err}");
    }
}
