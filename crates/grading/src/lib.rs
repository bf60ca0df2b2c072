//! Phase 5B: predictions judged against outcomes and lines.
//!
//! Owns: `prediction_accuracy`, one row per active prediction: absolute and signed error,
//! the line, whether the pick was right (NULL for PASS, NO_LINE, a push or a void), and
//! voiding when the player did not play.
//! Reads: `player_prop_predictions` and `player_game_summary` of the date. Writes: via the
//! pipeline.
//! Depends on: `core`, `store`. Never on: `analytics`, `features`, `models`, `publish`,
//! `pipeline`, `cli`.
#![deny(missing_docs)]

mod grade;

pub use grade::{pick_correct, Grade};
