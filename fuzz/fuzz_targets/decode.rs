//! The sniffer and decoder on arbitrary bytes: no panic, every record accounted for,
//! no row whose text was altered on the way in, and work linear in the input's size
//! (a quadratic step shows on a few KiB long before it shows as a timeout).

#![no_main]

use arrow::array::{Array, AsArray};
use libfuzzer_sys::fuzz_target;
use trawl_cloudtrail::{DecodeOptions, col, decode, gunzip, measure_work};

/// A small cap keeps each run fast; the cap's own logic is exercised at this size too.
const MAX_INFLATED: u64 = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let opts = DecodeOptions {
        max_inflated: MAX_INFLATED,
        ..DecodeOptions::default()
    };
    let (d, work) = measure_work(|| {
        decode(
            "AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/01/f.json.gz",
            data,
            &opts,
        )
    });
    assert_eq!(d.records, d.rows + d.rejects.len() as u64);
    assert!(d.rejects.iter().all(|r| !r.reason.is_empty()));
    let rows: usize = d.batches.iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows as u64, d.rows);
    let (text, _) = gunzip(data);
    // The same bound the regression test holds: 64 units per byte of text, and a
    // constant for the smallest inputs.
    let inflated = text.len().min(MAX_INFLATED as usize + 1) as u64;
    assert!(
        work <= 64 * inflated + (1 << 16),
        "{work} units of work for {inflated} bytes"
    );
    if d.rows == 0 {
        return;
    }
    // U+FFFD in a row must have been in the input (as UTF-8 or a `\u` escape): the
    // decoder's own replacements for invalid bytes never land.
    let has = |needle: &[u8]| {
        text.windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
    };
    let replacement_in_input = has("\u{FFFD}".as_bytes()) || has(b"\\ufffd");
    for b in &d.batches {
        let json = b
            .column_by_name(col::EVENTJSON)
            .expect("eventjson")
            .as_string::<i32>();
        let ids = b
            .column_by_name(col::EVENTID)
            .expect("eventid")
            .as_string::<i32>();
        for i in 0..b.num_rows() {
            let row = json.value(i);
            let v: serde_json::Value = serde_json::from_str(row).expect("a row is JSON");
            assert!(v.is_object(), "a row is an object: {row}");
            assert!(!ids.is_null(i));
            assert!(
                replacement_in_input || !row.contains('\u{FFFD}'),
                "a repaired record landed: {row}"
            );
        }
    }
});
