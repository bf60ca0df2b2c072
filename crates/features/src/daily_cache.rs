//! `player_daily_cache`: a player's and his team's recent form before the date (spec §3.11,
//! §4.5). Written only for players with 3+ games in the lookback.

use crate::composite::ShotFacts;
use crate::history::{PlayerGame, TeamGame};
use crate::util::{last, opt_real, text};
use crate::vector::season_suffix;
use propcast_core::stats::{mean_of, sample_std_of};
use propcast_core::{date_text, Date};
use propcast_store::Value;

/// Games needed for a row.
pub const ABSOLUTE_MIN_GAMES: usize = 3;

/// Fatigue fields copied from the pre-game context.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Workload {
    /// Games with D − 7 < date < D.
    pub games_7: i64,
    /// Games with D − 14 < date < D.
    pub games_14: i64,
    /// Minutes in those.
    pub minutes_7: f64,
    /// Minutes in those.
    pub minutes_14: f64,
    /// Back-to-backs in the 14 days.
    pub b2b_14: i64,
}

/// The values of a `player_daily_cache` row that later steps read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CacheFacts {
    /// Mean points, last 5.
    pub points_avg_last_5: f64,
    /// Mean points, last 10.
    pub points_avg_last_10: f64,
    /// Mean points this season.
    pub points_avg_season: Option<f64>,
    /// Sample std, last 10.
    pub points_std_last_10: Option<f64>,
    /// Games in the last 7 days.
    pub games_in_last_7_days: i64,
    /// Team pace, last 10.
    pub team_pace_last_10: Option<f64>,
    /// Team offensive rating, last 10.
    pub team_off_rating_last_10: Option<f64>,
    /// Season usage, 0-100.
    pub player_usage_rate_season: Option<f64>,
}

/// One player's cache row.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyCache {
    /// What later steps read.
    pub facts: CacheFacts,
    /// Games in the lookback.
    pub games: usize,
    /// Mean minutes, last 10.
    pub minutes_avg_last_10: f64,
    /// Mean usage, last 10.
    pub usage_rate_last_10: Option<f64>,
    /// True shooting, last 10.
    pub ts_pct_last_10: Option<f64>,
    /// Games this season.
    pub games_played_season: usize,
    /// From the context.
    pub workload: Workload,
}

/// Points, minutes and usage summaries of a player's games played before the date, shared
/// with the feature store's phase-3 fallback.
pub fn scoring(
    played: &[&PlayerGame],
    season_year: i64,
) -> (Option<f64>, Option<f64>, Option<f64>, Option<f64>) {
    let pts = |w: &[&PlayerGame]| mean_of(w.iter().map(|g| g.points));
    let l10 = last(played, 10).iter().map(|g| g.points);
    (pts(last(played, 5)), pts(last(played, 10)), pts(season_suffix(played, season_year)), sample_std_of(l10))
}

/// Mean pace and offensive rating of a team's last 10 games.
pub fn team_form(team: &[TeamGame]) -> (Option<f64>, Option<f64>) {
    let w = last(team, 10);
    (mean_of(w.iter().filter_map(|g| g.pace)), mean_of(w.iter().filter_map(|g| g.off_rating)))
}

impl DailyCache {
    /// Summarises `history` (the player's rows before the date) and `team` (his team's games
    /// before the date); `None` with fewer than 3 games played.
    pub fn summarize(
        history: &[PlayerGame],
        team: &[TeamGame],
        season_year: i64,
        workload: Workload,
    ) -> Option<DailyCache> {
        let mut played: Vec<&PlayerGame> = Vec::with_capacity(history.len());
        played.extend(history.iter().filter(|g| g.played()));
        if played.len() < ABSOLUTE_MIN_GAMES {
            return None;
        }
        let (l5, l10, season_avg, std10) = scoring(&played, season_year);
        let w10 = last(&played, 10);
        let season = season_suffix(&played, season_year);
        let (pts10, tsa10) =
            w10.iter().fold((0.0, 0.0), |(p, a), g| (p + g.points, a + g.fga + 0.44 * g.fta));
        let (pace, ortg) = team_form(team);
        Some(DailyCache {
            facts: CacheFacts {
                points_avg_last_5: l5?,
                points_avg_last_10: l10?,
                points_avg_season: season_avg,
                points_std_last_10: std10,
                games_in_last_7_days: workload.games_7,
                team_pace_last_10: pace,
                team_off_rating_last_10: ortg,
                player_usage_rate_season: mean_of(season.iter().filter_map(|g| g.usage)),
            },
            games: played.len(),
            minutes_avg_last_10: mean_of(w10.iter().map(|g| g.minutes))?,
            usage_rate_last_10: mean_of(w10.iter().filter_map(|g| g.usage)),
            ts_pct_last_10: (tsa10 > 0.0).then(|| pts10 / (2.0 * tsa10)),
            games_played_season: season.len(),
            workload,
        })
    }

    /// The table row.
    pub fn row(
        &self,
        player: &str,
        date: Date,
        season: &str,
        team: &str,
        shot: Option<&ShotFacts>,
    ) -> Vec<Value> {
        let f = &self.facts;
        let w = &self.workload;
        vec![
            text(player),
            text(date_text(date)),
            text(season),
            text(team),
            Value::Integer(self.games as i64),
            Value::Real(f.points_avg_last_5),
            Value::Real(f.points_avg_last_10),
            opt_real(f.points_avg_season),
            opt_real(f.points_std_last_10),
            Value::Real(self.minutes_avg_last_10),
            opt_real(self.usage_rate_last_10),
            opt_real(self.ts_pct_last_10),
            Value::Integer(self.games_played_season as i64),
            opt_real(f.team_pace_last_10),
            opt_real(f.team_off_rating_last_10),
            opt_real(f.player_usage_rate_season),
            Value::Integer(w.games_7),
            Value::Integer(w.games_14),
            Value::Real(w.minutes_7),
            Value::Real(w.minutes_14),
            Value::Integer(w.b2b_14),
            opt_real((w.games_7 > 0).then(|| w.minutes_7 / w.games_7 as f64)),
            shot.map(|z| text(z.zone.clone())).unwrap_or(Value::Null),
            opt_real(shot.map(|z| z.paint_rate)),
            opt_real(shot.map(|z| z.three_rate)),
            Value::Integer(shot.is_some().into()),
            Value::Integer((self.games_played_season < 10).into()),
        ]
    }
}
