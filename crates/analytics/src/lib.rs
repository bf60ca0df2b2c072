//! Phase 3: analytics tables built from the raw tables.
//!
//! Owns: `player_game_summary` (today a minimal slice: one row per player per game played,
//! with decimal minutes, the counts, the real starter flag and the team result).
//! Reads: `player_games`, `team_games` (same date). Writes: via the pipeline, which stores
//! what its `Step::compute` returns.
//! Depends on: `core`, `store`. Never on: `features`, `models`, `grading`, `publish`,
//! `pipeline`, `cli`.
#![deny(missing_docs)]

mod player_game_summary;

pub use player_game_summary::PlayerGameSummary;
