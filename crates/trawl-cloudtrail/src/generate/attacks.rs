//! Attacks injected into a generated archive, each a multi-step chain with its
//! ground truth (which events belong to it), so a hunt over the archive can be
//! judged: was the chain found, and did its incident rank near the top?
//!
//! The chain of a leaked access key: the key's owner is an automation user; from an
//! address the account never used, the key checks who it is, enumerates the account,
//! creates a user with administrator rights, a key and a console password for it,
//! then with the new key stops the trail, disables GuardDuty and opens a bucket to
//! the world.

use serde::Serialize;
use serde_json::{Value, json};

use super::accounts::Account;
use super::rng::Rng;
use crate::time::utc_time;

/// One injected chain and the events that make it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InjectedChain {
    pub name: String,
    pub account: String,
    /// The identity whose key leaked.
    pub principal: String,
    pub access_key: String,
    pub source_ip: String,
    pub first_time: String,
    /// Every event of the chain.
    pub eventids: Vec<String>,
}

/// An injected event, ready for delivery.
pub(super) struct Injected {
    pub(super) time_ms: i64,
    pub(super) account: usize,
    pub(super) region: &'static str,
    pub(super) json: String,
}

/// Enumeration calls (service, API), all read-only: more than twenty distinct ones
/// within minutes, as recon scripts make.
const RECON: &[(&str, &str)] = &[
    ("iam", "ListUsers"),
    ("iam", "ListRoles"),
    ("iam", "ListGroups"),
    ("iam", "ListPolicies"),
    ("iam", "ListAttachedUserPolicies"),
    ("iam", "GetAccountAuthorizationDetails"),
    ("iam", "GetAccountSummary"),
    ("iam", "ListAccessKeys"),
    ("s3", "ListBuckets"),
    ("ec2", "DescribeInstances"),
    ("ec2", "DescribeSecurityGroups"),
    ("ec2", "DescribeVpcs"),
    ("ec2", "DescribeSnapshots"),
    ("lambda", "ListFunctions20150331"),
    ("rds", "DescribeDBInstances"),
    ("secretsmanager", "ListSecrets"),
    ("ssm", "DescribeParameters"),
    ("kms", "ListKeys"),
    ("cloudtrail", "DescribeTrails"),
    ("guardduty", "ListDetectors"),
    ("organizations", "DescribeOrganization"),
    ("dynamodb", "ListTables"),
    ("ecr", "DescribeRepositories"),
    ("eks", "ListClusters"),
];

/// Addresses no generated identity uses (TEST-NET-2 is theirs; these are not).
const ATTACKER_IPS: &[&str] = &["45.137.21.9", "185.220.101.33", "91.219.236.174"];

struct Step<'a> {
    rng: &'a mut Rng,
    account: &'a Account,
    identity: Value,
    ip: &'a str,
    ua: &'a str,
}

impl Step<'_> {
    fn event(
        &mut self,
        time_ms: i64,
        service: &str,
        name: &str,
        read_only: bool,
        request: Value,
        response: Value,
    ) -> (String, String) {
        let id = self.rng.uuid();
        // Global services log to us-east-1, and the chain works there throughout.
        let region = "us-east-1";
        let ev = json!({
            "eventVersion": "1.09",
            "userIdentity": self.identity,
            "eventTime": utc_time(time_ms),
            "eventSource": format!("{service}.amazonaws.com"),
            "eventName": name,
            "awsRegion": region,
            "sourceIPAddress": self.ip,
            "userAgent": self.ua,
            "requestParameters": request,
            "responseElements": response,
            "requestID": self.rng.uuid(),
            "eventID": id,
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": self.account.id,
            "eventCategory": "Management",
        });
        (id, ev.to_string())
    }
}

/// The chain of a leaked key in account `a`, starting at `start_ms`.
pub(super) fn leaked_key(
    rng: &mut Rng,
    accounts: &[Account],
    a: usize,
    start_ms: i64,
) -> Option<(InjectedChain, Vec<Injected>)> {
    let account = &accounts[a];
    let owner = account
        .identities
        .iter()
        .map(|(i, _)| &i.json)
        .find(|j| {
            j["arn"]
                .as_str()
                .is_some_and(|arn| arn.ends_with(":user/svc-backup"))
        })?
        .clone();
    let ip = *rng.pick(ATTACKER_IPS);
    let ua =
        "Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.6";
    let new_user = format!("backup-admin-{}", rng.hex(4));
    let new_key = format!("AKIA{}", rng.upper(16));
    let new_identity = json!({
        "type": "IAMUser",
        "principalId": format!("AIDA{}", rng.upper(17)),
        "arn": format!("arn:aws:iam::{}:user/{new_user}", account.id),
        "accountId": account.id,
        "accessKeyId": new_key,
        "userName": new_user,
    });
    let bucket = account
        .buckets
        .first()
        .cloned()
        .unwrap_or_else(|| "data".into());
    let trail = format!(
        "arn:aws:cloudtrail:us-east-1:{}:trail/management-events",
        account.id
    );
    let mut events: Vec<(i64, String, String)> = Vec::new();
    let mut step = Step {
        rng,
        account,
        identity: owner.clone(),
        ip,
        ua,
    };
    let t = start_ms;
    events.push({
        let (id, j) = step.event(
            t,
            "sts",
            "GetCallerIdentity",
            true,
            Value::Null,
            Value::Null,
        );
        (t, id, j)
    });
    for (i, (service, name)) in RECON.iter().enumerate() {
        let at = t + 20_000 + i as i64 * 12_000;
        let (id, j) = step.event(at, service, name, true, json!({}), Value::Null);
        events.push((at, id, j));
    }
    let user_req = json!({ "userName": new_user });
    let writes: Vec<(i64, &str, Value, Value)> = vec![
        (
            8,
            "CreateUser",
            user_req.clone(),
            json!({"user": {"userName": new_user, "arn": new_identity["arn"]}}),
        ),
        (
            9,
            "AttachUserPolicy",
            json!({"userName": new_user, "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
            Value::Null,
        ),
        (
            10,
            "CreateAccessKey",
            user_req.clone(),
            json!({"accessKey": {"userName": new_user, "accessKeyId": new_key, "status": "Active"}}),
        ),
        (
            11,
            "CreateLoginProfile",
            json!({"userName": new_user, "passwordResetRequired": false}),
            json!({"loginProfile": {"userName": new_user, "passwordResetRequired": false}}),
        ),
    ];
    for (minute, name, req, resp) in writes {
        let at = t + minute * 60_000;
        let (id, j) = step.event(at, "iam", name, false, req, resp);
        events.push((at, id, j));
    }
    // The new user's key from here on.
    step.identity = new_identity;
    let cover: Vec<(i64, &str, &str, Value)> = vec![
        (15, "cloudtrail", "StopLogging", json!({ "name": trail })),
        (
            16,
            "guardduty",
            "DeleteDetector",
            json!({ "detectorId": step.rng.hex(32) }),
        ),
        (
            18,
            "s3",
            "PutBucketPolicy",
            json!({
                "bucketName": bucket,
                "bucketPolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{bucket}/*")}]},
                "policy": "",
            }),
        ),
    ];
    for (minute, service, name, req) in cover {
        let at = t + minute * 60_000;
        let (id, j) = step.event(at, service, name, false, req, Value::Null);
        events.push((at, id, j));
    }
    let chain = InjectedChain {
        name: "leaked-key".into(),
        account: account.id.clone(),
        principal: owner["arn"].as_str().unwrap_or_default().to_string(),
        access_key: owner["accessKeyId"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        source_ip: ip.to_string(),
        first_time: utc_time(start_ms),
        eventids: events.iter().map(|(_, id, _)| id.clone()).collect(),
    };
    let injected = events
        .into_iter()
        .map(|(time_ms, _, json)| Injected {
            time_ms,
            account: a,
            region: "us-east-1",
            json,
        })
        .collect();
    Some((chain, injected))
}
