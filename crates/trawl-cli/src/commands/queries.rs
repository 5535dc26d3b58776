//! `trawl queries` and `trawl run`: the query library from the command line.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use comfy_table::{ContentArrangement, Table, presets};

use crate::args::{ListFormat, QueriesArgs, RunArgs};
use crate::session::{announce, open_session, parse_params, print_options};

pub fn list(a: QueriesArgs) -> Result<ExitCode> {
    let catalog = crate::session::load_catalog(&a.queries)?;
    // Written, not println!'d: a closed pipe is an error to return, not a panic.
    let mut out = std::io::stdout().lock();
    if a.format == ListFormat::Json {
        writeln!(out, "{}", serde_json::to_string_pretty(&catalog.queries)?)?;
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
            q.kind.to_string(),
            q.severity.map(|s| s.to_string()).unwrap_or_default(),
            q.title.clone(),
            params.join(", "),
        ]);
    }
    writeln!(out, "{table}")?;
    Ok(ExitCode::SUCCESS)
}

pub async fn run(a: RunArgs) -> Result<ExitCode> {
    let (mut session, source) = open_session(
        &a.lake,
        a.session.engine.memory_limit,
        &a.session.engine.queries,
    )
    .await?;
    announce(&source, a.session.engine.quiet);
    session.print = print_options(a.session.format, a.session.maxrows.as_deref())?;
    let query = session.resolve_query(&a.query)?;
    let given = parse_params(&a.params)?;
    session.run_query(&query, &given).await?;
    Ok(ExitCode::SUCCESS)
}
