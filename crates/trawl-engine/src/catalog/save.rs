//! A query from the shell made into a library file: the metadata header `trawl run`
//! reads, with a `param:` line for each `$name` placeholder, typed as the planner
//! infers it.

use datafusion::arrow::datatypes::DataType;
use datafusion::prelude::SessionContext;

use super::{CatalogError, Query, QueryKind, parse_query};

fn param_type(t: Option<&DataType>) -> &'static str {
    match t {
        Some(t) if t.is_integer() => "int",
        Some(t) if t.is_floating() || matches!(t, DataType::Decimal128(..)) => "float",
        Some(DataType::Boolean) => "bool",
        Some(DataType::Timestamp(..) | DataType::Date32 | DataType::Date64) => "timestamp",
        Some(DataType::Interval(_)) => "interval",
        _ => "string",
    }
}

/// The saved query `id` for `sql`, as [`parse_query`] reads it back (its `sql` is
/// the whole file text). Fails if `sql` does not plan in `ctx`, so what is saved runs.
pub async fn saved_query(
    ctx: &SessionContext,
    id: &str,
    title: &str,
    sql: &str,
) -> crate::Result<Query> {
    let path = format!("{id}.sql");
    let err = |message: String| CatalogError::Header {
        path: path.clone(),
        message,
    };
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(err("a query name is lower-case letters, digits and `_`".into()).into());
    }
    let body = sql.trim().trim_end_matches(';').trim_end();
    let df = crate::sql(ctx, body).await?;
    let types = df.logical_plan().get_parameter_types()?;
    // In the order they first appear in the text, as a reader meets them.
    let mut params: Vec<(usize, &str, &'static str)> = types
        .iter()
        .map(|(name, t)| {
            let bare = name.trim_start_matches('$');
            (
                body.find(name.as_str()).unwrap_or(usize::MAX),
                bare,
                param_type(t.as_ref()),
            )
        })
        .collect();
    params.sort();
    let title = if title.trim().is_empty() {
        id
    } else {
        title.trim()
    };
    let mut text = format!("-- title: {title}\n-- description: Saved from the trawl shell.\n");
    for (_, name, kind) in &params {
        text.push_str(&format!("-- param: {name} {kind} required\n"));
    }
    text.push_str(body);
    text.push_str(";\n");
    let q = parse_query(id, QueryKind::Investigation, &path, &text)?;
    if q.params.len() != params.len() {
        return Err(err(format!("placeholders {params:?} did not read back")).into());
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn placeholders_become_typed_params_in_order() {
        let ctx = crate::new_session().unwrap();
        ctx.sql("CREATE TABLE cloudtrail (eventname VARCHAR, eventtime TIMESTAMP, n BIGINT)")
            .await
            .unwrap();
        let q = saved_query(
            &ctx,
            "by_name",
            "By name",
            "SELECT * FROM cloudtrail WHERE eventname = $name AND eventtime >= $since AND n > $min;",
        )
        .await
        .unwrap();
        let params: Vec<(String, String)> = q
            .params
            .iter()
            .map(|p| (p.name.clone(), format!("{:?}", p.kind)))
            .collect();
        assert_eq!(
            params,
            [
                ("name".to_string(), "String".to_string()),
                ("since".to_string(), "Timestamp".to_string()),
                ("min".to_string(), "Int".to_string())
            ]
        );
        assert_eq!(q.title, "By name");
        assert!(q.sql.starts_with("-- title: By name\n"), "{}", q.sql);
        assert!(q.sql.ends_with("n > $min;\n"), "{}", q.sql);
        assert!(saved_query(&ctx, "Bad Name", "", "SELECT 1").await.is_err());
        assert!(
            saved_query(&ctx, "x", "", "SELECT nope FROM cloudtrail")
                .await
                .is_err()
        );
    }
}
