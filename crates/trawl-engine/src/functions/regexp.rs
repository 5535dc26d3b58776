//! Trino's regular expression functions that DataFusion lacks or means otherwise:
//! `regexp_extract`, `regexp_extract_all`, `regexp_split`, and `regexp_replace`
//! replacing every match (DataFusion's replaces the first unless given the `g` flag;
//! with a flags argument it is DataFusion's).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, ListBuilder, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::ScalarUDF;
use regex::Regex;

use super::overload::{Overload, When};
use super::{ints, strings, udf_any};

/// Compiled patterns of one batch: nearly always one literal, compiled once. A
/// pattern that does not compile is an error: a mistake in the query, not the data.
struct Patterns<'a> {
    fname: &'a str,
    last: Option<(String, Regex)>,
}

impl<'a> Patterns<'a> {
    fn new(fname: &'a str) -> Self {
        Self { fname, last: None }
    }

    fn get(&mut self, pattern: &str) -> Result<&Regex> {
        if self.last.as_ref().is_none_or(|(p, _)| p != pattern) {
            match Regex::new(pattern) {
                Ok(re) => self.last = Some((pattern.to_string(), re)),
                Err(e) => return exec_err!("{}: invalid pattern {pattern:?}: {e}", self.fname),
            }
        }
        match &self.last {
            Some((_, re)) => Ok(re),
            None => exec_err!("{}: no pattern", self.fname),
        }
    }
}

/// The capturing group a call asks for (0, the whole match, when not given); a group
/// the pattern does not have is an error, as in Trino.
fn group(fname: &str, re: &Regex, g: Option<i64>) -> Result<usize> {
    let g = g.unwrap_or(0);
    match usize::try_from(g) {
        Ok(g) if g < re.captures_len() => Ok(g),
        _ => exec_err!(
            "{fname}: pattern {:?} has no capturing group {g}",
            re.as_str()
        ),
    }
}

fn utf8_list() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
}

/// `regexp_extract(s, pattern [, group])`: the first match (or its group); null when
/// nothing matches.
pub(super) fn regexp_extract_udf() -> ScalarUDF {
    udf_any("regexp_extract", &[2, 3], DataType::Utf8, |a| {
        let (s, p) = (strings(&a[0])?, strings(&a[1])?);
        let g = a.get(2).map(ints).transpose()?;
        let mut patterns = Patterns::new("regexp_extract");
        let mut out = StringBuilder::new();
        for i in 0..s.len() {
            if s.is_null(i) || p.is_null(i) || g.as_ref().is_some_and(|g| g.is_null(i)) {
                out.append_null();
                continue;
            }
            let re = patterns.get(p.value(i))?;
            let g = group("regexp_extract", re, g.as_ref().map(|g| g.value(i)))?;
            let found = re
                .captures(s.value(i))
                .and_then(|c| c.get(g))
                .map(|m| m.as_str());
            out.append_option(found);
        }
        Ok(Arc::new(out.finish()) as ArrayRef)
    })
}

/// `regexp_extract_all(s, pattern [, group])`: every match (or its group), an empty
/// array when nothing matches.
pub(super) fn regexp_extract_all_udf() -> ScalarUDF {
    udf_any("regexp_extract_all", &[2, 3], utf8_list(), |a| {
        let (s, p) = (strings(&a[0])?, strings(&a[1])?);
        let g = a.get(2).map(ints).transpose()?;
        let mut patterns = Patterns::new("regexp_extract_all");
        let mut out = ListBuilder::new(StringBuilder::new());
        for i in 0..s.len() {
            if s.is_null(i) || p.is_null(i) || g.as_ref().is_some_and(|g| g.is_null(i)) {
                out.append_null();
                continue;
            }
            let re = patterns.get(p.value(i))?;
            let g = group("regexp_extract_all", re, g.as_ref().map(|g| g.value(i)))?;
            for c in re.captures_iter(s.value(i)) {
                out.values().append_option(c.get(g).map(|m| m.as_str()));
            }
            out.append(true);
        }
        Ok(Arc::new(out.finish()) as ArrayRef)
    })
}

/// `regexp_split(s, pattern)`: the text between the matches.
pub(super) fn regexp_split_udf() -> ScalarUDF {
    udf_any("regexp_split", &[2], utf8_list(), |a| {
        let (s, p) = (strings(&a[0])?, strings(&a[1])?);
        let mut patterns = Patterns::new("regexp_split");
        let mut out = ListBuilder::new(StringBuilder::new());
        for i in 0..s.len() {
            if s.is_null(i) || p.is_null(i) {
                out.append_null();
                continue;
            }
            let re = patterns.get(p.value(i))?;
            for piece in re.split(s.value(i)) {
                out.values().append_value(piece);
            }
            out.append(true);
        }
        Ok(Arc::new(out.finish()) as ArrayRef)
    })
}

/// A replacement written for Trino (`$1`, `${name}`, `\$` for a dollar) in the regex
/// crate's syntax. `\1` is read as group 1 too, as DataFusion and PostgreSQL write it
/// (trawl's own queries do), where Trino would print a `1`.
fn replacement(r: &str) -> String {
    let mut out = String::with_capacity(r.len());
    let mut chars = r.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(d) if d.is_ascii_digit() => {
                    out.push_str("${");
                    out.push(d);
                    out.push('}');
                }
                Some('$') => out.push_str("$$"),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            '$' => match chars.peek() {
                Some(d) if d.is_ascii_digit() => {
                    out.push_str("${");
                    while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                        out.push(d);
                        chars.next();
                    }
                    out.push('}');
                }
                Some('{') => out.push('$'),
                _ => out.push_str("$$"),
            },
            other => out.push(other),
        }
    }
    out
}

/// Trino's `regexp_replace(s, pattern [, replacement])`: every match replaced (by
/// nothing when no replacement is given).
fn trino_regexp_replace() -> ScalarUDF {
    udf_any("regexp_replace", &[2, 3], DataType::Utf8, |a| {
        let (s, p) = (strings(&a[0])?, strings(&a[1])?);
        let r = a.get(2).map(strings).transpose()?;
        let mut patterns = Patterns::new("regexp_replace");
        let mut out = StringBuilder::new();
        let mut last_replacement: Option<(String, String)> = None;
        for i in 0..s.len() {
            if s.is_null(i) || p.is_null(i) || r.as_ref().is_some_and(|r| r.is_null(i)) {
                out.append_null();
                continue;
            }
            let re = patterns.get(p.value(i))?;
            let written = r.as_ref().map_or("", |r| r.value(i));
            if last_replacement.as_ref().is_none_or(|(w, _)| w != written) {
                last_replacement = Some((written.to_string(), replacement(written)));
            }
            let with = last_replacement
                .as_ref()
                .map_or("", |(_, with)| with.as_str());
            out.append_value(re.replace_all(s.value(i), with));
        }
        Ok(Arc::new(out.finish()) as ArrayRef)
    })
}

/// `regexp_replace`: Trino's with two or three arguments, DataFusion's (`builtin`)
/// with flags.
pub(super) fn regexp_replace_udf(builtin: Option<Arc<ScalarUDF>>) -> ScalarUDF {
    Overload::udf(
        "regexp_replace",
        When::ArgsAtMost(3),
        Arc::new(trino_regexp_replace()),
        builtin,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacements_in_regex_syntax() {
        assert_eq!(replacement("$1-$2"), "${1}-${2}");
        assert_eq!(replacement("${name}x"), "${name}x");
        assert_eq!(replacement(r"\1 costs \$5"), "${1} costs $$5");
        assert_eq!(replacement("$"), "$$");
        // Trino's documented example: regexp_replace('1a 2b 14m', '(\d+)([ab]) ', '3c$2 ')
        // is '3ca 3cb 14m'.
        let re = Regex::new(r"(\d+)([ab]) ").unwrap();
        assert_eq!(
            re.replace_all("1a 2b 14m", replacement("3c$2 ").as_str()),
            "3ca 3cb 14m"
        );
    }
}
