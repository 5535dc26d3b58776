//! What habits mode promises, checked over generated archives.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use serde_json::Value;

use super::super::accounts::accounts;
use super::super::rng::Rng;
use super::super::tables::{APIS, EC2_EGRESS};
use super::super::{GenOptions, GenSummary, generate};
use super::org::Org;
use super::organisation;
use super::schedule::{DAY_MS, weekend, working};
use crate::{DecodeOptions, decode, parse_event_time};

/// A week of habits, Sunday to Saturday.
fn week() -> GenOptions {
    GenOptions {
        events: 20_000,
        days: 7,
        habits: true,
        ..GenOptions::default()
    }
}

/// The archive's files and its summary.
fn files(opts: &GenOptions) -> (Vec<(String, String)>, GenSummary) {
    let mut out = Vec::new();
    let s = generate(opts, |f| out.push((f.key, f.json)));
    (out, s)
}

/// Every record once (duplicate deliveries dropped by `eventID`), checked to
/// decode without rejects.
fn records(opts: &GenOptions) -> (Vec<Value>, GenSummary) {
    let (files, s) = files(opts);
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (key, json) in &files {
        let d = decode(key, json.as_bytes(), &DecodeOptions::default());
        assert!(d.rejects.is_empty(), "{key}: {:?}", d.rejects.first());
        let v: Value = serde_json::from_str(json).expect("generated JSON");
        let n = v["Records"].as_array().map_or(0, Vec::len);
        assert_eq!((d.skipped, d.rows), (None, n as u64), "{key}");
        for r in v["Records"].as_array().into_iter().flatten() {
            if seen.insert(r["eventID"].as_str().unwrap_or_default().to_string()) {
                out.push(r.clone());
            }
        }
    }
    (out, s)
}

fn text<'a>(r: &'a Value, path: &[&str]) -> &'a str {
    path.iter()
        .fold(r, |v, k| &v[*k])
        .as_str()
        .unwrap_or_default()
}

fn time(r: &Value) -> i64 {
    parse_event_time(text(r, &["eventTime"])).unwrap_or_default()
}

/// The session name of an assumed role (`.../role/session`).
fn session(r: &Value) -> &str {
    text(r, &["userIdentity", "arn"])
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

fn role(r: &Value) -> &str {
    text(
        r,
        &[
            "userIdentity",
            "sessionContext",
            "sessionIssuer",
            "userName",
        ],
    )
}

fn is_instance(r: &Value) -> bool {
    text(r, &["userIdentity", "type"]) == "AssumedRole"
        && !r["userIdentity"]["sessionContext"]["ec2RoleDelivery"].is_null()
}

fn is_human(r: &Value) -> bool {
    role(r).starts_with("AWSReservedSSO_")
}

fn in_prefix(ip: &str, prefix: &str) -> bool {
    let (Some((net, bits)), Ok(ip)) = (prefix.split_once('/'), ip.parse::<Ipv4Addr>()) else {
        return false;
    };
    let (Ok(net), Ok(bits)) = (net.parse::<Ipv4Addr>(), bits.parse::<u32>()) else {
        return false;
    };
    let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
    u32::from(ip) & mask == u32::from(net) & mask
}

fn org(opts: &GenOptions) -> Org {
    organisation(opts, &accounts(&mut Rng::new(opts.seed), opts.accounts))
}

#[test]
fn deterministic_counted_and_not_the_default() {
    let opts = GenOptions {
        events: 3000,
        ..week()
    };
    let (a, sa) = files(&opts);
    let (b, sb) = files(&opts);
    assert_eq!(a, b);
    assert_eq!(sa, sb);
    assert_eq!(sa.events, 3000);
    let (plain, sp) = files(&GenOptions {
        habits: false,
        ..opts.clone()
    });
    assert_eq!(sp.events, 3000);
    assert_ne!(a, plain);
    let (recs, _) = records(&opts);
    assert_eq!(recs.len(), 3000);
    // Small archives still count exactly.
    for events in [0, 1, 17, 250] {
        let (recs, s) = records(&GenOptions {
            events,
            ..opts.clone()
        });
        assert_eq!((recs.len() as u64, s.events), (events, events));
    }
}

#[test]
fn an_organisation_with_habits() {
    let opts = week();
    let (recs, summary) = records(&opts);
    assert_eq!(summary.events, opts.events);
    assert_eq!(recs.len() as u64, opts.events);
    let org = org(&opts);

    // Instance credentials leave by NAT addresses: real EC2 addresses of the region
    // called, each shared by two or more instance sessions of a role.
    let mut sharing: BTreeMap<(&str, &str, &str), BTreeSet<&str>> = BTreeMap::new();
    let instance_events = recs.iter().filter(|r| is_instance(r)).count();
    assert!(instance_events > 5000, "{instance_events}");
    for r in recs.iter().filter(|r| is_instance(r)) {
        let (ip, region) = (text(r, &["sourceIPAddress"]), text(r, &["awsRegion"]));
        let prefixes = EC2_EGRESS
            .iter()
            .find(|(name, _)| *name == region)
            .map(|(_, p)| *p)
            .unwrap_or_default();
        assert!(
            prefixes.iter().any(|p| in_prefix(ip, p)),
            "{ip} is no EC2 address of {region}"
        );
        assert!(session(r).starts_with("i-0"), "{}", session(r));
        assert!(text(r, &["userIdentity", "accessKeyId"]).starts_with("ASIA"));
        sharing
            .entry((text(r, &["recipientAccountId"]), role(r), ip))
            .or_default()
            .insert(session(r));
    }
    for (k, sessions) in &sharing {
        assert!(sessions.len() >= 2, "{k:?} used by {sessions:?} only");
    }

    // People: in their working hours, from 1-3 addresses, with a small API set.
    let mut calls: BTreeMap<(&str, &str), Vec<&Value>> = BTreeMap::new();
    for r in recs.iter().filter(|r| is_human(r)) {
        calls
            .entry((text(r, &["recipientAccountId"]), session(r)))
            .or_default()
            .push(r);
    }
    let humans: usize = org.accounts.iter().map(|a| a.humans.len()).sum();
    assert_eq!(calls.len(), humans);
    let (mut inside, mut all) = (0, 0);
    for ((account, email), calls) in &calls {
        let acct = org.accounts.iter().find(|a| a.id == *account);
        let h = acct
            .and_then(|a| a.humans.iter().find(|h| h.email == *email))
            .expect("a generated person");
        let working_calls = calls.iter().filter(|r| working(h, time(r))).count();
        inside += working_calls;
        all += calls.len();
        assert!(
            working_calls * 10 >= calls.len() * 9,
            "{email}: {working_calls} of {} in working hours",
            calls.len()
        );
        let apis: BTreeSet<&str> = calls.iter().map(|r| text(r, &["eventName"])).collect();
        assert!(apis.len() * 3 <= APIS.len(), "{email} calls {apis:?}");
        let addresses: BTreeSet<&str> = calls
            .iter()
            .map(|r| text(r, &["sourceIPAddress"]))
            .collect();
        assert!((1..=3).contains(&addresses.len()), "{email}: {addresses:?}");
        for ip in &addresses {
            let ip: Ipv4Addr = ip.parse().expect("an address");
            assert!(!ip.is_private() && !ip.is_documentation(), "{email}: {ip}");
        }
        // Nobody calls before they join.
        assert!(calls.iter().all(|r| time(r) >= h.hired_ms), "{email}");
        // Each session starts with the SAML federation that made it.
        let federations = recs.iter().filter(|r| {
            text(r, &["eventName"]) == "AssumeRoleWithSAML"
                && text(r, &["userIdentity", "userName"]) == *email
                && text(r, &["recipientAccountId"]) == *account
        });
        let keys: BTreeSet<&str> = calls
            .iter()
            .map(|r| text(r, &["userIdentity", "accessKeyId"]))
            .collect();
        let issued: BTreeSet<&str> = federations
            .map(|r| text(r, &["responseElements", "credentials", "accessKeyId"]))
            .collect();
        assert!(
            keys.is_subset(&issued),
            "{email}: {keys:?} not from {issued:?}"
        );
    }
    assert!(inside * 100 >= all * 95, "{inside} of {all}");
    let hires = org
        .accounts
        .iter()
        .flat_map(|a| &a.humans)
        .filter(|h| h.hired_ms > opts.start_ms)
        .count();
    assert!(hires >= 1, "no new hire in a week of three accounts");

    // A service taken up part way through: only the automation reads it before.
    for acct in &org.accounts {
        let (before, after): (Vec<&Value>, Vec<&Value>) = recs
            .iter()
            .filter(|r| {
                text(r, &["recipientAccountId"]) == acct.id
                    && text(r, &["eventSource"]) == acct.adopted
                    && r["userIdentity"]["invokedBy"].is_null()
            })
            .partition(|r| time(r) < acct.adopted_ms);
        assert_eq!(before.len(), 0, "{} used {} early", acct.id, acct.adopted);
        assert!(
            !after.is_empty(),
            "{} never took up {}",
            acct.id,
            acct.adopted
        );
    }

    // Quiet weekends: 2026-03-01 and 03-07 are Sunday and Saturday.
    let mut per_day = [0usize; 7];
    for r in &recs {
        let day = ((time(r) - opts.start_ms) / DAY_MS) as usize;
        per_day[day.min(6)] += 1;
    }
    let weekend_avg = (per_day[0] + per_day[6]) as f64 / 2.0;
    let weekday_avg = per_day[1..6].iter().sum::<usize>() as f64 / 5.0;
    assert!(weekend_avg < 0.75 * weekday_avg, "{per_day:?}");
    assert!(weekend(opts.start_ms, 0));

    // Org-wide automation in every account, as AWS services call.
    for acct in &org.accounts {
        for service in [
            "config.amazonaws.com",
            "securityhub.amazonaws.com",
            "resource-explorer-2.amazonaws.com",
            "trustedadvisor.amazonaws.com",
            "access-analyzer.amazonaws.com",
        ] {
            let theirs: Vec<&Value> = recs
                .iter()
                .filter(|r| {
                    text(r, &["recipientAccountId"]) == acct.id
                        && text(r, &["userIdentity", "invokedBy"]) == service
                })
                .collect();
            assert!(theirs.len() > 50, "{} {service}", acct.id);
            for r in theirs {
                assert_eq!(text(r, &["sourceIPAddress"]), service);
                assert!(r["readOnly"].as_bool().unwrap_or(false));
            }
        }
    }

    // CI deploys: bursts across many services, minutes long, from a few runners.
    let mut deploys: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for r in recs.iter().filter(|r| role(r) == "github-actions-deploy") {
        deploys
            .entry(text(r, &["userIdentity", "accessKeyId"]))
            .or_default()
            .push(r);
    }
    assert!(deploys.len() >= 10, "{}", deploys.len());
    let runners: BTreeSet<&str> = deploys
        .values()
        .flatten()
        .map(|r| text(r, &["sourceIPAddress"]))
        .collect();
    assert!(runners.len() <= 7, "{runners:?}");
    for (key, calls) in &deploys {
        let first = calls.iter().map(|r| time(r)).min().unwrap_or_default();
        let last = calls.iter().map(|r| time(r)).max().unwrap_or_default();
        assert!(
            last - first <= 11 * 60_000,
            "{key} took {} s",
            (last - first) / 1000
        );
        let services: BTreeSet<&str> = calls.iter().map(|r| text(r, &["eventSource"])).collect();
        if calls.len() >= 50 {
            assert!(services.len() >= 6, "{key}: {services:?}");
        }
        let account = calls.first().map(|r| text(r, &["recipientAccountId"]));
        let tz = org.accounts.iter().find(|a| Some(a.id.as_str()) == account);
        assert!(
            tz.is_some_and(|a| !weekend(first, a.tz)),
            "{key} on a weekend"
        );
    }
}

#[test]
fn attacks_keep_their_ground_truth_with_habits() {
    let opts = GenOptions {
        events: 5000,
        attacks: 2,
        ..week()
    };
    let (recs, s) = records(&opts);
    assert_eq!(s.chains.len(), 2);
    let ids: BTreeSet<&str> = recs.iter().map(|r| text(r, &["eventID"])).collect();
    let chain_events: usize = s.chains.iter().map(|c| c.eventids.len()).sum();
    assert!(chain_events >= 40);
    assert_eq!(ids.len(), 5000 + chain_events);
    assert_eq!(s.events, 5000 + chain_events as u64);
    for c in &s.chains {
        assert!(c.eventids.iter().all(|id| ids.contains(id.as_str())));
    }
    assert_eq!(s.chains[1].name, "role-chain");
    for c in s.chains.iter().filter(|c| c.name == "leaked-key") {
        assert!(c.principal.ends_with(":user/svc-backup"));
        // The leaked key has a benign history of its own: the nightly backup.
        let benign = recs
            .iter()
            .filter(|r| {
                text(r, &["userIdentity", "accessKeyId"]) == c.access_key
                    && !c.eventids.iter().any(|id| id == text(r, &["eventID"]))
            })
            .count();
        assert!(benign > 0, "{}", c.access_key);
    }
    // The benign events are the same with or without the chains.
    let (plain, _) = records(&GenOptions {
        attacks: 0,
        ..opts.clone()
    });
    let plain: BTreeSet<&str> = plain.iter().map(|r| text(r, &["eventID"])).collect();
    assert!(plain.is_subset(&ids));
}
