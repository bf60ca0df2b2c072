//! Seasons ("2024-25", season_year 2024) and game types.

use crate::date::Date;
use crate::error::{Error, Result};
use chrono::Datelike;
use std::fmt;

/// An NBA season, named by the calendar year in which it starts (`season_year`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Season(i32);

impl Season {
    /// The season that starts in `season_year` (2024 for "2024-25").
    pub fn from_year(season_year: i32) -> Season {
        Season(season_year)
    }

    /// Parses "2024-25" (the second part must be the next year's last two digits).
    pub fn parse(s: &str) -> Result<Season> {
        let bad = || Error::invalid("season", s, "YYYY-YY, e.g. 2024-25");
        let (a, b) = s.split_once('-').ok_or_else(bad)?;
        if a.len() != 4 || b.len() != 2 {
            return Err(bad());
        }
        let y: i32 = a.parse().map_err(|_| bad())?;
        let n: i32 = b.parse().map_err(|_| bad())?;
        if (y + 1) % 100 != n {
            return Err(bad());
        }
        Ok(Season(y))
    }

    /// The calendar year in which the season starts.
    pub fn year(self) -> i32 {
        self.0
    }

    /// The widest window of dates a season can hold: 1 July of its start year to 31 October
    /// of the next (the 2019-20 season ended in October 2020). Used to reject a date that
    /// cannot belong to the season a row claims; the real span comes from the schedule
    /// ([`crate::SeasonCalendar`]).
    pub fn plausible_window(self) -> (Date, Date) {
        // Both dates exist in every year.
        let start = chrono::NaiveDate::from_ymd_opt(self.0, 7, 1).expect("1 July exists");
        let end = chrono::NaiveDate::from_ymd_opt(self.0 + 1, 10, 31).expect("31 October exists");
        (start, end)
    }

    /// The season whose plausible window holds `date` by the usual rule (months from July on
    /// belong to the season starting that year). Only a hint; the schedule decides.
    pub fn hint_for(date: Date) -> Season {
        if date.month() >= 7 {
            Season(date.year())
        } else {
            Season(date.year() - 1)
        }
    }
}

impl fmt::Display for Season {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.0, (self.0 + 1) % 100)
    }
}

/// The type of a game, as the schedule gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SeasonType {
    /// Regular season (NBA Cup group and knockout games before the final included).
    RegularSeason,
    /// Play-in tournament.
    PlayIn,
    /// Playoffs.
    Playoffs,
    /// The NBA Cup final, which does not count in regular-season statistics.
    CupFinal,
}

impl SeasonType {
    /// Parses the data set's names (`Regular Season`, `PlayIn`, `Playoffs`, `CupFinal`) and
    /// common variants.
    pub fn parse(s: &str) -> Result<SeasonType> {
        let k: String =
            s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        Ok(match k.as_str() {
            "regularseason" | "regular" => SeasonType::RegularSeason,
            "playin" => SeasonType::PlayIn,
            "playoffs" | "playoff" | "postseason" => SeasonType::Playoffs,
            "cupfinal" | "nbacupfinal" | "istfinal" => SeasonType::CupFinal,
            _ => {
                return Err(Error::invalid("season type", s, "Regular Season, PlayIn, Playoffs or CupFinal"))
            }
        })
    }

    /// The canonical name stored in the warehouse.
    pub fn as_str(self) -> &'static str {
        match self {
            SeasonType::RegularSeason => "Regular Season",
            SeasonType::PlayIn => "PlayIn",
            SeasonType::Playoffs => "Playoffs",
            SeasonType::CupFinal => "CupFinal",
        }
    }
}

impl fmt::Display for SeasonType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seasons_round_trip() {
        let s = Season::parse("2024-25").unwrap();
        assert_eq!(s.year(), 2024);
        assert_eq!(s.to_string(), "2024-25");
        assert_eq!(Season::parse("1999-00").unwrap().to_string(), "1999-00");
        assert!(Season::parse("2024-26").is_err());
        assert!(Season::parse("2024").is_err());
    }

    #[test]
    fn season_types() {
        assert_eq!(SeasonType::parse("Regular Season").unwrap(), SeasonType::RegularSeason);
        assert_eq!(SeasonType::parse("PlayIn").unwrap(), SeasonType::PlayIn);
        assert_eq!(SeasonType::parse("Play-In").unwrap(), SeasonType::PlayIn);
        assert!(SeasonType::parse("Preseason").is_err());
    }
}
