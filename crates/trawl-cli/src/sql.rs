//! `trawl sql`: run statements against a lake and print the results.

use std::process::ExitCode;

use anyhow::{Context, Result};
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::prelude::SessionContext;

use crate::args::SqlArgs;

/// Opens a session with the lake's tables registered.
pub async fn open(lake: &std::path::Path) -> Result<SessionContext> {
    let ctx = trawl_engine::new_session()?;
    trawl_engine::register_lake(&ctx, lake).await?;
    Ok(ctx)
}

/// Runs one statement and collects its rows.
pub async fn query(ctx: &SessionContext, sql: &str) -> Result<Vec<RecordBatch>> {
    let df = ctx.sql(sql).await?;
    Ok(df.collect().await?)
}

/// Renders batches in one of the output formats.
pub fn render(batches: &[RecordBatch], format: &str) -> Result<String> {
    Ok(match format {
        "csv" => {
            let mut buf = Vec::new();
            {
                let mut w = datafusion::arrow::csv::WriterBuilder::new()
                    .with_header(true)
                    .build(&mut buf);
                for b in batches {
                    w.write(b)?;
                }
            }
            String::from_utf8(buf)?
        }
        "json" => {
            let mut buf = Vec::new();
            {
                let mut w = datafusion::arrow::json::ArrayWriter::new(&mut buf);
                for b in batches {
                    w.write(b)?;
                }
                w.finish()?;
            }
            let mut s = String::from_utf8(buf)?;
            if s.is_empty() {
                s.push_str("[]");
            }
            s.push('\n');
            s
        }
        "ndjson" => {
            let mut buf = Vec::new();
            {
                let mut w = datafusion::arrow::json::LineDelimitedWriter::new(&mut buf);
                for b in batches {
                    w.write(b)?;
                }
                w.finish()?;
            }
            String::from_utf8(buf)?
        }
        _ => format!("{}\n", pretty_format_batches(batches)?),
    })
}

pub async fn run(a: SqlArgs) -> Result<ExitCode> {
    let ctx = open(&a.lake.lake).await?;
    for sql in &a.command {
        let batches = query(&ctx, sql)
            .await
            .with_context(|| format!("query failed: {sql}"))?;
        print!("{}", render(&batches, &a.format)?);
    }
    Ok(ExitCode::SUCCESS)
}
