//! The feature vector: one pure function from a row's inputs to every contract feature with
//! its source tag. The feature store step and the on-the-fly path both call [`build`]; they
//! differ only in where the phase-4 values come from (the stored tables, or computed in
//! memory from phase-3 tables), which the train-equals-serve test compares.

use crate::composite::{CompositeFacts, CompositeInputs, OppDefense, ShotFacts};
use crate::daily_cache::{scoring, team_form, CacheFacts, Workload};
use crate::history::{PlayerGame, TeamCode, TeamGame};
use crate::util::{last, opt_real, parse, text, Day};
use propcast_core::features::{Quality, Tag, CONTRACT_VERSION, F, FEATURES, FEATURE_COUNT};
use propcast_core::stats::{count_and_mean, mean_of, sample_std, sample_std_of, slope_of};
use propcast_core::{date_text, schema, Date};
use propcast_store::{slot, text_at, Query, Result, Value, Warehouse};
use rustc_hash::FxHashMap as HashMap;

/// One row of the pre-game population with what the context tables know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextRow {
    /// Game.
    pub game_id: String,
    /// Player.
    pub player_id: String,
    /// Date.
    pub date: Date,
    /// Season, `2024-25`.
    pub season: String,
    /// Season start year.
    pub season_year: i64,
    /// Day of the season.
    pub day: Day,
    /// Team.
    pub team: String,
    /// Opponent.
    pub opp: String,
    /// At home.
    pub home: bool,
    /// A playoff game.
    pub playoff: bool,
    /// `available` or `out`.
    pub status: String,
    /// Days since the previous game.
    pub days_rest: Option<i64>,
    /// Played yesterday.
    pub back_to_back: bool,
    /// Recent workload.
    pub workload: Workload,
    /// Mean usage of the last 7 games.
    pub usage_last_7: Option<f64>,
    /// Star teammates out.
    pub star_teammates_out: i64,
    /// Consensus latest pre-tip line.
    pub line: Option<f64>,
    /// Consensus opening pre-tip line.
    pub opening_line: Option<f64>,
    /// Per book JSON.
    pub lines_by_book: Option<String>,
    /// Streaks against today's line.
    pub streaks: (i64, i64),
    /// The opponent's days of rest.
    pub opp_days_rest: Option<i64>,
    /// Team pace − opponent pace, last 10.
    pub pace_differential: Option<f64>,
}

/// The recent window, days: lines are loaded this far back and the 60-day features look
/// this far back.
const RECENT_DAYS: i64 = 60;

const CONTEXT_SQL: &str = "SELECT game_id, player_id, game_date, season, team_abbr, opponent_team_abbr,
        home_game, pre_game_status, days_rest, back_to_back, games_in_last_7_days,
        games_in_last_14_days, minutes_in_last_7_days, minutes_in_last_14_days,
        back_to_backs_last_14_days, avg_usage_rate_last_7_games, star_teammates_out,
        current_points_line, opening_points_line, lines_by_book, prop_over_streak,
        prop_under_streak
    FROM upcoming_player_game_context";

impl ContextRow {
    /// Loads the context rows matching `filter` (a condition on `game_date` or `game_id`,
    /// unqualified: the same condition selects the schedule's and team context's rows),
    /// ordered by date, game and player, with the schedule's season type, the calendar's
    /// season year and day, and the team context's rest and pace (a row without a schedule
    /// or calendar entry is left out, one without a team context row has those missing).
    /// Those three come from lookups read here for the same condition: joined in SQL they
    /// cost six B-tree seeks a row, more than the row itself.
    pub fn load(wh: &Warehouse, filter: &str, params: &[&str]) -> Result<Vec<ContextRow>> {
        let mut playoff: HashMap<String, bool> = HashMap::default();
        let mut stmt =
            wh.conn().prepare_cached(&format!("SELECT game_id, season_type FROM schedule WHERE {filter}"))?;
        let mut q = stmt.query(propcast_store::params_from_iter(params))?;
        while let Some(r) = q.next()? {
            playoff.insert(r.get(0)?, text_at(r, 1)? == "Playoffs");
        }
        // The calendar of the rows' dates only, looked up once per date (the serving path
        // loads one game at a time; reading every date of every season for it was waste).
        let mut calendar: HashMap<String, Option<(i64, i64)>> = HashMap::default();
        let mut day_stmt = wh
            .conn()
            .prepare_cached("SELECT season_year, day_of_season FROM game_dates WHERE game_date = ?1")?;
        let mut teams: HashMap<(String, String), (Option<i64>, Option<f64>)> = HashMap::default();
        let mut stmt = wh.conn().prepare_cached(&format!(
            "SELECT game_id, team_abbr, opponent_days_rest, pace_differential
             FROM upcoming_team_game_context WHERE {filter}"
        ))?;
        let mut q = stmt.query(propcast_store::params_from_iter(params))?;
        while let Some(r) = q.next()? {
            teams.insert((r.get(0)?, r.get(1)?), (r.get(2)?, r.get(3)?));
        }
        // Date order only, which the date index gives: within a date the engine writes a
        // partition's rows at once in key order, so they come back in that order, checked
        // below (SQLite sorting every row within its date was an eighth of this load).
        let sql = format!("{CONTEXT_SQL} WHERE {filter} ORDER BY game_date");
        // Sized up front: grown by doubling, a whole run's rows (≈ 300k of ~300 bytes) were
        // copied and their fresh pages faulted in several times over.
        let n: i64 = wh
            .conn()
            .prepare_cached(&format!("SELECT count(*) FROM upcoming_player_game_context WHERE {filter}"))?
            .query_row(propcast_store::params_from_iter(params), |r| r.get(0))?;
        let mut q = Query::new(wh.conn(), &sql, params)?;
        let mut out = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
        let mut key = (String::new(), String::new());
        while let Some(r) = q.next()? {
            let (game_id, date): (&str, &str) = (r.get(0)?, r.get(2)?);
            if !calendar.contains_key(date) {
                let day = match day_stmt.query_row([date], |d| Ok((d.get(0)?, d.get(1)?))) {
                    Ok(v) => Some(v),
                    Err(propcast_store::SqliteError::QueryReturnedNoRows) => None,
                    Err(e) => return Err(e.into()),
                };
                calendar.insert(date.to_string(), day);
            }
            let (Some(playoff), Some(Some((season_year, day)))) = (playoff.get(game_id), calendar.get(date))
            else {
                continue;
            };
            key.0.clear();
            key.0.push_str(game_id);
            key.1.clear();
            key.1.push_str(r.get(4)?);
            let (opp_days_rest, pace_differential) = teams.get(&key).copied().unwrap_or_default();
            out.push(ContextRow {
                game_id: game_id.to_string(),
                player_id: r.get(1)?,
                date: parse(date)?,
                season: r.get(3)?,
                season_year: *season_year,
                day: Day(*day),
                team: key.1.clone(),
                opp: r.get(5)?,
                home: r.get::<i64>(6)? == 1,
                playoff: *playoff,
                status: r.get(7)?,
                days_rest: r.get(8)?,
                back_to_back: r.get::<i64>(9)? == 1,
                workload: Workload {
                    games_7: r.get(10)?,
                    games_14: r.get(11)?,
                    minutes_7: r.get(12)?,
                    minutes_14: r.get(13)?,
                    b2b_14: r.get(14)?,
                },
                usage_last_7: r.get(15)?,
                star_teammates_out: r.get(16)?,
                line: r.get(17)?,
                opening_line: r.get(18)?,
                lines_by_book: r.get(19)?,
                streaks: (r.get(20)?, r.get(21)?),
                opp_days_rest,
                pace_differential,
            });
        }
        fn order(c: &ContextRow) -> (Date, &str, &str) {
            (c.date, &c.game_id, &c.player_id)
        }
        if !out.is_sorted_by(|a, b| order(a) <= order(b)) {
            out.sort_by(|a, b| order(a).cmp(&order(b)));
        }
        Ok(out)
    }

    /// The composite inputs of this row.
    pub(crate) fn composite_inputs(
        &self,
        usage_season: Option<f64>,
        shot: Option<ShotFacts>,
        opp: Option<OppDefense>,
    ) -> CompositeInputs {
        CompositeInputs {
            days_rest: self.days_rest,
            back_to_back: self.back_to_back,
            workload: self.workload,
            star_teammates_out: self.star_teammates_out,
            usage_last_7: self.usage_last_7,
            usage_season,
            pace_differential: self.pace_differential,
            shot,
            opp,
        }
    }
}

/// An earlier game of the player with a pre-tip line: the line and what he scored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinePoint {
    /// Date.
    pub date: Date,
    /// Consensus pre-tip line.
    pub line: f64,
    /// Points, if he played.
    pub points: Option<f64>,
}

/// Earlier lined games per player, dated in `[first − RECENT_DAYS, last)` (60 days), ascending.
pub fn line_history(
    wh: &Warehouse,
    first: Date,
    last: Date,
    player: Option<&str>,
) -> Result<std::collections::HashMap<String, Vec<LinePoint>>> {
    let from = (first - chrono::Duration::days(RECENT_DAYS)).to_string();
    let sql = format!(
        "SELECT player_id, game_date, current_points_line, outcome_played, outcome_points
         FROM upcoming_player_game_context
         WHERE game_date >= ?1 AND game_date < ?2 AND current_points_line IS NOT NULL{}
         ORDER BY game_date",
        if player.is_some() { " AND player_id = ?3" } else { "" }
    );
    let last = last.to_string();
    let params: Vec<&str> = [from.as_str(), last.as_str()].into_iter().chain(player).collect();
    let mut q = Query::new(wh.conn(), &sql, &params)?;
    let mut out: std::collections::HashMap<String, Vec<LinePoint>> = Default::default();
    while let Some(r) = q.next()? {
        let played = r.get::<Option<i64>>(3)? == Some(1);
        let point = LinePoint {
            date: parse(r.get(1)?)?,
            line: r.get(2)?,
            points: if played { r.get::<Option<f64>>(4)? } else { None },
        };
        slot(&mut out, r.get(0)?).push(point);
    }
    Ok(out)
}

/// The phase-4 values of a row, from the stored tables or computed in memory.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Phase4 {
    /// The daily cache row (3+ games).
    pub cache: Option<CacheFacts>,
    /// The composite factors.
    pub composite: Option<CompositeFacts>,
    /// The player's zone rates over his last 10 games (paint, mid, three; percent).
    pub zones: Option<(f64, f64, f64)>,
    /// The opponent's defense.
    pub opp: Option<OppDefense>,
}

/// Everything a feature row is computed from.
#[derive(Debug)]
pub struct FeatureInputs<'a> {
    /// The context row.
    pub ctx: &'a ContextRow,
    /// Phase-4 values.
    pub p4: &'a Phase4,
    /// The player's rows before the date (lookback).
    pub history: &'a [PlayerGame],
    /// His team's games before the date.
    pub team: &'a [TeamGame],
    /// His earlier lined games (any date before this one; windows applied here).
    pub lines: &'a [LinePoint],
    /// The histories of teammates listed out for this game.
    pub teammates_out: Vec<&'a [PlayerGame]>,
}

/// One feature row.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureRow {
    /// Values in contract order; `None` is missing.
    pub values: Vec<Option<f64>>,
    /// Source tags in contract order.
    pub tags: Vec<Tag>,
}

impl FeatureRow {
    fn new() -> FeatureRow {
        FeatureRow { values: vec![None; FEATURE_COUNT], tags: vec![Tag::Missing; FEATURE_COUNT] }
    }

    fn set(&mut self, f: F, v: Option<f64>, tag: Tag) {
        let v = v.filter(|x| x.is_finite());
        self.tags[f as usize] = if v.is_some() { tag } else { Tag::Missing };
        self.values[f as usize] = v;
    }

    /// The value of a feature.
    pub fn get(&self, f: F) -> Option<f64> {
        self.values[f as usize]
    }

    /// The row's quality.
    pub fn quality(&self) -> Quality {
        Quality::score(&self.tags)
    }

    /// The `feature_sources` codes.
    pub fn source_codes(&self) -> String {
        let mut s = String::with_capacity(self.tags.len());
        s.extend(self.tags.iter().map(|t| t.code()));
        s
    }

    /// The `ml_feature_store` row.
    pub fn row(&self, ctx: &ContextRow) -> Vec<Value> {
        let mut r = Vec::with_capacity(schema::ML_FEATURE_STORE.columns.len());
        r.extend([
            text(&ctx.player_id),
            text(&ctx.game_id),
            text(date_text(ctx.date)),
            text(&ctx.season),
            text(&ctx.team),
            text(&ctx.opp),
            text(&ctx.status),
            text(CONTRACT_VERSION),
        ]);
        r.extend(self.values.iter().map(|v| opt_real(*v)));
        let q = self.quality();
        r.push(text(self.source_codes()));
        r.push(Value::Integer(q.present as i64));
        r.push(Value::Integer(q.required_missing as i64));
        r.push(Value::Real(q.score));
        r.push(text(q.tier.as_str()));
        r.extend(q.categories.iter().map(|(_, v)| Value::Real(*v)));
        r.push(Value::Integer(q.is_training_ready.into()));
        r.push(Value::Integer(q.is_quality_ready.into()));
        r.push(Value::Integer(ctx.day.early().into()));
        r
    }
}

fn bucket(x: f64, small: f64, large: f64) -> f64 {
    if x >= large {
        2.0
    } else if x >= small {
        1.0
    } else if x <= -large {
        -2.0
    } else if x <= -small {
        -1.0
    } else {
        0.0
    }
}

fn book_std(json: Option<&str>) -> Option<f64> {
    let v: serde_json::Value = serde_json::from_str(json?).ok()?;
    let latest: Vec<f64> = v
        .as_object()?
        .iter()
        .filter(|(book, _)| !book.eq_ignore_ascii_case("bovada"))
        .filter_map(|(_, l)| l.get("latest")?.as_f64())
        .collect();
    sample_std(&latest)
}

/// The games of a season in a date-ordered window of games played: a suffix, since every
/// game before the date of a row in season `year` is of that season or an earlier one.
pub(crate) fn season_suffix<'g>(played: &'g [&'g PlayerGame], year: i64) -> &'g [&'g PlayerGame] {
    &played[played.partition_point(|g| g.season_year < year)..]
}

/// The points of a window of games.
fn pts<'a>(w: &'a [&'a PlayerGame]) -> impl Iterator<Item = f64> + Clone + 'a {
    w.iter().map(|g| g.points)
}

/// The minutes of a window of games.
fn mins<'a>(w: &'a [&'a PlayerGame]) -> impl Iterator<Item = f64> + Clone + 'a {
    w.iter().map(|g| g.minutes)
}

/// Computes every feature of one row.
pub fn build(i: &FeatureInputs<'_>) -> FeatureRow {
    use F::*;
    let (ctx, p4) = (i.ctx, i.p4);
    let d = ctx.date;
    let mut r = FeatureRow::new();
    // Windows are slices of one vector of the games played (the history is in date order,
    // so a season or the last 60 days is a suffix), and statistics are taken over iterators:
    // this runs once per row, and collecting each window cost a dozen allocations a row.
    let mut played: Vec<&PlayerGame> = Vec::with_capacity(i.history.len());
    played.extend(i.history.iter().filter(|g| g.played()));
    let season = season_suffix(&played, ctx.season_year);
    let l10 = last(&played, 10);

    // Player scoring: the daily cache, else computed from phase 3.
    match &p4.cache {
        Some(c) => {
            r.set(points_avg_last_5, Some(c.points_avg_last_5), Tag::Phase4);
            r.set(points_avg_last_10, Some(c.points_avg_last_10), Tag::Phase4);
            r.set(points_avg_season, c.points_avg_season, Tag::Phase4);
            r.set(points_std_last_10, c.points_std_last_10, Tag::Phase4);
            r.set(games_in_last_7_days, Some(c.games_in_last_7_days as f64), Tag::Phase4);
            r.set(team_pace, c.team_pace_last_10, Tag::Phase4);
            r.set(team_off_rating, c.team_off_rating_last_10, Tag::Phase4);
        }
        None => {
            let (l5, l10m, s, std) = scoring(&played, ctx.season_year);
            r.set(points_avg_last_5, l5, Tag::Phase3);
            r.set(points_avg_last_10, l10m, Tag::Phase3);
            r.set(points_avg_season, s, Tag::Phase3);
            r.set(points_std_last_10, std, Tag::Phase3);
            r.set(games_in_last_7_days, Some(ctx.workload.games_7 as f64), Tag::Phase3);
            let (pace, ortg) = team_form(i.team);
            r.set(team_pace, pace, Tag::Phase3);
            r.set(team_off_rating, ortg, Tag::Phase3);
        }
    }
    let c = p4.composite.unwrap_or_default();
    r.set(fatigue_score, c.fatigue_score, Tag::Phase4);
    r.set(shot_zone_mismatch_score, c.shot_zone_mismatch_score, Tag::Phase4);
    r.set(pace_score, c.pace_score, Tag::Phase4);
    r.set(usage_spike_score, c.usage_spike_score, Tag::Phase4);

    let rest = ctx.days_rest.zip(ctx.opp_days_rest).map(|(a, b)| ((a - b) as f64).clamp(-2.0, 2.0));
    r.set(rest_advantage, rest, Tag::Calculated);
    r.set(injury_risk, Some(if ctx.status == "out" { 3.0 } else { 0.0 }), Tag::Phase3);
    let trend = (played.len() >= 5).then(|| {
        let w = last(&played, 5);
        mean_of(pts(&w[3..])).unwrap_or(0.0) - mean_of(pts(&w[..3])).unwrap_or(0.0)
    });
    r.set(recent_trend, trend.map(|x| bucket(x, 2.0, 5.0)), Tag::Calculated);
    let season_min = mean_of(mins(season));
    let change = mean_of(mins(l10)).zip(season_min).filter(|(_, s)| *s > 0.0).map(|(a, s)| (a - s) / s);
    r.set(minutes_change, change.map(|x| bucket(x, 0.10, 0.20)), Tag::Calculated);
    let opp = p4.opp.unwrap_or_default();
    r.set(opponent_def_rating, opp.def_rating, Tag::Phase4);
    r.set(opponent_pace, opp.pace, Tag::Phase4);
    r.set(home_away, Some(if ctx.home { 1.0 } else { 0.0 }), Tag::Phase3);
    r.set(back_to_back, Some(if ctx.back_to_back { 1.0 } else { 0.0 }), Tag::Phase3);
    r.set(playoff_game, Some(if ctx.playoff { 1.0 } else { 0.0 }), Tag::Phase3);
    r.set(pct_paint, p4.zones.map(|z| z.0 / 100.0), Tag::Phase4);
    r.set(pct_mid_range, p4.zones.map(|z| z.1 / 100.0), Tag::Phase4);
    r.set(pct_three, p4.zones.map(|z| z.2 / 100.0), Tag::Phase4);
    let ft = (l10.len() >= 5).then(|| {
        let (ftm, p) = l10.iter().fold((0.0, 0.0), |(f, p), g| (f + g.ftm, p + g.points));
        (p > 0.0).then(|| (ftm / p).clamp(0.0, 0.5))
    });
    r.set(pct_free_throw, ft.flatten(), Tag::Calculated);
    let team_season = &i.team[i.team.partition_point(|g| g.season_year < ctx.season_year)..];
    let win = (team_season.len() >= 5)
        .then(|| team_season.iter().filter(|g| g.win).count() as f64 / team_season.len() as f64);
    r.set(team_win_pct, win, Tag::Calculated);

    // Lines (pre-tip snapshots only: the context keeps nothing else).
    r.set(vegas_points_line, ctx.line, Tag::Vegas);
    r.set(vegas_opening_line, ctx.opening_line, Tag::Vegas);
    r.set(vegas_line_move, ctx.line.zip(ctx.opening_line).map(|(c, o)| c - o), Tag::Vegas);
    r.set(has_vegas_line, Some(if ctx.line.is_some() { 1.0 } else { 0.0 }), Tag::Vegas);

    let opp_code = TeamCode::of(&ctx.opp);
    let (n_vs, mean_vs) = count_and_mean(played.iter().filter(|g| g.opp == opp_code).map(|g| g.points));
    r.set(avg_points_vs_opponent, (n_vs > 0).then_some(mean_vs), Tag::Calculated);
    r.set(games_vs_opponent, Some(n_vs as f64), Tag::Calculated);
    r.set(minutes_avg_last_10, mean_of(mins(l10)), Tag::Calculated);
    r.set(ppm_avg_last_10, mean_of(l10.iter().map(|g| g.points / g.minutes)), Tag::Calculated);
    let rows10 = last(i.history, 10);
    let dnp = (rows10.len() >= 3)
        .then(|| rows10.iter().filter(|g| !g.played()).count() as f64 / rows10.len() as f64);
    r.set(dnp_rate, dnp, Tag::Calculated);
    r.set(pts_slope_10g, (l10.len() >= 5).then(|| slope_of(pts(l10))).flatten(), Tag::Calculated);
    let (l5, s, std) = (r.get(points_avg_last_5), r.get(points_avg_season), r.get(points_std_last_10));
    let z = l5.zip(s).zip(std.filter(|x| *x > 0.0)).map(|((a, s), sd)| ((a - s) / sd).clamp(-3.0, 3.0));
    r.set(pts_vs_season_zscore, z, Tag::Calculated);
    let breakout = l5.zip(s).zip(std).map(|((a, s), sd)| if a > s + 1.5 * sd { 1.0 } else { 0.0 });
    r.set(breakout_flag, breakout, Tag::Calculated);
    r.set(star_teammates_out, Some(ctx.star_teammates_out as f64), Tag::Phase3);
    r.set(days_rest, ctx.days_rest.map(|x| x as f64), Tag::Phase3);
    r.set(minutes_load_last_7d, Some(ctx.workload.minutes_7), Tag::Phase3);

    // The 60-day window.
    let since60 = d - chrono::Duration::days(RECENT_DAYS);
    let w60 = &played[played.partition_point(|g| g.date < since60)..];
    let avg60 = mean_of(pts(w60));
    let l3 = mean_of(pts(last(w60, 3)));
    r.set(points_avg_last_3, l3, Tag::Calculated);
    let l7 = last(w60, 7);
    r.set(scoring_trend_slope, (l7.len() >= 4).then(|| slope_of(pts(l7))).flatten(), Tag::Calculated);
    let dev = l3.zip(avg60).zip(sample_std_of(pts(w60)).filter(|s| *s > 0.0)).map(|((a, m), s)| (a - m) / s);
    r.set(deviation_from_avg_last3, dev, Tag::Calculated);
    let below = avg60.map(|m| w60.iter().rev().take_while(|g| g.points < m).count() as f64);
    r.set(consecutive_games_below_avg, below, Tag::Calculated);
    let since30 = d - chrono::Duration::days(30);
    let freed: f64 = i
        .teammates_out
        .iter()
        .filter_map(|h| {
            mean_of(
                h.iter()
                    .filter(|g| g.played() && g.date >= since30 && g.minutes > 10.0)
                    .filter_map(|g| g.usage),
            )
        })
        .sum();
    r.set(teammate_usage_available, Some(freed), Tag::Calculated);
    let (n_u5, u5) = count_and_mean(last(&played, 5).iter().filter_map(|g| g.usage));
    r.set(usage_rate_last_5, (n_u5 >= 3).then_some(u5), Tag::Calculated);
    let mut since_change = 0.0;
    let team_code = TeamCode::of(&ctx.team);
    let mut next = d;
    for g in played.iter().rev() {
        if g.team != team_code || (next - g.date).num_days() > 14 || since_change >= 30.0 {
            break;
        }
        since_change += 1.0;
        next = g.date;
    }
    r.set(games_since_structural_change, Some(since_change), Tag::Calculated);
    r.set(multi_book_line_std, book_std(ctx.lines_by_book.as_deref()), Tag::Vegas);
    r.set(prop_over_streak, ctx.line.map(|_| ctx.streaks.0 as f64), Tag::Vegas);
    r.set(prop_under_streak, ctx.line.map(|_| ctx.streaks.1 as f64), Tag::Vegas);
    r.set(line_vs_season_avg, ctx.line.zip(s).map(|(l, s)| l - s), Tag::Vegas);
    let earlier = &i.lines[..i.lines.partition_point(|l| l.date < d)];
    let since14 = d - chrono::Duration::days(14);
    let prev = earlier.last().filter(|l| l.date >= since14).map(|l| l.line);
    r.set(prop_line_delta, ctx.line.zip(prev).map(|(a, b)| a - b), Tag::Vegas);
    let graded: Vec<(f64, f64)> =
        earlier.iter().filter(|l| l.date >= since60).filter_map(|l| l.points.map(|p| (p, l.line))).collect();
    let g10 = last(&graded, 10);
    let over = (g10.len() >= 5).then(|| g10.iter().filter(|(p, l)| p > l).count() as f64 / g10.len() as f64);
    r.set(over_rate_last_10, over, Tag::Vegas);
    let g5 = last(&graded, 5);
    r.set(
        margin_vs_line_avg_last_5,
        (g5.len() >= 3).then(|| mean_of(g5.iter().map(|(p, l)| p - l))).flatten(),
        Tag::Vegas,
    );
    let t10 = last(&i.team[i.team.partition_point(|g| g.date < since60)..], 10);
    let blowout = (!t10.is_empty())
        .then(|| t10.iter().filter(|g| g.margin.abs() >= 15.0).count() as f64 / t10.len() as f64);
    r.set(blowout_minutes_risk, blowout, Tag::Calculated);
    r.set(minutes_volatility_last_10, sample_std_of(mins(l10)), Tag::Calculated);
    let mismatch = r.get(team_pace).zip(r.get(opponent_pace)).map(|(a, b)| a - b);
    r.set(opponent_pace_mismatch, mismatch, Tag::Calculated);
    debug_assert_eq!(r.values.len(), FEATURES.len());
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use propcast_core::schema::{ColType, TableDef};

    /// A row of `t` with `set`'s values and placeholders in the other required columns.
    fn row(t: &TableDef, set: &[(&str, Value)]) -> Vec<Value> {
        t.columns
            .iter()
            .map(|c| match set.iter().find(|(n, _)| *n == c.name) {
                Some((_, v)) => v.clone(),
                None if c.nullable => Value::Null,
                None => match c.ty {
                    ColType::Text => Value::Text("x".into()),
                    ColType::Int => Value::Integer(0),
                    ColType::Real => Value::Real(0.0),
                },
            })
            .collect()
    }

    #[test]
    fn context_rows_come_in_date_game_player_order_however_they_were_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut wh = Warehouse::open(&dir.path().join("w.sqlite")).expect("open");
        let text = |s: &str| Value::Text(s.into());
        let tx = wh.transaction().expect("tx");
        let games = [
            ("2024-11-02", "20241102_BOS_NYK"),
            ("2024-11-01", "20241101_LAL_PHX"),
            ("2024-11-01", "20241101_ATL_MIA"),
        ];
        for (date, game) in games {
            let sched = row(
                &schema::SCHEDULE,
                &[
                    ("game_id", text(game)),
                    ("game_date", text(date)),
                    ("season_type", text("Regular Season")),
                ],
            );
            propcast_store::insert_rows(&tx, &schema::SCHEDULE, [sched.as_slice()]).expect("schedule");
            // Players written against key order, as a partition rewritten by hand could be.
            for player in ["zz", "aa", "mm"] {
                let ctx = row(
                    &schema::UPCOMING_PLAYER_GAME_CONTEXT,
                    &[("game_id", text(game)), ("game_date", text(date)), ("player_id", text(player))],
                );
                propcast_store::insert_rows(&tx, &schema::UPCOMING_PLAYER_GAME_CONTEXT, [ctx.as_slice()])
                    .expect("context");
            }
        }
        for date in ["2024-11-01", "2024-11-02"] {
            let cal = row(&schema::GAME_DATES, &[("game_date", text(date))]);
            propcast_store::insert_rows(&tx, &schema::GAME_DATES, [cal.as_slice()]).expect("calendar");
        }
        tx.commit().expect("commit");
        let got: Vec<(String, String, String)> =
            ContextRow::load(&wh, "game_date BETWEEN ?1 AND ?2", &["2024-11-01", "2024-11-02"])
                .expect("load")
                .into_iter()
                .map(|c| (c.date.to_string(), c.game_id, c.player_id))
                .collect();
        let mut want = got.clone();
        want.sort();
        assert_eq!(got.len(), 9);
        assert_eq!(got, want);
    }

    #[test]
    fn buckets_and_book_spread() {
        assert_eq!(bucket(5.0, 2.0, 5.0), 2.0);
        assert_eq!(bucket(-2.5, 2.0, 5.0), -1.0);
        assert_eq!(bucket(1.9, 2.0, 5.0), 0.0);
        let j = r#"{"draftkings":{"open":20.5,"latest":21.5},"fanduel":{"open":20.5,"latest":22.5},"bovada":{"open":30,"latest":30}}"#;
        assert!((book_std(Some(j)).unwrap() - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-12);
        assert_eq!(book_std(Some(r#"{"draftkings":{"open":20.5,"latest":21.5}}"#)), None);
    }
}
