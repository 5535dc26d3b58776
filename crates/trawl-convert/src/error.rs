use std::path::PathBuf;

use crate::s3::S3ErrorKind;

/// Errors that stop a conversion or compaction. Bad records are not errors: they
/// become rejects.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no input matches {0}")]
    NoInput(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("object store: {0}")]
    Store(#[from] object_store::Error),
    #[error("invalid path {0:?}: {1}")]
    Path(String, String),
    #[error("{0}")]
    Unsupported(String),
    /// An S3 call on `url` failed; the message names the location and what to do,
    /// and ends with the store's own words.
    ///
    /// `error` is deliberately not the error's `source()`: the message already
    /// quotes it, and a chain printed as `a: b` would repeat it.
    #[error("{}", crate::s3::message(url, *kind, error))]
    S3 {
        url: String,
        kind: S3ErrorKind,
        error: object_store::Error,
    },
    #[error(
        "the lake {lake} is locked by another trawl run ({holder}); if none is running, delete {lock}"
    )]
    Locked {
        lake: String,
        holder: String,
        lock: String,
    },
    #[error("the lake ledger {path} is unreadable: {message}")]
    Ledger { path: String, message: String },
    #[error("parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    #[error("arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    #[error("query engine: {0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    #[error("interrupted")]
    Interrupted,
    /// CloudTrail's `ListPublicKeys` could not supply a region's keys (the message names
    /// the region and what to do).
    #[error(transparent)]
    PublicKeys(#[from] trawl_verify::KeyFetchError),
    /// A task of a pipeline ended without its result: it panicked or was cancelled.
    #[error("the {task} failed: {source}")]
    TaskFailed {
        task: &'static str,
        #[source]
        source: tokio::task::JoinError,
    },
    /// A thread of a pipeline panicked (the panic hook has printed why).
    #[error("the {0} thread panicked")]
    ThreadPanicked(&'static str),
    /// A pipeline stage stopped taking input before the run was complete (when
    /// the stage failed, its own error is reported instead).
    #[error("the {0} stopped reading")]
    StageStopped(&'static str),
    /// A run manifest could not be written as JSON.
    #[error("cannot serialise the run manifest: {0}")]
    Manifest(#[source] serde_json::Error),
    /// Something trawl guarantees itself did not hold: a bug, not bad input.
    #[error("internal error: {0}")]
    Invariant(#[from] Invariant),
}

/// A broken guarantee of trawl's own pipeline.
#[derive(Debug, thiserror::Error)]
pub enum Invariant {
    #[error("a batch has no column `{0}`")]
    MissingColumn(&'static str),
    #[error("column `{column}` holds {found}, not {expected}")]
    ColumnType {
        column: &'static str,
        expected: &'static str,
        found: arrow::datatypes::DataType,
    },
    #[error("the writer has no open file")]
    NoOpenFile,
    #[error("the chunk permits were closed")]
    PermitsClosed,
    #[error("a Parquet encoding thread stopped before it finished its files")]
    WriterThread,
    #[error("the Parquet schema's leaf columns do not match the lake schema's fields")]
    LeafColumns,
    /// Every row read is written or dropped as a duplicate.
    #[error("the {stage} lost rows: read {read}, wrote {written}, dropped {duplicates} duplicates")]
    RowsLost {
        stage: &'static str,
        read: u64,
        written: u64,
        duplicates: u64,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}
