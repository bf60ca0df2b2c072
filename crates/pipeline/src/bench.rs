//! `propcast bench`: a full backfill of every asset over the data set into an empty home,
//! then a one-date incremental update, with wall time, CPU time, peak RSS and partitions per
//! second (Linux `/proc` accounting of this process).

use crate::engine::NoProgress;
use crate::error::{Error, Result};
use crate::home::Home;
use crate::up::{up, UpReport};
use serde::Serialize;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One measured phase.
#[derive(Debug, Clone, Serialize)]
pub struct Measure {
    /// What was measured.
    pub what: String,
    /// Wall-clock seconds.
    pub wall_s: f64,
    /// User + system CPU seconds of this process.
    pub cpu_s: f64,
    /// Peak resident set size during the phase, MiB.
    pub peak_rss_mib: f64,
    /// Asset partitions computed or skipped.
    pub partitions: usize,
    /// Partitions per wall second.
    pub partitions_per_s: f64,
    /// Raw partitions ingested.
    pub raw_partitions: usize,
}

fn cpu_seconds() -> f64 {
    // utime and stime are fields 14 and 15 of /proc/self/stat, in clock ticks (100 per second
    // on Linux).
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = s.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let t = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (t(11) + t(12)) / 100.0
}

fn peak_rss_mib() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn reset_peak_rss() {
    // Writing 5 to clear_refs resets VmHWM (Linux 4.0+); harmless where unsupported.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn measure(what: &str, f: impl FnOnce() -> Result<UpReport>) -> Result<Measure> {
    reset_peak_rss();
    let (c0, t0) = (cpu_seconds(), Instant::now());
    let r = f()?;
    let wall = t0.elapsed().as_secs_f64();
    let partitions: usize = r.backfill.assets.iter().map(|a| a.computed + a.skipped + a.failed).sum();
    Ok(Measure {
        what: what.to_string(),
        wall_s: wall,
        cpu_s: cpu_seconds() - c0,
        peak_rss_mib: peak_rss_mib(),
        partitions,
        partitions_per_s: partitions as f64 / wall,
        raw_partitions: r.ingest.tables.iter().map(|t| t.partitions_written).sum(),
    })
}

/// Copies the data set's `.csv.gz` files from `src` to `dst`, dropping every row dated `last`
/// or later (tables without `game_date` are copied whole). Used by the benchmark and tests.
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
        let mut text = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&p).map_err(io(&p))?)
            .read_to_string(&mut text)
            .map_err(io(&p))?;
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let header = rdr.headers().map_err(|e| Error::Graph(e.to_string()))?.clone();
        let di = header.iter().position(|h| h == "game_date");
        let out_path = dst.join(&name);
        let mut w = csv::Writer::from_writer(flate2::write::GzEncoder::new(
            std::fs::File::create(&out_path).map_err(io(&out_path))?,
            flate2::Compression::fast(),
        ));
        w.write_record(&header).map_err(|e| Error::Graph(e.to_string()))?;
        for rec in rdr.records() {
            let rec = rec.map_err(|e| Error::Graph(e.to_string()))?;
            if di.is_some_and(|i| rec.get(i).is_some_and(|d| !d.is_empty() && d >= last)) {
                continue;
            }
            w.write_record(&rec).map_err(|e| Error::Graph(e.to_string()))?;
        }
        let enc = w.into_inner().map_err(|e| Error::Graph(e.to_string()))?;
        enc.finish().map_err(io(&out_path))?.flush().map_err(io(&out_path))?;
    }
    Ok(())
}

/// Runs the benchmark in a scratch directory under `scratch` (removed afterwards).
pub fn bench(data_dir: &Path, scratch: &Path, workers: usize) -> Result<Vec<Measure>> {
    let root: PathBuf = scratch.join(format!("propcast-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let result = (|| {
        // The last date of the data set: the incremental update adds it.
        let sched = {
            let mut s = String::new();
            let p = data_dir.join("schedule.csv.gz");
            flate2::read::GzDecoder::new(
                std::fs::File::open(&p).map_err(|source| Error::Io { path: p.clone(), source })?,
            )
            .read_to_string(&mut s)
            .map_err(|source| Error::Io { path: p.clone(), source })?;
            s
        };
        let mut rdr = csv::Reader::from_reader(sched.as_bytes());
        let di =
            rdr.headers().map_err(|e| Error::Graph(e.to_string()))?.iter().position(|h| h == "game_date");
        let last = rdr
            .records()
            .filter_map(|r| r.ok().and_then(|r| di.and_then(|i| r.get(i).map(str::to_string))))
            .max()
            .ok_or_else(|| Error::Graph("empty schedule".into()))?;
        let partial = root.join("data-without-last-date");
        copy_dataset_before(data_dir, &partial, &last)?;
        let home = Home::new(root.join("home"));
        let full = measure(&format!("full: ingest + backfill of every asset, dates before {last}"), || {
            up(&home, &partial, workers, &NoProgress)
        })?;
        let incr = measure(&format!("incremental: ingest + backfill of one new date ({last})"), || {
            up(&home, data_dir, workers, &NoProgress)
        })?;
        let noop =
            measure("no-op: second up, nothing changed", || up(&home, data_dir, workers, &NoProgress))?;
        Ok(vec![full, incr, noop])
    })();
    let _ = std::fs::remove_dir_all(&root);
    result
}
