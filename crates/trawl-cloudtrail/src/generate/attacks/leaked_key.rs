//! The chain of a leaked access key: the key's owner is an automation user; from an
//! address the account never used, the key checks who it is, enumerates the account,
//! creates a user with administrator rights, a key and a console password for it,
//! then with the new key stops the trail, disables GuardDuty and opens a bucket to
//! the world.

use serde_json::{Value, json};

use super::super::accounts::Account;
use super::super::rng::Rng;
use super::{ATTACKER_IPS, Actor, AttackKind, BOTO3, Chain, Injected, InjectedChain, RECON};
use super::{field, user};
use crate::time::utc_time;

/// The chain in account `a`, starting at `start_ms`.
pub(super) fn chain(
    rng: &mut Rng,
    accounts: &[Account],
    a: usize,
    start_ms: i64,
) -> Option<(InjectedChain, Vec<Injected>)> {
    let account = &accounts[a];
    let owner = user(account, "svc-backup")?;
    let ip = *rng.pick(ATTACKER_IPS);
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
    let mut actor = Actor {
        identity: owner.clone(),
        account: a,
        ip: ip.to_string(),
        ua: BOTO3.to_string(),
    };
    let mut c = Chain::new(rng, accounts);
    let t = start_ms;
    c.call(
        &actor,
        t,
        "us-east-1",
        "sts",
        "GetCallerIdentity",
        true,
        Value::Null,
        Value::Null,
    );
    c.reads(&actor, t + 20_000, 12_000, RECON);
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
        c.call(
            &actor,
            t + minute * 60_000,
            "us-east-1",
            "iam",
            name,
            false,
            req,
            resp,
        );
    }
    // The new user's key from here on.
    actor.identity = new_identity;
    let cover: Vec<(i64, &str, &str, Value)> = vec![
        (15, "cloudtrail", "StopLogging", json!({ "name": trail })),
        (
            16,
            "guardduty",
            "DeleteDetector",
            json!({ "detectorId": c.rng.hex(32) }),
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
        c.call(
            &actor,
            t + minute * 60_000,
            "us-east-1",
            service,
            name,
            false,
            req,
            Value::Null,
        );
    }
    Some(c.finish(InjectedChain {
        name: AttackKind::LeakedKey.name().into(),
        account: account.id.clone(),
        accounts: Vec::new(),
        principal: field(&owner, "arn"),
        access_key: field(&owner, "accessKeyId"),
        source_ip: ip.to_string(),
        first_time: utc_time(start_ms),
        eventids: Vec::new(),
    }))
}
