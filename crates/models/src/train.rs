//! `propcast train`: a chronological train / validation / test split by season, early stopping
//! on the validation season, metrics on the held-out test season, governance gates (spec
//! §5.7), and a `model_registry` row whether the model is promoted or refused.

use crate::calibration::{row_tier, side_hit, wilson};
use crate::gbm::{coverage, project, split_by_coverage, GbmParams, TIERS};
use lightgbm3::{Booster, Dataset};
use propcast_core::features::{CONTRACT_VERSION, FEATURES, FEATURE_COUNT};
use propcast_core::{parse_date, schema, Date};
use propcast_store::{insert_rows, Result, Value, Warehouse};
use serde_json::json;
use std::path::Path;

/// Bumped when the trainer changes.
pub const TRAINER_VERSION: &str = "train-1";

/// Governance thresholds (spec §5.7).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gates {
    /// |mean(predicted − line)| must not exceed this, points.
    pub max_line_bias: f64,
    /// Hit rate at edge ≥ 3 must reach this (when there are enough picks), 0-1.
    pub min_hit_rate: f64,
    /// Picks needed for the hit-rate gate to apply.
    pub min_picks: usize,
    /// No scoring tier's mean (predicted − actual) beyond this, points.
    pub max_tier_bias: f64,
}

impl Default for Gates {
    fn default() -> Self {
        Gates { max_line_bias: 1.5, min_hit_rate: 0.53, min_picks: 15, max_tier_bias: 5.0 }
    }
}

/// What to train.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// Seasons in order; the last is the test season, the one before it validates (with two
    /// seasons, the last quarter of the first season's dates validates).
    pub seasons: Vec<String>,
    /// Hyper-parameters.
    pub params: GbmParams,
    /// Gates.
    pub gates: Gates,
    /// Other hyper-parameter sets to try: each is fitted with early stopping on the
    /// validation season, and the one with the lowest validation MAE (including `params`)
    /// is kept. The test season never takes part in the choice.
    pub candidates: Vec<GbmParams>,
}

/// The hyper-parameter grid of `propcast train --search`: leaves × minimum rows per leaf.
pub fn search_grid(base: &GbmParams) -> Vec<GbmParams> {
    let mut out = Vec::new();
    for leaves in [15, 31, 63] {
        for min_data in [50, 100, 200] {
            out.push(GbmParams { num_leaves: leaves, min_data_in_leaf: min_data, ..base.clone() });
        }
    }
    out
}

/// One hyper-parameter set tried.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Candidate {
    /// Leaves per tree.
    pub num_leaves: i64,
    /// Minimum rows per leaf.
    pub min_data_in_leaf: i64,
    /// Learning rate.
    pub learning_rate: f64,
    /// Trees kept by early stopping.
    pub iterations: i32,
    /// MAE on the validation season.
    pub valid_mae: f64,
}

/// One gate's verdict.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GateResult {
    /// Gate.
    pub gate: &'static str,
    /// Measured value.
    pub value: Option<f64>,
    /// The rule.
    pub rule: String,
    /// `pass`, `fail` or `n/a`.
    pub verdict: &'static str,
}

/// The outcome of a training run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TrainReport {
    /// Model id.
    pub model_id: String,
    /// `promoted` or `refused`.
    pub status: &'static str,
    /// Rows: train, validation, test.
    pub rows: (usize, usize, usize),
    /// Trees kept.
    pub iterations: i32,
    /// Test MAE.
    pub test_mae: f64,
    /// Moving-average MAE on the same test rows.
    pub baseline_mae: Option<f64>,
    /// Features dropped for coverage.
    pub dropped: Vec<&'static str>,
    /// Gates.
    pub gates: Vec<GateResult>,
    /// Model file, relative to the home.
    pub model_path: String,
    /// Every hyper-parameter set tried, with its validation MAE (the chosen one first).
    pub candidates: Vec<Candidate>,
}

fn err(m: impl Into<String>) -> propcast_store::Error {
    propcast_store::Error::Step { step: "train", message: m.into() }
}

/// Played rows of some seasons with what evaluation needs.
#[derive(Default)]
struct Rows {
    x: Vec<f64>,
    y: Vec<f64>,
    dates: Vec<Date>,
    line: Vec<Option<f64>>,
    baseline: Vec<Option<f64>>,
}

impl Rows {
    fn load(wh: &Warehouse, season: &str) -> Result<Rows> {
        let names: Vec<String> = FEATURES.iter().map(|f| format!("f.{}", f.name)).collect();
        let mut stmt = wh.conn().prepare(&format!(
            "SELECT c.outcome_points, f.game_date, c.current_points_line, m.predicted_points, {}
             FROM ml_feature_store f
             JOIN upcoming_player_game_context c ON c.game_id = f.game_id AND c.player_id = f.player_id
             LEFT JOIN player_prop_predictions m ON m.game_id = f.game_id AND m.player_id = f.player_id
                  AND m.system_id = 'moving_average' AND m.is_active = 1
             WHERE f.season = ?1 AND c.outcome_played = 1 AND f.pre_game_status = 'available'
               AND f.points_avg_last_10 IS NOT NULL
             ORDER BY f.game_date, f.game_id, f.player_id",
            names.join(", ")
        ))?;
        let mut q = stmt.query([season])?;
        let mut r = Rows::default();
        while let Some(row) = q.next()? {
            let Some(y) = row.get::<_, Option<f64>>(0)? else { continue };
            r.y.push(y);
            r.dates.push(parse_date(&row.get::<_, String>(1)?).map_err(|e| err(e.to_string()))?);
            r.line.push(row.get(2)?);
            r.baseline.push(row.get(3)?);
            for i in 0..FEATURE_COUNT {
                r.x.push(row.get::<_, Option<f64>>(4 + i)?.unwrap_or(f64::NAN));
            }
        }
        Ok(r)
    }

    fn append(&mut self, o: Rows) {
        self.x.extend(o.x);
        self.y.extend(o.y);
        self.dates.extend(o.dates);
        self.line.extend(o.line);
        self.baseline.extend(o.baseline);
    }

    fn split_off(&mut self, at: usize) -> Rows {
        Rows {
            x: self.x.split_off(at * FEATURE_COUNT),
            y: self.y.split_off(at),
            dates: self.dates.split_off(at),
            line: self.line.split_off(at),
            baseline: self.baseline.split_off(at),
        }
    }
}

/// Trains, evaluates, gates and registers one model; writes its file under `home`.
pub fn train(wh: &mut Warehouse, home: &Path, opts: &TrainOptions) -> Result<TrainReport> {
    let n = opts.seasons.len();
    if n < 2 {
        return Err(err("train needs at least two seasons (train and test)"));
    }
    let test_season = &opts.seasons[n - 1];
    let test = Rows::load(wh, test_season)?;
    let (mut train, valid, valid_name) = if n >= 3 {
        let mut t = Rows::default();
        for s in &opts.seasons[..n - 2] {
            t.append(Rows::load(wh, s)?);
        }
        (t, Rows::load(wh, &opts.seasons[n - 2])?, opts.seasons[n - 2].clone())
    } else {
        let mut t = Rows::load(wh, &opts.seasons[0])?;
        let cut_date = *t.dates.get(t.y.len() * 3 / 4).ok_or_else(|| err("no training rows"))?;
        let cut = t.dates.partition_point(|d| *d < cut_date);
        let v = t.split_off(cut);
        (t, v, format!("{} from {cut_date}", opts.seasons[0]))
    };
    if train.y.len() < 1000 || valid.y.is_empty() || test.y.is_empty() {
        return Err(err(format!(
            "too few rows: train {}, validation {}, test {} (run `propcast up` first?)",
            train.y.len(),
            valid.y.len(),
            test.y.len()
        )));
    }
    // Features the test season lacks are left out (the dates being predicted).
    let cov = coverage(&test.x);
    let (kept, dropped) = split_by_coverage(&cov);
    let dropped: Vec<&'static str> = dropped.into_iter().map(|i| FEATURES[i].name).collect();
    let nf = kept.len() as i32;
    let lg = |e: lightgbm3::Error| err(e.to_string());
    let f32s = |v: &[f64]| v.iter().map(|x| *x as f32).collect::<Vec<f32>>();
    let (xt, xv, xs) = (project(&train.x, &kept), project(&valid.x, &kept), project(&test.x, &kept));
    // Each hyper-parameter set is fitted on the training seasons with early stopping on the
    // validation season; the lowest validation MAE wins.
    let (yt, yv) = (f32s(&train.y), f32s(&valid.y));
    let mut tried: Vec<(Candidate, Booster, serde_json::Value)> = Vec::new();
    for p in std::iter::once(&opts.params).chain(opts.candidates.iter().filter(|c| **c != opts.params)) {
        let dt = Dataset::from_slice(&xt, &yt, nf, true).map_err(lg)?;
        let dv = Dataset::from_slice_with_reference(&xv, &yv, nf, true, Some(&dt)).map_err(lg)?;
        let json = p.json();
        let b = Booster::train_with_valid(dt, Some(dv), &json).map_err(lg)?;
        let pv = b.predict(&xv, nf, true).map_err(lg)?;
        let valid_mae =
            pv.iter().zip(&valid.y).map(|(p, y)| (p - y).abs()).sum::<f64>() / valid.y.len() as f64;
        let c = Candidate {
            num_leaves: p.num_leaves,
            min_data_in_leaf: p.min_data_in_leaf,
            learning_rate: p.learning_rate,
            iterations: b.num_iterations(),
            valid_mae,
        };
        tracing::info!("train: {c:?}");
        tried.push((c, b, json));
    }
    tried.sort_by(|a, b| a.0.valid_mae.total_cmp(&b.0.valid_mae));
    let mut tried = tried.into_iter();
    let Some((chosen, booster, params)) = tried.next() else { return Err(err("no hyper-parameters to try")) };
    let candidates: Vec<Candidate> = std::iter::once(chosen).chain(tried.map(|t| t.0)).collect();
    let pred: Vec<f64> = booster
        .predict(&xs, nf, true)
        .map_err(lg)?
        .into_iter()
        .map(crate::prediction::clamp_points)
        .collect();
    train.x.clear();

    let mae = |pairs: &mut dyn Iterator<Item = (f64, f64)>| {
        let (s, k) = pairs.fold((0.0, 0usize), |(s, k), (p, a)| (s + (p - a).abs(), k + 1));
        (k > 0).then(|| s / k as f64)
    };
    let test_mae = mae(&mut pred.iter().copied().zip(test.y.iter().copied())).unwrap_or(f64::NAN);
    // The baseline on the rows it predicted; the model on the same rows.
    let both: Vec<usize> = (0..test.y.len()).filter(|i| test.baseline[*i].is_some()).collect();
    let baseline_mae = mae(&mut both.iter().map(|i| (test.baseline[*i].unwrap_or(0.0), test.y[*i])));
    let model_on_same = mae(&mut both.iter().map(|i| (pred[*i], test.y[*i])));
    let lined: Vec<usize> = (0..test.y.len()).filter(|i| test.line[*i].is_some()).collect();
    let line_bias = (!lined.is_empty()).then(|| {
        lined.iter().map(|i| pred[*i] - test.line[*i].unwrap_or(0.0)).sum::<f64>() / lined.len() as f64
    });
    let picks: Vec<bool> =
        lined.iter().filter_map(|i| side_hit(pred[*i], test.line[*i]?, test.y[*i], 3.0)).collect();
    let hits = picks.iter().filter(|p| **p).count();
    let hit_rate = (!picks.is_empty()).then(|| hits as f64 / picks.len() as f64);
    let ci = wilson(hits, picks.len());
    let mut tier_err = [(0.0, 0usize); 4];
    for (i, p) in pred.iter().enumerate() {
        let t = row_tier(&test.x[i * FEATURE_COUNT..(i + 1) * FEATURE_COUNT]);
        tier_err[t].0 += p - test.y[i];
        tier_err[t].1 += 1;
    }
    let max_tier_bias =
        tier_err.iter().filter(|(_, k)| *k > 0).map(|(s, k)| (s / *k as f64).abs()).fold(0.0, f64::max);

    let g = &opts.gates;
    let gates = vec![
        GateResult {
            gate: "mae_vs_baseline",
            value: model_on_same,
            rule: format!(
                "test MAE below the moving average's on the same rows ({})",
                baseline_mae.map(|b| format!("{b:.3}")).unwrap_or_else(|| "none".into())
            ),
            verdict: match (model_on_same, baseline_mae) {
                (Some(m), Some(b)) if m < b => "pass",
                (Some(_), Some(_)) => "fail",
                _ => "n/a",
            },
        },
        GateResult {
            gate: "line_bias",
            value: line_bias,
            rule: format!("|mean(predicted − line)| ≤ {}", g.max_line_bias),
            verdict: match line_bias {
                Some(b) if b.abs() <= g.max_line_bias => "pass",
                Some(_) => "fail",
                None => "n/a",
            },
        },
        GateResult {
            gate: "hit_rate_edge3",
            value: hit_rate,
            rule: format!(
                "≥ {:.0} % at edge ≥ 3 with {}+ picks (95 % interval {:.3}-{:.3})",
                g.min_hit_rate * 100.0,
                g.min_picks,
                ci.0,
                ci.1
            ),
            verdict: match hit_rate {
                Some(r) if picks.len() >= g.min_picks && r >= g.min_hit_rate => "pass",
                Some(_) if picks.len() >= g.min_picks => "fail",
                _ => "n/a",
            },
        },
        GateResult {
            gate: "tier_bias",
            value: Some(max_tier_bias),
            rule: format!(
                "no tier ({}) with |mean(predicted − actual)| > {}",
                TIERS.join(", "),
                g.max_tier_bias
            ),
            verdict: if max_tier_bias <= g.max_tier_bias { "pass" } else { "fail" },
        },
    ];
    let failed: Vec<&GateResult> = gates.iter().filter(|x| x.verdict == "fail").collect();
    let status = if failed.is_empty() { "promoted" } else { "refused" };
    let reason = (!failed.is_empty()).then(|| {
        failed
            .iter()
            .map(|x| {
                format!("{}: {} ({})", x.gate, x.value.map(|v| format!("{v:.3}")).unwrap_or_default(), x.rule)
            })
            .collect::<Vec<_>>()
            .join("; ")
    });
    let now = chrono::Utc::now();
    let model_id = format!("gbm-{test_season}-{}", now.format("%Y%m%dT%H%M%S%3fZ"));
    let rel = format!("models/{model_id}.txt");
    let path = home.join(&rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| err(format!("{}: {e}", dir.display())))?;
    }
    booster.save_file(&path.to_string_lossy()).map_err(lg)?;
    let row = vec![
        Value::Text(model_id.clone()),
        Value::Text("gbm".into()),
        Value::Text(now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        Value::Text(opts.seasons[..n.saturating_sub(if n >= 3 { 2 } else { 1 })].join(",")),
        Value::Text(valid_name),
        Value::Text(test_season.clone()),
        Value::Text(CONTRACT_VERSION.into()),
        Value::Text(kept.iter().map(|i| FEATURES[*i].name).collect::<Vec<_>>().join(",")),
        if dropped.is_empty() { Value::Null } else { Value::Text(dropped.join(",")) },
        Value::Text(params.to_string()),
        Value::Text(TRAINER_VERSION.into()),
        Value::Integer(train.y.len() as i64),
        Value::Integer(valid.y.len() as i64),
        Value::Integer(test.y.len() as i64),
        Value::Integer(booster.num_iterations() as i64),
        Value::Real(test_mae),
        baseline_mae.map(Value::Real).unwrap_or(Value::Null),
        line_bias.map(Value::Real).unwrap_or(Value::Null),
        hit_rate.map(Value::Real).unwrap_or(Value::Null),
        hit_rate.map(|_| Value::Real(ci.0)).unwrap_or(Value::Null),
        hit_rate.map(|_| Value::Real(ci.1)).unwrap_or(Value::Null),
        Value::Integer(picks.len() as i64),
        Value::Real(max_tier_bias),
        Value::Text(json!(gates).to_string()),
        Value::Text(status.into()),
        reason.map(Value::Text).unwrap_or(Value::Null),
        Value::Text(rel.clone()),
    ];
    let tx = wh.transaction()?;
    insert_rows(&tx, &schema::MODEL_REGISTRY, [row.as_slice()])?;
    tx.commit()?;
    Ok(TrainReport {
        model_id,
        status,
        rows: (train.y.len(), valid.y.len(), test.y.len()),
        iterations: booster.num_iterations(),
        test_mae,
        baseline_mae,
        dropped,
        gates,
        model_path: rel,
        candidates,
    })
}
