//! The line editor's helper: completion (keywords, tables, columns and struct
//! paths, functions, saved queries, meta-commands), highlighting, and knowing when
//! a statement is complete.

use std::borrow::Cow;

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};

use super::command::MetaCommand;
use crate::session::Session;

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

/// Completion words gathered when the session opens.
#[derive(Default)]
pub struct Words {
    pub tables: Vec<String>,
    pub columns: Vec<String>,
    pub functions: Vec<String>,
    pub queries: Vec<String>,
}

pub struct TrawlHelper {
    pub words: Words,
    pub color: bool,
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
                MetaCommand::ALL
                    .iter()
                    .flat_map(|c| c.names())
                    .filter(|c| c.starts_with(word))
                    .map(|c| pair(c)),
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

pub async fn words(session: &Session) -> Words {
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
        columns: crate::explain::column_paths(&session.ctx),
        functions,
        // A library that cannot be read completes no query names; using one says why.
        queries: session
            .catalog()
            .map(|c| c.queries.iter().map(|q| q.id.clone()).collect())
            .unwrap_or_default(),
    }
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
