//! Process-wide memos for expensive results keyed by what they read: [`Memo`] keeps one
//! result per key (a trained model, a season's calibration): computed once per key, the same
//! key waits for the first computation, other keys proceed in parallel. [`Latest`] keeps only
//! the most recent key's result (the history a step's chunks share during one backfill).

use crate::error::Result;
use crate::warehouse::Warehouse;
use propcast_core::Date;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Slot<T> = Arc<Mutex<Option<Arc<T>>>>;

/// Results by key.
pub struct Memo<T>(Mutex<HashMap<String, Slot<T>>>);

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo(Mutex::new(HashMap::new()))
    }
}

fn poisoned() -> crate::Error {
    crate::Error::Step { step: "memo", message: "a cache lock was poisoned by a panic".into() }
}

impl<T> Memo<T> {
    /// The result for `key`, computing it with `f` the first time; `f` may decline (`None`),
    /// which is not remembered.
    pub fn get_or_try(&self, key: String, f: impl FnOnce() -> Result<Option<T>>) -> Result<Option<Arc<T>>> {
        let slot = self.0.lock().map_err(|_| poisoned())?.entry(key).or_default().clone();
        let mut slot = slot.lock().map_err(|_| poisoned())?;
        if let Some(v) = slot.as_ref() {
            return Ok(Some(v.clone()));
        }
        let v = f()?.map(Arc::new);
        slot.clone_from(&v);
        Ok(v)
    }

    /// Every result computed so far.
    pub fn values(&self) -> Vec<Arc<T>> {
        let Ok(map) = self.0.lock() else { return Vec::new() };
        map.values().filter_map(|s| s.lock().ok().and_then(|v| v.clone())).collect()
    }
}

/// The load of the most recent content only: a new content key replaces it. Callers with the
/// same key wait for the first load (the chunks of one backfill share one). A load covers the
/// dates from a start on: a later start reuses it ([`Latest::load`]).
pub struct Latest<T>(Mutex<Option<(String, Date, Arc<T>)>>);

impl<T> Default for Latest<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Latest<T> {
    /// Empty.
    pub const fn new() -> Self {
        Latest(Mutex::new(None))
    }

    /// What a step's chunk reads from `sources`, loaded by `load`. Inside an engine run
    /// ([`with_sharing`]): the result held for the content of `sources` if it covers the
    /// dates from `start` on, else `load(true)`, which loads everything from `start` on and is
    /// kept for the next chunks and steps. Outside a run: `load(false)`, only what the call
    /// needs, never kept, so a change made behind the ledger's back is seen.
    pub fn load(
        &self,
        wh: &Warehouse,
        sources: &[&str],
        start: Date,
        load: impl FnOnce(bool) -> Result<T>,
    ) -> Result<Arc<T>> {
        if !sharing() {
            return Ok(Arc::new(load(false)?));
        }
        let key = run_key(wh, sources)?;
        let mut held = self.0.lock().map_err(|_| poisoned())?;
        if let Some((k, from, v)) = held.as_ref() {
            if *k == key && *from <= start {
                return Ok(v.clone());
            }
        }
        // Drop the old result before computing the new one (peak memory).
        *held = None;
        let t = std::time::Instant::now();
        let v = Arc::new(load(true)?);
        tracing::debug!(
            "shared load of {} from {start} in {:.2} s",
            std::any::type_name::<T>().trim_end_matches('>').rsplit("::").next().unwrap_or_default(),
            t.elapsed().as_secs_f64()
        );
        *held = Some((key, start, v.clone()));
        Ok(v)
    }
}

/// Loads the dates in `[lo, hi)` as two halves at once, split at the median scheduled date:
/// the later half on a second read connection and thread, the earlier on this one. `load`
/// reads a half-open range; the halves come back in date order. For the whole-run loads
/// that every worker waits for at the start of an asset (one core would idle otherwise):
/// the pre-game population, the histories, the phase-4 facts (docs/engine.md).
pub fn in_two_halves<T: Send>(
    wh: &Warehouse,
    lo: &str,
    hi: &str,
    load: impl Fn(&Warehouse, &str, &str) -> Result<T> + Sync,
) -> Result<(T, Option<T>)> {
    let mid: Option<String> = wh
        .conn()
        .prepare_cached(
            "SELECT game_date FROM game_dates WHERE game_date >= ?1 AND game_date < ?2 ORDER BY game_date
             LIMIT 1 OFFSET (SELECT count(*) / 2 FROM game_dates WHERE game_date >= ?1 AND game_date < ?2)",
        )?
        .query_row([lo, hi], |r| r.get(0))
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    let Some(mid) = mid.filter(|m| m.as_str() > lo) else { return Ok((load(wh, lo, hi)?, None)) };
    let (path, load) = (wh.path().to_path_buf(), &load);
    std::thread::scope(|s| {
        let later = s.spawn(|| load(&Warehouse::open_read_only(&path)?, &mid, hi));
        let earlier = load(wh, lo, &mid);
        let later = later
            .join()
            .map_err(|_| crate::Error::Step { step: "memo", message: "a loading thread panicked".into() })?;
        Ok((earlier?, Some(later?)))
    })
}

/// A date after every partition: a key over a whole asset.
pub fn after_all() -> Date {
    Date::from_ymd_opt(9999, 12, 31).unwrap_or(Date::MAX)
}

/// A key for what a computation reads: the warehouse file and the content hashes of every
/// partition of `assets` before `before` (a changed earlier partition is a new key).
pub fn inputs_key(wh: &Warehouse, assets: &[&str], before: Date) -> Result<String> {
    let mut h = crate::hash::RowHasher::new();
    h.bytes(wh.path().to_string_lossy().as_bytes());
    h.bytes(content_key(wh, assets, before)?.as_bytes());
    Ok(h.finish())
}

/// The content part of [`inputs_key`], without the warehouse file: the same for a copy of
/// the home (a key for caches kept inside the home).
pub fn content_key(wh: &Warehouse, assets: &[&str], before: Date) -> Result<String> {
    let mut h = crate::hash::RowHasher::new();
    let mut stmt = wh.conn().prepare_cached(
        "SELECT content_hash FROM asset_partitions WHERE asset = ?1 AND partition < ?2 ORDER BY partition",
    )?;
    for a in assets {
        h.bytes(a.as_bytes());
        let mut q = stmt.query([a.to_string(), before.to_string()])?;
        while let Some(r) = q.next()? {
            h.bytes(r.get::<_, String>(0)?.as_bytes());
        }
    }
    Ok(h.finish())
}

/// The earliest date of the step the engine is computing ([`step_begins`]).
static STEP_FIRST: Mutex<Option<Date>> = Mutex::new(None);

/// The engine is about to compute a step's partitions, the earliest dated `first`.
pub fn step_begins(first: Date) {
    if let Ok(mut f) = STEP_FIRST.lock() {
        *f = Some(first);
    }
}

/// Where a shared load asked for by a chunk whose first date is `first` starts: inside an
/// engine run, at the earliest date of the step ([`step_begins`]). A step's first two chunks
/// start at once on two workers, and whichever asks first loads; when that was the later
/// chunk, the earlier one found the load starting after its dates and loaded everything
/// again (a season's population twice: 4% of its phase-4 instructions). Outside a run,
/// `first`. Never later than `first`: an earlier start only loads more rows, and every
/// shared load is sliced by date, so no row computed from it changes.
pub fn shared_first(first: Date) -> Date {
    if !sharing() {
        return first;
    }
    STEP_FIRST.lock().ok().and_then(|f| *f).map_or(first, |f| f.min(first))
}

thread_local! {
    static SHARING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The keys of shared loads within an engine run ([`run_key`]): per asset, how many times the
/// engine has committed its partitions since the run began, and per list of assets read, the
/// key with the counts it was computed at.
#[derive(Default)]
struct RunKeys {
    writes: HashMap<String, u64>,
    keys: HashMap<(std::path::PathBuf, Vec<String>), (Vec<u64>, String)>,
}

static RUN_KEYS: Mutex<Option<RunKeys>> = Mutex::new(None);

/// A new engine run begins: the keys of earlier runs are forgotten (the ledger may have been
/// changed between runs by anything).
pub fn run_begins() {
    if let Ok(mut k) = RUN_KEYS.lock() {
        *k = Some(RunKeys::default());
    }
}

/// The engine committed partitions of `asset`: keys of loads that read it are computed again.
pub fn written(asset: &str) {
    if let Ok(mut k) = RUN_KEYS.lock() {
        if let Some(k) = k.as_mut() {
            *k.writes.entry(asset.to_string()).or_default() += 1;
        }
    }
}

/// [`inputs_key`] over whole assets, computed once per run until the engine writes one of
/// them. Every chunk of every step that shares a load asks for its key; reading the whole
/// ledger of its inputs each time was 2.5% of a full backfill's instructions
/// (docs/decisions.md, session 9). Outside a run (no [`run_begins`]), computed each time.
fn run_key(wh: &Warehouse, sources: &[&str]) -> Result<String> {
    let id = (wh.path().to_path_buf(), sources.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    let counts =
        |k: &RunKeys| sources.iter().map(|s| k.writes.get(*s).copied().unwrap_or(0)).collect::<Vec<_>>();
    {
        let held = RUN_KEYS.lock().map_err(|_| poisoned())?;
        let Some(k) = held.as_ref() else { return inputs_key(wh, sources, after_all()) };
        if let Some((at, key)) = k.keys.get(&id) {
            if *at == counts(k) {
                return Ok(key.clone());
            }
        }
    }
    // The counts are taken before the ledger is read: a write in between makes the key
    // stale at once, never a stale key current.
    let at = RUN_KEYS.lock().map_err(|_| poisoned())?.as_ref().map(counts);
    let key = inputs_key(wh, sources, after_all())?;
    if let (Some(at), Some(k)) = (at, RUN_KEYS.lock().map_err(|_| poisoned())?.as_mut()) {
        k.keys.insert(id, (at, key.clone()));
    }
    Ok(key)
}

/// Runs `f` with shared loads allowed on this thread. The engine computes every chunk of a
/// backfill inside it: during a run, the engine is the only writer and keeps the ledger
/// that the content keys are read from, and upstream assets are complete before a reader
/// starts. A step called outside (a test, the serving path) loads what it reads each time,
/// so a change made behind the ledger's back is always seen.
pub fn with_sharing<R>(f: impl FnOnce() -> R) -> R {
    let was = SHARING.with(|s| s.replace(true));
    let r = f();
    SHARING.with(|s| s.set(was));
    r
}

/// Whether this thread is computing inside [`with_sharing`].
pub fn sharing() -> bool {
    SHARING.with(|s| s.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(wh: &Warehouse, asset: &str, partition: &str, hash: &str) {
        wh.conn()
            .execute(
                "INSERT INTO asset_partitions (asset, partition, status, fingerprint, code_version, rows,
                   content_hash, run_id, finished_at)
                 VALUES (?1, ?2, 'ok', '', 'v', 0, ?3, 'r', 't')
                 ON CONFLICT (asset, partition) DO UPDATE SET content_hash = excluded.content_hash",
                [asset, partition, hash],
            )
            .expect("insert");
    }

    #[test]
    fn a_shared_load_starts_at_the_steps_first_date_inside_a_run_only() {
        let d = |s: &str| propcast_core::parse_date(s).expect("date");
        step_begins(d("2024-10-22"));
        // Outside a run: the chunk's own first date.
        assert_eq!(shared_first(d("2024-12-01")), d("2024-12-01"));
        with_sharing(|| {
            // A later chunk of the step loads from the step's first date, so the earlier
            // chunk finds its dates in the load; an earlier date than the step's stays.
            assert_eq!(shared_first(d("2024-12-01")), d("2024-10-22"));
            assert_eq!(shared_first(d("2024-10-01")), d("2024-10-01"));
        });
    }

    #[test]
    fn a_run_keeps_a_shared_load_until_the_engine_writes_what_it_read() {
        use std::sync::atomic::{AtomicU32, Ordering};
        static SHARED: Latest<u32> = Latest::new();
        let dir = tempfile::tempdir().expect("tempdir");
        let wh = Warehouse::open(&dir.path().join("w.sqlite")).expect("open");
        let d = |s: &str| Date::parse_from_str(s, "%Y-%m-%d").expect("date");
        record(&wh, "a", "2024-01-01", "h1");
        let loads = AtomicU32::new(0);
        let load = || -> u32 {
            *SHARED
                .load(&wh, &["a"], d("2024-01-01"), |_| Ok(loads.fetch_add(1, Ordering::SeqCst) + 1))
                .expect("load")
        };
        run_begins();
        with_sharing(|| {
            assert_eq!(load(), 1);
            assert_eq!(load(), 1, "the same content is loaded once");
            // Within a run only the engine writes the ledger, and says so.
            record(&wh, "a", "2024-01-02", "h2");
            assert_eq!(load(), 1, "the key is not read again until the engine writes `a`");
            written("b");
            assert_eq!(load(), 1, "another asset's writes change nothing");
            written("a");
            assert_eq!(load(), 2, "after the engine wrote `a`, its new content is loaded");
            record(&wh, "a", "2024-01-02", "h2'");
            run_begins();
            assert_eq!(load(), 3, "a new run reads the ledger again");
        });
        // Outside a run's sharing, every call loads.
        assert_eq!(load(), 4);
    }

    #[test]
    fn the_content_key_follows_the_hashes_before_the_date_in_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let wh = Warehouse::open(&dir.path().join("w.sqlite")).expect("open");
        let d = |s: &str| Date::parse_from_str(s, "%Y-%m-%d").expect("date");
        record(&wh, "a", "2024-01-02", "h2");
        record(&wh, "a", "2024-01-01", "h1");
        record(&wh, "b", "2024-01-01", "g1");
        let key = content_key(&wh, &["a", "b"], d("2024-01-03")).expect("key");
        assert_eq!(key, content_key(&wh, &["a", "b"], d("2024-01-03")).expect("key"), "stable");
        assert_ne!(key, content_key(&wh, &["b", "a"], d("2024-01-03")).expect("key"), "assets in order");
        // A partition on or after the date is not read; a changed one before it is.
        record(&wh, "a", "2024-01-05", "h5");
        assert_eq!(key, content_key(&wh, &["a", "b"], d("2024-01-03")).expect("key"));
        record(&wh, "a", "2024-01-01", "h1'");
        assert_ne!(key, content_key(&wh, &["a", "b"], d("2024-01-03")).expect("key"));
        // No partitions at all is a key too.
        assert!(!content_key(&wh, &["c"], d("2024-01-03")).expect("key").is_empty());
    }
}
