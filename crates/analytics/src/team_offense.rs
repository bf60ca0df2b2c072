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

/// Each team's zone totals per game (`game_id team_abbr`, as [`propcast_core::id_pair`]),
/// summed here rather than by a `GROUP BY`, which sorted every row of the dates first. As SQL's
/// `sum`: a player row with any of a total's columns NULL is left out of that total, and a
/// total with no rows is 0.
pub(crate) fn team_zones(wh: &Warehouse, range: &DateRange) -> Result<HashMap<String, Zones>> {
    let sql = "SELECT game_id, team_abbr, ra_fga, paint_fga, mid_fga, lc3_fga, rc3_fga, atb3_fga, bc_fga,
                ra_fgm, paint_fgm, mid_fgm, lc3_fgm, rc3_fgm, atb3_fgm
         FROM shot_zones WHERE game_date BETWEEN ?1 AND ?2";
    let mut out: HashMap<String, Zones> = HashMap::default();
    let mut key = String::new();
    let mut rows = Query::new(wh.conn(), sql, &[&range.first, &range.last])?;
    while let Some(r) = rows.next()? {
        let c = |i: usize| r.get::<Option<i64>>(i);
        let (ra_a, paint_a, mid_a, lc3_a, rc3_a, atb3_a, bc_a) =
            (c(2)?, c(3)?, c(4)?, c(5)?, c(6)?, c(7)?, c(8)?);
        let (ra_m, paint_m, mid_m, lc3_m, rc3_m, atb3_m) = (c(9)?, c(10)?, c(11)?, c(12)?, c(13)?, c(14)?);
        let sum = |xs: &[Option<i64>]| xs.iter().try_fold(0i64, |a, x| x.map(|x| a + x)).unwrap_or(0);
        let z = propcast_store::slot(&mut out, propcast_core::id_pair_in(&mut key, r.get(0)?, r.get(1)?));
        z.fga_all += sum(&[ra_a, paint_a, mid_a, lc3_a, rc3_a, atb3_a, bc_a]);
        z.paint_a += sum(&[ra_a, paint_a]);
        z.paint_m += sum(&[ra_m, paint_m]);
        z.mid_a += sum(&[mid_a]);
        z.mid_m += sum(&[mid_m]);
        z.three_a += sum(&[lc3_a, rc3_a, atb3_a]);
        z.three_m += sum(&[lc3_m, rc3_m, atb3_m]);
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
        let mut key = String::new();
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
            let z = zones.get(propcast_core::id_pair_in(&mut key, r.get(0)?, r.get(6)?)).copied();
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
