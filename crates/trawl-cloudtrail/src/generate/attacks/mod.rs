//! Attacks injected into a generated archive, each a multi-step chain with its
//! ground truth (which events belong to it), so a hunt over the archive can be
//! judged: was the chain found, and did its incident rank near the top?
//!
//! Four stories ([`AttackKind`]), one file each: `leaked_key` (an automation
//! user's key used from outside), `role_chain` (a stolen key assumes a role in
//! another account of the organisation and works there), `console` (an IAM user's
//! password signs in to the console without MFA) and `instance` (an instance
//! profile's credentials taken from the metadata service and replayed from
//! outside AWS).

mod console;
mod instance;
mod leaked_key;
mod role_chain;

use serde::Serialize;
use serde_json::{Value, json};

use super::GenOptions;
use super::accounts::Account;
use super::habits;
use super::rng::Rng;
use crate::time::utc_time;

/// The story an injected chain tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum AttackKind {
    /// An automation user's long-term key used from an unknown address: recon, a
    /// new admin user with a key and a password, then the trail stopped,
    /// GuardDuty disabled and a bucket opened.
    LeakedKey,
    /// A CI user's stolen key assumes `OrganizationAccountAccessRole` in another
    /// account, then maps it, backdoors a role and a user, narrows the trail and
    /// shares a snapshot out. Needs two accounts.
    RoleChain,
    /// An IAM user's password signs in to the console without MFA from an unknown
    /// address; from the console: browsing, admin rights for itself, keys, the
    /// recorder and Security Hub off, a snapshot shared out.
    ConsoleNoMfa,
    /// An instance profile's credentials replayed from outside AWS: recon,
    /// secrets read, a bucket downloaded, persistence tried and denied.
    InstanceCredentials,
}

impl AttackKind {
    /// Every kind, in the order chains take them by default: the first chain of an
    /// archive is always the leaked key.
    pub const ALL: &[AttackKind] = &[
        AttackKind::LeakedKey,
        AttackKind::RoleChain,
        AttackKind::ConsoleNoMfa,
        AttackKind::InstanceCredentials,
    ];

    /// The name of its chains in the ground truth.
    pub fn name(self) -> &'static str {
        match self {
            AttackKind::LeakedKey => "leaked-key",
            AttackKind::RoleChain => "role-chain",
            AttackKind::ConsoleNoMfa => "console-no-mfa",
            AttackKind::InstanceCredentials => "instance-credentials",
        }
    }
}

/// One injected chain and the events that make it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InjectedChain {
    /// The story: an [`AttackKind::name`].
    pub name: String,
    /// The account the chain starts in.
    pub account: String,
    /// Every account the chain acts in, the first one first.
    pub accounts: Vec<String>,
    /// The identity the attacker took over.
    pub principal: String,
    /// Its key the attacker used first (for a console chain, the sign-in
    /// session's key).
    pub access_key: String,
    pub source_ip: String,
    pub first_time: String,
    /// Every event of the chain, in every account.
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

/// Addresses no generated identity uses (TEST-NET-2 is theirs; these are not):
/// Tor exits and rented hosts, none in AWS's published ranges.
const ATTACKER_IPS: &[&str] = &["45.137.21.9", "185.220.101.33", "91.219.236.174"];

/// VPS hosts outside AWS, as instance credentials are replayed from.
const VPS_IPS: &[&str] = &["45.33.32.156", "172.104.139.27", "139.162.173.91"];

/// An account outside the organisation that the attacker controls.
const ATTACKER_ACCOUNT: &str = "913356288841";

/// The Python SDK as attack scripts send it.
const BOTO3: &str =
    "Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.6";

/// The AWS CLI on an attacker's Linux host.
const CLI: &str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-21-generic exe/x86_64.ubuntu.22 prompt/off command/sts.get-caller-identity";

/// Who acts in a step of a chain: the `userIdentity`, the account that records
/// the call, where it comes from and with what.
#[derive(Clone)]
struct Actor {
    identity: Value,
    account: usize,
    ip: String,
    ua: String,
}

/// A chain being written: its events, each with its time, account and region.
struct Chain<'a> {
    rng: &'a mut Rng,
    accounts: &'a [Account],
    events: Vec<(i64, usize, &'static str, String, Value)>,
}

impl<'a> Chain<'a> {
    fn new(rng: &'a mut Rng, accounts: &'a [Account]) -> Self {
        Self {
            rng,
            accounts,
            events: Vec::new(),
        }
    }

    /// Records a successful API call of `actor` at `time_ms` in `region`; returns
    /// the event to adjust.
    #[allow(clippy::too_many_arguments)]
    fn call(
        &mut self,
        actor: &Actor,
        time_ms: i64,
        region: &'static str,
        service: &str,
        name: &str,
        read_only: bool,
        request: Value,
        response: Value,
    ) -> &mut Value {
        let id = self.rng.uuid();
        let ev = json!({
            "eventVersion": "1.09",
            "userIdentity": actor.identity,
            "eventTime": utc_time(time_ms),
            "eventSource": format!("{service}.amazonaws.com"),
            "eventName": name,
            "awsRegion": region,
            "sourceIPAddress": actor.ip,
            "userAgent": actor.ua,
            "requestParameters": request,
            "responseElements": response,
            "requestID": self.rng.uuid(),
            "eventID": id,
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": self.accounts[actor.account].id,
            "eventCategory": "Management",
        });
        self.events.push((time_ms, actor.account, region, id, ev));
        let last = self.events.len() - 1;
        &mut self.events[last].4
    }

    /// Read-only calls `apis` of `actor`, `gap_ms` apart from `from_ms`, in
    /// us-east-1 (where IAM, S3 listings and a script's default region log).
    fn reads(&mut self, actor: &Actor, from_ms: i64, gap_ms: i64, apis: &[(&str, &str)]) {
        for (i, (service, name)) in apis.iter().enumerate() {
            let at = from_ms + i as i64 * gap_ms;
            self.call(
                actor,
                at,
                "us-east-1",
                service,
                name,
                true,
                json!({}),
                Value::Null,
            );
        }
    }

    /// The ground truth and the events, ready for delivery.
    fn finish(self, head: InjectedChain) -> (InjectedChain, Vec<Injected>) {
        let mut accounts = vec![head.account.clone()];
        for (_, a, _, _, _) in &self.events {
            let id = &self.accounts[*a].id;
            if !accounts.contains(id) {
                accounts.push(id.clone());
            }
        }
        let chain = InjectedChain {
            accounts,
            eventids: self.events.iter().map(|e| e.3.clone()).collect(),
            ..head
        };
        let injected = self
            .events
            .into_iter()
            .map(|(time_ms, account, region, _, ev)| Injected {
                time_ms,
                account,
                region,
                json: ev.to_string(),
            })
            .collect();
        (chain, injected)
    }
}

/// Turns a call into one that was refused.
fn deny(ev: &mut Value, code: &str, message: &str) {
    ev["errorCode"] = json!(code);
    ev["errorMessage"] = json!(message);
    ev["responseElements"] = Value::Null;
}

/// Adds what a real client's call carries: the TLS session to the endpoint.
fn tls(ev: &mut Value, host: &str) {
    ev["tlsDetails"] = json!({
        "tlsVersion": "TLSv1.3",
        "cipherSuite": "TLS_AES_128_GCM_SHA256",
        "clientProvidedHostHeader": host,
    });
}

/// The `userIdentity` of IAM user `name` in `account`, as the generator made it.
fn user(account: &Account, name: &str) -> Option<Value> {
    account
        .identities
        .iter()
        .map(|(i, _)| &i.json)
        .find(|j| j["type"] == "IAMUser" && j["userName"] == name)
        .cloned()
}

/// A string field of a `userIdentity`.
fn field(identity: &Value, name: &str) -> String {
    identity[name].as_str().unwrap_or_default().to_string()
}

/// `ModifySnapshotAttribute` sharing a snapshot with the attacker's account.
fn share_snapshot(rng: &mut Rng) -> Value {
    json!({
        "snapshotId": format!("snap-0{}", rng.hex(16)),
        "attributeType": "CREATE_VOLUME_PERMISSION",
        "createVolumePermission": {"add": {"items": [{"userId": ATTACKER_ACCOUNT}]}},
    })
}

/// Builds a chain of `kind` in account `a` starting at `start_ms`, or `None`
/// when the archive cannot host it (a role chain needs a second account).
fn build(
    kind: AttackKind,
    rng: &mut Rng,
    opts: &GenOptions,
    accounts: &[Account],
    a: usize,
    start_ms: i64,
) -> Option<(InjectedChain, Vec<Injected>)> {
    match kind {
        AttackKind::LeakedKey => leaked_key::chain(rng, accounts, a, start_ms),
        AttackKind::RoleChain => role_chain::chain(rng, accounts, a, start_ms),
        AttackKind::ConsoleNoMfa => console::chain(rng, accounts, a, start_ms),
        AttackKind::InstanceCredentials => {
            // With habits, credentials an instance of the account really holds
            // then; without, the account's instance profile session.
            let stolen = if opts.habits {
                habits::instance_at(opts, accounts, a, start_ms)
            } else {
                instance::default_session(&accounts[a])
            }?;
            instance::chain(rng, accounts, a, start_ms, stolen)
        }
    }
}

/// The archive's chains: `opts.attacks` of them, spread over the span (each
/// starting one minute into a 10-minute bucket) and the accounts. Chain `k` tells
/// `kinds[k % kinds.len()]` (all kinds when `opts.attack_kinds` is empty); a kind
/// the archive cannot host gives way to the next one.
pub(super) fn inject(
    opts: &GenOptions,
    accounts: &[Account],
) -> (Vec<InjectedChain>, Vec<Injected>) {
    let span_ms = i64::from(opts.days.max(1)) * 86_400_000;
    let kinds = if opts.attack_kinds.is_empty() {
        AttackKind::ALL
    } else {
        &opts.attack_kinds[..]
    };
    // Their own random stream, so the benign events are the same with or without.
    let mut rng = Rng::new(opts.seed ^ 0x00A7_7AC4);
    let mut chains = Vec::new();
    let mut injected = Vec::new();
    for k in 0..opts.attacks {
        let at = opts.start_ms + span_ms * i64::from(k + 1) / i64::from(opts.attacks + 1);
        let at = at - at.rem_euclid(600_000) + 60_000;
        let a = k as usize % accounts.len();
        let built = (0..kinds.len()).find_map(|j| {
            let kind = kinds[(k as usize + j) % kinds.len()];
            build(kind, &mut rng, opts, accounts, a, at)
        });
        if let Some((chain, events)) = built {
            chains.push(chain);
            injected.extend(events);
        }
    }
    (chains, injected)
}

#[cfg(test)]
mod tests;
