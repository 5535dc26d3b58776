//! `trawl sql`: the shell, or scripts from `-c`, `-f` and stdin.

use std::io::Read;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::args::SqlArgs;
use crate::session::{announce, open_session, print_options, stdin_is_piped};

pub async fn run(a: SqlArgs) -> Result<ExitCode> {
    let (mut session, source) = open_session(
        &a.lake,
        a.session.engine.memory_limit,
        &a.session.engine.queries,
    )
    .await?;
    let scripted = !a.command.is_empty() || !a.file.is_empty() || stdin_is_piped();
    if !scripted {
        session.print = print_options(
            a.session.format,
            Some(a.session.maxrows.as_deref().unwrap_or("40")),
        )?;
        crate::shell::run(session, &source).await?;
        return Ok(ExitCode::SUCCESS);
    }
    announce(&source, a.session.engine.quiet);
    session.print = print_options(a.session.format, a.session.maxrows.as_deref())?;
    for sql in &a.command {
        session.run_sql(sql).await?;
    }
    for file in &a.file {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        session
            .run_sql(&text)
            .await
            .with_context(|| file.display().to_string())?;
    }
    if a.command.is_empty() && a.file.is_empty() {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        session.run_sql(&text).await?;
    }
    Ok(ExitCode::SUCCESS)
}
