//! CloudTrail Lake's columns that a CloudTrail record does not carry (`annotation`,
//! `eventjsonchecksum`): a Lake query naming them plans in trawl, reading NULL of the
//! Lake's type. They are not columns of the table, so `SELECT *` stays as Athena's;
//! a statement is rewritten only when planning it failed on one of these names, so a
//! real column of that name (a CTE's, another table's) is never shadowed.

use std::ops::ControlFlow;

use datafusion::common::SchemaError;
use datafusion::error::DataFusionError;
use datafusion::sql::parser::Statement;
use datafusion::sql::sqlparser::ast::{
    Expr, Ident, Query, SelectItem, SetExpr, VisitMut, VisitorMut,
};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;

/// The Lake-only columns and the SQL type they read as (both are strings in the Lake
/// schema).
pub const LAKE_ONLY_COLUMNS: &[(&str, &str)] =
    &[("annotation", "VARCHAR"), ("eventjsonchecksum", "VARCHAR")];

fn sql_type(name: &str) -> Option<&'static str> {
    LAKE_ONLY_COLUMNS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, t)| *t)
}

/// Whether planning failed because a Lake-only column was not found.
pub fn names_lake_only_column(e: &DataFusionError) -> bool {
    match e.find_root() {
        DataFusionError::SchemaError(e, _) => match e.as_ref() {
            SchemaError::FieldNotFound { field, .. } => sql_type(&field.name).is_some(),
            _ => false,
        },
        _ => false,
    }
}

/// The Lake-only column an expression names: `annotation` or `t.annotation`.
fn named(e: &Expr) -> Option<&Ident> {
    match e {
        Expr::Identifier(i) => Some(i),
        Expr::CompoundIdentifier(parts) if parts.len() == 2 => parts.last(),
        _ => None,
    }
    .filter(|i| sql_type(&i.value).is_some())
}

struct AsNull;

impl AsNull {
    /// `SELECT annotation` keeps its header once the column becomes an expression.
    fn alias_items(body: &mut SetExpr) {
        match body {
            SetExpr::Select(s) => {
                for item in &mut s.projection {
                    if let SelectItem::UnnamedExpr(e) = item
                        && let Some(i) = named(e).cloned()
                    {
                        *item = SelectItem::ExprWithAlias {
                            expr: e.clone(),
                            alias: Ident::new(i.value.to_ascii_lowercase()),
                        };
                    }
                }
            }
            SetExpr::Query(q) => Self::alias_items(&mut q.body),
            SetExpr::SetOperation { left, right, .. } => {
                Self::alias_items(left);
                Self::alias_items(right);
            }
            _ => {}
        }
    }
}

impl VisitorMut for AsNull {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        Self::alias_items(&mut query.body);
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        let Some(t) = named(expr).and_then(|i| sql_type(&i.value)) else {
            return ControlFlow::Continue(());
        };
        // Parsed rather than built: the AST's CAST node changes shape between
        // sqlparser releases, its text does not.
        let null = Parser::new(&GenericDialect {})
            .try_with_sql(&format!("CAST(NULL AS {t})"))
            .and_then(|mut p| p.parse_expr());
        match null {
            Ok(null) => {
                *expr = null;
                ControlFlow::Continue(())
            }
            Err(_) => ControlFlow::Break(()),
        }
    }
}

/// `statement` with every Lake-only column replaced by a typed NULL; `None` when
/// it names none.
pub fn lake_only_as_null(statement: &Statement) -> Option<Statement> {
    let Statement::Statement(inner) = statement else {
        return None;
    };
    let mut rewritten = inner.as_ref().clone();
    if rewritten.visit(&mut AsNull).is_break() {
        return None;
    }
    (rewritten != **inner).then(|| Statement::Statement(Box::new(rewritten)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lake_only_columns_become_typed_nulls_keeping_their_header() {
        let mut s = crate::parse(
            "SELECT eventname, annotation, c.eventJsonChecksum FROM cloudtrail c \
             WHERE annotation IS NULL",
        )
        .unwrap();
        let out = lake_only_as_null(&s.remove(0)).unwrap().to_string();
        assert!(
            out.starts_with(
                "SELECT eventname, CAST(NULL AS VARCHAR) AS annotation, \
                 CAST(NULL AS VARCHAR) AS eventjsonchecksum FROM cloudtrail"
            ),
            "{out}"
        );
        assert!(
            out.ends_with("WHERE CAST(NULL AS VARCHAR) IS NULL"),
            "{out}"
        );
        let mut s = crate::parse("SELECT eventname FROM cloudtrail").unwrap();
        assert!(lake_only_as_null(&s.remove(0)).is_none());
    }
}
