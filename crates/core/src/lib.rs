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
