//! `trawl report` as a library: query a session's `cloudtrail` table, run the hunt,
//! and write one self-contained HTML page (inline SVG charts, inline CSS, a few lines
//! of inline script for table filters; nothing fetched when it is opened).
//!
//! ```no_run
//! # async fn example(ctx: datafusion::prelude::SessionContext) -> Result<(), trawl_report::ReportError> {
//! use trawl_engine::catalog::Catalog;
//! use trawl_report::{Options, Scope};
//!
//! let catalog = Catalog::load(&[])?;
//! let options = Options::new("./lake", Scope { since: Some("2026-03-01".into()), ..Scope::default() });
//! let report = trawl_report::build(&ctx, &catalog, &options).await?;
//! std::fs::write("report.html", report.html()).ok();
//! # Ok(()) }
//! ```
//!
//! Every number in the page is what a query returned; the methods box lists each
//! query as it ran, so a reader can run it again with `trawl sql`.

mod chart;
mod html;
mod incidents;
mod overview;
mod query;
mod subject;

use datafusion::prelude::SessionContext;
use serde::Serialize;
use trawl_engine::catalog::{Catalog, Severity};

pub use chart::Series;
pub use html::{esc, result_page};
pub use incidents::{IncidentView, Incidents};
pub use overview::Overview;
pub use query::{Logged, Rows, Scope, parse_time};
pub use subject::Subject;

/// Errors of building a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(
        "{flag} {value}: not a time (expected 2026-03-01, 2026-03-01T12:00:00Z or 2026-03-01 12:00:00)"
    )]
    BadTime { flag: String, value: String },
    #[error("--since {since} is after --until {until}")]
    EmptyRange { since: String, until: String },
    #[error("the report's query \"{purpose}\" failed: {source}")]
    Query {
        purpose: String,
        #[source]
        source: trawl_engine::Error,
    },
    #[error("the hunt failed: {0}")]
    Hunt(#[from] trawl_hunt::HuntError),
    #[error("no incident {id} in this range (the hunt raised {raised}: {known})")]
    NoSuchIncident {
        id: String,
        raised: usize,
        known: String,
    },
    #[error(transparent)]
    Catalog(#[from] trawl_engine::catalog::CatalogError),
}

/// What to report on and how to run the hunt.
#[derive(Debug, Clone)]
pub struct Options {
    /// The lake as the reader should see it named (a path or `s3://` URL).
    pub lake: String,
    pub scope: Scope,
    /// Detections below this severity do not run (as `trawl hunt --min-severity`).
    pub min_severity: Severity,
    /// Share one read of the lake among detections (off for raw archives in memory).
    pub shared_scan: bool,
    pub memory_limit: Option<usize>,
    /// Written into the methods box.
    pub version: String,
}

impl Options {
    pub fn new(lake: impl Into<String>, scope: Scope) -> Self {
        Self {
            lake: lake.into(),
            scope,
            min_severity: Severity::Low,
            shared_scan: true,
            memory_limit: None,
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// Where the report came from: for the methods box.
#[derive(Debug, Clone, Serialize)]
pub struct Methods {
    pub lake: String,
    #[serde(flatten)]
    pub scope: Scope,
    pub version: String,
    /// When the report was made (UTC, RFC 3339).
    pub generated: String,
    pub min_severity: String,
    pub queries: Vec<Logged>,
}

/// A report's data, ready to be written as HTML ([`Report::html`]) or inspected.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub overview: Overview,
    pub incidents: Incidents,
    pub subject: Option<Subject>,
    pub methods: Methods,
}

/// Runs the report's queries and the hunt over `ctx`'s `cloudtrail` table.
pub async fn build(
    ctx: &SessionContext,
    catalog: &Catalog,
    options: &Options,
) -> Result<Report, ReportError> {
    let scope = &options.scope;
    scope.range()?;
    let mut runner = query::Runner::new(ctx);
    // The hunt alongside the overview's queries: it leaves a core idle for much of its
    // time (its planning, its correlation), and the two share nothing.
    let (sections, hunt) = futures::join!(
        async {
            let overview = overview::gather(&mut runner, scope).await?;
            let subject = match scope.subject_filter() {
                Some(_) => Some(subject::gather(&mut runner, scope).await?),
                None => None,
            };
            Ok::<_, ReportError>((overview, subject))
        },
        incidents::hunt(ctx, catalog, options)
    );
    let (overview, subject) = sections?;
    let incidents = incidents::gather(&mut runner, catalog, &hunt?, options).await?;
    let methods = Methods {
        lake: options.lake.clone(),
        scope: scope.clone(),
        version: options.version.clone(),
        generated: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        min_severity: options.min_severity.to_string(),
        queries: runner.log,
    };
    Ok(Report {
        overview,
        incidents,
        subject,
        methods,
    })
}

impl Report {
    /// The whole page.
    pub fn html(&self) -> String {
        html::page(self)
    }
}
