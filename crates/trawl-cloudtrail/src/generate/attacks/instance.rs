//! Instance credentials stolen and replayed: an SSRF in the application (or a
//! shell on the host) reads the instance profile's credentials from the metadata
//! service, and the attacker uses them from a rented host outside AWS while the
//! instance keeps using them from its own egress. The key checks who it is, maps
//! what the role can see (many calls refused), reads the application's secrets,
//! downloads a bucket, and tries to create a user and widen its own role, which
//! the role may not do.

use serde_json::{Value, json};

use super::super::accounts::Account;
use super::super::habits::InstanceCredentials;
use super::super::rng::Rng;
use super::{
    Actor, AttackKind, BOTO3, CLI, Chain, Injected, InjectedChain, VPS_IPS, deny, field, tls,
};
use crate::time::utc_time;

/// Discovery as the role: (service, API, refused). An application role may read
/// its own secrets, parameters, keys and tables, not IAM or the account's setup.
const DISCOVERY: &[(&str, &str, bool)] = &[
    ("s3", "ListBuckets", false),
    ("iam", "GetAccountAuthorizationDetails", true),
    ("iam", "ListUsers", true),
    ("iam", "ListRoles", true),
    ("iam", "ListAttachedRolePolicies", true),
    ("secretsmanager", "ListSecrets", false),
    ("ssm", "DescribeParameters", false),
    ("kms", "ListKeys", false),
    ("dynamodb", "ListTables", false),
    ("ec2", "DescribeSnapshots", true),
    ("lambda", "ListFunctions20150331", true),
    ("rds", "DescribeDBInstances", true),
    ("cloudtrail", "DescribeTrails", true),
    ("guardduty", "ListDetectors", true),
];

/// Objects taken from the bucket: more than a workload reads in an hour.
const DOWNLOADS: i64 = 120;

/// The account's instance profile session in the default archive (which has one).
pub(super) fn default_session(account: &Account) -> Option<InstanceCredentials> {
    account
        .identities
        .iter()
        .map(|(i, _)| &i.json)
        .find(|j| !j["sessionContext"]["ec2RoleDelivery"].is_null())
        .map(|j| InstanceCredentials {
            identity: j.clone(),
            region: "us-east-1",
        })
}

/// Global services and listings log in us-east-1; the rest where the instance works.
fn region_for(service: &str, name: &str, home: &'static str) -> &'static str {
    if service == "iam" || (service == "s3" && name == "ListBuckets") {
        "us-east-1"
    } else {
        home
    }
}

/// The chain in account `a` with `stolen` credentials, starting at `start_ms`.
pub(super) fn chain(
    rng: &mut Rng,
    accounts: &[Account],
    a: usize,
    start_ms: i64,
    stolen: InstanceCredentials,
) -> Option<(InjectedChain, Vec<Injected>)> {
    let account = &accounts[a];
    let role = stolen.identity["sessionContext"]["sessionIssuer"]["userName"]
        .as_str()?
        .to_string();
    let region = stolen.region;
    let ip = *rng.pick(VPS_IPS);
    let actor = Actor {
        identity: stolen.identity.clone(),
        account: a,
        ip: ip.to_string(),
        ua: CLI.to_string(),
    };
    let t = start_ms;
    let mut c = Chain::new(rng, accounts);
    let ev = c.call(
        &actor,
        t,
        region,
        "sts",
        "GetCallerIdentity",
        true,
        Value::Null,
        Value::Null,
    );
    tls(ev, &format!("sts.{region}.amazonaws.com"));
    let script = Actor {
        ua: BOTO3.to_string(),
        ..actor.clone()
    };
    for (i, (service, name, refused)) in DISCOVERY.iter().enumerate() {
        let at = t + 30_000 + i as i64 * 6_000;
        let r = region_for(service, name, region);
        let ev = c.call(&script, at, r, service, name, true, json!({}), Value::Null);
        if *refused {
            let message = format!(
                "User: {} is not authorized to perform: {service}:{name} because no identity-based policy allows the {service}:{name} action",
                field(&stolen.identity, "arn")
            );
            deny(ev, "AccessDenied", &message);
        }
    }
    // The application's secrets, read one by one.
    for s in 0..5 {
        let at = t + 4 * 60_000 + s * 9_000;
        let secret = format!(
            "arn:aws:secretsmanager:{region}:{}:secret:prod/db-{s}",
            account.id
        );
        c.call(
            &script,
            at,
            region,
            "secretsmanager",
            "GetSecretValue",
            true,
            json!({"secretId": secret}),
            Value::Null,
        );
    }
    // The data lake bucket, downloaded.
    let bucket = account
        .buckets
        .get(1)
        .or(account.buckets.first())
        .cloned()
        .unwrap_or_else(|| "data".into());
    let host = format!("{bucket}.s3.{region}.amazonaws.com");
    c.call(
        &script,
        t + 6 * 60_000,
        region,
        "s3",
        "ListObjects",
        true,
        json!({"bucketName": bucket, "Host": host, "prefix": "exports/"}),
        Value::Null,
    );
    for n in 0..DOWNLOADS {
        let at = t + 6 * 60_000 + 5_000 + n * 2_000;
        let key = format!("exports/{}/{}.parquet", 2026 - n % 3, c.rng.hex(12));
        let bytes = 2_000_000 + c.rng.below(30_000_000);
        let xid = c.rng.hex(24);
        let ev = c.call(
            &script,
            at,
            region,
            "s3",
            "GetObject",
            true,
            json!({"bucketName": bucket, "Host": host, "key": key}),
            Value::Null,
        );
        ev["eventVersion"] = json!("1.10");
        ev["eventCategory"] = json!("Data");
        ev["managementEvent"] = json!(false);
        ev["additionalEventData"] = json!({"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0, "bytesTransferredOut": bytes, "x-amz-id-2": xid});
        ev["resources"] = json!([
            {"type": "AWS::S3::Object", "ARN": format!("arn:aws:s3:::{bucket}/{key}")},
            {"accountId": account.id, "type": "AWS::S3::Bucket", "ARN": format!("arn:aws:s3:::{bucket}")},
        ]);
    }
    // Persistence, tried: a user of its own, then administrator rights for the role.
    let persist: [(i64, &str, Value); 2] = [
        (12, "CreateUser", json!({"userName": "aws-health-monitor"})),
        (
            13,
            "AttachRolePolicy",
            json!({"roleName": role, "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
        ),
    ];
    for (minute, name, req) in persist {
        let message = format!(
            "User: {} is not authorized to perform: iam:{name}",
            field(&stolen.identity, "arn")
        );
        let ev = c.call(
            &actor,
            t + minute * 60_000,
            "us-east-1",
            "iam",
            name,
            false,
            req,
            Value::Null,
        );
        deny(ev, "AccessDenied", &message);
    }
    Some(c.finish(InjectedChain {
        name: AttackKind::InstanceCredentials.name().into(),
        account: account.id.clone(),
        accounts: Vec::new(),
        principal: field(&stolen.identity, "arn"),
        access_key: field(&stolen.identity, "accessKeyId"),
        source_ip: ip.to_string(),
        first_time: utc_time(start_ms),
        eventids: Vec::new(),
    }))
}
