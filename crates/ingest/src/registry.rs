//! The player registry and the season calendar, rebuilt from the raw tables inside the
//! ingest transaction.

use crate::error::Result;
use propcast_core::schema::{self, TableDef};
use propcast_core::{parse_date, player_lookup, Season, SeasonCalendar, SeasonType};
use propcast_store::{insert_rows, slot, Query, Transaction, Value};
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Tables whose names feed the registry, in order of trust for the display name.
const NAME_SOURCES: [&str; 6] = [
    "player_games",
    "player_id_crosswalk",
    "player_availability",
    "shot_zones",
    "shot_zones_season",
    "prop_lines",
];

#[derive(Default)]
struct Entry {
    nba: Option<String>,
    names: Vec<(String, &'static str, i64)>,
    first: Option<String>,
    last: Option<String>,
}

/// Name counts added (or, negative, removed) by rewritten raw partitions: what an ingest of a
/// few partitions changes in the registry, so that it need not be rebuilt from every table.
#[derive(Debug, Default)]
pub struct Delta {
    /// (player, name, table) → rows added minus rows removed.
    names: HashMap<(String, String, &'static str), i64>,
    /// Players whose `player_games` rows changed (first and last game, NBA id).
    played: HashSet<String>,
    /// Partitions rewritten so far.
    partitions: usize,
}

/// Partitions rewritten beyond which the registry is rebuilt rather than patched.
const DELTA_MAX_PARTITIONS: usize = 64;

impl Delta {
    /// Counts `n` partitions about to be rewritten; false (for good) once there are too many
    /// for a patch to pay, or the crosswalk changed.
    pub fn room_for(&mut self, def: &TableDef, n: usize) -> bool {
        self.partitions += n;
        if def.name == schema::PLAYER_ID_CROSSWALK.name && n > 0 {
            self.partitions = usize::MAX;
        }
        self.usable()
    }

    /// Whether the delta is complete (else the registry is rebuilt).
    pub fn usable(&self) -> bool {
        self.partitions <= DELTA_MAX_PARTITIONS
    }

    /// Counts one partition's rows as they are in the warehouse before they are deleted.
    pub fn remove_stored(
        &mut self,
        tx: &Transaction<'_>,
        def: &TableDef,
        partition: Option<&str>,
    ) -> Result<()> {
        let Some(table) = NAME_SOURCES.iter().find(|t| **t == def.name) else { return Ok(()) };
        let filter = match def.partition_column() {
            Some(c) if partition.is_some() => format!("AND {c} = ?1"),
            _ => String::new(),
        };
        let sql = format!(
            "SELECT player_id, player_name, count(*) FROM {table}
             WHERE player_id IS NOT NULL AND player_name IS NOT NULL {filter} GROUP BY 1, 2"
        );
        let mut stmt = tx.prepare(&sql)?;
        let mut rows = match partition.filter(|_| !filter.is_empty()) {
            Some(p) => stmt.query([p])?,
            None => stmt.query([])?,
        };
        while let Some(r) = rows.next()? {
            let (id, name, n): (String, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            if *table == schema::PLAYER_GAMES.name {
                self.played.insert(id.clone());
            }
            *self.names.entry((id, name, table)).or_default() -= n;
        }
        Ok(())
    }

    /// Counts rows about to be inserted.
    pub fn add_rows<'a>(&mut self, def: &TableDef, rows: impl IntoIterator<Item = &'a [Value]>) {
        let Some(table) = NAME_SOURCES.iter().find(|t| **t == def.name) else { return };
        let col = |n: &str| def.columns.iter().position(|c| c.name == n);
        let (Some(i), Some(j)) = (col("player_id"), col("player_name")) else { return };
        for r in rows {
            if let (Value::Text(id), Value::Text(name)) = (&r[i], &r[j]) {
                if *table == schema::PLAYER_GAMES.name {
                    self.played.insert(id.clone());
                }
                *self.names.entry((id.clone(), name.clone(), table)).or_default() += 1;
            }
        }
    }
}

/// Applies a [`Delta`] to `players` and `player_aliases`, then rebuilds the calendar. The
/// result is what [`rebuild`] gives (a test holds them equal); the crosswalk must be
/// unchanged (its pairs are read, not tracked).
pub fn apply(tx: &Transaction<'_>, delta: &Delta) -> Result<()> {
    let mut touched: BTreeSet<String> = delta.played.clone().into_iter().collect();
    for ((id, name, table), n) in delta.names.iter().filter(|(_, n)| **n != 0) {
        touched.insert(id.clone());
        tx.execute(
            "INSERT INTO player_aliases (player_id, alias_name, alias_lookup, source_table, rows)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (player_id, alias_name, source_table) DO UPDATE SET rows = rows + excluded.rows",
            propcast_store::params![id, name, player_lookup(name), table, n],
        )?;
    }
    tx.execute("DELETE FROM player_aliases WHERE rows <= 0", [])?;
    if touched.is_empty() {
        return rebuild_calendar(tx);
    }
    // A JSON array of the ids, for `json_each` (serde_json escapes them).
    let ids = serde_json::Value::from(touched.iter().cloned().collect::<Vec<String>>()).to_string();
    let mut players: BTreeMap<String, Entry> =
        touched.iter().map(|id| (id.clone(), Entry::default())).collect();
    {
        let mut stmt = tx.prepare(
            "SELECT player_id, alias_name, source_table, rows FROM player_aliases
             WHERE player_id IN (SELECT value FROM json_each(?1))",
        )?;
        let mut rows = stmt.query([&ids])?;
        while let Some(r) = rows.next()? {
            let table: String = r.get(2)?;
            let Some(src) = NAME_SOURCES.iter().find(|t| **t == table) else { continue };
            if let Some(e) = players.get_mut(&r.get::<_, String>(0)?) {
                e.names.push((r.get(1)?, src, r.get(3)?));
            }
        }
    }
    read_games(tx, &mut players, Some(&ids))?;
    let mut stmt = tx.prepare("DELETE FROM players WHERE player_id = ?1")?;
    let mut rows = Vec::new();
    for (id, e) in &players {
        stmt.execute([id])?;
        // A player nothing names any more is gone from the registry.
        if e.nba.is_some() || e.first.is_some() || !e.names.is_empty() {
            rows.push(player_row(id, e));
        }
    }
    insert_rows(tx, &schema::PLAYERS, rows.iter().map(Vec::as_slice))?;
    rebuild_calendar(tx)
}

/// The crosswalk's NBA ids and `player_games`' first and last dates (and NBA ids) of the
/// players (all of them, or those of the JSON array `ids`).
fn read_games(tx: &Transaction<'_>, players: &mut BTreeMap<String, Entry>, ids: Option<&str>) -> Result<()> {
    let only = |col: &str| {
        ids.map_or(String::new(), |_| format!("WHERE {col} IN (SELECT value FROM json_each(?1))"))
    };
    let params: Vec<&str> = ids.into_iter().collect();
    let mut stmt = tx.prepare(&format!(
        "SELECT player_id, nba_player_id FROM player_id_crosswalk {}",
        only("player_id")
    ))?;
    let rows = stmt.query_map(propcast_store::params_from_iter(&params), |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (id, nba) = row?;
        players.entry(id).or_default().nba = Some(nba);
    }
    // First and last dates and the largest NBA id per player (what `min`, `max` and `max` of
    // a `GROUP BY` give), folded here instead of sorting every row.
    let sql = format!("SELECT player_id, game_date, nba_player_id FROM player_games {}", only("player_id"));
    let mut rows = Query::new(tx, &sql, &params)?;
    let mut games: FxHashMap<String, (String, String, Option<String>)> = FxHashMap::default();
    while let Some(r) = rows.next()? {
        let (id, date): (&str, &str) = (r.get(0)?, r.get(1)?);
        let nba: Option<&str> = r.get(2)?;
        match games.get_mut(id) {
            Some((first, last, max_nba)) => {
                if date < first.as_str() {
                    *first = date.to_string();
                }
                if date > last.as_str() {
                    *last = date.to_string();
                }
                if nba.is_some_and(|n| max_nba.as_deref().is_none_or(|m| n > m)) {
                    *max_nba = nba.map(str::to_string);
                }
            }
            None => {
                games.insert(id.to_string(), (date.to_string(), date.to_string(), nba.map(str::to_string)));
            }
        }
    }
    for (id, (first, last, nba)) in games {
        let e = players.entry(id).or_default();
        e.first = Some(first);
        e.last = Some(last);
        if e.nba.is_none() {
            e.nba = nba;
        }
    }
    Ok(())
}

/// A `players` row: ids, the display name (the most frequent spelling in the most trusted
/// table that has one) and the first and last games.
fn player_row(id: &str, e: &Entry) -> Vec<Value> {
    let bbref = (!id.starts_with("nba:")).then(|| id.to_string());
    let nba = e.nba.clone().or_else(|| id.strip_prefix("nba:").map(str::to_string));
    let display = NAME_SOURCES
        .iter()
        .find_map(|t| {
            e.names
                .iter()
                .filter(|(_, src, _)| src == t)
                .max_by(|a, b| a.2.cmp(&b.2).then(b.0.cmp(&a.0)))
                .map(|(n, _, _)| n.clone())
        })
        .unwrap_or_else(|| id.to_string());
    vec![
        Value::Text(id.to_string()),
        bbref.map(Value::Text).unwrap_or(Value::Null),
        nba.map(Value::Text).unwrap_or(Value::Null),
        Value::Text(display.clone()),
        Value::Text(player_lookup(&display)),
        e.first.clone().map(Value::Text).unwrap_or(Value::Null),
        e.last.clone().map(Value::Text).unwrap_or(Value::Null),
    ]
}

/// Rebuilds `players`, `player_aliases` and `season_calendar`.
pub fn rebuild(tx: &Transaction<'_>) -> Result<()> {
    let mut players: BTreeMap<String, Entry> = BTreeMap::new();
    for table in NAME_SOURCES {
        // Counted here rather than by `GROUP BY`, which sorted every row of the table.
        let mut counts: FxHashMap<String, Vec<(String, i64)>> = FxHashMap::default();
        let sql =
            format!("SELECT player_id, player_name FROM {table} WHERE player_id IS NOT NULL AND player_name IS NOT NULL");
        let mut rows = Query::new(tx, &sql, &[])?;
        while let Some(r) = rows.next()? {
            let (id, name): (&str, &str) = (r.get(0)?, r.get(1)?);
            let names = slot(&mut counts, id);
            match names.iter_mut().find(|(n, _)| n == name) {
                Some((_, c)) => *c += 1,
                None => names.push((name.to_string(), 1)),
            }
        }
        for (id, mut names) in counts {
            names.sort_unstable();
            let e = players.entry(id).or_default();
            e.names.extend(names.into_iter().map(|(name, n)| (name, table, n)));
        }
    }
    read_games(tx, &mut players, None)?;
    tx.execute("DELETE FROM players", [])?;
    tx.execute("DELETE FROM player_aliases", [])?;
    let mut prow = Vec::new();
    let mut arows = Vec::new();
    for (id, e) in &players {
        prow.push(player_row(id, e));
        for (name, src, n) in &e.names {
            arows.push(vec![
                Value::Text(id.clone()),
                Value::Text(name.clone()),
                Value::Text(player_lookup(name)),
                Value::Text(src.to_string()),
                Value::Integer(*n),
            ]);
        }
    }
    insert_rows(tx, &schema::PLAYERS, prow.iter().map(Vec::as_slice))?;
    insert_rows(tx, &schema::PLAYER_ALIASES, arows.iter().map(Vec::as_slice))?;
    rebuild_calendar(tx)
}

fn rebuild_calendar(tx: &Transaction<'_>) -> Result<()> {
    let mut games = Vec::new();
    let mut types = Vec::new();
    {
        let mut stmt = tx.prepare("SELECT season, season_type, game_date FROM schedule")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?;
        for row in rows {
            let (s, t, d) = row?;
            // Values in the schedule table were validated at ingest.
            if let (Ok(s), Ok(t), Ok(d)) = (Season::parse(&s), SeasonType::parse(&t), parse_date(&d)) {
                games.push((s, t, d));
                types.push((t, d));
            }
        }
    }
    let cal = SeasonCalendar::from_games(games);
    tx.execute("DELETE FROM season_calendar", [])?;
    let opt = |d: Option<propcast_core::Date>| d.map(|d| Value::Text(d.to_string())).unwrap_or(Value::Null);
    let rows: Vec<Vec<Value>> = cal
        .seasons()
        .map(|s| {
            let n = |t| Value::Integer(s.games.get(&t).copied().unwrap_or(0).into());
            vec![
                Value::Text(s.season.to_string()),
                Value::Integer(s.season.year().into()),
                Value::Text(s.regular_start.to_string()),
                Value::Text(s.regular_end.to_string()),
                opt(s.playin_start),
                opt(s.playoffs_start),
                Value::Text(s.season_end.to_string()),
                Value::Text(s.bootstrap_end.to_string()),
                n(SeasonType::RegularSeason),
                n(SeasonType::PlayIn),
                n(SeasonType::Playoffs),
                n(SeasonType::CupFinal),
                Value::Integer(s.game_dates.len() as i64),
            ]
        })
        .collect();
    insert_rows(tx, &schema::SEASON_CALENDAR, rows.iter().map(Vec::as_slice))?;
    rebuild_game_dates(tx, &cal, &types)
}

/// One row per date: game counts by type, day of season, bootstrap flag.
fn rebuild_game_dates(
    tx: &Transaction<'_>,
    cal: &SeasonCalendar,
    types: &[(SeasonType, propcast_core::Date)],
) -> Result<()> {
    let mut per_date: BTreeMap<propcast_core::Date, [i64; 4]> = BTreeMap::new();
    for (t, d) in types {
        let c = per_date.entry(*d).or_default();
        c[match t {
            SeasonType::RegularSeason => 0,
            SeasonType::PlayIn => 1,
            SeasonType::Playoffs => 2,
            SeasonType::CupFinal => 3,
        }] += 1;
    }
    tx.execute("DELETE FROM game_dates", [])?;
    let mut rows = Vec::with_capacity(per_date.len());
    for (d, c) in per_date {
        let Some(span) = cal.season_of(d) else { continue };
        rows.push(vec![
            Value::Text(d.to_string()),
            Value::Text(span.season.to_string()),
            Value::Integer(span.season.year().into()),
            Value::Integer(c.iter().sum()),
            Value::Integer(c[0]),
            Value::Integer(c[1]),
            Value::Integer(c[2]),
            Value::Integer(c[3]),
            Value::Integer((d - span.regular_start).num_days()),
            Value::Integer(span.is_bootstrap(d).into()),
        ]);
    }
    insert_rows(tx, &schema::GAME_DATES, rows.iter().map(Vec::as_slice))?;
    Ok(())
}
