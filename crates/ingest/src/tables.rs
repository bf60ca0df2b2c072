//! Turning each data-set file into canonical rows of its raw table.

use crate::error::{Problem, Result};
use crate::reader::{CsvFile, Row};
use crate::resolve::{GameIndex, GameInfo, PlayerIndex};
use propcast_core::schema::{self, ColType, TableDef};
use propcast_core::{parse_date, player_lookup, Date, GameId, GameRef, PlayerId, Season, SeasonType, Team};
use propcast_store::Value;
use rustc_hash::FxHashMap as HashMap;

/// The rows built from one file, and what was kept out or noticed.
#[derive(Debug, Default)]
pub struct Built {
    /// Rows in the table's column order.
    pub rows: Vec<Vec<Value>>,
    /// Rows kept out: (line, reason).
    pub quarantined: Vec<(u64, String)>,
    /// Things the user should know (extra columns, absent optional columns, ...).
    pub warnings: Vec<String>,
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

fn opt_text(s: Option<impl Into<String>>) -> Value {
    s.map(|s| Value::Text(s.into())).unwrap_or(Value::Null)
}

/// Columns the builder computes itself (ids, seasons, lookups): never read as plain values.
const DERIVED: &[&str] = &[
    "game_id",
    "nba_game_id",
    "bbref_game_id",
    "season",
    "season_year",
    "season_type",
    "game_date",
    "player_id",
    "nba_player_id",
    "player_lookup",
    "team_abbr",
    "opp_abbr",
    "home_abbr",
    "away_abbr",
    "is_home",
];

/// Warns about header columns the table does not have, and table columns the header lacks.
fn header_warnings(def: &TableDef, file: &CsvFile, accepted_extra: &[&str], out: &mut Vec<String>) {
    let extra: Vec<&str> = file
        .headers()
        .iter()
        .map(String::as_str)
        .filter(|h| def.column(h).is_none() && !accepted_extra.contains(h))
        .collect();
    if !extra.is_empty() {
        out.push(format!(
            "{}: ignored column(s) not in table `{}`: {}",
            file.path.display(),
            def.name,
            extra.join(", ")
        ));
    }
    let absent: Vec<&str> =
        def.columns.iter().map(|c| c.name).filter(|c| !DERIVED.contains(c) && !file.has(c)).collect();
    if !absent.is_empty() {
        out.push(format!("{}: column(s) absent, stored as NULL: {}", file.path.display(), absent.join(", ")));
    }
}

/// A plain (non-derived) column's value, typed by the schema.
fn plain(row: &Row<'_>, col: &schema::ColumnDef) -> Result<Value> {
    let v = match col.ty {
        ColType::Int => row.int(col.name)?.map(Value::Integer),
        ColType::Real => row.real(col.name)?.map(Value::Real),
        ColType::Text => row.get(col.name).map(|s| Value::Text(s.to_string())),
    };
    match v {
        Some(v) => Ok(v),
        None if col.nullable => Ok(Value::Null),
        None => Err(row.err(col.name, Problem::MissingValue)),
    }
}

fn team(row: &Row<'_>, column: &str) -> Result<Option<Team>> {
    row.parse(column, Team::parse)
}

fn date(row: &Row<'_>, column: &str) -> Result<Option<Date>> {
    row.parse(column, parse_date)
}

/// Tracks keys to report duplicates with both lines.
struct KeyCheck(HashMap<String, u64>);

impl KeyCheck {
    fn new() -> Self {
        KeyCheck(HashMap::default())
    }
    fn check(&mut self, row: &Row<'_>, column: &str, key: String) -> Result<()> {
        if let Some(first) = self.0.get(&key) {
            return Err(row.err(column, Problem::DuplicateKey { key, first_line: *first }));
        }
        self.0.insert(key, row.line);
        Ok(())
    }
}

/// `schedule`: canonical ids are built here from date, away and home.
pub fn schedule(file: &CsvFile) -> Result<(Vec<GameInfo>, Built)> {
    let def = &schema::SCHEDULE;
    for c in ["season", "season_type", "game_id", "game_date", "home_abbr", "away_abbr"] {
        file.require(c)?;
    }
    let mut built = Built::default();
    header_warnings(def, file, &[], &mut built.warnings);
    let mut games = Vec::with_capacity(file.len());
    let mut keys = KeyCheck::new();
    let mut nba_keys = KeyCheck::new();
    for row in file.rows() {
        let season =
            row.parse("season", Season::parse)?.ok_or_else(|| row.err("season", Problem::MissingValue))?;
        let season_type = row
            .parse("season_type", SeasonType::parse)?
            .ok_or_else(|| row.err("season_type", Problem::MissingValue))?;
        let d = date(&row, "game_date")?.ok_or_else(|| row.err("game_date", Problem::MissingValue))?;
        let (lo, hi) = season.plausible_window();
        if d < lo || d > hi {
            return Err(row.err(
                "game_date",
                Problem::DateOutsideSeason {
                    date: d.to_string(),
                    seasons: format!("season {season} runs between {lo} and {hi} at the widest"),
                },
            ));
        }
        let home = team(&row, "home_abbr")?.ok_or_else(|| row.err("home_abbr", Problem::MissingValue))?;
        let away = team(&row, "away_abbr")?.ok_or_else(|| row.err("away_abbr", Problem::MissingValue))?;
        if home == away {
            return Err(row.err("away_abbr", Problem::Invalid(format!("a team cannot play itself ({home})"))));
        }
        let id = GameId { date: d, away, home };
        let source_ref =
            row.parse("game_id", GameRef::parse)?.ok_or_else(|| row.err("game_id", Problem::MissingValue))?;
        let mut nba_id = row.get("nba_game_id").map(str::to_string);
        match &source_ref {
            GameRef::Canonical(g) if *g != id => {
                return Err(row.err(
                    "game_id",
                    Problem::DisagreesWithSchedule(format!(
                        "game id {g} does not match date {d}, away {away}, home {home}"
                    )),
                ))
            }
            GameRef::Bbref { date: bd, home: bh } if *bd != d || *bh != home => {
                return Err(row.err(
                    "game_id",
                    Problem::DisagreesWithSchedule(format!(
                        "basketball-reference id {} does not match date {d}, home {home}",
                        row.get("game_id").unwrap_or_default()
                    )),
                ))
            }
            GameRef::Nba(n) => match &nba_id {
                Some(m) if m != n => {
                    return Err(row.err(
                        "nba_game_id",
                        Problem::DisagreesWithSchedule(format!("nba_game_id {m} differs from game_id {n}")),
                    ))
                }
                _ => nba_id = Some(n.clone()),
            },
            _ => {}
        }
        if let Some(n) = &nba_id {
            if n.len() != 10 || !n.bytes().all(|b| b.is_ascii_digit()) {
                return Err(row.err(
                    "nba_game_id",
                    Problem::Invalid(format!("{n:?} is not a 10-digit NBA.com game id")),
                ));
            }
            nba_keys.check(&row, "nba_game_id", n.clone())?;
        }
        keys.check(&row, "game_id", id.to_string())?;
        let mut values = Vec::with_capacity(def.columns.len());
        for col in def.columns {
            values.push(match col.name {
                "game_id" => text(id.to_string()),
                "nba_game_id" => opt_text(nba_id.clone()),
                "bbref_game_id" => text(id.bbref_id()),
                "season" => text(season.to_string()),
                "season_year" => Value::Integer(season.year().into()),
                "season_type" => text(season_type.as_str()),
                "game_date" => text(d.to_string()),
                "home_abbr" => text(home.code()),
                "away_abbr" => text(away.code()),
                _ => plain(&row, col)?,
            });
        }
        built.rows.push(values);
        games.push(GameInfo::new(id, season, season_type, nba_id));
    }
    Ok((games, built))
}

/// `player_id_crosswalk`: one-to-one bbref slug ↔ NBA.com id.
pub fn crosswalk(file: &CsvFile, players: &mut PlayerIndex) -> Result<Built> {
    let def = &schema::PLAYER_ID_CROSSWALK;
    file.require("player_id")?;
    file.require("nba_player_id")?;
    let mut built = Built::default();
    header_warnings(def, file, &[], &mut built.warnings);
    let mut slugs = KeyCheck::new();
    let mut nbas = KeyCheck::new();
    for row in file.rows() {
        let slug = row
            .parse("player_id", PlayerId::parse)?
            .ok_or_else(|| row.err("player_id", Problem::MissingValue))?;
        if slug.nba_id().is_some() {
            return Err(
                row.err("player_id", Problem::Invalid("the crosswalk maps bbref slugs, not nba: ids".into()))
            );
        }
        let nba = row.required("nba_player_id")?;
        let nba_id =
            PlayerId::from_nba(nba).map_err(|e| row.err("nba_player_id", Problem::Invalid(e.to_string())))?;
        let nba = nba_id.nba_id().unwrap_or(nba).to_string();
        slugs.check(&row, "player_id", slug.to_string())?;
        nbas.check(&row, "nba_player_id", nba.clone())?;
        players.add_crosswalk(slug.as_str(), &nba);
        if let Some(name) = row.get("player_name") {
            players.add_name(&player_lookup(name), &slug);
        }
        built.rows.push(vec![text(slug.as_str()), text(nba), opt_text(row.get("player_name"))]);
    }
    Ok(built)
}

/// The canonical player of a row from `player_id` and/or `nba_player_id`.
fn row_player(row: &Row<'_>, players: &PlayerIndex) -> Result<Option<PlayerId>> {
    if let Some(p) = row.parse("player_id", PlayerId::parse)? {
        return Ok(Some(players.canonical(p)));
    }
    if let Some(n) = row.get("nba_player_id") {
        return players.by_nba_id(n).map(Some).ok_or_else(|| {
            row.err("nba_player_id", Problem::Invalid(format!("{n:?} is not an NBA.com person id")))
        });
    }
    Ok(None)
}

/// Where a game-level row belongs, or why it cannot be placed.
enum Placement<'g> {
    Game(&'g GameInfo),
    Quarantine(String),
}

/// Places a row of a per-game table: its date must lie in a season, its game must be in the
/// schedule on that date, and its season label (if any) must agree.
fn place<'g>(row: &Row<'_>, games: &'g GameIndex) -> Result<Placement<'g>> {
    let d = date(row, "game_date")?;
    if let Some(d) = d {
        if games.calendar.season_of(d).is_none() {
            return Err(row.err(
                "game_date",
                Problem::DateOutsideSeason { date: d.to_string(), seasons: games.seasons_text() },
            ));
        }
    }
    let (col, r) = match row.parse("game_id", GameRef::parse)? {
        Some(r) => ("game_id", Some(r)),
        None => ("nba_game_id", row.parse("nba_game_id", GameRef::parse)?),
    };
    let info = match &r {
        Some(r) => games.resolve(r),
        None => None,
    };
    let info = match (info, d) {
        (Some(i), _) => i,
        (None, None) => {
            return Ok(Placement::Quarantine(format!(
                "no game_date and {} names no scheduled game",
                row.get(col).map(|s| format!("{col} {s}")).unwrap_or_else(|| "no game id".into())
            )))
        }
        (None, Some(_)) => {
            return Err(row.err(col, Problem::UnknownGame(row.get(col).unwrap_or("(empty)").to_string())))
        }
    };
    if let Some(d) = d {
        if d != info.id.date {
            return Err(row.err(
                "game_date",
                Problem::DisagreesWithSchedule(format!(
                    "game_date {d} differs from the schedule's {} for game {}",
                    info.id.date, info.id
                )),
            ));
        }
    }
    if let Some(s) = row.parse("season", Season::parse)? {
        if s != info.season {
            return Err(row.err(
                "season",
                Problem::DisagreesWithSchedule(format!(
                    "season {s} differs from the schedule's {} for game {}",
                    info.season, info.id
                )),
            ));
        }
    }
    Ok(Placement::Game(info))
}

/// A per-player per-game table (`player_games`, `player_availability`, `shot_zones`) or the
/// per-team `team_games`.
pub fn game_table(def: &TableDef, file: &CsvFile, games: &GameIndex, players: &PlayerIndex) -> Result<Built> {
    let per_player = def.column("player_id").is_some();
    file.require("team_abbr")?;
    file.require_any(&["game_id", "nba_game_id"])?;
    if per_player {
        file.require_any(&["player_id", "nba_player_id"])?;
    }
    if def.name == schema::PLAYER_AVAILABILITY.name {
        file.require("status")?;
    }
    let mut built = Built::default();
    header_warnings(def, file, &["season_type"], &mut built.warnings);
    let mut keys = KeyCheck::new();
    // Each player's lookup key normalized once (NFKD per row was 3% of the ingest).
    let mut lookups: HashMap<&str, String> = HashMap::default();
    for row in file.rows() {
        let info = match place(&row, games)? {
            Placement::Game(i) => i,
            Placement::Quarantine(reason) => {
                built.quarantined.push((row.line, reason));
                continue;
            }
        };
        let tm = team(&row, "team_abbr")?.ok_or_else(|| row.err("team_abbr", Problem::MissingValue))?;
        if tm != info.id.home && tm != info.id.away {
            return Err(row.err(
                "team_abbr",
                Problem::DisagreesWithSchedule(format!("team {tm} does not play in game {}", info.id)),
            ));
        }
        let opp = if tm == info.id.home { info.id.away } else { info.id.home };
        if let Some(o) = team(&row, "opp_abbr")? {
            if o != opp {
                return Err(row.err(
                    "opp_abbr",
                    Problem::DisagreesWithSchedule(format!(
                        "opponent {o} is not {tm}'s opponent in game {}",
                        info.id
                    )),
                ));
            }
        }
        let player = if per_player {
            let p = row_player(&row, players)?.ok_or_else(|| row.err("player_id", Problem::MissingValue))?;
            keys.check(&row, "player_id", format!("{}, {}", info.text.id, p))?;
            Some(p)
        } else {
            keys.check(&row, "team_abbr", format!("{}, {}", info.text.id, tm))?;
            None
        };
        let name = row.get("player_name");
        let mut values = Vec::with_capacity(def.columns.len());
        for col in def.columns {
            values.push(match col.name {
                "game_id" => text(info.text.id.as_str()),
                "nba_game_id" => {
                    opt_text(info.nba_id.clone().or_else(|| row.get("nba_game_id").map(str::to_string)))
                }
                "season" => text(info.text.season.as_str()),
                "season_year" => Value::Integer(info.season.year().into()),
                "season_type" => text(info.season_type.as_str()),
                "game_date" => text(info.text.date.as_str()),
                "player_id" => opt_text(player.as_ref().map(|p| p.to_string())),
                "nba_player_id" => opt_text(player.as_ref().and_then(|p| players.nba_of(p))),
                "player_lookup" => {
                    opt_text(name.map(|n| lookups.entry(n).or_insert_with(|| player_lookup(n)).clone()))
                }
                "team_abbr" => text(tm.code()),
                "opp_abbr" => text(opp.code()),
                "is_home" => Value::Integer((tm == info.id.home).into()),
                _ => plain(&row, col)?,
            });
        }
        built.rows.push(values);
    }
    Ok(built)
}

/// `shot_zones_season`: one row per player, season and season type.
pub fn season_table(file: &CsvFile, players: &PlayerIndex) -> Result<Built> {
    let def = &schema::SHOT_ZONES_SEASON;
    file.require("season")?;
    file.require("season_type")?;
    file.require_any(&["player_id", "nba_player_id"])?;
    let mut built = Built::default();
    header_warnings(def, file, &[], &mut built.warnings);
    let mut keys = KeyCheck::new();
    for row in file.rows() {
        let season =
            row.parse("season", Season::parse)?.ok_or_else(|| row.err("season", Problem::MissingValue))?;
        let st = row
            .parse("season_type", SeasonType::parse)?
            .ok_or_else(|| row.err("season_type", Problem::MissingValue))?;
        let p = row_player(&row, players)?.ok_or_else(|| row.err("player_id", Problem::MissingValue))?;
        keys.check(&row, "player_id", format!("{season}, {st}, {p}"))?;
        let tm = team(&row, "team_abbr")?;
        let mut values = Vec::with_capacity(def.columns.len());
        for col in def.columns {
            values.push(match col.name {
                "season" => text(season.to_string()),
                "season_year" => Value::Integer(season.year().into()),
                "season_type" => text(st.as_str()),
                "player_id" => text(p.to_string()),
                "nba_player_id" => opt_text(players.nba_of(&p)),
                "player_lookup" => opt_text(row.get("player_name").map(player_lookup)),
                "team_abbr" => opt_text(tm.map(|t| t.code())),
                _ => plain(&row, col)?,
            });
        }
        built.rows.push(values);
    }
    Ok(built)
}

/// `prop_lines`: the game is resolved by id or by date and home team, the player by id or by
/// name; what cannot be resolved stays NULL (lines of unknown players are still lines).
pub fn prop_lines(file: &CsvFile, games: &GameIndex, players: &PlayerIndex) -> Result<Built> {
    let def = &schema::PROP_LINES;
    for c in ["game_date", "player_name", "market", "book", "line"] {
        file.require(c)?;
    }
    let mut built = Built::default();
    header_warnings(def, file, &[], &mut built.warnings);
    let (mut no_game, mut no_player) = (0usize, 0usize);
    let mut lookups: HashMap<&str, String> = HashMap::default();
    for row in file.rows() {
        let d = date(&row, "game_date")?.ok_or_else(|| row.err("game_date", Problem::MissingValue))?;
        let span = games.calendar.season_of(d).ok_or_else(|| {
            row.err(
                "game_date",
                Problem::DateOutsideSeason { date: d.to_string(), seasons: games.seasons_text() },
            )
        })?;
        if let Some(s) = row.parse("season", Season::parse)? {
            if s != span.season {
                return Err(row.err(
                    "season",
                    Problem::DisagreesWithSchedule(format!(
                        "season {s} but {d} lies in season {}",
                        span.season
                    )),
                ));
            }
        }
        let teams: Vec<Option<Team>> = ["team_abbr", "opp_abbr", "home_abbr", "away_abbr"]
            .iter()
            .map(|c| team(&row, c))
            .collect::<Result<_>>()?;
        let game = match row.parse("game_id", GameRef::parse)? {
            Some(r) => Some(games.resolve(&r).ok_or_else(|| {
                row.err("game_id", Problem::UnknownGame(row.get("game_id").unwrap_or_default().to_string()))
            })?),
            None => teams[2].and_then(|h| games.by_date_home(d, h)),
        };
        if let Some(g) = game {
            if g.id.date != d {
                return Err(row.err(
                    "game_date",
                    Problem::DisagreesWithSchedule(format!(
                        "game_date {d} differs from the schedule's {} for game {}",
                        g.id.date, g.id
                    )),
                ));
            }
        } else {
            no_game += 1;
        }
        let name = row.required("player_name")?;
        let lookup = lookups.entry(name).or_insert_with(|| player_lookup(name)).clone();
        let player = match row_player(&row, players)? {
            Some(p) => Some(p),
            None => players.by_lookup(&lookup).cloned(),
        };
        if player.is_none() {
            no_player += 1;
        }
        let mut values = Vec::with_capacity(def.columns.len());
        for col in def.columns {
            values.push(match col.name {
                "season" => text(span.season.to_string()),
                "season_year" => Value::Integer(span.season.year().into()),
                "game_date" => text(d.to_string()),
                "game_id" => opt_text(game.map(|g| g.text.id.as_str())),
                "player_id" => opt_text(player.as_ref().map(|p| p.to_string())),
                "player_lookup" => text(lookup.clone()),
                "team_abbr" => opt_text(teams[0].map(|t| t.code())),
                "opp_abbr" => opt_text(teams[1].map(|t| t.code())),
                "home_abbr" => opt_text(teams[2].map(|t| t.code())),
                "away_abbr" => opt_text(teams[3].map(|t| t.code())),
                _ => plain(&row, col)?,
            });
        }
        built.rows.push(values);
    }
    if no_game > 0 {
        built.warnings.push(format!(
            "{}: {no_game} line(s) read match no scheduled game (game_id NULL)",
            file.path.display()
        ));
    }
    if no_player > 0 {
        built.warnings.push(format!(
            "{}: {no_player} line(s) read match no known player (player_id NULL)",
            file.path.display()
        ));
    }
    Ok(built)
}
