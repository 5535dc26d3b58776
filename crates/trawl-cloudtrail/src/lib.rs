//! The CloudTrail record model for trawl: the Arrow schema of the `cloudtrail`
//! table, format sniffing for every way CloudTrail events are delivered, and a
//! tolerant decoder that turns one source object into record batches plus
//! per-record rejects. No I/O and no query engine here.

mod batch;
mod decode;
mod doc;
pub mod generate;
mod key;
mod record;
mod scan;
mod schema;
mod time;
mod work;

pub use batch::{Parsed, build_batch};
pub use decode::{
    DEFAULT_MAX_INFLATED, DecodeOptions, Decoded, InputFormat, MAX_REJECT_RAW, Reject, decode,
    decode_many, gunzip,
};
pub use doc::{ColumnGroup, column_doc};
pub use key::{DeliveryKey, ObjectKind, classify_key, parse_delivery_key};
pub use schema::{
    DATE_PARTITION, SCHEMA_VERSION, SCHEMA_VERSION_KEY, col, event_time_type, schema,
};
pub use time::{
    civil_from_days, days_from_civil, days_in_month, parse_event_time, utc_date, utc_time,
};
/// The decoder's work counter, for the fuzz target's bound on work per input byte.
#[cfg(feature = "work-count")]
pub use work::measure as measure_work;

/// This crate's directory for tests, read when they run (cargo sets it) rather than when
/// they were compiled: a target directory shared between clones may hold a test binary
/// compiled in another clone.
#[cfg(test)]
pub(crate) fn test_manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(
        || std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        std::path::PathBuf::from,
    )
}
