//! `trawl sql`, `trawl run`, `trawl queries`: Athena-compatible SQL, functions,
//! partition pruning, raw archives, scripts and output formats, and the REPL
//! through a real pseudo-terminal.

use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

use crate::harness::*;

fn one_value(lake: &Path, sql: &str) -> String {
    let csv = sql_csv(lake, sql);
    let mut lines = csv.lines();
    lines.next();
    lines.next().unwrap_or_default().to_string()
}

#[test]
fn athena_and_cloudtrail_lake_queries_run_with_only_the_table_name_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = real_lake(tmp.path());
    let l = lake.as_path();
    // Identifiers in CloudTrail's casing, times compared with strings.
    assert_eq!(
        one_value(
            l,
            "SELECT count(*) FROM cloudtrail WHERE eventTime > '2024-08-01 00:00:00' AND userIdentity.principalID IS NOT NULL AND recipientAccountID IS NOT NULL"
        ),
        one_value(
            l,
            "select count(*) from cloudtrail where eventtime > timestamp '2024-08-01T00:00:00Z' and useridentity.principalid is not null and recipientaccountid is not null"
        ),
    );
    // Trino JSON functions on the JSON text columns.
    assert_eq!(
        one_value(
            l,
            "SELECT count(*) FROM cloudtrail WHERE json_extract_scalar(requestParameters, '$.bucketName') IS NOT NULL"
        ),
        one_value(
            l,
            "SELECT count(*) FROM cloudtrail WHERE element_at(requestParameters, 'bucketName') IS NOT NULL"
        ),
    );
    assert_ne!(
        one_value(
            l,
            "SELECT count(*) FROM cloudtrail WHERE element_at(requestParameters, 'bucketName') IS NOT NULL"
        ),
        "0"
    );
    assert_eq!(
        one_value(
            l,
            "SELECT json_extract_scalar('{\"a\":{\"b\":[1,\"x\"]}}', '$.a.b[1]')"
        ),
        "x"
    );
    assert_eq!(
        one_value(l, "SELECT json_extract('{\"a\":{\"b\":[1,2]}}', '$.a.b')"),
        "\"[1,2]\""
    );
    assert_eq!(
        one_value(
            l,
            "SELECT json_array_length('[1,2,3]'), json_array_get('[1,2,3]', -1)"
        ),
        "3,3"
    );
    assert_eq!(
        one_value(
            l,
            "SELECT to_iso8601(from_iso8601_timestamp('2024-08-01T10:20:30Z'))"
        ),
        "2024-08-01T10:20:30.000Z"
    );
    assert_eq!(
        one_value(
            l,
            "SELECT date_diff('day', TIMESTAMP '2024-08-01T00:00:00Z', TIMESTAMP '2024-08-11T12:00:00Z')"
        ),
        "10"
    );
    assert_eq!(
        one_value(
            l,
            "SELECT to_iso8601(date_add('hour', 3, TIMESTAMP '2024-08-01T22:00:00Z'))"
        ),
        "2024-08-02T01:00:00.000Z"
    );
    assert_eq!(
        one_value(
            l,
            "SELECT count(*) > 0, approx_distinct(sourceipaddress) > 1 FROM cloudtrail WHERE regexp_like(eventname, '^Get') AND cardinality(resources) >= 0 AND split_part(useridentity.arn, '/', 2) <> ''"
        ),
        "true,true"
    );
    // The JSON operators bind tighter than comparisons, as in PostgreSQL.
    assert_eq!(
        one_value(
            l,
            "SELECT count(*) FROM cloudtrail WHERE eventName = 'ConsoleLogin' AND additionalEventData->>'MFAUsed' = 'No'"
        ),
        one_value(
            l,
            "SELECT count(*) FROM cloudtrail WHERE eventName = 'ConsoleLogin' AND json_get_str(additionalEventData, 'MFAUsed') = 'No'"
        ),
    );
    // CloudTrail helpers.
    assert_eq!(
        one_value(
            l,
            "SELECT arn_account(a), principal_name(a), session_name(a), session_issuer(a) FROM (SELECT 'arn:aws:sts::123456789012:assumed-role/Admin/alice' AS a)"
        ),
        "123456789012,Admin,alice,arn:aws:iam::123456789012:role/Admin"
    );
    assert_eq!(
        one_value(
            l,
            "SELECT ip_in_cidr('10.1.2.3', '10.0.0.0/8'), is_private_ip('203.0.113.9'), is_aws_service_source('ec2.amazonaws.com'), useragent_family('aws-cli/2.15.0 Python/3.11')"
        ),
        "true,false,true,cli"
    );
    let families = sql_csv(
        l,
        "SELECT DISTINCT useragent_family(useragent) AS f FROM cloudtrail ORDER BY f",
    );
    assert!(
        families.contains("other") && families.contains("console"),
        "{families}"
    );
}

#[test]
fn time_filters_read_only_the_matching_partitions() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("a");
    generate(
        &archive,
        &["--events", "5000", "--days", "5", "--start", "2026-03-01"],
    );
    let lake = tmp.path().join("lake");
    assert_eq!(convert_json(&[&archive], &lake, &[]).0, 0);
    let plan = |sql: &str| {
        let out = run(&[
            "sql",
            "--lake",
            lake.to_str().unwrap(),
            "--format",
            "csv",
            "--maxrows",
            "all",
            "-c",
            &format!("EXPLAIN {sql}"),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let days = |text: &str| {
        let mut d: Vec<String> = text
            .match_indices("date=2026-")
            .map(|(i, _)| text[i + 5..i + 15].to_string())
            .collect();
        d.sort();
        d.dedup();
        d
    };
    // (count(*) or max() alone are answered from file statistics without a scan.)
    let all = days(&plan(
        "SELECT count(*) FROM cloudtrail WHERE eventjson LIKE '%a%'",
    ));
    assert!(all.len() >= 5, "{all:?}");
    let p = plan(
        "SELECT count(*) FROM cloudtrail WHERE eventjson LIKE '%a%' AND eventTime >= '2026-03-04 00:00:00'",
    );
    assert_eq!(days(&p), vec!["2026-03-04", "2026-03-05"], "{p}");
    let p = plan(
        "SELECT count(*) FROM cloudtrail WHERE eventjson LIKE '%a%' AND eventtime >= TIMESTAMP '2026-03-03T12:00:00Z' - INTERVAL '1 day' AND eventtime < TIMESTAMP '2026-03-03T00:00:00Z'",
    );
    assert_eq!(days(&p), vec!["2026-03-02"], "{p}");
    // And the answers are right.
    let n = one_value(
        &lake,
        "SELECT count(*) FROM cloudtrail WHERE eventTime >= '2026-03-04 00:00:00'",
    );
    let m = one_value(
        &lake,
        "SELECT count(*) FROM cloudtrail WHERE \"date\" >= DATE '2026-03-04'",
    );
    assert_eq!(n, m);
    assert_ne!(n, "0");
}

#[test]
fn raw_archives_answer_like_the_converted_lake() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = real_lake(tmp.path());
    let archive = tmp.path().join("gen");
    generate(
        &archive,
        &["--events", "2000", "--days", "2", "--seed", "9"],
    );
    let genlake = tmp.path().join("genlake");
    assert_eq!(convert_json(&[&archive], &genlake, &[]).0, 0);
    let queries = [
        "SELECT count(*) AS n, count(DISTINCT eventid) AS ids FROM cloudtrail",
        "SELECT eventsource, eventname, count(*) AS n FROM cloudtrail GROUP BY 1, 2 ORDER BY n DESC, 1, 2 LIMIT 20",
        "SELECT useridentity.arn AS p, errorcode, count(*) AS n FROM cloudtrail WHERE errorcode IS NOT NULL GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2",
        "SELECT \"date\", count(*) FROM cloudtrail GROUP BY 1 ORDER BY 1",
        "SELECT eventid, eventtime, sourceipaddress, readonly, requestparameters FROM cloudtrail ORDER BY eventtime, eventid LIMIT 50",
    ];
    for (lake, sources) in [
        (
            &lake,
            real_dirs()
                .iter()
                .map(|d| d.to_string_lossy().to_string())
                .collect::<Vec<_>>(),
        ),
        (&genlake, vec![archive.to_string_lossy().to_string()]),
    ] {
        for q in queries {
            let from_lake = sql_csv(lake, q);
            let mut args = vec![
                "sql".to_string(),
                "--format".into(),
                "csv".into(),
                "-c".into(),
                q.to_string(),
            ];
            for s in &sources {
                args.push("--raw".into());
                args.push(s.clone());
            }
            let out = trawl().args(&args).output().unwrap();
            assert!(out.status.success(), "{}", stderr(&out));
            assert_eq!(String::from_utf8(out.stdout).unwrap(), from_lake, "{q}");
        }
    }
}

#[test]
fn scripts_formats_and_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = real_lake(tmp.path());
    let l = lake.to_str().unwrap();
    let q = "SELECT eventname, count(*) AS n FROM cloudtrail WHERE eventsource = 'sts.amazonaws.com' GROUP BY eventname ORDER BY n DESC, eventname";
    let fmt = |f: &str| {
        let out = run(&["sql", "--lake", l, "--format", f, "-c", q]);
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    insta::assert_snapshot!("sts_table", fmt("table"));
    insta::assert_snapshot!("sts_csv", fmt("csv"));
    insta::assert_snapshot!("sts_markdown", fmt("markdown"));
    let json: Value = serde_json::from_str(&fmt("json")).unwrap();
    assert_eq!(
        json.as_array().unwrap().len(),
        fmt("csv").lines().count() - 1
    );
    assert_eq!(
        fmt("ndjson").lines().count(),
        fmt("csv").lines().count() - 1
    );

    // Several -c and -f, in order; then stdin.
    let file = tmp.path().join("q.sql");
    std::fs::write(
        &file,
        "-- a comment\nSELECT 2 AS two;\nSELECT 3 AS three;\n",
    )
    .unwrap();
    let out = run(&[
        "sql",
        "--lake",
        l,
        "--format",
        "csv",
        "-c",
        "SELECT 1 AS one",
        "-f",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "one\n1\ntwo\n2\nthree\n3\n"
    );
    let mut child = trawl()
        .args(["sql", "--lake", l, "--format", "csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"SELECT count(*) AS n FROM cloudtrail;")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "n\n431\n");

    // Errors: non-zero exit, one clear line on stderr, a suggestion for a typo.
    let out = run(&["sql", "--lake", l, "-c", "SELECT evntname FROM cloudtrail"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("did you mean `eventname`"), "{err}");
    let out = run(&[
        "sql",
        "--lake",
        l,
        "-c",
        "SELECT useridentity.sessioncontext.sessionisuer.arn FROM cloudtrail",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let out = run(&[
        "sql",
        "--lake",
        tmp.path().join("nowhere").to_str().unwrap(),
        "-c",
        "SELECT 1",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not a trawl lake"),
        "{}",
        stderr(&out)
    );
}

/// Rows of a CSV text with a header, by column name (a real CSV reader: JSON cells are
/// quoted with their quotes doubled).
fn csv_rows(text: &str) -> Vec<std::collections::HashMap<String, Option<String>>> {
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    let names: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let schema = Schema::new(
        names
            .iter()
            .map(|n| Field::new(*n, DataType::Utf8, true))
            .collect::<Vec<_>>(),
    );
    let reader = datafusion::arrow::csv::ReaderBuilder::new(std::sync::Arc::new(schema))
        .with_header(true)
        .build(std::io::Cursor::new(text.to_string()))
        .unwrap();
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.unwrap();
        for i in 0..batch.num_rows() {
            rows.push(
                names
                    .iter()
                    .zip(batch.columns())
                    .map(|(n, c)| {
                        let c = c.as_string::<i32>();
                        (
                            n.to_string(),
                            (!c.is_null(i)).then(|| c.value(i).to_string()),
                        )
                    })
                    .collect(),
            );
        }
    }
    rows
}

/// Rows of a Markdown table, by column name (`NULL` as `None`, `\|` unescaped).
fn markdown_rows(text: &str) -> Vec<std::collections::HashMap<String, Option<String>>> {
    let cells = |line: &str| -> Vec<String> {
        let inner = line.trim().trim_start_matches("| ").trim_end_matches(" |");
        inner.split(" | ").map(|c| c.replace("\\|", "|")).collect()
    };
    let mut lines = text.lines().filter(|l| l.starts_with('|'));
    let header = cells(lines.next().unwrap());
    lines
        .skip(1)
        .map(|l| {
            let row = cells(l);
            assert_eq!(row.len(), header.len(), "{l}");
            header
                .iter()
                .cloned()
                .zip(row.into_iter().map(|c| (c != "NULL").then_some(c)))
                .collect()
        })
        .collect()
}

/// `SELECT *` (struct, list, timestamp, boolean and integer columns) plus a map and a
/// timestamp inside a struct, in every format: nested values are JSON text in CSV and
/// Markdown cells, equal to what the JSON formats print, and timestamps are spelled the
/// same way everywhere, top level or nested.
#[test]
fn every_format_prints_every_column_type() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = real_lake(tmp.path());
    let l = lake.to_str().unwrap();
    let q = "SELECT *, map(['name'], [eventname]) AS m, named_struct('at', eventtime) AS nested_time \
             FROM cloudtrail WHERE array_length(resources) >= 1 AND useridentity.arn IS NOT NULL \
             ORDER BY eventtime, eventid LIMIT 3";
    let fmt = |f: &str| {
        let out = run(&["sql", "--lake", l, "--format", f, "-c", q]);
        assert!(out.status.success(), "{f}: {}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let iso = |s: &str| {
        let b = s.as_bytes();
        s.len() >= 20
            && s.ends_with('Z')
            && b[4] == b'-'
            && b[10] == b'T'
            && b[13] == b':'
            && s[..4].chars().all(|c| c.is_ascii_digit())
            && s.trim_end_matches('Z')[19..]
                .strip_prefix('.')
                .is_none_or(|f| f.chars().all(|c| c.is_ascii_digit()))
    };

    let json: Vec<Value> = serde_json::from_str(&fmt("json")).unwrap();
    assert_eq!(json.len(), 3);
    let ndjson: Vec<Value> = fmt("ndjson")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(ndjson, json);
    for row in &json {
        let who = &row["useridentity"];
        assert!(who["type"].is_string(), "{who}");
        assert!(who["arn"].as_str().unwrap().starts_with("arn:"), "{who}");
        let resources = row["resources"].as_array().unwrap();
        assert!(!resources.is_empty() && resources.iter().all(Value::is_object));
        let time = row["eventtime"].as_str().unwrap();
        assert!(iso(time), "{time}");
        assert_eq!(row["nested_time"]["at"], row["eventtime"]);
        assert_eq!(row["m"]["name"], row["eventname"]);
        assert!(row["sourceindex"].is_u64(), "{row}");
    }

    for (format, rows) in [
        ("csv", csv_rows(&fmt("csv"))),
        ("markdown", markdown_rows(&fmt("markdown"))),
    ] {
        assert_eq!(rows.len(), json.len(), "{format}");
        for (row, want) in rows.iter().zip(&json) {
            let cell = |c: &str| row[c].clone().unwrap_or_else(|| panic!("{format} {c}"));
            for c in ["useridentity", "resources", "m", "nested_time"] {
                let v: Value = serde_json::from_str(&cell(c))
                    .unwrap_or_else(|e| panic!("{format} {c}: {e}: {}", cell(c)));
                assert_eq!(v, want[c], "{format} {c}");
            }
            assert_eq!(cell("eventtime"), want["eventtime"].as_str().unwrap());
            assert_eq!(cell("sourceindex"), want["sourceindex"].to_string());
            if let Some(b) = want["managementevent"].as_bool() {
                assert_eq!(cell("managementevent"), b.to_string(), "{format}");
            }
        }
    }

    // The table cuts long cells, but spells values the same way.
    let table = fmt("table");
    for want in &json {
        assert!(
            table.contains(want["eventtime"].as_str().unwrap()),
            "{table}"
        );
    }
    assert!(table.contains("{\"type\":"), "{table}");
    assert!(table.contains("…"), "{table}");
}

/// CloudTrail Lake's columns that records lack read as VARCHAR NULL when named, in the
/// select list, a filter or qualified; `SELECT *` keeps the table's own columns.
#[test]
fn cloudtrail_lake_only_columns_read_as_typed_nulls() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = real_lake(tmp.path());
    let csv = sql_csv(
        &lake,
        "SELECT c.eventid, annotation, c.eventJsonChecksum, arrow_typeof(annotation) AS ta, \
         arrow_typeof(eventjsonchecksum) AS tc, arrow_typeof(eventname) AS te FROM cloudtrail c \
         WHERE annotation IS NULL ORDER BY eventid LIMIT 2",
    );
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("eventid,annotation,eventjsonchecksum,ta,tc,te")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{csv}");
    for row in rows {
        let cells: Vec<&str> = row.split(',').collect();
        assert!(!cells[0].is_empty(), "{row}");
        // NULL, of the type the table's own string columns have.
        assert_eq!(&cells[1..3], ["", ""], "{row}");
        assert!(cells[3].starts_with("Utf8"), "{row}");
        assert_eq!(cells[3], cells[5], "{row}");
        assert_eq!(cells[4], cells[5], "{row}");
    }
    assert_eq!(
        one_value(
            &lake,
            "SELECT count(*) FROM cloudtrail WHERE eventjsonchecksum IS NULL"
        ),
        "431"
    );
    let header = sql_csv(&lake, "SELECT * FROM cloudtrail LIMIT 1");
    let header = header.lines().next().unwrap();
    assert!(header.starts_with("eventversion,eventtime,"), "{header}");
    assert!(!header.contains("annotation"), "{header}");
    // A real column of that name is not shadowed.
    assert_eq!(
        one_value(
            &lake,
            "WITH t AS (SELECT 'x' AS annotation) SELECT annotation FROM t"
        ),
        "x"
    );
}

#[test]
fn saved_queries_list_and_run_with_bound_parameters() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = real_lake(tmp.path());
    let l = lake.to_str().unwrap();
    let out = run(&["queries", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap())
        .collect();
    for id in [
        "access_key_activity",
        "principal_activity",
        "resource_activity",
        "console_logins",
        "errors_by_principal",
        "activity_by_source_ip",
        "new_regions",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    for q in list.as_array().unwrap() {
        assert!(q["kind"] == "investigation" || q["kind"] == "detection");
        assert!(q["path"].as_str().unwrap().starts_with("builtin:"));
        assert!(!q["title"].as_str().unwrap().is_empty());
    }

    let key = one_value(
        &lake,
        "SELECT useridentity.accesskeyid FROM cloudtrail WHERE useridentity.accesskeyid IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
    );
    let out = run(&[
        "run",
        "access_key_activity",
        "--lake",
        l,
        "--format",
        "csv",
        "--param",
        &format!("access_key={key}"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = String::from_utf8(out.stdout).unwrap();
    let expected = one_value(
        &lake,
        &format!("SELECT count(*) FROM cloudtrail WHERE useridentity.accesskeyid = '{key}'"),
    );
    assert_eq!((rows.lines().count() - 1).to_string(), expected);

    // Bound, never pasted: a quote in a value is just a character.
    let out = run(&[
        "run",
        "access_key_activity",
        "--lake",
        l,
        "--format",
        "csv",
        "--param",
        "access_key=x' OR '1'='1",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().lines().count(),
        1,
        "only the header"
    );

    let out = run(&["run", "access_key_activity", "--lake", l]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("required"), "{}", stderr(&out));
    let out = run(&["run", "console_logins", "--lake", l, "--param", "limit=ten"]);
    assert!(stderr(&out).contains("not an integer"), "{}", stderr(&out));
    for id in ["principal_activity", "resource_activity"] {
        let out = run(&[
            "run",
            id,
            "--lake",
            l,
            "--format",
            "csv",
            "-p",
            if id == "principal_activity" {
                "principal=alice"
            } else {
                "resource=x"
            },
        ]);
        assert!(out.status.success(), "{id}: {}", stderr(&out));
    }
    for id in [
        "console_logins",
        "errors_by_principal",
        "activity_by_source_ip",
        "new_regions",
    ] {
        let out = run(&["run", id, "--lake", l, "--format", "csv"]);
        assert!(out.status.success(), "{id}: {}", stderr(&out));
        assert!(
            String::from_utf8(out.stdout).unwrap().lines().count() > 1,
            "{id} found nothing on the real corpora"
        );
    }
}

/// Waits for `needle`; on a timeout, fails with what the terminal showed instead.
pub(crate) fn want(p: &mut expectrl::Session, needle: &str) {
    if let Err(e) = p.expect(needle) {
        let mut seen = vec![0u8; 1 << 16];
        let n = p.try_read(&mut seen).unwrap_or(0);
        panic!(
            "waiting for {needle:?}: {e}; the terminal showed: {:?}",
            String::from_utf8_lossy(&seen[..n])
        );
    }
}

#[test]
fn repl_in_a_pseudo_terminal() {
    use expectrl::{ControlCode, Session};
    let tmp = tempfile::tempdir().unwrap();
    let lake = real_lake(tmp.path());
    let history = tmp.path().join("history");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_trawl"));
    cmd.args(["sql", "--lake", lake.to_str().unwrap()])
        .env("TRAWL_HISTORY", &history)
        .env("NO_COLOR", "1")
        // Results taller than the terminal would wait in `less`.
        .env("PAGER", "cat")
        // CI may run without TERM; rustyline then falls back to a plain reader.
        .env("TERM", "xterm");
    let mut p = Session::spawn(cmd).unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(60)));
    want(&mut p, "trawl>");
    // A statement over two lines runs when the `;` arrives.
    p.send_line("SELECT count(*) AS total").unwrap();
    p.send_line("FROM cloudtrail;").unwrap();
    want(&mut p, "431");
    want(&mut p, "trawl>");
    // Tab completes a struct path.
    p.send("SELECT count(DISTINCT useridentity.sessioncontext.sessioni")
        .unwrap();
    p.send("\t").unwrap();
    want(&mut p, "sessionissuer");
    p.send_line(".arn) AS roles FROM cloudtrail;").unwrap();
    want(&mut p, "roles");
    want(&mut p, "trawl>");
    // Meta-commands.
    p.send_line("\\d cloudtrail").unwrap();
    want(&mut p, "useridentity.sessioncontext.sessionissuer.arn");
    want(&mut p, "trawl>");
    p.send_line("\\timing on").unwrap();
    want(&mut p, "timing is on");
    want(&mut p, "trawl>");
    p.send_line("\\queries").unwrap();
    want(&mut p, "access_key_activity");
    want(&mut p, "trawl>");
    p.send_line("\\x").unwrap();
    want(&mut p, "expanded output is on");
    want(&mut p, "trawl>");
    p.send_line("SELECT eventname FROM cloudtrail WHERE eventname = 'StopLogging' LIMIT 1;")
        .unwrap();
    want(&mut p, "RECORD 1");
    want(&mut p, "Time:");
    want(&mut p, "trawl>");
    p.send_line("\\x").unwrap();
    // An error keeps the session.
    want(&mut p, "trawl>");
    p.send_line("SELECT nosuchcolumn FROM cloudtrail;").unwrap();
    want(&mut p, "unknown column");
    // Ctrl-C cancels a long query and keeps the session.
    want(&mut p, "trawl>");
    p.send_line("SELECT count(*) FROM cloudtrail a, cloudtrail b, cloudtrail c, cloudtrail d WHERE a.eventid < b.eventid;").unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    p.send(ControlCode::EndOfText).unwrap();
    want(&mut p, "cancelled");
    want(&mut p, "trawl>");
    p.send_line("SELECT 40 + 2 AS answer;").unwrap();
    want(&mut p, "42");
    want(&mut p, "trawl>");
    // Ctrl-D leaves.
    p.send(ControlCode::EndOfTransmission).unwrap();
    let mut exited = false;
    for _ in 0..100 {
        if !p.is_alive().unwrap_or(false) {
            exited = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(exited, "Ctrl-D ends the session");
    let saved = std::fs::read_to_string(&history).unwrap();
    assert!(
        saved.contains("FROM cloudtrail;"),
        "history is kept: {saved}"
    );
}

/// A reader that stops early (`| head`) ends trawl quietly: no panic, no error line.
#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let tmp = tempfile::tempdir().unwrap();
    let lake = real_lake(tmp.path());
    let l = lake.to_str().unwrap();
    let spawn = |args: &[&str]| {
        trawl()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    for args in [
        vec!["queries", "--format", "json"],
        vec!["sql", "--lake", l, "-c", "SELECT * FROM range(300000)"],
        vec![
            "sql",
            "--lake",
            l,
            "--format",
            "csv",
            "-c",
            "SELECT * FROM range(300000)",
        ],
        vec![
            "hunt",
            "--lake",
            l,
            "--format",
            "ndjson",
            "--min-severity",
            "info",
        ],
    ] {
        let mut child = spawn(&args);
        let mut first = [0u8; 64];
        let n = child.stdout.as_mut().unwrap().read(&mut first).unwrap();
        assert!(n > 0, "{args:?} printed nothing");
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = stderr(&out);
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
    // stderr closed from the start (`trawl hunt 2>&1 | head` once head has gone): the
    // notes and errors it would carry are dropped, and the command's own output and
    // exit status are what they would have been.
    for (args, code, printed) in [
        (
            vec!["hunt", "--lake", l, "--format", "ndjson"],
            4,
            Some("\"incident\""),
        ),
        (
            vec!["sql", "--lake", l, "-c", "SELECT no_such_column"],
            1,
            None,
        ),
    ] {
        let mut child = spawn(&args);
        drop(child.stderr.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?} with stderr closed");
        if let Some(printed) = printed {
            let text = String::from_utf8(out.stdout).unwrap();
            assert!(
                text.lines().any(|l| l.contains(printed)),
                "{args:?} printed no {printed} with stderr closed"
            );
        }
    }
}

/// Row groups a query considers, from its `EXPLAIN ANALYZE` (the statistics
/// pruning's total: those the scan did not rule out before it).
fn row_groups_considered(lake: &Path, sql: &str) -> u64 {
    let plan = sql_csv(lake, &format!("EXPLAIN ANALYZE {sql}"));
    let at = plan
        .find("row_groups_pruned_statistics=")
        .unwrap_or_else(|| panic!("no row group metrics in {plan}"));
    plan[at + "row_groups_pruned_statistics=".len()..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unreadable row group metrics in {plan}"))
}

#[test]
fn a_key_or_principal_skips_the_row_groups_its_bloom_filters_rule_out() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("archive");
    generate(
        &archive,
        &["--events", "6000", "--accounts", "2", "--days", "1"],
    );
    let lake = tmp.path().join("lake");
    // A small memory limit: small row groups, so that a key is absent from some.
    let (code, _) = convert_json(&[&archive], &lake, &["--memory-limit", "2M"]);
    assert_eq!(code, 0);
    let key = one_value(
        &lake,
        "SELECT useridentity.accesskeyid FROM cloudtrail WHERE useridentity.accesskeyid \
         IS NOT NULL GROUP BY 1 ORDER BY count(*), 1 LIMIT 1",
    );
    let arn = one_value(
        &lake,
        &format!(
            "SELECT min(useridentity.arn) FROM cloudtrail WHERE useridentity.accesskeyid = '{key}'"
        ),
    );
    // The same rows as a filter the bloom filters cannot serve (concat hides the field).
    for (needle, plain) in [
        (
            format!("useridentity.accesskeyid = '{key}'"),
            format!("concat(useridentity.accesskeyid, '') = '{key}'"),
        ),
        (
            format!("useridentity.arn IN ('{arn}', 'arn:aws:iam::000000000000:user/nobody')"),
            format!("concat(useridentity.arn, '') = '{arn}'"),
        ),
        (
            "useridentity.principalid = 'AIDANOBODYHERE' AND eventname IS NOT NULL".to_string(),
            "concat(useridentity.principalid, '') = 'AIDANOBODYHERE'".to_string(),
        ),
    ] {
        let sql = |filter: &str| {
            format!("SELECT count(*), min(eventid), max(eventid) FROM cloudtrail WHERE {filter}")
        };
        assert_eq!(
            sql_csv(&lake, &sql(&needle)),
            sql_csv(&lake, &sql(&plain)),
            "{needle}"
        );
        let (pruned, all) = (
            row_groups_considered(&lake, &sql(&needle)),
            row_groups_considered(&lake, &sql(&plain)),
        );
        assert!(
            all > 1 && pruned < all,
            "{needle}: {pruned} of {all} row groups"
        );
    }
    assert_ne!(
        one_value(
            &lake,
            &format!("SELECT count(*) FROM cloudtrail WHERE useridentity.accesskeyid = '{key}'")
        ),
        "0"
    );
}

#[test]
fn damaged_and_foreign_lake_files_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("archive");
    generate(
        &archive,
        &["--events", "3000", "--accounts", "1", "--days", "2"],
    );
    let lake = tmp.path().join("lake");
    let (code, _) = convert_json(&[&archive], &lake, &[]);
    assert_eq!(code, 0);
    let files = parquet_files(&lake.join("cloudtrail"));
    assert!(files.len() >= 2, "{files:?}");
    // A stray non-Parquet file is not a lake file: ignored.
    std::fs::write(files[0].parent().unwrap().join("README.txt"), "notes").unwrap();
    assert_eq!(one_value(&lake, "SELECT count(*) FROM cloudtrail"), "3000");

    // A file cut off (a copy interrupted, a full disk).
    let cut = &files[0];
    let bytes = std::fs::read(cut).unwrap();
    std::fs::write(cut, &bytes[..bytes.len() / 2]).unwrap();
    let run = |sql: &str| {
        trawl()
            .args(["sql", "--lake"])
            .arg(&lake)
            .args(["-c", sql])
            .output()
            .unwrap()
    };
    let out = run("SELECT count(*) FROM cloudtrail");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "damaged lake file: {}: no Parquet footer",
            cut.display()
        )),
        "{err}"
    );
    // The session itself is fine: what does not read the table answers.
    let out = run("SELECT 1 + 1");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Also with the lake named relative to the working directory: its files are the
    // lake's own, not foreign ones whose footers are read before anything runs.
    let relative = |sql: &str| {
        trawl()
            .current_dir(tmp.path())
            .args(["sql", "--lake", "lake", "-c", sql])
            .output()
            .unwrap()
    };
    let out = relative("SELECT 1 + 1");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = relative("SELECT count(*) FROM cloudtrail");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("damaged lake file: "), "{err}");
    assert!(!err.contains("not one of the lake's files"), "{err}");

    // A Parquet file of another tool among the lake's.
    std::fs::write(cut, &bytes).unwrap();
    let foreign = files[1].parent().unwrap().join("part-foreign.parquet");
    {
        use datafusion::arrow::array::{Int64Array, RecordBatch};
        use datafusion::arrow::datatypes::{DataType, Field, Schema};
        let schema = std::sync::Arc::new(Schema::new(vec![Field::new(
            "eventname",
            DataType::Int64,
            false,
        )]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![std::sync::Arc::new(Int64Array::from(vec![1, 2]))],
        )
        .unwrap();
        let mut w = parquet::arrow::ArrowWriter::try_new(
            std::fs::File::create(&foreign).unwrap(),
            schema,
            None,
        )
        .unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
    }
    // Its rows would join the table's, with nulls where the columns differ: the lake is
    // refused until it is moved away, and the message names it.
    let out = run("SELECT eventname, count(*) FROM cloudtrail GROUP BY 1");
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        err.contains(&format!(
            "{} is not one of the lake's files (not a trawl lake file: no eventtime column",
            foreign.display()
        )),
        "{err}"
    );
    std::fs::remove_file(&foreign).unwrap();
    assert_eq!(one_value(&lake, "SELECT count(*) FROM cloudtrail"), "3000");
}

#[test]
fn a_bad_query_file_is_left_out_and_named_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mine.sql"),
        "-- title: Mine\nSELECT 41 + 1 AS answer\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("broken.sql"),
        "-- title: x\n-- severity: extreme\nSELECT 1\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("binary.sql"), b"\xff\xfe-- title: z\n").unwrap();
    let out = trawl()
        .arg("queries")
        .arg("--queries")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("query file left out")
            && err.contains("broken.sql: unknown severity `extreme`"),
        "{err}"
    );
    assert!(err.contains("binary.sql"), "{err}");
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.contains("mine") && listed.contains("cloudtrail_stop_logging"),
        "{listed}"
    );
    let run = |id: &str| {
        trawl()
            .args(["run", id, "-q", "--format", "csv", "--queries"])
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let out = run("mine");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("42"));
    let out = run("broken");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown severity `extreme`"),
        "{}",
        stderr(&out)
    );
    // A statement that names no query does not read the library: no warning, and
    // (what this is for) no time spent parsing every query's header at start.
    let out = trawl()
        .args([
            "sql",
            "-c",
            "SELECT 41 + 1 AS answer",
            "--format",
            "csv",
            "--queries",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("42"));
    assert!(!stderr(&out).contains("left out"), "{}", stderr(&out));
}

/// trawl restarts itself once with glibc's malloc arenas limited to one per core when
/// it decodes on every core or runs long (convert, `--raw`, hunt...: the peak memory of
/// `convert` halves), keeps a limit the user set, and does not restart for a query over
/// a lake (a second start is half of a short query's time).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn malloc_arenas_are_limited_where_trawl_decodes_unless_the_user_chose() {
    use std::process::Stdio;
    let raw = fixture("real/otrf-security-datasets");
    let arena_max = |args: &[&std::ffi::OsStr], preset: Option<&str>| -> Option<String> {
        let mut cmd = trawl();
        cmd.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .env_remove("MALLOC_ARENA_MAX");
        if let Some(v) = preset {
            cmd.env("MALLOC_ARENA_MAX", v);
        }
        let mut child = cmd.spawn().unwrap();
        // The shell waits on stdin; read the environment of the process it runs in
        // (the same pid after exec), once the restart had time to happen.
        let environ = format!("/proc/{}/environ", child.id());
        let mut found = None;
        for _ in 0..20 {
            std::thread::sleep(std::time::Duration::from_millis(50));
            let env = std::fs::read(&environ).unwrap_or_default();
            found = env
                .split(|&b| b == 0)
                .filter_map(|kv| std::str::from_utf8(kv).ok())
                .find_map(|kv| kv.strip_prefix("MALLOC_ARENA_MAX=").map(str::to_string));
            if found.is_some() {
                break;
            }
        }
        drop(child.stdin.take());
        let status = child.wait().unwrap();
        assert!(status.success(), "{args:?}: {status}");
        found
    };
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
    let sql_raw = ["sql".as_ref(), "--raw".as_ref(), raw.as_os_str()];
    assert_eq!(arena_max(&sql_raw, None), Some(cores.to_string()));
    assert_eq!(arena_max(&sql_raw, Some("7")), Some("7".to_string()));
    // The bundled sample lake.
    assert_eq!(arena_max(&["sql".as_ref()], None), None);
}

/// Opening a lake takes the table's schema from the ledger, reading no footer: it must
/// be the schema inferring it from every file gives, or queries would differ. A file
/// the ledger does not know (a user's own Parquet) brings inference back.
#[test]
fn the_schema_from_the_ledger_is_the_schema_of_the_files() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = real_lake(tmp.path());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let schemas = |lake: &Path| {
        rt.block_on(async {
            use datafusion::catalog::TableProvider;
            let ctx = trawl_engine::new_session().unwrap();
            trawl_engine::register_lake(&ctx, lake).await.unwrap();
            let registered = ctx.table_provider("cloudtrail").await.unwrap().schema();
            let inferred = trawl_engine::lake_table(&ctx, lake).await.unwrap().schema();
            (registered, inferred)
        })
    };
    let (registered, inferred) = schemas(&lake);
    assert_eq!(registered, inferred);
    // The same rows through both.
    assert!(query_i64(&lake, "SELECT count(*) FROM cloudtrail") > 0);
    // A Parquet file of another shape in the table: inferred, its column joins.
    let day = std::fs::read_dir(lake.join("cloudtrail"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.is_dir())
        .unwrap();
    let status = trawl()
        .args(["sql", "--lake"])
        .arg(&lake)
        .args(["-c"])
        .arg(format!(
            "COPY (SELECT eventtime, 'extra' AS note FROM cloudtrail LIMIT 1) TO '{}/foreign.parquet' STORED AS PARQUET",
            day.display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
    let (registered, inferred) = schemas(&lake);
    assert_eq!(registered, inferred);
    assert!(registered.field_with_name("note").is_ok());
}

/// `trawl convert` keeps DataFusion's statistics of the lake's files; queries answer
/// and plan the same with them, without them, and when a file changed since.
#[test]
fn the_kept_file_statistics_change_no_answer_and_no_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = real_lake(tmp.path());
    let record = lake.join(trawl_engine::FILE_STATS_RECORD);
    assert!(record.is_file(), "convert kept the statistics");
    let queries = [
        "SELECT count(*) AS n, min(eventtime) AS first, max(eventtime) AS last FROM cloudtrail",
        "SELECT eventname, count(*) AS n FROM cloudtrail WHERE eventtime >= '2020-09-01T00:00:00Z' \
         GROUP BY eventname ORDER BY n DESC, eventname LIMIT 5",
        "SELECT count(*) AS n FROM cloudtrail WHERE recipientaccountid = '000000000000'",
        "EXPLAIN SELECT count(*) FROM cloudtrail",
        "EXPLAIN SELECT eventname FROM cloudtrail WHERE eventtime < '2019-01-01T00:00:00Z'",
    ];
    let answers = || -> Vec<String> { queries.iter().map(|q| sql_csv(&lake, q)).collect() };
    let kept = answers();
    assert!(kept[3].contains("count(*)"), "{}", kept[3]);
    std::fs::remove_file(&record).unwrap();
    assert_eq!(answers(), kept, "the same without the record");
    // Converting again with nothing new keeps them again.
    convert_real(&lake);
    assert!(record.is_file());
    // A file touched since: its kept entry is not used, and nothing changes.
    let file = std::fs::read_dir(lake.join("cloudtrail"))
        .unwrap()
        .flatten()
        .flat_map(|d| std::fs::read_dir(d.path()).unwrap().flatten())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "parquet"))
        .unwrap();
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(60))
        .unwrap();
    assert_eq!(answers(), kept, "the same with a file touched since");
}
