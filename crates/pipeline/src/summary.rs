//! The per-season table `propcast up` prints.

use crate::error::Result;
use propcast_store::{Value, Warehouse};
use serde::Serialize;

/// One season's line of the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeasonRow {
    /// Season.
    pub season: String,
    /// Player-games with minutes > 0.
    pub player_games: i64,
    /// Predictions of the moving-average system.
    pub predictions: i64,
    /// Of which graded on a player-game with minutes > 0.
    pub graded: i64,
    /// MAE over those, points.
    pub mae: Option<f64>,
    /// Mean signed error over those, points.
    pub bias: Option<f64>,
}

/// The per-season summary of the moving-average system.
pub fn season_summary(wh: &Warehouse) -> Result<Vec<SeasonRow>> {
    let r = wh.query(
        "SELECT s.season,
            (SELECT count(*) FROM player_games g WHERE g.season = s.season AND g.minutes > 0),
            (SELECT count(*) FROM player_prop_predictions p JOIN schedule c ON c.game_id = p.game_id
               WHERE c.season = s.season AND p.system_id = 'moving_average' AND p.is_active = 1),
            count(a.absolute_error), avg(a.absolute_error), avg(a.signed_error)
         FROM season_calendar s
         LEFT JOIN prediction_accuracy a ON a.season = s.season AND a.system_id = 'moving_average'
              AND a.minutes_played > 0
         GROUP BY s.season ORDER BY s.season",
        &[],
    )?;
    Ok(r.rows
        .into_iter()
        .map(|row| {
            let int = |v: &Value| if let Value::Integer(i) = v { *i } else { 0 };
            let real = |v: &Value| if let Value::Real(f) = v { Some(*f) } else { None };
            SeasonRow {
                season: if let Value::Text(s) = &row[0] { s.clone() } else { String::new() },
                player_games: int(&row[1]),
                predictions: int(&row[2]),
                graded: int(&row[3]),
                mae: real(&row[4]),
                bias: real(&row[5]),
            }
        })
        .collect())
}
