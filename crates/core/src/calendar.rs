//! The season calendar, derived from the schedule (never hard-coded).

use crate::date::Date;
use crate::season::{Season, SeasonType};
use std::collections::BTreeMap;

/// Length of the bootstrap window: the first 14 days of each regular season, in which
/// assets that need history have too little of it (spec §4.6).
pub const BOOTSTRAP_DAYS: i64 = 14;

/// One season's span as the schedule shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeasonSpan {
    /// The season.
    pub season: Season,
    /// Date of the first regular-season game.
    pub regular_start: Date,
    /// Date of the last regular-season game.
    pub regular_end: Date,
    /// Date of the first play-in game, if any.
    pub playin_start: Option<Date>,
    /// Date of the first playoff game, if any.
    pub playoffs_start: Option<Date>,
    /// Date of the last game of any type.
    pub season_end: Date,
    /// The last date of the bootstrap window (regular_start + 13 days).
    pub bootstrap_end: Date,
    /// Number of games of each type.
    pub games: BTreeMap<SeasonType, u32>,
    /// Every date with at least one game, ascending.
    pub game_dates: Vec<Date>,
}

impl SeasonSpan {
    /// Whether `date` falls in the season's first [`BOOTSTRAP_DAYS`] days.
    pub fn is_bootstrap(&self, date: Date) -> bool {
        date >= self.regular_start && date <= self.bootstrap_end
    }

    /// Whether `date` lies between the first and the last game of the season.
    pub fn contains(&self, date: Date) -> bool {
        date >= self.regular_start.min(self.first_date()) && date <= self.season_end
    }

    fn first_date(&self) -> Date {
        self.game_dates.first().copied().unwrap_or(self.regular_start)
    }
}

/// Every season's span, derived from `(season, season_type, game_date)` of each game.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeasonCalendar {
    spans: BTreeMap<Season, SeasonSpan>,
}

impl SeasonCalendar {
    /// Builds the calendar from the schedule's games. A season with no regular-season game
    /// takes its first game of any type as its start.
    pub fn from_games(games: impl IntoIterator<Item = (Season, SeasonType, Date)>) -> Self {
        let mut by_season: BTreeMap<Season, Vec<(SeasonType, Date)>> = BTreeMap::new();
        for (s, t, d) in games {
            by_season.entry(s).or_default().push((t, d));
        }
        let spans = by_season
            .into_iter()
            .map(|(season, games)| {
                let min_of = |f: &dyn Fn(SeasonType) -> bool| {
                    games.iter().filter(|(t, _)| f(*t)).map(|(_, d)| *d).min()
                };
                let all_min = min_of(&|_| true).expect("a season has at least one game");
                let all_max = games.iter().map(|(_, d)| *d).max().expect("non-empty");
                let regular_start = min_of(&|t| t == SeasonType::RegularSeason).unwrap_or(all_min);
                let regular_end = games
                    .iter()
                    .filter(|(t, _)| *t == SeasonType::RegularSeason)
                    .map(|(_, d)| *d)
                    .max()
                    .unwrap_or(all_max);
                let mut counts = BTreeMap::new();
                for (t, _) in &games {
                    *counts.entry(*t).or_insert(0u32) += 1;
                }
                let mut dates: Vec<Date> = games.iter().map(|(_, d)| *d).collect();
                dates.sort();
                dates.dedup();
                let span = SeasonSpan {
                    season,
                    regular_start,
                    regular_end,
                    playin_start: min_of(&|t| t == SeasonType::PlayIn),
                    playoffs_start: min_of(&|t| t == SeasonType::Playoffs),
                    season_end: all_max,
                    bootstrap_end: regular_start + chrono::Duration::days(BOOTSTRAP_DAYS - 1),
                    games: counts,
                    game_dates: dates,
                };
                (season, span)
            })
            .collect();
        SeasonCalendar { spans }
    }

    /// The seasons, oldest first.
    pub fn seasons(&self) -> impl Iterator<Item = &SeasonSpan> {
        self.spans.values()
    }

    /// One season's span.
    pub fn span(&self, season: Season) -> Option<&SeasonSpan> {
        self.spans.get(&season)
    }

    /// The season whose span holds `date`, if any.
    pub fn season_of(&self, date: Date) -> Option<&SeasonSpan> {
        self.spans.values().find(|s| s.contains(date))
    }

    /// Every game date of every season, ascending.
    pub fn all_dates(&self) -> Vec<Date> {
        self.spans.values().flat_map(|s| s.game_dates.iter().copied()).collect()
    }

    /// Whether the calendar has no season.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_date;

    #[test]
    fn spans_and_bootstrap() {
        let s = Season::parse("2024-25").unwrap();
        let d = |x| parse_date(x).unwrap();
        let cal = SeasonCalendar::from_games([
            (s, SeasonType::RegularSeason, d("2024-10-22")),
            (s, SeasonType::RegularSeason, d("2025-04-13")),
            (s, SeasonType::CupFinal, d("2024-12-17")),
            (s, SeasonType::PlayIn, d("2025-04-15")),
            (s, SeasonType::Playoffs, d("2025-06-22")),
        ]);
        let span = cal.span(s).unwrap();
        assert_eq!(span.regular_start, d("2024-10-22"));
        assert_eq!(span.regular_end, d("2025-04-13"));
        assert_eq!(span.season_end, d("2025-06-22"));
        assert_eq!(span.bootstrap_end, d("2024-11-04"));
        assert!(span.is_bootstrap(d("2024-11-04")));
        assert!(!span.is_bootstrap(d("2024-11-05")));
        assert_eq!(cal.season_of(d("2025-01-01")).unwrap().season, s);
        assert!(cal.season_of(d("2025-08-01")).is_none());
        assert_eq!(span.games[&SeasonType::CupFinal], 1);
    }
}
