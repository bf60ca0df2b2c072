//! NBA team tricodes, with every known source variant mapped to the NBA.com code.

use crate::error::{Error, Result};
use std::fmt;

/// The 30 NBA.com tricodes, in alphabetical order.
pub const TRICODES: [&str; 30] = [
    "ATL", "BKN", "BOS", "CHA", "CHI", "CLE", "DAL", "DEN", "DET", "GSW", "HOU", "IND", "LAC", "LAL", "MEM",
    "MIA", "MIL", "MIN", "NOP", "NYK", "OKC", "ORL", "PHI", "PHX", "POR", "SAC", "SAS", "TOR", "UTA", "WAS",
];

/// Source variants (basketball-reference, ESPN, historical) and the tricode they mean.
const VARIANTS: [(&str, &str); 14] = [
    ("BRK", "BKN"),
    ("NJN", "BKN"),
    ("CHO", "CHA"),
    ("CHH", "CHA"),
    ("PHO", "PHX"),
    ("GS", "GSW"),
    ("NO", "NOP"),
    ("NOH", "NOP"),
    ("NY", "NYK"),
    ("SA", "SAS"),
    ("UTAH", "UTA"),
    ("UTH", "UTA"),
    ("WSH", "WAS"),
    ("WSB", "WAS"),
];

/// An NBA team, stored as its NBA.com tricode (`BKN`, `CHA`, `PHX`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Team(u8);

impl Team {
    /// Parses a tricode or any known variant (`BRK`, `CHO`, `PHO`, `GS`, `NO`, `NY`, `SA`,
    /// `UTAH`, `WSH`, ...), case-insensitively.
    pub fn parse(s: &str) -> Result<Team> {
        // Upper-cased on the stack: every box-score row parses two codes.
        let t = s.trim().as_bytes();
        let mut buf = [0u8; 8];
        let up = match buf.get_mut(..t.len()) {
            Some(b) => {
                b.copy_from_slice(t);
                b.make_ascii_uppercase();
                std::str::from_utf8(b).unwrap_or_default()
            }
            None => "",
        };
        // Tricodes first (sorted: a binary search), then the variants (none is a tricode).
        TRICODES
            .binary_search(&up)
            .or_else(|_| {
                let code = VARIANTS.iter().find(|(v, _)| *v == up).map_or(up, |(_, c)| *c);
                TRICODES.binary_search(&code)
            })
            .ok()
            .map(|i| Team(i as u8))
            .ok_or_else(|| Error::invalid("team code", s, format!("one of {}", TRICODES.join(" "))))
    }

    /// The NBA.com tricode.
    pub fn code(self) -> &'static str {
        TRICODES[self.0 as usize]
    }

    /// The basketball-reference code (differs for BKN, CHA, PHX).
    pub fn bbref_code(self) -> &'static str {
        match self.code() {
            "BKN" => "BRK",
            "CHA" => "CHO",
            "PHX" => "PHO",
            c => c,
        }
    }

    /// All 30 teams.
    pub fn all() -> impl Iterator<Item = Team> {
        (0..30u8).map(Team)
    }
}

impl fmt::Display for Team {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Team {
    type Err = Error;
    fn from_str(s: &str) -> Result<Team> {
        Team::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_map_to_tricodes() {
        // `parse` binary-searches the tricodes and reads a variant only when no tricode matched.
        assert!(TRICODES.is_sorted());
        for t in TRICODES {
            assert_eq!(Team::parse(t).unwrap().code(), t);
            assert!(!VARIANTS.iter().any(|(v, _)| *v == t));
        }
        for (v, c) in [
            ("BRK", "BKN"),
            ("CHO", "CHA"),
            ("PHO", "PHX"),
            ("GS", "GSW"),
            ("NO", "NOP"),
            ("NY", "NYK"),
            ("SA", "SAS"),
            ("UTAH", "UTA"),
            ("WSH", "WAS"),
            ("bos", "BOS"),
            (" Utah ", "UTA"),
            ("gsw", "GSW"),
        ] {
            assert_eq!(Team::parse(v).unwrap().code(), c, "{v}");
        }
        assert!(Team::parse("XYZ").is_err());
        assert!(Team::parse("").is_err());
        assert!(Team::parse("BOSTON CELTICS").is_err(), "longer than any code");
        assert_eq!(Team::parse("BKN").unwrap().bbref_code(), "BRK");
        assert_eq!(Team::all().count(), 30);
    }
}
