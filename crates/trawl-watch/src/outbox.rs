//! Deliveries not yet accepted, kept as files until their receiver takes them: a
//! destination down for hours loses nothing, and an accepted one is never resent.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::DestinationConfig;
use crate::destination::{Attempt, Delivery, attempt};
use crate::state::write_file_atomic;
use crate::{Result, WatchError};

/// A queued delivery and how its attempts went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxItem {
    pub delivery: Delivery,
    pub queued_at: String,
    pub attempts: u32,
    #[serde(default)]
    pub last_error: Option<String>,
}

/// The longest a cycle waits between two attempts, whatever Retry-After says; a
/// longer wait is left to the next cycle.
const MAX_WAIT: Duration = Duration::from_secs(30);

pub(crate) struct Outbox {
    dir: PathBuf,
}

/// What a flush did.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Flushed {
    pub sent: usize,
    pub failed: usize,
}

impl Outbox {
    pub(crate) fn new(watch_dir: &Path) -> Self {
        Self {
            dir: watch_dir.join("outbox"),
        }
    }

    fn file(&self, d: &Delivery) -> PathBuf {
        self.dir
            .join(format!("{}__{}.json", d.destination, d.idempotency_key()))
    }

    /// Queues a delivery (a no-op when the same version is already queued).
    pub(crate) fn put(&self, delivery: Delivery, now: &str) -> Result<()> {
        fs::create_dir_all(&self.dir).map_err(|e| WatchError::io(&self.dir, e))?;
        let path = self.file(&delivery);
        if path.exists() {
            return Ok(());
        }
        self.save(&OutboxItem {
            delivery,
            queued_at: now.to_string(),
            attempts: 0,
            last_error: None,
        })
    }

    fn save(&self, item: &OutboxItem) -> Result<()> {
        let path = self.file(&item.delivery);
        let bytes = serde_json::to_vec_pretty(item).map_err(|source| WatchError::State {
            path: path.clone(),
            source,
        })?;
        write_file_atomic(&path, &bytes)
    }

    /// Everything queued, oldest first.
    pub(crate) fn items(&self) -> Result<Vec<OutboxItem>> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(WatchError::io(&self.dir, e)),
        };
        let mut items = Vec::new();
        for entry in entries {
            let path = entry.map_err(|e| WatchError::io(&self.dir, e))?.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let bytes = fs::read(&path).map_err(|e| WatchError::io(&path, e))?;
            let item: OutboxItem = serde_json::from_slice(&bytes)
                .map_err(|source| WatchError::State { path, source })?;
            items.push(item);
        }
        items.sort_by(|a, b| {
            (&a.queued_at, a.delivery.idempotency_key())
                .cmp(&(&b.queued_at, b.delivery.idempotency_key()))
        });
        Ok(items)
    }

    /// Tries every queued delivery up to `attempts` times, backing off (or waiting
    /// what Retry-After asks, up to [`MAX_WAIT`]); what stays unaccepted waits for
    /// the next cycle.
    pub(crate) async fn flush(
        &self,
        destinations: &[DestinationConfig],
        attempts: u32,
    ) -> Result<Flushed> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("trawl/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| WatchError::Time(format!("cannot start an HTTP client: {e}")))?;
        let mut flushed = Flushed::default();
        for mut item in self.items()? {
            let Some(dest) = destinations
                .iter()
                .find(|d| d.name == item.delivery.destination)
            else {
                // Its destination left the config: keep it for a config that has it.
                flushed.failed += 1;
                continue;
            };
            let mut accepted = false;
            for n in 0..attempts.max(1) {
                item.attempts += 1;
                match attempt(dest, &client, &item.delivery).await {
                    Attempt::Accepted => {
                        accepted = true;
                        break;
                    }
                    Attempt::Retry { error, after } => {
                        item.last_error = Some(error);
                        if n + 1 == attempts.max(1) {
                            break;
                        }
                        let backoff = Duration::from_millis(250 << n.min(6));
                        let wait = after.unwrap_or(backoff);
                        if wait > MAX_WAIT {
                            break;
                        }
                        tokio::time::sleep(wait).await;
                    }
                }
            }
            let path = self.file(&item.delivery);
            if accepted {
                fs::remove_file(&path).map_err(|e| WatchError::io(&path, e))?;
                flushed.sent += 1;
            } else {
                self.save(&item)?;
                flushed.failed += 1;
            }
        }
        Ok(flushed)
    }
}
