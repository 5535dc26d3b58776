//! Trino's array and map functions where DataFusion's differ: `split` (with Trino's
//! limit), `contains(array, x)` (DataFusion's `contains` is on strings), and
//! `map_keys`/`map_values` on the JSON text columns, which CloudTrail Lake and Athena's
//! JSON SerDe tables expose as maps.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, ListBuilder, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::exec_err;
use datafusion::logical_expr::ScalarUDF;
use serde_json::Value;

use super::overload::{Overload, When};
use super::{ints, strings, udf_any};

fn utf8_list() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
}

/// `split(s, delimiter [, limit])`: the pieces of `s`; with a limit, the last piece
/// holds the rest of the text.
pub(super) fn split_udf() -> ScalarUDF {
    udf_any("split", &[2, 3], utf8_list(), |a| {
        let (s, d) = (strings(&a[0])?, strings(&a[1])?);
        let limit = a.get(2).map(ints).transpose()?;
        let mut out = ListBuilder::new(StringBuilder::new());
        for i in 0..s.len() {
            if s.is_null(i) || d.is_null(i) || limit.as_ref().is_some_and(|l| l.is_null(i)) {
                out.append_null();
                continue;
            }
            let delimiter = d.value(i);
            if delimiter.is_empty() {
                return exec_err!("split: the delimiter may not be the empty string");
            }
            match limit.as_ref().map(|l| l.value(i)) {
                Some(n) if n < 1 => return exec_err!("split: the limit must be positive"),
                Some(n) => {
                    let n = usize::try_from(n).unwrap_or(usize::MAX);
                    for piece in s.value(i).splitn(n, delimiter) {
                        out.values().append_value(piece);
                    }
                }
                None => {
                    for piece in s.value(i).split(delimiter) {
                        out.values().append_value(piece);
                    }
                }
            }
            out.append(true);
        }
        Ok(Arc::new(out.finish()) as ArrayRef)
    })
}

/// `contains(array, x)` is DataFusion's `array_has`; `contains(text, search)` stays
/// DataFusion's string `contains`.
pub(super) fn contains_udf(
    array_has: Option<Arc<ScalarUDF>>,
    builtin: Option<Arc<ScalarUDF>>,
) -> Option<ScalarUDF> {
    Some(Overload::udf(
        "contains",
        When::FirstArgIsList,
        array_has?,
        builtin,
    ))
}

/// The keys or the values of each JSON object (text values unquoted, others as JSON
/// text); null for text that is not an object.
fn json_members(name: &str, keys: bool) -> ScalarUDF {
    udf_any(name, &[1], utf8_list(), move |a| {
        let s = strings(&a[0])?;
        let mut out = ListBuilder::new(StringBuilder::new());
        for v in s.iter() {
            let object = v.and_then(|v| match serde_json::from_str::<Value>(v) {
                Ok(Value::Object(o)) => Some(o),
                _ => None,
            });
            let Some(object) = object else {
                out.append_null();
                continue;
            };
            for (k, v) in object {
                if keys {
                    out.values().append_value(k);
                } else {
                    match v {
                        Value::Null => out.values().append_null(),
                        Value::String(s) => out.values().append_value(s),
                        other => out.values().append_value(other.to_string()),
                    }
                }
            }
            out.append(true);
        }
        Ok(Arc::new(out.finish()) as ArrayRef)
    })
}

/// `map_keys(requestparameters)` on JSON text; DataFusion's on maps.
pub(super) fn map_keys_udf(builtin: Option<Arc<ScalarUDF>>) -> ScalarUDF {
    Overload::udf(
        "map_keys",
        When::FirstArgIsText,
        Arc::new(json_members("map_keys", true)),
        builtin,
    )
}

/// `map_values(requestparameters)` on JSON text; DataFusion's on maps.
pub(super) fn map_values_udf(builtin: Option<Arc<ScalarUDF>>) -> ScalarUDF {
    Overload::udf(
        "map_values",
        When::FirstArgIsText,
        Arc::new(json_members("map_values", false)),
        builtin,
    )
}
