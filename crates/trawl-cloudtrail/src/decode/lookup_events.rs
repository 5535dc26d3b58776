//! `aws cloudtrail lookup-events` output: each entry carries its record as a JSON
//! string in `CloudTrailEvent` (an object is accepted too).

use std::borrow::Cow;

use serde_json::value::RawValue;

use super::collect::Ctx;
use crate::record::is_object;
use crate::scan::compact;

/// Takes the record out of one entry's `CloudTrailEvent`.
pub(super) fn take_cloudtrail_event<'a>(
    ctx: &mut Ctx<'a>,
    inner: &'a RawValue,
    raw: &'a RawValue,
    offset: usize,
) {
    match serde_json::from_str::<String>(inner.get()) {
        Ok(s) => ctx.push(Cow::Owned(s), offset, inner.get()),
        Err(_) if is_object(inner) => ctx.push(compact(inner.get()), offset, inner.get()),
        Err(e) => ctx.reject_at(
            offset,
            raw.get(),
            format!("`CloudTrailEvent` is not a JSON string: {e}"),
        ),
    }
}
