//! The organisation habits mode simulates, built once from the seed: per account
//! its SSO users, its instance fleets behind NAT egress shared per region, its
//! CI/CD pipeline, a nightly backup job and the org-wide automation that reads
//! everything. The schedule decides when each of them calls; `calls` what.

use std::net::Ipv4Addr;

use super::super::accounts::{Account, Identity};
use super::super::rng::Rng;
use super::super::tables::{APIS, EC2_EGRESS, ISP_PREFIXES, REGIONS, RUNNER_IPS, USER_AGENTS};
use super::identities::role_id;

/// Time zones of offices and remote staff (hours from UTC; daylight saving is left
/// out, an hour of drift is not what a noise report is about) and their weights.
const ZONES: &[(i64, u32)] = &[(-8, 3), (-5, 4), (0, 3), (1, 3), (9, 1), (10, 1)];

/// Staff names, turned into `first.last@example.com` session names.
const NAMES: &[&str] = &[
    "maria.garcia",
    "james.smith",
    "wei.zhang",
    "priya.patel",
    "lars.nielsen",
    "fatima.khan",
    "tom.becker",
    "aiko.tanaka",
    "olu.adeyemi",
    "sofia.rossi",
    "dan.cohen",
    "emma.wilson",
    "lucas.martin",
    "nina.petrova",
    "omar.haddad",
    "grace.lee",
];

/// IAM Identity Center permission sets; the read-only one only gets read APIs.
const PERMISSION_SETS: &[(&str, bool, u32)] = &[
    ("AdministratorAccess", false, 2),
    ("PowerUserAccess", false, 3),
    ("DeveloperAccess", false, 4),
    ("ReadOnlyAccess", true, 3),
];

/// APIs no person calls by hand: the SSM agent's heartbeat, CI federation.
const NOT_BY_HAND: &[&str] = &["UpdateInstanceInformation", "AssumeRoleWithWebIdentity"];

/// What an application server's instance profile calls (service, API, weight).
const APP_SERVER_APIS: &[(&str, &str, u32)] = &[
    ("s3", "GetObject", 30),
    ("s3", "PutObject", 12),
    ("kms", "Decrypt", 20),
    ("kms", "GenerateDataKey", 8),
    ("secretsmanager", "GetSecretValue", 6),
    ("ssm", "GetParameter", 8),
    ("ssm", "UpdateInstanceInformation", 6),
    ("dynamodb", "GetItem", 15),
    ("dynamodb", "DescribeTable", 2),
    ("logs", "CreateLogStream", 5),
    ("monitoring", "GetMetricData", 2),
    ("sts", "GetCallerIdentity", 1),
];

/// What a batch worker's instance profile calls.
const BATCH_WORKER_APIS: &[(&str, &str, u32)] = &[
    ("s3", "GetObject", 20),
    ("s3", "PutObject", 20),
    ("s3", "ListObjects", 10),
    ("s3", "DeleteObject", 3),
    ("kms", "Decrypt", 10),
    ("ec2", "DescribeInstances", 4),
    ("ec2", "CreateTags", 1),
    ("ssm", "UpdateInstanceInformation", 6),
    ("logs", "CreateLogStream", 4),
];

/// What the nightly backup job (`svc-backup`, an IAM user with a long-term key) calls.
const BACKUP_JOB_APIS: &[(&str, &str, u32)] = &[
    ("ec2", "DescribeVolumes", 10),
    ("s3", "ListObjects", 8),
    ("s3", "PutObject", 20),
    ("s3", "GetBucketLocation", 3),
    ("kms", "GenerateDataKey", 8),
];

/// What a deploy touches: many services, reads first and a few writes.
const DEPLOY_APIS: &[(&str, &str, u32)] = &[
    ("sts", "GetCallerIdentity", 4),
    ("ec2", "DescribeInstances", 10),
    ("ec2", "DescribeSecurityGroups", 8),
    ("ec2", "DescribeVolumes", 3),
    ("ec2", "DescribeRegions", 2),
    ("ec2", "CreateTags", 3),
    ("ec2", "RunInstances", 1),
    ("ec2", "AuthorizeSecurityGroupIngress", 1),
    ("s3", "GetBucketAcl", 4),
    ("s3", "GetBucketLocation", 4),
    ("s3", "ListBuckets", 2),
    ("s3", "ListObjects", 4),
    ("s3", "PutObject", 8),
    ("s3", "GetObject", 4),
    ("iam", "GetRole", 8),
    ("iam", "ListRoles", 2),
    ("kms", "Decrypt", 4),
    ("kms", "GenerateDataKey", 2),
    ("lambda", "GetFunction", 6),
    ("lambda", "ListFunctions20150331", 2),
    ("lambda", "UpdateFunctionCode20150331v2", 3),
    ("logs", "DescribeLogGroups", 4),
    ("ssm", "GetParameter", 6),
    ("secretsmanager", "GetSecretValue", 2),
    ("dynamodb", "DescribeTable", 4),
    ("monitoring", "DescribeAlarms", 3),
    ("cloudtrail", "DescribeTrails", 1),
];

/// Org-wide automation: service, its service-linked role, the session name it
/// uses and the services it reads (empty: all of them).
const AUTOMATION: &[(&str, &str, &str, &[&str])] = &[
    (
        "config.amazonaws.com",
        "AWSServiceRoleForConfig",
        "AWSConfig-Describe",
        &[],
    ),
    (
        "securityhub.amazonaws.com",
        "AWSServiceRoleForSecurityHub",
        "securityhub",
        &[],
    ),
    (
        "resource-explorer-2.amazonaws.com",
        "AWSServiceRoleForResourceExplorer",
        "ResourceExplorer",
        &[],
    ),
    (
        "trustedadvisor.amazonaws.com",
        "AWSServiceRoleForTrustedAdvisor",
        "TrustedAdvisor",
        &["ec2", "s3", "iam", "cloudtrail", "lambda", "monitoring"],
    ),
    (
        "access-analyzer.amazonaws.com",
        "AWSServiceRoleForAccessAnalyzer",
        "access-analyzer",
        &["iam", "s3", "kms", "lambda", "secretsmanager", "dynamodb"],
    ),
];

/// Services an account may take up part way through the span.
const ADOPTABLE: &[&str] = &[
    "dynamodb.amazonaws.com",
    "lambda.amazonaws.com",
    "secretsmanager.amazonaws.com",
    "monitoring.amazonaws.com",
];

/// The organisation: its accounts, over the span generated.
pub(super) struct Org {
    pub(super) accounts: Vec<OrgAccount>,
    pub(super) start_ms: i64,
    pub(super) span_ms: i64,
}

/// One account's people, machines and services.
pub(super) struct OrgAccount {
    pub(super) id: String,
    /// The office's time zone (hours from UTC): deploys and load follow it.
    pub(super) tz: i64,
    pub(super) home: &'static str,
    /// Regions in use, the home region first.
    pub(super) regions: Vec<&'static str>,
    pub(super) humans: Vec<Human>,
    pub(super) fleets: Vec<Fleet>,
    pub(super) automation: Vec<Automation>,
    pub(super) pipeline: Pipeline,
    pub(super) backup: Option<BackupJob>,
    /// A service nobody but the automation calls before `adopted_ms`.
    pub(super) adopted: &'static str,
    pub(super) adopted_ms: i64,
}

/// An SSO user.
pub(super) struct Human {
    pub(super) email: String,
    pub(super) role: String,
    pub(super) role_id: String,
    pub(super) saml_provider: String,
    /// Office, home, phone: 1-3 addresses, weighted.
    pub(super) addresses: Vec<(String, u32)>,
    pub(super) tz: i64,
    /// Working hours, local: `[start_hour, end_hour)`.
    pub(super) start_hour: i64,
    pub(super) end_hour: i64,
    /// The personal API set: indexes into `APIS`, weighted.
    pub(super) apis: Vec<(usize, u32)>,
    /// APIs outside the set the user may try now and then.
    pub(super) eligible: Vec<(usize, u32)>,
    pub(super) agents: Vec<(&'static str, u32)>,
    /// When the user joined: the span's start for most, later for new hires.
    pub(super) hired_ms: i64,
    pub(super) pace: f64,
    pub(super) salt: u64,
}

/// The instances of one instance profile in one region, behind the account's NAT
/// gateways there.
pub(super) struct Fleet {
    pub(super) region: &'static str,
    pub(super) role: &'static str,
    pub(super) role_id: String,
    pub(super) instances: Vec<Instance>,
    /// The account's egress addresses in the region, shared by all its instances.
    pub(super) nats: Vec<String>,
    pub(super) apis: Vec<(usize, u32)>,
    pub(super) agent: &'static str,
}

pub(super) struct Instance {
    pub(super) id: String,
    /// Which of the fleet's NAT gateways (its availability zone) it leaves by.
    pub(super) nat: usize,
    pub(super) salt: u64,
}

/// An AWS service's service-linked role reading the account.
pub(super) struct Automation {
    pub(super) service: &'static str,
    pub(super) role: &'static str,
    pub(super) role_id: String,
    pub(super) session: &'static str,
    pub(super) apis: Vec<(usize, u32)>,
    pub(super) salt: u64,
}

/// The CI/CD role GitHub Actions assumes.
pub(super) struct Pipeline {
    pub(super) role: &'static str,
    pub(super) role_id: String,
    pub(super) repo: String,
    pub(super) runners: Vec<&'static str>,
    pub(super) apis: Vec<(usize, u32)>,
}

/// The account's nightly backup, run with `svc-backup`'s long-term key (the key the
/// attack chains leak) from the home region's NAT.
pub(super) struct BackupJob {
    pub(super) identity: Identity,
    pub(super) ip: String,
    /// Local hour it runs.
    pub(super) hour: i64,
    pub(super) apis: Vec<(usize, u32)>,
}

/// An instance profile role and the calls it makes.
type InstanceRole = (&'static str, &'static [(&'static str, &'static str, u32)]);

/// The index in `APIS` of `service`'s `name`.
pub(super) fn api_index(service: &str, name: &str) -> Option<usize> {
    APIS.iter()
        .position(|a| a.name == name && a.source.strip_suffix(".amazonaws.com") == Some(service))
}

/// A fixed API set, resolved against the table.
fn resolve(set: &[(&str, &str, u32)]) -> Vec<(usize, u32)> {
    set.iter()
        .filter_map(|(s, n, w)| api_index(s, n).map(|i| (i, *w)))
        .collect()
}

/// A host address inside an IPv4 `prefix` (never its first or last address).
fn address_in(rng: &mut Rng, prefix: &str) -> Option<String> {
    let (net, bits) = prefix.split_once('/')?;
    let net: Ipv4Addr = net.parse().ok()?;
    let bits: u32 = bits.parse().ok()?;
    if !(8..=30).contains(&bits) {
        return None;
    }
    let hosts = (1u64 << (32 - bits)) - 2;
    let host = 1 + rng.below(hosts) as u32;
    Some(Ipv4Addr::from(u32::from(net) | host).to_string())
}

/// An address from one of `prefixes`.
fn address_from(rng: &mut Rng, prefixes: &[&str]) -> String {
    let prefix = *rng.pick(prefixes);
    address_in(rng, prefix).unwrap_or_else(|| prefix.to_string())
}

/// `count` distinct items of `items`, drawn by weight.
fn distinct<T: Copy + PartialEq>(rng: &mut Rng, items: &[(T, u32)], count: usize) -> Vec<T> {
    let mut left: Vec<(T, u32)> = items.to_vec();
    let mut out = Vec::new();
    while out.len() < count && !left.is_empty() {
        let pick = *rng.weighted(&left);
        left.retain(|(t, _)| *t != pick);
        out.push(pick);
    }
    out
}

/// A fraction in `[0, 1)`.
pub(super) fn fraction(rng: &mut Rng) -> f64 {
    rng.below(1 << 20) as f64 / (1u64 << 20) as f64
}

impl Org {
    /// The organisation behind `accounts`, over `[start_ms, start_ms + span_ms)`.
    pub(super) fn build(rng: &mut Rng, accounts: &[Account], start_ms: i64, span_ms: i64) -> Self {
        let accounts = accounts
            .iter()
            .map(|acct| org_account(rng, acct, start_ms, span_ms))
            .collect();
        Self {
            accounts,
            start_ms,
            span_ms,
        }
    }
}

fn org_account(rng: &mut Rng, acct: &Account, start_ms: i64, span_ms: i64) -> OrgAccount {
    let id = acct.id.clone();
    let tz = *rng.weighted(ZONES);
    let home = *rng.weighted(REGIONS);
    let mut regions = vec![home];
    let others: Vec<(&'static str, u32)> = REGIONS
        .iter()
        .copied()
        .filter(|(r, _)| *r != home)
        .collect();
    let extra = rng.below(3) as usize;
    regions.extend(distinct(rng, &others, extra));

    // One NAT gateway per availability zone in use: 1-3 per region.
    let nats: Vec<Vec<String>> = regions
        .iter()
        .map(|region| {
            let prefixes = EC2_EGRESS
                .iter()
                .find(|(r, _)| r == region)
                .map(|(_, p)| *p)
                .unwrap_or(&[]);
            let count = 1 + rng.below(3);
            let mut out: Vec<String> = Vec::new();
            while (out.len() as u64) < count && !prefixes.is_empty() {
                let a = address_from(rng, prefixes);
                if !out.contains(&a) {
                    out.push(a);
                }
            }
            out
        })
        .collect();

    let office = address_from(rng, ISP_PREFIXES);
    let staff = 3 + rng.below(4) as usize;
    let days = span_ms / 86_400_000;
    let hires = usize::from(days >= 2 && rng.chance(0.7)) + (days / 14) as usize;
    let names = distinct(
        rng,
        &NAMES.iter().map(|n| (*n, 1)).collect::<Vec<_>>(),
        staff + hires,
    );
    let saml_provider = format!(
        "arn:aws:iam::{id}:saml-provider/AWSSSO_{}_DO_NOT_DELETE",
        rng.hex(16)
    );
    let sets: Vec<(String, String, bool, u32)> = PERMISSION_SETS
        .iter()
        .map(|(set, read_only, w)| {
            (
                format!("AWSReservedSSO_{set}_{}", rng.hex(16)),
                role_id(rng),
                *read_only,
                *w,
            )
        })
        .collect();
    let humans = names
        .iter()
        .enumerate()
        .map(|(n, name)| {
            let hired_ms = if n < staff {
                start_ms
            } else {
                // New hires join between a quarter and three quarters into the span.
                start_ms + span_ms / 4 + (fraction(rng) * span_ms as f64 / 2.0) as i64
            };
            human(rng, name, &sets, &saml_provider, tz, &office, hired_ms)
        })
        .collect();

    let mut fleets = Vec::new();
    for (r, region) in regions.iter().enumerate() {
        let roles: &[InstanceRole] = if r == 0 {
            &[
                ("app-server-role", APP_SERVER_APIS),
                ("batch-worker-role", BATCH_WORKER_APIS),
            ]
        } else {
            &[("app-server-role", APP_SERVER_APIS)]
        };
        for (role, apis) in roles {
            let gateways = &nats[r];
            // At least two instances per gateway: a NAT address is shared.
            let count = 2 * gateways.len().max(1) + rng.below(4) as usize;
            let instances = (0..count)
                .map(|i| Instance {
                    id: format!("i-0{}", rng.hex(16)),
                    nat: i % gateways.len().max(1),
                    salt: rng.next_u64(),
                })
                .collect();
            let agent = *rng.pick(&[USER_AGENTS[1].0, USER_AGENTS[2].0, USER_AGENTS[5].0]);
            fleets.push(Fleet {
                region,
                role,
                role_id: role_id(rng),
                instances,
                nats: gateways.clone(),
                apis: resolve(apis),
                agent,
            });
        }
    }

    let automation = AUTOMATION
        .iter()
        .map(|(service, role, session, reads)| {
            let apis = APIS
                .iter()
                .enumerate()
                .filter(|(_, a)| {
                    a.read_only
                        && !a.data
                        && ["Describe", "List", "Get"]
                            .iter()
                            .any(|p| a.name.starts_with(p))
                        && !["GetSecretValue", "GetParameter", "GetCallerIdentity"]
                            .contains(&a.name)
                        && (reads.is_empty()
                            || reads
                                .iter()
                                .any(|s| a.source.strip_suffix(".amazonaws.com") == Some(s)))
                })
                .map(|(i, _)| (i, 1))
                .collect();
            Automation {
                service,
                role,
                role_id: role_id(rng),
                session,
                apis,
                salt: rng.next_u64(),
            }
        })
        .collect();

    let pipeline = Pipeline {
        role: "github-actions-deploy",
        role_id: role_id(rng),
        repo: format!(
            "example-org/{}",
            rng.pick(&["storefront", "orders-api", "platform", "data-pipeline"])
        ),
        runners: distinct(
            rng,
            &RUNNER_IPS.iter().map(|ip| (*ip, 1)).collect::<Vec<_>>(),
            3,
        ),
        apis: resolve(DEPLOY_APIS),
    };

    let backup = acct
        .identities
        .iter()
        .find(|(i, _)| i.json["userName"] == "svc-backup")
        .map(|(identity, _)| BackupJob {
            identity: identity.clone(),
            ip: nats[0].first().cloned().unwrap_or_default(),
            hour: 1 + rng.below(3) as i64,
            apis: resolve(BACKUP_JOB_APIS),
        });

    let adopted = *rng.pick(ADOPTABLE);
    let adopted_ms = start_ms + span_ms / 3 + (fraction(rng) * span_ms as f64 / 3.0) as i64;
    OrgAccount {
        id,
        tz,
        home,
        regions,
        humans,
        fleets,
        automation,
        pipeline,
        backup,
        adopted,
        adopted_ms,
    }
}

/// One SSO user: a permission set, addresses, hours, an API set and tools.
fn human(
    rng: &mut Rng,
    name: &str,
    sets: &[(String, String, bool, u32)],
    saml_provider: &str,
    office_tz: i64,
    office: &str,
    hired_ms: i64,
) -> Human {
    let weighted_sets: Vec<(usize, u32)> = sets.iter().enumerate().map(|(i, s)| (i, s.3)).collect();
    let (role, role_id, read_only, _) = &sets[*rng.weighted(&weighted_sets)];
    // Most work from the office's zone; some are remote elsewhere.
    let remote = rng.chance(0.2);
    let tz = if remote {
        *rng.weighted(ZONES)
    } else {
        office_tz
    };
    let mut addresses = Vec::new();
    if !remote {
        addresses.push((office.to_string(), 6));
    }
    addresses.push((address_from(rng, ISP_PREFIXES), if remote { 6 } else { 3 }));
    if rng.chance(0.3) {
        addresses.push((address_from(rng, ISP_PREFIXES), 1));
    }
    let start_hour = 7 + rng.below(4) as i64;
    let end_hour = start_hour + 8 + rng.below(2) as i64;
    let eligible: Vec<(usize, u32)> = APIS
        .iter()
        .enumerate()
        .filter(|(_, a)| (!*read_only || a.read_only) && !NOT_BY_HAND.contains(&a.name))
        .map(|(i, a)| (i, a.weight))
        .collect();
    let size = 4 + rng.below(7) as usize;
    let apis = distinct(rng, &eligible, size)
        .into_iter()
        .map(|i| (i, 1 + rng.below(20) as u32))
        .collect();
    let agents = if rng.chance(0.5) {
        // Console people.
        vec![
            (USER_AGENTS[4].0, 6),
            (USER_AGENTS[8].0, 2),
            (USER_AGENTS[0].0, 1),
        ]
    } else {
        vec![
            (USER_AGENTS[0].0, 6),
            (USER_AGENTS[1].0, 2),
            (USER_AGENTS[3].0, 1),
        ]
    };
    Human {
        email: format!("{name}@example.com"),
        role: role.clone(),
        role_id: role_id.clone(),
        saml_provider: saml_provider.to_string(),
        addresses,
        tz,
        start_hour,
        end_hour,
        apis,
        eligible,
        agents,
        hired_ms,
        pace: 0.5 + fraction(rng),
        salt: rng.next_u64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_api_sets_resolve() {
        for set in [
            APP_SERVER_APIS,
            BATCH_WORKER_APIS,
            BACKUP_JOB_APIS,
            DEPLOY_APIS,
        ] {
            assert_eq!(resolve(set).len(), set.len());
        }
        for (s, n, _) in APP_SERVER_APIS.iter().chain(BATCH_WORKER_APIS) {
            // Instance calls stay in the instance's region: no global services.
            assert!(!["iam", "organizations"].contains(s), "{s} {n}");
        }
    }

    #[test]
    fn addresses_stay_in_their_prefix() {
        let mut rng = Rng::new(1);
        for _ in 0..200 {
            let a: Ipv4Addr = address_in(&mut rng, "52.4.0.0/14")
                .and_then(|a| a.parse().ok())
                .unwrap_or(Ipv4Addr::UNSPECIFIED);
            assert_eq!(
                u32::from(a) >> 18,
                u32::from(Ipv4Addr::new(52, 4, 0, 0)) >> 18
            );
        }
        assert_eq!(address_in(&mut rng, "nonsense"), None);
    }
}
