//! One watch cycle: convert, hunt what the new runs touched, match incidents with
//! the known ones, queue and deliver, record.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::prelude::{ParquetReadOptions, col, lit};
use serde::{Deserialize, Serialize};
use trawl_convert::{ConvertOptions, Lake, RemoteLake, RunKind, RunRows};
use trawl_engine::catalog::{Catalog, Severity};
use trawl_hunt::{Hunt, HuntReport, Incident};

use crate::config::Config;
use crate::destination::{Delivery, DeliveryKind, render, routes};
use crate::lock::WatchLock;
use crate::outbox::Outbox;
use crate::state::{Change, IncidentStatus, TrackedIncident, WatchState, append_line};
use crate::{Result, WatchError};

/// Who the watcher's own changes are recorded as.
const WATCHER: &str = "trawl watch";

/// What a cycle is asked to do.
#[derive(Debug, Clone)]
pub struct CycleOptions {
    /// Deliveries to convert first (local paths or `s3://`); none hunts only what
    /// other conversions added.
    pub sources: Vec<String>,
    pub convert: ConvertOptions,
    /// The clock, milliseconds since the epoch (`--now` for replays); the system
    /// clock when absent.
    pub now_ms: Option<i64>,
    /// Detection parameters (`-p name=value`); `since` is the watcher's own.
    pub params: HashMap<String, String>,
    pub min_severity: Severity,
    pub memory_limit: Option<usize>,
    /// How far before the new events every detection reads, on top of its own
    /// look-back and window: a behaviour that goes on carries events already raised,
    /// so it is matched with its incident instead of raised again.
    pub margin_ms: i64,
    /// Take what the lake holds as history: mark the runs not yet hunted as done
    /// without alerting (starting to watch a lake that already holds years).
    pub baseline: bool,
    /// Check the sources' log file integrity each cycle and record the verdicts in the
    /// lake, so `log_tampering` raises an incident when a file is altered or deleted.
    pub verify: Option<VerifyEachCycle>,
    /// Take the events of this time window as the new ones instead of the runs not
    /// hunted yet (`--from/--to`): the runs stay pending, and no health check runs.
    pub replay: Option<Replay>,
}

/// An event-time window to hunt as if its events had just arrived, through the same
/// incident matching, so a replay raises only what the state does not know yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replay {
    pub from_ms: i64,
    /// Inclusive.
    pub to_ms: i64,
}

/// What counts as new in a cycle.
enum NewEvents<'a> {
    Runs(&'a RunRows),
    Window(Replay),
}

/// Log file integrity checks in each cycle.
#[derive(Debug, Clone)]
pub struct VerifyEachCycle {
    /// ListPublicKeys output; none asks CloudTrail for the keys each cycle.
    pub public_keys: Vec<PathBuf>,
    /// How far back from the cycle's clock to verify digests (whole chains of the
    /// recent past, not the archive's years, each cycle).
    pub window_ms: i64,
}

impl Default for CycleOptions {
    fn default() -> Self {
        Self {
            sources: Vec::new(),
            convert: ConvertOptions::default(),
            now_ms: None,
            params: HashMap::new(),
            min_severity: Severity::Low,
            memory_limit: None,
            margin_ms: 86_400_000,
            baseline: false,
            verify: None,
            replay: None,
        }
    }
}

/// One line of `cycles.ndjson`: what a cycle did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CycleRecord {
    pub cycle: u64,
    /// The cycle's clock (`--now` or the system's).
    pub now: String,
    pub started: String,
    pub elapsed_ms: u64,
    /// Conversion runs hunted over.
    pub runs: Vec<String>,
    /// Delivery files converted by this cycle, and files that failed to read.
    pub deliveries: u64,
    pub deliveries_unreadable: u64,
    /// Events those runs ingested.
    pub events: u64,
    /// Where the hunt read back from: the earliest of the detections', each of
    /// which reads its own look-back and window plus the margin.
    pub since: Option<String>,
    /// From the newest new event's time to this cycle's clock.
    pub lag_seconds: Option<i64>,
    pub findings: usize,
    pub detections_failed: usize,
    pub incidents_new: usize,
    pub incidents_updated: usize,
    /// Updated without telling anyone (suppressed, acknowledged, or nothing new).
    pub incidents_quiet: usize,
    pub suppressions_expired: usize,
    pub trail_silent: bool,
    pub sent: usize,
    pub failed: usize,
    /// Deliveries still waiting in the outbox.
    pub pending: usize,
    /// With verification: the problems it found (modified or deleted files, digests
    /// that do not verify, broken chains), or why it could not check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity_problems: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity_error: Option<String>,
    /// A replay's event-time window (`--from`, `--to`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay: Option<[String; 2]>,
}

/// A lake being watched.
pub struct Watcher {
    /// The lake, or for a lake on S3 the local working lake that each cycle converts
    /// into and mirrors the watch state through.
    lake: Lake,
    remote: Option<RemoteLake>,
    catalog: Catalog,
    config: Config,
}

fn iso(ms: i64) -> String {
    trawl_cloudtrail::utc_time(ms)
}

impl Watcher {
    pub fn new(lake: Lake, catalog: Catalog, config: Config) -> Self {
        Self {
            lake,
            remote: None,
            catalog,
            config,
        }
    }

    /// Watches a lake on S3 through `self`'s lake as the local working lake: each
    /// cycle pulls the ledger and the watch state, publishes what it converted, hunts
    /// over the lake on S3 and writes the state back, under the lake's remote lock.
    pub fn with_remote(mut self, remote: RemoteLake) -> Self {
        self.remote = Some(remote);
        self
    }

    /// For a lake on S3: copies its watch state into the working lake, without the
    /// lock (for reading it: `--status`, `findings list`).
    pub async fn refresh(&self) -> Result<()> {
        if let Some(r) = &self.remote {
            crate::remote::pull(r, self.lake.root()).await?;
        }
        Ok(())
    }

    /// Runs `work` under the remote lock with the watch state pulled before and
    /// pushed after (only when it succeeded); `work` alone for a local lake.
    async fn mirrored<T, F>(&self, work: impl FnOnce(Option<HashSet<String>>) -> F) -> Result<T>
    where
        F: std::future::Future<Output = Result<T>>,
    {
        let Some(r) = &self.remote else {
            return work(None).await;
        };
        let lock = crate::remote::RemoteLock::acquire(r).await?;
        let outcome = async {
            r.recover().await?;
            let pulled = crate::remote::pull(r, self.lake.root()).await?;
            let known = r.pull_ledger(&self.lake).await?;
            let out = work(Some(known)).await?;
            crate::remote::push(r, self.lake.root(), &pulled).await?;
            Ok::<T, WatchError>(out)
        }
        .await;
        let released = lock.release().await;
        let out = outcome?;
        released?;
        Ok(out)
    }

    /// `<lake>/_trawl/watch`.
    pub fn dir(&self) -> PathBuf {
        watch_dir(self.lake.root())
    }

    /// The last `n` cycles, oldest first.
    pub fn cycles(&self, n: usize) -> Result<Vec<CycleRecord>> {
        read_cycles(&self.dir(), n)
    }

    /// Deliveries waiting for their receivers.
    pub fn pending(&self) -> Result<Vec<crate::OutboxItem>> {
        Outbox::new(&self.dir()).items()
    }

    /// Sends what the outbox holds, without converting or hunting (`--resend`).
    pub async fn resend(&self) -> Result<(usize, usize)> {
        self.mirrored(|_| async {
            let _lock = WatchLock::acquire(&self.dir())?;
            let f = Outbox::new(&self.dir())
                .flush(&self.config.destinations, self.config.watch.attempts)
                .await?;
            Ok((f.sent, f.failed))
        })
        .await
    }

    /// One cycle.
    pub async fn cycle(&self, opts: &CycleOptions) -> Result<CycleRecord> {
        self.mirrored(|known| self.cycle_here(opts, known)).await
    }

    /// One cycle on the local (or working) lake; `known`: for a lake on S3, the runs
    /// it holds already, so what this cycle converts is published.
    async fn cycle_here(
        &self,
        opts: &CycleOptions,
        known: Option<HashSet<String>>,
    ) -> Result<CycleRecord> {
        let started = Instant::now();
        let dir = self.dir();
        let _lock = WatchLock::acquire(&dir)?;
        let mut state = WatchState::load(&dir)?;
        let now_ms = opts
            .now_ms
            .unwrap_or_else(|| chrono::Utc::now().timestamp_millis());
        let now = iso(now_ms);
        state.cycles += 1;
        let mut rec = CycleRecord {
            cycle: state.cycles,
            now: now.clone(),
            started: iso(chrono::Utc::now().timestamp_millis()),
            ..CycleRecord::default()
        };
        rec.suppressions_expired = state.expire_suppressions(&now);

        if !opts.sources.is_empty() {
            let summary = trawl_convert::convert(
                &opts.sources,
                &self.lake,
                &opts.convert,
                Arc::new(trawl_convert::Progress::default()),
            )
            .await?;
            rec.deliveries = summary.files_read;
            rec.deliveries_unreadable = summary.files_failed;
            // Best effort: the next queries start from the files' kept statistics.
            if summary.files_written > 0 && self.remote.is_none() {
                let _ = trawl_engine::keep_file_statistics(self.lake.root()).await;
            }
        }

        // A failed check is recorded and alerted on by the next cycle that can check,
        // not allowed to stop the watching.
        let mut tampered = false;
        if let Some(v) = &opts.verify {
            match self.verify(v, &opts.sources, now_ms).await {
                Ok(problems) => {
                    rec.integrity_problems = Some(problems);
                    tampered = problems > 0;
                }
                Err(e) => rec.integrity_error = Some(e.to_string()),
            }
        }

        if let (Some(r), Some(known)) = (&self.remote, &known) {
            // Conversions and integrity verdicts alike: the hunt reads the lake on S3.
            r.publish(&self.lake, known).await?;
            // The lake on S3 holds them now; a daemon's working lake must not grow.
            for dir in [trawl_convert::TABLE_DIR, trawl_convert::REJECTS_DIR] {
                let path = self.lake.root().join(dir);
                if path.exists() {
                    std::fs::remove_dir_all(&path).map_err(|e| WatchError::io(&path, e))?;
                }
            }
        }

        // The runs not hunted over yet, whoever converted them, and where their rows
        // are now (a compaction since may have merged them into other files).
        let ledger = self.lake.ledger()?;
        if opts.replay.is_none() {
            for run in &ledger.runs {
                if run.kind == RunKind::Convert && !state.processed_runs.contains(&run.run) {
                    rec.runs.push(run.run.clone());
                }
            }
        }
        let new_rows = ledger.rows_of(&rec.runs.iter().map(String::as_str).collect());
        let new = match opts.replay {
            Some(window) => {
                rec.replay = Some([iso(window.from_ms), iso(window.to_ms)]);
                NewEvents::Window(window)
            }
            None => NewEvents::Runs(&new_rows),
        };

        let mut deliveries: Vec<(DeliveryKind, String)> = Vec::new();
        let has_rows =
            opts.replay.is_some() || !new_rows.own.is_empty() || !new_rows.merged.is_empty();
        if (has_rows || tampered) && !opts.baseline {
            let report = self
                .hunt_new(&new, tampered, opts, now_ms, &mut rec)
                .await?;
            if let Some((report, new_ids)) = report {
                self.merge(
                    &report,
                    &new_ids,
                    &mut state,
                    &now,
                    &mut rec,
                    &mut deliveries,
                );
            }
        }

        // Health: no delivery for too long is itself worth an alert. A replay says
        // nothing about the present.
        if rec.deliveries > 0 || !rec.runs.is_empty() {
            state.last_delivery_at = Some(now.clone());
        } else if opts.replay.is_none()
            && let Some(last) = state.last_delivery_at.clone()
            && let Ok(last_ms) = chrono::DateTime::parse_from_rfc3339(&last)
            && now_ms - last_ms.timestamp_millis() > self.config.silent_after_ms()
        {
            let id = silent_id(&last);
            if !state.incidents.contains_key(&id) {
                state
                    .incidents
                    .insert(id.clone(), silent_incident(&id, &last, &now, state.cycles));
                deliveries.push((DeliveryKind::New, id));
                rec.incidents_new += 1;
            }
            rec.trail_silent = true;
        }

        // Queue before the state says the runs are done: a crash in between
        // recomputes the same incident versions, and the outbox keeps one of each.
        let outbox = Outbox::new(&dir);
        for (kind, id) in &deliveries {
            if let Some(inc) = state.incidents.get(id) {
                self.queue(&outbox, *kind, inc, &now)?;
            }
        }
        state.processed_runs.extend(rec.runs.iter().cloned());
        state.save(&dir)?;

        let flushed = outbox
            .flush(&self.config.destinations, self.config.watch.attempts)
            .await?;
        rec.sent = flushed.sent;
        rec.failed = flushed.failed;
        rec.pending = outbox.items()?.len();
        rec.elapsed_ms = started.elapsed().as_millis() as u64;
        let line = serde_json::to_string(&rec).map_err(|source| WatchError::State {
            path: dir.join("cycles.ndjson"),
            source,
        })?;
        append_line(&dir.join("cycles.ndjson"), &line)?;
        Ok(rec)
    }

    /// Verifies the sources' digests of the last `window_ms` and records the verdicts;
    /// the number of problems found.
    async fn verify(&self, v: &VerifyEachCycle, sources: &[String], now_ms: i64) -> Result<usize> {
        use trawl_convert::integrity;
        let at = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).map(trawl_verify::Timestamp);
        let options = trawl_verify::VerifyOptions {
            since: at(now_ms - v.window_ms),
            until: at(now_ms),
            ..trawl_verify::VerifyOptions::default()
        };
        let checkable: Vec<String> = sources
            .iter()
            .filter(|s| integrity::is_verifiable(s))
            .cloned()
            .collect();
        if checkable.is_empty() {
            return Ok(0);
        }
        let (keys, _) = integrity::load_public_keys(&v.public_keys, &checkable, &options).await?;
        let reports = integrity::verify_locations(&checkable, Arc::new(keys), &options).await?;
        let (_, verdicts) = self.lake.record_reports(&reports)?;
        Ok(verdicts.problems())
    }

    /// Hunts over the lake from the new events' look-back; the report and the new
    /// events' ids, or None when the new runs hold no events.
    /// With `tampered` (verification found problems), hunts even without new events:
    /// `log_tampering` alone when nothing new arrived.
    async fn hunt_new(
        &self,
        new: &NewEvents<'_>,
        tampered: bool,
        opts: &CycleOptions,
        now_ms: i64,
        rec: &mut CycleRecord,
    ) -> Result<Option<(HuntReport, HashSet<String>)>> {
        let ctx = trawl_engine::new_session_with(&trawl_engine::SessionOptions {
            memory_limit: opts.memory_limit,
        })?;
        let paths = |files: &[String]| -> Vec<String> {
            match &self.remote {
                // The ledger lists what the lake holds; S3 lakes are not compacted.
                Some(r) => files.iter().map(|f| r.object_url(f)).collect(),
                None => files
                    .iter()
                    .map(|f| self.lake.root().join(f))
                    .filter(|p| p.exists())
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect(),
            }
        };
        match &self.remote {
            Some(r) => trawl_engine::register_s3_lake(&ctx, &r.url()).await?,
            None => trawl_engine::register_lake(&ctx, self.lake.root()).await?,
        }
        let mut batches = Vec::new();
        let (own, merged, sources) = match new {
            NewEvents::Runs(rows) => (paths(&rows.own), paths(&rows.merged), &rows.sources[..]),
            NewEvents::Window(w) => {
                let sql = format!(
                    "SELECT eventid, eventtime FROM cloudtrail \
                     WHERE eventtime BETWEEN TIMESTAMP '{}' AND TIMESTAMP '{}'",
                    iso(w.from_ms),
                    iso(w.to_ms)
                );
                batches.extend(ctx.sql(&sql).await?.collect().await?);
                (Vec::new(), Vec::new(), &[][..])
            }
        };
        if !own.is_empty() {
            batches.extend(
                ctx.read_parquet(own, ParquetReadOptions::default())
                    .await?
                    .select(vec![col("eventid"), col("eventtime")])?
                    .collect()
                    .await?,
            );
        }
        // Merged files hold other runs' rows too: the new ones are those of the
        // objects the new runs converted.
        if !merged.is_empty() && !sources.is_empty() {
            let objects = sources.iter().map(|s| lit(s.as_str())).collect();
            batches.extend(
                ctx.read_parquet(merged, ParquetReadOptions::default())
                    .await?
                    .filter(col("sourceobject").in_list(objects, false))?
                    .select(vec![col("eventid"), col("eventtime")])?
                    .collect()
                    .await?,
            );
        }
        let mut new_ids = HashSet::new();
        let (mut first, mut last) = (i64::MAX, i64::MIN);
        for b in &batches {
            let ids =
                cast(b.column(0), &DataType::Utf8).map_err(|e| WatchError::DataFusion(e.into()))?;
            let ids = ids.as_string::<i32>();
            for r in 0..ids.len() {
                if !ids.is_null(r) {
                    new_ids.insert(ids.value(r).to_string());
                }
            }
            for t in trawl_hunt::millis(b, 1)?.into_iter().flatten() {
                first = first.min(t);
                last = last.max(t);
            }
        }
        rec.events = batches.iter().map(|b| b.num_rows() as u64).sum();
        if new_ids.is_empty() {
            if !tampered {
                return Ok(None);
            }
            let report = Hunt::new(ctx, &self.catalog)
                .with_only(vec![trawl_hunt::LOG_TAMPERING.to_string()])
                .run()
                .await?;
            rec.detections_failed = report.errors().count();
            return Ok(Some((report, new_ids)));
        }
        rec.lag_seconds = Some((now_ms - last) / 1000);

        // Each detection reads back from the first new event only the context it
        // judges an event by, plus the margin; the hungriest one's look-back for all
        // of them made a cycle as dear as a whole hunt.
        let mut hunt = Hunt::new(ctx, &self.catalog)
            .with_min_severity(opts.min_severity)
            .with_params(opts.params.clone())
            .with_memory_limit(opts.memory_limit);
        let mut earliest = first;
        for (id, since) in reads_from(&self.catalog, &opts.params, first, opts.margin_ms) {
            earliest = earliest.min(since);
            hunt = hunt.with_detection_param(id, "since", iso(since));
        }
        rec.since = Some(iso(earliest));
        let report = hunt.run().await?;
        rec.detections_failed = report.errors().count();
        Ok(Some((report, new_ids)))
    }

    /// Matches the hunt's incidents that new events touched with the known ones.
    fn merge(
        &self,
        report: &HuntReport,
        new_ids: &HashSet<String>,
        state: &mut WatchState,
        now: &str,
        rec: &mut CycleRecord,
        deliveries: &mut Vec<(DeliveryKind, String)>,
    ) {
        let findings: Vec<&trawl_hunt::Finding> = report.findings().collect();
        for inc in &report.incidents {
            let touched = inc
                .findings
                .iter()
                .filter_map(|i| findings.get(*i))
                .any(|f| {
                    // Its evidence is objects, not events: always current, and matched
                    // with the known incidents by the objects it names.
                    f.detection == trawl_hunt::LOG_TAMPERING
                        || f.evidence.eventids.iter().any(|e| new_ids.contains(e))
                });
            if !touched {
                continue;
            }
            rec.findings += inc.findings.len();
            let seen = snapshot(inc, state.cycles);
            let known = state
                .incidents
                .values()
                .filter(|k| k.detections.iter().all(|d| d != "trail_silent"))
                .map(|k| (k.eventids.intersection(&seen.eventids).count(), k))
                .filter(|(n, _)| *n > 0)
                .max_by(|a, b| a.0.cmp(&b.0).then(b.1.raised_in.cmp(&a.1.raised_in)))
                .map(|(_, k)| k.id.clone());
            match known {
                None => {
                    let mut id = seen.id.clone();
                    let mut n = 2;
                    while state.incidents.contains_key(&id) {
                        id = format!("{}-{n}", seen.id);
                        n += 1;
                    }
                    let mut fresh = seen;
                    fresh.id = id.clone();
                    fresh.history.push(Change {
                        at: now.to_string(),
                        by: WATCHER.into(),
                        action: "raised".into(),
                        reason: None,
                    });
                    state.incidents.insert(id.clone(), fresh);
                    deliveries.push((DeliveryKind::New, id));
                    rec.incidents_new += 1;
                }
                Some(id) => {
                    let Some(k) = state.incidents.get_mut(&id) else {
                        continue;
                    };
                    if update(k, seen, now) {
                        deliveries.push((DeliveryKind::Updated, id));
                        rec.incidents_updated += 1;
                    } else {
                        rec.incidents_quiet += 1;
                    }
                }
            }
        }
    }

    fn queue(
        &self,
        outbox: &Outbox,
        kind: DeliveryKind,
        inc: &TrackedIncident,
        now: &str,
    ) -> Result<()> {
        let lake_name = self.lake.root().display().to_string();
        let tags = self.tags(inc);
        for dest in &self.config.destinations {
            if routes(dest, inc, &tags) {
                outbox.put(
                    Delivery {
                        destination: dest.name.clone(),
                        kind,
                        incident: inc.id.clone(),
                        version: inc.version,
                        body: render(dest, kind, inc, &lake_name, WATCHER, now),
                    },
                    now,
                )?;
            }
        }
        Ok(())
    }

    /// A person's decision on an incident (`trawl findings ack|resolve|suppress|
    /// reopen`), recorded with who and why; resolving tells the destinations (a
    /// new version), so an on-call tool closes its incident too.
    pub async fn set_status(
        &self,
        id: &str,
        status: IncidentStatus,
        by: &str,
        reason: Option<String>,
        until: Option<String>,
    ) -> Result<TrackedIncident> {
        self.mirrored(|_| async move {
            let dir = self.dir();
            let _lock = WatchLock::acquire(&dir)?;
            let mut state = WatchState::load(&dir)?;
            let now = iso(chrono::Utc::now().timestamp_millis());
            let inc = state.find_mut(id)?;
            let was = inc.status;
            inc.set_status(status, by, &now, reason, until);
            let tell = status == IncidentStatus::Resolved && was != IncidentStatus::Resolved;
            if tell {
                inc.version += 1;
            }
            let inc = inc.clone();
            let outbox = Outbox::new(&dir);
            if tell {
                self.queue(&outbox, DeliveryKind::Resolved, &inc, &now)?;
            }
            state.save(&dir)?;
            if tell {
                outbox
                    .flush(&self.config.destinations, self.config.watch.attempts)
                    .await?;
            }
            Ok(inc)
        })
        .await
    }

    /// The tags of an incident's detections, for routing.
    fn tags(&self, inc: &TrackedIncident) -> Vec<String> {
        self.catalog
            .queries
            .iter()
            .filter(|q| inc.detections.contains(&q.id))
            .flat_map(|q| q.tags.iter().cloned())
            .collect()
    }
}

/// `<lake>/_trawl/watch`.
pub fn watch_dir(lake_root: &Path) -> PathBuf {
    lake_root.join("_trawl").join("watch")
}

fn read_cycles(dir: &Path, n: usize) -> Result<Vec<CycleRecord>> {
    let path = dir.join("cycles.ndjson");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(WatchError::io(path, e)),
    };
    let mut out: Vec<CycleRecord> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let r = serde_json::from_str(line).map_err(|source| WatchError::State {
            path: path.clone(),
            source,
        })?;
        out.push(r);
    }
    let skip = out.len().saturating_sub(n);
    Ok(out.split_off(skip))
}

/// A hunt incident as the tracker holds it.
/// Where each detection reads back from, for new events from `first_ms` on: its
/// own context (look-back, window) and the margin before them.
fn reads_from<'c>(
    catalog: &'c Catalog,
    params: &HashMap<String, String>,
    first_ms: i64,
    margin_ms: i64,
) -> Vec<(&'c str, i64)> {
    catalog
        .queries
        .iter()
        .filter(|q| q.is_detection())
        .map(|q| {
            let context = trawl_hunt::context_ms(q, params);
            (q.id.as_str(), first_ms - context - margin_ms)
        })
        .collect()
}

fn snapshot(inc: &Incident, cycle: u64) -> TrackedIncident {
    TrackedIncident {
        id: inc.id.clone(),
        version: 1,
        status: IncidentStatus::Open,
        severity: inc.severity,
        title: inc.title.clone(),
        score: inc.score,
        principals: inc.principals.clone(),
        accounts: inc.accounts.clone(),
        regions: inc.regions.clone(),
        tactics: inc.tactics.iter().map(|t| t.to_string()).collect(),
        detections: inc.detections.iter().cloned().collect(),
        first_seen: inc.first_seen.clone(),
        last_seen: inc.last_seen.clone(),
        eventids: inc.eventids.iter().cloned().collect(),
        raised_in: cycle,
        updated_in: cycle,
        suppressed_until: None,
        suppressions_expired: 0,
        history: Vec::new(),
    }
}

fn union(into: &mut Vec<String>, from: Vec<String>) {
    for x in from {
        if !into.contains(&x) {
            into.push(x);
        }
    }
}

/// Folds what a cycle saw into a known incident; true when that is worth telling
/// its receivers (a new version).
fn update(k: &mut TrackedIncident, seen: TrackedIncident, now: &str) -> bool {
    let new_detections: BTreeSet<String> =
        seen.detections.difference(&k.detections).cloned().collect();
    let new_events = seen.eventids.difference(&k.eventids).count();
    let rose = seen.severity > k.severity;
    k.eventids.extend(seen.eventids);
    k.detections.extend(new_detections.iter().cloned());
    union(&mut k.principals, seen.principals);
    union(&mut k.accounts, seen.accounts);
    union(&mut k.regions, seen.regions);
    union(&mut k.tactics, seen.tactics);
    if seen.first_seen < k.first_seen || k.first_seen.is_none() {
        k.first_seen = seen.first_seen;
    }
    if seen.last_seen > k.last_seen {
        k.last_seen = seen.last_seen;
    }
    if rose {
        k.severity = seen.severity;
        k.title = seen.title;
    }
    k.score = k.score.max(seen.score);
    k.updated_in = seen.updated_in;
    if new_events == 0 && new_detections.is_empty() && !rose {
        return false;
    }
    let tell = match k.status {
        IncidentStatus::Suppressed => false,
        IncidentStatus::Acknowledged => rose,
        IncidentStatus::Open => rose || !new_detections.is_empty(),
        IncidentStatus::Resolved => true,
    };
    let action = if k.status == IncidentStatus::Resolved {
        k.status = IncidentStatus::Open;
        "reopened: new evidence".to_string()
    } else if rose {
        format!("severity rose to {}", k.severity)
    } else if !new_detections.is_empty() {
        format!(
            "new detections: {}",
            new_detections.into_iter().collect::<Vec<_>>().join(", ")
        )
    } else {
        format!("{new_events} more evidence events")
    };
    k.history.push(Change {
        at: now.to_string(),
        by: WATCHER.into(),
        action,
        reason: None,
    });
    if tell {
        k.version += 1;
    }
    tell
}

/// The id of the silence that began after the delivery at `last`.
fn silent_id(last: &str) -> String {
    trawl_hunt::stable_id("trail_silent", &[last])
}

fn silent_incident(id: &str, last: &str, now: &str, cycle: u64) -> TrackedIncident {
    TrackedIncident {
        id: id.to_string(),
        version: 1,
        status: IncidentStatus::Open,
        severity: Severity::High,
        title: format!(
            "No new CloudTrail delivery since {last}: the trail may be stopped or its delivery broken"
        ),
        score: 0.0,
        principals: Vec::new(),
        accounts: Vec::new(),
        regions: Vec::new(),
        tactics: vec!["Defense Evasion".into()],
        detections: BTreeSet::from(["trail_silent".to_string()]),
        first_seen: Some(last.to_string()),
        last_seen: Some(now.to_string()),
        eventids: BTreeSet::new(),
        raised_in: cycle,
        updated_in: cycle,
        suppressed_until: None,
        suppressions_expired: 0,
        history: vec![Change {
            at: now.to_string(),
            by: WATCHER.into(),
            action: "raised".into(),
            reason: None,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    #[test]
    fn each_detection_reads_back_its_own_context() {
        let catalog = Catalog::load(&[]).unwrap();
        let first = 100 * DAY;
        let reads: HashMap<&str, i64> = reads_from(&catalog, &HashMap::new(), first, DAY)
            .into_iter()
            .collect();
        assert_eq!(
            reads.len(),
            catalog.queries.iter().filter(|q| q.is_detection()).count()
        );
        // One event decides: the margin only.
        assert_eq!(reads["cloudtrail_stop_logging"], first - DAY);
        // A first-seen detection reads its look-back back from there itself.
        assert_eq!(reads["activity_in_unused_region"], first - DAY);
        // A threshold: its window too, so the window holding the first new event is
        // counted whole.
        assert_eq!(reads["access_denied_recon"], first - DAY - 600_000);
        // A parameter given to the watch moves it.
        let given = HashMap::from([("window".to_string(), "2h".to_string())]);
        let reads: HashMap<&str, i64> = reads_from(&catalog, &given, first, DAY)
            .into_iter()
            .collect();
        assert_eq!(reads["access_denied_recon"], first - DAY - 2 * 3_600_000);
        let single = reads.values().filter(|s| **s == first - DAY).count();
        assert!(
            single * 2 > reads.len(),
            "most detections judge one event at a time: {single} of {}",
            reads.len()
        );
    }
}
