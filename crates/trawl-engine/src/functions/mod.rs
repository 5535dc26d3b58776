//! SQL functions beyond DataFusion's: the Trino/Presto functions Athena and
//! CloudTrail Lake queries use (on our JSON text columns), and CloudTrail helpers.

mod json;

use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Int64Array, StringArray, TimestampMillisecondArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, TimeUnit, TimestampMillisecondType};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{ColumnarValue, ScalarUDF, Volatility, create_udf};
use datafusion::execution::FunctionRegistry;
use datafusion::prelude::SessionContext;

pub use json::{ElementAt, json_path};

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

fn millis(a: &ArrayRef) -> Result<TimestampMillisecondArray> {
    let t = cast(
        a,
        &DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
    )?;
    Ok(t.as_primitive::<TimestampMillisecondType>().clone())
}

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

/// Parses `YYYY-MM-DD[THH:MM:SS[.fff]][Z|±hh:mm]` as Trino's `from_iso8601_timestamp` does.
fn iso_millis(s: &str) -> Option<i64> {
    trawl_cloudtrail::parse_event_time(s).or_else(|| {
        let s = s.trim();
        (s.len() == 10)
            .then(|| trawl_cloudtrail::parse_event_time(&format!("{s}T00:00:00Z")))
            .flatten()
    })
}

fn unit_millis(unit: &str) -> Option<i64> {
    Some(
        match unit.trim().to_ascii_lowercase().trim_end_matches('s') {
            "millisecond" => 1,
            "second" => 1000,
            "minute" => 60_000,
            "hour" => 3_600_000,
            "day" => 86_400_000,
            "week" => 7 * 86_400_000,
            _ => return None,
        },
    )
}

const DAY_MS: i64 = 86_400_000;

/// (year, month, day) of a millisecond timestamp, UTC.
fn civil(ms: i64) -> (i64, i64, i64) {
    trawl_cloudtrail::civil_from_days(ms.div_euclid(DAY_MS))
}

/// Months since year 0 of a timestamp.
fn month_index(ms: i64) -> i64 {
    let (y, m, _) = civil(ms);
    y * 12 + m - 1
}

/// Trino `date_diff(unit, t1, t2)`: whole units from t1 to t2.
fn date_diff(unit: &str, a: i64, b: i64) -> Option<i64> {
    let u = unit.trim().to_ascii_lowercase();
    let u = u.trim_end_matches('s');
    match u {
        "month" | "quarter" | "year" => {
            let mut months = month_index(b) - month_index(a);
            // A partial month does not count: compare the offsets into the month.
            let day_ms = |t: i64| t - (civil(t).2 - 1) * DAY_MS - t.rem_euclid(DAY_MS);
            if months > 0 && b - day_ms(b) < a - day_ms(a) {
                months -= 1;
            } else if months < 0 && b - day_ms(b) > a - day_ms(a) {
                months += 1;
            }
            Some(match u {
                "month" => months,
                "quarter" => months / 3,
                _ => months / 12,
            })
        }
        _ => Some((b - a) / unit_millis(u)?),
    }
}

/// Trino `date_add(unit, n, t)`.
fn date_add(unit: &str, n: i64, t: i64) -> Option<i64> {
    let u = unit.trim().to_ascii_lowercase();
    let u = u.trim_end_matches('s');
    match u {
        "month" | "quarter" | "year" => {
            let months = n * match u {
                "month" => 1,
                "quarter" => 3,
                _ => 12,
            };
            let (y, m, d) = civil(t);
            let total = y * 12 + (m - 1) + months;
            let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) + 1);
            let nd = d.min(trawl_cloudtrail::days_in_month(ny, nm));
            Some(trawl_cloudtrail::days_from_civil(ny, nm, nd) * DAY_MS + t.rem_euclid(DAY_MS))
        }
        _ => Some(t + n * unit_millis(u)?),
    }
}

/// Account id of any ARN form (`arn:aws:iam::123456789012:user/x` → `123456789012`).
pub fn arn_account(arn: &str) -> Option<String> {
    let acct = arn.split(':').nth(4)?;
    (!acct.is_empty()).then(|| acct.to_string())
}

/// The resource part of an ARN (after the 5th colon).
fn arn_resource(arn: &str) -> Option<&str> {
    let mut it = arn.splitn(6, ':');
    (it.next()? == "arn").then_some(())?;
    it.nth(4)
}

/// The principal's name: user name, role name (for an assumed-role session), federated
/// user, `root`, or a service principal.
pub fn principal_name(arn: &str) -> Option<String> {
    if arn.ends_with(".amazonaws.com") && !arn.starts_with("arn:") {
        return Some(arn.to_string());
    }
    let res = arn_resource(arn)?;
    if res == "root" {
        return Some("root".into());
    }
    let (kind, rest) = res.split_once('/')?;
    Some(match kind {
        "assumed-role" => rest.split('/').next()?.to_string(),
        "user" | "role" | "federated-user" | "group" => rest.rsplit('/').next()?.to_string(),
        _ => rest.to_string(),
    })
}

/// The session name of an assumed-role ARN.
pub fn session_name(arn: &str) -> Option<String> {
    let rest = arn_resource(arn)?.strip_prefix("assumed-role/")?;
    Some(rest.split_once('/')?.1.to_string())
}

/// The identity behind a session: an assumed-role ARN becomes its role's ARN; other
/// ARNs are themselves.
pub fn session_issuer(arn: &str) -> Option<String> {
    let mut parts = arn.splitn(6, ':');
    let (a, partition, _svc, _region, acct, res) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if a != "arn" {
        return None;
    }
    match res.strip_prefix("assumed-role/") {
        Some(rest) => Some(format!(
            "arn:{partition}:iam::{acct}:role/{}",
            rest.split('/').next()?
        )),
        None => Some(arn.to_string()),
    }
}

/// Parses an IP the way CloudTrail writes it: IPv4 (also with leading zeros, as in
/// anonymised logs), IPv6, or the first of a comma-separated list.
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.split(',').next()?.trim();
    if let Ok(ip) = IpAddr::from_str(s) {
        return Some(ip);
    }
    let octets: Vec<u8> = s
        .split('.')
        .map(|o| o.parse::<u8>().ok())
        .collect::<Option<_>>()?;
    (octets.len() == 4).then(|| IpAddr::from([octets[0], octets[1], octets[2], octets[3]]))
}

/// Whether `ip` is inside `cidr` (`10.0.0.0/8`, `2001:db8::/32`, or a single address).
pub fn ip_in_cidr(ip: &str, cidr: &str) -> Option<bool> {
    let ip = parse_ip(ip)?;
    let (net, bits) = match cidr.split_once('/') {
        Some((n, b)) => (parse_ip(n)?, b.trim().parse::<u32>().ok()?),
        None => {
            let n = parse_ip(cidr)?;
            (n, if n.is_ipv4() { 32 } else { 128 })
        }
    };
    Some(match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    })
}

/// Private, loopback, link-local, CGNAT and unique-local addresses.
pub fn is_private_ip(s: &str) -> Option<bool> {
    let ip = parse_ip(s)?;
    Some(match ip {
        IpAddr::V4(v) => {
            let o = v.octets();
            v.is_private()
                || v.is_loopback()
                || v.is_link_local()
                || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        IpAddr::V6(v) => {
            v.is_loopback()
                || (v.segments()[0] & 0xfe00) == 0xfc00
                || (v.segments()[0] & 0xffc0) == 0xfe80
        }
    })
}

/// Whether a `sourceIPAddress` is an AWS service acting (not a network address).
pub fn is_aws_service_source(s: &str) -> Option<bool> {
    let s = s.trim();
    Some(
        s.ends_with(".amazonaws.com")
            || s.eq_ignore_ascii_case("AWS Internal")
            || s.starts_with("AWS Internal/"),
    )
}

/// The family of a user agent: console, cli, python-sdk, go-sdk, java-sdk, js-sdk,
/// dotnet-sdk, ruby-sdk, php-sdk, rust-sdk, terraform, cloudformation, aws-service,
/// aws-internal, browser, or other.
pub fn useragent_family(ua: &str) -> Option<String> {
    let l = ua.to_ascii_lowercase();
    let family = if l.contains("terraform") {
        "terraform"
    } else if l.contains("cloudformation") {
        "cloudformation"
    } else if l.starts_with("aws-cli/") || l.contains(" aws-cli/") || l.starts_with("[aws-cli/") {
        "cli"
    } else if l.starts_with("console.")
        || l.contains("s3console")
        || l == "signin.amazonaws.com"
        || l.contains("console.amazonaws.com")
    {
        "console"
    } else if l.contains("boto3") || l.contains("botocore") {
        "python-sdk"
    } else if l.contains("aws-sdk-go") {
        "go-sdk"
    } else if l.contains("aws-sdk-java") {
        "java-sdk"
    } else if l.contains("aws-sdk-js") || l.contains("aws-sdk-nodejs") {
        "js-sdk"
    } else if l.contains("aws-sdk-dotnet") {
        "dotnet-sdk"
    } else if l.contains("aws-sdk-ruby") {
        "ruby-sdk"
    } else if l.contains("aws-sdk-php") {
        "php-sdk"
    } else if l.contains("aws-sdk-rust") {
        "rust-sdk"
    } else if l.starts_with("aws-internal") || l == "aws internal" {
        "aws-internal"
    } else if l.ends_with(".amazonaws.com") {
        "aws-service"
    } else if l.starts_with("mozilla/") {
        "browser"
    } else {
        "other"
    };
    Some(family.to_string())
}

/// Registers every function of this module.
pub fn register(ctx: &SessionContext) {
    let ts = DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()));
    let fns = vec![
        json::json_extract_scalar_udf(),
        json::json_extract_udf(),
        json::json_array_get_udf(),
        json::json_array_length_udf(),
        json::json_size_udf(),
        udf(
            "from_iso8601_timestamp",
            vec![DataType::Utf8],
            ts.clone(),
            |a| {
                let s = strings(&a[0])?;
                Ok(Arc::new(
                    s.iter()
                        .map(|v| v.and_then(iso_millis))
                        .collect::<TimestampMillisecondArray>()
                        .with_timezone("UTC"),
                ) as ArrayRef)
            },
        ),
        udf("to_iso8601", vec![ts.clone()], DataType::Utf8, |a| {
            let t = millis(&a[0])?;
            let out: StringArray = t
                .iter()
                .map(|v| {
                    let ms = v?;
                    let date = trawl_cloudtrail::utc_date(ms);
                    let rem = ms.rem_euclid(86_400_000);
                    let (h, m, s, f) = (
                        rem / 3_600_000,
                        rem / 60_000 % 60,
                        rem / 1000 % 60,
                        rem % 1000,
                    );
                    Some(format!("{date}T{h:02}:{m:02}:{s:02}.{f:03}Z"))
                })
                .collect();
            Ok(Arc::new(out) as ArrayRef)
        }),
        udf(
            "date_diff",
            vec![DataType::Utf8, ts.clone(), ts.clone()],
            DataType::Int64,
            |a| {
                let (unit, x, y) = (strings(&a[0])?, millis(&a[1])?, millis(&a[2])?);
                let mut out = Vec::with_capacity(x.len());
                for i in 0..x.len() {
                    if unit.is_null(i) || x.is_null(i) || y.is_null(i) {
                        out.push(None);
                        continue;
                    }
                    match date_diff(unit.value(i), x.value(i), y.value(i)) {
                        Some(v) => out.push(Some(v)),
                        None => return exec_err!("date_diff: unknown unit {:?}", unit.value(i)),
                    }
                }
                Ok(Arc::new(Int64Array::from(out)) as ArrayRef)
            },
        ),
        udf(
            "date_add",
            vec![DataType::Utf8, DataType::Int64, ts.clone()],
            ts,
            |a| {
                let (unit, n, t) = (strings(&a[0])?, ints(&a[1])?, millis(&a[2])?);
                let mut out = Vec::with_capacity(t.len());
                for i in 0..t.len() {
                    if unit.is_null(i) || n.is_null(i) || t.is_null(i) {
                        out.push(None);
                        continue;
                    }
                    match date_add(unit.value(i), n.value(i), t.value(i)) {
                        Some(v) => out.push(Some(v)),
                        None => return exec_err!("date_add: unknown unit {:?}", unit.value(i)),
                    }
                }
                Ok(Arc::new(TimestampMillisecondArray::from(out).with_timezone("UTC")) as ArrayRef)
            },
        ),
        text_fn("arn_account", arn_account),
        text_fn("principal_name", principal_name),
        text_fn("session_name", session_name),
        text_fn("session_issuer", session_issuer),
        bool_fn("is_private_ip", is_private_ip),
        bool_fn("is_aws_service_source", is_aws_service_source),
        text_fn("useragent_family", useragent_family),
        udf(
            "ip_in_cidr",
            vec![DataType::Utf8, DataType::Utf8],
            DataType::Boolean,
            |a| {
                let (ip, cidr) = (strings(&a[0])?, strings(&a[1])?);
                let out: BooleanArray = ip
                    .iter()
                    .zip(cidr.iter())
                    .map(|(i, c)| ip_in_cidr(i?, c?))
                    .collect();
                Ok(Arc::new(out) as ArrayRef)
            },
        ),
    ];
    for f in fns {
        ctx.register_udf(f);
    }
    // Looked up before ours replaces it: the fallback for arguments that are not text.
    let builtin = ctx.udf("element_at").ok();
    ctx.register_udf(json::element_at_udf(builtin));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns() {
        let a = "arn:aws:sts::123456789012:assumed-role/Admin/alice@example.com";
        assert_eq!(arn_account(a).as_deref(), Some("123456789012"));
        assert_eq!(principal_name(a).as_deref(), Some("Admin"));
        assert_eq!(session_name(a).as_deref(), Some("alice@example.com"));
        assert_eq!(
            session_issuer(a).as_deref(),
            Some("arn:aws:iam::123456789012:role/Admin")
        );
        assert_eq!(
            principal_name("arn:aws:iam::123456789012:user/dev/bob").as_deref(),
            Some("bob")
        );
        assert_eq!(
            principal_name("arn:aws:iam::123456789012:root").as_deref(),
            Some("root")
        );
        assert_eq!(
            principal_name("arn:aws:sts::123456789012:federated-user/carol").as_deref(),
            Some("carol")
        );
        assert_eq!(
            session_issuer("arn:aws-us-gov:sts::1:assumed-role/R/s").as_deref(),
            Some("arn:aws-us-gov:iam::1:role/R")
        );
        assert_eq!(arn_account("not an arn"), None);
    }

    #[test]
    fn ips() {
        assert_eq!(ip_in_cidr("10.1.2.3", "10.0.0.0/8"), Some(true));
        assert_eq!(ip_in_cidr("11.1.2.3", "10.0.0.0/8"), Some(false));
        assert_eq!(ip_in_cidr("2001:db8::1", "2001:db8::/32"), Some(true));
        assert_eq!(ip_in_cidr("08.1.250.216", "8.1.0.0/16"), Some(true));
        assert_eq!(ip_in_cidr("ec2.amazonaws.com", "10.0.0.0/8"), None);
        assert_eq!(is_private_ip("192.168.1.1"), Some(true));
        assert_eq!(is_private_ip("100.64.0.1"), Some(true));
        assert_eq!(is_private_ip("203.0.113.9"), Some(false));
        assert_eq!(is_private_ip("81.2.69.142, 192.168.10.10"), Some(false));
        assert_eq!(is_aws_service_source("ec2.amazonaws.com"), Some(true));
        assert_eq!(is_aws_service_source("AWS Internal"), Some(true));
    }

    #[test]
    fn agents() {
        for (ua, fam) in [
            ("aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79", "cli"),
            ("Boto3/1.34.69 md/Botocore#1.34.69", "python-sdk"),
            ("APN/1.0 HashiCorp/1.0 Terraform/1.7.5", "terraform"),
            ("console.amazonaws.com", "console"),
            (
                "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.680]",
                "console",
            ),
            ("Mozilla/5.0 (Macintosh)", "browser"),
            ("ec2.amazonaws.com", "aws-service"),
            ("stratus-red-team_a88d", "other"),
        ] {
            assert_eq!(useragent_family(ua).as_deref(), Some(fam), "{ua}");
        }
    }

    #[test]
    fn dates() {
        let t = |s| trawl_cloudtrail::parse_event_time(s).unwrap();
        assert_eq!(
            date_diff("day", t("2026-01-01T00:00:00Z"), t("2026-01-08T12:00:00Z")),
            Some(7)
        );
        assert_eq!(
            date_diff(
                "month",
                t("2026-01-31T00:00:00Z"),
                t("2026-03-30T00:00:00Z")
            ),
            Some(1)
        );
        assert_eq!(
            date_add("month", 1, t("2026-01-31T10:00:00Z")),
            Some(t("2026-02-28T10:00:00Z"))
        );
        assert_eq!(
            date_add("hour", -2, t("2026-01-01T01:00:00Z")),
            Some(t("2025-12-31T23:00:00Z"))
        );
    }
}
