//! Running SQL and saved queries in a session and printing their results: shared by
//! `-c`, `-f`, stdin, the REPL, `trawl run` and `trawl demo`.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use datafusion::arrow::array::RecordBatch;
use datafusion::common::ParamValues;
use datafusion::dataframe::DataFrame;
use datafusion::prelude::SessionContext;
use indicatif::{ProgressBar, ProgressStyle};
use trawl_engine::catalog::{Catalog, Query};

use crate::print::{PrintOptions, render};

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
    pub catalog: Catalog,
    pub print: PrintOptions,
    pub timing: bool,
    /// `\o FILE`: results go to this file instead of stdout.
    pub output: Option<(PathBuf, std::fs::File)>,
    /// Show a spinner on stderr while a query runs.
    pub spinner: bool,
}

/// Opens a session over a lake (or the bundled sample).
pub async fn open_session(
    lake: &crate::args::OptionalLake,
    memory_limit: Option<usize>,
    query_dirs: &[PathBuf],
) -> Result<(Session, LakeSource)> {
    let ctx = trawl_engine::new_session_with(&trawl_engine::SessionOptions { memory_limit })?;
    let source = if !lake.raw.is_empty() {
        let summary = trawl_engine::register_raw(&ctx, &lake.raw).await?;
        LakeSource::Raw(lake.raw.clone(), summary)
    } else {
        let source = match &lake.lake {
            Some(l) => LakeSource::Given(l.clone()),
            None => LakeSource::Sample(crate::demo::sample_lake().await?),
        };
        if let LakeSource::Given(path) | LakeSource::Sample(path) = &source {
            trawl_engine::register_lake(&ctx, path)
                .await
                .with_context(|| format!("cannot open the lake {}", path.display()))?;
        }
        source
    };
    let catalog = Catalog::load(&crate::queries::query_dirs(query_dirs))?;
    let session = Session {
        ctx,
        catalog,
        print: PrintOptions::default(),
        timing: false,
        output: None,
        spinner: false,
    };
    Ok((session, source))
}

/// Casts bound values to the types the planner inferred for their placeholders
/// (a string compared with a string-view column must be a string view).
pub fn fit_params(df: &DataFrame, values: ParamValues) -> Result<ParamValues> {
    let ParamValues::Map(map) = values else {
        return Ok(values);
    };
    let types = df.logical_plan().get_parameter_types()?;
    let mut out = HashMap::new();
    for (name, value) in map {
        let wanted = types
            .get(&format!("${name}"))
            .or_else(|| types.get(&name))
            .cloned()
            .flatten();
        let value = match wanted {
            Some(t) if t != value.value.data_type() => {
                value.value.cast_to(&t).map(Into::into).unwrap_or(value)
            }
            _ => value,
        };
        out.insert(name, value);
    }
    Ok(ParamValues::Map(out))
}

impl Session {
    fn emit(&mut self, text: &str) -> Result<()> {
        match &mut self.output {
            Some((path, f)) => f
                .write_all(text.as_bytes())
                .with_context(|| path.display().to_string()),
            None => {
                let mut out = std::io::stdout().lock();
                out.write_all(text.as_bytes())?;
                out.flush()?;
                Ok(())
            }
        }
    }

    async fn collect(&self, df: DataFrame) -> Result<Vec<RecordBatch>> {
        if !self.spinner {
            return Ok(df.collect().await?);
        }
        let plan = df.create_physical_plan().await?;
        let run = datafusion::physical_plan::collect(plan.clone(), self.ctx.task_ctx());
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
        Ok(result?)
    }

    /// Runs a planned frame and prints its rows.
    pub async fn run_frame(&mut self, df: DataFrame) -> Result<()> {
        let started = Instant::now();
        let schema = std::sync::Arc::new(df.schema().as_arrow().clone());
        let batches = self.collect(df).await?;
        let text = render(&schema, &batches, &self.print)?;
        self.emit(&text)?;
        if self.timing {
            eprintln!("Time: {:.3} s", started.elapsed().as_secs_f64());
        }
        Ok(())
    }

    /// Runs every statement of a SQL text, in order.
    pub async fn run_sql(&mut self, text: &str) -> Result<()> {
        let statements = trawl_engine::parse(text)
            .map_err(|e| anyhow!("{}", crate::errors::explain(&e.to_string(), &self.ctx)))?;
        for statement in statements {
            let df = trawl_engine::plan(&self.ctx, statement)
                .await
                .map_err(|e| anyhow!("{}", crate::errors::explain(&e.to_string(), &self.ctx)))?;
            self.run_frame(df)
                .await
                .map_err(|e| anyhow!("{}", crate::errors::explain(&e.to_string(), &self.ctx)))?;
        }
        Ok(())
    }

    /// Runs a saved query with parameters given as `name=value` text.
    pub async fn run_query(
        &mut self,
        query: &Query,
        given: &HashMap<String, String>,
    ) -> Result<()> {
        let values = query.bind(given)?;
        let df = trawl_engine::sql(&self.ctx, &query.sql)
            .await
            .with_context(|| format!("query {} ({})", query.id, query.path))?;
        let values = fit_params(&df, values)?;
        let df = df.with_param_values(values)?;
        self.run_frame(df).await
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
                "investigation",
                name,
                &text,
            )?);
        }
        Ok(self.catalog.get(name)?.clone())
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
