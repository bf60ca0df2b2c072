//! `player_composite_factors`: the four v1 adjustment factors (spec §3.10, §4.5) with the
//! original's defects fixed: fatigue is stored as the 0-100 score and contributes
//! (score − 100) / 20; the mismatch multiplies a rate in percent by a defense in percentage
//! points; pace is the differential / 2; the usage spike compares the player's last 7 games
//! with his own season (the original compared a never-filled projection, i.e. 25 %). The four
//! deferred factors of the original (always 0) are not stored: no placeholder numbers.

use crate::daily_cache::Workload;
use crate::util::{opt_real, text};
use propcast_core::{date_text, schema, Date};
use propcast_store::Value;

/// The calculation version stored with each row.
pub const CALCULATION_VERSION: &str = "v1_4factors_fixed";

/// The player's shooting profile the mismatch reads.
#[derive(Debug, Clone, PartialEq)]
pub struct ShotFacts {
    /// Primary scoring zone.
    pub zone: String,
    /// Paint rate, percent 0-100.
    pub paint_rate: f64,
    /// Mid-range rate, percent.
    pub mid_rate: f64,
    /// Three rate, percent.
    pub three_rate: f64,
}

/// The opponent's defense the features read.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct OppDefense {
    /// Defensive rating, last 15.
    pub def_rating: Option<f64>,
    /// Pace of its games, last 15.
    pub pace: Option<f64>,
    /// Against the league, percentage points: paint, mid-range, perimeter.
    pub vs_league: [Option<f64>; 3],
}

/// What the factors read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CompositeInputs {
    /// Days since the player's previous game.
    pub days_rest: Option<i64>,
    /// Played yesterday.
    pub back_to_back: bool,
    /// Recent workload.
    pub workload: Workload,
    /// Star teammates out.
    pub star_teammates_out: i64,
    /// Mean usage, last 7 games, 0-100.
    pub usage_last_7: Option<f64>,
    /// Mean usage this season, 0-100.
    pub usage_season: Option<f64>,
    /// Team pace − opponent pace, last 10 games.
    pub pace_differential: Option<f64>,
    /// The player's zones.
    pub shot: Option<ShotFacts>,
    /// The opponent's defense.
    pub opp: Option<OppDefense>,
}

/// The four factors.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CompositeFacts {
    /// 0-100, 100 = fresh.
    pub fatigue_score: Option<f64>,
    /// -10..10.
    pub shot_zone_mismatch_score: Option<f64>,
    /// -3..3.
    pub pace_score: Option<f64>,
    /// -3..3.
    pub usage_spike_score: Option<f64>,
}

/// The factors with their breakdowns.
#[derive(Debug, Clone, PartialEq)]
pub struct CompositeFactors {
    /// The values.
    pub facts: CompositeFacts,
    /// JSON breakdowns: fatigue, shot zone, pace, usage.
    pub context: [String; 4],
}

/// A breakdown: a flat JSON object written straight to text. Numbers keep three decimals
/// (a breakdown explains a score, it is not an input of one), and the score itself is the
/// row's column, not repeated here: the four breakdowns were 216 MB of an 870 MB warehouse
/// as full-precision `serde_json` values (docs/decisions.md, "Phases 2-4 under 10 s").
struct Breakdown(String);

impl Breakdown {
    fn new() -> Self {
        Breakdown(String::with_capacity(160))
    }

    fn key(mut self, k: &str) -> Self {
        self.0.push(if self.0.is_empty() { '{' } else { ',' });
        self.0.push('"');
        self.0.push_str(k);
        self.0.push_str("\":");
        self
    }

    fn num(self, k: &str, x: f64) -> Self {
        let mut b = self.key(k);
        push_num(&mut b.0, x);
        b
    }

    fn opt(self, k: &str, x: Option<f64>) -> Self {
        match x {
            Some(x) => self.num(k, x),
            None => {
                let mut b = self.key(k);
                b.0.push_str("null");
                b
            }
        }
    }

    fn int(self, k: &str, x: i64) -> Self {
        let mut b = self.key(k);
        if x < 0 {
            b.0.push('-');
        }
        push_uint(&mut b.0, x.unsigned_abs());
        b
    }

    fn flag(self, k: &str, x: bool) -> Self {
        let mut b = self.key(k);
        b.0.push_str(if x { "true" } else { "false" });
        b
    }

    fn text(self, k: &str, x: &str) -> Self {
        let mut b = self.key(k);
        // Zone names, labels and fixed messages; escaped all the same.
        push_json_str(&mut b.0, x);
        b
    }

    /// A nested object of numbers (`{}` when empty).
    fn nums(self, k: &str, parts: &[(&str, f64)]) -> Self {
        let mut b = self.key(k);
        let inner = parts.iter().fold(Breakdown::new(), |o, (k, v)| o.num(k, *v)).finish();
        b.0.push_str(&inner);
        b
    }

    fn finish(mut self) -> String {
        if self.0.is_empty() {
            self.0.push('{');
        }
        self.0.push('}');
        self.0
    }
}

/// `x` rounded to three decimals, without trailing zeros (`null` when not finite). Written
/// digit by digit: `format!` was most of the breakdowns' cost.
fn push_num(out: &mut String, x: f64) {
    use std::fmt::Write;
    let m = (x * 1000.0).round();
    if !m.is_finite() {
        out.push_str("null");
        return;
    }
    if m.abs() >= 1e15 {
        // Beyond exact integers (no breakdown value comes near): plain decimal notation.
        let _ = write!(out, "{}", x.round());
        return;
    }
    let m = m as i64;
    if m < 0 {
        out.push('-');
    }
    let a = m.unsigned_abs();
    push_uint(out, a / 1000);
    let mut frac = a % 1000;
    if frac != 0 {
        out.push('.');
        let mut div = 100;
        while frac != 0 {
            out.push(char::from(b'0' + (frac / div) as u8));
            frac %= div;
            div /= 10;
        }
    }
}

/// `n` in decimal digits (`to_string` and `write!` go through the formatting machinery and,
/// for `to_string`, a new string: a few hundred instructions per number, two million
/// numbers a backfill).
fn push_uint(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|d| char::from(*d)));
}

/// `x` as a JSON string, escaped as `serde_json` escapes it (`"` and `\\`, the short forms of
/// backspace, form feed, newline, return and tab, `\u00XX` for the other control
/// characters; the rest as it is).
fn push_json_str(out: &mut String, x: &str) {
    use std::fmt::Write;
    out.push('"');
    for c in x.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn missing(what: &str) -> String {
    Breakdown::new().text("missing", what).finish()
}

/// The fatigue score and its breakdown.
fn fatigue(i: &CompositeInputs) -> (Option<f64>, String) {
    let w = &i.workload;
    let avg7 = (w.games_7 > 0).then(|| w.minutes_7 / w.games_7 as f64);
    let mut parts: Vec<(&str, f64)> = Vec::new();
    let Some(rest) = i.days_rest else {
        return (None, missing("no earlier game"));
    };
    if i.back_to_back {
        parts.push(("back_to_back", -15.0));
    } else if rest >= 3 {
        parts.push(("rested_3_plus_days", 5.0));
    }
    if w.games_7 >= 4 {
        parts.push(("4_plus_games_in_7_days", -10.0));
    }
    if w.minutes_7 > 240.0 {
        parts.push(("over_240_minutes_in_7_days", -10.0));
    }
    if avg7.is_some_and(|m| m > 35.0) {
        parts.push(("over_35_minutes_a_game_in_7_days", -8.0));
    }
    match w.b2b_14 {
        n if n >= 2 => parts.push(("2_plus_back_to_backs_in_14_days", -12.0)),
        1 => parts.push(("1_back_to_back_in_14_days", -5.0)),
        _ => {}
    }
    let score = (100.0 + parts.iter().map(|p| p.1).sum::<f64>()).clamp(0.0, 100.0);
    // No age term: the data set has no birth dates (docs/features.md).
    let ctx = Breakdown::new()
        .int("days_rest", rest)
        .flag("back_to_back", i.back_to_back)
        .int("games_last_7_days", w.games_7)
        .num("minutes_last_7_days", w.minutes_7)
        .opt("avg_minutes_last_7_days", avg7)
        .int("back_to_backs_last_14_days", w.b2b_14)
        .nums("adjustments", &parts)
        .finish();
    (Some(score), ctx)
}

fn mismatch(i: &CompositeInputs) -> (Option<f64>, String) {
    let (Some(shot), Some(opp)) = (&i.shot, &i.opp) else {
        return (None, missing(if i.shot.is_none() { "player shot zones" } else { "opponent defense" }));
    };
    // The spec maps anything but mid-range and perimeter (including balanced) to the paint.
    let (zone, rate, k) = match shot.zone.as_str() {
        "mid_range" => ("mid_range", shot.mid_rate, 1),
        "perimeter" => ("perimeter", shot.three_rate, 2),
        _ => ("paint", shot.paint_rate, 0),
    };
    let Some(vs) = opp.vs_league[k] else {
        return (None, Breakdown::new().text("missing", "opponent zone defense").text("zone", zone).finish());
    };
    let mut score = vs * (rate / 50.0).min(1.0);
    if score.abs() > 5.0 {
        score *= 1.2;
    }
    let score = score.clamp(-10.0, 10.0);
    (
        Some(score),
        Breakdown::new()
            .text("primary_zone", &shot.zone)
            .text("zone_used", zone)
            .num("player_zone_rate_pct", rate)
            .num("opponent_vs_league_pp", vs)
            .finish(),
    )
}

fn pace(i: &CompositeInputs) -> (Option<f64>, String) {
    let Some(d) = i.pace_differential else { return (None, missing("pace differential")) };
    let score = (d / 2.0).clamp(-3.0, 3.0);
    let label = if d > 2.0 {
        "fast"
    } else if d < -2.0 {
        "slow"
    } else {
        "neutral"
    };
    (Some(score), Breakdown::new().num("pace_differential", d).text("environment", label).finish())
}

fn usage(i: &CompositeInputs) -> (Option<f64>, String) {
    let (Some(recent), Some(season)) = (i.usage_last_7, i.usage_season) else {
        return (None, missing(if i.usage_last_7.is_none() { "usage last 7 games" } else { "season usage" }));
    };
    let raw = (recent - season) * 0.3;
    let multiplier = match i.star_teammates_out {
        n if raw > 0.0 && n >= 2 => 1.30,
        1 if raw > 0.0 => 1.15,
        _ => 1.0,
    };
    let score = (raw * multiplier).clamp(-3.0, 3.0);
    (
        Some(score),
        Breakdown::new()
            .num("usage_last_7_games", recent)
            .num("usage_season", season)
            .int("star_teammates_out", i.star_teammates_out)
            .num("multiplier", multiplier)
            .finish(),
    )
}

impl CompositeFactors {
    /// Computes the four factors.
    pub fn compute(i: &CompositeInputs) -> CompositeFactors {
        let (f, fc) = fatigue(i);
        let (m, mc) = mismatch(i);
        let (p, pc) = pace(i);
        let (u, uc) = usage(i);
        CompositeFactors {
            facts: CompositeFacts {
                fatigue_score: f,
                shot_zone_mismatch_score: m,
                pace_score: p,
                usage_spike_score: u,
            },
            context: [fc, mc, pc, uc],
        }
    }

    /// The table row.
    pub fn row(self, player: &str, game: &str, date: Date) -> Vec<Value> {
        let f = &self.facts;
        let adj = f.fatigue_score.map(|s| (s - 100.0) / 20.0);
        let parts = [
            ("fatigue", adj),
            ("shot_zone_mismatch", f.shot_zone_mismatch_score),
            ("pace", f.pace_score),
            ("usage_spike", f.usage_spike_score),
        ];
        let missing: Vec<&str> = parts.iter().filter(|p| p.1.is_none()).map(|p| p.0).collect();
        let total = parts.iter().map(|p| p.1).sum::<Option<f64>>();
        let mut row = Vec::with_capacity(schema::PLAYER_COMPOSITE_FACTORS.columns.len());
        row.extend([
            text(player),
            text(game),
            text(date_text(date)),
            opt_real(f.fatigue_score),
            opt_real(adj),
            opt_real(f.shot_zone_mismatch_score),
            opt_real(f.pace_score),
            opt_real(f.usage_spike_score),
            opt_real(total),
        ]);
        row.extend(self.context.into_iter().map(Value::Text));
        row.push(if missing.is_empty() { Value::Null } else { text(missing.join(",")) });
        row.push(text(CALCULATION_VERSION));
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fatigue_is_a_0_100_score_and_missing_without_history() {
        let mut i = CompositeInputs { days_rest: Some(1), back_to_back: true, ..Default::default() };
        i.workload = Workload { games_7: 4, games_14: 7, minutes_7: 150.0, minutes_14: 250.0, b2b_14: 2 };
        let f = CompositeFactors::compute(&i).facts;
        // Back-to-back, 4 games in 7 days, 37.5 minutes a game, 2 back-to-backs in 14 days.
        assert_eq!(f.fatigue_score, Some(100.0 - 15.0 - 10.0 - 8.0 - 12.0));
        i.days_rest = None;
        assert_eq!(CompositeFactors::compute(&i).facts.fatigue_score, None);
        let rested = CompositeInputs { days_rest: Some(3), ..Default::default() };
        assert_eq!(CompositeFactors::compute(&rested).facts.fatigue_score, Some(100.0));
    }

    #[test]
    fn mismatch_pace_and_usage_units() {
        let i = CompositeInputs {
            shot: Some(ShotFacts {
                zone: "paint".into(),
                paint_rate: 60.0,
                mid_rate: 10.0,
                three_rate: 30.0,
            }),
            // The opponent allows 5 percentage points above the league in the paint.
            opp: Some(OppDefense { vs_league: [Some(5.0), Some(-1.0), Some(0.0)], ..Default::default() }),
            pace_differential: Some(-4.0),
            usage_last_7: Some(28.0),
            usage_season: Some(24.0),
            star_teammates_out: 2,
            ..Default::default()
        };
        let f = CompositeFactors::compute(&i).facts;
        assert_eq!(f.shot_zone_mismatch_score, Some(5.0));
        assert_eq!(f.pace_score, Some(-2.0));
        // (28 − 24) × 0.3 × 1.3, against the player's own season, not a constant 25.
        assert!((f.usage_spike_score.unwrap() - 1.56).abs() < 1e-12);
        let lower = CompositeInputs { usage_last_7: Some(20.0), usage_season: Some(24.0), ..i.clone() };
        assert!((CompositeFactors::compute(&lower).facts.usage_spike_score.unwrap() + 1.2).abs() < 1e-12);
        let no_zones = CompositeInputs { shot: None, ..i };
        assert_eq!(CompositeFactors::compute(&no_zones).facts.shot_zone_mismatch_score, None);
    }

    #[test]
    fn breakdowns_are_json_with_three_decimals() {
        let i = CompositeInputs {
            days_rest: Some(1),
            back_to_back: true,
            workload: Workload { games_7: 3, games_14: 5, minutes_7: 100.0, minutes_14: 180.0, b2b_14: 1 },
            shot: Some(ShotFacts {
                zone: "perimeter".into(),
                paint_rate: 20.0,
                mid_rate: 10.0,
                three_rate: 56.910569105691,
            }),
            opp: Some(OppDefense { vs_league: [None, None, Some(-0.00002)], ..Default::default() }),
            pace_differential: Some(1.52498113207545),
            ..Default::default()
        };
        let c = CompositeFactors::compute(&i).context;
        assert_eq!(
            c[0],
            r#"{"days_rest":1,"back_to_back":true,"games_last_7_days":3,"minutes_last_7_days":100,"avg_minutes_last_7_days":33.333,"back_to_backs_last_14_days":1,"adjustments":{"back_to_back":-15,"1_back_to_back_in_14_days":-5}}"#
        );
        assert_eq!(
            c[1],
            r#"{"primary_zone":"perimeter","zone_used":"perimeter","player_zone_rate_pct":56.911,"opponent_vs_league_pp":0}"#
        );
        assert_eq!(c[2], r#"{"pace_differential":1.525,"environment":"neutral"}"#);
        assert_eq!(c[3], r#"{"missing":"usage last 7 games"}"#);
        let num = |x: f64| {
            let mut s = String::new();
            push_num(&mut s, x);
            s
        };
        assert_eq!(
            [0.0, -0.0004, -0.5, 2.05, 0.007, -12.3456, 100.0, f64::NAN].map(num),
            ["0", "0", "-0.5", "2.05", "0.007", "-12.346", "100", "null"]
        );
        for text in &c {
            let v: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
            assert!(v.is_object());
        }
    }

    #[test]
    fn strings_and_integers_are_written_as_serde_json_writes_them() {
        for x in
            ["", "paint", "a \"quoted\" \\ path", "tab\tnew\nline\r", "\u{1}\u{8}\u{c}\u{1f}\u{7f}", "é ü 🏀"]
        {
            let mut s = String::new();
            push_json_str(&mut s, x);
            assert_eq!(s, serde_json::Value::from(x).to_string(), "{x:?}");
        }
        for x in [0i64, 7, -7, 10, 99, 100, -1234567, i64::MAX, i64::MIN] {
            let b = Breakdown::new().int("n", x).finish();
            assert_eq!(b, format!("{{\"n\":{x}}}"));
        }
    }
}
