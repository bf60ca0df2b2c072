//! Printing rows as an aligned table, CSV or JSON.

use propcast_store::Value;
use std::io::Write;

/// Column names for [`table`] and [`csv()`].
/// A number for a table cell, rounded to three decimals; NULL when missing.
pub fn r3(x: Option<f64>) -> Value {
    x.map(|v| Value::Real((v * 1000.0).round() / 1000.0)).unwrap_or(Value::Null)
}

pub fn cols(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// A value as text for tables and CSV (NULL is empty in CSV, `NULL` in tables).
pub fn cell(v: &Value, null: &str) -> String {
    match v {
        Value::Null => null.to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{f:.1}")
            } else {
                let s = format!("{f:.4}");
                s.trim_end_matches('0').to_string()
            }
        }
        Value::Text(s) => s.clone(),
        Value::Blob(b) => format!("<{} bytes>", b.len()),
    }
}

/// A value as JSON.
pub fn json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Integer(i) => (*i).into(),
        Value::Real(f) => serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into),
        Value::Text(s) => s.clone().into(),
        Value::Blob(b) => format!("<{} bytes>", b.len()).into(),
    }
}

/// Prints an aligned table; numbers right-aligned.
pub fn table(out: &mut impl Write, columns: &[String], rows: &[Vec<Value>]) -> std::io::Result<()> {
    let cells: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|v| cell(v, "NULL")).collect()).collect();
    let widths: Vec<usize> = (0..columns.len())
        .map(|i| {
            cells.iter().map(|r| r[i].chars().count()).chain([columns[i].chars().count()]).max().unwrap_or(0)
        })
        .collect();
    let numeric: Vec<bool> = (0..columns.len())
        .map(|i| rows.iter().all(|r| matches!(r[i], Value::Integer(_) | Value::Real(_) | Value::Null)))
        .collect();
    let line = |out: &mut dyn Write, vals: &[String]| -> std::io::Result<()> {
        let parts: Vec<String> = vals
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if numeric[i] {
                    format!("{v:>w$}", w = widths[i])
                } else {
                    format!("{v:<w$}", w = widths[i])
                }
            })
            .collect();
        writeln!(out, "{}", parts.join("  ").trim_end())
    };
    line(out, columns)?;
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    writeln!(out, "{}", rule.join("  "))?;
    for r in &cells {
        line(out, r)?;
    }
    Ok(())
}

/// Prints CSV with a header.
pub fn csv(out: &mut impl Write, columns: &[String], rows: &[Vec<Value>]) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(columns)?;
    for r in rows {
        w.write_record(r.iter().map(|v| cell(v, "")))?;
    }
    w.flush()
}

/// Rows as an array of JSON objects.
pub fn json_rows(columns: &[String], rows: &[Vec<Value>]) -> serde_json::Value {
    rows.iter()
        .map(|r| {
            columns.iter().zip(r).map(|(c, v)| (c.clone(), json(v))).collect::<serde_json::Map<_, _>>().into()
        })
        .collect::<Vec<serde_json::Value>>()
        .into()
}
