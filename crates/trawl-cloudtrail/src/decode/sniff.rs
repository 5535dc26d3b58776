//! Format detection: which reader an object's text needs, from its first bytes.

use super::InputFormat;
use crate::time::parse_event_time;

/// Guesses the format from the first bytes of the text.
pub(super) fn sniff(text: &str) -> Option<InputFormat> {
    let t = text.trim_start_matches(['\u{feff}', ' ', '\n', '\r', '\t']);
    let first = t.as_bytes().first()?;
    match first {
        b'{' | b'[' => Some(InputFormat::Json),
        b'0'..=b'9' => {
            let line = t.lines().next().unwrap_or("");
            let (stamp, rest) = line.split_once(' ')?;
            let is_stamp =
                parse_event_time(stamp).is_some() || stamp.bytes().all(|c| c.is_ascii_digit());
            (is_stamp && rest.trim_start().starts_with('{')).then_some(InputFormat::Cloudwatch)
        }
        _ => {
            let header = t.lines().next().unwrap_or("").to_ascii_lowercase();
            header
                .split(',')
                .any(|c| c.trim().trim_matches('"') == "eventjson")
                .then_some(InputFormat::LakeCsv)
        }
    }
}

/// If the text is `{"Records": [`, the offset just after the `[`.
pub(super) fn records_array_start(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = 0;
    let ws = |i: &mut usize| {
        while *i < b.len() && matches!(b[*i], b' ' | b'\n' | b'\r' | b'\t' | 0xEF | 0xBB | 0xBF) {
            *i += 1;
        }
    };
    ws(&mut i);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    ws(&mut i);
    if !b[i..].starts_with(b"\"Records\"") {
        return None;
    }
    i += 9;
    ws(&mut i);
    if b.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    ws(&mut i);
    (b.get(i) == Some(&b'[')).then_some(i + 1)
}
