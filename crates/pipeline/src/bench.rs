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
        // Each record's start (byte offset) and whether it is kept; a record's bytes run to the
        // next record's start.
        let mut rdr =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_slice());
        let mut rec = csv::ByteRecord::new();
        let mut starts: Vec<(usize, bool)> = Vec::new();
        let mut date_col = None;
        while rdr.read_byte_record(&mut rec).map_err(|e| Error::Graph(format!("{}: {e}", p.display())))? {
            let start = rec.position().map_or(0, |x| x.byte() as usize);
            if starts.is_empty() {
                date_col = rec.iter().position(|h| h == b"game_date");
                starts.push((start, true));
                continue;
            }
            let date = date_col.and_then(|i| rec.get(i)).unwrap_or_default();
            starts.push((start, date.is_empty() || date < last.as_bytes()));
        }
        let out_path = dst.join(&name);
        let mut w = flate2::write::GzEncoder::new(
            std::fs::File::create(&out_path).map_err(io(&out_path))?,
            flate2::Compression::fast(),
        );
        let ends = starts.iter().skip(1).map(|s| s.0).chain([text.len()]);
        for ((start, keep), end) in starts.iter().zip(ends) {
            if *keep {
                w.write_all(&text[*start..end]).map_err(io(&out_path))?;
            }
        }
        w.finish().map_err(io(&out_path))?.flush().map_err(io(&out_path))?;
    }
    Ok(())
}
