//! What a hunt found: each detection's outcome, ranked most severe first.

use serde::Serialize;
use trawl_engine::catalog::{Query, Severity};

use crate::{Arming, Finding, HuntError, Incident};

/// One detection's run.
#[derive(Debug)]
pub struct DetectionOutcome {
    pub query: Query,
    pub findings: Vec<Finding>,
    /// Why the detection could not run; the others ran all the same.
    pub error: Option<HuntError>,
    /// From its start to its last row (while other detections ran beside it).
    pub elapsed: std::time::Duration,
    /// It ran over the hunt's shared pre-filtered read of the lake, not its own.
    pub shared_scan: bool,
}

impl DetectionOutcome {
    pub fn severity(&self) -> Severity {
        self.query.severity_or_info()
    }

    /// The earliest `first_seen` and the latest `last_seen` of its findings.
    pub fn span(&self) -> (Option<&str>, Option<&str>) {
        let first = self
            .findings
            .iter()
            .filter_map(|f| f.evidence.first_seen.as_deref())
            .min();
        let last = self
            .findings
            .iter()
            .filter_map(|f| f.evidence.last_seen.as_deref())
            .max();
        (first, last)
    }

    pub fn summary(&self) -> DetectionSummary<'_> {
        let (first_seen, last_seen) = self.span();
        DetectionSummary {
            detection: &self.query.id,
            title: &self.query.title,
            severity: self.query.severity,
            techniques: self.query.technique_ids(),
            findings: self.findings.len(),
            first_seen,
            last_seen,
            error: self.error.as_ref().map(|e| e.to_string()),
            seconds: (self.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
            shared_scan: self.shared_scan,
        }
    }
}

/// A detection's line in a report's summary.
#[derive(Debug, Serialize)]
pub struct DetectionSummary<'a> {
    pub detection: &'a str,
    pub title: &'a str,
    pub severity: Option<Severity>,
    pub techniques: Vec<String>,
    pub findings: usize,
    pub first_seen: Option<&'a str>,
    pub last_seen: Option<&'a str>,
    pub error: Option<String>,
    /// Wall time, which says which detections make a hunt slow.
    pub seconds: f64,
    /// Whether it ran over the shared read of the lake (false: it read the lake
    /// itself, its filters keeping too much of it to hold in memory).
    pub shared_scan: bool,
}

/// How the lake was read: once for the detections that could share a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SharedScan {
    /// Detections that ran over the shared subset.
    pub detections: usize,
    /// Rows of the subset.
    pub candidate_rows: usize,
}

/// Every detection's outcome, most severe first, then most findings, then by id;
/// and the incidents its findings form, most urgent first.
#[derive(Debug)]
pub struct HuntReport {
    pub outcomes: Vec<DetectionOutcome>,
    pub shared: Option<SharedScan>,
    /// Empty when the hunt did not correlate (see `Hunt::with_incidents`).
    pub incidents: Vec<Incident>,
    /// The detections that need history (first-seen, baselines) and when the data
    /// covers it: before that they only learn.
    pub arming: Vec<Arming>,
    /// How long each stage of the hunt took, in order.
    pub stages: Vec<StageTime>,
}

/// One stage of a hunt and its wall time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageTime {
    pub stage: &'static str,
    pub seconds: f64,
}

impl StageTime {
    pub(crate) fn since(stage: &'static str, started: std::time::Instant) -> Self {
        Self {
            stage,
            seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        }
    }
}

impl HuntReport {
    pub(crate) fn new(mut outcomes: Vec<DetectionOutcome>, shared: Option<SharedScan>) -> Self {
        for o in &mut outcomes {
            // Detections order their rows by first_seen; rows seen at the same moment
            // came in whatever order the partitions finished. By time, then evidence:
            // the same lake gives the same list every hunt.
            // Each time parsed once, not at every comparison.
            let mut timed: Vec<(Option<i64>, Finding)> = std::mem::take(&mut o.findings)
                .into_iter()
                .map(|f| {
                    let at = f
                        .evidence
                        .first_seen
                        .as_deref()
                        .and_then(trawl_cloudtrail::parse_event_time);
                    (at, f)
                })
                .collect();
            timed.sort_by(|(at_a, a), (at_b, b)| {
                at_a.cmp(at_b)
                    .then_with(|| a.evidence.eventids.cmp(&b.evidence.eventids))
            });
            o.findings = timed.into_iter().map(|(_, f)| f).collect();
        }
        outcomes.sort_by(|x, y| {
            y.severity()
                .cmp(&x.severity())
                .then(y.findings.len().cmp(&x.findings.len()))
                .then(x.query.id.cmp(&y.query.id))
        });
        Self {
            outcomes,
            shared,
            incidents: Vec::new(),
            arming: Vec::new(),
            stages: Vec::new(),
        }
    }

    /// Every finding, in rank order (an incident's `findings` index this order).
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.outcomes.iter().flat_map(|o| o.findings.iter())
    }

    /// The detections that found something, in rank order.
    pub fn hits(&self) -> impl Iterator<Item = &DetectionOutcome> {
        self.outcomes.iter().filter(|o| !o.findings.is_empty())
    }

    /// The detections that could not run.
    pub fn errors(&self) -> impl Iterator<Item = (&Query, &HuntError)> {
        self.outcomes
            .iter()
            .filter_map(|o| o.error.as_ref().map(|e| (&o.query, e)))
    }

    /// The detections that cannot raise anything yet: the data ends before their
    /// history is covered.
    pub fn unarmed(&self) -> impl Iterator<Item = &Arming> {
        self.arming.iter().filter(|a| !a.armed)
    }

    /// The highest severity with a finding.
    pub fn worst(&self) -> Option<Severity> {
        self.hits().map(DetectionOutcome::severity).max()
    }
}
