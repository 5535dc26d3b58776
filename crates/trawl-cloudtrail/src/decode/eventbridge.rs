//! EventBridge / CloudWatch Events envelopes: the record is the object in `detail`.

use serde_json::value::RawValue;

use super::collect::Ctx;
use crate::record::is_object;
use crate::scan::compact;

/// Takes the record out of an envelope's `detail`.
pub(super) fn take_detail<'a>(
    ctx: &mut Ctx<'a>,
    detail: Option<&'a RawValue>,
    raw: &'a RawValue,
    offset: usize,
) {
    match detail {
        Some(detail) if is_object(detail) => ctx.push(compact(detail.get()), offset, detail.get()),
        _ => ctx.reject_at(
            offset,
            raw.get(),
            "EventBridge envelope without an object in `detail`",
        ),
    }
}
