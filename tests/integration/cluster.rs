//! `trawl cluster` and `--cluster`: a Ballista scheduler and two executors, each a
//! real `trawl` process on loopback, answer as a local session does (trawl's functions,
//! JSON operators, time filters, saved queries, the hunt), over a lake on a shared path
//! and over a lake on the in-process S3 server; a stock Ballista executor, which lacks
//! trawl's functions, is refused with a message that says so.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use trawl_testkit::S3Server;
use trawl_testkit::ballista::StockExecutor;

use crate::harness::*;

/// Child processes, killed when the test ends however it ends.
#[derive(Default)]
struct Processes(Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Starts `trawl ARGS` with `env` and returns its first line of stdout (where the
/// cluster commands say where they listen).
fn start(procs: &mut Processes, args: &[&str], env: &[(&'static str, String)]) -> String {
    let mut cmd = trawl();
    cmd.args(args)
        .envs(env.iter().map(|(k, v)| (*k, v)))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = cmd.spawn().expect("trawl starts");
    let stdout = child.stdout.take().expect("piped stdout");
    procs.0.push(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("a line from trawl");
    assert!(!line.is_empty(), "trawl {args:?} said nothing and stopped");
    line
}

/// A scheduler on a free loopback port; its `df://` URL and port.
fn scheduler(procs: &mut Processes, env: &[(&'static str, String)]) -> (String, u16) {
    let line = start(
        procs,
        &["cluster", "scheduler", "--bind", "127.0.0.1:0"],
        env,
    );
    let url = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("df://"))
        .unwrap_or_else(|| panic!("no df:// URL in {line:?}"))
        .trim_end_matches(')')
        .to_string();
    let port = url.rsplit_once(':').unwrap().1.parse().unwrap();
    (format!("df://{url}"), port)
}

/// Two trawl executors registered with the scheduler at `port`.
fn executors(procs: &mut Processes, port: u16, env: &[(&'static str, String)]) {
    let scheduler = format!("127.0.0.1:{port}");
    for _ in 0..2 {
        let line = start(
            procs,
            &[
                "cluster",
                "executor",
                "--scheduler",
                &scheduler,
                "--port",
                "0",
                "--grpc-port",
                "0",
                "--concurrent-tasks",
                "2",
            ],
            env,
        );
        assert!(line.contains("serving on 127.0.0.1:"), "{line}");
    }
}

/// `trawl sql --lake LAKE [--cluster URL] --format csv -c SQL`.
fn sql(
    lake: &str,
    cluster: Option<&str>,
    sql: &str,
    env: &[(&'static str, String)],
) -> std::process::Output {
    let mut cmd: Command = trawl();
    cmd.args(["sql", "--lake", lake, "--format", "csv", "-q", "-c", sql])
        .envs(env.iter().map(|(k, v)| (*k, v)));
    if let Some(c) = cluster {
        cmd.args(["--cluster", c]);
    }
    cmd.output().expect("trawl runs")
}

/// The cluster's answer. A job sent before the executors have registered waits for
/// them, so there is no retry: a failure is a failure.
fn cluster_sql(lake: &str, cluster: &str, query: &str, env: &[(&'static str, String)]) -> String {
    let out = sql(lake, Some(cluster), query, env);
    assert!(
        out.status.success(),
        "the cluster did not answer {query}: {}",
        stderr(&out)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn local_sql(lake: &str, query: &str, env: &[(&'static str, String)]) -> String {
    let out = sql(lake, None, query, env);
    assert!(out.status.success(), "{query}: {}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

/// Queries that exercise what a cluster must have of trawl's: its scalar and
/// aggregate functions, the JSON functions and operators, the lake's time filter and
/// nested fields.
const QUERIES: &[&str] = &[
    "SELECT count(*), count(DISTINCT eventid), min(eventtime), max(eventtime) FROM cloudtrail",
    "SELECT eventsource, eventname, count(*) AS n FROM cloudtrail \
     WHERE eventtime >= TIMESTAMP '2020-01-01 00:00:00' AND eventtime < TIMESTAMP '2030-01-01 00:00:00' \
     GROUP BY 1, 2 ORDER BY n DESC, 1, 2 LIMIT 15",
    "SELECT aws_ip_service(sourceipaddress) AS service, count(*) AS n, \
     count_if(errorcode IS NOT NULL) AS errors FROM cloudtrail GROUP BY 1 ORDER BY n DESC, 1",
    "SELECT json_get_str(eventjson, 'eventName') AS name, eventjson->>'awsRegion' AS region, \
     useridentity.type AS type FROM cloudtrail \
     WHERE eventtime >= TIMESTAMP '2020-01-01 00:00:00' ORDER BY eventid LIMIT 25",
    "SELECT date_format(eventtime, '%Y-%m') AS month, approx_distinct(useridentity.arn) AS principals \
     FROM cloudtrail GROUP BY 1 ORDER BY 1",
    // Trino's lambdas, ROW and JSON casts, which trawl rewrites before planning.
    "SELECT eventid, transform(filter(resources, r -> r.type = 'AWS::IAM::Role'), r -> r.arn) AS roles, \
     CAST(ROW(eventname, '1') AS ROW(name VARCHAR, n BIGINT)).n AS n, \
     json_format(CAST(tlsdetails AS JSON)) AS tls FROM cloudtrail \
     WHERE any_match(resources, r -> r.type = 'AWS::IAM::Role') ORDER BY eventid",
];

fn same_answers(lake: &str, cluster: &str, env: &[(&'static str, String)]) {
    for q in QUERIES {
        let local = local_sql(lake, q, env);
        assert!(local.lines().count() > 1, "{q}: no rows locally");
        let remote = cluster_sql(lake, cluster, q, env);
        assert_eq!(remote, local, "{q}");
    }
}

#[test]
fn a_cluster_of_trawl_executors_answers_as_a_local_session() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = real_lake(tmp.path());
    let lake = lake.to_str().unwrap();
    let mut procs = Processes::default();
    let (cluster, port) = scheduler(&mut procs, &[]);
    executors(&mut procs, port, &[]);
    same_answers(lake, &cluster, &[]);

    // A saved query with parameters, and the hunt, run there too.
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "principals_overview",
            "--lake",
            lake,
            "--format",
            "csv",
            "-q",
        ];
        args.extend_from_slice(extra);
        let out = run(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(run(&["--cluster", &cluster]), run(&[]));
    let hunt = |extra: &[&str]| {
        let mut args = vec!["hunt", "--lake", lake, "--format", "ndjson", "-q"];
        args.extend_from_slice(extra);
        let out = run_hunt(&args);
        let mut lines: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                // What was found, not when it was run.
                format!("{} {} {}", v["incident"], v["detection"], v["eventids"])
            })
            .collect();
        lines.sort();
        lines
    };
    let local = hunt(&[]);
    assert!(!local.is_empty(), "the hunt found nothing to compare");
    assert_eq!(hunt(&["--cluster", &cluster]), local);
}

/// `trawl hunt ...`, which exits 0 or 4 (findings at or above --fail-on).
fn run_hunt(args: &[&str]) -> std::process::Output {
    let out = run(args);
    assert!(
        matches!(out.status.code(), Some(0 | 4)),
        "hunt {args:?}: {}",
        stderr(&out)
    );
    out
}

#[test]
fn a_stock_ballista_executor_is_refused_with_a_message_that_says_why() {
    let mut procs = Processes::default();
    let (_, port) = scheduler(&mut procs, &[]);
    // A Ballista executor without trawl's functions would take tasks it cannot decode;
    // the scheduler turns it away when it registers, and says why.
    let stock = StockExecutor::start(port);
    let why = stock
        .stopped_within(Duration::from_secs(30))
        .expect("the scheduler refused the stock executor");
    assert!(
        why.contains("lacks trawl's functions") && why.contains("trawl cluster executor"),
        "{why}"
    );
}

#[test]
fn a_cluster_reads_a_lake_on_s3_with_its_own_credentials() {
    let server = S3Server::start(&["lake"]).unwrap();
    let mut env = server.env();
    env.push(("AWS_PROFILE", String::new()));
    let dirs = real_dirs();
    let mut convert = trawl();
    convert
        .arg("convert")
        .args(&dirs)
        .args(["--lake", "s3://lake/ct", "-q"])
        .envs(env.iter().map(|(k, v)| (*k, v)));
    let out = convert.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut procs = Processes::default();
    let (cluster, port) = scheduler(&mut procs, &env);
    executors(&mut procs, port, &env);
    same_answers("s3://lake/ct", &cluster, &env);
}
