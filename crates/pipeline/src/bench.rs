//! Helpers for `propcast bench`: process accounting from Linux `/proc`, and a copy of the
//! data set without its last date (so that adding it back is a one-date incremental update).

use crate::error::{Error, Result};
use std::io::{Read, Write};
use std::path::Path;

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
