//! Reading one data-set file: gzip or plain CSV, header mapped, every field located.

use crate::error::{Error, Location, Problem, Result};
use rustc_hash::FxHashMap as HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A file's bytes as stored (compressed or not) and their SHA-256: read once, both to decide
/// whether it changed and, if so, to parse it.
pub struct RawFile {
    /// The path read.
    pub path: PathBuf,
    /// The bytes as stored.
    pub bytes: Vec<u8>,
    /// SHA-256 of the bytes (as `sha256sum` prints it).
    pub sha256: String,
}

impl RawFile {
    /// Reads a file and hashes it.
    pub fn load(path: &Path) -> Result<RawFile> {
        let bytes = std::fs::read(path).map_err(|e| Error::Input {
            location: Location { file: path.to_path_buf(), line: 0, column: None },
            problem: Problem::Unreadable(e.to_string()),
        })?;
        use sha2::Digest;
        let sha256 = format!("{:x}", sha2::Sha256::digest(&bytes));
        Ok(RawFile { path: path.to_path_buf(), bytes, sha256 })
    }

    /// The file's text: the bytes, gunzipped if the file is `.gz`.
    pub fn text(&self) -> Result<std::borrow::Cow<'_, [u8]>> {
        if self.path.extension().is_none_or(|e| e != "gz") {
            return Ok(std::borrow::Cow::Borrowed(&self.bytes));
        }
        let mut out = Vec::with_capacity(self.bytes.len() * 6);
        flate2::read::GzDecoder::new(self.bytes.as_slice()).read_to_end(&mut out).map_err(|e| {
            Error::Input {
                location: Location { file: self.path.clone(), line: 0, column: None },
                problem: Problem::Unreadable(format!("gzip: {e}")),
            }
        })?;
        Ok(std::borrow::Cow::Owned(out))
    }
}

/// `s.trim()`, without decoding characters when both ends are visible ASCII (nearly every
/// field: the trim ran on each of the data set's 20 million fields).
fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// A header field as the ingest names it: trimmed, without a byte-order mark.
fn header_name(h: &str) -> String {
    h.trim().trim_start_matches('\u{feff}').to_string()
}

/// One record of a file, located but not parsed.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based line of its first byte (header = 1).
    pub line: u64,
    /// Its bytes in [`Scan::text`], line end included.
    pub span: std::ops::Range<usize>,
}

/// A file's records grouped by the value of one column (a partition key such as
/// `game_date`) without parsing them: the cheap first look that lets an ingest parse only the
/// partitions whose lines changed.
pub struct Scan {
    /// The file's text.
    pub text: Vec<u8>,
    /// The header line.
    pub header: std::ops::Range<usize>,
    /// Records by key (a value `key` accepted), in file order within each key.
    pub groups: std::collections::BTreeMap<String, Vec<Record>>,
    /// Records whose key is empty or not accepted by `key` (the full parse reports or places
    /// them).
    pub unkeyed: Vec<Record>,
}

impl Scan {
    /// Groups the records of `text` by `column`, normalized by `key` (`None` = unkeyed).
    /// Files without a quote character are split by lines (one record a line); others go
    /// through the CSV reader for record boundaries. `None` when the header has no `column`.
    pub fn new(text: Vec<u8>, column: &str, key: impl Fn(&str) -> Option<String>) -> Option<Scan> {
        let mut groups = Grouper { key, groups: Default::default(), unkeyed: Vec::new(), run: None };
        let mut put =
            |line: u64, span: std::ops::Range<usize>, field: Option<&[u8]>| groups.put(line, span, field);
        let header_end = text.iter().position(|b| *b == b'\n').map_or(text.len(), |i| i + 1);
        // The header as the parse proper reads it (same reader, same clean-up).
        let header = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&text[..header_end])
            .records()
            .next()?
            .ok()?;
        let names: Vec<String> = header.iter().map(header_name).collect();
        let col = names.iter().position(|n| n == column)?;
        if !text.contains(&b'"') {
            let (mut start, mut line) = (header_end, 2u64);
            while start < text.len() {
                let end =
                    text[start..].iter().position(|b| *b == b'\n').map_or(text.len(), |i| start + i + 1);
                let body = &text[start..end];
                if !body.iter().all(|b| b.is_ascii_whitespace()) {
                    put(line, start..end, body.split(|b| *b == b',').nth(col));
                }
                start = end;
                line += 1;
            }
        } else {
            // Record starts from the CSV reader; a record runs to the next one's start.
            let mut rdr =
                csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_slice());
            let mut rec = csv::ByteRecord::new();
            let mut found: Vec<(u64, usize, Option<Vec<u8>>)> = Vec::new();
            // A malformed file gets no scan: the parse proper reports it with its line.
            while rdr.read_byte_record(&mut rec).ok()? {
                let pos = rec.position()?;
                found.push((pos.line(), pos.byte() as usize, rec.get(col).map(<[u8]>::to_vec)));
            }
            let ends: Vec<usize> = found.iter().skip(1).map(|f| f.1).chain([text.len()]).collect();
            for ((line, start, field), end) in found.into_iter().zip(ends).skip(1) {
                put(line, start..end, field.as_deref());
            }
        }
        groups.flush();
        Some(Scan { text, header: 0..header_end, groups: groups.groups, unkeyed: groups.unkeyed })
    }
}

/// Groups records by key. Records come in runs of the same raw field (a file is mostly in
/// date order), so a run is keyed and filed once, not each record.
struct Grouper<K> {
    key: K,
    groups: std::collections::BTreeMap<String, Vec<Record>>,
    unkeyed: Vec<Record>,
    /// The current run: its raw field and records.
    run: Option<(Vec<u8>, Vec<Record>)>,
}

impl<K: Fn(&str) -> Option<String>> Grouper<K> {
    fn put(&mut self, line: u64, span: std::ops::Range<usize>, field: Option<&[u8]>) {
        let field = field.unwrap_or_default();
        match &mut self.run {
            Some((f, recs)) if f.as_slice() == field => recs.push(Record { line, span }),
            _ => {
                self.flush();
                self.run = Some((field.to_vec(), vec![Record { line, span }]));
            }
        }
    }

    fn flush(&mut self) {
        let Some((field, recs)) = self.run.take() else { return };
        let k = std::str::from_utf8(&field).ok().map(str::trim).filter(|f| !f.is_empty());
        match k.and_then(&self.key) {
            Some(k) => self.groups.entry(k).or_default().extend(recs),
            None => self.unkeyed.extend(recs),
        }
    }
}

/// A whole CSV file read into memory, with its header and its content hash.
pub struct CsvFile {
    /// The path read.
    pub path: PathBuf,
    /// SHA-256 of the file's bytes (as stored, compressed or not).
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    headers: Vec<String>,
    index: HashMap<String, usize>,
    records: Vec<(u64, csv::StringRecord)>,
}

impl CsvFile {
    /// The file for `table` in `dir`: `<table>.csv.gz`, else `<table>.csv`, else `None`.
    pub fn find(dir: &Path, table: &str) -> Option<PathBuf> {
        [format!("{table}.csv.gz"), format!("{table}.csv")]
            .into_iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file())
    }

    /// Reads and parses the whole file. A truncated gzip, bad UTF-8 or a row with the wrong
    /// number of fields is an error naming the file and line.
    pub fn read(path: &Path) -> Result<CsvFile> {
        Self::parse(RawFile::load(path)?)
    }

    /// Parses a file already read (and hashed).
    pub fn parse(file: RawFile) -> Result<CsvFile> {
        Self::parse_text(&file, &file.text()?)
    }

    /// Parses a file's text (gunzipped already).
    pub fn parse_text(file: &RawFile, text: &[u8]) -> Result<CsvFile> {
        Self::from_text(file.path.clone(), file.sha256.clone(), file.bytes.len() as u64, text, None)
    }

    /// Parses only some records of a file: its header and the given records (each with its
    /// line in the file, as [`Scan`] found them). Lines in rows and errors are the file's.
    pub fn parse_records(file: &RawFile, scan: &Scan, records: &[Record]) -> Result<CsvFile> {
        let mut buf =
            Vec::with_capacity(scan.header.len() + records.iter().map(|r| r.span.len() + 1).sum::<usize>());
        for span in std::iter::once(&scan.header).chain(records.iter().map(|r| &r.span)) {
            buf.extend_from_slice(&scan.text[span.clone()]);
            if buf.last() != Some(&b'\n') {
                buf.push(b'\n');
            }
        }
        let lines: Vec<u64> = records.iter().map(|r| r.line).collect();
        Self::from_text(file.path.clone(), file.sha256.clone(), file.bytes.len() as u64, &buf, Some(&lines))
    }

    /// Parses CSV text; `lines`, when given, are the file lines of the text's records in order.
    fn from_text(
        path: PathBuf,
        sha256: String,
        bytes: u64,
        text: &[u8],
        lines: Option<&[u64]>,
    ) -> Result<CsvFile> {
        let at = |line: u64, problem: Problem| Error::Input {
            location: Location { file: path.clone(), line, column: None },
            problem,
        };
        let line_of = |i: usize, csv_line: u64| lines.map_or(csv_line, |l| l.get(i).copied().unwrap_or(0));
        let mut rdr = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(text);
        let headers: Vec<String> = rdr
            .headers()
            .map_err(|e| at(1, Problem::Malformed(e.to_string())))?
            .iter()
            .map(header_name)
            .collect();
        let index = headers.iter().enumerate().map(|(i, h)| (h.clone(), i)).collect();
        let mut records = Vec::with_capacity(lines.map_or(0, <[u64]>::len));
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                let line = line_of(records.len(), e.position().map(|p| p.line()).unwrap_or(0));
                at(line, Problem::Malformed(e.to_string()))
            })?;
            let line = line_of(records.len(), rec.position().map(|p| p.line()).unwrap_or(0));
            records.push((line, rec));
        }
        Ok(CsvFile { path, sha256, bytes, headers, index, records })
    }

    /// The header's column names.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Whether the header has `column`.
    pub fn has(&self, column: &str) -> bool {
        self.index.contains_key(column)
    }

    /// Fails with [`Problem::MissingColumn`] unless the header has `column`.
    pub fn require(&self, column: &str) -> Result<()> {
        if self.has(column) {
            Ok(())
        } else {
            Err(Error::Input {
                location: Location { file: self.path.clone(), line: 1, column: Some(column.to_string()) },
                problem: Problem::MissingColumn {
                    column: column.to_string(),
                    present: self.headers.join(", "),
                },
            })
        }
    }

    /// Fails unless the header has at least one of `columns`.
    pub fn require_any(&self, columns: &[&str]) -> Result<()> {
        if columns.iter().any(|c| self.has(c)) {
            Ok(())
        } else {
            self.require(&columns.join(" or "))
        }
    }

    /// The records, each with its 1-based line number.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.records.iter().map(move |(line, rec)| Row { file: self, line: *line, rec })
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }
}

/// One record with its location, and typed accessors that fail with file, line and column.
#[derive(Clone, Copy)]
pub struct Row<'a> {
    file: &'a CsvFile,
    /// 1-based line number.
    pub line: u64,
    rec: &'a csv::StringRecord,
}

impl<'a> Row<'a> {
    /// The error for `column` on this row.
    pub fn err(&self, column: &str, problem: Problem) -> Error {
        Error::Input {
            location: Location {
                file: self.file.path.clone(),
                line: self.line,
                column: Some(column.to_string()),
            },
            problem,
        }
    }

    /// The trimmed text of `column`, `None` when absent from the header or empty.
    pub fn get(&self, column: &str) -> Option<&'a str> {
        let i = *self.file.index.get(column)?;
        let s = trim(self.rec.get(i)?);
        (!s.is_empty()).then_some(s)
    }

    /// The text of `column`, or [`Problem::MissingValue`].
    pub fn required(&self, column: &str) -> Result<&'a str> {
        self.get(column).ok_or_else(|| self.err(column, Problem::MissingValue))
    }

    /// An optional float.
    pub fn real(&self, column: &str) -> Result<Option<f64>> {
        match self.get(column) {
            None => Ok(None),
            Some(s) => match s.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Some(v)),
                _ => {
                    Err(self.err(column, Problem::NotNumeric { value: s.to_string(), expected: "a number" }))
                }
            },
        }
    }

    /// An optional integer; `25.0` is accepted as 25, `25.5` is not.
    pub fn int(&self, column: &str) -> Result<Option<i64>> {
        let bad =
            |s: &str| self.err(column, Problem::NotNumeric { value: s.to_string(), expected: "an integer" });
        match self.get(column) {
            None => Ok(None),
            Some(s) => {
                if let Ok(v) = s.parse::<i64>() {
                    return Ok(Some(v));
                }
                // The box scores write counts as `25.0`: the float parse below gives the same
                // for at most 15 digits, without its cost.
                if let Some(v) = s
                    .strip_suffix(".0")
                    .filter(|p| p.trim_start_matches(['-', '+']).len() <= 15)
                    .and_then(|p| p.parse::<i64>().ok())
                {
                    return Ok(Some(v));
                }
                match s.parse::<f64>() {
                    Ok(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 => Ok(Some(f as i64)),
                    _ => Err(bad(s)),
                }
            }
        }
    }

    /// Parses an optional value with a domain parser, mapping its error to this location.
    pub fn parse<T, E: std::fmt::Display>(
        &self,
        column: &str,
        f: impl FnOnce(&str) -> std::result::Result<T, E>,
    ) -> Result<Option<T>> {
        match self.get(column) {
            None => Ok(None),
            Some(s) => f(s).map(Some).map_err(|e| self.err(column, Problem::Invalid(e.to_string()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> CsvFile {
        let raw =
            RawFile { path: PathBuf::from("t.csv"), bytes: text.as_bytes().to_vec(), sha256: String::new() };
        CsvFile::parse_text(&raw, text.as_bytes()).expect("parse")
    }

    #[test]
    fn integers_written_as_floats_and_trimmed_fields() {
        let f = file("a,b\n25.0, x \n-5.0,\u{a0}y\u{a0}\n25.5,\t\n1000000000000000.0,z\n+7.0,Ünï \n");
        let rows: Vec<Row<'_>> = f.rows().collect();
        assert_eq!(rows[0].int("a").expect("int"), Some(25));
        assert_eq!(rows[1].int("a").expect("int"), Some(-5));
        assert!(rows[2].int("a").is_err(), "25.5 is not an integer");
        assert!(rows[3].int("a").is_err(), "1e15 is out of the exact range");
        assert_eq!(rows[4].int("a").expect("int"), Some(7));
        // Trimmed as str::trim does, Unicode spaces included.
        assert_eq!(rows[0].get("b"), Some("x"));
        assert_eq!(rows[1].get("b"), Some("y"));
        assert_eq!(rows[2].get("b"), None);
        assert_eq!(rows[4].get("b"), Some("Ünï"));
    }
}
