//! The overview: how much happened, where, what failed, who and what was busiest,
//! and what is new in the range.

use serde::Serialize;

use crate::ReportError;
use crate::chart::Series;
use crate::query::{Rows, Runner, Scope};

/// Who made a call, as one text: the ARN, else the service that made it, else the
/// identity type (`Root` has an ARN; `AWSService` has `invokedby`).
pub const PRINCIPAL: &str = "coalesce(useridentity.arn, useridentity.invokedby, useridentity.type)";

/// Error codes that mean "not allowed".
pub const DENIED: &str = "(errorcode LIKE '%AccessDenied%' OR errorcode LIKE '%Unauthorized%' OR errorcode = 'Forbidden')";

/// Series drawn by name in the stacked chart; the rest are summed as "other".
const SERIES: usize = 7;
/// Rows of each "busiest" chart.
const TOP: usize = 15;
/// Rows of each "new in the range" list.
const NEW: usize = 100;

/// A label and its count, largest first.
pub type Ranked = Vec<(String, i64)>;

/// Things first seen in the range, with the count the list stopped at.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NewItems {
    /// (name, first seen in epoch seconds, events in the range and before `until`)
    pub items: Vec<(String, i64, i64)>,
    /// More than the list holds.
    pub more: bool,
    /// Index of its query in the methods box.
    pub query: usize,
}

/// The overview section's data: exactly what its queries returned.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Overview {
    pub events: i64,
    pub errors: i64,
    pub denied: i64,
    pub accounts: i64,
    pub regions: i64,
    pub principals: i64,
    /// First and last event (epoch seconds).
    pub first: Option<i64>,
    pub last: Option<i64>,
    /// Width of a time bucket in seconds, and its name (`hour`, `day`, `week`).
    pub step: i64,
    pub unit: String,
    /// Start of each bucket (epoch seconds), every bucket from the first to the last.
    pub times: Vec<i64>,
    pub by_account_region: Vec<Series>,
    /// Errors and access denied per bucket.
    pub failures: Vec<Series>,
    pub top_apis: Ranked,
    pub top_principals: Ranked,
    pub top_addresses: Ranked,
    /// Items first seen at or after this time (epoch seconds): `--since`, else the
    /// last day of the data; none when the data is a day or shorter.
    pub new_from: Option<i64>,
    /// Events before `new_from`: what "new" is measured against.
    pub history: i64,
    pub new_principals: NewItems,
    pub new_regions: NewItems,
    pub new_apis: NewItems,
    /// Query indexes (the methods box) of each chart, by chart name.
    pub queries: Vec<(String, usize)>,
}

impl Overview {
    pub fn query(&self, chart: &str) -> Option<usize> {
        self.queries
            .iter()
            .find(|(c, _)| c == chart)
            .map(|(_, q)| *q)
    }
}

/// The bucket for a span of time: about 24 to 120 of them.
fn unit_for(span_secs: i64) -> (&'static str, i64) {
    if span_secs <= 3 * 86_400 {
        ("hour", 3_600)
    } else if span_secs <= 120 * 86_400 {
        ("day", 86_400)
    } else {
        ("week", 7 * 86_400)
    }
}

/// Buckets from `rows` (time in column 0) filled from the first to the last.
fn bucket_times(rows: &Rows, step: i64) -> Vec<i64> {
    let first = (0..rows.len()).map(|r| rows.int(r, 0)).min();
    let last = (0..rows.len()).map(|r| rows.int(r, 0)).max();
    match (first, last) {
        // Bounded: a stray 1970 timestamp in hourly buckets must not make a
        // million-point chart.
        (Some(a), Some(b)) => (0..)
            .map(|i| a + i * step)
            .take_while(|t| *t <= b)
            .take(2_000)
            .collect(),
        _ => Vec::new(),
    }
}

fn index(times: &[i64], t: i64, step: i64) -> Option<usize> {
    let first = *times.first()?;
    let i = usize::try_from((t - first) / step).ok()?;
    (i < times.len()).then_some(i)
}

fn ranked(rows: &Rows) -> Ranked {
    (0..rows.len())
        .map(|r| {
            (
                rows.text(r, 0).unwrap_or("(none)").to_string(),
                rows.int(r, 1),
            )
        })
        .collect()
}

pub async fn gather(runner: &mut Runner<'_>, scope: &Scope) -> Result<Overview, ReportError> {
    let w = scope.range_filter()?;
    let mut o = Overview::default();
    let totals = runner
        .fetch(
            "totals",
            &format!(
                "SELECT count(*) AS events, count(errorcode) AS errors,
       count(CASE WHEN {DENIED} THEN 1 END) AS denied,
       count(DISTINCT recipientaccountid) AS accounts, count(DISTINCT awsregion) AS regions,
       count(DISTINCT {PRINCIPAL}) AS principals,
       to_unixtime(min(eventtime)) AS first_event, to_unixtime(max(eventtime)) AS last_event
FROM cloudtrail WHERE {w}"
            ),
        )
        .await?;
    o.queries.push(("totals".into(), runner.log.len() - 1));
    o.events = totals.int(0, 0);
    o.errors = totals.int(0, 1);
    o.denied = totals.int(0, 2);
    o.accounts = totals.int(0, 3);
    o.regions = totals.int(0, 4);
    o.principals = totals.int(0, 5);
    o.first = totals.text(0, 6).map(|_| totals.int(0, 6));
    o.last = totals.text(0, 7).map(|_| totals.int(0, 7));
    let (Some(first), Some(last)) = (o.first, o.last) else {
        // No events in range: nothing more to ask.
        return Ok(o);
    };
    let (unit, step) = unit_for(last - first);
    o.unit = unit.to_string();
    o.step = step;

    let by = runner
        .fetch(
            "events over time by account and region",
            &format!(
                "SELECT to_unixtime(date_trunc('{unit}', eventtime)) AS bucket,
       coalesce(recipientaccountid, '?') || ' ' || coalesce(awsregion, '?') AS account_region,
       count(*) AS events
FROM cloudtrail WHERE {w}
GROUP BY 1, 2 ORDER BY 1, 2"
            ),
        )
        .await?;
    o.queries
        .push(("by_account_region".into(), runner.log.len() - 1));
    o.times = bucket_times(&by, step);
    let mut totals_by: Vec<(String, f64)> = Vec::new();
    for r in 0..by.len() {
        let name = by.text(r, 1).unwrap_or("?");
        let n = by.int(r, 2) as f64;
        match totals_by.iter_mut().find(|(k, _)| k == name) {
            Some((_, t)) => *t += n,
            None => totals_by.push((name.to_string(), n)),
        }
    }
    totals_by.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let named: Vec<String> = totals_by
        .iter()
        .take(if totals_by.len() > SERIES + 1 {
            SERIES
        } else {
            SERIES + 1
        })
        .map(|(k, _)| k.clone())
        .collect();
    let mut series: Vec<Series> = named
        .iter()
        .map(|n| Series {
            name: n.clone(),
            values: vec![0.0; o.times.len()],
        })
        .collect();
    let mut other = Series {
        name: "other".into(),
        values: vec![0.0; o.times.len()],
    };
    for r in 0..by.len() {
        let Some(i) = index(&o.times, by.int(r, 0), step) else {
            continue;
        };
        let name = by.text(r, 1).unwrap_or("?");
        let target = match named.iter().position(|n| n == name) {
            Some(k) => &mut series[k],
            None => &mut other,
        };
        target.values[i] += by.int(r, 2) as f64;
    }
    if other.values.iter().any(|v| *v > 0.0) {
        series.push(other);
    }
    o.by_account_region = series;

    let fails = runner
        .fetch(
            "errors and access denied over time",
            &format!(
                "SELECT to_unixtime(date_trunc('{unit}', eventtime)) AS bucket,
       count(errorcode) AS errors,
       count(CASE WHEN {DENIED} THEN 1 END) AS access_denied
FROM cloudtrail WHERE {w}
GROUP BY 1 ORDER BY 1"
            ),
        )
        .await?;
    o.queries.push(("failures".into(), runner.log.len() - 1));
    let mut errors = vec![0.0; o.times.len()];
    let mut denied = vec![0.0; o.times.len()];
    for r in 0..fails.len() {
        if let Some(i) = index(&o.times, fails.int(r, 0), step) {
            errors[i] += fails.int(r, 1) as f64;
            denied[i] += fails.int(r, 2) as f64;
        }
    }
    o.failures = vec![
        Series {
            name: "errors".into(),
            values: errors,
        },
        Series {
            name: "access denied".into(),
            values: denied,
        },
    ];

    let apis = runner
        .fetch(
            "busiest APIs",
            &format!(
                "SELECT replace(eventsource, '.amazonaws.com', '') || ':' || eventname AS api, count(*) AS events
FROM cloudtrail WHERE {w}
GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {TOP}"
            ),
        )
        .await?;
    o.queries.push(("top_apis".into(), runner.log.len() - 1));
    o.top_apis = ranked(&apis);
    let principals = runner
        .fetch(
            "busiest principals",
            &format!(
                "SELECT {PRINCIPAL} AS principal, count(*) AS events
FROM cloudtrail WHERE {w}
GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {TOP}"
            ),
        )
        .await?;
    o.queries
        .push(("top_principals".into(), runner.log.len() - 1));
    o.top_principals = ranked(&principals);
    let addresses = runner
        .fetch(
            "busiest source addresses",
            &format!(
                "SELECT sourceipaddress, count(*) AS events
FROM cloudtrail WHERE {w}
GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {TOP}"
            ),
        )
        .await?;
    o.queries
        .push(("top_addresses".into(), runner.log.len() - 1));
    o.top_addresses = ranked(&addresses);

    // "New" compares the range with everything before it in the lake, so the
    // history is read without the range's start.
    let (since, _) = scope.range()?;
    o.new_from = match since {
        Some(s) => Some(s.timestamp()),
        None if last - first > 86_400 => Some(last - 86_400),
        None => None,
    };
    let Some(from) = o.new_from else {
        return Ok(o);
    };
    let from_lit =
        crate::query::time_lit(chrono::DateTime::from_timestamp(from, 0).unwrap_or_default());
    let history_scope = Scope {
        since: None,
        ..scope.clone()
    };
    let hw = history_scope.range_filter()?;
    let before = runner
        .fetch(
            "events before the range (what new is measured against)",
            &format!(
                "SELECT count(*) AS events FROM cloudtrail WHERE {hw} AND eventtime < {from_lit}"
            ),
        )
        .await?;
    o.history = before.int(0, 0);
    for (what, expr, target) in [
        ("new principals", PRINCIPAL, 0),
        ("new regions", "awsregion", 1),
        (
            "new APIs",
            "replace(eventsource, '.amazonaws.com', '') || ':' || eventname",
            2,
        ),
    ] {
        let rows = runner
            .fetch(
                what,
                &format!(
                    "SELECT item, to_unixtime(min(eventtime)) AS first_seen, count(*) AS events
FROM (SELECT {expr} AS item, eventtime FROM cloudtrail WHERE {hw})
WHERE item IS NOT NULL
GROUP BY item HAVING min(eventtime) >= {from_lit}
ORDER BY first_seen, item LIMIT {}",
                    NEW + 1
                ),
            )
            .await?;
        let new = NewItems {
            items: (0..rows.len().min(NEW))
                .map(|r| {
                    (
                        rows.text(r, 0).unwrap_or("").to_string(),
                        rows.int(r, 1),
                        rows.int(r, 2),
                    )
                })
                .collect(),
            more: rows.len() > NEW,
            query: runner.log.len() - 1,
        };
        match target {
            0 => o.new_principals = new,
            1 => o.new_regions = new,
            _ => o.new_apis = new,
        }
    }
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_fit_the_span() {
        assert_eq!(unit_for(3_600), ("hour", 3_600));
        assert_eq!(unit_for(7 * 86_400), ("day", 86_400));
        assert_eq!(unit_for(400 * 86_400).0, "week");
    }

    #[test]
    fn every_bucket_between_first_and_last_is_present() {
        let rows = Rows {
            columns: vec!["bucket".into()],
            rows: vec![vec![Some("7200".into())], vec![Some("0".into())]],
        };
        let times = bucket_times(&rows, 3_600);
        assert_eq!(times, vec![0, 3_600, 7_200]);
        assert_eq!(index(&times, 3_600, 3_600), Some(1));
        assert_eq!(index(&times, 10_800, 3_600), None);
    }
}
