//! Decoding one source object (a file or an S3 object) into record batches and rejects.
//!
//! Every record the input holds ends in exactly one of three places: a row of a
//! batch, a [`Reject`] with a reason, or the digest counter (digest files are
//! integrity data, not events). [`Decoded::records`] counts the first two.
//!
//! The stages, one file each: `inflate` (gzip, is it text), `collect` (sniffs the
//! format and runs its reader: `records_fast`, `json`, `cloudwatch_export` or
//! `lake_csv`; `json` unwraps envelopes with `eventbridge`,
//! `cloudwatch_subscription` and `lookup_events`), then `validate` on each
//! candidate; the valid ones become batches here.

mod cloudwatch_export;
mod cloudwatch_subscription;
mod collect;
mod eventbridge;
mod inflate;
mod json;
mod lake_csv;
mod lookup_events;
mod options;
mod records_fast;
mod reject;
mod sniff;
mod validate;

#[cfg(test)]
mod hostile;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod regressions;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::HashMap;

use arrow::array::RecordBatch;

use crate::batch::{Parsed, SharedText, build_batch_in};
use crate::scan::Lines;
use collect::{Collected, collect};
use inflate::{Stage, Text, inflate};
use reject::make_reject;
use validate::parse_one;

pub use inflate::gunzip;
pub use options::{DEFAULT_MAX_INFLATED, DecodeOptions, InputFormat};
pub use reject::{MAX_REJECT_RAW, Reject};

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

/// Which candidates (by position) hold a repaired byte, with the first repair's
/// description; repairs outside every candidate (in rejected or wrapper text) become
/// one reject of their own. A binary search per candidate over the repairs (which are
/// in text order): a scan per repair was quadratic on text full of invalid bytes.
fn taint(
    candidates: &[(u32, collect::Candidate<'_>)],
    repairs: &[inflate::Repair],
    source: &str,
    lines: &Lines<'_>,
    rejects: &mut Vec<Reject>,
) -> HashMap<usize, String> {
    let mut tainted = HashMap::new();
    // The runs of repairs (as index ranges) that fall in some candidate.
    let mut covered = Vec::new();
    for (pos, (_, c)) in candidates.iter().enumerate() {
        let first = repairs.partition_point(|r| r.at < c.span.start);
        let past = repairs.partition_point(|r| r.at < c.span.end);
        crate::work::charge(2 * (repairs.len().max(1).ilog2() as usize + 1));
        if past > first {
            covered.push(first..past);
            tainted.insert(pos, repairs[first].describe());
        }
    }
    covered.sort_by_key(|r| r.start);
    let (mut first_outside, mut outside, mut next) = (None, 0, 0);
    for r in covered
        .iter()
        .chain(std::iter::once(&(repairs.len()..repairs.len())))
    {
        if r.start > next {
            first_outside.get_or_insert(next);
            outside += r.start - next;
        }
        next = next.max(r.end);
    }
    if let Some(first) = first_outside {
        let r = &repairs[first];
        rejects.push(make_reject(
            source,
            None,
            Some(lines.line(r.at) as u64),
            format!(
                "{} outside the records read from the object ({outside} such runs of invalid bytes)",
                r.describe(),
            ),
            "",
        ));
    }
    tainted
}

/// Decodes one source object. Never fails: what cannot be read becomes rejects.
pub fn decode(source: &str, data: &[u8], opts: &DecodeOptions) -> Decoded {
    let (mut decoded, batches) = decode_many(&[(source, data)], opts);
    let mut out = decoded.pop().unwrap_or_default();
    out.batches = batches;
    out
}

/// Decodes several source objects at once. Returns one [`Decoded`] per input, in
/// input order, with its counts and rejects but no batches, and the rows of all of
/// them in shared batches of up to `batch_rows`: CloudTrail delivers many small files,
/// and building one batch per file would cost more than parsing it.
///
/// Memory: the inflated texts of one call stay below `max_inflated` together. An object
/// that would take the group past it is decoded after the others, alone (and then
/// rejected only if it alone exceeds the cap).
pub fn decode_many(
    inputs: &[(&str, &[u8])],
    opts: &DecodeOptions,
) -> (Vec<Decoded>, Vec<RecordBatch>) {
    let (mut decoded, mut batches, deferred) = decode_within(inputs, opts);
    for i in deferred {
        let (mut alone, more, _) = decode_within(&inputs[i..=i], opts);
        if let Some(d) = alone.pop() {
            decoded[i] = d;
        }
        batches.extend(more);
    }
    (decoded, batches)
}

/// [`decode_many`] up to the group's budget: also the inputs left for later.
fn decode_within(
    inputs: &[(&str, &[u8])],
    opts: &DecodeOptions,
) -> (Vec<Decoded>, Vec<RecordBatch>, Vec<usize>) {
    let mut spent = 0u64;
    let mut deferred = Vec::new();
    let stages: Vec<Stage<'_>> = inputs
        .iter()
        .enumerate()
        .map(|(i, (source, data))| {
            let room = opts.max_inflated.saturating_sub(spent);
            let stage = inflate(source, data, opts.max_inflated, room);
            match &stage {
                Stage::Deferred => deferred.push(i),
                Stage::Text {
                    text: Text::Shared(t),
                    ..
                } => spent += t.as_str().len() as u64,
                _ => {}
            }
            stage
        })
        .collect();
    let mut rejects: Vec<Vec<Reject>> = Vec::with_capacity(inputs.len());
    let mut collected: Vec<Option<Collected<'_>>> = Vec::with_capacity(inputs.len());
    for ((source, _), stage) in inputs.iter().zip(&stages) {
        match stage {
            Stage::Done(_) | Stage::Deferred => {
                rejects.push(Vec::new());
                collected.push(None);
            }
            Stage::Text {
                text,
                gzip_error,
                repairs,
            } => {
                // The one-pass reader cannot tell which records hold a repair.
                let exact = repairs.is_empty();
                let (c, r) = collect(source, text, gzip_error.as_deref(), opts.format, exact);
                rejects.push(r);
                collected.push(Some(c));
            }
        }
    }
    let mut rows = vec![0u64; inputs.len()];
    for (i, c) in collected.iter().enumerate() {
        if let Some(c) = c {
            rows[i] += c.parsed.len() as u64;
        }
    }
    // Records the one-pass reader did not take, read one at a time, per input.
    let mut careful: Vec<Vec<Parsed<'_>>> = Vec::with_capacity(inputs.len());
    for (i, c) in collected.iter().enumerate() {
        let mut read = Vec::new();
        let Some(c) = c else {
            careful.push(read);
            continue;
        };
        let source = inputs[i].0;
        let lines = Lines::new(c.text);
        let tainted = match &stages[i] {
            Stage::Text { repairs, .. } if !repairs.is_empty() => {
                taint(&c.candidates, repairs, source, &lines, &mut rejects[i])
            }
            _ => HashMap::new(),
        };
        for (pos, (index, cand)) in c.candidates.iter().enumerate() {
            let body = cand.text.as_ref();
            if let Some(why) = tainted.get(&pos) {
                rejects[i].push(make_reject(
                    source,
                    Some(*index),
                    Some(lines.line(cand.offset) as u64),
                    format!(
                        "{why}: JSON text must be UTF-8 and the record cannot be stored as it \
                         was (the raw text here has U+FFFD in their place)"
                    ),
                    body,
                ));
                continue;
            }
            match parse_one(body) {
                Ok((rec, time_ms)) => {
                    rows[i] += 1;
                    read.push(Parsed {
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
                    Some(lines.line(cand.offset) as u64),
                    reason,
                    body,
                )),
            }
        }
        careful.push(read);
    }
    // The one-pass reader's records of every input, then the careful reader's.
    let parsed: Vec<&Parsed<'_>> = collected
        .iter()
        .flatten()
        .flat_map(|c| c.parsed.iter())
        .chain(careful.iter().flatten())
        .collect();
    let texts: Vec<&SharedText> = stages
        .iter()
        .filter_map(|s| match s {
            Stage::Text {
                text: Text::Shared(t),
                ..
            } => Some(t),
            _ => None,
        })
        .collect();
    let batches = parsed
        .chunks(opts.batch_rows.max(1))
        .map(|recs| build_batch_in(recs, &texts))
        .collect();
    drop(texts);
    let digests: Vec<u64> = collected
        .iter()
        .map(|c| c.as_ref().map_or(0, |c| c.digests))
        .collect();
    // The rows are in the batches now; the texts they borrowed from can go.
    drop(parsed);
    drop(careful);
    drop(collected);
    let decoded = stages
        .into_iter()
        .zip(digests)
        .zip(rejects)
        .zip(rows)
        .map(|(((stage, digests), mut rejects), rows)| match stage {
            Stage::Done(d) => d,
            Stage::Deferred => Decoded::default(),
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
    (decoded, batches, deferred)
}
