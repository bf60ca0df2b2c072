//! Grading one date's predictions.

use propcast_core::{schema, Date};
use propcast_store::{
    CheckKind, CheckSpec, Input, Output, PartitionData, Result, Step, Value, Warehouse, Window,
};

/// Grades every active prediction of a date.
#[derive(Debug, Default, Clone, Copy)]
pub struct Grade;

const INPUTS: &[Input] = &[
    Input { name: "player_prop_predictions", window: Window::SameDate, why: "what was predicted" },
    Input { name: "player_game_summary", window: Window::SameDate, why: "what happened" },
];

/// Whether an OVER/UNDER pick was right: `None` for other recommendations, without a line,
/// or on a push (actual equals the line).
pub fn pick_correct(recommendation: &str, line: Option<f64>, actual: f64) -> Option<bool> {
    let line = line?;
    if actual == line {
        return None;
    }
    match recommendation {
        "OVER" => Some(actual > line),
        "UNDER" => Some(actual < line),
        _ => None,
    }
}

const CHECKS: &[CheckSpec] = &[
    CheckSpec {
        name: "rows_vs_predictions",
        kind: CheckKind::RowsVsExpected {
            sql: "SELECT count(*) FROM player_prop_predictions WHERE game_date = ?1 AND is_active = 1",
        },
    },
    CheckSpec { name: "unique_key", kind: CheckKind::UniqueKey },
    CheckSpec { name: "absolute_error_range", kind: CheckKind::Range { column: "absolute_error" } },
];

impl Step for Grade {
    fn code_version(&self) -> &'static str {
        "grade-1"
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
        Output::Table { table: &schema::PREDICTION_ACCURACY, scope: None }
    }

    fn compute(&self, wh: &Warehouse, dates: &[Date]) -> Result<Vec<(Date, PartitionData)>> {
        let mut stmt = wh.conn().prepare_cached(
            "SELECT p.system_id, p.player_id, p.game_id, s.season, p.predicted_points,
                    g.points, g.minutes_played, p.line, p.recommendation
             FROM player_prop_predictions p
             JOIN schedule s ON s.game_id = p.game_id
             LEFT JOIN player_game_summary g ON g.game_id = p.game_id AND g.player_id = p.player_id
             WHERE p.game_date = ?1 AND p.is_active = 1
             ORDER BY p.system_id, p.player_id, p.game_id",
        )?;
        let mut out = Vec::new();
        for date in dates {
            let ds = date.to_string();
            let mut rows = Vec::new();
            let mut q = stmt.query([&ds])?;
            while let Some(r) = q.next()? {
                let predicted: f64 = r.get(4)?;
                let points: Option<i64> = r.get(5)?;
                let minutes: Option<f64> = r.get(6)?;
                let line: Option<f64> = r.get(7)?;
                let rec: String = r.get(8)?;
                let played = points.is_some() && minutes.is_some_and(|m| m > 0.0);
                let (abs, signed, correct, void) = match (played, points) {
                    (true, Some(p)) => {
                        let e = predicted - p as f64;
                        (Value::Real(e.abs()), Value::Real(e), pick_correct(&rec, line, p as f64), None)
                    }
                    _ => (
                        Value::Null,
                        Value::Null,
                        None,
                        Some(if points.is_some() { "no_minutes" } else { "did_not_play" }),
                    ),
                };
                rows.push(vec![
                    r.get::<_, Value>(0)?,
                    r.get::<_, Value>(1)?,
                    r.get::<_, Value>(2)?,
                    Value::Text(ds.clone()),
                    r.get::<_, Value>(3)?,
                    Value::Real(predicted),
                    points.map(Value::Integer).unwrap_or(Value::Null),
                    minutes.map(Value::Real).unwrap_or(Value::Null),
                    abs,
                    signed,
                    line.map(Value::Real).unwrap_or(Value::Null),
                    Value::Text(rec),
                    correct.map(|c| Value::Integer(c.into())).unwrap_or(Value::Null),
                    Value::Integer(void.is_some().into()),
                    void.map(|v| Value::Text(v.into())).unwrap_or(Value::Null),
                ]);
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
    fn picks_and_pushes() {
        assert_eq!(pick_correct("OVER", Some(20.5), 21.0), Some(true));
        assert_eq!(pick_correct("OVER", Some(20.5), 20.0), Some(false));
        assert_eq!(pick_correct("UNDER", Some(20.5), 20.0), Some(true));
        assert_eq!(pick_correct("UNDER", Some(20.0), 20.0), None, "a push is not graded");
        assert_eq!(pick_correct("PASS", Some(20.5), 25.0), None);
        assert_eq!(pick_correct("OVER", None, 25.0), None);
    }
}
