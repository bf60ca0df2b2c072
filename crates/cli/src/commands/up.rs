//! `propcast up`: ingest if changed, run every phase, print the per-season table.

use super::progress::CliProgress;
use crate::args::Global;
use crate::output;
use propcast_pipeline::{up, Home};
use propcast_store::Value;
use std::path::Path;

pub fn run(g: &Global, data: &Path, workers: usize) -> anyhow::Result<()> {
    let home = Home::new(&g.home);
    let started = std::time::Instant::now();
    let report = up(&home, data, workers, &CliProgress::new(g.quiet))?;
    let secs = started.elapsed().as_secs_f64();
    if g.json {
        let v = serde_json::json!({
            "run_id": report.run_id,
            "did_work": report.did_work(),
            "seconds": secs,
            "ingest": super::ingest::report_json(&report.ingest),
            "backfill": super::backfill::report_json(&report.backfill),
            "seasons": report.seasons,
            "ingest_seconds": report.ingest_seconds,
            "backfill_seconds": report.backfill_seconds,
            "process": {
                "cpu_seconds": propcast_pipeline::process_cpu_seconds(),
                "peak_rss_mib": propcast_pipeline::process_peak_rss_mib(),
            },
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let cols: Vec<String> =
            output::cols(&["season", "player-games", "predictions", "graded", "MAE", "bias"]);
        let rows: Vec<Vec<Value>> = report
            .seasons
            .iter()
            .map(|s| {
                vec![
                    Value::Text(s.season.clone()),
                    Value::Integer(s.player_games),
                    Value::Integer(s.predictions),
                    Value::Integer(s.graded),
                    output::r3(s.mae),
                    output::r3(s.bias),
                ]
            })
            .collect();
        output::table(&mut std::io::stdout().lock(), &cols, &rows)?;
        if report.did_work() {
            let computed: usize = report.backfill.assets.iter().map(|a| a.computed + a.skipped).sum();
            let written: usize = report.ingest.tables.iter().map(|t| t.partitions_written).sum();
            eprintln!(
                "Done in {secs:.1} s: {written} raw partitions ingested, {computed} asset partitions computed. \
                 Warehouse: {}",
                home.warehouse().display()
            );
        } else {
            let fresh: usize = report.backfill.assets.iter().map(|a| a.fresh).sum();
            eprintln!(
                "Nothing to do: the data set is unchanged and all {fresh} partitions of {} assets are fresh ({secs:.1} s).",
                report.backfill.assets.len()
            );
        }
    }
    if report.backfill.failed() > 0 {
        anyhow::bail!("{} partition(s) failed: see `propcast status`", report.backfill.failed());
    }
    Ok(())
}
