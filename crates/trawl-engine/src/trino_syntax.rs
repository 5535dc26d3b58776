//! Trino (Athena, CloudTrail Lake) syntax that DataFusion plans otherwise or not at
//! all, rewritten on the parsed statement before planning:
//!
//! - field access on any struct-valued expression, `element_at(resources, 1).arn`
//!   (DataFusion takes dots only after a column name): the field becomes the
//!   `['arn']` subscript DataFusion plans as `get_field`;
//! - `if(condition, a [, b])`, which DataFusion lacks: a `CASE`;
//! - `try(CAST(x AS t))`: `TRY_CAST(x AS t)`, the one error `try` catches that
//!   DataFusion can turn into NULL;
//! - Athena's table names (`cloudtrail_logs`, `cloudtrail_logs_<bucket>`) and a
//!   CloudTrail Lake event data store id in `FROM`: the `cloudtrail` table, keeping
//!   the written name as the alias so qualified columns still resolve. Only when the
//!   session has no table of that name and the query no CTE of it;
//! - `FROM t CROSS JOIN UNNEST(t.array) AS u(x)` (and `FROM t, UNNEST(...)`), which
//!   DataFusion plans but cannot run (a lateral join): a derived table
//!   `(SELECT t.*, unnest(t.array) AS x FROM t) AS t`, one row per element, and `u.x`
//!   read as `x`;
//! - `eventtime` used as text (`eventtime LIKE '2024-03-%'`, `substr(eventtime, 1, 10)`),
//!   as Athena's table keeps it: CloudTrail's own spelling of it, `2024-03-01T12:00:00Z`;
//! - `CAST(x AS ROW(a T, ...))`, which DataFusion does not parse as a type: a cast
//!   field by field, by position (`trino_row_cast`);
//! - Trino's lambda functions over arrays (`filter`, `transform`, `any_match`,
//!   `all_match`, `none_match`): DataFusion's `array_filter`, ... with the lambda
//!   recovered from trawl's reading of `->` as the JSON operator; the others
//!   (`reduce`, `zip_with`, map lambdas): an error saying so;
//! - `CAST(x AS JSON)`: `trino_json_cast(x)`, the value as JSON text (trawl's JSON).

use std::collections::HashSet;
use std::ops::ControlFlow;

use datafusion::error::DataFusionError;
use datafusion::sql::parser::Statement;
use datafusion::sql::sqlparser::ast::helpers::attached_token::AttachedToken;
use datafusion::sql::sqlparser::ast::{
    DataType, JoinConstraint, JoinOperator, SetExpr, TableWithJoins, Value as SqlValue,
};
use datafusion::sql::sqlparser::parser::{Parser, ParserError};

use crate::TrawlDialect;
use datafusion::sql::sqlparser::ast::{
    AccessExpr, CaseWhen, CastKind, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArguments, Ident, LambdaFunction, LambdaFunctionParameter, LambdaSyntax, ObjectName,
    ObjectNamePart, OneOrManyWithParens, Query, Subscript, TableAlias, TableFactor, UnaryOperator,
    Value, VisitMut, VisitorMut,
};

/// String functions whose first argument Athena queries give `eventtime` as text.
const TEXT_FUNCTIONS: &[&str] = &[
    "substr",
    "substring",
    "split_part",
    "strpos",
    "length",
    "left",
    "starts_with",
    "split",
    "concat",
];

/// Whether an expression is the `eventtime` column (`eventtime`, `t.eventtime`).
fn is_event_time(e: &Expr) -> bool {
    let last = match e {
        Expr::Identifier(i) => i,
        Expr::CompoundIdentifier(parts) if parts.len() == 2 => &parts[1],
        _ => return false,
    };
    normalized(last) == trawl_cloudtrail::col::EVENTTIME
}

/// SQL text as an expression, in trawl's dialect. Rewrites write their result as
/// text: the AST's nodes change shape between sqlparser releases, its text does not.
fn parse_expr(text: &str) -> Result<Expr, ParserError> {
    Parser::new(&TrawlDialect::default())
        .try_with_sql(text)
        .and_then(|mut p| p.parse_expr())
}

/// `eventtime` as CloudTrail writes it in a record.
fn event_time_text(e: &Expr) -> Expr {
    parse_expr(&format!("date_format({e}, '%Y-%m-%dT%H:%i:%sZ')")).unwrap_or_else(|_| e.clone())
}

/// The table Athena's and Lake's names stand for.
const TABLE: &str = "cloudtrail";

/// Trino functions that take a lambda.
const LAMBDA_FUNCTIONS: &[&str] = &[
    "filter",
    "transform",
    "any_match",
    "all_match",
    "none_match",
    "reduce",
    "zip_with",
    "transform_keys",
    "transform_values",
    "map_filter",
    "map_zip_with",
];

/// Whether a written table name is Athena's or CloudTrail Lake's name for the table:
/// `cloudtrail_logs`, `cloudtrail_logs_<anything>` (the console names the table after
/// the trail's bucket), or an event data store id (a UUID).
pub fn is_foreign_table_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "cloudtrail_logs" || lower.starts_with("cloudtrail_logs_") || is_uuid(&lower)
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// An identifier as the planner reads it: unquoted ones lower-cased.
fn normalized(i: &Ident) -> String {
    if i.quote_style.is_some() {
        i.value.clone()
    } else {
        i.value.to_ascii_lowercase()
    }
}

fn function_name(f: &Function) -> Option<String> {
    match f.name.0.as_slice() {
        [ObjectNamePart::Identifier(i)] => Some(i.value.to_ascii_lowercase()),
        _ => None,
    }
}

/// The plain positional arguments of a call, or None if it has any other form
/// (named arguments, DISTINCT, ORDER BY ...).
fn plain_args(f: &Function) -> Option<Vec<&Expr>> {
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    if list.duplicate_treatment.is_some() || !list.clauses.is_empty() {
        return None;
    }
    list.args
        .iter()
        .map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
            _ => None,
        })
        .collect()
}

struct Rewriter<'a> {
    table_exists: &'a dyn Fn(&str) -> bool,
    ctes: HashSet<String>,
    /// Aliases of unnested tables whose column became a column of the left table:
    /// `u.x` is read as `x`.
    unnest_aliases: HashSet<String>,
    error: Option<String>,
}

/// The name a table factor's columns are qualified with.
fn factor_alias(f: &TableFactor) -> Option<Ident> {
    match f {
        TableFactor::Table { alias: Some(a), .. } | TableFactor::Derived { alias: Some(a), .. } => {
            Some(a.name.clone())
        }
        TableFactor::Table {
            name, alias: None, ..
        } => match name.0.last() {
            Some(ObjectNamePart::Identifier(i)) => Some(i.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a join adds its right side to every row of the left: `CROSS JOIN`, or an
/// inner join `ON true`.
fn is_cross(op: &JoinOperator) -> bool {
    match op {
        JoinOperator::CrossJoin(JoinConstraint::None) => true,
        JoinOperator::Join(JoinConstraint::On(e)) | JoinOperator::Inner(JoinConstraint::On(e)) => {
            matches!(e, Expr::Value(v) if v.value == SqlValue::Boolean(true))
        }
        _ => false,
    }
}

/// `left` joined with `UNNEST(array) [AS u[(x)]]` as one derived table, with the
/// unnested column's name and the alias it was qualified with; None for forms this
/// does not cover (several arrays or columns, WITH ORDINALITY/OFFSET).
fn fold_unnest(left: &TableFactor, unnest: &TableFactor) -> Option<(TableFactor, Option<String>)> {
    let TableFactor::UNNEST {
        alias,
        array_exprs,
        with_offset: false,
        with_offset_alias: None,
        with_ordinality: false,
    } = unnest
    else {
        return None;
    };
    let [array] = array_exprs.as_slice() else {
        return None;
    };
    let (column, qualifier) = match alias {
        Some(TableAlias { name, columns, .. }) => match columns.as_slice() {
            [] => (name.clone(), None),
            [c] => (c.name.clone(), Some(normalized(name))),
            _ => return None,
        },
        None => (Ident::new("unnest"), None),
    };
    let left_alias = factor_alias(left)?;
    let text = format!(
        "SELECT * FROM (SELECT {left_alias}.*, unnest({array}) AS {column} FROM {left}) AS {left_alias}"
    );
    let statement = Parser::new(&TrawlDialect::default())
        .try_with_sql(&text)
        .and_then(|mut p| p.parse_statement())
        .ok()?;
    let datafusion::sql::sqlparser::ast::Statement::Query(q) = statement else {
        return None;
    };
    let SetExpr::Select(select) = *q.body else {
        return None;
    };
    let relation = select.from.into_iter().next()?.relation;
    Some((relation, qualifier))
}

impl Rewriter<'_> {
    /// Folds the UNNEST joins of a FROM list into derived tables (see the module's
    /// documentation).
    fn unnest_joins(&mut self, from: &mut Vec<TableWithJoins>) {
        // `FROM t, UNNEST(...)`: the comma is a cross join.
        let mut i = 0;
        while i + 1 < from.len() {
            if matches!(from[i + 1].relation, TableFactor::UNNEST { .. })
                && from[i].joins.is_empty()
            {
                let next = from.remove(i + 1);
                from[i].joins.push(datafusion::sql::sqlparser::ast::Join {
                    relation: next.relation,
                    global: false,
                    join_operator: JoinOperator::CrossJoin(JoinConstraint::None),
                });
                from[i].joins.extend(next.joins);
            } else {
                i += 1;
            }
        }
        for twj in from.iter_mut() {
            while let Some(join) = twj.joins.first() {
                if !is_cross(&join.join_operator) {
                    break;
                }
                let Some((folded, qualifier)) = fold_unnest(&twj.relation, &join.relation) else {
                    break;
                };
                twj.relation = folded;
                twj.joins.remove(0);
                if let Some(q) = qualifier {
                    self.unnest_aliases.insert(q);
                }
            }
        }
    }
}

impl Rewriter<'_> {
    fn fail(&mut self, message: String) -> ControlFlow<()> {
        self.error = Some(message);
        ControlFlow::Break(())
    }

    /// `if(c, a [, b])` as a CASE; `try(CAST ...)` as TRY_CAST.
    fn function(&mut self, f: &Function) -> Result<Option<Expr>, String> {
        let Some(name) = function_name(f) else {
            return Ok(None);
        };
        if let Some(call) = lambda_call(f, &name)? {
            return Ok(Some(call));
        }
        if LAMBDA_FUNCTIONS.contains(&name.as_str()) {
            return Err(format!(
                "{name}(...) takes a lambda, which trawl supports only in filter, transform, \
                 any_match, all_match and none_match over an array: unnest the array instead \
                 (`CROSS JOIN UNNEST(arr) AS t(x) WHERE ...`), or use array_has, \
                 array_position, array_distinct"
            ));
        }
        if f.over.is_some() || f.filter.is_some() {
            return Ok(None);
        }
        match (name.as_str(), plain_args(f).as_deref()) {
            ("if", Some([condition, then])) => Ok(Some(case(condition, then, None))),
            ("if", Some([condition, then, otherwise])) => {
                Ok(Some(case(condition, then, Some(otherwise))))
            }
            (
                "try",
                Some(
                    [
                        Expr::Cast {
                            kind: CastKind::Cast | CastKind::DoubleColon,
                            expr,
                            data_type,
                            array,
                            format,
                        },
                    ],
                ),
            ) => Ok(Some(Expr::Cast {
                kind: CastKind::TryCast,
                expr: expr.clone(),
                data_type: data_type.clone(),
                array: *array,
                format: format.clone(),
            })),
            _ => Ok(None),
        }
    }
}

/// `CAST(x AS ROW(a T, b U))`: `trino_row_cast(x, safe, 'a', CAST(NULL AS T), 'b',
/// CAST(NULL AS U))`, which casts the row field by field, by position, as Trino does
/// (Arrow casts structs by field name only); the NULLs carry the target types.
/// The parser keeps a ROW type's contents as bare words, so each field's type must
/// be one word (`VARCHAR`, `BIGINT`, `TIMESTAMP`, ...).
fn row_cast(value: &Expr, words: &[String], safe: bool) -> Result<Expr, String> {
    let unsupported = || {
        format!(
            "CAST(... AS ROW({})): trawl casts to a ROW whose fields each have a one-word \
             type (ROW(name VARCHAR, n BIGINT)); otherwise build the row with \
             named_struct('name', CAST(x.a AS VARCHAR), ...)",
            words.join(" ")
        )
    };
    if words.is_empty() || !words.len().is_multiple_of(2) {
        return Err(unsupported());
    }
    let dialect = TrawlDialect::default();
    let mut call = format!("trino_row_cast({value}, {safe}");
    for pair in words.chunks(2) {
        let [field, ty] = pair else {
            return Err(unsupported());
        };
        let ty = Parser::new(&dialect)
            .try_with_sql(ty)
            .and_then(|mut p| p.parse_data_type())
            .map_err(|_| unsupported())?;
        let field = field.trim_matches('"').to_lowercase().replace('\'', "''");
        call.push_str(&format!(", '{field}', CAST(NULL AS {ty})"));
    }
    call.push(')');
    parse_expr(&call).map_err(|e| format!("{}: {e}", unsupported()))
}

/// Trino's lambda functions over an array, as DataFusion's: `filter(a, x -> p)` is
/// `array_filter`, `transform` `array_transform`, `any_match` `array_any_match`;
/// `all_match(a, x -> p)` is `NOT array_any_match(a, x -> NOT p)` and `none_match`
/// `NOT array_any_match(a, x -> p)`. trawl's dialect reads `->` as the JSON
/// operator, which binds tighter than `=`, so the lambda arrives as `(x -> x.f) =
/// 'v'`: its text is split at the arrow and the body parsed again. `None` when the
/// call is not one of these forms.
fn lambda_call(f: &Function, name: &str) -> Result<Option<Expr>, String> {
    let (target, negate_body, negate_call) = match name {
        "filter" => ("array_filter", false, false),
        "transform" => ("array_transform", false, false),
        "any_match" => ("array_any_match", false, false),
        "all_match" => ("array_any_match", true, true),
        "none_match" => ("array_any_match", false, true),
        _ => return Ok(None),
    };
    let Some([array, lambda]) = plain_args(f).as_deref().and_then(|a| match a {
        [array, lambda] => Some([(*array).clone(), (*lambda).clone()]),
        _ => None,
    }) else {
        return Ok(None);
    };
    let text = lambda.to_string();
    let Some((param, body)) = text.split_once("->") else {
        return Ok(None);
    };
    let param = param.trim();
    if param.is_empty() || !param.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(format!(
            "{name}(...): the lambda takes one parameter (`x -> ...`), not `{param}`"
        ));
    }
    let body = parse_expr(body).map_err(|e| format!("{name}(...): the lambda's body: {e}"))?;
    // DataFusion resolves a lambda's parameter only as a bare name, so `x.f.g` in the
    // body (a field of an array of structs) becomes `x['f']['g']`.
    let mut body = body;
    let _ = datafusion::sql::sqlparser::ast::visit_expressions_mut(&mut body, |e| {
        if let Expr::CompoundIdentifier(parts) = e
            && parts.len() >= 2
            && parts[0].value.eq_ignore_ascii_case(param)
        {
            let root = Expr::Identifier(parts[0].clone());
            let access_chain = parts[1..]
                .iter()
                .map(|p| {
                    AccessExpr::Subscript(Subscript::Index {
                        index: Expr::value(Value::SingleQuotedString(normalized(p))),
                    })
                })
                .collect();
            *e = Expr::CompoundFieldAccess {
                root: Box::new(root),
                access_chain,
            };
        }
        ControlFlow::<()>::Continue(())
    });
    let body = if negate_body {
        Expr::UnaryOp {
            op: UnaryOperator::Not,
            expr: Box::new(Expr::Nested(Box::new(body))),
        }
    } else {
        body
    };
    let lambda = Expr::Lambda(LambdaFunction {
        params: OneOrManyWithParens::One(LambdaFunctionParameter {
            name: Ident::new(param),
            data_type: None,
        }),
        body: Box::new(body),
        syntax: LambdaSyntax::Arrow,
    });
    let mut call = f.clone();
    call.name = ObjectName::from(vec![Ident::new(target)]);
    if let FunctionArguments::List(list) = &mut call.args {
        list.args = vec![
            FunctionArg::Unnamed(FunctionArgExpr::Expr(array)),
            FunctionArg::Unnamed(FunctionArgExpr::Expr(lambda)),
        ];
    }
    let call = Expr::Function(call);
    Ok(Some(if negate_call {
        Expr::UnaryOp {
            op: UnaryOperator::Not,
            expr: Box::new(call),
        }
    } else {
        call
    }))
}

fn case(condition: &Expr, then: &Expr, otherwise: Option<&Expr>) -> Expr {
    Expr::Case {
        case_token: AttachedToken::empty(),
        end_token: AttachedToken::empty(),
        operand: None,
        conditions: vec![CaseWhen {
            condition: condition.clone(),
            result: then.clone(),
        }],
        else_result: otherwise.map(|e| Box::new(e.clone())),
    }
}

/// Turns the dots of an access chain that DataFusion cannot plan (any after the
/// leading column path) into `['field']` subscripts.
fn field_access(root: &Expr, chain: &mut [AccessExpr]) -> bool {
    // After a bare column name, leading dots are its struct path, which DataFusion
    // resolves itself (and which may name a table: `c.useridentity.arn`).
    let skip = if matches!(root, Expr::Identifier(_)) {
        chain
            .iter()
            .take_while(|a| matches!(a, AccessExpr::Dot(Expr::Identifier(_))))
            .count()
    } else {
        0
    };
    let mut changed = false;
    for access in chain.iter_mut().skip(skip) {
        if let AccessExpr::Dot(Expr::Identifier(field)) = access {
            *access = AccessExpr::Subscript(Subscript::Index {
                index: Expr::value(Value::SingleQuotedString(normalized(field))),
            });
            changed = true;
        }
    }
    changed
}

impl VisitorMut for Rewriter<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                self.ctes.insert(normalized(&cte.alias.name));
            }
        }
        if let SetExpr::Select(select) = query.body.as_mut() {
            self.unnest_joins(&mut select.from);
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        let TableFactor::Table { name, alias, .. } = factor else {
            return ControlFlow::Continue(());
        };
        let [ObjectNamePart::Identifier(written)] = name.0.as_slice() else {
            return ControlFlow::Continue(());
        };
        let key = normalized(written);
        if !is_foreign_table_name(&written.value)
            || self.ctes.contains(&key)
            || (self.table_exists)(&key)
            || !(self.table_exists)(TABLE)
        {
            return ControlFlow::Continue(());
        }
        if alias.is_none() {
            *alias = Some(TableAlias {
                explicit: true,
                name: written.clone(),
                columns: Vec::new(),
                at: None,
            });
        }
        *name = ObjectName::from(vec![Ident::new(TABLE)]);
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        match expr {
            Expr::Like { expr: operand, .. }
            | Expr::ILike { expr: operand, .. }
            | Expr::Substring { expr: operand, .. }
                if is_event_time(operand) =>
            {
                **operand = event_time_text(operand);
            }
            Expr::Function(f)
                if function_name(f).is_some_and(|n| TEXT_FUNCTIONS.contains(&n.as_str())) =>
            {
                if let FunctionArguments::List(list) = &mut f.args {
                    for arg in &mut list.args {
                        if let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = arg
                            && is_event_time(e)
                        {
                            *e = event_time_text(e);
                        }
                    }
                }
            }
            Expr::CompoundFieldAccess { root, access_chain } => {
                field_access(root, access_chain);
            }
            Expr::CompoundIdentifier(parts)
                if parts.len() >= 2 && self.unnest_aliases.contains(&normalized(&parts[0])) =>
            {
                parts.remove(0);
                if parts.len() == 1 {
                    *expr = Expr::Identifier(parts.remove(0));
                }
            }
            Expr::Cast {
                expr: value,
                data_type: DataType::JSON,
                ..
            } => {
                // trawl has no JSON type; its JSON is text, which every JSON function
                // here takes.
                match parse_expr(&format!("trino_json_cast({value})")) {
                    Ok(rewritten) => *expr = rewritten,
                    Err(e) => return self.fail(format!("CAST(... AS JSON): {e}")),
                }
            }
            Expr::Cast {
                kind,
                expr: value,
                data_type: DataType::Custom(name, modifiers),
                ..
            } if name.to_string().eq_ignore_ascii_case("row") => {
                match row_cast(value, modifiers, *kind == CastKind::TryCast) {
                    Ok(rewritten) => *expr = rewritten,
                    Err(message) => return self.fail(message),
                }
            }
            Expr::Function(f) => match self.function(f) {
                Ok(Some(rewritten)) => *expr = rewritten,
                Ok(None) => {}
                Err(message) => return self.fail(message),
            },
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

/// `statement` with Trino's syntax rewritten for DataFusion (see the module's
/// documentation); `table_exists` says whether the session has a table of a name.
pub fn rewrite(
    statement: Statement,
    table_exists: &dyn Fn(&str) -> bool,
) -> Result<Statement, DataFusionError> {
    let mut inner = match statement {
        Statement::Statement(inner) => inner,
        // EXPLAIN of a Trino query explains the query as trawl runs it.
        Statement::Explain(mut explain) => {
            explain.statement = Box::new(rewrite(*explain.statement, table_exists)?);
            return Ok(Statement::Explain(explain));
        }
        other => return Ok(other),
    };
    let mut rewriter = Rewriter {
        table_exists,
        ctes: HashSet::new(),
        unnest_aliases: HashSet::new(),
        error: None,
    };
    let _ = inner.visit(&mut rewriter);
    match rewriter.error {
        Some(message) => Err(DataFusionError::Plan(message)),
        None => Ok(Statement::Statement(inner)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(sql: &str) -> String {
        let mut s = crate::parse(sql).unwrap();
        let known = |t: &str| t == "cloudtrail";
        rewrite(s.remove(0), &known).unwrap().to_string()
    }

    #[test]
    fn dots_after_an_expression_become_subscripts() {
        assert_eq!(
            rewritten("SELECT element_at(resources, 1).ARN, resources[1].type FROM cloudtrail"),
            "SELECT element_at(resources, 1)['arn'], resources[1]['type'] FROM cloudtrail"
        );
        // Column paths and qualified columns are DataFusion's to resolve.
        assert_eq!(
            rewritten(
                "SELECT c.useridentity.arn, useridentity.sessioncontext.attributes FROM cloudtrail c"
            ),
            "SELECT c.useridentity.arn, useridentity.sessioncontext.attributes FROM cloudtrail c"
        );
    }

    #[test]
    fn if_and_try_cast() {
        assert_eq!(
            rewritten(
                "SELECT if(errorcode IS NULL, 'ok', errorcode), if(readonly, 1), try(CAST(x AS BIGINT)), try(y) FROM cloudtrail"
            ),
            "SELECT CASE WHEN errorcode IS NULL THEN 'ok' ELSE errorcode END, \
             CASE WHEN readonly THEN 1 END, TRY_CAST(x AS BIGINT), try(y) FROM cloudtrail"
        );
    }

    #[test]
    fn athena_and_lake_table_names_mean_the_lake() {
        assert_eq!(
            rewritten("SELECT cloudtrail_logs.eventname FROM cloudtrail_logs"),
            "SELECT cloudtrail_logs.eventname FROM cloudtrail AS cloudtrail_logs"
        );
        assert_eq!(
            rewritten(r#"SELECT 1 FROM "0a1b2c3d-4e5f-6789-abcd-ef0123456789" e"#),
            "SELECT 1 FROM cloudtrail e"
        );
        // A CTE of that name is the query's own.
        let cte = "WITH cloudtrail_logs AS (SELECT 1 AS x) SELECT x FROM cloudtrail_logs";
        assert_eq!(rewritten(cte), cte);
        assert!(!is_foreign_table_name("cloudtrail_logsx"));
        assert!(!is_foreign_table_name(
            "0a1b2c3d-4e5f-6789-abcd-ef012345678"
        ));
    }

    #[test]
    fn unnest_joins_become_derived_tables() {
        assert_eq!(
            rewritten(
                "SELECT eventname, t.r.arn FROM cloudtrail CROSS JOIN UNNEST(resources) AS t(r)"
            ),
            "SELECT eventname, r.arn FROM (SELECT cloudtrail.*, unnest(resources) AS r FROM cloudtrail) AS cloudtrail"
        );
        assert_eq!(
            rewritten("SELECT c.eventname, res.arn FROM cloudtrail c, UNNEST(c.resources) AS res"),
            "SELECT c.eventname, res.arn FROM (SELECT c.*, unnest(c.resources) AS res FROM cloudtrail c) AS c"
        );
        // Forms it does not cover are left to DataFusion.
        let ordinality = rewritten(
            "SELECT x FROM cloudtrail CROSS JOIN UNNEST(resources) WITH ORDINALITY AS t(x, i)",
        );
        assert!(
            ordinality.contains("CROSS JOIN UNNEST(resources) WITH ORDINALITY"),
            "{ordinality}"
        );
    }

    #[test]
    fn event_time_as_text() {
        assert_eq!(
            rewritten(
                "SELECT substr(eventtime, 1, 10) FROM cloudtrail WHERE c.eventTime LIKE '2024%'"
            ),
            "SELECT SUBSTR(date_format(eventtime, '%Y-%m-%dT%H:%i:%sZ'), 1, 10) FROM cloudtrail \
             WHERE date_format(c.eventTime, '%Y-%m-%dT%H:%i:%sZ') LIKE '2024%'"
        );
    }

    #[test]
    fn explain_explains_the_rewritten_query() {
        let mut s = crate::parse("EXPLAIN SELECT if(true, 1) FROM cloudtrail_logs").unwrap();
        let out = rewrite(s.remove(0), &|n| n == "cloudtrail")
            .unwrap()
            .to_string();
        assert!(
            out.contains("CASE WHEN true THEN 1 END FROM cloudtrail AS cloudtrail_logs"),
            "{out}"
        );
    }

    #[test]
    fn cast_to_json_is_json_text() {
        assert_eq!(
            rewritten("SELECT json_format(CAST(useridentity AS JSON)) FROM cloudtrail"),
            "SELECT json_format(trino_json_cast(useridentity)) FROM cloudtrail"
        );
    }

    #[test]
    fn array_lambdas_become_datafusion_lambdas() {
        assert_eq!(
            rewritten("SELECT filter(resources, r -> r.type = 'x') FROM cloudtrail"),
            "SELECT array_filter(resources, r -> r['type'] = 'x') FROM cloudtrail"
        );
        assert_eq!(
            rewritten("SELECT all_match(a, x -> x > 1), none_match(a, x -> x > 1) FROM t"),
            "SELECT NOT array_any_match(a, x -> NOT (x > 1)), NOT array_any_match(a, x -> x > 1) FROM t"
        );
        // The JSON operator elsewhere is left alone.
        assert_eq!(
            rewritten("SELECT requestparameters -> 'a' FROM t"),
            "SELECT requestparameters -> 'a' FROM t"
        );
    }

    #[test]
    fn other_lambdas_are_refused_with_another_spelling() {
        let mut s =
            crate::parse("SELECT reduce(resources, 0, (s, r) -> s + 1, s -> s) FROM cloudtrail")
                .unwrap();
        let err = rewrite(s.remove(0), &|_| true).unwrap_err().to_string();
        assert!(
            err.contains("reduce(...) takes a lambda") && err.contains("UNNEST"),
            "{err}"
        );
    }
}
