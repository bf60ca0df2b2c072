//! Gates: every asset's declared checks, with thresholds from the checks TOML, run on every
//! partition before it is written.

use crate::error::{Error, Result};
use crate::home::Home;
use propcast_store::{CheckKind, CheckSpec, Connection, Output, Step, Value, SAMPLE_COLUMNS};
use std::collections::{HashMap, HashSet};

/// The default thresholds, compiled in from `config/checks.toml`.
pub const DEFAULT_CHECKS_TOML: &str = include_str!("../../../config/checks.toml");

/// How bad a failed check is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Stops the partition and its downstream.
    Error,
    /// Recorded only.
    Warn,
}

impl Severity {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warn => "warn",
        }
    }
}

/// A check's threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    /// Severity.
    pub severity: Severity,
    /// Lower bound (meaning depends on the kind).
    pub min: Option<f64>,
    /// Upper bound.
    pub max: Option<f64>,
}

/// Thresholds by (asset, check).
#[derive(Debug, Clone, Default)]
pub struct ChecksConfig {
    map: HashMap<(String, String), Threshold>,
}

fn parse_into(text: &str, origin: &str, map: &mut HashMap<(String, String), Threshold>) -> Result<()> {
    let bad = |m: String| Error::Config(format!("{origin}: {m}"));
    let table: toml::Table = text.parse().map_err(|e| bad(format!("{e}")))?;
    for (asset, checks) in table {
        let checks = checks.as_table().ok_or_else(|| bad(format!("[{asset}] must be a table of checks")))?;
        for (name, t) in checks {
            let t = t.as_table().ok_or_else(|| bad(format!("[{asset}.{name}] must be a table")))?;
            let prev = map.get(&(asset.clone(), name.clone())).copied();
            let num = |k: &str| -> Result<Option<f64>> {
                match t.get(k) {
                    None => Ok(prev.and_then(|p| if k == "min" { p.min } else { p.max })),
                    Some(v) => v
                        .as_float()
                        .or_else(|| v.as_integer().map(|i| i as f64))
                        .map(Some)
                        .ok_or_else(|| bad(format!("[{asset}.{name}] {k} must be a number"))),
                }
            };
            let severity = match t.get("severity").map(|v| v.as_str()) {
                None => {
                    prev.map(|p| p.severity).ok_or_else(|| bad(format!("[{asset}.{name}] needs severity")))?
                }
                Some(Some("error")) => Severity::Error,
                Some(Some("warn")) => Severity::Warn,
                Some(_) => {
                    return Err(bad(format!("[{asset}.{name}] severity must be \"error\" or \"warn\"")))
                }
            };
            for k in t.keys() {
                if !["severity", "min", "max"].contains(&k.as_str()) {
                    return Err(bad(format!(
                        "[{asset}.{name}] unknown key {k:?} (valid: severity, min, max)"
                    )));
                }
            }
            map.insert(
                (asset.clone(), name.clone()),
                Threshold { severity, min: num("min")?, max: num("max")? },
            );
        }
    }
    Ok(())
}

impl ChecksConfig {
    /// The defaults, then `<home>/checks.toml` if present.
    pub fn load(home: &Home) -> Result<ChecksConfig> {
        let mut map = HashMap::new();
        parse_into(DEFAULT_CHECKS_TOML, "config/checks.toml", &mut map)?;
        let user = home.path().join("checks.toml");
        if user.is_file() {
            let text =
                std::fs::read_to_string(&user).map_err(|source| Error::Io { path: user.clone(), source })?;
            parse_into(&text, &user.display().to_string(), &mut map)?;
        }
        Ok(ChecksConfig { map })
    }

    /// Every declared check has a threshold with the bounds its kind needs.
    pub fn validate(&self, steps: &[Box<dyn Step>]) -> Result<()> {
        for s in steps {
            for c in s.checks() {
                let t = self.get(s.name(), c.name).ok_or_else(|| {
                    Error::Config(format!(
                        "check {}.{} has no threshold in the checks TOML",
                        s.name(),
                        c.name
                    ))
                })?;
                let needs = match c.kind {
                    CheckKind::NotNull { .. } => t.min.is_some(),
                    CheckKind::Range { .. } | CheckKind::RowsVsExpected { .. } => {
                        t.min.is_some() && t.max.is_some()
                    }
                    CheckKind::UniqueKey => true,
                };
                if !needs {
                    return Err(Error::Config(format!("check {}.{} lacks min or max", s.name(), c.name)));
                }
            }
        }
        Ok(())
    }

    /// The threshold of one check.
    pub fn get(&self, asset: &str, check: &str) -> Option<Threshold> {
        self.map.get(&(asset.to_string(), check.to_string())).copied()
    }
}

/// The result of one check on one partition.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOutcome {
    /// Check name.
    pub name: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Whether it passed.
    pub passed: bool,
    /// The measured value (share, ratio, count of violations).
    pub observed: Option<f64>,
    /// A sentence saying what was measured against what.
    pub message: String,
    /// Up to five offending rows as JSON objects.
    pub sample: Vec<serde_json::Value>,
}

fn json_row(columns: &[&str], row: &[Value]) -> serde_json::Value {
    columns
        .iter()
        .zip(row)
        .filter(|(c, _)| SAMPLE_COLUMNS.contains(c))
        .map(|(c, v)| {
            let j = match v {
                Value::Text(s) => serde_json::Value::from(s.clone()),
                Value::Integer(i) => (*i).into(),
                Value::Real(f) => {
                    serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into)
                }
                _ => serde_json::Value::Null,
            };
            (c.to_string(), j)
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// A row's key columns, hashed and compared in place (a string built per row cost an
/// allocation for every row of every partition written). Values are equal when they are the
/// same variant with the same content (reals by their bits, so equal values hash equally).
struct Key<'r> {
    row: &'r [Value],
    cols: &'r [usize],
}

impl std::hash::Hash for Key<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        for &i in self.cols {
            match &self.row[i] {
                Value::Null => h.write_u8(0),
                Value::Integer(n) => {
                    h.write_u8(1);
                    h.write_i64(*n);
                }
                Value::Real(f) => {
                    h.write_u8(2);
                    h.write_u64(f.to_bits());
                }
                Value::Text(t) => {
                    h.write_u8(3);
                    h.write(t.as_bytes());
                    h.write_u8(0xff);
                }
                Value::Blob(b) => {
                    h.write_u8(4);
                    h.write(b);
                    h.write_u8(0xff);
                }
            }
        }
    }
}

impl PartialEq for Key<'_> {
    fn eq(&self, o: &Self) -> bool {
        self.cols.iter().all(|&i| match (&self.row[i], &o.row[i]) {
            (Value::Real(a), Value::Real(b)) => a.to_bits() == b.to_bits(),
            (a, b) => a == b,
        })
    }
}

impl Eq for Key<'_> {}

/// Whether every row's key (the values at `cols`) is text and greater than the previous
/// row's: then no two keys are equal. Computed rows come in key order (the engine writes them
/// so), where this is one comparison a row instead of hashing every key into a set; rows in
/// any other order fail at their first descent, and the set decides.
fn ascending_text_keys(rows: &[Vec<Value>], cols: &[usize]) -> bool {
    fn text(r: &[Value], i: usize) -> Option<&[u8]> {
        match r.get(i) {
            Some(Value::Text(t)) => Some(t.as_bytes()),
            _ => None,
        }
    }
    rows.windows(2).all(|w| {
        for &i in cols {
            let (Some(a), Some(b)) = (text(&w[0], i), text(&w[1], i)) else { return false };
            match a.cmp(b) {
                std::cmp::Ordering::Less => return true,
                std::cmp::Ordering::Greater => return false,
                std::cmp::Ordering::Equal => {}
            }
        }
        false
    })
}

/// Runs a step's checks on the rows about to be written for `date`.
pub fn run_checks(
    conn: &Connection,
    step: &dyn Step,
    date: &str,
    (columns, rows): (&[&str], &[Vec<Value>]),
    cfg: &ChecksConfig,
) -> Result<Vec<CheckOutcome>> {
    let (Output::Table { table, .. } | Output::Verify { table }) = step.output() else {
        return Ok(vec![]);
    };
    let idx = |c: &str| {
        columns
            .iter()
            .position(|x| *x == c)
            .ok_or_else(|| Error::Graph(format!("{}: no column {c}", step.name())))
    };
    let mut out = Vec::new();
    for CheckSpec { name, kind } in step.checks() {
        let t = cfg
            .get(step.name(), name)
            .ok_or_else(|| Error::Config(format!("check {}.{name} has no threshold", step.name())))?;
        let (lo, hi) = (t.min.unwrap_or(f64::NEG_INFINITY), t.max.unwrap_or(f64::INFINITY));
        let outcome = match kind {
            CheckKind::NotNull { column, skip_if } => {
                let i = idx(column)?;
                let skip = skip_if.map(idx).transpose()?;
                let (mut counted, mut nulls) = (0usize, Vec::new());
                for r in rows.iter().filter(|r| skip.is_none_or(|s| r[s] != Value::Integer(1))) {
                    counted += 1;
                    if r[i] == Value::Null {
                        nulls.push(r);
                    }
                }
                let share = if counted == 0 { 1.0 } else { 1.0 - nulls.len() as f64 / counted as f64 };
                CheckOutcome {
                    name,
                    severity: t.severity,
                    passed: share >= lo,
                    observed: Some(share),
                    message: format!(
                        "{column} non-NULL in {:.1} % of {} rows (min {:.1} %)",
                        share * 100.0,
                        rows.len(),
                        lo * 100.0
                    ),
                    sample: nulls.iter().take(5).map(|r| json_row(columns, r)).collect(),
                }
            }
            CheckKind::Range { column } => {
                let i = idx(column)?;
                let bad: Vec<&Vec<Value>> = rows
                    .iter()
                    .filter(|r| propcast_store::real(&r[i]).is_some_and(|v| v < lo || v > hi))
                    .collect();
                CheckOutcome {
                    name,
                    severity: t.severity,
                    passed: bad.is_empty(),
                    observed: Some(bad.len() as f64),
                    message: format!(
                        "{} of {} rows have {column} outside [{lo}, {hi}]",
                        bad.len(),
                        rows.len()
                    ),
                    sample: bad
                        .iter()
                        .take(5)
                        .map(|r| {
                            let mut j = json_row(columns, r);
                            j[*column] = propcast_store::real(&r[i]).into();
                            j
                        })
                        .collect(),
                }
            }
            CheckKind::UniqueKey => {
                let key: Vec<usize> = table.primary_key.iter().map(|k| idx(k)).collect::<Result<_>>()?;
                let dups: Vec<&Vec<Value>> = if ascending_text_keys(rows, &key) {
                    vec![]
                } else {
                    let mut seen = HashSet::with_capacity_and_hasher(rows.len(), rustc_hash::FxBuildHasher);
                    rows.iter().filter(|r| !seen.insert(Key { row: r, cols: &key })).collect()
                };
                CheckOutcome {
                    name,
                    severity: t.severity,
                    passed: dups.is_empty(),
                    observed: Some(dups.len() as f64),
                    message: format!(
                        "{} duplicate key(s) ({}) among {} rows",
                        dups.len(),
                        table.primary_key.join(", "),
                        rows.len()
                    ),
                    sample: dups.iter().take(5).map(|r| json_row(columns, r)).collect(),
                }
            }
            CheckKind::RowsVsExpected { sql } => {
                let expected: i64 = conn.prepare_cached(sql)?.query_row([date], |r| r.get(0))?;
                let ratio = if expected == 0 {
                    if rows.is_empty() {
                        1.0
                    } else {
                        f64::INFINITY
                    }
                } else {
                    rows.len() as f64 / expected as f64
                };
                CheckOutcome {
                    name,
                    severity: t.severity,
                    passed: ratio >= lo && ratio <= hi,
                    observed: ratio.is_finite().then_some(ratio),
                    message: format!(
                        "{} rows written, {expected} expected: ratio {ratio:.3} (allowed [{lo}, {hi}])",
                        rows.len()
                    ),
                    sample: vec![],
                }
            }
        };
        out.push(outcome);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_columns_find_duplicates_in_place() {
        let text = |s: &str| Value::Text(s.into());
        let rows = [
            vec![text("a"), Value::Integer(1), Value::Real(0.5)],
            vec![text("a"), Value::Integer(2), Value::Real(0.5)],
            // The first row's key again (the other column differs).
            vec![text("a"), Value::Integer(1), Value::Real(9.0)],
            vec![text("ab"), Value::Null, Value::Real(0.5)],
            // A real is not the integer of the same value; NULL keys compare equal.
            vec![text("a"), Value::Real(1.0), Value::Null],
            vec![text("ab"), Value::Null, Value::Null],
        ];
        let mut seen = HashSet::new();
        let dups: Vec<usize> =
            (0..rows.len()).filter(|i| !seen.insert(Key { row: &rows[*i], cols: &[0, 1] })).collect();
        assert_eq!(dups, vec![2, 5]);
    }

    #[test]
    fn keys_in_ascending_order_are_told_apart_without_a_set_and_anything_else_goes_to_it() {
        let text = |s: &str| Value::Text(s.into());
        let row = |a: &str, b: &str| vec![text(a), Value::Integer(0), text(b)];
        let keys = [0, 2];
        // Strictly ascending by the first column, then the second: no duplicates.
        assert!(ascending_text_keys(&[row("a", "x"), row("a", "y"), row("b", "a")], &keys));
        assert!(ascending_text_keys(&[row("a", "x")], &keys), "one row has no duplicate");
        // An equal neighbour, a descent, or a key that is not text: not decided here.
        assert!(!ascending_text_keys(&[row("a", "x"), row("a", "x")], &keys));
        assert!(!ascending_text_keys(&[row("b", "x"), row("a", "y")], &keys));
        assert!(!ascending_text_keys(&[row("a", "x"), row("a", "y")], &[0, 1]));
        // Told apart by a text column before it: decided.
        assert!(ascending_text_keys(&[row("a", "x"), row("b", "y")], &[0, 1]));
        // A prefix sorts first, byte by byte.
        assert!(ascending_text_keys(&[row("a", "x"), row("ab", "a")], &keys));
    }

    #[test]
    fn defaults_cover_every_declared_check() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = ChecksConfig::load(&Home::new(dir.path())).unwrap();
        cfg.validate(&crate::graph::steps()).unwrap();
    }

    #[test]
    fn home_overrides_and_bad_config() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("checks.toml"), "[player_game_summary.minutes_range]\nmax = 48\n")
            .unwrap();
        let cfg = ChecksConfig::load(&Home::new(dir.path())).unwrap();
        let t = cfg.get("player_game_summary", "minutes_range").unwrap();
        assert_eq!((t.severity, t.min, t.max), (Severity::Error, Some(0.0), Some(48.0)));
        std::fs::write(
            dir.path().join("checks.toml"),
            "[player_game_summary.minutes_range]\nseverity = \"fatal\"\n",
        )
        .unwrap();
        let err = ChecksConfig::load(&Home::new(dir.path())).unwrap_err().to_string();
        assert!(err.contains("severity must be"), "{err}");
    }
}
