//! CloudWatch Logs exports (`000000.gz`): lines of `<ISO time or epoch ms> {json}`.

use super::collect::Ctx;
use super::json::classify;
use crate::scan::parse_at;

/// Reads each line's JSON message; the timestamp before it is CloudWatch's, not the event's.
pub(super) fn collect_cloudwatch(ctx: &mut Ctx<'_>) {
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
        // Within its own line: a message cut short must not be read on into the next
        // lines (each line opening a brace that never closes made that quadratic).
        match parse_at(&text[..here + content.len()], here + brace) {
            Ok((raw, _)) => classify(ctx, raw, here, 0),
            Err(e) => ctx.reject_at(
                here,
                content,
                format!("invalid JSON in CloudWatch Logs message: {e}"),
            ),
        }
    }
}
