//! One watcher per lake: two schedulers (a cron line and a forgotten daemon) must
//! never both deliver a cycle's alerts.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::{Result, WatchError};

/// Held for a cycle (or a `findings` change); removed on drop.
#[derive(Debug)]
pub struct WatchLock {
    path: PathBuf,
}

fn alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

impl WatchLock {
    /// Takes the lock in `dir`, or says who holds it. A lock left by a process of
    /// this machine that is gone is taken over.
    pub fn acquire(dir: &Path) -> Result<Self> {
        fs::create_dir_all(dir).map_err(|e| WatchError::io(dir, e))?;
        let path = dir.join("lock");
        let host = hostname();
        for _ in 0..2 {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => {
                    let me = format!("{} {}\n", std::process::id(), host);
                    f.write_all(me.as_bytes())
                        .map_err(|e| WatchError::io(&path, e))?;
                    return Ok(Self { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = fs::read_to_string(&path).unwrap_or_default();
                    let mut parts = holder.split_whitespace();
                    let pid = parts.next().and_then(|p| p.parse::<u32>().ok());
                    let their_host = parts.next().unwrap_or_default();
                    let stale = their_host == host && pid.is_some_and(|p| !alive(p));
                    if !stale {
                        return Err(WatchError::Locked {
                            holder: format!(
                                "pid {} on {}",
                                pid.map_or("?".to_string(), |p| p.to_string()),
                                if their_host.is_empty() {
                                    "?"
                                } else {
                                    their_host
                                }
                            ),
                            path,
                        });
                    }
                    let _ = fs::remove_file(&path);
                }
                Err(e) => return Err(WatchError::io(&path, e)),
            }
        }
        Err(WatchError::Locked {
            holder: "a process that keeps taking it".into(),
            path,
        })
    }
}

impl Drop for WatchLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

fn hostname() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_stale_locks_are_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let first = WatchLock::acquire(dir.path()).unwrap();
        let second = WatchLock::acquire(dir.path());
        assert!(
            matches!(second, Err(WatchError::Locked { .. })),
            "{second:?}"
        );
        drop(first);
        let again = WatchLock::acquire(dir.path()).unwrap();
        drop(again);
        // A lock whose process is gone.
        fs::write(dir.path().join("lock"), format!("4194303 {}\n", hostname())).unwrap();
        assert!(WatchLock::acquire(dir.path()).is_ok());
    }
}
