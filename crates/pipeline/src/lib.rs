//! The orchestrator: the graph of steps, date partitions, the ledger, and the `up` job.
//!
//! Owns: which steps exist and in what order ([`steps`]), checking the graph before anything
//! runs, deciding per (asset, date) whether a partition is fresh from the fingerprint of its
//! code version and its input partitions, writing each partition and its ledger row in one
//! transaction, the `runs` table, and the per-season summary.
//! Reads and writes: every table, through `store`; files under the home.
//! Depends on: every room. Only this crate knows the order of the phases.
#![deny(missing_docs)]

mod engine;
mod error;
mod graph;
mod home;
mod summary;
mod up;

pub use engine::{run_steps, AssetReport};
pub use error::{Error, Result};
pub use graph::{steps, validate};
pub use home::Home;
pub use propcast_ingest::{ingest_dataset, IngestReport, TableReport, TableStatus};
pub use summary::{season_summary, SeasonRow};
pub use up::{up, UpReport};
