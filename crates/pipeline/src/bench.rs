//! Helpers for `propcast bench`: process accounting from Linux `/proc`, a copy of the data
//! set without its last date (so that adding it back is a one-date incremental update), and
//! the write floor: what SQLite alone takes to write what phases 2-4 wrote.

use crate::error::{Error, Result};
use propcast_core::schema::ALL_TABLES;
use propcast_store::Warehouse;
use std::io::{Read, Write};
use std::path::Path;

/// The layers whose tables phases 2-4 write (the ingest's raw and reference tables, the
/// analytics and the precompute tables).
const PHASE_2_4_LAYERS: [&str; 4] = ["raw", "reference", "analytics", "precompute"];

/// The write floor, seconds: an empty warehouse at `scratch` (same definitions and settings
/// as every warehouse, written without syncs as the pipeline writes) is filled with the rows
/// of the phase 2-4 tables of the warehouse `built`, one `INSERT … SELECT` per table and
/// transaction, then checkpointed. No parsing, computing or binding: only SQLite's b-trees,
/// WAL and checkpoint, on one thread, as the pipeline's single writer. No build of phases
/// 2-4 can write its rows faster than this on the machine (docs/decisions.md, "Phases 2-4
/// under 10 s").
pub fn write_floor(built: &Path, scratch: &Path) -> Result<f64> {
    // A new file: every table starts empty.
    let mut wh = Warehouse::open(scratch)?;
    // Without syncs, as the pipeline writes (the closing sync is not timed, as the pipeline's
    // comes at the end of its run).
    wh.write_unsynced("write floor", |wh| -> Result<f64> {
        let t0 = std::time::Instant::now();
        wh.conn().execute("ATTACH DATABASE ?1 AS built", [built.to_string_lossy()])?;
        for t in ALL_TABLES.iter().filter(|t| PHASE_2_4_LAYERS.contains(&t.layer)) {
            let cols = t.columns.iter().map(|c| c.name).collect::<Vec<_>>().join(", ");
            let tx = wh.transaction()?;
            tx.execute(
                &format!("INSERT INTO main.{0} ({cols}) SELECT {cols} FROM built.{0} ORDER BY rowid", t.name),
                [],
            )?;
            tx.commit()?;
        }
        wh.conn().execute("DETACH DATABASE built", [])?;
        wh.conn().query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(t0.elapsed().as_secs_f64())
    })
}

/// This process's CPU time so far, seconds (user + system; `/proc/self/stat`, Linux).
pub fn process_cpu_seconds() -> f64 {
    // utime and stime are fields 14 and 15 of /proc/self/stat, in clock ticks (100 per second
    // on Linux).
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = s.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let t = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (t(11) + t(12)) / 100.0
}

/// This process's peak resident set size so far, MiB (`VmHWM` in `/proc/self/status`).
pub fn process_peak_rss_mib() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The last game date of a data set's schedule.
pub fn last_date(data_dir: &Path) -> Result<String> {
    let p = data_dir.join("schedule.csv.gz");
    let mut s = String::new();
    flate2::read::GzDecoder::new(
        std::fs::File::open(&p).map_err(|source| Error::Io { path: p.clone(), source })?,
    )
    .read_to_string(&mut s)
    .map_err(|source| Error::Io { path: p.clone(), source })?;
    let mut rdr = csv::Reader::from_reader(s.as_bytes());
    let di = rdr.headers().map_err(|e| Error::Graph(e.to_string()))?.iter().position(|h| h == "game_date");
    rdr.records()
        .filter_map(|r| r.ok().and_then(|r| di.and_then(|i| r.get(i).map(str::to_string))))
        .max()
        .ok_or_else(|| Error::Graph("empty schedule".into()))
}

/// Copies the data set's `.csv.gz` files from `src` to `dst`, dropping every row dated `last`
/// or later (tables without `game_date` are copied whole). The rows kept are copied byte for
/// byte, as a source that later adds a date would have written them. Used by the benchmark
/// and tests.
pub fn copy_dataset_before(src: &Path, dst: &Path, last: &str) -> Result<()> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path: path.clone(), source }
    };
    std::fs::create_dir_all(dst).map_err(io(dst))?;
    for entry in std::fs::read_dir(src).map_err(io(src))? {
        let p = entry.map_err(io(src))?.path();
        let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        if !name.ends_with(".csv.gz") {
            continue;
        }
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&p).map_err(io(&p))?)
            .read_to_end(&mut text)
            .map_err(io(&p))?;
        let out_path = dst.join(&name);
        // The ingest's scan groups the records by date without parsing them; a file without
        // `game_date` (or one it cannot scan) is copied whole.
        let Some(scan) = propcast_ingest::Scan::new(text, "game_date", |d| Some(d.to_string())) else {
            std::fs::copy(&p, &out_path).map_err(io(&out_path))?;
            continue;
        };
        let mut kept: Vec<&propcast_ingest::Record> = scan
            .groups
            .iter()
            .filter(|(d, _)| d.as_str() < last)
            .flat_map(|(_, recs)| recs)
            .chain(&scan.unkeyed)
            .collect();
        kept.sort_by_key(|r| r.line);
        let mut w = flate2::write::GzEncoder::new(
            std::fs::File::create(&out_path).map_err(io(&out_path))?,
            flate2::Compression::fast(),
        );
        for span in std::iter::once(&scan.header).chain(kept.iter().map(|r| &r.span)) {
            w.write_all(&scan.text[span.clone()]).map_err(io(&out_path))?;
        }
        w.finish().map_err(io(&out_path))?.flush().map_err(io(&out_path))?;
    }
    Ok(())
}
