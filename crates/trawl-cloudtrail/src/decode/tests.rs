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

/// The `eventjson` of every row, in order.
pub(super) fn event_jsons(d: &Decoded) -> Vec<String> {
    use arrow::array::{Array, AsArray};
    d.batches
        .iter()
        .flat_map(|b| {
            let c = b
                .column_by_name(crate::col::EVENTJSON)
                .unwrap()
                .as_string_view();
            (0..c.len())
                .map(|i| c.value(i).to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn rec(id: &str, name: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventID":"{id}","eventName":"{name}"}}"#
    )
}

#[test]
fn invalid_utf8_rejects_its_record_and_leaves_the_others_byte_for_byte() {
    // A literal U+FFFD is valid text and stays; the invalid byte 0xff is not.
    let good1 = rec("a", "GetObject\u{FFFD}");
    let good2 = rec("c", "PutObject");
    let mut bad = rec("b", "ListBucketsX").into_bytes();
    let at = bad.iter().position(|&b| b == b'X').unwrap();
    bad[at] = 0xff;
    for gzip in [false, true] {
        let mut body = format!(r#"{{"Records":[{good1},"#).into_bytes();
        let bad_at = body.len() + at;
        body.extend_from_slice(&bad);
        body.extend_from_slice(format!(",{good2}]}}").as_bytes());
        let data = if gzip { gz_bytes(&body) } else { body.clone() };
        let d = decode("f.json.gz", &data, &DecodeOptions::default());
        assert_eq!((d.records, d.rows), (3, 2), "{:?}", d.rejects);
        assert_eq!(event_jsons(&d), [good1.clone(), good2.clone()]);
        assert_eq!(d.rejects.len(), 1);
        let r = &d.rejects[0];
        assert_eq!(r.index, Some(1));
        assert!(
            r.reason.contains(&format!(
                "invalid UTF-8 (bytes ff) at byte {bad_at} of the object"
            )),
            "{}",
            r.reason
        );
        assert!(r.raw.contains("ListBuckets\u{FFFD}"), "{}", r.raw);
    }
    // JSON lines: the line is named.
    let mut text = format!("{good1}\n").into_bytes();
    text.extend_from_slice(&bad);
    text.extend_from_slice(format!("\n{good2}\n").as_bytes());
    let d = decode("f.jsonl", &text, &DecodeOptions::default());
    assert_eq!((d.records, d.rows), (3, 2));
    assert_eq!(d.rejects[0].line, Some(2));
}

fn gz_bytes(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn odd_values_have_their_documented_outcomes() {
    let head = r#""eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventID":"a""#;
    let kept = |d: &Decoded, text: &str| d.rows == 1 && event_jsons(d) == [text.to_string()];
    let rejected = |d: &Decoded, needle: &str| {
        d.rows == 0 && d.rejects.len() == 1 && d.rejects[0].reason.contains(needle)
    };
    for wrap in [false, true] {
        let run = |body: &str| {
            let text = format!("{{{head},{body}}}");
            let input = if wrap {
                format!(r#"{{"Records":[{text}]}}"#)
            } else {
                text.clone()
            };
            (decode_str("f.json", &input), text)
        };
        // A lone surrogate in a typed field: rejected, and the reason says so.
        let (d, _) = run(r#""eventName":"X\ud800Y""#);
        assert!(rejected(&d, "lone UTF-16 surrogate"), "{:?}", d.rejects);
        // In an untyped field it is kept as written (eventjson is the record).
        let (d, text) = run(r#""eventName":"X","requestParameters":{"k":"\udc00"}"#);
        assert!(kept(&d, &text), "{:?}", d.rejects);
        // A duplicate typed key: rejected (which one is meant is not ours to guess).
        let (d, _) = run(r#""eventName":"First","eventName":"Second""#);
        assert!(
            rejected(&d, "duplicate field `eventName`"),
            "{:?}",
            d.rejects
        );
        // In an untyped field: kept as written.
        let (d, text) = run(r#""eventName":"X","requestParameters":{"k":1,"k":2}"#);
        assert!(kept(&d, &text), "{:?}", d.rejects);
        // Numbers beyond i64 and f64 in untyped fields: kept as written.
        let (d, text) = run(
            r#""eventName":"X","requestParameters":{"n":123456789012345678901234567890,"f":1e400}"#,
        );
        assert!(kept(&d, &text), "{:?}", d.rejects);
        // An escaped NUL is JSON: kept, in the column too.
        let (d, text) = run(r#""eventName":"X\u0000Y""#);
        assert!(kept(&d, &text), "{:?}", d.rejects);
        // A raw NUL in a string is not JSON: rejected.
        let (d, _) = run("\"eventName\":\"X\0Y\"");
        assert!(rejected(&d, "control character"), "{:?}", d.rejects);
    }
}

#[test]
fn deep_nesting_and_a_large_record_neither_crash_nor_vanish() {
    let head = r#""eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventID":"a""#;
    let depth = 200_000;
    let deep = format!(
        "{{{head},\"requestParameters\":{{\"k\":{}{}}}}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    for text in [deep.clone(), format!(r#"{{"Records":[{deep}]}}"#)] {
        let d = decode_str("deep.json", &text);
        assert_eq!(
            (d.records, d.rows),
            (1, 1),
            "{:?}",
            d.rejects.first().map(|r| &r.reason)
        );
        assert_eq!(event_jsons(&d), std::slice::from_ref(&deep));
    }
    let big = format!(
        "{{{head},\"requestParameters\":{{\"policy\":\"{}\"}}}}",
        "x".repeat(40 << 20)
    );
    let d = decode_str("big.json", &format!(r#"{{"Records":[{big}]}}"#));
    assert_eq!(
        (d.records, d.rows),
        (1, 1),
        "{:?}",
        d.rejects.first().map(|r| &r.reason)
    );
    assert_eq!(event_jsons(&d)[0].len(), big.len());
}

#[test]
fn a_group_stays_within_the_inflate_budget_and_loses_nothing() {
    // Records padded so each object inflates to about 600 KiB, under a 1 MiB budget.
    let object = |tag: &str| {
        let records: Vec<String> = (0..20)
            .map(|i| {
                format!(
                    r#"{{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventID":"{tag}-{i}","eventName":"X","requestParameters":{{"pad":"{}"}}}}"#,
                    "p".repeat(30_000)
                )
            })
            .collect();
        gz_bytes(format!(r#"{{"Records":[{}]}}"#, records.join(",")).as_bytes())
    };
    let (a, b, c) = (object("a"), object("b"), object("c"));
    let too_big = gz_bytes(&vec![b' '; 2 << 20]);
    let inputs: Vec<(&str, &[u8])> = vec![
        ("a.json.gz", &a),
        ("b.json.gz", &b),
        ("big.json.gz", &too_big),
        ("c.json.gz", &c),
    ];
    let opts = DecodeOptions {
        max_inflated: 1 << 20,
        ..DecodeOptions::default()
    };
    let (decoded, batches) = decode_many(&inputs, &opts);
    let rows: Vec<u64> = decoded.iter().map(|d| d.rows).collect();
    assert_eq!(rows, [20, 20, 0, 20]);
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 60);
    assert!(
        decoded[..2]
            .iter()
            .chain(&decoded[3..])
            .all(|d| d.rejects.is_empty())
    );
    assert!(
        decoded[2].rejects[0]
            .reason
            .contains("inflates to more than 1048576 bytes")
    );
}

#[test]
fn event_json_points_into_each_inflated_text_and_copies_only_what_it_rewrote() {
    use arrow::array::AsArray;
    let (a, b) = (rec("a", "GetObject"), rec("b", "PutObject"));
    let first = format!(r#"{{"Records":[{a},{b}]}}"#);
    // Written over several lines: stored compacted, so not as it is in the text.
    let pretty = "{\"Records\":[{\n  \"eventVersion\": \"1.08\",\n  \"eventTime\": \
                  \"2024-01-01T00:00:00Z\",\n  \"eventID\": \"c\"\n}]}";
    let inputs = [
        ("one.json.gz", gz_bytes(first.as_bytes())),
        ("two.json.gz", gz_bytes(pretty.as_bytes())),
    ];
    let inputs: Vec<(&str, &[u8])> = inputs.iter().map(|(s, d)| (*s, d.as_slice())).collect();
    let (decoded, batches) = decode_many(&inputs, &DecodeOptions::default());
    assert_eq!(decoded.iter().map(|d| d.rows).sum::<u64>(), 3);
    assert_eq!(batches.len(), 1);
    let json = batches[0]
        .column_by_name(crate::col::EVENTJSON)
        .unwrap()
        .as_string_view();
    let values: Vec<&str> = json.iter().flatten().collect();
    assert_eq!(
        values,
        [
            a.as_str(),
            b.as_str(),
            r#"{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventID":"c"}"#
        ]
    );
    // The first object's whole inflated text is one block both records point into;
    // the compacted record was copied into a block of its own.
    let blocks: Vec<usize> = json.data_buffers().iter().map(|b| b.len()).collect();
    assert_eq!(blocks.len(), 2, "{blocks:?}");
    assert_eq!(blocks[0], first.len());
    let block = json.data_buffers()[0].as_slice();
    let in_block = |v: &str| {
        let (start, p) = (block.as_ptr() as usize, v.as_ptr() as usize);
        p >= start && p + v.len() <= start + block.len()
    };
    assert!(in_block(values[0]) && in_block(values[1]));
    assert!(!in_block(values[2]));
}
