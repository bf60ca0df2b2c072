//! Phase 6: published JSON exports.
//!
//! Owns: the static JSON API under `<home>/site/v1/`. Today: `results/{date}.json`, the graded
//! record of a date ([`ResultsFile`] documents the format).
//! Reads: `prediction_accuracy`, `player_game_summary`, `players` of the date. Writes: files,
//! via the pipeline (written atomically: a temporary file renamed into place).
//! Depends on: `core`, `store`. Never on: `analytics`, `features`, `models`, `grading`,
//! `pipeline`, `cli`.
#![deny(missing_docs)]

mod results;

pub use results::{ResultRow, Results, ResultsFile, ResultsSummary};
