//! Phase 5A: prediction systems.
//!
//! Owns: `player_prop_predictions`. Today one system, the moving-average baseline
//! (`moving_average`: 0.50·L5 + 0.30·L10 + 0.20·season, confidence and recommendation as the
//! original's contract), judged against the consensus pre-game points line.
//! Reads: `ml_feature_store` and `upcoming_player_game_context` (its consensus pre-game line)
//! of the date. Writes: via the pipeline.
//! Depends on: `core`, `store`. Never on: `analytics`, `features`, `grading`, `publish`,
//! `pipeline`, `cli`.
#![deny(missing_docs)]

mod moving_average;

pub use moving_average::{MovingAverage, MovingAverageConfig, Recommendation};
