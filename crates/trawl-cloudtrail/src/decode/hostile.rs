//! Hostile input found by fuzzing the decoder: each case asserts what becomes of the
//! input and that the work it costs (bytes parsed, searched or copied, counted by
//! [`crate::work`]) stays within a small multiple of its size.

use super::tests::event_jsons;
use super::*;
use crate::work::measure;

/// Decodes `text` and returns the result with the work it cost per input byte.
fn decode_measured(source: &str, text: &[u8]) -> (Decoded, f64) {
    let (d, work) = measure(|| decode(source, text, &DecodeOptions::default()));
    (d, work as f64 / text.len().max(1) as f64)
}

fn rec(id: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventID":"{id}","eventName":"X"}}"#
    )
}

#[test]
fn json_lines_of_non_records_number_their_lines_in_linear_work() {
    // Every line a reject: each used to count its line from the start of the text.
    let lines = 100_000;
    let text = "{}\n".repeat(lines);
    let (d, per_byte) = decode_measured("f.jsonl", text.as_bytes());
    assert_eq!((d.records, d.rows), (lines as u64, 0));
    assert!(
        d.rejects
            .iter()
            .all(|r| r.reason.contains("not a CloudTrail record"))
    );
    assert_eq!(d.rejects.last().and_then(|r| r.line), Some(lines as u64));
    assert!(per_byte < 16.0, "{per_byte} units of work per input byte");
}

#[test]
fn invalid_utf8_in_a_record_of_a_nested_array_is_rejected_not_repaired() {
    // Records found inside a nested array had offsets relative to that array, so the
    // repaired byte was charged to the wrong record and this one landed with U+FFFD.
    let mut bad = rec("bad").into_bytes();
    let x = bad.iter().position(|&b| b == b'X').expect("X");
    bad[x] = 0xff;
    let shapes: [(&[u8], &[u8], &[u8]); 3] = [
        (b"[[", b",", b"]]"),
        (b"[{\"Records\":[", b",", b"]}]"),
        (b"{\"Records\":[]}\n{\"Records\":[", b",", b"]}\n"),
    ];
    for (open, comma, close) in shapes {
        let mut text = open.to_vec();
        text.extend_from_slice(rec("a").as_bytes());
        text.extend_from_slice(comma);
        text.extend_from_slice(&bad);
        text.extend_from_slice(comma);
        text.extend_from_slice(rec("c").as_bytes());
        text.extend_from_slice(close);
        let (d, per_byte) = decode_measured("f.json", &text);
        let shape = String::from_utf8_lossy(open);
        assert_eq!(event_jsons(&d), [rec("a"), rec("c")], "{shape}");
        assert_eq!((d.records, d.rows), (3, 2), "{shape}: {:?}", d.rejects);
        assert!(
            d.rejects[0].reason.contains("invalid UTF-8 (bytes ff)"),
            "{shape}: {}",
            d.rejects[0].reason
        );
        assert_eq!(d.rejects[0].index, Some(1), "{shape}");
        assert!(per_byte < 64.0, "{shape}: {per_byte}");
    }
}

#[test]
fn subscription_events_without_a_message_cost_their_own_size() {
    // Each such event used to be rejected with the whole payload as its raw text.
    let events = 20_000;
    let body = vec![r#"{"id":"1","timestamp":1}"#; events].join(",");
    let text = format!(
        r#"{{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","subscriptionFilters":[],"logEvents":[{body},{{"id":"2","timestamp":2,"message":{}}}]}}"#,
        serde_json::to_string(&rec("m")).expect("string")
    );
    let (d, per_byte) = decode_measured("sub.json", text.as_bytes());
    assert_eq!((d.records, d.rows), (events as u64 + 1, 1));
    assert_eq!(event_jsons(&d), [rec("m")]);
    assert!(d.rejects.iter().all(
        |r| r.reason.contains("without a `message`") && r.raw == r#"{"id":"1","timestamp":1}"#
    ));
    let raw: usize = d.rejects.iter().map(|r| r.raw.len()).sum();
    assert!(
        raw <= text.len(),
        "{raw} bytes of raw text kept for {} of input",
        text.len()
    );
    assert!(per_byte < 16.0, "{per_byte}");
}

#[test]
fn many_invalid_bytes_are_matched_to_their_records_in_linear_work() {
    // One invalid byte in each of many records, and some between records: finding each
    // byte's record used to scan the records once per byte.
    let records = 20_000;
    let mut text = Vec::new();
    for i in 0..records {
        let mut r = rec(&i.to_string()).into_bytes();
        if i % 2 == 0 {
            let x = r.iter().position(|&b| b == b'X').expect("X");
            r[x] = 0xfe;
        }
        text.extend_from_slice(&r);
        text.extend_from_slice(if i % 1000 == 0 { b"\xff\n" } else { b"\n" });
    }
    let (d, per_byte) = decode_measured("f.jsonl", &text);
    assert_eq!(d.rows, records as u64 / 2);
    let utf8: Vec<_> = d
        .rejects
        .iter()
        .filter(|r| r.reason.contains("invalid UTF-8 (bytes fe)"))
        .collect();
    assert_eq!(utf8.len(), records / 2);
    // The bytes between records are broken text, rejected as such, and counted once
    // more in one reject saying how many runs of invalid bytes lay outside the records.
    let broken = d
        .rejects
        .iter()
        .filter(|r| r.reason.contains("invalid JSON"));
    assert_eq!(broken.count(), records / 1000);
    let outside: Vec<_> = d.rejects.iter().filter(|r| r.index.is_none()).collect();
    assert_eq!(outside.len(), 1, "{outside:?}");
    assert!(
        outside[0]
            .reason
            .contains("(20 such runs of invalid bytes)"),
        "{}",
        outside[0].reason
    );
    assert_eq!(d.rejects.len(), records / 2 + records / 1000 + 1);
    assert!(event_jsons(&d).iter().all(|j| !j.contains('\u{FFFD}')));
    assert!(per_byte < 16.0, "{per_byte}");
}

#[test]
fn a_cloudwatch_export_line_is_read_within_itself() {
    // Each line opens an object that never closes: its message used to be parsed on
    // through every following line.
    let lines = 20_000;
    let mut text = format!("2024-01-01T00:00:00.000Z {}\n", rec("first"));
    text.push_str(&"1704067200000 {\"a\":[\n".repeat(lines));
    text.push_str(&format!("1704067200000 {}\n", rec("last")));
    let (d, per_byte) = decode_measured("000000", text.as_bytes());
    assert_eq!((d.records, d.rows), (lines as u64 + 2, 2));
    assert!(
        d.rejects
            .iter()
            .all(|r| r.reason.contains("invalid JSON in CloudWatch Logs message"))
    );
    assert_eq!(d.rejects[0].line, Some(2));
    assert!(per_byte < 16.0, "{per_byte}");
}

#[test]
fn resynchronising_on_one_long_line_is_linear() {
    // Broken and good records alternating on one line: each resynchronisation used to
    // search the whole rest of the text for a newline.
    let pairs = 20_000;
    let mut text = String::new();
    for i in 0..pairs {
        text.push_str("{x}");
        text.push_str(&rec(&i.to_string()));
    }
    let (d, per_byte) = decode_measured("f.json", text.as_bytes());
    assert_eq!((d.records, d.rows), (2 * pairs as u64, pairs as u64));
    assert!(d.rejects.iter().all(|r| r.reason.contains("invalid JSON")));
    assert!(per_byte < 16.0, "{per_byte}");
}

#[test]
fn resynchronising_after_objects_that_never_close_stays_within_the_budget() {
    // Every line opens an object that runs to the end: each tried as the next record
    // parses the whole rest. The work budget gives the rest of the object up instead.
    let lines = 20_000;
    for (open, close) in [("{\"Records\":[\n", "]}"), ("", "")] {
        let mut text = format!("{open}{},\n", rec("before"));
        text.push_str(&"{\"a\":[\n".repeat(lines));
        text.push_str(&format!("{},\n{close}", rec("after")));
        let (d, per_byte) = decode_measured("f.json", text.as_bytes());
        assert_eq!(event_jsons(&d), [rec("before")], "{open}");
        assert_eq!((d.records, d.rows), (2, 1), "{open}");
        assert!(
            d.rejects[0]
                .reason
                .contains("the rest of the object (from line")
                && d.rejects[0].reason.contains("8 times the object's size"),
            "{}",
            d.rejects[0].reason
        );
        assert!(per_byte < 16.0, "{open}: {per_byte}");
    }
    // Ordinary damage is far from the budget: records after a few broken ones land.
    let mut text = String::from("{\"Records\":[\n");
    for i in 0..200 {
        text.push_str(&format!("{},\n{{\"eventID\": [,\n", rec(&i.to_string())));
    }
    text.push_str(&format!("{}\n]}}", rec("last")));
    let (d, _) = decode_measured("f.json", text.as_bytes());
    assert_eq!((d.rows, d.rejects.len()), (201, 200));
}

#[test]
fn deep_nesting_anywhere_costs_linear_work() {
    let depth = 100_000;
    let cases = [
        // Arrays of arrays: followed three levels, then a reject.
        format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
        format!(
            r#"{{"Records":[{}{}]}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        ),
        format!("{}{}", r#"{"Records":["#.repeat(depth), "]}".repeat(depth)),
        // Never closed, on one line: every `{` is a candidate record.
        r#"{"a":"#.repeat(depth),
        format!(r#"{{"Records":[{}"#, r#"{"a":"#.repeat(depth)),
        format!("{}{}", r#"{"Events":["#.repeat(depth), "]}".repeat(depth)),
    ];
    for text in &cases {
        let (d, per_byte) = decode_measured("deep.json", text.as_bytes());
        let head: String = text.chars().take(24).collect();
        assert_eq!(d.rows, 0, "{head}");
        assert!(!d.rejects.is_empty(), "{head}");
        assert_eq!(d.records, d.rejects.len() as u64, "{head}");
        assert!(per_byte < 16.0, "{head}: {per_byte}");
    }
}
