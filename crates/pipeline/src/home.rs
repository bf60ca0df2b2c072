//! The home directory: everything a run produces lives under it.

use std::path::{Path, PathBuf};

/// The propcast home (`./propcast-data` by default): the warehouse, models, exports, raw
/// fetches and run logs.
#[derive(Debug, Clone)]
pub struct Home(PathBuf);

impl Home {
    /// A home at `path` (created on first write).
    pub fn new(path: impl Into<PathBuf>) -> Home {
        Home(path.into())
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// `<home>/warehouse.sqlite`.
    pub fn warehouse(&self) -> PathBuf {
        self.0.join("warehouse.sqlite")
    }

    /// `<home>/site`: the published JSON.
    pub fn site(&self) -> PathBuf {
        self.0.join("site")
    }
}
