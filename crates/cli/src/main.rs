//! The `propcast` binary: parse flags, call `pipeline`, print, map errors to exit codes.
//!
//! Exit codes: 0 success, 1 failure (the error chain is printed to stderr), 2 usage error.
//! Depends on: `pipeline`, `store`, `core`. Holds no pipeline logic.

mod args;
mod commands;
mod output;

use clap::Parser;
use std::process::ExitCode;

/// mimalloc instead of the system allocator: the pipeline builds millions of small rows and
/// strings on several threads, and glibc's per-thread arenas spent a quarter of the ingest in
/// malloc, page faults and heap growth (docs/benchmarks.md, session 4).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    init_logging(&cli.global);
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if let Some(e) = err.downcast_ref::<std::io::Error>() {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    return ExitCode::SUCCESS;
                }
            }
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}

fn init_logging(g: &args::Global) {
    let default = match (g.quiet, g.verbose) {
        (true, _) => "error",
        (false, 0) => "warn,propcast_pipeline=info,propcast_ingest=warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("PROPCAST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .init();
}
