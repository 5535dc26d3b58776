//! `trawl convert` and `trawl compact`.

use std::io::IsTerminal;
use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use trawl_convert::integrity::Verdicts;
use trawl_convert::s3::{KeyFilter, S3Url};
use trawl_convert::{
    ConvertOptions, Lake, LayoutOptions, Progress, PublishCounts, RemoteLake, SortOptions, Summary,
};
use trawl_verify::VerifyOptions;

use crate::archive::sample_archive;
use crate::args::{CompactArgs, ConvertArgs};

/// Exit status when the run completed but some input did not land in the lake.
pub const EXIT_PARTIAL: u8 = 3;
/// Exit status of `--verify` when a log file or digest is modified or deleted, a digest
/// does not verify or a chain is broken (it wins over [`EXIT_PARTIAL`]).
pub const EXIT_TAMPERED: u8 = 4;

/// What `--verify` checked and recorded.
struct Verified {
    run: String,
    verdicts: Verdicts,
    /// Sources that could not be verified (single files, no digests), and why.
    skipped: Vec<(String, String)>,
}

impl Verified {
    fn count(&self, kind: &str, status: &str) -> usize {
        self.verdicts
            .files
            .iter()
            .filter(|f| f.kind == kind && f.status == status)
            .count()
    }

    fn json(&self) -> serde_json::Value {
        let statuses = ["valid", "invalid", "not_found", "not_checked", "unlisted"];
        let counts = |kind: &str| {
            statuses
                .iter()
                .map(|s| (s.to_string(), serde_json::json!(self.count(kind, s))))
                .collect::<serde_json::Map<_, _>>()
        };
        serde_json::json!({
            "run": self.run,
            "problems": self.verdicts.problems(),
            "log_files": counts("log"),
            "digests": counts("digest"),
            "chain_findings": self.verdicts.chains.iter().filter(|c| c.kind != "checked").collect::<Vec<_>>(),
            "skipped": self.skipped.iter().map(|(s, why)| serde_json::json!({"source": s, "reason": why})).collect::<Vec<_>>(),
        })
    }

    fn print(&self) {
        let logs = self
            .verdicts
            .files
            .iter()
            .filter(|f| f.kind == "log")
            .count();
        let digests = self.verdicts.files.len() - logs;
        stderr_line!(
            "  verify:  {} of {} log files and {} of {} digests valid; recorded as run {} (tables log_files, log_chains)",
            thousands(self.count("log", "valid") as u64),
            thousands(logs as u64),
            thousands(self.count("digest", "valid") as u64),
            thousands(digests as u64),
            self.run
        );
        for f in self
            .verdicts
            .files
            .iter()
            .filter(|f| f.status != "valid")
            .take(20)
        {
            stderr_line!(
                "  {}: {} {}: {}",
                f.status.to_uppercase(),
                f.kind,
                f.sourceobject,
                f.detail.as_deref().unwrap_or("")
            );
        }
        let bad = self
            .verdicts
            .files
            .iter()
            .filter(|f| f.status != "valid")
            .count();
        if bad > 20 {
            stderr_line!(
                "  ... and {} more (SELECT * FROM log_files WHERE NOT verified)",
                bad - 20
            );
        }
        for c in self
            .verdicts
            .chains
            .iter()
            .filter(|c| !matches!(c.kind.as_str(), "checked" | "quiet_period"))
        {
            stderr_line!("  chain:   {}", c.detail);
        }
        for (src, why) in &self.skipped {
            stderr_line!("  not verified: {src}: {why}");
        }
    }
}

/// What `--verify` checks: the sources that are directories or S3 locations (digests are
/// found beside a trail's folders), with convert's account, region and day filters.
struct VerifyPlan {
    options: VerifyOptions,
    checkable: Vec<String>,
    skipped: Vec<(String, String)>,
    keys: Arc<trawl_verify::KeyRing>,
}

/// Loads or fetches the keys before anything is converted, so a missing key stops the
/// run before it starts.
async fn plan_verification(a: &ConvertArgs, sources: &[String]) -> Result<VerifyPlan> {
    let (since, until) = crate::keys::time_window(a.since.as_deref(), a.until.as_deref())?;
    let options = VerifyOptions {
        accounts: a.account.clone(),
        regions: a.region.clone(),
        since,
        until,
        threads: a.jobs.and_then(std::num::NonZeroUsize::new),
        ..VerifyOptions::default()
    };
    let (checkable, skipped): (Vec<_>, Vec<_>) = sources
        .iter()
        .cloned()
        .partition(|src| trawl_convert::integrity::is_verifiable(src));
    let skipped = skipped
        .into_iter()
        .map(|src| {
            (
                src,
                "not a directory or S3 location: digests are found beside a trail's folders"
                    .to_string(),
            )
        })
        .collect();
    let keys = if checkable.is_empty() {
        trawl_verify::KeyRing::new()
    } else {
        crate::keys::load_keys(&a.public_keys, &checkable, &options, a.quiet || a.json).await?
    };
    Ok(VerifyPlan {
        options,
        checkable,
        skipped,
        keys: Arc::new(keys),
    })
}

/// `--verify`: checks the planned sources and records the verdicts in the lake as one run.
async fn verify_sources(plan: VerifyPlan, lake: &Lake) -> Result<Verified> {
    let VerifyPlan {
        options,
        checkable,
        mut skipped,
        keys,
    } = plan;
    let reports = trawl_convert::integrity::verify_locations(&checkable, keys, &options)
        .await
        .context("cannot verify the sources")?;
    for (src, (_, report)) in checkable.iter().zip(&reports) {
        if report.digest_counts.total == 0 {
            skipped.push((
                src.clone(),
                "no digest files found (is log file validation on for the trail?)".into(),
            ));
        }
    }
    let (run, verdicts) = lake
        .record_reports(&reports)
        .context("cannot record the verification in the lake")?;
    Ok(Verified {
        run,
        verdicts,
        skipped,
    })
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A spinner on stderr while the conversion runs, fed from the shared counters.
fn spawn_progress(progress: Arc<Progress>) -> (ProgressBar, tokio::task::JoinHandle<()>) {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} files  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let b = bar.clone();
    let handle = tokio::spawn(async move {
        let started = std::time::Instant::now();
        loop {
            let secs = started.elapsed().as_secs_f64().max(0.001);
            let records = progress.records.load(Ordering::Relaxed);
            let text = progress.text_bytes.load(Ordering::Relaxed);
            b.set_length(progress.files_total.load(Ordering::Relaxed));
            b.set_position(progress.files_done.load(Ordering::Relaxed));
            let phase = if progress.phase.load(Ordering::Relaxed) == 1 {
                "writing Parquet; "
            } else {
                ""
            };
            b.set_message(format!(
                "{phase}{} events ({:.0}/s), {:.1} MB/s of JSON",
                thousands(records),
                records as f64 / secs,
                text as f64 / 1e6 / secs
            ));
            b.tick();
            tokio::time::sleep(Duration::from_millis(120)).await;
        }
    });
    (bar, handle)
}

fn print_summary(s: &Summary, lake: &Lake, shown: &str, published: Option<&PublishCounts>) {
    let secs = s.elapsed.as_secs_f64().max(0.001);
    let c = &s.counts;
    stderr_line!(
        "converted {} files ({} read, {} of JSON) in {:.2} s: {} events/s, {:.1} MB/s of JSON",
        thousands(s.files_read),
        mb(s.bytes_read),
        mb(s.text_bytes),
        secs,
        thousands((c.records as f64 / secs) as u64),
        s.text_bytes as f64 / 1e6 / secs
    );
    stderr_line!(
        "  files:   {} found = {} already converted + {} read + {} skipped (digests and other non-event files) + {} unreadable",
        thousands(s.files_found),
        thousands(s.files_already),
        thousands(s.files_read),
        thousands(s.files_skipped),
        thousands(s.files_failed)
    );
    stderr_line!(
        "  records: {} read = {} written + {} duplicates dropped + {} rejected{}",
        thousands(c.records),
        thousands(c.rows_written),
        thousands(c.duplicates),
        thousands(c.rejected),
        if c.digests > 0 {
            format!(" ({} digest records skipped)", thousands(c.digests))
        } else {
            String::new()
        }
    );
    stderr_line!(
        "  lake:    {} (+{} files, {})",
        shown,
        s.files_written,
        mb(s.bytes_written)
    );
    if s.listing.list_requests > 0 {
        stderr_line!(
            "  S3:      {} LIST requests, {} objects listed{}",
            thousands(s.listing.list_requests),
            thousands(s.listing.objects_listed),
            published.map_or(String::new(), |p| format!(
                "; published {} runs, {} objects ({}, {} multipart)",
                p.runs,
                p.objects,
                mb(p.bytes),
                p.multipart_uploads
            ))
        );
    } else if let Some(p) = published {
        stderr_line!(
            "  S3:      published {} runs, {} objects ({}, {} multipart)",
            p.runs,
            p.objects,
            mb(p.bytes),
            p.multipart_uploads
        );
    }
    if s.recovered != (0, 0) {
        stderr_line!(
            "  recovered an interrupted run: {} finished, {} discarded (nothing of them was lost or doubled)",
            s.recovered.0,
            s.recovered.1
        );
    }
    for r in &s.reject_files {
        if published.is_some() {
            stderr_line!("  rejects: {shown}/{r}");
        } else {
            stderr_line!("  rejects: {}", lake.root().join(r).display());
        }
    }
    for f in s.failures.iter().take(20) {
        stderr_line!(
            "  unreadable: {}: {} (it will be retried by the next run)",
            f.uri,
            f.message
        );
    }
    if s.failures.len() > 20 {
        stderr_line!("  ... and {} more unreadable files", s.failures.len() - 20);
    }
}

fn summary_json(s: &Summary, shown: &str, published: Option<&PublishCounts>) -> serde_json::Value {
    serde_json::json!({
        "lake": shown,
        "listing": s.listing,
        "published": published,
        "files": {"found": s.files_found, "already_converted": s.files_already, "read": s.files_read,
                   "skipped": s.files_skipped, "unreadable": s.files_failed},
        "records": {"read": s.counts.records, "written": s.counts.rows_written, "duplicates": s.counts.duplicates,
                     "rejected": s.counts.rejected, "digests_skipped": s.counts.digests},
        "bytes": {"read": s.bytes_read, "json": s.text_bytes, "written": s.bytes_written},
        "files_written": s.files_written,
        "runs": s.runs,
        "rejects": s.reject_files,
        "unreadable": s.failures.iter().map(|f| serde_json::json!({"source": f.uri, "error": f.message})).collect::<Vec<_>>(),
        "recovered": {"finished": s.recovered.0, "discarded": s.recovered.1},
        "seconds": s.elapsed.as_secs_f64(),
        "peak_rss_bytes": peak_rss_bytes(),
    })
}

/// The process's peak resident memory (Linux's VmHWM), for the summary.
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Days since the epoch of `YYYY-MM-DD` (or a full timestamp).
fn day_of(text: &str) -> Result<i64> {
    let t = text.trim();
    let ms = trawl_cloudtrail::parse_event_time(t)
        .or_else(|| trawl_cloudtrail::parse_event_time(&format!("{t}T00:00:00Z")))
        .with_context(|| format!("`{text}` is not a day (YYYY-MM-DD) or a timestamp"))?;
    Ok(ms.div_euclid(86_400_000))
}

pub async fn run(a: ConvertArgs) -> Result<ExitCode> {
    let lake_arg = a.lake.lake.to_string_lossy().to_string();
    let remote = if S3Url::is_s3(&lake_arg) {
        Some(
            RemoteLake::open(&lake_arg)
                .await
                .context("cannot open the lake")?,
        )
    } else {
        None
    };
    // An S3 lake is converted into a local working lake, then published.
    let work = match &remote {
        Some(_) => Some(tempfile::tempdir().context("cannot create a working directory")?),
        None => None,
    };
    let local_path = work
        .as_ref()
        .map_or(lake_arg.clone(), |w| w.path().to_string_lossy().to_string());
    let lake = Lake::open(&local_path).context("cannot open the lake")?;
    let mut remote_recovered = (0, 0);
    let known = match &remote {
        Some(r) => {
            remote_recovered = r.recover().await.context("cannot recover the lake")?;
            Some(
                r.pull_ledger(&lake)
                    .await
                    .context("cannot read the lake's ledger")?,
            )
        }
        None => None,
    };
    let mut sources = a.sources.clone();
    if a.sample {
        sources.push(sample_archive()?.to_string_lossy().to_string());
    }
    let plan = if a.verify {
        Some(plan_verification(&a, &sources).await?)
    } else {
        None
    };
    let mut opts = ConvertOptions {
        format: a.format,
        layout: LayoutOptions {
            max_rows_per_file: a.max_rows_per_file.max(1),
            ..LayoutOptions::default()
        },
        sort: SortOptions {
            memory_limit: a.memory_limit,
            ..SortOptions::default()
        },
        commit_bytes: a.commit_every as u64,
        max_inflated: a.max_object_size as u64,
        filter: KeyFilter {
            accounts: a.account.clone(),
            regions: a.region.clone(),
            since_day: a.since.as_deref().map(day_of).transpose()?,
            until_day: a.until.as_deref().map(day_of).transpose()?,
        },
        ..ConvertOptions::default()
    };
    if let Some(j) = a.jobs {
        opts.jobs = j.max(1);
    }
    let progress = Arc::new(Progress::default());
    let show_bar = !a.quiet && !a.json && std::io::stderr().is_terminal();
    let bar = show_bar.then(|| spawn_progress(progress.clone()));
    let result = trawl_convert::convert(&sources, &lake, &opts, progress).await;
    if let Some((bar, handle)) = bar {
        handle.abort();
        bar.finish_and_clear();
    }
    let mut summary = result?;
    // Best effort, like the ledger's table record: the lake works without them.
    if remote.is_none() {
        let _ = trawl_engine::keep_file_statistics(lake.root()).await;
    }
    let integrity = match plan {
        Some(plan) => Some(verify_sources(plan, &lake).await?),
        None => None,
    };
    let published = match (&remote, &known) {
        (Some(r), Some(k)) => Some(
            r.publish(&lake, k)
                .await
                .context("cannot publish the run to the lake (rerun to complete it)")?,
        ),
        _ => None,
    };
    if remote_recovered != (0, 0) {
        summary.recovered = remote_recovered;
    }
    let shown = remote
        .as_ref()
        .map_or_else(|| lake.root().display().to_string(), RemoteLake::url);
    if a.json {
        let mut json = summary_json(&summary, &shown, published.as_ref());
        if let (Some(v), serde_json::Value::Object(m)) = (&integrity, &mut json) {
            m.insert("verification".into(), v.json());
        }
        writeln!(
            std::io::stdout(),
            "{}",
            serde_json::to_string_pretty(&json)?
        )?;
    } else if !a.quiet {
        print_summary(&summary, &lake, &shown, published.as_ref());
        if let Some(v) = &integrity {
            v.print();
        }
    }
    if integrity
        .as_ref()
        .is_some_and(|v| v.verdicts.problems() > 0)
    {
        Ok(ExitCode::from(EXIT_TAMPERED))
    } else if summary.counts.rejected > 0 || summary.files_failed > 0 {
        Ok(ExitCode::from(EXIT_PARTIAL))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

pub async fn compact(a: CompactArgs) -> Result<ExitCode> {
    if S3Url::is_s3(&a.lake.lake.to_string_lossy()) {
        anyhow::bail!(
            "compact rewrites files in place and works on local lakes; S3 lakes are not compacted yet"
        );
    }
    let lake = Lake::open(&a.lake.lake.to_string_lossy()).context("cannot open the lake")?;
    let layout = LayoutOptions {
        max_rows_per_file: a.max_rows_per_file.max(1),
        ..LayoutOptions::default()
    };
    let sort = SortOptions {
        memory_limit: a.memory_limit,
        ..SortOptions::default()
    };
    let s = trawl_convert::compact(&lake, &layout, &sort, a.force).await?;
    let _ = trawl_engine::keep_file_statistics(lake.root()).await;
    stderr_line!(
        "compacted {} of {} partitions: {} files -> {}, {} rows -> {} ({} duplicate events dropped), {} -> {}",
        s.partitions_compacted,
        s.partitions_seen,
        s.files_before,
        s.files_after,
        thousands(s.rows_before),
        thousands(s.rows_after),
        thousands(s.duplicates),
        mb(s.bytes_before),
        mb(s.bytes_after)
    );
    Ok(ExitCode::SUCCESS)
}
