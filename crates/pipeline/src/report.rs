//! `propcast features report`: per feature and season, coverage, mean, min, max, the share
//! of each source, and drift of coverage against the previous season (spec §8.2 rule).

use crate::error::Result;
use crate::home::Home;
use propcast_core::features::{Drift, FEATURES};
use propcast_store::{Value, Warehouse};
use serde::Serialize;

/// One feature in one season.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureCoverage {
    /// Feature name.
    pub feature: String,
    /// Season.
    pub season: String,
    /// Rows (player-games of the pre-game population, bootstrap excluded).
    pub rows: i64,
    /// Share of rows with a value, 0-1.
    pub coverage: f64,
    /// Mean over rows with a value.
    pub mean: Option<f64>,
    /// Minimum.
    pub min: Option<f64>,
    /// Maximum.
    pub max: Option<f64>,
    /// Share of rows per source tag (`phase3`, `vegas`, `context`, `missing`).
    pub sources: Vec<(String, f64)>,
    /// Drift of coverage against the previous season in the table.
    pub drift: Option<String>,
}

/// The coverage report of every contract feature, per season (optionally one season).
pub fn features_report(home: &Home, season: Option<&str>) -> Result<Vec<FeatureCoverage>> {
    let wh = Warehouse::open(&home.warehouse())?;
    let mut out = Vec::new();
    for f in FEATURES {
        let r = wh.query(
            &format!(
                "SELECT season, count(*), count({0}), avg({0}), min({0}), max({0})
                 FROM ml_feature_store GROUP BY season ORDER BY season",
                f.name
            ),
            &[],
        )?;
        let mut prev: Option<f64> = None;
        for row in r.rows {
            let s = if let Value::Text(s) = &row[0] { s.clone() } else { String::new() };
            let int = |v: &Value| if let Value::Integer(i) = v { *i } else { 0 };
            let real = |v: &Value| match v {
                Value::Real(x) => Some(*x),
                Value::Integer(i) => Some(*i as f64),
                _ => None,
            };
            let (n, nn) = (int(&row[1]), int(&row[2]));
            let coverage = if n == 0 { 0.0 } else { nn as f64 / n as f64 };
            let drift = prev.map(|b| Drift::classify(coverage, b).as_str().to_string());
            prev = Some(coverage);
            if season.is_some_and(|want| want != s) {
                continue;
            }
            out.push(FeatureCoverage {
                feature: f.name.to_string(),
                season: s,
                rows: n,
                coverage,
                mean: real(&row[3]),
                min: real(&row[4]),
                max: real(&row[5]),
                sources: vec![
                    (f.source.as_str().to_string(), coverage),
                    ("missing".to_string(), 1.0 - coverage),
                ],
                drift,
            });
        }
    }
    Ok(out)
}
