//! `team_defense_zone_analysis`: a team's defense over its last 15 games this season, per
//! shot zone against the league (spec §3.8, §4.5).

use crate::history::{History, TeamGame, Zones};
use crate::util::{last, opt_int, opt_real, text, Day};
use propcast_core::stats::mean_of;
use propcast_core::{date_text, Date};
use propcast_store::Value;

/// Games in the full window.
pub const WINDOW: usize = 15;
/// League fallbacks when fewer than 10 teams qualify: paint, mid-range, three FG %.
pub const LEAGUE_FALLBACK: (f64, f64, f64) = (0.580, 0.410, 0.355);

/// The league's zone FG % on a date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeagueZones {
    /// Paint FG %, 0-1.
    pub paint: f64,
    /// Mid-range FG %, 0-1.
    pub mid: f64,
    /// Three FG %, 0-1.
    pub three: f64,
    /// Teams averaged; `None` for the fallback.
    pub teams: Option<usize>,
}

impl LeagueZones {
    /// The mean over teams with 10+ zone games in the 30 days before `date` of each team's
    /// zone FG % allowed in those games; the fallback with fewer than 10 such teams.
    pub fn on(history: &History, date: Date) -> LeagueZones {
        let since = date - chrono::Duration::days(30);
        let mut per_team: Vec<(f64, f64, f64)> = Vec::new();
        let mut teams: Vec<(&str, &[TeamGame])> = history.teams_before(date).collect();
        // A fixed order: the mean is then the same float whichever path built the history.
        teams.sort_by(|a, b| a.0.cmp(b.0));
        for (_, games) in teams {
            let (z, n) =
                Zones::sum(games.iter().filter(|g| g.date > since).filter_map(|g| g.opp_zones.as_ref()));
            if n >= 10 && z.paint_a > 0.0 && z.mid_a > 0.0 && z.three_a > 0.0 {
                per_team.push((z.paint_m / z.paint_a, z.mid_m / z.mid_a, z.three_m / z.three_a));
            }
        }
        if per_team.len() < 10 {
            let (paint, mid, three) = LEAGUE_FALLBACK;
            return LeagueZones { paint, mid, three, teams: None };
        }
        let m = |f: fn(&(f64, f64, f64)) -> f64| mean_of(per_team.iter().map(f)).unwrap_or(0.0);
        LeagueZones { paint: m(|t| t.0), mid: m(|t| t.1), three: m(|t| t.2), teams: Some(per_team.len()) }
    }
}

/// Per zone: FG % allowed, attempts per game and against the league.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZoneDefense {
    /// FG % allowed, 0-1.
    pub pct: f64,
    /// Attempts allowed per zone game.
    pub attempts_per_game: f64,
    /// (pct − league) × 100, percentage points; positive = worse defense.
    pub vs_league: f64,
}

/// One team's analysis on one date.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamDefenseZone {
    /// Games in the window.
    pub games: usize,
    /// Of which with zones.
    pub zone_games: usize,
    /// Games needed.
    pub min_games: usize,
    /// Paint, mid-range and three; `None` below the minimum or without zones.
    pub paint: Option<ZoneDefense>,
    /// Mid-range.
    pub mid: Option<ZoneDefense>,
    /// Three.
    pub three: Option<ZoneDefense>,
    /// Paint points allowed per zone game.
    pub paint_points_per_game: Option<f64>,
    /// The league average used.
    pub league: LeagueZones,
    /// Mean defensive rating.
    pub def_rating: Option<f64>,
    /// Mean points allowed.
    pub opp_points: Option<f64>,
    /// Mean pace of those games.
    pub opp_pace: Option<f64>,
    /// In the first 21 days.
    pub early: bool,
    /// Why the metrics are missing.
    pub reason: Option<String>,
}

/// Games needed on day `day` of the season: min(5 + d/3, 14) in the first 21 days, else 15.
pub fn min_games(day: Day) -> usize {
    if day.early() {
        (5 + day.0.max(0) as usize / 3).min(14)
    } else {
        WINDOW
    }
}

impl TeamDefenseZone {
    /// Analyses `games` (the team's games before the date, ascending; only this season's
    /// count) on day `day` of season `season_year`.
    pub fn analyze(games: &[TeamGame], season_year: i64, day: Day, league: LeagueZones) -> TeamDefenseZone {
        // This season's games are a suffix of the date-ordered history.
        let window = last(&games[games.partition_point(|g| g.season_year < season_year)..], WINDOW);
        let need = min_games(day);
        let (z, zone_games) = Zones::sum(window.iter().filter_map(|g| g.opp_zones.as_ref()));
        let mut t = TeamDefenseZone {
            games: window.len(),
            zone_games,
            min_games: need,
            paint: None,
            mid: None,
            three: None,
            paint_points_per_game: None,
            league,
            def_rating: None,
            opp_points: None,
            opp_pace: None,
            early: day.early(),
            reason: None,
        };
        if window.len() < need {
            t.reason = Some(format!("{} games this season, {need} required", window.len()));
            return t;
        }
        let m = |f: fn(&TeamGame) -> Option<f64>| mean_of(window.iter().filter_map(f));
        t.def_rating = m(|g| g.def_rating);
        t.opp_points = m(|g| Some(g.points_allowed));
        t.opp_pace = m(|g| g.opp_pace);
        if zone_games == 0 {
            t.reason = Some("no shot zones in the window".into());
            return t;
        }
        let n = zone_games as f64;
        let zone = |a: f64, m: f64, league: f64| {
            (a > 0.0).then(|| ZoneDefense {
                pct: m / a,
                attempts_per_game: a / n,
                vs_league: (m / a - league) * 100.0,
            })
        };
        t.paint = zone(z.paint_a, z.paint_m, league.paint);
        t.mid = zone(z.mid_a, z.mid_m, league.mid);
        t.three = zone(z.three_a, z.three_m, league.three);
        t.paint_points_per_game = Some(2.0 * z.paint_m / n);
        t
    }

    /// The zone with the most negative (strongest) and most positive (weakest) value.
    pub fn strongest_weakest(&self) -> Option<(&'static str, &'static str)> {
        let zones = [("paint", self.paint?), ("mid_range", self.mid?), ("perimeter", self.three?)];
        let by = |a: &&(&str, ZoneDefense), b: &&(&str, ZoneDefense)| a.1.vs_league.total_cmp(&b.1.vs_league);
        Some((zones.iter().min_by(by)?.0, zones.iter().max_by(by)?.0))
    }

    /// The defense against the league per scoring zone: paint, mid-range, perimeter.
    pub fn vs_league_all(&self) -> [Option<f64>; 3] {
        [self.paint, self.mid, self.three].map(|z| z.map(|z| z.vs_league))
    }

    /// The table row.
    pub fn row(&self, team: &str, date: Date, season: &str) -> Vec<Value> {
        let z = |x: Option<ZoneDefense>, f: fn(ZoneDefense) -> f64| opt_real(x.map(f));
        let sw = self.strongest_weakest();
        vec![
            text(team),
            text(date_text(date)),
            text(season),
            Value::Integer(self.games as i64),
            Value::Integer(self.zone_games as i64),
            Value::Integer(self.min_games as i64),
            z(self.paint, |z| z.pct),
            z(self.paint, |z| z.attempts_per_game),
            opt_real(self.paint_points_per_game),
            z(self.paint, |z| z.vs_league),
            z(self.mid, |z| z.pct),
            z(self.mid, |z| z.attempts_per_game),
            z(self.mid, |z| z.vs_league),
            z(self.three, |z| z.pct),
            z(self.three, |z| z.attempts_per_game),
            z(self.three, |z| z.vs_league),
            text(if self.league.teams.is_some() { "computed" } else { "fallback" }),
            opt_int(self.league.teams.map(|n| n as i64)),
            opt_real(self.def_rating),
            opt_real(self.opp_points),
            opt_real(self.opp_pace),
            sw.map(|s| text(s.0)).unwrap_or(Value::Null),
            sw.map(|s| text(s.1)).unwrap_or(Value::Null),
            text(match self.games {
                n if n >= 15 => "high",
                n if n >= 10 => "medium",
                _ => "low",
            }),
            Value::Integer(self.early.into()),
            self.reason.clone().map(Value::Text).unwrap_or(Value::Null),
        ]
    }
}
