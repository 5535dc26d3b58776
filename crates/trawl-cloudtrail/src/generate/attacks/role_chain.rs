//! Role chaining into another account: a CI user's long-term key, stolen, checks
//! who it is and lists the organisation's accounts, then assumes
//! `OrganizationAccountAccessRole` (the role AWS Organizations creates in every
//! member account, trusting the management account) in the next account. STS logs
//! that call twice: in the caller's account with the caller's identity, and in the
//! role's account with an `AWSAccount` identity, both sharing a `sharedEventID`.
//! With the session the attacker maps the second account, gives another user a
//! key, backdoors a service role's trust to an outside account and makes it
//! administrator, stops the trail logging management events and shares a
//! snapshot out.

use serde_json::{Value, json};

use super::super::accounts::Account;
use super::super::habits::expiration;
use super::super::rng::Rng;
use super::{
    ATTACKER_ACCOUNT, ATTACKER_IPS, Actor, AttackKind, BOTO3, CLI, Chain, Injected, InjectedChain,
    RECON, field, share_snapshot, tls, user,
};
use crate::time::utc_time;

/// The role AWS Organizations creates in member accounts.
const ORG_ROLE: &str = "OrganizationAccountAccessRole";

/// The unique id of `role` in `account`, from a session of it if the account has one.
fn role_id(rng: &mut Rng, account: &Account, role: &str) -> String {
    account
        .identities
        .iter()
        .map(|(i, _)| &i.json["sessionContext"]["sessionIssuer"])
        .find(|s| s["userName"] == role)
        .and_then(|s| s["principalId"].as_str())
        .map_or_else(|| format!("AROA{}", rng.upper(17)), str::to_string)
}

/// The chain from account `a` into the next one, starting at `start_ms`; `None`
/// with a single account.
pub(super) fn chain(
    rng: &mut Rng,
    accounts: &[Account],
    a: usize,
    start_ms: i64,
) -> Option<(InjectedChain, Vec<Injected>)> {
    if accounts.len() < 2 {
        return None;
    }
    let b = (a + 1) % accounts.len();
    let (home, target) = (&accounts[a], &accounts[b]);
    let owner = user(home, "ci-deploy")?;
    let ip = *rng.pick(ATTACKER_IPS);
    let t = start_ms;
    let session = format!("botocore-session-{}", t / 1000 + 95);
    let key = format!("ASIA{}", rng.upper(16));
    let rid = role_id(rng, target, ORG_ROLE);
    let role_arn = format!("arn:aws:iam::{}:role/{ORG_ROLE}", target.id);
    let session_arn = format!(
        "arn:aws:sts::{}:assumed-role/{ORG_ROLE}/{session}",
        target.id
    );
    let caller = Actor {
        identity: owner.clone(),
        account: a,
        ip: ip.to_string(),
        ua: CLI.to_string(),
    };
    let mut c = Chain::new(rng, accounts);
    c.call(
        &caller,
        t,
        "us-east-1",
        "sts",
        "GetCallerIdentity",
        true,
        Value::Null,
        Value::Null,
    );
    c.call(
        &caller,
        t + 40_000,
        "us-east-1",
        "organizations",
        "ListAccounts",
        true,
        Value::Null,
        Value::Null,
    );
    let assumed = t + 95_000;
    let shared = c.rng.uuid();
    let assume = c.call(
        &caller,
        assumed,
        "us-east-1",
        "sts",
        "AssumeRole",
        true,
        json!({"roleArn": role_arn, "roleSessionName": session}),
        json!({
            "credentials": {
                "accessKeyId": key,
                "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE",
                "expiration": expiration(assumed + 3_600_000),
            },
            "assumedRoleUser": {"assumedRoleId": format!("{rid}:{session}"), "arn": session_arn},
        }),
    );
    assume["resources"] =
        json!([{"accountId": target.id, "type": "AWS::IAM::Role", "ARN": role_arn}]);
    assume["sharedEventID"] = json!(shared);
    tls(assume, "sts.amazonaws.com");
    // The role's account logs the same call with the caller known only by account
    // and principal id: its own event id, the same request and shared event ids.
    let mut copy = assume.clone();
    copy["userIdentity"] = json!({
        "type": "AWSAccount",
        "principalId": owner["principalId"],
        "accountId": home.id,
    });
    copy["recipientAccountId"] = json!(target.id);
    let copy_id = c.rng.uuid();
    copy["eventID"] = json!(copy_id);
    c.events.push((assumed, b, "us-east-1", copy_id, copy));

    let mut actor = Actor {
        identity: json!({
            "type": "AssumedRole",
            "principalId": format!("{rid}:{session}"),
            "arn": session_arn,
            "accountId": target.id,
            "accessKeyId": key,
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "principalId": rid, "arn": role_arn, "accountId": target.id, "userName": ORG_ROLE},
                "webIdFederationData": {},
                "attributes": {"creationDate": utc_time(assumed), "mfaAuthenticated": "false"},
            },
        }),
        account: b,
        ip: ip.to_string(),
        ua: BOTO3.to_string(),
    };
    c.call(
        &actor,
        t + 180_000,
        "us-east-1",
        "sts",
        "GetCallerIdentity",
        true,
        Value::Null,
        Value::Null,
    );
    c.reads(&actor, t + 200_000, 10_000, RECON);
    actor.ua = CLI.replace("sts.get-caller-identity", "iam.create-access-key");
    let victim = "alice";
    let backdoor_key = format!("AKIA{}", c.rng.upper(16));
    c.call(
        &actor,
        t + 10 * 60_000,
        "us-east-1",
        "iam",
        "CreateAccessKey",
        false,
        json!({"userName": victim}),
        json!({"accessKey": {"userName": victim, "accessKeyId": backdoor_key, "status": "Active", "createDate": utc_time(t + 10 * 60_000)}}),
    );
    let service_role = "lambda-orders-role";
    let trust = json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ATTACKER_ACCOUNT}:root")}, "Action": "sts:AssumeRole"},
        ],
    });
    actor.ua = BOTO3.to_string();
    c.call(
        &actor,
        t + 11 * 60_000,
        "us-east-1",
        "iam",
        "UpdateAssumeRolePolicy",
        false,
        json!({"roleName": service_role, "policyDocument": trust.to_string()}),
        Value::Null,
    );
    c.call(
        &actor,
        t + 12 * 60_000,
        "us-east-1",
        "iam",
        "AttachRolePolicy",
        false,
        json!({"roleName": service_role, "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
        Value::Null,
    );
    let trail = format!(
        "arn:aws:cloudtrail:us-east-1:{}:trail/management-events",
        target.id
    );
    let selectors = json!([{"readWriteType": "All", "includeManagementEvents": false, "dataResources": [], "excludeManagementEventSources": []}]);
    c.call(
        &actor,
        t + 14 * 60_000,
        "us-east-1",
        "cloudtrail",
        "PutEventSelectors",
        false,
        json!({"trailName": trail, "eventSelectors": selectors}),
        json!({"trailARN": trail, "eventSelectors": selectors}),
    );
    let share = share_snapshot(c.rng);
    c.call(
        &actor,
        t + 16 * 60_000,
        "us-east-1",
        "ec2",
        "ModifySnapshotAttribute",
        false,
        share,
        json!({"_return": true}),
    );
    Some(c.finish(InjectedChain {
        name: AttackKind::RoleChain.name().into(),
        account: home.id.clone(),
        accounts: Vec::new(),
        principal: field(&owner, "arn"),
        access_key: field(&owner, "accessKeyId"),
        source_ip: ip.to_string(),
        first_time: utc_time(start_ms),
        eventids: Vec::new(),
    }))
}
