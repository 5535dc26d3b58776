//! When first-seen and baseline detections can speak: their look-back (or learning
//! period) must be covered by the data before a first occurrence means anything.
//! They stay silent over the first part of the lake by design; a hunt says which
//! are still learning and from when they are armed.

use std::collections::HashMap;

use datafusion::common::ParamValues;
use datafusion::prelude::SessionContext;
use serde::Serialize;
use trawl_engine::catalog::{Query, bound_interval_ms};

use crate::HuntError;
use crate::correlate::millis;
use crate::plan::own_params;

/// The parameters that name how much history a detection needs.
const HISTORY_PARAMS: [&str; 2] = ["lookback", "learning"];
/// The parameter that names a threshold's or a sequence's time span.
const WINDOW_PARAM: &str = "window";

/// A detection that needs history, and when the lake first gives it enough.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Arming {
    pub detection: String,
    /// The history it needs, in milliseconds.
    #[serde(skip)]
    pub history_ms: i64,
    /// The lake's first event plus that history.
    pub armed_from: String,
    /// False while the lake ends before `armed_from`: nothing it could raise yet.
    pub armed: bool,
}

/// The longest history `query` asks for with the hunt's parameters bound.
pub fn history_ms(query: &Query, given: &HashMap<String, String>) -> Option<i64> {
    interval_params_ms(query, given, &HISTORY_PARAMS)
        .into_iter()
        .max()
}

/// How long before `$since` a caller must start `query` for an event at `$since` to
/// be judged whole: its window (threshold and sequence detections count what came
/// shortly before, from `$since` on). A look-back is read back by the detection
/// itself (from `$since - $lookback`), so it is not counted. 0 for a detection that
/// judges each event alone.
pub fn context_ms(query: &Query, given: &HashMap<String, String>) -> i64 {
    interval_params_ms(query, given, &[WINDOW_PARAM])
        .into_iter()
        .max()
        .unwrap_or(0)
}

/// The values of the interval parameters `names` that `query` declares, bound.
fn interval_params_ms(query: &Query, given: &HashMap<String, String>, names: &[&str]) -> Vec<i64> {
    if !query
        .params
        .iter()
        .any(|p| names.contains(&p.name.as_str()))
    {
        return Vec::new();
    }
    let Ok(ParamValues::Map(values)) = query.bind(&own_params(query, given)) else {
        return Vec::new();
    };
    names
        .iter()
        .filter_map(|name| values.get(*name).and_then(|v| bound_interval_ms(&v.value)))
        .collect()
}

/// The first and last event time of the session's `cloudtrail` (None when empty).
pub(crate) async fn lake_span(ctx: &SessionContext) -> Result<Option<(i64, i64)>, HuntError> {
    let batches = trawl_engine::sql(ctx, "SELECT min(eventtime), max(eventtime) FROM cloudtrail")
        .await?
        .collect()
        .await?;
    let Some(b) = batches.first().filter(|b| b.num_rows() > 0) else {
        return Ok(None);
    };
    let first = millis(b, 0)?.first().copied().flatten();
    let last = millis(b, 1)?.first().copied().flatten();
    Ok(first.zip(last))
}

/// For every detection that needs history, when it is armed.
pub(crate) fn arming(
    span: Option<(i64, i64)>,
    detections: &[(&Query, HashMap<String, String>)],
) -> Vec<Arming> {
    let needs: Vec<(&Query, i64)> = detections
        .iter()
        .filter_map(|(q, given)| history_ms(q, given).map(|h| (*q, h)))
        .collect();
    let Some((first, last)) = span.filter(|_| !needs.is_empty()) else {
        return Vec::new();
    };
    let mut out: Vec<Arming> = needs
        .into_iter()
        .map(|(q, history_ms)| Arming {
            detection: q.id.clone(),
            history_ms,
            armed_from: trawl_cloudtrail::utc_time(first + history_ms),
            armed: first + history_ms <= last,
        })
        .collect();
    out.sort_by(|a, b| {
        a.armed_from
            .cmp(&b.armed_from)
            .then(a.detection.cmp(&b.detection))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_comes_from_the_bound_parameters() {
        let text = "-- title: T\n-- severity: low\n-- param: since timestamp 1970-01-01\n\
                    -- param: lookback interval 14d  History\n-- param: learning interval 1d  Learning\nSELECT 1";
        let q = trawl_engine::catalog::parse_query(
            "rare",
            trawl_engine::catalog::QueryKind::Detection,
            "rare.sql",
            text,
        )
        .unwrap();
        assert_eq!(history_ms(&q, &HashMap::new()), Some(14 * 86_400_000));
        let given = HashMap::from([("lookback".to_string(), "2h".to_string())]);
        assert_eq!(history_ms(&q, &given), Some(86_400_000));
        let plain = trawl_engine::catalog::parse_query(
            "plain",
            trawl_engine::catalog::QueryKind::Detection,
            "plain.sql",
            "-- title: T\n-- severity: low\nSELECT 1",
        )
        .unwrap();
        assert_eq!(history_ms(&plain, &HashMap::new()), None);
        assert_eq!(context_ms(&plain, &HashMap::new()), 0);
        assert_eq!(context_ms(&q, &HashMap::new()), 0);
        let threshold = trawl_engine::catalog::parse_query(
            "burst",
            trawl_engine::catalog::QueryKind::Detection,
            "burst.sql",
            "-- title: T\n-- severity: low\n-- param: window interval 10m  Width\n\
             -- param: lookback interval 7d  History\nSELECT 1",
        )
        .unwrap();
        assert_eq!(context_ms(&threshold, &HashMap::new()), 600_000);
        assert_eq!(
            trawl_cloudtrail::utc_time(86_400_000 + 3_723_000),
            "1970-01-02T01:02:03Z"
        );
    }
}
