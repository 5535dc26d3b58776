//! Decoding one source object (a file or an S3 object) into record batches and rejects.
//!
//! Every record the input holds ends in exactly one of three places: a row of a
//! batch, a [`Reject`] with a reason, or the digest counter (digest files are
//! integrity data, not events). [`Decoded::records`] counts the first two.

use std::borrow::Cow;
use std::io::Read;

use arrow::array::RecordBatch;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::batch::{Parsed, build_batch};
use crate::key::{ObjectKind, classify_key};
use crate::record::{Probe, Record, Shape, is_object};
use crate::scan::{Item, Mode, compact, line_of, parse_at, scan, skip_separators};
use crate::time::parse_event_time;

/// Input format of a source object. `Auto` sniffs each object's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputFormat {
    /// Sniff: gzip or not; `{"Records":[...]}`, arrays, JSON lines, envelopes,
    /// lookup-events, CloudWatch Logs exports or CloudTrail Lake CSV.
    #[default]
    Auto,
    /// Any JSON shape: `{"Records":[...]}`, an array, JSON lines or concatenated
    /// objects, of records, EventBridge envelopes or lookup-events entries.
    Json,
    /// CloudWatch Logs export: `<timestamp> <record JSON>` per line.
    Cloudwatch,
    /// CloudTrail Lake query results as CSV with an `eventjson` column.
    LakeCsv,
}

impl std::str::FromStr for InputFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "auto" => Self::Auto,
            "json" | "records" | "array" | "jsonl" | "ndjson" | "eventbridge" | "lookup-events" => {
                Self::Json
            }
            "cloudwatch" | "cloudwatch-export" => Self::Cloudwatch,
            "lake-csv" | "lake" | "csv" => Self::LakeCsv,
            other => {
                return Err(format!(
                    "unknown input format `{other}` (expected auto, json, records, jsonl, eventbridge, \
                     lookup-events, cloudwatch or lake-csv)"
                ));
            }
        })
    }
}

/// Options for [`decode`].
#[derive(Debug, Clone)]
pub struct DecodeOptions {
    pub format: InputFormat,
    /// Rows per produced batch.
    pub batch_rows: usize,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        Self {
            format: InputFormat::Auto,
            batch_rows: 8192,
        }
    }
}

/// Largest piece of raw text kept in one reject; the source object is still the
/// authority for anything longer.
pub const MAX_REJECT_RAW: usize = 1 << 20;

/// A record (or a span of input) that could not become a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reject {
    /// The source object: a path or an `s3://` URL.
    pub source: String,
    /// Position of the record within the source object (0-based), when known.
    pub index: Option<u32>,
    /// 1-based line of the decompressed text where the record starts.
    pub line: Option<u64>,
    /// Why it was rejected.
    pub reason: String,
    /// The raw text, up to [`MAX_REJECT_RAW`] bytes.
    pub raw: String,
    /// Whether `raw` was cut at [`MAX_REJECT_RAW`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub raw_truncated: bool,
}

/// What became of one source object.
#[derive(Debug, Default)]
pub struct Decoded {
    pub batches: Vec<RecordBatch>,
    pub rejects: Vec<Reject>,
    /// Records read: rows in `batches` plus `rejects`.
    pub records: u64,
    /// Rows in `batches`.
    pub rows: u64,
    /// Digest records seen (not events; not counted in `records`).
    pub digests: u64,
    /// Uncompressed bytes decoded.
    pub text_bytes: u64,
    /// Why the whole object was skipped without reading records, if it was.
    pub skipped: Option<&'static str>,
}

struct Candidate<'a> {
    text: Cow<'a, str>,
    offset: usize,
}

struct Ctx<'a> {
    source: &'a str,
    text: &'a str,
    candidates: Vec<(u32, Candidate<'a>)>,
    rejects: Vec<Reject>,
    digests: u64,
    next_index: u32,
    /// Appended to reasons of spans that run to the end of a cut-off stream.
    truncation: Option<String>,
}

impl<'a> Ctx<'a> {
    fn take_index(&mut self) -> u32 {
        let i = self.next_index;
        self.next_index += 1;
        i
    }

    fn reject_at(&mut self, offset: usize, raw: &str, reason: impl Into<String>) {
        let index = self.take_index();
        let mut reason = reason.into();
        if let Some(t) = &self.truncation
            && offset + raw.len() >= self.text.len()
        {
            reason = format!("{reason}; {t}");
        }
        self.rejects.push(make_reject(
            self.source,
            Some(index),
            Some(line_of(self.text, offset) as u64),
            reason,
            raw,
        ));
    }

    fn offset_of(&self, raw: &str) -> usize {
        (raw.as_ptr() as usize)
            .saturating_sub(self.text.as_ptr() as usize)
            .min(self.text.len())
    }

    fn push(&mut self, text: Cow<'a, str>, offset: usize) {
        let index = self.take_index();
        self.candidates.push((index, Candidate { text, offset }));
    }
}

fn make_reject(
    source: &str,
    index: Option<u32>,
    line: Option<u64>,
    reason: String,
    raw: &str,
) -> Reject {
    let (raw, raw_truncated) = if raw.len() > MAX_REJECT_RAW {
        let mut cut = MAX_REJECT_RAW;
        while !raw.is_char_boundary(cut) {
            cut -= 1;
        }
        (raw[..cut].to_string(), true)
    } else {
        (raw.to_string(), false)
    };
    Reject {
        source: source.to_string(),
        index,
        line,
        reason,
        raw,
        raw_truncated,
    }
}

/// Decodes one source object. Never fails: what cannot be read becomes rejects.
pub fn decode(source: &str, data: &[u8], opts: &DecodeOptions) -> Decoded {
    let (mut decoded, batches) = decode_many(&[(source, data)], opts);
    let mut out = decoded.pop().unwrap_or_default();
    out.batches = batches;
    out
}

/// Where one object stands between the phases of [`decode_many`].
enum Stage<'d> {
    /// Settled without parsing records (skipped, binary, ...).
    Done(Decoded),
    Text {
        text: Cow<'d, str>,
        gzip_error: Option<String>,
    },
}

/// An object's record candidates, found but not yet parsed.
struct Collected<'a> {
    text: &'a str,
    candidates: Vec<(u32, Candidate<'a>)>,
    /// Records the one-pass reader already parsed.
    parsed: Vec<Parsed<'a>>,
    digests: u64,
}

/// Decodes several source objects at once. Returns one [`Decoded`] per input, in
/// input order, with its counts and rejects but no batches, and the rows of all of
/// them in shared batches of up to `batch_rows`: CloudTrail delivers many small files,
/// and building one batch per file would cost more than parsing it.
pub fn decode_many(
    inputs: &[(&str, &[u8])],
    opts: &DecodeOptions,
) -> (Vec<Decoded>, Vec<RecordBatch>) {
    let stages: Vec<Stage<'_>> = inputs
        .iter()
        .map(|(source, data)| inflate(source, data))
        .collect();
    let mut rejects: Vec<Vec<Reject>> = Vec::with_capacity(inputs.len());
    let mut collected: Vec<Option<Collected<'_>>> = Vec::with_capacity(inputs.len());
    for ((source, _), stage) in inputs.iter().zip(&stages) {
        match stage {
            Stage::Done(_) => {
                rejects.push(Vec::new());
                collected.push(None);
            }
            Stage::Text { text, gzip_error } => {
                let (c, r) = collect(source, text, gzip_error.as_deref(), opts.format);
                rejects.push(r);
                collected.push(Some(c));
            }
        }
    }
    let mut rows = vec![0u64; inputs.len()];
    let mut parsed = Vec::new();
    for (i, c) in collected.iter_mut().enumerate() {
        if let Some(c) = c {
            rows[i] += c.parsed.len() as u64;
            // By value, not `append`: the rows may then live shorter than `collected`.
            parsed.extend(std::mem::take(&mut c.parsed));
        }
    }
    for (i, c) in collected.iter().enumerate() {
        let Some(c) = c else { continue };
        let source = inputs[i].0;
        for (index, cand) in &c.candidates {
            let body = cand.text.as_ref();
            match parse_one(body) {
                Ok((rec, time_ms)) => {
                    rows[i] += 1;
                    parsed.push(Parsed {
                        rec,
                        time_ms,
                        json: Cow::Borrowed(body),
                        index: *index,
                        source,
                    });
                }
                Err(reason) => rejects[i].push(make_reject(
                    source,
                    Some(*index),
                    Some(line_of(c.text, cand.offset) as u64),
                    reason,
                    body,
                )),
            }
        }
    }
    let batches = parsed
        .chunks(opts.batch_rows.max(1))
        .map(build_batch)
        .collect();
    let digests: Vec<u64> = collected
        .iter()
        .map(|c| c.as_ref().map_or(0, |c| c.digests))
        .collect();
    // The rows are in the batches now; the texts they borrowed from can go.
    drop(parsed);
    drop(collected);
    let decoded = stages
        .into_iter()
        .zip(digests)
        .zip(rejects)
        .zip(rows)
        .map(|(((stage, digests), mut rejects), rows)| match stage {
            Stage::Done(d) => d,
            Stage::Text { text, .. } => {
                rejects.sort_by_key(|r| r.index);
                Decoded {
                    batches: Vec::new(),
                    records: rows + rejects.len() as u64,
                    rows,
                    rejects,
                    digests,
                    text_bytes: text.len() as u64,
                    skipped: None,
                }
            }
        })
        .collect();
    (decoded, batches)
}

/// Decompresses an object and checks it is text.
fn inflate<'d>(source: &str, data: &'d [u8]) -> Stage<'d> {
    let mut out = Decoded::default();
    match classify_key(source) {
        ObjectKind::Digest => {
            out.skipped = Some("CloudTrail digest file (integrity data, not events)");
            return Stage::Done(out);
        }
        ObjectKind::CloudWatchWriteTest => {
            out.skipped = Some("CloudWatch Logs export permission-check object");
            return Stage::Done(out);
        }
        _ => {}
    }
    let (bytes, gzip_error) = gunzip(data);
    let text_bytes = bytes.len() as u64;
    let invalid = match bytes {
        Cow::Borrowed(b) => match std::str::from_utf8(b) {
            Ok(t) => {
                return Stage::Text {
                    text: Cow::Borrowed(t),
                    gzip_error,
                };
            }
            Err(_) => b.to_vec(),
        },
        Cow::Owned(v) => match String::from_utf8(v) {
            Ok(t) => {
                return Stage::Text {
                    text: Cow::Owned(t),
                    gzip_error,
                };
            }
            Err(e) => e.into_bytes(),
        },
    };
    if !looks_binary(&invalid) {
        // Keep the records around a stray invalid byte: it becomes U+FFFD.
        let text = String::from_utf8_lossy(&invalid).into_owned();
        return Stage::Text {
            text: Cow::Owned(text),
            gzip_error,
        };
    }
    let reason = match &gzip_error {
        Some(e) => format!("not CloudTrail: unreadable gzip data ({e})"),
        None => "not CloudTrail: binary data, not JSON text".to_string(),
    };
    out.rejects.push(make_reject(
        source,
        None,
        None,
        reason,
        &String::from_utf8_lossy(&invalid[..invalid.len().min(256)]),
    ));
    out.records = 1;
    out.text_bytes = text_bytes;
    Stage::Done(out)
}

/// Finds the record candidates of one object's text; what is not a record already
/// becomes a reject here.
fn collect<'a>(
    source: &'a str,
    text: &'a str,
    gzip_error: Option<&str>,
    format: InputFormat,
) -> (Collected<'a>, Vec<Reject>) {
    let mut ctx = Ctx {
        source,
        text,
        candidates: Vec::new(),
        rejects: Vec::new(),
        digests: 0,
        next_index: 0,
        truncation: gzip_error.map(|e| format!("the gzip stream is cut short ({e})")),
    };
    let format = match format {
        InputFormat::Auto => sniff(text),
        f => Some(f),
    };
    match format {
        Some(InputFormat::Json | InputFormat::Auto) => {
            if let Some(parsed) = records_array_start(text)
                .filter(|_| gzip_error.is_none())
                .and_then(|start| one_pass_records(source, text, start))
            {
                let digests = 0;
                ctx.next_index = parsed.len() as u32;
                return (
                    Collected {
                        text,
                        candidates: Vec::new(),
                        parsed,
                        digests,
                    },
                    Vec::new(),
                );
            }
            collect_json(&mut ctx)
        }
        Some(InputFormat::Cloudwatch) => collect_cloudwatch(&mut ctx),
        Some(InputFormat::LakeCsv) => collect_lake_csv(&mut ctx),
        None => {
            let trimmed = text.trim();
            if trimmed.is_empty() {
                if let Some(e) = gzip_error {
                    ctx.rejects.push(make_reject(
                        source,
                        None,
                        None,
                        format!("unreadable gzip data: {e}"),
                        "",
                    ));
                }
            } else {
                let head: String = trimmed.chars().take(40).collect();
                ctx.reject_at(
                    0,
                    text,
                    format!("not CloudTrail: the content is not JSON (starts with {head:?})"),
                );
            }
        }
    }
    if let Some(e) = gzip_error
        && !ctx.rejects.iter().any(|r| r.reason.contains("gzip"))
    {
        // The cut fell between records: nothing was lost in the text we have, but
        // the object is damaged and the user should know.
        ctx.rejects.push(make_reject(
            source,
            None,
            None,
            format!(
                "the gzip stream is cut short ({e}); records after the cut cannot be recovered"
            ),
            "",
        ));
    }
    let Ctx {
        candidates,
        rejects,
        digests,
        ..
    } = ctx;
    (
        Collected {
            text,
            candidates,
            parsed: Vec::new(),
            digests,
        },
        rejects,
    )
}

/// The common case in one pass: a `{"Records":[...]}` file whose every element is a
/// well-formed, valid CloudTrail record, parsed once straight from the text (the
/// careful path tokenises each record three times: to find it, to classify it, to
/// read it). At the first thing it does not expect it gives up and the careful path
/// reads the whole file, so what is decided about odd input never changes.
fn one_pass_records<'a>(source: &'a str, text: &'a str, start: usize) -> Option<Vec<Parsed<'a>>> {
    let b = text.as_bytes();
    let mut pos = start;
    let mut out = Vec::new();
    loop {
        pos = skip_separators(b, pos, Mode::ArrayElements);
        match b.get(pos)? {
            b']' => return Some(out),
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

fn looks_binary(b: &[u8]) -> bool {
    b[..b.len().min(1024)].contains(&0)
}

/// Decompresses gzip (all members) when the data starts with the gzip magic.
/// On a corrupt or cut-off stream, returns what was inflated and the error.
pub fn gunzip(data: &[u8]) -> (Cow<'_, [u8]>, Option<String>) {
    if data.len() < 2 || data[0] != 0x1f || data[1] != 0x8b {
        return (Cow::Borrowed(data), None);
    }
    let mut out = Vec::with_capacity(inflated_size_hint(data));
    // read_to_end keeps what was inflated before an error, which is what a cut-off
    // stream needs.
    match flate2::read::MultiGzDecoder::new(data).read_to_end(&mut out) {
        Ok(_) => (Cow::Owned(out), None),
        Err(e) => (Cow::Owned(out), Some(e.to_string())),
    }
}

/// Capacity for the inflated text: the gzip trailer's ISIZE (the size modulo 2^32 of
/// a single-member stream) when plausible, else a typical JSON ratio.
fn inflated_size_hint(data: &[u8]) -> usize {
    let guess = data.len().saturating_mul(8);
    let Some(tail) = data.len().checked_sub(4).map(|at| &data[at..]) else {
        return guess;
    };
    let isize = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]) as usize;
    if isize >= data.len() && isize <= data.len().saturating_mul(64) {
        isize
    } else {
        guess
    }
}

/// Guesses the format from the first bytes of the text.
fn sniff(text: &str) -> Option<InputFormat> {
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

/// Accepts a value found while resynchronising after broken text: it must look
/// like a record or a known envelope, not a fragment of the broken record.
fn plausible_record(raw: &RawValue) -> bool {
    is_object(raw)
        && serde_json::from_str::<Probe<'_>>(raw.get()).is_ok_and(|p| p.shape() != Shape::Unknown)
}

/// If the text is `{"Records": [`, the offset just after the `[`.
fn records_array_start(text: &str) -> Option<usize> {
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

fn collect_json(ctx: &mut Ctx<'_>) {
    let text = ctx.text;
    // The common S3 delivery shape is read element by element, so a broken record
    // (or a missing comma, or a cut-off file) costs only itself.
    if let Some(start) = records_array_start(text) {
        let scanned = scan(text, start, Mode::ArrayElements, &plausible_record);
        take_items(ctx, scanned.items, 1);
        return;
    }
    let scanned = scan(text, 0, Mode::TopLevel, &plausible_record);
    take_items(ctx, scanned.items, 0);
}

fn take_items<'a>(ctx: &mut Ctx<'a>, items: Vec<Item<'a>>, depth: u8) {
    for item in items {
        match item {
            Item::Value { raw, offset } => classify(ctx, raw, offset, depth),
            Item::Bad { offset, end, error } => {
                let raw = &ctx.text[offset..end];
                ctx.reject_at(offset, raw.trim_end(), error);
            }
        }
    }
}

fn json_kind(raw: &RawValue) -> &'static str {
    match raw.get().trim_start().as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

/// Scans the elements of a raw JSON array found inside an accepted value.
fn elements<'a>(ctx: &mut Ctx<'a>, array: &'a RawValue, what: &str, depth: u8) {
    let text = array.get();
    let trimmed = text.trim_start();
    if !trimmed.starts_with('[') {
        let offset = ctx.offset_of(text);
        ctx.reject_at(
            offset,
            text,
            format!("`{what}` is {} , expected an array", json_kind(array)),
        );
        return;
    }
    let start = text.len() - trimmed.len() + 1;
    let scanned = scan(text, start, Mode::ArrayElements, &plausible_record);
    take_items(ctx, scanned.items, depth + 1);
}

fn classify<'a>(ctx: &mut Ctx<'a>, raw: &'a RawValue, offset: usize, depth: u8) {
    if raw.get().trim_start().starts_with('[') && depth < 3 {
        return elements(ctx, raw, "top-level array", depth);
    }
    if !is_object(raw) {
        return ctx.reject_at(
            offset,
            raw.get(),
            format!("not a CloudTrail record: found {}", json_kind(raw)),
        );
    }
    let probe: Probe<'a> = match serde_json::from_str(raw.get()) {
        Ok(p) => p,
        Err(e) => return ctx.reject_at(offset, raw.get(), format!("unreadable object: {e}")),
    };
    match probe.shape() {
        Shape::Record => ctx.push(compact(raw.get()), offset),
        Shape::Records if depth < 3 => {
            if let Some(records) = probe.records {
                elements(ctx, records, "Records", depth);
            }
        }
        Shape::LookupEvents if depth < 3 => {
            if let Some(events) = probe.events {
                elements(ctx, events, "Events", depth);
            }
        }
        Shape::LookupEvent => {
            let Some(inner) = probe.cloudtrail_event else { return };
            match serde_json::from_str::<String>(inner.get()) {
                Ok(s) => ctx.push(Cow::Owned(s), offset),
                Err(_) if is_object(inner) => ctx.push(compact(inner.get()), offset),
                Err(e) => ctx.reject_at(offset, raw.get(), format!("`CloudTrailEvent` is not a JSON string: {e}")),
            }
        }
        Shape::EventBridge => match probe.detail {
            Some(detail) if is_object(detail) => ctx.push(compact(detail.get()), offset),
            _ => ctx.reject_at(offset, raw.get(), "EventBridge envelope without an object in `detail`"),
        },
        Shape::CloudWatchSubscription => {
            let Some(log_events) = probe.log_events else { return };
            #[derive(Deserialize)]
            struct LogEvent {
                message: Option<String>,
            }
            match serde_json::from_str::<Vec<LogEvent>>(log_events.get()) {
                Ok(events) => {
                    for ev in events {
                        match ev.message {
                            Some(m) => ctx.push(Cow::Owned(m), offset),
                            None => ctx.reject_at(offset, raw.get(), "CloudWatch log event without a `message`"),
                        }
                    }
                }
                Err(e) => ctx.reject_at(offset, raw.get(), format!("unreadable `logEvents`: {e}")),
            }
        }
        Shape::Digest => ctx.digests += 1,
        Shape::Records | Shape::LookupEvents | Shape::Unknown => ctx.reject_at(
            offset,
            raw.get(),
            "not a CloudTrail record: none of eventVersion, eventTime, eventName, eventSource, eventID, eventType",
        ),
    }
}

fn collect_cloudwatch(ctx: &mut Ctx<'_>) {
    let text = ctx.text;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let here = offset;
        offset += line.len();
        let content = line.trim_end();
        if content.is_empty() {
            continue;
        }
        let Some(brace) = content.find('{') else {
            ctx.reject_at(
                here,
                content,
                "CloudWatch Logs export line without a JSON message",
            );
            continue;
        };
        match parse_at(text, here + brace) {
            Ok((raw, _)) => classify(ctx, raw, here, 0),
            Err(e) => ctx.reject_at(
                here,
                content,
                format!("invalid JSON in CloudWatch Logs message: {e}"),
            ),
        }
    }
}

fn collect_lake_csv(ctx: &mut Ctx<'_>) {
    let text = ctx.text;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let column = match reader.headers() {
        Ok(h) => h
            .iter()
            .position(|c| c.trim().eq_ignore_ascii_case("eventjson")),
        Err(e) => return ctx.reject_at(0, text, format!("unreadable CSV header: {e}")),
    };
    let Some(column) = column else {
        return ctx.reject_at(0, text, "CloudTrail Lake CSV without an `eventjson` column");
    };
    for row in reader.records() {
        match row {
            Ok(row) => {
                let offset = row.position().map_or(0, |p| p.byte() as usize);
                match row.get(column) {
                    Some(json) if !json.trim().is_empty() => {
                        ctx.push(Cow::Owned(json.to_string()), offset)
                    }
                    _ => {
                        let raw = row.iter().collect::<Vec<_>>().join(",");
                        ctx.reject_at(offset, &raw, "CSV row with an empty `eventjson`");
                    }
                }
            }
            Err(e) => {
                let offset = e.position().map_or(0, |p| p.byte() as usize);
                ctx.reject_at(offset, "", format!("unreadable CSV row: {e}"));
            }
        }
    }
}

/// Checks what a row needs; returns the event time in ms, or the reject reason.
fn validate(rec: &Record<'_>) -> Result<i64, String> {
    let looks_like_cloudtrail = rec.event_version.is_some()
        || rec.event_name.is_some()
        || rec.event_source.is_some()
        || rec.event_type.is_some();
    if !looks_like_cloudtrail {
        return Err(
            "not a CloudTrail record: none of eventVersion, eventName, eventSource, eventType"
                .to_string(),
        );
    }
    let time = match (&rec.event_time, &rec.logstash_timestamp) {
        (Some(t), _) => t,
        (None, Some(t)) => t,
        (None, None) => return Err("missing `eventTime`".to_string()),
    };
    let Some(ms) = parse_event_time(time.as_str()) else {
        return Err(format!(
            "`eventTime` {:?} is not a timestamp",
            time.as_str()
        ));
    };
    match &rec.event_id {
        Some(id) if !id.as_str().is_empty() => {}
        _ => return Err("missing `eventID`".to_string()),
    }
    Ok(ms)
}

/// Validates a candidate record; the error is the reject reason.
fn parse_one<'t>(text: &'t str) -> Result<(Record<'t>, i64), String> {
    let rec: Record<'t> = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(first) => {
            let mut de = serde_json::Deserializer::from_str(text);
            return Err(
                match serde_path_to_error::deserialize::<_, Record<'t>>(&mut de) {
                    Err(e) if !e.path().to_string().is_empty() && e.path().to_string() != "." => {
                        let inner = e.inner().to_string();
                        let inner = inner
                            .split(" at line ")
                            .next()
                            .unwrap_or(&inner)
                            .to_string();
                        format!("wrong type at `{}`: {inner}", e.path())
                    }
                    _ => format!("invalid record: {first}"),
                },
            );
        }
    };
    let ms = validate(&rec)?;
    Ok((rec, ms))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn decode_str(source: &str, text: &str) -> Decoded {
        decode(source, text.as_bytes(), &DecodeOptions::default())
    }

    fn real_files(dir: &str) -> Vec<std::path::PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
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
}
