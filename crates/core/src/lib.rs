//! Domain types and canonical identities shared by every propcast room.
//!
//! Owns: dates, seasons and season types, team tricodes, the canonical game id
//! (`YYYYMMDD_AWAY_HOME`) and its source forms, player ids and the `player_lookup`
//! name key, the season calendar, and the names of warehouse tables.
//! Reads and writes: nothing (pure types and functions).
//! Depends on: nothing inside propcast. Every other crate depends on this one.
//!
//! Ids are parsed once, at ingest, into these newtypes; a value of one of these types
//! is always valid, so later rooms never re-validate strings.
//!
//! ```
//! use propcast_core::{GameId, Team, player_lookup};
//! let id: GameId = "20250120_BKN_MIL".parse().unwrap();
//! assert_eq!(id.home, Team::parse("MIL").unwrap());
//! assert_eq!(id.bbref_id(), "202501200MIL");
//! assert_eq!(player_lookup("José Alvarado"), "josealvarado");
//! ```
#![deny(missing_docs)]

mod calendar;
mod date;
mod error;
pub mod features;
mod game;
mod player;
pub mod schema;
mod season;
pub mod stats;
pub mod tables;
mod team;

pub use calendar::{SeasonCalendar, SeasonSpan, BOOTSTRAP_DAYS};
pub use date::{date_text, parse_date, Date};
pub use error::{Error, Result};
pub use game::{GameId, GameRef};
pub use player::{player_lookup, PlayerId};
pub use season::{Season, SeasonType};
pub use team::Team;

/// Two canonical ids (game, player, team: none holds a space) as one map key, `"a b"`: a map
/// keyed by a pair of owned strings needs both copied for every lookup.
pub fn id_pair(a: &str, b: &str) -> String {
    let mut k = String::with_capacity(a.len() + b.len() + 1);
    id_pair_into(&mut k, a, b);
    k
}

/// [`id_pair`] written into `buf` (cleared first), for a lookup without an allocation.
pub fn id_pair_in<'b>(buf: &'b mut String, a: &str, b: &str) -> &'b str {
    buf.clear();
    id_pair_into(buf, a, b);
    buf
}

fn id_pair_into(buf: &mut String, a: &str, b: &str) {
    buf.push_str(a);
    buf.push(' ');
    buf.push_str(b);
}
