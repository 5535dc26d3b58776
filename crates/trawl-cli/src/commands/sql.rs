//! `trawl sql`: the shell, or scripts from `-c`, `-f` and stdin.

use std::io::Read;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::args::SqlArgs;
use crate::exec::{LakeSource, open_session, stdin_is_piped};
use crate::print::{Format, PrintOptions};

/// Output settings from the command line.
pub fn print_options(format: &str, maxrows: Option<&str>) -> Result<PrintOptions> {
    let format: Format = format.parse().map_err(anyhow::Error::msg)?;
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

/// Says on stderr that the sample lake stands in for a missing one.
pub fn announce(source: &LakeSource, quiet: bool) {
    if quiet {
        return;
    }
    match source {
        LakeSource::Sample(p) => {
            eprintln!(
                "note: no lake given (--lake or TRAWL_LAKE); querying the bundled sample lake at {}",
                p.display()
            )
        }
        LakeSource::Raw(_, s) if s.rejected > 0 => eprintln!(
            "note: {} records of the raw sources could not be read (trawl convert keeps them in _rejects/)",
            s.rejected
        ),
        _ => {}
    }
}

pub async fn run(a: SqlArgs) -> Result<ExitCode> {
    let (mut session, source) =
        open_session(&a.lake, a.session.memory_limit, &a.session.queries).await?;
    let scripted = !a.command.is_empty() || !a.file.is_empty() || stdin_is_piped();
    if !scripted {
        session.print = print_options(
            &a.session.format,
            Some(a.session.maxrows.as_deref().unwrap_or("40")),
        )?;
        crate::repl::run(session, &source).await?;
        return Ok(ExitCode::SUCCESS);
    }
    announce(&source, a.session.quiet);
    session.print = print_options(&a.session.format, a.session.maxrows.as_deref())?;
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
