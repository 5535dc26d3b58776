//! SQL functions beyond DataFusion's: the Trino/Presto functions Athena and
//! CloudTrail Lake queries use (on our JSON text columns), and CloudTrail helpers.
//!
//! One file per family, as in DataFusion's own function crates; [`functions`] lists
//! them all and [`register`] is the one place they enter a session.

mod aws_ip;
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

pub use aws_ip::{aws_ip_ranges_date, aws_ip_region, aws_ip_service};
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
        aws_ip::aws_ip_service_udf(),
        aws_ip::aws_ip_region_udf(),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The one row of `sql` (in trawl's dialect, as the CLI runs it), each column as text.
    async fn row(ctx: &SessionContext, sql: &str) -> Vec<String> {
        let batches = crate::sql(ctx, sql).await.unwrap().collect().await.unwrap();
        let batch = &batches[0];
        assert_eq!(batch.num_rows(), 1, "{sql}");
        batch
            .columns()
            .iter()
            .map(|c| ScalarValue::try_from_array(c, 0).unwrap().to_string())
            .collect()
    }

    #[test]
    fn every_function_is_listed_once() {
        let mut names: Vec<String> = functions(None)
            .iter()
            .map(|f| f.name().to_string())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "arn_account",
                "aws_ip_region",
                "aws_ip_service",
                "date_add",
                "date_diff",
                "element_at",
                "from_iso8601_timestamp",
                "ip_in_cidr",
                "is_aws_service_source",
                "is_private_ip",
                "json_array_get",
                "json_array_length",
                "json_extract",
                "json_extract_scalar",
                "json_size",
                "principal_name",
                "session_issuer",
                "session_name",
                "to_iso8601",
                "useragent_family",
            ]
        );
    }

    /// Each family through SQL on a trawl session, so a function missing from the list
    /// or registered under another name fails here, not only in the integration tests.
    #[tokio::test]
    async fn a_session_answers_with_every_family() {
        let ctx = crate::new_session().unwrap();
        assert_eq!(
            row(
                &ctx,
                r#"SELECT json_extract_scalar('{"a":{"b":[1,"x"]}}', '$.a.b[1]'),
                          json_extract('{"a":[1,2]}', '$.a'),
                          json_array_get('[1,2,3]', -1),
                          json_array_length('[1,2,3]'),
                          json_size('{"a":{"x":1,"y":2}}', '$.a')"#
            )
            .await,
            ["x", "[1,2]", "3", "3", "2"]
        );
        assert_eq!(
            row(
                &ctx,
                "SELECT to_iso8601(from_iso8601_timestamp('2024-08-01')),
                        to_iso8601(date_add('month', 1, TIMESTAMP '2026-01-31T10:00:00Z')),
                        date_diff('day', TIMESTAMP '2024-08-01T00:00:00Z', TIMESTAMP '2024-08-11T12:00:00Z')"
            )
            .await,
            ["2024-08-01T00:00:00.000Z", "2026-02-28T10:00:00.000Z", "10"]
        );
        let arn = "'arn:aws:sts::123456789012:assumed-role/Admin/alice'";
        assert_eq!(
            row(
                &ctx,
                &format!(
                    "SELECT arn_account({arn}), principal_name({arn}), session_name({arn}),
                            session_issuer({arn}), useragent_family('aws-cli/2.15.0 Python/3.11')"
                )
            )
            .await,
            [
                "123456789012",
                "Admin",
                "alice",
                "arn:aws:iam::123456789012:role/Admin",
                "cli"
            ]
        );
        assert_eq!(
            row(
                &ctx,
                "SELECT ip_in_cidr('10.1.2.3', '10.0.0.0/8'), is_private_ip('203.0.113.9'),
                        is_aws_service_source('ec2.amazonaws.com'),
                        aws_ip_service('1.178.4.77'), aws_ip_region('1.178.4.77')"
            )
            .await,
            ["true", "false", "true", "EC2", "us-east-1"]
        );
        // JSON text takes trawl's element_at; a real map still reaches DataFusion's
        // (`map_extract`, whose alias it replaces).
        assert_eq!(
            row(
                &ctx,
                r#"SELECT element_at('{"bucketName":"b"}', 'bucketName'),
                          element_at(map(['a', 'b'], [1, 2]), 'b')"#
            )
            .await,
            ["b", "[2]"]
        );
    }

    #[tokio::test]
    async fn an_unknown_unit_is_an_error() {
        let ctx = crate::new_session().unwrap();
        let sql = "SELECT date_diff('fortnight', TIMESTAMP '2024-08-01T00:00:00Z', TIMESTAMP '2024-08-02T00:00:00Z')";
        let result = match crate::sql(&ctx, sql).await {
            Ok(df) => df.collect().await.map(|_| ()).map_err(crate::Error::from),
            Err(e) => Err(e),
        };
        let err = result.unwrap_err().to_string();
        assert!(
            err.contains(r#"date_diff: unknown unit "fortnight""#),
            "{err}"
        );
    }
}
