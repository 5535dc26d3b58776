//! Columns other engines' CloudTrail tables have and trawl's does not, read as what
//! they mean here:
//!
//! - CloudTrail Lake's columns that a CloudTrail record does not carry (`annotation`,
//!   `eventjsonchecksum`): NULL of the Lake's type;
//! - the partitions of Athena's tables (the CloudTrail console's partition-projected
//!   table: `region`, `timestamp` as `yyyy/MM/dd`; older ones: `year`, `month`, `day`;
//!   `account`): the columns they come from, the days from the `date` partition so a
//!   filter on them still prunes days.
//!
//! They are not columns of the table, so `SELECT *` stays as Athena's; a statement is
//! rewritten only when planning it failed on one of these names, so a real column of
//! that name (a CTE's, a select alias, another table's) is never shadowed.

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

/// Athena's partition columns and the SQL they read as (`{q}` the written qualifier,
/// `t.` or nothing).
const ATHENA_PARTITIONS: &[(&str, &str)] = &[
    ("region", "{q}awsregion"),
    ("account", "{q}recipientaccountid"),
    (
        "timestamp",
        "replace(CAST({q}\"date\" AS VARCHAR), '-', '/')",
    ),
    ("year", "date_format({q}\"date\", '%Y')"),
    ("month", "date_format({q}\"date\", '%m')"),
    ("day", "date_format({q}\"date\", '%d')"),
];

/// What a stand-in column reads as, `{q}` standing for its qualifier.
fn stand_in(name: &str) -> Option<String> {
    let find = |list: &[(&str, &str)]| {
        list.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, t)| t.to_string())
    };
    find(LAKE_ONLY_COLUMNS)
        .map(|t| format!("CAST(NULL AS {t})"))
        .or_else(|| find(ATHENA_PARTITIONS))
}

/// Whether planning failed because a Lake-only column was not found.
pub fn names_lake_only_column(e: &DataFusionError) -> bool {
    match e.find_root() {
        DataFusionError::SchemaError(e, _) => match e.as_ref() {
            SchemaError::FieldNotFound { field, .. } => stand_in(&field.name).is_some(),
            _ => false,
        },
        _ => false,
    }
}

/// The stand-in column an expression names (`annotation` or `t.annotation`) and its
/// qualifier.
fn named(e: &Expr) -> Option<(&Ident, Option<&Ident>)> {
    match e {
        Expr::Identifier(i) => Some((i, None)),
        Expr::CompoundIdentifier(parts) if parts.len() == 2 => Some((&parts[1], Some(&parts[0]))),
        _ => None,
    }
    .filter(|(i, _)| stand_in(&i.value).is_some())
}

struct AsNull;

impl AsNull {
    /// `SELECT annotation` keeps its header once the column becomes an expression.
    fn alias_items(body: &mut SetExpr) {
        match body {
            SetExpr::Select(s) => {
                for item in &mut s.projection {
                    if let SelectItem::UnnamedExpr(e) = item
                        && let Some((i, _)) = named(e)
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
        let Some((template, qualifier)) =
            named(expr).and_then(|(i, q)| Some((stand_in(&i.value)?, q.cloned())))
        else {
            return ControlFlow::Continue(());
        };
        let qualifier = qualifier.map(|q| format!("{q}.")).unwrap_or_default();
        // Parsed rather than built: the AST's CAST node changes shape between
        // sqlparser releases, its text does not.
        let replacement = Parser::new(&GenericDialect {})
            .try_with_sql(&template.replace("{q}", &qualifier))
            .and_then(|mut p| p.parse_expr());
        match replacement {
            Ok(e) => {
                *expr = e;
                ControlFlow::Continue(())
            }
            Err(_) => ControlFlow::Break(()),
        }
    }
}

/// `statement` with every stand-in column replaced by what it reads as; `None` when
/// it names none.
pub fn lake_only_as_null(statement: &Statement) -> Option<Statement> {
    let inner = match statement {
        Statement::Statement(inner) => inner,
        Statement::Explain(explain) => {
            let mut explain = explain.clone();
            explain.statement = Box::new(lake_only_as_null(&explain.statement)?);
            return Some(Statement::Explain(explain));
        }
        _ => return None,
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
    fn athena_partitions_read_as_their_columns_and_days() {
        let mut s = crate::parse(
            "SELECT region, c.account FROM cloudtrail c \
             WHERE timestamp >= '2024/03/01' AND year = '2024'",
        )
        .unwrap();
        let out = lake_only_as_null(&s.remove(0)).unwrap().to_string();
        assert_eq!(
            out,
            "SELECT awsregion AS region, c.recipientaccountid AS account FROM cloudtrail c \
             WHERE replace(CAST(\"date\" AS VARCHAR), '-', '/') >= '2024/03/01' \
             AND date_format(\"date\", '%Y') = '2024'"
        );
    }

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
