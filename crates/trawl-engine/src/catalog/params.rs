//! A query's declared parameters and binding them: text from the command line
//! becomes typed values for the `$name` placeholders, never pasted into the SQL.

use std::collections::HashMap;

use datafusion::common::metadata::ScalarAndMetadata;
use datafusion::common::{ParamValues, ScalarValue};
use datafusion::dataframe::DataFrame;
use datafusion::prelude::SessionContext;
use serde::Serialize;

use super::{CatalogError, Query};

/// A parameter's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    String,
    Int,
    Float,
    Bool,
    Timestamp,
    Interval,
}

impl std::str::FromStr for ParamType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "string" | "text" => Self::String,
            "int" | "integer" | "bigint" => Self::Int,
            "float" | "double" => Self::Float,
            "bool" | "boolean" => Self::Bool,
            "timestamp" | "time" => Self::Timestamp,
            "interval" | "duration" => Self::Interval,
            other => return Err(format!("unknown parameter type `{other}`")),
        })
    }
}

/// A declared parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ParamType,
    /// `None`: required.
    pub default: Option<String>,
    pub description: String,
}

/// Parses an interval like `7 days`, `24h`, `30m`, `90d` into milliseconds.
pub(super) fn interval_millis(s: &str) -> Option<i64> {
    let t = s.trim().to_ascii_lowercase();
    let split = t.find(|c: char| !c.is_ascii_digit() && c != '.')?;
    let (num, unit) = t.split_at(split);
    let n: f64 = num.trim().parse().ok()?;
    let unit = unit.trim();
    // Plurals ("days") drop their `s`, but not "ms" or "s" themselves.
    let unit = match unit {
        "ms" | "s" => unit,
        u => u.strip_suffix('s').unwrap_or(u),
    };
    let ms = match unit {
        "ms" | "milli" | "millisecond" => 1.0,
        "" | "s" | "sec" | "second" => 1000.0,
        "m" | "min" | "minute" => 60_000.0,
        "h" | "hour" => 3_600_000.0,
        "d" | "day" => 86_400_000.0,
        "w" | "week" => 604_800_000.0,
        _ => return None,
    };
    Some((n * ms) as i64)
}

impl Query {
    /// Typed values for the query's parameters: `given` (name → text) over defaults.
    pub fn bind(&self, given: &HashMap<String, String>) -> Result<ParamValues, CatalogError> {
        for name in given.keys() {
            if !self.params.iter().any(|p| &p.name == name) {
                let known: Vec<_> = self.params.iter().map(|p| p.name.as_str()).collect();
                return Err(CatalogError::Param {
                    query: self.id.clone(),
                    param: name.clone(),
                    message: format!(
                        "not a parameter of this query (it takes: {})",
                        known.join(", ")
                    ),
                });
            }
        }
        let mut values = HashMap::new();
        for p in &self.params {
            let text = match (given.get(&p.name), &p.default) {
                (Some(v), _) => v.clone(),
                (None, Some(d)) => d.clone(),
                (None, None) => {
                    return Err(CatalogError::Param {
                        query: self.id.clone(),
                        param: p.name.clone(),
                        message: format!(
                            "required; pass --param {}=<{}>",
                            p.name,
                            serde_json::to_string(&p.kind)
                                .unwrap_or_default()
                                .trim_matches('"')
                        ),
                    });
                }
            };
            let bad = |what: &str| CatalogError::Param {
                query: self.id.clone(),
                param: p.name.clone(),
                message: format!("`{text}` is not {what}"),
            };
            let value = match p.kind {
                ParamType::String => ScalarValue::Utf8(Some(text.clone())),
                ParamType::Int => {
                    ScalarValue::Int64(Some(text.trim().parse().map_err(|_| bad("an integer"))?))
                }
                ParamType::Float => {
                    ScalarValue::Float64(Some(text.trim().parse().map_err(|_| bad("a number"))?))
                }
                ParamType::Bool => {
                    ScalarValue::Boolean(Some(match text.trim().to_ascii_lowercase().as_str() {
                        "true" | "yes" | "1" => true,
                        "false" | "no" | "0" => false,
                        _ => return Err(bad("a boolean")),
                    }))
                }
                ParamType::Timestamp => {
                    let ms = trawl_cloudtrail::parse_event_time(text.trim())
                        .or_else(|| {
                            trawl_cloudtrail::parse_event_time(&format!(
                                "{}T00:00:00Z",
                                text.trim()
                            ))
                        })
                        .ok_or_else(|| bad("a timestamp (2026-03-01 or 2026-03-01T10:00:00Z)"))?;
                    ScalarValue::TimestampMillisecond(Some(ms), Some("UTC".into()))
                }
                ParamType::Interval => {
                    let ms =
                        interval_millis(&text).ok_or_else(|| bad("an interval (7d, 24h, 30m)"))?;
                    ScalarValue::IntervalMonthDayNano(Some(
                        datafusion::arrow::datatypes::IntervalMonthDayNano::new(
                            0,
                            0,
                            ms * 1_000_000,
                        ),
                    ))
                }
            };
            values.insert(p.name.clone(), value.into());
        }
        if !given.contains_key(HISTORY_FROM) {
            derive_history_from(&mut values);
        }
        Ok(ParamValues::Map(values))
    }

    /// Plans the query in `ctx` with its parameters bound: `given` (name → text)
    /// over the declared defaults. The one way `run`, `hunt` and the shell plan a
    /// saved query.
    pub async fn plan(
        &self,
        ctx: &SessionContext,
        given: &HashMap<String, String>,
    ) -> crate::Result<DataFrame> {
        let values = self.bind(given)?;
        let df = crate::sql(ctx, &self.sql).await?;
        let values = fit_params(&df, values)?;
        Ok(df.with_param_values(values)?)
    }
}

/// An interval parameter's bound value in milliseconds (a month as 30 days).
pub fn bound_interval_ms(value: &ScalarValue) -> Option<i64> {
    match value {
        ScalarValue::IntervalMonthDayNano(Some(i)) => Some(
            i64::from(i.months) * 30 * 86_400_000
                + i64::from(i.days) * 86_400_000
                + i.nanoseconds / 1_000_000,
        ),
        _ => None,
    }
}

/// The parameter of detections that read history: the earliest event they read.
const HISTORY_FROM: &str = "history_from";

/// `history_from` as `since` less the look-back (or learning, the longer) and the
/// window, so a hunt from a date reads the history its first-seen detections need
/// and no more. Computed here because the planner cannot type `$since - $lookback`
/// (a placeholder in arithmetic takes the other side's type).
fn derive_history_from(values: &mut HashMap<String, ScalarAndMetadata>) {
    if !values.contains_key(HISTORY_FROM) {
        return;
    }
    let Some(ScalarValue::TimestampMillisecond(Some(since), tz)) =
        values.get("since").map(|v| v.value.clone())
    else {
        return;
    };
    let interval_ms = |name: &str| {
        values
            .get(name)
            .and_then(|v| bound_interval_ms(&v.value))
            .unwrap_or(0)
    };
    let back = interval_ms("lookback").max(interval_ms("learning")) + interval_ms("window");
    values.insert(
        HISTORY_FROM.into(),
        ScalarValue::TimestampMillisecond(Some(since.saturating_sub(back)), tz).into(),
    );
}

/// Casts bound values to the types the planner inferred for their placeholders
/// (a string compared with a string-view column must be a string view).
fn fit_params(df: &DataFrame, values: ParamValues) -> crate::Result<ParamValues> {
    let ParamValues::Map(map) = values else {
        return Ok(values);
    };
    let types = df.logical_plan().get_parameter_types()?;
    let mut out = HashMap::new();
    for (name, value) in map {
        let wanted = types
            .get(&format!("${name}"))
            .or_else(|| types.get(&name))
            .cloned()
            .flatten();
        let value = match wanted {
            Some(t) if t != value.value.data_type() => {
                value.value.cast_to(&t).map(Into::into).unwrap_or(value)
            }
            _ => value,
        };
        out.insert(name, value);
    }
    Ok(ParamValues::Map(out))
}
