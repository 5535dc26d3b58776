//! Stage two: finds an object's record candidates with the reader its format needs,
//! numbering them, and turns what is not a record into rejects on the way.

use std::borrow::Cow;
use std::ops::Range;

use super::reject::make_reject;
use super::sniff::{records_array_start, sniff};
use super::{InputFormat, Reject, cloudwatch_export, json, lake_csv, records_fast};
use crate::batch::Parsed;
use crate::scan::{Budget, Lines};

/// A record's text, found but not yet parsed, and where it starts in the object.
pub(super) struct Candidate<'a> {
    pub(super) text: Cow<'a, str>,
    pub(super) offset: usize,
    /// The bytes of the object it was read from (for an envelope's record, the part
    /// holding it), so a repaired byte is charged to the record it is in.
    pub(super) span: Range<usize>,
}

/// The state of one object while its candidates are collected.
pub(super) struct Ctx<'a> {
    pub(super) source: &'a str,
    pub(super) text: &'a str,
    pub(super) candidates: Vec<(u32, Candidate<'a>)>,
    pub(super) rejects: Vec<Reject>,
    pub(super) digests: u64,
    pub(super) next_index: u32,
    /// Appended to reasons of spans that run to the end of a cut-off stream.
    pub(super) truncation: Option<String>,
    pub(super) lines: Lines<'a>,
    /// Parse work left for resynchronising after broken text, shared by the object's scans.
    pub(super) budget: Budget,
}

impl<'a> Ctx<'a> {
    fn take_index(&mut self) -> u32 {
        let i = self.next_index;
        // Saturating: past u32::MAX values (only with a cap raised past 4 GiB) share an index.
        self.next_index = self.next_index.saturating_add(1);
        i
    }

    pub(super) fn reject_at(&mut self, offset: usize, raw: &str, reason: impl Into<String>) {
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
            Some(self.lines.line(offset) as u64),
            reason,
            raw,
        ));
    }

    pub(super) fn offset_of(&self, raw: &str) -> usize {
        (raw.as_ptr() as usize)
            .saturating_sub(self.text.as_ptr() as usize)
            .min(self.text.len())
    }

    /// Takes a record candidate read from `from`, a part of the object's text.
    pub(super) fn push(&mut self, text: Cow<'a, str>, offset: usize, from: &str) {
        let start = self.offset_of(from);
        self.push_span(text, offset, start..start + from.len());
    }

    pub(super) fn push_span(&mut self, text: Cow<'a, str>, offset: usize, span: Range<usize>) {
        let index = self.take_index();
        self.candidates
            .push((index, Candidate { text, offset, span }));
    }
}

/// An object's record candidates, found but not yet parsed.
pub(super) struct Collected<'a> {
    pub(super) text: &'a str,
    pub(super) candidates: Vec<(u32, Candidate<'a>)>,
    /// Records the one-pass reader already parsed.
    pub(super) parsed: Vec<Parsed<'a>>,
    pub(super) digests: u64,
}

/// Finds the record candidates of one object's text; what is not a record already
/// becomes a reject here.
pub(super) fn collect<'a>(
    source: &'a str,
    text: &'a str,
    gzip_error: Option<&str>,
    format: InputFormat,
    exact: bool,
) -> (Collected<'a>, Vec<Reject>) {
    let mut ctx = Ctx {
        source,
        text,
        candidates: Vec::new(),
        rejects: Vec::new(),
        digests: 0,
        next_index: 0,
        truncation: gzip_error.map(|e| format!("the gzip stream is cut short ({e})")),
        lines: Lines::new(text),
        budget: Budget::for_text(text),
    };
    let format = match format {
        InputFormat::Auto => sniff(text),
        f => Some(f),
    };
    match format {
        Some(InputFormat::Json | InputFormat::Auto) => {
            if let Some(parsed) = records_array_start(text)
                .filter(|_| gzip_error.is_none() && exact)
                .and_then(|start| records_fast::one_pass_records(source, text, start))
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
            json::collect_json(&mut ctx)
        }
        Some(InputFormat::Cloudwatch) => cloudwatch_export::collect_cloudwatch(&mut ctx),
        Some(InputFormat::LakeCsv) => lake_csv::collect_lake_csv(&mut ctx),
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
