//! Phase 4: rolling, point-in-time player features.
//!
//! Owns: `player_features` (today: games before the date, L5 / L10 / season points averages,
//! L10 standard deviation, games in the last 7 days). A row for game date D is computed from
//! `player_game_summary` rows dated strictly before D; D's own rows only say who is predicted.
//! Reads: `player_game_summary`. Writes: via the pipeline.
//! Depends on: `core`, `store`. Never on: `analytics`, `models`, `grading`, `publish`,
//! `pipeline`, `cli`.
#![deny(missing_docs)]

mod player_features;

pub use player_features::{PlayerFeatures, ScoringHistory};
