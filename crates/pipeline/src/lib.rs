//! The orchestrator: the graph of steps, date partitions, the ledger, gates, and the `up`
//! and `backfill` jobs.
//!
//! Owns: which steps exist and in what order ([`steps`]), checking the graph and the checks
//! configuration before anything runs, planning per (asset, date) from the fingerprint of its
//! code version and its input partitions, bootstrap skips, gates, writing each partition and
//! its ledger row in one transaction, the home lock, the `runs`, `partition_runs` and
//! `check_results` tables, status and the per-season summary.
//! Reads and writes: every table, through `store`; files under the home.
//! Depends on: every room. Only this crate knows the order of the phases.
//! The design is written down in `docs/engine.md`.
#![deny(missing_docs)]

mod bench;
mod checks;
mod engine;
mod error;
pub mod eval;
mod graph;
mod home;
mod plan;
mod report;
mod status;
mod summary;
mod up;

pub use bench::{copy_dataset_before, last_date, process_cpu_seconds, process_peak_rss_mib, write_floor};
pub use checks::{ChecksConfig, Severity, Threshold, DEFAULT_CHECKS_TOML};
pub use engine::{backfill, AssetReport, BackfillOptions, BackfillReport, NoProgress, PlanLine, Progress};
pub use error::{Error, Result};
pub use graph::{
    bootstrap_sensitive, home_steps, render_dot, render_text, select, steps, steps_with, validate,
};
pub use home::{Home, HomeLock};
pub use plan::{Mode, Reason};
pub use propcast_core::{parse_date, Date};
pub use propcast_features::{feature_row, Served};
pub use propcast_ingest::{ingest_dataset, IngestReport, TableReport, TableStatus};
pub use propcast_models::backtest::{backtest, Backtest, TrainWindow};
pub use propcast_models::gbm::GbmParams;
pub use propcast_models::train::{
    search_grid, train as train_model, Candidate, Gates, TrainOptions, TrainReport,
};
pub use report::{features_report, FeatureCoverage, FeaturesReport, SeasonSummary};
pub use status::{status, AssetStatus};
pub use summary::{season_summary, SeasonRow};
pub use up::{run_backfill, up, UpReport};
