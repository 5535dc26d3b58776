//! A query session and what opens it: the lake (given, the bundled sample, or raw
//! archives), the query library, the output settings. Running SQL and saved
//! queries and printing their results, for `-c`, `-f`, stdin, the shell, `run`,
//! `hunt` and `demo` alike.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use datafusion::arrow::array::RecordBatch;
use datafusion::dataframe::DataFrame;
use datafusion::prelude::SessionContext;
use indicatif::{ProgressBar, ProgressStyle};
use trawl_engine::catalog::{Catalog, Query, QueryKind};

use crate::args::OptionalLake;
use crate::compute::ComputeRuntime;
use crate::explain::explain;
use crate::pager::{Paging, does_not_fit, page, terminal_size};
use crate::print::{Format, PrintOptions, render};

/// Where a session's lake came from, said once when it opens.
#[derive(Debug, Clone)]
pub enum LakeSource {
    Given(PathBuf),
    Sample(PathBuf),
    Raw(Vec<String>, trawl_engine::RawSummary),
}

/// A query session: the engine, the query library and the output settings.
pub struct Session {
    pub ctx: SessionContext,
    /// The query library, read when first asked for: a one-statement `trawl sql -c`
    /// never needs it, and parsing every query's header was a tenth of its start.
    catalog: std::sync::OnceLock<Catalog>,
    pub print: PrintOptions,
    pub timing: bool,
    /// `\o FILE`: results go to this file instead of stdout.
    pub output: Option<(PathBuf, std::fs::File)>,
    /// Show a spinner on stderr while a query runs.
    pub spinner: bool,
    /// Results on a terminal go through the pager (the shell's `\pager`).
    pub paging: Paging,
    /// The `--queries` folders, to reload the library after `\save`.
    pub extra_query_dirs: Vec<PathBuf>,
    /// Statements typed in the shell, oldest first (history of earlier sessions
    /// included): `\history`, and the last for `\e`, `\save`, `\watch`, `\explain`.
    pub recent: Vec<String>,
    /// Where queries compute, apart from the runtime that hears Ctrl-C.
    pub compute: ComputeRuntime,
    /// The last result printed, for `\chart`.
    pub last_result: Option<(datafusion::arrow::datatypes::SchemaRef, Vec<RecordBatch>)>,
}

/// Opens a session over a lake (or the bundled sample).
pub async fn open_session(
    lake: &OptionalLake,
    memory_limit: Option<usize>,
    extra_dirs: &[PathBuf],
) -> Result<(Session, LakeSource)> {
    let options = trawl_engine::SessionOptions { memory_limit };
    let ctx = match &lake.cluster {
        None => trawl_engine::new_session_with(&options)?,
        Some(cluster) => cluster_session(cluster, &options)?,
    };
    let source = if !lake.raw.is_empty() {
        let summary = trawl_engine::register_raw(&ctx, &lake.raw).await?;
        LakeSource::Raw(lake.raw.clone(), summary)
    } else {
        let source = match &lake.lake {
            Some(l) => LakeSource::Given(l.clone()),
            None => LakeSource::Sample(crate::archive::sample_lake().await?),
        };
        if let LakeSource::Given(path) | LakeSource::Sample(path) = &source {
            trawl_engine::register_lake(&ctx, path)
                .await
                .with_context(|| format!("cannot open the lake {}", path.display()))?;
        }
        source
    };
    let session = Session {
        ctx,
        catalog: std::sync::OnceLock::new(),
        print: PrintOptions::default(),
        timing: false,
        output: None,
        spinner: false,
        paging: Paging::Off,
        extra_query_dirs: extra_dirs.to_vec(),
        recent: Vec::new(),
        compute: ComputeRuntime::default(),
        last_result: None,
    };
    Ok((session, source))
}

/// A session whose queries run on a Ballista cluster.
#[cfg(feature = "cluster")]
fn cluster_session(
    cluster: &str,
    options: &trawl_engine::SessionOptions,
) -> Result<SessionContext> {
    Ok(trawl_engine::cluster::remote_session(cluster, options)?)
}

#[cfg(not(feature = "cluster"))]
fn cluster_session(
    cluster: &str,
    _options: &trawl_engine::SessionOptions,
) -> Result<SessionContext> {
    Err(anyhow!(
        "--cluster {cluster}: this trawl was built without the `cluster` feature; \
         build it with `cargo install --path . --features cluster`"
    ))
}

/// The query library plus the user's folders; a user file that cannot be loaded is
/// named on stderr and left out, the rest loads.
pub fn load_catalog(extra_dirs: &[PathBuf]) -> Result<Catalog> {
    let catalog = Catalog::load(&query_dirs(extra_dirs))?;
    for (_, why) in &catalog.skipped {
        stderr_line!("warning: query file left out: {why}");
    }
    Ok(catalog)
}

/// User query folders: `--queries` directories, then `$XDG_CONFIG_HOME/trawl/queries`
/// (or `~/.config/trawl/queries`) when it exists.
pub fn query_dirs(extra: &[PathBuf]) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = user_query_dir()
        .filter(|d| d.is_dir())
        .into_iter()
        .collect();
    dirs.extend(extra.iter().cloned());
    dirs
}

/// `$XDG_CONFIG_HOME/trawl/queries` or `~/.config/trawl/queries`, where `\save` writes.
pub fn user_query_dir() -> Option<PathBuf> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("trawl").join("queries"))
}

/// Output settings from the command line.
pub fn print_options(format: Format, maxrows: Option<&str>) -> Result<PrintOptions> {
    let maxrows = match maxrows {
        None | Some("all") | Some("inf") | Some("none") => None,
        Some(n) => Some(
            n.parse()
                .with_context(|| format!("--maxrows {n}: expected a number or `all`"))?,
        ),
    };
    Ok(PrintOptions {
        format,
        maxrows,
        ..PrintOptions::default()
    })
}

/// Says on stderr that the sample lake stands in for a missing one, or that raw
/// sources had unreadable records.
pub fn announce(source: &LakeSource, quiet: bool) {
    if quiet {
        return;
    }
    match source {
        LakeSource::Sample(p) => {
            stderr_line!(
                "note: no lake given (--lake or TRAWL_LAKE); querying the bundled sample lake at {}",
                p.display()
            )
        }
        LakeSource::Raw(_, s) if s.rejected > 0 => stderr_line!(
            "note: {} records of the raw sources could not be read (trawl convert keeps them in _rejects/)",
            s.rejected
        ),
        _ => {}
    }
}

impl Session {
    /// The query library plus the user's folders, loaded on first use.
    pub fn catalog(&self) -> Result<&Catalog> {
        if let Some(catalog) = self.catalog.get() {
            return Ok(catalog);
        }
        let loaded = load_catalog(&self.extra_query_dirs)?;
        Ok(self.catalog.get_or_init(|| loaded))
    }

    /// Reads the library again at its next use (after `\save` added a query).
    pub fn reload_catalog(&mut self) {
        self.catalog = std::sync::OnceLock::new();
    }

    /// The last SQL statement typed in the shell (meta-commands aside).
    pub fn last_sql(&self) -> Option<&str> {
        self.recent
            .iter()
            .rev()
            .map(String::as_str)
            .find(|s| !s.starts_with('\\'))
    }

    /// Writes result text to `\o`'s file or the screen, through the pager when it is on.
    pub fn emit(&mut self, text: &str) -> Result<()> {
        match &mut self.output {
            Some((path, f)) => f
                .write_all(text.as_bytes())
                .with_context(|| path.display().to_string()),
            None => {
                let size = terminal_size().filter(|_| self.paging != Paging::Off);
                if let Some((cols, rows)) = size
                    && (self.paging == Paging::On || does_not_fit(text, cols, rows))
                {
                    match page(text) {
                        Ok(()) => return Ok(()),
                        Err(e) => stderr_line!("note: {e}; printing without it (\\pager off)"),
                    }
                }
                let mut out = std::io::stdout().lock();
                out.write_all(text.as_bytes())?;
                out.flush()?;
                Ok(())
            }
        }
    }

    async fn collect(&self, df: DataFrame) -> Result<Vec<RecordBatch>> {
        let plan = df.create_physical_plan().await?;
        let run = self.compute.run(datafusion::physical_plan::collect(
            plan.clone(),
            self.ctx.task_ctx(),
        ));
        if !self.spinner {
            return Ok(run.await??);
        }
        tokio::pin!(run);
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        let result = loop {
            tokio::select! {
                r = &mut run => break r,
                _ = tokio::time::sleep(Duration::from_millis(120)) => {
                    let (rows, bytes) = scanned(plan.as_ref());
                    bar.set_message(format!("{rows} rows, {:.1} MB scanned (Ctrl-C cancels)", bytes as f64 / 1e6));
                    bar.tick();
                }
            }
        };
        bar.finish_and_clear();
        Ok(result??)
    }

    /// Runs a planned frame and prints its rows.
    pub async fn run_frame(&mut self, df: DataFrame) -> Result<()> {
        let started = Instant::now();
        let schema = std::sync::Arc::new(df.schema().as_arrow().clone());
        let batches = self.collect(df).await?;
        self.print.width = match self.output {
            None => terminal_size().map(|(cols, _)| cols),
            Some(_) => None,
        };
        let text = render(&schema, &batches, &self.print)?;
        self.last_result = Some((schema.clone(), batches));
        self.emit(&text)?;
        if self.timing {
            stderr_line!("Time: {:.3} s", started.elapsed().as_secs_f64());
        }
        Ok(())
    }

    /// Runs every statement of a SQL text, in order.
    pub async fn run_sql(&mut self, text: &str) -> Result<()> {
        let explained = |e: anyhow::Error, ctx: &SessionContext| anyhow!("{}", explain(&e, ctx));
        let statements = trawl_engine::parse(text).map_err(|e| explained(e.into(), &self.ctx))?;
        for statement in statements {
            let df = trawl_engine::plan(&self.ctx, statement.clone())
                .await
                .and_then(|df| trawl_engine::name_headers(df, &statement))
                .map_err(|e| explained(e.into(), &self.ctx))?;
            // Output errors (a closed pipe) keep their type for the caller.
            if let Err(e) = self.run_frame(df).await {
                if e.chain().any(|c| c.is::<std::io::Error>()) {
                    return Err(e);
                }
                let message = explain(&e, &self.ctx);
                return Err(anyhow!("{}", with_damaged_files(&self.ctx, message).await));
            }
        }
        Ok(())
    }

    /// Runs a saved query with parameters given as `name=value` text.
    pub async fn run_query(
        &mut self,
        query: &Query,
        given: &HashMap<String, String>,
    ) -> Result<()> {
        let df = query
            .plan(&self.ctx, given)
            .await
            .and_then(|df| match trawl_engine::parse(&query.sql)?.as_slice() {
                [statement] => trawl_engine::name_headers(df, statement),
                _ => Ok(df),
            })
            .map_err(|e| match e {
                // Its message names the query and the parameter already.
                trawl_engine::Error::Catalog(e) => anyhow::Error::new(e),
                e => anyhow::Error::new(e).context(format!("query {} ({})", query.id, query.path)),
            })?;
        match self.run_frame(df).await {
            Err(e) if !e.chain().any(|c| c.is::<std::io::Error>()) => {
                let message = format!("{e:#}");
                Err(anyhow!("{}", with_damaged_files(&self.ctx, message).await))
            }
            other => other,
        }
    }

    /// Resolves `NAME` or `FILE.sql` to a query.
    pub fn resolve_query(&self, name: &str) -> Result<Query> {
        if name.ends_with(".sql") {
            let text =
                std::fs::read_to_string(name).with_context(|| format!("cannot read {name}"))?;
            let id = std::path::Path::new(name)
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            return Ok(trawl_engine::catalog::parse_query(
                &id,
                QueryKind::Investigation,
                name,
                &text,
            )?);
        }
        Ok(self.catalog()?.get(name)?.clone())
    }
}

/// Rows read by the plan's leaves and bytes read from files so far: DataFusion has
/// no progress API, but its metrics update while a query runs.
fn scanned(plan: &dyn datafusion::physical_plan::ExecutionPlan) -> (usize, usize) {
    let mut rows = 0;
    let mut bytes = 0;
    if let Some(m) = plan.metrics() {
        bytes += m.sum_by_name("bytes_scanned").map_or(0, |v| v.as_usize());
        if plan.children().is_empty() {
            rows += m.output_rows().unwrap_or(0);
        }
    }
    for child in plan.children() {
        let (r, b) = scanned(child.as_ref());
        rows += r;
        bytes += b;
    }
    (rows, bytes)
}

/// Parses `name=value` pairs.
pub fn parse_params(pairs: &[String]) -> Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    for p in pairs {
        let (k, v) = p
            .split_once('=')
            .ok_or_else(|| anyhow!("--param {p}: expected name=value"))?;
        out.insert(k.trim().to_string(), v.to_string());
    }
    Ok(out)
}

/// Whether stdin carries piped SQL.
pub fn stdin_is_piped() -> bool {
    !std::io::stdin().is_terminal()
}

/// A failed read's message, plus the lake files that cannot be read and why, when the
/// failure came from reading Parquet: the engine's own words do not name the file.
async fn with_damaged_files(ctx: &SessionContext, message: String) -> String {
    if !message.contains("arquet") && !message.contains("footer") {
        return message;
    }
    let damaged = trawl_engine::damaged_lake_files(ctx).await;
    if damaged.is_empty() {
        return message;
    }
    let mut out = message;
    for (file, why) in damaged.iter().take(10) {
        out.push_str(&format!("\n  damaged lake file: {file}: {why}"));
    }
    if damaged.len() > 10 {
        out.push_str(&format!("\n  ... and {} more", damaged.len() - 10));
    }
    out.push_str("\n  move these out of the lake to query the rest");
    out
}
