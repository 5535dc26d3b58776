//! The interactive shell: multi-line statements ending in `;`, persistent history,
//! highlighting, completion (keywords, tables, columns and struct paths, functions,
//! saved queries, meta-commands), backslash meta-commands, Ctrl-C to cancel a
//! running query, Ctrl-D to leave.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Result;
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Config, Context, Editor, Helper};

use crate::exec::{LakeSource, Session};
use crate::print::Format;

const KEYWORDS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP",
    "BY",
    "ORDER",
    "LIMIT",
    "HAVING",
    "AS",
    "AND",
    "OR",
    "NOT",
    "IN",
    "IS",
    "NULL",
    "LIKE",
    "ILIKE",
    "BETWEEN",
    "DISTINCT",
    "COUNT",
    "JOIN",
    "LEFT",
    "RIGHT",
    "INNER",
    "OUTER",
    "ON",
    "WITH",
    "UNION",
    "ALL",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "DESC",
    "ASC",
    "EXPLAIN",
    "ANALYZE",
    "INTERVAL",
    "TIMESTAMP",
    "DATE",
    "CAST",
    "SHOW",
    "TABLES",
    "COLUMNS",
    "DESCRIBE",
    "CREATE",
    "VIEW",
    "TRUE",
    "FALSE",
    "OVER",
    "PARTITION",
    "EXISTS",
    "SET",
    "VALUES",
    "COPY",
    "TO",
];

/// Meta-commands and their help lines.
pub const COMMANDS: &[(&str, &str)] = &[
    ("\\?", "this help"),
    ("\\q", "quit (also Ctrl-D)"),
    ("\\d", "list tables"),
    ("\\d NAME", "describe a table, struct fields included"),
    ("\\queries", "list saved queries"),
    ("\\run NAME [k=v ...]", "run a saved query with parameters"),
    ("\\timing [on|off]", "show how long each query took"),
    ("\\format table|csv|json|ndjson|markdown", "output format"),
    ("\\maxrows N|all", "rows shown in table output"),
    ("\\x", "toggle expanded output (one field per line)"),
    (
        "\\o [FILE]",
        "write results to FILE; \\o alone goes back to the screen",
    ),
    ("\\i FILE", "run the SQL in FILE"),
];

/// Completion words gathered when the session opens.
#[derive(Default)]
pub struct Words {
    pub tables: Vec<String>,
    pub columns: Vec<String>,
    pub functions: Vec<String>,
    pub queries: Vec<String>,
}

pub struct TrawlHelper {
    words: Words,
    color: bool,
}

fn word_start(line: &str, pos: usize) -> usize {
    line[..pos]
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '\\'))
        .map_or(0, |i| i + 1)
}

impl Completer for TrawlHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let start = word_start(line, pos);
        let word = &line[start..pos];
        let lower = word.to_ascii_lowercase();
        let pair = |s: &str| Pair {
            display: s.to_string(),
            replacement: s.to_string(),
        };
        let before = line[..start].trim_end();
        let mut out: Vec<Pair> = Vec::new();
        if before == "\\run" {
            out.extend(
                self.words
                    .queries
                    .iter()
                    .filter(|q| q.starts_with(&lower))
                    .map(|q| pair(q)),
            );
        } else if word.starts_with('\\') {
            out.extend(
                COMMANDS
                    .iter()
                    .map(|(c, _)| c.split_whitespace().next().unwrap_or(c))
                    .filter(|c| c.starts_with(word))
                    .map(pair),
            );
        } else if lower.contains('.') {
            out.extend(
                self.words
                    .columns
                    .iter()
                    .filter(|c| c.starts_with(&lower))
                    .map(|c| pair(c)),
            );
        } else if !word.is_empty() {
            let upper_first = word.chars().next().is_some_and(char::is_uppercase);
            for k in KEYWORDS {
                if k.to_ascii_lowercase().starts_with(&lower) {
                    out.push(pair(&if upper_first {
                        k.to_string()
                    } else {
                        k.to_ascii_lowercase()
                    }));
                }
            }
            for list in [
                &self.words.tables,
                &self.words.columns,
                &self.words.functions,
            ] {
                out.extend(
                    list.iter()
                        .filter(|c| !c.contains('.') && c.starts_with(&lower))
                        .map(|c| pair(c)),
                );
            }
        }
        out.sort_by(|a, b| a.replacement.cmp(&b.replacement));
        out.dedup_by(|a, b| a.replacement == b.replacement);
        Ok((start, out))
    }
}

impl Hinter for TrawlHelper {
    type Hint = String;
}

/// Whether a statement is complete: a meta-command, or SQL with an unquoted `;` at the end.
pub fn is_complete(input: &str) -> bool {
    let t = input.trim();
    if t.is_empty() || t.starts_with('\\') {
        return true;
    }
    let (mut single, mut double, mut last) = (false, false, None);
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '-' if !single && !double && chars.peek() == Some(&'-') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
                continue;
            }
            _ => {}
        }
        if !c.is_whitespace() {
            last = Some((c, single || double));
        }
    }
    matches!(last, Some((';', false)))
}

impl Validator for TrawlHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(if is_complete(ctx.input()) {
            ValidationResult::Valid(None)
        } else {
            ValidationResult::Incomplete
        })
    }
}

impl Highlighter for TrawlHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if !self.color {
            return Cow::Borrowed(line);
        }
        let mut out = String::with_capacity(line.len() + 32);
        let mut chars = line.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                let mut end = line.len();
                for (j, d) in chars.by_ref() {
                    if d == '\'' {
                        end = j + 1;
                        break;
                    }
                }
                out.push_str("\x1b[32m");
                out.push_str(&line[i..end]);
                out.push_str("\x1b[0m");
            } else if c.is_alphabetic() || c == '_' {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if d.is_alphanumeric() || d == '_' {
                        end = j + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                let word = &line[i..end];
                if KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word)) {
                    out.push_str("\x1b[1;34m");
                    out.push_str(word);
                    out.push_str("\x1b[0m");
                } else {
                    out.push_str(word);
                }
            } else {
                out.push(c);
            }
        }
        Cow::Owned(out)
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.color
    }
}

impl Helper for TrawlHelper {}

fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TRAWL_HISTORY") {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(base.join("trawl").join("history"))
}

async fn words(session: &Session) -> Words {
    let state = session.ctx.state();
    let mut functions: Vec<String> = state.scalar_functions().keys().cloned().collect();
    functions.extend(state.aggregate_functions().keys().cloned());
    functions.extend(state.window_functions().keys().cloned());
    functions.sort();
    let tables = session
        .ctx
        .catalog("datafusion")
        .and_then(|c| c.schema("public"))
        .map(|s| s.table_names())
        .unwrap_or_default();
    Words {
        tables,
        columns: crate::errors::column_paths(&session.ctx),
        functions,
        queries: session
            .catalog
            .queries
            .iter()
            .map(|q| q.id.clone())
            .collect(),
    }
}

/// Handles a meta-command; returns false to quit.
async fn command(session: &mut Session, line: &str) -> Result<bool> {
    let mut parts = line.split_whitespace();
    let cmd = parts.next().unwrap_or("");
    let args: Vec<&str> = parts.collect();
    match cmd {
        "\\q" | "\\quit" | "\\exit" => return Ok(false),
        "\\?" | "\\h" | "\\help" => {
            let width = COMMANDS.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
            let mut text = String::new();
            for (c, h) in COMMANDS {
                text.push_str(&format!("  {c:<width$}  {h}\n"));
            }
            text.push_str(
                "SQL statements end with `;` and may span lines. Ctrl-C cancels a running query.\n",
            );
            print!("{text}");
        }
        "\\d" if args.is_empty() => session.run_sql("SHOW TABLES;").await?,
        "\\d" => {
            let name = args[0].trim_end_matches(';');
            let schema = session.ctx.table(name).await?.schema().as_arrow().clone();
            let mut text = String::new();
            for (path, kind) in crate::errors::field_paths(schema.fields()) {
                let kind = if matches!(kind, datafusion::arrow::datatypes::DataType::Struct(_)) {
                    "struct".to_string()
                } else {
                    kind.to_string()
                };
                text.push_str(&format!("{path:<58} {kind}\n"));
            }
            print!("{text}");
        }
        "\\queries" => {
            for q in &session.catalog.queries {
                println!("  {:<32} {:<13} {}", q.id, q.kind, q.title);
            }
        }
        "\\run" => {
            let Some(name) = args.first() else {
                anyhow::bail!("usage: \\run NAME [param=value ...]")
            };
            let params: Vec<String> = args[1..].iter().map(|s| s.to_string()).collect();
            let given: HashMap<String, String> = crate::exec::parse_params(&params)?;
            let q = session.resolve_query(name)?;
            session.run_query(&q, &given).await?;
        }
        "\\timing" => {
            session.timing = match args.first() {
                Some(&"on") => true,
                Some(&"off") => false,
                _ => !session.timing,
            };
            println!("timing is {}", if session.timing { "on" } else { "off" });
        }
        "\\format" | "\\pset" => match args.last() {
            Some(f) => {
                session.print.format = f.parse::<Format>().map_err(anyhow::Error::msg)?;
                println!("format is {}", session.print.format);
            }
            None => println!("format is {}", session.print.format),
        },
        "\\maxrows" => {
            session.print.maxrows = match args.first() {
                Some(&"all") | Some(&"inf") | Some(&"none") => None,
                Some(n) => Some(
                    n.parse()
                        .map_err(|_| anyhow::anyhow!("\\maxrows takes a number or `all`"))?,
                ),
                None => session.print.maxrows,
            };
            println!(
                "maxrows is {}",
                session
                    .print
                    .maxrows
                    .map_or("all".to_string(), |n| n.to_string())
            );
        }
        "\\x" => {
            session.print.expanded = !session.print.expanded;
            println!(
                "expanded output is {}",
                if session.print.expanded { "on" } else { "off" }
            );
        }
        "\\o" => match args.first() {
            Some(path) => {
                let f = std::fs::File::create(path)?;
                session.output = Some((PathBuf::from(path), f));
                println!("results go to {path}");
            }
            None => {
                session.output = None;
                println!("results go to the screen");
            }
        },
        "\\i" => {
            let Some(path) = args.first() else {
                anyhow::bail!("usage: \\i FILE")
            };
            let text = std::fs::read_to_string(path)?;
            session.run_sql(&text).await?;
        }
        other => anyhow::bail!("unknown command {other} (\\? lists the commands)"),
    }
    Ok(true)
}

/// Runs the interactive shell until `\q` or Ctrl-D.
pub async fn run(mut session: Session, source: &LakeSource) -> Result<()> {
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
    session.spinner = std::io::IsTerminal::is_terminal(&std::io::stderr());
    match source {
        LakeSource::Given(p) => println!(
            "trawl {} on {} (\\? for help, \\q to quit)",
            env!("CARGO_PKG_VERSION"),
            p.display()
        ),
        LakeSource::Raw(sources, s) => println!(
            "trawl {} on raw sources {} ({} files, {} events; \\? for help, \\q to quit)",
            env!("CARGO_PKG_VERSION"),
            sources.join(" "),
            s.files,
            s.rows
        ),
        LakeSource::Sample(p) => println!(
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
                if let Some(h) = &history {
                    let _ = rl.save_history(h);
                }
                if input.starts_with('\\') {
                    let outcome = tokio::select! {
                        r = command(&mut session, input) => r,
                        _ = tokio::signal::ctrl_c() => { eprintln!("^C cancelled"); Ok(true) }
                    };
                    match outcome {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(e) => eprintln!(
                            "error: {}",
                            crate::errors::explain(&format!("{e:#}"), &session.ctx)
                        ),
                    }
                    continue;
                }
                let outcome = tokio::select! {
                    r = session.run_sql(input) => r,
                    _ = tokio::signal::ctrl_c() => { eprintln!("^C cancelled"); Ok(()) }
                };
                if let Err(e) = outcome {
                    eprintln!("error: {e:#}");
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_completeness() {
        assert!(is_complete("select 1;"));
        assert!(!is_complete("select 1"));
        assert!(!is_complete("select ';'"));
        assert!(is_complete("select ';';"));
        assert!(is_complete("select 1; -- comment"));
        assert!(is_complete("\\d"));
        assert!(!is_complete("select 1 -- ;"));
    }
}
