//! Arena locations (compiled in from `data/static/team_locations.json`) and travel between
//! them: great-circle miles and time zones crossed.

use propcast_core::Team;
use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

const LOCATIONS_JSON: &str = include_str!("../../../data/static/team_locations.json");

/// A team's home arena.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arena {
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Standard-time UTC offset, hours (daylight saving ignored: both ends shift together).
    pub utc_offset: i64,
}

fn utc_offset(tz: &str) -> Option<i64> {
    Some(match tz {
        "America/New_York" | "America/Detroit" | "America/Toronto" | "America/Indiana/Indianapolis" => -5,
        "America/Chicago" => -6,
        "America/Denver" | "America/Phoenix" => -7,
        "America/Los_Angeles" => -8,
        _ => return None,
    })
}

fn arenas() -> &'static HashMap<Team, Arena> {
    static ARENAS: OnceLock<HashMap<Team, Arena>> = OnceLock::new();
    ARENAS.get_or_init(|| {
        let v: serde_json::Value = serde_json::from_str(LOCATIONS_JSON).unwrap_or_default();
        let mut m = HashMap::default();
        if let Some(teams) = v["teams"].as_object() {
            for (code, t) in teams {
                let (Ok(team), Some(lat), Some(lon), Some(off)) = (
                    Team::parse(code),
                    t["coordinates"][0].as_f64(),
                    t["coordinates"][1].as_f64(),
                    t["timezone"].as_str().and_then(utc_offset),
                ) else {
                    continue;
                };
                m.insert(team, Arena { lat, lon, utc_offset: off });
            }
        }
        m
    })
}

/// The arena of a team (games are placed at the home team's arena; the few neutral-site
/// games of the data set, Mexico City, Paris and the Cup semi-finals, are approximated so).
pub fn arena(team: Team) -> Option<Arena> {
    arenas().get(&team).copied()
}

/// Great-circle distance in statute miles.
pub fn miles(a: Arena, b: Arena) -> f64 {
    let r = 3958.8;
    let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
    let dp = p2 - p1;
    let dl = (b.lon - a.lon).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin()
}

/// Time zones between two arenas.
pub fn zones_crossed(a: Arena, b: Arena) -> i64 {
    (a.utc_offset - b.utc_offset).abs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_team_has_an_arena_and_distances_are_sane() {
        for t in Team::all() {
            assert!(arena(t).is_some(), "{t}");
        }
        let bos = arena(Team::parse("BOS").unwrap()).unwrap();
        let lal = arena(Team::parse("LAL").unwrap()).unwrap();
        let d = miles(bos, lal);
        assert!((2550.0..2650.0).contains(&d), "Boston to Los Angeles {d}");
        assert_eq!(zones_crossed(bos, lal), 3);
        assert_eq!(miles(bos, bos), 0.0);
    }
}
