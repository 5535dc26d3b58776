//! The chains of every kind: their events delivered, shaped as CloudTrail records
//! them, the same on every run.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use serde_json::Value;

use super::super::tables::aws_ranges::{bundled_v4, inside};
use super::super::{GenOptions, GenSummary, generate};
use super::{ATTACKER_IPS, AttackKind, VPS_IPS};
use crate::{DecodeOptions, decode};

/// Every record once, by event id, checked to decode without rejects.
fn records(opts: &GenOptions) -> (BTreeMap<String, Value>, GenSummary) {
    let mut out = BTreeMap::new();
    let s = generate(opts, |f| {
        let d = decode(&f.key, f.json.as_bytes(), &DecodeOptions::default());
        assert!(d.rejects.is_empty(), "{}: {:?}", f.key, d.rejects.first());
        let v: Value = serde_json::from_str(&f.json).expect("generated JSON");
        for r in v["Records"].as_array().into_iter().flatten() {
            let id = r["eventID"].as_str().unwrap_or_default().to_string();
            out.entry(id).or_insert_with(|| r.clone());
        }
    });
    (out, s)
}

fn text<'a>(r: &'a Value, path: &[&str]) -> &'a str {
    path.iter()
        .fold(r, |v, k| &v[*k])
        .as_str()
        .unwrap_or_default()
}

/// Four chains over three accounts: one of each kind.
fn four(habits: bool) -> GenOptions {
    GenOptions {
        events: 6000,
        days: 4,
        attacks: 4,
        habits,
        ..GenOptions::default()
    }
}

/// The events of `chain`, in time order.
fn events<'a>(all: &'a BTreeMap<String, Value>, ids: &[String]) -> Vec<&'a Value> {
    let mut out: Vec<&Value> = ids.iter().filter_map(|id| all.get(id)).collect();
    assert_eq!(
        out.len(),
        ids.len(),
        "every event of the chain is delivered"
    );
    out.sort_by_key(|r| text(r, &["eventTime"]).to_string());
    out
}

#[test]
fn every_kind_is_told_with_its_ground_truth() {
    for habits in [false, true] {
        let (all, s) = records(&four(habits));
        let names: Vec<&str> = s.chains.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            AttackKind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>()
        );
        for c in &s.chains {
            let evs = events(&all, &c.eventids);
            assert_eq!(c.accounts[0], c.account);
            assert_eq!(text(evs[0], &["eventTime"]), c.first_time, "{}", c.name);
            for r in &evs {
                assert!(
                    c.accounts
                        .iter()
                        .any(|a| a == text(r, &["recipientAccountId"]))
                );
                assert_eq!(text(r, &["sourceIPAddress"]), c.source_ip, "{}", c.name);
            }
            // The principal and key of the ground truth sign the chain's calls.
            assert!(
                evs.iter()
                    .any(|r| text(r, &["userIdentity", "arn"]) == c.principal)
            );
            assert!(
                evs.iter()
                    .any(|r| text(r, &["userIdentity", "accessKeyId"]) == c.access_key),
                "{}",
                c.name
            );
            let ids: BTreeSet<&String> = c.eventids.iter().collect();
            assert_eq!(ids.len(), c.eventids.len(), "no event twice");
        }
        let chain = |name: &str| s.chains.iter().find(|c| c.name == name).expect(name);

        // Role chain: the AssumeRole twice, once per account, then the session in
        // the second account.
        let rc = chain("role-chain");
        assert_eq!(rc.accounts.len(), 2);
        let evs = events(&all, &rc.eventids);
        let assumes: Vec<&&Value> = evs
            .iter()
            .filter(|r| text(r, &["eventName"]) == "AssumeRole")
            .collect();
        assert_eq!(assumes.len(), 2);
        assert_eq!(
            text(assumes[0], &["sharedEventID"]),
            text(assumes[1], &["sharedEventID"])
        );
        let caller_copy = assumes
            .iter()
            .find(|r| text(r, &["recipientAccountId"]) == rc.accounts[0])
            .expect("the caller's copy");
        let role_copy = assumes
            .iter()
            .find(|r| text(r, &["recipientAccountId"]) == rc.accounts[1])
            .expect("the role's copy");
        assert_eq!(
            text(caller_copy, &["userIdentity", "accessKeyId"]),
            rc.access_key
        );
        assert_eq!(text(role_copy, &["userIdentity", "type"]), "AWSAccount");
        assert_eq!(
            text(role_copy, &["userIdentity", "accountId"]),
            rc.accounts[0]
        );
        let session_key = text(
            caller_copy,
            &["responseElements", "credentials", "accessKeyId"],
        );
        assert!(session_key.starts_with("ASIA"));
        let in_target: Vec<&&Value> = evs
            .iter()
            .filter(|r| text(r, &["userIdentity", "accessKeyId"]) == session_key)
            .collect();
        assert!(in_target.len() > 20);
        for r in &in_target {
            assert_eq!(text(r, &["recipientAccountId"]), rc.accounts[1]);
            assert_eq!(
                text(
                    r,
                    &[
                        "userIdentity",
                        "sessionContext",
                        "sessionIssuer",
                        "accountId"
                    ]
                ),
                rc.accounts[1]
            );
        }

        // Console: a password-only sign-in, then calls from the console session.
        let cn = chain("console-no-mfa");
        let evs = events(&all, &cn.eventids);
        let login = evs[0];
        assert_eq!(text(login, &["eventName"]), "ConsoleLogin");
        assert_eq!(text(login, &["eventType"]), "AwsConsoleSignIn");
        assert_eq!(
            text(login, &["responseElements", "ConsoleLogin"]),
            "Success"
        );
        assert_eq!(text(login, &["additionalEventData", "MFAUsed"]), "No");
        assert_eq!(text(login, &["userIdentity", "type"]), "IAMUser");
        let from_console = evs
            .iter()
            .filter(|r| text(r, &["sessionCredentialFromConsole"]) == "true")
            .count();
        assert!(from_console > 20, "{from_console}");
        assert!(
            evs.iter()
                .any(|r| text(r, &["eventName"]) == "AttachUserPolicy")
        );

        // Instance credentials: the instance's own session, from outside AWS.
        let ic = chain("instance-credentials");
        let evs = events(&all, &ic.eventids);
        let session = ic.principal.rsplit('/').next().unwrap_or_default();
        assert!(session.starts_with("i-0"), "{}", ic.principal);
        assert!(ic.access_key.starts_with("ASIA"));
        for r in &evs {
            assert_eq!(
                text(r, &["userIdentity", "sessionContext", "ec2RoleDelivery"]),
                "2.0"
            );
        }
        if habits {
            // The instance used the same key from its own egress.
            let own: Vec<&Value> = all
                .values()
                .filter(|r| text(r, &["userIdentity", "accessKeyId"]) == ic.access_key)
                .filter(|r| !ic.eventids.iter().any(|id| id == text(r, &["eventID"])))
                .collect();
            assert!(!own.is_empty(), "the stolen key is one the instance used");
            assert!(
                own.iter()
                    .all(|r| text(r, &["sourceIPAddress"]) != ic.source_ip)
            );
        }
    }
}

#[test]
fn chains_are_deterministic() {
    let a = records(&four(true));
    let b = records(&four(true));
    assert_eq!(a.1, b.1);
    assert_eq!(a.0, b.0);
}

#[test]
fn a_role_chain_needs_two_accounts() {
    let opts = GenOptions {
        accounts: 1,
        attacks: 2,
        attack_kinds: vec![AttackKind::RoleChain, AttackKind::ConsoleNoMfa],
        ..four(false)
    };
    let (_, s) = records(&opts);
    let names: Vec<&str> = s.chains.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["console-no-mfa", "console-no-mfa"]);
}

/// Attackers' addresses are outside every range AWS publishes: replayed instance
/// credentials must not look like the account's own egress.
#[test]
fn attacker_addresses_are_outside_aws() {
    let ranges = bundled_v4();
    assert!(ranges.len() > 1000);
    for ip in ATTACKER_IPS.iter().chain(VPS_IPS) {
        let ip = u32::from(ip.parse::<Ipv4Addr>().expect("an IPv4 address"));
        let listed = ranges.iter().any(|(n, _, _)| inside((ip, 32), *n));
        assert!(!listed, "{}", Ipv4Addr::from(ip));
    }
}
