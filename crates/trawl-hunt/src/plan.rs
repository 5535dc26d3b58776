//! Planning a hunt: every selected detection planned once with its parameters
//! bound, and the lake read once for those whose filters are selective enough to
//! share that read.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use datafusion::catalog::MemoryCatalogProviderList;
use datafusion::common::ScalarValue;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::dataframe::DataFrame;
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::session_state::SessionState;
use datafusion::logical_expr::expr::AggregateFunction;
use datafusion::logical_expr::{Expr, LogicalPlan};
use datafusion::prelude::SessionContext;
use trawl_cloudtrail::col as c;
use trawl_engine::catalog::Query;

use crate::HuntError;
use crate::hunt::Observer;
use crate::report::StageTime;
use crate::shared_scan::{
    Subset, TableRead, any_of, prefetch, selective_filter, selectivities, shareable, table_reads,
};

/// A detection whose filter keeps more than this share of the lake reads the lake
/// itself: holding that many rows in memory would cost more than scanning them again
/// (Parquet with pushed-down filters), and the subset would grow with the lake.
const MAX_SHARED_FRACTION: f64 = 0.02;

/// The parameters `query` declares, taken from the hunt's: a hunt passes one set
/// to every detection, and each takes what it knows.
pub(crate) fn own_params(
    query: &Query,
    given: &HashMap<String, String>,
) -> HashMap<String, String> {
    given
        .iter()
        .filter(|(k, _)| query.params.iter().any(|p| &p.name == *k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// A detection planned with its parameters bound.
pub(crate) struct Planned {
    pub df: DataFrame,
    /// Every read of `cloudtrail` it makes has a selective filter: it can run over
    /// the shared pre-filtered subset.
    pub shared: bool,
    reads: Vec<TableRead>,
}

impl Planned {
    /// What its reads of `cloudtrail` keep at least, over small columns: the rows of
    /// a shared read it runs on. `None` when a read has no selective filter.
    fn shared_filter(&self) -> Option<Expr> {
        let filters: Option<Vec<Expr>> = self.reads.iter().map(selective_filter).collect();
        any_of(filters?)
    }
}

/// The lake's rows that the detections sharing a read need, and the session
/// settings to run each detection over its part of them.
pub(crate) struct SharedRead {
    subset: Subset,
    state: SessionState,
}

impl SharedRead {
    pub fn rows(&self) -> usize {
        self.subset.rows()
    }

    /// A session whose `cloudtrail` is the part of the shared read `planned` needs.
    ///
    /// One partition: the part is small, and two detections run side by side, so
    /// repartitioning it for each plan would cost more than it spreads.
    pub fn session_for(&self, planned: &Planned) -> Result<SessionContext, HuntError> {
        let state = SessionStateBuilder::new_from_existing(self.state.clone())
            .with_config(
                self.state
                    .config()
                    .clone()
                    .with_create_default_catalog_and_schema(true)
                    .with_target_partitions(1),
            )
            .with_catalog_list(Arc::new(MemoryCatalogProviderList::new()))
            .build();
        let ctx = SessionContext::new_with_state(state);
        let table = match planned.shared_filter() {
            Some(filter) => self.subset.narrowed(&ctx, &filter)?,
            None => self
                .subset
                .narrowed(&ctx, &datafusion::prelude::lit(true))?,
        };
        ctx.register_table("cloudtrail", Arc::new(table))?;
        Ok(ctx)
    }
}

/// Plans `query` over `ctx` with its parameters bound and the lake's first event
/// time pinned (see [`pin_first_event`]).
pub(crate) async fn plan_bound(
    ctx: &SessionContext,
    query: &Query,
    given: &HashMap<String, String>,
    first_event_ms: Option<i64>,
) -> Result<DataFrame, HuntError> {
    let df = query.plan(ctx, given).await?;
    let Some(ms) = first_event_ms else {
        return Ok(df);
    };
    let (state, plan) = df.into_parts();
    let pinned = pin_first_event(plan, ms)?;
    Ok(DataFrame::new(state, pinned))
}

/// Plans `query` over `ctx` and reads what it pushes into its `cloudtrail` scans.
pub(crate) async fn plan(
    ctx: &SessionContext,
    query: &Query,
    given: &HashMap<String, String>,
    first_event_ms: Option<i64>,
) -> Result<Planned, HuntError> {
    let df = plan_bound(ctx, query, &own_params(query, given), first_event_ms).await?;
    let optimized = ctx.state().optimize(df.logical_plan())?;
    let reads = table_reads(&optimized, "cloudtrail")?;
    Ok(Planned {
        df,
        shared: shareable(&reads),
        reads,
    })
}

/// Reads the lake once for every planned detection that can share the scan and
/// returns those rows (None when no detection can share). Detections whose filters are too wide to share
/// are marked unshared here.
pub(crate) async fn shared_session(
    ctx: &SessionContext,
    planned: &mut [Result<Planned, HuntError>],
    memory_limit: Option<usize>,
    observer: &dyn Observer,
    stages: &mut Vec<StageTime>,
) -> Result<Option<SharedRead>, HuntError> {
    observer.stage("measuring which detections share a scan");
    let started = Instant::now();
    let candidates: Vec<(usize, Expr)> = planned
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let p = p.as_ref().ok().filter(|p| p.shared)?;
            Some((i, p.shared_filter()?))
        })
        .collect();
    let filters: Vec<Expr> = candidates.iter().map(|(_, f)| f.clone()).collect();
    let (rows, kept, groups) = selectivities(ctx, "cloudtrail", &filters).await?;
    for ((i, _), kept) in candidates.iter().zip(kept) {
        if kept as f64 > MAX_SHARED_FRACTION * rows as f64
            && let Ok(p) = &mut planned[*i]
        {
            p.shared = false;
        }
    }
    let reads: Vec<TableRead> = planned
        .iter()
        .filter_map(|p| p.as_ref().ok())
        .filter(|p| p.shared)
        .flat_map(|p| p.reads.iter().cloned())
        .collect();
    stages.push(StageTime::since("shared scan: selectivity", started));
    if reads.is_empty() {
        return Ok(None);
    }
    observer.stage("reading the lake once for all detections");
    let started = Instant::now();
    // A cluster cannot join the lake to the groups held here: it filters every row.
    let groups = (!trawl_engine::runs_on_cluster(ctx)).then_some(&groups);
    let subset = prefetch(ctx, "cloudtrail", &reads, groups).await?;
    stages.push(StageTime::since("shared scan: read", started));
    observer.stage(&format!("{} candidate events", subset.rows()));
    let shared = trawl_engine::new_session_with(&trawl_engine::SessionOptions { memory_limit })?;
    Ok(Some(SharedRead {
        subset,
        state: shared.state(),
    }))
}

/// Replaces every `(SELECT min(eventtime) FROM cloudtrail)` in `plan` with the time
/// the hunt measured once. First-seen detections use that subquery to stay silent
/// while the lake is shorter than their look-back; left in, it is a read of the
/// whole lake that keeps the detection off the shared scan (whose subset has a
/// later first event) and costs a scan of its own for each of them.
pub(crate) fn pin_first_event(
    plan: LogicalPlan,
    first_event_ms: i64,
) -> datafusion::common::Result<LogicalPlan> {
    plan.transform_up_with_subqueries(|node| {
        node.map_expressions(|e| {
            e.transform_up(|e| match e {
                Expr::ScalarSubquery(sq)
                    if sq.outer_ref_columns.is_empty() && is_first_event(&sq.subquery) =>
                {
                    let data_type = sq.subquery.schema().field(0).data_type().clone();
                    let value =
                        ScalarValue::TimestampMillisecond(Some(first_event_ms), Some("UTC".into()))
                            .cast_to(&data_type)?;
                    Ok(Transformed::yes(Expr::Literal(value, None)))
                }
                other => Ok(Transformed::no(other)),
            })
        })
    })
    .map(|t| t.data)
}

/// `SELECT min(eventtime) FROM cloudtrail`, with nothing filtered or grouped.
fn is_first_event(plan: &LogicalPlan) -> bool {
    match plan {
        LogicalPlan::Projection(p) => {
            p.expr.len() == 1
                && matches!(p.expr[0].clone().unalias(), Expr::Column(_))
                && is_first_event(&p.input)
        }
        LogicalPlan::SubqueryAlias(a) => is_first_event(&a.input),
        LogicalPlan::Aggregate(a) => {
            a.group_expr.is_empty()
                && a.aggr_expr.len() == 1
                && is_min_event_time(a.aggr_expr[0].clone().unalias())
                && is_whole_table(&a.input)
        }
        _ => false,
    }
}

fn is_min_event_time(e: Expr) -> bool {
    let Expr::AggregateFunction(AggregateFunction { func, params }) = e else {
        return false;
    };
    func.name() == "min"
        && params.filter.is_none()
        && !params.distinct
        && matches!(params.args.as_slice(), [Expr::Column(col)] if col.name == c::EVENTTIME)
}

fn is_whole_table(plan: &LogicalPlan) -> bool {
    match plan {
        LogicalPlan::TableScan(scan) => {
            scan.table_name.table() == "cloudtrail"
                && scan.filters.is_empty()
                && scan.fetch.is_none()
        }
        LogicalPlan::SubqueryAlias(a) => is_whole_table(&a.input),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{RecordBatch, StringArray, TimestampMillisecondArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
    use datafusion::arrow::util::pretty::pretty_format_batches;

    const DAY_MS: i64 = 86_400_000;

    fn ctx() -> SessionContext {
        let ctx = SessionContext::new();
        let schema = Arc::new(Schema::new(vec![
            Field::new(
                c::EVENTTIME,
                DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
                true,
            ),
            Field::new(c::EVENTNAME, DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(
                    TimestampMillisecondArray::from(vec![0, DAY_MS, 3 * DAY_MS])
                        .with_timezone("UTC"),
                ),
                Arc::new(StringArray::from(vec![
                    "ListUsers",
                    "GetObject",
                    "CreateUser",
                ])),
            ],
        )
        .unwrap();
        ctx.register_batch("cloudtrail", batch).unwrap();
        ctx
    }

    fn subqueries(plan: &LogicalPlan) -> usize {
        let mut n = 0;
        plan.apply_with_subqueries(|node| {
            node.apply_expressions(|e| {
                e.apply(|e| {
                    n += usize::from(matches!(e, Expr::ScalarSubquery(_)));
                    Ok(datafusion::common::tree_node::TreeNodeRecursion::Continue)
                })
            })
        })
        .unwrap();
        n
    }

    async fn run(ctx: &SessionContext, plan: LogicalPlan) -> String {
        let batches = DataFrame::new(ctx.state(), plan).collect().await.unwrap();
        pretty_format_batches(&batches).unwrap().to_string()
    }

    #[tokio::test]
    async fn the_first_event_subquery_becomes_a_literal_with_the_same_answer() {
        let ctx = ctx();
        let sql = "SELECT eventname FROM cloudtrail \
                   WHERE eventtime >= (SELECT min(eventtime) FROM cloudtrail) + INTERVAL '2' DAY";
        let plan = ctx.sql(sql).await.unwrap().into_unoptimized_plan();
        assert_eq!(subqueries(&plan), 1);
        let pinned = pin_first_event(plan.clone(), 0).unwrap();
        assert_eq!(subqueries(&pinned), 0, "{pinned}");
        let expected = run(&ctx, plan).await;
        assert!(expected.contains("CreateUser") && !expected.contains("GetObject"));
        assert_eq!(run(&ctx, pinned).await, expected);
    }

    #[tokio::test]
    async fn other_subqueries_are_left_alone() {
        let ctx = ctx();
        for sql in [
            // Filtered, grouped or another aggregate: not the lake's first event.
            "SELECT eventname FROM cloudtrail WHERE eventtime >= \
             (SELECT min(eventtime) FROM cloudtrail WHERE eventname = 'GetObject')",
            "SELECT eventname FROM cloudtrail WHERE eventtime >= \
             (SELECT max(eventtime) FROM cloudtrail)",
        ] {
            let plan = ctx.sql(sql).await.unwrap().into_unoptimized_plan();
            let pinned = pin_first_event(plan, 0).unwrap();
            assert_eq!(subqueries(&pinned), 1, "{sql}");
        }
    }
}
