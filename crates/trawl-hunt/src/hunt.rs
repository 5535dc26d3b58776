//! The [`Hunt`] operation: which detections, with which parameters, over which
//! session; run a few at a time and collected into a [`HuntReport`].

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use datafusion::arrow::array::RecordBatch;
use datafusion::prelude::SessionContext;
use futures::StreamExt;
use serde_json::{Map, Value};
use trawl_engine::catalog::{Catalog, Query, Severity};

use crate::arming::{arming, lake_span};
use crate::correlate::correlate;
use crate::plan::{Planned, own_params, plan, plan_bound, shared_session};
use crate::report::{DetectionOutcome, HuntReport, SharedScan, StageTime};
use crate::{Finding, HuntError};
use datafusion::common::runtime::SpawnedTask;

/// Told how a hunt is going (a progress bar, a log). Every method defaults to
/// doing nothing.
pub trait Observer: Send + Sync {
    /// The hunt is doing something before its detections run.
    fn stage(&self, _message: &str) {}
    /// The detections are planned: `total` will run.
    fn planned(&self, _total: usize) {}
    /// One detection finished (found something, nothing, or failed).
    fn detection_done(&self, _id: &str) {}
}

struct Silent;
impl Observer for Silent {}

/// Runs the detections of a catalog over a session's `cloudtrail` table.
///
/// Every detection is planned once with the hunt's parameters bound (each takes the
/// ones it declares). When [`Hunt::with_shared_scan`] is on, the lake is read once
/// for the detections whose filters are selective, and those run over that
/// in-memory subset; the rest read the lake themselves. Detections run
/// [`Hunt::with_jobs`] at a time; one that fails is reported in its outcome and
/// the others still run.
pub struct Hunt<'a> {
    ctx: SessionContext,
    catalog: &'a Catalog,
    min_severity: Severity,
    only: Vec<String>,
    tags: Vec<String>,
    params: HashMap<String, String>,
    /// Parameters for one detection each, over `params`.
    detection_params: HashMap<String, HashMap<String, String>>,
    shared_scan: bool,
    incidents: bool,
    memory_limit: Option<usize>,
    jobs: usize,
    observer: Arc<dyn Observer>,
}

impl<'a> Hunt<'a> {
    pub fn new(ctx: SessionContext, catalog: &'a Catalog) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            ctx,
            catalog,
            min_severity: Severity::Info,
            only: Vec::new(),
            tags: Vec::new(),
            params: HashMap::new(),
            detection_params: HashMap::new(),
            shared_scan: true,
            incidents: true,
            memory_limit: None,
            jobs: cores.max(2),
            observer: Arc::new(Silent),
        }
    }

    /// Skip detections below this severity.
    pub fn with_min_severity(mut self, severity: Severity) -> Self {
        self.min_severity = severity;
        self
    }

    /// Only these detection ids (none: all).
    pub fn with_only(mut self, ids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.only.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Only detections with one of these tags (none: all).
    pub fn with_tags(mut self, tags: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// A parameter for the detections that declare it (`since`, `until`, a
    /// threshold, ...), as text typed by the declaration.
    pub fn with_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.insert(name.into(), value.into());
        self
    }

    pub fn with_params(mut self, params: HashMap<String, String>) -> Self {
        self.params.extend(params);
        self
    }

    /// A parameter for one detection, over the hunt's own: `trawl watch` gives each
    /// detection its own `since`, the new events less the context it reads.
    pub fn with_detection_param(
        mut self,
        detection: impl Into<String>,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.detection_params
            .entry(detection.into())
            .or_default()
            .insert(name.into(), value.into());
        self
    }

    /// The parameters `query` runs with: the hunt's, then its own.
    fn params_of(&self, query: &Query) -> HashMap<String, String> {
        let mut params = self.params.clone();
        if let Some(own) = self.detection_params.get(&query.id) {
            params.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        own_params(query, &params)
    }

    /// Read the lake once for the detections that can share it (on by default;
    /// off for in-memory tables such as decoded raw archives, which a shared read
    /// would only copy).
    pub fn with_shared_scan(mut self, on: bool) -> Self {
        self.shared_scan = on;
        self
    }

    /// Correlate the findings into ranked incidents (on by default; it reads the
    /// lake four more times: the evidence events' identities, the calls that
    /// issued session keys, how many principals use each address, and each
    /// principal's event count).
    pub fn with_incidents(mut self, on: bool) -> Self {
        self.incidents = on;
        self
    }

    /// Memory of the session that holds the shared subset (bytes).
    pub fn with_memory_limit(mut self, limit: Option<usize>) -> Self {
        self.memory_limit = limit;
        self
    }

    /// Detections run at once (at least one).
    pub fn with_jobs(mut self, jobs: usize) -> Self {
        self.jobs = jobs.max(1);
        self
    }

    pub fn with_observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = observer;
        self
    }

    /// The detections this hunt runs, by id.
    pub fn detections(&self) -> Vec<&'a Query> {
        self.catalog
            .queries
            .iter()
            .filter(|q| q.is_detection())
            .filter(|q| q.severity_or_info() >= self.min_severity)
            .filter(|q| self.only.is_empty() || self.only.contains(&q.id))
            .filter(|q| self.tags.is_empty() || q.tags.iter().any(|t| self.tags.contains(t)))
            .collect()
    }

    /// `log_tampering`, when the session holds verification verdicts and the filters
    /// let it through.
    fn tampering(&self) -> Result<Option<Query>, HuntError> {
        if !crate::tampering::applies(&self.ctx) {
            return Ok(None);
        }
        let q = crate::tampering::query()?;
        let wanted = q.severity_or_info() >= self.min_severity
            && (self.only.is_empty() || self.only.contains(&q.id))
            && (self.tags.is_empty() || q.tags.iter().any(|t| self.tags.contains(t)));
        Ok(wanted.then_some(q))
    }

    pub async fn run(self) -> Result<HuntReport, HuntError> {
        let detections = self.detections();
        let tampering = self.tampering()?;
        if detections.is_empty() && tampering.is_none() {
            return Err(HuntError::NoDetections);
        }
        let bound: Vec<(&Query, HashMap<String, String>)> =
            detections.iter().map(|q| (*q, self.params_of(q))).collect();
        let mut stages = Vec::new();
        let started = Instant::now();
        let span = lake_span(&self.ctx).await?;
        let first_event = span.map(|(first, _)| first);
        let arming = arming(span, &bound);
        stages.push(StageTime::since("arming", started));
        let started = Instant::now();
        let observer = self.observer.clone();
        observer.planned(detections.len() + usize::from(tampering.is_some()));
        // Side by side on the runtime's threads: one after another, planning 158
        // detections was most of a second on one core.
        let tasks: Vec<SpawnedTask<Result<Planned, HuntError>>> = bound
            .iter()
            .map(|(query, params)| {
                let (ctx, query, params) = (self.ctx.clone(), (*query).clone(), params.clone());
                SpawnedTask::spawn(async move { plan(&ctx, &query, &params, first_event).await })
            })
            .collect();
        let mut planned: Vec<Result<Planned, HuntError>> = Vec::with_capacity(tasks.len());
        for task in tasks {
            planned.push(task.join_unwind().await.unwrap_or_else(|e| {
                Err(HuntError::DataFusion(
                    datafusion::error::DataFusionError::ExecutionJoin(Box::new(e)),
                ))
            }));
        }
        stages.push(StageTime::since("planning", started));
        let shared = if self.shared_scan {
            shared_session(
                &self.ctx,
                &mut planned,
                self.memory_limit,
                observer.as_ref(),
                &mut stages,
            )
            .await?
        } else {
            None
        };
        let started = Instant::now();
        let shared_summary = shared.as_ref().map(|read| SharedScan {
            detections: planned
                .iter()
                .filter(|p| p.as_ref().is_ok_and(|p| p.shared))
                .count(),
            candidate_rows: read.rows(),
        });
        let shared = shared.map(Arc::new);
        // Detections that read the lake themselves first: each takes seconds where one
        // over the shared read takes milliseconds, and one of them started last would
        // leave a core idle while it ran alone. The report sorts the outcomes.
        let mut queue: Vec<_> = bound.into_iter().zip(planned).collect();
        queue.sort_by_key(|(_, p)| shared.is_some() && p.as_ref().is_ok_and(|p| p.shared));
        let mut outcomes: Vec<DetectionOutcome> = futures::stream::iter(queue)
            .map(|((query, params), planned)| {
                let shared = shared.clone();
                let observer = observer.clone();
                async move {
                    let started = Instant::now();
                    let over_shared = shared
                        .as_ref()
                        .filter(|_| planned.as_ref().is_ok_and(|p| p.shared));
                    let shared_scan = over_shared.is_some();
                    let result = async {
                        let planned = planned?;
                        // A detection that shares the scan is planned again over
                        // its part of the shared read: its plan above was against
                        // the lake.
                        let df = match over_shared {
                            Some(read) => {
                                let ctx = read.session_for(&planned)?;
                                plan_bound(&ctx, query, &params, first_event).await?
                            }
                            None => planned.df,
                        };
                        findings(query, &df.collect().await?)
                    }
                    .await;
                    observer.detection_done(&query.id);
                    let elapsed = started.elapsed();
                    match result {
                        Ok(findings) => DetectionOutcome {
                            query: query.clone(),
                            findings,
                            error: None,
                            elapsed,
                            shared_scan,
                        },
                        Err(e) => DetectionOutcome {
                            query: query.clone(),
                            findings: Vec::new(),
                            error: Some(e),
                            elapsed,
                            shared_scan,
                        },
                    }
                }
            })
            .buffer_unordered(self.jobs)
            .collect()
            .await;
        if let Some(query) = tampering {
            let started = Instant::now();
            let result = async {
                let df = query
                    .plan(&self.ctx, &own_params(&query, &self.params))
                    .await?;
                findings(&query, &df.collect().await?)
            }
            .await;
            observer.detection_done(&query.id);
            let elapsed = started.elapsed();
            outcomes.push(match result {
                Ok(findings) => DetectionOutcome {
                    query,
                    findings,
                    error: None,
                    elapsed,
                    shared_scan: false,
                },
                Err(e) => DetectionOutcome {
                    query,
                    findings: Vec::new(),
                    error: Some(e),
                    elapsed,
                    shared_scan: false,
                },
            });
        }
        stages.push(StageTime::since("detections", started));
        let mut report = HuntReport::new(outcomes, shared_summary);
        report.arming = arming;
        if self.incidents {
            observer.stage("correlating findings into incidents");
            let started = Instant::now();
            correlate(&self.ctx, &mut report, &mut stages).await?;
            stages.push(StageTime::since("incidents", started));
        }
        report.stages = stages;
        Ok(report)
    }
}

/// A detection's result rows as typed findings.
fn findings(query: &Query, batches: &[RecordBatch]) -> Result<Vec<Finding>, HuntError> {
    let mut buf = Vec::new();
    {
        let mut w = datafusion::arrow::json::ArrayWriter::new(&mut buf);
        for b in batches {
            w.write(b).map_err(HuntError::Rows)?;
        }
        w.finish().map_err(HuntError::Rows)?;
    }
    if buf.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<Map<String, Value>> =
        serde_json::from_slice(&buf).map_err(HuntError::RowsJson)?;
    rows.into_iter()
        .map(|row| Finding::from_row(query, row))
        .collect()
}
