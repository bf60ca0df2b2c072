//! The player registry and the season calendar, rebuilt from the raw tables inside the
//! ingest transaction.

use crate::error::Result;
use propcast_core::schema::{self};
use propcast_core::{parse_date, player_lookup, Season, SeasonCalendar, SeasonType};
use propcast_store::{insert_rows, Transaction, Value};
use std::collections::BTreeMap;

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

/// Rebuilds `players`, `player_aliases` and `season_calendar`.
pub fn rebuild(tx: &Transaction<'_>) -> Result<()> {
    let mut players: BTreeMap<String, Entry> = BTreeMap::new();
    for table in NAME_SOURCES {
        let sql = format!(
            "SELECT player_id, player_name, count(*) FROM {table}
             WHERE player_id IS NOT NULL AND player_name IS NOT NULL GROUP BY 1, 2"
        );
        let mut stmt = tx.prepare(&sql)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?;
        for row in rows {
            let (id, name, n) = row?;
            players.entry(id).or_default().names.push((name, table, n));
        }
    }
    {
        let mut stmt = tx.prepare("SELECT player_id, nba_player_id FROM player_id_crosswalk")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (id, nba) = row?;
            players.entry(id).or_default().nba = Some(nba);
        }
        let mut stmt = tx.prepare(
            "SELECT player_id, min(game_date), max(game_date), max(nba_player_id) FROM player_games GROUP BY 1",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        for row in rows {
            let (id, first, last, nba) = row?;
            let e = players.entry(id).or_default();
            e.first = Some(first);
            e.last = Some(last);
            if e.nba.is_none() {
                e.nba = nba;
            }
        }
    }
    tx.execute("DELETE FROM players", [])?;
    tx.execute("DELETE FROM player_aliases", [])?;
    let mut prow = Vec::new();
    let mut arows = Vec::new();
    for (id, e) in &players {
        let bbref = (!id.starts_with("nba:")).then(|| id.clone());
        let nba = e.nba.clone().or_else(|| id.strip_prefix("nba:").map(str::to_string));
        // Display name: the most frequent spelling in the most trusted table that has one.
        let display = NAME_SOURCES
            .iter()
            .find_map(|t| {
                e.names
                    .iter()
                    .filter(|(_, src, _)| src == t)
                    .max_by(|a, b| a.2.cmp(&b.2).then(b.0.cmp(&a.0)))
                    .map(|(n, _, _)| n.clone())
            })
            .unwrap_or_else(|| id.clone());
        prow.push(vec![
            Value::Text(id.clone()),
            bbref.map(Value::Text).unwrap_or(Value::Null),
            nba.map(Value::Text).unwrap_or(Value::Null),
            Value::Text(display.clone()),
            Value::Text(player_lookup(&display)),
            e.first.clone().map(Value::Text).unwrap_or(Value::Null),
            e.last.clone().map(Value::Text).unwrap_or(Value::Null),
        ]);
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
