//! `trawl verify` through the binary: generated archives with signed digests (the TEST-ONLY
//! key), tampered in the ways that matter, locally and on the loopback S3 server.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

use object_store::path::Path as ObjectPath;
use object_store::{Attribute, Attributes, ObjectStore, ObjectStoreExt, PutOptions, PutPayload};
use serde_json::Value;
use trawl_testkit::S3Server;

use crate::harness::{files_under, generate, stderr, trawl};

/// A small archive with signed digests: one account, one day.
fn archive() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    generate(
        dir.path(),
        &[
            "--events",
            "2000",
            "--accounts",
            "1",
            "--days",
            "1",
            "--digests",
        ],
    );
    dir
}

fn keys(dir: &Path) -> PathBuf {
    dir.join("public-keys.json")
}

fn verify(dir: &Path, extra: &[&str]) -> Output {
    trawl()
        .arg("verify")
        .arg(dir)
        .arg("--public-keys")
        .arg(keys(dir))
        .args(extra)
        .output()
        .unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(out)
        )
    })
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Keys (relative, `/`-separated) of the files under `dir` that satisfy `pick`.
fn keys_where(dir: &Path, pick: impl Fn(&str) -> bool) -> Vec<String> {
    files_under(dir)
        .iter()
        .map(|p| {
            p.strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|k| pick(k))
        .collect()
}

fn logs(dir: &Path) -> Vec<String> {
    keys_where(dir, |k| {
        k.contains("/CloudTrail/") && k.ends_with(".json.gz")
    })
}

fn digests(dir: &Path) -> Vec<String> {
    keys_where(dir, |k| {
        k.contains("/CloudTrail-Digest/") && k.ends_with(".json.gz")
    })
}

/// The status of `key` in a JSON report.
fn status_of<'a>(report: &'a Value, key: &str) -> &'a str {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap_or_else(|| panic!("{key} not in the report"))["status"]
        .as_str()
        .unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Rewrites a log file with one byte of its JSON changed (still valid gzip).
fn tamper(path: &Path) {
    let mut json = gunzip(&std::fs::read(path).unwrap());
    let at = json.windows(9).position(|w| w == b"eventName").unwrap() + 12;
    json[at] = if json[at] == b'X' { b'Y' } else { b'X' };
    std::fs::write(path, gzip(&json)).unwrap();
}

#[test]
fn a_generated_archive_with_digests_verifies_clean() {
    let dir = archive();
    let (logs, digests) = (logs(dir.path()), digests(dir.path()));
    assert!(logs.len() > 10 && digests.len() > 5, "{logs:?} {digests:?}");

    let out = verify(dir.path(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(r["digest_counts"]["total"], digests.len());
    assert_eq!(r["digest_counts"]["valid"], digests.len());
    assert_eq!(r["log_counts"]["total"], logs.len());
    assert_eq!(r["log_counts"]["valid"], logs.len());

    let out = verify(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let t = text(&out);
    assert!(
        t.contains(&format!(
            "{0}/{0} digest files valid\n{1}/{1} log files valid",
            digests.len(),
            logs.len()
        )),
        "{t}"
    );
    assert!(
        !t.contains("Log file\t"),
        "no per-file lines without --verbose: {t}"
    );

    let out = verify(dir.path(), &["--verbose"]);
    let t = text(&out);
    assert_eq!(
        t.matches("\tvalid\n").count(),
        logs.len() + digests.len(),
        "{t}"
    );

    // The digests and their `.sig` files (by key) and public-keys.json (by content) are not
    // events: convert skips them and still converts the archive cleanly.
    let lake = tempfile::tempdir().unwrap();
    let (code, summary) = crate::harness::convert_json(&[dir.path()], lake.path(), &[]);
    assert_eq!(code, 0, "{summary}");
    assert_eq!(summary["files"]["skipped"], 2 * digests.len(), "{summary}");
    assert_eq!(summary["records"]["rejected"], 0, "{summary}");
    assert_eq!(summary["records"]["digests_skipped"], 1, "{summary}");
    assert_eq!(summary["records"]["written"], 2000, "{summary}");
}

#[test]
fn a_changed_log_byte_is_reported_with_exit_1() {
    let dir = archive();
    let victim = logs(dir.path())[3].clone();
    tamper(&dir.path().join(&victim));

    let out = verify(dir.path(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(status_of(&r, &victim), "invalid");
    assert_eq!(r["log_counts"]["invalid"], 1);
    let problems = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == victim.as_str())
        .unwrap()["problems"]
        .to_string();
    assert!(problems.contains("hash_mismatch"), "{problems}");

    let out = verify(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert!(
        t.contains(&format!("{victim}\tINVALID: hash value doesn't match")),
        "{t}"
    );
    assert!(t.contains("1/"), "{t}");
}

#[test]
fn a_deleted_digest_breaks_the_chain() {
    let dir = archive();
    let digests = digests(dir.path());
    let gone = &digests[digests.len() / 2];
    std::fs::remove_file(dir.path().join(gone)).unwrap();

    let out = verify(dir.path(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let r = json(&out);
    let findings = r["findings"].as_array().unwrap();
    let chain_break = findings
        .iter()
        .find(|f| f["kind"] == "chain_break")
        .unwrap_or_else(|| panic!("no chain break: {findings:?}"));
    assert_eq!(chain_break["missing"], gone.as_str());

    let t = text(&verify(dir.path(), &[]));
    assert!(
        t.contains(&format!("chain broken, digest {gone} is missing")),
        "{t}"
    );
}

#[test]
fn data_after_the_gzip_member_is_invalid() {
    let dir = archive();
    let victim = logs(dir.path())[0].clone();
    let path = dir.path().join(&victim);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    f.write_all(b"{\"Records\":[]}").unwrap();
    drop(f);

    let out = verify(dir.path(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(status_of(&r, &victim), "invalid");
    let t = text(&verify(dir.path(), &[]));
    assert!(
        t.contains(&format!(
            "{victim}\tINVALID: data after the end of the gzip stream"
        )),
        "{t}"
    );
}

#[test]
fn ndjson_is_one_file_per_line_then_a_summary() {
    let dir = archive();
    let victim = logs(dir.path())[1].clone();
    tamper(&dir.path().join(&victim));
    let out = verify(dir.path(), &["--format", "ndjson"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let lines: Vec<Value> = text(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let (last, files) = lines.split_last().unwrap();
    assert_eq!(last["type"], "summary");
    assert_eq!(last["clean"], false);
    assert_eq!(
        files.len(),
        logs(dir.path()).len() + digests(dir.path()).len()
    );
    assert!(files.iter().all(|f| f["type"] == "file"));
    let bad: Vec<_> = files.iter().filter(|f| f["status"] != "valid").collect();
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!(bad[0]["key"], victim.as_str());
}

#[test]
fn what_cannot_be_checked_exits_2() {
    let dir = archive();
    // No keys file and no AWS credentials to ask ListPublicKeys with: the message says
    // what to set up, or which aws command makes the keys file.
    let out = without_aws(&mut trawl())
        .arg("verify")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("--public-keys FILE"), "{err}");
    assert!(
        err.contains("aws cloudtrail list-public-keys --region"),
        "{err}"
    );
    // An unreadable keys file.
    let out = trawl()
        .arg("verify")
        .arg(dir.path())
        .args(["--public-keys", "/nonexistent/keys.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // No digests at all.
    let empty = tempfile::tempdir().unwrap();
    let out = trawl()
        .arg("verify")
        .arg(empty.path())
        .arg("--public-keys")
        .arg(keys(dir.path()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        text(&out).contains("No digest files found"),
        "{}",
        text(&out)
    );
}

#[test]
fn generate_refuses_digests_without_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let out = trawl()
        .arg("generate")
        .arg(dir.path())
        .args(["--events", "100", "--digests", "--no-gzip"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// Puts the archive's logs and digests under `trails/` as CloudTrail delivers them: each
/// digest's signature in `x-amz-meta-signature`, no `.sig` objects. Returns (logs, digests).
fn upload_as_delivered(
    rt: &tokio::runtime::Runtime,
    store: &std::sync::Arc<object_store::aws::AmazonS3>,
    dir: &Path,
) -> (Vec<String>, Vec<String>) {
    let logs = logs(dir);
    let digests = digests(dir);
    rt.block_on(async {
        for key in logs.iter().chain(&digests) {
            let body = std::fs::read(dir.join(key)).unwrap();
            let mut attributes = Attributes::new();
            if key.contains("/CloudTrail-Digest/") {
                let sig = std::fs::read_to_string(dir.join(format!("{key}.sig"))).unwrap();
                attributes.insert(
                    Attribute::Metadata("signature".into()),
                    sig.trim().to_string().into(),
                );
            }
            let options = PutOptions {
                attributes,
                ..Default::default()
            };
            store
                .put_opts(
                    &ObjectPath::from(format!("trails/{key}")),
                    PutPayload::from(body),
                    options,
                )
                .await
                .unwrap();
        }
    });
    (logs, digests)
}

#[test]
fn verify_on_s3_reads_signatures_from_object_metadata() {
    let dir = archive();
    let server = S3Server::start(&["trail"]).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let store = server.store("trail").unwrap();
    let (logs, digests) = upload_as_delivered(&rt, &store, dir.path());
    let run = || {
        let mut cmd = trawl();
        for (k, v) in server.env() {
            cmd.env(k, v);
        }
        cmd.env_remove("AWS_PROFILE")
            .args(["verify", "s3://trail/trails/", "--format", "json"])
            .arg("--public-keys")
            .arg(keys(dir.path()))
            .output()
            .unwrap()
    };

    let out = run();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(r["digest_counts"]["valid"], digests.len());
    assert_eq!(r["log_counts"]["valid"], logs.len());
    assert_eq!(r["source"], "s3://trail");

    // Overwrite one log object with changed content.
    let victim = &logs[2];
    let local = dir.path().join(victim);
    tamper(&local);
    rt.block_on(async {
        store
            .put(
                &ObjectPath::from(format!("trails/{victim}")),
                PutPayload::from(std::fs::read(&local).unwrap()),
            )
            .await
            .unwrap();
    });
    let out = run();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(status_of(&r, &format!("trails/{victim}")), "invalid");
    assert_eq!(r["log_counts"]["invalid"], 1);
}

fn convert_verify(dir: &Path, lake: &Path) -> (i32, Value) {
    let keys = keys(dir);
    crate::harness::convert_json(
        &[dir],
        lake,
        &["--verify", "--public-keys", keys.to_str().unwrap()],
    )
}

/// `trawl hunt` over `lake`: its `log_tampering` findings, and the incidents that hold them.
fn tampering(lake: &Path) -> (Vec<Value>, Vec<Value>) {
    let out = trawl()
        .args(["hunt", "--format", "json", "-q", "--lake"])
        .arg(lake)
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 4)), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let pick = |key: &str, keep: &dyn Fn(&Value) -> bool| -> Vec<Value> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| keep(x))
            .cloned()
            .collect()
    };
    (
        pick("findings", &|f| f["detection"] == "log_tampering"),
        pick("incidents", &|i| i.to_string().contains("log_tampering")),
    )
}

#[test]
fn convert_verify_records_verdicts_joinable_to_the_events() {
    use crate::harness::{query, query_i64, strings};
    let dir = archive();
    let (logs, digests) = (logs(dir.path()), digests(dir.path()));
    let lake = tempfile::tempdir().unwrap();
    let (code, summary) = convert_verify(dir.path(), lake.path());
    assert_eq!(code, 0, "{summary}");
    let v = &summary["verification"];
    assert_eq!(v["problems"], 0, "{v}");
    assert_eq!(v["log_files"]["valid"], logs.len(), "{v}");
    assert_eq!(v["digests"]["valid"], digests.len(), "{v}");

    // Every event of the lake comes from a verified file.
    let verified = query_i64(
        lake.path(),
        "SELECT count(*) FROM cloudtrail JOIN log_files USING (sourceobject) WHERE verified",
    );
    assert_eq!(verified, 2000);
    assert!(tampering(lake.path()).0.is_empty());
    assert_eq!(
        query_i64(
            lake.path(),
            "SELECT count(*) FROM log_files WHERE kind = 'log'"
        ),
        logs.len() as i64
    );
    // One `checked` row per chain (trail and region); quiet hours are not problems.
    let chains = strings(
        &query(
            lake.path(),
            "SELECT DISTINCT kind FROM log_chains ORDER BY kind",
        ),
        0,
    );
    assert_eq!(
        chains,
        vec![
            Some("checked".to_string()),
            Some("quiet_period".to_string())
        ]
    );
    assert_eq!(
        query_i64(
            lake.path(),
            "SELECT count(DISTINCT chain) FROM log_chains WHERE kind = 'checked'"
        ),
        query_i64(
            lake.path(),
            "SELECT count(DISTINCT awsregion) FROM cloudtrail"
        ),
    );

    // A changed byte: the file's events still land (nothing is lost), its verdict is
    // invalid, the run exits 4, and the newest verdict wins in `log_files`.
    let victim = logs[3].clone();
    tamper(&dir.path().join(&victim));
    let (code, summary) = convert_verify(dir.path(), lake.path());
    assert_eq!(code, 4, "{summary}");
    assert_eq!(
        summary["verification"]["log_files"]["invalid"], 1,
        "{summary}"
    );
    let bad = query(
        lake.path(),
        "SELECT sourceobject, status, array_to_string(problems, ',') FROM log_files WHERE NOT verified",
    );
    let objects = strings(&bad, 0);
    assert_eq!(objects.len(), 1, "{objects:?}");
    assert!(
        objects[0].as_deref().unwrap().ends_with(&victim),
        "{objects:?}"
    );
    assert_eq!(strings(&bad, 1), vec![Some("invalid".to_string())]);
    assert!(
        strings(&bad, 2)[0]
            .as_deref()
            .unwrap()
            .contains("hash_mismatch")
    );
    assert_eq!(
        query_i64(
            lake.path(),
            "SELECT count(DISTINCT run) FROM log_file_checks"
        ),
        2
    );
    // The hunt raises it as log tampering, an incident of its own, critical.
    let (findings, incidents) = tampering(lake.path());
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["severity"], "critical");
    assert_eq!(findings[0]["problem"], "log_modified");
    assert!(
        findings[0]["eventids"][0]
            .as_str()
            .unwrap()
            .ends_with(&victim),
        "{findings:?}"
    );
    assert_eq!(incidents.len(), 1, "{incidents:?}");

    // A deleted digest breaks the chain, named in `log_chains`.
    let gone = &digests[digests.len() / 2];
    std::fs::remove_file(dir.path().join(gone)).unwrap();
    let (code, summary) = convert_verify(dir.path(), lake.path());
    assert_eq!(code, 4, "{summary}");
    let breaks = query(
        lake.path(),
        "SELECT missing FROM log_chains WHERE kind = 'chain_break'",
    );
    let missing = strings(&breaks, 0);
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(
        missing[0].as_deref().unwrap().ends_with(gone.as_str()),
        "{missing:?}"
    );
    let (findings, _) = tampering(lake.path());
    let mut problems: Vec<&str> = findings
        .iter()
        .map(|f| f["problem"].as_str().unwrap())
        .collect();
    problems.sort();
    assert_eq!(
        problems,
        ["chain_break", "digest_deleted", "log_modified"],
        "{findings:?}"
    );
}

#[test]
fn convert_verify_says_what_it_could_not_check() {
    let dir = archive();
    let one = dir.path().join(&logs(dir.path())[0]);
    let lake = tempfile::tempdir().unwrap();
    let keys = keys(dir.path());
    let (code, summary) = crate::harness::convert_json(
        &[one.as_path()],
        lake.path(),
        &["--verify", "--public-keys", keys.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{summary}");
    let skipped = summary["verification"]["skipped"].to_string();
    assert!(skipped.contains("not a directory"), "{skipped}");

    // Without keys or credentials to fetch them, nothing is converted: the run stops
    // before it starts and says what to do.
    let fresh = tempfile::tempdir().unwrap();
    let out = without_aws(&mut trawl())
        .arg("convert")
        .arg(dir.path())
        .arg("--lake")
        .arg(fresh.path())
        .arg("--verify")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--public-keys FILE"),
        "{}",
        stderr(&out)
    );
    assert!(crate::harness::parquet_files(fresh.path()).is_empty());
}

/// `cmd` with no AWS credentials from anywhere, and no CloudTrail endpoint to reach.
fn without_aws(cmd: &mut std::process::Command) -> &mut std::process::Command {
    for k in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    ] {
        cmd.env_remove(k);
    }
    cmd.env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/trawl-test/config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/trawl-test/credentials",
        )
        .env("AWS_ENDPOINT_URL_CLOUDTRAIL", "http://127.0.0.1:9")
        .env("AWS_REGION", "us-east-1")
}

/// The generated `public-keys.json` as CloudTrail's API sends it (validity times are
/// optional there, and epoch seconds on the wire rather than the CLI's text).
fn list_public_keys_response(dir: &Path) -> String {
    let mut keys: Value = serde_json::from_slice(&std::fs::read(keys(dir)).unwrap()).unwrap();
    for k in keys["PublicKeyList"].as_array_mut().unwrap() {
        let k = k.as_object_mut().unwrap();
        k.remove("ValidityStartTime");
        k.remove("ValidityEndTime");
    }
    keys.to_string()
}

#[test]
fn without_a_keys_file_verify_asks_list_public_keys_per_region() {
    use trawl_testkit::cloudtrail::CloudTrailServer;
    let dir = archive();
    let server = S3Server::start(&["trail"]).unwrap();
    let cloudtrail = CloudTrailServer::start(list_public_keys_response(dir.path())).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let store = server.store("trail").unwrap();
    let (logs, digests) = upload_as_delivered(&rt, &store, dir.path());
    let mut regions: Vec<String> = digests
        .iter()
        .map(|d| d.split('/').nth(3).unwrap().to_string())
        .collect();
    regions.sort();
    regions.dedup();
    assert!(regions.len() > 1, "{regions:?}");
    let trawl_aws = || {
        let mut cmd = trawl();
        for (k, v) in server.env() {
            cmd.env(k, v);
        }
        let (k, v) = cloudtrail.env();
        cmd.env(k, v).env_remove("AWS_PROFILE");
        cmd
    };

    let out = trawl_aws()
        .args(["verify", "s3://trail/trails/", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(r["digest_counts"]["valid"], digests.len());
    assert_eq!(r["log_counts"]["valid"], logs.len());
    // One call per delivering region, signed for that region.
    let mut asked = cloudtrail.regions();
    asked.sort();
    assert_eq!(asked, regions);
    let err = stderr(&out);
    assert!(
        err.contains("public key(s) from ListPublicKeys in"),
        "{err}"
    );

    // convert --verify from S3 gets its keys the same way and records the verdicts.
    let lake = tempfile::tempdir().unwrap();
    let out = trawl_aws()
        .args([
            "convert",
            "s3://trail/trails/",
            "--json",
            "--verify",
            "--lake",
        ])
        .arg(lake.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        summary["verification"]["log_files"]["valid"],
        logs.len(),
        "{summary}"
    );
    assert_eq!(
        crate::harness::query_i64(
            lake.path(),
            "SELECT count(*) FROM cloudtrail JOIN log_files USING (sourceobject) WHERE verified"
        ),
        2000
    );
}

#[test]
fn watch_verify_raises_log_tampering_once() {
    let dir = archive();
    let lake = tempfile::tempdir().unwrap();
    let cycle = |now: &str| {
        let out = trawl()
            .arg("watch")
            .arg(dir.path())
            .arg("--lake")
            .arg(lake.path())
            .args(["--once", "--now", now, "--verify", "--verify-window", "30d"])
            .arg("--public-keys")
            .arg(keys(dir.path()))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let raised: Vec<Value> = text(&out)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        let cycles =
            std::fs::read_to_string(lake.path().join("_trawl/watch/cycles.ndjson")).unwrap();
        let last: Value = serde_json::from_str(cycles.lines().last().unwrap()).unwrap();
        (raised, last)
    };
    let is_tampering = |v: &Value| v.to_string().contains("log_tampering");

    // Intact: the cycle converts and verifies, and nothing about tampering is raised.
    let (raised, rec) = cycle("2026-03-05T00:00:00Z");
    assert_eq!(rec["integrity_problems"], 0, "{rec}");
    assert!(!raised.iter().any(is_tampering), "{raised:?}");

    // A delivered file is changed: the next cycle, with nothing new delivered, raises
    // one critical incident naming it.
    let victim = logs(dir.path())[5].clone();
    tamper(&dir.path().join(&victim));
    let (raised, rec) = cycle("2026-03-05T00:05:00Z");
    assert_eq!(rec["integrity_problems"], 1, "{rec}");
    assert_eq!(rec["incidents_new"], 1, "{rec}");
    let tampering: Vec<&Value> = raised.iter().filter(|v| is_tampering(v)).collect();
    assert_eq!(tampering.len(), 1, "{raised:?}");
    assert!(
        tampering[0].to_string().contains(&victim),
        "{}",
        tampering[0]
    );
    assert!(
        tampering[0].to_string().contains("critical"),
        "{}",
        tampering[0]
    );

    // Found again the cycle after: known, not raised again.
    let (raised, rec) = cycle("2026-03-05T00:10:00Z");
    assert_eq!(rec["integrity_problems"], 1, "{rec}");
    assert_eq!(rec["incidents_new"], 0, "{rec}");
    assert!(!raised.iter().any(is_tampering), "{raised:?}");
}
