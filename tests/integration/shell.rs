//! The shell as a daily tool: result headers as written, in every format.

use serde_json::Value;

use crate::sql::real_lake;
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
