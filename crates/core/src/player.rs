//! Player ids and the normalized name key `player_lookup`.

use crate::error::{Error, Result};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// A canonical player id: the basketball-reference slug where known (`tatumja01`),
/// otherwise `nba:<NBA.com person id>` (`nba:1631376`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlayerId(String);

impl PlayerId {
    /// Parses a bbref slug (lowercase letters, digits, `.`, `'` and `-`, ending in two digits)
    /// or the `nba:<digits>` form.
    pub fn parse(s: &str) -> Result<PlayerId> {
        let s = s.trim();
        if let Some(n) = s.strip_prefix("nba:") {
            return PlayerId::from_nba(n);
        }
        let ok = s.len() >= 3
            && s.len() <= 12
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"'.-".contains(&b))
            && s.as_bytes()[s.len() - 2..].iter().all(|b| b.is_ascii_digit());
        if ok {
            Ok(PlayerId(s.to_string()))
        } else {
            Err(Error::invalid("player id", s, "a basketball-reference slug (tatumja01) or nba:<person id>"))
        }
    }

    /// The `nba:<id>` form for an NBA.com person id.
    pub fn from_nba(person_id: &str) -> Result<PlayerId> {
        let n = person_id.trim();
        let n = n.strip_suffix(".0").unwrap_or(n);
        if n.is_empty() || n.len() > 12 || !n.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid("NBA.com person id", person_id, "digits"));
        }
        Ok(PlayerId(format!("nba:{n}")))
    }

    /// The NBA.com person id if this is an `nba:` id.
    pub fn nba_id(&self) -> Option<&str> {
        self.0.strip_prefix("nba:")
    }

    /// The id as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PlayerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The normalized name key: NFKD, diacritics removed, lowercase ASCII letters and digits only.
/// Turkish dotless ı and dotted İ become `i`; `ø`, `đ`, `ł`, `ß`, `æ` are spelled out.
///
/// "José Alvarado" → `josealvarado`, "LeBron James Jr." → `lebronjamesjr`.
pub fn player_lookup(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.nfkd() {
        let lower: &str = match c {
            'ı' | 'İ' => "i",
            'ø' | 'Ø' => "o",
            'đ' | 'Đ' => "d",
            'ł' | 'Ł' => "l",
            'ß' => "ss",
            'æ' | 'Æ' => "ae",
            _ => {
                if c.is_ascii_alphanumeric() {
                    out.push(c.to_ascii_lowercase());
                }
                continue;
            }
        };
        out.push_str(lower);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_keys() {
        assert_eq!(player_lookup("José Alvarado"), "josealvarado");
        assert_eq!(player_lookup("LeBron James Jr."), "lebronjamesjr");
        assert_eq!(player_lookup("Nikola Jokić"), "nikolajokic");
        assert_eq!(player_lookup("Luka Dončić"), "lukadoncic");
        assert_eq!(player_lookup("Dāvis Bertāns"), "davisbertans");
        assert_eq!(player_lookup("Furkan Korkmaz"), "furkankorkmaz");
        assert_eq!(player_lookup("Cenk Akyol İlyasova"), "cenkakyolilyasova");
        assert_eq!(player_lookup("D'Angelo Russell"), "dangelorussell");
        assert_eq!(player_lookup("Kristaps Porziņģis"), "kristapsporzingis");
    }

    #[test]
    fn player_ids() {
        assert_eq!(PlayerId::parse("tatumja01").unwrap().as_str(), "tatumja01");
        assert_eq!(PlayerId::parse("nba:1631376").unwrap().nba_id(), Some("1631376"));
        assert_eq!(PlayerId::from_nba("1631376.0").unwrap().as_str(), "nba:1631376");
        assert!(PlayerId::parse("Tatum").is_err());
        assert!(PlayerId::parse("nba:abc").is_err());
    }
}
