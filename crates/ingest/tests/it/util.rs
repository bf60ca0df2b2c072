//! Helpers: the bundled data directory, small data sets cut from it, table fingerprints.

use flate2::write::GzEncoder;
use propcast_store::Warehouse;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The repository's bundled data set.
pub fn bundled() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/nba")
}

/// Reads a gzip CSV file as text.
pub fn read_gz(path: &Path) -> String {
    let mut s = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap()).read_to_string(&mut s).unwrap();
    s
}

/// Writes text as a gzip file.
pub fn write_gz(path: &Path, text: &str) {
    let mut e = GzEncoder::new(std::fs::File::create(path).unwrap(), flate2::Compression::fast());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap();
}

/// A small data set: every table of the bundled one cut to games before `until`
/// (season tables and the crosswalk are kept whole).
pub fn small_dataset(dir: &Path, until: &str) {
    window_dataset(dir, "", until);
}

/// The bundled files with only the dated rows in `[since, until)` (undated files whole).
pub fn window_dataset(dir: &Path, since: &str, until: &str) {
    for entry in std::fs::read_dir(bundled()).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".csv.gz") {
            continue;
        }
        let text = read_gz(&p);
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let cols: Vec<&str> = header.split(',').collect();
        let di = cols.iter().position(|c| *c == "game_date");
        let mut out = String::from(header);
        out.push('\n');
        for l in lines {
            let keep = match di {
                // game_date is always before any quoted field in these files.
                Some(i) => l.split(',').nth(i).is_some_and(|d| !d.is_empty() && d >= since && d < until),
                None => true,
            };
            if keep {
                out.push_str(l);
                out.push('\n');
            }
        }
        write_gz(&dir.join(&name), &out);
    }
}

/// Rewrites one table file through the CSV parser: `f` gets the header and the records.
pub fn edit_csv(dir: &Path, table: &str, f: impl FnOnce(&mut Vec<String>, &mut Vec<Vec<String>>)) {
    let p = dir.join(format!("{table}.csv.gz"));
    let text = read_gz(&p);
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let mut header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let mut rows: Vec<Vec<String>> =
        rdr.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    f(&mut header, &mut rows);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).unwrap();
    for r in rows {
        w.write_record(&r).unwrap();
    }
    write_gz(&p, &String::from_utf8(w.into_inner().unwrap()).unwrap());
}

/// The index of a column in a header.
pub fn col(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

/// Content hashes of every raw and reference table plus the ingest bookkeeping.
pub fn fingerprint(wh: &Warehouse) -> Vec<(String, String)> {
    propcast_core::schema::ALL_TABLES
        .iter()
        .map(|t| (t.name.to_string(), wh.table_hash(t.name).unwrap()))
        .collect()
}
