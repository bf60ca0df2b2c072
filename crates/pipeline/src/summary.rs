//! The per-season table `propcast up` prints.

use crate::error::Result;
use propcast_store::{Value, Warehouse};
use serde::Serialize;
use std::collections::BTreeMap;

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

fn text(v: &Value) -> String {
    if let Value::Text(s) = v {
        s.clone()
    } else {
        String::new()
    }
}

fn int(v: &Value) -> i64 {
    if let Value::Integer(i) = v {
        *i
    } else {
        0
    }
}

/// The per-season summary of the moving-average system (one grouped pass per table).
pub fn season_summary(wh: &Warehouse) -> Result<Vec<SeasonRow>> {
    let mut rows: BTreeMap<String, SeasonRow> = BTreeMap::new();
    for r in wh.query("SELECT season FROM season_calendar ORDER BY season", &[])?.rows {
        let season = text(&r[0]);
        rows.insert(
            season.clone(),
            SeasonRow { season, player_games: 0, predictions: 0, graded: 0, mae: None, bias: None },
        );
    }
    for r in wh.query("SELECT season, count(*) FROM player_games WHERE minutes > 0 GROUP BY 1", &[])?.rows {
        if let Some(s) = rows.get_mut(&text(&r[0])) {
            s.player_games = int(&r[1]);
        }
    }
    for r in wh
        .query(
            "SELECT season, count(*), count(absolute_error) FILTER (WHERE minutes_played > 0),
                    avg(absolute_error) FILTER (WHERE minutes_played > 0),
                    avg(signed_error) FILTER (WHERE minutes_played > 0)
             FROM prediction_accuracy WHERE system_id = 'moving_average' GROUP BY 1",
            &[],
        )?
        .rows
    {
        if let Some(s) = rows.get_mut(&text(&r[0])) {
            s.predictions = int(&r[1]);
            s.graded = int(&r[2]);
            s.mae = propcast_store::real(&r[3]);
            s.bias = propcast_store::real(&r[4]);
        }
    }
    Ok(rows.into_values().collect())
}
