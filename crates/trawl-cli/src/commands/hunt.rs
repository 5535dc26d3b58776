//! `trawl hunt`: the detection library over a lake (or raw archives), findings most
//! severe first. The hunt itself is `trawl_hunt::Hunt`; this module maps arguments
//! to it and renders for the terminal.
//!
//! Exit status: 0 when nothing at or above `--fail-on` was found, 4 when something
//! was ([`EXIT_FINDINGS`]), 1 on error.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Result, bail};
use comfy_table::{ContentArrangement, Table, presets};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;
use trawl_engine::catalog::Severity;
use trawl_hunt::{Hunt, HuntReport, JsonSink, NdjsonSink, Observer, Sink, SinkError};

use crate::args::{HuntArgs, HuntFormat, Tier};
use crate::session::{LakeSource, announce, open_session, parse_params};

/// Exit status when a finding at or above `--fail-on` was reported.
pub const EXIT_FINDINGS: u8 = 4;

/// The hunt's progress as a bar on stderr.
struct Bar(ProgressBar);

impl Observer for Bar {
    fn stage(&self, message: &str) {
        self.0.set_message(message.to_string());
    }
    fn planned(&self, total: usize) {
        self.0.set_length(total as u64);
    }
    fn detection_done(&self, _id: &str) {
        self.0.inc(1);
    }
}

fn split_list(items: &[String]) -> Vec<String> {
    items
        .iter()
        .flat_map(|s| s.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

pub async fn run(a: HuntArgs) -> Result<ExitCode> {
    let (session, source) = open_session(&a.lake, a.engine.memory_limit, &a.engine.queries).await?;
    announce(&source, a.engine.quiet);
    let mut params = parse_params(&a.params)?;
    if let Some(s) = &a.since {
        params.insert("since".into(), s.clone());
    }
    if let Some(u) = &a.until {
        params.insert("until".into(), u.clone());
    }
    let bar = (!a.engine.quiet && std::io::stderr().is_terminal()).then(|| {
        let b = ProgressBar::new(0);
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} detections {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    });
    let min_severity = if a.include.contains(&Tier::Audit) {
        Severity::Info
    } else {
        a.min_severity
    };
    let mut hunt = Hunt::new(session.ctx.clone(), session.catalog()?)
        .with_min_severity(min_severity)
        .with_only(split_list(&a.only))
        .with_tags(split_list(&a.tags))
        .with_params(params)
        // Raw archives are decoded into memory already: a shared read would copy them.
        .with_shared_scan(!matches!(source, LakeSource::Raw(..)))
        .with_memory_limit(a.engine.memory_limit)
        .with_incidents(!a.no_incidents);
    if let Some(b) = &bar {
        hunt = hunt.with_observer(Arc::new(Bar(b.clone())));
    }
    let report = hunt.run().await?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if let Some(shared) = report.shared
        && !a.engine.quiet
    {
        stderr_line!(
            "{} of {} detections share one scan of the lake; the others read it themselves",
            shared.detections,
            report.outcomes.len()
        );
    }
    if !a.engine.quiet && min_severity > Severity::Info {
        let audit = session
            .catalog()?
            .queries
            .iter()
            .filter(|q| q.is_detection() && q.severity == Some(Severity::Info))
            .count();
        if audit > 0 {
            stderr_line!(
                "note: {audit} audit detections (severity info: inventories of changes) not run; --include audit runs them"
            );
        }
    }
    if !a.engine.quiet {
        let unarmed: Vec<String> = report
            .unarmed()
            .map(|u| format!("{} (from {})", u.detection, u.armed_from))
            .collect();
        let learning = report.arming.len() - unarmed.len();
        if learning > 0 {
            stderr_line!(
                "note: {learning} first-seen and baseline detections treat the start of the data as history and raise nothing there (--format json lists when each is armed)"
            );
        }
        if !unarmed.is_empty() {
            stderr_line!(
                "note: {} detections are not armed yet, the data being shorter than their history: {}",
                unarmed.len(),
                unarmed.join(", ")
            );
        }
    }
    let mut errors = 0;
    for (query, e) in report.errors() {
        stderr_line!("error: detection {}: {e}", query.id);
        errors += 1;
    }
    // Buffered: stdout alone flushes at every newline, and a pretty JSON document of a
    // big hunt has a line per evidence id.
    let stdout = std::io::BufWriter::new(std::io::stdout().lock());
    match a.format {
        HuntFormat::Ndjson => NdjsonSink::new(stdout).deliver(&report)?,
        HuntFormat::Json => JsonSink::new(stdout).deliver(&report)?,
        HuntFormat::Table => TableSink(stdout).deliver(&report)?,
    }
    if errors > 0 {
        bail!("{errors} detection(s) failed to run");
    }
    Ok(match report.worst() {
        Some(w) if w >= a.fail_on => ExitCode::from(EXIT_FINDINGS),
        _ => ExitCode::SUCCESS,
    })
}

/// The top incidents with their timelines, a summary table of the detections that
/// found something, then each one's findings.
struct TableSink<W>(W);

/// Incidents shown with their timelines; the rest are counted.
const INCIDENTS_SHOWN: usize = 10;

/// The most urgent incidents, each with its findings on a timeline.
fn write_incidents(out: &mut impl std::io::Write, report: &HuntReport) -> std::io::Result<()> {
    let findings: Vec<_> = report.findings().collect();
    writeln!(
        out,
        "{} incidents from {} findings, most urgent first",
        report.incidents.len(),
        findings.len()
    )?;
    for inc in report.incidents.iter().take(INCIDENTS_SHOWN) {
        let tactics: Vec<&str> = inc.tactics.iter().map(|t| t.name()).collect();
        writeln!(
            out,
            "\n#{} {} score {} {}: {}",
            inc.rank, inc.id, inc.score, inc.severity, inc.title
        )?;
        writeln!(
            out,
            "   {} .. {}  tactics: {}  accounts: {}  regions: {}",
            inc.first_seen.as_deref().unwrap_or("?"),
            inc.last_seen.as_deref().unwrap_or("?"),
            tactics.join(" > "),
            inc.accounts.join(", "),
            inc.regions.join(", ")
        )?;
        for m in &inc.findings {
            let Some(f) = findings.get(*m) else { continue };
            writeln!(
                out,
                "   {}  {:<8} {:<40} {}",
                f.evidence.first_seen.as_deref().unwrap_or(""),
                f.severity.as_str(),
                f.detection,
                f.evidence.principal.as_deref().unwrap_or("")
            )?;
        }
    }
    if report.incidents.len() > INCIDENTS_SHOWN {
        writeln!(
            out,
            "\n... and {} more incidents (--format json lists them all)",
            report.incidents.len() - INCIDENTS_SHOWN
        )?;
    }
    writeln!(out)
}

impl<W: std::io::Write> Sink for TableSink<W> {
    fn deliver(&mut self, report: &HuntReport) -> Result<(), SinkError> {
        let out = &mut self.0;
        if !report.incidents.is_empty() {
            write_incidents(out, report)?;
        }
        let hits: Vec<_> = report.hits().collect();
        writeln!(
            out,
            "{} of {} detections found something",
            hits.len(),
            report.outcomes.len()
        )?;
        if hits.is_empty() {
            return Ok(());
        }
        let mut table = Table::new();
        table
            .load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled);
        table.set_header(vec![
            "detection",
            "severity",
            "findings",
            "first seen",
            "last seen",
            "title",
        ]);
        for o in &hits {
            let (first, last) = o.span();
            table.add_row(vec![
                o.query.id.clone(),
                o.severity().to_string(),
                o.findings.len().to_string(),
                first.unwrap_or_default().to_string(),
                last.unwrap_or_default().to_string(),
                o.query.title.clone(),
            ]);
        }
        writeln!(out, "{table}")?;
        for o in &hits {
            writeln!(
                out,
                "\n== {} ({}): {}",
                o.query.id,
                o.severity(),
                o.query.title
            )?;
            for f in &o.findings {
                // The finding as its JSON keys, eventids last: the rest fits a line.
                let Value::Object(mut fields) = serde_json::to_value(f)? else {
                    continue;
                };
                let ids = fields.remove("eventids").unwrap_or(Value::Null);
                for k in ["detection", "title", "severity", "techniques", "incident"] {
                    fields.remove(k);
                }
                let rest: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{k}={}",
                            v.as_str().map_or_else(|| v.to_string(), str::to_string)
                        )
                    })
                    .collect();
                writeln!(out, "  {}  eventids={ids}", rest.join("  "))?;
            }
        }
        out.flush()?;
        Ok(())
    }
}
