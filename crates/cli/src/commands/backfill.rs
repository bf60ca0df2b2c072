//! `propcast backfill`: compute missing, stale or failed partitions.

use super::progress::CliProgress;
use crate::args::{BackfillArgs, Global, ModeArg};
use crate::output;
use anyhow::Context;
use propcast_pipeline::{parse_date, run_backfill, BackfillOptions, BackfillReport, Mode};
use propcast_store::Value;

pub fn run(g: &Global, a: &BackfillArgs) -> anyhow::Result<()> {
    let home = super::existing_home(g)?;
    let date = |s: &Option<String>, flag: &str| -> anyhow::Result<_> {
        s.as_deref().map(|s| parse_date(s).with_context(|| format!("--{flag}"))).transpose()
    };
    let opts = BackfillOptions {
        from: date(&a.from, "from")?,
        to: date(&a.to, "to")?,
        assets: a.assets.clone(),
        phase: a.phase,
        mode: match a.mode {
            ModeArg::Missing => Mode::Missing,
            ModeArg::Failed => Mode::Failed,
            ModeArg::All => Mode::All,
        },
        workers: super::workers(a.workers),
        newest_first: a.newest_first,
        dry_run: a.dry_run,
    };
    let report = run_backfill(&home, &opts, &CliProgress::new(g.quiet))?;
    print_report(g, &report)?;
    if report.failed() > 0 {
        anyhow::bail!("{} partition(s) failed: see `propcast status`", report.failed());
    }
    Ok(())
}

pub fn report_json(r: &BackfillReport) -> serde_json::Value {
    serde_json::json!({
        "assets": r.assets.iter().map(|a| serde_json::json!({
            "asset": a.asset, "phase": a.phase, "partitions": a.partitions, "fresh": a.fresh, "computed": a.computed,
            "skipped": a.skipped, "failed": a.failed, "failed_kept": a.failed_kept,
            "rows_written": a.rows_written, "warnings": a.warnings, "seconds": a.seconds_millis as f64 / 1000.0,
        })).collect::<Vec<_>>(),
        "plan": r.plan.iter().map(|p| serde_json::json!({
            "asset": p.asset, "date": p.date.to_string(), "reason": p.reason,
        })).collect::<Vec<_>>(),
    })
}

pub fn print_report(g: &Global, r: &BackfillReport) -> anyhow::Result<()> {
    if g.json {
        println!("{}", serde_json::to_string_pretty(&report_json(r))?);
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    if !r.plan.is_empty() || r.assets.iter().all(|a| a.computed + a.skipped + a.failed == 0) {
        let cols: Vec<String> = output::cols(&["asset", "date", "why"]);
        let rows: Vec<Vec<Value>> = r
            .plan
            .iter()
            .map(|p| {
                vec![
                    Value::Text(p.asset.into()),
                    Value::Text(p.date.to_string()),
                    Value::Text(p.reason.clone()),
                ]
            })
            .collect();
        if !rows.is_empty() {
            output::table(&mut out, &cols, &rows)?;
        }
    }
    let cols: Vec<String> =
        output::cols(&["asset", "partitions", "fresh", "computed", "skipped", "failed", "rows"]);
    let rows: Vec<Vec<Value>> = r
        .assets
        .iter()
        .map(|a| {
            vec![
                Value::Text(a.asset.into()),
                Value::Integer(a.partitions as i64),
                Value::Integer(a.fresh as i64),
                Value::Integer(a.computed as i64),
                Value::Integer(a.skipped as i64),
                Value::Integer(a.failed as i64),
                Value::Integer(a.rows_written as i64),
            ]
        })
        .collect();
    output::table(&mut out, &cols, &rows)?;
    Ok(())
}
