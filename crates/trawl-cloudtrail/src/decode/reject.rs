//! The reject record: a record (or span of input) that could not become a row.

use serde::{Deserialize, Serialize};

/// Largest piece of raw text kept in one reject; the source object is still the
/// authority for anything longer.
pub const MAX_REJECT_RAW: usize = 1 << 20;

/// A record (or a span of input) that could not become a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reject {
    /// The source object: a path or an `s3://` URL.
    pub source: String,
    /// Position of the record within the source object (0-based), when known.
    pub index: Option<u32>,
    /// 1-based line of the decompressed text where the record starts.
    pub line: Option<u64>,
    /// Why it was rejected.
    pub reason: String,
    /// The raw text, up to [`MAX_REJECT_RAW`] bytes.
    pub raw: String,
    /// Whether `raw` was cut at [`MAX_REJECT_RAW`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub raw_truncated: bool,
}

/// Builds a reject, keeping at most [`MAX_REJECT_RAW`] bytes of the raw text (cut
/// on a character boundary).
pub(super) fn make_reject(
    source: &str,
    index: Option<u32>,
    line: Option<u64>,
    reason: String,
    raw: &str,
) -> Reject {
    let (raw, raw_truncated) = if raw.len() > MAX_REJECT_RAW {
        let mut cut = MAX_REJECT_RAW;
        while !raw.is_char_boundary(cut) {
            cut -= 1;
        }
        (raw[..cut].to_string(), true)
    } else {
        (raw.to_string(), false)
    };
    Reject {
        source: source.to_string(),
        index,
        line,
        reason,
        raw,
        raw_truncated,
    }
}
