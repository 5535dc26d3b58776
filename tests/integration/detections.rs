//! The detection library: every file in `sql/detections/` has metadata and fixtures,
//! fires on its positive fixtures with evidence, stays silent on its negative ones,
//! and fires on the Stratus Red Team detonation logs of the techniques it lists.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use crate::harness::*;

fn detections() -> Vec<PathBuf> {
    sql_files("detections")
}

/// Findings of one detection over raw records, or why `trawl run` did not give them.
fn try_findings(sql: &Path, sources: &[&Path]) -> Result<Vec<Value>, String> {
    try_findings_with(sql, sources, &[])
}

/// [`try_findings`] with parameters (`name=value`).
fn try_findings_with(sql: &Path, sources: &[&Path], params: &[&str]) -> Result<Vec<Value>, String> {
    let mut cmd = trawl();
    cmd.arg("run").arg(sql).args(["--format", "json", "-q"]);
    for p in params {
        cmd.args(["-p", p]);
    }
    for s in sources {
        cmd.arg("--raw").arg(s);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("trawl does not start: {e}"))?;
    if !out.status.success() {
        return Err(format!("`trawl run` failed: {}", stderr(&out).trim()));
    }
    let v: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("`trawl run` printed no JSON: {e}"))?;
    v.as_array()
        .cloned()
        .ok_or_else(|| format!("`trawl run` printed no JSON array: {v}"))
}

/// Findings of one detection over raw records.
fn findings(sql: &Path, sources: &[&Path]) -> Vec<Value> {
    try_findings(sql, sources).unwrap_or_else(|e| panic!("{}: {e}", sql.display()))
}

/// `f` over `items` on a few threads (each call starts `trawl` processes), in order.
fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, f(item)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a worker thread panicked"))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

const SEVERITIES: [&str; 5] = ["info", "low", "medium", "high", "critical"];

/// Header keys every detection must fill in.
const REQUIRED_HEADERS: [&str; 6] = [
    "severity",
    "attack_tactic",
    "attack_technique",
    "catalogue",
    "stratus",
    "false_positives",
];

/// The event ids of each finding, sorted, the findings sorted: `[a, b] [c]`.
fn evidence(found: &[Value]) -> String {
    let mut groups: Vec<Vec<String>> = found
        .iter()
        .map(|f| {
            let mut ids: Vec<String> = f["eventids"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|id| id.as_str().map_or_else(|| id.to_string(), str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            ids.sort();
            ids
        })
        .collect();
    groups.sort();
    groups
        .iter()
        .map(|g| format!("[{}]", g.join(", ")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks one detection's header and runs it over its fixtures: its line of the
/// snapshot and everything wrong with it (nothing stops at the first problem).
fn check_detection(sql: &Path, catalog: &[Value]) -> (String, Vec<String>) {
    let id = sql.file_stem().unwrap().to_string_lossy().to_string();
    let mut problems = Vec::new();
    match catalog.iter().find(|q| q["id"] == id) {
        None => problems.push(format!("{id} is not in `trawl queries`")),
        Some(meta) => {
            if meta["kind"] != "detection" {
                problems.push(format!("{id}: kind {}, not \"detection\"", meta["kind"]));
            }
            for key in REQUIRED_HEADERS {
                if meta["meta"][key].as_str().is_none_or(str::is_empty) {
                    problems.push(format!("{id}: no `-- {key}:` header"));
                }
            }
            if let Some(s) = meta["meta"]["severity"].as_str()
                && !SEVERITIES.contains(&s)
            {
                problems.push(format!("{id}: severity `{s}` is not one of {SEVERITIES:?}"));
            }
        }
    }
    let dir = fixture(&format!("detections/{id}"));
    let (pos, neg) = (dir.join("positive.json"), dir.join("negative.json"));
    if !(pos.is_file() && neg.is_file()) {
        problems.push(format!(
            "detection {id} has no fixtures in {}",
            dir.display()
        ));
        return (format!("{id}: no fixtures"), problems);
    }
    let positives = match try_findings(sql, &[&pos]) {
        Ok(found) => {
            if found.is_empty() {
                problems.push(format!("{id} stays silent on its positive fixtures"));
            }
            for f in &found {
                if f["eventids"].as_array().is_none_or(|a| a.is_empty()) {
                    problems.push(format!("{id}: a finding without eventids: {f}"));
                }
                if f.get("first_seen").is_none() || f.get("last_seen").is_none() {
                    problems.push(format!(
                        "{id}: a finding without first_seen or last_seen: {f}"
                    ));
                }
            }
            format!("{} on positives {}", found.len(), evidence(&found))
        }
        Err(e) => {
            problems.push(format!("{id}, on its positive fixtures: {e}"));
            "error on positives".to_string()
        }
    };
    let negatives = match try_findings(sql, &[&neg]) {
        Ok(quiet) => {
            if !quiet.is_empty() {
                problems.push(format!("{id} fires on its negative fixtures: {quiet:?}"));
            }
            format!("{} on negatives", quiet.len())
        }
        Err(e) => {
            problems.push(format!("{id}, on its negative fixtures: {e}"));
            "error on negatives".to_string()
        }
    };
    (format!("{id}: {positives}; {negatives}"), problems)
}

/// Every detection is checked before the test fails, and the failure lists every
/// problem of every detection. What each one finds in its fixtures is a snapshot
/// (`snapshots/integration__detections__detection_fixtures.snap`), so a change of
/// evidence shows up in review.
#[test]
fn every_detection_fires_on_its_positives_only_with_evidence() {
    let list = run(&["queries", "--format", "json"]);
    assert!(list.status.success(), "{}", stderr(&list));
    let catalog: Vec<Value> = serde_json::from_slice(&list.stdout).unwrap();
    let files = detections();
    assert!(!files.is_empty());
    let results = in_parallel(&files, |sql| check_detection(sql, &catalog));
    let failing: Vec<&(String, Vec<String>)> =
        results.iter().filter(|(_, p)| !p.is_empty()).collect();
    assert!(
        failing.is_empty(),
        "{} of {} detections fail their checks:\n{}",
        failing.len(),
        results.len(),
        failing
            .iter()
            .flat_map(|(_, p)| p.iter().map(|p| format!("- {p}")))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let lines: Vec<&str> = results.iter().map(|(line, _)| line.as_str()).collect();
    insta::with_settings!({
        description => "Per detection: findings on tests/fixtures/detections/<id>/positive.json \
                        with the event ids of each (sorted), and findings on negative.json.",
        omit_expression => true,
    }, {
        insta::assert_snapshot!("detection_fixtures", lines.join("\n"));
    });
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

/// Each `array_agg(DISTINCT ...)` without an ORDER BY of its own, with the line it
/// starts on: DataFusion gives such a list in the order its partitions finish.
fn unsorted_distinct_lists(sql: &str) -> Vec<usize> {
    const CALL: &str = "array_agg(DISTINCT";
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = sql[from..].find(CALL).map(|i| from + i) {
        from = at + CALL.len();
        // The call's text up to its closing parenthesis, quoted parentheses skipped.
        let (mut depth, mut quoted, mut end) = (0i32, false, sql.len());
        for (i, ch) in sql[at + "array_agg".len()..].char_indices() {
            match ch {
                '\'' => quoted = !quoted,
                '(' if !quoted => depth += 1,
                ')' if !quoted => {
                    depth -= 1;
                    if depth == 0 {
                        end = at + "array_agg".len() + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let sorted = sql[..at].ends_with("array_sort(");
        if !sorted && !sql[at..end].to_uppercase().contains("ORDER BY") {
            found.push(sql[..at].lines().count().max(1));
        }
    }
    found
}

/// The same lake gives the same findings, lists included: a detection's list of
/// distinct values is sorted (`array_sort(array_agg(DISTINCT x))`).
#[test]
fn distinct_lists_in_detections_are_sorted() {
    assert_eq!(
        unsorted_distinct_lists(
            "SELECT array_agg(DISTINCT a), array_sort(array_agg(DISTINCT b)),\n array_agg(DISTINCT c ORDER BY c) FROM t"
        ),
        vec![1]
    );
    let mut unsorted = Vec::new();
    for path in sql_files("detections")
        .into_iter()
        .chain(sql_files("investigations"))
    {
        let sql = std::fs::read_to_string(&path).unwrap();
        for line in unsorted_distinct_lists(&sql) {
            unsorted.push(format!("{}:{line}", path.display()));
        }
    }
    assert!(
        unsorted.is_empty(),
        "wrap these in array_sort(...): {unsorted:#?}"
    );
}

/// `activity_in_unused_region` at the edges of its look-back: a write exactly the
/// look-back after the account's previous activity in the region is not new, one a
/// second later is; a read in between counts as activity; each region on its own.
#[test]
fn unused_region_reports_writes_only_after_a_quiet_lookback() {
    let tmp = tempfile::tempdir().unwrap();
    let record = |id: &str, time: &str, region: &str, readonly: bool| {
        serde_json::json!({
            "eventVersion": "1.08",
            "eventTime": time,
            "eventSource": "ec2.amazonaws.com",
            "eventName": if readonly { "DescribeInstances" } else { "RunInstances" },
            "awsRegion": region,
            "sourceIPAddress": "198.51.100.7",
            "userAgent": "aws-cli/2.15.0",
            "readOnly": readonly,
            "eventType": "AwsApiCall",
            "eventCategory": "Management",
            "managementEvent": true,
            "eventID": id,
            "recipientAccountId": "111122223333",
            "userIdentity": {
                "type": "IAMUser",
                "arn": "arn:aws:iam::111122223333:user/dev",
                "accountId": "111122223333",
                "principalId": "AIDAEXAMPLE"
            }
        })
    };
    let records = vec![
        // The region's first activity: new.
        record("first", "2026-01-01T00:00:00Z", "ap-south-1", false),
        record("an-hour-on", "2026-01-01T01:00:00Z", "ap-south-1", false),
        // Exactly the look-back (1d) after the write before it: not new.
        record("a-day-on", "2026-01-02T01:00:00Z", "ap-south-1", false),
        // A day and a second after it: new.
        record("after-quiet", "2026-01-03T01:00:01Z", "ap-south-1", false),
        // A read two quiet days later is activity, not a finding, and the write half a
        // day after it is not new.
        record("read", "2026-01-05T01:00:02Z", "ap-south-1", true),
        record("after-read", "2026-01-05T13:00:00Z", "ap-south-1", false),
        // Another region's first write: new, whatever the first region did.
        record("other-region", "2026-01-03T00:00:00Z", "eu-west-1", false),
    ];
    let file = tmp.path().join("regions.json");
    std::fs::write(&file, serde_json::json!({ "Records": records }).to_string()).unwrap();
    let sql = repo().join("sql/detections/activity_in_unused_region.sql");
    let found = try_findings_with(&sql, &[&file], &["lookback=1d", "learning=0s"])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        evidence(&found),
        "[after-quiet, first] [other-region]",
        "{found:#?}"
    );
}
