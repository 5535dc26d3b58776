//! Watching a lake on S3. The watch directory lives in the lake under
//! `_trawl/watch/`, as on disk. Each cycle (or `findings` change) takes the lock
//! with a conditional put (`If-None-Match: *`), copies the directory into the local
//! working lake, works there as on disk, writes back what changed and releases the
//! lock. Two schedulers on two machines never both hold it.

use std::collections::BTreeSet;
use std::path::Path;

use trawl_convert::RemoteLake;

use crate::{Result, WatchError};

/// The watch directory, relative to the lake.
pub(crate) const WATCH_PREFIX: &str = "_trawl/watch/";
const LOCK: &str = "_trawl/watch/lock";

/// How long a remote lock holds without its owner. No process can be asked on
/// another machine whether it still lives: a watcher that died mid-cycle blocks the
/// others this long at most, and a cycle never takes nearly as long.
const LOCK_TTL_MS: i64 = 30 * 60 * 1000;

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct LockBody {
    holder: String,
    since: String,
    expires_ms: i64,
}

/// The remote lock, held until [`RemoteLock::release`].
pub(crate) struct RemoteLock<'a> {
    lake: &'a RemoteLake,
}

impl<'a> RemoteLock<'a> {
    /// Takes the lock, taking over one whose holder let it expire; says who holds it
    /// otherwise.
    pub(crate) async fn acquire(lake: &'a RemoteLake) -> Result<Self> {
        let now = chrono::Utc::now();
        let body = LockBody {
            holder: format!("pid {} on {}", std::process::id(), hostname()),
            since: now.to_rfc3339(),
            expires_ms: now.timestamp_millis() + LOCK_TTL_MS,
        };
        let bytes = serde_json::to_vec(&body).map_err(|source| WatchError::State {
            path: lake.object_url(LOCK).into(),
            source,
        })?;
        if lake.write_if(LOCK, bytes.clone(), None).await? {
            return Ok(Self { lake });
        }
        let Some((held, etag)) = lake.read(LOCK).await? else {
            // Released between the two calls: one more try, then it is a race lost.
            if lake.write_if(LOCK, bytes, None).await? {
                return Ok(Self { lake });
            }
            return Err(locked(lake, "another watcher, just now".into()));
        };
        let held: Option<LockBody> = serde_json::from_slice(&held).ok();
        let expired = held
            .as_ref()
            .is_none_or(|h| h.expires_ms < now.timestamp_millis());
        // Replacing exactly the version read: of two watchers taking over the same
        // stale lock, one wins.
        if expired && let Some(etag) = etag {
            if lake.write_if(LOCK, bytes, Some(etag)).await? {
                return Ok(Self { lake });
            }
            return Err(locked(
                lake,
                "another watcher that took over a stale lock".into(),
            ));
        }
        let holder = held.map_or_else(
            || "unknown".to_string(),
            |h| format!("{} since {}", h.holder, h.since),
        );
        Err(locked(lake, holder))
    }

    /// Gives the lock back. A failure leaves it to expire.
    pub(crate) async fn release(self) -> Result<()> {
        Ok(self.lake.remove(LOCK).await?)
    }
}

fn locked(lake: &RemoteLake, holder: String) -> WatchError {
    WatchError::Locked {
        holder,
        path: lake.object_url(LOCK).into(),
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map_or_else(|| "unknown host".to_string(), |h| h.trim().to_string())
}

/// Replaces the local watch directory under `work` (a working lake's root) with the
/// lake's; the lake-relative names it copied.
pub(crate) async fn pull(lake: &RemoteLake, work: &Path) -> Result<BTreeSet<String>> {
    let dir = work.join(WATCH_PREFIX);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| WatchError::io(&dir, e))?;
    }
    let mut copied = BTreeSet::new();
    for rel in lake.list_under(WATCH_PREFIX).await? {
        if rel == LOCK {
            continue;
        }
        let Some((body, _)) = lake.read(&rel).await? else {
            continue;
        };
        let path = work.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| WatchError::io(parent, e))?;
        }
        std::fs::write(&path, &body).map_err(|e| WatchError::io(&path, e))?;
        copied.insert(rel);
    }
    Ok(copied)
}

/// Writes the local watch directory back to the lake and deletes what it no longer
/// holds (outbox items delivered since `pulled`). The state goes last: a crash in
/// between leaves outbox items that the next cycle recognises as already queued.
pub(crate) async fn push(lake: &RemoteLake, work: &Path, pulled: &BTreeSet<String>) -> Result<()> {
    let dir = work.join(WATCH_PREFIX);
    let mut local = BTreeSet::new();
    let mut files = Vec::new();
    collect(&dir, &mut files)?;
    for path in &files {
        let Ok(rel) = path.strip_prefix(work) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        // The local lock file of the working directory is not the lake's.
        if rel == LOCK || rel.ends_with(".tmp") {
            continue;
        }
        local.insert(rel);
    }
    let state = format!("{WATCH_PREFIX}state.json");
    for rel in local.iter().filter(|r| **r != state) {
        let body = std::fs::read(work.join(rel)).map_err(|e| WatchError::io(work.join(rel), e))?;
        lake.write(rel, body).await?;
    }
    for rel in pulled.difference(&local) {
        lake.remove(rel).await?;
    }
    if local.contains(&state) {
        let body =
            std::fs::read(work.join(&state)).map_err(|e| WatchError::io(work.join(&state), e))?;
        lake.write(&state, body).await?;
    }
    Ok(())
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(WatchError::io(dir, e)),
    };
    for entry in entries {
        let path = entry.map_err(|e| WatchError::io(dir, e))?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}
