//! What events are drawn from: regions, user agents, source IPs and the API table,
//! each weighted by how often it shows up in real trails. One row per line.

/// Regions and their weights.
pub(super) const REGIONS: &[(&str, u32)] = &[
    ("us-east-1", 50),
    ("us-west-2", 20),
    ("eu-west-1", 15),
    ("eu-central-1", 8),
    ("ap-southeast-2", 5),
    ("ap-northeast-1", 2),
];

/// User agents and their weights.
#[rustfmt::skip]
pub(super) const USER_AGENTS: &[(&str, u32)] = &[
    ("aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2 prompt/off command/ec2.describe-instances", 18),
    ("Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.210 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69", 25),
    ("aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/s3#1.53.0", 15),
    ("APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0", 8),
    ("console.amazonaws.com", 10),
    ("aws-sdk-java/2.25.16 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc.", 8),
    ("aws-internal/3 aws-sdk-java/1.12.680 Linux/5.10.213 OpenJDK_64-Bit_Server_VM/25.402-b08 java/1.8.0_402", 6),
    ("[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.680]", 4),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36", 6),
];

/// The browser of console sign-ins.
pub(super) const CONSOLE_USER_AGENT: &str = USER_AGENTS[8].0;

/// Public source addresses (documentation ranges and a few AWS ones).
pub(super) const PUBLIC_IPS: &[&str] = &[
    "198.51.100.23",
    "198.51.100.77",
    "203.0.113.10",
    "203.0.113.58",
    "192.0.2.140",
    "192.0.2.7",
    "100.24.12.9",
    "54.239.28.85",
    "2001:db8::7c",
];

/// Real EC2 prefixes of each region in [`REGIONS`], from AWS's `ip-ranges.json`
/// (listed as `AMAZON,EC2` with no more specific prefix inside): habits mode draws
/// NAT gateway addresses from them, so trawl's AWS range lookup sees an account's
/// own egress, in the region called.
pub(super) const EC2_EGRESS: &[(&str, &[&str])] = &[
    (
        "us-east-1",
        &["52.0.0.0/15", "52.4.0.0/14", "35.153.0.0/16"],
    ),
    (
        "us-west-2",
        &["52.10.0.0/15", "54.68.0.0/14", "35.155.0.0/16"],
    ),
    (
        "eu-west-1",
        &["52.16.0.0/15", "54.72.0.0/15", "54.154.0.0/16"],
    ),
    (
        "eu-central-1",
        &["18.194.0.0/15", "52.28.0.0/16", "54.93.0.0/16"],
    ),
    (
        "ap-southeast-2",
        &["52.62.0.0/15", "54.66.0.0/16", "54.206.0.0/16"],
    ),
    (
        "ap-northeast-1",
        &["52.68.0.0/15", "54.64.0.0/15", "18.178.0.0/16"],
    ),
];

/// Broadband and business ISP prefixes: offices and homes of habits mode's SSO
/// users. Public, outside AWS, not the documentation ranges (the default archive
/// uses those) and not the attack chains' addresses.
pub(super) const ISP_PREFIXES: &[&str] = &[
    "73.162.0.0/16",
    "24.5.0.0/16",
    "71.202.0.0/16",
    "98.207.0.0/16",
    "86.12.0.0/16",
    "90.200.0.0/16",
    "109.150.0.0/16",
    "84.153.0.0/16",
    "151.20.0.0/16",
    "81.2.0.0/16",
    "1.144.0.0/16",
    "126.10.0.0/16",
];

/// GitHub-hosted runner addresses (Azure, outside AWS): CI deploys call from these.
pub(super) const RUNNER_IPS: &[&str] = &[
    "4.148.27.113",
    "4.175.114.51",
    "20.55.14.6",
    "20.84.193.40",
    "20.102.37.150",
    "52.234.42.10",
    "172.183.7.9",
];

/// What `requestParameters`, `responseElements` and `resources` an API gets.
#[derive(Clone, Copy)]
pub(super) enum Payload {
    None,
    Instances,
    Bucket,
    Object,
    Role,
    User,
    Key,
    Secret,
    Parameter,
    Function,
    Table,
    LogGroup,
    SecurityGroup,
}

/// One API in the table.
pub(super) struct Api {
    pub(super) source: &'static str,
    pub(super) name: &'static str,
    pub(super) read_only: bool,
    pub(super) data: bool,
    pub(super) payload: Payload,
    pub(super) weight: u32,
}

/// `readOnly: true`, in the table.
const READ: bool = true;
/// `readOnly: false`, in the table.
const WRITE: bool = false;

/// A management event.
const fn mgmt(
    source: &'static str,
    name: &'static str,
    read_only: bool,
    payload: Payload,
    weight: u32,
) -> Api {
    Api {
        source,
        name,
        read_only,
        data: false,
        payload,
        weight,
    }
}

/// A data event (eventVersion 1.10, `managementEvent: false`).
const fn data(
    source: &'static str,
    name: &'static str,
    read_only: bool,
    payload: Payload,
    weight: u32,
) -> Api {
    Api {
        data: true,
        ..mgmt(source, name, read_only, payload, weight)
    }
}

/// The APIs and their weights: `mgmt` rows are management events, `data` rows data events.
#[rustfmt::skip]
pub(super) const APIS: &[Api] = &[
    //   eventSource                     eventName                        readOnly  payload              weight
    mgmt("ec2.amazonaws.com",            "DescribeInstances",             READ,     Payload::Instances,     120),
    mgmt("ec2.amazonaws.com",            "DescribeSecurityGroups",        READ,     Payload::None,           40),
    mgmt("ec2.amazonaws.com",            "DescribeVolumes",               READ,     Payload::None,           30),
    mgmt("ec2.amazonaws.com",            "DescribeRegions",               READ,     Payload::None,           10),
    mgmt("ec2.amazonaws.com",            "RunInstances",                  WRITE,    Payload::Instances,       6),
    mgmt("ec2.amazonaws.com",            "TerminateInstances",            WRITE,    Payload::Instances,       3),
    mgmt("ec2.amazonaws.com",            "CreateTags",                    WRITE,    Payload::Instances,       8),
    mgmt("ec2.amazonaws.com",            "AuthorizeSecurityGroupIngress", WRITE,    Payload::SecurityGroup,   2),
    data("s3.amazonaws.com",             "GetObject",                     READ,     Payload::Object,        100),
    data("s3.amazonaws.com",             "PutObject",                     WRITE,    Payload::Object,         50),
    data("s3.amazonaws.com",             "ListObjects",                   READ,     Payload::Bucket,         25),
    data("s3.amazonaws.com",             "DeleteObject",                  WRITE,    Payload::Object,          5),
    mgmt("s3.amazonaws.com",             "GetBucketAcl",                  READ,     Payload::Bucket,         20),
    mgmt("s3.amazonaws.com",             "GetBucketLocation",             READ,     Payload::Bucket,         20),
    mgmt("s3.amazonaws.com",             "ListBuckets",                   READ,     Payload::None,           10),
    mgmt("s3.amazonaws.com",             "PutBucketPolicy",               WRITE,    Payload::Bucket,          1),
    mgmt("iam.amazonaws.com",            "GetRole",                       READ,     Payload::Role,           20),
    mgmt("iam.amazonaws.com",            "ListRoles",                     READ,     Payload::None,            8),
    mgmt("iam.amazonaws.com",            "ListUsers",                     READ,     Payload::None,            6),
    mgmt("iam.amazonaws.com",            "GetUser",                       READ,     Payload::User,            6),
    mgmt("iam.amazonaws.com",            "CreateAccessKey",               WRITE,    Payload::User,            1),
    mgmt("iam.amazonaws.com",            "AttachRolePolicy",              WRITE,    Payload::Role,            1),
    mgmt("iam.amazonaws.com",            "CreateRole",                    WRITE,    Payload::Role,            1),
    mgmt("sts.amazonaws.com",            "AssumeRole",                    READ,     Payload::Role,           60),
    mgmt("sts.amazonaws.com",            "GetCallerIdentity",             READ,     Payload::None,           30),
    mgmt("sts.amazonaws.com",            "AssumeRoleWithWebIdentity",     READ,     Payload::Role,            8),
    mgmt("kms.amazonaws.com",            "Decrypt",                       READ,     Payload::Key,            80),
    mgmt("kms.amazonaws.com",            "GenerateDataKey",               READ,     Payload::Key,            40),
    mgmt("lambda.amazonaws.com",         "GetFunction",                   READ,     Payload::Function,       10),
    mgmt("lambda.amazonaws.com",         "ListFunctions20150331",         READ,     Payload::None,            8),
    mgmt("lambda.amazonaws.com",         "UpdateFunctionCode20150331v2",  WRITE,    Payload::Function,        1),
    mgmt("logs.amazonaws.com",           "CreateLogStream",               WRITE,    Payload::LogGroup,       20),
    mgmt("logs.amazonaws.com",           "DescribeLogGroups",             READ,     Payload::None,           10),
    mgmt("cloudtrail.amazonaws.com",     "LookupEvents",                  READ,     Payload::None,            4),
    mgmt("cloudtrail.amazonaws.com",     "DescribeTrails",                READ,     Payload::None,            4),
    mgmt("secretsmanager.amazonaws.com", "GetSecretValue",                READ,     Payload::Secret,         20),
    mgmt("ssm.amazonaws.com",            "GetParameter",                  READ,     Payload::Parameter,      20),
    mgmt("ssm.amazonaws.com",            "UpdateInstanceInformation",     WRITE,    Payload::None,           20),
    mgmt("dynamodb.amazonaws.com",       "DescribeTable",                 READ,     Payload::Table,          10),
    data("dynamodb.amazonaws.com",       "GetItem",                       READ,     Payload::Table,          20),
    mgmt("monitoring.amazonaws.com",     "GetMetricData",                 READ,     Payload::None,           20),
    mgmt("monitoring.amazonaws.com",     "DescribeAlarms",                READ,     Payload::None,           10),
    mgmt("organizations.amazonaws.com",  "DescribeOrganization",          READ,     Payload::None,            2),
    mgmt("config.amazonaws.com",         "DescribeConfigRules",           READ,     Payload::None,            4),
    mgmt("guardduty.amazonaws.com",      "ListDetectors",                 READ,     Payload::None,            3),
];

/// trawl-engine's bundled snapshot of AWS's address ranges, for the tests that
/// check the generator's addresses against it.
#[cfg(test)]
pub(super) mod aws_ranges {
    /// `(network, bits)` of an IPv4 prefix.
    pub(in super::super) fn net(prefix: &str) -> Option<(u32, u32)> {
        let (ip, bits) = prefix.split_once('/')?;
        let ip: std::net::Ipv4Addr = ip.parse().ok()?;
        Some((u32::from(ip), bits.parse().ok()?))
    }

    /// Whether prefix `inner` lies within prefix `outer`.
    pub(in super::super) fn inside(inner: (u32, u32), outer: (u32, u32)) -> bool {
        let mask = u32::MAX.checked_shl(32 - outer.1).unwrap_or(0);
        inner.1 >= outer.1 && inner.0 & mask == outer.0 & mask
    }

    /// Every IPv4 prefix of the snapshot with its region and services.
    pub(in super::super) fn bundled_v4() -> Vec<((u32, u32), String, String)> {
        let path = crate::test_manifest_dir().join("../trawl-engine/data/aws-ip-ranges.txt.gz");
        let gz = std::fs::read(path).expect("trawl-engine's bundled aws-ip-ranges.txt.gz");
        let (text, error) = crate::gunzip(&gz);
        assert_eq!(error, None);
        String::from_utf8_lossy(&text)
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut f = l.split_whitespace();
                Some((
                    net(f.next()?)?,
                    f.next()?.to_string(),
                    f.next()?.to_string(),
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn api_rows_are_distinct_and_weighted() {
        let mut seen = BTreeSet::new();
        for a in APIS {
            assert!(
                seen.insert((a.source, a.name)),
                "{} {} twice",
                a.source,
                a.name
            );
            assert!(a.weight > 0, "{} has no weight", a.name);
            assert!(a.source.ends_with(".amazonaws.com"), "{}", a.source);
        }
        assert!(CONSOLE_USER_AGENT.starts_with("Mozilla/"));
    }

    use super::aws_ranges::{bundled_v4, inside, net};

    #[test]
    fn egress_prefixes_cover_every_region() {
        for (region, _) in REGIONS {
            let prefixes = EC2_EGRESS
                .iter()
                .find(|(r, _)| r == region)
                .map(|(_, p)| *p);
            assert!(prefixes.is_some_and(|p| !p.is_empty()), "{region}");
            for p in prefixes.unwrap_or_default() {
                assert!(net(p).is_some(), "{p}");
            }
        }
    }

    /// Against trawl-engine's bundled snapshot of AWS's ranges: each egress prefix is listed as EC2 of its region, and nothing more specific
    /// inside it belongs to another service or region.
    #[test]
    fn egress_prefixes_are_ec2_of_their_region() {
        let listed = bundled_v4();
        for (region, prefixes) in EC2_EGRESS {
            for p in *prefixes {
                let p = net(p).unwrap_or_default();
                let exact = listed.iter().find(|(n, _, _)| *n == p);
                assert!(
                    exact.is_some_and(|(_, r, s)| r == region && s.split(',').any(|x| x == "EC2")),
                    "{p:?} is not EC2 of {region}"
                );
                let nested = listed.iter().filter(|(n, _, _)| *n != p && inside(*n, p));
                assert_eq!(nested.count(), 0, "{p:?} has more specific prefixes");
            }
        }
        for ip in RUNNER_IPS {
            let ip = net(&format!("{ip}/32")).unwrap_or_default();
            assert!(!listed.iter().any(|(n, _, _)| inside(ip, *n)), "{ip:?}");
        }
        for p in ISP_PREFIXES {
            let p = net(p).unwrap_or_default();
            assert!(
                !listed
                    .iter()
                    .any(|(n, _, _)| inside(*n, p) || inside(p, *n)),
                "{p:?}"
            );
        }
    }
}
