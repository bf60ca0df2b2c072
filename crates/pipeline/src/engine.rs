//! Running steps over date partitions: fingerprints, staleness, atomic partition writes.
//!
//! A partition (asset, date) is fresh when the ledger holds, for it, the fingerprint of the
//! step's code version and of the content hashes of exactly the input partitions it reads:
//! the same date for [`Window::SameDate`], every earlier date for [`Window::AllBefore`].
//! Anything else is recomputed, and its rows and its ledger row are written in one
//! transaction, so a killed run loses at most the partition in flight.

use crate::error::{Error, Result};
use crate::home::Home;
use propcast_core::{parse_date, Date};
use propcast_store::{
    cmp_row, delete_partition, insert_rows, params, Output, PartitionData, RowHasher, Step, Value, Warehouse,
    Window,
};
use std::collections::HashMap;

/// What one asset did in a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetReport {
    /// The asset.
    pub asset: &'static str,
    /// Date partitions considered.
    pub partitions: usize,
    /// Already fresh: not recomputed.
    pub fresh: usize,
    /// Recomputed and written.
    pub computed: usize,
    /// Rows (or files) written.
    pub rows_written: usize,
}

/// How many stale dates are computed together (bounded memory, regular commits).
const CHUNK: usize = 64;

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn schedule_dates(wh: &Warehouse) -> Result<Vec<Date>> {
    let r = wh.query("SELECT game_date FROM game_dates ORDER BY 1", &[])?;
    Ok(r.rows
        .iter()
        .filter_map(|row| match &row[0] {
            Value::Text(s) => parse_date(s).ok(),
            _ => None,
        })
        .collect())
}

fn hashes(wh: &Warehouse, sql: &str, key: &str) -> Result<HashMap<String, String>> {
    let r = wh.query(sql, &[Value::Text(key.to_string())])?;
    let mut m: HashMap<String, String> = HashMap::new();
    for row in r.rows {
        if let (Value::Text(p), Value::Text(h)) = (&row[0], &row[1]) {
            m.entry(p.clone())
                .and_modify(|x| {
                    let mut c = RowHasher::new();
                    c.bytes(x.as_bytes());
                    c.bytes(h.as_bytes());
                    *x = c.finish();
                })
                .or_insert_with(|| h.clone());
        }
    }
    Ok(m)
}

/// Content hash per date of an input: a raw table's partitions, or the outputs of the
/// steps that write it.
fn input_hashes(wh: &Warehouse, steps: &[Box<dyn Step>], input: &str) -> Result<HashMap<String, String>> {
    let producers: Vec<&str> =
        steps.iter().filter(|s| s.output().name() == input).map(|s| s.name()).collect();
    if producers.is_empty() {
        return hashes(
            wh,
            "SELECT partition, content_hash FROM ingest_partitions WHERE table_name = ?1 ORDER BY partition",
            input,
        );
    }
    let mut all: HashMap<String, String> = HashMap::new();
    for p in producers {
        for (k, h) in hashes(
            wh,
            "SELECT partition, content_hash FROM asset_partitions WHERE asset = ?1 AND status = 'ok' ORDER BY partition",
            p,
        )? {
            all.entry(k)
                .and_modify(|x| {
                    let mut c = RowHasher::new();
                    c.bytes(x.as_bytes());
                    c.bytes(h.as_bytes());
                    *x = c.finish();
                })
                .or_insert(h);
        }
    }
    Ok(all)
}

/// The fingerprint of every date's inputs for one step.
fn fingerprints(
    wh: &Warehouse,
    steps: &[Box<dyn Step>],
    step: &dyn Step,
    dates: &[Date],
) -> Result<Vec<String>> {
    let mut per_input: Vec<(Window, &str, HashMap<String, String>)> = Vec::new();
    for i in step.inputs() {
        per_input.push((i.window, i.name, input_hashes(wh, steps, i.name)?));
    }
    // Prefix hashes for AllBefore inputs: prefix[k] covers dates[..k].
    let prefixes: Vec<Option<Vec<String>>> = per_input
        .iter()
        .map(|(w, _, m)| {
            (*w == Window::AllBefore).then(|| {
                let mut out = Vec::with_capacity(dates.len());
                let mut acc = String::from("start");
                for d in dates {
                    out.push(acc.clone());
                    let mut h = RowHasher::new();
                    h.bytes(acc.as_bytes());
                    h.bytes(m.get(&d.to_string()).map(String::as_str).unwrap_or("-").as_bytes());
                    acc = h.finish();
                }
                out
            })
        })
        .collect();
    Ok(dates
        .iter()
        .enumerate()
        .map(|(k, d)| {
            let ds = d.to_string();
            let mut h = RowHasher::new();
            h.bytes(step.code_version().as_bytes());
            for ((w, name, m), pre) in per_input.iter().zip(&prefixes) {
                h.bytes(name.as_bytes());
                match (w, pre) {
                    (Window::AllBefore, Some(p)) => h.bytes(p[k].as_bytes()),
                    _ => h.bytes(m.get(&ds).map(String::as_str).unwrap_or("-").as_bytes()),
                }
            }
            h.finish()
        })
        .collect())
}

fn write_file(home: &Home, rel: &str, bytes: &[u8]) -> Result<()> {
    let path = home.path().join(rel);
    let io = |source| Error::Io { path: path.clone(), source };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(io)?;
    Ok(())
}

/// Writes one partition and its ledger row in one transaction.
#[allow(clippy::too_many_arguments)]
fn write_partition(
    wh: &mut Warehouse,
    home: &Home,
    step: &dyn Step,
    date: Date,
    data: Option<PartitionData>,
    fingerprint: &str,
    run_id: &str,
) -> Result<usize> {
    let ds = date.to_string();
    let mut h = RowHasher::new();
    let n;
    match step.output() {
        Output::Table { table, scope } => {
            let mut rows = match data {
                Some(PartitionData::Rows(r)) => r,
                Some(PartitionData::Files(_)) => {
                    return Err(Error::Graph(format!("{} returned files for a table output", step.name())))
                }
                None => vec![],
            };
            rows.sort_by(|a, b| cmp_row(a, b));
            for r in &rows {
                h.row(r);
            }
            n = rows.len();
            let tx = wh.transaction()?;
            match scope {
                Some((col, val)) => {
                    let part = table.partition_column().unwrap_or("game_date");
                    tx.execute(
                        &format!("DELETE FROM {} WHERE {part} = ?1 AND {col} = ?2", table.name),
                        [&ds, val],
                    )?;
                }
                None => {
                    delete_partition(&tx, table, Some(&ds))?;
                }
            }
            insert_rows(&tx, table, rows.iter().map(Vec::as_slice))?;
            ledger(&tx, step, &ds, fingerprint, n, &h.clone().finish(), run_id)?;
            tx.commit()?;
        }
        Output::Files { pattern, .. } => {
            let files = match data {
                Some(PartitionData::Files(f)) => f,
                Some(PartitionData::Rows(_)) => {
                    return Err(Error::Graph(format!("{} returned rows for a file output", step.name())))
                }
                None => vec![],
            };
            n = files.len();
            if files.is_empty() {
                let stale = home.path().join(pattern.replace("{date}", &ds));
                if stale.exists() {
                    std::fs::remove_file(&stale).map_err(|source| Error::Io { path: stale, source })?;
                }
            }
            for (rel, bytes) in &files {
                write_file(home, rel, bytes)?;
                h.bytes(rel.as_bytes());
                h.bytes(bytes);
            }
            let tx = wh.transaction()?;
            ledger(&tx, step, &ds, fingerprint, n, &h.finish(), run_id)?;
            tx.commit()?;
        }
    }
    Ok(n)
}

fn ledger(
    tx: &propcast_store::Transaction<'_>,
    step: &dyn Step,
    partition: &str,
    fingerprint: &str,
    rows: usize,
    content_hash: &str,
    run_id: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO asset_partitions (asset, partition, status, fingerprint, code_version, rows, content_hash, run_id, finished_at, error)
         VALUES (?1, ?2, 'ok', ?3, ?4, ?5, ?6, ?7, ?8, NULL)
         ON CONFLICT(asset, partition) DO UPDATE SET status = 'ok', fingerprint = excluded.fingerprint,
           code_version = excluded.code_version, rows = excluded.rows, content_hash = excluded.content_hash,
           run_id = excluded.run_id, finished_at = excluded.finished_at, error = NULL",
        params![step.name(), partition, fingerprint, step.code_version(), rows as i64, content_hash, run_id, now()],
    )?;
    Ok(())
}

/// Runs `steps` in order over every scheduled date, recomputing only stale partitions.
pub fn run_steps(
    wh: &mut Warehouse,
    home: &Home,
    steps: &[Box<dyn Step>],
    run_id: &str,
) -> Result<Vec<AssetReport>> {
    crate::graph::validate(steps)?;
    let dates = schedule_dates(wh)?;
    let mut reports = Vec::new();
    for step in steps {
        let step = step.as_ref();
        let started = std::time::Instant::now();
        let fps = fingerprints(wh, steps, step, &dates)?;
        let done = hashes(
            wh,
            "SELECT partition, fingerprint FROM asset_partitions WHERE asset = ?1 AND status = 'ok'",
            step.name(),
        )?;
        let stale: Vec<(Date, &String)> = dates
            .iter()
            .zip(&fps)
            .filter(|(d, fp)| done.get(&d.to_string()) != Some(*fp))
            .map(|(d, fp)| (*d, fp))
            .collect();
        let mut report = AssetReport {
            asset: step.name(),
            partitions: dates.len(),
            fresh: dates.len() - stale.len(),
            computed: 0,
            rows_written: 0,
        };
        if !stale.is_empty() {
            tracing::info!("{}: {} of {} partitions to compute", step.name(), stale.len(), dates.len());
        }
        for chunk in stale.chunks(CHUNK) {
            let ds: Vec<Date> = chunk.iter().map(|(d, _)| *d).collect();
            let mut data: HashMap<Date, PartitionData> = step.compute(wh, &ds)?.into_iter().collect();
            for (d, fp) in chunk {
                report.rows_written += write_partition(wh, home, step, *d, data.remove(d), fp, run_id)?;
                report.computed += 1;
            }
        }
        if report.computed > 0 {
            tracing::info!(
                "{}: computed {} partitions, {} rows in {:.2} s",
                step.name(),
                report.computed,
                report.rows_written,
                started.elapsed().as_secs_f64()
            );
        }
        reports.push(report);
    }
    Ok(reports)
}
