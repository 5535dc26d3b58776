//! The in-process S3 server the S3 tests stand on: real HTTP on loopback, SigV4
//! checked, objects on disk.

use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use trawl_testkit::S3Server;

#[test]
fn loopback_s3_server_signs_lists_and_rejects_bad_secrets() {
    let server = S3Server::start(&["trail"]).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = server.store("trail").unwrap();
        for i in 0..3 {
            let key = Path::from(format!(
                "AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/0{i}/f.json.gz"
            ));
            store
                .put(&key, PutPayload::from(vec![i as u8; 10]))
                .await
                .unwrap();
        }
        let listed: Vec<_> =
            futures::TryStreamExt::try_collect::<Vec<_>>(store.list(Some(&Path::from("AWSLogs"))))
                .await
                .unwrap();
        assert_eq!(listed.len(), 3);
        let got = store
            .get(&Path::from(
                "AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/01/f.json.gz",
            ))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(got.as_ref(), &[1u8; 10]);

        let wrong = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(server.endpoint())
            .with_allow_http(true)
            .with_bucket_name("trail")
            .with_region("us-east-1")
            .with_access_key_id(trawl_testkit::ACCESS_KEY)
            .with_secret_access_key("not-the-secret")
            .with_retry(object_store::RetryConfig {
                max_retries: 0,
                ..Default::default()
            })
            .build()
            .unwrap();
        let err = wrong.head(&Path::from("AWSLogs/x")).await.unwrap_err();
        assert!(
            !matches!(err, object_store::Error::NotFound { .. }),
            "a wrong secret is refused: {err}"
        );
    });
    assert!(server.bucket_dir("trail").join("AWSLogs").exists());
}

/// `trawl` with the environment that points it at `server`.
fn trawl_s3(server: &S3Server) -> std::process::Command {
    let mut cmd = crate::harness::trawl();
    for (k, v) in server.env() {
        cmd.env(k, v);
    }
    cmd.env_remove("AWS_PROFILE");
    cmd
}

fn json_out(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            crate::harness::stderr(out)
        )
    })
}

/// Generates a CloudTrail archive straight into the bucket, as an organization
/// trail: `AWSLogs/o-…/<account>/CloudTrail/<region>/YYYY/MM/DD/`.
fn org_trail(server: &S3Server, bucket: &str, args: &[&str]) {
    let staging = tempfile::tempdir().unwrap();
    crate::harness::generate(staging.path(), args);
    let org = server.bucket_dir(bucket).join("AWSLogs/o-a1b2c3d4e5");
    std::fs::create_dir_all(&org).unwrap();
    for e in std::fs::read_dir(staging.path().join("AWSLogs")).unwrap() {
        let e = e.unwrap();
        std::fs::rename(e.path(), org.join(e.file_name())).unwrap();
    }
}

/// `trawl convert SOURCE --lake LAKE --json EXTRA...`, which must succeed; its summary.
fn convert_ok(server: &S3Server, source: &str, lake: &str, extra: &[&str]) -> serde_json::Value {
    let out = trawl_s3(server)
        .args(["convert", source, "--lake", lake, "--json"])
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        crate::harness::stderr(&out)
    );
    json_out(&out)
}

/// One integer from `trawl sql` over raw archives.
fn raw_count(server: &S3Server, source: &str, sql: &str) -> i64 {
    let out = trawl_s3(server)
        .args(["sql", "--raw", source, "--format", "csv", "-q", "-c", sql])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", crate::harness::stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines().nth(1).unwrap().trim().parse().unwrap()
}

fn sql_count(server: &S3Server, lake: &str, sql: &str) -> i64 {
    let out = trawl_s3(server)
        .args(["sql", "--lake", lake, "--format", "csv", "-c", sql])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", crate::harness::stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines().nth(1).unwrap().trim().parse().unwrap()
}

#[test]
fn convert_an_org_trail_from_s3_into_an_s3_lake_and_query_it_in_place() {
    let server = S3Server::start(&["trail", "lake"]).unwrap();
    // Two events per file: well over 1,000 keys, so listings page.
    org_trail(
        &server,
        "trail",
        &[
            "--events",
            "3000",
            "--days",
            "5",
            "--accounts",
            "2",
            "--events-per-file",
            "2",
        ],
    );
    let all = crate::harness::files_under(&server.bucket_dir("trail"));
    assert!(all.len() > 1000, "{} keys", all.len());
    let account = std::fs::read_dir(server.bucket_dir("trail").join("AWSLogs/o-a1b2c3d4e5"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .min()
        .unwrap();

    // One account, one day: only that account's prefixes for the day and a day of
    // slack on each side are listed.
    let first = convert_ok(
        &server,
        "s3://trail/AWSLogs/",
        "s3://lake/ct",
        &[
            "--account",
            &account,
            "--since",
            "2026-03-03",
            "--until",
            "2026-03-03",
        ],
    );
    let wanted_days = ["2026/03/02", "2026/03/03", "2026/03/04"];
    let expected_listed = all
        .iter()
        .filter(|p| {
            let s = p.to_string_lossy();
            s.contains(&format!("/{account}/CloudTrail"))
                && !s.contains("CloudTrail-Digest")
                && wanted_days.iter().any(|d| s.contains(d))
        })
        .count() as u64;
    assert!(expected_listed > 0);
    assert_eq!(
        first["listing"]["objects_listed"], expected_listed,
        "{first}"
    );
    assert!(first["listing"]["objects_listed"].as_u64().unwrap() < all.len() as u64 / 3);
    assert_eq!(first["files"]["found"], expected_listed);
    assert_eq!(first["published"]["runs"], 1, "{first}");
    let written_first = first["records"]["written"].as_i64().unwrap();
    assert!(written_first > 0);
    assert_eq!(
        sql_count(&server, "s3://lake/ct", "SELECT count(*) FROM cloudtrail"),
        written_first
    );

    // The rest of the bucket; then a rerun finds nothing new.
    let second = convert_ok(&server, "s3://trail/AWSLogs/", "s3://lake/ct", &[]);
    assert_eq!(second["files"]["already_converted"], expected_listed);
    let total = written_first + second["records"]["written"].as_i64().unwrap();
    let third = convert_ok(&server, "s3://trail/AWSLogs/", "s3://lake/ct", &[]);
    assert_eq!(third["files"]["read"], 0, "{third}");
    assert_eq!(
        sql_count(&server, "s3://lake/ct", "SELECT count(*) FROM cloudtrail"),
        total
    );
    assert_eq!(
        sql_count(
            &server,
            "s3://lake/ct",
            "SELECT count(DISTINCT eventid) FROM cloudtrail"
        ),
        total
    );
    assert!(
        crate::harness::files_under(&server.bucket_dir("lake").join("ct/_trawl/staging"))
            .is_empty()
    );
    assert!(
        crate::harness::files_under(&server.bucket_dir("lake").join("ct/_trawl/pending"))
            .is_empty()
    );

    // Raw archives on S3 answer the same.
    let raw = raw_count(
        &server,
        "s3://trail/AWSLogs/",
        "SELECT count(*) FROM cloudtrail",
    );
    assert_eq!(raw, total);

    // Hunt in place.
    let out = trawl_s3(&server)
        .args([
            "hunt",
            "--lake",
            "s3://lake/ct",
            "--format",
            "json",
            "-q",
            "--fail-on",
            "critical",
        ])
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 4)),
        "{}",
        crate::harness::stderr(&out)
    );
    assert!(json_out(&out)["summary"].as_array().unwrap().len() >= 150);
}

#[test]
fn s3_errors_name_the_bucket_and_what_to_do() {
    let server = S3Server::start(&["trail"]).unwrap();
    crate::harness::generate(
        &server.bucket_dir("trail"),
        &["--events", "50", "--days", "1"],
    );
    let lake = tempfile::tempdir().unwrap();
    let lake = lake.path().to_str().unwrap();

    let out = trawl_s3(&server)
        .env("AWS_SECRET_ACCESS_KEY", "not-the-secret")
        .args(["convert", "s3://trail/AWSLogs/", "--lake", lake])
        .output()
        .unwrap();
    let err = crate::harness::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("s3://trail/") && err.contains("refused the credentials"),
        "{err}"
    );

    let out = trawl_s3(&server)
        .args(["convert", "s3://no-such-bucket/AWSLogs/", "--lake", lake])
        .output()
        .unwrap();
    let err = crate::harness::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("`no-such-bucket` does not exist"), "{err}");

    let out = trawl_s3(&server)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args(["convert", "s3://trail/AWSLogs/", "--lake", lake])
        .output()
        .unwrap();
    let err = crate::harness::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("no usable AWS credentials"), "{err}");
    assert!(!err.contains(trawl_testkit::SECRET_KEY));

    let out = trawl_s3(&server)
        .args(["sql", "--lake", "s3://trail/not-a-lake", "-c", "SELECT 1"])
        .output()
        .unwrap();
    let err = crate::harness::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("not a trawl lake"), "{err}");
}

#[test]
fn a_server_gone_mid_run_then_a_rerun_completes_with_exact_counts() {
    let mut server = S3Server::start(&["trail", "lake"]).unwrap();
    crate::harness::generate(
        &server.bucket_dir("trail"),
        &["--events", "20000", "--days", "2", "--events-per-file", "5"],
    );
    let child = trawl_s3(&server)
        .args([
            "convert",
            "s3://trail/AWSLogs/",
            "--lake",
            "s3://lake/ct",
            "-q",
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    server.stop();
    let out = child.wait_with_output().unwrap();
    assert_ne!(
        out.status.code(),
        Some(0),
        "the first run cannot finish without its server: {}",
        crate::harness::stderr(&out)
    );
    server.restart().unwrap();
    let s = convert_ok(&server, "s3://trail/AWSLogs/", "s3://lake/ct", &[]);
    let records = s["records"]["read"].as_i64().unwrap();
    let written = s["records"]["written"].as_i64().unwrap();
    let lake_rows = sql_count(&server, "s3://lake/ct", "SELECT count(*) FROM cloudtrail");
    let distinct = sql_count(
        &server,
        "s3://lake/ct",
        "SELECT count(DISTINCT eventid) FROM cloudtrail",
    );
    // Nothing of the interrupted run is in the lake twice, and nothing is missing:
    // the archive's events all arrive (the generator writes each event id once,
    // duplicates only as exact re-deliveries, which are dropped).
    assert_eq!(lake_rows, distinct);
    assert_eq!(lake_rows, written, "{s}");
    assert!(records >= written);
    let raw = raw_count(
        &server,
        "s3://trail/AWSLogs/",
        "SELECT count(DISTINCT eventid) FROM cloudtrail",
    );
    assert_eq!(lake_rows, raw);
    assert!(
        crate::harness::files_under(&server.bucket_dir("lake").join("ct/_trawl/staging"))
            .is_empty()
    );
}

#[test]
fn large_lake_files_go_up_in_parts_from_a_local_archive() {
    let server = S3Server::start(&["lake"]).unwrap();
    let archive = tempfile::tempdir().unwrap();
    // One day of 40,000 events: a Parquet file of more than one 5 MiB part.
    crate::harness::generate(
        archive.path(),
        &[
            "--events",
            "40000",
            "--days",
            "1",
            "--accounts",
            "1",
            "--events-per-file",
            "500",
        ],
    );
    let out = trawl_s3(&server)
        .env("TRAWL_S3_PART_SIZE", "5242880")
        .args([
            "convert",
            archive.path().to_str().unwrap(),
            "--lake",
            "s3://lake/big",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        crate::harness::stderr(&out)
    );
    let s = json_out(&out);
    assert!(
        s["published"]["multipart_uploads"].as_u64().unwrap() >= 1,
        "{s}"
    );
    let largest = crate::harness::files_under(&server.bucket_dir("lake").join("big/cloudtrail"))
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len())
        .max()
        .unwrap();
    assert!(largest > 5 << 20, "{largest}");
    assert_eq!(
        sql_count(&server, "s3://lake/big", "SELECT count(*) FROM cloudtrail"),
        s["records"]["written"].as_i64().unwrap()
    );
}

#[test]
fn ddl_of_a_lake_on_s3_reads_its_schema_and_days_there() {
    let server = S3Server::start(&["lake"]).unwrap();
    let real = crate::harness::fixture("real/stratus-red-team");
    convert_ok(&server, real.to_str().unwrap(), "s3://lake/ct", &[]);
    let local = tempfile::tempdir().unwrap();
    let (code, summary) =
        crate::harness::convert_json(&[real.as_path()], &local.path().join("lake"), &[]);
    assert_eq!(code, 0, "{summary}");
    let ddl = |engine: &str, lake: &str| {
        let out = trawl_s3(&server)
            .args(["ddl", engine, "--lake", lake])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", crate::harness::stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let athena = ddl("athena", "s3://lake/ct");
    assert!(
        athena.contains("LOCATION 's3://lake/ct/cloudtrail/'"),
        "{athena}"
    );
    assert!(
        athena.contains("'storage.location.template' = 's3://lake/ct/cloudtrail/date=${date}/'"),
        "{athena}"
    );
    assert!(!athena.contains("Athena reads S3 only"), "{athena}");
    // The same columns and first day as the same events in a local lake.
    let columns = |text: &str| {
        let start = text.find(" (\n").unwrap();
        let end = text.find("\nSTORED AS").unwrap();
        text[start..end].to_string()
    };
    let local_athena = ddl("athena", local.path().join("lake").to_str().unwrap());
    assert_eq!(columns(&athena), columns(&local_athena));
    let range = |text: &str| {
        text.lines()
            .find(|l| l.contains("projection.date.range"))
            .unwrap()
            .to_string()
    };
    assert_eq!(range(&athena), range(&local_athena));
    let duckdb = ddl("duckdb", "s3://lake/ct");
    assert!(duckdb.contains("CREATE SECRET"), "{duckdb}");
    assert!(
        duckdb.contains("read_parquet('s3://lake/ct/cloudtrail/**/*.parquet'"),
        "{duckdb}"
    );
}

/// A lake on S3 opens from the record its publish left beside the ledger, reading no
/// file's footer: its columns are those inference gives, and with a table file
/// damaged they still are. Without the record the schema is inferred from every
/// footer, and a damaged one spoils it.
#[test]
fn a_lake_on_s3_opens_from_its_table_record_without_reading_footers() {
    let server = S3Server::start(&["lake"]).unwrap();
    let real = crate::harness::fixture("real/stratus-red-team");
    convert_ok(&server, real.to_str().unwrap(), "s3://lake/ct", &[]);
    let bucket = server.bucket_dir("lake");
    let record = bucket.join("ct/_trawl/table-files.json");
    assert!(record.is_file(), "no table record after publishing");
    let columns = || {
        let out = trawl_s3(&server)
            .args(["sql", "--lake", "s3://lake/ct", "--format", "csv", "-c"])
            .arg(
                "SELECT column_name, data_type FROM information_schema.columns \
                 WHERE table_name = 'cloudtrail' ORDER BY ordinal_position",
            )
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", crate::harness::stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let from_record = columns();
    let kept = std::fs::read(&record).unwrap();
    std::fs::remove_file(&record).unwrap();
    let inferred = columns();
    assert_eq!(from_record, inferred);
    assert!(inferred.contains("eventname,Utf8View"), "{inferred}");
    let table = crate::harness::parquet_files(&bucket.join("ct/cloudtrail"));
    std::fs::write(&table[0], b"not parquet any more").unwrap();
    assert_ne!(columns(), inferred, "inference read the damaged footer");
    std::fs::write(&record, kept).unwrap();
    assert_eq!(columns(), inferred, "opening with the record read a footer");
}
