//! The ensemble (`system_id = ensemble`): each member system's prediction (`moving_average`,
//! `zone_matchup`, `similarity`, `gbm`) weighted by its mean absolute error over the 28 days before the date (its recent
//! walk-forward error, from earlier predictions and earlier box scores only): the recently
//! better member dominates, and a member that degrades (a source dies) loses its weight.

use propcast_core::{schema, Date};
use propcast_store::{CheckKind, CheckSpec, Input, Output, PartitionData, Result, Step, Warehouse, Window};
use std::collections::BTreeMap;

/// The system id.
pub const SYSTEM: &str = "ensemble";
/// Days of recent error that set the weights.
pub const WINDOW_DAYS: i64 = 28;
/// Graded predictions a member needs in the window to get a weight.
pub const MIN_GRADED: usize = 200;

/// The member systems.
pub const MEMBERS: &[&str] = &["moving_average", "zone_matchup", "similarity", "gbm"];

/// Builds the ensemble's predictions.
#[derive(Debug, Clone, Default)]
pub struct Ensemble {
    /// Thresholds (its confidence is the weighted P(the picked side)) and gate mode.
    pub config: crate::config::SystemsConfig,
}

const INPUTS: &[Input] = &[
    Input {
        name: "player_prop_predictions",
        window: Window::SameDate,
        why: "the members' predictions of the date",
    },
    Input {
        name: "player_prop_predictions",
        window: Window::AllBefore,
        why: "the members' earlier predictions",
    },
    Input {
        name: "player_game_summary",
        window: Window::AllBefore,
        why: "what happened in those earlier games",
    },
];

const CHECKS: &[CheckSpec] = &[
    CheckSpec { name: "unique_key", kind: CheckKind::UniqueKey },
    CheckSpec { name: "predicted_range", kind: CheckKind::Range { column: "predicted_points" } },
];

/// Temperature of the weights, points of MAE: a member 0.1 points worse than the best gets
/// e^-1 of its weight.
pub const TEMPERATURE: f64 = 0.1;

/// Weights from each member's recent MAE: exp(−(MAE − best MAE) / T), normalised; members with
/// too few graded predictions get none. (Inverse-MAE weights, 1 / MAE, were tried first: with
/// members at 4.50 and 4.69 they are nearly equal, and the average was worse than the better
/// member in every season.)
pub fn weights(recent: &[(String, usize, f64)]) -> Vec<(String, f64)> {
    let usable: Vec<&(String, usize, f64)> =
        recent.iter().filter(|(_, n, m)| *n >= MIN_GRADED && *m > 0.0).collect();
    let best = usable.iter().map(|(_, _, m)| *m).fold(f64::INFINITY, f64::min);
    let raw: Vec<f64> = usable.iter().map(|(_, _, m)| (-(m - best) / TEMPERATURE).exp()).collect();
    let total: f64 = raw.iter().sum();
    usable.iter().zip(raw).map(|((s, _, _), r)| (s.clone(), r / total)).collect()
}

impl Step for Ensemble {
    fn name(&self) -> &'static str {
        "predictions_ensemble"
    }

    fn code_version(&self) -> &'static str {
        "ensemble-5"
    }

    fn version(&self) -> String {
        self.config.version(self.code_version(), SYSTEM)
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

    fn checks(&self) -> &'static [CheckSpec] {
        CHECKS
    }

    fn output(&self) -> Output {
        Output::Table { table: &schema::PLAYER_PROP_PREDICTIONS, scope: Some(("system_id", SYSTEM)) }
    }

    fn compute(&self, wh: &Warehouse, dates: &[Date]) -> Result<Vec<(Date, PartitionData)>> {
        // `+system_id`: read by the date index (the key index would scan a whole system).
        let members = MEMBERS.iter().map(|m| format!("'{m}'")).collect::<Vec<_>>().join(", ");
        let (Some(first), Some(last)) = (dates.first(), dates.last()) else { return Ok(vec![]) };
        // Each member's graded errors per date over the chunk and the window before it, read
        // once; a date's weights sum the WINDOW_DAYS before it.
        let mut recent = wh.conn().prepare_cached(&format!(
            "SELECT p.game_date, p.system_id, count(*), total(abs(p.predicted_points - g.points))
             FROM player_prop_predictions p
             JOIN player_game_summary g ON g.game_id = p.game_id AND g.player_id = p.player_id
             WHERE p.game_date >= ?1 AND p.game_date < ?2 AND p.is_active = 1 AND g.is_dnp = 0
               AND g.minutes_played > 0 AND +p.system_id IN ({members})
             GROUP BY p.game_date, p.system_id"
        ))?;
        let mut errors: BTreeMap<String, BTreeMap<String, (usize, f64)>> = BTreeMap::new();
        let window_start = (*first - chrono::Duration::days(WINDOW_DAYS)).to_string();
        let mut q = recent.query([window_start, last.to_string()])?;
        while let Some(r) = q.next()? {
            errors.entry(r.get(0)?).or_default().insert(r.get(1)?, (r.get::<_, i64>(2)? as usize, r.get(3)?));
        }
        drop(q);
        let mut today = wh.conn().prepare_cached(&format!(
            "SELECT p.player_id, p.game_id, p.system_id, p.predicted_points, p.p_over, p.line, p.line_books,
                    f.feature_quality_score, f.matchup_quality, f.required_missing_count
             FROM player_prop_predictions p
             JOIN ml_feature_store f ON f.game_id = p.game_id AND f.player_id = p.player_id
             WHERE p.game_date = ?1 AND p.is_active = 1 AND +p.system_id IN ({members})
             ORDER BY p.player_id, p.game_id, p.system_id"
        ))?;
        let mut out = Vec::new();
        for d in dates {
            let from = (*d - chrono::Duration::days(WINDOW_DAYS)).to_string();
            let mut sums: BTreeMap<&str, (usize, f64)> = BTreeMap::new();
            for per in errors.range(from..d.to_string()).map(|(_, v)| v) {
                for (sys, (n, e)) in per {
                    let s = sums.entry(sys.as_str()).or_default();
                    s.0 += n;
                    s.1 += e;
                }
            }
            let stats: Vec<(String, usize, f64)> =
                sums.into_iter().map(|(s, (n, e))| (s.to_string(), n, e / n.max(1) as f64)).collect();
            let w = weights(&stats);
            if w.is_empty() {
                continue;
            }
            let weight = |s: &str| w.iter().find(|(x, _)| x == s).map(|(_, v)| *v);
            type Member = (String, f64, Option<f64>, Option<f64>, Option<i64>, crate::gate::RowQuality);
            let mut by_player: BTreeMap<(String, String), Vec<Member>> = BTreeMap::new();
            let mut q = today.query([d.to_string()])?;
            while let Some(r) = q.next()? {
                by_player.entry((r.get(0)?, r.get(1)?)).or_default().push((
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    crate::gate::RowQuality {
                        score: r.get(7)?,
                        matchup: r.get(8)?,
                        required_missing: r.get(9)?,
                    },
                ));
            }
            let mut rows = Vec::new();
            for ((player, game), members) in by_player {
                let used: Vec<(&Member, f64)> =
                    members.iter().filter_map(|m| weight(&m.0).map(|wt| (m, wt))).collect();
                let total: f64 = used.iter().map(|(_, wt)| wt).sum();
                if used.is_empty() || total <= 0.0 {
                    continue;
                }
                let pred =
                    crate::prediction::clamp_points(used.iter().map(|(m, wt)| m.1 * wt).sum::<f64>() / total);
                let with_p: Vec<(f64, f64)> =
                    used.iter().filter_map(|(m, wt)| m.2.map(|p| (p, *wt))).collect();
                let p_over = (!with_p.is_empty()).then(|| {
                    with_p.iter().map(|(p, wt)| p * wt).sum::<f64>()
                        / with_p.iter().map(|(_, wt)| wt).sum::<f64>()
                });
                let (line, books) = (members[0].3, members[0].4);
                let conf = p_over.map(|q| q.max(1.0 - q)).unwrap_or(0.5);
                let (rec, block) =
                    self.config.gate(self.config.thresholds(SYSTEM).pick(pred, line, conf), members[0].5);
                let factors: serde_json::Map<String, serde_json::Value> = used
                    .iter()
                    .map(|(m, wt)| {
                        (
                            m.0.clone(),
                            serde_json::json!({
                                "weight": (wt / total * 1000.0).round() / 1000.0,
                                "predicted": (m.1 * 100.0).round() / 100.0,
                            }),
                        )
                    })
                    .collect();
                rows.push(
                    crate::prediction::Prediction {
                        system: SYSTEM,
                        player,
                        game,
                        date: d.to_string(),
                        predicted: pred,
                        p_over,
                        line,
                        books,
                        confidence: conf,
                        recommendation: rec,
                        model_id: "ensemble_v1",
                        key_factors: Some(serde_json::Value::Object(factors).to_string()),
                        warnings: block,
                    }
                    .values(),
                );
            }
            out.push((*d, PartitionData::Rows(rows)));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_error_weights() {
        let w =
            weights(&[("gbm".into(), 500, 4.5), ("moving_average".into(), 500, 4.6), ("x".into(), 10, 1.0)]);
        assert_eq!(w.len(), 2, "too few graded predictions: no weight");
        let g = w.iter().find(|(s, _)| s == "gbm").unwrap().1;
        let e = (-1.0f64).exp();
        assert!((g - 1.0 / (1.0 + e)).abs() < 1e-9, "{g}");
        assert!((w.iter().map(|(_, v)| v).sum::<f64>() - 1.0).abs() < 1e-12);
    }
}
