//! SQL functions beyond DataFusion's: the Trino/Presto functions Athena and
//! CloudTrail Lake queries use (on our JSON text columns), and CloudTrail helpers.
//!
//! One file per family, as in DataFusion's own function crates; [`functions`] and
//! [`aggregates`] list them all and [`register`] is the one place they enter a session.

mod aggregate;
mod aws_ip;
mod cloudtrail;
mod collections;
mod datetime;
mod datetime_pattern;
mod ip;
mod json;
mod ordered_array_agg;
mod overload;
mod regexp;
mod types;
mod url;

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray, BooleanArray, Int64Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::{
    AggregateUDF, ColumnarValue, ScalarUDF, Signature, SimpleScalarUDF, TypeSignature, Volatility,
    create_udf,
};
use datafusion::prelude::SessionContext;

pub use aws_ip::{aws_ip_ranges_date, aws_ip_region, aws_ip_service};
pub use cloudtrail::{arn_account, principal_name, session_issuer, session_name, useragent_family};
pub use ip::{ip_in_cidr, is_aws_service_source, is_private_ip, parse_ip};
pub use json::values_as_json_text;
pub use json::{ElementAt, json_path};
pub use types::{Try, trino_type_name};

/// The session's functions of a name before trawl's replace them (DataFusion's
/// `element_at`, `contains`, `regexp_replace`, ...): trawl's fall back to them for
/// the arguments Trino's form does not cover.
pub type Builtins<'a> = &'a dyn Fn(&str) -> Option<Arc<ScalarUDF>>;

/// Trino's names for DataFusion scalar functions of the same meaning.
const SCALAR_ALIASES: &[(&str, &str)] = &[("levenshtein", "levenshtein_distance")];

/// Every scalar function of this module.
pub fn functions(builtin: Builtins) -> Vec<ScalarUDF> {
    let mut all = vec![
        // Trino JSON on JSON text.
        json::json_extract_scalar_udf(),
        json::json_extract_udf(),
        json::json_array_get_udf(),
        json::json_array_length_udf(),
        json::json_size_udf(),
        json::json_parse_udf(),
        json::json_format_udf(),
        json::json_array_contains_udf(),
        json::json_cast_udf(),
        // Trino date and time.
        datetime::from_iso8601_timestamp_udf(),
        datetime::from_iso8601_date_udf(),
        datetime::to_iso8601_udf(),
        datetime::date_diff_udf(),
        datetime::date_add_udf(),
        datetime::date_udf(),
        datetime::last_day_of_month_udf(),
        datetime::from_unixtime_udf(),
        datetime::to_unixtime_udf(),
        datetime::date_format_udf(),
        datetime::date_parse_udf(),
        datetime::format_datetime_udf(),
        datetime::parse_datetime_udf(),
        // Trino regular expressions, arrays, maps, URLs, types.
        regexp::regexp_extract_udf(),
        regexp::regexp_extract_all_udf(),
        regexp::regexp_split_udf(),
        regexp::regexp_replace_udf(builtin("regexp_replace")),
        collections::split_udf(),
        collections::map_keys_udf(builtin("map_keys")),
        collections::map_values_udf(builtin("map_values")),
        types::typeof_udf(),
        types::try_udf(),
        types::row_cast_udf(),
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
        json::element_at_udf(builtin("element_at"), builtin("array_element")),
    ];
    all.extend(datetime::field_udfs());
    all.extend(url::url_udfs());
    all.extend(collections::contains_udf(
        builtin("array_has"),
        builtin("contains"),
    ));
    for (name, alias) in SCALAR_ALIASES {
        if let Some(f) = builtin(name) {
            all.push(f.as_ref().clone().with_aliases([*alias]));
        }
    }
    all
}

/// Every aggregate of this module; `builtin` finds DataFusion's aggregates that
/// Trino knows by another name.
pub fn aggregates(builtin: &dyn Fn(&str) -> Option<Arc<AggregateUDF>>) -> Vec<AggregateUDF> {
    let mut all = vec![
        aggregate::count_if_udaf(),
        aggregate::max_by_udaf(),
        aggregate::min_by_udaf(),
        ordered_array_agg::array_agg_udaf(),
    ];
    for (name, alias) in aggregate::AGGREGATE_ALIASES {
        if let Some(f) = builtin(name) {
            all.push(f.as_ref().clone().with_aliases([*alias]));
        }
    }
    all
}

/// Registers every function of this module, replacing any of the same name (the
/// `json_*` ones of datafusion-functions-json, DataFusion's `element_at`, `contains`,
/// `regexp_replace`, `date_format`, `from_unixtime`, `to_unixtime`).
pub fn register(ctx: &SessionContext) {
    // Looked up before ours replace them: the fallbacks for the other forms.
    let scalars = functions(&|name| ctx.udf(name).ok());
    let aggregates = aggregates(&|name| ctx.udaf(name).ok());
    for f in scalars {
        ctx.register_udf(f);
    }
    for f in aggregates {
        ctx.register_udaf(f);
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

/// Like [`udf`] but taking arguments of any type, in any of the counts `arities`:
/// `f` casts them itself (a timestamp function that also takes dates and text).
fn udf_any(
    name: &str,
    arities: &[usize],
    output: DataType,
    f: impl Fn(&[ArrayRef]) -> Result<ArrayRef> + Send + Sync + 'static,
) -> ScalarUDF {
    let f = Arc::new(f);
    let signature = match arities {
        [n] => Signature::any(*n, Volatility::Immutable),
        _ => Signature::one_of(
            arities.iter().map(|n| TypeSignature::Any(*n)).collect(),
            Volatility::Immutable,
        ),
    };
    ScalarUDF::from(SimpleScalarUDF::new_with_signature(
        name,
        signature,
        output,
        Arc::new(move |args: &[ColumnarValue]| invoke(args, &*f)),
    ))
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
        let plain = SessionContext::new();
        let mut names: Vec<String> = functions(&|n| plain.udf(n).ok())
            .iter()
            .map(|f| f.name().to_string())
            .collect();
        names.sort();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count, "{names:?}");
    }

    /// The Trino names issue 16 asks for, each known to a trawl session as a scalar
    /// or aggregate function (`try_cast` is syntax, tested below).
    #[test]
    fn a_session_knows_the_trino_names() {
        let ctx = crate::new_session().unwrap();
        let trino = [
            "date",
            "day_of_week",
            "dow",
            "day_of_year",
            "doy",
            "week",
            "week_of_year",
            "year",
            "quarter",
            "month",
            "day",
            "day_of_month",
            "hour",
            "minute",
            "second",
            "date_format",
            "date_parse",
            "format_datetime",
            "parse_datetime",
            "from_unixtime",
            "to_unixtime",
            "from_iso8601_timestamp",
            "to_iso8601",
            "date_trunc",
            "date_add",
            "date_diff",
            "regexp_extract",
            "regexp_extract_all",
            "regexp_replace",
            "regexp_like",
            "split",
            "split_part",
            "cardinality",
            "contains",
            "array_join",
            "element_at",
            "map_keys",
            "map_values",
            "url_extract_host",
            "url_extract_parameter",
            "try",
            "typeof",
            "json_extract_scalar",
            "json_extract",
            "json_parse",
            "json_format",
            "approx_distinct",
            "approx_percentile",
            "arbitrary",
            "count_if",
            "max_by",
            "min_by",
            "levenshtein_distance",
            "every",
        ];
        let missing: Vec<&str> = trino
            .iter()
            .copied()
            .filter(|n| ctx.udf(n).is_err() && ctx.udaf(n).is_err())
            .collect();
        assert!(missing.is_empty(), "not in a trawl session: {missing:?}");
    }

    /// Trino's documented results (the examples of Trino's function pages where they
    /// give one, else values that follow from the documented definition).
    #[tokio::test]
    async fn trino_functions_answer_as_trino_documents() {
        let ctx = crate::new_session().unwrap();
        // 2024-08-04 is a Sunday (ISO day 7), 2024-03-01 day 61 of a leap year,
        // 2021-01-03 in ISO week 53 of 2020.
        assert_eq!(
            row(
                &ctx,
                "SELECT day_of_week(DATE '2024-08-04'), dow(TIMESTAMP '2024-08-05 10:00:00'),
                        day_of_year(DATE '2024-03-01'), doy(DATE '2024-12-31'),
                        week(DATE '2021-01-03'), year_of_week(DATE '2021-01-03'),
                        year(TIMESTAMP '2024-08-01 13:45:10'), quarter(DATE '2024-08-01'),
                        month(TIMESTAMP '2024-08-01 13:45:10'), day(TIMESTAMP '2024-08-01 13:45:10'),
                        hour(TIMESTAMP '2024-08-01 13:45:10'), minute(TIMESTAMP '2024-08-01 13:45:10'),
                        second(TIMESTAMP '2024-08-01 13:45:10'), date(TIMESTAMP '2024-08-01 23:59:59'),
                        date('2024-08-01'), last_day_of_month(DATE '2024-02-10')"
            )
            .await,
            [
                "7", "1", "61", "366", "53", "2020", "2024", "3", "8", "1", "13", "45", "10",
                "2024-08-01", "2024-08-01", "2024-02-29"
            ]
        );
        assert_eq!(
            row(
                &ctx,
                "SELECT date_format(TIMESTAMP '2022-10-20 05:10:00', '%m-%d-%Y %H'),
                        to_iso8601(date_parse('2022/10/20/05', '%Y/%m/%d/%H')),
                        format_datetime(TIMESTAMP '2022-10-20 05:10:00', 'EEEE, d MMMM yyyy HH:mm'),
                        to_iso8601(parse_datetime('2022-10-20 05:10:00 +0200', 'yyyy-MM-dd HH:mm:ss Z')),
                        to_iso8601(from_unixtime(1700000000)),
                        to_unixtime(TIMESTAMP '2023-11-14 22:13:20.5'),
                        date_parse('not a date', '%Y-%m-%d') IS NULL"
            )
            .await,
            [
                "10-20-2022 05",
                "2022-10-20T05:00:00.000Z",
                "Thursday, 20 October 2022 05:10",
                "2022-10-20T03:10:00.000Z",
                "2023-11-14T22:13:20.000Z",
                "1700000000.5",
                "true"
            ]
        );
        assert_eq!(
            row(
                &ctx,
                r"SELECT regexp_extract('1a 2b 14m', '\d+'),
                         regexp_extract('1a 2b 14m', '(\d+)([a-z]+)', 2),
                         array_join(regexp_extract_all('1a 2b 14m', '\d+'), ','),
                         array_join(regexp_extract_all('1a 2b 14m', '(\d+)([a-z]+)', 2), ','),
                         regexp_replace('1a 2b 14m', '\d+[ab] '),
                         regexp_replace('1a 2b 14m', '(\d+)([ab]) ', '3c$2 '),
                         regexp_replace('aaa', 'a', 'b', 'g'),
                         regexp_extract('abc', 'x') IS NULL"
            )
            .await,
            [
                "1",
                "a",
                "1,2,14",
                "a,b,m",
                "14m",
                "3ca 3cb 14m",
                "bbb",
                "true"
            ]
        );
        assert_eq!(
            row(
                &ctx,
                r#"SELECT array_join(split('a.b.c', '.'), '|'), array_join(split('a.b.c', '.', 2), '|'),
                          cardinality(split('a.b.c', '.')), contains(ARRAY['a', 'b'], 'b'),
                          contains(ARRAY[1, 2], 3), contains('abc', 'bc'),
                          array_join(map_keys('{"b":1,"a":2}'), ','),
                          array_join(map_values('{"a":"x","b":2}'), ','),
                          element_at(ARRAY[named_struct('arn', 'x'), named_struct('arn', 'y')], 2).arn,
                          array_join(ARRAY['x', 'y'], ', '), split_part('a/b/c', '/', 2)"#
            )
            .await,
            ["a|b|c", "a|b.c", "3", "true", "false", "true", "a,b", "x,2", "y", "x, y", "b"]
        );
        let url = "'https://example.com:8080/a/b?x=1&y=two%20words#frag'";
        assert_eq!(
            row(
                &ctx,
                &format!(
                    "SELECT url_extract_host({url}), url_extract_port({url}), url_extract_path({url}),
                            url_extract_protocol({url}), url_extract_query({url}),
                            url_extract_fragment({url}), url_extract_parameter({url}, 'y'),
                            url_encode('a b/c'), url_decode('a+b%2Fc')"
                )
            )
            .await,
            [
                "example.com", "8080", "/a/b", "https", "x=1&y=two%20words", "frag",
                "two words", "a+b%2Fc", "a b/c"
            ]
        );
        assert_eq!(
            row(
                &ctx,
                r#"SELECT typeof(CAST(1 AS INTEGER)), typeof(CAST('x' AS VARCHAR)), typeof(1.5e0),
                          typeof(from_iso8601_timestamp('2024-01-01')), typeof(DATE '2024-01-01'),
                          typeof(ARRAY[1, 2]), try(CAST('x' AS BIGINT)) IS NULL, try(CAST('7' AS BIGINT)),
                          if(1 > 0, 'yes', 'no'), if(1 < 0, 'yes') IS NULL,
                          json_parse('[1,'), json_array_contains('[1, "a"]', 'a'),
                          levenshtein_distance('kitten', 'sitting'),
                          try(json_extract_scalar('{"a":"b"}', '$.a'))"#
            )
            .await,
            [
                "integer",
                "varchar",
                "double",
                "timestamp(3) with time zone",
                "date",
                "array(bigint)",
                "true",
                "7",
                "yes",
                "true",
                "NULL",
                "true",
                "3",
                "b"
            ]
        );
        assert_eq!(
            row(
                &ctx,
                "SELECT count_if(x > 1), max_by(n, x), min_by(n, x), approx_percentile(x, 0.5),
                        arbitrary(n) IS NOT NULL, every(x > 0), count_if(x > 5)
                 FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c'), (NULL, 'z')) AS t(x, n)"
            )
            .await,
            ["2", "c", "a", "2", "true", "true", "0"]
        );
    }

    #[tokio::test]
    async fn trino_mistakes_are_errors_that_say_what() {
        let ctx = crate::new_session().unwrap();
        let error = |sql: &'static str| {
            let ctx = ctx.clone();
            async move {
                match crate::sql(&ctx, sql).await {
                    Ok(df) => df.collect().await.map(|_| ()).map_err(crate::Error::from),
                    Err(e) => Err(e),
                }
                .unwrap_err()
                .to_string()
            }
        };
        let e = error("SELECT date_format(now(), '%U')").await;
        assert!(e.contains("Sunday-first week"), "{e}");
        let e = error("SELECT regexp_extract('a', '(a)', 2)").await;
        assert!(e.contains("no capturing group 2"), "{e}");
        let e = error("SELECT regexp_extract('a', '(')").await;
        assert!(e.contains("invalid pattern"), "{e}");
        let e = error("SELECT split('a', '')").await;
        assert!(e.contains("delimiter may not be the empty string"), "{e}");
    }

    /// Trino's `CAST(x AS ROW(...))`: by position, renamed, each field cast; TRY_CAST
    /// nulls a field that does not cast; a wrong arity is an error that says so.
    #[tokio::test]
    async fn row_casts_go_field_by_field() {
        let ctx = crate::new_session().unwrap();
        assert_eq!(
            row(
                &ctx,
                "SELECT CAST(ROW('a', '12') AS ROW(Name VARCHAR, n BIGINT)).n + 1, \
                        CAST(ROW('a', '12') AS ROW(name VARCHAR, n BIGINT)).name, \
                        TRY_CAST(ROW('a', 'x') AS ROW(name VARCHAR, n BIGINT)).n IS NULL, \
                        typeof(CAST(ROW('a', '1.5') AS ROW(s VARCHAR, d DOUBLE)))"
            )
            .await,
            ["13", "a", "true", "row(s varchar, d double)"]
        );
        let e = match crate::sql(&ctx, "SELECT CAST(ROW(1, 2) AS ROW(a BIGINT))").await {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        };
        assert!(e.contains("the value has 2 fields, the ROW type 1"), "{e}");
        let e = match crate::sql(&ctx, "SELECT CAST(ROW('x') AS ROW(a BIGINT))").await {
            Ok(df) => df
                .collect()
                .await
                .map(|_| String::new())
                .unwrap_or_else(|e| e.to_string()),
            Err(e) => e.to_string(),
        };
        assert!(e.contains("Cannot cast string 'x'"), "{e}");
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
