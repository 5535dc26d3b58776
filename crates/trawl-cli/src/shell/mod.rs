//! The interactive shell: multi-line statements ending in `;`, persistent history,
//! highlighting, completion, backslash meta-commands ([`command`]), Ctrl-C to
//! cancel a running query, Ctrl-D to leave.

mod analyze;
mod command;
mod describe;
mod helper;
mod interrupt;

use std::path::PathBuf;

use anyhow::Result;
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{Config, Editor};

use crate::explain::explain;
use crate::pager::Paging;
use crate::session::{LakeSource, Session};
use command::MetaCommand;
use helper::{TrawlHelper, words};
use interrupt::Interrupts;

fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TRAWL_HISTORY") {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(base.join("trawl").join("history"))
}

/// Runs the interactive shell until `\q` or Ctrl-D.
pub async fn run(mut session: Session, source: &LakeSource) -> Result<()> {
    let interrupts = Interrupts::listen()?;
    let color = std::env::var_os("NO_COLOR").is_none();
    let helper = TrawlHelper {
        words: words(&session).await,
        color,
    };
    let config = Config::builder()
        .auto_add_history(false)
        .max_history_size(10_000)?
        .history_ignore_dups(true)?
        .build();
    let mut rl: Editor<TrawlHelper, FileHistory> = Editor::with_config(config)?;
    rl.set_helper(Some(helper));
    let history = history_path();
    if let Some(h) = &history {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = rl.load_history(h);
    }
    session.recent = rl.history().iter().cloned().collect();
    session.paging = Paging::Auto;
    session.spinner = std::io::IsTerminal::is_terminal(&std::io::stderr());
    match source {
        LakeSource::Given(p) => stdout_line!(
            "trawl {} on {} (\\? for help, \\q to quit)",
            env!("CARGO_PKG_VERSION"),
            p.display()
        ),
        LakeSource::Raw(sources, s) => stdout_line!(
            "trawl {} on raw sources {} ({} files, {} events; \\? for help, \\q to quit)",
            env!("CARGO_PKG_VERSION"),
            sources.join(" "),
            s.files,
            s.rows
        ),
        LakeSource::Sample(p) => stdout_line!(
            "trawl {}: no lake given (--lake or TRAWL_LAKE), so this is the bundled sample lake at {} (\\? for help, \\q to quit)",
            env!("CARGO_PKG_VERSION"),
            p.display()
        ),
    }
    loop {
        match rl.readline("trawl> ") {
            Ok(line) => {
                let input = line.trim();
                if input.is_empty() {
                    continue;
                }
                let _ = rl.add_history_entry(input);
                session.recent.push(input.to_string());
                let known = session.recent.len();
                // `EXPLAIN ANALYZE` typed as SQL gets `\explain`'s tree.
                let line = match explain_analyze_body(input) {
                    Some(body) => format!("\\explain {body}"),
                    None => input.to_string(),
                };
                if line.starts_with('\\') {
                    let outcome = tokio::select! {
                        r = MetaCommand::run_line(&mut session, &line) => r,
                        _ = interrupts.next() => { stderr_line!("^C cancelled"); Ok(true) }
                    };
                    // Statements a command ran (`\e`) are history too.
                    for s in session.recent.iter().skip(known) {
                        let _ = rl.add_history_entry(s.as_str());
                    }
                    if let Some(h) = &history {
                        let _ = rl.save_history(h);
                    }
                    match outcome {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(e) => stderr_line!("error: {}", explain(&e, &session.ctx)),
                    }
                    continue;
                }
                if let Some(h) = &history {
                    let _ = rl.save_history(h);
                }
                let outcome = tokio::select! {
                    r = session.run_sql(input) => r,
                    _ = interrupts.next() => { stderr_line!("^C cancelled"); Ok(()) }
                };
                if let Err(e) = outcome {
                    stderr_line!("error: {e:#}");
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// The statement of an `EXPLAIN ANALYZE` (not `VERBOSE`, which keeps DataFusion's own
/// output).
fn explain_analyze_body(input: &str) -> Option<&str> {
    let mut words = input.split_whitespace();
    let first = words.next()?;
    let second = words.next()?;
    let third = words.next()?;
    let plain = first.eq_ignore_ascii_case("explain")
        && second.eq_ignore_ascii_case("analyze")
        && !third.eq_ignore_ascii_case("verbose")
        && !third.eq_ignore_ascii_case("format");
    let rest = input.trim_start()[first.len()..].trim_start()[second.len()..].trim();
    plain.then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_analyze_is_recognised() {
        assert_eq!(
            explain_analyze_body("explain  ANALYZE select 1;"),
            Some("select 1;")
        );
        assert_eq!(
            explain_analyze_body("EXPLAIN ANALYZE VERBOSE select 1;"),
            None
        );
        assert_eq!(explain_analyze_body("EXPLAIN select 1;"), None);
        assert_eq!(explain_analyze_body("select 1;"), None);
    }
}
