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
    #[error("{0}")]
    Internal(String),
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
