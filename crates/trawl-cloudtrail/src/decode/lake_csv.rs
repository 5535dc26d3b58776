//! CloudTrail Lake exports: CSV whose `eventjson` column holds each record.

use std::borrow::Cow;

use super::collect::Ctx;

/// Reads the `eventjson` column of every row.
pub(super) fn collect_lake_csv(ctx: &mut Ctx<'_>) {
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
    let mut row = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {
                let offset = row.position().map_or(0, |p| p.byte() as usize);
                match row.get(column) {
                    Some(json) if !json.trim().is_empty() => {
                        // The row runs to where the reader stands now: the next row.
                        let end = (reader.position().byte() as usize).max(offset);
                        ctx.push_span(Cow::Owned(json.to_string()), offset, offset..end)
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
                // A UTF-8 error leaves the reader on the same row; an I/O one cannot
                // happen on a slice. Either way, go on only if it moved.
                if reader.position().byte() as usize <= offset && reader.is_done() {
                    break;
                }
            }
        }
    }
}
