//! A deterministic generator of realistic CloudTrail archives: a mix of services,
//! identities (roles, users, services, the odd root login), errors, data events
//! with `resources`, console sign-ins, late deliveries and duplicate deliveries,
//! laid out as S3 delivers them (`AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/`).
//!
//! The same options always give byte-identical output.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::time::{civil_from_days, utc_date};

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenOptions {
    pub events: u64,
    pub accounts: u32,
    /// First event time, milliseconds since the epoch.
    pub start_ms: i64,
    pub days: u32,
    pub seed: u64,
    /// At most this many events per delivery file.
    pub events_per_file: usize,
    /// Fraction of records delivered twice (CloudTrail may duplicate deliveries).
    pub duplicate_rate: f64,
}

impl Default for GenOptions {
    fn default() -> Self {
        Self {
            events: 10_000,
            accounts: 3,
            // 2026-03-01T00:00:00Z
            start_ms: 1_772_323_200_000,
            days: 3,
            seed: 42,
            events_per_file: 100,
            duplicate_rate: 0.001,
        }
    }
}

/// SplitMix64: small, fast and deterministic across platforms.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut r = self.below(total);
        for (item, w) in items {
            if r < u64::from(*w) {
                return item;
            }
            r -= u64::from(*w);
        }
        &items[0].0
    }
    fn hex(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        while s.len() < n {
            let _ = write!(s, "{:016x}", self.next_u64());
        }
        s.truncate(n);
        s
    }
    fn uuid(&mut self) -> String {
        let h = self.hex(32);
        format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }
    fn upper(&mut self, n: usize) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        (0..n)
            .map(|_| A[self.below(A.len() as u64) as usize] as char)
            .collect()
    }
}

const REGIONS: &[(&str, u32)] = &[
    ("us-east-1", 50),
    ("us-west-2", 20),
    ("eu-west-1", 15),
    ("eu-central-1", 8),
    ("ap-southeast-2", 5),
    ("ap-northeast-1", 2),
];

const USER_AGENTS: &[(&str, u32)] = &[
    (
        "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2 prompt/off command/ec2.describe-instances",
        18,
    ),
    (
        "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.210 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
        25,
    ),
    (
        "aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/s3#1.53.0",
        15,
    ),
    (
        "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0",
        8,
    ),
    ("console.amazonaws.com", 10),
    (
        "aws-sdk-java/2.25.16 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc.",
        8,
    ),
    (
        "aws-internal/3 aws-sdk-java/1.12.680 Linux/5.10.213 OpenJDK_64-Bit_Server_VM/25.402-b08 java/1.8.0_402",
        6,
    ),
    ("[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.680]", 4),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
        6,
    ),
];

const PUBLIC_IPS: &[&str] = &[
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

#[derive(Clone, Copy)]
enum Payload {
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

struct Api {
    source: &'static str,
    name: &'static str,
    read_only: bool,
    data: bool,
    payload: Payload,
    weight: u32,
}

const fn api(
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

const fn data(
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
        data: true,
        payload,
        weight,
    }
}

const APIS: &[Api] = &[
    api(
        "ec2.amazonaws.com",
        "DescribeInstances",
        true,
        Payload::Instances,
        120,
    ),
    api(
        "ec2.amazonaws.com",
        "DescribeSecurityGroups",
        true,
        Payload::None,
        40,
    ),
    api(
        "ec2.amazonaws.com",
        "DescribeVolumes",
        true,
        Payload::None,
        30,
    ),
    api(
        "ec2.amazonaws.com",
        "DescribeRegions",
        true,
        Payload::None,
        10,
    ),
    api(
        "ec2.amazonaws.com",
        "RunInstances",
        false,
        Payload::Instances,
        6,
    ),
    api(
        "ec2.amazonaws.com",
        "TerminateInstances",
        false,
        Payload::Instances,
        3,
    ),
    api(
        "ec2.amazonaws.com",
        "CreateTags",
        false,
        Payload::Instances,
        8,
    ),
    api(
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        false,
        Payload::SecurityGroup,
        2,
    ),
    data("s3.amazonaws.com", "GetObject", true, Payload::Object, 100),
    data("s3.amazonaws.com", "PutObject", false, Payload::Object, 50),
    data("s3.amazonaws.com", "ListObjects", true, Payload::Bucket, 25),
    data(
        "s3.amazonaws.com",
        "DeleteObject",
        false,
        Payload::Object,
        5,
    ),
    api(
        "s3.amazonaws.com",
        "GetBucketAcl",
        true,
        Payload::Bucket,
        20,
    ),
    api(
        "s3.amazonaws.com",
        "GetBucketLocation",
        true,
        Payload::Bucket,
        20,
    ),
    api("s3.amazonaws.com", "ListBuckets", true, Payload::None, 10),
    api(
        "s3.amazonaws.com",
        "PutBucketPolicy",
        false,
        Payload::Bucket,
        1,
    ),
    api("iam.amazonaws.com", "GetRole", true, Payload::Role, 20),
    api("iam.amazonaws.com", "ListRoles", true, Payload::None, 8),
    api("iam.amazonaws.com", "ListUsers", true, Payload::None, 6),
    api("iam.amazonaws.com", "GetUser", true, Payload::User, 6),
    api(
        "iam.amazonaws.com",
        "CreateAccessKey",
        false,
        Payload::User,
        1,
    ),
    api(
        "iam.amazonaws.com",
        "AttachRolePolicy",
        false,
        Payload::Role,
        1,
    ),
    api("iam.amazonaws.com", "CreateRole", false, Payload::Role, 1),
    api("sts.amazonaws.com", "AssumeRole", true, Payload::Role, 60),
    api(
        "sts.amazonaws.com",
        "GetCallerIdentity",
        true,
        Payload::None,
        30,
    ),
    api(
        "sts.amazonaws.com",
        "AssumeRoleWithWebIdentity",
        true,
        Payload::Role,
        8,
    ),
    api("kms.amazonaws.com", "Decrypt", true, Payload::Key, 80),
    api(
        "kms.amazonaws.com",
        "GenerateDataKey",
        true,
        Payload::Key,
        40,
    ),
    api(
        "lambda.amazonaws.com",
        "GetFunction",
        true,
        Payload::Function,
        10,
    ),
    api(
        "lambda.amazonaws.com",
        "ListFunctions20150331",
        true,
        Payload::None,
        8,
    ),
    api(
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        false,
        Payload::Function,
        1,
    ),
    api(
        "logs.amazonaws.com",
        "CreateLogStream",
        false,
        Payload::LogGroup,
        20,
    ),
    api(
        "logs.amazonaws.com",
        "DescribeLogGroups",
        true,
        Payload::None,
        10,
    ),
    api(
        "cloudtrail.amazonaws.com",
        "LookupEvents",
        true,
        Payload::None,
        4,
    ),
    api(
        "cloudtrail.amazonaws.com",
        "DescribeTrails",
        true,
        Payload::None,
        4,
    ),
    api(
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        true,
        Payload::Secret,
        20,
    ),
    api(
        "ssm.amazonaws.com",
        "GetParameter",
        true,
        Payload::Parameter,
        20,
    ),
    api(
        "ssm.amazonaws.com",
        "UpdateInstanceInformation",
        false,
        Payload::None,
        20,
    ),
    api(
        "dynamodb.amazonaws.com",
        "DescribeTable",
        true,
        Payload::Table,
        10,
    ),
    data(
        "dynamodb.amazonaws.com",
        "GetItem",
        true,
        Payload::Table,
        20,
    ),
    api(
        "monitoring.amazonaws.com",
        "GetMetricData",
        true,
        Payload::None,
        20,
    ),
    api(
        "monitoring.amazonaws.com",
        "DescribeAlarms",
        true,
        Payload::None,
        10,
    ),
    api(
        "organizations.amazonaws.com",
        "DescribeOrganization",
        true,
        Payload::None,
        2,
    ),
    api(
        "config.amazonaws.com",
        "DescribeConfigRules",
        true,
        Payload::None,
        4,
    ),
    api(
        "guardduty.amazonaws.com",
        "ListDetectors",
        true,
        Payload::None,
        3,
    ),
];

#[derive(Clone)]
struct Identity {
    json: Value,
    kind: &'static str,
    invoked_by: Option<&'static str>,
    console: bool,
}

struct Account {
    id: String,
    identities: Vec<(Identity, u32)>,
    buckets: Vec<String>,
    instances: Vec<String>,
    roles: Vec<String>,
    users: Vec<String>,
}

fn account(rng: &mut Rng, n: u32) -> Account {
    let id = format!(
        "{:012}",
        100_000_000_000u64 + u64::from(n) * 111_111_111 + rng.below(1000)
    );
    let users = vec![
        "alice".to_string(),
        "bob".to_string(),
        "ci-deploy".to_string(),
        "svc-backup".to_string(),
    ];
    let roles = vec![
        "AWSReservedSSO_AdministratorAccess_8f1c2d3e4b5a6978".to_string(),
        "AWSReservedSSO_ReadOnly_1a2b3c4d5e6f7081".to_string(),
        "app-server-role".to_string(),
        "lambda-orders-role".to_string(),
        "github-actions-deploy".to_string(),
        "OrganizationAccountAccessRole".to_string(),
    ];
    let mut identities = Vec::new();
    for (i, user) in users.iter().enumerate() {
        let key = format!("AKIA{}", rng.upper(16));
        let pid = format!("AIDA{}", rng.upper(17));
        let arn = format!("arn:aws:iam::{id}:user/{user}");
        identities.push((
            Identity {
                json: json!({"type":"IAMUser","principalId":pid,"arn":arn,"accountId":id,"accessKeyId":key,"userName":user}),
                kind: "IAMUser",
                invoked_by: None,
                console: i == 0,
            },
            [6, 4, 10, 3][i],
        ));
    }
    for (i, role) in roles.iter().enumerate() {
        let session = match i {
            0 => "alice@example.com".to_string(),
            1 => "bob@example.com".to_string(),
            2 => format!("i-0{}", rng.hex(16)),
            3 => "orders-handler".to_string(),
            4 => format!("GitHubActions-{}", rng.below(1_000_000)),
            _ => "admin-session".to_string(),
        };
        let rid = format!("AROA{}", rng.upper(17));
        let path = if i < 2 {
            "aws-reserved/sso.amazonaws.com/"
        } else {
            ""
        };
        let arn = format!("arn:aws:sts::{id}:assumed-role/{role}/{session}");
        let key = format!("ASIA{}", rng.upper(16));
        let mfa = if i == 0 { "true" } else { "false" };
        let mut sc = json!({
            "sessionIssuer": {"type":"Role","principalId":rid,"arn":format!("arn:aws:iam::{id}:role/{path}{role}"),"accountId":id,"userName":role},
            "webIdFederationData": {},
            "attributes": {"creationDate":"2026-03-01T00:00:00Z","mfaAuthenticated":mfa}
        });
        if i == 2 {
            sc["ec2RoleDelivery"] = json!("2.0");
        }
        if i == 4 {
            sc["webIdFederationData"] = json!({"federatedProvider":format!("arn:aws:iam::{id}:oidc-provider/token.actions.githubusercontent.com"),"attributes":{}});
        }
        identities.push((
            Identity {
                json: json!({"type":"AssumedRole","principalId":format!("{rid}:{session}"),"arn":arn,"accountId":id,"accessKeyId":key,"sessionContext":sc}),
                kind: "AssumedRole",
                invoked_by: None,
                console: i < 2,
            },
            [25, 10, 40, 30, 12, 2][i],
        ));
    }
    for svc in [
        "ec2.amazonaws.com",
        "lambda.amazonaws.com",
        "cloudformation.amazonaws.com",
        "config.amazonaws.com",
    ] {
        identities.push((
            Identity {
                json: json!({"type":"AWSService","invokedBy":svc}),
                kind: "AWSService",
                invoked_by: Some(svc),
                console: false,
            },
            4,
        ));
    }
    let root_arn = format!("arn:aws:iam::{id}:root");
    identities.push((
        Identity {
            json: json!({"type":"Root","principalId":id,"arn":root_arn,"accountId":id,"accessKeyId":format!("ASIA{}", rng.upper(16))}),
            kind: "Root",
            invoked_by: None,
            console: true,
        },
        1,
    ));
    let buckets = (0..4)
        .map(|i| {
            format!(
                "{}-{}",
                ["app-assets", "data-lake", "backups", "logs"][i],
                &id[8..]
            )
        })
        .collect();
    let instances = (0..6).map(|_| format!("i-0{}", rng.hex(16))).collect();
    Account {
        id,
        identities,
        buckets,
        instances,
        roles,
        users,
    }
}

struct Event {
    time_ms: i64,
    account: usize,
    region: &'static str,
    json: String,
}

fn iso(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn compact_stamp(ms: i64) -> String {
    let iso = iso(ms);
    format!(
        "{}{}{}T{}{}Z",
        &iso[0..4],
        &iso[5..7],
        &iso[8..10],
        &iso[11..13],
        &iso[14..16]
    )
}

fn make_event(rng: &mut Rng, acct: &Account, time_ms: i64, region: &'static str) -> String {
    let api = {
        let weights: Vec<(usize, u32)> = APIS
            .iter()
            .enumerate()
            .map(|(i, a)| (i, a.weight))
            .collect();
        &APIS[*rng.weighted(&weights)]
    };
    let login = rng.chance(0.004);
    let identity = if login {
        let consoles: Vec<_> = acct
            .identities
            .iter()
            .filter(|(i, _)| i.console)
            .map(|(i, _)| i)
            .collect();
        *rng.pick(&consoles)
    } else {
        let all: Vec<_> = acct.identities.iter().map(|(i, w)| (i, *w)).collect();
        *rng.weighted(&all)
    };
    let region = if api.source == "iam.amazonaws.com" || login {
        "us-east-1"
    } else {
        region
    };
    let ip = if let Some(svc) = identity.invoked_by {
        svc.to_string()
    } else if rng.chance(0.25) {
        format!(
            "10.{}.{}.{}",
            rng.below(8),
            rng.below(256),
            1 + rng.below(250)
        )
    } else {
        (*rng.pick(PUBLIC_IPS)).to_string()
    };
    let ua = if identity.invoked_by.is_some() {
        identity.invoked_by.unwrap_or_default().to_string()
    } else {
        (*rng.weighted(USER_AGENTS)).to_string()
    };
    let event_id = rng.uuid();
    let request_id = rng.uuid();
    let mut ev = json!({
        "eventVersion": if api.data { "1.10" } else { "1.09" },
        "userIdentity": identity.json,
        "eventTime": iso(time_ms),
        "eventSource": api.source,
        "eventName": api.name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": ua,
    });
    if login {
        let failed = rng.chance(0.15);
        let mfa = if identity.kind == "Root" || rng.chance(0.7) {
            "Yes"
        } else {
            "No"
        };
        ev["eventSource"] = json!("signin.amazonaws.com");
        ev["eventName"] = json!("ConsoleLogin");
        ev["userAgent"] = json!(USER_AGENTS[8].0);
        ev["requestParameters"] = Value::Null;
        ev["responseElements"] =
            json!({"ConsoleLogin": if failed { "Failure" } else { "Success" }});
        ev["additionalEventData"] = json!({"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":mfa});
        if failed {
            ev["errorMessage"] = json!("Failed authentication");
        }
        ev["eventID"] = json!(event_id);
        ev["readOnly"] = json!(false);
        ev["eventType"] = json!("AwsConsoleSignIn");
        ev["managementEvent"] = json!(true);
        ev["recipientAccountId"] = json!(acct.id);
        ev["eventCategory"] = json!("Management");
        ev["tlsDetails"] = json!({"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"signin.aws.amazon.com"});
        return ev.to_string();
    }
    let error = if rng.chance(0.03) {
        Some(*rng.pick(&[
            (
                "AccessDenied",
                "User is not authorized to perform this operation",
            ),
            (
                "Client.UnauthorizedOperation",
                "You are not authorized to perform this operation.",
            ),
            ("ThrottlingException", "Rate exceeded"),
            ("NoSuchKey", "The specified key does not exist."),
        ]))
    } else {
        None
    };
    let (req, resp, resources) = payload(rng, acct, api, region, identity, error.is_some());
    ev["requestParameters"] = req;
    ev["responseElements"] = resp;
    if let Some((code, msg)) = error {
        ev["errorCode"] = json!(code);
        ev["errorMessage"] = json!(msg);
    }
    if api.data && api.source == "s3.amazonaws.com" {
        ev["additionalEventData"] = json!({"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"bytesTransferredOut":rng.below(5_000_000),"x-amz-id-2":rng.hex(24)});
    }
    ev["requestID"] = json!(request_id);
    ev["eventID"] = json!(event_id);
    ev["readOnly"] = json!(api.read_only);
    if let Some(r) = resources {
        ev["resources"] = r;
    }
    ev["eventType"] = json!("AwsApiCall");
    ev["managementEvent"] = json!(!api.data);
    ev["recipientAccountId"] = json!(acct.id);
    if identity.invoked_by.is_some() {
        ev["sharedEventID"] = json!(rng.uuid());
    }
    if !api.data && rng.chance(0.05) {
        ev["vpcEndpointId"] = json!(format!("vpce-0{}", rng.hex(16)));
    }
    ev["eventCategory"] = json!(if api.data { "Data" } else { "Management" });
    if identity.invoked_by.is_none() {
        ev["tlsDetails"] = json!({"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":format!("{}.{region}.amazonaws.com", api.source.trim_end_matches(".amazonaws.com"))});
        if ua.starts_with("console") || ua.starts_with("Mozilla") {
            ev["sessionCredentialFromConsole"] = json!("true");
        }
    }
    ev.to_string()
}

type Payloads = (Value, Value, Option<Value>);

fn payload(
    rng: &mut Rng,
    acct: &Account,
    api: &Api,
    region: &str,
    identity: &Identity,
    failed: bool,
) -> Payloads {
    let id = &acct.id;
    let resp = |v: Value| {
        if failed || api.read_only {
            Value::Null
        } else {
            v
        }
    };
    match api.payload {
        Payload::None => {
            let req = if rng.chance(0.5) {
                Value::Null
            } else {
                json!({"maxResults": 100})
            };
            (req, Value::Null, None)
        }
        Payload::Instances => {
            let inst = rng.pick(&acct.instances).clone();
            if api.name == "RunInstances" {
                let itype = *rng.pick(&["t3.micro", "m6i.large", "c7g.xlarge", "r6i.2xlarge"]);
                (
                    json!({"instancesSet":{"items":[{"imageId":format!("ami-0{}", rng.hex(16)),"minCount":1,"maxCount":1}]},"instanceType":itype,"blockDeviceMapping":{},"monitoring":{"enabled":false},"disableApiTermination":false,"disableApiStop":false,"clientToken":rng.uuid()}),
                    resp(
                        json!({"requestId":rng.uuid(),"reservationId":format!("r-0{}", rng.hex(16)),"ownerId":id,"instancesSet":{"items":[{"instanceId":inst,"instanceType":itype,"currentState":{"code":0,"name":"pending"}}]}}),
                    ),
                    None,
                )
            } else {
                (
                    json!({"instancesSet":{"items":[{"instanceId":inst}]},"filterSet":{}}),
                    Value::Null,
                    None,
                )
            }
        }
        Payload::SecurityGroup => (
            json!({"groupId":format!("sg-0{}", rng.hex(16)),"ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":443,"toPort":443,"ipRanges":{"items":[{"cidrIp":"10.0.0.0/8"}]}}]}}),
            resp(json!({"_return":true})),
            None,
        ),
        Payload::Bucket => {
            let bucket = rng.pick(&acct.buckets).clone();
            (
                json!({"bucketName":bucket,"Host":format!("{bucket}.s3.{region}.amazonaws.com")}),
                Value::Null,
                Some(
                    json!([{"type":"AWS::S3::Bucket","ARN":format!("arn:aws:s3:::{bucket}"),"accountId":id}]),
                ),
            )
        }
        Payload::Object => {
            let bucket = rng.pick(&acct.buckets).clone();
            let key = format!(
                "{}/{}/{}.json",
                ["orders", "images", "exports", "tmp"][rng.below(4) as usize],
                rng.below(1000),
                rng.hex(8)
            );
            (
                json!({"bucketName":bucket,"Host":format!("{bucket}.s3.{region}.amazonaws.com"),"key":key}),
                Value::Null,
                Some(json!([
                    {"type":"AWS::S3::Object","ARN":format!("arn:aws:s3:::{bucket}/{key}")},
                    {"accountId":id,"type":"AWS::S3::Bucket","ARN":format!("arn:aws:s3:::{bucket}")}
                ])),
            )
        }
        Payload::Role => {
            let role = rng.pick(&acct.roles).clone();
            if api.source == "sts.amazonaws.com" {
                let session = format!("session-{}", rng.below(10_000));
                (
                    json!({"roleArn":format!("arn:aws:iam::{id}:role/{role}"),"roleSessionName":session,"durationSeconds":3600}),
                    if failed {
                        Value::Null
                    } else {
                        json!({"credentials":{"accessKeyId":format!("ASIA{}", rng.upper(16)),"sessionToken":"IQoJb3JpZ2luX2VjEXAMPLE","expiration":"Mar 1, 2026, 1:00:00 AM"},"assumedRoleUser":{"assumedRoleId":format!("AROA{}:{session}", rng.upper(17)),"arn":format!("arn:aws:sts::{id}:assumed-role/{role}/{session}")}})
                    },
                    Some(
                        json!([{"accountId":id,"type":"AWS::IAM::Role","ARN":format!("arn:aws:iam::{id}:role/{role}")}]),
                    ),
                )
            } else if api.name == "AttachRolePolicy" {
                (
                    json!({"roleName":role,"policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}),
                    Value::Null,
                    None,
                )
            } else {
                (
                    json!({"roleName":role}),
                    resp(
                        json!({"role":{"roleName":role,"arn":format!("arn:aws:iam::{id}:role/{role}")}}),
                    ),
                    None,
                )
            }
        }
        Payload::User => {
            let user = rng.pick(&acct.users).clone();
            let resp_v = if api.name == "CreateAccessKey" {
                resp(
                    json!({"accessKey":{"userName":user,"accessKeyId":format!("AKIA{}", rng.upper(16)),"status":"Active","createDate":"Mar 1, 2026, 12:00:00 AM"}}),
                )
            } else {
                Value::Null
            };
            (json!({"userName":user}), resp_v, None)
        }
        Payload::Key => {
            let key = format!("arn:aws:kms:{region}:{id}:key/{}", rng.uuid());
            (
                json!({"encryptionContext":{"aws:s3:arn":format!("arn:aws:s3:::{}", rng.pick(&acct.buckets))},"encryptionAlgorithm":"SYMMETRIC_DEFAULT","keyId":key}),
                Value::Null,
                Some(json!([{"accountId":id,"type":"AWS::KMS::Key","ARN":key}])),
            )
        }
        Payload::Secret => (
            json!({"secretId":format!("arn:aws:secretsmanager:{region}:{id}:secret:prod/db-{}", rng.below(5))}),
            Value::Null,
            None,
        ),
        Payload::Parameter => (
            json!({"name":format!("/app/config/{}", rng.below(20)),"withDecryption":rng.chance(0.5)}),
            Value::Null,
            None,
        ),
        Payload::Function => {
            let f = *rng.pick(&["orders-handler", "thumbnailer", "nightly-report"]);
            (
                json!({"functionName":f}),
                resp(
                    json!({"functionName":f,"functionArn":format!("arn:aws:lambda:{region}:{id}:function:{f}")}),
                ),
                None,
            )
        }
        Payload::Table => {
            let t = *rng.pick(&["orders", "sessions", "inventory"]);
            (
                json!({"tableName":t,"key":{"pk":{"S":format!("order#{}", rng.below(100_000))}}}),
                Value::Null,
                Some(
                    json!([{"accountId":id,"type":"AWS::DynamoDB::Table","ARN":format!("arn:aws:dynamodb:{region}:{id}:table/{t}")}]),
                ),
            )
        }
        Payload::LogGroup => {
            let _ = identity;
            (
                json!({"logGroupName":"/aws/lambda/orders-handler","logStreamName":format!("2026/03/01/[$LATEST]{}", rng.hex(32))}),
                Value::Null,
                None,
            )
        }
    }
}

/// One generated delivery file.
#[derive(Debug, Clone)]
pub struct GenFile {
    /// Key relative to the archive root (`AWSLogs/...`).
    pub key: String,
    /// The uncompressed `{"Records":[...]}` JSON.
    pub json: String,
    /// Records in the file (including duplicates of earlier deliveries).
    pub records: usize,
}

/// Summary of a generated archive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenSummary {
    pub files: u64,
    /// Distinct events.
    pub events: u64,
    /// Records written, counting duplicate deliveries.
    pub records: u64,
    pub json_bytes: u64,
}

/// Generates the archive, handing each delivery file to `sink` in delivery order.
pub fn generate(opts: &GenOptions, mut sink: impl FnMut(GenFile)) -> GenSummary {
    let mut rng = Rng::new(opts.seed);
    let accounts: Vec<Account> = (0..opts.accounts.max(1))
        .map(|n| account(&mut rng, n))
        .collect();
    let span_ms = i64::from(opts.days.max(1)) * 86_400_000;
    let step = span_ms as f64 / opts.events.max(1) as f64;
    // Open delivery files per (account, region); a file closes every 5 minutes of
    // event time or when full, and is "delivered" a few minutes later.
    let mut open: BTreeMap<(usize, &'static str), Vec<Event>> = BTreeMap::new();
    let mut pending_dupes: Vec<Event> = Vec::new();
    let mut summary = GenSummary::default();
    let mut window = i64::MIN;
    let mut flush =
        |buf: Vec<Event>, summary: &mut GenSummary, rng: &mut Rng, dupes: &mut Vec<Event>| {
            if buf.is_empty() {
                return;
            }
            let last = buf.iter().map(|e| e.time_ms).max().unwrap_or(0);
            // Delivery is 2-15 minutes after the last event; a few files are days late.
            let mut delivered = last + 120_000 + rng.below(780_000) as i64;
            if rng.chance(0.002) {
                delivered += 86_400_000 + rng.below(86_400_000) as i64;
            }
            let acct = &accounts[buf[0].account];
            let region = buf[0].region;
            let date = utc_date(delivered).replace('-', "/");
            let key = format!(
                "AWSLogs/{}/CloudTrail/{region}/{date}/{}_CloudTrail_{region}_{}_{}.json.gz",
                acct.id,
                acct.id,
                compact_stamp(delivered),
                rng.upper(16)
            );
            let mut json =
                String::with_capacity(buf.iter().map(|e| e.json.len() + 1).sum::<usize>() + 16);
            json.push_str("{\"Records\":[");
            let mut records = 0;
            // A duplicate is redelivered in a later file of the same account and region.
            let (extra, keep): (Vec<Event>, Vec<Event>) = std::mem::take(dupes)
                .into_iter()
                .partition(|d| d.account == buf[0].account && d.region == region);
            *dupes = keep;
            for (i, e) in buf.iter().chain(extra.iter()).enumerate() {
                if i > 0 {
                    json.push(',');
                }
                json.push_str(&e.json);
                records += 1;
            }
            json.push_str("]}");
            for e in &buf {
                if rng.chance(opts.duplicate_rate) {
                    dupes.push(Event {
                        time_ms: e.time_ms,
                        account: e.account,
                        region: e.region,
                        json: e.json.clone(),
                    });
                }
            }
            summary.files += 1;
            summary.records += records as u64;
            summary.json_bytes += json.len() as u64;
            sink(GenFile { key, json, records });
        };
    for i in 0..opts.events {
        let jitter = (rng.below(1000) as f64 * step / 1000.0) as i64;
        let time_ms = opts.start_ms + (i as f64 * step) as i64 + jitter;
        let time_ms = time_ms - time_ms % 1000;
        let w = time_ms / 300_000;
        if w != window {
            for (_, buf) in std::mem::take(&mut open) {
                flush(buf, &mut summary, &mut rng, &mut pending_dupes);
            }
            window = w;
        }
        let a = rng.below(accounts.len() as u64) as usize;
        let region = *rng.weighted(REGIONS);
        let json = make_event(&mut rng, &accounts[a], time_ms, region);
        summary.events += 1;
        let buf = open.entry((a, region)).or_default();
        buf.push(Event {
            time_ms,
            account: a,
            region,
            json,
        });
        if buf.len() >= opts.events_per_file.max(1) {
            let full = std::mem::take(buf);
            flush(full, &mut summary, &mut rng, &mut pending_dupes);
        }
    }
    for (_, buf) in std::mem::take(&mut open) {
        flush(buf, &mut summary, &mut rng, &mut pending_dupes);
    }
    // Duplicates still waiting for a later file of their account and region go
    // out in files of their own.
    while let Some(first) = pending_dupes.first() {
        let (account, region) = (first.account, first.region);
        let (mine, rest): (Vec<Event>, Vec<Event>) = std::mem::take(&mut pending_dupes)
            .into_iter()
            .partition(|d| d.account == account && d.region == region);
        pending_dupes = rest;
        flush(mine, &mut summary, &mut rng, &mut Vec::new());
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_counted() {
        let opts = GenOptions {
            events: 500,
            ..GenOptions::default()
        };
        let mut a = Vec::new();
        let sa = generate(&opts, |f| a.push((f.key, f.json)));
        let mut b = Vec::new();
        let sb = generate(&opts, |f| b.push((f.key, f.json)));
        assert_eq!(a, b);
        assert_eq!(sa, sb);
        assert_eq!(sa.events, 500);
        assert!(sa.records >= 500);
        for (key, json) in &a {
            assert!(
                key.starts_with("AWSLogs/") && key.ends_with(".json.gz"),
                "{key}"
            );
            let v: Value = serde_json::from_str(json).unwrap();
            assert!(v["Records"].as_array().is_some_and(|r| !r.is_empty()));
        }
    }
}
