//! The shell as a daily tool: result headers as written (every format), `\d`, the
//! pager, `\x auto`, `\save`, `\e`, `\history`, `\explain` and `\watch`, through a
//! real pseudo-terminal.

use std::time::Duration;

use serde_json::Value;

use crate::harness::*;
use crate::sql::want;

#[test]
fn headers_are_named_as_written_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = real_lake(tmp.path());
    let l = lake.to_str().unwrap();
    let q = "SELECT useridentity.arn, userIdentity.sessionContext.sessionIssuer.userName, \
             requestparameters->>'roleArn', json_extract_scalar(responseelements, '$.assumedRoleUser.arn'), \
             eventname AS what FROM cloudtrail WHERE eventname = 'AssumeRole' \
             ORDER BY eventtime, eventid LIMIT 2";
    let names = [
        "useridentity.arn",
        "useridentity.sessioncontext.sessionissuer.username",
        "roleArn",
        "arn",
        "what",
    ];
    let out = |format: &str| {
        let o = run(&["sql", "--lake", l, "--format", format, "-c", q]);
        assert!(o.status.success(), "{format}: {}", stderr(&o));
        String::from_utf8(o.stdout).unwrap()
    };
    let csv = out("csv");
    assert_eq!(csv.lines().next(), Some(names.join(",").as_str()), "{csv}");
    let table = out("table");
    let header = table.lines().nth(1).unwrap();
    let cells: Vec<&str> = header.trim_matches('│').split('┆').map(str::trim).collect();
    assert_eq!(cells, names, "{table}");
    let markdown = out("markdown");
    assert_eq!(
        markdown.lines().next().unwrap(),
        format!("| {} |", names.join(" | "))
    );
    let json: Value = serde_json::from_str(&out("json")).unwrap();
    for row in json.as_array().unwrap() {
        let keys: Vec<&String> = row.as_object().unwrap().keys().collect();
        for k in &keys {
            assert!(names.contains(&k.as_str()), "{k} in {row}");
        }
        assert!(keys.contains(&&"what".to_string()), "{row}");
    }
    for line in out("ndjson").lines() {
        let row: Value = serde_json::from_str(line).unwrap();
        // Nulls are left out of JSON rows, so only the names that are there are checked.
        let keys: Vec<&String> = row.as_object().unwrap().keys().collect();
        assert!(keys.iter().all(|k| names.contains(&k.as_str())), "{row}");
        assert!(row.get("what").is_some(), "{row}");
    }
}

fn spawn_shell(
    lake: &std::path::Path,
    tmp: &std::path::Path,
    env: &[(&str, &str)],
) -> expectrl::Session {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_trawl"));
    cmd.args(["sql", "--lake", lake.to_str().unwrap()])
        .env("TRAWL_HISTORY", tmp.join("history"))
        .env("XDG_CONFIG_HOME", tmp.join("config"))
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env_remove("TRAWL_LAKE")
        .env_remove("VISUAL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut p = expectrl::Session::spawn(cmd).unwrap();
    p.get_process_mut().set_window_size(120, 30).unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(60)));
    want(&mut p, "trawl>");
    p
}

fn quit(mut p: expectrl::Session) {
    p.send_line("\\q").unwrap();
    for _ in 0..100 {
        if !p.is_alive().unwrap_or(false) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("\\q ends the session");
}

#[test]
fn describe_pager_and_expanded_auto() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = real_lake(tmp.path());
    // A pager that marks what it shows.
    let mut p = spawn_shell(&lake, tmp.path(), &[("PAGER", "sed 's/^/paged: /'")]);
    p.send_line("\\d").unwrap();
    want(&mut p, "cloudtrail");
    want(&mut p, "rows");
    want(&mut p, "CloudTrail events, one row per event");
    want(&mut p, "\\d+ adds the information_schema views");
    want(&mut p, "trawl>");
    p.send_line("\\d+").unwrap();
    want(&mut p, "information_schema.tables");
    want(&mut p, "trawl>");
    // Taller than the 30-row terminal: through the pager, grouped and described.
    p.send_line("\\d cloudtrail").unwrap();
    want(&mut p, "paged: identity: who made the call");
    want(&mut p, "useridentity.sessioncontext.sessionissuer.arn");
    want(&mut p, "paged: network: where the call came from");
    want(&mut p, "paged: lineage:");
    want(&mut p, "trawl>");
    p.send_line("\\pager off").unwrap();
    want(&mut p, "pager is off");
    p.send_line("\\d cloudtrail").unwrap();
    // Not paged now: the group line starts a terminal line.
    want(&mut p, "\nidentity: who made the call");
    want(&mut p, "trawl>");
    p.send_line("\\pager auto").unwrap();
    want(&mut p, "pager is auto");
    // A short result fits, and is not paged.
    p.send_line("SELECT 'short' AS fits;").unwrap();
    want(&mut p, "\n│ short");
    want(&mut p, "trawl>");
    // \x auto: a row wider than the terminal is shown one field per line.
    p.send_line("\\x auto").unwrap();
    want(&mut p, "expanded output is auto");
    p.send_line("SELECT 'narrow' AS n;").unwrap();
    want(&mut p, "│ narrow");
    want(&mut p, "trawl>");
    p.send_line(
        "SELECT eventjson AS a, eventjson AS b, eventjson AS c FROM cloudtrail ORDER BY eventid LIMIT 1;",
    )
    .unwrap();
    want(&mut p, "RECORD 1");
    want(&mut p, "trawl>");
    quit(p);
}

#[test]
fn save_edit_history_explain_and_watch() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = real_lake(tmp.path());
    let editor = tmp.path().join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nprintf 'SELECT %s AS how;\\n' \"'edited'\" > \"$1\"\n",
    )
    .unwrap();
    let status = std::process::Command::new("chmod")
        .arg("+x")
        .arg(&editor)
        .status()
        .unwrap();
    assert!(status.success());
    let mut p = spawn_shell(
        &lake,
        tmp.path(),
        &[("PAGER", "cat"), ("EDITOR", editor.to_str().unwrap())],
    );
    // A query with a placeholder fails to run without a value, and is saved with it.
    p.send_line(
        "SELECT eventname, count(*) AS n FROM cloudtrail WHERE eventsource = $source \
         GROUP BY eventname ORDER BY n DESC, eventname;",
    )
    .unwrap();
    want(&mut p, "error");
    want(&mut p, "trawl>");
    p.send_line("\\save by_source Events of one service")
        .unwrap();
    want(&mut p, "saved");
    want(&mut p, "\\run by_source source=...");
    want(&mut p, "trawl>");
    let saved =
        std::fs::read_to_string(tmp.path().join("config/trawl/queries/by_source.sql")).unwrap();
    assert!(
        saved.starts_with("-- title: Events of one service\n"),
        "{saved}"
    );
    assert!(
        saved.contains("-- param: source string required\n"),
        "{saved}"
    );
    p.send_line("\\run by_source source=sts.amazonaws.com")
        .unwrap();
    want(&mut p, "AssumeRole");
    want(&mut p, "trawl>");
    // `trawl run` finds it too.
    let out = trawl()
        .args(["run", "by_source", "--lake", lake.to_str().unwrap()])
        .args(["--param", "source=sts.amazonaws.com", "--format", "csv"])
        .env("XDG_CONFIG_HOME", tmp.path().join("config"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("AssumeRole,"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    p.send_line("\\history 2").unwrap();
    want(&mut p, "  \\run by_source source=sts.amazonaws.com");
    want(&mut p, "  \\history 2");
    want(&mut p, "trawl>");
    // \e: the editor's text runs when it exits.
    p.send_line("\\e").unwrap();
    want(&mut p, "SELECT 'edited' AS how");
    want(&mut p, "│ edited");
    want(&mut p, "trawl>");
    // \explain and EXPLAIN ANALYZE: a tree with rows, bytes, time and the partitions.
    p.send_line(
        "\\explain SELECT count(*) FROM cloudtrail WHERE eventtime >= TIMESTAMP '2022-01-01 00:00:00'",
    )
    .unwrap();
    want(&mut p, "DataSourceExec");
    want(&mut p, "rows=");
    want(&mut p, "bytes=");
    want(&mut p, "time=");
    want(&mut p, "date= partitions");
    want(&mut p, "pruned ");
    want(&mut p, "rows in");
    want(&mut p, "trawl>");
    p.send_line("EXPLAIN ANALYZE SELECT eventname FROM cloudtrail LIMIT 3;")
        .unwrap();
    want(&mut p, "DataSourceExec");
    want(&mut p, "3 rows in");
    want(&mut p, "trawl>");
    // \watch runs the last query again until Ctrl-C.
    p.send_line("SELECT 'tick' AS watched;").unwrap();
    want(&mut p, "trawl>");
    p.send_line("\\watch 0.5").unwrap();
    want(&mut p, "Ctrl-C stops");
    want(&mut p, "watched");
    want(&mut p, "Ctrl-C stops");
    want(&mut p, "watched");
    p.send(expectrl::ControlCode::EndOfText).unwrap();
    want(&mut p, "cancelled");
    want(&mut p, "trawl>");
    p.send_line("SELECT 40 + 2 AS answer;").unwrap();
    want(&mut p, "42");
    want(&mut p, "trawl>");
    quit(p);
}
