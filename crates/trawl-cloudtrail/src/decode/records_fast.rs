//! S3 delivery files `{"Records":[...]}`, the fast path: one pass when every
//! record is good.

use crate::batch::Parsed;
use crate::record::Record;
use crate::scan::{Mode, compact, skip_separators};

use super::validate::validate;

/// The common case in one pass: a `{"Records":[...]}` file whose every element is a
/// well-formed, valid CloudTrail record, parsed once straight from the text (the
/// careful path tokenises each record three times: to find it, to classify it, to
/// read it). At the first thing it does not expect it gives up and the careful path
/// reads the whole file, so what is decided about odd input never changes.
pub(super) fn one_pass_records<'a>(
    source: &'a str,
    text: &'a str,
    start: usize,
) -> Option<Vec<Parsed<'a>>> {
    let b = text.as_bytes();
    let mut pos = start;
    // Sized for records of about a kilobyte: each one is ~2 KB to move when the
    // vector grows.
    let mut out = Vec::with_capacity(text.len().saturating_sub(start) / 1024 + 1);
    loop {
        pos = skip_separators(b, pos, Mode::ArrayElements);
        match b.get(pos)? {
            // Anything after the wrapper (another delivery file appended) is the
            // careful reader's.
            b']' => {
                return (super::json::after_wrapper(text, pos + 1) == text.len()).then_some(out);
            }
            b'{' => {}
            _ => return None,
        }
        let mut stream = serde_json::Deserializer::from_str(&text[pos..]).into_iter::<Record<'a>>();
        let rec = stream.next()?.ok()?;
        let end = pos + stream.byte_offset();
        if !rec.has_no_wrapper_keys() {
            return None;
        }
        let time_ms = validate(&rec).ok()?;
        out.push(Parsed {
            rec,
            time_ms,
            json: compact(&text[pos..end]),
            index: out.len() as u32,
            source,
        });
        pos = end;
    }
}
