//! Converts raw CloudTrail archives into trawl's Parquet lake: Hive-partitioned by
//! event day, sorted by account, region and time within each file, zstd, with page
//! statistics and bloom filters; incremental (a ledger of converted source
//! objects), idempotent, atomic (staging + commit), and lossless (every record
//! becomes a row or a reject).

mod compact;
mod convert;
mod error;
mod file_writer;
pub mod integrity;
mod lake;
mod remote;
pub mod s3;
mod sort;
mod source;
mod writer;

pub use compact::{CompactSummary, compact};
pub use convert::{ConvertOptions, Failure, Progress, Summary, convert, decode_groups};
pub use error::{Error, Invariant, Result};
pub use lake::{
    Counts, FileEntry, Lake, LakeLock, Ledger, REJECTS_DIR, RunKind, RunManifest, RunRows,
    SourceEntry, TABLE_DIR, TableFiles, table_files_from_record,
};
pub use remote::{PublishCounts, RemoteLake, TABLE_FILES_RECORD};
pub use sort::SortOptions;
pub use source::{ListingCounts, SourceObject, resolve, resolve_filtered};
pub use writer::{BLOOM_COLUMNS, LayoutOptions, row_key, writer_properties};
