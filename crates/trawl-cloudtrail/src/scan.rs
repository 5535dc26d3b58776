//! Splitting a text into JSON values without losing the good ones around a bad one.
//!
//! CloudTrail-shaped inputs are sequences of JSON values: NDJSON lines, objects
//! concatenated by Firehose, or the elements of a `Records` array. The scanner
//! returns each value's raw text, and for text that does not parse, a span that
//! ends where the next value starts, so one broken record costs one reject.

use serde_json::value::RawValue;

/// One item found by [`scan`].
#[derive(Debug)]
pub enum Item<'a> {
    /// A well-formed JSON value and its byte offset in the scanned text.
    Value { raw: &'a RawValue, offset: usize },
    /// Text that is not a JSON value: `[offset, end)` and the parser's complaint.
    Bad {
        offset: usize,
        end: usize,
        error: String,
    },
}

/// How the values are separated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Values one after another (NDJSON, concatenated objects, one document).
    TopLevel,
    /// Elements of an array whose `[` was already consumed; stops at the closing `]`.
    ArrayElements,
}

/// Result of scanning.
#[derive(Debug)]
pub struct Scan<'a> {
    pub items: Vec<Item<'a>>,
}

pub(crate) fn skip_separators(b: &[u8], mut pos: usize, mode: Mode) -> usize {
    while pos < b.len() {
        match b[pos] {
            b' ' | b'\n' | b'\r' | b'\t' => pos += 1,
            // Missing or doubled commas between elements are tolerated: one real
            // delivery file was written without them.
            b',' if mode == Mode::ArrayElements => pos += 1,
            0xEF if b[pos..].starts_with(&[0xEF, 0xBB, 0xBF]) => pos += 3,
            _ => break,
        }
    }
    pos
}

/// Parses one JSON value at `pos`; returns it and the offset just past it.
pub fn parse_at(text: &str, pos: usize) -> Result<(&RawValue, usize), serde_json::Error> {
    let mut stream = serde_json::Deserializer::from_str(&text[pos..]).into_iter::<&RawValue>();
    match stream.next() {
        Some(Ok(raw)) => Ok((raw, pos + stream.byte_offset())),
        Some(Err(e)) => Err(e),
        None => Err(serde::de::Error::custom("no value")),
    }
}

/// Where the next value plausibly starts after a bad span that began at `from`.
///
/// Looks for a `{` at which a whole object parses and `accept` approves it. If the
/// broken text spans lines, only a `{` that opens a line counts, so an object nested
/// inside the broken record is not mistaken for the next record.
fn resync(text: &str, from: usize, accept: &dyn Fn(&RawValue) -> bool) -> usize {
    let b = text.as_bytes();
    let line_mode = memchr_newline(&b[from..]).is_some();
    let mut pos = from + 1;
    while pos < b.len() {
        let Some(rel) = b[pos..].iter().position(|&c| c == b'{') else {
            return b.len();
        };
        let at = pos + rel;
        let starts_line = {
            let mut i = at;
            while i > 0 && matches!(b[i - 1], b' ' | b'\t' | b',') {
                i -= 1;
            }
            i == 0 || b[i - 1] == b'\n' || b[i - 1] == b'\r'
        };
        if (!line_mode || starts_line)
            && let Ok((raw, _)) = parse_at(text, at)
            && accept(raw)
        {
            return at;
        }
        pos = at + 1;
    }
    b.len()
}

fn memchr_newline(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

/// Splits `text[start..]` into JSON values. `accept` tells whether a value found
/// while resynchronising after an error looks like a record of this input.
pub fn scan<'a>(
    text: &'a str,
    start: usize,
    mode: Mode,
    accept: &dyn Fn(&RawValue) -> bool,
) -> Scan<'a> {
    let b = text.as_bytes();
    let mut items = Vec::new();
    let mut pos = start;
    loop {
        pos = skip_separators(b, pos, mode);
        if pos >= b.len() {
            if mode == Mode::ArrayElements {
                items.push(Item::Bad {
                    offset: pos,
                    end: pos,
                    error: "input ends before the closing `]` of the array".into(),
                });
            }
            return Scan { items };
        }
        if mode == Mode::ArrayElements && b[pos] == b']' {
            return Scan { items };
        }
        match parse_at(text, pos) {
            Ok((raw, next)) => {
                items.push(Item::Value { raw, offset: pos });
                pos = next;
            }
            Err(e) => {
                let end = resync(text, pos, accept);
                // In array mode the broken span may run into the closing bracket and
                // the wrapper's tail; leave those out of the reject.
                items.push(Item::Bad {
                    offset: pos,
                    end,
                    error: describe(&e, text, pos),
                });
                if end >= b.len() {
                    return Scan { items };
                }
                pos = end;
            }
        }
    }
}

/// A JSON error with its position in the whole text (serde's is relative to `pos`).
fn describe(e: &serde_json::Error, text: &str, pos: usize) -> String {
    let base_line = line_of(text, pos);
    let line = base_line + e.line().saturating_sub(1);
    let msg = e.to_string();
    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
    if e.is_eof() {
        format!("invalid JSON: input ends in the middle of a value (truncated?) at line {line}")
    } else {
        format!("invalid JSON: {msg} at line {line}")
    }
}

/// 1-based line number of byte offset `pos`.
pub fn line_of(text: &str, pos: usize) -> usize {
    let pos = pos.min(text.len());
    text.as_bytes()[..pos]
        .iter()
        .filter(|&&c| c == b'\n')
        .count()
        + 1
}

/// Removes insignificant whitespace from JSON text. The input must be valid JSON.
pub fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_ascii_whitespace() {
            out.push(c);
        }
    }
    out
}

/// JSON text as stored in the lake: compact when the input was pretty-printed.
pub fn compact(json: &str) -> std::borrow::Cow<'_, str> {
    if json.contains('\n') {
        std::borrow::Cow::Owned(minify(json))
    } else {
        std::borrow::Cow::Borrowed(json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any(_: &RawValue) -> bool {
        true
    }

    fn values<'a>(s: &Scan<'a>) -> Vec<&'a str> {
        s.items
            .iter()
            .filter_map(|i| match i {
                Item::Value { raw, .. } => Some(raw.get()),
                Item::Bad { .. } => None,
            })
            .collect()
    }

    #[test]
    fn ndjson_with_a_bad_line_keeps_its_neighbours() {
        let text = "{\"a\":1}\n{\"b\":2,\n{\"c\":3}\n";
        let s = scan(text, 0, Mode::TopLevel, &any);
        assert_eq!(values(&s), vec!["{\"a\":1}", "{\"c\":3}"]);
        let bad: Vec<_> = s
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Bad { offset, end, error } => Some((&text[*offset..*end], error.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].0, "{\"b\":2,\n");
        assert!(bad[0].1.contains("line 3"), "{}", bad[0].1);
    }

    #[test]
    fn array_without_commas_is_read() {
        let text = "[\n {\"a\":1}\n {\"b\":2}\n]";
        let s = scan(text, 1, Mode::ArrayElements, &any);
        assert_eq!(values(&s), vec!["{\"a\":1}", "{\"b\":2}"]);
    }

    #[test]
    fn truncated_array_reports_the_tail() {
        let text = "[{\"a\":1},{\"b\":";
        let s = scan(text, 1, Mode::ArrayElements, &any);
        assert_eq!(values(&s), vec!["{\"a\":1}"]);
        assert!(matches!(&s.items[1], Item::Bad { error, .. } if error.contains("truncated")));
    }

    #[test]
    fn minify_keeps_strings() {
        assert_eq!(
            minify("{ \"a b\" : [1, 2],\n \"c\":\"x\\\" y\" }"),
            "{\"a b\":[1,2],\"c\":\"x\\\" y\"}"
        );
    }
}
