//! Result headers named as the user wrote the select list: DataFusion heads a struct
//! field `cloudtrail.useridentity[arn]` and a JSON lookup with its function call;
//! people read `useridentity.arn` and `bucketName`. Explicit aliases always win.

use datafusion::common::Column;
use datafusion::dataframe::DataFrame;
use datafusion::logical_expr::Expr as PlanExpr;
use datafusion::sql::parser::Statement;
use datafusion::sql::sqlparser::ast::{
    self, BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, SelectItem,
    SetExpr,
};

/// A header for one select item: the short form, and the longer written form for
/// when the short one is taken by another column.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Header {
    short: String,
    long: String,
}

/// The select list of a query statement (the first branch of a set operation, which
/// names the columns), or nothing for other statements and for `*`, whose items do
/// not match output columns one to one.
fn select_items(statement: &Statement) -> Option<&[SelectItem]> {
    let Statement::Statement(s) = statement else {
        return None;
    };
    let ast::Statement::Query(q) = s.as_ref() else {
        return None;
    };
    let mut body = q.body.as_ref();
    let items = loop {
        match body {
            SetExpr::Select(s) => break Some(s.projection.as_slice()),
            SetExpr::Query(q) => body = q.body.as_ref(),
            SetExpr::SetOperation { left, .. } => body = left.as_ref(),
            _ => break None,
        }
    };
    items.filter(|items| {
        !items.iter().any(|i| {
            matches!(
                i,
                SelectItem::Wildcard(_)
                    | SelectItem::QualifiedWildcard(..)
                    | SelectItem::ExprWithAliases { .. }
            )
        })
    })
}

/// An identifier as the planner resolves it: unquoted ones are lower-cased.
fn ident(i: &Ident) -> String {
    if i.quote_style.is_some() {
        i.value.clone()
    } else {
        i.value.to_ascii_lowercase()
    }
}

fn string_literal(e: &Expr) -> Option<&str> {
    match e {
        Expr::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(s) | ast::Value::DoubleQuotedString(s) => Some(s),
            _ => None,
        },
        Expr::Nested(e) => string_literal(e),
        _ => None,
    }
}

/// The last key of a JSON path written as `$.a.b`, `$["a"]`, `{a,b}` or plain `a`.
fn last_key(path: &str) -> Option<String> {
    let p = path.trim().trim_start_matches('$');
    let p = p.trim_start_matches('{').trim_end_matches('}');
    let last = p
        .rsplit(['.', ',', '['])
        .map(|s| s.trim_matches(|c: char| c == ']' || c == '"' || c == '\'' || c == ' '))
        .find(|s| !s.is_empty())?;
    Some(last.to_string())
}

/// Functions that look up a key in JSON text or a map, with the key last.
const JSON_LOOKUPS: &[&str] = &[
    "json_extract_scalar",
    "json_extract",
    "json_query",
    "json_value",
    "element_at",
    "json_get",
    "json_get_str",
    "json_get_int",
    "json_get_float",
    "json_get_bool",
    "json_get_json",
    "json_as_text",
];

fn header(expr: &Expr, planned: &str) -> Option<Header> {
    match expr {
        Expr::Nested(e) => header(e, planned),
        // `useridentity.arn` is planned as a field access, `cloudtrail.eventname` as a
        // qualified column (already headed `eventname`): each `[` of the planned name
        // is one struct level, so the last levels + 1 parts are the path as written.
        Expr::CompoundIdentifier(parts) if planned.contains('[') => {
            let levels = planned.matches('[').count();
            let path: Vec<String> = parts
                .iter()
                .skip(parts.len().saturating_sub(levels + 1))
                .map(ident)
                .collect();
            let path = path.join(".");
            Some(Header {
                short: path.clone(),
                long: path,
            })
        }
        Expr::BinaryOp {
            op:
                BinaryOperator::Arrow
                | BinaryOperator::LongArrow
                | BinaryOperator::HashArrow
                | BinaryOperator::HashLongArrow,
            right,
            ..
        } => Some(Header {
            short: last_key(string_literal(right)?)?,
            long: written(expr),
        }),
        // `element_at(resources, 1).arn`, `resources[1].type`: the last field.
        Expr::CompoundFieldAccess { access_chain, .. } => {
            let field = match access_chain.last()? {
                ast::AccessExpr::Dot(Expr::Identifier(i)) => ident(i),
                ast::AccessExpr::Dot(e) => string_literal(e)?.to_string(),
                ast::AccessExpr::Subscript(ast::Subscript::Index { index }) => {
                    string_literal(index)?.to_string()
                }
                _ => return None,
            };
            Some(Header {
                short: field,
                long: written(expr),
            })
        }
        Expr::Function(f) => {
            let name = f.name.to_string().to_ascii_lowercase();
            if !JSON_LOOKUPS.contains(&name.as_str()) {
                return None;
            }
            let FunctionArguments::List(list) = &f.args else {
                return None;
            };
            let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(key))) = list.args.last() else {
                return None;
            };
            Some(Header {
                short: last_key(string_literal(key)?)?,
                long: written(expr),
            })
        }
        _ => None,
    }
}

/// An expression as written, without the spaces the SQL printer puts around operators.
fn written(expr: &Expr) -> String {
    expr.to_string()
        .replace(" ->> ", "->>")
        .replace(" -> ", "->")
        .replace(" #>> ", "#>>")
        .replace(" #> ", "#>")
}

/// The output names for a planned statement's columns; `None` keeps the planner's.
fn output_names(statement: &Statement, planned: &[String]) -> Vec<Option<String>> {
    let mut out = vec![None; planned.len()];
    let Some(items) = select_items(statement) else {
        return out;
    };
    if items.len() != planned.len() {
        return out;
    }
    let headers: Vec<Option<Header>> = items
        .iter()
        .zip(planned)
        .map(|(item, name)| match item {
            SelectItem::UnnamedExpr(e) => header(e, name),
            _ => None,
        })
        .collect();
    // A header is used only when no other column has it: short first, then long.
    let mut taken: Vec<String> = planned.to_vec();
    for (i, h) in headers.iter().enumerate() {
        let Some(h) = h else { continue };
        for candidate in [&h.short, &h.long] {
            let clash = taken
                .iter()
                .enumerate()
                .any(|(j, t)| j != i && t == candidate)
                || headers.iter().enumerate().any(|(j, other)| {
                    j != i && other.as_ref().is_some_and(|o| &o.short == candidate)
                });
            if !clash {
                taken[i] = candidate.clone();
                out[i] = Some(candidate.clone());
                break;
            }
        }
    }
    out
}

/// Renames a planned query's output columns as the user wrote them (see the module
/// docs); a statement that is not a query, or selects `*`, comes back unchanged.
pub fn name_headers(df: DataFrame, statement: &Statement) -> crate::Result<DataFrame> {
    let planned: Vec<String> = df
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let names = output_names(statement, &planned);
    if names.iter().all(Option::is_none) {
        return Ok(df);
    }
    let exprs: Vec<PlanExpr> = df
        .schema()
        .iter()
        .zip(names)
        .map(|((qualifier, field), name)| {
            let column = PlanExpr::Column(Column::new(qualifier.cloned(), field.name()));
            match name {
                Some(n) => column.alias(n),
                None => column,
            }
        })
        .collect();
    Ok(df.select(exprs)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn headers(sql: &str) -> Vec<String> {
        let ctx = crate::new_session().unwrap();
        ctx.sql(
            "CREATE TABLE cloudtrail AS SELECT named_struct('arn', 'a', 'sessioncontext', \
             named_struct('sessionissuer', named_struct('arn', 'r'))) AS useridentity, \
             '{\"bucketName\":\"b\",\"key\":{\"x\":1}}' AS requestparameters, \
             '{\"bucketName\":\"c\"}' AS responseelements, 'GetObject' AS eventname",
        )
        .await
        .unwrap();
        let statement = crate::parse(sql).unwrap().remove(0);
        let df = crate::plan(&ctx, statement.clone()).await.unwrap();
        let df = name_headers(df, &statement).unwrap();
        // The renamed frame still runs.
        df.clone().collect().await.unwrap();
        df.schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    #[tokio::test]
    async fn struct_fields_and_json_lookups_are_headed_as_written() {
        assert_eq!(
            headers(
                "SELECT useridentity.arn, userIdentity.sessionContext.sessionIssuer.arn, \
                 cloudtrail.eventname, requestparameters->>'bucketName', \
                 json_extract_scalar(requestparameters, '$.key.x') FROM cloudtrail"
            )
            .await,
            [
                "useridentity.arn",
                "useridentity.sessioncontext.sessionissuer.arn",
                "eventname",
                "bucketName",
                "x"
            ]
        );
    }

    #[tokio::test]
    async fn aliases_win_and_clashes_fall_back_to_the_written_form() {
        assert_eq!(
            headers(
                "SELECT useridentity.arn AS who, requestparameters->>'bucketName', \
                 responseelements->>'bucketName', element_at(requestparameters, 'key') \
                 FROM cloudtrail"
            )
            .await,
            [
                "who",
                "requestparameters->>'bucketName'",
                "responseelements->>'bucketName'",
                "key"
            ]
        );
        // `*` and non-queries are left alone; so are expressions of other kinds.
        assert_eq!(
            headers("SELECT * FROM cloudtrail").await,
            [
                "useridentity",
                "requestparameters",
                "responseelements",
                "eventname"
            ]
        );
        assert_eq!(
            headers("SELECT count(*) FROM cloudtrail").await,
            ["count(*)"]
        );
        let union =
            headers("SELECT useridentity.arn FROM cloudtrail UNION ALL SELECT 'x' FROM cloudtrail")
                .await;
        assert_eq!(union, ["useridentity.arn"]);
    }

    #[test]
    fn last_keys_of_json_paths() {
        assert_eq!(last_key("$.a.b").as_deref(), Some("b"));
        assert_eq!(last_key("$[\"a\"]").as_deref(), Some("a"));
        assert_eq!(last_key("{a,b}").as_deref(), Some("b"));
        assert_eq!(last_key("bucketName").as_deref(), Some("bucketName"));
        assert_eq!(last_key("$"), None);
    }
}
