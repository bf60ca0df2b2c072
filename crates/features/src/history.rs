//! Point-in-time histories: each player's and each team's games before a date, cut at
//! [`LOOKBACK_DAYS`]. The batch steps share one load of every game ([`History::shared`]);
//! the on-the-fly path loads one player's window; both slice with
//! [`History::player_before`] and [`History::team_before`], so they see exactly the same
//! games.

use crate::util::parse_in;
use propcast_core::features::LOOKBACK_DAYS;
use propcast_core::Date;
use propcast_store::memo::{after_all, in_two_halves, shared_first, Latest};
use propcast_store::{slot, Cols, Query, Result, SqliteError, Warehouse};
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

/// The assets a history is read from.
const SOURCES: [&str; 3] = ["player_game_summary", "team_offense_game_summary", "team_defense_game_summary"];

/// The history last loaded (from a first date on).
static SHARED: Latest<History> = Latest::new();

/// Shot-zone attempts and makes of one game (complete zones only).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Zones {
    /// Paint (restricted area + other paint) attempts.
    pub paint_a: f64,
    /// Paint makes.
    pub paint_m: f64,
    /// Mid-range attempts.
    pub mid_a: f64,
    /// Mid-range makes.
    pub mid_m: f64,
    /// Three attempts (shot chart).
    pub three_a: f64,
    /// Three makes.
    pub three_m: f64,
}

impl Zones {
    fn add(&mut self, o: &Zones) {
        self.paint_a += o.paint_a;
        self.paint_m += o.paint_m;
        self.mid_a += o.mid_a;
        self.mid_m += o.mid_m;
        self.three_a += o.three_a;
        self.three_m += o.three_m;
    }

    /// Sum over games.
    pub fn sum<'a>(zones: impl Iterator<Item = &'a Zones>) -> (Zones, usize) {
        let mut t = Zones::default();
        let mut n = 0;
        for z in zones {
            t.add(z);
            n += 1;
        }
        (t, n)
    }

    /// Reads a complete-zones flag at column `at` and the six counts after it (paint,
    /// mid-range and three attempts and makes); `None` when the flag is not 1.
    fn read(r: &Cols<'_>, at: usize) -> std::result::Result<Option<Zones>, SqliteError> {
        if r.get::<i64>(at)? != 1 {
            return Ok(None);
        }
        let z = |i: usize| r.get::<Option<f64>>(at + i).map(|v| v.unwrap_or(0.0));
        Ok(Some(Zones {
            paint_a: z(1)?,
            paint_m: z(2)?,
            mid_a: z(3)?,
            mid_m: z(4)?,
            three_a: z(5)?,
            three_m: z(6)?,
        }))
    }

    /// All zone attempts.
    pub fn attempts(&self) -> f64 {
        self.paint_a + self.mid_a + self.three_a
    }
}

/// A team tricode packed in an integer (no allocation per history row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TeamCode(u32);

impl TeamCode {
    /// The code of a tricode.
    pub fn of(s: &str) -> TeamCode {
        TeamCode(s.bytes().take(4).fold(0u32, |a, b| (a << 8) | u32::from(b)))
    }
}

/// One row of a player's history (a game played, or a did-not-play row).
#[derive(Debug, Clone, PartialEq)]
pub struct PlayerGame {
    /// Game date.
    pub date: Date,
    /// Season start year.
    pub season_year: i64,
    /// The player's team.
    pub team: TeamCode,
    /// The opponent.
    pub opp: TeamCode,
    /// Did not play.
    pub dnp: bool,
    /// Minutes (played games).
    pub minutes: f64,
    /// Points.
    pub points: f64,
    /// Field goals attempted.
    pub fga: f64,
    /// Free throws attempted.
    pub fta: f64,
    /// Free throws made.
    pub ftm: f64,
    /// Usage, 0-100.
    pub usage: Option<f64>,
    /// Complete shot zones.
    pub zones: Option<Zones>,
}

impl PlayerGame {
    /// Whether this row is a game played (minutes above zero and points known).
    pub fn played(&self) -> bool {
        !self.dnp
    }
}

/// One game of a team, its offense and its defense.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamGame {
    /// Game date.
    pub date: Date,
    /// Season start year.
    pub season_year: i64,
    /// Won.
    pub win: bool,
    /// Points margin.
    pub margin: f64,
    /// Pace, possessions per 48.
    pub pace: Option<f64>,
    /// Offensive rating.
    pub off_rating: Option<f64>,
    /// Defensive rating.
    pub def_rating: Option<f64>,
    /// Points allowed.
    pub points_allowed: f64,
    /// Pace of the opponent's possessions.
    pub opp_pace: Option<f64>,
    /// The opponent's complete shot zones.
    pub opp_zones: Option<Zones>,
}

/// Which players and teams to load.
#[derive(Debug, Clone, Copy)]
pub enum Who<'a> {
    /// Nobody: the query is skipped.
    None,
    /// Everybody.
    All,
    /// These ids only.
    Only(&'a [String]),
}

/// Earlier games of players and teams, ascending by date.
#[derive(Debug, Default)]
pub struct History {
    players: HashMap<String, Dated<PlayerGame>>,
    teams: HashMap<String, Dated<TeamGame>>,
}

/// One player's or team's rows, ascending by date, with their dates kept apart: the steps
/// cut a slice by date about a million times per backfill, and a binary search over the
/// dates alone reads 4 bytes a row where one over the rows reads a cache line each.
#[derive(Debug, Default)]
struct Dated<T> {
    dates: Vec<Date>,
    rows: Vec<T>,
}

/// A row with a date.
trait HasDate {
    fn date(&self) -> Date;
}

impl HasDate for PlayerGame {
    fn date(&self) -> Date {
        self.date
    }
}

impl HasDate for TeamGame {
    fn date(&self) -> Date {
        self.date
    }
}

impl<T: HasDate> Dated<T> {
    /// Each id's rows (ascending by date) with their dates.
    fn index(by_id: HashMap<String, Vec<T>>) -> HashMap<String, Dated<T>> {
        by_id
            .into_iter()
            .map(|(id, rows)| (id, Dated { dates: rows.iter().map(T::date).collect(), rows }))
            .collect()
    }

    /// The rows dated in `[date − LOOKBACK_DAYS, date)`.
    fn before(&self, date: Date) -> &[T] {
        let from = date - chrono::Duration::days(LOOKBACK_DAYS);
        &self.rows[self.dates.partition_point(|d| *d < from)..self.dates.partition_point(|d| *d < date)]
    }
}

/// Which rows a history query selects: the condition appended to it and, for some ids only,
/// those ids bound as `?3` (a JSON array, never pasted into the SQL).
type Selection<'a> = (&'a str, Option<&'a str>);

/// The [`Selection`] of `who` by `col`, as owned parts; `None` when nobody is wanted.
fn rows_of(who: Who<'_>, col: &str) -> Option<(String, Option<String>)> {
    match who {
        Who::None => None,
        Who::All => Some((String::new(), None)),
        Who::Only(ids) => Some((
            format!(" AND {col} IN (SELECT value FROM json_each(?3))"),
            Some(serde_json::Value::from(ids.to_vec()).to_string()),
        )),
    }
}

fn date(s: &str) -> Result<Date> {
    parse_in("history", s)
}

/// Each player's rows dated in `[from, to)` (`filter` appended to the condition), ascending.
fn player_games(
    wh: &Warehouse,
    from: &str,
    to: &str,
    (filter, ids): Selection<'_>,
) -> Result<HashMap<String, Vec<PlayerGame>>> {
    let mut out: HashMap<String, Vec<PlayerGame>> = HashMap::default();
    let sql = format!(
        "SELECT player_id, game_date, season_year, team_abbr, opp_abbr, is_dnp, minutes_played, points,
                fg_attempts, ft_attempts, ft_makes, usage_rate, has_complete_shot_zones,
                paint_attempts, paint_makes, mid_range_attempts, mid_range_makes,
                three_attempts_zones, three_makes_zones
         FROM player_game_summary WHERE game_date >= ?1 AND game_date < ?2{filter}
         ORDER BY game_date"
    );
    let params: Vec<&str> = [from, to].into_iter().chain(ids).collect();
    let mut q = Query::new(wh.conn(), &sql, &params)?;
    // Date order (the partition index, no sort); each player's rows stay ascending.
    while let Some(r) = q.next()? {
        let minutes: Option<f64> = r.get(6)?;
        let points: Option<i64> = r.get(7)?;
        let dnp = r.get::<i64>(5)? != 0 || !minutes.is_some_and(|m| m > 0.0) || points.is_none();
        let z = |i: usize| r.get::<Option<f64>>(i);
        let zones = if dnp { None } else { Zones::read(&r, 12)? };
        let g = PlayerGame {
            date: date(r.get(1)?)?,
            season_year: r.get(2)?,
            team: TeamCode::of(r.get(3)?),
            opp: TeamCode::of(r.get(4)?),
            dnp,
            minutes: minutes.unwrap_or(0.0),
            points: points.unwrap_or(0) as f64,
            fga: z(8)?.unwrap_or(0.0),
            fta: z(9)?.unwrap_or(0.0),
            ftm: z(10)?.unwrap_or(0.0),
            usage: z(11)?,
            zones,
        };
        slot(&mut out, r.get(0)?).push(g);
    }
    Ok(out)
}

/// Each team's games dated in `[from, to)` (`filter` appended to the condition), ascending.
fn team_games(
    wh: &Warehouse,
    from: &str,
    to: &str,
    (filter, ids): Selection<'_>,
) -> Result<HashMap<String, Vec<TeamGame>>> {
    let mut out: HashMap<String, Vec<TeamGame>> = HashMap::default();
    let sql = format!(
        "SELECT o.team_abbr, o.game_date, o.season_year, o.win_flag, o.margin_of_victory, o.pace,
                o.offensive_rating, d.defensive_rating, d.points_allowed, d.opponent_pace,
                d.has_complete_shot_zones, d.opp_paint_attempts, d.opp_paint_makes,
                d.opp_mid_range_attempts, d.opp_mid_range_makes, d.opp_three_attempts_zones,
                d.opp_three_makes_zones
         FROM team_offense_game_summary o
         JOIN team_defense_game_summary d ON d.game_id = o.game_id AND d.defending_team_abbr = o.team_abbr
         WHERE o.game_date >= ?1 AND o.game_date < ?2{filter}
         ORDER BY o.team_abbr, o.game_date"
    );
    let params: Vec<&str> = [from, to].into_iter().chain(ids).collect();
    let mut q = Query::new(wh.conn(), &sql, &params)?;
    while let Some(r) = q.next()? {
        let z = |i: usize| r.get::<Option<f64>>(i);
        let opp_zones = Zones::read(&r, 10)?;
        let g = TeamGame {
            date: date(r.get(1)?)?,
            season_year: r.get(2)?,
            win: r.get::<i64>(3)? == 1,
            margin: r.get::<i64>(4)? as f64,
            pace: z(5)?,
            off_rating: z(6)?,
            def_rating: z(7)?,
            points_allowed: r.get::<i64>(8)? as f64,
            opp_pace: z(9)?,
            opp_zones,
        };
        slot(&mut out, r.get(0)?).push(g);
    }
    Ok(out)
}

impl History {
    /// Loads the games dated in `[first − LOOKBACK_DAYS, last)` of the players and teams
    /// asked for.
    pub fn load(
        wh: &Warehouse,
        first: Date,
        last: Date,
        players: Who<'_>,
        teams: Who<'_>,
    ) -> Result<History> {
        let from = (first - chrono::Duration::days(LOOKBACK_DAYS)).to_string();
        let to = last.to_string();
        let mut h = History::default();
        if let Some((filter, ids)) = rows_of(players, "player_id") {
            h.players = Dated::index(player_games(wh, &from, &to, (&filter, ids.as_deref()))?);
        }
        if let Some((filter, ids)) = rows_of(teams, "o.team_abbr") {
            h.teams = Dated::index(team_games(wh, &from, &to, (&filter, ids.as_deref()))?);
        }
        Ok(h)
    }

    /// Every game of every player and team from `first − LOOKBACK_DAYS` on, loaded once per
    /// content of the summaries (the ledger's partition hashes, and the warehouse file) and
    /// shared by the chunks and steps of a backfill: the phase-4 steps each used to reload a
    /// year of games per chunk. A later `first` reuses the load. Outside an engine run
    /// ([`propcast_store::memo::sharing`]) it loads the chunk's window only. The
    /// slices ([`History::player_before`], …) are cut by date, so the rows a date sees are
    /// those [`History::load`] gives.
    pub fn shared(wh: &Warehouse, first: Date, last: Date) -> Result<Arc<History>> {
        let from = shared_first(first) - chrono::Duration::days(LOOKBACK_DAYS);
        // Inside a run, everything from the window's start on: later chunks (ascending) reuse
        // it, and a one-date update reads a year, not every season.
        SHARED.load(wh, &SOURCES, from, |whole| {
            let to = if whole { after_all() } else { last };
            let (a, b, all) = (from.to_string(), to.to_string(), ("", None));
            if !whole {
                return Ok(History {
                    players: Dated::index(player_games(wh, &a, &b, all)?),
                    teams: Dated::index(team_games(wh, &a, &b, all)?),
                });
            }
            // Every player's games in two date halves at once; each player's later games
            // follow his earlier ones, as one load in date order gives them.
            let (mut players, later) = in_two_halves(wh, &a, &b, |wh, lo, hi| player_games(wh, lo, hi, all))?;
            for (id, games) in later.into_iter().flatten() {
                players.entry(id).or_default().extend(games);
            }
            Ok(History { players: Dated::index(players), teams: Dated::index(team_games(wh, &a, &b, all)?) })
        })
    }

    /// The player's rows dated in `[date − LOOKBACK_DAYS, date)`, ascending.
    pub fn player_before(&self, player: &str, date: Date) -> &[PlayerGame] {
        self.players.get(player).map_or(&[], |v| v.before(date))
    }

    /// The team's games dated in `[date − LOOKBACK_DAYS, date)`, ascending.
    pub fn team_before(&self, team: &str, date: Date) -> &[TeamGame] {
        self.teams.get(team).map_or(&[], |v| v.before(date))
    }

    /// Every team's games before `date` (league averages).
    pub fn teams_before(&self, date: Date) -> impl Iterator<Item = (&str, &[TeamGame])> {
        self.teams.keys().map(move |t| (t.as_str(), self.team_before(t, date)))
    }
}
