#![doc = include_str!("../README.md")]

mod chain;
pub mod content;
pub mod digest;
#[cfg(feature = "aws")]
mod fetch;
pub mod key;
mod pool;
pub mod report;
pub mod sign;
pub mod signature;
pub mod source;
#[cfg(feature = "object-store")]
mod store;
pub mod time;
mod verify;

pub use digest::{Digest, DigestError, Header, LogFileEntry, PreviousLink};
#[cfg(feature = "aws")]
pub use fetch::{FetchedKey, KeyFetchError, fetch_public_keys};
/// Also the converter's: it encodes Parquet columns with it.
pub use pool::par_map;
pub use report::{
    ChainId, ChainSummary, Counts, FileKind, FileResult, Finding, Problem, Report, SignatureSource,
    Status, UnlistedReason,
};
pub use sign::{
    SignError, SignatureSidecars, SigningKey, TEST_ONLY_KEY_PKCS8, WriteOptions, WrittenDigests,
    write_digests,
};
pub use signature::{KeyError, KeyRing, PublicKey, SignatureCheck, fingerprint, signed_string};
pub use source::{LocalSource, ObjectEntry, Source, SourceError};
#[cfg(feature = "object-store")]
pub use store::ObjectStoreSource;
pub use time::Timestamp;
pub use verify::{
    DigestSpan, KEY_RANGE_PADDING_SECS, VerifyError, VerifyOptions, digest_regions, verify,
};
