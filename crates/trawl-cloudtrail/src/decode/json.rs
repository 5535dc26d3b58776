//! The careful JSON reader: `{"Records":[...]}` element by element, arrays, JSON
//! lines and concatenated objects, resynchronising after broken text, and routing
//! each value by its shape (record, envelope, digest or not CloudTrail).

use serde_json::value::RawValue;

use super::collect::Ctx;
use super::sniff::records_array_start;
use super::{cloudwatch_subscription, eventbridge, lookup_events};
use crate::record::{Probe, Shape, is_object};
use crate::scan::{Item, Mode, compact, scan};

/// Accepts a value found while resynchronising after broken text: it must look
/// like a record or a known envelope, not a fragment of the broken record.
fn plausible_record(raw: &RawValue) -> bool {
    is_object(raw)
        && serde_json::from_str::<Probe<'_>>(raw.get()).is_ok_and(|p| p.shape() != Shape::Unknown)
}

/// Reads an object of any JSON shape; what it finds goes through [`classify`].
pub(super) fn collect_json(ctx: &mut Ctx<'_>) {
    let text = ctx.text;
    // The common S3 delivery shape is read element by element, so a broken record
    // (or a missing comma, or a cut-off file) costs only itself.
    if let Some(start) = records_array_start(text) {
        let scanned = scan(
            text,
            start,
            Mode::ArrayElements,
            &plausible_record,
            &ctx.lines,
            &mut ctx.budget,
        );
        take_items(ctx, scanned.items, 1);
        // Objects after the first (delivery files concatenated) used to be dropped
        // unread; they are read as the values of JSON lines.
        let rest = after_wrapper(text, scanned.end);
        if rest < text.len() {
            let scanned = scan(
                text,
                rest,
                Mode::TopLevel,
                &plausible_record,
                &ctx.lines,
                &mut ctx.budget,
            );
            take_items(ctx, scanned.items, 0);
        }
        return;
    }
    let scanned = scan(
        text,
        0,
        Mode::TopLevel,
        &plausible_record,
        &ctx.lines,
        &mut ctx.budget,
    );
    take_items(ctx, scanned.items, 0);
}

/// Where the text goes on after a `{"Records":[...]}` wrapper whose array ends at
/// `end`: past its `}` and blanks (the end of the text for a lone delivery file).
pub(super) fn after_wrapper(text: &str, end: usize) -> usize {
    let b = text.as_bytes();
    let blanks = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let at = blanks(end.min(b.len()));
    if b.get(at) == Some(&b'}') {
        blanks(at + 1)
    } else {
        at
    }
}

/// Hands scanned values to [`classify`]; a broken span becomes one reject.
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

/// Names a value's JSON type, for reject reasons.
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
    // Scanned in place in the object's text, so the elements' offsets (and the lines
    // and repaired bytes found through them) are the object's, not the array's.
    let whole = ctx.text;
    let base = ctx.offset_of(text);
    let in_place = whole
        .get(base..base + text.len())
        .is_some_and(|s| std::ptr::eq(s.as_ptr(), text.as_ptr()));
    let (within, base) = if in_place {
        (&whole[..base + text.len()], base)
    } else {
        (text, 0)
    };
    let start = base + text.len() - trimmed.len() + 1;
    let scanned = scan(
        within,
        start,
        Mode::ArrayElements,
        &plausible_record,
        &ctx.lines,
        &mut ctx.budget,
    );
    take_items(ctx, scanned.items, depth + 1);
}

/// Decides what one value is: a record, a container of records (followed at most
/// three levels deep, so hostile nesting cannot recurse far), an envelope, a digest,
/// or a reject.
pub(super) fn classify<'a>(ctx: &mut Ctx<'a>, raw: &'a RawValue, offset: usize, depth: u8) {
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
        Shape::Record => ctx.push(compact(raw.get()), offset, raw.get()),
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
            if let Some(inner) = probe.cloudtrail_event {
                lookup_events::take_cloudtrail_event(ctx, inner, raw, offset);
            }
        }
        Shape::EventBridge => eventbridge::take_detail(ctx, probe.detail, raw, offset),
        Shape::CloudWatchSubscription => {
            if let Some(log_events) = probe.log_events {
                cloudwatch_subscription::take_log_events(ctx, log_events, raw, offset);
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
