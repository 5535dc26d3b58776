//! AWS's published address ranges (`ip-ranges.json`): which AWS service and region
//! an address belongs to. An instance's NAT gateway or Elastic IP is an EC2 address
//! of its region, so detections can tell an account's own egress from the internet.
//!
//! The data is a dated snapshot bundled with the binary (`data/aws-ip-ranges.txt.gz`,
//! see `data/README.md` for the date and how to refresh it); it is parsed on first use.

use std::collections::HashMap;
use std::io::Read;
use std::net::IpAddr;
use std::sync::OnceLock;

use datafusion::logical_expr::ScalarUDF;

use super::ip::parse_ip;
use super::text_fn;

const SNAPSHOT: &[u8] = include_bytes!("../../data/aws-ip-ranges.txt.gz");

/// Services in the order `aws_ip_service` prefers when a prefix lists several; `AMAZON`
/// (any AWS address) only when nothing more specific is known.
const PREFERRED: &[&str] = &["EC2", "S3", "CLOUDFRONT", "API_GATEWAY", "DYNAMODB"];

struct Range {
    region: String,
    service: String,
}

/// Prefixes by length, longest first, each a map from network address to its range.
struct AwsRanges {
    v4: Vec<(u32, HashMap<u32, Range>)>,
    v6: Vec<(u32, HashMap<u128, Range>)>,
    created: String,
}

fn mask4(bits: u32) -> u32 {
    if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    }
}

fn mask6(bits: u32) -> u128 {
    if bits == 0 {
        0
    } else {
        u128::MAX << (128 - bits)
    }
}

fn main_service(services: &str) -> String {
    let listed: Vec<&str> = services.split(',').collect();
    PREFERRED
        .iter()
        .find(|p| listed.contains(p))
        .copied()
        .or_else(|| listed.iter().copied().find(|s| *s != "AMAZON"))
        .unwrap_or("AMAZON")
        .to_string()
}

impl AwsRanges {
    fn parse(text: &str) -> Self {
        let mut v4: HashMap<u32, HashMap<u32, Range>> = HashMap::new();
        let mut v6: HashMap<u32, HashMap<u128, Range>> = HashMap::new();
        let mut created = String::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# AWS ip-ranges.json createDate=") {
                created = rest
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string();
                continue;
            }
            let mut parts = line.split_whitespace();
            let (Some(prefix), Some(region), Some(services)) =
                (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let Some((net, bits)) = prefix.split_once('/') else {
                continue;
            };
            let (Some(net), Ok(bits)) = (parse_ip(net), bits.parse::<u32>()) else {
                continue;
            };
            let range = Range {
                region: region.to_string(),
                service: main_service(services),
            };
            // A prefix listed for two regions keeps the first: both answers are AWS.
            match net {
                IpAddr::V4(a) if bits <= 32 => {
                    v4.entry(bits)
                        .or_default()
                        .entry(u32::from(a) & mask4(bits))
                        .or_insert(range);
                }
                IpAddr::V6(a) if bits <= 128 => {
                    v6.entry(bits)
                        .or_default()
                        .entry(u128::from(a) & mask6(bits))
                        .or_insert(range);
                }
                _ => {}
            }
        }
        let mut v4: Vec<_> = v4.into_iter().collect();
        let mut v6: Vec<_> = v6.into_iter().collect();
        v4.sort_by_key(|b| std::cmp::Reverse(b.0));
        v6.sort_by_key(|b| std::cmp::Reverse(b.0));
        AwsRanges { v4, v6, created }
    }

    /// The most specific published prefix holding `ip`.
    fn lookup(&self, ip: IpAddr) -> Option<&Range> {
        match ip {
            IpAddr::V4(a) => {
                let a = u32::from(a);
                self.v4
                    .iter()
                    .find_map(|(bits, nets)| nets.get(&(a & mask4(*bits))))
            }
            IpAddr::V6(a) => {
                // IPv4-mapped addresses are looked up as IPv4.
                if let Some(v4) = a.to_ipv4_mapped() {
                    return self.lookup(IpAddr::V4(v4));
                }
                let a = u128::from(a);
                self.v6
                    .iter()
                    .find_map(|(bits, nets)| nets.get(&(a & mask6(*bits))))
            }
        }
    }
}

fn ranges() -> &'static AwsRanges {
    static RANGES: OnceLock<AwsRanges> = OnceLock::new();
    RANGES.get_or_init(|| {
        let mut text = String::new();
        // The snapshot is compiled in; a failure here is a broken build, and an empty
        // table answers NULL everywhere rather than taking the session down.
        let _ = flate2::read::GzDecoder::new(SNAPSHOT).read_to_string(&mut text);
        AwsRanges::parse(&text)
    })
}

/// The AWS service whose published range holds `ip` (`EC2`, `S3`, `CLOUDFRONT`, ...,
/// or `AMAZON` for an AWS address of no more specific service); `None` for an
/// address outside AWS, or a value that is not an address (`config.amazonaws.com`).
pub fn aws_ip_service(ip: &str) -> Option<String> {
    Some(ranges().lookup(parse_ip(ip)?)?.service.clone())
}

/// The AWS region whose published range holds `ip` (`GLOBAL` for anycast ranges).
pub fn aws_ip_region(ip: &str) -> Option<String> {
    Some(ranges().lookup(parse_ip(ip)?)?.region.clone())
}

/// The `createDate` of the bundled snapshot, `YYYY-MM-DD-hh-mm-ss`.
pub fn aws_ip_ranges_date() -> &'static str {
    &ranges().created
}

/// `aws_ip_service(ip)`, see [`aws_ip_service`].
pub(super) fn aws_ip_service_udf() -> ScalarUDF {
    text_fn("aws_ip_service", aws_ip_service)
}

/// `aws_ip_region(ip)`, see [`aws_ip_region`].
pub(super) fn aws_ip_region_udf() -> ScalarUDF {
    text_fn("aws_ip_region", aws_ip_region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snapshot_answers_for_known_ranges() {
        assert_eq!(aws_ip_ranges_date(), "2025-10-31-07-08-41");
        // 1.178.4.0/24 is listed for us-east-1 as AMAZON, EC2 and S3.
        assert_eq!(aws_ip_service("1.178.4.77").as_deref(), Some("EC2"));
        assert_eq!(aws_ip_region("1.178.4.77").as_deref(), Some("us-east-1"));
        // 3.4.12.4/32 is AMAZON only (eu-west-1).
        assert_eq!(aws_ip_service("3.4.12.4").as_deref(), Some("AMAZON"));
        assert_eq!(aws_ip_region("3.4.12.4").as_deref(), Some("eu-west-1"));
        // Documentation, private and non-address values are not AWS.
        assert_eq!(aws_ip_service("203.0.113.9"), None);
        assert_eq!(aws_ip_service("10.0.0.1"), None);
        assert_eq!(aws_ip_service("config.amazonaws.com"), None);
        assert_eq!(aws_ip_region("AWS Internal"), None);
    }

    #[test]
    fn the_most_specific_prefix_wins() {
        let r = AwsRanges::parse(
            "10.0.0.0/8 us-east-1 AMAZON\n10.1.0.0/16 eu-west-1 AMAZON,EC2\n2600:1f00::/24 GLOBAL AMAZON\n",
        );
        let ip = |s: &str| parse_ip(s).unwrap();
        let at = |s: &str| {
            r.lookup(ip(s))
                .map(|x| (x.region.as_str(), x.service.as_str()))
        };
        assert_eq!(at("10.1.2.3"), Some(("eu-west-1", "EC2")));
        assert_eq!(at("10.2.2.3"), Some(("us-east-1", "AMAZON")));
        assert_eq!(at("11.0.0.1"), None);
        assert_eq!(at("2600:1f00::1"), Some(("GLOBAL", "AMAZON")));
        assert_eq!(at("::ffff:10.1.0.9"), Some(("eu-west-1", "EC2")));
    }
}
