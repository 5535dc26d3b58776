//! Trino/Athena JSON functions over trawl's JSON text columns (`requestParameters`,
//! `responseElements`, ...), which the lake keeps as text rather than as structs.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};
use serde_json::Value;

use super::{ints, invoke, strings, udf};

/// A (JSON text, path) → string function: null when the text is not JSON or the path
/// leads nowhere, as in Trino.
fn json_path_fn(name: &str, f: fn(&Value) -> Option<String>) -> ScalarUDF {
    udf(
        name,
        vec![DataType::Utf8, DataType::Utf8],
        DataType::Utf8,
        move |a| {
            let (json, path) = (strings(&a[0])?, strings(&a[1])?);
            let out: StringArray = json
                .iter()
                .zip(path.iter())
                .map(|(j, p)| {
                    let v: Value = serde_json::from_str(j?).ok()?;
                    f(json_path(&v, p?)?)
                })
                .collect();
            Ok(Arc::new(out) as ArrayRef)
        },
    )
}

/// Follows a JSONPath of the Trino subset: `$`, `.key`, `["key"]`, `[index]`.
pub fn json_path<'v>(mut v: &'v Value, path: &str) -> Option<&'v Value> {
    let p = path.trim();
    let mut rest = p.strip_prefix('$').unwrap_or(p);
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            v = v.get(&r[..end])?;
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inner = r[..end].trim();
            v = if let Some(key) = inner.strip_prefix('"').and_then(|k| k.strip_suffix('"')) {
                v.get(key)?
            } else if let Some(key) = inner.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')) {
                v.get(key)?
            } else {
                v.get(inner.parse::<usize>().ok()?)?
            };
            rest = &r[end + 1..];
        } else {
            // A bare key without `$.` (Athena users write `json_extract_scalar(x, 'key')` rarely, but do).
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            v = v.get(&rest[..end])?;
            rest = &rest[end..];
        }
    }
    Some(v)
}

/// A scalar's text; objects, arrays and null have none (Trino's `json_extract_scalar`).
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Any value as JSON text; JSON null is SQL NULL.
fn json_text(v: &Value) -> Option<String> {
    (!v.is_null()).then(|| v.to_string())
}

/// `json_extract_scalar(json, path)`: the scalar at `path`, as text.
pub(super) fn json_extract_scalar_udf() -> ScalarUDF {
    json_path_fn("json_extract_scalar", scalar_text)
}

/// `json_extract(json, path)`: the value at `path`, as JSON text.
pub(super) fn json_extract_udf() -> ScalarUDF {
    json_path_fn("json_extract", json_text)
}

/// `json_array_get(json, index)`: an array element as JSON text.
pub(super) fn json_array_get_udf() -> ScalarUDF {
    udf(
        "json_array_get",
        vec![DataType::Utf8, DataType::Int64],
        DataType::Utf8,
        |a| {
            let (json, idx) = (strings(&a[0])?, ints(&a[1])?);
            let out: StringArray = json
                .iter()
                .zip(idx.iter())
                .map(|(j, i)| {
                    let v: Value = serde_json::from_str(j?).ok()?;
                    let arr = v.as_array()?;
                    let i = i?;
                    // Trino: negative indexes count from the end.
                    let pos = if i < 0 {
                        arr.len().checked_sub(i.unsigned_abs() as usize)?
                    } else {
                        i as usize
                    };
                    json_text(arr.get(pos)?)
                })
                .collect();
            Ok(Arc::new(out) as ArrayRef)
        },
    )
}

/// `json_array_length(json)`: the length of a JSON array, null for anything else.
pub(super) fn json_array_length_udf() -> ScalarUDF {
    udf(
        "json_array_length",
        vec![DataType::Utf8],
        DataType::Int64,
        |a| {
            let json = strings(&a[0])?;
            let out: Int64Array = json
                .iter()
                .map(|j| {
                    serde_json::from_str::<Value>(j?)
                        .ok()?
                        .as_array()
                        .map(|a| a.len() as i64)
                })
                .collect();
            Ok(Arc::new(out) as ArrayRef)
        },
    )
}

/// `json_size(json, path)`: the number of elements or members at `path`, 0 for a scalar.
pub(super) fn json_size_udf() -> ScalarUDF {
    udf(
        "json_size",
        vec![DataType::Utf8, DataType::Utf8],
        DataType::Int64,
        |a| {
            let (json, path) = (strings(&a[0])?, strings(&a[1])?);
            let out: Int64Array = json
                .iter()
                .zip(path.iter())
                .map(|(j, p)| {
                    let v: Value = serde_json::from_str(j?).ok()?;
                    Some(match json_path(&v, p?)? {
                        Value::Array(a) => a.len() as i64,
                        Value::Object(o) => o.len() as i64,
                        _ => 0,
                    })
                })
                .collect();
            Ok(Arc::new(out) as ArrayRef)
        },
    )
}

/// `element_at(map, key)` over whatever `builtin` was registered as `element_at`
/// before (DataFusion's own, for real maps and arrays).
pub(super) fn element_at_udf(builtin: Option<Arc<ScalarUDF>>) -> ScalarUDF {
    ScalarUDF::new_from_impl(ElementAt::new(builtin))
}

/// Athena's `element_at(map, key)` on trawl's JSON text columns
/// (`element_at(requestParameters, 'bucketName')`); on real maps and arrays it is
/// DataFusion's own `element_at`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ElementAt {
    signature: Signature,
    builtin: Option<Arc<ScalarUDF>>,
}

impl ElementAt {
    pub fn new(builtin: Option<Arc<ScalarUDF>>) -> Self {
        Self {
            signature: Signature::any(2, Volatility::Immutable),
            builtin,
        }
    }
}

fn is_text(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8)
}

impl ScalarUDFImpl for ElementAt {
    fn name(&self) -> &str {
        "element_at"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        match (args.first(), &self.builtin) {
            (Some(t), _) if is_text(t) => Ok(DataType::Utf8),
            (_, Some(b)) => b.return_type(args),
            _ => exec_err!("element_at: unsupported argument types {args:?}"),
        }
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        match (args.arg_fields.first(), &self.builtin) {
            (Some(f), _) if is_text(f.data_type()) => {
                Ok(Arc::new(Field::new(self.name(), DataType::Utf8, true)))
            }
            (_, Some(b)) => b.return_field_from_args(args),
            _ => exec_err!("element_at: unsupported arguments"),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let text = args
            .arg_fields
            .first()
            .is_some_and(|f| is_text(f.data_type()));
        if !text {
            return match &self.builtin {
                Some(b) => b.invoke_with_args(args),
                None => exec_err!("element_at: unsupported arguments"),
            };
        }
        invoke(&args.args, |a| {
            let (json, key) = (strings(&a[0])?, strings(&a[1])?);
            let out: StringArray = json
                .iter()
                .zip(key.iter())
                .map(|(j, k)| {
                    let v: Value = serde_json::from_str(j?).ok()?;
                    let item = v.get(k?)?;
                    match item {
                        Value::String(s) => Some(s.clone()),
                        Value::Null => None,
                        other => Some(other.to_string()),
                    }
                })
                .collect();
            Ok(Arc::new(out) as ArrayRef)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        let v: Value = serde_json::from_str(r#"{"a":{"b":[1,{"c":"x"}]},"k y":2}"#).unwrap();
        assert_eq!(
            json_path(&v, "$.a.b[1].c"),
            Some(&Value::String("x".into()))
        );
        assert_eq!(json_path(&v, "$[\"k y\"]"), Some(&serde_json::json!(2)));
        assert_eq!(json_path(&v, "a.b[0]"), Some(&serde_json::json!(1)));
    }
}
