//! SQL functions beyond DataFusion's: the Trino/Presto functions Athena and
//! CloudTrail Lake queries use (on our JSON text columns), and CloudTrail helpers.
//!
//! One file per family, as in DataFusion's own function crates; [`functions`] lists
//! them all and [`register`] is the one place they enter a session.

mod cloudtrail;
mod datetime;
mod ip;
mod json;

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray, BooleanArray, Int64Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::{ColumnarValue, ScalarUDF, Volatility, create_udf};
use datafusion::prelude::SessionContext;

pub use cloudtrail::{arn_account, principal_name, session_issuer, session_name, useragent_family};
pub use ip::{ip_in_cidr, is_aws_service_source, is_private_ip, parse_ip};
pub use json::{ElementAt, json_path};

/// Every function of this module. `builtin_element_at` is the `element_at` the
/// session had before, which trawl's JSON-text `element_at` falls back to.
pub fn functions(builtin_element_at: Option<Arc<ScalarUDF>>) -> Vec<ScalarUDF> {
    vec![
        // Trino JSON on JSON text.
        json::json_extract_scalar_udf(),
        json::json_extract_udf(),
        json::json_array_get_udf(),
        json::json_array_length_udf(),
        json::json_size_udf(),
        // Trino date and time.
        datetime::from_iso8601_timestamp_udf(),
        datetime::to_iso8601_udf(),
        datetime::date_diff_udf(),
        datetime::date_add_udf(),
        // CloudTrail identities and sources.
        cloudtrail::arn_account_udf(),
        cloudtrail::principal_name_udf(),
        cloudtrail::session_name_udf(),
        cloudtrail::session_issuer_udf(),
        ip::is_private_ip_udf(),
        ip::is_aws_service_source_udf(),
        cloudtrail::useragent_family_udf(),
        ip::ip_in_cidr_udf(),
        // Athena's map access, on JSON text.
        json::element_at_udf(builtin_element_at),
    ]
}

/// Registers every function of this module, replacing any of the same name (the
/// `json_*` ones of datafusion-functions-json, DataFusion's `element_at`).
pub fn register(ctx: &SessionContext) {
    // Looked up before ours replaces it: the fallback for arguments that are not text.
    let builtin_element_at = ctx.udf("element_at").ok();
    for f in functions(builtin_element_at) {
        ctx.register_udf(f);
    }
}

/// Runs `f` on the arguments as arrays; gives a scalar back when every argument was one.
fn invoke(
    args: &[ColumnarValue],
    f: impl Fn(&[ArrayRef]) -> Result<ArrayRef>,
) -> Result<ColumnarValue> {
    let all_scalar = args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
    let arrays = ColumnarValue::values_to_arrays(args)?;
    let out = f(&arrays)?;
    if all_scalar {
        Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
    } else {
        Ok(ColumnarValue::Array(out))
    }
}

fn strings(a: &ArrayRef) -> Result<StringArray> {
    Ok(cast(a, &DataType::Utf8)?.as_string::<i32>().clone())
}

fn ints(a: &ArrayRef) -> Result<Int64Array> {
    Ok(cast(a, &DataType::Int64)?.as_primitive().clone())
}

/// An immutable function of fixed argument types over whole arrays; DataFusion
/// coerces the arguments to `inputs` before `f` sees them.
fn udf(
    name: &str,
    inputs: Vec<DataType>,
    output: DataType,
    f: impl Fn(&[ArrayRef]) -> Result<ArrayRef> + Send + Sync + 'static,
) -> ScalarUDF {
    let f = Arc::new(f);
    create_udf(
        name,
        inputs,
        output,
        Volatility::Immutable,
        Arc::new(move |args: &[ColumnarValue]| invoke(args, &*f)),
    )
}

/// A string → string function, null in, null out.
fn text_fn(name: &str, f: fn(&str) -> Option<String>) -> ScalarUDF {
    udf(name, vec![DataType::Utf8], DataType::Utf8, move |a| {
        let s = strings(&a[0])?;
        Ok(Arc::new(s.iter().map(|v| v.and_then(f)).collect::<StringArray>()) as ArrayRef)
    })
}

/// A string → bool function.
fn bool_fn(name: &str, f: fn(&str) -> Option<bool>) -> ScalarUDF {
    udf(name, vec![DataType::Utf8], DataType::Boolean, move |a| {
        let s = strings(&a[0])?;
        Ok(Arc::new(s.iter().map(|v| v.and_then(f)).collect::<BooleanArray>()) as ArrayRef)
    })
}
