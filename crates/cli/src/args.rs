//! Command-line flags (clap derive). Every subcommand has `--help`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// propcast: NBA player-points forecasts judged against sportsbook prop lines.
#[derive(Debug, Parser)]
#[command(name = "propcast", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every subcommand takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Home directory: warehouse, models, exports, raw fetches, run logs.
    #[arg(long, global = true, env = "PROPCAST_HOME", default_value = "./propcast-data")]
    pub home: PathBuf,
    /// Print machine-readable JSON on stdout instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// More log output on stderr (-v info, -vv debug). PROPCAST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ingest the bundled data set if it changed, then run every phase over every season.
    Up(UpArgs),
    /// Load source data into the raw tables.
    #[command(subcommand)]
    Ingest(IngestCommand),
    /// Run one SQL query against the warehouse (read-only) and print the rows.
    Sql(SqlArgs),
    /// Print the warehouse schema (the source of docs/warehouse.md).
    Schema,
}

#[derive(Debug, Args)]
pub struct UpArgs {
    /// Data set directory (default: PROPCAST_DATA, else the bundled data/nba).
    #[arg(long)]
    pub data: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum IngestCommand {
    /// Ingest a normalized data set directory (`<table>.csv.gz` files).
    Dataset(DatasetArgs),
}

#[derive(Debug, Args)]
pub struct DatasetArgs {
    /// Data set directory (default: PROPCAST_DATA, else the bundled data/nba).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The query, e.g. "select count(*) from player_games".
    pub query: String,
    /// Print CSV instead of a table.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
}
