//! `team_offense_game_summary`: one row per team per game.

use crate::formulas::{efg_pct, game_minutes, overtime_periods, pace, possessions, rating, ts_pct};
use crate::util::{by_date, int, opt_real, step_err, DateRange};
use propcast_core::{schema, Date};
use propcast_store::{
    CheckKind, CheckSpec, Input, Output, PartitionData, Query, Result, Step, Value, Warehouse, Window,
};
use rustc_hash::FxHashMap as HashMap;

/// Builds `team_offense_game_summary` from the team box scores and the players' shot zones.
#[derive(Debug, Default, Clone, Copy)]
pub struct TeamOffenseGameSummary;

const INPUTS: &[Input] = &[
    Input { name: "team_games", window: Window::SameDate, why: "team box scores" },
    Input { name: "shot_zones", window: Window::SameDate, why: "players' shot zones, summed per team" },
];

const CHECKS: &[CheckSpec] = &[
    CheckSpec {
        name: "two_rows_per_game",
        kind: CheckKind::RowsVsExpected { sql: "SELECT 2 * count(*) FROM schedule WHERE game_date = ?1" },
    },
    CheckSpec { name: "unique_key", kind: CheckKind::UniqueKey },
    CheckSpec { name: "pace_range", kind: CheckKind::Range { column: "pace" } },
    CheckSpec { name: "offensive_rating_range", kind: CheckKind::Range { column: "offensive_rating" } },
    CheckSpec {
        name: "possessions_not_null",
        kind: CheckKind::NotNull { column: "possessions", skip_if: None },
    },
];

/// A team's zone totals for one game.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Zones {
    pub fga_all: i64,
    pub paint_a: i64,
    pub paint_m: i64,
    pub mid_a: i64,
    pub mid_m: i64,
    pub three_a: i64,
    pub three_m: i64,
}

pub(crate) fn team_zones(wh: &Warehouse, range: &DateRange) -> Result<HashMap<(String, String), Zones>> {
    let sql = "SELECT game_id, team_abbr,
                sum(ra_fga + paint_fga + mid_fga + lc3_fga + rc3_fga + atb3_fga + bc_fga),
                sum(ra_fga + paint_fga), sum(ra_fgm + paint_fgm), sum(mid_fga), sum(mid_fgm),
                sum(lc3_fga + rc3_fga + atb3_fga), sum(lc3_fgm + rc3_fgm + atb3_fgm)
         FROM shot_zones WHERE game_date BETWEEN ?1 AND ?2 GROUP BY 1, 2";
    let mut out = HashMap::default();
    let mut rows = Query::new(wh.conn(), sql, &[&range.first, &range.last])?;
    while let Some(r) = rows.next()? {
        let g = |i: usize| r.get::<Option<i64>>(i).map(|v| v.unwrap_or(0));
        out.insert(
            (r.get(0)?, r.get(1)?),
            Zones {
                fga_all: g(2)?,
                paint_a: g(3)?,
                paint_m: g(4)?,
                mid_a: g(5)?,
                mid_m: g(6)?,
                three_a: g(7)?,
                three_m: g(8)?,
            },
        );
    }
    Ok(out)
}

impl Step for TeamOffenseGameSummary {
    fn name(&self) -> &'static str {
        "team_offense_game_summary"
    }

    fn code_version(&self) -> &'static str {
        "team-offense-1"
    }

    fn phase(&self) -> u8 {
        3
    }

    fn inputs(&self) -> &'static [Input] {
        INPUTS
    }

    fn output(&self) -> Output {
        Output::Table { table: &schema::TEAM_OFFENSE_GAME_SUMMARY, scope: None }
    }

    fn checks(&self) -> &'static [CheckSpec] {
        CHECKS
    }

    fn compute(&self, wh: &Warehouse, dates: &[Date]) -> Result<Vec<(Date, PartitionData)>> {
        let Some(range) = DateRange::of(dates) else { return Ok(vec![]) };
        let zones = team_zones(wh, &range)?;
        let sql =
            "SELECT game_id, nba_game_id, game_date, season, season_year, season_type, team_abbr, opp_abbr,
                    is_home, win, pts, opp_pts, minutes, fga, fgm, fg3a, fg3m, fta, ftm, oreb, dreb, reb,
                    ast, tov, stl, blk, pf, pts_q1, pts_q2, pts_q3, pts_q4, pts_ot, possessions
             FROM team_games WHERE game_date BETWEEN ?1 AND ?2 ORDER BY game_date, game_id, team_abbr";
        let mut out = Vec::new();
        let mut rows = Query::new(wh.conn(), sql, &[&range.first, &range.last])?;
        while let Some(r) = rows.next()? {
            let v = |i: usize| r.get::<Value>(i);
            let f = |i: usize| -> Result<f64> { Ok(r.get::<Option<f64>>(i)?.unwrap_or(0.0)) };
            let team_minutes: f64 = r
                .get::<Option<f64>>(12)?
                .ok_or_else(|| step_err(self.name(), "team_games.minutes is NULL"))?;
            let (pts, opp_pts): (i64, i64) = (r.get(10)?, r.get(11)?);
            let poss = possessions(f(13)?, f(17)?, f(23)?, f(19)?);
            let gm = game_minutes(team_minutes);
            let key: (String, String) = (r.get(0)?, r.get(6)?);
            let z = zones.get(&key).copied();
            let complete = z.is_some_and(|z| Some(z.fga_all) == r.get::<Option<i64>>(13).ok().flatten());
            let zv = |x: fn(&Zones) -> i64| {
                if complete {
                    z.map(|z| Value::Integer(x(&z))).unwrap_or(Value::Null)
                } else {
                    Value::Null
                }
            };
            let row = vec![
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
                Value::Integer(pts),
                Value::Integer(opp_pts),
                Value::Integer(pts - opp_pts),
                Value::Integer(overtime_periods(team_minutes)),
                Value::Real(gm),
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
                v(29)?,
                v(30)?,
                v(31)?,
                Value::Real(poss),
                v(32)?,
                opt_real(pace(poss, gm)),
                opt_real(rating(pts as f64, poss)),
                opt_real(ts_pct(pts as f64, f(13)?, f(17)?)),
                opt_real(efg_pct(f(14)?, f(16)?, f(13)?)),
                zv(|z| z.paint_a),
                zv(|z| z.paint_m),
                zv(|z| z.mid_a),
                zv(|z| z.mid_m),
                zv(|z| z.three_a),
                zv(|z| z.three_m),
                int(complete.into()),
            ];
            out.push(row);
        }
        Ok(by_date(out, 2))
    }
}
