//! Sources and parsers: the bundled data set into typed, validated raw tables.
//!
//! Owns: reading data-set files (gzip or plain CSV), resolving every source id to the
//! canonical game id and player id (`core`), the raw tables named like the files, the
//! `players` registry with its aliases, the season calendar, and the ingest bookkeeping
//! (`ingest_files`, `ingest_partitions`, `ingest_quarantine`), and the phase-2 gates
//! ([`RawGate`]) that check each raw date partition against the schedule.
//! Reads: files. Writes: raw and reference tables, via `store` only.
//! Depends on: `core`, `store`. Never on: `analytics`, `features`, `models`, `grading`,
//! `publish`, `pipeline`, `cli`.
//!
//! Bad input never half-writes: every changed file is validated in full first, then one
//! transaction writes; an error names the file, line and column ([`Error::Input`]).
#![deny(missing_docs)]
#![deny(clippy::unwrap_used)]

mod dataset;
mod error;
mod gate;
mod reader;
mod registry;
mod resolve;
mod tables;

pub use dataset::{ingest_dataset, IngestReport, TableReport, TableStatus, RAW_TABLES};
pub use error::{Error, Location, Problem, Result};
pub use gate::RawGate;
pub use reader::{Record, Scan};
