//! End-to-end tests of the decoder: every delivery shape, rejects and their reasons,
//! gzip and truncation, and the real corpora under `tests/fixtures/real`.

use super::*;

fn decode_str(source: &str, text: &str) -> Decoded {
    decode(source, text.as_bytes(), &DecodeOptions::default())
}

fn real_files(dir: &str) -> Vec<std::path::PathBuf> {
    let root = crate::test_manifest_dir()
        .join("../../tests/fixtures/real")
        .join(dir);
    let mut files: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn real_corpora_decode_without_rejects() {
    for (dir, expected) in [
        ("stratus-red-team", 310),
        ("otrf-security-datasets", 103),
        ("cloudtrail2sightings", 15),
        ("aws-cloudtrail-forensics", 3),
    ] {
        let mut rows = 0;
        for f in real_files(dir) {
            let data = std::fs::read(&f).unwrap();
            let d = decode(&f.to_string_lossy(), &data, &DecodeOptions::default());
            assert!(d.rejects.is_empty(), "{}: {:?}", f.display(), d.rejects);
            assert_eq!(d.records, d.rows);
            rows += d.rows;
        }
        assert_eq!(rows, expected, "{dir}");
    }
}

#[test]
fn bad_records_are_rejected_with_reasons_and_neighbours_kept() {
    let text = r#"{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventID":"a","eventName":"X"}
{"eventVersion":"1.08","eventID":"b","eventName":"NoTime"}
{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:01Z","eventName":"NoId"}
{"eventVersion":"1.08","eventTime":"soon","eventID":"c"}
{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:02Z","eventID":"d","readOnly":"maybe"}
{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:03Z","eventID":"e","userIdentity":{"arn":{"x":1}}}
{"foo":1}
{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:04Z","eventID":"f"
{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:05Z","eventID":"g","readOnly":"TRUE"}
"#;
    let d = decode_str("mixed.jsonl", text);
    assert_eq!(d.rows, 2);
    assert_eq!(d.records, 9);
    let reasons: Vec<_> = d
        .rejects
        .iter()
        .map(|r| (r.index, r.line, r.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 7, "{reasons:#?}");
    assert!(reasons[0].2.contains("missing `eventTime`"));
    assert_eq!(reasons[0].1, Some(2));
    assert!(reasons[1].2.contains("missing `eventID`"));
    assert!(reasons[2].2.contains("not a timestamp"));
    assert!(reasons[3].2.contains("readOnly"), "{}", reasons[3].2);
    assert!(
        reasons[4].2.contains("userIdentity.arn"),
        "{}",
        reasons[4].2
    );
    assert!(reasons[5].2.contains("not a CloudTrail record"));
    assert!(reasons[6].2.contains("invalid JSON"), "{}", reasons[6].2);
    assert_eq!(reasons[6].1, Some(8));
}

#[test]
fn every_delivery_shape() {
    let rec = |id: &str| {
        format!(
            r#"{{"eventVersion":"1.09","eventTime":"2026-01-05T10:01:02Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","eventID":"{id}","readOnly":false}}"#
        )
    };
    let records = format!(r#"{{"Records":[{},{}]}}"#, rec("1"), rec("2"));
    let eventbridge = format!(
        r#"{{"version":"0","id":"x","detail-type":"AWS API Call via CloudTrail","source":"aws.iam","account":"1","time":"2026-01-05T10:01:02Z","region":"us-east-1","resources":[],"detail":{}}}"#,
        rec("3")
    );
    let lookup = format!(
        r#"{{"Events":[{{"EventId":"4","EventName":"CreateUser","ReadOnly":"false","CloudTrailEvent":{}}}]}}"#,
        serde_json::to_string(&rec("4")).unwrap()
    );
    let cloudwatch = format!(
        "2026-01-05T10:01:04.123Z {}\n1767607264123 {}\n",
        rec("5"),
        rec("6")
    );
    let lake = format!(
        "eventid,eventjson\n7,{}\n",
        serde_json::to_string(&rec("7"))
            .unwrap()
            .replace("\\\"", "\"\"")
    );
    let cw_sub = format!(
        r#"{{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","subscriptionFilters":[],"logEvents":[{{"id":"1","timestamp":1,"message":{}}}]}}"#,
        serde_json::to_string(&rec("8")).unwrap()
    );
    let array = format!("[{}, {}]", rec("9"), rec("10"));
    let digest = r#"{"awsAccountId":"1","digestStartTime":"2026-01-05T09:01:31Z","digestEndTime":"2026-01-05T10:01:31Z","logFiles":[]}"#;
    for (name, text, rows) in [
        ("records.json", records.as_str(), 2),
        ("eventbridge.json", eventbridge.as_str(), 1),
        ("lookup.json", lookup.as_str(), 1),
        ("cloudwatch.txt", cloudwatch.as_str(), 2),
        ("lake.csv", lake.as_str(), 1),
        ("subscription.json", cw_sub.as_str(), 1),
        ("array.json", array.as_str(), 2),
    ] {
        let d = decode_str(name, text);
        assert!(d.rejects.is_empty(), "{name}: {:?}", d.rejects);
        assert_eq!(d.rows, rows, "{name}");
    }
    let d = decode_str("digest.json", digest);
    assert_eq!((d.rows, d.records, d.digests), (0, 0, 1));
    // `aws cloudtrail list-public-keys` output kept beside an archive copy (for `trawl verify`).
    let keys = r#"{"PublicKeyList":[{"Value":"AAAA","ValidityStartTime":"2026-01-01T00:00:00Z","ValidityEndTime":"2026-02-01T00:00:00Z","Fingerprint":"00"}]}"#;
    let d = decode_str("public-keys.json", keys);
    assert!(d.rejects.is_empty(), "{:?}", d.rejects);
    assert_eq!((d.rows, d.records, d.digests), (0, 0, 1));
    let d = decode_str(
        "AWSLogs/1/CloudTrail-Digest/us-east-1/2026/01/05/x.json.gz",
        "garbage",
    );
    assert!(d.skipped.is_some());
}

#[test]
fn gzip_and_truncation() {
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;
    let records: Vec<String> = (0..500)
        .map(|i| format!(r#"{{"eventVersion":"1.09","eventTime":"2026-01-05T10:01:02Z","eventID":"{i}","eventName":"A{i}"}}"#))
        .collect();
    let text = format!(r#"{{"Records":[{}]}}"#, records.join(","));
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    let d = decode("x.json.gz", &gz, &DecodeOptions::default());
    assert_eq!((d.rows, d.records), (500, 500));
    let cut = &gz[..gz.len() / 2];
    let d = decode("cut.json.gz", cut, &DecodeOptions::default());
    assert!(d.rows > 10 && d.rows < 500, "{}", d.rows);
    assert_eq!(d.rejects.len(), 1);
    assert_eq!(d.records, d.rows + 1);
    assert!(
        d.rejects[0].reason.contains("gzip stream is cut short"),
        "{}",
        d.rejects[0].reason
    );
    let d = decode(
        "notct.bin",
        &[0u8, 1, 2, 3, 0, 0],
        &DecodeOptions::default(),
    );
    assert_eq!((d.rows, d.records), (0, 1));
    let d = decode(
        "readme.txt",
        b"hello world\nthis is not json\n",
        &DecodeOptions::default(),
    );
    assert_eq!((d.rows, d.records), (0, 1));
    assert!(d.rejects[0].reason.starts_with("not CloudTrail"));
}
