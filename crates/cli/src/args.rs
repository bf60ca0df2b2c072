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
    /// Compute missing, stale or failed partitions of the pipeline's assets.
    Backfill(BackfillArgs),
    /// Per asset: partitions fresh, stale (why), failed, missing, skipped; coverage.
    Status,
    /// Print the asset graph (text, or Graphviz dot with --dot).
    Graph(GraphArgs),
    /// Benchmark: a full backfill into an empty home, then a one-date incremental update.
    Bench(BenchArgs),
    /// Feature store reports.
    #[command(subcommand)]
    Features(FeaturesCommand),
    /// Train a gbm model on a chronological season split, gate it and register it
    /// (`model_registry`); exit 1 when the gates refuse it.
    Train(TrainArgs),
    /// Walk-forward evaluation of gbm: retrain every N days on data before that day only.
    Backtest(BacktestArgs),
    /// Accuracy of every prediction system on the evaluation sets, per season (the source of
    /// docs/accuracy.md with --markdown).
    Eval(EvalArgs),
    /// Run one SQL query against the warehouse (read-only) and print the rows.
    Sql(SqlArgs),
    /// Print the warehouse schema (the source of docs/warehouse.md).
    Schema(SchemaArgs),
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Seasons `FIRST..LAST` (default: every season in the warehouse). The last is the test
    /// season, the one before it validates (early stopping), the rest train.
    #[arg(long)]
    pub seasons: Option<String>,
    /// Maximum boosting rounds (default 1000; early stopping decides).
    #[arg(long)]
    pub rounds: Option<i64>,
    /// Learning rate (default 0.05).
    #[arg(long)]
    pub learning_rate: Option<f64>,
    /// Also try a grid of leaves (15, 31, 63) × minimum rows per leaf (50, 100, 200), each
    /// with early stopping on the validation season, and keep the lowest validation MAE.
    #[arg(long)]
    pub search: bool,
}

#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// First date predicted, YYYY-MM-DD.
    #[arg(long)]
    pub from: String,
    /// Last date predicted, YYYY-MM-DD.
    #[arg(long)]
    pub to: String,
    /// Days between retrainings, e.g. `7d`.
    #[arg(long, default_value = "7d")]
    pub retrain_every: String,
    /// Training window: `expanding` (everything before) or days, e.g. `56d`.
    #[arg(long, default_value = "expanding")]
    pub window: String,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Only this season (e.g. 2024-25).
    #[arg(long)]
    pub season: Option<String>,
    /// Print Markdown (docs/accuracy.md) instead of tables.
    #[arg(long)]
    pub markdown: bool,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Print the feature contract table instead (the generated part of docs/features.md).
    #[arg(long)]
    pub contract: bool,
}

#[derive(Debug, Args)]
pub struct UpArgs {
    /// Data set directory (default: PROPCAST_DATA, else the bundled data/nba).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Threads computing partitions (default: the number of cores).
    #[arg(long)]
    pub workers: Option<usize>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ModeArg {
    /// Missing or stale partitions.
    Missing,
    /// Also retry failed ones.
    Failed,
    /// Recompute everything.
    All,
}

#[derive(Debug, Args)]
pub struct BackfillArgs {
    /// First date, YYYY-MM-DD (inclusive).
    #[arg(long)]
    pub from: Option<String>,
    /// Last date, YYYY-MM-DD (inclusive).
    #[arg(long)]
    pub to: Option<String>,
    /// Only these assets (comma-separated names; see `propcast graph`).
    #[arg(long, value_delimiter = ',', conflicts_with = "phase")]
    pub assets: Option<Vec<String>>,
    /// Only the assets of this phase (3 analytics, 4 features, 5 predictions and grading, 6 publishing).
    #[arg(long)]
    pub phase: Option<u8>,
    /// Which partitions to compute.
    #[arg(long, value_enum, default_value = "missing")]
    pub mode: ModeArg,
    /// Threads computing partitions (default: the number of cores).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Newest dates first.
    #[arg(long)]
    pub newest_first: bool,
    /// Print each partition that would run and why; run nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Graphviz dot instead of text.
    #[arg(long)]
    pub dot: bool,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Data set directory (default: the bundled data/nba).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Threads computing partitions (default: the number of cores).
    #[arg(long)]
    pub workers: Option<usize>,
}

#[derive(Debug, Subcommand)]
pub enum FeaturesCommand {
    /// Per feature and season: coverage, mean, min, max, source shares, drift against the
    /// previous season (REGRESSION below 0.90×, DEGRADATION below 0.95×).
    Report(FeaturesReportArgs),
    /// One player's feature row for one game, computed on the fly from phase-3 tables (the
    /// path that serving uses), beside the stored row when there is one.
    Row(FeaturesRowArgs),
}

#[derive(Debug, Args)]
pub struct FeaturesRowArgs {
    /// Game id (`YYYYMMDD_AWAY_HOME`).
    pub game_id: String,
    /// Player id (bbref slug or `nba:<id>`).
    pub player_id: String,
}

#[derive(Debug, Args)]
pub struct FeaturesReportArgs {
    /// Only this season (e.g. 2024-25).
    #[arg(long)]
    pub season: Option<String>,
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
