//! The canonical game id `YYYYMMDD_AWAY_HOME` and the source forms it is resolved from.

use crate::date::{compact_text, parse_compact, Date};
use crate::error::{Error, Result};
use crate::team::Team;
use std::fmt;

/// The canonical game id: the game's Eastern date, the away team and the home team,
/// written `YYYYMMDD_AWAY_HOME` (e.g. `20250120_BKN_MIL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GameId {
    /// The game's Eastern calendar date.
    pub date: Date,
    /// The away team (for neutral-site games, as the schedule lists it).
    pub away: Team,
    /// The home team.
    pub home: Team,
}

impl GameId {
    /// The basketball-reference id of the game: `YYYYMMDD0HHH` with the bbref home code.
    pub fn bbref_id(&self) -> String {
        format!("{}0{}", compact_text(self.date), self.home.bbref_code())
    }
}

impl fmt::Display for GameId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}_{}", compact_text(self.date), self.away, self.home)
    }
}

impl std::str::FromStr for GameId {
    type Err = Error;
    fn from_str(s: &str) -> Result<GameId> {
        match GameRef::parse(s)? {
            GameRef::Canonical(g) => Ok(g),
            _ => Err(Error::invalid("game id", s, "YYYYMMDD_AWAY_HOME")),
        }
    }
}

/// A game id as a source wrote it, before it is resolved against the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GameRef {
    /// Already canonical: `YYYYMMDD_AWAY_HOME`.
    Canonical(GameId),
    /// basketball-reference: `YYYYMMDD0HHH` (date and home team, no away team).
    Bbref {
        /// The game date.
        date: Date,
        /// The home team.
        home: Team,
    },
    /// NBA.com's 10-digit id (`0022400061`).
    Nba(String),
}

impl GameRef {
    /// Recognises any of the three forms.
    pub fn parse(s: &str) -> Result<GameRef> {
        let s = s.trim();
        let expected = "YYYYMMDD_AWAY_HOME, basketball-reference YYYYMMDD0HHH or NBA.com 10-digit id";
        if s.len() == 10 && s.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(GameRef::Nba(s.to_string()));
        }
        if let Some((d, rest)) = s.split_once('_') {
            let (away, home) = rest.split_once('_').ok_or_else(|| Error::invalid("game id", s, expected))?;
            let date = parse_compact(d).map_err(|_| Error::invalid("game id", s, expected))?;
            return Ok(GameRef::Canonical(GameId {
                date,
                away: Team::parse(away)?,
                home: Team::parse(home)?,
            }));
        }
        if s.len() == 12 && s.as_bytes()[8] == b'0' {
            let date = parse_compact(&s[..8]).map_err(|_| Error::invalid("game id", s, expected))?;
            return Ok(GameRef::Bbref { date, home: Team::parse(&s[9..])? });
        }
        Err(Error::invalid("game id", s, expected))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_forms() {
        let c = GameRef::parse("20250120_BKN_MIL").unwrap();
        let GameRef::Canonical(g) = c else { panic!() };
        assert_eq!(g.to_string(), "20250120_BKN_MIL");
        assert_eq!(g.bbref_id(), "202501200MIL");
        let b = GameRef::parse("202410220BRK").unwrap();
        assert_eq!(
            b,
            GameRef::Bbref {
                date: crate::parse_date("2024-10-22").unwrap(),
                home: Team::parse("BKN").unwrap()
            }
        );
        assert_eq!(GameRef::parse("0022400061").unwrap(), GameRef::Nba("0022400061".into()));
        assert!(GameRef::parse("garbage").is_err());
        assert!(GameRef::parse("20250120_BKN_XXX").is_err());
        // bbref home code round trip for the three teams whose codes differ.
        let g: GameId = "20250120_BOS_BKN".parse().unwrap();
        assert_eq!(g.bbref_id(), "202501200BRK");
    }
}
