//! `trawl convert` and `trawl compact` end to end: real corpora, round trip, layout,
//! idempotence, duplicates, bad input, and kill -9 in the middle of a run.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::TimestampMillisecondType;
use parquet::file::reader::{FileReader, SerializedFileReader};
use serde_json::Value;

use crate::harness::*;

/// The records of the real corpora, read independently of trawl's decoder.
fn real_records() -> Vec<Value> {
    let mut out = Vec::new();
    let root = fixture("real");
    let mut files = Vec::new();
    for dir in [
        "stratus-red-team",
        "otrf-security-datasets",
        "cloudtrail2sightings",
        "aws-cloudtrail-forensics",
    ] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            files.push(e.unwrap().path());
        }
    }
    for f in files {
        let mut text = std::fs::read_to_string(&f).unwrap();
        if f.ends_with("aws.execution.ec2-user-data.json")
            && f.to_string_lossy().contains("cloudtrail2sightings")
        {
            // The one malformed file: its records lack separating commas.
            text = text.replace("    }\n{", "    },\n{");
        }
        if f.extension().is_some_and(|x| x == "json")
            && text.trim_start().starts_with(['{', '['])
            && let Ok(v) = serde_json::from_str::<Value>(&text)
        {
            match v {
                Value::Array(a) => out.extend(a),
                Value::Object(mut o) if o.contains_key("Records") => {
                    if let Some(Value::Array(a)) = o.remove("Records") {
                        out.extend(a)
                    }
                }
                other => out.push(other),
            }
            continue;
        }
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            out.push(serde_json::from_str(line).unwrap());
        }
    }
    out
}

#[test]
fn real_corpora_round_trip_through_the_lake() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = tmp.path().join("lake");
    let s = convert_real(&lake);
    let expected = real_records();
    assert_eq!(expected.len(), 431);
    assert_eq!(s["records"]["read"], 431, "{s:#}");
    assert_eq!(s["records"]["rejected"], 0);
    let written = s["records"]["written"].as_u64().unwrap();
    let dups = s["records"]["duplicates"].as_u64().unwrap();
    assert_eq!(written + dups, 431);

    // Every input record comes back, as a JSON value, from `eventjson`.
    let batches = query(&lake, "SELECT eventjson FROM cloudtrail");
    let mut got: Vec<String> = strings(&batches, 0)
        .into_iter()
        .map(|s| canonical(&serde_json::from_str(&s.unwrap()).unwrap()))
        .collect();
    let mut want: Vec<String> = expected.iter().map(canonical).collect();
    got.sort();
    want.sort();
    want.dedup();
    got.dedup();
    assert_eq!(got, want);

    // Typed columns are filled the way the docs promise.
    let otrf = query_i64(
        &lake,
        "SELECT count(*) FROM cloudtrail WHERE sourceobject LIKE '%otrf%' \
         AND eventtime = to_timestamp(eventjson->>'@timestamp')",
    );
    assert_eq!(otrf, 103, "Logstash @timestamp becomes eventtime");
    let datadog = query_i64(
        &lake,
        "SELECT count(*) FROM cloudtrail WHERE sourceobject LIKE '%cloudtrail2sightings%' \
         AND sourceipaddress IS NOT NULL AND useragent LIKE 'stratus-red-team%'",
    );
    assert_eq!(
        datadog, 15,
        "Datadog's network.client.ip and http.useragent fill the columns"
    );
    let console = query_i64(
        &lake,
        "SELECT count(*) FROM cloudtrail WHERE sessionCredentialFromConsole AND userIdentity.type = 'Root'",
    );
    assert_eq!(console, 3, "the string \"true\" is a boolean true");
    // Deep struct paths, written in CloudTrail's own casing, match the input.
    let roles = expected
        .iter()
        .filter(|r| {
            r.pointer("/userIdentity/sessionContext/sessionIssuer/type")
                .and_then(Value::as_str)
                == Some("Role")
        })
        .count();
    assert!(roles > 50);
    let mixed_case = query_i64(
        &lake,
        "SELECT count(*) FROM cloudtrail WHERE userIdentity.sessionContext.sessionIssuer.type = 'Role'",
    );
    assert_eq!(mixed_case as usize, roles);
}

/// The rows of a file as sorted runs in (account, region, time) order: how many rows
/// each run has. Every row must be of the file's day.
fn sorted_runs(f: &std::path::Path, date: &str) -> Vec<usize> {
    let batches: Vec<_> = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        std::fs::File::open(f).unwrap(),
    )
    .unwrap()
    .build()
    .unwrap()
    .map(|b| b.unwrap())
    .collect();
    let mut runs = Vec::new();
    let mut prev: Option<(String, String, i64)> = None;
    for b in &batches {
        let t = b
            .column_by_name("eventtime")
            .unwrap()
            .as_primitive::<TimestampMillisecondType>();
        let acct = b
            .column_by_name("recipientaccountid")
            .unwrap()
            .as_string::<i32>();
        let region = b.column_by_name("awsregion").unwrap().as_string::<i32>();
        for i in 0..b.num_rows() {
            assert_eq!(trawl_cloudtrail::utc_date(t.value(i)), date);
            let key = (
                acct.value(i).to_string(),
                region.value(i).to_string(),
                t.value(i),
            );
            match &prev {
                Some(p) if p <= &key => *runs.last_mut().unwrap() += 1,
                _ => runs.push(1),
            }
            prev = Some(key);
        }
    }
    runs
}

#[test]
fn lake_layout_is_partitioned_sorted_and_indexed() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("archive");
    generate(
        &archive,
        &["--events", "6000", "--days", "2", "--accounts", "3"],
    );
    let lake = tmp.path().join("lake");
    // Chunks of 1 MiB of rows: the run is sorted and written in several chunks.
    let (code, s) = convert_json(
        &[&archive],
        &lake,
        &["--max-rows-per-file", "1000", "--memory-limit", "2M"],
    );
    assert_eq!(code, 0, "{s:#}");
    let files = parquet_files(&lake.join("cloudtrail"));
    assert!(
        parquet_files(&lake).len() == files.len(),
        "no Parquet outside the table (staging is gone)"
    );
    let mut dates: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for f in &files {
        let dir = f
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let date = dir.strip_prefix("date=").expect("Hive partition directory");
        let reader = SerializedFileReader::new(std::fs::File::open(f).unwrap()).unwrap();
        let meta = reader.metadata();
        let kv = meta.file_metadata().key_value_metadata().unwrap();
        assert!(kv.iter().any(|k| k.key == "trawl.schema_version"));
        let rg = meta.row_group(0);
        // Several chunks' sorted runs in one file: the file must not claim an order
        // (DataFusion would take the first row group's claim for the whole file's).
        assert!(rg.sorting_columns().is_none(), "{}", f.display());
        for c in rg.columns() {
            assert!(
                matches!(c.compression(), parquet::basic::Compression::ZSTD(_)),
                "{}",
                c.column_path()
            );
        }
        let eventid = rg
            .columns()
            .iter()
            .find(|c| c.column_path().string() == "eventid")
            .unwrap();
        assert!(
            eventid.bloom_filter_offset().is_some(),
            "bloom filter on eventid"
        );
        assert!(
            rg.column(0).column_index_offset().is_some(),
            "page index written"
        );
        assert!(meta.file_metadata().num_rows() <= 1000);
        dates
            .entry(date.to_string())
            .or_default()
            .push(meta.file_metadata().num_rows());
        // Rows: all of this partition's day, in sorted runs: each chunk of the run
        // (about a dozen of 1 MiB) appends one run to the day's file.
        let runs = sorted_runs(f, date);
        assert_eq!(
            runs.iter().sum::<usize>() as i64,
            meta.file_metadata().num_rows()
        );
        assert!(runs.len() <= 16, "{}: runs of {runs:?} rows", f.display());
    }
    // One file per day of the run up to the cap, though the run wrote many chunks: each
    // day's files are full but the last.
    for (day, rows) in &dates {
        let total: i64 = rows.iter().sum();
        assert_eq!(rows.len() as i64, (total + 999) / 1000, "{day}: {rows:?}");
        assert_eq!(
            rows.iter().filter(|&&n| n < 1000).count(),
            usize::from(total % 1000 != 0)
        );
    }
    assert_eq!(
        dates.values().flatten().sum::<i64>() as u64,
        s["records"]["written"].as_u64().unwrap()
    );
    // Partition values surface as a `date` column and prune.
    let day = dates.keys().next().unwrap().clone();
    let n = query_i64(
        &lake,
        &format!("SELECT count(*) FROM cloudtrail WHERE \"date\" = DATE '{day}'"),
    );
    assert_eq!(n, dates[&day].iter().sum::<i64>());

    // Compacted, each day is one sorted sequence, and its files say so.
    let out = run(&["compact", "--lake", lake.to_str().unwrap(), "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for f in parquet_files(&lake.join("cloudtrail")) {
        let reader = SerializedFileReader::new(std::fs::File::open(&f).unwrap()).unwrap();
        let meta = reader.metadata();
        assert!(
            meta.row_group(0)
                .sorting_columns()
                .is_some_and(|s| s.len() == 3)
        );
        let date = f.parent().unwrap().file_name().unwrap().to_string_lossy();
        let date = date.strip_prefix("date=").unwrap();
        assert_eq!(sorted_runs(&f, date).len(), 1, "{}", f.display());
    }
}

#[test]
fn reruns_convert_only_what_is_new_and_duplicates_are_dropped() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("archive");
    generate(
        &archive,
        &["--events", "3000", "--days", "1", "--seed", "1"],
    );
    let lake = tmp.path().join("lake");
    let (code, first) = convert_json(&[&archive], &lake, &[]);
    assert_eq!(code, 0, "{first:#}");
    let files = first["files"]["found"].as_u64().unwrap();
    let written = first["records"]["written"].as_u64().unwrap();
    assert_eq!(written, 3000, "duplicate deliveries are dropped: {first:#}");
    assert!(
        first["records"]["duplicates"].as_u64().unwrap() > 0,
        "the generator delivers some events twice"
    );
    assert!(
        first["files"]["skipped"].as_u64().unwrap() > 0,
        "digest files are recognised and skipped"
    );

    let (code, again) = convert_json(&[&archive], &lake, &[]);
    assert_eq!(code, 0);
    assert_eq!(again["files"]["already_converted"], files);
    assert_eq!(again["records"]["read"], 0);
    assert_eq!(query_i64(&lake, "SELECT count(*) FROM cloudtrail"), 3000);

    // New deliveries arrive: only they are converted.
    generate(
        &archive,
        &[
            "--events",
            "1000",
            "--days",
            "1",
            "--seed",
            "2",
            "--start",
            "2026-04-01",
        ],
    );
    let (code, third) = convert_json(&[&archive], &lake, &[]);
    assert_eq!(code, 0);
    assert_eq!(third["files"]["already_converted"], files);
    assert_eq!(third["records"]["written"], 1000);
    assert_eq!(query_i64(&lake, "SELECT count(*) FROM cloudtrail"), 4000);
    assert_eq!(
        query_i64(&lake, "SELECT count(DISTINCT eventid) FROM cloudtrail"),
        4000
    );
}

#[test]
fn compact_merges_small_files_and_drops_duplicates_across_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("a");
    generate(
        &archive,
        &["--events", "2000", "--days", "2", "--seed", "3"],
    );
    let lake = tmp.path().join("lake");
    assert_eq!(convert_json(&[&archive], &lake, &[]).0, 0);
    // The same events delivered again under other names: a second run keeps them
    // (they are new objects), compaction removes them.
    let copy = tmp.path().join("copy");
    std::fs::create_dir_all(&copy).unwrap();
    let mut n = 0;
    for f in files_under(&archive) {
        if f.to_string_lossy().contains("CloudTrail-Digest") {
            continue;
        }
        n += 1;
        std::fs::copy(&f, copy.join(format!("redelivered-{n}.json.gz"))).unwrap();
        if n == 5 {
            break;
        }
    }
    let (code, s) = convert_json(&[&copy], &lake, &[]);
    assert_eq!(code, 0);
    let redelivered = s["records"]["written"].as_i64().unwrap();
    assert!(redelivered > 0);
    let before = parquet_files(&lake.join("cloudtrail")).len();
    assert_eq!(
        query_i64(&lake, "SELECT count(*) FROM cloudtrail"),
        2000 + redelivered
    );

    let out = run(&["compact", "--lake", lake.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("duplicate events dropped"),
        "{}",
        stderr(&out)
    );
    let after = parquet_files(&lake.join("cloudtrail"));
    assert!(after.len() < before);
    let days: std::collections::BTreeSet<_> = after
        .iter()
        .map(|f| f.parent().unwrap().to_path_buf())
        .collect();
    assert_eq!(days.len(), after.len(), "one file per partition");
    assert_eq!(query_i64(&lake, "SELECT count(*) FROM cloudtrail"), 2000);
    assert_eq!(
        query_i64(&lake, "SELECT count(DISTINCT eventid) FROM cloudtrail"),
        2000
    );
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn record(id: &str, time: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.09","eventTime":"{time}","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","eventID":"{id}","recipientAccountId":"111122223333"}}"#
    )
}

/// `<tmp>/in/` holding one good gzipped delivery file of 50 records (`good-0`..).
fn good_delivery(tmp: &std::path::Path) -> std::path::PathBuf {
    let input = tmp.join("in");
    std::fs::create_dir_all(&input).unwrap();
    let good: Vec<String> = (0..50)
        .map(|i| record(&format!("good-{i}"), "2026-01-02T03:04:05Z"))
        .collect();
    std::fs::write(
        input.join("good.json.gz"),
        gz(format!(r#"{{"Records":[{}]}}"#, good.join(",")).as_bytes()),
    )
    .unwrap();
    input
}

#[test]
fn bad_input_lands_in_rejects_and_never_stops_the_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let input = good_delivery(tmp.path());
    // A truncated gzip: the records before the cut land, the cut one is rejected.
    let many: Vec<String> = (0..400)
        .map(|i| record(&format!("cut-{i}"), "2026-01-02T03:04:05Z"))
        .collect();
    let full = gz(format!(r#"{{"Records":[{}]}}"#, many.join(",")).as_bytes());
    std::fs::write(input.join("truncated.json.gz"), &full[..full.len() / 2]).unwrap();
    // JSON lines with bad records among good ones.
    let lines = [
        record("l1", "2026-01-02T00:00:00Z"),
        "{\"eventVersion\":\"1.08\",\"eventName\":\"NoTime\",\"eventID\":\"x1\"}".to_string(),
        "{\"eventVersion\":\"1.08\",\"eventTime\":\"2026-01-02T00:00:00Z\",\"eventName\":\"NoId\"}".to_string(),
        "{\"eventVersion\":\"1.08\",\"eventTime\":\"2026-01-02T00:00:00Z\",\"eventID\":\"x2\",\"readOnly\":\"perhaps\"}".to_string(),
        "{\"eventVersion\": broken".to_string(),
        record("l2", "2026-01-02T00:00:01Z"),
    ];
    std::fs::write(input.join("lines.jsonl"), lines.join("\n")).unwrap();
    std::fs::write(
        input.join("notes.txt"),
        "these are my notes, not CloudTrail\n",
    )
    .unwrap();
    std::fs::write(input.join("image.bin"), [0u8, 159, 146, 150, 0, 0, 1]).unwrap();

    let lake = tmp.path().join("lake");
    let (code, s) = convert_json(&[&input], &lake, &[]);
    assert_eq!(code, 3, "rejects make a documented non-zero exit: {s:#}");
    let r = &s["records"];
    let read = r["read"].as_u64().unwrap();
    let written = r["written"].as_u64().unwrap();
    let rejected = r["rejected"].as_u64().unwrap();
    assert_eq!(
        read,
        written + r["duplicates"].as_u64().unwrap() + rejected,
        "{s:#}"
    );
    assert_eq!(s["files"]["read"], 5);
    // 50 good + 2 good lines + a prefix of the truncated file.
    assert!(written > 52 && written < 52 + 400, "{s:#}");
    // Rejects: 4 bad lines, the cut record, the text file, the binary file.
    assert_eq!(rejected, 7, "{s:#}");
    let rejects_file = lake.join(s["rejects"][0].as_str().unwrap());
    let rejects: Vec<Value> = std::fs::read_to_string(&rejects_file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rejects.len() as u64, rejected);
    for r in &rejects {
        assert!(
            r["source"].as_str().is_some_and(|s| s.starts_with('/')),
            "{r}"
        );
        assert!(r["reason"].as_str().is_some_and(|s| !s.is_empty()), "{r}");
        assert!(r.get("raw").is_some(), "{r}");
    }
    let reasons: Vec<&str> = rejects
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    for needle in [
        "missing `eventTime`",
        "missing `eventID`",
        "readOnly",
        "invalid JSON",
        "gzip",
        "not CloudTrail",
    ] {
        assert!(
            reasons.iter().any(|r| r.contains(needle)),
            "no reject mentions {needle}: {reasons:#?}"
        );
    }
    let line_reject = rejects
        .iter()
        .find(|r| r["reason"].as_str().unwrap().contains("missing `eventID`"))
        .unwrap();
    assert_eq!(line_reject["line"], 3);
    assert!(
        line_reject["source"]
            .as_str()
            .unwrap()
            .ends_with("lines.jsonl")
    );
    assert_eq!(
        query_i64(&lake, "SELECT count(*) FROM cloudtrail"),
        written as i64
    );
    // The rejected files are in the ledger: a rerun does not reject them again.
    let (code, again) = convert_json(&[&input], &lake, &[]);
    assert_eq!(code, 0);
    assert_eq!(again["records"]["read"], 0);
}

/// File names the object-store path syntax refuses (a tab, a newline) or would
/// rewrite (a percent sign) are converted like any other: the listing used to stop at
/// the first such name and lose the whole run.
#[test]
fn files_with_odd_names_convert_and_their_sourceobject_is_the_real_path() {
    let tmp = tempfile::tempdir().unwrap();
    let input = good_delivery(tmp.path());
    let odd = [
        "tab\there.json",
        "new\nline.json",
        "100%25 done.json",
        "sub dir/x.json",
    ];
    for (i, name) in odd.iter().enumerate() {
        let path = input.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let recs = format!(
            r#"{{"Records":[{}]}}"#,
            record(&format!("odd-{i}"), "2026-01-02T03:04:05Z")
        );
        std::fs::write(&path, recs).unwrap();
    }
    let lake = tmp.path().join("lake");
    let (code, s) = convert_json(&[&input], &lake, &[]);
    assert_eq!(code, 0, "{s:#}");
    assert_eq!(s["files"]["read"], 5, "{s:#}");
    assert_eq!(s["records"]["written"], 54, "{s:#}");
    let out = trawl()
        .args(["sql", "--format", "csv", "--lake"])
        .arg(&lake)
        .args([
            "-c",
            "SELECT sourceobject FROM cloudtrail WHERE eventid LIKE 'odd-%' ORDER BY eventid",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for name in odd {
        let path = input.canonicalize().unwrap().join(name);
        assert!(
            text.contains(path.to_str().unwrap()),
            "{name:?} not in {text}"
        );
    }
    let (code, again) = convert_json(&[&input], &lake, &[]);
    assert_eq!(code, 0);
    assert_eq!(again["records"]["read"], 0, "{again:#}");
}

#[test]
fn kill_9_mid_run_leaves_a_readable_lake_and_a_rerun_finishes_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("archive");
    generate(
        &archive,
        &[
            "--events",
            "40000",
            "--days",
            "2",
            "--events-per-file",
            "40",
        ],
    );
    let lake = tmp.path().join("lake");
    let staging = lake.join("_trawl/staging");
    let mut kills = 0;
    for delay_ms in [150u64, 600, 1500, 3000] {
        let mut child = trawl()
            .args([
                "convert",
                archive.to_str().unwrap(),
                "--lake",
                lake.to_str().unwrap(),
                "--quiet",
            ])
            .spawn()
            .unwrap();
        let start = Instant::now();
        while start.elapsed() < Duration::from_millis(delay_ms) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        child.wait().unwrap();
        // Whatever happened, the table holds only whole files and no staging file
        // is visible to readers.
        for f in parquet_files(&lake.join("cloudtrail")) {
            SerializedFileReader::new(std::fs::File::open(&f).unwrap())
                .expect("every visible file is complete");
        }
        if lake.join("cloudtrail").exists() {
            let n = query_i64(&lake, "SELECT count(*) FROM cloudtrail");
            assert!(
                n == 0 || n == 40000,
                "a run is all or nothing, found {n} rows"
            );
        }
    }
    assert!(kills > 0, "the test must actually kill a run");
    let (code, s) = convert_json(&[&archive], &lake, &[]);
    assert_eq!(code, 0, "{s:#}");
    assert_eq!(query_i64(&lake, "SELECT count(*) FROM cloudtrail"), 40000);
    assert_eq!(
        query_i64(&lake, "SELECT count(DISTINCT eventid) FROM cloudtrail"),
        40000
    );
    assert!(
        !staging.exists() || std::fs::read_dir(&staging).unwrap().next().is_none(),
        "staging cleaned up"
    );
}

#[test]
fn every_delivery_format_through_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let r = |id: &str| record(id, "2026-02-03T04:05:06Z");
    let eb = |id: &str| {
        format!(
            r#"{{"version":"0","id":"e","detail-type":"AWS API Call via CloudTrail","source":"aws.s3","account":"111122223333","time":"2026-02-03T04:05:06Z","region":"us-east-1","resources":[],"detail":{}}}"#,
            r(id)
        )
    };
    std::fs::write(
        input.join("eventbridge.jsonl"),
        format!("{}\n{}\n", eb("eb1"), eb("eb2")),
    )
    .unwrap();
    std::fs::write(
        input.join("firehose-concatenated"),
        format!("{}{}", eb("fh1"), eb("fh2")),
    )
    .unwrap();
    std::fs::write(
        input.join("lookup-events.json"),
        format!(
            r#"{{"Events":[{{"EventId":"lk1","ReadOnly":"true","CloudTrailEvent":{}}}]}}"#,
            serde_json::to_string(&r("lk1")).unwrap()
        ),
    )
    .unwrap();
    std::fs::write(
        input.join("000000.gz"),
        gz(format!(
            "2026-02-03T04:05:07.000Z {}\n2026-02-03T04:05:08.000Z {}\n",
            r("cw1"),
            r("cw2")
        )
        .as_bytes()),
    )
    .unwrap();
    std::fs::write(
        input.join("result_1.csv"),
        format!(
            "eventid,eventjson\nlake1,{}\n",
            serde_json::to_string(&r("lake1"))
                .unwrap()
                .replace("\\\"", "\"\"")
        ),
    )
    .unwrap();
    let insight = r#"{"Records":[{"eventVersion":"1.07","eventTime":"2026-02-03T00:51:00Z","awsRegion":"us-east-1","eventID":"ins1","eventType":"AwsCloudTrailInsight","recipientAccountId":"111122223333","sharedEventID":"S1","eventCategory":"Insight","insightDetails":{"state":"Start","eventSource":"ssm.amazonaws.com","eventName":"UpdateInstanceInformation","insightType":"ApiCallRateInsight"}}]}"#;
    std::fs::write(
        input.join("111122223333_CloudTrail-Insight_us-east-1_20260203T0100Z_x.json.gz"),
        gz(insight.as_bytes()),
    )
    .unwrap();
    std::fs::write(
        input.join("pretty.json"),
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(&r("pretty1")).unwrap())
            .unwrap(),
    )
    .unwrap();
    std::fs::write(
        input.join("digest.json"),
        r#"{"awsAccountId":"1","digestStartTime":"2026-02-03T00:00:00Z","digestEndTime":"2026-02-03T01:00:00Z","logFiles":[]}"#,
    )
    .unwrap();
    let lake = tmp.path().join("lake");
    let (code, s) = convert_json(&[&input], &lake, &[]);
    assert_eq!(code, 0, "{s:#}");
    assert_eq!(s["records"]["written"], 10, "{s:#}");
    assert_eq!(s["records"]["digests_skipped"], 1);
    let ids = strings(
        &query(&lake, "SELECT eventid FROM cloudtrail ORDER BY eventid"),
        0,
    );
    let ids: Vec<String> = ids.into_iter().flatten().collect();
    assert_eq!(
        ids,
        [
            "cw1", "cw2", "eb1", "eb2", "fh1", "fh2", "ins1", "lake1", "lk1", "pretty1"
        ]
    );
    let insight_kept = query_i64(
        &lake,
        "SELECT count(*) FROM cloudtrail WHERE eventcategory = 'Insight' AND (insightdetails->>'insightType') = 'ApiCallRateInsight'",
    );
    assert_eq!(insight_kept, 1);
}

/// `members` copies of one gzip member holding `member_bytes` of `byte`: a small file
/// that inflates to `members * member_bytes`.
fn gzip_bomb(byte: u8, member_bytes: usize, members: usize) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&vec![byte; member_bytes]).unwrap();
    e.finish().unwrap().repeat(members)
}

#[test]
fn hostile_files_are_rejected_with_reasons_in_bounded_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let input = good_delivery(tmp.path());
    // 2 GiB of zeros in about 2 MB, the classic bomb.
    let zeros = gzip_bomb(0, 16 << 20, 128);
    assert!(zeros.len() < 4 << 20, "{}", zeros.len());
    std::fs::write(input.join("zeros.json.gz"), zeros).unwrap();
    // 256 MiB of spaces (text, so only the size cap stops it), over a 32 MiB cap.
    // Four of them, decoded side by side: the budget is per decoder, not per file.
    let spaces = gzip_bomb(b' ', 16 << 20, 16);
    for i in 0..4 {
        let name = if i == 0 {
            "spaces.json.gz".to_string()
        } else {
            format!("spaces-{i}.json.gz")
        };
        std::fs::write(input.join(name), &spaces).unwrap();
    }

    // Invalid UTF-8 in one record of three: that record is a reject, not an altered row.
    let mut lines = format!("{}\n", record("u1", "2026-01-02T03:04:05Z")).into_bytes();
    lines.extend_from_slice(
        &record("u2", "2026-01-02T03:04:05Z")
            .replace("GetObject", "Get\u{1}Object")
            .into_bytes(),
    );
    let at = lines.iter().rposition(|&b| b == 1).unwrap();
    lines[at] = 0xc3;
    lines.extend_from_slice(format!("\n{}\n", record("u3", "2026-01-02T03:04:05Z")).as_bytes());
    std::fs::write(input.join("utf8.jsonl"), lines).unwrap();

    let lake = tmp.path().join("lake");
    let (code, s) = convert_json(
        &[&input],
        &lake,
        &["--max-object-size", "32M", "--jobs", "2"],
    );
    assert_eq!(code, 3, "{s:#}");
    assert_eq!(s["records"]["written"], 52, "{s:#}");
    assert_eq!(s["records"]["rejected"], 6, "{s:#}");
    assert_eq!(
        query_i64(
            &lake,
            "SELECT count(*) FROM cloudtrail WHERE strpos(eventjson, '\u{FFFD}') > 0"
        ),
        0
    );
    let rejects_file = lake.join(s["rejects"][0].as_str().unwrap());
    let reasons: Vec<(String, String)> = std::fs::read_to_string(&rejects_file)
        .unwrap()
        .lines()
        .map(|l| {
            let r: Value = serde_json::from_str(l).unwrap();
            (
                r["source"].as_str().unwrap().to_string(),
                r["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let reason = |file: &str| {
        reasons
            .iter()
            .find(|(s, _)| s.ends_with(file))
            .map(|(_, r)| r.as_str())
            .unwrap_or_else(|| panic!("no reject for {file}: {reasons:?}"))
    };
    assert!(
        reason("zeros.json.gz").contains("binary data"),
        "{reasons:?}"
    );
    assert!(
        reason("spaces.json.gz").contains("inflates to more than 33554432 bytes"),
        "{reasons:?}"
    );
    assert!(
        reason("utf8.jsonl").contains("invalid UTF-8 (bytes c3)"),
        "{reasons:?}"
    );
    // The process's own peak: a baseline and one capped object, not the 2 GiB. Generous:
    // this bounds the order of magnitude, it is not a benchmark.
    let peak = s["peak_rss_bytes"].as_u64().unwrap();
    assert!(peak < 600 << 20, "peak RSS {} MB", peak >> 20);
}
