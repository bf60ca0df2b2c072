//! Helpers shared by the pipeline tests.

use flate2::write::GzEncoder;
use propcast_store::{Value, Warehouse};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The repository's bundled data set.
pub fn bundled() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/nba")
}

fn read_gz(path: &Path) -> String {
    let mut s = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap()).read_to_string(&mut s).unwrap();
    s
}

fn write_gz(path: &Path, text: &str) {
    let mut e = GzEncoder::new(std::fs::File::create(path).unwrap(), flate2::Compression::fast());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap();
}

/// Copies the bundled data set, keeping only games dated before `until`, and applying `edit`
/// to each table's records (header, rows).
pub fn dataset(dir: &Path, until: &str, mut edit: impl FnMut(&str, &[String], &mut Vec<Vec<String>>)) {
    for entry in std::fs::read_dir(bundled()).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let Some(table) = name.strip_suffix(".csv.gz") else { continue };
        let text = read_gz(&p);
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
        let di = header.iter().position(|h| h == "game_date");
        let mut rows: Vec<Vec<String>> = rdr
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect::<Vec<_>>())
            .filter(|r: &Vec<String>| di.is_none_or(|i| !r[i].is_empty() && r[i].as_str() < until))
            .collect();
        edit(table, &header, &mut rows);
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&header).unwrap();
        for r in rows {
            w.write_record(&r).unwrap();
        }
        write_gz(&dir.join(&name), &String::from_utf8(w.into_inner().unwrap()).unwrap());
    }
}

/// The index of a column in a header.
pub fn col(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

/// All rows of a query.
pub fn rows(wh: &Warehouse, sql: &str) -> Vec<Vec<Value>> {
    wh.query(sql, &[]).unwrap().rows
}

/// Content hash of every table.
pub fn fingerprint(wh: &Warehouse) -> Vec<(String, String)> {
    propcast_core::schema::ALL_TABLES
        .iter()
        .filter(|t| {
            !matches!(
                t.name,
                "runs" | "asset_partitions" | "partition_runs" | "check_results" | "ingest_files"
            )
        })
        .map(|t| (t.name.to_string(), wh.table_hash(t.name).unwrap()))
        .collect()
}

/// Copies the bundled data set keeping only games dated in `[from, until)`.
pub fn dataset_between(dir: &Path, from: &str, until: &str) {
    dataset(dir, until, |_, h, rows| {
        if let Some(i) = h.iter().position(|c| c == "game_date") {
            rows.retain(|r| r[i].as_str() >= from);
        }
    });
}
