//! `propcast features report`: per season, the feature store's rows, the bootstrap
//! exclusions and the quality tiers; per feature and season, coverage, mean, min, max, the
//! share of each source tag, and drift of coverage against the previous season (spec §8.2).

use crate::error::Result;
use crate::home::Home;
use propcast_core::features::{Drift, Tag, FEATURES, FEATURE_COUNT};
use propcast_store::{Value, Warehouse};
use serde::Serialize;
use std::collections::BTreeMap;

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
    /// Share of rows per source tag (`phase4`, `phase3`, `calculated`, `vegas`, `missing`),
    /// tags that occur only.
    pub sources: Vec<(String, f64)>,
    /// Drift of coverage against the previous season in the table.
    pub drift: Option<String>,
}

/// One season of the feature store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeasonSummary {
    /// Season.
    pub season: String,
    /// Feature rows.
    pub rows: i64,
    /// Dates in the bootstrap window (no phase-4 rows by design).
    pub bootstrap_dates: i64,
    /// Player-games played on those dates: excluded from features, training and predictions.
    pub bootstrap_player_games: i64,
    /// Rows per quality tier (`gold`, `silver`, `bronze`, `poor`, `critical`).
    pub tiers: Vec<(String, i64)>,
    /// Mean quality score, 0-100.
    pub mean_quality: f64,
    /// Share of rows ready for training, 0-1.
    pub training_ready: f64,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeaturesReport {
    /// Per season.
    pub seasons: Vec<SeasonSummary>,
    /// Per feature and season, features in contract order.
    pub features: Vec<FeatureCoverage>,
}

#[derive(Default)]
struct Acc {
    n: i64,
    present: i64,
    sum: f64,
    min: Option<f64>,
    max: Option<f64>,
    tags: [i64; 5],
}

/// The report over every season (or one).
pub fn features_report(home: &Home, season: Option<&str>) -> Result<FeaturesReport> {
    let wh = Warehouse::open(&home.warehouse())?;
    let names: Vec<&str> = FEATURES.iter().map(|f| f.name).collect();
    let mut stmt = wh.conn().prepare(&format!(
        "SELECT season, feature_sources, quality_tier, feature_quality_score, is_training_ready, {}
         FROM ml_feature_store",
        names.join(", ")
    ))?;
    let mut acc: BTreeMap<String, Vec<Acc>> = BTreeMap::new();
    let mut quality: BTreeMap<String, (BTreeMap<String, i64>, f64, i64)> = BTreeMap::new();
    let mut q = stmt.query([])?;
    while let Some(r) = q.next()? {
        let s: String = r.get(0)?;
        let codes: String = r.get(1)?;
        let a = acc.entry(s.clone()).or_insert_with(|| (0..FEATURE_COUNT).map(|_| Acc::default()).collect());
        for ((i, f), c) in a.iter_mut().enumerate().zip(codes.chars()) {
            f.n += 1;
            if let Some(t) = Tag::from_code(c) {
                f.tags[Tag::ALL.iter().position(|x| *x == t).unwrap_or(4)] += 1;
            }
            if let Some(x) = propcast_store::real(&r.get::<_, Value>(5 + i)?) {
                f.present += 1;
                f.sum += x;
                f.min = Some(f.min.map_or(x, |m: f64| m.min(x)));
                f.max = Some(f.max.map_or(x, |m: f64| m.max(x)));
            }
        }
        let e = quality.entry(s).or_default();
        *e.0.entry(r.get(2)?).or_default() += 1;
        e.1 += r.get::<_, f64>(3)?;
        e.2 += r.get::<_, i64>(4)?;
    }
    let boot = wh.query(
        "SELECT g.season, count(DISTINCT g.game_date),
                (SELECT count(*) FROM player_game_summary p JOIN game_dates b ON b.game_date = p.game_date
                 WHERE b.is_bootstrap = 1 AND b.season = g.season AND p.is_dnp = 0)
         FROM game_dates g WHERE g.is_bootstrap = 1 GROUP BY g.season",
        &[],
    )?;
    let boot: BTreeMap<String, (i64, i64)> = boot
        .rows
        .iter()
        .filter_map(|r| match (&r[0], &r[1], &r[2]) {
            (Value::Text(s), Value::Integer(d), Value::Integer(n)) => Some((s.clone(), (*d, *n))),
            _ => None,
        })
        .collect();
    let keep = |s: &str| season.is_none_or(|w| w == s);
    let mut seasons = Vec::new();
    for (s, (tiers, score, ready)) in &quality {
        if !keep(s) {
            continue;
        }
        let rows: i64 = tiers.values().sum();
        let (bd, bn) = boot.get(s).copied().unwrap_or((0, 0));
        seasons.push(SeasonSummary {
            season: s.clone(),
            rows,
            bootstrap_dates: bd,
            bootstrap_player_games: bn,
            tiers: ["gold", "silver", "bronze", "poor", "critical"]
                .iter()
                .map(|t| (t.to_string(), tiers.get(*t).copied().unwrap_or(0)))
                .collect(),
            mean_quality: score / rows.max(1) as f64,
            training_ready: *ready as f64 / rows.max(1) as f64,
        });
    }
    let mut features = Vec::new();
    for (i, f) in FEATURES.iter().enumerate() {
        let mut prev: Option<f64> = None;
        for (s, a) in &acc {
            let a = &a[i];
            let coverage = if a.n == 0 { 0.0 } else { a.present as f64 / a.n as f64 };
            let drift = prev.map(|b| Drift::classify(coverage, b).as_str().to_string());
            prev = Some(coverage);
            if !keep(s) {
                continue;
            }
            features.push(FeatureCoverage {
                feature: f.name.to_string(),
                season: s.clone(),
                rows: a.n,
                coverage,
                mean: (a.present > 0).then(|| a.sum / a.present as f64),
                min: a.min,
                max: a.max,
                sources: Tag::ALL
                    .iter()
                    .zip(a.tags)
                    .filter(|(_, n)| *n > 0)
                    .map(|(t, n)| (t.as_str().to_string(), n as f64 / a.n.max(1) as f64))
                    .collect(),
                drift,
            });
        }
    }
    Ok(FeaturesReport { seasons, features })
}
