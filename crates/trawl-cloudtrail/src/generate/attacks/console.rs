//! A console session without MFA: an IAM user who normally works with an access
//! key has a console password too, and it was phished or reused. From an address
//! the account never saw, the password alone signs in; the attacker browses the
//! console (each page a burst of Describe and List calls, signed with the sign-in
//! session's temporary key and marked `sessionCredentialFromConsole`), gives the
//! user administrator rights, creates keys for it and for another user, stops the
//! Config recorder, disables Security Hub, shares a snapshot out, and finally uses
//! the new key from a terminal.

use serde_json::{Value, json};

use super::super::accounts::Account;
use super::super::rng::Rng;
use super::super::tables::CONSOLE_USER_AGENT;
use super::{
    ATTACKER_IPS, Actor, AttackKind, CLI, Chain, Injected, InjectedChain, field, share_snapshot,
    tls, user,
};
use crate::time::utc_time;

/// What the console calls as the attacker clicks through IAM, EC2, S3, CloudTrail,
/// GuardDuty, Config, Security Hub and the rest: the pages of an account's tour.
const BROWSING: &[(&str, &str)] = &[
    ("iam", "GetAccountSummary"),
    ("iam", "ListUsers"),
    ("iam", "GetUser"),
    ("iam", "ListAttachedUserPolicies"),
    ("iam", "ListAccessKeys"),
    ("iam", "ListMFADevices"),
    ("iam", "ListRoles"),
    ("iam", "ListPolicies"),
    ("ec2", "DescribeRegions"),
    ("ec2", "DescribeInstances"),
    ("ec2", "DescribeVolumes"),
    ("ec2", "DescribeSnapshots"),
    ("ec2", "DescribeSecurityGroups"),
    ("s3", "ListBuckets"),
    ("cloudtrail", "DescribeTrails"),
    ("cloudtrail", "GetTrailStatus"),
    ("guardduty", "ListDetectors"),
    ("config", "DescribeConfigurationRecorders"),
    ("securityhub", "DescribeHub"),
    ("rds", "DescribeDBInstances"),
    ("secretsmanager", "ListSecrets"),
    ("kms", "ListAliases"),
];

/// The IAM user whose password is taken: one with a key for scripts, who never
/// signs in to the console otherwise.
const VICTIM: &str = "bob";

/// The chain in account `a`, starting at `start_ms`.
pub(super) fn chain(
    rng: &mut Rng,
    accounts: &[Account],
    a: usize,
    start_ms: i64,
) -> Option<(InjectedChain, Vec<Injected>)> {
    let account = &accounts[a];
    let victim = user(account, VICTIM)?;
    let ip = *rng.pick(ATTACKER_IPS);
    let session_key = format!("ASIA{}", rng.upper(16));
    let t = start_ms;
    // ConsoleLogin names the user but no key: the password signed in.
    let mut signin = victim.clone();
    if let Some(map) = signin.as_object_mut() {
        map.remove("accessKeyId");
    }
    let mut session = victim.clone();
    session["accessKeyId"] = json!(session_key);
    session["sessionContext"] = json!({
        "sessionIssuer": {},
        "webIdFederationData": {},
        "attributes": {"creationDate": utc_time(t), "mfaAuthenticated": "false"},
    });
    let mut actor = Actor {
        identity: signin,
        account: a,
        ip: ip.to_string(),
        ua: CONSOLE_USER_AGENT.to_string(),
    };
    let mut c = Chain::new(rng, accounts);
    let login = c.call(
        &actor,
        t,
        "us-east-1",
        "signin",
        "ConsoleLogin",
        false,
        Value::Null,
        json!({"ConsoleLogin": "Success"}),
    );
    login["eventType"] = json!("AwsConsoleSignIn");
    login["additionalEventData"] = json!({
        "LoginTo": "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_4f1d2c7e8a9b0c3d",
        "MobileVersion": "No",
        "MFAUsed": "No",
    });
    if let Some(map) = login.as_object_mut() {
        map.remove("requestID");
    }
    tls(login, "signin.aws.amazon.com");

    actor.identity = session;
    let from_console = |ev: &mut Value| {
        ev["sessionCredentialFromConsole"] = json!("true");
    };
    for (i, (service, name)) in BROWSING.iter().enumerate() {
        let at = t + 50_000 + i as i64 * 14_000;
        let mut page = actor.clone();
        // IAM's console calls reach IAM from inside AWS.
        if *service == "iam" {
            page.ua = "AWS Internal".into();
        }
        let ev = c.call(
            &page,
            at,
            "us-east-1",
            service,
            name,
            true,
            json!({}),
            Value::Null,
        );
        from_console(ev);
    }
    let mut iam = actor.clone();
    iam.ua = "AWS Internal".into();
    let admin =
        json!({"userName": VICTIM, "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"});
    from_console(c.call(
        &iam,
        t + 8 * 60_000,
        "us-east-1",
        "iam",
        "AttachUserPolicy",
        false,
        admin,
        Value::Null,
    ));
    let own_key = format!("AKIA{}", c.rng.upper(16));
    let other_key = format!("AKIA{}", c.rng.upper(16));
    for (minute, name, key) in [(9, VICTIM, &own_key), (10, "alice", &other_key)] {
        let at = t + minute * 60_000;
        let ev = c.call(
            &iam,
            at,
            "us-east-1",
            "iam",
            "CreateAccessKey",
            false,
            json!({"userName": name}),
            json!({"accessKey": {"userName": name, "accessKeyId": key, "status": "Active", "createDate": utc_time(at)}}),
        );
        from_console(ev);
    }
    from_console(c.call(
        &actor,
        t + 12 * 60_000,
        "us-east-1",
        "config",
        "StopConfigurationRecorder",
        false,
        json!({"configurationRecorderName": "default"}),
        Value::Null,
    ));
    from_console(c.call(
        &actor,
        t + 13 * 60_000,
        "us-east-1",
        "securityhub",
        "DisableSecurityHub",
        false,
        json!({}),
        Value::Null,
    ));
    let share = share_snapshot(c.rng);
    from_console(c.call(
        &actor,
        t + 15 * 60_000,
        "us-east-1",
        "ec2",
        "ModifySnapshotAttribute",
        false,
        share,
        json!({"_return": true}),
    ));
    // The durable key, tried from a terminal.
    actor.identity = victim.clone();
    actor.identity["accessKeyId"] = json!(own_key);
    actor.ua = CLI.to_string();
    let ev = c.call(
        &actor,
        t + 20 * 60_000,
        "us-east-1",
        "sts",
        "GetCallerIdentity",
        true,
        Value::Null,
        Value::Null,
    );
    tls(ev, "sts.amazonaws.com");
    Some(c.finish(InjectedChain {
        name: AttackKind::ConsoleNoMfa.name().into(),
        account: account.id.clone(),
        accounts: Vec::new(),
        principal: field(&victim, "arn"),
        access_key: session_key,
        source_ip: ip.to_string(),
        first_time: utc_time(start_ms),
        eventids: Vec::new(),
    }))
}
