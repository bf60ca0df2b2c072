//! Running a backfill: per asset in graph order, plan the stale partitions, skip bootstrap
//! dates for assets that need history, block partitions whose inputs failed, compute the rest
//! (in parallel chunks when `workers > 1`), gate each partition with its checks, and write it
//! with its ledger row in one transaction.

use crate::checks::{run_checks, CheckOutcome, ChecksConfig, Severity};
use crate::error::{Error, Result};
use crate::graph::{bootstrap_sensitive, select};
use crate::home::Home;
use crate::plan::{ledger, plan_asset, Mode, Planned, Reason};
use propcast_core::{parse_date, Date};
use propcast_store::{
    delete_partition, params, Connection, Inserter, Output, PartitionData, RowHasher, Step, Transaction,
    Value, Warehouse, Window,
};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{mpsc, Mutex};

/// What to backfill.
#[derive(Debug, Clone, Default)]
pub struct BackfillOptions {
    /// First date (inclusive).
    pub from: Option<Date>,
    /// Last date (inclusive).
    pub to: Option<Date>,
    /// Only these assets.
    pub assets: Option<Vec<String>>,
    /// Only the assets of this phase.
    pub phase: Option<u8>,
    /// Which partitions.
    pub mode: Mode,
    /// Threads computing partitions (1 = on the writer's thread).
    pub workers: usize,
    /// Newest dates first.
    pub newest_first: bool,
    /// Print the plan, run nothing.
    pub dry_run: bool,
}

/// Progress reporting: the CLI draws bars on a terminal and plain lines otherwise.
pub trait Progress: Sync {
    /// An asset starts with `total` partitions to run.
    fn start(&self, asset: &str, total: usize);
    /// `n` more partitions are done.
    fn advance(&self, asset: &str, n: usize);
    /// The asset is done.
    fn finish(&self, asset: &str, line: &str);
}

/// Progress that reports nothing.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: &str, _: usize) {}
    fn advance(&self, _: &str, _: usize) {}
    fn finish(&self, _: &str, _: &str) {}
}

/// What one asset did in a run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AssetReport {
    /// The asset.
    pub asset: &'static str,
    /// Its phase (2-6).
    pub phase: u8,
    /// Date partitions considered.
    pub partitions: usize,
    /// Already fresh: not recomputed.
    pub fresh: usize,
    /// Recomputed and written.
    pub computed: usize,
    /// Recorded as skipped (bootstrap window).
    pub skipped: usize,
    /// Failed (error, failed check, or blocked by a failed input).
    pub failed: usize,
    /// Failed before and left alone (mode `missing`, inputs unchanged).
    pub failed_kept: usize,
    /// Rows (or files) written.
    pub rows_written: usize,
    /// Warn-severity check failures recorded.
    pub warnings: usize,
    /// Seconds spent.
    pub seconds_millis: u64,
}

/// One line of a dry-run plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLine {
    /// Asset.
    pub asset: &'static str,
    /// Date.
    pub date: Date,
    /// Why it would run.
    pub reason: String,
}

/// What a backfill did (or, dry, would do).
#[derive(Debug, Clone, Default)]
pub struct BackfillReport {
    /// Per asset, in graph order.
    pub assets: Vec<AssetReport>,
    /// The plan (dry run only).
    pub plan: Vec<PlanLine>,
}

impl BackfillReport {
    /// Partitions computed, skipped or failed.
    pub fn did_work(&self) -> bool {
        self.assets.iter().any(|a| a.computed + a.skipped + a.failed > 0)
    }

    /// Partitions that failed in this run.
    pub fn failed(&self) -> usize {
        self.assets.iter().map(|a| a.failed).sum()
    }
}

/// How many stale dates are computed together (bounded memory, regular commits). Steps that
/// load a window of history per chunk (the prediction steps) take larger chunks; steps that
/// share one load for the run ([`Step::shares_history`]) take small ones: their rows in
/// flight are fresh memory (zeroed by the kernel on first touch), and 40-date chunks cut
/// phase 4's peak memory by a quarter and its time by about 5% against 160 (session 7).
const CHUNK: usize = 32;
const HISTORY_CHUNK: usize = 160;
const SHARED_HISTORY_CHUNK: usize = 40;

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Every scheduled date with its bootstrap flag, ascending.
pub fn calendar_dates(wh: &Warehouse) -> Result<Vec<(Date, bool)>> {
    let r = wh.query("SELECT game_date, is_bootstrap FROM game_dates ORDER BY 1", &[])?;
    Ok(r.rows
        .iter()
        .filter_map(|row| match (&row[0], &row[1]) {
            (Value::Text(s), Value::Integer(b)) => parse_date(s).ok().map(|d| (d, *b != 0)),
            _ => None,
        })
        .collect())
}

fn write_file(home: &Home, rel: &str, bytes: &[u8]) -> Result<()> {
    let path = home.path().join(rel);
    let io = |source| Error::Io { path: path.clone(), source };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(io)?;
    Ok(())
}

/// How a partition ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    Ok,
    Skipped,
    Failed,
}

impl Ended {
    fn as_str(self) -> &'static str {
        match self {
            Ended::Ok => "ok",
            Ended::Skipped => "skipped",
            Ended::Failed => "failed",
        }
    }
}

/// One partition's ledger write: the current state and the run history.
struct LedgerWrite<'a> {
    step: &'a dyn Step,
    date: &'a str,
    planned: &'a Planned,
    run_id: &'a str,
    started_at: &'a str,
}

impl LedgerWrite<'_> {
    fn write(
        &self,
        tx: &Transaction<'_>,
        ended: Ended,
        rows: usize,
        content_hash: &str,
        why: Option<&str>,
        error: Option<&str>,
    ) -> Result<()> {
        let s = self.step;
        if ended != Ended::Failed {
            tx.prepare_cached(
                "INSERT INTO asset_partitions (asset, partition, status, reason, fingerprint, code_version, rows,
                     content_hash, run_id, finished_at, error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, NULL)
                 ON CONFLICT(asset, partition) DO UPDATE SET status = excluded.status, reason = excluded.reason,
                   fingerprint = excluded.fingerprint, code_version = excluded.code_version, rows = excluded.rows,
                   content_hash = excluded.content_hash, run_id = excluded.run_id,
                   finished_at = excluded.finished_at, error = NULL",
            )?
            .execute(params![
                    s.name(),
                    self.date,
                    ended.as_str(),
                    why,
                    self.planned.fingerprint,
                    s.version(),
                    rows as i64,
                    content_hash,
                    self.run_id,
                    now()
                ],
            )?;
        } else {
            // A failed partition keeps its last good rows and content hash (downstream is
            // blocked by the status, not by missing rows).
            tx.prepare_cached(
                "INSERT INTO asset_partitions (asset, partition, status, reason, fingerprint, code_version, rows,
                     content_hash, run_id, finished_at, error)
                 VALUES (?1, ?2, 'failed', ?3, ?4, ?5, 0, '', ?6, ?7, ?8)
                 ON CONFLICT(asset, partition) DO UPDATE SET status = 'failed', reason = excluded.reason,
                   fingerprint = excluded.fingerprint, code_version = excluded.code_version,
                   run_id = excluded.run_id, finished_at = excluded.finished_at, error = excluded.error",
            )?
            .execute(params![s.name(), self.date, why, self.planned.fingerprint, s.version(), self.run_id, now(), error],
            )?;
        }
        tx.prepare_cached(
            "INSERT OR REPLACE INTO partition_runs (run_id, asset, partition, status, reason, started_at, finished_at,
                 rows, fingerprint, code_version, error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
                self.run_id,
                s.name(),
                self.date,
                ended.as_str(),
                format!("{}{}", self.planned.reason, why.map(|w| format!("; {w}")).unwrap_or_default()),
                self.started_at,
                now(),
                rows as i64,
                self.planned.fingerprint,
                s.version(),
                error
            ],
        )?;
        Ok(())
    }
}

fn record_checks<'t>(
    tx: &'t Transaction<'_>,
    insert: &mut Option<Inserter<'t>>,
    asset: &str,
    date: &str,
    run_id: &str,
    outcomes: &[CheckOutcome],
) -> Result<()> {
    tx.prepare_cached("DELETE FROM check_results WHERE asset = ?1 AND partition = ?2")?
        .execute([asset, date])?;
    let rows: Vec<Vec<Value>> = outcomes
        .iter()
        .map(|o| {
            let sample =
                (!o.sample.is_empty()).then(|| serde_json::Value::from(o.sample.clone()).to_string());
            vec![
                Value::Text(asset.to_string()),
                Value::Text(date.to_string()),
                Value::Text(o.name.to_string()),
                Value::Text(o.severity.as_str().to_string()),
                Value::Integer(i64::from(o.passed)),
                o.observed.map_or(Value::Null, Value::Real),
                Value::Text(o.message.clone()),
                sample.map_or(Value::Null, Value::Text),
                Value::Text(run_id.to_string()),
            ]
        })
        .collect();
    // A step's partitions all have the same checks: their results go in one statement.
    prepared(insert, || Inserter::ladder(tx, &propcast_core::schema::CHECK_RESULTS, &[rows.len()]))?
        .insert(rows.iter().map(Vec::as_slice))?;
    Ok(())
}

fn delete_rows(tx: &Transaction<'_>, step: &dyn Step, date: &str, home: &Home) -> Result<()> {
    match step.output() {
        Output::Table { table, scope: Some((col, val)) } => {
            let part = table.partition_column().unwrap_or("game_date");
            tx.prepare_cached(&format!("DELETE FROM {} WHERE {part} = ?1 AND {col} = ?2", table.name))?
                .execute([date, val])?;
        }
        Output::Table { table, scope: None } => {
            delete_partition(tx, table, Some(date))?;
        }
        // Raw rows belong to the ingest: a gate never deletes them.
        Output::Verify { .. } => {}
        Output::Files { pattern, .. } => {
            let stale = home.path().join(pattern.replace("{date}", date));
            if stale.exists() {
                std::fs::remove_file(&stale).map_err(|source| Error::Io { path: stale, source })?;
            }
        }
    }
    Ok(())
}

/// A computed partition made ready for the writer on the thread that computed it: rows in
/// canonical order, gate checks run, content hashed. The single SQLite writer then only
/// deletes, inserts and records.
struct Ready {
    data: PartitionData,
    outcomes: Vec<CheckOutcome>,
    /// The rows' content hash (files are hashed as they are written).
    hash: Option<String>,
}

/// The column names and the primary key's positions of the table a step writes (none for
/// files): computed once per step, used by every partition's [`prepare`].
struct Shape {
    columns: Vec<&'static str>,
    key: Vec<usize>,
}

impl Shape {
    fn of(step: &dyn Step) -> Shape {
        match step.output() {
            Output::Table { table, .. } | Output::Verify { table } => {
                Shape { columns: table.columns.iter().map(|c| c.name).collect(), key: table.key_positions() }
            }
            Output::Files { .. } => Shape { columns: vec![], key: vec![] },
        }
    }
}

/// Sorts, gates and hashes one computed partition (`conn` answers the checks' queries).
fn prepare(
    conn: &Connection,
    step: &dyn Step,
    shape: &Shape,
    date: Date,
    data: Option<PartitionData>,
    cfg: &ChecksConfig,
) -> Result<Ready> {
    // A date the step produced nothing for is an empty partition of the output's kind.
    let data = data.unwrap_or_else(|| match step.output() {
        Output::Files { .. } => PartitionData::Files(vec![]),
        _ => PartitionData::Rows(vec![]),
    });
    match data {
        PartitionData::Rows(mut rows) => {
            let hash = propcast_store::canonical(&mut rows, &shape.key);
            let outcomes = run_checks(conn, step, &date.to_string(), (&shape.columns, &rows), cfg)?;
            Ok(Ready { data: PartitionData::Rows(rows), outcomes, hash: Some(hash) })
        }
        // Stored rows are gated as they are (their order is irrelevant to the checks) and
        // keep the hash they were stored with.
        PartitionData::Stored { columns, rows, hash } => {
            if !matches!(step.output(), Output::Verify { .. }) {
                return Err(Error::Graph(format!(
                    "{} returned stored rows for a table it writes",
                    step.name()
                )));
            }
            let outcomes = run_checks(conn, step, &date.to_string(), (&columns, &rows), cfg)?;
            Ok(Ready { data: PartitionData::Rows(rows), outcomes, hash: Some(hash) })
        }
        files @ PartitionData::Files(_) => Ok(Ready { data: files, outcomes: vec![], hash: None }),
    }
}

/// The insert statements of a chunk's transaction, prepared by its first partition: the
/// step's rows and its check results.
#[derive(Default)]
struct Inserters<'t> {
    rows: Option<Inserter<'t>>,
    checks: Option<Inserter<'t>>,
}

/// The inserter in `slot`, prepared by `new` the first time.
fn prepared<'s, 't>(
    slot: &'s mut Option<Inserter<'t>>,
    new: impl FnOnce() -> propcast_store::Result<Inserter<'t>>,
) -> Result<&'s mut Inserter<'t>> {
    Ok(match slot {
        Some(ins) => ins,
        None => slot.insert(new()?),
    })
}

/// How a partition's write ended: (ended, rows written, warnings).
type Outcome = (Ended, usize, usize);

/// Writes one prepared partition inside the caller's transaction: its check results, then
/// either its failure (an error-severity check failed) or its rows and ledger row. Returns
/// (ended, rows, warnings) and the rows themselves, for a worker to free (see [`Spent`]).
#[allow(clippy::too_many_arguments)]
fn write_partition<'t>(
    tx: &'t Transaction<'_>,
    inserters: &mut Inserters<'t>,
    home: &Home,
    step: &dyn Step,
    planned: &Planned,
    ready: Ready,
    run_id: &str,
    started_at: &str,
) -> Result<(Outcome, Vec<Vec<Value>>)> {
    let ds = planned.date.to_string();
    let lw = LedgerWrite { step, date: &ds, planned, run_id, started_at };
    let Ready { data, outcomes, hash } = ready;
    match (step.output(), data) {
        (out @ (Output::Table { .. } | Output::Verify { .. }), PartitionData::Rows(rows)) => {
            let warnings = outcomes.iter().filter(|o| !o.passed && o.severity == Severity::Warn).count();
            let failed: Vec<&CheckOutcome> =
                outcomes.iter().filter(|o| !o.passed && o.severity == Severity::Error).collect();
            record_checks(tx, &mut inserters.checks, step.name(), &ds, run_id, &outcomes)?;
            if !failed.is_empty() {
                let why =
                    format!("check {} failed", failed.iter().map(|o| o.name).collect::<Vec<_>>().join(", "));
                let error = serde_json::json!(failed
                    .iter()
                    .map(|o| serde_json::json!({"check": o.name, "message": o.message, "sample": o.sample}))
                    .collect::<Vec<_>>())
                .to_string();
                tracing::error!("{} {ds}: {why}: {}", step.name(), failed[0].message);
                lw.write(tx, Ended::Failed, 0, "", Some(&why), Some(&error))?;
                return Ok(((Ended::Failed, 0, warnings), rows));
            }
            if let Output::Table { table, .. } = out {
                delete_rows(tx, step, &ds, home)?;
                prepared(&mut inserters.rows, || Inserter::new(tx, table))?
                    .insert(rows.iter().map(Vec::as_slice))?;
            }
            lw.write(tx, Ended::Ok, rows.len(), hash.as_deref().unwrap_or_default(), None, None)?;
            Ok(((Ended::Ok, rows.len(), warnings), rows))
        }
        (Output::Files { .. }, PartitionData::Files(files)) => {
            let mut h = RowHasher::new();
            if files.is_empty() {
                delete_rows(tx, step, &ds, home)?;
                lw.write(tx, Ended::Ok, 0, &h.finish(), None, None)?;
                return Ok(((Ended::Ok, 0, 0), vec![]));
            }
            for (rel, bytes) in &files {
                write_file(home, rel, bytes)?;
                h.bytes(rel.as_bytes());
                h.bytes(bytes);
            }
            lw.write(tx, Ended::Ok, files.len(), &h.finish(), None, None)?;
            Ok(((Ended::Ok, files.len(), 0), vec![]))
        }
        _ => Err(Error::Graph(format!("{} returned the wrong kind of output", step.name()))),
    }
}

/// Records a partition that does not compute: skipped (bootstrap) or failed (blocked, error).
fn record_without_compute(
    tx: &Transaction<'_>,
    home: &Home,
    lw: &LedgerWrite<'_>,
    ended: Ended,
    why: &str,
    error: Option<&str>,
) -> Result<()> {
    if ended == Ended::Skipped {
        // Expected empty: no stale rows from an earlier computation survive.
        delete_rows(tx, lw.step, lw.date, home)?;
        lw.write(tx, ended, 0, &RowHasher::new().finish(), Some(why), None)?;
    } else {
        lw.write(tx, ended, 0, "", Some(why), error)?;
    }
    Ok(())
}

/// Dates at which each produced input is failed, and whether a date is blocked for `step`.
fn blocked_by(
    wh: &Warehouse,
    steps: &[Box<dyn Step>],
    step: &dyn Step,
) -> Result<impl Fn(Date) -> Option<String>> {
    let mut same: Vec<(String, BTreeSet<Date>)> = Vec::new();
    let mut before: Vec<(String, Date)> = Vec::new();
    for input in step.inputs() {
        for producer in steps.iter().filter(|s| s.output().name() == input.name && s.name() != step.name()) {
            let failed: BTreeSet<Date> = ledger(wh, producer.name())?
                .into_iter()
                .filter(|(_, e)| e.status == "failed")
                .filter_map(|(p, _)| parse_date(&p).ok())
                .collect();
            match input.window {
                Window::SameDate | Window::Outcome => same.push((producer.name().to_string(), failed)),
                Window::AllBefore => {
                    if let Some(first) = failed.first() {
                        before.push((producer.name().to_string(), *first));
                    }
                }
            }
        }
    }
    Ok(move |d: Date| {
        for (a, set) in &same {
            if set.contains(&d) {
                return Some(format!("blocked by {a} {d}"));
            }
        }
        for (a, first) in &before {
            if *first < d {
                return Some(format!("blocked by {a} {first}"));
            }
        }
        None
    })
}

/// Runs (or, dry, plans) a backfill of the selected assets.
pub fn backfill(
    wh: &mut Warehouse,
    home: &Home,
    steps: &[Box<dyn Step>],
    opts: &BackfillOptions,
    progress: &dyn Progress,
    run_id: &str,
) -> Result<BackfillReport> {
    crate::graph::validate(steps)?;
    let cfg = ChecksConfig::load(home)?;
    cfg.validate(steps)?;
    let selected = select(steps, opts.assets.as_deref(), opts.phase)?;
    let calendar = calendar_dates(wh)?;
    let all_dates: Vec<Date> = calendar.iter().map(|(d, _)| *d).collect();
    let bootstrap: HashSet<Date> = calendar.iter().filter(|(_, b)| *b).map(|(d, _)| *d).collect();
    let in_range = |d: &Date| opts.from.is_none_or(|f| *d >= f) && opts.to.is_none_or(|t| *d <= t);
    let mut report = BackfillReport::default();
    // Shared loads' keys are kept for this run, until the engine writes what they read.
    propcast_store::memo::run_begins();
    // Dry run: dates each asset would recompute, to flag their dependents.
    let mut scheduled: HashMap<&'static str, BTreeSet<Date>> = HashMap::new();

    for (i, step) in steps.iter().enumerate() {
        if !selected.contains(&i) {
            continue;
        }
        let step = step.as_ref();
        let started = std::time::Instant::now();
        let plan = plan_asset(wh, steps, step, &all_dates, opts.mode)?;
        let mut run: Vec<Planned> = plan.run.into_iter().filter(|p| in_range(&p.date)).collect();
        let considered = all_dates.iter().filter(|d| in_range(d)).count();
        let mut rep = AssetReport {
            asset: step.name(),
            phase: step.phase(),
            partitions: considered,
            fresh: considered - run.len(),
            failed_kept: plan.failed_kept,
            ..Default::default()
        };
        if opts.dry_run {
            let mut extra: BTreeSet<Date> = BTreeSet::new();
            for input in step.inputs() {
                for producer in
                    steps.iter().filter(|s| s.output().name() == input.name && s.name() != step.name())
                {
                    if let Some(dates) = scheduled.get(producer.name()) {
                        match input.window {
                            Window::SameDate | Window::Outcome => extra.extend(dates.iter().copied()),
                            Window::AllBefore => {
                                if let Some(first) = dates.first() {
                                    extra.extend(all_dates.iter().filter(|d| *d > first));
                                }
                            }
                        }
                        for d in extra.clone() {
                            if in_range(&d) && !run.iter().any(|p| p.date == d) {
                                run.push(Planned {
                                    date: d,
                                    reason: Reason::UpstreamScheduled(producer.name()),
                                    fingerprint: String::new(),
                                });
                            }
                        }
                    }
                }
            }
            run.sort_by_key(|p| p.date);
            scheduled.insert(step.name(), run.iter().map(|p| p.date).collect());
            rep.fresh = considered - run.len();
            for p in &run {
                let reason = if bootstrap_sensitive(steps, step) && bootstrap.contains(&p.date) {
                    format!("{} (will be skipped: bootstrap)", p.reason)
                } else {
                    p.reason.to_string()
                };
                report.plan.push(PlanLine { asset: step.name(), date: p.date, reason });
            }
            report.assets.push(rep);
            continue;
        }
        if opts.newest_first {
            run.reverse();
        }
        progress.start(step.name(), run.len());
        let blocked = blocked_by(wh, steps, step)?;
        let sensitive = bootstrap_sensitive(steps, step);
        let mut to_compute: Vec<Planned> = Vec::new();
        let tx = wh.transaction()?;
        for p in run {
            let ds = p.date.to_string();
            let t0 = now();
            let lw = LedgerWrite { step, date: &ds, planned: &p, run_id, started_at: &t0 };
            if let Some(why) = blocked(p.date) {
                record_without_compute(&tx, home, &lw, Ended::Failed, &why, None)?;
                rep.failed += 1;
                progress.advance(step.name(), 1);
            } else if sensitive && bootstrap.contains(&p.date) {
                record_without_compute(&tx, home, &lw, Ended::Skipped, "bootstrap", None)?;
                rep.skipped += 1;
                progress.advance(step.name(), 1);
            } else {
                to_compute.push(p);
            }
        }
        tx.commit()?;
        propcast_store::memo::written(step.name());
        compute_and_write(wh, home, step, to_compute, &cfg, opts.workers.max(1), run_id, progress, &mut rep)?;
        rep.seconds_millis = started.elapsed().as_millis() as u64;
        let line = format!(
            "{}: {} computed, {} skipped, {} failed, {} fresh; {} rows in {:.2} s",
            step.name(),
            rep.computed,
            rep.skipped,
            rep.failed,
            rep.fresh,
            rep.rows_written,
            started.elapsed().as_secs_f64()
        );
        progress.finish(step.name(), &line);
        report.assets.push(rep);
    }
    Ok(report)
}

type ChunkResult = (Vec<Planned>, std::result::Result<HashMap<Date, Ready>, String>, String);

/// Rows the writer has inserted, freed by the next worker to take a chunk. Freeing a chunk's
/// rows (millions of small allocations, most of them made on another thread) cost the single
/// writer thread about 8% of its time, and in the assets whose writer is the bottleneck the
/// workers are waiting for it anyway (docs/decisions.md, session 9).
#[derive(Default)]
struct Spent(Mutex<Vec<Vec<Vec<Value>>>>);

impl Spent {
    fn put(&self, rows: Vec<Vec<Value>>) {
        if !rows.is_empty() {
            if let Ok(mut v) = self.0.lock() {
                v.push(rows);
            }
        }
    }

    /// Frees what has been put so far, on the calling thread.
    fn free(&self) {
        drop(self.take());
    }

    fn take(&self) -> Vec<Vec<Vec<Value>>> {
        self.0.lock().map(|mut v| std::mem::take(&mut *v)).unwrap_or_default()
    }
}

impl Drop for Spent {
    /// The last chunks' rows, left when the workers have stopped, are freed on a thread of
    /// their own: on the writer's thread they held up the next asset's planning, with the
    /// other core idle (0.4 G instructions over a full backfill).
    fn drop(&mut self) {
        let rows = self.take();
        if !rows.is_empty() {
            // Should no thread start, the rows are freed here as the closure is dropped.
            let _ = std::thread::Builder::new().name("free-rows".into()).spawn(move || drop(rows));
        }
    }
}

/// `planned` in chunks of `size` partitions, the last ones smaller: the final chunks of an
/// asset are computed while the other workers have nothing left to take, and the writer
/// writes the very last one alone, so each of the last `workers` chunks is cut in four
/// (the cores idled for about a chunk's time at the end of every asset; session 13). What a
/// partition computes does not depend on its chunk.
fn chunked(planned: &[Planned], size: usize, workers: usize) -> Vec<Vec<Planned>> {
    let mut chunks: Vec<Vec<Planned>> = planned.chunks(size).map(<[Planned]>::to_vec).collect();
    if chunks.len() > 2 * workers {
        let tail: Vec<Vec<Planned>> = chunks.split_off(chunks.len() - workers);
        chunks
            .extend(tail.iter().flat_map(|c| c.chunks(c.len().div_ceil(4).max(1)).map(<[Planned]>::to_vec)));
    }
    chunks
}

/// Computes the planned partitions in chunks (in `workers` threads, each with its own read
/// connection, which also sort, gate and hash what they computed) and writes each on this
/// thread as it arrives.
#[allow(clippy::too_many_arguments)]
fn compute_and_write(
    wh: &mut Warehouse,
    home: &Home,
    step: &dyn Step,
    planned: Vec<Planned>,
    cfg: &ChecksConfig,
    workers: usize,
    run_id: &str,
    progress: &dyn Progress,
    rep: &mut AssetReport,
) -> Result<()> {
    if planned.is_empty() {
        return Ok(());
    }
    let size = match (step.shares_history(), step.inputs().iter().any(|i| i.window == Window::AllBefore)) {
        (true, _) => SHARED_HISTORY_CHUNK,
        (false, true) => HISTORY_CHUNK,
        (false, false) => CHUNK,
    };
    if let Some(first) = planned.iter().map(|p| p.date).min() {
        propcast_store::memo::step_begins(first);
    }
    let chunks = chunked(&planned, size, workers.max(1));
    // One transaction per chunk: every partition in it is complete (rows, checks, ledger) or,
    // if the process dies before the commit, absent; a resumed run recomputes the chunk.
    let spent = Spent::default();
    let mut handle = |wh: &mut Warehouse, (chunk, result, started): ChunkResult| -> Result<()> {
        let tx = wh.transaction()?;
        match result {
            Ok(mut ready) => {
                // The chunk's insert statements (rows, check results), prepared by its first partition.
                let mut inserters = Inserters::default();
                for p in &chunk {
                    let r = ready.remove(&p.date).ok_or_else(|| {
                        Error::Graph(format!("{}: {} was not prepared", step.name(), p.date))
                    })?;
                    let ((ended, rows, warnings), written) =
                        write_partition(&tx, &mut inserters, home, step, p, r, run_id, &started)?;
                    spent.put(written);
                    match ended {
                        Ended::Ok => rep.computed += 1,
                        Ended::Skipped => rep.skipped += 1,
                        Ended::Failed => rep.failed += 1,
                    }
                    rep.rows_written += rows;
                    rep.warnings += warnings;
                    progress.advance(step.name(), 1);
                }
            }
            Err(e) => {
                tracing::error!("{}: computing {} partitions failed: {e}", step.name(), chunk.len());
                for p in &chunk {
                    let ds = p.date.to_string();
                    let lw = LedgerWrite { step, date: &ds, planned: p, run_id, started_at: &started };
                    record_without_compute(&tx, home, &lw, Ended::Failed, "error", Some(&e))?;
                    rep.failed += 1;
                    progress.advance(step.name(), 1);
                }
            }
        }
        tx.commit()?;
        propcast_store::memo::written(step.name());
        Ok(())
    };
    // Compute and write times, for `-vv` (where a slow asset spends its time).
    let compute_us = std::sync::atomic::AtomicU64::new(0);
    let mut write_us = 0u128;
    let shape = Shape::of(step);
    let compute = |wh: &Warehouse, chunk: &[Planned]| {
        let t = std::time::Instant::now();
        let mut dates: Vec<Date> = chunk.iter().map(|p| p.date).collect();
        dates.sort();
        let r = propcast_store::memo::with_sharing(|| step.compute(wh, &dates))
            .map_err(Error::from)
            .and_then(|data| {
                // Every date of the chunk, the ones the step produced nothing for included.
                let mut data: HashMap<Date, PartitionData> = data.into_iter().collect();
                dates
                    .iter()
                    .map(|d| Ok((*d, prepare(wh.conn(), step, &shape, *d, data.remove(d), cfg)?)))
                    .collect::<Result<HashMap<Date, Ready>>>()
            })
            .map_err(|e| e.to_string());
        compute_us.fetch_add(t.elapsed().as_micros() as u64, std::sync::atomic::Ordering::Relaxed);
        r
    };
    let log = |write_us: u128| {
        tracing::debug!(
            "{}: compute {:.2} s (summed over workers), write {:.2} s",
            step.name(),
            compute_us.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1e6,
            write_us as f64 / 1e6
        )
    };
    if workers == 1 || chunks.len() == 1 {
        for chunk in chunks {
            let started = now();
            let r = compute(wh, &chunk);
            let t = std::time::Instant::now();
            handle(wh, (chunk, r, started))?;
            write_us += t.elapsed().as_micros();
            spent.free();
        }
        log(write_us);
        return Ok(());
    }
    let path = wh.path().to_path_buf();
    let queue = Mutex::new(chunks.into_iter().rev().collect::<Vec<_>>());
    let (tx, rx) = mpsc::sync_channel::<ChunkResult>(workers);
    std::thread::scope(|scope| -> Result<()> {
        for _ in 0..workers {
            let tx = tx.clone();
            let (queue, path, spent) = (&queue, &path, &spent);
            scope.spawn(move || {
                let reader = match Warehouse::open_read_only(path) {
                    Ok(r) => r,
                    Err(e) => {
                        while let Some(chunk) = queue.lock().ok().and_then(|mut q| q.pop()) {
                            let _ = tx.send((chunk, Err(e.to_string()), now()));
                        }
                        return;
                    }
                };
                while let Some(chunk) = queue.lock().ok().and_then(|mut q| q.pop()) {
                    spent.free();
                    let started = now();
                    let r = compute(&reader, &chunk);
                    if tx.send((chunk, r, started)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        for msg in rx {
            let t = std::time::Instant::now();
            handle(wh, msg)?;
            write_us += t.elapsed().as_micros();
        }
        log(write_us);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_chunks_are_cut_in_four_and_every_partition_stays_once_in_order() {
        let day = |i: i64| propcast_core::parse_date("2024-10-22").expect("date") + chrono::Duration::days(i);
        let planned: Vec<Planned> = (0..107)
            .map(|i| Planned { date: day(i), reason: Reason::Missing, fingerprint: String::new() })
            .collect();
        let sizes = |c: &[Vec<Planned>]| c.iter().map(Vec::len).collect::<Vec<_>>();
        let chunks = chunked(&planned, 10, 2);
        // Nine chunks of ten; the tenth (10) and the last (7) in four pieces each.
        assert_eq!(sizes(&chunks), [10, 10, 10, 10, 10, 10, 10, 10, 10, 3, 3, 3, 1, 2, 2, 2, 1]);
        let dates: Vec<Date> = chunks.iter().flatten().map(|p| p.date).collect();
        assert_eq!(dates, planned.iter().map(|p| p.date).collect::<Vec<_>>());
        // Few chunks: left as they are.
        assert_eq!(sizes(&chunked(&planned[..35], 10, 2)), [10, 10, 10, 5]);
    }
}
