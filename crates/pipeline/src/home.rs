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

/// Exclusive hold on a home for one run: an advisory lock on `<home>/propcast.lock`, which
/// holds the holder's pid. The operating system releases it when the process dies, so the
/// lock of a killed run is simply taken over.
#[derive(Debug)]
pub struct HomeLock {
    _file: std::fs::File,
}

impl Home {
    /// Takes the home's lock, or fails naming the pid that holds it.
    pub fn lock(&self) -> crate::Result<HomeLock> {
        use std::io::{Read, Seek, Write};
        let path = self.0.join("propcast.lock");
        let io = |source| crate::Error::Io { path: path.clone(), source };
        std::fs::create_dir_all(&self.0).map_err(io)?;
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut pid = String::new();
                let _ = file.read_to_string(&mut pid);
                return Err(crate::Error::Locked { path, pid: pid.trim().to_string() });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        write!(file, "{}", std::process::id()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(HomeLock { _file: file })
    }
}
