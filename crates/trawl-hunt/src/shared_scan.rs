//! One scan of the lake for many queries: `trawl hunt` plans every detection, reads
//! what each pushes down to the `cloudtrail` scan (columns and filter conjuncts), and
//! reads the lake once with the disjunction of those filters into memory. The
//! detections then run over that subset, each re-applying its own full filters.
//!
//! Only conjuncts over small columns are kept in the shared predicate: a conjunct on
//! `requestparameters` would make the one scan decode that JSON text for every row,
//! while dropping it only widens the subset (the detection filters again).

use std::collections::BTreeSet;
use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{Column, Result as DfResult};
use datafusion::dataframe::DataFrame;
use datafusion::datasource::MemTable;
use datafusion::logical_expr::{Expr, LogicalPlan};
use datafusion::physical_plan::filter::FilterExec;
use datafusion::prelude::SessionContext;
use trawl_cloudtrail::{DATE_PARTITION, col as c};

use trawl_engine::Result;

/// What one scan of a table in a plan reads.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRead {
    /// Top-level columns the plan needs from the scan (its projection and the columns
    /// of its filters); `None` for all of them.
    pub columns: Option<BTreeSet<String>>,
    /// Filter conjuncts pushed into the scan, columns unqualified.
    pub filters: Vec<Expr>,
}

/// Every scan of `table` in an (optimized) plan, subqueries included.
pub fn table_reads(plan: &LogicalPlan, table: &str) -> DfResult<Vec<TableRead>> {
    let mut reads = Vec::new();
    plan.apply_with_subqueries(|node| {
        if let LogicalPlan::TableScan(scan) = node
            && scan.table_name.table() == table
        {
            let schema = scan.source.schema();
            let filters: Vec<Expr> = scan
                .filters
                .iter()
                .map(|f| unqualify(f.clone()))
                .collect::<DfResult<_>>()?;
            let columns = scan.projection.as_ref().map(|p| {
                let mut cols: BTreeSet<String> =
                    p.iter().map(|i| schema.field(*i).name().clone()).collect();
                for f in &filters {
                    cols.extend(f.column_refs().into_iter().map(|c| c.name.clone()));
                }
                cols
            });
            reads.push(TableRead { columns, filters });
        }
        Ok(TreeNodeRecursion::Continue)
    })?;
    Ok(reads)
}

fn unqualify(e: Expr) -> DfResult<Expr> {
    e.transform_up(|e| match e {
        Expr::Column(col) => Ok(Transformed::yes(Expr::Column(Column::new_unqualified(
            col.name,
        )))),
        other => Ok(Transformed::no(other)),
    })
    .map(|t| t.data)
}

/// Columns cheap to evaluate a predicate on for every row of the lake.
const SMALL_COLUMNS: &[&str] = &[
    c::EVENTNAME,
    c::EVENTSOURCE,
    c::ERRORCODE,
    c::EVENTTIME,
    DATE_PARTITION,
    c::READONLY,
    c::EVENTTYPE,
    c::EVENTCATEGORY,
    c::AWSREGION,
    c::RECIPIENTACCOUNTID,
    c::MANAGEMENTEVENT,
    c::SOURCEIPADDRESS,
];

/// The part of a read's filter the shared scan can evaluate cheaply: the conjunction
/// of what each conjunct implies over small columns (see [`small_part`]), or `None`
/// when no conjunct implies anything (the read needs the whole table, so the query
/// cannot share the scan).
///
/// Time conjuncts come first: `AND` evaluates its right side only on the rows its left
/// let through, so rows outside a detection's time range cost one comparison, not its
/// whole filter (a watch cycle's detections look at days of a lake of years).
pub fn selective_filter(read: &TableRead) -> Option<Expr> {
    let mut kept: Vec<Expr> = read.filters.iter().filter_map(small_part).collect();
    let on_time = |f: &Expr| {
        f.column_refs()
            .iter()
            .all(|c| c.name == c::EVENTTIME || c.name == DATE_PARTITION)
    };
    kept.sort_by_key(|f| !on_time(f));
    kept.into_iter().reduce(Expr::and)
}

/// A filter over small columns that every row `filter` keeps passes: `filter` itself
/// when it names only small columns; for `a AND b`, what either side implies; for
/// `a OR b`, the OR of what both sides imply. So `eventname = 'CreateLoginProfile' OR
/// (eventname = 'UpdateLoginProfile' AND useridentity.type <> 'IAMUser')` gives the two
/// event names, and the detection, run over the subset, applies the rest.
fn small_part(filter: &Expr) -> Option<Expr> {
    use datafusion::logical_expr::{BinaryExpr, Operator};
    let refs = filter.column_refs();
    if !refs.is_empty()
        && refs
            .iter()
            .all(|c| SMALL_COLUMNS.contains(&c.name.as_str()))
    {
        return Some(filter.clone());
    }
    match filter {
        Expr::BinaryExpr(BinaryExpr {
            left,
            op: Operator::And,
            right,
        }) => match (small_part(left), small_part(right)) {
            (Some(l), Some(r)) => Some(l.and(r)),
            (l, r) => l.or(r),
        },
        Expr::BinaryExpr(BinaryExpr {
            left,
            op: Operator::Or,
            right,
        }) => Some(small_part(left)?.or(small_part(right)?)),
        _ => None,
    }
}

/// `filters` joined by OR as a balanced tree. A left-deep chain of a hundred ORs
/// costs quadratic time per batch: evaluating each OR asks its left side for its
/// type, and that walks the rest of the chain again.
pub fn any_of(filters: Vec<Expr>) -> Option<Expr> {
    let mut level = filters;
    while level.len() > 1 {
        let mut next = Vec::with_capacity(level.len().div_ceil(2));
        let mut items = level.into_iter();
        while let Some(a) = items.next() {
            next.push(match items.next() {
                Some(b) => a.or(b),
                None => a,
            });
        }
        level = next;
    }
    level.pop()
}

/// A query can share the scan when every read of the table has a selective filter.
pub fn shareable(reads: &[TableRead]) -> bool {
    !reads.is_empty() && reads.iter().all(|r| selective_filter(r).is_some())
}

/// `eventtime >=` the earliest time any of `filters` lets through, when each bounds
/// it: a conjunct the lake prunes `date=` partitions and row groups on, which the
/// disjunction of many filters does not give it (`trawl watch` reads days, not years).
fn time_floor(filters: &[Expr]) -> Option<Expr> {
    let any = filters.iter().cloned().reduce(Expr::or)?;
    let ms = trawl_engine::earliest_event_time(&any)?;
    Some(
        datafusion::prelude::col(c::EVENTTIME).gt_eq(datafusion::prelude::lit(
            datafusion::common::ScalarValue::TimestampMillisecond(Some(ms), Some("UTC".into())),
        )),
    )
}

/// `table` of `ctx`, from the earliest time `filters` let through.
async fn from_floor(
    ctx: &SessionContext,
    table: &str,
    filters: &[Expr],
) -> Result<datafusion::dataframe::DataFrame> {
    let df = ctx.table(table).await?;
    Ok(match time_floor(filters) {
        Some(floor) => df.filter(floor)?,
        None => df,
    })
}

/// Columns with a value per event or nearly: grouping the lake by them would keep
/// every row.
const WIDE_COLUMNS: &[&str] = &[c::EVENTTIME, DATE_PARTITION, c::SOURCEIPADDRESS];

/// `filter` with every part that names a wide column taken as true: a filter that
/// keeps at least the rows `filter` keeps. Only operands of AND and OR are replaced
/// (both keep more rows when an operand does); anything else that names a wide
/// column becomes true whole.
fn widened(filter: &Expr) -> Expr {
    use datafusion::logical_expr::{BinaryExpr, Operator};
    match filter {
        Expr::BinaryExpr(BinaryExpr { left, op, right })
            if matches!(op, Operator::And | Operator::Or) =>
        {
            let (l, r) = (widened(left), widened(right));
            if *op == Operator::And {
                l.and(r)
            } else {
                l.or(r)
            }
        }
        other => {
            let wide = other
                .column_refs()
                .iter()
                .any(|c| WIDE_COLUMNS.contains(&c.name.as_str()));
            if wide {
                datafusion::prelude::lit(true)
            } else {
                other.clone()
            }
        }
    }
}

/// `table` grouped by the narrow columns a set of filters name (a few thousand
/// combinations of service, event name, error, account, region...), with each
/// group's row count in `__rows`.
pub struct Groups {
    keys: Vec<String>,
    table: Arc<MemTable>,
}

impl Groups {
    /// The keys `filter` names and the groups, as a table qualified `__groups`, that
    /// `filter` widened (see [`widened`]) may keep a row of; `None` when it names no
    /// key to join on.
    fn kept_by(
        &self,
        ctx: &SessionContext,
        filter: &Expr,
    ) -> Result<Option<(Vec<String>, DataFrame)>> {
        let widened = widened(filter);
        let named: BTreeSet<String> = widened
            .column_refs()
            .into_iter()
            .map(|c| c.name.clone())
            .collect();
        let keys: Vec<&str> = self
            .keys
            .iter()
            .filter(|k| named.contains(*k))
            .map(String::as_str)
            .collect();
        if keys.is_empty() {
            return Ok(None);
        }
        let kept = ctx
            .read_table(self.table.clone())?
            .filter(widened)?
            .select_columns(&keys)?
            .alias(GROUPS)?;
        Ok(Some((keys.into_iter().map(String::from).collect(), kept)))
    }
}

const GROUPS: &str = "__groups";

/// How many rows of `table` there are from the earliest time the filters let
/// through, and at most how many each filter keeps: good enough to tell a selective
/// filter from a wide one, which is all the shared scan asks. Also returns the
/// groups the counts came from, for [`prefetch`].
///
/// The lake is grouped once by the narrow columns the filters name, and each
/// filter, widened to those columns (see [`widened`]), is counted over the groups.
/// Evaluating a hundred filters on every row instead took most of two seconds on 2M
/// events.
pub async fn selectivities(
    ctx: &SessionContext,
    table: &str,
    filters: &[Expr],
) -> Result<(u64, Vec<u64>, Groups)> {
    use datafusion::functions_aggregate::expr_fn::count;
    use datafusion::prelude::{col, lit};
    let widened: Vec<Expr> = filters.iter().map(widened).collect();
    let keys: BTreeSet<String> = widened
        .iter()
        .flat_map(|f| f.column_refs().into_iter().map(|c| c.name.clone()))
        .collect();
    let grouped = from_floor(ctx, table, filters).await?.aggregate(
        keys.iter().map(|k| col(k.as_str())).collect(),
        vec![count(lit(1)).alias("__rows")],
    )?;
    let schema = Arc::new(grouped.schema().as_arrow().clone());
    let batches = grouped.collect().await?;
    // Counted here, not by a query over the groups: a cluster session could not ship
    // a plan over a table held in this process.
    let df_schema = datafusion::common::DFSchema::try_from(schema.clone())?;
    let predicates = widened
        .into_iter()
        .map(|f| ctx.create_physical_expr(f, &df_schema))
        .collect::<DfResult<Vec<_>>>()?;
    let (mut rows, mut kept) = (0u64, vec![0u64; predicates.len()]);
    for batch in &batches {
        use datafusion::arrow::array::{Array, AsArray};
        use datafusion::arrow::datatypes::Int64Type;
        let counts = batch.column(batch.num_columns() - 1);
        let counts = counts.as_primitive_opt::<Int64Type>().ok_or_else(|| {
            datafusion::error::DataFusionError::Internal("group counts are not Int64".into())
        })?;
        let count = |i: usize| counts.is_valid(i).then(|| counts.value(i).max(0) as u64);
        rows += (0..batch.num_rows()).filter_map(count).sum::<u64>();
        for (p, kept) in predicates.iter().zip(kept.iter_mut()) {
            let mask = p.evaluate(batch)?.into_array(batch.num_rows())?;
            let mask = mask.as_boolean_opt().ok_or_else(|| {
                datafusion::error::DataFusionError::Internal("a filter is not a predicate".into())
            })?;
            *kept += (0..batch.num_rows())
                .filter(|i| mask.is_valid(*i) && mask.value(*i))
                .filter_map(count)
                .sum::<u64>();
        }
    }
    let groups = Groups {
        keys: keys.into_iter().collect(),
        table: Arc::new(MemTable::try_new(schema, vec![batches])?),
    };
    Ok((rows, kept, groups))
}

/// The rows of a table that a set of reads keep, in memory, with the union of the
/// columns those reads need.
pub struct Subset {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
}

impl Subset {
    pub fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// The rows `filter` keeps, as one in-memory table.
    ///
    /// Each detection over a shared read runs on the rows its own reads' selective
    /// filters keep, not on the whole subset: a detection's JSON extraction over
    /// every candidate row of every other detection was most of the time the shared
    /// detections took (3.4 s of 139 detections over 44,868 rows, 2026-12-07).
    pub fn narrowed(&self, ctx: &SessionContext, filter: &Expr) -> Result<MemTable> {
        let df_schema = datafusion::common::DFSchema::try_from(self.schema.clone())?;
        let predicate = ctx.create_physical_expr(filter.clone(), &df_schema)?;
        let mut kept = Vec::with_capacity(self.batches.len());
        for batch in &self.batches {
            let mask = predicate.evaluate(batch)?.into_array(batch.num_rows())?;
            let mask =
                datafusion::arrow::array::AsArray::as_boolean_opt(&mask).ok_or_else(|| {
                    datafusion::error::DataFusionError::Internal(format!(
                        "the filter {filter} is not a predicate"
                    ))
                })?;
            let batch = datafusion::arrow::compute::filter_record_batch(batch, mask)?;
            if batch.num_rows() > 0 {
                kept.push(batch);
            }
        }
        Ok(MemTable::try_new(self.schema.clone(), vec![kept])?)
    }
}

/// Reads `table` of `ctx` once for all `reads` (each shareable) and returns the
/// subset with the union of their columns. With the `groups` [`selectivities`]
/// made of the same table, rows outside every group a read may keep are dropped
/// first, by a hash join on the group keys, and the reads' filters run on the rest:
/// the filters of 139 detections over every row of 2M events were most of the read
/// (3.4 s, 2026-12-07).
pub async fn prefetch(
    ctx: &SessionContext,
    table: &str,
    reads: &[TableRead],
    groups: Option<&Groups>,
) -> Result<Subset> {
    let filters: Vec<Expr> = reads.iter().filter_map(selective_filter).collect();
    let df = from_floor(ctx, table, &filters).await?;
    let all: Vec<String> = df
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    for r in reads {
        match &r.columns {
            Some(cols) => wanted.extend(cols.iter().cloned()),
            None => wanted.extend(all.iter().cloned()),
        }
    }
    // The predicate runs over the projection, so its columns are read too.
    for f in &filters {
        wanted.extend(f.column_refs().into_iter().map(|c| c.name.clone()));
    }
    let columns: Vec<&str> = all
        .iter()
        .filter(|c| wanted.contains(*c))
        .map(String::as_str)
        .collect();
    let predicate = any_of(filters).unwrap_or_else(|| datafusion::prelude::lit(false));
    // The disjunction is applied above the scan, not pushed into it: the Parquet
    // reader would turn it into a statistics and bloom filter predicate per file,
    // which for a hundred detections cost far more than the rows it decodes
    // (`statistics_eval_time` was most of a hunt), and pruned nothing. Pushed down as
    // a row filter with pruning off, it saved 0.5 s of a 3.1 s read of 2M events and
    // took 0.3 GB more peak memory (2026-12-06): not worth it.
    let mut df = df.select_columns(&columns)?;
    if let Some((keys, kept)) = match groups {
        Some(g) => g.kept_by(ctx, &predicate)?,
        None => None,
    } {
        // The join drops the rows of the other groups only after the scan decoded
        // them whole, wide columns and all (1.94M of 2M events, 103.6 MB read, 1.2 s
        // of a hunt, 2026-12-08). The kept groups' event names, a short list, go into
        // the scan as a row filter: the wide columns are then decoded for their rows
        // alone.
        if keys.iter().any(|k| k == c::EVENTNAME) {
            df = df.filter(one_of(&kept, c::EVENTNAME).await?)?;
        }
        // NULL is a value of a key here (`errorcode` is NULL on most events): IS
        // NOT DISTINCT FROM makes the join match it.
        let on: Vec<Expr> = keys
            .iter()
            .map(|k| {
                Expr::BinaryExpr(datafusion::logical_expr::BinaryExpr::new(
                    Box::new(datafusion::prelude::col(Column::new(Some(GROUPS), k))),
                    datafusion::logical_expr::Operator::IsNotDistinctFrom,
                    Box::new(datafusion::prelude::col(Column::new(Some(table), k))),
                ))
            })
            .collect();
        df = kept.join_on(df, datafusion::common::JoinType::RightSemi, on)?;
    }
    let schema = Arc::new(df.schema().as_arrow().clone());
    let predicate = ctx.create_physical_expr(predicate, df.schema())?;
    let scan = df.create_physical_plan().await?;
    let filtered = Arc::new(FilterExec::try_new(predicate, scan)?);
    let batches = datafusion::physical_plan::collect(filtered, ctx.task_ctx()).await?;
    Ok(Subset { schema, batches })
}

/// `column IN (its values in kept)`, NULL included when one of them is NULL.
async fn one_of(kept: &DataFrame, column: &str) -> Result<Expr> {
    use datafusion::prelude::col;
    let values = kept
        .clone()
        .select_columns(&[column])?
        .distinct()?
        .collect()
        .await?;
    let mut list = Vec::new();
    let mut null = false;
    for batch in &values {
        let array = batch.column(0);
        for i in 0..batch.num_rows() {
            let value = datafusion::common::ScalarValue::try_from_array(array, i)?;
            if value.is_null() {
                null = true;
            } else {
                list.push(Expr::Literal(value, None));
            }
        }
    }
    let named = col(Column::new_unqualified(column)).in_list(list, false);
    Ok(if null {
        named.or(col(Column::new_unqualified(column)).is_null())
    } else {
        named
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Array, RecordBatch, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};

    async fn ctx() -> SessionContext {
        let ctx = SessionContext::new();
        let schema = Arc::new(Schema::new(vec![
            Field::new("eventname", DataType::Utf8, true),
            Field::new("requestparameters", DataType::Utf8, true),
            Field::new("useragent", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(vec![
                    "StopLogging",
                    "GetObject",
                    "ListBuckets",
                ])),
                Arc::new(StringArray::from(vec![r#"{"name":"t"}"#, "{}", "{}"])),
                Arc::new(StringArray::from(vec!["aws-cli", "boto3", "console"])),
            ],
        )
        .unwrap();
        // MemTable pushes no filters down; a parquet-like provider is what matters,
        // so register a provider that accepts them: a listing table would, but a view
        // over MemTable with inexact pushdown is enough to exercise the walk.
        ctx.register_batch("cloudtrail", batch).unwrap();
        ctx
    }

    #[tokio::test]
    async fn reads_and_selective_filters() {
        let ctx = ctx().await;
        let plan = ctx
            .sql("SELECT useragent FROM cloudtrail WHERE eventname = 'StopLogging' AND requestparameters LIKE '%t%'")
            .await
            .unwrap()
            .into_optimized_plan()
            .unwrap();
        let reads = table_reads(&plan, "cloudtrail").unwrap();
        assert_eq!(reads.len(), 1);
        // A memory table takes no filters, so the read needs the whole table.
        assert!(!shareable(&reads));
        let read = TableRead {
            columns: Some(["useragent".to_string()].into()),
            filters: vec![
                datafusion::prelude::col("eventname").eq(datafusion::prelude::lit("StopLogging")),
                datafusion::prelude::col("requestparameters").like(datafusion::prelude::lit("%t%")),
            ],
        };
        let f = selective_filter(&read).unwrap();
        assert_eq!(f.to_string(), "eventname = Utf8(\"StopLogging\")");
        let subset = prefetch(&ctx, "cloudtrail", &[read], None).await.unwrap();
        assert_eq!(subset.rows(), 1);
        let ctx2 = SessionContext::new();
        let mem = subset.narrowed(&ctx2, &f).unwrap();
        ctx2.register_table("cloudtrail", Arc::new(mem)).unwrap();
        let n = ctx2
            .sql("SELECT count(*) FROM cloudtrail")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        assert_eq!(n[0].num_rows(), 1);
    }

    use datafusion::logical_expr::{BinaryExpr, Operator};
    use datafusion::prelude::{col, lit};

    #[test]
    fn an_or_with_a_wide_part_shares_on_what_both_sides_imply() {
        let name = |n: &str| col("eventname").eq(lit(n));
        let json = || col("requestparameters").like(lit("%t%"));
        let read = |filters: Vec<Expr>| TableRead {
            columns: None,
            filters,
        };
        // CreateLoginProfile, or UpdateLoginProfile with a wide condition: both names.
        let either = name("CreateLoginProfile").or(name("UpdateLoginProfile").and(json()));
        assert_eq!(
            selective_filter(&read(vec![either])).map(|f| f.to_string()),
            Some(
                "eventname = Utf8(\"CreateLoginProfile\") OR eventname = Utf8(\"UpdateLoginProfile\")"
                    .to_string()
            )
        );
        // A side that implies nothing small makes the whole OR imply nothing.
        let open = name("StopLogging").or(json());
        assert_eq!(selective_filter(&read(vec![open.clone()])), None);
        // ... but a conjunct beside it still shares.
        let f = selective_filter(&read(vec![open, col("errorcode").is_null()])).unwrap();
        assert_eq!(f.to_string(), "errorcode IS NULL");
    }

    #[test]
    fn any_of_is_a_balanced_tree_of_every_filter() {
        fn depth(e: &Expr) -> usize {
            match e {
                Expr::BinaryExpr(BinaryExpr {
                    left,
                    op: Operator::Or,
                    right,
                }) => 1 + depth(left).max(depth(right)),
                _ => 0,
            }
        }
        let leaves: Vec<Expr> = (0..100)
            .map(|i| col("eventname").eq(lit(format!("E{i}"))))
            .collect();
        let tree = any_of(leaves).unwrap();
        // ceil(log2(100)) levels, where a chain would have 99.
        assert_eq!(depth(&tree), 7);
        let mut names = BTreeSet::new();
        tree.apply(|e| {
            if let Expr::Literal(v, _) = e {
                names.insert(v.to_string());
            }
            Ok(TreeNodeRecursion::Continue)
        })
        .unwrap();
        assert_eq!(names.len(), 100);
        assert!(any_of(Vec::new()).is_none());
        assert_eq!(any_of(vec![lit(true)]), Some(lit(true)));
    }

    #[test]
    fn widened_filters_keep_at_least_the_rows_of_the_filter() {
        let narrow = col("eventname").eq(lit("ConsoleLogin"));
        let f = narrow
            .clone()
            .and(col("sourceipaddress").eq(lit("192.0.2.1")));
        assert_eq!(widened(&f), narrow.clone().and(lit(true)));
        // Under NOT, dropping a conjunct would narrow the filter: the whole NOT goes.
        let negated = !(narrow.clone().and(col("eventtime").is_null()));
        assert_eq!(widened(&negated), lit(true));
        let either = narrow.clone().or(col("eventtime").is_not_null());
        assert_eq!(widened(&either), narrow.or(lit(true)));
    }

    #[tokio::test]
    async fn selectivities_count_each_filter_over_groups() {
        let ctx = SessionContext::new();
        let schema = Arc::new(Schema::new(vec![
            Field::new("eventname", DataType::Utf8, true),
            Field::new("sourceipaddress", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(vec![
                    "StopLogging",
                    "GetObject",
                    "GetObject",
                    "GetObject",
                ])),
                Arc::new(StringArray::from(vec![
                    "192.0.2.1",
                    "192.0.2.1",
                    "192.0.2.2",
                    "192.0.2.3",
                ])),
            ],
        )
        .unwrap();
        ctx.register_batch("cloudtrail", batch).unwrap();
        let filters = vec![
            col("eventname").eq(lit("GetObject")),
            // The address is wide: the count is an upper bound, every StopLogging.
            col("eventname")
                .eq(lit("StopLogging"))
                .and(col("sourceipaddress").eq(lit("192.0.2.9"))),
            col("eventname").eq(lit("PutObject")),
        ];
        let (rows, kept, _) = selectivities(&ctx, "cloudtrail", &filters).await.unwrap();
        assert_eq!(rows, 4);
        assert_eq!(kept, vec![3, 1, 0]);
    }

    /// The read through the groups keeps exactly the rows the reads' filters keep,
    /// rows whose key is NULL included, and each detection's part is its own rows.
    #[tokio::test]
    async fn the_read_through_the_groups_keeps_what_the_filters_keep() {
        let ctx = SessionContext::new();
        let schema = Arc::new(Schema::new(vec![
            Field::new("eventname", DataType::Utf8, true),
            Field::new("errorcode", DataType::Utf8, true),
            Field::new("sourceipaddress", DataType::Utf8, true),
            Field::new("requestparameters", DataType::Utf8, true),
        ]));
        let names = [
            Some("ConsoleLogin"),
            Some("ConsoleLogin"),
            Some("ConsoleLogin"),
            Some("GetObject"),
            Some("PutUserPolicy"),
            Some("PutUserPolicy"),
            None,
        ];
        let errors = [
            None,
            Some("Failed"),
            None,
            None,
            None,
            Some("AccessDenied"),
            Some("Odd"),
        ];
        let addresses = [
            "192.0.2.1",
            "192.0.2.1",
            "192.0.2.2",
            "192.0.2.1",
            "192.0.2.1",
            "192.0.2.1",
            "192.0.2.1",
        ];
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(names.to_vec())),
                Arc::new(StringArray::from(errors.to_vec())),
                Arc::new(StringArray::from(addresses.to_vec())),
                Arc::new(StringArray::from(
                    (0..7).map(|i| format!("{{\"n\":{i}}}")).collect::<Vec<_>>(),
                )),
            ],
        )
        .unwrap();
        ctx.register_batch("cloudtrail", batch).unwrap();
        let read = |filter: Expr| TableRead {
            columns: Some(["requestparameters".to_string()].into()),
            filters: vec![filter],
        };
        // Successful logins from one address (the address is a wide column: the
        // groups keep both addresses, the filter afterwards one), and policy writes
        // that succeeded: NULL error codes on both sides of the join.
        let logins = col("eventname")
            .eq(lit("ConsoleLogin"))
            .and(col("errorcode").is_null())
            .and(col("sourceipaddress").eq(lit("192.0.2.1")));
        let policies = col("eventname")
            .eq(lit("PutUserPolicy"))
            .and(col("errorcode").is_null());
        // A record without an event name is a group too: the scan's list of the kept
        // groups' names lets it through.
        let nameless = col("eventname")
            .is_null()
            .and(col("errorcode").eq(lit("Odd")));
        let reads = [read(logins.clone()), read(policies.clone()), read(nameless)];
        let filters: Vec<Expr> = reads.iter().filter_map(selective_filter).collect();
        let (_, kept, groups) = selectivities(&ctx, "cloudtrail", &filters).await.unwrap();
        assert_eq!(kept, vec![2, 1, 1]);
        let subset = prefetch(&ctx, "cloudtrail", &reads, Some(&groups))
            .await
            .unwrap();
        let params = |batches: &[RecordBatch]| -> Vec<String> {
            let mut v: Vec<String> = batches
                .iter()
                .flat_map(|b| {
                    let i = b.schema().index_of("requestparameters").unwrap();
                    let a = datafusion::arrow::compute::cast(b.column(i), &DataType::Utf8).unwrap();
                    let a = a.as_any().downcast_ref::<StringArray>().unwrap().clone();
                    (0..a.len()).map(move |r| a.value(r).to_string())
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(
            params(&subset.batches),
            vec![r#"{"n":0}"#, r#"{"n":4}"#, r#"{"n":6}"#]
        );
        // Without the groups, the same rows.
        let plain = prefetch(&ctx, "cloudtrail", &reads, None).await.unwrap();
        assert_eq!(params(&plain.batches), params(&subset.batches));
        // Each detection's part: its own rows only.
        let part = subset.narrowed(&ctx, &policies).unwrap();
        let ctx2 = SessionContext::new();
        ctx2.register_table("cloudtrail", Arc::new(part)).unwrap();
        let rows = ctx2
            .sql("SELECT requestparameters FROM cloudtrail")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        assert_eq!(params(&rows), vec![r#"{"n":4}"#]);
    }
}
