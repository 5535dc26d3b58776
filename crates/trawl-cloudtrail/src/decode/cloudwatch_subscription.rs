//! CloudWatch Logs subscription payloads: each `logEvents[].message` is a record.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::collect::Ctx;

/// Takes the records out of a payload's `logEvents`.
pub(super) fn take_log_events<'a>(
    ctx: &mut Ctx<'a>,
    log_events: &'a RawValue,
    raw: &'a RawValue,
    offset: usize,
) {
    #[derive(Deserialize)]
    struct LogEvent {
        message: Option<String>,
    }
    match serde_json::from_str::<Vec<LogEvent>>(log_events.get()) {
        Ok(events) => {
            for ev in events {
                match ev.message {
                    Some(m) => ctx.push(Cow::Owned(m), offset),
                    None => ctx.reject_at(
                        offset,
                        raw.get(),
                        "CloudWatch log event without a `message`",
                    ),
                }
            }
        }
        Err(e) => ctx.reject_at(offset, raw.get(), format!("unreadable `logEvents`: {e}")),
    }
}
