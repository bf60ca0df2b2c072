//! `player_shot_zone_analysis`: where a player shot over his last 10 and 20 games this season
//! (spec §3.9, §4.5).

use crate::history::{PlayerGame, Zones};
use crate::util::{last, opt_real, text, Day};
use propcast_core::{date_text, Date};
use propcast_store::Value;

/// Games needed on day `day`: min(3 + d/3, 9) in the first 21 days, else 10.
pub fn min_games(day: Day) -> usize {
    if day.early() {
        (3 + day.0.max(0) as usize / 3).min(9)
    } else {
        10
    }
}

/// Rates (percent, 0-100) and FG % (0-1) of a window of games.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZoneRates {
    /// Paint share of zone attempts, 0-100.
    pub paint_rate: f64,
    /// Mid-range share, 0-100.
    pub mid_rate: f64,
    /// Three share, 0-100.
    pub three_rate: f64,
    /// Paint FG %, 0-1.
    pub paint_pct: Option<f64>,
    /// Mid-range FG %.
    pub mid_pct: Option<f64>,
    /// Three FG %.
    pub three_pct: Option<f64>,
    /// Zone attempts.
    pub shots: f64,
    /// Zone games.
    pub games: usize,
    /// Attempts per zone game: paint, mid, three.
    pub per_game: (f64, f64, f64),
}

impl ZoneRates {
    fn of(games: &[&PlayerGame]) -> Option<ZoneRates> {
        let (z, n) = Zones::sum(games.iter().filter_map(|g| g.zones.as_ref()));
        let total = z.attempts();
        if n == 0 || total <= 0.0 {
            return None;
        }
        let pct = |m: f64, a: f64| (a > 0.0).then(|| m / a);
        let k = n as f64;
        Some(ZoneRates {
            paint_rate: z.paint_a / total * 100.0,
            mid_rate: z.mid_a / total * 100.0,
            three_rate: z.three_a / total * 100.0,
            paint_pct: pct(z.paint_m, z.paint_a),
            mid_pct: pct(z.mid_m, z.mid_a),
            three_pct: pct(z.three_m, z.three_a),
            shots: total,
            games: n,
            per_game: (z.paint_a / k, z.mid_a / k, z.three_a / k),
        })
    }

    /// The primary zone (spec §4.5): paint at 40 %+, else perimeter at 40 %+, else mid-range
    /// at 35 %+, else balanced.
    pub fn primary_zone(&self) -> &'static str {
        if self.paint_rate >= 40.0 {
            "paint"
        } else if self.three_rate >= 40.0 {
            "perimeter"
        } else if self.mid_rate >= 35.0 {
            "mid_range"
        } else {
            "balanced"
        }
    }
}

/// One player's analysis on one date.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayerShotZone {
    /// Games played this season in the 10-game window.
    pub games_10: usize,
    /// In the 20-game window.
    pub games_20: usize,
    /// Games needed.
    pub min_games: usize,
    /// Last 10 games; `None` below the minimum or without zones.
    pub last_10: Option<ZoneRates>,
    /// Last 20 games.
    pub last_20: Option<ZoneRates>,
    /// Early season.
    pub early: bool,
    /// Why the metrics are missing.
    pub reason: Option<String>,
}

impl PlayerShotZone {
    /// Analyses `history` (the player's rows before the date, ascending; this season's games
    /// played count). `None` without a game this season.
    pub fn analyze(history: &[PlayerGame], season_year: i64, day: Day) -> Option<PlayerShotZone> {
        // This season's rows are a suffix of the date-ordered history.
        let this_season = &history[history.partition_point(|g| g.season_year < season_year)..];
        let mut season: Vec<&PlayerGame> = Vec::with_capacity(this_season.len());
        season.extend(this_season.iter().filter(|g| g.played()));
        if season.is_empty() {
            return None;
        }
        let (w10, w20) = (last(&season, 10), last(&season, 20));
        let need = min_games(day);
        let mut s = PlayerShotZone {
            games_10: w10.len(),
            games_20: w20.len(),
            min_games: need,
            last_10: None,
            last_20: None,
            early: day.early(),
            reason: None,
        };
        if w10.len() < need {
            s.reason = Some(format!("{} games this season, {need} required", w10.len()));
            return Some(s);
        }
        s.last_10 = ZoneRates::of(w10);
        s.last_20 = ZoneRates::of(w20);
        if s.last_10.is_none() {
            s.reason = Some("no shot zones in the window".into());
        }
        Some(s)
    }

    /// The table row.
    pub fn row(&self, player: &str, date: Date, season: &str) -> Vec<Value> {
        let r = |f: fn(&ZoneRates) -> Option<f64>| opt_real(self.last_10.as_ref().and_then(f));
        let quality = |n: usize, full: usize, good: usize| {
            text(if n >= full {
                "excellent"
            } else if n >= good {
                "good"
            } else {
                "limited"
            })
        };
        vec![
            text(player),
            text(date_text(date)),
            text(season),
            Value::Integer(self.games_10 as i64),
            Value::Integer(self.last_10.map_or(0, |z| z.games) as i64),
            Value::Integer(self.min_games as i64),
            r(|z| Some(z.paint_rate)),
            r(|z| Some(z.mid_rate)),
            r(|z| Some(z.three_rate)),
            self.last_10.map(|z| Value::Integer(z.shots as i64)).unwrap_or(Value::Null),
            quality(self.games_10, 10, 7),
            r(|z| z.paint_pct),
            r(|z| z.mid_pct),
            r(|z| z.three_pct),
            r(|z| Some(z.per_game.0)),
            r(|z| Some(z.per_game.1)),
            r(|z| Some(z.per_game.2)),
            opt_real(self.last_20.map(|z| z.paint_rate)),
            opt_real(self.last_20.and_then(|z| z.paint_pct)),
            Value::Integer(self.games_20 as i64),
            quality(self.games_20, 20, 15),
            self.last_10.map(|z| text(z.primary_zone())).unwrap_or(Value::Null),
            text(match self.games_10 {
                n if n >= 10 => "high",
                n if n >= 5 => "medium",
                _ => "low",
            }),
            Value::Integer(self.early.into()),
            self.reason.clone().map(Value::Text).unwrap_or(Value::Null),
        ]
    }
}
