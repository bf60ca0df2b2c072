//! Planning: which partitions of an asset must run, and why.

use crate::error::Result;
use propcast_core::Date;
use propcast_store::{RowHasher, Step, Value, Warehouse, Window};
use std::collections::HashMap;

/// Which partitions a backfill computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Missing or stale partitions (the default).
    #[default]
    Missing,
    /// Missing, stale, and those that failed before.
    Failed,
    /// Everything.
    All,
}

/// Why a partition is planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Never computed.
    Missing,
    /// The asset's code version changed.
    StaleCode {
        /// The version that computed it.
        was: String,
    },
    /// The content of an input partition changed.
    StaleUpstream,
    /// It failed before (mode `failed` or `all`).
    FailedBefore,
    /// Mode `all`.
    Forced,
    /// Dry run only: an upstream asset is planned to recompute an input partition.
    UpstreamScheduled(&'static str),
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Missing => write!(f, "missing"),
            Reason::StaleCode { was } => write!(f, "stale: code version changed (was {was})"),
            Reason::StaleUpstream => write!(f, "stale: an upstream partition changed"),
            Reason::FailedBefore => write!(f, "failed before"),
            Reason::Forced => write!(f, "forced (mode all)"),
            Reason::UpstreamScheduled(a) => write!(f, "upstream {a} recomputes an input"),
        }
    }
}

/// The ledger's state of one partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// `ok`, `skipped` or `failed`.
    pub status: String,
    /// Fingerprint when last run.
    pub fingerprint: String,
    /// Code version when last run.
    pub code_version: String,
    /// Why skipped or failed.
    pub reason: Option<String>,
}

/// The ledger of one asset, by partition.
pub fn ledger(wh: &Warehouse, asset: &str) -> Result<HashMap<String, LedgerEntry>> {
    let r = wh.query(
        "SELECT partition, status, fingerprint, code_version, reason FROM asset_partitions WHERE asset = ?1",
        &[Value::Text(asset.to_string())],
    )?;
    let t = |v: &Value| if let Value::Text(s) = v { s.clone() } else { String::new() };
    Ok(r.rows
        .iter()
        .map(|row| {
            let reason = if let Value::Text(s) = &row[4] { Some(s.clone()) } else { None };
            (
                t(&row[0]),
                LedgerEntry { status: t(&row[1]), fingerprint: t(&row[2]), code_version: t(&row[3]), reason },
            )
        })
        .collect())
}

fn combine(a: &str, b: &str) -> String {
    let mut c = RowHasher::new();
    c.bytes(a.as_bytes());
    c.bytes(b.as_bytes());
    c.finish()
}

/// Content hash per date of an input: a raw table's partitions (from the ingest), or the
/// outputs of the steps that write it (from the ledger). `consumer` is excluded from the
/// producers: a raw table's gate reads the ingest's hashes.
pub fn input_hashes(
    wh: &Warehouse,
    steps: &[Box<dyn Step>],
    input: &str,
    consumer: &str,
) -> Result<HashMap<String, String>> {
    let producers: Vec<&str> = steps
        .iter()
        .filter(|s| s.output().name() == input && s.name() != consumer)
        .map(|s| s.name())
        .collect();
    let (sql, keys): (&str, Vec<&str>) = if producers.is_empty() {
        ("SELECT partition, content_hash FROM ingest_partitions WHERE table_name = ?1", vec![input])
    } else {
        ("SELECT partition, content_hash FROM asset_partitions WHERE asset = ?1 AND status IN ('ok', 'skipped')", producers)
    };
    let mut all: HashMap<String, String> = HashMap::new();
    for key in keys {
        for row in wh.query(sql, &[Value::Text(key.to_string())])?.rows {
            if let (Value::Text(p), Value::Text(h)) = (&row[0], &row[1]) {
                all.entry(p.clone()).and_modify(|x| *x = combine(x, h)).or_insert_with(|| h.clone());
            }
        }
    }
    Ok(all)
}

/// The fingerprint of every date's inputs for one step: its code version and the content
/// hashes of exactly the partitions it reads (a running hash over earlier dates for
/// [`Window::AllBefore`]).
pub fn fingerprints(
    wh: &Warehouse,
    steps: &[Box<dyn Step>],
    step: &dyn Step,
    dates: &[Date],
) -> Result<Vec<String>> {
    let mut per_input = Vec::new();
    for i in step.inputs() {
        per_input.push((i.window, i.name, input_hashes(wh, steps, i.name, step.name())?));
    }
    let keys: Vec<String> = dates.iter().map(Date::to_string).collect();
    // A changed table definition makes every partition written to it stale.
    let output_ddl = match step.output() {
        propcast_store::Output::Table { table, .. } | propcast_store::Output::Verify { table } => {
            Warehouse::ddl_hash(table)
        }
        propcast_store::Output::Files { pattern, .. } => pattern.to_string(),
    };
    let prefixes: Vec<Option<Vec<String>>> = per_input
        .iter()
        .map(|(w, _, m)| {
            (*w == Window::AllBefore).then(|| {
                let mut out = Vec::with_capacity(keys.len());
                let mut acc = String::from("start");
                for k in &keys {
                    out.push(acc.clone());
                    acc = combine(&acc, m.get(k).map(String::as_str).unwrap_or("-"));
                }
                out
            })
        })
        .collect();
    Ok(keys
        .iter()
        .enumerate()
        .map(|(n, k)| {
            let mut h = RowHasher::new();
            h.bytes(step.version().as_bytes());
            h.bytes(output_ddl.as_bytes());
            for ((_, name, m), pre) in per_input.iter().zip(&prefixes) {
                h.bytes(name.as_bytes());
                match pre {
                    Some(p) => h.bytes(p[n].as_bytes()),
                    None => h.bytes(m.get(k).map(String::as_str).unwrap_or("-").as_bytes()),
                }
            }
            h.finish()
        })
        .collect())
}

/// One partition to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The date.
    pub date: Date,
    /// Why.
    pub reason: Reason,
    /// Its input fingerprint now.
    pub fingerprint: String,
}

/// The plan of one asset over the selected dates.
#[derive(Debug, Clone, Default)]
pub struct AssetPlan {
    /// Partitions to run.
    pub run: Vec<Planned>,
    /// Partitions fresh (ok or skipped with the current fingerprint).
    pub fresh: usize,
    /// Failed partitions left alone (mode `missing`, inputs unchanged).
    pub failed_kept: usize,
}

/// Plans one asset: compares each date's fingerprint with the ledger.
pub fn plan_asset(
    wh: &Warehouse,
    steps: &[Box<dyn Step>],
    step: &dyn Step,
    dates: &[Date],
    mode: Mode,
) -> Result<AssetPlan> {
    let fps = fingerprints(wh, steps, step, dates)?;
    let led = ledger(wh, step.name())?;
    let mut plan = AssetPlan::default();
    for (d, fp) in dates.iter().zip(fps) {
        let reason = match led.get(&d.to_string()) {
            None => Some(Reason::Missing),
            Some(e) if e.status == "failed" => match mode {
                Mode::Failed | Mode::All => Some(Reason::FailedBefore),
                Mode::Missing if e.fingerprint != fp => Some(Reason::StaleUpstream),
                Mode::Missing => {
                    plan.failed_kept += 1;
                    None
                }
            },
            Some(e) if e.code_version != step.version() => {
                Some(Reason::StaleCode { was: e.code_version.clone() })
            }
            Some(e) if e.fingerprint != fp => Some(Reason::StaleUpstream),
            Some(_) if mode == Mode::All => Some(Reason::Forced),
            Some(_) => {
                plan.fresh += 1;
                None
            }
        };
        if let Some(reason) = reason {
            plan.run.push(Planned { date: *d, reason, fingerprint: fp });
        }
    }
    Ok(plan)
}
