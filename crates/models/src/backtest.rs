//! `propcast backtest`: walk-forward evaluation of the gbm system. Every `retrain_every` days
//! from `from`, a model is trained only on labelled rows dated before that day (all of them,
//! or the last `window` days) and predicts the rows of the days until the next retraining;
//! features the predicted days lack (coverage below 50 %) are left out of that model.

use crate::gbm::{coverage, split_by_coverage, GbmModel, GbmParams, Labeled, EPOCH};
use propcast_core::Date;
use propcast_store::{Result, Warehouse};

/// How much history each model trains on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainWindow {
    /// Everything before the retraining day.
    Expanding,
    /// The last N days before it.
    Days(i64),
}

/// One retraining period.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Period {
    /// First day predicted.
    pub from: String,
    /// Last day predicted.
    pub to: String,
    /// Training rows (before `from`).
    pub train_rows: usize,
    /// Rows predicted.
    pub n: usize,
    /// gbm MAE on them.
    pub mae: f64,
    /// The moving average's MAE on the rows it also predicted.
    pub baseline_mae: Option<f64>,
    /// Features left out.
    pub dropped: usize,
    /// Seconds to train.
    pub train_seconds: f64,
}

/// The walk-forward result.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Backtest {
    /// Per period.
    pub periods: Vec<Period>,
    /// Rows predicted.
    pub n: usize,
    /// Overall gbm MAE.
    pub mae: f64,
    /// gbm and moving-average MAE on the rows both predicted, and their count.
    pub paired: (usize, f64, f64),
    /// Wall seconds.
    pub seconds: f64,
}

fn baseline(
    wh: &Warehouse,
    from: Date,
    to: Date,
) -> Result<std::collections::HashMap<(String, String), f64>> {
    let mut stmt = wh.conn().prepare(
        "SELECT game_id, player_id, predicted_points FROM player_prop_predictions
         WHERE system_id = 'moving_average' AND is_active = 1 AND game_date >= ?1 AND game_date < ?2",
    )?;
    let mut q = stmt.query([from.to_string(), to.to_string()])?;
    let mut m = std::collections::HashMap::new();
    while let Some(r) = q.next()? {
        m.insert((r.get(0)?, r.get(1)?), r.get(2)?);
    }
    Ok(m)
}

/// Runs the walk-forward backtest over `[from, to]`.
pub fn backtest(
    wh: &Warehouse,
    from: Date,
    to: Date,
    every_days: i64,
    window: TrainWindow,
    params: &GbmParams,
) -> Result<Backtest> {
    let started = std::time::Instant::now();
    let mut periods = Vec::new();
    let (mut sum, mut n) = (0.0, 0usize);
    let (mut pn, mut pg, mut pb) = (0usize, 0.0, 0.0);
    let mut t0 = from;
    while t0 <= to {
        let t1 = (t0 + chrono::Duration::days(every_days)).min(to + chrono::Duration::days(1));
        let target = Labeled::load_keyed(wh, t0, t1)?;
        if target.0.is_empty() {
            t0 = t1;
            continue;
        }
        let (kept, dropped) = split_by_coverage(&coverage(&target.0.x));
        let start = match window {
            TrainWindow::Expanding => EPOCH,
            TrainWindow::Days(d) => t0 - chrono::Duration::days(d),
        };
        let train = Labeled::load(wh, start, t0)?;
        let t = std::time::Instant::now();
        let Ok(model) = GbmModel::train(&train, kept, dropped.clone(), params, format!("backtest-{t0}"))
        else {
            t0 = t1;
            continue;
        };
        let train_seconds = t.elapsed().as_secs_f64();
        let pred = model.predict(&target.0.x)?;
        let base = baseline(wh, t0, t1)?;
        let (mut s, mut bs, mut bg, mut bn) = (0.0, 0.0, 0.0, 0usize);
        for (i, p) in pred.iter().enumerate() {
            let p = crate::prediction::clamp_points(*p);
            let y = target.0.y[i];
            s += (p - y).abs();
            if let Some(b) = base.get(&target.1[i]) {
                bs += (b - y).abs();
                bg += (p - y).abs();
                bn += 1;
            }
        }
        periods.push(Period {
            from: t0.to_string(),
            to: (t1 - chrono::Duration::days(1)).to_string(),
            train_rows: train.len(),
            n: pred.len(),
            mae: s / pred.len() as f64,
            baseline_mae: (bn > 0).then(|| bs / bn as f64),
            dropped: dropped.len(),
            train_seconds,
        });
        sum += s;
        n += pred.len();
        pn += bn;
        pg += bg;
        pb += bs;
        t0 = t1;
    }
    Ok(Backtest {
        periods,
        n,
        mae: if n == 0 { f64::NAN } else { sum / n as f64 },
        paired: (
            pn,
            if pn == 0 { f64::NAN } else { pg / pn as f64 },
            if pn == 0 { f64::NAN } else { pb / pn as f64 },
        ),
        seconds: started.elapsed().as_secs_f64(),
    })
}
