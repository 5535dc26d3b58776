//! The hunt's incidents in rank order, the most urgent in detail: findings on a
//! timeline coloured by tactic, the identity chain, and the evidence events with
//! their raw JSON.

use std::collections::{BTreeSet, HashMap};

use datafusion::prelude::SessionContext;
use serde::Serialize;
use trawl_engine::catalog::Catalog;
use trawl_hunt::{Hunt, Incident};

use crate::query::{Rows, Runner, lit, parse_time, time_lit};
use crate::{Options, ReportError};

/// Incidents shown in detail; the rest are rows of the ranked table.
pub const DETAILED: usize = 10;
/// Rows of the ranked table.
const RANKED: usize = 100;
/// Evidence events listed per incident (earliest first), each with its raw JSON.
pub const EVIDENCE: usize = 100;
/// Event ids asked for per incident: a brute force can hold thousands.
const ASKED: usize = 2_000;

/// Columns of the evidence query, in order.
pub mod col {
    pub const AT: usize = 0;
    pub const EVENTNAME: usize = 1;
    pub const SOURCE: usize = 2;
    pub const REGION: usize = 3;
    pub const ACCOUNT: usize = 4;
    pub const ADDRESS: usize = 5;
    pub const ARN: usize = 6;
    pub const KEY: usize = 7;
    pub const ISSUER: usize = 8;
    pub const ERROR: usize = 9;
    pub const EVENTID: usize = 10;
    pub const JSON: usize = 11;
}

/// An incident in the page's data block: every field but the event ids, which can
/// be tens of thousands (a brute force); their count instead, as `events`.
fn summary(incident: &Incident) -> serde_json::Value {
    let mut v = serde_json::to_value(incident).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("eventids");
        o.insert("events".into(), incident.eventids.len().into());
    }
    v
}

fn serialize_summary<S: serde::Serializer>(i: &Incident, s: S) -> Result<S::Ok, S::Error> {
    summary(i).serialize(s)
}

fn serialize_summaries<S: serde::Serializer>(i: &[Incident], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(i.iter().map(summary))
}

/// A finding as the report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FindingRow {
    pub detection: String,
    pub title: String,
    pub severity: String,
    pub tactic: Option<String>,
    /// The tactic's place in ATT&CK's order: its colour.
    #[serde(skip)]
    pub colour: usize,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub principal: Option<String>,
    pub sourceip: Option<String>,
    pub events: usize,
    #[serde(skip)]
    pub eventids: Vec<String>,
}

/// One incident in detail.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentView {
    #[serde(serialize_with = "serialize_summary")]
    pub incident: Incident,
    pub findings: Vec<FindingRow>,
    /// The earliest evidence events (see [`col`]); the raw JSON is not in the
    /// page's data block, only in the table.
    #[serde(skip)]
    pub evidence: Rows,
    pub evidence_shown: usize,
    /// Index of the evidence query in the methods box.
    pub query: usize,
}

/// The incidents section's data.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Incidents {
    pub detections_run: usize,
    pub findings: usize,
    /// Incidents raised over the range, before `--account`/`--principal`/`--incident`.
    pub raised: usize,
    /// Incidents that match the scope, most urgent first (at most [`RANKED`]).
    #[serde(serialize_with = "serialize_summaries")]
    pub ranked: Vec<Incident>,
    pub matching: usize,
    pub detailed: Vec<IncidentView>,
    /// Detections that found something: (id, severity, findings, title).
    pub hits: Vec<(String, String, usize, String)>,
    /// Detections that could not run, with why.
    pub failed: Vec<(String, String)>,
    /// Detections that were still learning the data's history: (id, armed from).
    pub unarmed: Vec<(String, String)>,
}

/// `id IN ('a', 'b', ...)`, and the same shown with the list elided past a few.
fn id_list(ids: &[String]) -> (String, String) {
    let all: Vec<String> = ids.iter().map(|i| lit(i)).collect();
    let full = format!("eventid IN ({})", all.join(", "));
    let shown = if all.len() > 6 {
        format!(
            "eventid IN ({}, ... {} more: the incident's eventids in `trawl hunt --format json`)",
            all[..3].join(", "),
            all.len() - 3
        )
    } else {
        full.clone()
    };
    (full, shown)
}

pub async fn gather(
    runner: &mut Runner<'_>,
    ctx: &SessionContext,
    catalog: &Catalog,
    options: &Options,
) -> Result<Incidents, ReportError> {
    let scope = &options.scope;
    let mut hunt = Hunt::new(ctx.clone(), catalog)
        .with_min_severity(options.min_severity)
        .with_shared_scan(options.shared_scan)
        .with_memory_limit(options.memory_limit);
    if let Some(s) = &scope.since {
        hunt = hunt.with_param("since", s.clone());
    }
    if let Some(u) = &scope.until {
        hunt = hunt.with_param("until", u.clone());
    }
    let report = hunt.run().await?;
    let findings: Vec<_> = report.findings().collect();
    let mut out = Incidents {
        detections_run: report.outcomes.len(),
        findings: findings.len(),
        raised: report.incidents.len(),
        hits: report
            .hits()
            .map(|o| {
                (
                    o.query.id.clone(),
                    o.severity().to_string(),
                    o.findings.len(),
                    o.query.title.clone(),
                )
            })
            .collect(),
        failed: report
            .errors()
            .map(|(q, e)| (q.id.clone(), e.to_string()))
            .collect(),
        unarmed: report
            .unarmed()
            .map(|a| (a.detection.clone(), a.armed_from.clone()))
            .collect(),
        ..Incidents::default()
    };

    let mut chosen: Vec<&Incident> = match &scope.incident {
        Some(id) => {
            let Some(found) = report.incidents.iter().find(|i| &i.id == id) else {
                let known: Vec<&str> = report
                    .incidents
                    .iter()
                    .take(5)
                    .map(|i| i.id.as_str())
                    .collect();
                return Err(ReportError::NoSuchIncident {
                    id: id.clone(),
                    raised: report.incidents.len(),
                    known: if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    },
                });
            };
            vec![found]
        }
        None => report.incidents.iter().collect(),
    };
    if let Some(a) = &scope.account {
        chosen.retain(|i| i.accounts.iter().any(|x| x == a));
    }
    if let Some(subject) = scope.subject_filter() {
        // The subject's incidents are those with an evidence event of the subject.
        let ids: BTreeSet<&String> = chosen.iter().flat_map(|i| i.eventids.iter()).collect();
        let ids: Vec<String> = ids.into_iter().cloned().collect();
        let theirs: BTreeSet<String> = if ids.is_empty() {
            BTreeSet::new()
        } else {
            let (full, shown) = id_list(&ids);
            let sql = |list: &str| {
                format!("SELECT DISTINCT eventid FROM cloudtrail WHERE {subject} AND {list}")
            };
            let rows = runner
                .fetch_shown(
                    "incidents with the subject's events",
                    &sql(&full),
                    &sql(&shown),
                )
                .await?;
            (0..rows.len())
                .filter_map(|r| rows.text(r, 0).map(str::to_string))
                .collect()
        };
        chosen.retain(|i| i.eventids.iter().any(|e| theirs.contains(e)));
    }
    out.matching = chosen.len();
    out.ranked = chosen.iter().take(RANKED).map(|i| (*i).clone()).collect();

    for inc in chosen.iter().take(DETAILED) {
        let rows: Vec<FindingRow> = inc
            .findings
            .iter()
            .filter_map(|m| findings.get(*m))
            .map(|f| {
                let tactic = catalog.get(&f.detection).ok().and_then(|q| q.tactic);
                FindingRow {
                    detection: f.detection.clone(),
                    title: f.title.clone(),
                    severity: f.severity.to_string(),
                    tactic: tactic.map(|t| t.name().to_string()),
                    colour: tactic.map_or(13, |t| t as usize),
                    first_seen: f.evidence.first_seen.clone(),
                    last_seen: f.evidence.last_seen.clone(),
                    principal: f.evidence.principal.clone(),
                    sourceip: f.evidence.sourceip.clone(),
                    events: f.evidence.eventids.len(),
                    eventids: f.evidence.eventids.clone(),
                }
            })
            .collect();
        let asked: Vec<String> = inc.eventids.iter().take(ASKED).cloned().collect();
        let (full, shown) = id_list(&asked);
        // The incident's span prunes the read to its days.
        let mut bounds = Vec::new();
        if let Some(t) = inc
            .first_seen
            .as_deref()
            .and_then(|t| parse_time("first_seen", t).ok())
        {
            bounds.push(format!(
                " AND eventtime >= {}",
                time_lit(t - chrono::Duration::seconds(1))
            ));
        }
        if let Some(t) = inc
            .last_seen
            .as_deref()
            .and_then(|t| parse_time("last_seen", t).ok())
        {
            bounds.push(format!(
                " AND eventtime <= {}",
                time_lit(t + chrono::Duration::seconds(1))
            ));
        }
        let bounds = bounds.concat();
        let sql = |list: &str| {
            format!(
                "SELECT to_unixtime(eventtime) AS at, eventname, eventsource, awsregion, recipientaccountid,
       sourceipaddress, useridentity.arn AS arn, useridentity.accesskeyid AS access_key,
       useridentity.sessioncontext.sessionissuer.arn AS issuer, errorcode, eventid, eventjson
FROM cloudtrail WHERE {list}{bounds}
ORDER BY eventtime, eventid LIMIT {EVIDENCE}"
            )
        };
        let evidence = runner
            .fetch_shown(
                &format!("evidence of {}", inc.id),
                &sql(&full),
                &sql(&shown),
            )
            .await?;
        out.detailed.push(IncidentView {
            incident: (*inc).clone(),
            findings: rows,
            evidence_shown: evidence.len(),
            evidence,
            query: runner.log.len() - 1,
        });
    }
    Ok(out)
}

/// For each evidence event, the findings (by index in `findings`) that name it.
pub fn findings_by_event(findings: &[FindingRow]) -> HashMap<&str, Vec<usize>> {
    let mut map: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        for id in &f.eventids {
            map.entry(id.as_str()).or_default().push(i);
        }
    }
    map
}
