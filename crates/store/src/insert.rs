//! The writer's hot path: inserting rows through prepared statements (a ladder of 32, 8 and
//! 1 rows a statement) that bind each value in place.
//!
//! rusqlite binds text as `SQLITE_TRANSIENT`, so SQLite copies every string it is given
//! before the statement runs (and frees the copy at the next bind): with a full backfill
//! inserting about 1.9 million rows of wide text (keys, dates, the composite factors'
//! breakdowns, the feature sources), that copy was about 3 % of the pipeline's CPU, all of
//! it on the single writer thread. [`Inserter`] binds text and blobs as `SQLITE_STATIC`
//! instead: SQLite reads them where they are while the row's statement runs. That is sound
//! because every text and blob value of a row is bound again before each step, and the row
//! outlives its step (docs/decisions.md, session 8); only a NULL may stay bound from the
//! row before (session 13).

#![allow(unsafe_code)]

use crate::error::Result;
use propcast_core::schema::TableDef;
use rusqlite::ffi;
use rusqlite::types::Value;
use rusqlite::Connection;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::marker::PhantomData;

/// Rows per statement of the multi-row insert, at most: enough to spread a statement's fixed
/// cost (opening the table's and its indexes' cursors, finding the last rowid, halting and
/// resetting) thinly, few enough to keep the statement small.
const ROWS_PER_STATEMENT: usize = 32;

/// SQLite's default limit on a statement's parameters.
const MAX_PARAMETERS: usize = 32_766;

/// One table's `INSERT` statements, prepared once and run for any number of rows: a ladder
/// of statements inserting 32, 8 and 1 rows at a time, each run as often as what is left
/// allows. A partition's last rows (15 on average) went one statement each when only 32 and
/// 1 existed, and each statement has a fixed cost of a few thousand instructions on the
/// single writer thread (opening cursors, halting, resetting). It borrows the connection (or
/// transaction) it was prepared on; the statements are finalized when it is dropped.
pub struct Inserter<'c> {
    db: *mut ffi::sqlite3,
    /// From the most rows per statement to one.
    rungs: Vec<Rung>,
    columns: usize,
    _conn: PhantomData<&'c Connection>,
}

/// A statement inserting `rows` rows.
struct Rung {
    rows: usize,
    stmt: *mut ffi::sqlite3_stmt,
    /// Per parameter: whether it holds NULL now. A reset keeps the bindings, so a NULL where
    /// the previous row had one is not bound again (about a fifth of the values written are
    /// NULL, most of them in the same columns row after row).
    null: Vec<bool>,
}

/// SQLite's error for `rc`, with the connection's message.
pub(crate) fn failure(db: *mut ffi::sqlite3, rc: c_int) -> rusqlite::Error {
    // SAFETY: `db` is an open connection; sqlite3_errmsg returns a string SQLite owns, valid
    // until the next call on the connection, copied here at once.
    let msg = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db)) }.to_string_lossy().into_owned();
    rusqlite::Error::SqliteFailure(ffi::Error::new(rc), Some(msg))
}

/// Prepares `sql` on `db` with `flags` (`SQLITE_PREPARE_PERSISTENT` for a statement run many
/// times); the caller finalizes it.
pub(crate) fn prepare(db: *mut ffi::sqlite3, sql: &str, flags: u32) -> Result<*mut ffi::sqlite3_stmt> {
    let mut stmt: *mut ffi::sqlite3_stmt = std::ptr::null_mut();
    // SAFETY: `db` is a live connection; `sql` is valid for its length; `stmt` receives the
    // statement or null.
    let rc = unsafe {
        ffi::sqlite3_prepare_v3(
            db,
            sql.as_ptr().cast::<c_char>(),
            c_int::try_from(sql.len()).map_err(|_| failure(db, ffi::SQLITE_TOOBIG))?,
            flags,
            &mut stmt,
            std::ptr::null_mut(),
        )
    };
    if rc != ffi::SQLITE_OK {
        return Err(failure(db, rc).into());
    }
    Ok(stmt)
}

impl<'c> Inserter<'c> {
    /// Prepares `INSERT INTO <table> (<every column>) VALUES (?, …)` on `conn`, and the same
    /// with several rows of values.
    ///
    /// The multi-row statement is `INSERT OR FAIL`: a constraint error still fails the
    /// insert (and the caller's transaction), but SQLite needs no statement journal to undo
    /// the statement's earlier rows, which the caller's rollback undoes anyway.
    pub fn new(conn: &'c Connection, table: &TableDef) -> Result<Inserter<'c>> {
        let per = ROWS_PER_STATEMENT.min(MAX_PARAMETERS / table.columns.len().max(1));
        Self::ladder(conn, table, &[per, per / 4])
    }

    /// [`Inserter::new`] with rungs of `sizes` rows (largest first; sizes of zero, or with
    /// more parameters than SQLite allows, are left out) and one row: for rows that come in
    /// batches of a known size (a partition's check results).
    pub fn ladder(conn: &'c Connection, table: &TableDef, sizes: &[usize]) -> Result<Inserter<'c>> {
        let columns = table.columns.len();
        let cols: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
        let values = format!("({})", vec!["?"; columns].join(", "));
        let insert = |verb: &str, rows: usize| {
            format!(
                "{verb} INTO {} ({}) VALUES {}",
                table.name,
                cols.join(", "),
                vec![values.as_str(); rows].join(", ")
            )
        };
        // SAFETY: the handle is the live connection `conn` borrows for 'c, and the statements
        // are finalized (Drop) before that borrow ends.
        let db = unsafe { conn.handle() };
        let mut ins = Inserter { db, rungs: Vec::new(), columns, _conn: PhantomData };
        let mut sizes: Vec<usize> =
            sizes.iter().copied().filter(|n| *n > 1 && n * columns <= MAX_PARAMETERS).collect();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        sizes.dedup();
        sizes.push(1);
        for rows in sizes {
            // One row needs no statement journal either way.
            let verb = if rows == 1 { "INSERT" } else { "INSERT OR FAIL" };
            let stmt = prepare(db, &insert(verb, rows), ffi::SQLITE_PREPARE_PERSISTENT)?;
            // Pushed at once, so that Drop finalizes it if a later one fails. A new
            // statement's parameters are all NULL.
            ins.rungs.push(Rung { rows, stmt, null: vec![true; columns * rows] });
        }
        Ok(ins)
    }

    /// Inserts the rows (values in the table's column order); returns how many.
    pub fn insert<'r>(&mut self, rows: impl IntoIterator<Item = &'r [Value]>) -> Result<usize> {
        let rows: Vec<&[Value]> = rows.into_iter().collect();
        if let Some(row) = rows.iter().find(|r| r.len() != self.columns) {
            return Err(rusqlite::Error::InvalidParameterCount(row.len(), self.columns).into());
        }
        let mut left: &[&[Value]] = &rows;
        for rung in &mut self.rungs {
            while left.len() >= rung.rows {
                let (now, rest) = left.split_at(rung.rows);
                run(self.db, rung.stmt, &mut rung.null, now)?;
                left = rest;
            }
        }
        Ok(rows.len())
    }
}

/// Binds `rows` (each of `columns` values) to `stmt` of `db`, which has exactly as many
/// parameters, and runs it. `null` says which parameters hold NULL (kept up to date).
fn run(
    db: *mut ffi::sqlite3,
    stmt: *mut ffi::sqlite3_stmt,
    null: &mut [bool],
    rows: &[&[Value]],
) -> Result<()> {
    for (i, v) in rows.iter().flat_map(|r| r.iter()).enumerate() {
        let is_null = matches!(v, Value::Null);
        if is_null && null[i] {
            continue;
        }
        let at = c_int::try_from(i + 1).map_err(|_| failure(db, ffi::SQLITE_RANGE))?;
        // SAFETY: `stmt` is a live statement of this inserter with one parameter per value
        // of `rows`. Text and blobs are bound SQLITE_STATIC: SQLite reads them in place
        // during the step below, while `rows` is borrowed; every parameter is bound again
        // before the statement's next step.
        let rc = unsafe {
            match v {
                Value::Null => ffi::sqlite3_bind_null(stmt, at),
                Value::Integer(x) => ffi::sqlite3_bind_int64(stmt, at, *x),
                Value::Real(x) => ffi::sqlite3_bind_double(stmt, at, *x),
                Value::Text(s) => ffi::sqlite3_bind_text(
                    stmt,
                    at,
                    if s.is_empty() { c"".as_ptr() } else { s.as_ptr().cast::<c_char>() },
                    c_int::try_from(s.len()).map_err(|_| failure(db, ffi::SQLITE_TOOBIG))?,
                    ffi::SQLITE_STATIC(),
                ),
                Value::Blob(b) => ffi::sqlite3_bind_blob(
                    stmt,
                    at,
                    if b.is_empty() { c"".as_ptr().cast::<c_void>() } else { b.as_ptr().cast::<c_void>() },
                    c_int::try_from(b.len()).map_err(|_| failure(db, ffi::SQLITE_TOOBIG))?,
                    ffi::SQLITE_STATIC(),
                ),
            }
        };
        if rc != ffi::SQLITE_OK {
            return Err(failure(db, rc).into());
        }
        null[i] = is_null;
    }
    // SAFETY: a live statement with every parameter bound (a NULL skipped above is still
    // bound from the previous step).
    let rc = unsafe { ffi::sqlite3_step(stmt) };
    // The error (a constraint, say) is read before the reset, which keeps it.
    let err = (rc != ffi::SQLITE_DONE).then(|| failure(db, rc));
    // SAFETY: as above; a reset keeps the bindings: all but the NULLs are bound again
    // before the next step.
    unsafe { ffi::sqlite3_reset(stmt) };
    match err {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

impl Drop for Inserter<'_> {
    fn drop(&mut self) {
        for rung in &self.rungs {
            // SAFETY: the statements are live and finalized once; the connection outlives
            // them ('c).
            unsafe { ffi::sqlite3_finalize(rung.stmt) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use propcast_core::schema::{ColType, ColumnDef, Partitioning};

    const COLS: &[ColumnDef] = &[
        ColumnDef { name: "k", ty: ColType::Text, nullable: false, doc: "" },
        ColumnDef { name: "i", ty: ColType::Int, nullable: true, doc: "" },
        ColumnDef { name: "r", ty: ColType::Real, nullable: true, doc: "" },
        ColumnDef { name: "t", ty: ColType::Text, nullable: true, doc: "" },
    ];
    const T: TableDef = TableDef {
        name: "t",
        layer: "test",
        doc: "",
        columns: COLS,
        primary_key: &["k"],
        partitioning: Partitioning::Whole,
    };

    /// Every row of `t`, by key.
    fn stored(conn: &Connection) -> Vec<Vec<Value>> {
        conn.prepare("SELECT k, i, r, t FROM t ORDER BY k")
            .expect("select")
            .query_map([], |r| Ok((0..4).map(|c| r.get::<_, Value>(c)).collect::<rusqlite::Result<Vec<_>>>()))
            .expect("query")
            .map(|r| r.expect("row").expect("values"))
            .collect()
    }

    #[test]
    fn binds_every_kind_and_reports_sqlite_errors() {
        let conn = Connection::open_in_memory().expect("open");
        conn.execute_batch(&T.ddl()).expect("ddl");
        let rows: Vec<Vec<Value>> = vec![
            vec![Value::Text("a".into()), Value::Integer(7), Value::Real(1.5), Value::Text("x y".into())],
            vec![Value::Text("b".into()), Value::Null, Value::Null, Value::Text(String::new())],
        ];
        let mut ins = Inserter::new(&conn, &T).expect("prepare");
        assert_eq!(ins.insert(rows.iter().map(Vec::as_slice)).expect("insert"), 2);
        // The rows' text was read in place: freeing them changes nothing stored.
        drop(rows);
        type Stored = (String, Option<i64>, Option<f64>, Option<String>);
        let got: Vec<Stored> = conn
            .prepare("SELECT k, i, r, t FROM t ORDER BY k")
            .expect("select")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("query")
            .collect::<std::result::Result<_, _>>()
            .expect("rows");
        assert_eq!(
            got,
            vec![
                ("a".into(), Some(7), Some(1.5), Some("x y".into())),
                ("b".into(), None, None, Some(String::new()))
            ]
        );
        // A duplicate key is SQLite's constraint error, message included; the statement
        // stays usable.
        let dup = [Value::Text("a".into()), Value::Null, Value::Null, Value::Null];
        let err = ins.insert([dup.as_slice()]).expect_err("duplicate key").to_string();
        assert!(err.contains("UNIQUE constraint failed: t.k"), "{err}");
        let short = [Value::Text("c".into())];
        assert!(ins.insert([short.as_slice()]).is_err(), "a short row is refused");
        let ok = [Value::Text("c".into()), Value::Integer(1), Value::Null, Value::Null];
        assert_eq!(ins.insert([ok.as_slice()]).expect("after errors"), 1);
    }

    #[test]
    fn rows_go_down_the_ladder_of_statements() {
        let conn = Connection::open_in_memory().expect("open");
        conn.execute_batch(&T.ddl()).expect("ddl");
        let row = |i: usize| {
            vec![
                Value::Text(format!("k{i:03}")),
                if i.is_multiple_of(3) { Value::Null } else { Value::Integer(i as i64) },
                Value::Real(i as f64 / 4.0),
                Value::Text("x".repeat(i % 5)),
            ]
        };
        // Two full statements, two of the middle rung and five single rows.
        let n = 2 * ROWS_PER_STATEMENT + 2 * (ROWS_PER_STATEMENT / 4) + 5;
        let rows: Vec<Vec<Value>> = (0..n).map(row).collect();
        let mut ins = Inserter::new(&conn, &T).expect("prepare");
        assert_eq!(ins.insert(rows.iter().map(Vec::as_slice)).expect("insert"), n);
        drop(rows);
        assert_eq!(stored(&conn), (0..n).map(row).collect::<Vec<_>>());
        // A duplicate inside a full statement fails it with SQLite's constraint error.
        let again: Vec<Vec<Value>> = (n - ROWS_PER_STATEMENT..n).map(row).collect();
        let err = ins.insert(again.iter().map(Vec::as_slice)).expect_err("duplicates").to_string();
        assert!(err.contains("UNIQUE constraint failed: t.k"), "{err}");
    }

    #[test]
    fn a_null_left_bound_from_the_previous_row_reads_back_as_null_and_values_replace_it() {
        let conn = Connection::open_in_memory().expect("open");
        conn.execute_batch(&T.ddl()).expect("ddl");
        // Runs of NULLs and of values longer than a statement, so that a parameter goes
        // NULL → NULL (not bound again), value → NULL and NULL → value, in each rung.
        let row = |i: usize| {
            let null = (i / 40).is_multiple_of(2);
            vec![
                Value::Text(format!("k{i:03}")),
                if null { Value::Null } else { Value::Integer(i as i64) },
                if i.is_multiple_of(7) { Value::Real(i as f64) } else { Value::Null },
                if null { Value::Text(format!("t{i}")) } else { Value::Null },
            ]
        };
        let n = 5 * ROWS_PER_STATEMENT + 3 * (ROWS_PER_STATEMENT / 4) + 3;
        let rows: Vec<Vec<Value>> = (0..n).map(row).collect();
        let mut ins = Inserter::new(&conn, &T).expect("prepare");
        // In two calls: the second starts with the bindings the first left.
        assert_eq!(ins.insert(rows[..n / 2].iter().map(Vec::as_slice)).expect("insert"), n / 2);
        assert_eq!(ins.insert(rows[n / 2..].iter().map(Vec::as_slice)).expect("insert"), n - n / 2);
        drop(rows);
        assert_eq!(stored(&conn), (0..n).map(row).collect::<Vec<_>>());
    }
}
