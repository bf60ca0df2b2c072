//! `site/v1/results/{date}.json`: the graded record of one date.

use propcast_core::Date;
use propcast_store::{Input, Output, PartitionData, Result, Step, Warehouse, Window};
use serde::{Deserialize, Serialize};

/// The file `site/v1/results/{date}.json`.
///
/// ```json
/// {
///   "game_date": "2025-01-15",
///   "system_id": "moving_average",
///   "summary": { "total_predictions": 212, "graded": 205, "voided": 7,
///                "with_line": 60, "recommendations": 14, "correct": 8, "incorrect": 6,
///                "pass_count": 40, "no_line_count": 152, "win_rate": 0.571,
///                "mae": 4.81, "bias": 0.22, "within_3_pct": 0.43, "within_5_pct": 0.62 },
///   "results": [ { "player_id": "tatumja01", "player": "Jayson Tatum", "team": "BOS",
///                  "opponent": "LAL", "game_id": "20250115_LAL_BOS", "predicted": 27.4,
///                  "actual": 31, "minutes": 36.2, "line": 27.5, "recommendation": "PASS",
///                  "result": null, "error": 3.6, "confidence": 0.6, "voided": false } ]
/// }
/// ```
///
/// Rates are 0-1; points are points. `win_rate` is correct / (correct + incorrect), null
/// without graded picks. `result` is `"WIN"`, `"LOSS"`, `"PUSH"` or null (no pick, no line, or
/// voided). Rows are sorted by player id. The file carries no timestamp, so recomputing an
/// unchanged date writes identical bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultsFile {
    /// The date, `YYYY-MM-DD`.
    pub game_date: String,
    /// The system graded.
    pub system_id: String,
    /// Totals.
    pub summary: ResultsSummary,
    /// One row per prediction.
    pub results: Vec<ResultRow>,
}

/// Totals of a results file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultsSummary {
    /// Predictions made.
    pub total_predictions: usize,
    /// Predictions whose player played (not voided).
    pub graded: usize,
    /// Predictions voided (player did not play).
    pub voided: usize,
    /// Predictions with a line.
    pub with_line: usize,
    /// OVER or UNDER picks.
    pub recommendations: usize,
    /// Picks that won.
    pub correct: usize,
    /// Picks that lost.
    pub incorrect: usize,
    /// PASS recommendations.
    pub pass_count: usize,
    /// NO_LINE recommendations.
    pub no_line_count: usize,
    /// correct / (correct + incorrect), 0-1.
    pub win_rate: Option<f64>,
    /// Mean absolute error over graded predictions, points.
    pub mae: Option<f64>,
    /// Mean signed error (predicted − actual), points.
    pub bias: Option<f64>,
    /// Share of graded predictions within 3 points, 0-1.
    pub within_3_pct: Option<f64>,
    /// Share within 5 points, 0-1.
    pub within_5_pct: Option<f64>,
}

/// One graded prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultRow {
    /// Canonical player id.
    pub player_id: String,
    /// Display name.
    pub player: Option<String>,
    /// Team tricode.
    pub team: Option<String>,
    /// Opponent tricode.
    pub opponent: Option<String>,
    /// Canonical game id.
    pub game_id: String,
    /// Predicted points.
    pub predicted: f64,
    /// Actual points (null if the player did not play).
    pub actual: Option<i64>,
    /// Minutes played.
    pub minutes: Option<f64>,
    /// The line.
    pub line: Option<f64>,
    /// OVER, UNDER, PASS or NO_LINE.
    pub recommendation: String,
    /// WIN, LOSS, PUSH or null.
    pub result: Option<String>,
    /// |predicted − actual|.
    pub error: Option<f64>,
    /// Confidence, 0-1.
    pub confidence: f64,
    /// Whether the prediction was voided.
    pub voided: bool,
}

fn round(x: f64, digits: i32) -> f64 {
    let p = 10f64.powi(digits);
    (x * p).round() / p
}

/// Writes `results/{date}.json` for the moving-average system.
#[derive(Debug, Default, Clone, Copy)]
pub struct Results;

const INPUTS: &[Input] = &[
    Input { name: "prediction_accuracy", window: Window::SameDate, why: "graded predictions" },
    Input { name: "player_prop_predictions", window: Window::SameDate, why: "confidence of each prediction" },
];

const SYSTEM: &str = "moving_average";

impl Results {
    /// Builds the file for one date, or `None` when the date has no graded prediction.
    pub fn build(wh: &Warehouse, date: &str) -> Result<Option<ResultsFile>> {
        let mut stmt = wh.conn().prepare_cached(
            "SELECT a.player_id, r.display_name, g.team_abbr, g.opp_abbr, a.game_id,
                    a.predicted_points, a.actual_points, a.minutes_played, a.line,
                    a.recommendation, a.prediction_correct, a.absolute_error, p.confidence,
                    a.is_voided, s.home_abbr, s.away_abbr, f.team_abbr
             FROM prediction_accuracy a
             CROSS JOIN player_prop_predictions p ON p.system_id = a.system_id AND p.player_id = a.player_id
                  AND p.game_id = a.game_id AND p.game_date = a.game_date AND p.is_active = 1
             JOIN schedule s ON s.game_id = a.game_id
             LEFT JOIN players r ON r.player_id = a.player_id
             LEFT JOIN player_game_summary g ON g.game_id = a.game_id AND g.player_id = a.player_id
             LEFT JOIN ml_feature_store f ON f.game_id = a.game_id AND f.player_id = a.player_id
             WHERE a.game_date = ?1 AND +a.system_id = ?2
             ORDER BY a.player_id, a.game_id",
        )?;
        let mut results = Vec::new();
        let mut q = stmt.query([date, SYSTEM])?;
        while let Some(r) = q.next()? {
            let line: Option<f64> = r.get(8)?;
            let actual: Option<i64> = r.get(6)?;
            let correct: Option<i64> = r.get(10)?;
            let voided: i64 = r.get(13)?;
            let rec: String = r.get(9)?;
            let result = match (correct, voided, line, actual) {
                (Some(1), _, _, _) => Some("WIN"),
                (Some(_), _, _, _) => Some("LOSS"),
                (None, 0, Some(l), Some(a)) if (rec == "OVER" || rec == "UNDER") && a as f64 == l => {
                    Some("PUSH")
                }
                _ => None,
            };
            let team: Option<String> = r.get::<_, Option<String>>(2)?.or(r.get(16)?);
            let (home, away): (String, String) = (r.get(14)?, r.get(15)?);
            let opponent = r
                .get::<_, Option<String>>(3)?
                .or_else(|| team.as_ref().map(|t| if *t == home { away.clone() } else { home.clone() }));
            results.push(ResultRow {
                player_id: r.get(0)?,
                player: r.get(1)?,
                team,
                opponent,
                game_id: r.get(4)?,
                predicted: round(r.get(5)?, 1),
                actual,
                minutes: r.get::<_, Option<f64>>(7)?.map(|m| round(m, 1)),
                line,
                recommendation: rec,
                result: result.map(str::to_string),
                error: r.get::<_, Option<f64>>(11)?.map(|e| round(e, 1)),
                confidence: round(r.get(12)?, 2),
                voided: voided != 0,
            });
        }
        if results.is_empty() {
            return Ok(None);
        }
        let graded: Vec<&ResultRow> = results.iter().filter(|r| !r.voided).collect();
        let errs: Vec<f64> = graded.iter().filter_map(|r| r.actual.map(|a| r.predicted - a as f64)).collect();
        let n = errs.len() as f64;
        let share =
            |k: f64| (n > 0.0).then(|| round(errs.iter().filter(|e| e.abs() <= k).count() as f64 / n, 3));
        let count = |s: &str| results.iter().filter(|r| r.result.as_deref() == Some(s)).count();
        let (correct, incorrect) = (count("WIN"), count("LOSS"));
        let summary = ResultsSummary {
            total_predictions: results.len(),
            graded: graded.len(),
            voided: results.len() - graded.len(),
            with_line: results.iter().filter(|r| r.line.is_some()).count(),
            recommendations: results
                .iter()
                .filter(|r| r.recommendation == "OVER" || r.recommendation == "UNDER")
                .count(),
            correct,
            incorrect,
            pass_count: results.iter().filter(|r| r.recommendation == "PASS").count(),
            no_line_count: results.iter().filter(|r| r.recommendation == "NO_LINE").count(),
            win_rate: (correct + incorrect > 0)
                .then(|| round(correct as f64 / (correct + incorrect) as f64, 3)),
            mae: (n > 0.0).then(|| round(errs.iter().map(|e| e.abs()).sum::<f64>() / n, 3)),
            bias: (n > 0.0).then(|| round(errs.iter().sum::<f64>() / n, 3)),
            within_3_pct: share(3.0),
            within_5_pct: share(5.0),
        };
        Ok(Some(ResultsFile { game_date: date.to_string(), system_id: SYSTEM.to_string(), summary, results }))
    }
}

impl Step for Results {
    fn code_version(&self) -> &'static str {
        "results-1"
    }

    fn phase(&self) -> u8 {
        6
    }

    fn inputs(&self) -> &'static [Input] {
        INPUTS
    }

    fn output(&self) -> Output {
        Output::Files { name: "export_results", pattern: "site/v1/results/{date}.json" }
    }

    fn compute(&self, wh: &Warehouse, dates: &[Date]) -> Result<Vec<(Date, PartitionData)>> {
        let mut out = Vec::new();
        for d in dates {
            let ds = d.to_string();
            if let Some(file) = Self::build(wh, &ds)? {
                let mut bytes = serde_json::to_vec_pretty(&file).map_err(|e| {
                    propcast_store::Error::Step { step: "export_results", message: e.to_string() }
                })?;
                bytes.push(b'\n');
                out.push((*d, PartitionData::Files(vec![(format!("site/v1/results/{ds}.json"), bytes)])));
            }
        }
        Ok(out)
    }
}
