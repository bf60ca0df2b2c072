//! Reading one data-set file: gzip or plain CSV, header mapped, every field located.

use crate::error::{Error, Location, Problem, Result};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A file's bytes as stored (compressed or not) and their SHA-256: read once, both to decide
/// whether it changed and, if so, to parse it.
pub struct RawFile {
    /// The path read.
    pub path: PathBuf,
    /// The bytes as stored.
    pub bytes: Vec<u8>,
    /// SHA-256 of the bytes.
    pub sha256: String,
}

impl RawFile {
    /// Reads a file and hashes it.
    pub fn load(path: &Path) -> Result<RawFile> {
        let bytes = std::fs::read(path).map_err(|e| Error::Input {
            location: Location { file: path.to_path_buf(), line: 0, column: None },
            problem: Problem::Unreadable(e.to_string()),
        })?;
        let mut h = propcast_store::RowHasher::new();
        h.bytes(&bytes);
        Ok(RawFile { path: path.to_path_buf(), bytes, sha256: h.finish() })
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
        let RawFile { path, bytes: raw, sha256 } = file;
        let path = path.as_path();
        let at = |line: u64, problem: Problem| Error::Input {
            location: Location { file: path.to_path_buf(), line, column: None },
            problem,
        };
        let bytes = raw.len() as u64;
        let text = if path.extension().is_some_and(|e| e == "gz") {
            let mut out = Vec::with_capacity(raw.len() * 6);
            flate2::read::GzDecoder::new(raw.as_slice())
                .read_to_end(&mut out)
                .map_err(|e| at(0, Problem::Unreadable(format!("gzip: {e}"))))?;
            out
        } else {
            raw
        };
        let mut rdr =
            csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(text.as_slice());
        let headers: Vec<String> = rdr
            .headers()
            .map_err(|e| at(1, Problem::Malformed(e.to_string())))?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect();
        let index = headers.iter().enumerate().map(|(i, h)| (h.clone(), i)).collect();
        let mut records = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                at(line, Problem::Malformed(e.to_string()))
            })?;
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            records.push((line, rec));
        }
        Ok(CsvFile { path: path.to_path_buf(), sha256, bytes, headers, index, records })
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
        let s = self.rec.get(i)?.trim();
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
