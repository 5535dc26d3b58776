//! The hunt's incidents in rank order, the most urgent in detail: findings on a
//! timeline coloured by tactic, the identity chain, and the evidence events with
//! their raw JSON.

use std::collections::{BTreeSet, HashMap};

use datafusion::prelude::SessionContext;
use serde::Serialize;
use trawl_engine::catalog::Catalog;
use trawl_hunt::{Hunt, HuntReport, Incident};

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

/// Distinct principals or addresses listed per detection; the rest are counted.
const LISTED: usize = 3;

/// An incident's findings of one detection, together: an incident can hold
/// thousands of findings (one per key, per hour), and the page shows each detection once.
#[derive(Debug, Clone, Serialize)]
pub struct DetectionRow {
    pub detection: String,
    pub title: String,
    pub severity: String,
    pub tactic: Option<String>,
    /// The tactic's place in ATT&CK's order: its colour.
    #[serde(skip)]
    pub colour: usize,
    pub findings: usize,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// The first few distinct principals and source addresses, and how many in all.
    pub principals: Vec<String>,
    pub principals_total: usize,
    pub sources: Vec<String>,
    pub sources_total: usize,
    /// Distinct evidence events.
    pub events: usize,
    #[serde(skip)]
    pub eventids: Vec<String>,
}

/// The findings of an incident grouped by detection, in the order each first appears.
fn by_detection(catalog: &Catalog, findings: &[&trawl_hunt::Finding]) -> Vec<DetectionRow> {
    let mut rows: Vec<DetectionRow> = Vec::new();
    let mut principals: Vec<BTreeSet<String>> = Vec::new();
    let mut sources: Vec<BTreeSet<String>> = Vec::new();
    let mut events: Vec<BTreeSet<String>> = Vec::new();
    for f in findings {
        let k = match rows.iter().position(|r| r.detection == f.detection) {
            Some(k) => k,
            None => {
                let tactic = catalog.get(&f.detection).ok().and_then(|q| q.tactic);
                rows.push(DetectionRow {
                    detection: f.detection.clone(),
                    title: f.title.clone(),
                    severity: f.severity.to_string(),
                    tactic: tactic.map(|t| t.name().to_string()),
                    colour: tactic.map_or(13, |t| t as usize),
                    findings: 0,
                    first_seen: None,
                    last_seen: None,
                    principals: Vec::new(),
                    principals_total: 0,
                    sources: Vec::new(),
                    sources_total: 0,
                    events: 0,
                    eventids: Vec::new(),
                });
                principals.push(BTreeSet::new());
                sources.push(BTreeSet::new());
                events.push(BTreeSet::new());
                rows.len() - 1
            }
        };
        let row = &mut rows[k];
        row.findings += 1;
        let e = &f.evidence;
        if let Some(t) = &e.first_seen
            && row.first_seen.as_ref().is_none_or(|x| t < x)
        {
            row.first_seen = Some(t.clone());
        }
        if let Some(t) = e.last_seen.as_ref().or(e.first_seen.as_ref())
            && row.last_seen.as_ref().is_none_or(|x| t > x)
        {
            row.last_seen = Some(t.clone());
        }
        principals[k].extend(e.principal.iter().cloned());
        sources[k].extend(e.sourceip.iter().cloned());
        events[k].extend(e.eventids.iter().cloned());
    }
    for (k, row) in rows.iter_mut().enumerate() {
        row.principals_total = principals[k].len();
        row.principals = principals[k].iter().take(LISTED).cloned().collect();
        row.sources_total = sources[k].len();
        row.sources = sources[k].iter().take(LISTED).cloned().collect();
        row.events = events[k].len();
        row.eventids = std::mem::take(&mut events[k]).into_iter().collect();
    }
    rows
}

/// One incident in detail.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentView {
    #[serde(serialize_with = "serialize_summary")]
    pub incident: Incident,
    pub findings: Vec<DetectionRow>,
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

/// The hunt of the report's range.
pub async fn hunt(
    ctx: &SessionContext,
    catalog: &Catalog,
    options: &Options,
) -> Result<HuntReport, ReportError> {
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
    Ok(hunt.run().await?)
}

/// The incidents section from `report`, the hunt of the report's range.
pub async fn gather(
    runner: &mut Runner<'_>,
    catalog: &Catalog,
    report: &HuntReport,
    options: &Options,
) -> Result<Incidents, ReportError> {
    let scope = &options.scope;
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
        let mine: Vec<&trawl_hunt::Finding> = inc
            .findings
            .iter()
            .filter_map(|m| findings.get(*m).copied())
            .collect();
        let rows = by_detection(catalog, &mine);
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

/// For each evidence event, the detections (by index in `rows`) that name it.
pub fn findings_by_event(rows: &[DetectionRow]) -> HashMap<&str, Vec<usize>> {
    let mut map: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, f) in rows.iter().enumerate() {
        for id in &f.eventids {
            map.entry(id.as_str()).or_default().push(i);
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use trawl_engine::catalog::Severity;
    use trawl_hunt::{Evidence, Finding};

    use super::*;

    fn finding(detection: &str, first: &str, principal: &str, ids: &[&str]) -> Finding {
        Finding {
            detection: detection.into(),
            title: detection.into(),
            severity: Severity::High,
            techniques: Vec::new(),
            evidence: Evidence {
                eventids: ids.iter().map(|s| s.to_string()).collect(),
                first_seen: Some(first.into()),
                last_seen: Some(first.into()),
                principal: Some(principal.into()),
                sourceip: None,
                account: None,
                region: None,
            },
            incident: None,
            extra: Default::default(),
        }
    }

    #[test]
    fn an_incident_shows_each_detection_once_with_its_findings_counted() {
        let catalog = Catalog::load(&[]).unwrap();
        let fs = [
            finding(
                "cloudtrail_stop_logging",
                "2026-03-01T10:00:00Z",
                "a",
                &["e1"],
            ),
            finding("a_brute_force", "2026-03-01T09:00:00Z", "b", &["e2", "e3"]),
            finding("a_brute_force", "2026-03-01T11:00:00Z", "c", &["e3", "e4"]),
            finding("a_brute_force", "2026-03-01T08:00:00Z", "d", &["e5"]),
            finding("a_brute_force", "2026-03-01T08:30:00Z", "e", &["e6"]),
        ];
        let refs: Vec<&Finding> = fs.iter().collect();
        let rows = by_detection(&catalog, &refs);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].detection, "cloudtrail_stop_logging");
        assert!(rows[0].tactic.is_some(), "the catalog's tactic");
        let brute = &rows[1];
        assert_eq!(brute.findings, 4);
        assert_eq!(brute.events, 5, "e3 counted once");
        assert_eq!(brute.first_seen.as_deref(), Some("2026-03-01T08:00:00Z"));
        assert_eq!(brute.last_seen.as_deref(), Some("2026-03-01T11:00:00Z"));
        assert_eq!(brute.principals, vec!["b", "c", "d"]);
        assert_eq!(brute.principals_total, 4);
        let by_event = findings_by_event(&rows);
        assert_eq!(by_event["e3"], vec![1]);
        assert_eq!(by_event["e1"], vec![0]);
    }
}
