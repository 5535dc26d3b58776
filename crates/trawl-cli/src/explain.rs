//! One clear line for an error, with a "did you mean" for misspelled names; and the
//! schema's column and struct paths it suggests from (the shell completes them too).

use datafusion::arrow::datatypes::{DataType, Fields};
use datafusion::common::{Column, SchemaError};
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

/// One readable line for an error of a statement: an unknown column gets a "did
/// you mean" from the schema's own names, a missing table a pointer to `\d`.
pub fn explain(err: &anyhow::Error, ctx: &SessionContext) -> String {
    for cause in err.chain() {
        if let Some(SchemaError::FieldNotFound {
            field,
            valid_fields,
        }) = cause.downcast_ref::<SchemaError>()
        {
            return unknown_column(field.name(), valid_fields, ctx);
        }
    }
    // Each cause once: DataFusion's errors repeat their source in their own text.
    let mut text = String::new();
    for cause in err.chain() {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&cause);
        }
    }
    #[cfg(feature = "cluster")]
    if let Some(why) = trawl_engine::cluster::explain_error(&text) {
        return why;
    }
    let first = text.lines().next().unwrap_or(&text);
    // DataFusion reports a missing table as plan text, with no variant of its own.
    if first.contains("table") && first.contains("not found") {
        return format!("{first} (\\d lists the tables)");
    }
    first.to_string()
}

fn unknown_column(name: &str, valid: &[Column], ctx: &SessionContext) -> String {
    let in_scope: Vec<String> = valid.iter().map(|c| c.name().to_string()).collect();
    let hint = suggest(name, &in_scope).or_else(|| suggest(name, &column_paths(ctx)));
    match hint {
        Some(h) => format!("unknown column `{name}`; did you mean `{h}`?"),
        None => format!("unknown column `{name}` (\\d cloudtrail lists the columns)"),
    }
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

    #[tokio::test]
    async fn unknown_columns_are_matched_by_error_type() {
        let ctx = SessionContext::new();
        ctx.sql("CREATE TABLE cloudtrail (eventname VARCHAR, eventsource VARCHAR)")
            .await
            .unwrap();
        let err = ctx
            .sql("SELECT evntname FROM cloudtrail")
            .await
            .unwrap_err();
        // Wrapped twice, as the shell sees it: the match is on the type, not the text.
        let err = anyhow::Error::new(err).context("statement 1");
        assert_eq!(
            explain(&err, &ctx),
            "unknown column `evntname`; did you mean `eventname`?"
        );
        let err = ctx.sql("SELECT 1 FROM nowhere").await.unwrap_err();
        let text = explain(&anyhow::Error::new(err), &ctx);
        assert!(text.ends_with("(\\d lists the tables)"), "{text}");
    }
}
