//! CloudWatch Logs subscription payloads: each `logEvents[].message` is a record.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::collect::Ctx;

/// Takes the records out of a payload's `logEvents`, one event at a time: an event
/// that cannot be used is a reject holding that event's text, not the whole payload
/// (which, copied once per bad event, made memory quadratic in the payload).
pub(super) fn take_log_events<'a>(
    ctx: &mut Ctx<'a>,
    log_events: &'a RawValue,
    raw: &'a RawValue,
    offset: usize,
) {
    let mut de = serde_json::Deserializer::from_str(log_events.get());
    if let Err(e) = (EachEvent { ctx: &mut *ctx }).deserialize(&mut de) {
        ctx.reject_at(offset, raw.get(), format!("unreadable `logEvents`: {e}"));
    }
}

/// Visits the elements of `logEvents` without collecting them first.
struct EachEvent<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for EachEvent<'_, 'a> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for EachEvent<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of log events")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        while let Some(event) = seq.next_element::<&'de RawValue>()? {
            take_event(self.ctx, event);
        }
        Ok(())
    }
}

fn take_event<'a>(ctx: &mut Ctx<'a>, event: &'a RawValue) {
    #[derive(Deserialize)]
    struct LogEvent<'a> {
        #[serde(borrow)]
        message: Option<&'a RawValue>,
    }
    let at = ctx.offset_of(event.get());
    let message = match serde_json::from_str::<LogEvent<'a>>(event.get()) {
        Ok(LogEvent { message: Some(m) }) => m,
        Ok(LogEvent { message: None }) => {
            return ctx.reject_at(at, event.get(), "CloudWatch log event without a `message`");
        }
        Err(e) => {
            return ctx.reject_at(at, event.get(), format!("unreadable log event: {e}"));
        }
    };
    match serde_json::from_str::<String>(message.get()) {
        Ok(m) => ctx.push(Cow::Owned(m), at, message.get()),
        Err(e) => ctx.reject_at(
            at,
            event.get(),
            format!("CloudWatch log event whose `message` is not a string: {e}"),
        ),
    }
}
