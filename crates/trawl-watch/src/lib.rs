//! `trawl watch` as a library: each cycle converts new deliveries into the lake,
//! hunts over the events those runs ingested (with the look-back the detections
//! need read back from the lake), matches the incidents against the ones already
//! known, and delivers what is new or changed through an outbox, so a receiver
//! that is down loses nothing and gets nothing twice.
//!
//! State lives in the lake under `_trawl/watch/`: `state.json` (known incidents,
//! processed runs), `cycles.ndjson` (one line per cycle), `outbox/` (deliveries not
//! yet accepted) and `lock` (one watcher at a time). A lake on S3 keeps the same
//! files under the same prefix, mirrored through a local working lake each cycle,
//! and its lock is a conditional put.

mod aws;
mod config;
mod cycle;
mod destination;
mod duration;
mod lock;
mod outbox;
mod remote;
mod state;

pub use config::{BodyFormat, Config, DestinationConfig, DestinationKind, WatchSettings};
pub use cycle::{CycleOptions, CycleRecord, Replay, VerifyEachCycle, Watcher, watch_dir};
pub use destination::{Delivery, DeliveryKind, WEBHOOK_SCHEMA};
pub use duration::parse_duration;
pub use lock::WatchLock;
pub use outbox::OutboxItem;
pub use state::{Change, IncidentStatus, TrackedIncident, WatchState};

use std::path::PathBuf;

/// Errors of watching.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error(
        "another watcher holds the lake ({holder}); one watcher at a time keeps alerts single (remove {path} if that process is gone)"
    )]
    Locked { holder: String, path: PathBuf },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not valid watch state: {source}")]
    State {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("config {path}: {message}")]
    Config { path: PathBuf, message: String },
    #[error("no incident {0} is known to this lake (trawl findings list shows them)")]
    UnknownIncident(String),
    #[error("{0}")]
    Time(String),
    #[error(transparent)]
    Convert(#[from] trawl_convert::Error),
    #[error(transparent)]
    Engine(#[from] trawl_engine::Error),
    #[error(transparent)]
    Hunt(#[from] trawl_hunt::HuntError),
    #[error(transparent)]
    DataFusion(#[from] datafusion::error::DataFusionError),
}

impl WatchError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = WatchError> = std::result::Result<T, E>;
