//! The gradient-boosted model (`system_id = gbm`): LightGBM (through `lightgbm3`) on the
//! feature contract, one model per season trained only on earlier seasons, with the features
//! that the predicted dates lack dropped, and P(over) from the model's own out-of-sample
//! residuals.
//!
//! Missing values stay NaN: LightGBM routes them down each split's learned default branch
//! (its native missing-value handling); nothing is imputed.

use crate::calibration::Residuals;
use lightgbm3::{Booster, Dataset};
use propcast_core::features::{FEATURES, FEATURE_COUNT};
use propcast_core::{parse_date, schema, Date};
use propcast_store::memo::Memo;
use propcast_store::{CheckKind, CheckSpec, Input, Output, PartitionData, Result, Step, Warehouse, Window};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

/// The system id.
pub const SYSTEM: &str = "gbm";
/// Bumped when training or prediction changes.
pub const CODE_VERSION: &str = "gbm-2";
/// A feature is dropped from the model for dates where fewer than this share of the rows of
/// the date and the 28 days before it have it (spec: sources die mid-season).
pub const MIN_COVERAGE: f64 = 0.5;

fn err(message: impl Into<String>) -> propcast_store::Error {
    propcast_store::Error::Step { step: "predictions_gbm", message: message.into() }
}

/// Hyper-parameters (chosen on the validation data only; see docs/accuracy.md).
#[derive(Debug, Clone, PartialEq)]
pub struct GbmParams {
    /// Shrinkage.
    pub learning_rate: f64,
    /// Leaves per tree.
    pub num_leaves: i64,
    /// Minimum rows per leaf.
    pub min_data_in_leaf: i64,
    /// Share of features per tree.
    pub feature_fraction: f64,
    /// L2 regularisation.
    pub lambda_l2: f64,
    /// Maximum boosting rounds.
    pub max_rounds: i64,
    /// Stop after this many rounds without a better validation L1.
    pub early_stopping_rounds: i64,
    /// Threads (1: the same model on every machine and run).
    pub threads: i64,
}

impl Default for GbmParams {
    fn default() -> Self {
        GbmParams {
            learning_rate: 0.05,
            num_leaves: 31,
            min_data_in_leaf: 100,
            feature_fraction: 0.8,
            lambda_l2: 1.0,
            max_rounds: 1000,
            early_stopping_rounds: 50,
            threads: 1,
        }
    }
}

impl GbmParams {
    /// LightGBM parameters: L1 objective (the median: MAE is the metric).
    pub fn json(&self) -> serde_json::Value {
        json!({
            "objective": "regression_l1", "metric": "l1",
            "num_iterations": self.max_rounds, "early_stopping_rounds": self.early_stopping_rounds,
            "learning_rate": self.learning_rate, "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf, "feature_fraction": self.feature_fraction,
            "feature_fraction_seed": 7, "lambda_l2": self.lambda_l2, "num_threads": self.threads,
            "seed": 7, "deterministic": true, "force_col_wise": true, "verbosity": -1,
        })
    }
}

pub use crate::calibration::{row_tier, tier, TIERS};

/// A date before every season in the data: the start of an expanding training window.
pub const EPOCH: Date = match chrono::NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => panic!("2000-01-01 is a date"),
};

/// Feature rows with their labels (players who played), in date order.
#[derive(Debug, Default, Clone)]
pub struct Labeled {
    /// Row-major features, `FEATURE_COUNT` per row, NaN when missing.
    pub x: Vec<f64>,
    /// Points scored.
    pub y: Vec<f64>,
    /// Game dates.
    pub dates: Vec<Date>,
}

impl Labeled {
    /// Rows.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// No rows.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// Loads the played rows of the feature store dated in `[from, to)` (players available
    /// before the game, with a scoring history).
    pub fn load(wh: &Warehouse, from: Date, to: Date) -> Result<Labeled> {
        Ok(Self::load_keyed(wh, from, to)?.0)
    }

    /// The same rows with their (game, player) keys.
    pub fn load_keyed(wh: &Warehouse, from: Date, to: Date) -> Result<(Labeled, Vec<(String, String)>)> {
        let names: Vec<String> = FEATURES.iter().map(|f| format!("f.{}", f.name)).collect();
        let mut stmt = wh.conn().prepare(&format!(
            "SELECT c.outcome_points, f.game_date, f.game_id, f.player_id, {}
             FROM ml_feature_store f
             JOIN upcoming_player_game_context c ON c.game_id = f.game_id AND c.player_id = f.player_id
             WHERE f.game_date >= ?1 AND f.game_date < ?2 AND c.outcome_played = 1
               AND f.pre_game_status = 'available' AND f.points_avg_last_10 IS NOT NULL
             ORDER BY f.game_date, f.game_id, f.player_id",
            names.join(", ")
        ))?;
        let mut q = stmt.query([from.to_string(), to.to_string()])?;
        let mut l = Labeled::default();
        let mut keys = Vec::new();
        while let Some(r) = q.next()? {
            let Some(points) = r.get::<_, Option<f64>>(0)? else { continue };
            l.y.push(points);
            l.dates.push(parse_date(&r.get::<_, String>(1)?).map_err(|e| err(e.to_string()))?);
            keys.push((r.get(2)?, r.get(3)?));
            for i in 0..FEATURE_COUNT {
                l.x.push(r.get::<_, Option<f64>>(4 + i)?.unwrap_or(f64::NAN));
            }
        }
        Ok((l, keys))
    }
}

/// Share of rows with a value, per contract feature.
pub fn coverage(x: &[f64]) -> Vec<f64> {
    let n = x.len() / FEATURE_COUNT;
    let mut c = vec![0usize; FEATURE_COUNT];
    for row in x.chunks(FEATURE_COUNT) {
        for (i, v) in row.iter().enumerate() {
            c[i] += usize::from(!v.is_nan());
        }
    }
    c.into_iter().map(|k| if n == 0 { 0.0 } else { k as f64 / n as f64 }).collect()
}

/// The contract features with coverage of at least [`MIN_COVERAGE`] (kept) and the rest
/// (dropped), from the coverage of each.
pub fn split_by_coverage(cov: &[f64]) -> (Vec<usize>, Vec<usize>) {
    (0..FEATURE_COUNT).partition(|i| cov[*i] >= MIN_COVERAGE)
}

/// Project full-width rows onto the kept features.
pub(crate) fn project(x: &[f64], kept: &[usize]) -> Vec<f64> {
    x.chunks(FEATURE_COUNT).flat_map(|row| kept.iter().map(move |i| row[*i])).collect()
}

/// A trained model with what it needs to predict and to state P(over).
#[derive(Debug, Clone, PartialEq)]
pub struct GbmModel {
    /// `gbm-<season>-<kept features hash>`.
    pub model_id: String,
    /// LightGBM model text.
    pub model: String,
    /// Contract indices of the features used, in model column order.
    pub kept: Vec<usize>,
    /// Contract indices dropped for low coverage in the predicted dates.
    pub dropped: Vec<usize>,
    /// Trees kept by early stopping.
    pub iterations: i32,
    /// Training and validation rows.
    pub rows: (usize, usize),
    /// Validation MAE.
    pub valid_mae: f64,
    /// Out-of-sample residuals (actual − predicted) of the validation rows, per tier.
    pub residuals: Residuals,
}

impl GbmModel {
    /// Trains on `data` (date order): the last quarter of its dates validates (early
    /// stopping and the residual distribution) a model trained on the rest; the model kept is
    /// refitted on all of `data` with the chosen number of rounds.
    pub fn train(
        data: &Labeled,
        kept: Vec<usize>,
        dropped: Vec<usize>,
        params: &GbmParams,
        id: String,
    ) -> Result<GbmModel> {
        if data.len() < 1000 {
            return Err(err(format!("{} training rows: too few to train", data.len())));
        }
        let cut_date = data.dates[data.len() * 3 / 4];
        let cut = data.dates.partition_point(|d| *d < cut_date);
        let nf = kept.len() as i32;
        // One projection and one label vector; training and validation are slices of them.
        let all_x = project(&data.x, &kept);
        let all_y: Vec<f32> = data.y.iter().map(|v| *v as f32).collect();
        let (xt, xv) = all_x.split_at(cut * kept.len());
        let (yt, yv) = all_y.split_at(cut);
        let (valid_x, valid_y) = (&data.x[cut * FEATURE_COUNT..], &data.y[cut..]);
        let lg = |e: lightgbm3::Error| err(e.to_string());
        let dt = Dataset::from_slice(xt, yt, nf, true).map_err(lg)?;
        let dv = Dataset::from_slice_with_reference(xv, yv, nf, true, Some(&dt)).map_err(lg)?;
        let first = Booster::train_with_valid(dt, Some(dv), &params.json()).map_err(lg)?;
        let pv = first.predict(xv, nf, true).map_err(lg)?;
        // Refit on every row (the most recent games matter most) with the rounds that early
        // stopping chose; the residuals above stay out of sample.
        let best = first.num_iterations().max(1);
        let mut refit = params.json();
        refit["num_iterations"] = json!(best);
        refit.as_object_mut().map(|o| o.remove("early_stopping_rounds"));
        let booster =
            Booster::train(Dataset::from_slice(&all_x, &all_y, nf, true).map_err(lg)?, &refit).map_err(lg)?;
        let mut residuals = Residuals::default();
        for (k, p) in pv.iter().enumerate() {
            residuals.push(row_tier(&valid_x[k * FEATURE_COUNT..(k + 1) * FEATURE_COUNT]), valid_y[k] - p);
        }
        let residuals = residuals.finish();
        let valid_mae =
            pv.iter().zip(valid_y).map(|(p, y)| (p - y).abs()).sum::<f64>() / valid_y.len().max(1) as f64;
        Ok(GbmModel {
            model_id: id,
            model: booster.save_string().map_err(lg)?,
            kept,
            dropped,
            iterations: booster.num_iterations(),
            rows: (cut, data.len() - cut),
            valid_mae,
            residuals,
        })
    }

    /// Predicts full-width feature rows.
    pub fn predict(&self, x: &[f64]) -> Result<Vec<f64>> {
        self.predict_with(&self.booster()?, x)
    }

    /// The LightGBM booster of the model text (parse once, predict many times: the text is
    /// what crosses threads, a booster cannot).
    pub fn booster(&self) -> Result<Booster> {
        Booster::from_string(&self.model).map_err(|e| err(e.to_string()))
    }

    /// Predicts full-width feature rows with this model's parsed booster.
    pub fn predict_with(&self, b: &Booster, x: &[f64]) -> Result<Vec<f64>> {
        if x.is_empty() {
            return Ok(vec![]);
        }
        b.predict(&project(x, &self.kept), self.kept.len() as i32, true).map_err(|e| err(e.to_string()))
    }

    /// Feature contributions (TreeSHAP) of full-width rows: per row, one value per kept
    /// feature and the expected value last.
    pub fn contributions(&self, b: &Booster, x: &[f64]) -> Result<Vec<f64>> {
        if x.is_empty() {
            return Ok(vec![]);
        }
        b.predict_contrib(&project(x, &self.kept), self.kept.len() as i32, true)
            .map_err(|e| err(e.to_string()))
    }

    /// The `n` largest contributions of one row as a JSON object (points, by feature name),
    /// with the model's expected value as `base`.
    pub fn key_factors(&self, contrib: &[f64], n: usize) -> String {
        let mut order: Vec<usize> = (0..self.kept.len()).collect();
        order.sort_by(|a, b| contrib[*b].abs().total_cmp(&contrib[*a].abs()));
        let mut m = serde_json::Map::new();
        m.insert("base".into(), json!((contrib[self.kept.len()] * 100.0).round() / 100.0));
        for k in order.into_iter().take(n) {
            m.insert(FEATURES[self.kept[k]].name.into(), json!((contrib[k] * 100.0).round() / 100.0));
        }
        serde_json::Value::Object(m).to_string()
    }

    /// P(points > line) from the validation residuals of the tier.
    pub fn p_over(&self, predicted: f64, line: f64, tier: usize) -> Option<f64> {
        self.residuals.p_over(predicted, line, tier)
    }
}

/// Trained models kept on disk under `<home>/models/cache/`, one file per content key (the
/// model id, the content of the training partitions, the step's code version and the
/// hyper-parameters), so that a later process (the one-date update) loads the model its
/// training would give instead of training it again. Floats are stored as their bits: a
/// loaded model predicts exactly what the trained one did. A file that cannot be read is
/// ignored (the model is trained again); one that cannot be written is only logged.
struct ModelFile;

#[derive(serde::Serialize, serde::Deserialize)]
struct StoredModel {
    model_id: String,
    model: String,
    kept: Vec<usize>,
    dropped: Vec<usize>,
    iterations: i32,
    rows: (usize, usize),
    valid_mae_bits: u64,
    residual_bits: Vec<Vec<u64>>,
}

impl ModelFile {
    /// The file for `key` beside the warehouse (`None` for an in-memory warehouse).
    fn path(wh: &Warehouse, key: &str) -> Option<std::path::PathBuf> {
        let dir = wh.path().parent()?.join("models").join("cache");
        Some(
            dir.join(format!(
                "{}.json",
                propcast_store::hash_row(&[propcast_store::Value::Text(key.into())])
            )),
        )
    }

    fn read(path: &std::path::Path) -> Option<GbmModel> {
        let s: StoredModel = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
        let tiers: Vec<Vec<f64>> =
            s.residual_bits.iter().map(|t| t.iter().map(|b| f64::from_bits(*b)).collect()).collect();
        Some(GbmModel {
            model_id: s.model_id,
            model: s.model,
            kept: s.kept,
            dropped: s.dropped,
            iterations: s.iterations,
            rows: s.rows,
            valid_mae: f64::from_bits(s.valid_mae_bits),
            residuals: Residuals::from_tiers(tiers.try_into().ok()?),
        })
    }

    fn write(path: &std::path::Path, m: &GbmModel) {
        let stored = StoredModel {
            model_id: m.model_id.clone(),
            model: m.model.clone(),
            kept: m.kept.clone(),
            dropped: m.dropped.clone(),
            iterations: m.iterations,
            rows: m.rows,
            valid_mae_bits: m.valid_mae.to_bits(),
            residual_bits: m
                .residuals
                .tiers()
                .iter()
                .map(|t| t.iter().map(|x| x.to_bits()).collect())
                .collect(),
        };
        let result = (|| -> std::io::Result<()> {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = path.with_extension(format!("tmp{}", std::process::id()));
            std::fs::write(&tmp, serde_json::to_vec(&stored)?)?;
            std::fs::rename(&tmp, path)
        })();
        if let Err(e) = result {
            tracing::warn!("gbm: could not keep the model in {}: {e}", path.display());
        }
    }
}

fn models() -> &'static Memo<GbmModel> {
    static C: OnceLock<Memo<GbmModel>> = OnceLock::new();
    C.get_or_init(Memo::default)
}

/// The `gbm` prediction step.
#[derive(Debug, Default, Clone)]
pub struct GbmPredictions {
    /// Hyper-parameters.
    pub params: GbmParams,
    /// Recommendation thresholds and gate mode.
    pub config: crate::config::SystemsConfig,
}

const INPUTS: &[Input] = &[
    Input { name: "ml_feature_store", window: Window::SameDate, why: "the rows to predict" },
    Input { name: "ml_feature_store", window: Window::AllBefore, why: "training rows of earlier seasons" },
    Input {
        name: "upcoming_player_game_context",
        window: Window::SameDate,
        why: "the consensus pre-game line; players listed out get no prediction",
    },
    Input {
        name: "upcoming_player_game_context",
        window: Window::AllBefore,
        why: "the labels of earlier games (points)",
    },
];

impl GbmPredictions {
    /// The model for dates of `season` (first date `season_start`) using `kept` features,
    /// trained once per process on every earlier season. `inputs` is the
    /// [`content_key`](propcast_store::memo::content_key) of those seasons: the memo holds a model per
    /// warehouse and per content of its training partitions.
    fn model(
        &self,
        wh: &Warehouse,
        season_start: Date,
        season: &str,
        inputs: &str,
        (kept, dropped): (&[usize], &[usize]),
    ) -> Result<Option<Arc<GbmModel>>> {
        let mut h: u64 = 0xcbf29ce484222325;
        for i in kept {
            h = (h ^ *i as u64).wrapping_mul(0x100000001b3);
        }
        let id = format!("gbm-{season}-{:08x}", h as u32);
        models().get_or_try(format!("{id}-{}-{inputs}", wh.path().display()), || {
            // The same model trained by an earlier process (a nightly update retrains nothing).
            let file = ModelFile::path(wh, &format!("{id}-{inputs}-{CODE_VERSION}-{}", self.params.json()));
            if let Some(m) = file.as_deref().and_then(ModelFile::read) {
                return Ok(Some(m));
            }
            let data = Labeled::load(wh, EPOCH, season_start)?;
            if data.len() < 1000 {
                return Ok(None);
            }
            let t = std::time::Instant::now();
            let m = GbmModel::train(&data, kept.to_vec(), dropped.to_vec(), &self.params, id)?;
            if let Some(f) = &file {
                ModelFile::write(f, &m);
            }
            tracing::info!(
                "gbm: trained {} on {} rows ({} validation) in {:.1} s: {} trees, validation MAE {:.3}; dropped {}",
                m.model_id,
                m.rows.0,
                m.rows.1,
                t.elapsed().as_secs_f64(),
                m.iterations,
                m.valid_mae,
                m.dropped.iter().map(|i| FEATURES[*i].name).collect::<Vec<_>>().join(", ")
            );
            Ok(Some(m))
        })
    }
}

const CHECKS: &[CheckSpec] = &[
    CheckSpec { name: "unique_key", kind: CheckKind::UniqueKey },
    CheckSpec { name: "predicted_range", kind: CheckKind::Range { column: "predicted_points" } },
    CheckSpec { name: "p_over_range", kind: CheckKind::Range { column: "p_over" } },
];

impl Step for GbmPredictions {
    fn name(&self) -> &'static str {
        "predictions_gbm"
    }

    fn checks(&self) -> &'static [CheckSpec] {
        CHECKS
    }

    fn code_version(&self) -> &'static str {
        CODE_VERSION
    }

    fn version(&self) -> String {
        self.config.version(CODE_VERSION, SYSTEM)
    }

    fn pre_game(&self) -> bool {
        true
    }

    fn phase(&self) -> u8 {
        5
    }

    fn inputs(&self) -> &'static [Input] {
        INPUTS
    }

    fn output(&self) -> Output {
        Output::Table { table: &schema::PLAYER_PROP_PREDICTIONS, scope: Some(("system_id", SYSTEM)) }
    }

    fn compute(&self, wh: &Warehouse, dates: &[Date]) -> Result<Vec<(Date, PartitionData)>> {
        let (Some(first), Some(last)) = (dates.first(), dates.last()) else { return Ok(vec![]) };
        let names: Vec<String> = FEATURES.iter().map(|f| format!("f.{}", f.name)).collect();
        let mut stmt = wh.conn().prepare_cached(&format!(
            "SELECT f.game_date, f.player_id, f.game_id, f.season, c.pre_game_status, c.current_points_line,
                    c.line_books, f.feature_quality_score, f.matchup_quality, f.required_missing_count, {}
             FROM ml_feature_store f
             JOIN upcoming_player_game_context c ON c.game_id = f.game_id AND c.player_id = f.player_id
             WHERE f.game_date BETWEEN ?1 AND ?2 ORDER BY f.game_date, f.player_id, f.game_id",
            names.join(", ")
        ))?;
        // Per date: rows, and per feature the rows with a value (the coverage window).
        let from = *first - chrono::Duration::days(28);
        let mut present: BTreeMap<Date, (usize, Vec<usize>)> = BTreeMap::new();
        let mut todo: BTreeMap<Date, Vec<Pending>> = BTreeMap::new();
        let wanted: std::collections::HashSet<Date> = dates.iter().copied().collect();
        let mut q = stmt.query([from.to_string(), last.to_string()])?;
        while let Some(r) = q.next()? {
            let d = parse_date(&r.get::<_, String>(0)?).map_err(|e| err(e.to_string()))?;
            let x: Vec<f64> = (0..FEATURE_COUNT)
                .map(|i| r.get::<_, Option<f64>>(10 + i).map(|v| v.unwrap_or(f64::NAN)))
                .collect::<std::result::Result<_, _>>()?;
            let e = present.entry(d).or_insert_with(|| (0, vec![0; FEATURE_COUNT]));
            e.0 += 1;
            for (c, v) in e.1.iter_mut().zip(&x) {
                *c += usize::from(!v.is_nan());
            }
            if wanted.contains(&d) && r.get::<_, String>(4)? != "out" {
                todo.entry(d).or_default().push(Pending {
                    player: r.get(1)?,
                    game: r.get(2)?,
                    season: r.get(3)?,
                    line: r.get(5)?,
                    books: r.get(6)?,
                    quality: crate::gate::RowQuality {
                        score: r.get(7)?,
                        matchup: r.get(8)?,
                        required_missing: r.get(9)?,
                    },
                    x,
                });
            }
        }
        let mut seasons: HashMap<String, (Date, String)> = HashMap::new();
        let mut starts =
            wh.conn().prepare_cached("SELECT min(game_date) FROM game_dates WHERE season = ?1")?;
        // One parsed booster per model for the whole chunk, not one per date.
        let mut boosters: HashMap<String, Booster> = HashMap::new();
        let mut out = Vec::new();
        for (d, rows_today) in todo {
            // The date and the 28 days before it decide which features the model may use.
            let (mut n, mut have) = (0usize, vec![0usize; FEATURE_COUNT]);
            for (_, (k, c)) in present.range(d - chrono::Duration::days(28)..=d) {
                n += k;
                for (h, v) in have.iter_mut().zip(c) {
                    *h += v;
                }
            }
            let cov: Vec<f64> =
                have.iter().map(|h| if n == 0 { 0.0 } else { *h as f64 / n as f64 }).collect();
            let (kept, dropped) = split_by_coverage(&cov);
            let season = rows_today[0].season.clone();
            // The season's start and the content key of its training partitions: once per
            // season and chunk, not once per date.
            if !seasons.contains_key(&season) {
                let start: String = starts.query_row([&season], |r| r.get(0))?;
                let start = parse_date(&start).map_err(|e| err(e.to_string()))?;
                let key = propcast_store::memo::content_key(
                    wh,
                    &["ml_feature_store", "upcoming_player_game_context"],
                    start,
                )?;
                seasons.insert(season.clone(), (start, key));
            }
            let (start, inputs) = &seasons[&season];
            let Some(model) = self.model(wh, *start, &season, inputs, (&kept, &dropped))? else { continue };
            let x: Vec<f64> = rows_today.iter().flat_map(|t| t.x.iter().copied()).collect();
            if !boosters.contains_key(&model.model_id) {
                boosters.insert(model.model_id.clone(), model.booster()?);
            }
            let preds = model.predict_with(&boosters[&model.model_id], &x)?;
            let warning = if model.dropped.is_empty() {
                None
            } else {
                Some(format!(
                    "features dropped (coverage below 50 % in the 28 days to the date): {}",
                    model.dropped.iter().map(|i| FEATURES[*i].name).collect::<Vec<_>>().join(", ")
                ))
            };
            let th = self.config.thresholds(SYSTEM);
            let decided: Vec<(f64, Option<f64>, f64, &'static str)> = rows_today
                .iter()
                .zip(&preds)
                .map(|(t, p)| {
                    let p = crate::prediction::clamp_points(*p);
                    let tr = row_tier(&t.x);
                    let p_over = t.line.and_then(|l| model.p_over(p, l, tr));
                    let conf = p_over.map(|q| q.max(1.0 - q)).unwrap_or(0.5);
                    (p, p_over, conf, th.pick(p, t.line, conf))
                })
                .collect();
            // Key factors (the largest feature contributions, TreeSHAP) for the picks only:
            // they are what a reader asks "why" about, and contributions cost far more than
            // predictions.
            let picked: Vec<usize> =
                (0..decided.len()).filter(|i| matches!(decided[*i].3, "OVER" | "UNDER")).collect();
            let mut factors: HashMap<usize, String> = HashMap::new();
            if !picked.is_empty() {
                let xp: Vec<f64> = picked.iter().flat_map(|i| rows_today[*i].x.iter().copied()).collect();
                let contrib = model.contributions(&boosters[&model.model_id], &xp)?;
                let width = model.kept.len() + 1;
                for (k, i) in picked.iter().enumerate() {
                    factors.insert(*i, model.key_factors(&contrib[k * width..(k + 1) * width], 5));
                }
            }
            let mut rows = Vec::with_capacity(rows_today.len());
            for (i, (t, (p, p_over, conf, rec))) in rows_today.into_iter().zip(decided).enumerate() {
                let (rec, block) = self.config.gate(rec, t.quality);
                let warning = crate::gate::join(warning.clone(), block);
                rows.push(
                    crate::prediction::Prediction {
                        system: SYSTEM,
                        player: t.player,
                        game: t.game,
                        date: d.to_string(),
                        predicted: p,
                        p_over,
                        line: t.line,
                        books: t.books,
                        confidence: conf,
                        recommendation: rec,
                        model_id: &model.model_id,
                        key_factors: factors.remove(&i),
                        warnings: warning,
                    }
                    .values(),
                );
            }
            out.push((d, PartitionData::Rows(rows)));
        }
        Ok(out)
    }
}

/// A row waiting for its prediction.
struct Pending {
    player: String,
    game: String,
    season: String,
    line: Option<f64>,
    books: Option<i64>,
    quality: crate::gate::RowQuality,
    x: Vec<f64>,
}

/// Dropped features of the models trained in this process, by model id (for reports).
pub fn trained_models() -> BTreeMap<String, (Vec<&'static str>, usize, f64)> {
    let mut out = BTreeMap::new();
    for m in models().values() {
        out.insert(
            m.model_id.clone(),
            (m.dropped.iter().map(|i| FEATURES[*i].name).collect(), m.rows.0, m.valid_mae),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_model_reads_back_bit_for_bit_and_a_bad_file_is_ignored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let wh = Warehouse::open(&dir.path().join("warehouse.sqlite")).expect("open");
        let path = ModelFile::path(&wh, "gbm-2024-25-0000abcd-key").expect("a path beside the warehouse");
        assert!(path.starts_with(dir.path().join("models").join("cache")));
        // Floats that a decimal round trip can get wrong by one unit in the last place.
        let awkward = [0.1 + 0.2, -0.0, f64::MIN_POSITIVE / 3.0, 1.0 / 3.0, -2.5e-308, 4.498_123_456_789_012];
        let tiers: [Vec<f64>; 4] =
            [awkward.to_vec(), vec![], vec![1e300, -1e-300], awkward.iter().map(|x| x * 7.0).collect()];
        let m = GbmModel {
            model_id: "gbm-2024-25-0000abcd".into(),
            model: "tree\nversion=v4\n".into(),
            kept: vec![0, 3, 9],
            dropped: vec![1, 2],
            iterations: 213,
            rows: (127_965, 42_739),
            valid_mae: 4.473_000_000_000_001,
            residuals: Residuals::from_tiers(tiers),
        };
        assert!(ModelFile::read(&path).is_none(), "nothing kept yet");
        ModelFile::write(&path, &m);
        let back = ModelFile::read(&path).expect("kept");
        assert_eq!(back, m);
        let bits = |r: &Residuals| r.tiers().iter().flatten().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back.residuals), bits(&m.residuals), "residuals bit for bit");
        std::fs::write(&path, b"{ not a model").expect("write");
        assert!(ModelFile::read(&path).is_none(), "a damaged file means training again");
    }
}
