//! `trawl queries` and `trawl run`: the query library from the command line.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use comfy_table::{ContentArrangement, Table, presets};
use trawl_engine::catalog::Catalog;

use crate::args::{QueriesArgs, RunArgs};
use crate::exec::{open_session, parse_params};

/// User query folders: `--queries` directories, then `$XDG_CONFIG_HOME/trawl/queries`
/// (or `~/.config/trawl/queries`) when it exists.
pub fn query_dirs(extra: &[PathBuf]) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
    if let Some(c) = config {
        let d = c.join("trawl").join("queries");
        if d.is_dir() {
            dirs.push(d);
        }
    }
    dirs.extend(extra.iter().cloned());
    dirs
}

pub fn list(a: QueriesArgs) -> Result<ExitCode> {
    let catalog = Catalog::load(&query_dirs(&a.queries))?;
    if a.format == "json" {
        println!("{}", serde_json::to_string_pretty(&catalog.queries)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled);
    table.set_header(vec!["id", "kind", "severity", "title", "parameters"]);
    for q in &catalog.queries {
        let params: Vec<String> = q
            .params
            .iter()
            .map(|p| match &p.default {
                Some(d) => format!("{}={d}", p.name),
                None => format!("{} (required)", p.name),
            })
            .collect();
        table.add_row(vec![
            q.id.clone(),
            q.kind.clone(),
            q.meta.get("severity").cloned().unwrap_or_default(),
            q.title.clone(),
            params.join(", "),
        ]);
    }
    println!("{table}");
    Ok(ExitCode::SUCCESS)
}

pub async fn run(a: RunArgs) -> Result<ExitCode> {
    let (mut session, source) =
        open_session(&a.lake, a.session.memory_limit, &a.session.queries).await?;
    crate::sql::announce(&source, a.session.quiet);
    session.print = crate::sql::print_options(&a.session.format, a.session.maxrows.as_deref())?;
    let query = session.resolve_query(&a.query)?;
    let given = parse_params(&a.params)?;
    session.run_query(&query, &given).await?;
    Ok(ExitCode::SUCCESS)
}
