//! Phase 5A: prediction systems.
//!
//! Owns: `player_prop_predictions`. Systems: the moving-average baseline (`moving_average`:
//! 0.50·L5 + 0.30·L10 + 0.20·season, confidence and recommendation as the original's
//! contract) and a LightGBM model (`gbm`: one per season, trained on earlier seasons only),
//! judged against the consensus pre-game points line.
//! Reads: `ml_feature_store` and `upcoming_player_game_context` (its consensus pre-game line)
//! of the date; `gbm` also their earlier dates (training rows and labels). Writes: via the pipeline.
//! Depends on: `core`, `store`. Never on: `analytics`, `features`, `grading`, `publish`,
//! `pipeline`, `cli`.
#![deny(missing_docs)]

pub mod backtest;
mod ensemble;
pub mod gate;
pub mod gbm;
mod moving_average;
mod prediction;
pub mod train;

pub use ensemble::Ensemble;
pub use gbm::GbmPredictions;
pub use moving_average::{MovingAverage, MovingAverageConfig, Recommendation};
