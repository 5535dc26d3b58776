//! One watcher per lake: two schedulers (a cron line and a forgotten daemon) must
//! never both deliver a cycle's alerts. The lock is the lake's own kind of lock
//! file ([`trawl_convert::LakeLock`]), under the watch directory.

use std::fs;
use std::path::Path;

use trawl_convert::LakeLock;

use crate::{Result, WatchError};

/// Held for a cycle (or a `findings` change); removed on drop.
#[derive(Debug)]
pub struct WatchLock {
    _file: LakeLock,
}

impl WatchLock {
    /// Takes the lock in `dir`, or says who holds it. A lock left by a process of
    /// this machine that is gone is taken over.
    pub fn acquire(dir: &Path) -> Result<Self> {
        fs::create_dir_all(dir).map_err(|e| WatchError::io(dir, e))?;
        let path = dir.join("lock");
        match LakeLock::acquire(&path).map_err(|e| WatchError::io(&path, e))? {
            Ok(file) => Ok(Self { _file: file }),
            Err(holder) => Err(WatchError::Locked {
                holder: holder.trim().to_string(),
                path,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_stale_locks_are_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let first = WatchLock::acquire(dir.path()).unwrap();
        // What another live process of this host leaves.
        let lock = dir.path().join("lock");
        let mine = fs::read_to_string(&lock).unwrap();
        drop(first);
        assert!(!lock.exists());
        fs::write(
            &lock,
            mine.replacen(&std::process::id().to_string(), "1", 1),
        )
        .unwrap();
        let second = WatchLock::acquire(dir.path());
        assert!(
            matches!(second, Err(WatchError::Locked { .. })),
            "{second:?}"
        );
        // A lock whose process is gone.
        fs::write(
            &lock,
            mine.replacen(&std::process::id().to_string(), "4194303", 1),
        )
        .unwrap();
        assert!(WatchLock::acquire(dir.path()).is_ok());
    }
}
