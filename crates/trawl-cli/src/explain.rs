//! One clear line for an error, with a "did you mean" for misspelled names.

use datafusion::arrow::datatypes::{DataType, Fields};
use datafusion::prelude::SessionContext;

/// Levenshtein distance, for suggestions.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Every column and struct path of a schema (`useridentity.sessioncontext.sessionissuer.arn`)
/// with its type, in schema order.
pub fn field_paths(fields: &Fields) -> Vec<(String, DataType)> {
    fn walk(prefix: &str, fields: &Fields, out: &mut Vec<(String, DataType)>) {
        for f in fields {
            let name = if prefix.is_empty() {
                f.name().clone()
            } else {
                format!("{prefix}.{}", f.name())
            };
            out.push((name.clone(), f.data_type().clone()));
            if let DataType::Struct(inner) = f.data_type() {
                walk(&name, inner, out);
            }
        }
    }
    let mut out = Vec::new();
    walk("", fields, &mut out);
    out
}

/// Column names and struct paths of every table.
pub fn column_paths(ctx: &SessionContext) -> Vec<String> {
    let mut out = Vec::new();
    let catalog = ctx.catalog("datafusion");
    let Some(schema) = catalog.and_then(|c| c.schema("public")) else {
        return out;
    };
    for table in schema.table_names() {
        if let Ok(Some(t)) = futures_lite_block(schema.table(&table)) {
            out.extend(field_paths(t.schema().fields()).into_iter().map(|(p, _)| p));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Polls a future that is ready at once (in-memory catalog lookups).
fn futures_lite_block<F: std::future::Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

/// The closest known name to `wrong`, if one is close enough to be a typo.
pub fn suggest(wrong: &str, candidates: &[String]) -> Option<String> {
    let wrong = wrong.to_ascii_lowercase();
    let budget = (wrong.len() / 3).clamp(1, 3);
    candidates
        .iter()
        .map(|c| (distance(&wrong, c), c))
        .filter(|(d, _)| *d <= budget)
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c.clone())
}

/// Rewrites DataFusion's messages into one readable line.
pub fn explain(message: &str, ctx: &SessionContext) -> String {
    let first = message.lines().next().unwrap_or(message);
    if let Some(rest) = first.split("No field named ").nth(1) {
        // `rest` is `name. Did you mean 'cloudtrail.x'?` or `name. Valid fields are ...`.
        let name = rest
            .split(". ")
            .next()
            .unwrap_or(rest)
            .trim_end_matches('.')
            .trim_matches(['"', '\'']);
        let offered = rest
            .split("Did you mean '")
            .nth(1)
            .and_then(|r| r.split('\'').next())
            .map(|s| s.strip_prefix("cloudtrail.").unwrap_or(s).to_string());
        let hint = offered.or_else(|| suggest(name, &column_paths(ctx)));
        return match hint {
            Some(h) => format!("unknown column `{name}`; did you mean `{h}`?"),
            None => format!("unknown column `{name}` (\\d cloudtrail lists the columns)"),
        };
    }
    if first.contains("table") && first.contains("not found") {
        return format!("{first} (\\d lists the tables)");
    }
    first.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let cols = vec![
            "eventname".to_string(),
            "eventsource".to_string(),
            "useridentity.arn".to_string(),
        ];
        assert_eq!(suggest("evntname", &cols).as_deref(), Some("eventname"));
        assert_eq!(
            suggest("useridentity.anr", &cols).as_deref(),
            Some("useridentity.arn")
        );
        assert_eq!(suggest("completely_different", &cols), None);
    }
}
