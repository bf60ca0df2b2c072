//! The moving-average baseline (`system_id = moving_average`).

use propcast_core::{schema, Date};
use propcast_store::{CheckKind, CheckSpec, Input, Output, PartitionData, Result, Step, Warehouse, Window};

/// Thresholds of the moving-average system (spec §6.2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MovingAverageConfig {
    /// A pick needs |predicted − line| above this, points.
    pub min_edge: f64,
    /// A pick needs confidence above this, 0-1.
    pub min_confidence: f64,
}

impl Default for MovingAverageConfig {
    fn default() -> Self {
        MovingAverageConfig { min_edge: 2.0, min_confidence: 0.45 }
    }
}

/// A recommendation against the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recommendation {
    /// Predicted above the line.
    Over,
    /// Predicted below the line.
    Under,
    /// Edge or confidence too small.
    Pass,
    /// No line to judge against.
    NoLine,
}

impl Recommendation {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Recommendation::Over => "OVER",
            Recommendation::Under => "UNDER",
            Recommendation::Pass => "PASS",
            Recommendation::NoLine => "NO_LINE",
        }
    }
}

/// The moving-average baseline: 0.50·L5 + 0.30·L10 + 0.20·season average.
#[derive(Debug, Default, Clone, Copy)]
pub struct MovingAverage {
    /// Thresholds.
    pub config: MovingAverageConfig,
}

impl MovingAverage {
    /// The prediction from the three averages. Without a season average yet (the season's
    /// first game), the L5 and L10 weights are renormalised to 0.625 / 0.375; without any
    /// history there is no prediction. Clamped to 0-60.
    pub fn predict(l5: Option<f64>, l10: Option<f64>, season: Option<f64>) -> Option<f64> {
        let parts = [(0.5, l5), (0.3, l10), (0.2, season)];
        let w: f64 = parts.iter().filter(|(_, v)| v.is_some()).map(|(w, _)| w).sum();
        if l5.is_none() || w == 0.0 {
            return None;
        }
        let s: f64 = parts.iter().filter_map(|(w, v)| v.map(|v| w * v)).sum();
        Some((s / w).clamp(0.0, 60.0))
    }

    /// Confidence, 0.2-0.8: 0.5, −0.15 if the L10 standard deviation is above 6 (−0.08 above
    /// 4), +0.10 with 3 or more games in the last 7 days (+0.05 with 2, −0.10 with fewer).
    pub fn confidence(std10: Option<f64>, games_last_7: i64) -> f64 {
        let mut c = 0.5;
        match std10 {
            Some(s) if s > 6.0 => c -= 0.15,
            Some(s) if s > 4.0 => c -= 0.08,
            _ => {}
        }
        c += match games_last_7 {
            g if g >= 3 => 0.10,
            2 => 0.05,
            _ => -0.10,
        };
        // Rounded to hundredths so that 0.5 − 0.15 + 0.10 is exactly the 0.45 threshold.
        (f64::clamp(c, 0.2, 0.8) * 100.0).round() / 100.0
    }

    /// The recommendation contract: NO_LINE without a line; PASS when |edge| ≤ min_edge or
    /// confidence ≤ min_confidence; else OVER or UNDER.
    pub fn recommend(&self, predicted: f64, line: Option<f64>, confidence: f64) -> Recommendation {
        let Some(line) = line else {
            return Recommendation::NoLine;
        };
        let edge = predicted - line;
        if edge.abs() <= self.config.min_edge || confidence <= self.config.min_confidence {
            Recommendation::Pass
        } else if edge > 0.0 {
            Recommendation::Over
        } else {
            Recommendation::Under
        }
    }
}

const INPUTS: &[Input] = &[
    Input { name: "ml_feature_store", window: Window::SameDate, why: "the point-in-time averages" },
    Input {
        name: "upcoming_player_game_context",
        window: Window::SameDate,
        why: "the consensus pre-game line; players listed out get no prediction",
    },
];

/// The version of the rule, stored as `model_id`.
pub const MODEL_ID: &str = "moving_average_v1";

const CHECKS: &[CheckSpec] = &[
    CheckSpec {
        name: "coverage_warn",
        kind: CheckKind::RowsVsExpected {
            sql: "SELECT count(*) FROM upcoming_player_game_context WHERE game_date = ?1 AND pre_game_status = 'available'",
        },
    },
    CheckSpec {
        name: "coverage_critical",
        kind: CheckKind::RowsVsExpected {
            sql: "SELECT count(*) FROM upcoming_player_game_context WHERE game_date = ?1 AND pre_game_status = 'available'",
        },
    },
    CheckSpec { name: "unique_key", kind: CheckKind::UniqueKey },
    CheckSpec { name: "predicted_range", kind: CheckKind::Range { column: "predicted_points" } },
    CheckSpec { name: "confidence_range", kind: CheckKind::Range { column: "confidence" } },
];

impl Step for MovingAverage {
    fn name(&self) -> &'static str {
        "predictions_moving_average"
    }

    fn code_version(&self) -> &'static str {
        "ma-3"
    }

    fn pre_game(&self) -> bool {
        true
    }

    fn phase(&self) -> u8 {
        5
    }

    fn checks(&self) -> &'static [CheckSpec] {
        CHECKS
    }

    fn inputs(&self) -> &'static [Input] {
        INPUTS
    }

    fn output(&self) -> Output {
        Output::Table {
            table: &schema::PLAYER_PROP_PREDICTIONS,
            scope: Some(("system_id", "moving_average")),
        }
    }

    fn compute(&self, wh: &Warehouse, dates: &[Date]) -> Result<Vec<(Date, PartitionData)>> {
        let mut out = Vec::with_capacity(dates.len());
        let mut stmt = wh.conn().prepare_cached(
            "SELECT f.player_id, f.game_id, f.points_avg_last_5, f.points_avg_last_10, f.points_avg_season,
                    f.points_std_last_10, f.games_in_last_7_days, c.current_points_line, c.line_books,
                    f.feature_quality_score, f.matchup_quality, f.required_missing_count
             FROM ml_feature_store f
             JOIN upcoming_player_game_context c ON c.game_id = f.game_id AND c.player_id = f.player_id
             WHERE f.game_date = ?1 AND c.pre_game_status <> 'out'
             ORDER BY f.player_id, f.game_id",
        )?;
        for date in dates {
            let ds = date.to_string();
            let mut rows = Vec::new();
            let mut q = stmt.query([&ds])?;
            while let Some(r) = q.next()? {
                let player: String = r.get(0)?;
                let game: String = r.get(1)?;
                let Some(pred) = Self::predict(r.get(2)?, r.get(3)?, r.get(4)?) else {
                    continue;
                };
                let conf = Self::confidence(r.get(5)?, r.get::<_, f64>(6)? as i64);
                // The consensus pre-game line, computed once in the player context.
                let line: Option<(f64, i64)> = r.get::<_, Option<f64>>(7)?.zip(r.get::<_, Option<i64>>(8)?);
                let block = crate::gate::blocked(
                    crate::gate::Mode::Backfill,
                    crate::gate::RowQuality {
                        score: r.get(9)?,
                        matchup: r.get(10)?,
                        required_missing: r.get(11)?,
                    },
                );
                let rec = crate::gate::gated(self.recommend(pred, line.map(|l| l.0), conf).as_str(), &block);
                rows.push(
                    crate::prediction::Prediction {
                        system: "moving_average",
                        player,
                        game,
                        date: ds.clone(),
                        predicted: pred,
                        p_over: None,
                        line: line.map(|l| l.0),
                        books: line.map(|l| l.1),
                        confidence: conf,
                        recommendation: rec,
                        model_id: MODEL_ID,
                        warnings: block,
                    }
                    .values(),
                );
            }
            if !rows.is_empty() {
                out.push((*date, PartitionData::Rows(rows)));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_and_contract() {
        let p = MovingAverage::predict(Some(20.0), Some(18.0), Some(15.0)).unwrap();
        assert!((p - (10.0 + 5.4 + 3.0)).abs() < 1e-9);
        let p = MovingAverage::predict(Some(20.0), Some(16.0), None).unwrap();
        assert!((p - (0.625 * 20.0 + 0.375 * 16.0)).abs() < 1e-9);
        assert_eq!(MovingAverage::predict(None, None, None), None);
        assert_eq!(MovingAverage::confidence(Some(7.0), 3), 0.45);
        assert_eq!(MovingAverage::confidence(Some(3.0), 0), 0.4);
        let m = MovingAverage::default();
        assert_eq!(m.recommend(20.0, None, 0.6), Recommendation::NoLine);
        assert_eq!(m.recommend(20.0, Some(18.5), 0.6), Recommendation::Pass);
        assert_eq!(m.recommend(21.0, Some(18.5), 0.6), Recommendation::Over);
        assert_eq!(m.recommend(15.0, Some(18.5), 0.6), Recommendation::Under);
        assert_eq!(m.recommend(15.0, Some(18.5), 0.45), Recommendation::Pass);
        let c = MovingAverage::confidence(Some(7.0), 3);
        assert_eq!(m.recommend(25.0, Some(18.5), c), Recommendation::Pass, "0.45 is not above 0.45");
    }
}
