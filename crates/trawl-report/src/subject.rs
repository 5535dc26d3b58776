//! One principal or access key (`--principal`, `--access-key`): when it is active
//! (hour of day by day), which APIs, from which addresses (and where AWS's
//! published ranges place them), and what it changed.

use serde::Serialize;

use crate::ReportError;
use crate::overview::DENIED;
use crate::query::{Rows, Runner, Scope};

/// Days drawn in the heatmap; a longer range shows its last days.
pub const HEATMAP_DAYS: usize = 92;
/// Write calls listed in the table of changes (newest first).
const CHANGES: usize = 200;

/// The subject section's data.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Subject {
    /// What it is about (`arn:aws:iam::...`, `access key AKIA...`).
    pub label: String,
    pub events: i64,
    pub errors: i64,
    pub denied: i64,
    pub first: Option<i64>,
    pub last: Option<i64>,
    /// Start of each day drawn (epoch seconds), consecutive.
    pub days: Vec<i64>,
    /// The data covered more days than drawn.
    pub days_cut: bool,
    /// (day index, hour of day UTC, events)
    pub cells: Vec<(usize, usize, i64)>,
    /// (api, events, errors)
    pub apis: Vec<(String, i64, i64)>,
    /// sourceipaddress, aws_region, aws_service, events, first, last (epoch seconds)
    pub addresses: Rows,
    /// Write calls by API.
    pub changes_by_api: Vec<(String, i64)>,
    /// The newest write calls: time, api, region, errorcode, requestparameters, eventid.
    pub changes: Rows,
    pub changes_total: i64,
    /// Query indexes (the methods box) by chart name.
    pub queries: Vec<(String, usize)>,
}

impl Subject {
    pub fn query(&self, chart: &str) -> Option<usize> {
        self.queries
            .iter()
            .find(|(c, _)| c == chart)
            .map(|(_, q)| *q)
    }
}

/// Notes the query just run as the one behind `chart`.
fn logged(s: &mut Subject, chart: &str, runner: &Runner<'_>) {
    s.queries
        .push((chart.to_string(), runner.log.len().saturating_sub(1)));
}

pub async fn gather(runner: &mut Runner<'_>, scope: &Scope) -> Result<Subject, ReportError> {
    let w = format!(
        "{} AND {}",
        scope.range_filter()?,
        scope.subject_filter().unwrap_or_else(|| "TRUE".into())
    );
    let mut s = Subject {
        label: scope.subject_label().unwrap_or_default(),
        ..Subject::default()
    };
    let totals = runner
        .fetch(
            "the subject's totals",
            &format!(
                "SELECT count(*) AS events, count(errorcode) AS errors,
       count(CASE WHEN {DENIED} THEN 1 END) AS denied,
       to_unixtime(min(eventtime)) AS first_event, to_unixtime(max(eventtime)) AS last_event,
       count(CASE WHEN readonly = false THEN 1 END) AS changes
FROM cloudtrail WHERE {w}"
            ),
        )
        .await?;
    logged(&mut s, "totals", runner);
    s.changes_total = totals.int(0, 5);
    s.events = totals.int(0, 0);
    s.errors = totals.int(0, 1);
    s.denied = totals.int(0, 2);
    s.first = totals.text(0, 3).map(|_| totals.int(0, 3));
    s.last = totals.text(0, 4).map(|_| totals.int(0, 4));
    if s.events == 0 {
        return Ok(s);
    }

    let heat = runner
        .fetch(
            "activity by hour of day and day",
            &format!(
                "SELECT to_unixtime(date_trunc('day', eventtime)) AS day,
       CAST(date_part('hour', eventtime) AS BIGINT) AS hour, count(*) AS events
FROM cloudtrail WHERE {w}
GROUP BY 1, 2 ORDER BY 1, 2"
            ),
        )
        .await?;
    logged(&mut s, "heatmap", runner);
    let last_day = (0..heat.len()).map(|r| heat.int(r, 0)).max().unwrap_or(0);
    let first_day = (0..heat.len())
        .map(|r| heat.int(r, 0))
        .min()
        .unwrap_or(last_day);
    let span = usize::try_from((last_day - first_day) / 86_400 + 1).unwrap_or(1);
    let drawn = span.min(HEATMAP_DAYS);
    s.days_cut = span > drawn;
    let start = last_day - (drawn as i64 - 1) * 86_400;
    s.days = (0..drawn as i64).map(|i| start + i * 86_400).collect();
    for r in 0..heat.len() {
        let day = heat.int(r, 0);
        let (Ok(d), Ok(h)) = (
            usize::try_from((day - start) / 86_400),
            usize::try_from(heat.int(r, 1)),
        ) else {
            continue;
        };
        if day >= start && d < drawn && h < 24 {
            s.cells.push((d, h, heat.int(r, 2)));
        }
    }

    let apis = runner
        .fetch(
            "the subject's APIs",
            &format!(
                "SELECT replace(eventsource, '.amazonaws.com', '') || ':' || eventname AS api,
       count(*) AS events, count(errorcode) AS errors
FROM cloudtrail WHERE {w}
GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20"
            ),
        )
        .await?;
    logged(&mut s, "apis", runner);
    s.apis = (0..apis.len())
        .map(|r| {
            (
                apis.text(r, 0).unwrap_or("").to_string(),
                apis.int(r, 1),
                apis.int(r, 2),
            )
        })
        .collect();

    s.addresses = runner
        .fetch(
            "the subject's source addresses",
            &format!(
                "SELECT sourceipaddress, aws_ip_region(sourceipaddress) AS aws_region,
       aws_ip_service(sourceipaddress) AS aws_service, count(*) AS events,
       to_unixtime(min(eventtime)) AS first_seen, to_unixtime(max(eventtime)) AS last_seen
FROM cloudtrail WHERE {w}
GROUP BY 1 ORDER BY 4 DESC, 1 LIMIT 50"
            ),
        )
        .await?;
    logged(&mut s, "addresses", runner);

    let by_api = runner
        .fetch(
            "what the subject changed, by API",
            &format!(
                "SELECT replace(eventsource, '.amazonaws.com', '') || ':' || eventname AS api, count(*) AS events
FROM cloudtrail WHERE {w} AND readonly = false
GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20"
            ),
        )
        .await?;
    logged(&mut s, "changes_by_api", runner);
    s.changes_by_api = (0..by_api.len())
        .map(|r| {
            (
                by_api.text(r, 0).unwrap_or("").to_string(),
                by_api.int(r, 1),
            )
        })
        .collect();
    s.changes = runner
        .fetch(
            "what the subject changed, newest first",
            &format!(
                "SELECT to_unixtime(eventtime) AS at,
       replace(eventsource, '.amazonaws.com', '') || ':' || eventname AS api,
       awsregion, errorcode, requestparameters, eventid
FROM cloudtrail WHERE {w} AND readonly = false
ORDER BY eventtime DESC, eventid LIMIT {CHANGES}"
            ),
        )
        .await?;
    logged(&mut s, "changes", runner);
    Ok(s)
}
