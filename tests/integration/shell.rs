//! The shell as a daily tool: result headers as written (every format), `\d`, the
//! pager and `\x auto`, through a real pseudo-terminal.

use std::time::Duration;

use serde_json::Value;

use crate::sql::{real_lake, want};
use crate::util::*;

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
