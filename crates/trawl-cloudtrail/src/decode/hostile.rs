//! Hostile input found by fuzzing the decoder: each case asserts what becomes of the
//! input and that the work it costs (bytes parsed, searched or copied, counted by
//! [`crate::work`]) stays within a small multiple of its size.

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

fn event_jsons(d: &Decoded) -> Vec<String> {
    use arrow::array::{Array, AsArray};
    d.batches
        .iter()
        .flat_map(|b| {
            let c = b
                .column_by_name(crate::col::EVENTJSON)
                .expect("eventjson")
                .as_string::<i32>();
            (0..c.len())
                .map(|i| c.value(i).to_string())
                .collect::<Vec<_>>()
        })
        .collect()
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
