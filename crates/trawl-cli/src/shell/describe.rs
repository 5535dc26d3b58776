//! `\d`: trawl's tables with what they hold and their row counts; `\d NAME`: a
//! table's columns and struct paths, the `cloudtrail` ones grouped and described.

use std::fmt::Write as _;
use std::time::Duration;

use anyhow::Result;
use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use trawl_cloudtrail::{ColumnGroup, column_doc};
use trawl_engine::integrity;

use crate::explain::field_paths;
use crate::session::Session;

/// What each of trawl's own tables holds.
fn table_doc(name: &str) -> &'static str {
    match name {
        "cloudtrail" => "CloudTrail events, one row per event (\\d cloudtrail: its columns)",
        "rejects" => "records convert could not use: source, index, line, reason, raw text",
        integrity::FILE_CHECKS_TABLE => "log file integrity verdicts, one per check of a file",
        integrity::FILES_TABLE => "each log file's latest integrity verdict",
        integrity::CHAIN_CHECKS_TABLE => "digest chain verdicts, one per check of a chain",
        integrity::CHAINS_TABLE => "each digest chain's latest verdict",
        _ => "a table or view made in this session",
    }
}

/// A row count if it comes within a second (Parquet footers answer at once; a
/// large JSON table or raw archive would be read whole, and is not worth waiting for).
async fn quick_count(session: &Session, table: &str) -> Option<i64> {
    let count = async {
        let df = session
            .ctx
            .sql(&format!("SELECT count(*) FROM \"{table}\""))
            .await
            .ok()?;
        let batches = df.collect().await.ok()?;
        let column = batches.first()?.column(0).as_primitive_opt::<Int64Type>()?;
        (!column.is_empty()).then(|| column.value(0))
    };
    tokio::time::timeout(Duration::from_secs(1), count)
        .await
        .ok()
        .flatten()
}

/// `\d`, and with `system` (`\d+`, `\dS`) the information_schema views too.
pub async fn list_tables(session: &Session, system: bool) -> Result<String> {
    let mut names = session
        .ctx
        .catalog("datafusion")
        .and_then(|c| c.schema("public"))
        .map(|s| s.table_names())
        .unwrap_or_default();
    // Ours in a fixed order, then anything the user made.
    let rank = |n: &str| match n {
        "cloudtrail" => 0,
        "rejects" => 1,
        integrity::FILES_TABLE => 2,
        integrity::FILE_CHECKS_TABLE => 3,
        integrity::CHAINS_TABLE => 4,
        integrity::CHAIN_CHECKS_TABLE => 5,
        _ => 6,
    };
    names.sort_by(|a, b| (rank(a), a).cmp(&(rank(b), b)));
    let width = names
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(0)
        .max(if system { 30 } else { 18 });
    let mut out = String::new();
    for name in &names {
        let rows = match quick_count(session, name).await {
            Some(n) => format!("{n} rows"),
            None => String::new(),
        };
        let _ = writeln!(out, "  {name:<width$}  {rows:>12}  {}", table_doc(name));
    }
    if system {
        // The catalog's own listing leaves these out; information_schema has them.
        let sql = "SELECT table_schema || '.' || table_name FROM information_schema.tables \
                   WHERE table_schema = 'information_schema' ORDER BY 1";
        let batches = session.ctx.sql(sql).await?.collect().await?;
        let views: Vec<String> = batches
            .iter()
            .flat_map(|b| {
                let names = datafusion::arrow::compute::cast(b.column(0), &DataType::Utf8);
                let names: Vec<String> = names
                    .ok()
                    .map(|a| {
                        a.as_string::<i32>()
                            .iter()
                            .flatten()
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                names
            })
            .collect();
        for v in views {
            let _ = writeln!(out, "  {v:<width$}  {:>12}  system view", "");
        }
    } else {
        out.push_str("(\\d+ adds the information_schema views)\n");
    }
    Ok(out)
}

fn type_name(kind: &DataType) -> String {
    match kind {
        DataType::Struct(_) => "struct".to_string(),
        DataType::List(item) if matches!(item.data_type(), DataType::Struct(_)) => {
            "list of struct".to_string()
        }
        other => other.to_string(),
    }
}

/// `\d NAME`.
pub async fn describe(session: &Session, name: &str) -> Result<String> {
    let schema = session.ctx.table(name).await?.schema().as_arrow().clone();
    let paths = field_paths(schema.fields());
    let documented = schema
        .fields()
        .iter()
        .any(|f| column_doc(f.name()).is_some());
    let mut out = String::new();
    if !documented {
        for (path, kind) in paths {
            let _ = writeln!(out, "{path:<58} {}", type_name(&kind));
        }
        return Ok(out);
    }
    let group_of = |path: &str| {
        let top = path.split('.').next().unwrap_or(path);
        column_doc(top).map(|(g, _)| g)
    };
    let indented = |path: &str| 2 + path.matches('.').count() * 2 + path.len();
    let width = paths.iter().map(|(p, _)| indented(p)).max().unwrap_or(0) + 1;
    let groups = ColumnGroup::ALL.into_iter().map(Some).chain([None]);
    for group in groups {
        let members: Vec<&(String, DataType)> =
            paths.iter().filter(|(p, _)| group_of(p) == group).collect();
        if members.is_empty() {
            continue;
        }
        match group {
            Some(g) => {
                let _ = writeln!(out, "{}: {}", g.name(), g.description());
            }
            None => out.push_str("other:\n"),
        }
        for (path, kind) in members {
            let depth = path.matches('.').count();
            let text = if depth == 0 {
                column_doc(path).map_or("", |(_, d)| d)
            } else {
                ""
            };
            let shown = format!("{:indent$}{path}", "", indent = 2 + depth * 2);
            let _ = writeln!(out, "{shown:<width$} {:<20} {text}", type_name(kind));
        }
    }
    Ok(out
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n")
}
