//! The Athena and CloudTrail Lake compatibility suite: the queries of
//! `tests/fixtures/compat/` (written for this project after the patterns of AWS's
//! documented examples) run with `trawl sql` on a lake of the real fixture logs.
//!
//! Each file's header says where its pattern comes from and whether it runs
//! unchanged (only the table name may differ: Athena's `cloudtrail_logs` and a Lake
//! event data store id are accepted as they are):
//!
//! - `-- unchanged: yes`: the query must run as written.
//! - `-- unchanged: no`: the query as written must fail with the error named by
//!   `-- fails-with:` (so a fix shows up here), and the trawl spelling after the line
//!   `-- trawl:` must run.
//! - `-- same-as: SQL`: the query's rows must equal those of this trawl query (a
//!   second spelling of the answer, in DataFusion's own functions).
//! - `-- rows: N` / `-- min-rows: N`: how many rows it gives.
//! - `-- contains: TEXT`: the CSV output holds this text.

use std::path::{Path, PathBuf};

use crate::harness::*;

struct Case {
    name: String,
    unchanged: bool,
    fails_with: Option<String>,
    query: String,
    trawl: Option<String>,
    same_as: Option<String>,
    rows: Option<usize>,
    min_rows: Option<usize>,
    contains: Vec<String>,
}

fn header<'a>(text: &'a str, key: &str) -> impl Iterator<Item = &'a str> {
    let prefix = format!("-- {key}:");
    text.lines()
        .filter_map(move |l| l.strip_prefix(prefix.as_str()).map(str::trim))
}

fn parse_case(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_stem().unwrap().to_string_lossy().to_string();
    let one = |key: &str| header(&text, key).next().map(str::to_string);
    let unchanged = match one("unchanged").as_deref() {
        Some("yes") => true,
        Some("no") => false,
        other => panic!("{name}: `-- unchanged: yes|no` missing or wrong ({other:?})"),
    };
    assert!(
        one("origin").is_some(),
        "{name}: every corpus query names its origin"
    );
    let (query, trawl) = match text.split_once("\n-- trawl:\n") {
        Some((q, t)) => (q.to_string(), Some(t.trim().to_string())),
        None => (text.clone(), None),
    };
    Case {
        unchanged,
        fails_with: one("fails-with"),
        query: query.trim().to_string(),
        trawl,
        same_as: one("same-as"),
        rows: one("rows").map(|n| n.parse().unwrap()),
        min_rows: one("min-rows").map(|n| n.parse().unwrap()),
        contains: header(&text, "contains").map(str::to_string).collect(),
        name,
    }
}

fn corpus() -> Vec<Case> {
    let dir = fixture("compat");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    files.iter().map(|p| parse_case(p)).collect()
}

/// `trawl sql --format csv -f FILE` with the SQL in FILE (a query starting with a
/// `--` comment is no `-c` value): Ok(csv) or Err(stderr).
fn run_sql(lake: &Path, sql: &str) -> Result<String, String> {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), sql).unwrap();
    let out = run(&[
        "sql",
        "--lake",
        lake.to_str().unwrap(),
        "--format",
        "csv",
        "-f",
        file.path().to_str().unwrap(),
    ]);
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).unwrap())
    } else {
        Err(stderr(&out))
    }
}

/// The data rows of CSV output (the header dropped).
fn body(csv: &str) -> Vec<&str> {
    csv.lines().skip(1).collect()
}

#[test]
fn the_athena_and_lake_corpus_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = real_lake(tmp.path());
    let cases = corpus();
    assert!(cases.len() >= 30, "a corpus of {} queries", cases.len());
    let mut failures = Vec::new();
    let mut unchanged = 0;
    for case in &cases {
        let name = &case.name;
        let as_written = run_sql(&lake, &case.query);
        let answer = if case.unchanged {
            unchanged += 1;
            match as_written {
                Ok(csv) => csv,
                Err(e) => {
                    failures.push(format!("{name}: does not run unchanged: {e}"));
                    continue;
                }
            }
        } else {
            let want = case
                .fails_with
                .as_deref()
                .unwrap_or_else(|| panic!("{name}: `unchanged: no` needs `-- fails-with:`"));
            match as_written {
                Ok(_) => failures.push(format!(
                    "{name}: now runs unchanged: mark it `unchanged: yes`"
                )),
                Err(e) if !e.contains(want) => {
                    failures.push(format!("{name}: fails otherwise than {want:?}: {e}"))
                }
                Err(_) => {}
            }
            let trawl = case
                .trawl
                .as_deref()
                .unwrap_or_else(|| panic!("{name}: `unchanged: no` needs a `-- trawl:` query"));
            match run_sql(&lake, trawl) {
                Ok(csv) => csv,
                Err(e) => {
                    failures.push(format!("{name}: the trawl spelling fails: {e}"));
                    continue;
                }
            }
        };
        let rows = body(&answer);
        if let Some(n) = case.rows
            && rows.len() != n
        {
            failures.push(format!(
                "{name}: {} rows, expected {n}:\n{answer}",
                rows.len()
            ));
        }
        if let Some(n) = case.min_rows
            && rows.len() < n
        {
            failures.push(format!(
                "{name}: {} rows, expected at least {n}",
                rows.len()
            ));
        }
        for text in &case.contains {
            if !answer.contains(text.as_str()) {
                failures.push(format!("{name}: no {text:?} in\n{answer}"));
            }
        }
        if let Some(other) = &case.same_as {
            match run_sql(&lake, other) {
                Ok(csv) if body(&csv) == rows => {}
                Ok(csv) => failures.push(format!(
                    "{name}: differs from its second spelling:\n{answer}\nvs\n{csv}"
                )),
                Err(e) => failures.push(format!("{name}: the second spelling fails: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // The README states this share; keep them in step.
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let share = format!("{unchanged} of the {} queries", cases.len());
    assert!(
        readme.contains(&share),
        "README.md should say the corpus runs unchanged for {share:?}"
    );
}
