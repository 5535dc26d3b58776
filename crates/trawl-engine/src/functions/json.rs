//! Trino/Athena JSON functions over trawl's JSON text columns (`requestParameters`,
//! `responseElements`, ...), which the lake keeps as text rather than as structs.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, Int64Array, StringArray, StringBuilder,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::json::writer::{EncoderOptions, make_encoder};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};
use serde_json::Value;

use super::{ints, invoke, strings, udf, udf_any};

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

/// `json_parse(text)`: the text when it is JSON (trawl's JSON values are text),
/// null when it is not.
pub(super) fn json_parse_udf() -> ScalarUDF {
    super::text_fn("json_parse", |s| {
        serde_json::from_str::<serde::de::IgnoredAny>(s)
            .is_ok()
            .then(|| s.to_string())
    })
}

/// `json_format(json)`: the JSON text itself.
pub(super) fn json_format_udf() -> ScalarUDF {
    super::text_fn("json_format", |s| Some(s.to_string()))
}

/// Each value of `array` as JSON text (NULL stays NULL): the one encoding of nested
/// values as text, for `CAST(... AS JSON)` and for the CLI's cells.
pub fn values_as_json_text(
    field: &FieldRef,
    array: &dyn Array,
    options: &EncoderOptions,
) -> std::result::Result<ArrayRef, ArrowError> {
    let mut encoder = make_encoder(field, array, options)?;
    let mut out = StringBuilder::with_capacity(array.len(), array.len() * 32);
    let mut buf = Vec::new();
    for i in 0..array.len() {
        if array.is_null(i) {
            out.append_null();
            continue;
        }
        buf.clear();
        encoder.encode(i, &mut buf);
        out.append_value(String::from_utf8_lossy(&buf));
    }
    Ok(Arc::new(out.finish()))
}

/// `trino_json_cast(x)`: Trino's `CAST(x AS JSON)` (written so by `trino_syntax`), as
/// JSON text, trawl's JSON: a struct an object (with its NULL fields), a list an
/// array, text a JSON string, NULL NULL.
pub(super) fn json_cast_udf() -> ScalarUDF {
    udf_any("trino_json_cast", &[1], DataType::Utf8, |a| {
        let array = &a[0];
        let field = Arc::new(Field::new("value", array.data_type().clone(), true));
        let options = EncoderOptions::default().with_explicit_nulls(true);
        Ok(values_as_json_text(&field, array.as_ref(), &options)?)
    })
}

/// `json_array_contains(json, value)`: whether a JSON array holds `value` (a string,
/// number or boolean, compared as that type); null when the text is not an array.
pub(super) fn json_array_contains_udf() -> ScalarUDF {
    udf_any("json_array_contains", &[2], DataType::Boolean, |a| {
        let json = strings(&a[0])?;
        let wanted: Vec<Option<Value>> = match a[1].data_type() {
            DataType::Boolean => a[1]
                .as_any()
                .downcast_ref::<BooleanArray>()
                .map(|b| b.iter().map(|v| v.map(Value::Bool)).collect())
                .unwrap_or_default(),
            t if t.is_numeric() => {
                let f = cast(&a[1], &DataType::Float64)?;
                let f = f
                    .as_any()
                    .downcast_ref::<datafusion::arrow::array::Float64Array>();
                f.map(|f| {
                    f.iter()
                        .map(|v| v.and_then(serde_json::Number::from_f64).map(Value::Number))
                        .collect()
                })
                .unwrap_or_default()
            }
            _ => strings(&a[1])?
                .iter()
                .map(|v| v.map(|s| Value::String(s.to_string())))
                .collect(),
        };
        if wanted.len() != json.len() {
            return datafusion::common::exec_err!(
                "json_array_contains: unsupported value type {}",
                a[1].data_type()
            );
        }
        let out: BooleanArray = json
            .iter()
            .zip(wanted)
            .map(|(j, w)| {
                let (j, w) = (j?, w?);
                let v: Value = serde_json::from_str(j).ok()?;
                let items = v.as_array()?;
                Some(items.iter().any(|item| match (item, &w) {
                    (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
                    (a, b) => a == b,
                }))
            })
            .collect();
        Ok(Arc::new(out) as ArrayRef)
    })
}

/// `element_at` over DataFusion's `element_at` for maps (`map_builtin`) and
/// `array_element` for arrays (`array_builtin`).
pub(super) fn element_at_udf(
    map_builtin: Option<Arc<ScalarUDF>>,
    array_builtin: Option<Arc<ScalarUDF>>,
) -> ScalarUDF {
    ScalarUDF::new_from_impl(ElementAt::new(map_builtin, array_builtin))
}

/// Athena's `element_at(map, key)` on trawl's JSON text columns
/// (`element_at(requestParameters, 'bucketName')`); on real maps it is DataFusion's
/// own `element_at`, and on arrays (`element_at(resources, 1)`, 1-based, negative
/// from the end, as in Trino) DataFusion's `array_element`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ElementAt {
    signature: Signature,
    map_builtin: Option<Arc<ScalarUDF>>,
    array_builtin: Option<Arc<ScalarUDF>>,
}

impl ElementAt {
    pub fn new(map_builtin: Option<Arc<ScalarUDF>>, array_builtin: Option<Arc<ScalarUDF>>) -> Self {
        Self {
            signature: Signature::any(2, Volatility::Immutable),
            map_builtin,
            array_builtin,
        }
    }

    /// DataFusion's function for a first argument of type `t`.
    fn builtin(&self, t: Option<&DataType>) -> Result<&ScalarUDF> {
        let chosen = match t {
            Some(DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..)) => {
                &self.array_builtin
            }
            _ => &self.map_builtin,
        };
        match chosen {
            Some(f) => Ok(f),
            None => exec_err!("element_at: unsupported argument type {t:?}"),
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
        match args.first() {
            Some(t) if is_text(t) => Ok(DataType::Utf8),
            first => self.builtin(first)?.return_type(args),
        }
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        match args.arg_fields.first() {
            Some(f) if is_text(f.data_type()) => {
                Ok(Arc::new(Field::new(self.name(), DataType::Utf8, true)))
            }
            first => self
                .builtin(first.map(|f| f.data_type()))?
                .return_field_from_args(args),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let first = args.arg_fields.first().map(|f| f.data_type().clone());
        if !first.as_ref().is_some_and(is_text) {
            return self.builtin(first.as_ref())?.invoke_with_args(args);
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
