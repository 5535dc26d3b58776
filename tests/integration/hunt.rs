//! `trawl_hunt::Hunt` as a library, without the CLI: over raw archives and over a
//! converted lake (shared scan), typed findings, ranking, sinks.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;
use trawl_engine::catalog::{Catalog, Severity};
use trawl_hunt::{Hunt, HuntError, HuntReport, JsonSink, NdjsonSink, Observer, Sink};

use crate::harness::*;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Counts what the hunt tells its observer.
#[derive(Default)]
struct Counting {
    planned: AtomicUsize,
    done: AtomicUsize,
}

impl Observer for Counting {
    fn planned(&self, total: usize) {
        self.planned.store(total, Ordering::SeqCst);
    }
    fn detection_done(&self, _id: &str) {
        self.done.fetch_add(1, Ordering::SeqCst);
    }
}

fn pairs(report: &HuntReport) -> Vec<(String, Vec<String>)> {
    let mut v: Vec<_> = report
        .findings()
        .map(|f| (f.detection.clone(), f.evidence.eventids.clone()))
        .collect();
    v.sort();
    v
}

#[test]
fn hunt_runs_as_a_library_operation() {
    let stratus = fixture("real/stratus-red-team");
    let rt = runtime();
    let catalog = Catalog::load(&[]).unwrap();
    let observer = Arc::new(Counting::default());
    let raw = rt.block_on(async {
        let ctx = trawl_engine::new_session().unwrap();
        trawl_engine::register_raw(&ctx, &[stratus.to_string_lossy().to_string()])
            .await
            .unwrap();
        Hunt::new(ctx, &catalog)
            .with_shared_scan(false)
            .with_observer(observer.clone())
            .run()
            .await
            .unwrap()
    });
    let detections = catalog.queries.iter().filter(|q| q.is_detection()).count();
    assert_eq!(raw.outcomes.len(), detections);
    assert_eq!(observer.planned.load(Ordering::SeqCst), detections);
    assert_eq!(observer.done.load(Ordering::SeqCst), detections);
    assert_eq!(raw.errors().count(), 0);
    assert!(raw.shared.is_none());
    // Ranked: severity never rises down the list, and every finding has evidence.
    let severities: Vec<Severity> = raw.findings().map(|f| f.severity).collect();
    assert!(severities.len() >= 20, "{}", severities.len());
    assert!(
        severities.windows(2).all(|w| w[0] >= w[1]),
        "{severities:?}"
    );
    assert!(raw.findings().all(|f| !f.evidence.eventids.is_empty()));
    let stop = raw
        .findings()
        .find(|f| f.detection == "cloudtrail_stop_logging")
        .expect("the StopLogging detonation is found");
    assert!(stop.techniques.iter().any(|t| t.starts_with("T1562")));
    assert!(stop.evidence.first_seen.is_some() && stop.evidence.account.is_some());
    assert!(raw.worst().is_some_and(|w| w >= Severity::High));

    // Incidents: every finding in exactly one, ranked by score, evidence united.
    assert!(!raw.incidents.is_empty());
    assert!(raw.incidents.len() < raw.findings().count());
    let mut seen = vec![0; raw.findings().count()];
    for (i, inc) in raw.incidents.iter().enumerate() {
        assert_eq!(inc.rank, i + 1);
        assert!(inc.id.starts_with("inc-"), "{}", inc.id);
        let mut ids: Vec<String> = Vec::new();
        for m in &inc.findings {
            seen[*m] += 1;
            let f = raw.findings().nth(*m).unwrap();
            assert_eq!(f.incident.as_deref(), Some(inc.id.as_str()));
            ids.extend(f.evidence.eventids.iter().cloned());
        }
        ids.sort();
        ids.dedup();
        assert_eq!(inc.eventids, ids, "{}", inc.id);
    }
    assert!(seen.iter().all(|n| *n == 1), "{seen:?}");
    assert!(raw.incidents.windows(2).all(|w| w[0].score >= w[1].score));
    // A leaked key's session and the key itself are one story: the StopLogging
    // detonation's incident holds every finding of its principal.
    let stop_incident = stop.incident.clone().unwrap();
    let same_principal = raw
        .findings()
        .filter(|f| f.evidence.principal == stop.evidence.principal)
        .filter(|f| f.evidence.account == stop.evidence.account);
    for f in same_principal {
        assert_eq!(f.incident.as_ref(), Some(&stop_incident), "{}", f.detection);
    }

    // The sinks write what the report holds: the incidents and then the findings
    // one per line, or one document.
    let mut lines = Vec::new();
    NdjsonSink::new(&mut lines).deliver(&raw).unwrap();
    let lines: Vec<Value> = String::from_utf8(lines)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), raw.incidents.len() + raw.findings().count());
    assert_eq!(lines[0]["incident"], raw.incidents[0].id);
    assert_eq!(lines[0]["rank"], 1);
    let first_finding = &lines[raw.incidents.len()];
    assert_eq!(
        first_finding["detection"],
        raw.findings().next().unwrap().detection
    );
    assert!(first_finding["incident"].is_string());
    let mut doc = Vec::new();
    JsonSink::new(&mut doc).deliver(&raw).unwrap();
    let doc: Value = serde_json::from_slice(&doc).unwrap();
    assert_eq!(doc["summary"].as_array().unwrap().len(), detections);
    assert_eq!(
        doc["findings"].as_array().unwrap().len(),
        raw.findings().count()
    );
    assert_eq!(
        doc["incidents"].as_array().unwrap().len(),
        raw.incidents.len()
    );

    // Over a converted lake, with the shared scan: the same findings.
    let tmp = tempfile::tempdir().unwrap();
    let lake = tmp.path().join("lake");
    let (code, _) = convert_json(&[&stratus], &lake, &[]);
    assert!(matches!(code, 0 | 3));
    let shared = rt.block_on(async {
        let ctx = trawl_engine::new_session().unwrap();
        trawl_engine::register_lake(&ctx, &lake).await.unwrap();
        Hunt::new(ctx, &catalog).run().await.unwrap()
    });
    let scan = shared
        .shared
        .expect("detections shared one scan of the lake");
    assert!(scan.detections > detections / 2, "{scan:?}");
    assert_eq!(pairs(&shared), pairs(&raw));
    // The same lake hunted again, and the raw logs: the same incidents, same ids.
    let incidents = |r: &HuntReport| -> Vec<(String, usize, Vec<String>)> {
        r.incidents
            .iter()
            .map(|i| (i.id.clone(), i.rank, i.eventids.clone()))
            .collect()
    };
    let again = rt.block_on(async {
        let ctx = trawl_engine::new_session().unwrap();
        trawl_engine::register_lake(&ctx, &lake).await.unwrap();
        Hunt::new(ctx, &catalog).run().await.unwrap()
    });
    assert_eq!(incidents(&again), incidents(&shared));
    assert_eq!(incidents(&shared), incidents(&raw));

    // First-seen detections over a few minutes of data: not armed, and said so.
    let one = stratus.join("aws.defense-evasion.cloudtrail-stop.json");
    let short = rt.block_on(async {
        let ctx = trawl_engine::new_session().unwrap();
        trawl_engine::register_raw(&ctx, &[one.to_string_lossy().to_string()])
            .await
            .unwrap();
        Hunt::new(ctx, &catalog)
            .with_shared_scan(false)
            .run()
            .await
            .unwrap()
    });
    let unarmed: Vec<&str> = short.unarmed().map(|a| a.detection.as_str()).collect();
    assert!(unarmed.contains(&"rare_api_by_user"), "{unarmed:?}");
    assert!(
        short
            .findings()
            .all(|f| !unarmed.contains(&f.detection.as_str())),
        "an unarmed detection raised a finding"
    );
    // Over the whole corpus (months of detonations) the 14-day ones are armed.
    assert!(
        raw.arming
            .iter()
            .any(|a| a.detection == "rare_api_by_user" && a.armed)
    );

    // Selection and parameters: one detection, a window with nothing in it.
    rt.block_on(async {
        let ctx = trawl_engine::new_session().unwrap();
        trawl_engine::register_lake(&ctx, &lake).await.unwrap();
        let hunt = Hunt::new(ctx.clone(), &catalog)
            .with_only(["cloudtrail_stop_logging"])
            .with_param("since", "2030-01-01");
        assert_eq!(hunt.detections().len(), 1);
        let report = hunt.run().await.unwrap();
        assert_eq!(report.findings().count(), 0);
        let none = Hunt::new(ctx, &catalog)
            .with_tags(["no-such-tag"])
            .run()
            .await;
        assert!(matches!(none, Err(HuntError::NoDetections)));
    });
}

/// `trawl hunt` leaves the audit tier (severity info) out unless asked, and says so.
#[test]
fn the_audit_tier_runs_only_when_asked() {
    let stratus = fixture("real/stratus-red-team");
    let s = stratus.to_str().unwrap();
    let summary = |extra: &[&str]| -> (Vec<(String, String)>, String) {
        let out = trawl()
            .args([
                "hunt",
                "--raw",
                s,
                "--format",
                "json",
                "--fail-on",
                "critical",
            ])
            .args(extra)
            .output()
            .unwrap();
        assert!(matches!(out.status.code(), Some(0 | 4)), "{}", stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let rows = v["summary"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["detection"].as_str().unwrap().to_string(),
                    d["severity"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        (rows, stderr(&out))
    };
    let (default, note) = summary(&[]);
    assert!(default.iter().all(|(_, sev)| sev != "info"), "{default:?}");
    assert!(note.contains("--include audit runs them"), "{note}");
    let (audit, _) = summary(&["--include", "audit"]);
    assert!(audit.iter().any(|(id, _)| id == "security_group_modified"));
    assert!(audit.len() > default.len());
    let (info, _) = summary(&["--min-severity", "info"]);
    assert_eq!(info, audit);
}

/// Attack chains injected into generated activity: each is found as one incident
/// that ranks within the top ten, in two differently shaped archives.
#[test]
fn injected_attack_chains_rank_among_the_top_incidents() {
    // Chains take the kinds in turn (leaked key, role chain, console without MFA,
    // instance credentials): the four-chain archives hold one of each, with and
    // without habits.
    for (seed, accounts, events, days, attacks, habits) in [
        ("7", "3", "20000", "3", "2", false),
        ("11", "2", "12000", "2", "1", false),
        ("5", "3", "24000", "4", "4", false),
        ("3", "2", "24000", "4", "4", true),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let archive = tmp.path().join("archive");
        let truth = tmp.path().join("truth.json");
        let lake = tmp.path().join("lake");
        let mut args = vec![
            "--seed",
            seed,
            "--accounts",
            accounts,
            "--events",
            events,
            "--days",
            days,
            "--attacks",
            attacks,
            "--ground-truth",
            truth.to_str().unwrap(),
        ];
        if habits {
            args.push("--habits");
        }
        generate(&archive, &args);
        let (code, _) = convert_json(&[&archive], &lake, &[]);
        assert_eq!(code, 0);
        let out = trawl()
            .args([
                "hunt",
                "--lake",
                lake.to_str().unwrap(),
                "--format",
                "json",
                "-q",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let incidents = v["incidents"].as_array().unwrap();
        let chains: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(&truth).unwrap()).unwrap();
        assert_eq!(chains.len(), attacks.parse::<usize>().unwrap());
        if chains.len() >= 4 {
            let names: std::collections::BTreeSet<&str> =
                chains.iter().map(|c| c["name"].as_str().unwrap()).collect();
            assert_eq!(
                names.into_iter().collect::<Vec<_>>(),
                [
                    "console-no-mfa",
                    "instance-credentials",
                    "leaked-key",
                    "role-chain"
                ]
            );
        }
        for chain in &chains {
            let name = chain["name"].as_str().unwrap();
            let ids: std::collections::BTreeSet<&str> = chain["eventids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i.as_str().unwrap())
                .collect();
            // The incident holding most of the chain's events.
            let best = incidents
                .iter()
                .max_by_key(|i| {
                    i["eventids"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|e| ids.contains(e.as_str().unwrap()))
                        .count()
                })
                .unwrap();
            let held = best["eventids"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| ids.contains(e.as_str().unwrap()))
                .count();
            assert!(
                held * 2 >= ids.len(),
                "seed {seed}: the {name} chain in {} is spread out ({held} of {} events in one incident)",
                chain["account"],
                ids.len()
            );
            let rank = best["rank"].as_u64().unwrap();
            assert!(
                rank <= 10,
                "seed {seed}: the {name} chain's incident ranks {rank}: {best}"
            );
            // Its story: from recon to cover-up, or for replayed instance
            // credentials (whose persistence attempts are refused), from the theft
            // to the download.
            let tactics: Vec<&str> = best["tactics"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect();
            let fewest = if name == "instance-credentials" { 3 } else { 4 };
            assert!(tactics.len() >= fewest, "{name}: {tactics:?}");
        }
    }
}

/// The noise budget, on archives whose benign activity has habits (people with
/// working hours and their own few APIs, fleets behind shared NAT egress, CI
/// bursts, org-wide automation): every injected chain is one incident in the top
/// ten, medium-or-worse findings outside the chains stay under 100 per million
/// events, highs under one per account-week, and a second hunt of the same lake
/// names the same incidents. Two shapes: a week of two accounts, where most
/// first-seen detections are not armed yet, and five weeks of three, where they
/// all are.
#[test]
fn hunts_over_habitual_activity_stay_within_the_noise_budget() {
    for (seed, accounts, events, days, attacks) in [
        ("7", 2_usize, 40_000, 7_usize, "2"),
        ("11", 3, 60_000, 35, "3"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let archive = tmp.path().join("archive");
        let truth = tmp.path().join("truth.json");
        let lake = tmp.path().join("lake");
        generate(
            &archive,
            &[
                "--habits",
                "--seed",
                seed,
                "--accounts",
                &accounts.to_string(),
                "--events",
                &events.to_string(),
                "--days",
                &days.to_string(),
                "--attacks",
                attacks,
                "--ground-truth",
                truth.to_str().unwrap(),
            ],
        );
        let (code, _) = convert_json(&[&archive], &lake, &[]);
        assert_eq!(code, 0);
        let hunt = || -> Value {
            let out = trawl()
                .args(["hunt", "--lake", lake.to_str().unwrap(), "--format", "json"])
                .arg("-q")
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
            serde_json::from_slice(&out.stdout).unwrap()
        };
        let v = hunt();
        let chains: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(&truth).unwrap()).unwrap();
        assert_eq!(chains.len(), attacks.parse::<usize>().unwrap());
        let ids = |x: &Value| -> Vec<String> {
            x["eventids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e.as_str().unwrap().to_string())
                .collect()
        };
        let incidents = v["incidents"].as_array().unwrap();
        let mut attack_events = std::collections::BTreeSet::new();
        for chain in &chains {
            let chain_ids: std::collections::BTreeSet<String> = ids(chain).into_iter().collect();
            let held = |i: &Value| ids(i).iter().filter(|e| chain_ids.contains(*e)).count();
            let best = incidents.iter().max_by_key(|i| held(i)).unwrap();
            assert!(
                held(best) * 2 >= chain_ids.len(),
                "seed {seed}: the chain in {} is spread out",
                chain["account"]
            );
            let rank = best["rank"].as_u64().unwrap();
            assert!(rank <= 10, "seed {seed}: the chain ranks {rank}: {best}");
            attack_events.extend(chain_ids);
        }

        // Findings with no event of any chain are noise.
        let noise: Vec<&Value> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| !ids(f).iter().any(|e| attack_events.contains(e)))
            .collect();
        let at_least = |f: &&&Value, s: &[&str]| s.contains(&f["severity"].as_str().unwrap());
        let medium: Vec<&&Value> = noise
            .iter()
            .filter(|f| at_least(f, &["medium", "high", "critical"]))
            .collect();
        let per_million = medium.len() as f64 * 1e6 / events as f64;
        let detections: Vec<&str> = medium
            .iter()
            .map(|f| f["detection"].as_str().unwrap())
            .collect();
        assert!(
            per_million <= 100.0,
            "seed {seed}: {} medium-or-worse findings outside the chains ({per_million:.0}/M): {detections:?}",
            medium.len()
        );
        let highs = noise
            .iter()
            .filter(|f| at_least(f, &["high", "critical"]))
            .count();
        let account_weeks = accounts * days.div_ceil(7);
        assert!(
            highs <= account_weeks,
            "seed {seed}: {highs} highs outside the chains over {account_weeks} account-weeks"
        );
        eprintln!(
            "seed {seed}: {events} events, {} findings ({} outside the chains, {} of them medium or worse), {} incidents",
            v["findings"].as_array().unwrap().len(),
            noise.len(),
            medium.len(),
            incidents.len()
        );

        // The same lake hunted again: the same incidents, in the same order.
        let names = |v: &Value| -> Vec<String> {
            v["incidents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["incident"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(names(&v), names(&hunt()), "seed {seed}");
    }
}
