//! `upcoming_team_game_context`: per team per scheduled game, from earlier games only.

use crate::travel::{arena, miles, zones_crossed};
use crate::util::{int, opt_real, step_err, DateRange};
use propcast_core::stats::mean;
use propcast_core::{date_text, parse_date, schema, Date, Season, Team};
use propcast_store::{
    CheckKind, CheckSpec, Input, Output, PartitionData, Query, Result, Step, Value, Warehouse, Window,
};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;

/// Builds `upcoming_team_game_context`.
#[derive(Debug, Default, Clone, Copy)]
pub struct UpcomingTeamGameContext;

const INPUTS: &[Input] = &[
    Input {
        name: "schedule",
        window: Window::SameDate,
        why: "the games of the date (teams and place, never scores)",
    },
    Input { name: "schedule", window: Window::AllBefore, why: "earlier games: rest and travel" },
    Input { name: "team_offense_game_summary", window: Window::AllBefore, why: "earlier results and pace" },
    Input { name: "team_defense_game_summary", window: Window::AllBefore, why: "opponents' earlier defense" },
];

const CHECKS: &[CheckSpec] = &[
    CheckSpec {
        name: "two_rows_per_game",
        kind: CheckKind::RowsVsExpected { sql: "SELECT 2 * count(*) FROM schedule WHERE game_date = ?1" },
    },
    CheckSpec { name: "unique_key", kind: CheckKind::UniqueKey },
    CheckSpec { name: "travel_range", kind: CheckKind::Range { column: "travel_miles" } },
    CheckSpec { name: "days_rest_range", kind: CheckKind::Range { column: "days_since_last_game" } },
];

/// One game of a team, as the schedule (and, once played, the result) says.
#[derive(Debug, Clone)]
struct TeamGame {
    date: Date,
    season: Season,
    game_id: String,
    home: bool,
    opponent: Team,
    venue: Team,
}

#[derive(Debug, Clone, Copy, Default)]
struct Result1 {
    win: bool,
    margin: i64,
    pace: Option<f64>,
    def_rating: Option<f64>,
}

impl Step for UpcomingTeamGameContext {
    fn name(&self) -> &'static str {
        "upcoming_team_game_context"
    }

    fn code_version(&self) -> &'static str {
        "team-context-1"
    }

    fn phase(&self) -> u8 {
        3
    }

    fn pre_game(&self) -> bool {
        true
    }

    fn inputs(&self) -> &'static [Input] {
        INPUTS
    }

    fn output(&self) -> Output {
        Output::Table { table: &schema::UPCOMING_TEAM_GAME_CONTEXT, scope: None }
    }

    fn checks(&self) -> &'static [CheckSpec] {
        CHECKS
    }

    fn compute(&self, wh: &Warehouse, dates: &[Date]) -> Result<Vec<(Date, PartitionData)>> {
        let Some(range) = DateRange::of(dates) else { return Ok(vec![]) };
        let bad = |e: propcast_core::Error| step_err("upcoming_team_game_context", e.to_string());
        // Every game up to the last date, per team, in date order (schedule: no scores read).
        let mut per_team: HashMap<Team, Vec<TeamGame>> = HashMap::default();
        let mut meta: HashMap<String, (String, i64, String)> = HashMap::default();
        let sql = "SELECT game_id, game_date, season, season_year, season_type, home_abbr, away_abbr
             FROM schedule WHERE game_date <= ?1 ORDER BY game_date, game_id";
        let mut q = Query::new(wh.conn(), sql, &[&range.last])?;
        while let Some(r) = q.next()? {
            let (gid, d, s): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let date = parse_date(&d).map_err(bad)?;
            let season = Season::parse(&s).map_err(bad)?;
            let home = Team::parse(&r.get::<String>(5)?).map_err(bad)?;
            let away = Team::parse(&r.get::<String>(6)?).map_err(bad)?;
            meta.insert(gid.clone(), (s, r.get(3)?, r.get(4)?));
            for (team, opp, is_home) in [(home, away, true), (away, home, false)] {
                per_team.entry(team).or_default().push(TeamGame {
                    date,
                    season,
                    game_id: gid.clone(),
                    home: is_home,
                    opponent: opp,
                    venue: home,
                });
            }
        }
        // Results of games strictly before the last date (a target on D reads only dates < D).
        // Each game's results by team, looked up by borrowed game id.
        let mut results: HashMap<String, Vec<(Team, Result1)>> = HashMap::default();
        let sql = "SELECT o.game_id, o.team_abbr, o.win_flag, o.margin_of_victory, o.pace, d.defensive_rating
             FROM team_offense_game_summary o
             LEFT JOIN team_defense_game_summary d ON d.game_id = o.game_id AND d.defending_team_abbr = o.team_abbr
             WHERE o.game_date < ?1";
        let mut q = Query::new(wh.conn(), sql, &[&range.last])?;
        while let Some(r) = q.next()? {
            let team = Team::parse(&r.get::<String>(1)?).map_err(bad)?;
            let res = Result1 {
                win: r.get::<i64>(2)? == 1,
                margin: r.get(3)?,
                pace: r.get(4)?,
                def_rating: r.get(5)?,
            };
            let by_team = propcast_store::slot(&mut results, r.get(0)?);
            match by_team.iter_mut().find(|(t, _)| *t == team) {
                Some(slot) => slot.1 = res,
                None => by_team.push((team, res)),
            }
        }
        let wanted: HashSet<Date> = dates.iter().copied().collect();
        let result_of = |game_id: &str, team: Team| {
            results.get(game_id).and_then(|v| v.iter().find(|(t, _)| *t == team)).map(|(_, r)| *r)
        };
        let mut out: BTreeMap<Date, Vec<Vec<Value>>> = BTreeMap::new();
        for (team, games) in &per_team {
            for (i, g) in games.iter().enumerate() {
                if !wanted.contains(&g.date) {
                    continue;
                }
                // Only earlier dates: a result exists for them only if they are < D anyway. The
                // team's games are in date order, so those are a prefix.
                let before = &games[..games[..i].partition_point(|p| p.date < g.date)];
                let season_before: Vec<&TeamGame> = before.iter().filter(|p| p.season == g.season).collect();
                let last = season_before.last();
                let days_since = last.map(|p| (g.date - p.date).num_days());
                // Games less than `days` days back: a suffix of `before`.
                let in_window = |days: i64| {
                    (before.len() - before.partition_point(|p| (g.date - p.date).num_days() >= days)) as i64
                };
                let res = |p: &TeamGame| result_of(&p.game_id, *team);
                let (mut wins, mut losses) = (0i64, 0i64);
                for p in season_before.iter().rev() {
                    match res(p) {
                        Some(r) if r.win && losses == 0 => wins += 1,
                        Some(r) if !r.win && wins == 0 => losses += 1,
                        _ => break,
                    }
                }
                let last_res = last.and_then(|p| res(p));
                let hop = |a: &TeamGame, b: &TeamGame| match (arena(a.venue), arena(b.venue)) {
                    (Some(x), Some(y)) => Some((miles(x, y), zones_crossed(x, y))),
                    _ => None,
                };
                let trip = last.and_then(|p| hop(p, g));
                let mut road = 0i64;
                if !g.home {
                    road = 1 + season_before.iter().rev().take_while(|p| !p.home).count() as i64;
                }
                // Trips between consecutive games within the 14 days up to this game.
                let recent: Vec<&TeamGame> = season_before
                    .iter()
                    .copied()
                    .filter(|p| (g.date - p.date).num_days() < 14)
                    .chain(std::iter::once(g))
                    .collect();
                let (mut m14, mut z14) = (0.0, 0i64);
                for w in recent.windows(2) {
                    if let Some((m, z)) = hop(w[0], w[1]) {
                        m14 += m;
                        z14 += z;
                    }
                }
                let last10 = |t: Team, f: fn(&Result1) -> Option<f64>| {
                    let gs = per_team.get(&t).map(Vec::as_slice).unwrap_or(&[]);
                    let v: Vec<f64> = gs
                        .iter()
                        .rev()
                        .filter(|p| p.date < g.date)
                        .filter_map(|p| result_of(&p.game_id, t).as_ref().and_then(f))
                        .take(10)
                        .collect();
                    mean(&v)
                };
                let pace = last10(*team, |r| r.pace);
                let opp_pace = last10(g.opponent, |r| r.pace);
                let opp_def = last10(g.opponent, |r| r.def_rating);
                let opp_rest = per_team.get(&g.opponent).and_then(|og| {
                    og.iter()
                        .rev()
                        .find(|p| p.date < g.date && p.season == g.season)
                        .map(|p| (g.date - p.date).num_days())
                });
                let (season, season_year, season_type) = meta.get(&g.game_id).cloned().unwrap_or_default();
                out.entry(g.date).or_default().push(vec![
                    Value::Text(g.game_id.clone()),
                    Value::Text(date_text(g.date)),
                    Value::Text(season),
                    int(season_year),
                    Value::Text(season_type),
                    Value::Text(team.code().into()),
                    Value::Text(g.opponent.code().into()),
                    int(g.home.into()),
                    int(season_before.len() as i64 + 1),
                    days_since.map(int).unwrap_or(Value::Null),
                    int((days_since == Some(1)).into()),
                    int(in_window(7)),
                    int(in_window(14)),
                    opp_rest.map(int).unwrap_or(Value::Null),
                    int(wins),
                    int(losses),
                    last_res.map(|r| int(r.margin)).unwrap_or(Value::Null),
                    last_res
                        .map(|r| Value::Text(if r.win { "W" } else { "L" }.into()))
                        .unwrap_or(Value::Null),
                    opt_real(trip.map(|t| t.0)),
                    trip.map(|t| int(t.1)).unwrap_or(Value::Null),
                    int(road),
                    Value::Real(m14),
                    int(z14),
                    opt_real(pace),
                    opt_real(opp_pace),
                    opt_real(pace.zip(opp_pace).map(|(a, b)| a - b)),
                    opt_real(opp_def),
                ]);
            }
        }
        Ok(out.into_iter().map(|(d, r)| (d, PartitionData::Rows(r))).collect())
    }
}
