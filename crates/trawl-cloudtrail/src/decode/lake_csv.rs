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
