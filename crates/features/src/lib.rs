//! Phase 4: the precompute tables and the ML feature store.
//!
//! Owns: `team_defense_zone_analysis`, `player_shot_zone_analysis`, `player_daily_cache`,
//! `player_composite_factors` and `ml_feature_store` (the feature contract of
//! `propcast_core::features` as named columns with source tags and quality), and the
//! on-the-fly path ([`feature_row`]) that computes one row from phase-3 tables alone.
//! Every value for a game on date D comes from games before D (histories cut at
//! `LOOKBACK_DAYS`) and from pre-game context rows of D.
//! Reads: `player_game_summary`, `team_offense_game_summary`, `team_defense_game_summary`
//! (earlier dates), `upcoming_player_game_context`, `upcoming_team_game_context`, `schedule`,
//! `game_dates`. Writes: via the pipeline.
//! Depends on: `core`, `store`. Never on: `analytics`, `models`, `grading`, `publish`,
//! `pipeline`, `cli`.
#![deny(missing_docs)]

pub mod composite;
pub mod daily_cache;
pub mod history;
pub mod serve;
pub mod shot_zone;
mod steps;
pub mod team_defense;
mod util;
pub mod vector;

pub use serve::{feature_row, Served};
pub use steps::{
    MlFeatureStore, PlayerCompositeFactors, PlayerDailyCache, PlayerShotZoneAnalysis, TeamDefenseZoneAnalysis,
};
pub use vector::{build, ContextRow, FeatureInputs, FeatureRow};
