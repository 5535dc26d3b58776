//! `trawl watch` and `trawl findings`: the cycle itself is `trawl_watch::Watcher`;
//! this module maps arguments onto it, loops on `--interval`, and prints.
//!
//! Exit status of `watch --once`: 0 when the cycle ran and everything was
//! delivered, 3 ([`EXIT_PENDING`]) when deliveries wait in the outbox for the next
//! cycle, 5 ([`EXIT_LOCKED`]) when another watcher holds the lake, 1 on error.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use comfy_table::{ContentArrangement, Table, presets};
use tempfile::TempDir;
use trawl_convert::s3::S3Url;
use trawl_convert::{Lake, RemoteLake};
use trawl_engine::catalog::Catalog;
use trawl_watch::{
    Config, CycleOptions, CycleRecord, IncidentStatus, WatchError, WatchState, Watcher,
    parse_duration,
};

use crate::args::{FindingsAction, FindingsArgs, IncidentStatusArg, WatchArgs};
use crate::session::parse_params;

pub const EXIT_PENDING: u8 = 3;
pub const EXIT_LOCKED: u8 = 5;

fn parse_time(text: &str) -> Result<i64> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_millis())
        .with_context(|| format!("{text}: expected a time such as 2026-03-01T12:00:00Z"))
}

/// The `p`-th percentile (nearest rank) of sorted values.
fn percentile(sorted: &[i64], p: f64) -> i64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Over the cycles shown: how late detection ran behind the newest event (median, p95,
/// max), and how long cycles took.
fn lag_line(cycles: &[CycleRecord]) -> Option<String> {
    let mut lags: Vec<i64> = cycles.iter().filter_map(|r| r.lag_seconds).collect();
    let mut took: Vec<i64> = cycles.iter().map(|r| r.elapsed_ms as i64).collect();
    if took.is_empty() {
        return None;
    }
    lags.sort_unstable();
    took.sort_unstable();
    let lag = if lags.is_empty() {
        "no new events".to_string()
    } else {
        format!(
            "median {} s, p95 {} s, max {} s over {} cycles with new events",
            percentile(&lags, 50.0),
            percentile(&lags, 95.0),
            percentile(&lags, 100.0),
            lags.len()
        )
    };
    Some(format!(
        "lag (newest event to detection): {lag}; cycle time: median {:.1} s, max {:.1} s",
        percentile(&took, 50.0) as f64 / 1000.0,
        percentile(&took, 100.0) as f64 / 1000.0
    ))
}

fn summary_line(r: &CycleRecord) -> String {
    format!(
        "cycle {} at {}: {} deliveries ({} unreadable), {} new events, lag {}, {} incidents new, {} updated, {} quiet{}; sent {}, failed {}, {} waiting; {:.1} s",
        r.cycle,
        r.now,
        r.deliveries,
        r.deliveries_unreadable,
        r.events,
        r.lag_seconds.map_or("-".to_string(), |s| format!("{s} s")),
        r.incidents_new,
        r.incidents_updated,
        r.incidents_quiet,
        match (r.trail_silent, r.integrity_problems, &r.integrity_error) {
            (_, _, Some(e)) => format!("; integrity not checked: {e}"),
            (_, Some(n), _) if n > 0 => format!("; {n} integrity problems"),
            (true, _, _) => "; the trail is silent".to_string(),
            _ => String::new(),
        },
        r.sent,
        r.failed,
        r.pending,
        r.elapsed_ms as f64 / 1000.0
    )
}

/// The lake to watch: a directory, or a lake on S3 through a local working lake
/// (kept, with the returned directory, for as long as the watcher runs).
async fn open_lake(arg: &Path) -> Result<(Lake, Option<RemoteLake>, Option<TempDir>)> {
    let text = arg.to_string_lossy();
    if S3Url::is_s3(&text) {
        let remote = RemoteLake::open(&text)
            .await
            .context("cannot open the lake")?;
        let work = tempfile::tempdir().context("cannot create a working directory")?;
        let lake = Lake::open(&work.path().to_string_lossy())?;
        return Ok((lake, Some(remote), Some(work)));
    }
    std::fs::create_dir_all(arg)
        .with_context(|| format!("cannot create the lake {}", arg.display()))?;
    Ok((Lake::open(&text)?, None, None))
}

fn watcher_for(
    lake: Lake,
    remote: Option<RemoteLake>,
    catalog: Catalog,
    config: Config,
) -> Watcher {
    let watcher = Watcher::new(lake, catalog, config);
    match remote {
        Some(r) => watcher.with_remote(r),
        None => watcher,
    }
}

pub async fn run(a: WatchArgs) -> Result<ExitCode> {
    let (lake, remote, _work) = open_lake(&a.lake).await?;
    let config = match &a.config {
        Some(path) => Config::load(path)?,
        None => Config::stdout(),
    };
    let catalog = crate::session::load_catalog(&a.engine.queries)?;
    let watcher = watcher_for(lake, remote, catalog, config);

    if a.status {
        watcher.refresh().await?;
        let cycles = watcher.cycles(20)?;
        for r in &cycles {
            writeln!(std::io::stdout(), "{}", summary_line(r))?;
        }
        if let Some(line) = lag_line(&cycles) {
            writeln!(std::io::stdout(), "{line}")?;
        }
        let pending = watcher.pending()?;
        writeln!(
            std::io::stdout(),
            "{} deliveries waiting in the outbox",
            pending.len()
        )?;
        for p in pending {
            writeln!(
                std::io::stdout(),
                "  {} -> {} ({} attempts; {})",
                p.delivery.idempotency_key(),
                p.delivery.destination,
                p.attempts,
                p.last_error.as_deref().unwrap_or("not tried yet")
            )?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if a.resend {
        return match watcher.resend().await {
            Ok((sent, failed)) => {
                stderr_line!("resent {sent}, {failed} still waiting");
                Ok(if failed > 0 {
                    ExitCode::from(EXIT_PENDING)
                } else {
                    ExitCode::SUCCESS
                })
            }
            Err(e @ WatchError::Locked { .. }) => {
                stderr_line!("trawl: {e}");
                Ok(ExitCode::from(EXIT_LOCKED))
            }
            Err(e) => Err(e.into()),
        };
    }

    let interval_ms = parse_duration(&a.interval)
        .filter(|ms| *ms > 0)
        .with_context(|| format!("--interval {}: expected a duration such as 5m", a.interval))?;
    let replay = match (&a.from, &a.to) {
        (Some(from), Some(to)) => {
            let (from, to) = crate::keys::time_window(Some(from), Some(to))?;
            let ms = |t: Option<trawl_verify::Timestamp>| t.map_or(0, |t| t.0.timestamp_millis());
            let window = trawl_watch::Replay {
                from_ms: ms(from),
                to_ms: ms(to),
            };
            if window.to_ms < window.from_ms {
                bail!(
                    "--from {} is after --to {}",
                    a.from.as_deref().unwrap_or(""),
                    a.to.as_deref().unwrap_or("")
                );
            }
            Some(window)
        }
        _ => None,
    };
    if replay.is_some() && !a.once {
        bail!("--from/--to replay one window: add --once");
    }
    let now_ms = match a.now.as_deref().map(parse_time).transpose()? {
        Some(ms) => Some(ms),
        None => replay.map(|w| w.to_ms),
    };
    let opts = CycleOptions {
        replay,
        sources: a.sources.clone(),
        now_ms,
        params: parse_params(&a.params)?,
        min_severity: a.min_severity,
        memory_limit: a.engine.memory_limit,
        baseline: a.baseline,
        verify: if a.verify {
            Some(trawl_watch::VerifyEachCycle {
                public_keys: a.public_keys.clone(),
                window_ms: parse_duration(&a.verify_window)
                    .filter(|ms| *ms > 0)
                    .with_context(|| {
                        format!(
                            "--verify-window {}: expected a duration such as 2d",
                            a.verify_window
                        )
                    })?,
            })
        } else {
            None
        },
        ..CycleOptions::default()
    };
    loop {
        let code = match watcher.cycle(&opts).await {
            Ok(r) => {
                if !a.engine.quiet {
                    stderr_line!("{}", summary_line(&r));
                }
                if r.pending > 0 {
                    ExitCode::from(EXIT_PENDING)
                } else {
                    ExitCode::SUCCESS
                }
            }
            Err(e @ WatchError::Locked { .. }) => {
                stderr_line!("trawl: {e}");
                ExitCode::from(EXIT_LOCKED)
            }
            Err(e) if a.once => return Err(e.into()),
            // A daemon keeps going: the next cycle retries what this one could not.
            Err(e) => {
                stderr_line!("trawl: cycle failed: {e}");
                ExitCode::FAILURE
            }
        };
        if a.once {
            return Ok(code);
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_millis(interval_ms as u64)) => {}
            _ = tokio::signal::ctrl_c() => return Ok(ExitCode::SUCCESS),
        }
    }
}

fn who() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into())
}

fn status_of(s: IncidentStatusArg) -> IncidentStatus {
    match s {
        IncidentStatusArg::Open => IncidentStatus::Open,
        IncidentStatusArg::Acknowledged => IncidentStatus::Acknowledged,
        IncidentStatusArg::Resolved => IncidentStatus::Resolved,
        IncidentStatusArg::Suppressed => IncidentStatus::Suppressed,
    }
}

pub async fn findings(a: FindingsArgs) -> Result<ExitCode> {
    let (lake, remote, _work) = open_lake(&a.lake).await?;
    let config = match &a.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let watcher = watcher_for(lake, remote, crate::session::load_catalog(&[])?, config);
    watcher.refresh().await?;
    let dir = watcher.dir();
    if !WatchState::path(&dir).exists() {
        bail!(
            "{}: no watch state here yet (trawl watch --lake {} --once starts it)",
            a.lake.display(),
            a.lake.display()
        );
    }
    let now_ms = chrono::Utc::now().timestamp_millis();
    let (status, id, reason, until) = match a.action {
        FindingsAction::List { status, json } => {
            let state = WatchState::load(&dir)?;
            let mut incs: Vec<_> = state
                .incidents
                .values()
                .filter(|i| status.is_none_or(|s| i.status == status_of(s)))
                .collect();
            incs.sort_by(|a, b| {
                b.severity
                    .cmp(&a.severity)
                    .then(b.last_seen.cmp(&a.last_seen))
            });
            if json {
                for i in incs {
                    writeln!(std::io::stdout(), "{}", serde_json::to_string(i)?)?;
                }
                return Ok(ExitCode::SUCCESS);
            }
            let mut t = Table::new();
            t.load_preset(presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_header([
                    "incident",
                    "status",
                    "severity",
                    "v",
                    "last seen",
                    "events",
                    "title",
                ]);
            for i in incs {
                t.add_row([
                    i.id.clone(),
                    i.status.to_string(),
                    i.severity.to_string(),
                    i.version.to_string(),
                    i.last_seen.clone().unwrap_or_default(),
                    i.eventids.len().to_string(),
                    i.title.clone(),
                ]);
            }
            writeln!(std::io::stdout(), "{t}")?;
            return Ok(ExitCode::SUCCESS);
        }
        FindingsAction::Show { id } => {
            let mut state = WatchState::load(&dir)?;
            let inc = state.find_mut(&id)?;
            writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(inc)?)?;
            return Ok(ExitCode::SUCCESS);
        }
        FindingsAction::Ack { id, reason } => (IncidentStatus::Acknowledged, id, reason, None),
        FindingsAction::Resolve { id, reason } => (IncidentStatus::Resolved, id, reason, None),
        FindingsAction::Reopen { id, reason } => (IncidentStatus::Open, id, reason, None),
        FindingsAction::Suppress { id, reason, until } => {
            let until = match until {
                None => None,
                Some(u) => Some(match parse_duration(&u) {
                    Some(ms) => trawl_cloudtrail::utc_time(now_ms + ms),
                    None => trawl_cloudtrail::utc_time(parse_time(&u)?),
                }),
            };
            (IncidentStatus::Suppressed, id, reason, until)
        }
    };
    // A change waits for a running cycle rather than racing it.
    let inc = match watcher.set_status(&id, status, &who(), reason, until).await {
        Ok(inc) => inc,
        Err(e @ WatchError::Locked { .. }) => {
            stderr_line!("trawl: {e}");
            return Ok(ExitCode::from(EXIT_LOCKED));
        }
        Err(e) => return Err(e.into()),
    };
    stderr_line!(
        "{} is {}{}",
        inc.id,
        inc.status,
        inc.suppressed_until
            .as_deref()
            .map_or(String::new(), |u| format!(" until {u}"))
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod lag_tests {
    use super::*;

    #[test]
    fn lag_line_gives_nearest_rank_percentiles() {
        let cycles: Vec<CycleRecord> = (1..=20)
            .map(|i| CycleRecord {
                lag_seconds: (i % 4 != 0).then_some(i * 60),
                elapsed_ms: (i * 100) as u64,
                ..CycleRecord::default()
            })
            .collect();
        let line = lag_line(&cycles).unwrap();
        // 15 cycles with lags 60..1140 s (multiples of 4 had none).
        assert!(
            line.contains("median 600 s, p95 1140 s, max 1140 s over 15 cycles"),
            "{line}"
        );
        assert!(
            line.contains("cycle time: median 1.0 s, max 2.0 s"),
            "{line}"
        );
        assert_eq!(lag_line(&[]), None);
    }
}
