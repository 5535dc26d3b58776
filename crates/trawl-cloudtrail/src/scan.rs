//! Splitting a text into JSON values without losing the good ones around a bad one.
//!
//! CloudTrail-shaped inputs are sequences of JSON values: NDJSON lines, objects
//! concatenated by Firehose, or the elements of a `Records` array. The scanner
//! returns each value's raw text, and for text that does not parse, a span that
//! ends where the next value starts, so one broken record costs one reject.

use std::cell::Cell;

use serde_json::value::RawValue;

use crate::work::charge;

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
    /// Where scanning stopped: just past the array's `]`, or the end of the text.
    pub end: usize,
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
    parse_measured(text, pos).0
}

/// [`parse_at`], and how many bytes the parser read (to the error, when it fails).
fn parse_measured(
    text: &str,
    pos: usize,
) -> (Result<(&RawValue, usize), serde_json::Error>, usize) {
    let mut stream = serde_json::Deserializer::from_str(&text[pos..]).into_iter::<&RawValue>();
    let out = match stream.next() {
        Some(Ok(raw)) => Ok((raw, pos + stream.byte_offset())),
        Some(Err(e)) => Err(e),
        None => Err(serde::de::Error::custom("no value")),
    };
    let read = match &out {
        Ok((_, next)) => next - pos,
        Err(e) => error_offset(text, pos, e) - pos,
    };
    charge(read);
    (out, read)
}

/// Where in `text` the parser that started at `pos` stopped with `e`: serde gives a line
/// and a byte column relative to `pos`. Finding it costs what the parse did.
fn error_offset(text: &str, pos: usize, e: &serde_json::Error) -> usize {
    let b = text.as_bytes();
    let mut at = pos;
    for _ in 1..e.line() {
        match b[at..].iter().position(|&c| c == b'\n') {
            Some(rel) => at += rel + 1,
            None => return b.len(),
        }
    }
    at.saturating_add(e.column()).min(b.len())
}

/// 1-based line numbers of byte offsets in one text, counted from the last offset asked
/// about: the decoder asks in (nearly) increasing order, so a file's lookups cost one
/// pass over it, where counting from the start each time was quadratic in its rejects.
pub struct Lines<'a> {
    text: &'a [u8],
    /// The last offset asked about and its line.
    last: Cell<(usize, usize)>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            last: Cell::new((0, 1)),
        }
    }

    /// The 1-based line of byte offset `pos` (clamped to the text).
    pub fn line(&self, pos: usize) -> usize {
        let pos = pos.min(self.text.len());
        let (at, line) = self.last.get();
        let newlines = |r: &[u8]| r.iter().filter(|&&c| c == b'\n').count();
        let line = if pos >= at {
            line + newlines(&self.text[at..pos])
        } else {
            line - newlines(&self.text[pos..at])
        };
        charge(pos.abs_diff(at));
        self.last.set((pos, line));
        line
    }
}

/// Parse work one scan may spend, in bytes: a good record is parsed once, but after
/// broken text each `{` tried as the next record may be parsed to the end of the object
/// (`{"a":[` on every line), which makes resynchronisation quadratic. Past this budget
/// the rest of the object is given up as one reject.
pub struct Budget {
    left: u64,
    total: u64,
}

impl Budget {
    /// Eight times the text's size: far more than real damage needs (each broken record
    /// costs about its own size), little enough that no object takes long.
    pub fn for_text(text: &str) -> Self {
        let total = (text.len() as u64).saturating_mul(8).max(1 << 16);
        Self { left: total, total }
    }

    fn spend(&mut self, bytes: usize) {
        self.left = self.left.saturating_sub(bytes as u64);
    }
}

/// Parses one value at `pos`, paying for the bytes the parser read.
fn parse_paid<'t>(
    text: &'t str,
    pos: usize,
    budget: &mut Budget,
) -> Result<(&'t RawValue, usize), serde_json::Error> {
    let (out, read) = parse_measured(text, pos);
    budget.spend(read.max(1));
    out
}

/// Where the next line starts after offset `from` (`None`: `from` is on the last line),
/// remembered across calls: resynchronisations start at increasing offsets, so searching
/// again from each would be quadratic on a text of one long line.
struct NextNewline {
    searched_to: usize,
    found: Option<usize>,
}

impl NextNewline {
    fn after(&mut self, b: &[u8], from: usize) -> Option<usize> {
        if let Some(nl) = self.found
            && nl >= from
        {
            return Some(nl);
        }
        if self.found.is_none() && self.searched_to >= b.len() {
            return None;
        }
        let start = from.max(self.searched_to);
        let hit = b[start..]
            .iter()
            .position(|&c| c == b'\n')
            .map(|r| start + r);
        charge(hit.unwrap_or(b.len()) - start);
        self.searched_to = hit.map_or(b.len(), |nl| nl + 1);
        self.found = hit;
        hit
    }
}

/// Why a resynchronisation stopped.
enum Resync {
    /// The next plausible value starts here (or the text ends: `text.len()`).
    At(usize),
    /// The budget ran out before one was found.
    OutOfBudget,
}

/// Where the next value plausibly starts after a bad span that began at `from`.
///
/// Looks for a `{` at which a whole object parses and `accept` approves it. If the
/// broken text spans lines, only a `{` that opens a line (after blanks or commas)
/// counts, so an object nested inside the broken record is not mistaken for the next
/// record; the search then jumps from line to line.
fn resync(
    text: &str,
    from: usize,
    accept: &dyn Fn(&RawValue) -> bool,
    newline: &mut NextNewline,
    budget: &mut Budget,
) -> Resync {
    let b = text.as_bytes();
    let try_at = |at: usize, budget: &mut Budget| -> Option<Resync> {
        let found = parse_paid(text, at, budget);
        if let Ok((raw, _)) = found {
            charge(raw.get().len());
            if accept(raw) {
                return Some(Resync::At(at));
            }
        }
        (budget.left == 0).then_some(Resync::OutOfBudget)
    };
    if let Some(mut nl) = newline.after(b, from) {
        loop {
            let line_start = nl + 1;
            let at = skip_blanks_and_commas(b, line_start);
            charge(at - line_start);
            if b.get(at) == Some(&b'{')
                && let Some(r) = try_at(at, budget)
            {
                return r;
            }
            match newline.after(b, at.max(line_start)) {
                Some(next) => nl = next,
                None => return Resync::At(b.len()),
            }
        }
    }
    // One line left: any `{` may start the next record.
    let mut pos = from + 1;
    while pos < b.len() {
        let Some(rel) = b[pos..].iter().position(|&c| c == b'{') else {
            charge(b.len() - pos);
            return Resync::At(b.len());
        };
        charge(rel);
        let at = pos + rel;
        if let Some(r) = try_at(at, budget) {
            return r;
        }
        pos = at + 1;
    }
    Resync::At(b.len())
}

fn skip_blanks_and_commas(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r' | b',') {
        i += 1;
    }
    i
}

/// Splits `text[start..]` into JSON values. `accept` tells whether a value found
/// while resynchronising after an error looks like a record of this input. Offsets are
/// in `text`; `lines` numbers them (for the errors' line numbers) and `budget` bounds
/// the parse work (see [`Budget`]).
pub fn scan<'a>(
    text: &'a str,
    start: usize,
    mode: Mode,
    accept: &dyn Fn(&RawValue) -> bool,
    lines: &Lines<'_>,
    budget: &mut Budget,
) -> Scan<'a> {
    let b = text.as_bytes();
    let mut items = Vec::new();
    let mut pos = start;
    let mut newline = NextNewline {
        searched_to: 0,
        found: None,
    };
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
            return Scan {
                items,
                end: b.len(),
            };
        }
        if mode == Mode::ArrayElements && b[pos] == b']' {
            return Scan {
                items,
                end: pos + 1,
            };
        }
        match parse_paid(text, pos, budget) {
            Ok((raw, next)) => {
                items.push(Item::Value { raw, offset: pos });
                pos = next;
            }
            Err(e) => {
                let error = describe(&e, lines, pos);
                let end = match resync(text, pos, accept, &mut newline, budget) {
                    Resync::At(end) => end,
                    Resync::OutOfBudget => {
                        items.push(Item::Bad {
                            offset: pos,
                            end: b.len(),
                            error: format!(
                                "{error}; the rest of the object (from line {}) is not read: \
                                 finding the next record after broken text took more than \
                                 {} bytes of parsing, 8 times the object's size (hostile or \
                                 badly damaged input)",
                                lines.line(pos),
                                budget.total
                            ),
                        });
                        return Scan {
                            items,
                            end: b.len(),
                        };
                    }
                };
                // In array mode the broken span may run into the closing bracket and
                // the wrapper's tail; leave those out of the reject.
                items.push(Item::Bad {
                    offset: pos,
                    end,
                    error,
                });
                if end >= b.len() {
                    return Scan { items, end };
                }
                pos = end;
            }
        }
    }
}

/// A JSON error with its position in the whole text (serde's is relative to `pos`).
fn describe(e: &serde_json::Error, lines: &Lines<'_>, pos: usize) -> String {
    let base_line = lines.line(pos);
    let line = base_line + e.line().saturating_sub(1);
    let msg = e.to_string();
    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
    if e.is_eof() {
        format!("invalid JSON: input ends in the middle of a value (truncated?) at line {line}")
    } else {
        format!("invalid JSON: {msg} at line {line}")
    }
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

    fn scan<'a>(
        text: &'a str,
        start: usize,
        mode: Mode,
        accept: &dyn Fn(&RawValue) -> bool,
    ) -> Scan<'a> {
        super::scan(
            text,
            start,
            mode,
            accept,
            &Lines::new(text),
            &mut Budget::for_text(text),
        )
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
