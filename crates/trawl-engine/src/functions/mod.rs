//! SQL functions beyond DataFusion's: the Trino/Presto functions Athena and
//! CloudTrail Lake queries use (on our JSON text columns), and CloudTrail helpers.

mod datetime;
mod json;

use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray, BooleanArray, Int64Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
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
    let fns = vec![
        json::json_extract_scalar_udf(),
        json::json_extract_udf(),
        json::json_array_get_udf(),
        json::json_array_length_udf(),
        json::json_size_udf(),
        datetime::from_iso8601_timestamp_udf(),
        datetime::to_iso8601_udf(),
        datetime::date_diff_udf(),
        datetime::date_add_udf(),
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
}
