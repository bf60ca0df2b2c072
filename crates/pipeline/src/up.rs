//! `propcast up`: ingest the data set if it changed, then bring every asset up to date.

use crate::engine::{run_steps, AssetReport};
use crate::error::Result;
use crate::home::Home;
use crate::summary::{season_summary, SeasonRow};
use propcast_ingest::{ingest_dataset, IngestReport};
use propcast_store::{params, Warehouse};
use std::path::Path;

/// What `up` did.
#[derive(Debug, Clone)]
pub struct UpReport {
    /// The run id.
    pub run_id: String,
    /// The ingest.
    pub ingest: IngestReport,
    /// Each asset.
    pub assets: Vec<AssetReport>,
    /// The per-season summary after the run.
    pub seasons: Vec<SeasonRow>,
}

impl UpReport {
    /// Whether anything was ingested or computed.
    pub fn did_work(&self) -> bool {
        self.ingest.changed() || self.assets.iter().any(|a| a.computed > 0)
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Ingests `data_dir` into the home's warehouse, then runs every step over every date,
/// recomputing only what is stale. Idempotent: a second call does no work.
pub fn up(home: &Home, data_dir: &Path) -> Result<UpReport> {
    let mut wh = Warehouse::open(&home.warehouse())?;
    let run_id = format!("run-{}-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"), std::process::id());
    wh.conn().execute(
        "INSERT INTO runs (run_id, command, started_at, status) VALUES (?1, 'up', ?2, 'running')",
        params![run_id, now()],
    )?;
    let result = (|| -> Result<UpReport> {
        let ingest = ingest_dataset(&mut wh, data_dir)?;
        let assets = run_steps(&mut wh, home, &crate::graph::steps(), &run_id)?;
        // Refresh the query planner's statistics after large writes (cheap when nothing changed).
        wh.conn().execute_batch("PRAGMA optimize;")?;
        let seasons = season_summary(&wh)?;
        Ok(UpReport { run_id: run_id.clone(), ingest, assets, seasons })
    })();
    let (status, summary) = match &result {
        Ok(r) => (
            "ok",
            serde_json::json!({
                "did_work": r.did_work(),
                "assets": r.assets.iter().map(|a| serde_json::json!({
                    "asset": a.asset, "computed": a.computed, "fresh": a.fresh, "rows_written": a.rows_written
                })).collect::<Vec<_>>(),
            })
            .to_string(),
        ),
        Err(e) => ("failed", serde_json::json!({ "error": e.to_string() }).to_string()),
    };
    wh.conn().execute(
        "UPDATE runs SET finished_at = ?2, status = ?3, summary = ?4 WHERE run_id = ?1",
        params![run_id, now(), status, summary],
    )?;
    result
}
