//! `trawl watch` through the binary: a receiver on loopback that fails in every way
//! before it accepts still gets each incident version once; replays send nothing;
//! a late delivery is hunted once; one watcher per lake; a silent trail alerts.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::harness::*;

/// What the receiver saw: per request, the idempotency key and whether it
/// answered 200.
#[derive(Default)]
struct Seen {
    requests: Vec<(String, bool, Value)>,
}

/// A webhook receiver answering 500, then 429 with Retry-After: 1, then nothing
/// (longer than the client waits), then 200 for good; it checks the signature.
fn receiver(secret: &'static str) -> (String, Arc<Mutex<Seen>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Seen::default()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut headers = BTreeMap::new();
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            loop {
                line.clear();
                reader.read_line(&mut line).unwrap();
                let l = line.trim_end();
                if l.is_empty() {
                    break;
                }
                if let Some((k, v)) = l.split_once(':') {
                    headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
                }
            }
            let len: usize = headers["content-length"].parse().unwrap();
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            let expected = sign(secret.as_bytes(), &body);
            assert_eq!(headers.get("x-trawl-signature"), Some(&expected));
            let key = headers["idempotency-key"].clone();
            let status = match n {
                0 => "500 Internal Server Error\r\nContent-Length: 0",
                1 => "429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0",
                2 => {
                    std::thread::sleep(std::time::Duration::from_millis(2500));
                    "504 Gateway Timeout\r\nContent-Length: 0"
                }
                _ => "200 OK\r\nContent-Length: 0",
            };
            let accepted = n > 2;
            log.lock().unwrap().requests.push((
                key,
                accepted,
                serde_json::from_slice(&body).unwrap(),
            ));
            let _ = write!(stream, "HTTP/1.1 {status}\r\nConnection: close\r\n\r\n");
        }
    });
    (url, seen)
}

/// HMAC-SHA256 as the receiver computes it (RFC 2104 over SHA-256).
fn sign(key: &[u8], body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let mut k = [0u8; 64];
    k[..key.len()].copy_from_slice(key);
    let pad = |b: u8| k.iter().map(|x| x ^ b).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(body)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    let hex: String = outer.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

fn watch(lake: &Path, config: &Path, now: &str, sources: &[&Path]) -> std::process::Output {
    trawl()
        .arg("watch")
        .args(sources)
        .args(["--lake", lake.to_str().unwrap(), "--once", "--now", now])
        .args(["--config", config.to_str().unwrap()])
        .output()
        .unwrap()
}

fn state(lake: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(lake.join("_trawl/watch/state.json")).unwrap()).unwrap()
}

/// Moves the delivery files of days after `day` from `from` to `to`.
/// Two days of two accounts' habits with two attack chains.
const TWO_DAYS_TWO_CHAINS: &[&str] = &[
    "--habits",
    "--seed",
    "5",
    "--accounts",
    "2",
    "--events",
    "6000",
    "--days",
    "2",
    "--attacks",
    "2",
];

/// The last line of a watch directory's `cycles.ndjson`.
fn last_cycle(watch_dir: &Path) -> Value {
    let cycles = std::fs::read_to_string(watch_dir.join("cycles.ndjson")).unwrap();
    serde_json::from_str(cycles.lines().last().unwrap()).unwrap()
}

fn hold_back(from: &Path, to: &Path, day: &str) {
    for entry in walk(from) {
        let rel = entry.strip_prefix(from).unwrap();
        let parts: Vec<_> = rel
            .iter()
            .map(|p| p.to_string_lossy().to_string())
            .collect();
        // AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/file
        if parts.len() == 8 && parts[4..7].join("-").as_str() > day {
            let dest = to.join(rel);
            std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
            std::fs::rename(&entry, &dest).unwrap();
        }
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn watch_delivers_each_incident_once_through_failures_replays_and_late_deliveries() {
    let tmp = tempfile::tempdir().unwrap();
    let incoming = tmp.path().join("incoming");
    let later = tmp.path().join("later");
    let lake = tmp.path().join("lake");
    generate(&incoming, TWO_DAYS_TWO_CHAINS);
    // The second day arrives a cycle late.
    hold_back(&incoming, &later, "2026-03-01");
    assert!(!walk(&later).is_empty());
    let (url, seen) = receiver("s3cret");
    let seen_log = seen.clone();
    let config = tmp.path().join("watch.toml");
    std::fs::write(
        &config,
        format!(
            "[watch]\nsilent_after = \"2h\"\n\n[[destination]]\nname = \"soc\"\nkind = \"webhook\"\nurl = \"{url}\"\nsecret = \"s3cret\"\ntimeout_secs = 1\nmin_severity = \"low\"\n"
        ),
    )
    .unwrap();

    // Cycle 1: the first day, through a receiver that fails three ways first.
    let out = watch(&lake, &config, "2026-03-02T00:10:00Z", &[&incoming]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let first = state(&lake);
    let raised = first["incidents"].as_object().unwrap().len();
    assert!(raised >= 1, "{first}");

    // Cycle 2: nothing new; the same deliveries again send nothing.
    let out = watch(&lake, &config, "2026-03-02T00:20:00Z", &[&incoming]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sent_after_replay = seen.lock().unwrap().requests.len();

    // Cycle 3: the late day.
    for f in walk(&later) {
        let dest = incoming.join(f.strip_prefix(&later).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::rename(&f, &dest).unwrap();
    }
    let out = watch(&lake, &config, "2026-03-03T00:10:00Z", &[&incoming]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let cycles = std::fs::read_to_string(lake.join("_trawl/watch/cycles.ndjson")).unwrap();
    let cycles: Vec<Value> = cycles
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(cycles.len(), 3);
    assert!(cycles[0]["events"].as_u64().unwrap() > 0);
    assert_eq!(cycles[1]["events"], 0, "{}", cycles[1]);
    assert_eq!(cycles[1]["sent"], 0);
    assert!(cycles[2]["events"].as_u64().unwrap() > 0);

    // Every incident version reached the receiver exactly once, and both injected
    // chains are among them.
    let st = state(&lake);
    let incidents = st["incidents"].as_object().unwrap();
    let seen = seen.lock().unwrap();
    let mut accepted: BTreeMap<&str, usize> = BTreeMap::new();
    for (key, ok, body) in &seen.requests {
        assert_eq!(body["schema"], "trawl.incident.v1");
        if *ok {
            *accepted.entry(key.as_str()).or_default() += 1;
        }
    }
    assert!(accepted.values().all(|n| *n == 1), "{accepted:?}");
    let versions: usize = incidents
        .values()
        .map(|i| i["version"].as_u64().unwrap() as usize)
        .sum();
    assert_eq!(accepted.len(), versions, "{accepted:?}");
    assert!(seen.requests.len() >= sent_after_replay);
    let stops = incidents
        .values()
        .filter(|i| {
            i["detections"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d == "cloudtrail_stop_logging")
        })
        .count();
    assert!(stops >= 1, "{st}");
    drop(seen);

    // A second watcher while one holds the lake: exit 5, saying so.
    let lock = lake.join("_trawl/watch/lock");
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    std::fs::write(
        &lock,
        format!(
            "pid {} since 2026-03-03T00:19:00Z on {}",
            std::process::id(),
            host.trim()
        ),
    )
    .unwrap();
    let out = watch(&lake, &config, "2026-03-03T00:20:00Z", &[&incoming]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(stderr(&out).contains("another watcher"), "{}", stderr(&out));
    std::fs::remove_file(&lock).unwrap();

    // People's decisions: suppressed until a time, recorded with who and why.
    let id = incidents.keys().next().unwrap().clone();
    let out = trawl()
        .args([
            "findings",
            "--lake",
            lake.to_str().unwrap(),
            "suppress",
            &id,
        ])
        .args(["--until", "2026-03-03T02:00:00Z", "--reason", "drill"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(state(&lake)["incidents"][&id]["status"], "suppressed");
    let listed = trawl()
        .args([
            "findings",
            "--lake",
            lake.to_str().unwrap(),
            "list",
            "--json",
        ])
        .args(["--status", "suppressed"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&listed.stdout).lines().count(), 1);

    // Three hours without a delivery: the trail is silent, said once; the
    // suppression has run out by then.
    let out = watch(&lake, &config, "2026-03-03T03:20:00Z", &[&incoming]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let st = state(&lake);
    assert_eq!(st["incidents"][&id]["status"], "open");
    assert_eq!(st["incidents"][&id]["suppressions_expired"], 1);
    let silent: Vec<&Value> = st["incidents"]
        .as_object()
        .unwrap()
        .values()
        .filter(|i| i["detections"][0] == "trail_silent")
        .collect();
    assert_eq!(silent.len(), 1, "{st}");
    let out = watch(&lake, &config, "2026-03-03T03:30:00Z", &[&incoming]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let last = last_cycle(&lake.join("_trawl/watch"));
    assert_eq!(last["incidents_new"], 0, "{last}");
    assert_eq!(last["sent"], 0, "{last}");

    // Resolving tells the receivers, as a new version of the incident.
    let before = seen_count(&seen_log);
    let out = trawl()
        .args(["findings", "--lake", lake.to_str().unwrap()])
        .args([
            "--config",
            config.to_str().unwrap(),
            "resolve",
            &id,
            "--reason",
            "contained",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let st = state(&lake);
    assert_eq!(st["incidents"][&id]["status"], "resolved");
    let log = seen_log.lock().unwrap();
    let (key, ok, body) = log.requests.last().unwrap();
    assert_eq!(log.requests.len(), before + 1);
    assert!(*ok);
    assert_eq!(body["event"], "resolved");
    let version = st["incidents"][&id]["version"].as_u64().unwrap();
    assert_eq!(key, &format!("{id}.v{version}"));
    drop(log);

    // Starting on a lake that already holds data, with --baseline: history, no alerts.
    let quiet = tmp.path().join("quiet-lake");
    let out = trawl()
        .args([
            "convert",
            incoming.to_str().unwrap(),
            "--lake",
            quiet.to_str().unwrap(),
            "-q",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = trawl()
        .args([
            "watch",
            "--lake",
            quiet.to_str().unwrap(),
            "--once",
            "--baseline",
        ])
        .args(["--now", "2026-03-03T00:10:00Z"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let st = state(&quiet);
    assert_eq!(st["incidents"].as_object().unwrap().len(), 0);
    assert!(!st["processed_runs"].as_array().unwrap().is_empty());
}

fn seen_count(seen: &Arc<Mutex<Seen>>) -> usize {
    seen.lock().unwrap().requests.len()
}

#[test]
fn sns_and_security_hub_receive_signed_requests_of_the_documented_shape() {
    use trawl_testkit::aws::{AwsStandIn, Request};
    const KEY: &str = "AKIDTRAWLWATCH";
    const SECRET: &str = "trawl-watch-secret";
    let tmp = tempfile::tempdir().unwrap();
    let incoming = tmp.path().join("incoming");
    let lake = tmp.path().join("lake");
    generate(
        &incoming,
        &[
            "--seed",
            "5",
            "--events",
            "3000",
            "--days",
            "1",
            "--attacks",
            "2",
        ],
    );
    // Answers like the service when the request is signed for it and has the required
    // fields; 400 with the reason otherwise (the watcher then keeps it pending).
    let aws = AwsStandIn::start(|r: &Request| {
        let check = || -> Result<String, String> {
            if r.path == "/findings/import" {
                r.check_sigv4("securityhub", "eu-west-1", KEY, SECRET)?;
                let v: Value = serde_json::from_slice(&r.body).map_err(|e| e.to_string())?;
                let findings = v["Findings"].as_array().ok_or("no Findings")?;
                for f in findings {
                    for field in [
                        "SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId",
                        "Types", "CreatedAt", "UpdatedAt", "Title", "Description",
                    ] {
                        if f[field].is_null() {
                            return Err(format!("finding without {field}: {f}"));
                        }
                    }
                    if f["Severity"]["Label"].is_null() || f["Resources"][0]["Id"].is_null() {
                        return Err(format!("finding without Severity.Label or Resources: {f}"));
                    }
                }
                Ok(format!(r#"{{"FailedCount":0,"SuccessCount":{},"FailedFindings":[]}}"#, findings.len()))
            } else {
                r.check_sigv4("sns", "us-west-2", KEY, SECRET)?;
                let form: std::collections::HashMap<String, String> =
                    url::form_urlencoded::parse(&r.body).into_owned().collect();
                if form.get("Action").map(String::as_str) != Some("Publish")
                    || form.get("TopicArn").map(String::as_str)
                        != Some("arn:aws:sns:us-west-2:111122223333:soc")
                {
                    return Err(format!("not a Publish to the topic: {form:?}"));
                }
                let message: Value = serde_json::from_str(form.get("Message").ok_or("no Message")?)
                    .map_err(|e| e.to_string())?;
                if message["schema"] != "trawl.incident.v1" {
                    return Err(format!("message: {message}"));
                }
                Ok("<PublishResponse><PublishResult><MessageId>1</MessageId></PublishResult></PublishResponse>".into())
            }
        };
        match check() {
            Ok(body) => (200, body),
            Err(why) => (400, why),
        }
    })
    .unwrap();
    let config = tmp.path().join("watch.toml");
    std::fs::write(
        &config,
        format!(
            "[[destination]]\nname = \"topic\"\nkind = \"sns\"\ntopic_arn = \"arn:aws:sns:us-west-2:111122223333:soc\"\nurl = \"{0}\"\n\n\
             [[destination]]\nname = \"hub\"\nkind = \"securityhub\"\nregion = \"eu-west-1\"\naccount = \"111122223333\"\nurl = \"{0}\"\n",
            aws.endpoint()
        ),
    )
    .unwrap();
    let out = trawl()
        .arg("watch")
        .arg(&incoming)
        .args([
            "--lake",
            lake.to_str().unwrap(),
            "--once",
            "--now",
            "2026-03-02T00:10:00Z",
        ])
        .arg("--config")
        .arg(&config)
        .env("AWS_ACCESS_KEY_ID", KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/trawl-test/config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/trawl-test/credentials",
        )
        .output()
        .unwrap();
    let requests = aws.requests();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{requests:#?}",
        stderr(&out)
    );
    let raised = state(&lake)["incidents"].as_object().unwrap().len();
    assert!(raised >= 1);
    let hub = requests
        .iter()
        .filter(|r| r.path == "/findings/import")
        .count();
    let sns = requests.iter().filter(|r| r.path == "/").count();
    // Each incident once to each (routing: both take low and above).
    assert_eq!(hub, sns, "{requests:#?}");
    assert!(hub >= 1);
}

/// Rows a conversion the watcher did not run are hunted once, even when a
/// compaction merged their files into others before the next cycle.
#[test]
fn watch_finds_a_foreign_runs_rows_after_compaction_merged_them() {
    let tmp = tempfile::tempdir().unwrap();
    let incoming = tmp.path().join("incoming");
    let later = tmp.path().join("later");
    let lake = tmp.path().join("lake");
    generate(
        &incoming,
        &[
            "--habits",
            "--seed",
            "9",
            "--accounts",
            "1",
            "--events",
            "3000",
            "--days",
            "2",
        ],
    );
    hold_back(&incoming, &later, "2026-03-01");
    let config = tmp.path().join("watch.toml");
    std::fs::write(
        &config,
        format!(
            "[[destination]]\nname = \"log\"\nkind = \"file\"\npath = \"{}\"\n",
            tmp.path().join("alerts.ndjson").display()
        ),
    )
    .unwrap();
    let out = watch(&lake, &config, "2026-03-02T00:10:00Z", &[&incoming]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Another scheduler converts the second day, and a compaction rewrites every
    // partition before the watcher's next cycle: the new run's files are gone.
    let out = trawl()
        .args(["convert", later.to_str().unwrap(), "--lake"])
        .arg(&lake)
        .arg("--json")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    let written = summary["records"]["written"].as_u64().unwrap();
    assert!(written > 0, "{summary}");
    let out = trawl()
        .args(["compact", "--force", "--lake"])
        .arg(&lake)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    let out = watch(&lake, &config, "2026-03-03T00:10:00Z", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let last = last_cycle(&lake.join("_trawl/watch"));
    assert_eq!(last["runs"].as_array().unwrap().len(), 1, "{last}");
    // Exactly the foreign run's rows, not the first day's that share its files now.
    assert_eq!(last["events"].as_u64(), Some(written), "{last}");

    // And only once.
    let out = watch(&lake, &config, "2026-03-03T00:20:00Z", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let last = last_cycle(&lake.join("_trawl/watch"));
    assert_eq!(last["events"], 0, "{last}");
}

/// After a quiet start (`--baseline`), a replay of the past raises what it holds,
/// and replaying it again raises nothing: the incident matching is the same.
#[test]
fn watch_replays_a_window_once_and_leaves_pending_runs_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let incoming = tmp.path().join("incoming");
    let lake = tmp.path().join("lake");
    generate(&incoming, TWO_DAYS_TWO_CHAINS);
    let alerts = tmp.path().join("alerts.ndjson");
    let config = tmp.path().join("watch.toml");
    std::fs::write(
        &config,
        format!(
            "[[destination]]\nname = \"log\"\nkind = \"file\"\npath = \"{}\"\n",
            alerts.display()
        ),
    )
    .unwrap();
    let base = trawl()
        .args(["watch", "--once", "--baseline", "--lake"])
        .arg(&lake)
        .arg(&incoming)
        .args(["--now", "2026-03-03T00:10:00Z", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(base.status.code(), Some(0), "{}", stderr(&base));
    assert!(!alerts.exists());

    let replay = || {
        let out = trawl()
            .args(["watch", "--once", "--lake"])
            .arg(&lake)
            .args(["--from", "2026-02-28", "--to", "2026-03-02", "--config"])
            .arg(&config)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        last_cycle(&lake.join("_trawl/watch"))
    };
    let first = replay();
    assert_eq!(first["replay"][0], "2026-02-28T00:00:00Z", "{first}");
    assert_eq!(first["now"], "2026-03-02T23:59:59Z", "{first}");
    assert!(first["events"].as_u64().unwrap() > 1000, "{first}");
    assert!(first["incidents_new"].as_u64().unwrap() >= 1, "{first}");
    assert!(!first["trail_silent"].as_bool().unwrap());
    let sent = std::fs::read_to_string(&alerts).unwrap().lines().count();
    assert_eq!(sent as u64, first["sent"].as_u64().unwrap());
    assert!(
        std::fs::read_to_string(&alerts)
            .unwrap()
            .contains("cloudtrail_stop_logging")
    );

    let again = replay();
    assert_eq!(again["events"], first["events"], "{again}");
    assert_eq!(again["incidents_new"], 0, "{again}");
    assert_eq!(again["sent"], 0, "{again}");
    assert_eq!(
        std::fs::read_to_string(&alerts).unwrap().lines().count(),
        sent
    );

    // A window must be a cycle of its own, not a daemon's.
    let out = trawl()
        .args(["watch", "--lake"])
        .arg(&lake)
        .args(["--from", "2026-03-01", "--to", "2026-03-02"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("--once"), "{}", stderr(&out));
}

/// A lake on S3 (the in-process S3 server): the watch state lives in the bucket, a
/// second watcher elsewhere is refused by the conditional-put lock until that lock
/// expires, and `findings` changes the state in the bucket.
#[test]
fn watch_a_lake_on_s3_with_its_state_and_lock_in_the_bucket() {
    let server = trawl_testkit::S3Server::start(&["lake"]).unwrap();
    let s3 = |cmd: &mut std::process::Command| {
        for (k, v) in server.env() {
            cmd.env(k, v);
        }
        cmd.env_remove("AWS_PROFILE");
    };
    let tmp = tempfile::tempdir().unwrap();
    let incoming = tmp.path().join("incoming");
    generate(
        &incoming,
        &[
            "--habits",
            "--seed",
            "5",
            "--accounts",
            "1",
            "--events",
            "4000",
            "--days",
            "1",
            "--attacks",
            "2",
        ],
    );
    let alerts = tmp.path().join("alerts.ndjson");
    let config = tmp.path().join("watch.toml");
    std::fs::write(
        &config,
        format!(
            "[[destination]]\nname = \"log\"\nkind = \"file\"\npath = \"{}\"\n",
            alerts.display()
        ),
    )
    .unwrap();
    let cycle = |now: &str| {
        let mut cmd = trawl();
        s3(&mut cmd);
        cmd.args(["watch", "--lake", "s3://lake/ct", "--once", "--now", now])
            .arg(&incoming)
            .arg("--config")
            .arg(&config)
            .output()
            .unwrap()
    };
    let watch_dir = server.bucket_dir("lake").join("ct/_trawl/watch");

    let out = cycle("2026-03-02T00:10:00Z");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let state: Value =
        serde_json::from_slice(&std::fs::read(watch_dir.join("state.json")).unwrap()).unwrap();
    let raised = state["incidents"].as_object().unwrap().len();
    assert!(raised >= 1, "{state}");
    assert_eq!(
        std::fs::read_to_string(&alerts).unwrap().lines().count(),
        raised
    );
    assert!(!watch_dir.join("lock").exists(), "the lock is released");
    // The events went to the lake on S3, not only to the working directory.
    let tables = walk(&server.bucket_dir("lake").join("ct/cloudtrail"));
    assert!(
        tables
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "parquet"))
    );

    // A watcher on another machine holds the lake.
    let far = 4_070_908_800_000_i64; // 2099-01-01
    std::fs::write(
        watch_dir.join("lock"),
        format!(
            r#"{{"holder":"pid 7 on elsewhere","since":"2026-03-02T00:19:00Z","expires_ms":{far}}}"#
        ),
    )
    .unwrap();
    let out = cycle("2026-03-02T00:20:00Z");
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("pid 7 on elsewhere"),
        "{}",
        stderr(&out)
    );

    // Its lock ran out (it died mid-cycle): taken over, and the same deliveries
    // again raise nothing new, as the state in the bucket says.
    std::fs::write(
        watch_dir.join("lock"),
        r#"{"holder":"pid 7 on elsewhere","since":"2026-03-01T00:19:00Z","expires_ms":0}"#,
    )
    .unwrap();
    let out = cycle("2026-03-02T00:30:00Z");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let cycles = std::fs::read_to_string(watch_dir.join("cycles.ndjson")).unwrap();
    assert_eq!(cycles.lines().count(), 2, "{cycles}");
    let last = last_cycle(&watch_dir);
    assert_eq!(last["events"], 0, "{last}");
    assert_eq!(last["incidents_new"], 0, "{last}");
    assert_eq!(
        std::fs::read_to_string(&alerts).unwrap().lines().count(),
        raised
    );
    assert!(!watch_dir.join("lock").exists());

    // People's decisions go to the bucket too.
    let id = state["incidents"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    let mut cmd = trawl();
    s3(&mut cmd);
    let out = cmd
        .args([
            "findings",
            "--lake",
            "s3://lake/ct",
            "ack",
            &id,
            "--reason",
            "seen",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let state: Value =
        serde_json::from_slice(&std::fs::read(watch_dir.join("state.json")).unwrap()).unwrap();
    assert_eq!(state["incidents"][&id]["status"], "acknowledged", "{state}");
    let mut cmd = trawl();
    s3(&mut cmd);
    let out = cmd
        .args(["findings", "--lake", "s3://lake/ct", "list", "--json"])
        .args(["--status", "acknowledged"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}
