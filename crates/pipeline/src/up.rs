//! `propcast up` and `propcast backfill`: hold the home, record the run, ingest if asked,
//! backfill.

use crate::engine::{backfill, BackfillOptions, BackfillReport, Progress};
use crate::error::Result;
use crate::home::Home;
use crate::summary::{season_summary, SeasonRow};
use propcast_ingest::{ingest_dataset, IngestReport};
use propcast_store::{params, Unsynced, Warehouse};
use std::path::Path;

/// What `up` did.
#[derive(Debug, Clone)]
pub struct UpReport {
    /// The run id.
    pub run_id: String,
    /// The ingest.
    pub ingest: IngestReport,
    /// The backfill.
    pub backfill: BackfillReport,
    /// The per-season summary after the run.
    pub seasons: Vec<SeasonRow>,
    /// Seconds spent ingesting.
    pub ingest_seconds: f64,
    /// Seconds spent in the backfill.
    pub backfill_seconds: f64,
}

impl UpReport {
    /// Whether anything was ingested or computed.
    pub fn did_work(&self) -> bool {
        self.ingest.changed() || self.backfill.did_work()
    }
}

fn new_run_id() -> String {
    format!("run-{}-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"), std::process::id())
}

/// Runs `f` as a recorded run (a `runs` row) while holding the home's lock.
fn recorded<T>(
    home: &Home,
    command: &str,
    f: impl FnOnce(&mut Warehouse, &str) -> Result<T>,
    summary: impl Fn(&T) -> serde_json::Value,
) -> Result<T> {
    let _lock = home.lock()?;
    let mut wh = Warehouse::open(&home.warehouse())?;
    recover_unsynced(&mut wh)?;
    let run_id = new_run_id();
    wh.conn().execute(
        "INSERT INTO runs (run_id, command, started_at, status) VALUES (?1, ?2, ?3, 'running')",
        params![run_id, command, crate::engine::now()],
    )?;
    // Written without syncs, synced once at the end (Warehouse::write_unsynced).
    let result = wh.write_unsynced(&run_id, |wh| f(wh, &run_id));
    let (status, text) = match &result {
        Ok(r) => ("ok", summary(r).to_string()),
        Err(e) => ("failed", serde_json::json!({ "error": e.to_string() }).to_string()),
    };
    wh.conn().execute(
        "UPDATE runs SET finished_at = ?2, status = ?3, summary = ?4 WHERE run_id = ?1",
        params![run_id, crate::engine::now(), status, text],
    )?;
    result
}

/// Before a run writes: if an earlier run writing without syncs was cut short by the machine
/// going down (not just its process dying), nothing it may have written is trusted. The
/// ledger and the ingest's bookkeeping are cleared, so this run reads every source file
/// again and recomputes every partition, rewriting their rows (docs/decisions.md, session 9).
fn recover_unsynced(wh: &mut Warehouse) -> Result<()> {
    match wh.recover_unsynced()? {
        Unsynced::Clean => {}
        Unsynced::ProcessDied => tracing::info!("the last run's process died; its writes are kept"),
        Unsynced::MachineDown { runs } => {
            tracing::warn!(
                "the machine went down during run(s) {}: the warehouse passed SQLite's integrity check; \
                 every partition is recomputed, and the next ingest (`up`) reads every source file again",
                runs.join(", ")
            );
            let tx = wh.transaction()?;
            tx.execute_batch(
                "DELETE FROM asset_partitions; DELETE FROM ingest_partitions; DELETE FROM ingest_files;",
            )?;
            tx.commit()?;
            wh.forget_unsynced()?;
        }
    }
    Ok(())
}

fn backfill_summary(b: &BackfillReport) -> serde_json::Value {
    serde_json::json!(b
        .assets
        .iter()
        .map(|a| serde_json::json!({
            "asset": a.asset, "computed": a.computed, "fresh": a.fresh, "skipped": a.skipped,
            "failed": a.failed, "rows_written": a.rows_written,
        }))
        .collect::<Vec<_>>())
}

/// Ingests `data_dir` into the home's warehouse, then backfills every asset in mode
/// `missing` over every date. Idempotent: a second call does no work.
pub fn up(home: &Home, data_dir: &Path, workers: usize, progress: &dyn Progress) -> Result<UpReport> {
    recorded(
        home,
        "up",
        |wh, run_id| {
            let t0 = std::time::Instant::now();
            let ingest = ingest_dataset(wh, data_dir)?;
            let ingest_seconds = t0.elapsed().as_secs_f64();
            let opts = BackfillOptions { workers, ..Default::default() };
            let t1 = std::time::Instant::now();
            let backfill = backfill(wh, home, &crate::graph::home_steps(home)?, &opts, progress, run_id)?;
            let backfill_seconds = t1.elapsed().as_secs_f64();
            // Refresh the query planner's statistics after large writes (cheap when nothing changed).
            wh.conn().execute_batch("PRAGMA optimize;")?;
            let seasons = season_summary(wh)?;
            Ok(UpReport {
                run_id: run_id.to_string(),
                ingest,
                backfill,
                seasons,
                ingest_seconds,
                backfill_seconds,
            })
        },
        |r| serde_json::json!({ "did_work": r.did_work(), "assets": backfill_summary(&r.backfill) }),
    )
}

/// `propcast backfill`: the engine alone, on what the warehouse holds.
pub fn run_backfill(home: &Home, opts: &BackfillOptions, progress: &dyn Progress) -> Result<BackfillReport> {
    recorded(
        home,
        if opts.dry_run { "backfill --dry-run" } else { "backfill" },
        |wh, run_id| backfill(wh, home, &crate::graph::home_steps(home)?, opts, progress, run_id),
        backfill_summary,
    )
}
