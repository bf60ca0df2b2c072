//! `player_game_summary`: one row per player per game, who played or not.

use crate::formulas::{efg_pct, ts_pct, usage_rate, UsageCounts};
use crate::util::{by_date, int, opt_real, DateRange};
use propcast_core::schema;
use propcast_core::Date;
use propcast_store::{
    CheckKind, CheckSpec, Input, Output, PartitionData, Query, Result, Step, Value, Warehouse, Window,
};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Builds `player_game_summary` for a date from its box scores, team totals, shot zones and
/// availability.
#[derive(Debug, Default, Clone, Copy)]
pub struct PlayerGameSummary;

const INPUTS: &[Input] = &[
    Input { name: "player_games", window: Window::SameDate, why: "each player's box score" },
    Input { name: "team_games", window: Window::SameDate, why: "team totals (usage), team minutes, result" },
    Input { name: "shot_zones", window: Window::SameDate, why: "per-game shot zones" },
    Input { name: "player_availability", window: Window::SameDate, why: "players who did not play" },
    Input { name: "schedule", window: Window::SameDate, why: "home and away of DNP rows" },
];

const CHECKS: &[CheckSpec] = &[
    CheckSpec {
        name: "rows_vs_box_score_and_availability",
        kind: CheckKind::RowsVsExpected {
            sql: "SELECT (SELECT count(*) FROM player_games WHERE game_date = ?1)
                       + (SELECT count(*) FROM player_availability WHERE game_date = ?1)",
        },
    },
    CheckSpec { name: "unique_key", kind: CheckKind::UniqueKey },
    CheckSpec {
        name: "minutes_not_null",
        kind: CheckKind::NotNull { column: "minutes_played", skip_if: Some("is_dnp") },
    },
    CheckSpec {
        name: "usage_not_null",
        kind: CheckKind::NotNull { column: "usage_rate", skip_if: Some("is_dnp") },
    },
    CheckSpec { name: "minutes_range", kind: CheckKind::Range { column: "minutes_played" } },
    CheckSpec { name: "points_range", kind: CheckKind::Range { column: "points" } },
    CheckSpec { name: "usage_range", kind: CheckKind::Range { column: "usage_rate" } },
    CheckSpec { name: "usage_rejected", kind: CheckKind::Range { column: "usage_rate_raw" } },
];

/// A player's shot zones in one game.
#[derive(Debug, Clone, Copy)]
struct PlayerZones {
    fga_all: i64,
    paint: (i64, i64),
    mid: (i64, i64),
    three: (i64, i64),
}

/// A team's totals in one game.
#[derive(Debug, Clone, Copy)]
struct TeamTotals {
    counts: UsageCounts,
    minutes: f64,
    win: Option<i64>,
}

/// Usage above this is rejected (stored in `usage_rate_raw` only).
pub const MAX_USAGE: f64 = 100.0;

/// Usage, 0-100, or `None` above [`MAX_USAGE`]; and the raw value.
pub fn checked_usage(raw: Option<f64>) -> (Option<f64>, Option<f64>) {
    (raw.filter(|u| *u <= MAX_USAGE), raw)
}

fn dnp(status: &str) -> (&'static str, &'static str) {
    match status {
        "Inactive" => ("inactive", "injury_or_rest"),
        "Did Not Play" => ("dnp", "coach_decision"),
        "Did Not Dress" => ("dnd", "did_not_dress"),
        "Not With Team" => ("not_with_team", "not_with_team"),
        "Player Suspended" => ("suspended", "suspension"),
        _ => ("dnp", "other"),
    }
}

impl Step for PlayerGameSummary {
    fn code_version(&self) -> &'static str {
        "pgs-2"
    }

    fn phase(&self) -> u8 {
        3
    }

    fn inputs(&self) -> &'static [Input] {
        INPUTS
    }

    fn output(&self) -> Output {
        Output::Table { table: &schema::PLAYER_GAME_SUMMARY, scope: None }
    }

    fn checks(&self) -> &'static [CheckSpec] {
        CHECKS
    }

    fn compute(&self, wh: &Warehouse, dates: &[Date]) -> Result<Vec<(Date, PartitionData)>> {
        let Some(range) = DateRange::of(dates) else { return Ok(vec![]) };
        let wanted: HashSet<String> = dates.iter().map(Date::to_string).collect();
        let params = [range.first.as_str(), range.last.as_str()];

        let mut teams: HashMap<(String, String), TeamTotals> = HashMap::default();
        let sql = "SELECT game_id, team_abbr, fga, fta, tov, minutes, win FROM team_games WHERE game_date BETWEEN ?1 AND ?2";
        let mut q = Query::new(wh.conn(), sql, &params)?;
        while let Some(r) = q.next()? {
            let f = |i: usize| -> Result<f64> { Ok(r.get::<Option<f64>>(i)?.unwrap_or(0.0)) };
            teams.insert(
                (r.get(0)?, r.get(1)?),
                TeamTotals {
                    counts: UsageCounts { fga: f(2)?, fta: f(3)?, tov: f(4)? },
                    minutes: f(5)?,
                    win: r.get(6)?,
                },
            );
        }

        let mut zones: HashMap<(String, String), PlayerZones> = HashMap::default();
        let sql =
            "SELECT game_id, player_id, ra_fga + paint_fga + mid_fga + lc3_fga + rc3_fga + atb3_fga + bc_fga,
                    ra_fga + paint_fga, ra_fgm + paint_fgm, mid_fga, mid_fgm,
                    lc3_fga + rc3_fga + atb3_fga, lc3_fgm + rc3_fgm + atb3_fgm
             FROM shot_zones WHERE game_date BETWEEN ?1 AND ?2";
        let mut q = Query::new(wh.conn(), sql, &params)?;
        while let Some(r) = q.next()? {
            let g = |i: usize| -> Result<i64> { Ok(r.get::<Option<i64>>(i)?.unwrap_or(0)) };
            zones.insert(
                (r.get(0)?, r.get(1)?),
                PlayerZones {
                    fga_all: g(2)?,
                    paint: (g(3)?, g(4)?),
                    mid: (g(5)?, g(6)?),
                    three: (g(7)?, g(8)?),
                },
            );
        }

        let mut out = Vec::new();
        let mut played: HashSet<(String, String)> = HashSet::default();
        let sql = "SELECT game_id, game_date, season, season_year, season_type, player_id, player_lookup, player_name,
                    team_abbr, opp_abbr, is_home, starter, minutes, pts, fga, fgm, fg3a, fg3m, fta, ftm,
                    oreb, dreb, reb, ast, stl, blk, tov, pf, plus_minus
             FROM player_games WHERE game_date BETWEEN ?1 AND ?2";
        let mut q = Query::new(wh.conn(), sql, &params)?;
        while let Some(r) = q.next()? {
            let date: &str = r.get(1)?;
            if !wanted.contains(date) {
                continue;
            }
            let v = |i: usize| r.get::<Value>(i);
            let f = |i: usize| -> Result<f64> { Ok(r.get::<Option<f64>>(i)?.unwrap_or(0.0)) };
            let (game, player, team): (String, String, String) = (r.get(0)?, r.get(5)?, r.get(8)?);
            let minutes: Option<f64> = r.get(12)?;
            let t = teams.get(&(game.clone(), team.clone())).copied();
            let raw = t.and_then(|t| {
                usage_rate(
                    UsageCounts { fga: f(14).ok()?, fta: f(18).ok()?, tov: f(26).ok()? },
                    minutes.unwrap_or(0.0),
                    t.counts,
                    t.minutes,
                )
            });
            let (usage, usage_raw) = checked_usage(raw);
            let fga: Option<i64> = r.get(14)?;
            let z = zones.get(&(game.clone(), player.clone())).copied();
            let complete = z.is_some_and(|z| Some(z.fga_all) == fga);
            let zv = |x: fn(&PlayerZones) -> i64| z.map(|z| Value::Integer(x(&z))).unwrap_or(Value::Null);
            let tier = match (usage.is_some(), complete) {
                (true, true) => "gold",
                (true, false) => "silver",
                _ => "bronze",
            };
            played.insert((game.clone(), player.clone()));
            out.push(vec![
                v(0)?,
                v(1)?,
                v(2)?,
                v(3)?,
                v(4)?,
                v(5)?,
                v(6)?,
                v(7)?,
                v(8)?,
                v(9)?,
                v(10)?,
                int(0),
                Value::Text("active".into()),
                Value::Null,
                v(11)?,
                t.and_then(|t| t.win).map(Value::Integer).unwrap_or(Value::Null),
                minutes.map(Value::Real).unwrap_or(Value::Null),
                v(13)?,
                v(14)?,
                v(15)?,
                v(16)?,
                v(17)?,
                v(18)?,
                v(19)?,
                v(20)?,
                v(21)?,
                v(22)?,
                v(23)?,
                v(24)?,
                v(25)?,
                v(26)?,
                v(27)?,
                v(28)?,
                opt_real(usage),
                opt_real(usage_raw),
                opt_real(ts_pct(f(13)?, f(14)?, f(18)?)),
                opt_real(efg_pct(f(15)?, f(17)?, f(14)?)),
                zv(|z| z.paint.0),
                zv(|z| z.paint.1),
                zv(|z| z.mid.0),
                zv(|z| z.mid.1),
                zv(|z| z.three.0),
                zv(|z| z.three.1),
                int(complete.into()),
                Value::Text(if z.is_some() { "bbref+nba_shot_chart" } else { "bbref" }.into()),
                Value::Text(tier.into()),
            ]);
        }

        let sql = "SELECT a.game_id, a.game_date, a.season, a.season_year, a.season_type, a.player_id, a.player_lookup,
                    a.player_name, a.team_abbr, s.home_abbr, s.away_abbr, a.status, t.win
             FROM player_availability a
             JOIN schedule s ON s.game_id = a.game_id
             LEFT JOIN team_games t ON t.game_id = a.game_id AND t.team_abbr = a.team_abbr
             WHERE a.game_date BETWEEN ?1 AND ?2";
        let n = schema::PLAYER_GAME_SUMMARY.columns.len();
        let mut q = Query::new(wh.conn(), sql, &params)?;
        while let Some(r) = q.next()? {
            let date: &str = r.get(1)?;
            let (game, player): (String, String) = (r.get(0)?, r.get(5)?);
            if !wanted.contains(date) || played.contains(&(game.clone(), player.clone())) {
                continue;
            }
            let v = |i: usize| r.get::<Value>(i);
            let (team, home, away): (String, String, String) = (r.get(8)?, r.get(9)?, r.get(10)?);
            let status: String = r.get(11)?;
            let (st, cat) = dnp(&status);
            let is_home = team == home;
            let mut row = vec![
                v(0)?,
                v(1)?,
                v(2)?,
                v(3)?,
                v(4)?,
                v(5)?,
                v(6)?,
                v(7)?,
                Value::Text(team),
                Value::Text(if is_home { away } else { home }),
                int(is_home.into()),
                int(1),
                Value::Text(st.into()),
                Value::Text(cat.into()),
                Value::Null,
                v(12)?,
            ];
            // Every box-score column is missing for a player who did not play.
            row.resize(n - 3, Value::Null);
            row.extend([int(0), Value::Text("availability".into()), Value::Text("dnp".into())]);
            out.push(row);
        }
        Ok(by_date(out, 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_above_100_is_rejected_and_kept_raw() {
        assert_eq!(checked_usage(Some(104.2)), (None, Some(104.2)));
        assert_eq!(checked_usage(Some(31.0)), (Some(31.0), Some(31.0)));
        assert_eq!(checked_usage(None), (None, None));
    }

    #[test]
    fn dnp_statuses_map_to_categories() {
        assert_eq!(dnp("Inactive"), ("inactive", "injury_or_rest"));
        assert_eq!(dnp("Did Not Play"), ("dnp", "coach_decision"));
        assert_eq!(dnp("Player Suspended"), ("suspended", "suspension"));
    }
}
