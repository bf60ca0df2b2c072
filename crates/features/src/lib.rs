//! Phase 4: rolling, point-in-time player features.
//!
//! Owns: `player_features` (today: games before the date, L5 / L10 / season points averages,
//! L10 standard deviation, games in the last 7 days). A row for game date D is computed from
//! `player_game_summary` rows dated strictly before D, for the pre-game population of D
//! (`upcoming_player_game_context`).
//! Reads: `player_game_summary` (earlier dates), `upcoming_player_game_context` and `schedule`
//! (the date). Writes: via the pipeline.
//! Depends on: `core`, `store`. Never on: `analytics`, `models`, `grading`, `publish`,
//! `pipeline`, `cli`.
#![deny(missing_docs)]

mod player_features;

pub use player_features::{PlayerFeatures, ScoringHistory};
