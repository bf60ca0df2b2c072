//! A process-wide memo for expensive results keyed by what they read (a trained model, a
//! season's calibration): computed once per key, the same key waits for the first
//! computation, other keys proceed in parallel.

use propcast_core::Date;
use propcast_store::{Result, Warehouse};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Slot<T> = Arc<Mutex<Option<Arc<T>>>>;

/// Results by key.
pub(crate) struct Memo<T>(Mutex<HashMap<String, Slot<T>>>);

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo(Mutex::new(HashMap::new()))
    }
}

fn poisoned() -> propcast_store::Error {
    propcast_store::Error::Step { step: "memo", message: "a cache lock was poisoned by a panic".into() }
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

/// A key for what a computation reads: the warehouse file and the content hashes of every
/// partition of `assets` before `before` (a changed earlier partition is a new key).
pub(crate) fn inputs_key(wh: &Warehouse, assets: &[&str], before: Date) -> Result<String> {
    let mut h = propcast_store::RowHasher::new();
    h.bytes(wh.path().to_string_lossy().as_bytes());
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
