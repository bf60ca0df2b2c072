//! `player_features`: scoring averages from games strictly before the date.

use propcast_core::stats::mean;
use propcast_core::{parse_date, schema, Date};
use propcast_store::{
    CheckKind, CheckSpec, Input, Output, PartitionData, Result, Step, Value, Warehouse, Window,
};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Builds `player_features` for each player in a date's games.
#[derive(Debug, Default, Clone, Copy)]
pub struct PlayerFeatures;

const INPUTS: &[Input] = &[
    Input {
        name: "player_game_summary",
        window: Window::AllBefore,
        why: "each player's earlier games (the feature values)",
    },
    Input {
        name: "upcoming_player_game_context",
        window: Window::SameDate,
        why: "the pre-game population of the date (the rows to build)",
    },
    Input { name: "schedule", window: Window::SameDate, why: "the season of each game" },
];

/// One earlier game of a player.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PastGame {
    /// Game date.
    pub date: Date,
    /// Season start year.
    pub season_year: i64,
    /// Points.
    pub points: f64,
}

/// The point-in-time scoring summary of a player before a date.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoringHistory {
    /// Games played (minutes > 0) before the date, any season.
    pub games_before: i64,
    /// Of which in the target's season.
    pub games_played_season: i64,
    /// Mean points of the last 5 games (fewer if fewer); `None` without history.
    pub points_avg_last_5: Option<f64>,
    /// Mean points of the last 10 games.
    pub points_avg_last_10: Option<f64>,
    /// Mean points this season; `None` before the season's first game.
    pub points_avg_season: Option<f64>,
    /// Sample standard deviation over the last 10 (needs 2 games).
    pub points_std_last_10: Option<f64>,
    /// Games in the 7 days before the date (`date − 7 < d < date`).
    pub games_last_7_days: i64,
    /// The previous game's date.
    pub last_game_date: Option<Date>,
}

impl ScoringHistory {
    /// Summarises `history` (the player's games, ascending, all strictly before `date`).
    pub fn from_history(history: &[PastGame], date: Date, season_year: i64) -> ScoringHistory {
        debug_assert!(history.iter().all(|g| g.date < date), "history must precede the date");
        let pts: Vec<f64> = history.iter().map(|g| g.points).collect();
        let last = |n: usize| &pts[pts.len().saturating_sub(n)..];
        let season: Vec<f64> =
            history.iter().filter(|g| g.season_year == season_year).map(|g| g.points).collect();
        let l10 = last(10);
        let std10 = (l10.len() >= 2).then(|| {
            let m = l10.iter().sum::<f64>() / l10.len() as f64;
            (l10.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (l10.len() - 1) as f64).sqrt()
        });
        let week_ago = date - chrono::Duration::days(7);
        ScoringHistory {
            games_before: history.len() as i64,
            games_played_season: season.len() as i64,
            points_avg_last_5: mean(last(5)),
            points_avg_last_10: mean(l10),
            points_avg_season: mean(&season),
            points_std_last_10: std10,
            games_last_7_days: history.iter().filter(|g| g.date > week_ago).count() as i64,
            last_game_date: history.last().map(|g| g.date),
        }
    }
}

fn step_err(message: String) -> propcast_store::Error {
    propcast_store::Error::Step { step: "player_features", message }
}

fn real(x: Option<f64>) -> Value {
    x.map(Value::Real).unwrap_or(Value::Null)
}

const CHECKS: &[CheckSpec] = &[
    CheckSpec {
        name: "rows_vs_population",
        kind: CheckKind::RowsVsExpected {
            sql: "SELECT count(*) FROM upcoming_player_game_context WHERE game_date = ?1",
        },
    },
    CheckSpec { name: "unique_key", kind: CheckKind::UniqueKey },
    CheckSpec {
        name: "l10_not_null",
        kind: CheckKind::NotNull { column: "points_avg_last_10", skip_if: None },
    },
    CheckSpec { name: "l10_range", kind: CheckKind::Range { column: "points_avg_last_10" } },
    CheckSpec { name: "games_last_7_days_range", kind: CheckKind::Range { column: "games_last_7_days" } },
];

impl Step for PlayerFeatures {
    fn code_version(&self) -> &'static str {
        "features-2"
    }

    fn pre_game(&self) -> bool {
        true
    }

    fn phase(&self) -> u8 {
        4
    }

    fn checks(&self) -> &'static [CheckSpec] {
        CHECKS
    }

    fn inputs(&self) -> &'static [Input] {
        INPUTS
    }

    fn output(&self) -> Output {
        Output::Table { table: &schema::PLAYER_FEATURES, scope: None }
    }

    fn compute(&self, wh: &Warehouse, dates: &[Date]) -> Result<Vec<(Date, PartitionData)>> {
        let (Some(first), Some(last)) = (dates.first(), dates.last()) else {
            return Ok(vec![]);
        };
        let wanted: HashSet<Date> = dates.iter().copied().collect();
        let bad = |e: propcast_core::Error| step_err(e.to_string());
        // Every game played strictly before the last date, per player, ascending.
        let mut stmt = wh.conn().prepare(
            "SELECT player_id, game_date, season_year, minutes_played, points
             FROM player_game_summary WHERE game_date < ?1 AND is_dnp = 0 ORDER BY player_id, game_date",
        )?;
        let mut history: HashMap<String, Vec<PastGame>> = HashMap::new();
        let mut rows = stmt.query([last.to_string()])?;
        while let Some(r) = rows.next()? {
            let minutes: Option<f64> = r.get(3)?;
            let points: Option<i64> = r.get(4)?;
            if !(minutes.is_some_and(|m| m > 0.0) && points.is_some()) {
                continue;
            }
            history.entry(r.get(0)?).or_default().push(PastGame {
                date: parse_date(&r.get::<_, String>(1)?).map_err(bad)?,
                season_year: r.get(2)?,
                points: points.unwrap_or_default() as f64,
            });
        }
        // The pre-game population of each date.
        let mut stmt = wh.conn().prepare(
            "SELECT c.game_id, c.game_date, c.season, c.player_id, c.team_abbr, s.season_year
             FROM upcoming_player_game_context c JOIN schedule s ON s.game_id = c.game_id
             WHERE c.game_date BETWEEN ?1 AND ?2",
        )?;
        let mut out: BTreeMap<Date, Vec<Vec<Value>>> = BTreeMap::new();
        let empty = Vec::new();
        let mut rows = stmt.query([first.to_string(), last.to_string()])?;
        while let Some(r) = rows.next()? {
            let date = parse_date(&r.get::<_, String>(1)?).map_err(bad)?;
            if !wanted.contains(&date) {
                continue;
            }
            let player: String = r.get(3)?;
            let all = history.get(&player).unwrap_or(&empty);
            // Only games before the date: point in time.
            let before = &all[..all.partition_point(|g| g.date < date)];
            let h = ScoringHistory::from_history(before, date, r.get(5)?);
            out.entry(date).or_default().push(vec![
                r.get::<_, Value>(0)?,
                Value::Text(date.to_string()),
                r.get::<_, Value>(2)?,
                Value::Text(player),
                r.get::<_, Value>(4)?,
                Value::Integer(h.games_before),
                Value::Integer(h.games_played_season),
                real(h.points_avg_last_5),
                real(h.points_avg_last_10),
                real(h.points_avg_season),
                real(h.points_std_last_10),
                Value::Integer(h.games_last_7_days),
                h.last_game_date.map(|d| Value::Text(d.to_string())).unwrap_or(Value::Null),
            ]);
        }
        Ok(out.into_iter().map(|(d, rows)| (d, PartitionData::Rows(rows))).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn windows_use_only_earlier_games() {
        let h: Vec<PastGame> = (1..=12)
            .map(|i| PastGame {
                date: d("2024-10-01") + chrono::Duration::days(i),
                season_year: if i <= 2 { 2023 } else { 2024 },
                points: i as f64,
            })
            .collect();
        let s = ScoringHistory::from_history(&h, d("2024-10-14"), 2024);
        assert_eq!(s.games_before, 12);
        assert_eq!(s.games_played_season, 10);
        assert_eq!(s.points_avg_last_5, Some(10.0)); // 8..=12
        assert_eq!(s.points_avg_last_10, Some(7.5)); // 3..=12
        assert_eq!(s.points_avg_season, Some(7.5)); // 3..=12
        assert_eq!(s.games_last_7_days, 6); // 10-08 .. 10-13 (10-07 is exactly 7 days before)
        assert_eq!(s.last_game_date, Some(d("2024-10-13")));
        let empty = ScoringHistory::from_history(&[], d("2024-10-14"), 2024);
        assert_eq!(empty.points_avg_last_5, None);
        assert_eq!(empty.points_std_last_10, None);
    }
}
