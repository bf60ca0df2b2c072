//! Box-score formulas (spec §4.1), with the original's defects fixed: team minutes are the
//! real ones (240 + 25 per overtime), usage above 100 is rejected, rates are 0-1.

/// Player-minutes in regulation (5 players × 48 minutes).
pub const REGULATION_TEAM_MINUTES: f64 = 240.0;

/// Overtime periods from a team's player-minutes: (player-minutes − 240) / 25.
pub fn overtime_periods(team_minutes: f64) -> i64 {
    (((team_minutes - REGULATION_TEAM_MINUTES) / 25.0).round() as i64).max(0)
}

/// Game length in minutes: 48 + 5 per overtime.
pub fn game_minutes(team_minutes: f64) -> f64 {
    48.0 + 5.0 * overtime_periods(team_minutes) as f64
}

/// Possessions estimate: FGA + 0.44 FTA + TOV − OREB.
pub fn possessions(fga: f64, fta: f64, tov: f64, oreb: f64) -> f64 {
    fga + 0.44 * fta + tov - oreb
}

/// Possessions per 48 minutes.
pub fn pace(possessions: f64, game_minutes: f64) -> Option<f64> {
    (game_minutes > 0.0).then(|| possessions * 48.0 / game_minutes)
}

/// Points per 100 possessions.
pub fn rating(points: f64, possessions: f64) -> Option<f64> {
    (possessions > 0.0).then(|| 100.0 * points / possessions)
}

/// True shooting %, 0-1: PTS / (2 (FGA + 0.44 FTA)); `None` without attempts.
pub fn ts_pct(pts: f64, fga: f64, fta: f64) -> Option<f64> {
    let d = 2.0 * (fga + 0.44 * fta);
    (fga + fta > 0.0 && d > 0.0).then(|| pts / d)
}

/// Effective FG %, 0-1: (FGM + 0.5 3PM) / FGA; `None` without field-goal attempts.
pub fn efg_pct(fgm: f64, fg3m: f64, fga: f64) -> Option<f64> {
    (fga > 0.0).then(|| (fgm + 0.5 * fg3m) / fga)
}

/// One side of the usage formula: FGA + 0.44 FTA + TOV.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UsageCounts {
    /// Field goals attempted.
    pub fga: f64,
    /// Free throws attempted.
    pub fta: f64,
    /// Turnovers.
    pub tov: f64,
}

impl UsageCounts {
    fn plays(&self) -> f64 {
        self.fga + 0.44 * self.fta + self.tov
    }
}

/// Usage %, 0-100: 100 × plays_p × (team player-minutes / 5) / (minutes_p × plays_team), with
/// the team's real player-minutes (265 after one overtime). `None` without minutes or team
/// plays. The result may exceed 100 for tiny samples; the caller rejects it.
pub fn usage_rate(player: UsageCounts, minutes: f64, team: UsageCounts, team_minutes: f64) -> Option<f64> {
    let tp = team.plays();
    (minutes > 0.0 && tp > 0.0 && team_minutes > 0.0)
        .then(|| 100.0 * player.plays() * (team_minutes / 5.0) / (minutes * tp))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn usage_uses_the_real_team_minutes_in_overtime() {
        let p = UsageCounts { fga: 20.0, fta: 5.0, tov: 3.0 };
        let t = UsageCounts { fga: 90.0, fta: 25.0, tov: 14.0 };
        // One overtime: 265 player-minutes, so a 48-minute game's 240 understates usage.
        let ot = usage_rate(p, 40.0, t, 265.0).unwrap();
        let expected = 100.0 * (20.0 + 2.2 + 3.0) * 53.0 / (40.0 * (90.0 + 11.0 + 14.0));
        assert!(close(ot, expected), "{ot} vs {expected}");
        let fixed240 = usage_rate(p, 40.0, t, 240.0).unwrap();
        assert!(ot > fixed240, "the original's fixed 240 under-scales overtime games");
        assert_eq!(overtime_periods(265.0), 1);
        assert_eq!(overtime_periods(240.0), 0);
        assert_eq!(overtime_periods(315.0), 3);
        assert!(close(game_minutes(265.0), 53.0));
        assert_eq!(usage_rate(p, 0.0, t, 240.0), None);
    }

    #[test]
    fn tiny_samples_can_exceed_100() {
        // One minute, two shots and a turnover, on a team with few plays: above 100.
        let u = usage_rate(
            UsageCounts { fga: 2.0, fta: 0.0, tov: 1.0 },
            0.5,
            UsageCounts { fga: 70.0, fta: 10.0, tov: 10.0 },
            240.0,
        )
        .unwrap();
        assert!(u > 100.0, "{u}");
    }

    #[test]
    fn shooting_rates_are_fractions_and_missing_without_attempts() {
        assert!(close(ts_pct(20.0, 15.0, 5.0).unwrap(), 20.0 / (2.0 * 17.2)));
        assert_eq!(ts_pct(0.0, 0.0, 0.0), None);
        assert!(close(efg_pct(6.0, 2.0, 14.0).unwrap(), 7.0 / 14.0));
        assert_eq!(efg_pct(0.0, 0.0, 0.0), None);
        assert!(close(possessions(88.0, 25.0, 12.0, 9.0), 102.0));
        assert!(close(pace(102.0, 53.0).unwrap(), 102.0 * 48.0 / 53.0));
        assert!(close(rating(110.0, 100.0).unwrap(), 110.0));
    }
}
