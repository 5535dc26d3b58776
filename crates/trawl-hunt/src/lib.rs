//! `trawl hunt` as a library operation: the detections of a [`Catalog`] run over a
//! session's `cloudtrail` table, with typed findings delivered to a [`Sink`].
//!
//! ```no_run
//! # async fn example(ctx: datafusion::prelude::SessionContext) -> Result<(), trawl_hunt::HuntError> {
//! use trawl_engine::catalog::{Catalog, Severity};
//! use trawl_hunt::{Hunt, NdjsonSink, Sink};
//!
//! let catalog = Catalog::load(&[])?;
//! let report = Hunt::new(ctx, &catalog)
//!     .with_min_severity(Severity::Medium)
//!     .with_param("since", "2026-03-01")
//!     .run()
//!     .await?;
//! NdjsonSink::new(std::io::stdout()).deliver(&report)?;
//! # Ok(()) }
//! ```
//!
//! What the terminal needs (tables, a progress bar, exit statuses) stays in the CLI;
//! everything `hunt`, a continuous watch or a report share lives here.
//!
//! [`Catalog`]: trawl_engine::catalog::Catalog

mod arming;
mod correlate;
mod finding;
mod hunt;
mod incident;
mod plan;
mod report;
mod shared_scan;
mod sink;
mod tampering;

pub use arming::{Arming, context_ms, history_ms};
pub use correlate::millis;
pub use finding::{Evidence, Finding};
pub use hunt::{Hunt, Observer};
pub use incident::{Incident, ScoreInputs, score, stable_id};
pub use report::{DetectionOutcome, DetectionSummary, HuntReport, SharedScan, StageTime};
pub use sink::{JsonSink, NdjsonSink, Sink, SinkError};
pub use tampering::ID as LOG_TAMPERING;

/// Errors of a hunt.
#[derive(Debug, thiserror::Error)]
pub enum HuntError {
    #[error("no detection matches the filters (see `trawl queries`)")]
    NoDetections,
    #[error(transparent)]
    Engine(#[from] trawl_engine::Error),
    #[error(transparent)]
    Catalog(#[from] trawl_engine::catalog::CatalogError),
    #[error("{0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    #[error("reading a detection's rows: {0}")]
    Rows(#[source] datafusion::arrow::error::ArrowError),
    #[error("a detection's rows are not JSON objects: {0}")]
    RowsJson(#[source] serde_json::Error),
    #[error("detection {detection}: {message}")]
    Finding { detection: String, message: String },
    #[error(transparent)]
    Sink(#[from] SinkError),
}
