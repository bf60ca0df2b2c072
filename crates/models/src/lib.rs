//! Phase 5A: prediction systems.
//!
//! Owns: `player_prop_predictions`. Systems (spec §6.3, its bugs fixed): the rules
//! `moving_average` (0.50·L5 + 0.30·L10 + 0.20·season), `zone_matchup` and `similarity`
//! (`rules`); a LightGBM model (`gbm`: one per season, trained on earlier seasons only); the
//! `ensemble` of the four, weighted by recent error. Each gives points, P(over) from
//! out-of-sample residuals by tier (`calibration`), a confidence and a recommendation
//! against the consensus pre-game points line, with the thresholds and gate mode of
//! `config/predictions.toml` (`config`) after the quality gate (`gate`). Also the trainer
//! with its governance gates (`train`) and walk-forward backtests (`backtest`).
//! Reads: `ml_feature_store` and `upcoming_player_game_context` of the date; the phase-4
//! zone tables (zone matchup); earlier dates of those and `player_game_summary` (history,
//! labels, calibration). Writes: via the pipeline.
//! Depends on: `core`, `store`. Never on: `analytics`, `features`, `grading`, `publish`,
//! `pipeline`, `cli`.
#![deny(missing_docs)]

pub mod backtest;
pub mod calibration;
pub mod config;
mod ensemble;
pub mod gate;
pub mod gbm;
mod prediction;
pub mod rules;
pub mod train;

pub use config::{SystemsConfig, Thresholds, DEFAULT_PREDICTIONS_TOML};
pub use ensemble::Ensemble;
pub use gbm::GbmPredictions;
pub use rules::{Rule, RuleStep};
