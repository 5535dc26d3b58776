//! Record validation: parsing a candidate into a [`Record`] and the reasons it is
//! rejected (wrong types with their path, not CloudTrail, no usable time, no id).

use crate::record::Record;
use crate::time::parse_event_time;

/// Checks what a row needs; returns the event time in ms, or the reject reason.
pub(super) fn validate(rec: &Record<'_>) -> Result<i64, String> {
    let looks_like_cloudtrail = rec.event_version.is_some()
        || rec.event_name.is_some()
        || rec.event_source.is_some()
        || rec.event_type.is_some();
    if !looks_like_cloudtrail {
        return Err(
            "not a CloudTrail record: none of eventVersion, eventName, eventSource, eventType"
                .to_string(),
        );
    }
    let time = match (&rec.event_time, &rec.logstash_timestamp) {
        (Some(t), _) => t,
        (None, Some(t)) => t,
        (None, None) => return Err("missing `eventTime`".to_string()),
    };
    let Some(ms) = parse_event_time(time.as_str()) else {
        return Err(format!(
            "`eventTime` {:?} is not a timestamp",
            time.as_str()
        ));
    };
    match &rec.event_id {
        Some(id) if !id.as_str().is_empty() => {}
        _ => return Err("missing `eventID`".to_string()),
    }
    Ok(ms)
}

/// Validates a candidate record; the error is the reject reason.
pub(super) fn parse_one<'t>(text: &'t str) -> Result<(Record<'t>, i64), String> {
    let rec: Record<'t> = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(first) => {
            let mut de = serde_json::Deserializer::from_str(text);
            return Err(
                match serde_path_to_error::deserialize::<_, Record<'t>>(&mut de) {
                    Err(e) if !e.path().to_string().is_empty() && e.path().to_string() != "." => {
                        let inner = e.inner().to_string();
                        let inner = inner
                            .split(" at line ")
                            .next()
                            .unwrap_or(&inner)
                            .to_string();
                        // serde_json's words for a lone UTF-16 surrogate (`\ud800` with no
                        // partner): valid JSON grammar, but no text a column can hold.
                        if inner.contains("hex escape") || inner.contains("surrogate") {
                            format!(
                                "a \\u escape at `{}` is a lone UTF-16 surrogate, which is not \
                                 text: the field cannot be stored ({inner})",
                                e.path()
                            )
                        } else {
                            format!("wrong type at `{}`: {inner}", e.path())
                        }
                    }
                    _ => format!("invalid record: {first}"),
                },
            );
        }
    };
    let ms = validate(&rec)?;
    Ok((rec, ms))
}
