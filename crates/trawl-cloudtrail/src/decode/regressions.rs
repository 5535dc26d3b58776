//! Replays the inputs under `fuzz/regressions/decode/` (crashes and slow cases the fuzz
//! target found, and the hostile cases behind `hostile.rs`) with the fuzz target's
//! checks, plus a bound on the work each costs, so a fix stays fixed without a fuzzer.

use arrow::array::{Array, AsArray};

use super::*;
use crate::work::measure;

fn regressions() -> Vec<std::path::PathBuf> {
    let dir = crate::test_manifest_dir().join("../../fuzz/regressions/decode");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    files
}

#[test]
fn fuzz_regressions_decode_with_every_record_accounted_for_in_bounded_work() {
    let files = regressions();
    assert!(!files.is_empty());
    let opts = DecodeOptions {
        max_inflated: 1 << 20,
        ..DecodeOptions::default()
    };
    for f in files {
        let name = f.display().to_string();
        let data = std::fs::read(&f).expect("a regression input");
        let (d, work) = measure(|| {
            decode(
                "AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/01/f.json.gz",
                &data,
                &opts,
            )
        });
        assert_eq!(d.records, d.rows + d.rejects.len() as u64, "{name}");
        assert!(d.rejects.iter().all(|r| !r.reason.is_empty()), "{name}");
        let rows: usize = d.batches.iter().map(|b| b.num_rows()).sum();
        assert_eq!(rows as u64, d.rows, "{name}");
        let (text, _) = gunzip(&data);
        let has = |n: &[u8]| text.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
        let replacement_in_input = has("\u{FFFD}".as_bytes()) || has(b"\\ufffd");
        for b in &d.batches {
            let json = b
                .column_by_name(crate::col::EVENTJSON)
                .expect("eventjson")
                .as_string_view();
            for i in 0..json.len() {
                let row = json.value(i);
                let v: serde_json::Value = serde_json::from_str(row).expect("a row is JSON");
                assert!(v.is_object(), "{name}: {row}");
                assert!(
                    replacement_in_input || !row.contains('\u{FFFD}'),
                    "{name}: a repaired record landed: {row}"
                );
            }
        }
        let bound = 64 * text.len() as u64 + (1 << 16);
        assert!(
            work <= bound,
            "{name}: {work} units of work for {} bytes",
            text.len()
        );
    }
}
