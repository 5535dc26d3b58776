//! Property tests: real records, mutated the ways damage and hostility do (bytes
//! flipped, cut, dropped, repeated, junk inserted, gzip or not), always decode without a
//! panic, and every record either lands or is rejected with a reason.

use std::io::Write;

use arrow::array::{Array, AsArray};
use proptest::prelude::*;

use super::*;

/// The real records of one Stratus Red Team detonation as a delivery file.
fn delivery() -> Vec<u8> {
    let path = crate::test_manifest_dir().join(
        "../../tests/fixtures/real/stratus-red-team/aws.credential-access.ec2-get-password-data.json",
    );
    let records: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(path).expect("the fixture")).expect("JSON");
    let body: Vec<String> = records.iter().take(12).map(|r| r.to_string()).collect();
    format!(r#"{{"Records":[{}]}}"#, body.join(",")).into_bytes()
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, byte: u8 },
    Cut { at: usize },
    Drop { at: usize, len: usize },
    Repeat { at: usize, len: usize },
    Insert { at: usize, junk: Vec<u8> },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip { at, byte }),
        any::<usize>().prop_map(|at| Mutation::Cut { at }),
        (any::<usize>(), 1usize..200).prop_map(|(at, len)| Mutation::Drop { at, len }),
        (any::<usize>(), 1usize..400).prop_map(|(at, len)| Mutation::Repeat { at, len }),
        (
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 1..24)
        )
            .prop_map(|(at, junk)| Mutation::Insert { at, junk }),
    ]
}

fn apply(data: &mut Vec<u8>, m: &Mutation) {
    if data.is_empty() {
        return;
    }
    let n = data.len();
    match m {
        Mutation::Flip { at, byte } => data[at % n] = *byte,
        Mutation::Cut { at } => data.truncate(at % n),
        Mutation::Drop { at, len } => {
            let at = at % n;
            data.drain(at..(at + len).min(n));
        }
        Mutation::Repeat { at, len } => {
            let at = at % n;
            let piece = data[at..(at + len).min(n)].to_vec();
            data.splice(at..at, piece);
        }
        Mutation::Insert { at, junk } => {
            data.splice(at % n..at % n, junk.iter().copied());
        }
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("in memory");
    e.finish().expect("in memory")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn mutated_deliveries_decode_with_every_record_accounted_for(
        mutations in proptest::collection::vec(mutation(), 1..5),
        gzipped in any::<bool>(),
        gzip_after in any::<bool>(),
    ) {
        let mut data = delivery();
        // Damage the text, or (gzip_after) the compressed stream itself.
        if gzipped && gzip_after {
            data = gzip(&data);
        }
        for m in &mutations {
            apply(&mut data, m);
        }
        let text = (!gzip_after).then(|| data.clone());
        if gzipped && !gzip_after {
            data = gzip(&data);
        }
        let opts = DecodeOptions { max_inflated: 1 << 20, ..DecodeOptions::default() };
        let d = decode("AWSLogs/1/CloudTrail/us-east-1/2024/01/01/f.json.gz", &data, &opts);
        prop_assert_eq!(d.records, d.rows + d.rejects.len() as u64);
        let rows: usize = d.batches.iter().map(|b| b.num_rows()).sum();
        prop_assert_eq!(rows as u64, d.rows);
        for r in &d.rejects {
            prop_assert!(!r.reason.is_empty());
        }
        // A row is a record as written: valid JSON, an object, with an event id.
        for b in &d.batches {
            let json = b.column_by_name(crate::col::EVENTJSON).expect("eventjson").as_string_view();
            let ids = b.column_by_name(crate::col::EVENTID).expect("eventid").as_string::<i32>();
            for i in 0..b.num_rows() {
                let v: serde_json::Value = serde_json::from_str(json.value(i))
                    .map_err(|e| TestCaseError::fail(format!("{e}: {}", json.value(i))))?;
                prop_assert!(v.is_object());
                prop_assert!(!ids.is_null(i));
                // Byte for byte what the input held.
                if let Some(text) = &text {
                    let row = json.value(i).as_bytes();
                    prop_assert!(
                        text.windows(row.len()).any(|w| w == row),
                        "not in the input: {}", json.value(i)
                    );
                }
            }
        }
    }
}
