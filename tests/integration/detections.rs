//! The detection library: every file in `sql/detections/` has metadata and fixtures,
//! fires on its positive fixtures with evidence, stays silent on its negative ones,
//! and fires on the Stratus Red Team detonation logs of the techniques it lists.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::*;

fn detections() -> Vec<PathBuf> {
    sql_files("detections")
}

/// Findings of one detection over raw records.
fn findings(sql: &Path, sources: &[&Path]) -> Vec<Value> {
    let mut cmd = trawl();
    cmd.arg("run").arg(sql).args(["--format", "json", "-q"]);
    for s in sources {
        cmd.arg("--raw").arg(s);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}: {}", sql.display(), stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array().unwrap().clone()
}

#[test]
fn every_detection_fires_on_its_positives_only_with_evidence() {
    let list = run(&["queries", "--format", "json"]);
    let catalog: Vec<Value> = serde_json::from_slice(&list.stdout).unwrap();
    let files = detections();
    assert!(!files.is_empty());
    for sql in &files {
        let id = sql.file_stem().unwrap().to_string_lossy().to_string();
        let meta = catalog
            .iter()
            .find(|q| q["id"] == id)
            .unwrap_or_else(|| panic!("{id} is not in `trawl queries`"));
        assert_eq!(meta["kind"], "detection", "{id}");
        for key in [
            "severity",
            "attack_tactic",
            "attack_technique",
            "catalogue",
            "stratus",
            "false_positives",
        ] {
            assert!(
                meta["meta"][key].as_str().is_some_and(|v| !v.is_empty()),
                "{id}: no `-- {key}:` header"
            );
        }
        assert!(
            ["info", "low", "medium", "high", "critical"]
                .contains(&meta["meta"]["severity"].as_str().unwrap()),
            "{id}: severity"
        );
        let dir = fixture(&format!("detections/{id}"));
        let (pos, neg) = (dir.join("positive.json"), dir.join("negative.json"));
        assert!(
            pos.is_file() && neg.is_file(),
            "detection {id} has no fixtures in {}",
            dir.display()
        );
        let found = findings(sql, &[&pos]);
        assert!(
            !found.is_empty(),
            "{id} stays silent on its positive fixtures"
        );
        for f in &found {
            assert!(
                f["eventids"].as_array().is_some_and(|a| !a.is_empty()),
                "{id}: a finding without eventids: {f}"
            );
            assert!(
                f.get("first_seen").is_some() && f.get("last_seen").is_some(),
                "{id}: {f}"
            );
        }
        let quiet = findings(sql, &[&neg]);
        assert!(
            quiet.is_empty(),
            "{id} fires on its negative fixtures: {quiet:?}"
        );
    }
}

#[test]
fn detections_fire_on_the_stratus_detonations_they_claim() {
    let logs = fixture("real/stratus-red-team");
    let mut checked = 0;
    for sql in detections() {
        let text = std::fs::read_to_string(&sql).unwrap();
        let Some(line) = text.lines().find(|l| l.starts_with("-- stratus:")) else {
            continue;
        };
        for technique in line["-- stratus:".len()..]
            .split(',')
            .map(str::trim)
            .filter(|t| t.starts_with("aws."))
        {
            let log = logs.join(format!("{technique}.json"));
            if !log.exists() {
                // 9 of the 44 techniques ship no detonation log.
                continue;
            }
            let found = findings(&sql, &[&log]);
            assert!(
                !found.is_empty(),
                "{} claims {technique} but stays silent on its detonation log",
                sql.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 2, "{checked}");
}

#[test]
fn hunt_reports_findings_most_severe_first_and_exits_by_severity() {
    let stratus = fixture("real/stratus-red-team");
    let s = stratus.to_str().unwrap();
    let out = run(&["hunt", "--raw", s, "--format", "ndjson", "-q"]);
    assert_eq!(
        out.status.code(),
        Some(4),
        "findings at or above --fail-on low: {}",
        stderr(&out)
    );
    // Incidents come first (they have a rank), then the findings.
    let (incidents, lines): (Vec<Value>, Vec<Value>) = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .partition(|v| v.get("rank").is_some());
    assert!(lines.len() >= 2);
    assert!(!incidents.is_empty());
    for f in &lines {
        assert!(
            incidents.iter().any(|i| i["incident"] == f["incident"]),
            "a finding whose incident is not listed: {f}"
        );
    }
    let rank = |s: &str| {
        ["info", "low", "medium", "high", "critical"]
            .iter()
            .position(|x| *x == s)
            .unwrap()
    };
    let mut last = usize::MAX;
    for f in &lines {
        for key in [
            "detection",
            "title",
            "severity",
            "techniques",
            "eventids",
            "first_seen",
            "last_seen",
        ] {
            assert!(f.get(key).is_some(), "finding without {key}: {f}");
        }
        assert!(!f["eventids"].as_array().unwrap().is_empty());
        let r = rank(f["severity"].as_str().unwrap());
        assert!(r <= last, "sorted by severity");
        last = r;
    }
    assert!(
        lines
            .iter()
            .any(|f| f["detection"] == "cloudtrail_stop_logging")
    );

    let out = run(&[
        "hunt",
        "--raw",
        s,
        "--only",
        "cloudtrail_stop_logging",
        "--format",
        "json",
        "-q",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "nothing critical: {}",
        stderr(&out)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"].as_array().unwrap().len(), 1);
    assert_eq!(
        v["summary"][0]["findings"],
        v["findings"].as_array().unwrap().len()
    );
    // A time window with nothing in it finds nothing.
    let out = run(&["hunt", "--raw", s, "--since", "2030-01-01", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8(out.stdout).unwrap().starts_with("0 of "));
}

/// The lake path reads the lake once for the detections that can share a scan; it
/// must find exactly what the raw path finds.
#[test]
fn hunt_over_a_lake_finds_what_it_finds_over_the_raw_logs() {
    let stratus = fixture("real/stratus-red-team");
    let s = stratus.to_str().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let lake = tmp.path().join("lake");
    let (code, _) = convert_json(&[&stratus], &lake, &[]);
    assert!(matches!(code, 0 | 3));
    let findings = |args: &[&str]| -> Vec<(String, String)> {
        let mut cmd = trawl();
        cmd.arg("hunt")
            .args(args)
            .args(["--format", "ndjson", "-q"]);
        let out = cmd.output().unwrap();
        assert!(matches!(out.status.code(), Some(0 | 4)), "{}", stderr(&out));
        // Findings and incidents alike: (detection or incident id, eventids).
        let mut v: Vec<(String, String)> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let f: Value = serde_json::from_str(l).unwrap();
                let name = f.get("detection").unwrap_or(&f["incident"]);
                (
                    name.as_str().unwrap().to_string(),
                    f["eventids"].to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let raw = findings(&["--raw", s]);
    let lake = findings(&["--lake", lake.to_str().unwrap()]);
    assert!(raw.len() >= 20, "{}", raw.len());
    assert_eq!(lake, raw);
}
