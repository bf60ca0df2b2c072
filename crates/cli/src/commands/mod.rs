//! One file per subcommand; `run` dispatches.

mod backfill;
mod backtest;
mod bench;
mod eval;
mod features;
mod graph;
mod ingest;
mod progress;
mod schema;
mod sql;
mod status;
mod train;
mod up;

use crate::args::{Cli, Command, FeaturesCommand, IngestCommand};
use std::path::{Path, PathBuf};

/// Runs the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let g = &cli.global;
    match cli.command {
        Command::Up(a) => up::run(g, &data_dir(a.data), workers(a.workers)),
        Command::Backfill(a) => backfill::run(g, &a),
        Command::Status => status::run(g),
        Command::Graph(a) => graph::run(a.dot),
        Command::Bench(a) => bench::run(g, &data_dir(a.data), workers(a.workers)),
        Command::Ingest(IngestCommand::Dataset(a)) => ingest::run(g, &data_dir(a.dir)),
        Command::Features(FeaturesCommand::Report(a)) => features::run(g, a.season.as_deref()),
        Command::Features(FeaturesCommand::Row(a)) => features::row(g, &a.game_id, &a.player_id),
        Command::Sql(a) => sql::run(g, &a.query, a.csv),
        Command::Schema(a) => schema::run(g, a.contract),
        Command::Eval(a) => eval::run(g, a.season.as_deref(), a.markdown),
        Command::Train(a) => train::run(g, &a),
        Command::Backtest(a) => backtest::run(g, &a),
    }
}

/// Worker threads: the flag, else the number of cores.
fn workers(flag: Option<usize>) -> usize {
    flag.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1)
}

/// The data set directory: the flag, else `PROPCAST_DATA`, else `./data/nba`, else the
/// bundled copy in the source tree this binary was built from.
fn data_dir(flag: Option<PathBuf>) -> PathBuf {
    if let Some(p) = flag {
        return p;
    }
    if let Some(p) = std::env::var_os("PROPCAST_DATA") {
        return PathBuf::from(p);
    }
    let local = Path::new("data/nba");
    if local.join("schedule.csv.gz").is_file() {
        return local.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/nba")
}

/// The home of `g`, which must hold a warehouse.
pub(crate) fn existing_home(g: &crate::args::Global) -> anyhow::Result<propcast_pipeline::Home> {
    let home = propcast_pipeline::Home::new(&g.home);
    if !home.warehouse().is_file() {
        anyhow::bail!(
            "no warehouse at {}: run `propcast up` first (or pass --home)",
            home.warehouse().display()
        );
    }
    Ok(home)
}
