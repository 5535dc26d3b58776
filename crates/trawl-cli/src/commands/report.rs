//! `trawl report`: one self-contained HTML file over a lake. The report itself is
//! `trawl_report::build`; this module maps arguments to it and writes the file.

use std::process::ExitCode;

use anyhow::{Context, Result};
use trawl_report::{Options, Scope};

use crate::args::ReportArgs;
use crate::session::{LakeSource, announce, open_session};

pub async fn run(a: ReportArgs) -> Result<ExitCode> {
    let scope = Scope {
        since: a.since,
        until: a.until,
        account: a.account,
        principal: a.principal,
        access_key: a.access_key,
        incident: a.incident,
    };
    // Bad times fail before the lake is opened.
    scope.range()?;
    let (session, source) = open_session(&a.lake, a.engine.memory_limit, &a.engine.queries).await?;
    announce(&source, a.engine.quiet);
    let lake = match &source {
        // Whole, so the methods box names it wherever the page is read.
        LakeSource::Given(p) | LakeSource::Sample(p) => std::fs::canonicalize(p)
            .unwrap_or_else(|_| p.clone())
            .display()
            .to_string(),
        LakeSource::Raw(sources, _) => format!("raw archives: {}", sources.join(", ")),
    };
    let mut options = Options::new(lake, scope);
    options.min_severity = a.min_severity;
    // Raw archives are decoded into memory already: a shared read would copy them.
    options.shared_scan = !matches!(source, LakeSource::Raw(..));
    options.memory_limit = a.engine.memory_limit;
    options.version = env!("CARGO_PKG_VERSION").to_string();
    if !a.engine.quiet {
        stderr_line!("querying the lake and running the hunt...");
    }
    let report = trawl_report::build(&session.ctx, session.catalog()?, &options).await?;
    let html = report.html();
    std::fs::write(&a.output, &html)
        .with_context(|| format!("cannot write the report to {}", a.output.display()))?;
    if !a.engine.quiet {
        stderr_line!(
            "wrote {} ({:.1} KB): {} events, {} incidents, {} queries",
            a.output.display(),
            html.len() as f64 / 1024.0,
            report.overview.events,
            report.incidents.matching,
            report.methods.queries.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
