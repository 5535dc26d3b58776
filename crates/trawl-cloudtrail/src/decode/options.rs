//! The caller's choices: which input format to expect and how many rows per batch.

use serde::{Deserialize, Serialize};

/// Input format of a source object. `Auto` sniffs each object's content. With the
/// `clap` feature it is a command-line value, its aliases the names people use for
/// each shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum InputFormat {
    /// Sniff: gzip or not; `{"Records":[...]}`, arrays, JSON lines, envelopes,
    /// lookup-events, CloudWatch Logs exports or CloudTrail Lake CSV.
    #[default]
    Auto,
    /// Any JSON shape: `{"Records":[...]}`, an array, JSON lines or concatenated
    /// objects, of records, EventBridge envelopes or lookup-events entries.
    #[cfg_attr(
        feature = "clap",
        value(aliases = ["records", "array", "jsonl", "ndjson", "eventbridge", "lookup-events"])
    )]
    Json,
    /// CloudWatch Logs export: `<timestamp> <record JSON>` per line.
    #[cfg_attr(feature = "clap", value(alias = "cloudwatch-export"))]
    Cloudwatch,
    /// CloudTrail Lake query results as CSV with an `eventjson` column.
    #[cfg_attr(feature = "clap", value(aliases = ["lake", "csv"]))]
    LakeCsv,
}

/// Options for [`decode`](super::decode).
#[derive(Debug, Clone)]
pub struct DecodeOptions {
    pub format: InputFormat,
    /// Rows per produced batch.
    pub batch_rows: usize,
    /// Most bytes one gzip object may inflate to; a larger one (a decompression bomb,
    /// or no CloudTrail delivery) is rejected after inflating this much, never held whole.
    pub max_inflated: u64,
}

/// The default [`DecodeOptions::max_inflated`]: 1 GiB, far above any CloudTrail delivery
/// (a few MB inflated; CloudWatch Logs exports rarely past 100 MB).
pub const DEFAULT_MAX_INFLATED: u64 = 1 << 30;

impl Default for DecodeOptions {
    fn default() -> Self {
        Self {
            format: InputFormat::Auto,
            batch_rows: 8192,
            max_inflated: DEFAULT_MAX_INFLATED,
        }
    }
}
