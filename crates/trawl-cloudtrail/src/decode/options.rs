//! The caller's choices: which input format to expect and how many rows per batch.

use serde::{Deserialize, Serialize};

/// Input format of a source object. `Auto` sniffs each object's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputFormat {
    /// Sniff: gzip or not; `{"Records":[...]}`, arrays, JSON lines, envelopes,
    /// lookup-events, CloudWatch Logs exports or CloudTrail Lake CSV.
    #[default]
    Auto,
    /// Any JSON shape: `{"Records":[...]}`, an array, JSON lines or concatenated
    /// objects, of records, EventBridge envelopes or lookup-events entries.
    Json,
    /// CloudWatch Logs export: `<timestamp> <record JSON>` per line.
    Cloudwatch,
    /// CloudTrail Lake query results as CSV with an `eventjson` column.
    LakeCsv,
}

impl std::str::FromStr for InputFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "auto" => Self::Auto,
            "json" | "records" | "array" | "jsonl" | "ndjson" | "eventbridge" | "lookup-events" => {
                Self::Json
            }
            "cloudwatch" | "cloudwatch-export" => Self::Cloudwatch,
            "lake-csv" | "lake" | "csv" => Self::LakeCsv,
            other => {
                return Err(format!(
                    "unknown input format `{other}` (expected auto, json, records, jsonl, eventbridge, \
                     lookup-events, cloudwatch or lake-csv)"
                ));
            }
        })
    }
}

/// Options for [`decode`](super::decode).
#[derive(Debug, Clone)]
pub struct DecodeOptions {
    pub format: InputFormat,
    /// Rows per produced batch.
    pub batch_rows: usize,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        Self {
            format: InputFormat::Auto,
            batch_rows: 8192,
        }
    }
}
