//! The rule-based systems of the original (spec §6.3), with the bugs it lists fixed:
//! `moving_average`, `zone_matchup` and `similarity`. Each is a pure function of a pre-game
//! row (and, for similarity, the player's earlier rows and their points); each gets P(over)
//! from its own residuals on the previous season, so a season's probabilities are calibrated
//! on games that ended before it began.

use crate::calibration::{tier, Residuals};
use crate::config::{SystemsConfig, Thresholds};
use crate::gate::RowQuality;
use propcast_core::{parse_date, schema, Date};
use propcast_store::memo::Memo;
use propcast_store::{CheckKind, CheckSpec, Input, Output, PartitionData, Result, Step, Warehouse, Window};
use serde_json::{json, Map, Value as Json};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

fn err(message: impl Into<String>) -> propcast_store::Error {
    propcast_store::Error::Step { step: "rules", message: message.into() }
}

/// Days of a player's earlier games that the similarity system searches.
pub const SIMILARITY_LOOKBACK_DAYS: i64 = 365;
/// Team games whose mean defensive rating is the league average (about two weeks).
pub const LEAGUE_WINDOW_TEAM_GAMES: i64 = 300;

/// One of the rule-based systems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// 0.50·L5 + 0.30·L10 + 0.20·season average (the foundation slice's baseline).
    MovingAverage,
    /// The season average moved by the opponent's defense where this player shoots, pace,
    /// venue and fatigue.
    ZoneMatchup,
    /// The similarity-weighted points of the player's most similar earlier games.
    Similarity,
}

/// One pre-game row, as the rules read it.
#[derive(Debug, Clone)]
pub struct RuleRow {
    /// Game date.
    pub date: Date,
    /// Season, `2024-25`.
    pub season: String,
    /// Player.
    pub player: String,
    /// Game.
    pub game: String,
    /// Listed out before the game.
    pub out: bool,
    /// Consensus pre-game line and its books.
    pub line: Option<(f64, i64)>,
    /// Feature quality as the gate reads it.
    pub quality: RowQuality,
    /// `points_avg_last_5`, `_last_10`, `_season`, `points_std_last_10`.
    pub l5: Option<f64>,
    /// See `l5`.
    pub l10: Option<f64>,
    /// See `l5`.
    pub season_avg: Option<f64>,
    /// See `l5`.
    pub std10: Option<f64>,
    /// `games_in_last_7_days`.
    pub games7: Option<f64>,
    /// `fatigue_score`, 0-100, 100 = fresh.
    pub fatigue: Option<f64>,
    /// `shot_zone_mismatch_score`.
    pub zone_mismatch: Option<f64>,
    /// `pace_score`.
    pub pace: Option<f64>,
    /// `usage_spike_score`.
    pub usage_spike: Option<f64>,
    /// `opponent_def_rating`.
    pub opp_def: Option<f64>,
    /// `home_away` (1 home).
    pub home: Option<f64>,
    /// `days_rest`.
    pub days_rest: Option<f64>,
    /// The player's paint, mid-range and three attempts per game (last 10).
    pub attempts: [Option<f64>; 3],
    /// The opponent's FG % allowed in those zones against the league, percentage points.
    pub opp_vs_league: [Option<f64>; 3],
    /// League mean defensive rating over the last team games before the date.
    pub league_def: Option<f64>,
    /// Points scored, for players who played: a label, read only for earlier dates.
    pub points: Option<f64>,
}

/// A rule's prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleOut {
    /// Points, 0-60.
    pub predicted: f64,
    /// 0-1.
    pub confidence: f64,
    /// The breakdown, as a JSON object.
    pub factors: Map<String, Json>,
}

fn r2(x: f64) -> Json {
    json!((x * 100.0).round() / 100.0)
}

/// The moving-average formula: without a season average (a season's first game) the L5 and
/// L10 weights are renormalised to 0.625 / 0.375; without L5 there is no prediction.
pub fn moving_average(l5: Option<f64>, l10: Option<f64>, season: Option<f64>) -> Option<f64> {
    let parts = [(0.5, l5), (0.3, l10), (0.2, season)];
    let w: f64 = parts.iter().filter(|(_, v)| v.is_some()).map(|(w, _)| w).sum();
    if l5.is_none() || w == 0.0 {
        return None;
    }
    let s: f64 = parts.iter().filter_map(|(w, v)| v.map(|v| w * v)).sum();
    Some(crate::prediction::clamp_points(s / w))
}

/// Confidence of the moving-average and zone systems, 0.2-0.8: 0.5, −0.15 if the L10
/// standard deviation is above 6 (−0.08 above 4), +0.10 with 3 or more games in the last 7
/// days (+0.05 with 2, −0.10 with fewer). Rounded to hundredths.
pub fn base_confidence(std10: Option<f64>, games_last_7: i64) -> f64 {
    let mut c = 0.5;
    match std10 {
        Some(s) if s > 6.0 => c -= 0.15,
        Some(s) if s > 4.0 => c -= 0.08,
        _ => {}
    }
    c += match games_last_7 {
        g if g >= 3 => 0.10,
        2 => 0.05,
        _ => -0.10,
    };
    (f64::clamp(c, 0.2, 0.8) * 100.0).round() / 100.0
}

/// Fatigue adjustment of the zone system with the original's inversion fixed (the score is
/// 100 = fresh): −1.5 below 30, −0.8 below 50.
pub fn fatigue_penalty(score: Option<f64>) -> Option<f64> {
    score.map(|s| match s {
        s if s < 30.0 => -1.5,
        s if s < 50.0 => -0.8,
        _ => 0.0,
    })
}

/// Points per make by zone: paint, mid-range, three.
const ZONE_POINTS: [f64; 3] = [2.0, 2.0, 3.0];
const ZONES: [&str; 3] = ["paint", "mid_range", "three"];

/// Zone matchup. The original used the overall defensive rating for every zone (its
/// "in production we'd have opponent defense by zone") against a constant 110, with the
/// sign inverted until January 2026. Here, when the zones exist, each zone adds the points
/// the opponent's FG % allowed there (against the league, percentage points) is worth on the
/// player's attempts there, clamped to ±3; otherwise the season average is scaled by the
/// opponent's defensive rating against the league's current mean (±3 at most). Then pace
/// (pace score × 0.4), venue (±0.8) and fatigue (fixed sign) as the original.
pub fn zone_matchup(r: &RuleRow) -> Option<RuleOut> {
    let base = r.season_avg.or(r.l10)?;
    let mut f = Map::new();
    f.insert("base".into(), r2(base));
    f.insert("base_source".into(), json!(if r.season_avg.is_some() { "season_avg" } else { "l10" }));
    let zones: Option<Vec<f64>> = (0..3)
        .map(|z| Some((r.attempts[z]? * r.opp_vs_league[z]? / 100.0 * ZONE_POINTS[z]).clamp(-3.0, 3.0)))
        .collect();
    let defense = match (zones, r.opp_def, r.league_def) {
        (Some(z), _, _) => {
            for (name, v) in ZONES.iter().zip(&z) {
                f.insert(format!("zone_{name}"), r2(*v));
            }
            f.insert("defense_source".into(), json!("zones"));
            Some(z.iter().sum::<f64>())
        }
        (None, Some(opp), Some(league)) if league > 0.0 => {
            f.insert("defense_source".into(), json!("rating"));
            Some((base * (opp / league - 1.0)).clamp(-3.0, 3.0))
        }
        _ => None,
    };
    let terms = [
        ("defense", defense),
        ("pace", r.pace.map(|p| p * 0.4)),
        ("venue", r.home.map(|h| if h >= 0.5 { 0.8 } else { -0.8 })),
        ("fatigue", fatigue_penalty(r.fatigue)),
    ];
    let mut p = base;
    for (name, v) in terms {
        f.insert(name.into(), v.map(r2).unwrap_or(Json::Null));
        p += v.unwrap_or(0.0);
    }
    Some(RuleOut {
        predicted: crate::prediction::clamp_points(p),
        confidence: base_confidence(r.std10, r.games7.unwrap_or(0.0) as i64),
        factors: f,
    })
}

/// The similarity buckets of a game: opponent tier, rest, venue, form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Buckets {
    /// 0 elite, 1 average, 2 weak defense (the opponent's rating against the league's:
    /// below −2.5, within ±2.5, above; the original's fixed 110 / 115 drifted with the league).
    pub opponent: Option<u8>,
    /// Rest days: 0 (back-to-back), 1, 2, 3 or more.
    pub rest: Option<u8>,
    /// 1 home, 0 away.
    pub home: Option<u8>,
    /// 0 cold (L5 − season ≤ −3), 1 normal, 2 hot (≥ 3).
    pub form: Option<u8>,
}

impl Buckets {
    /// The buckets of a row.
    pub fn of(r: &RuleRow) -> Buckets {
        Buckets {
            opponent: r.opp_def.zip(r.league_def).map(|(o, l)| match o - l {
                d if d < -2.5 => 0,
                d if d <= 2.5 => 1,
                _ => 2,
            }),
            rest: r.days_rest.map(|d| (d - 1.0).clamp(0.0, 3.0) as u8),
            home: r.home.map(|h| u8::from(h >= 0.5)),
            form: r.l5.zip(r.season_avg).map(|(a, s)| match a - s {
                d if d >= 3.0 => 2,
                d if d <= -3.0 => 0,
                _ => 1,
            }),
        }
    }

    /// Similarity to an earlier game, 0-100: opponent tier same 40 / adjacent 20, rest same
    /// 30 / adjacent 15, venue same 15, form same 15 / different 5; a bucket unknown on
    /// either side scores nothing.
    pub fn score(&self, other: &Buckets) -> u32 {
        let near = |a: Option<u8>, b: Option<u8>, same: u32, adj: u32| match (a, b) {
            (Some(a), Some(b)) if a == b => same,
            (Some(a), Some(b)) if a.abs_diff(b) == 1 => adj,
            _ => 0,
        };
        let form = match (self.form, other.form) {
            (Some(a), Some(b)) if a == b => 15,
            (Some(_), Some(_)) => 5,
            _ => 0,
        };
        near(self.opponent, other.opponent, 40, 20)
            + near(self.rest, other.rest, 30, 15)
            + near(self.home, other.home, 15, 0)
            + form
    }
}

/// Similarity balanced v1: keep the earlier games scoring 70 or more, the best 20 (the
/// most recent first among equals); with fewer than 5 there is no prediction. The baseline
/// is their similarity-weighted mean points; then fatigue ((score − 70) × 0.015), zone
/// mismatch × 0.4, pace × 0.8, usage spike × 0.8 and venue (+0.8 / −0.5). Confidence 35 +
/// sample, similarity and consistency terms (spec §6.3), 0-100, stored / 100.
/// `history` holds the player's earlier games (dates before the row's), oldest first.
pub fn similarity(r: &RuleRow, history: &[(Buckets, f64)]) -> Option<RuleOut> {
    let me = Buckets::of(r);
    let mut scored: Vec<(u32, usize)> =
        history.iter().enumerate().map(|(i, (b, _))| (me.score(b), i)).filter(|(s, _)| *s >= 70).collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    scored.truncate(20);
    if scored.len() < 5 {
        return None;
    }
    let wsum: f64 = scored.iter().map(|(s, _)| *s as f64).sum();
    let baseline = scored.iter().map(|(s, i)| *s as f64 * history[*i].1).sum::<f64>() / wsum;
    let pts: Vec<f64> = scored.iter().map(|(_, i)| history[*i].1).collect();
    let n = pts.len() as f64;
    let mean = pts.iter().sum::<f64>() / n;
    let std = (pts.iter().map(|p| (p - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let avg_sim = wsum / n;
    let min_sim = scored.iter().map(|(s, _)| *s).min().unwrap_or(0);
    let mut f = Map::new();
    f.insert("similar_games".into(), json!(scored.len()));
    f.insert("avg_similarity".into(), r2(avg_sim));
    f.insert("min_similarity".into(), json!(min_sim));
    f.insert("baseline".into(), r2(baseline));
    let terms = [
        ("fatigue", r.fatigue.map(|s| (s - 70.0) * 0.015)),
        ("zone", r.zone_mismatch.map(|z| z * 0.4)),
        ("pace", r.pace.map(|p| p * 0.8)),
        ("usage", r.usage_spike.map(|u| u * 0.8)),
        ("venue", r.home.map(|h| if h >= 0.5 { 0.8 } else { -0.5 })),
    ];
    let mut p = baseline;
    for (name, v) in terms {
        f.insert(name.into(), v.map(r2).unwrap_or(Json::Null));
        p += v.unwrap_or(0.0);
    }
    let sample = match scored.len() {
        k if k >= 15 => 12.0,
        k if k >= 10 => 9.0,
        k if k >= 7 => 6.0,
        _ => -10.0,
    };
    let sim = match avg_sim {
        a if a >= 85.0 => 12.0,
        a if a >= 75.0 => 9.0,
        a if a >= 70.0 => 6.0,
        _ => 3.0,
    };
    let consistency = match std {
        s if s < 4.0 => 10.0,
        s if s < 6.0 => 6.0,
        s if s < 8.0 => 2.0,
        _ => -5.0,
    };
    let conf = f64::clamp(35.0 + sample + sim + consistency, 0.0, 100.0) / 100.0;
    Some(RuleOut { predicted: crate::prediction::clamp_points(p), confidence: conf, factors: f })
}

impl Rule {
    /// Every rule, in graph order.
    pub const ALL: [Rule; 3] = [Rule::MovingAverage, Rule::ZoneMatchup, Rule::Similarity];

    /// The `system_id`.
    pub fn system(self) -> &'static str {
        match self {
            Rule::MovingAverage => "moving_average",
            Rule::ZoneMatchup => "zone_matchup",
            Rule::Similarity => "similarity",
        }
    }

    /// The rule version, stored as `model_id`.
    pub fn model_id(self) -> &'static str {
        match self {
            Rule::MovingAverage => "moving_average_v1",
            Rule::ZoneMatchup => "zone_matchup_v1",
            Rule::Similarity => "similarity_balanced_v1",
        }
    }

    /// Predicts one row; `history` only for similarity.
    pub fn predict(self, r: &RuleRow, history: &[(Buckets, f64)]) -> Option<RuleOut> {
        match self {
            Rule::MovingAverage => {
                let p = moving_average(r.l5, r.l10, r.season_avg)?;
                let mut f = Map::new();
                for (k, v) in [("l5", r.l5), ("l10", r.l10), ("season_avg", r.season_avg)] {
                    f.insert(k.into(), v.map(r2).unwrap_or(Json::Null));
                }
                Some(RuleOut {
                    predicted: p,
                    confidence: base_confidence(r.std10, r.games7.unwrap_or(0.0) as i64),
                    factors: f,
                })
            }
            Rule::ZoneMatchup => zone_matchup(r),
            Rule::Similarity => similarity(r, history),
        }
    }

    fn needs_zones(self) -> bool {
        self == Rule::ZoneMatchup
    }

    fn needs_history(self) -> bool {
        self == Rule::Similarity
    }
}

/// Loads the rows of `[from, to]` for a rule, with what it reads (the zone tables only for
/// the zone system; the league rating for the zone and similarity systems).
pub fn load(wh: &Warehouse, rule: Rule, from: Date, to: Date) -> Result<Vec<RuleRow>> {
    let zones = if rule.needs_zones() {
        "z.paint_attempts_per_game, z.mid_range_attempts_per_game, z.three_pt_attempts_per_game,
         t.paint_defense_vs_league_avg, t.mid_range_defense_vs_league_avg, t.three_pt_defense_vs_league_avg"
    } else {
        "NULL, NULL, NULL, NULL, NULL, NULL"
    };
    let zone_joins = if rule.needs_zones() {
        "LEFT JOIN player_shot_zone_analysis z ON z.analysis_date = f.game_date AND z.player_id = f.player_id
         LEFT JOIN team_defense_zone_analysis t ON t.analysis_date = f.game_date AND t.team_abbr = f.opponent_team_abbr"
    } else {
        ""
    };
    // Labels (points of players who played): the similarity history and the calibration
    // read them, for earlier dates only.
    let label = "CASE WHEN g.is_dnp = 0 AND g.minutes_played > 0 THEN g.points END";
    let label_join = "LEFT JOIN player_game_summary g ON g.game_id = f.game_id AND g.player_id = f.player_id";
    let sql = format!(
        "SELECT f.game_date, f.season, f.player_id, f.game_id, c.pre_game_status, c.current_points_line, c.line_books,
                f.feature_quality_score, f.matchup_quality, f.required_missing_count,
                f.points_avg_last_5, f.points_avg_last_10, f.points_avg_season, f.points_std_last_10,
                f.games_in_last_7_days, f.fatigue_score, f.shot_zone_mismatch_score, f.pace_score,
                f.usage_spike_score, f.opponent_def_rating, f.home_away, f.days_rest, {zones}, {label}
         FROM ml_feature_store f
         JOIN upcoming_player_game_context c ON c.game_id = f.game_id AND c.player_id = f.player_id
         {zone_joins} {label_join}
         WHERE f.game_date BETWEEN ?1 AND ?2
         ORDER BY f.game_date, f.player_id, f.game_id"
    );
    let mut stmt = wh.conn().prepare_cached(&sql)?;
    let mut league = wh.conn().prepare_cached(&format!(
        "SELECT avg(defensive_rating) FROM (SELECT defensive_rating FROM team_defense_game_summary
          WHERE game_date < ?1 AND defensive_rating IS NOT NULL
          ORDER BY game_date DESC, game_id DESC, defending_team_abbr DESC LIMIT {LEAGUE_WINDOW_TEAM_GAMES})"
    ))?;
    let mut leagues: HashMap<String, Option<f64>> = HashMap::new();
    let mut q = stmt.query([from.to_string(), to.to_string()])?;
    let mut out = Vec::new();
    while let Some(r) = q.next()? {
        let ds: String = r.get(0)?;
        let league_def = if rule == Rule::MovingAverage {
            None
        } else if let Some(l) = leagues.get(&ds) {
            *l
        } else {
            let l: Option<f64> = league.query_row([&ds], |x| x.get(0))?;
            leagues.insert(ds.clone(), l);
            l
        };
        let date = parse_date(&ds).map_err(|e| err(e.to_string()))?;
        let line: Option<f64> = r.get(5)?;
        out.push(RuleRow {
            date,
            season: r.get(1)?,
            player: r.get(2)?,
            game: r.get(3)?,
            out: r.get::<_, String>(4)? == "out",
            line: line.zip(r.get::<_, Option<i64>>(6)?),
            quality: RowQuality { score: r.get(7)?, matchup: r.get(8)?, required_missing: r.get(9)? },
            l5: r.get(10)?,
            l10: r.get(11)?,
            season_avg: r.get(12)?,
            std10: r.get(13)?,
            games7: r.get(14)?,
            fatigue: r.get(15)?,
            zone_mismatch: r.get(16)?,
            pace: r.get(17)?,
            usage_spike: r.get(18)?,
            opp_def: r.get(19)?,
            home: r.get(20)?,
            days_rest: r.get(21)?,
            attempts: [r.get(22)?, r.get(23)?, r.get(24)?],
            opp_vs_league: [r.get(25)?, r.get(26)?, r.get(27)?],
            league_def,
            points: r.get(28)?,
        });
    }
    Ok(out)
}

/// Runs a rule over loaded rows (date order), predicting those dated in `[from, to]`; the
/// similarity history of a row is the player's earlier rows with points, within
/// [`SIMILARITY_LOOKBACK_DAYS`].
pub fn run(rule: Rule, rows: &[RuleRow], from: Date, to: Date) -> Vec<(usize, RuleOut)> {
    let mut history: HashMap<&str, Vec<(Date, Buckets, f64)>> = HashMap::new();
    let mut out = Vec::new();
    let mut k = 0;
    while k < rows.len() {
        // One date at a time: a date's rows see only earlier dates' games.
        let d = rows[k].date;
        let end = k + rows[k..].iter().take_while(|r| r.date == d).count();
        if d >= from && d <= to {
            for (i, r) in rows.iter().enumerate().take(end).skip(k) {
                if r.out {
                    continue;
                }
                let hist: Vec<(Buckets, f64)> = if rule.needs_history() {
                    let cut = d - chrono::Duration::days(SIMILARITY_LOOKBACK_DAYS);
                    history
                        .get(r.player.as_str())
                        .map(|h| h.iter().filter(|(hd, _, _)| *hd >= cut).map(|(_, b, p)| (*b, *p)).collect())
                        .unwrap_or_default()
                } else {
                    Vec::new()
                };
                if let Some(o) = rule.predict(r, &hist) {
                    out.push((i, o));
                }
            }
        }
        if rule.needs_history() {
            for r in &rows[k..end] {
                if let Some(p) = r.points {
                    history.entry(r.player.as_str()).or_default().push((r.date, Buckets::of(r), p));
                }
            }
        }
        k = end;
    }
    out
}

fn calibrations() -> &'static Memo<Residuals> {
    static C: OnceLock<Memo<Residuals>> = OnceLock::new();
    C.get_or_init(Memo::default)
}

/// The residuals of a rule over the season before `season` (none for the first season).
fn calibration(wh: &Warehouse, rule: Rule, season: &str) -> Result<Arc<Residuals>> {
    let prev: Option<(String, String, String)> = wh
        .conn()
        .prepare_cached(
            "SELECT season, min(game_date), max(game_date) FROM game_dates
             WHERE season = (SELECT max(season) FROM game_dates WHERE season < ?1) GROUP BY season",
        )?
        .query_row([season], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .ok();
    let Some((prev, a, b)) = prev else { return Ok(Arc::new(Residuals::default())) };
    let bad = |e: propcast_core::Error| err(e.to_string());
    let (a, b) = (parse_date(&a).map_err(bad)?, parse_date(&b).map_err(bad)?);
    let key = format!(
        "{}-{season}-{}",
        rule.system(),
        propcast_store::memo::inputs_key(
            wh,
            &["ml_feature_store", "player_game_summary", "upcoming_player_game_context"],
            b + chrono::Duration::days(1)
        )?
    );
    let res = calibrations().get_or_try(key, || {
        let from =
            if rule.needs_history() { a - chrono::Duration::days(SIMILARITY_LOOKBACK_DAYS) } else { a };
        let rows = load(wh, rule, from, b)?;
        let mut res = Residuals::default();
        for (i, o) in run(rule, &rows, a, b) {
            if let Some(p) = rows[i].points {
                res.push(tier(rows[i].l10), p - o.predicted);
            }
        }
        let res = res.finish();
        tracing::debug!(
            "{}: P(over) for {season} calibrated on {} residuals of {prev}",
            rule.system(),
            res.len()
        );
        Ok(Some(res))
    })?;
    Ok(res.unwrap_or_default())
}

/// A rule as a pipeline step (`predictions_<system_id>`).
#[derive(Debug, Clone)]
pub struct RuleStep {
    /// The rule.
    pub rule: Rule,
    /// Thresholds and gate mode.
    pub config: SystemsConfig,
}

impl RuleStep {
    /// The step of a rule with a configuration.
    pub fn new(rule: Rule, config: &SystemsConfig) -> RuleStep {
        RuleStep { rule, config: config.clone() }
    }

    fn thresholds(&self) -> Thresholds {
        self.config.thresholds(self.rule.system())
    }
}

const MA_INPUTS: &[Input] = &[
    Input { name: "ml_feature_store", window: Window::SameDate, why: "the point-in-time averages" },
    Input {
        name: "upcoming_player_game_context",
        window: Window::SameDate,
        why: "the consensus pre-game line; players listed out get no prediction",
    },
    Input {
        name: "ml_feature_store",
        window: Window::AllBefore,
        why: "last season's rows (P(over) calibration)",
    },
    Input {
        name: "upcoming_player_game_context",
        window: Window::AllBefore,
        why: "last season's rows (P(over) calibration)",
    },
    Input {
        name: "player_game_summary",
        window: Window::AllBefore,
        why: "last season's points (calibration)",
    },
];

const ZONE_INPUTS: &[Input] = &[
    Input { name: "ml_feature_store", window: Window::SameDate, why: "season average, pace, venue, fatigue" },
    Input {
        name: "upcoming_player_game_context",
        window: Window::SameDate,
        why: "the consensus pre-game line; players listed out get no prediction",
    },
    Input {
        name: "player_shot_zone_analysis",
        window: Window::SameDate,
        why: "the player's attempts per zone",
    },
    Input {
        name: "team_defense_zone_analysis",
        window: Window::SameDate,
        why: "the opponent's FG % allowed per zone against the league",
    },
    Input {
        name: "team_defense_game_summary",
        window: Window::AllBefore,
        why: "the league's mean defensive rating before the date",
    },
    Input { name: "ml_feature_store", window: Window::AllBefore, why: "last season's rows (calibration)" },
    Input {
        name: "upcoming_player_game_context",
        window: Window::AllBefore,
        why: "last season's rows (calibration)",
    },
    Input {
        name: "player_shot_zone_analysis",
        window: Window::AllBefore,
        why: "last season's rows (calibration)",
    },
    Input {
        name: "team_defense_zone_analysis",
        window: Window::AllBefore,
        why: "last season's rows (calibration)",
    },
    Input {
        name: "player_game_summary",
        window: Window::AllBefore,
        why: "last season's points (calibration)",
    },
];

const SIMILARITY_INPUTS: &[Input] = &[
    Input { name: "ml_feature_store", window: Window::SameDate, why: "the game's buckets and adjustments" },
    Input {
        name: "upcoming_player_game_context",
        window: Window::SameDate,
        why: "the consensus pre-game line; players listed out get no prediction",
    },
    Input {
        name: "team_defense_game_summary",
        window: Window::AllBefore,
        why: "the league's mean defensive rating (opponent tiers)",
    },
    Input {
        name: "ml_feature_store",
        window: Window::AllBefore,
        why: "the player's earlier games and their buckets",
    },
    Input {
        name: "upcoming_player_game_context",
        window: Window::AllBefore,
        why: "earlier games (and last season's rows for calibration)",
    },
    Input { name: "player_game_summary", window: Window::AllBefore, why: "points of the earlier games" },
];

const COVERAGE_SQL: &str =
    "SELECT count(*) FROM upcoming_player_game_context WHERE game_date = ?1 AND pre_game_status = 'available'";

const MA_CHECKS: &[CheckSpec] = &[
    CheckSpec { name: "coverage_warn", kind: CheckKind::RowsVsExpected { sql: COVERAGE_SQL } },
    CheckSpec { name: "coverage_critical", kind: CheckKind::RowsVsExpected { sql: COVERAGE_SQL } },
    CheckSpec { name: "unique_key", kind: CheckKind::UniqueKey },
    CheckSpec { name: "predicted_range", kind: CheckKind::Range { column: "predicted_points" } },
    CheckSpec { name: "confidence_range", kind: CheckKind::Range { column: "confidence" } },
    CheckSpec { name: "p_over_range", kind: CheckKind::Range { column: "p_over" } },
];

const OTHER_CHECKS: &[CheckSpec] = &[
    CheckSpec { name: "unique_key", kind: CheckKind::UniqueKey },
    CheckSpec { name: "predicted_range", kind: CheckKind::Range { column: "predicted_points" } },
    CheckSpec { name: "confidence_range", kind: CheckKind::Range { column: "confidence" } },
    CheckSpec { name: "p_over_range", kind: CheckKind::Range { column: "p_over" } },
];

impl Step for RuleStep {
    fn name(&self) -> &'static str {
        match self.rule {
            Rule::MovingAverage => "predictions_moving_average",
            Rule::ZoneMatchup => "predictions_zone_matchup",
            Rule::Similarity => "predictions_similarity",
        }
    }

    fn code_version(&self) -> &'static str {
        match self.rule {
            Rule::MovingAverage => "ma-4",
            Rule::ZoneMatchup => "zone-2",
            Rule::Similarity => "similarity-2",
        }
    }

    fn version(&self) -> String {
        self.config.version(self.code_version(), self.rule.system())
    }

    fn pre_game(&self) -> bool {
        true
    }

    fn phase(&self) -> u8 {
        5
    }

    fn checks(&self) -> &'static [CheckSpec] {
        match self.rule {
            Rule::MovingAverage => MA_CHECKS,
            _ => OTHER_CHECKS,
        }
    }

    fn inputs(&self) -> &'static [Input] {
        match self.rule {
            Rule::MovingAverage => MA_INPUTS,
            Rule::ZoneMatchup => ZONE_INPUTS,
            Rule::Similarity => SIMILARITY_INPUTS,
        }
    }

    fn output(&self) -> Output {
        Output::Table {
            table: &schema::PLAYER_PROP_PREDICTIONS,
            scope: Some(("system_id", self.rule.system())),
        }
    }

    fn compute(&self, wh: &Warehouse, dates: &[Date]) -> Result<Vec<(Date, PartitionData)>> {
        let (Some(first), Some(last)) = (dates.first().copied(), dates.last().copied()) else {
            return Ok(vec![]);
        };
        let from = if self.rule.needs_history() {
            first - chrono::Duration::days(SIMILARITY_LOOKBACK_DAYS)
        } else {
            first
        };
        let rows = load(wh, self.rule, from, last)?;
        let wanted: std::collections::HashSet<Date> = dates.iter().copied().collect();
        let th = self.thresholds();
        let mut calibrations: HashMap<String, Arc<Residuals>> = HashMap::new();
        let mut by_date: BTreeMap<Date, Vec<Vec<propcast_store::Value>>> = BTreeMap::new();
        for (i, o) in run(self.rule, &rows, first, last) {
            let r = &rows[i];
            if !wanted.contains(&r.date) {
                continue;
            }
            if !calibrations.contains_key(&r.season) {
                calibrations.insert(r.season.clone(), calibration(wh, self.rule, &r.season)?);
            }
            let line = r.line.map(|l| l.0);
            let p_over = line.and_then(|l| calibrations[&r.season].p_over(o.predicted, l, tier(r.l10)));
            let (rec, block) = self.config.gate(th.pick(o.predicted, line, o.confidence), r.quality);
            by_date.entry(r.date).or_default().push(
                crate::prediction::Prediction {
                    system: self.rule.system(),
                    player: r.player.clone(),
                    game: r.game.clone(),
                    date: r.date.to_string(),
                    predicted: o.predicted,
                    p_over,
                    line,
                    books: r.line.map(|l| l.1),
                    confidence: o.confidence,
                    recommendation: rec,
                    model_id: self.rule.model_id(),
                    key_factors: Some(Json::Object(o.factors).to_string()),
                    warnings: block,
                }
                .values(),
            );
        }
        Ok(by_date.into_iter().map(|(d, rows)| (d, PartitionData::Rows(rows))).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> RuleRow {
        RuleRow {
            date: parse_date("2024-12-01").unwrap(),
            season: "2024-25".into(),
            player: "p".into(),
            game: "g".into(),
            out: false,
            line: None,
            quality: RowQuality { score: 100.0, matchup: 100.0, required_missing: 0 },
            l5: Some(20.0),
            l10: Some(18.0),
            season_avg: Some(15.0),
            std10: Some(3.0),
            games7: Some(3.0),
            fatigue: Some(90.0),
            zone_mismatch: None,
            pace: Some(1.0),
            usage_spike: None,
            opp_def: Some(118.0),
            home: Some(1.0),
            days_rest: Some(2.0),
            attempts: [Some(6.0), Some(2.0), Some(5.0)],
            opp_vs_league: [Some(5.0), Some(-2.0), None],
            league_def: Some(113.0),
            points: None,
        }
    }

    #[test]
    fn moving_average_formula() {
        let p = moving_average(Some(20.0), Some(18.0), Some(15.0)).unwrap();
        assert!((p - 18.4).abs() < 1e-9);
        let p = moving_average(Some(20.0), Some(16.0), None).unwrap();
        assert!((p - (0.625 * 20.0 + 0.375 * 16.0)).abs() < 1e-9);
        assert_eq!(moving_average(None, None, None), None);
        assert_eq!(base_confidence(Some(7.0), 3), 0.45);
        assert_eq!(base_confidence(Some(3.0), 0), 0.4);
    }

    #[test]
    fn zone_matchup_signs_and_units() {
        // No three-point defense: the overall rating against the league stands in.
        let r = row();
        let o = zone_matchup(&r).unwrap();
        let rating = 15.0 * (118.0 / 113.0 - 1.0);
        assert!((o.predicted - (15.0 + rating + 0.4 + 0.8)).abs() < 1e-9, "{o:?}");
        assert!(rating > 0.0, "a weak defense (higher rating) adds points");
        assert_eq!(o.factors["defense_source"], "rating");
        // Every zone: attempts × FG % allowed against the league (pp) / 100 × points per make.
        let mut z = row();
        z.opp_vs_league[2] = Some(4.0);
        let o = zone_matchup(&z).unwrap();
        let zones = 6.0 * 0.05 * 2.0 + 2.0 * -0.02 * 2.0 + 5.0 * 0.04 * 3.0;
        assert!((o.predicted - (15.0 + zones + 0.4 + 0.8)).abs() < 1e-9);
        // The fatigue fix: a fresh player (100 = fresh) loses nothing, a tired one does.
        z.fatigue = Some(25.0);
        assert!((zone_matchup(&z).unwrap().predicted - (15.0 + zones + 0.4 + 0.8 - 1.5)).abs() < 1e-9);
        assert_eq!(fatigue_penalty(Some(95.0)), Some(0.0));
    }

    #[test]
    fn similarity_needs_five_similar_games() {
        let r = row();
        let me = Buckets::of(&r);
        assert_eq!(me, Buckets { opponent: Some(2), rest: Some(1), home: Some(1), form: Some(2) });
        assert_eq!(me.score(&me), 100);
        let away = Buckets { home: Some(0), ..me };
        assert_eq!(me.score(&away), 85);
        let far = Buckets { opponent: Some(0), rest: Some(3), home: Some(0), form: Some(0) };
        assert_eq!(me.score(&far), 5);
        let four: Vec<(Buckets, f64)> = (0..4).map(|i| (me, 20.0 + i as f64)).collect();
        assert_eq!(similarity(&r, &four), None);
        let mut hist = four.clone();
        hist.push((away, 30.0));
        hist.push((far, 99.0));
        let o = similarity(&r, &hist).unwrap();
        let baseline: f64 = (100.0 * (20.0 + 21.0 + 22.0 + 23.0) + 85.0 * 30.0) / 485.0;
        assert!((o.factors["baseline"].as_f64().unwrap() - (baseline * 100.0).round() / 100.0).abs() < 1e-9);
        let adj = (90.0 - 70.0) * 0.015 + 0.8 + 0.8;
        assert!((o.predicted - (baseline + adj)).abs() < 1e-9, "{o:?}");
        assert_eq!(o.factors["similar_games"], 5);
        // 35 − 10 (5 games) + 12 (average 97) + 10 (std 3.96).
        assert!((o.confidence - 0.47).abs() < 1e-9, "{}", o.confidence);
    }

    #[test]
    fn similarity_history_is_strictly_earlier() {
        let mut rows = Vec::new();
        for day in 1..=8 {
            let mut r = row();
            r.date = parse_date(&format!("2024-12-0{day}")).unwrap();
            r.points = Some(10.0 * day as f64);
            rows.push(r);
        }
        let from = rows[0].date;
        let to = rows[7].date;
        let out = run(Rule::Similarity, &rows, from, to);
        // Five earlier games are needed: the sixth date is the first predicted.
        assert_eq!(out.first().map(|(i, _)| *i), Some(5));
        let (_, o) = &out[0];
        assert_eq!(o.factors["baseline"].as_f64(), Some(30.0), "the mean of days 1-5, not day 6 itself");
    }
}
