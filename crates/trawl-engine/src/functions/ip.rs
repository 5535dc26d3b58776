//! `sourceIPAddress` values: IP parsing as CloudTrail writes addresses, CIDR
//! membership, private ranges, and the AWS-service names that stand in for an address.

use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, BooleanArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::ScalarUDF;

use super::{bool_fn, strings, udf};

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

/// `is_private_ip(ip)`, see [`is_private_ip`].
pub(super) fn is_private_ip_udf() -> ScalarUDF {
    bool_fn("is_private_ip", is_private_ip)
}

/// `is_aws_service_source(source)`, see [`is_aws_service_source`].
pub(super) fn is_aws_service_source_udf() -> ScalarUDF {
    bool_fn("is_aws_service_source", is_aws_service_source)
}

/// `ip_in_cidr(ip, cidr)`, see [`ip_in_cidr`].
pub(super) fn ip_in_cidr_udf() -> ScalarUDF {
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
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
