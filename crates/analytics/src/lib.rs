//! Phase 3: analytics tables built from the raw tables.
//!
//! Owns: `player_game_summary` (every player of every game, who played or not: counts, usage
//! from this game's team totals and real team minutes, TS% and eFG%, shot zones, DNP status),
//! `team_offense_game_summary` (totals, possessions, pace, ratings, quarters, zones) and
//! `team_defense_game_summary` (the opponent's offense seen from the defense). The formulas
//! are in [`formulas`], with the original system's defects fixed (spec §4.1).
//! Reads: `player_games`, `team_games`, `shot_zones`, `player_availability`, `schedule`
//! (same date). Writes: via the pipeline, which stores what each step computes.
//! Depends on: `core`, `store`. Never on: `features`, `models`, `grading`, `publish`,
//! `pipeline`, `cli`.
#![deny(missing_docs)]

pub mod formulas;
mod player_context;
mod player_game_summary;
mod team_context;
mod team_defense;
mod team_offense;
pub mod travel;
mod util;

pub use player_context::{is_star, prop_streaks, UpcomingPlayerGameContext, WINDOW_DAYS};
pub use player_game_summary::{checked_usage, PlayerGameSummary, MAX_USAGE};
pub use team_context::UpcomingTeamGameContext;
pub use team_defense::TeamDefenseGameSummary;
pub use team_offense::TeamOffenseGameSummary;
