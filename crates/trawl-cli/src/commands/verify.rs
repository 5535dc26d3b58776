//! `trawl verify`: CloudTrail log file integrity (digest chains, digest signatures, log file
//! hashes) over local copies and `s3://` locations. The checks are `trawl_verify::verify`;
//! this module maps arguments to it and renders its report.
//!
//! Exit status, like `aws cloudtrail validate-logs` plus a code of its own for "could not
//! check": 0 all valid ([`EXIT_CLEAN`]), 1 something invalid ([`EXIT_INVALID`]), 2 nothing
//! could be checked ([`EXIT_UNCHECKED`]: no digests, unreadable keys, failed listing; clap's
//! usage errors are 2 as well).

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};
use trawl_verify::{
    FileKind, FileResult, ObjectEntry, Report, Source, SourceError, Status, VerifyOptions,
};

use crate::args::{VerifyArgs, VerifyFormat};

pub const EXIT_CLEAN: u8 = 0;
/// Something is invalid, missing, unlisted or unchecked, or a chain is broken.
pub const EXIT_INVALID: u8 = 1;
/// Nothing could be checked.
pub const EXIT_UNCHECKED: u8 = 2;

pub async fn run(a: VerifyArgs) -> Result<ExitCode> {
    let reports = match check(&a).await {
        Ok(r) => r,
        Err(e) => {
            // Not main's generic 1: for verify, 1 says "tampered", which this is not.
            stderr_line!("error: {e:#}");
            return Ok(ExitCode::from(EXIT_UNCHECKED));
        }
    };
    print(&a, &reports)?;
    let code = if reports
        .iter()
        .any(|r| !r.is_clean() && r.digest_counts.total > 0)
    {
        EXIT_INVALID
    } else if reports.iter().any(|r| r.digest_counts.total == 0) {
        EXIT_UNCHECKED
    } else {
        EXIT_CLEAN
    };
    Ok(ExitCode::from(code))
}

async fn check(a: &VerifyArgs) -> Result<Vec<Report>> {
    let (since, until) = crate::keys::time_window(a.since.as_deref(), a.until.as_deref())?;
    let base = VerifyOptions {
        accounts: a.account.clone(),
        regions: a.region.clone(),
        since,
        until,
        threads: a.jobs,
        skip_unlisted: a.skip_unlisted,
        ..VerifyOptions::default()
    };
    let keys = Arc::new(crate::keys::load_keys(&a.public_keys, &a.sources, &base, a.quiet).await?);
    let show_progress = !a.quiet && std::io::stderr().is_terminal();
    let mut reports = Vec::new();
    for src in &a.sources {
        let bar = show_progress.then(|| spinner(src));
        let wrap_bar = bar.clone();
        let report = trawl_convert::integrity::verify_location(
            src,
            keys.clone(),
            base.clone(),
            move |inner| {
                Box::new(Counted {
                    inner,
                    bar: wrap_bar,
                    files: AtomicU64::new(0),
                    bytes: Arc::new(AtomicU64::new(0)),
                })
            },
        )
        .await;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        reports.push(report.with_context(|| format!("cannot verify {src}"))?);
    }
    Ok(reports)
}

fn spinner(src: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {prefix}: {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_prefix(src.to_string());
    bar.set_message("listing");
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A source that counts what is read, for the progress line.
struct Counted {
    inner: Box<dyn Source + Send>,
    bar: Option<ProgressBar>,
    files: AtomicU64,
    bytes: Arc<AtomicU64>,
}

struct CountingReader<'a> {
    inner: Box<dyn Read + Send + 'a>,
    bytes: Arc<AtomicU64>,
}

impl Read for CountingReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl Source for Counted {
    fn list(&self, prefix: &str) -> Result<Vec<ObjectEntry>, SourceError> {
        self.inner.list(prefix)
    }

    fn open(&self, key: &str) -> Result<Box<dyn Read + Send + '_>, SourceError> {
        let reader = self.inner.open(key)?;
        let Some(bar) = &self.bar else {
            return Ok(reader);
        };
        let files = self.files.fetch_add(1, Ordering::Relaxed) + 1;
        let mb = self.bytes.load(Ordering::Relaxed) as f64 / 1e6;
        bar.set_message(format!("{files} files read, {mb:.1} MB"));
        Ok(Box::new(CountingReader {
            inner: reader,
            bytes: self.bytes.clone(),
        }))
    }

    fn signature(&self, key: &str) -> Result<Option<String>, SourceError> {
        self.inner.signature(key)
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}

/// `validate-logs`' words for a file's status.
fn status_text(f: &FileResult) -> String {
    let problems = f
        .problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    match f.status {
        Status::Valid => "valid".to_string(),
        Status::Invalid | Status::NotFound => format!("INVALID: {problems}"),
        Status::NotChecked => format!("not checked: {problems}"),
        Status::Unlisted => problems,
    }
}

fn kind_text(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Digest => "Digest file",
        FileKind::Log => "Log file",
    }
}

/// The report without its per-file list, with the verdict: the ndjson summary line.
fn summary_json(r: &Report) -> Value {
    json!({
        "type": "summary",
        "source": r.source,
        "clean": r.is_clean(),
        "requested_since": r.requested_since,
        "requested_until": r.requested_until,
        "found_from": r.found_from,
        "found_to": r.found_to,
        "digest_counts": r.digest_counts,
        "log_counts": r.log_counts,
        "chains": r.chains,
        "findings": r.findings,
    })
}

fn print(a: &VerifyArgs, reports: &[Report]) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match a.format {
        VerifyFormat::Json => {
            // One SOURCE (the usual case): its report; several: an array of them.
            let text = match reports {
                [one] => serde_json::to_string_pretty(one)?,
                many => serde_json::to_string_pretty(many)?,
            };
            writeln!(out, "{text}")?;
        }
        VerifyFormat::Ndjson => {
            for r in reports {
                for f in &r.files {
                    let mut line = serde_json::to_value(f)?;
                    if let Value::Object(m) = &mut line {
                        m.insert("type".into(), json!("file"));
                        m.insert("source".into(), json!(r.source));
                    }
                    writeln!(out, "{line}")?;
                }
                writeln!(out, "{}", summary_json(r))?;
            }
        }
        VerifyFormat::Text => {
            for (i, r) in reports.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                if reports.len() > 1 {
                    writeln!(out, "== {}", r.source)?;
                }
                // Like validate-logs: problems always, valid files only when asked.
                let base = r.source.trim_end_matches('/');
                for f in r
                    .files
                    .iter()
                    .filter(|f| a.verbose || f.status != Status::Valid)
                {
                    writeln!(
                        out,
                        "{}\t{base}/{}\t{}",
                        kind_text(f.kind),
                        f.key,
                        status_text(f)
                    )?;
                }
                if r.files
                    .iter()
                    .any(|f| a.verbose || f.status != Status::Valid)
                {
                    writeln!(out)?;
                }
                write!(out, "{}", r.summary_text())?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
