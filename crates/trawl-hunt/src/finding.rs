//! One finding: the row a detection returned, with the detection's metadata and the
//! evidence columns every detection starts its rows with.

use serde::Serialize;
use serde_json::{Map, Value};
use trawl_engine::catalog::{Query, Severity};

use crate::HuntError;

/// The columns every detection's rows start with: which events, when, who, from
/// where, in which account and region.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// The events behind the finding; never empty.
    pub eventids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sourceip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// A detection's row, typed. Serialised flat: the detection's id, title, severity
/// and techniques, the evidence columns, then the detection's own columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub detection: String,
    pub title: String,
    pub severity: Severity,
    pub techniques: Vec<String>,
    #[serde(flatten)]
    pub evidence: Evidence,
    /// The incident it belongs to, once the hunt has correlated its findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    /// The detection's other columns, by name.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A column's value as text: strings as they are, timestamps and numbers as JSON
/// spells them, NULL as absent.
fn text(v: Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

impl Finding {
    /// Types one row of `query`'s result (as Arrow's JSON writer gives it).
    pub fn from_row(query: &Query, mut row: Map<String, Value>) -> Result<Self, HuntError> {
        let bad = |message: String| HuntError::Finding {
            detection: query.id.clone(),
            message,
        };
        let eventids = match row.remove("eventids") {
            Some(Value::Array(ids)) => ids.into_iter().filter_map(text).collect(),
            Some(Value::String(id)) => vec![id],
            Some(other) => return Err(bad(format!("`eventids` is not a list: {other}"))),
            None => Vec::new(),
        };
        if eventids.is_empty() {
            return Err(bad(
                "a finding without `eventids` (every detection's rows start with the evidence columns)"
                    .into(),
            ));
        }
        // The detection's own metadata names these keys in the flat output.
        for k in ["detection", "title", "severity", "techniques", "incident"] {
            row.remove(k);
        }
        let mut take = |k: &str| row.remove(k).and_then(text);
        let evidence = Evidence {
            eventids,
            first_seen: take("first_seen"),
            last_seen: take("last_seen"),
            principal: take("principal"),
            sourceip: take("sourceip"),
            account: take("account"),
            region: take("region"),
        };
        Ok(Self {
            detection: query.id.clone(),
            title: query.title.clone(),
            severity: query.severity_or_info(),
            techniques: query.technique_ids(),
            evidence,
            incident: None,
            extra: row,
        })
    }
}
