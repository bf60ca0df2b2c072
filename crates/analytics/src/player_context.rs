//! `upcoming_player_game_context`: per player of a team's recent rotation (or listed
//! inactive) per scheduled game, from what was known before tip-off.
//!
//! Population: every player who played for the team in any of its last 10 games before the
//! date and whose latest game was for this team (the rotation), plus every player on the
//! game's official inactive list (which stands in, for history, for the pre-game injury
//! report). A player of the population who then sat is a row whose outcome is "did not
//! play", so training and serving see the same rows.

use crate::util::{int, opt_real, step_err, DateRange};
use propcast_core::stats::{mean_of, median};
use propcast_core::{date_text, id_pair, id_pair_in, parse_date, schema, Date, Season};
use propcast_store::memo::{after_all, in_two_halves, shared_first, Latest};
use propcast_store::{
    CheckKind, CheckSpec, Input, Output, PartitionData, Query, Result, Step, Value, Warehouse, Window,
};
use rustc_hash::FxHashMap;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Builds `upcoming_player_game_context`.
#[derive(Debug, Clone, Copy)]
pub struct UpcomingPlayerGameContext {
    /// Days of played games read before a run's first date ([`WINDOW_DAYS`]).
    window_days: i64,
}

impl Default for UpcomingPlayerGameContext {
    fn default() -> Self {
        UpcomingPlayerGameContext { window_days: WINDOW_DAYS }
    }
}

impl UpcomingPlayerGameContext {
    /// The step reading `days` of played games before a run's first date instead of
    /// [`WINDOW_DAYS`]. The rows are the same for any window (a shorter one only reads more
    /// players' earlier games one by one): a test holds them equal.
    pub fn with_window(days: i64) -> Self {
        UpcomingPlayerGameContext { window_days: days }
    }
}

const INPUTS: &[Input] = &[
    Input { name: "schedule", window: Window::SameDate, why: "the games of the date" },
    Input {
        name: "schedule",
        window: Window::AllBefore,
        why: "each team's earlier games (the rotation window)",
    },
    Input { name: "upcoming_team_game_context", window: Window::SameDate, why: "team rest and travel" },
    Input {
        name: "player_availability",
        window: Window::SameDate,
        why: "the official inactive list (pre-game)",
    },
    Input { name: "prop_lines", window: Window::SameDate, why: "points lines captured before tip-off" },
    Input { name: "player_game_summary", window: Window::AllBefore, why: "each player's earlier games" },
    Input { name: "player_game_summary", window: Window::Outcome, why: "the label: played or not, points" },
];

const CHECKS: &[CheckSpec] = &[
    CheckSpec { name: "unique_key", kind: CheckKind::UniqueKey },
    CheckSpec {
        name: "covers_players_who_played",
        kind: CheckKind::RowsVsExpected {
            sql: "SELECT count(*) FROM player_game_summary WHERE game_date = ?1 AND is_dnp = 0",
        },
    },
    CheckSpec { name: "days_rest_range", kind: CheckKind::Range { column: "days_rest" } },
    CheckSpec { name: "minutes_last_7_range", kind: CheckKind::Range { column: "minutes_in_last_7_days" } },
];

/// One earlier game a player played.
#[derive(Debug, Clone)]
struct Played {
    date: Date,
    game_id: String,
    team: String,
    season_year: i64,
    minutes: f64,
    points: f64,
    usage: Option<f64>,
}

/// Every game each player played from a first date on, ascending per player, and who played
/// for each (game, team), in player order.
struct PlayedHistory {
    /// The first date read: nothing earlier is here.
    from: Date,
    history: FxHashMap<String, Vec<Played>>,
    played_in: FxHashMap<String, Vec<String>>,
}

/// How far before a run's first date played games are read (at least: the window also
/// reaches back to the season's start and every team's 10th-last game). A row that needs
/// more of its player's past (fewer than 10 games in the window, or a rest gap or prop streak
/// running past its start) gets his earlier games read for him alone, so every row is what
/// the whole history gives. A one-date update reads about a season instead of eight.
pub const WINDOW_DAYS: i64 = 400;

/// The played games (as [`played_history`] reads them) of `players` dated before `before`.
fn played_before(
    wh: &Warehouse,
    players: &BTreeSet<String>,
    before: Date,
) -> Result<FxHashMap<String, Vec<Played>>> {
    let ids = serde_json::Value::from(players.iter().cloned().collect::<Vec<String>>()).to_string();
    let sql =
        "SELECT player_id, game_date, game_id, team_abbr, season_year, minutes_played, points, usage_rate
         FROM player_game_summary WHERE is_dnp = 0 AND minutes_played > 0 AND game_date < ?1
           AND player_id IN (SELECT value FROM json_each(?2))
         ORDER BY game_date, player_id";
    let mut q = Query::new(wh.conn(), sql, &[&before.to_string(), &ids])?;
    let mut out: FxHashMap<String, Vec<Played>> = FxHashMap::default();
    while let Some(r) = q.next()? {
        let (pid, p) = played_row(&r)?;
        out.entry(pid).or_default().push(p);
    }
    Ok(out)
}

/// One row of the played-games queries: the player and his game.
fn played_row(r: &propcast_store::Cols<'_>) -> Result<(String, Played)> {
    let bad = |e: propcast_core::Error| step_err("upcoming_player_game_context", e.to_string());
    let p = Played {
        date: parse_date(&r.get::<String>(1)?).map_err(bad)?,
        game_id: r.get(2)?,
        team: r.get(3)?,
        season_year: r.get(4)?,
        minutes: r.get(5)?,
        points: r.get::<Option<i64>>(6)?.unwrap_or(0) as f64,
        usage: r.get(7)?,
    };
    Ok((r.get(0)?, p))
}

/// The history of the last warehouse content asked for.
static PLAYED: Latest<PlayedHistory> = Latest::new();

/// Every played game from `from` on, loaded once per content of `player_game_summary` (the
/// ledger's partition hashes) and shared by the chunks of a backfill (a later `from` reuses
/// the load); each date slices it strictly before itself. Outside an engine run
/// ([`propcast_store::memo::sharing`]) every call loads ([`Latest::load`]).
fn played_history(wh: &Warehouse, from: Date) -> Result<Arc<PlayedHistory>> {
    // The games dated in `[lo, hi)`.
    let read = |wh: &Warehouse, lo: &str, hi: &str| -> Result<PlayedHistory> {
        let mut history: FxHashMap<String, Vec<Played>> = FxHashMap::default();
        let mut played_in: FxHashMap<String, Vec<String>> = FxHashMap::default();
        let sql =
            "SELECT player_id, game_date, game_id, team_abbr, season_year, minutes_played, points, usage_rate
             FROM player_game_summary WHERE is_dnp = 0 AND minutes_played > 0 AND game_date >= ?1 AND game_date < ?2
             ORDER BY game_date, player_id";
        // Date order walks the date index (a sort of every row by player took most of a
        // one-date update); each player's games and each game's players come out in the
        // same order as a sort by player, then date.
        let mut q = Query::new(wh.conn(), sql, &[lo, hi])?;
        while let Some(r) = q.next()? {
            let (pid, p) = played_row(&r)?;
            played_in.entry(id_pair(&p.game_id, &p.team)).or_default().push(pid.clone());
            history.entry(pid).or_default().push(p);
        }
        Ok(PlayedHistory { from, history, played_in })
    };
    let load = |whole: bool| {
        let (lo, hi) = (from.to_string(), after_all().to_string());
        if !whole {
            return read(wh, &lo, &hi);
        }
        // Kept for the run: read as two date halves at once (one core idled for the 0.4 s of
        // this load at the start of the step). The later half's games follow the earlier's
        // for each player, and a game lies in one half only.
        let (mut all, later) = in_two_halves(wh, &lo, &hi, read)?;
        if let Some(later) = later {
            for (pid, games) in later.history {
                all.history.entry(pid).or_default().extend(games);
            }
            all.played_in.extend(later.played_in);
        }
        Ok(all)
    };
    // The same rows whether or not the load is kept: every game from `from` on.
    PLAYED.load(wh, &["player_game_summary"], from, load)
}

/// Whether `player_game_summary` has rows dated before `date` (the date index answers).
fn has_rows_before(wh: &Warehouse, date: Date) -> Result<bool> {
    let first: Option<String> =
        wh.conn().query_row("SELECT min(game_date) FROM player_game_summary", [], |r| r.get(0))?;
    Ok(first.is_some_and(|f| f < date.to_string()))
}

/// Per book: the earliest and the latest pre-game line.
#[derive(Debug, Clone, Copy)]
struct BookLine {
    open: f64,
    latest: f64,
}

/// Consecutive most recent games above (over) and below (under) `line`; a push neither
/// breaks nor extends a streak.
pub fn prop_streaks(points_newest_first: impl Iterator<Item = f64>, line: Option<f64>) -> (i64, i64) {
    let (over, under, _) = streaks_and_end(points_newest_first, line);
    (over, under)
}

/// [`prop_streaks`], and whether a game ended the streaks (false when the games ran out
/// first: earlier games could have extended them).
fn streaks_and_end(points_newest_first: impl Iterator<Item = f64>, line: Option<f64>) -> (i64, i64, bool) {
    let Some(line) = line else { return (0, 0, true) };
    let (mut over, mut under) = (0i64, 0i64);
    for p in points_newest_first {
        if p > line && under == 0 {
            over += 1;
        } else if p < line && over == 0 {
            under += 1;
        } else if p == line {
            continue;
        } else {
            return (over, under, true);
        }
    }
    (over, under, false)
}

/// Whether a player's season so far makes him a star (spec §4.4): 10+ games and 18+ points a
/// game, or 28+ minutes and 12+ points.
pub fn is_star(games: usize, ppg: f64, mpg: f64) -> bool {
    games >= 10 && (ppg >= 18.0 || (mpg >= 28.0 && ppg >= 12.0))
}

impl Step for UpcomingPlayerGameContext {
    fn name(&self) -> &'static str {
        "upcoming_player_game_context"
    }

    fn code_version(&self) -> &'static str {
        "player-context-3"
    }

    fn shares_history(&self) -> bool {
        true
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
        Output::Table { table: &schema::UPCOMING_PLAYER_GAME_CONTEXT, scope: None }
    }

    fn checks(&self) -> &'static [CheckSpec] {
        CHECKS
    }

    fn compute(&self, wh: &Warehouse, dates: &[Date]) -> Result<Vec<(Date, PartitionData)>> {
        let Some(range) = DateRange::of(dates) else { return Ok(vec![]) };
        let bad = |e: propcast_core::Error| step_err("upcoming_player_game_context", e.to_string());
        let wanted: HashSet<Date> = dates.iter().copied().collect();

        // Each team's games up to the last date (schedule: teams and dates only).
        let mut team_games: HashMap<String, Vec<(Date, String)>> = HashMap::default();
        let sql = "SELECT game_id, game_date, home_abbr, away_abbr FROM schedule WHERE game_date <= ?1 ORDER BY game_date";
        let mut q = Query::new(wh.conn(), sql, &[&range.last])?;
        while let Some(r) = q.next()? {
            let d = parse_date(&r.get::<String>(1)?).map_err(bad)?;
            let g: String = r.get(0)?;
            for t in [r.get::<String>(2)?, r.get::<String>(3)?] {
                team_games.entry(t).or_default().push((d, g.clone()));
            }
        }

        // The official inactive list of each game and team.
        let mut inactive: HashMap<String, Vec<String>> = HashMap::default();
        let sql = "SELECT game_id, team_abbr, player_id FROM player_availability
             WHERE game_date BETWEEN ?1 AND ?2 AND status = 'Inactive'";
        let mut q = Query::new(wh.conn(), sql, &[&range.first, &range.last])?;
        while let Some(r) = q.next()? {
            inactive.entry(id_pair(r.get(0)?, r.get(1)?)).or_default().push(r.get(2)?);
        }

        // Points lines captured before tip-off: per (game, player), per book, first and last.
        let mut lines: HashMap<String, BTreeMap<String, BookLine>> = HashMap::default();
        let sql = "SELECT game_id, player_id, book, line FROM prop_lines
             WHERE game_date BETWEEN ?1 AND ?2 AND market = 'player_points' AND is_main_line = 1
               AND game_id IS NOT NULL AND player_id IS NOT NULL
               AND (snapshot_utc IS NULL OR commence_utc IS NULL OR snapshot_utc < commence_utc)
             ORDER BY game_id, player_id, book, snapshot_utc, line";
        let mut q = Query::new(wh.conn(), sql, &[&range.first, &range.last])?;
        while let Some(r) = q.next()? {
            let line: f64 = r.get(3)?;
            lines
                .entry(id_pair(r.get(0)?, r.get(1)?))
                .or_default()
                .entry(r.get(2)?)
                .and_modify(|b| b.latest = line)
                .or_insert(BookLine { open: line, latest: line });
        }

        // The label.
        let mut outcome: HashMap<String, (bool, Option<i64>)> = HashMap::default();
        let sql = "SELECT game_id, player_id, is_dnp, minutes_played, points FROM player_game_summary
             WHERE game_date BETWEEN ?1 AND ?2";
        let mut q = Query::new(wh.conn(), sql, &[&range.first, &range.last])?;
        while let Some(r) = q.next()? {
            let played = r.get::<i64>(2)? == 0 && r.get::<Option<f64>>(3)?.is_some_and(|m| m > 0.0);
            outcome.insert(id_pair(r.get(0)?, r.get(1)?), (played, if played { r.get(4)? } else { None }));
        }

        let sql = "SELECT game_id, game_date, season, team_abbr, opponent_team_abbr, home_game, travel_miles,
                    time_zones_crossed, consecutive_road_games
             FROM upcoming_team_game_context WHERE game_date BETWEEN ?1 AND ?2";
        let mut team_rows: Vec<(Date, Vec<Value>)> = Vec::new();
        let mut q = Query::new(wh.conn(), sql, &[&range.first, &range.last])?;
        while let Some(r) = q.next()? {
            let d = parse_date(&r.get::<String>(1)?).map_err(bad)?;
            if wanted.contains(&d) {
                team_rows
                    .push((d, (0..9).map(|i| r.get::<Value>(i)).collect::<std::result::Result<_, _>>()?));
            }
        }
        let text = |v: &Value| match v {
            Value::Text(s) => s.clone(),
            _ => String::new(),
        };
        // The season a game belongs to, as the schedule says (not the calendar: the 2019-20
        // season ended in October 2020).
        let season_of =
            |v: &Value| -> Result<i64> { Season::parse(&text(v)).map(|s| i64::from(s.year())).map_err(bad) };

        // Every game each player played from a window before the first date on (sliced
        // strictly before each date below); `cut` when earlier games exist. The window holds
        // at least the first date's season (stars) and every team's last 10 games before it
        // (the rotation), so that only a player's own past can be too short for a row.
        let first = dates[0];
        let seasons = team_rows.iter().map(|(_, r)| season_of(&r[2])).collect::<Result<Vec<i64>>>()?;
        let season_start =
            seasons.into_iter().min().and_then(|y| Date::from_ymd_opt(i32::try_from(y).ok()?, 7, 1));
        let rotation_start = team_games.values().filter_map(|g| {
            let k = g.partition_point(|(gd, _)| *gd < first);
            (k > 0).then(|| g[k.saturating_sub(10)].0)
        });
        // Never under 15 days: the 7- and 14-day workload windows are read from it as they are.
        // Inside a run, from the step's first date's window ([`shared_first`]), so that the
        // chunks of the step share one load whichever of the first two asks first.
        let from = [shared_first(first) - chrono::Duration::days(self.window_days.max(15))]
            .into_iter()
            .chain(season_start)
            .chain(rotation_start)
            .min()
            .unwrap_or(first);
        let shared = played_history(wh, from)?;
        let (history, played_in) = (&shared.history, &shared.played_in);
        let cut = has_rows_before(wh, shared.from)?;

        // The rows, given the whole histories read for some players (`extra`); a row whose
        // player's window may be too short for it names him in `short`.
        let empty: Vec<Played> = Vec::new();
        let rows = |extra: &FxHashMap<String, Vec<Played>>, short: &mut BTreeSet<String>| -> Result<_> {
            let mut out: BTreeMap<Date, Vec<Vec<Value>>> = BTreeMap::new();
            // The buffer the lookups by pair build their key in.
            let mut key = String::new();
            for (d, r) in &team_rows {
                let d = *d;
                let (game, team) = (text(&r[0]), text(&r[3]));
                let before = |pid: &str| -> &[Played] {
                    let h = extra.get(pid).or_else(|| history.get(pid)).unwrap_or(&empty);
                    &h[..h.partition_point(|p| p.date < d)]
                };
                // The rotation: played for the team in its last 10 games, and still with it.
                let mut population: BTreeMap<&str, &'static str> = BTreeMap::new();
                let tg = team_games.get(&team).map(Vec::as_slice).unwrap_or(&[]);
                let last10: Vec<&String> =
                    tg.iter().filter(|(gd, _)| *gd < d).rev().take(10).map(|(_, g)| g).collect();
                // A player on the other team's inactive list (traded, not yet played) belongs there.
                let opponent = text(&r[4]);
                let listed_by_opponent: HashSet<&str> = inactive
                    .get(id_pair_in(&mut key, &game, &opponent))
                    .map(|v| v.iter().map(String::as_str).collect())
                    .unwrap_or_default();
                for g in last10 {
                    for pid in played_in.get(id_pair_in(&mut key, g, &team)).map(Vec::as_slice).unwrap_or(&[])
                    {
                        if before(pid).last().is_some_and(|p| p.team == team)
                            && !listed_by_opponent.contains(pid.as_str())
                        {
                            population.insert(pid, "rotation");
                        }
                    }
                }
                let listed: HashSet<&str> = inactive
                    .get(id_pair_in(&mut key, &game, &team))
                    .map(|v| v.iter().map(String::as_str).collect())
                    .unwrap_or_default();
                for pid in &listed {
                    population.entry(pid).or_insert("listed");
                }
                let season_year = season_of(&r[2])?;
                // Stars on the inactive list, from their season so far (once per team and game; a
                // player is not counted among his own teammates out).
                let stars_listed: HashSet<&str> = listed
                    .iter()
                    .copied()
                    .filter(|p| {
                        let (mut n, mut pts, mut min) = (0usize, 0.0, 0.0);
                        for g in before(p).iter().filter(|g| g.season_year == season_year) {
                            n += 1;
                            pts += g.points;
                            min += g.minutes;
                        }
                        n > 0 && is_star(n, pts / n as f64, min / n as f64)
                    })
                    .collect();
                let stars_out =
                    |me: &str| (stars_listed.len() - usize::from(stars_listed.contains(me))) as i64;
                for (pid, why) in population {
                    let h = before(pid);
                    let last = h.last();
                    let days_rest = last.map(|p| (d - p.date).num_days());
                    let prev_gap =
                        (h.len() >= 2).then(|| (h[h.len() - 1].date - h[h.len() - 2].date).num_days());
                    // Days since the player last came back from 2+ days of rest (a gap of 3+ days).
                    let mut since_rest = None;
                    let mut next = d;
                    for p in h.iter().rev() {
                        if (next - p.date).num_days() >= 3 {
                            since_rest = Some((d - next).num_days());
                            break;
                        }
                        next = p.date;
                    }
                    // Games less than `days` days before the date: a suffix of the ascending history.
                    let window = |days: i64| {
                        let from = d - chrono::Duration::days(days);
                        &h[h.partition_point(|p| p.date <= from)..]
                    };
                    let (w7, w14) = (window(7), window(14));
                    let b2b14 =
                        w14.windows(2).filter(|w| (w[1].date - w[0].date).num_days() == 1).count() as i64;
                    let last7 = &h[h.len().saturating_sub(7)..];
                    let pts = |n: usize| mean_of(h.iter().rev().take(n).map(|p| p.points));
                    let book = lines.get(id_pair_in(&mut key, &game, pid));
                    let open = book.and_then(|b| median(b.values().map(|l| l.open).collect()));
                    let current = book.and_then(|b| median(b.values().map(|l| l.latest).collect()));
                    let by_book = book.map(|b| {
                        serde_json::Value::from(
                            b.iter()
                                .map(|(k, l)| {
                                    (k.clone(), serde_json::json!({"open": l.open, "latest": l.latest}))
                                })
                                .collect::<serde_json::Map<_, _>>(),
                        )
                        .to_string()
                    });
                    let (over, under, ended) = streaks_and_end(h.iter().rev().map(|p| p.points), current);
                    // Whether the loaded window holds all this row needs of the player's past.
                    if cut && !extra.contains_key(pid) && !(h.len() >= 10 && since_rest.is_some() && ended) {
                        short.insert(pid.to_string());
                    }
                    let oc = outcome.get(id_pair_in(&mut key, &game, pid)).copied();
                    out.entry(d).or_default().push(vec![
                        Value::Text(game.clone()),
                        Value::Text(date_text(d)),
                        r[2].clone(),
                        Value::Text(pid.to_string()),
                        Value::Text(team.clone()),
                        r[4].clone(),
                        r[5].clone(),
                        Value::Text(why.into()),
                        Value::Text(if listed.contains(pid) { "out" } else { "available" }.into()),
                        days_rest.map(int).unwrap_or(Value::Null),
                        int((days_rest == Some(1)).into()),
                        prev_gap.map(int).unwrap_or(Value::Null),
                        since_rest.map(int).unwrap_or(Value::Null),
                        int(w7.len() as i64),
                        int(w14.len() as i64),
                        Value::Real(w7.iter().map(|p| p.minutes).sum()),
                        Value::Real(w14.iter().map(|p| p.minutes).sum()),
                        opt_real(mean_of(last7.iter().rev().map(|p| p.minutes))),
                        int(b2b14),
                        opt_real(mean_of(last7.iter().rev().filter_map(|p| p.usage))),
                        opt_real(pts(5)),
                        opt_real(pts(10)),
                        r[6].clone(),
                        r[7].clone(),
                        r[8].clone(),
                        opt_real(open),
                        opt_real(current),
                        opt_real(open.zip(current).map(|(o, c)| c - o)),
                        book.map(|_| Value::Text("consensus".into())).unwrap_or(Value::Null),
                        book.map(|b| int(b.len() as i64)).unwrap_or(Value::Null),
                        by_book.map(Value::Text).unwrap_or(Value::Null),
                        int(over),
                        int(under),
                        int(stars_out(pid)),
                        match oc {
                            Some((p, _)) => int(p.into()),
                            None if outcome.is_empty() => Value::Null,
                            None => int(0),
                        },
                        oc.and_then(|(_, p)| p).map(int).unwrap_or(Value::Null),
                    ]);
                }
            }
            Ok(out)
        };
        // A second pass, only when some player's window was too short: with his whole
        // history read, every row is what a load of every earlier game gives.
        let mut short = BTreeSet::new();
        let mut out = rows(&FxHashMap::default(), &mut short)?;
        if !short.is_empty() {
            let mut extra = played_before(wh, &short, shared.from)?;
            for pid in &short {
                let whole = extra.entry(pid.clone()).or_default();
                whole.extend(history.get(pid).into_iter().flatten().cloned());
            }
            out = rows(&extra, &mut BTreeSet::new())?;
        }
        Ok(out.into_iter().map(|(d, r)| (d, PartitionData::Rows(r))).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaks_against_todays_line_with_pushes() {
        assert_eq!(prop_streaks([25.0, 23.0, 20.0, 26.0].into_iter(), Some(21.5)), (2, 0));
        assert_eq!(prop_streaks([18.0, 20.0, 24.0].into_iter(), Some(21.5)), (0, 2));
        // A push (exactly the line) neither breaks nor extends.
        assert_eq!(prop_streaks([25.0, 22.0, 24.0, 19.0].into_iter(), Some(22.0)), (2, 0));
        assert_eq!(prop_streaks([25.0].into_iter(), None), (0, 0));
    }

    #[test]
    fn stars() {
        assert!(is_star(10, 18.0, 20.0));
        assert!(is_star(12, 12.5, 29.0));
        assert!(!is_star(9, 30.0, 36.0));
        assert!(!is_star(20, 11.0, 33.0));
    }
}
