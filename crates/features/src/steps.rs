//! The phase-4 steps: each reads its declared inputs for a batch of dates, computes rows with
//! the pure functions of this crate, and returns them per date.

use crate::composite::{CompositeFactors, CompositeFacts, OppDefense, ShotFacts};
use crate::daily_cache::{CacheFacts, DailyCache};
use crate::history::History;
use crate::shot_zone::PlayerShotZone;
use crate::team_defense::{LeagueZones, TeamDefenseZone};
use crate::util::{calendar, parse};
use crate::vector::{build, line_history, ContextRow, FeatureInputs, LinePoint, Phase4};
use propcast_core::{id_pair_in, schema, Date};
use propcast_store::memo::{after_all, in_two_halves, shared_first, Latest};
use propcast_store::{
    CheckKind, CheckSpec, Cols, Input, Output, PartitionData, Query, Result, Step, Value, Warehouse, Window,
};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;
use std::sync::Arc;

type Rows = BTreeMap<Date, Vec<Vec<Value>>>;

fn done(rows: Rows) -> Vec<(Date, PartitionData)> {
    rows.into_iter().map(|(d, r)| (d, PartitionData::Rows(r))).collect()
}

fn bounds(dates: &[Date]) -> Option<(Date, Date, HashSet<Date>)> {
    Some((*dates.first()?, *dates.last()?, dates.iter().copied().collect()))
}

/// The pre-game population of the dates.
fn population(wh: &Warehouse, first: Date, last: Date, wanted: &HashSet<Date>) -> Result<Population> {
    let sources = ["upcoming_player_game_context", "upcoming_team_game_context", "schedule"];
    // Inside a run, every row from the step's first date on, shared by the chunks and the
    // four phase-4 steps that read it (each used to load its chunk's rows itself); the rows
    // are in `ContextRow::load`'s order, so a chunk's slice is exactly what a load of its
    // dates gives.
    let from = shared_first(first);
    let all = POPULATION.load(wh, &sources, from, |whole| {
        let (a, b) = (from.to_string(), if whole { after_all() } else { last }.to_string());
        if !whole {
            return ContextRow::load(wh, "game_date BETWEEN ?1 AND ?2", &[&a, &b]);
        }
        let (mut rows, later) = in_two_halves(wh, &a, &b, |wh, lo, hi| {
            ContextRow::load(wh, "game_date >= ?1 AND game_date < ?2", &[lo, hi])
        })?;
        rows.extend(later.into_iter().flatten());
        Ok(rows)
    })?;
    let (from, to) = (all.partition_point(|c| c.date < first), all.partition_point(|c| c.date <= last));
    let idx = (from..to).filter(|i| wanted.contains(&all[*i].date)).collect();
    Ok(Population { all, idx })
}

/// The pre-game rows of a chunk's dates: a view of the shared load.
struct Population {
    all: Arc<Vec<ContextRow>>,
    idx: Vec<usize>,
}

impl Population {
    fn iter(&self) -> impl Iterator<Item = &ContextRow> {
        self.idx.iter().map(|i| &self.all[*i])
    }
}

/// The context rows last loaded (from a first date on, date order).
static POPULATION: Latest<Vec<ContextRow>> = Latest::new();

/// Rows of a stored phase-4 table by date and key (a player, a team, or a player and team),
/// looked up without building an owned key per row.
struct Facts<T>(HashMap<Date, HashMap<String, T>>);

impl<T> Facts<T> {
    fn get(&self, key: &str, date: Date) -> Option<&T> {
        self.0.get(&date)?.get(key)
    }
}

/// Reads `(key, date) → T` from a stored phase-4 table: the key is the first column, or the
/// first and the column `second_key` joined as an [`id_pair`](propcast_core::id_pair); the
/// date is the second column.
fn read_by<T>(
    wh: &Warehouse,
    sql: &str,
    first: Date,
    last: Date,
    second_key: Option<usize>,
    f: impl Fn(&Cols<'_>) -> Result<T>,
) -> Result<Facts<T>> {
    let mut q = Query::new(wh.conn(), sql, &[&first.to_string(), &last.to_string()])?;
    let mut out: HashMap<Date, HashMap<String, T>> = HashMap::default();
    // Rows come date by date (the date index): each date is parsed once.
    let mut at: Option<(String, Date)> = None;
    while let Some(r) = q.next()? {
        let text: &str = r.get(1)?;
        let date = match &at {
            Some((t, d)) if t == text => *d,
            _ => {
                let d = parse(text)?;
                at = Some((text.to_string(), d));
                d
            }
        };
        let a: &str = r.get(0)?;
        let key = match second_key {
            Some(i) => propcast_core::id_pair(a, r.get(i)?),
            None => a.to_string(),
        };
        out.entry(date).or_default().insert(key, f(&r)?);
    }
    Ok(Facts(out))
}

/// Facts of a phase-4 table read by several later steps, last loaded: inside a run, one load
/// of every date from the step's first on, shared by the chunks and the steps that read it
/// (the shot zones are read by three steps, the daily cache and the opponent's defense by
/// two; each chunk of each used to read its dates again). Outside a run, the chunk's dates.
fn shared_facts<T: Send>(
    held: &Latest<Facts<T>>,
    source: &str,
    wh: &Warehouse,
    first: Date,
    last: Date,
    read: impl Fn(&Warehouse, Date, Date) -> Result<Facts<T>> + Sync,
) -> Result<Arc<Facts<T>>> {
    let from = shared_first(first);
    held.load(wh, &[source], from, |whole| {
        if !whole {
            return read(wh, first, last);
        }
        // Read as two date halves at once (the daily cache's load idled a core for 0.4 s at
        // the start of each step that reads it); the halves' dates are disjoint.
        let (mut all, later) =
            in_two_halves(wh, &from.to_string(), &after_all().to_string(), |wh, lo, hi| {
                read(wh, parse(lo)?, parse(hi)? - chrono::Duration::days(1))
            })?;
        all.0.extend(later.into_iter().flat_map(|l| l.0));
        Ok(all)
    })
}

/// Every player's lines, last loaded (see [`shared_lines`]).
static LINES: Latest<std::collections::HashMap<String, Vec<LinePoint>>> = Latest::new();

/// Each player's lines and outcomes from 60 days before the step's first date on, shared by
/// the chunks of a run like the facts above (each chunk read its dates and the 60 days before
/// them again). A row slices its player's lines before its own date, and reads only the 60
/// days before it, so a load reaching further either way gives the same row.
fn shared_lines(
    wh: &Warehouse,
    first: Date,
    last: Date,
) -> Result<Arc<std::collections::HashMap<String, Vec<LinePoint>>>> {
    let from = shared_first(first);
    LINES.load(wh, &["upcoming_player_game_context"], from, |whole| {
        line_history(wh, from, if whole { after_all() } else { last }, None)
    })
}

static SHOTS: Latest<Facts<ShotFacts>> = Latest::new();
static OPPS: Latest<Facts<OppDefense>> = Latest::new();
static CACHES: Latest<Facts<CacheFacts>> = Latest::new();

fn shot_facts(wh: &Warehouse, first: Date, last: Date) -> Result<Arc<Facts<ShotFacts>>> {
    shared_facts(&SHOTS, "player_shot_zone_analysis", wh, first, last, read_shot_facts)
}

fn opp_defense(wh: &Warehouse, first: Date, last: Date) -> Result<Arc<Facts<OppDefense>>> {
    shared_facts(&OPPS, "team_defense_zone_analysis", wh, first, last, read_opp_defense)
}

fn cache_facts(wh: &Warehouse, first: Date, last: Date) -> Result<Arc<Facts<CacheFacts>>> {
    shared_facts(&CACHES, "player_daily_cache", wh, first, last, read_cache_facts)
}

fn read_shot_facts(wh: &Warehouse, first: Date, last: Date) -> Result<Facts<ShotFacts>> {
    read_by(
        wh,
        "SELECT player_id, analysis_date, primary_scoring_zone, paint_rate_last_10, mid_range_rate_last_10,
                three_pt_rate_last_10
         FROM player_shot_zone_analysis
         WHERE analysis_date BETWEEN ?1 AND ?2 AND paint_rate_last_10 IS NOT NULL",
        first,
        last,
        None,
        |r| {
            Ok(ShotFacts {
                zone: r.get(2)?,
                paint_rate: r.get(3)?,
                mid_rate: r.get(4)?,
                three_rate: r.get(5)?,
            })
        },
    )
}

fn read_opp_defense(wh: &Warehouse, first: Date, last: Date) -> Result<Facts<OppDefense>> {
    read_by(
        wh,
        "SELECT team_abbr, analysis_date, defensive_rating_last_15, opponent_pace, paint_defense_vs_league_avg,
                mid_range_defense_vs_league_avg, three_pt_defense_vs_league_avg
         FROM team_defense_zone_analysis WHERE analysis_date BETWEEN ?1 AND ?2",
        first,
        last,
        None,
        |r| Ok(OppDefense { def_rating: r.get(2)?, pace: r.get(3)?, vs_league: [r.get(4)?, r.get(5)?, r.get(6)?] }),
    )
}

fn read_cache_facts(wh: &Warehouse, first: Date, last: Date) -> Result<Facts<CacheFacts>> {
    read_by(
        wh,
        "SELECT player_id, cache_date, points_avg_last_5, points_avg_last_10, points_avg_season,
                points_std_last_10, games_in_last_7_days, team_pace_last_10, team_off_rating_last_10,
                player_usage_rate_season, team_abbr
         FROM player_daily_cache WHERE cache_date BETWEEN ?1 AND ?2",
        first,
        last,
        Some(10),
        |r| {
            Ok(CacheFacts {
                points_avg_last_5: r.get(2)?,
                points_avg_last_10: r.get(3)?,
                points_avg_season: r.get(4)?,
                points_std_last_10: r.get(5)?,
                games_in_last_7_days: r.get(6)?,
                team_pace_last_10: r.get(7)?,
                team_off_rating_last_10: r.get(8)?,
                player_usage_rate_season: r.get(9)?,
            })
        },
    )
}

/// The composite factors by `player_id game_id` ([`id_pair`](propcast_core::id_pair)) and date.
fn composite_facts(wh: &Warehouse, first: Date, last: Date) -> Result<Facts<CompositeFacts>> {
    read_by(
        wh,
        "SELECT player_id, game_date, fatigue_score, shot_zone_mismatch_score, pace_score, usage_spike_score,
                game_id
         FROM player_composite_factors WHERE game_date BETWEEN ?1 AND ?2",
        first,
        last,
        Some(6),
        |r| {
            Ok(CompositeFacts {
                fatigue_score: r.get(2)?,
                shot_zone_mismatch_score: r.get(3)?,
                pace_score: r.get(4)?,
                usage_spike_score: r.get(5)?,
            })
        },
    )
}

macro_rules! step {
    ($ty:ident, $version:literal, $table:expr, $inputs:expr, $checks:expr) => {
        impl Step for $ty {
            fn code_version(&self) -> &'static str {
                $version
            }
            fn pre_game(&self) -> bool {
                true
            }
            fn shares_history(&self) -> bool {
                true
            }
            fn phase(&self) -> u8 {
                4
            }
            fn inputs(&self) -> &'static [Input] {
                const INPUTS: &[Input] = $inputs;
                INPUTS
            }
            fn checks(&self) -> &'static [CheckSpec] {
                const CHECKS: &[CheckSpec] = $checks;
                CHECKS
            }
            fn output(&self) -> Output {
                Output::Table { table: &$table, scope: None }
            }
            fn compute(&self, wh: &Warehouse, dates: &[Date]) -> Result<Vec<(Date, PartitionData)>> {
                let Some((first, last, wanted)) = bounds(dates) else { return Ok(vec![]) };
                Ok(done(self.rows(wh, first, last, &wanted)?))
            }
        }
    };
}

const fn input(name: &'static str, window: Window, why: &'static str) -> Input {
    Input { name, window, why }
}

const UNIQUE: CheckSpec = CheckSpec { name: "unique_key", kind: CheckKind::UniqueKey };
const ROWS_VS_POPULATION: CheckSpec = CheckSpec {
    name: "rows_vs_population",
    kind: CheckKind::RowsVsExpected {
        sql: "SELECT count(*) FROM upcoming_player_game_context WHERE game_date = ?1",
    },
};

/// Builds `team_defense_zone_analysis`.
#[derive(Debug, Default, Clone, Copy)]
pub struct TeamDefenseZoneAnalysis;

step!(
    TeamDefenseZoneAnalysis,
    "team-defense-zone-1",
    schema::TEAM_DEFENSE_ZONE_ANALYSIS,
    &[
        input("schedule", Window::SameDate, "the teams playing on the date"),
        input("team_offense_game_summary", Window::AllBefore, "each team's earlier games"),
        input("team_defense_game_summary", Window::AllBefore, "the zones and ratings each team allowed"),
    ],
    &[
        UNIQUE,
        CheckSpec {
            name: "rows_vs_teams",
            kind: CheckKind::RowsVsExpected { sql: "SELECT 2 * count(*) FROM schedule WHERE game_date = ?1" },
        },
        CheckSpec { name: "def_rating_range", kind: CheckKind::Range { column: "defensive_rating_last_15" } },
        CheckSpec { name: "paint_pct_range", kind: CheckKind::Range { column: "paint_pct_allowed_last_15" } },
    ]
);

impl TeamDefenseZoneAnalysis {
    fn rows(&self, wh: &Warehouse, first: Date, last: Date, wanted: &HashSet<Date>) -> Result<Rows> {
        let cal = calendar(wh, first, last)?;
        let history = History::shared(wh, first, last)?;
        let mut stmt = wh.conn().prepare(
            "SELECT game_date, home_abbr, away_abbr FROM schedule WHERE game_date BETWEEN ?1 AND ?2 ORDER BY 1, 2",
        )?;
        let mut teams: BTreeMap<Date, Vec<String>> = BTreeMap::new();
        let mut q = stmt.query([first.to_string(), last.to_string()])?;
        while let Some(r) = q.next()? {
            let d = parse(&r.get::<_, String>(0)?)?;
            if wanted.contains(&d) {
                teams.entry(d).or_default().extend([r.get(1)?, r.get(2)?]);
            }
        }
        let mut out = Rows::new();
        for (d, ts) in teams {
            let Some((season, year, day)) = cal.get(&d) else { continue };
            let league = LeagueZones::on(&history, d);
            for t in ts {
                let a = TeamDefenseZone::analyze(history.team_before(&t, d), *year, *day, league);
                out.entry(d).or_default().push(a.row(&t, d, season));
            }
        }
        Ok(out)
    }
}

/// Builds `player_shot_zone_analysis`.
#[derive(Debug, Default, Clone, Copy)]
pub struct PlayerShotZoneAnalysis;

step!(
    PlayerShotZoneAnalysis,
    "shot-zone-1",
    schema::PLAYER_SHOT_ZONE_ANALYSIS,
    &[
        input("upcoming_player_game_context", Window::SameDate, "the pre-game population"),
        input("player_game_summary", Window::AllBefore, "each player's earlier games and zones"),
    ],
    &[
        UNIQUE,
        CheckSpec { name: "paint_rate_range", kind: CheckKind::Range { column: "paint_rate_last_10" } },
        CheckSpec { name: "paint_pct_range", kind: CheckKind::Range { column: "paint_pct_last_10" } },
    ]
);

impl PlayerShotZoneAnalysis {
    fn rows(&self, wh: &Warehouse, first: Date, last: Date, wanted: &HashSet<Date>) -> Result<Rows> {
        let pop = population(wh, first, last, wanted)?;
        let history = History::shared(wh, first, last)?;
        let mut out = Rows::new();
        let mut seen = HashSet::default();
        for c in pop.iter().filter(|c| seen.insert((c.player_id.as_str(), c.date))) {
            if let Some(s) =
                PlayerShotZone::analyze(history.player_before(&c.player_id, c.date), c.season_year, c.day)
            {
                out.entry(c.date).or_default().push(s.row(&c.player_id, c.date, &c.season));
            }
        }
        Ok(out)
    }
}

/// Builds `player_daily_cache`.
#[derive(Debug, Default, Clone, Copy)]
pub struct PlayerDailyCache;

step!(
    PlayerDailyCache,
    "daily-cache-1",
    schema::PLAYER_DAILY_CACHE,
    &[
        input("upcoming_player_game_context", Window::SameDate, "the population and its workload"),
        input("player_shot_zone_analysis", Window::SameDate, "the primary zone and rates"),
        input("player_game_summary", Window::AllBefore, "each player's earlier games"),
        input("team_offense_game_summary", Window::AllBefore, "each team's earlier pace and rating"),
        input("team_defense_game_summary", Window::AllBefore, "(joined with the offense)"),
    ],
    &[
        UNIQUE,
        CheckSpec { name: "l10_range", kind: CheckKind::Range { column: "points_avg_last_10" } },
        CheckSpec { name: "ts_range", kind: CheckKind::Range { column: "ts_pct_last_10" } },
    ]
);

impl PlayerDailyCache {
    fn rows(&self, wh: &Warehouse, first: Date, last: Date, wanted: &HashSet<Date>) -> Result<Rows> {
        let pop = population(wh, first, last, wanted)?;
        let history = History::shared(wh, first, last)?;
        let shots = shot_facts(wh, first, last)?;
        let mut out = Rows::new();
        for c in pop.iter() {
            let h = history.player_before(&c.player_id, c.date);
            let team = history.team_before(&c.team, c.date);
            if let Some(dc) = DailyCache::summarize(h, team, c.season_year, c.workload) {
                let shot = shots.get(&c.player_id, c.date);
                out.entry(c.date).or_default().push(dc.row(&c.player_id, c.date, &c.season, &c.team, shot));
            }
        }
        Ok(out)
    }
}

/// Builds `player_composite_factors`.
#[derive(Debug, Default, Clone, Copy)]
pub struct PlayerCompositeFactors;

step!(
    PlayerCompositeFactors,
    "composite-2",
    schema::PLAYER_COMPOSITE_FACTORS,
    &[
        input("upcoming_player_game_context", Window::SameDate, "rest, workload, usage, stars out"),
        input("upcoming_team_game_context", Window::SameDate, "the pace differential"),
        input("player_shot_zone_analysis", Window::SameDate, "the player's primary zone"),
        input("team_defense_zone_analysis", Window::SameDate, "the opponent's zone defense"),
        input("player_daily_cache", Window::SameDate, "the player's season usage"),
    ],
    &[
        UNIQUE,
        ROWS_VS_POPULATION,
        CheckSpec { name: "fatigue_range", kind: CheckKind::Range { column: "fatigue_score" } },
        CheckSpec { name: "total_range", kind: CheckKind::Range { column: "total_composite_adjustment" } },
    ]
);

impl PlayerCompositeFactors {
    fn rows(&self, wh: &Warehouse, first: Date, last: Date, wanted: &HashSet<Date>) -> Result<Rows> {
        let pop = population(wh, first, last, wanted)?;
        let (shots, opps, caches) =
            (shot_facts(wh, first, last)?, opp_defense(wh, first, last)?, cache_facts(wh, first, last)?);
        let mut out = Rows::new();
        let mut buf = String::new();
        for c in pop.iter() {
            let usage = caches
                .get(id_pair_in(&mut buf, &c.player_id, &c.team), c.date)
                .and_then(|f| f.player_usage_rate_season);
            let i = c.composite_inputs(
                usage,
                shots.get(&c.player_id, c.date).cloned(),
                opps.get(&c.opp, c.date).copied(),
            );
            out.entry(c.date).or_default().push(CompositeFactors::compute(&i).row(
                &c.player_id,
                &c.game_id,
                c.date,
            ));
        }
        Ok(out)
    }
}

/// Builds `ml_feature_store`.
#[derive(Debug, Default, Clone, Copy)]
pub struct MlFeatureStore;

step!(
    MlFeatureStore,
    "feature-store-2",
    schema::ML_FEATURE_STORE,
    &[
        input(
            "upcoming_player_game_context",
            Window::SameDate,
            "the population, rest, status and pre-tip lines"
        ),
        input(
            "upcoming_player_game_context",
            Window::AllBefore,
            "earlier lines and how the player did against them"
        ),
        input("upcoming_team_game_context", Window::SameDate, "opponent rest and pace"),
        input("schedule", Window::SameDate, "the season type"),
        input("player_daily_cache", Window::SameDate, "scoring and team form"),
        input("player_composite_factors", Window::SameDate, "the four factors"),
        input("player_shot_zone_analysis", Window::SameDate, "zone rates"),
        input("team_defense_zone_analysis", Window::SameDate, "the opponent's defense"),
        input("player_game_summary", Window::AllBefore, "each player's earlier games"),
        input("team_offense_game_summary", Window::AllBefore, "each team's earlier games"),
        input("team_defense_game_summary", Window::AllBefore, "(joined with the offense)"),
    ],
    &[
        UNIQUE,
        ROWS_VS_POPULATION,
        CheckSpec {
            name: "l10_not_null",
            kind: CheckKind::NotNull { column: "points_avg_last_10", skip_if: None },
        },
        CheckSpec { name: "l10_range", kind: CheckKind::Range { column: "points_avg_last_10" } },
        CheckSpec { name: "fatigue_range", kind: CheckKind::Range { column: "fatigue_score" } },
        CheckSpec { name: "pct_paint_range", kind: CheckKind::Range { column: "pct_paint" } },
        CheckSpec { name: "quality_range", kind: CheckKind::Range { column: "feature_quality_score" } },
    ]
);

impl MlFeatureStore {
    fn rows(&self, wh: &Warehouse, first: Date, last: Date, wanted: &HashSet<Date>) -> Result<Rows> {
        let pop = population(wh, first, last, wanted)?;
        let history = History::shared(wh, first, last)?;
        let lines = shared_lines(wh, first, last)?;
        let (shots, opps) = (shot_facts(wh, first, last)?, opp_defense(wh, first, last)?);
        let (caches, composites) = (cache_facts(wh, first, last)?, composite_facts(wh, first, last)?);
        let mut out_by_game: HashMap<(&str, &str), Vec<&str>> = HashMap::default();
        for c in pop.iter().filter(|c| c.status == "out") {
            out_by_game.entry((&c.game_id, &c.team)).or_default().push(&c.player_id);
        }
        let mut out = Rows::new();
        let mut buf = String::new();
        for c in pop.iter() {
            let p4 = Phase4 {
                cache: caches.get(id_pair_in(&mut buf, &c.player_id, &c.team), c.date).copied(),
                // By game: a player listed in two games of a date (a trade) has a composite for each.
                composite: composites.get(id_pair_in(&mut buf, &c.player_id, &c.game_id), c.date).copied(),
                zones: shots.get(&c.player_id, c.date).map(|s| (s.paint_rate, s.mid_rate, s.three_rate)),
                opp: opps.get(&c.opp, c.date).copied(),
            };
            let teammates_out = out_by_game
                .get(&(c.game_id.as_str(), c.team.as_str()))
                .map(|v| {
                    v.iter()
                        .filter(|p| **p != c.player_id)
                        .map(|p| history.player_before(p, c.date))
                        .collect()
                })
                .unwrap_or_default();
            let inputs = FeatureInputs {
                ctx: c,
                p4: &p4,
                history: history.player_before(&c.player_id, c.date),
                team: history.team_before(&c.team, c.date),
                lines: lines.get(&c.player_id).map(Vec::as_slice).unwrap_or(&[]),
                teammates_out,
            };
            out.entry(c.date).or_default().push(build(&inputs).row(c));
        }
        Ok(out)
    }
}
