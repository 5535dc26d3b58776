//! Where findings go. The terminal's tables implement [`Sink`] in the CLI; the
//! machine-readable forms are here so every command (and, later, alert
//! destinations) writes them one way.

use std::io::Write;

use serde::Serialize;

use crate::{Arming, DetectionSummary, Finding, HuntReport, Incident, SharedScan, StageTime};

/// Errors of delivering findings.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("writing findings")]
    Io(#[from] std::io::Error),
    #[error("encoding findings")]
    Json(#[source] serde_json::Error),
}

impl From<serde_json::Error> for SinkError {
    /// A write that failed inside the encoder is a write error: kept as `Io`, so a
    /// closed pipe (`trawl hunt ... | head`) is still recognised as one.
    fn from(e: serde_json::Error) -> Self {
        if e.is_io() {
            Self::Io(e.into())
        } else {
            Self::Json(e)
        }
    }
}

/// A destination for a hunt's findings.
pub trait Sink {
    /// Delivers a report: its findings in rank order, and each detection's outcome.
    fn deliver(&mut self, report: &HuntReport) -> Result<(), SinkError>;
}

/// One JSON object per line: the incidents, most urgent first, then the findings,
/// most severe first, each naming its incident.
pub struct NdjsonSink<W>(W);

impl<W: Write> NdjsonSink<W> {
    pub fn new(out: W) -> Self {
        Self(out)
    }
}

impl<W: Write> Sink for NdjsonSink<W> {
    fn deliver(&mut self, report: &HuntReport) -> Result<(), SinkError> {
        for incident in &report.incidents {
            serde_json::to_writer(&mut self.0, incident)?;
            self.0.write_all(b"\n")?;
        }
        for finding in report.findings() {
            serde_json::to_writer(&mut self.0, finding)?;
            self.0.write_all(b"\n")?;
        }
        self.0.flush()?;
        Ok(())
    }
}

/// One JSON document: `{"incidents": [...], "arming": [...], "stages": [wall time of
/// each], "shared_scan": {detections, candidate_rows} or null, "summary": [one per
/// detection], "findings": [...]}`.
pub struct JsonSink<W>(W);

impl<W: Write> JsonSink<W> {
    pub fn new(out: W) -> Self {
        Self(out)
    }
}

/// The JSON document, borrowed from the report and written as it is: turned into a
/// `serde_json::Value` first, a 2M-event hunt's 1.4M evidence ids were copied once
/// more. Keys in the order the document has always had them.
#[derive(Serialize)]
struct Document<'a> {
    arming: &'a [Arming],
    findings: Vec<&'a Finding>,
    incidents: &'a [Incident],
    shared_scan: &'a Option<SharedScan>,
    stages: &'a [StageTime],
    summary: Vec<DetectionSummary<'a>>,
}

impl<W: Write> Sink for JsonSink<W> {
    fn deliver(&mut self, report: &HuntReport) -> Result<(), SinkError> {
        let document = Document {
            arming: &report.arming,
            findings: report.findings().collect(),
            incidents: &report.incidents,
            shared_scan: &report.shared,
            stages: &report.stages,
            summary: report.outcomes.iter().map(|o| o.summary()).collect(),
        };
        serde_json::to_writer_pretty(&mut self.0, &document)?;
        self.0.write_all(b"\n")?;
        self.0.flush()?;
        Ok(())
    }
}
