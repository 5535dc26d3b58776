//! The shell's backslash meta-commands: one enum, whose usages and descriptions
//! are also the `\?` help and the completion list.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};

use super::analyze::explain_analyze;
use super::describe::{describe, list_tables};
use crate::pager::Paging;
use crate::print::{Expanded, Format};
use crate::session::{Session, parse_params, user_query_dir};

/// A meta-command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaCommand {
    Help,
    Quit,
    Describe,
    Queries,
    Run,
    Save,
    Edit,
    History,
    Explain,
    Watch,
    Chart,
    Timing,
    Format,
    MaxRows,
    Expanded,
    Pager,
    Output,
    Include,
}

impl MetaCommand {
    /// In the order `\?` lists them.
    pub const ALL: [MetaCommand; 18] = [
        Self::Help,
        Self::Quit,
        Self::Describe,
        Self::Queries,
        Self::Run,
        Self::Save,
        Self::Edit,
        Self::History,
        Self::Explain,
        Self::Watch,
        Self::Chart,
        Self::Timing,
        Self::Format,
        Self::MaxRows,
        Self::Expanded,
        Self::Pager,
        Self::Output,
        Self::Include,
    ];

    /// What the user types; the first is the one the help shows.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Self::Help => &["\\?", "\\h", "\\help"],
            Self::Quit => &["\\q", "\\quit", "\\exit"],
            Self::Describe => &["\\d", "\\d+", "\\dS", "\\dS+"],
            Self::Queries => &["\\queries"],
            Self::Run => &["\\run"],
            Self::Save => &["\\save"],
            Self::Edit => &["\\e", "\\edit"],
            Self::History => &["\\history", "\\s"],
            Self::Explain => &["\\explain"],
            Self::Watch => &["\\watch"],
            Self::Chart => &["\\chart"],
            Self::Timing => &["\\timing"],
            Self::Format => &["\\format", "\\pset"],
            Self::MaxRows => &["\\maxrows"],
            Self::Expanded => &["\\x"],
            Self::Pager => &["\\pager"],
            Self::Output => &["\\o"],
            Self::Include => &["\\i"],
        }
    }

    /// Its arguments, as the help shows them.
    pub fn usage(self) -> &'static str {
        match self {
            Self::Describe => "[NAME]",
            Self::Run => "NAME [k=v ...]",
            Self::Save => "NAME [title]",
            Self::History => "[N]",
            Self::Explain => "[SQL]",
            Self::Watch => "[SECONDS]",
            Self::Timing => "[on|off]",
            Self::Format => "table|csv|json|ndjson|markdown|html",
            Self::MaxRows => "N|all",
            Self::Expanded => "[on|off|auto]",
            Self::Pager => "[on|off|auto]",
            Self::Output => "[FILE]",
            Self::Include => "FILE",
            Self::Help | Self::Quit | Self::Queries | Self::Edit | Self::Chart => "",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::Help => "this help",
            Self::Quit => "quit (also Ctrl-D)",
            Self::Describe => {
                "list tables (\\d+ adds system views); with NAME, its columns and struct fields"
            }
            Self::Queries => "list saved queries",
            Self::Run => "run a saved query with parameters",
            Self::Save => {
                "save the last query as NAME, its $params declared, for \\run and trawl run"
            }
            Self::Edit => "edit the last query in $EDITOR; it runs when the editor exits",
            Self::History => "the last N statements (default 20)",
            Self::Explain => {
                "run SQL (or the last query) and show its plan: rows, bytes, time, pruning"
            }
            Self::Watch => "run the last query again every SECONDS (default 2) until Ctrl-C",
            Self::Chart => {
                "draw the last result: bars of its first number column by its first text column (a sparkline past 40 rows)"
            }
            Self::Timing => "show how long each query took",
            Self::Format => "output format",
            Self::MaxRows => "rows shown in table output",
            Self::Expanded => "expanded output (one field per line); auto: when a row is too wide",
            Self::Pager => "results taller or wider than the terminal go to $PAGER (less -SRFX)",
            Self::Output => "write results to FILE; \\o alone goes back to the screen",
            Self::Include => "run the SQL in FILE",
        }
    }

    pub fn lookup(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.names().contains(&name))
    }

    /// The `\?` text.
    pub fn help() -> String {
        let usage = |c: MetaCommand| match c.usage() {
            "" => c.names()[0].to_string(),
            u => format!("{} {u}", c.names()[0]),
        };
        let width = Self::ALL.iter().map(|c| usage(*c).len()).max().unwrap_or(0);
        let mut text = String::new();
        for c in Self::ALL {
            text.push_str(&format!("  {:<width$}  {}\n", usage(c), c.description()));
        }
        text.push_str(
            "SQL statements end with `;` and may span lines. Ctrl-C cancels a running query.\n",
        );
        text
    }

    /// Runs one meta-command line; returns false to quit.
    pub async fn run_line(session: &mut Session, line: &str) -> Result<bool> {
        let line = line.trim().trim_end_matches(';');
        let (name, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let args: Vec<&str> = rest.split_whitespace().collect();
        let command = Self::lookup(name)
            .ok_or_else(|| anyhow!("unknown command {name} (\\? lists the commands)"))?;
        command.run(session, name, rest.trim(), &args).await
    }

    async fn run(
        self,
        session: &mut Session,
        name: &str,
        rest: &str,
        args: &[&str],
    ) -> Result<bool> {
        match self {
            Self::Quit => return Ok(false),
            Self::Help => {
                use std::io::Write as _;
                let _ = write!(std::io::stdout(), "{}", Self::help());
            }
            Self::Describe => {
                let text = match args.first() {
                    None => list_tables(session, name != "\\d").await?,
                    Some(table) => describe(session, table).await?,
                };
                session.emit(&text)?;
            }
            Self::Queries => {
                for q in &session.catalog()?.queries {
                    stdout_line!("  {:<32} {:<13} {}", q.id, q.kind, q.title);
                }
            }
            Self::Run => {
                let Some(name) = args.first() else {
                    bail!("usage: \\run {}", self.usage())
                };
                let params: Vec<String> = args[1..].iter().map(|s| s.to_string()).collect();
                let given: HashMap<String, String> = parse_params(&params)?;
                let q = session.resolve_query(name)?;
                session.run_query(&q, &given).await?;
            }
            Self::Save => save(session, args).await?,
            Self::Edit => edit(session).await?,
            Self::History => {
                let n = match args.first() {
                    Some(n) => n.parse().map_err(|_| anyhow!("\\history takes a number"))?,
                    None => 20,
                };
                let from = session.recent.len().saturating_sub(n);
                let mut text = String::new();
                for (i, s) in session.recent.iter().enumerate().skip(from) {
                    text.push_str(&format!("{:>5}  {}\n", i + 1, s.replace('\n', "\n       ")));
                }
                session.emit(&text)?;
            }
            Self::Explain => {
                let sql = match rest {
                    "" => last_sql(session)?,
                    sql => sql.to_string(),
                };
                let text = explain_analyze(session, &sql).await?;
                session.emit(&text)?;
            }
            Self::Watch => watch(session, args).await?,
            Self::Chart => {
                let Some((schema, batches)) = &session.last_result else {
                    bail!("no result yet: run a query first");
                };
                let width = crate::pager::terminal_size().map_or(80, |(cols, _)| cols);
                let text = crate::print::terminal_chart(schema, batches, width)?;
                session.emit(&text)?;
            }
            Self::Timing => {
                session.timing = match args.first() {
                    Some(&"on") => true,
                    Some(&"off") => false,
                    _ => !session.timing,
                };
                stdout_line!("timing is {}", if session.timing { "on" } else { "off" });
            }
            Self::Format => {
                if let Some(f) = args.last() {
                    session.print.format = <Format as clap::ValueEnum>::from_str(f, true)
                        .map_err(|_| anyhow!("unknown format `{f}` ({})", self.usage()))?;
                }
                stdout_line!("format is {}", session.print.format);
            }
            Self::MaxRows => {
                session.print.maxrows = match args.first() {
                    Some(&"all") | Some(&"inf") | Some(&"none") => None,
                    Some(n) => Some(
                        n.parse()
                            .map_err(|_| anyhow!("\\maxrows takes a number or `all`"))?,
                    ),
                    None => session.print.maxrows,
                };
                stdout_line!(
                    "maxrows is {}",
                    session
                        .print
                        .maxrows
                        .map_or("all".to_string(), |n| n.to_string())
                );
            }
            Self::Expanded => {
                session.print.expanded = match args.first() {
                    Some(&"on") => Expanded::On,
                    Some(&"off") => Expanded::Off,
                    Some(&"auto") => Expanded::Auto,
                    Some(other) => bail!("\\x takes on, off or auto, not `{other}`"),
                    None if session.print.expanded == Expanded::Off => Expanded::On,
                    None => Expanded::Off,
                };
                stdout_line!("expanded output is {}", session.print.expanded);
            }
            Self::Pager => {
                session.paging = match args.first() {
                    Some(&"on") => Paging::On,
                    Some(&"off") => Paging::Off,
                    Some(&"auto") => Paging::Auto,
                    Some(other) => bail!("\\pager takes on, off or auto, not `{other}`"),
                    None => session.paging,
                };
                stdout_line!(
                    "pager is {} ({})",
                    session.paging,
                    crate::pager::pager_command()
                );
            }
            Self::Output => match args.first() {
                Some(path) => {
                    let f = std::fs::File::create(path)?;
                    session.output = Some((PathBuf::from(path), f));
                    stdout_line!("results go to {path}");
                }
                None => {
                    session.output = None;
                    stdout_line!("results go to the screen");
                }
            },
            Self::Include => {
                let Some(path) = args.first() else {
                    bail!("usage: \\i {}", self.usage())
                };
                let text = std::fs::read_to_string(path)?;
                session.run_sql(&text).await?;
            }
        }
        Ok(true)
    }
}

fn last_sql(session: &Session) -> Result<String> {
    session
        .last_sql()
        .map(str::to_string)
        .ok_or_else(|| anyhow!("no query yet: run one first"))
}

/// `\save NAME [title]`: the last query into the user's query folder.
async fn save(session: &mut Session, args: &[&str]) -> Result<()> {
    let Some(name) = args.first() else {
        bail!("usage: \\save {}", MetaCommand::Save.usage())
    };
    let sql = last_sql(session)?;
    let query =
        trawl_engine::catalog::saved_query(&session.ctx, name, &args[1..].join(" "), &sql).await?;
    let dir = user_query_dir()
        .ok_or_else(|| anyhow!("no HOME or XDG_CONFIG_HOME to find the query folder in"))?;
    std::fs::create_dir_all(&dir).with_context(|| dir.display().to_string())?;
    let path = dir.join(format!("{name}.sql"));
    if path.exists() {
        bail!(
            "{} exists; save under another name or delete it first",
            path.display()
        );
    }
    std::fs::write(&path, &query.sql).with_context(|| path.display().to_string())?;
    session.reload_catalog();
    // Read now, so a query file that cannot be loaded is named at the `\save`.
    session.catalog()?;
    let params: Vec<String> = query
        .params
        .iter()
        .map(|p| format!("{}=...", p.name))
        .collect();
    stdout_line!(
        "saved {}; run it with \\run {name} {}",
        path.display(),
        params.join(" ")
    );
    Ok(())
}

/// `\e`: the last query in `$VISUAL` or `$EDITOR` (else `vi`); what the editor
/// leaves in the file runs when it exits successfully.
async fn edit(session: &mut Session) -> Result<()> {
    let initial = session.last_sql().unwrap_or("").to_string();
    let file = tempfile::Builder::new()
        .prefix("trawl-")
        .suffix(".sql")
        .tempfile()?;
    std::fs::write(file.path(), format!("{initial}\n"))?;
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()))
        .unwrap_or_else(|| "vi".to_string());
    // Through the shell, so the editor may carry arguments (`code --wait`).
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(file.path())
        .status()
        .with_context(|| format!("cannot start the editor `{editor}`"))?;
    if !status.success() {
        bail!("the editor `{editor}` exited with {status}; nothing was run");
    }
    let text = std::fs::read_to_string(file.path())?;
    let text = text.trim();
    if text.is_empty() {
        stdout_line!("the file is empty; nothing was run");
        return Ok(());
    }
    stdout_line!("{text}");
    session.recent.push(text.to_string());
    session.run_sql(text).await
}

/// Puts the paging mode back when `\watch` ends, Ctrl-C included (which drops the
/// future mid-loop).
struct PagingBack<'a>(&'a mut Session, Paging);

impl Drop for PagingBack<'_> {
    fn drop(&mut self) {
        self.0.paging = self.1;
    }
}

/// `\watch [SECONDS]`: the last query, again and again; the shell's Ctrl-C stops it.
async fn watch(session: &mut Session, args: &[&str]) -> Result<()> {
    let seconds: f64 = match args.first() {
        Some(s) => s
            .parse()
            .ok()
            .filter(|s: &f64| *s > 0.0 && s.is_finite())
            .ok_or_else(|| anyhow!("\\watch takes a number of seconds above 0"))?,
        None => 2.0,
    };
    let sql = last_sql(session)?;
    // A pager would stop each round until the user quits it.
    let paging = session.paging;
    session.paging = Paging::Off;
    let guard = PagingBack(session, paging);
    loop {
        stdout_line!(
            "{} (every {seconds} s; Ctrl-C stops)",
            chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
        );
        guard.0.run_sql(&sql).await?;
        tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_a_help_line_and_is_found_by_each_name() {
        let help = MetaCommand::help();
        for c in MetaCommand::ALL {
            assert!(help.contains(c.description()), "{c:?}");
            for n in c.names() {
                assert_eq!(MetaCommand::lookup(n), Some(c));
            }
        }
        assert_eq!(MetaCommand::lookup("\\nope"), None);
        assert!(help.contains("\\run NAME [k=v ...]"));
    }
}
