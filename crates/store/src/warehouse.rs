//! Opening, migrating and querying the warehouse.

use crate::error::{Error, Result};
use crate::hash::RowHasher;
use crate::insert::Inserter;
use propcast_core::schema::{self, TableDef};
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, Transaction};
use std::path::{Path, PathBuf};

/// The schema version this build writes. A file with a higher version is refused.
pub const SCHEMA_VERSION: i64 = 1;

/// How much of the file SQLite may map into memory (address space, not resident memory).
const MMAP_BYTES: i64 = 1 << 34;

/// The page cache of the read-write connection, KiB. Small on purpose: the pipeline writes
/// far more than it rereads on this connection (its workers read through their own
/// connections and the memory map), and every page of a larger cache is fresh memory the
/// kernel must zero on first touch, about 1 s per GiB on the 2-core machine
/// (docs/decisions.md, session 7).
const CACHE_KIB: i64 = 16 << 10;

/// WAL size that triggers a checkpoint.
const WAL_CHECKPOINT_BYTES: i64 = 64 << 20;

/// The warehouse: one SQLite connection on `<home>/warehouse.sqlite`.
pub struct Warehouse {
    conn: Connection,
    path: PathBuf,
    /// How many [`Warehouse::write_unsynced`] scopes are open (only the outermost syncs).
    unsynced_depth: u32,
}

/// What a run that wrote without syncs left behind when it did not end (see
/// [`Warehouse::recover_unsynced`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsynced {
    /// Nothing: the last such run ended and synced.
    Clean,
    /// The process died but the machine did not: every write it made is in the operating
    /// system's cache and reaches the disk as usual, so nothing is lost.
    ProcessDied,
    /// The machine went down (or its boot cannot be told): the file passed SQLite's
    /// integrity check, but what the listed runs wrote may have reached the disk only in
    /// part (a page of a table new, the ledger page that describes it old), so the caller
    /// must recompute what it cannot verify.
    MachineDown {
        /// The runs' labels, as given to [`Warehouse::write_unsynced`].
        runs: Vec<String>,
    },
}

/// This boot of the machine (Linux), or `None` where it cannot be told.
fn boot_id() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok().map(|s| s.trim().to_string())
}

/// Rows returned by [`Warehouse::query`].
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, values in column order.
    pub rows: Vec<Vec<Value>>,
}

impl Warehouse {
    /// Opens (creating if needed) and migrates the warehouse at `path`.
    pub fn open(path: &Path) -> Result<Warehouse> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io { path: dir.to_path_buf(), source })?;
        }
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        // Large pages for a new file (ignored for an existing one): the pipeline writes and
        // scans wide rows in bulk, and 64 KiB pages halve the cost of inserting them
        // (docs/benchmarks.md, session 4).
        conn.pragma_update(None, "page_size", 65_536i64)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Fewer checkpoints (each one fsyncs): a checkpoint once the WAL holds 64 MiB, whatever
        // the file's page size (the setting counts pages).
        let page: i64 = conn.pragma_query_value(None, "page_size", |r| r.get(0))?;
        conn.pragma_update(None, "wal_autocheckpoint", WAL_CHECKPOINT_BYTES / page.max(512))?;
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        // The writer runs a handful of statements per partition (delete, insert, ledger,
        // checks) for every asset: prepared once each, not once per partition.
        conn.set_prepared_statement_cache_capacity(128);
        let mut wh = Warehouse { conn, path: path.to_path_buf(), unsynced_depth: 0 };
        wh.migrate()?;
        Ok(wh)
    }

    /// The file's path with `suffix` appended (`-wal`, `.unsynced`).
    fn beside(&self, suffix: &str) -> PathBuf {
        let mut p = self.path.clone().into_os_string();
        p.push(suffix);
        PathBuf::from(p)
    }

    /// The marker of a run writing without syncs: `<file>.unsynced`, holding the machine's
    /// boot id and the runs' labels, one a line.
    fn unsynced_marker(&self) -> PathBuf {
        self.beside(".unsynced")
    }

    /// Runs `f` (a bulk writer) with SQLite's syncs off, then syncs the files once.
    ///
    /// With `synchronous = NORMAL`, every WAL checkpoint waits for two fsyncs: about 70 of
    /// them and over a second of a full backfill's wall time on the 2-core machine, all on
    /// the single writer thread (docs/decisions.md, session 9). Here the checkpoints do not
    /// sync; the database and WAL files are synced once when `f` returns (by then the
    /// system has usually written most of it back). A process killed meanwhile loses
    /// nothing (its writes are in the system's cache); a machine going down meanwhile may
    /// leave the file damaged or stale, which the marker written first (synced, holding
    /// the boot id) lets the next locked run find: [`Warehouse::recover_unsynced`].
    /// Where the boot cannot be told, `f` runs with the usual syncs. Scopes nest: only the
    /// outermost one syncs.
    pub fn write_unsynced<T, E: From<Error>>(
        &mut self,
        label: &str,
        f: impl FnOnce(&mut Warehouse) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let Some(boot) = boot_id().filter(|_| self.unsynced_depth == 0) else {
            return self.nested_unsynced(f);
        };
        let marker = self.unsynced_marker();
        let io = |source| Error::Io { path: marker.clone(), source };
        // The marker reaches the disk before any unsynced write: its own content, and its
        // name in the directory.
        let mut runs = self.unsynced_runs()?;
        runs.push(label.to_string());
        std::fs::write(&marker, format!("{boot}\n{}\n", runs.join("\n"))).map_err(io)?;
        std::fs::File::open(&marker).and_then(|f| f.sync_all()).map_err(io)?;
        if let Some(dir) = marker.parent() {
            std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
        }
        self.conn.pragma_update(None, "synchronous", "OFF").map_err(Error::from)?;
        let result = self.nested_unsynced(f);
        self.conn.pragma_update(None, "synchronous", "NORMAL").map_err(Error::from)?;
        self.sync_files()?;
        std::fs::remove_file(&marker).map_err(io)?;
        result
    }

    /// Runs `f` (a bulk load) with a rollback journal instead of the WAL, then returns to the
    /// WAL, whatever `f` returned.
    ///
    /// In WAL mode every page is written twice: into the WAL, and again into the file by the
    /// checkpoint, which reads it back first. A rollback journal holds only the original
    /// content of pages that existed before the transaction, so a load into a new (or
    /// nearly empty) file writes its pages once, into the file itself: the first ingest of
    /// the bundled data set wrote 140 MB into the WAL and copied them over at its commit
    /// (docs/decisions.md, session 12). A failure or a killed process is rolled back from
    /// the journal as from the WAL. Where another connection holds the file (a reader of
    /// `propcast sql`), SQLite keeps the WAL and `f` runs in it as usual.
    pub fn without_wal<T, E: From<Error>>(
        &mut self,
        f: impl FnOnce(&mut Warehouse) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let mode = |wh: &Warehouse, m: &str| -> Result<String> {
            Ok(wh.conn.query_row(&format!("PRAGMA journal_mode = {m}"), [], |r| r.get(0))?)
        };
        let switched = mode(self, "TRUNCATE")? != "wal";
        let result = f(self);
        if switched {
            let back = mode(self, "WAL")?;
            if back != "wal" {
                return Err(Error::Io {
                    path: self.path.clone(),
                    source: std::io::Error::other(format!("could not return to WAL mode (still {back})")),
                }
                .into());
            }
        }
        result
    }

    fn nested_unsynced<T, E>(
        &mut self,
        f: impl FnOnce(&mut Warehouse) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        self.unsynced_depth += 1;
        let r = f(self);
        self.unsynced_depth -= 1;
        r
    }

    /// The runs listed in a marker left behind (none without one).
    fn unsynced_runs(&self) -> Result<Vec<String>> {
        match std::fs::read_to_string(self.unsynced_marker()) {
            Ok(s) => Ok(s.lines().skip(1).filter(|l| !l.is_empty()).map(str::to_string).collect()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(vec![]),
            Err(source) => Err(Error::Io { path: self.unsynced_marker(), source }),
        }
    }

    /// Syncs the database and WAL files to the disk.
    fn sync_files(&self) -> Result<()> {
        for p in [self.path.clone(), self.beside("-wal")] {
            match std::fs::File::open(&p).and_then(|f| f.sync_all()) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(Error::Io { path: p, source }),
            }
        }
        Ok(())
    }

    /// Looks for a run that wrote without syncs and did not end (call with the home's lock
    /// held, before writing). After a process died: nothing to do, the marker goes. After
    /// the machine went down: SQLite's integrity check runs (an error if it fails); the
    /// caller then recomputes what the listed runs wrote and calls
    /// [`Warehouse::forget_unsynced`].
    pub fn recover_unsynced(&mut self) -> Result<Unsynced> {
        let marker = self.unsynced_marker();
        let text = match std::fs::read_to_string(&marker) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Unsynced::Clean),
            Err(source) => return Err(Error::Io { path: marker, source }),
        };
        let same_boot = boot_id().is_some_and(|b| text.lines().next() == Some(b.as_str()));
        if same_boot {
            self.sync_files()?;
            std::fs::remove_file(&marker).map_err(|source| Error::Io { path: marker, source })?;
            return Ok(Unsynced::ProcessDied);
        }
        let detail: String = self.conn.query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))?;
        if detail != "ok" {
            return Err(Error::Damaged { path: self.path.clone(), detail });
        }
        Ok(Unsynced::MachineDown { runs: self.unsynced_runs()? })
    }

    /// Ends a recovery ([`Warehouse::recover_unsynced`]): the caller's repairs are synced,
    /// then the marker goes.
    pub fn forget_unsynced(&mut self) -> Result<()> {
        self.conn.query_row("PRAGMA wal_checkpoint(FULL)", [], |_| Ok(()))?;
        self.sync_files()?;
        let marker = self.unsynced_marker();
        std::fs::remove_file(&marker).map_err(|source| Error::Io { path: marker, source })
    }

    /// Opens an existing warehouse read-only (for `propcast sql`).
    pub fn open_read_only(path: &Path) -> Result<Warehouse> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // Reads through the memory map: no copy of each (64 KiB) page into the process.
        conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        let wh = Warehouse { conn, path: path.to_path_buf(), unsynced_depth: 0 };
        wh.check_version()?;
        Ok(wh)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying connection (reads by step crates).
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Starts a write transaction.
    pub fn transaction(&mut self) -> Result<Transaction<'_>> {
        Ok(self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?)
    }

    fn stored_version(conn: &Connection) -> Result<Option<i64>> {
        let has_meta: bool = conn.query_row(
            "select count(*) > 0 from sqlite_master where type = 'table' and name = 'warehouse_meta'",
            [],
            |r| r.get(0),
        )?;
        if !has_meta {
            return Ok(None);
        }
        let v: Option<String> = conn
            .query_row("select value from warehouse_meta where key = 'schema_version'", [], |r| r.get(0))
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?;
        Ok(v.and_then(|s| s.parse().ok()))
    }

    fn check_version(&self) -> Result<Option<i64>> {
        let v = Self::stored_version(&self.conn)?;
        if let Some(found) = v {
            if found > SCHEMA_VERSION {
                return Err(Error::NewerSchema { path: self.path.clone(), found, supported: SCHEMA_VERSION });
            }
        }
        Ok(v)
    }

    /// Creates missing tables and rebuilds every table whose definition changed (its DDL hash
    /// differs from the one recorded): derived tables are recomputed by the engine (their
    /// definition is part of every partition's fingerprint), and a rebuilt raw table loses
    /// its ingest record so the next ingest reloads it. Until the first release, changes
    /// stay within schema version 1 this way.
    fn migrate(&mut self) -> Result<()> {
        self.check_version()?;
        let tx = self.transaction()?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS warehouse_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
        )?;
        let mut rebuilt_raw = Vec::new();
        for t in schema::ALL_TABLES {
            let ddl = t.ddl();
            let hash = crate::hash::hash_row(&[Value::Text(ddl.clone())]);
            let key = format!("ddl:{}", t.name);
            let stored: Option<String> = tx
                .query_row("SELECT value FROM warehouse_meta WHERE key = ?1", [&key], |r| r.get(0))
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })?;
            if stored.as_deref() == Some(hash.as_str()) {
                continue;
            }
            // Recorded by a release that hashed with SHA-256: the same definition keeps its
            // table (only the hash is rewritten). Its rows are recomputed anyway, since every
            // partition's fingerprint changes with the hash function.
            if stored.as_deref() == Some(legacy_ddl_hash(&ddl).as_str()) {
                tx.execute("UPDATE warehouse_meta SET value = ?2 WHERE key = ?1", [&key, &hash])?;
                continue;
            }
            if stored.is_some() {
                tx.execute_batch(&format!("DROP TABLE IF EXISTS {};", t.name))?;
                if t.layer == "raw" {
                    rebuilt_raw.push(t.name);
                }
                // Without its partition records, every raw table must be read again.
                if t.name == schema::INGEST_PARTITIONS.name {
                    rebuilt_raw
                        .extend(schema::ALL_TABLES.iter().filter(|t| t.layer == "raw").map(|t| t.name));
                }
            }
            tx.execute_batch(&ddl)?;
            tx.execute(
                "INSERT INTO warehouse_meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [&key, &hash],
            )?;
        }
        for t in rebuilt_raw {
            tx.execute("DELETE FROM ingest_files WHERE table_name = ?1", [t])?;
            tx.execute("DELETE FROM ingest_partitions WHERE table_name = ?1", [t])?;
        }
        tx.execute(
            "INSERT INTO warehouse_meta (key, value) VALUES ('schema_version', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [SCHEMA_VERSION.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The hash of a table's definition (part of the fingerprint of every partition written
    /// to it).
    pub fn ddl_hash(table: &TableDef) -> String {
        crate::hash::hash_row(&[Value::Text(table.ddl())])
    }

    /// Runs one SQL statement and returns its rows.
    pub fn query(&self, sql: &str, params: &[Value]) -> Result<QueryResult> {
        let mut stmt = self.conn.prepare(sql)?;
        let columns: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
        let n = columns.len();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params.iter()), |r| {
                (0..n).map(|i| r.get::<_, Value>(i)).collect::<rusqlite::Result<Vec<_>>>()
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(QueryResult { columns, rows })
    }

    /// Canonical content hash of a whole table (rows ordered by every column): two warehouses
    /// with equal hashes hold the same rows.
    pub fn table_hash(&self, table: &str) -> Result<String> {
        let def = schema::table(table).ok_or_else(|| Error::UnknownTable(table.to_string()))?;
        let cols: Vec<&str> = def.columns.iter().map(|c| c.name).collect();
        let sql = format!("SELECT {0} FROM {1} ORDER BY {0}", cols.join(", "), def.name);
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        let mut h = RowHasher::new();
        let mut buf = Vec::with_capacity(cols.len());
        while let Some(r) = rows.next()? {
            buf.clear();
            for i in 0..cols.len() {
                buf.push(r.get::<_, Value>(i)?);
            }
            h.row(&buf);
        }
        Ok(h.finish())
    }

    /// Number of rows in a table.
    pub fn count(&self, table: &str) -> Result<i64> {
        let def = schema::table(table).ok_or_else(|| Error::UnknownTable(table.to_string()))?;
        Ok(self.conn.query_row(&format!("SELECT count(*) FROM {}", def.name), [], |r| r.get(0))?)
    }
}

/// A table definition's hash as releases before session 8 recorded it: SHA-256 of the row
/// encoding of the DDL text (a text tag, its length, the bytes, an end mark).
fn legacy_ddl_hash(ddl: &str) -> String {
    use sha2::Digest;
    let mut sha = sha2::Sha256::new();
    sha.update([3u8]);
    sha.update((ddl.len() as u64).to_le_bytes());
    sha.update(ddl.as_bytes());
    sha.update([0xffu8]);
    format!("{:x}", sha.finalize())
}

/// Inserts rows (values in the table's column order) with one statement prepared for the
/// call; a writer inserting many batches into one table keeps an [`Inserter`] instead.
pub fn insert_rows<'a>(
    tx: &Transaction<'_>,
    table: &TableDef,
    rows: impl IntoIterator<Item = &'a [Value]>,
) -> Result<usize> {
    Inserter::new(tx, table)?.insert(rows)
}

/// Deletes one partition of a table (`None` for a table partitioned as a whole).
pub fn delete_partition(tx: &Transaction<'_>, table: &TableDef, partition: Option<&str>) -> Result<usize> {
    Ok(match (table.partition_column(), partition) {
        (Some(col), Some(p)) => {
            tx.prepare_cached(&format!("DELETE FROM {} WHERE {col} = ?1", table.name))?.execute([p])?
        }
        _ => tx.execute(&format!("DELETE FROM {}", table.name), [])?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table `t` of 5,000 rows of about 200 bytes.
    const FILL: &str = "CREATE TABLE t (x INTEGER, pad TEXT);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
         INSERT INTO t SELECT i, printf('%0200d', i) FROM n;";

    /// A new warehouse `w.sqlite` in a new directory (kept alive by the returned guard).
    fn fresh() -> (tempfile::TempDir, Warehouse) {
        let dir = tempfile::tempdir().expect("tempdir");
        let wh = Warehouse::open(&dir.path().join("w.sqlite")).expect("open");
        (dir, wh)
    }

    #[test]
    fn a_load_without_the_wal_writes_no_log_returns_to_it_and_rolls_back_on_failure() {
        let (dir, mut wh) = fresh();
        let wal = dir.path().join("w.sqlite-wal");
        let mode = |wh: &Warehouse| -> String {
            wh.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("mode")
        };
        wh.without_wal(|wh| {
            assert_eq!(mode(wh), "truncate");
            let tx = wh.transaction()?;
            tx.execute_batch(FILL)?;
            tx.commit()?;
            // The rows went into the file itself, not into a log.
            assert!(std::fs::metadata(&wal).map_or(true, |m| m.len() == 0));
            Ok::<_, Error>(())
        })
        .expect("load");
        assert_eq!(mode(&wh), "wal");
        // A failing load leaves the file as it was, and the WAL back on.
        let failed = wh.without_wal(|wh| {
            let tx = wh.transaction()?;
            tx.execute("DELETE FROM t", [])?;
            Err::<(), Error>(Error::UnknownTable("no such table".into()))
        });
        assert!(failed.is_err());
        assert_eq!(mode(&wh), "wal");
        let n: i64 = wh.conn().query_row("SELECT count(*) FROM t", [], |r| r.get(0)).expect("count");
        assert_eq!(n, 5000);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn unsynced_writes_leave_a_marker_only_while_they_run_and_a_lost_boot_is_checked() {
        let (dir, mut wh) = fresh();
        let p = dir.path().join("w.sqlite");
        let marker = dir.path().join("w.sqlite.unsynced");
        let fill = |wh: &mut Warehouse| -> Result<()> {
            assert!(std::fs::read_to_string(&marker).expect("marker").contains("run-1"));
            // A nested scope neither rewrites nor removes the marker.
            wh.write_unsynced("inner", |wh| {
                wh.conn().execute_batch(FILL)?;
                Ok::<_, Error>(())
            })?;
            assert!(!std::fs::read_to_string(&marker).expect("marker").contains("inner"));
            Ok(())
        };
        wh.write_unsynced("run-1", fill).expect("unsynced run");
        assert!(!marker.exists(), "a run that ends syncs and removes its marker");
        assert_eq!(wh.recover_unsynced().expect("recover"), Unsynced::Clean);
        let n: i64 = wh.conn().query_row("SELECT count(*) FROM t", [], |r| r.get(0)).expect("count");
        assert_eq!(n, 5000);

        // The process died: same boot, the writes are in the system's cache.
        let boot = boot_id().expect("boot id");
        std::fs::write(&marker, format!("{boot}\nrun-2\n")).expect("marker");
        assert_eq!(wh.recover_unsynced().expect("recover"), Unsynced::ProcessDied);
        assert!(!marker.exists());

        // The machine went down: the file is checked, the runs are named, the caller repairs.
        std::fs::write(&marker, "another-boot\nrun-3\nrun-4\n").expect("marker");
        assert_eq!(
            wh.recover_unsynced().expect("recover"),
            Unsynced::MachineDown { runs: vec!["run-3".into(), "run-4".into()] }
        );
        wh.forget_unsynced().expect("forget");
        assert!(!marker.exists());

        // The machine went down and left a damaged file: the integrity check says so.
        wh.conn().query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).expect("checkpoint");
        drop(wh);
        let mut bytes = std::fs::read(&p).expect("read");
        let n = bytes.len();
        // Garbage over the table's last pages (page 1, the schema, stays readable).
        bytes[n - 3 * 65_536..].iter_mut().enumerate().for_each(|(i, b)| *b = (i % 251) as u8);
        std::fs::write(&p, bytes).expect("write");
        std::fs::write(&marker, "another-boot\nrun-5\n").expect("marker");
        let mut wh = Warehouse::open(&p).expect("open");
        let err = wh.recover_unsynced().expect_err("damaged");
        assert!(matches!(err, Error::Damaged { .. }), "{err}");
        assert!(marker.exists(), "a damaged file keeps its marker");
    }

    #[test]
    fn a_definition_hashed_by_an_earlier_release_keeps_its_table() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("w.sqlite");
        let ddl = schema::GAME_DATES.ddl();
        {
            let wh = Warehouse::open(&p).expect("open");
            wh.conn()
                .execute(
                    "INSERT INTO game_dates VALUES ('2024-10-22', '2024-25', 2024, 2, 2, 0, 0, 0, 0, 1)",
                    [],
                )
                .expect("insert");
            // As a release before session 8 recorded it (SHA-256 of the encoded DDL).
            wh.conn()
                .execute(
                    "UPDATE warehouse_meta SET value = ?1 WHERE key = 'ddl:game_dates'",
                    [legacy_ddl_hash(&ddl)],
                )
                .expect("legacy hash");
        }
        let wh = Warehouse::open(&p).expect("reopen");
        assert_eq!(wh.count("game_dates").expect("count"), 1, "the table was kept");
        let stored: String = wh
            .conn()
            .query_row("SELECT value FROM warehouse_meta WHERE key = 'ddl:game_dates'", [], |r| r.get(0))
            .expect("meta");
        assert_eq!(stored, Warehouse::ddl_hash(&schema::GAME_DATES), "and its hash rewritten");
        // A definition that really changed is still rebuilt.
        wh.conn()
            .execute("UPDATE warehouse_meta SET value = 'other' WHERE key = 'ddl:game_dates'", [])
            .expect("x");
        drop(wh);
        let wh = Warehouse::open(&p).expect("reopen");
        assert_eq!(wh.count("game_dates").expect("count"), 0);
    }

    #[test]
    fn refuses_newer_schema() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("w.sqlite");
        {
            let wh = Warehouse::open(&p).expect("open");
            wh.conn()
                .execute("UPDATE warehouse_meta SET value = '99' WHERE key = 'schema_version'", [])
                .expect("update");
        }
        let err = Warehouse::open(&p).err().expect("must refuse");
        let msg = err.to_string();
        assert!(msg.contains("schema version 99"), "{msg}");
        assert!(msg.contains("newer"), "{msg}");
    }

    #[test]
    fn partition_rewrite_and_hash() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut wh = Warehouse::open(&dir.path().join("w.sqlite")).expect("open");
        let def = &schema::SEASON_CALENDAR;
        let row: Vec<Value> = def
            .columns
            .iter()
            .map(|c| match c.ty {
                schema::ColType::Int => Value::Integer(1),
                _ => Value::Text("2024-25".into()),
            })
            .collect();
        let empty = wh.table_hash(def.name).expect("hash");
        let tx = wh.transaction().expect("tx");
        insert_rows(&tx, def, [row.as_slice()]).expect("insert");
        tx.commit().expect("commit");
        assert_eq!(wh.count(def.name).expect("count"), 1);
        let full = wh.table_hash(def.name).expect("hash");
        assert_ne!(empty, full);
        let tx = wh.transaction().expect("tx");
        delete_partition(&tx, def, None).expect("delete");
        tx.commit().expect("commit");
        assert_eq!(wh.table_hash(def.name).expect("hash"), empty);
    }
}
