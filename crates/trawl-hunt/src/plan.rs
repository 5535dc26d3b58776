//! Planning a hunt: every selected detection planned once with its parameters
//! bound, and the lake read once for those whose filters are selective enough to
//! share that read.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::dataframe::DataFrame;
use datafusion::logical_expr::Expr;
use datafusion::prelude::SessionContext;
use trawl_engine::catalog::Query;

use crate::HuntError;
use crate::hunt::Observer;
use crate::shared_scan::{
    TableRead, prefetch, selective_filter, selectivities, shareable, table_reads,
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

/// Plans `query` over `ctx` and reads what it pushes into its `cloudtrail` scans.
pub(crate) async fn plan(
    ctx: &SessionContext,
    query: &Query,
    given: &HashMap<String, String>,
) -> Result<Planned, HuntError> {
    let df = query.plan(ctx, &own_params(query, given)).await?;
    let optimized = ctx.state().optimize(df.logical_plan())?;
    let reads = table_reads(&optimized, "cloudtrail")?;
    Ok(Planned {
        df,
        shared: shareable(&reads),
        reads,
    })
}

/// Reads the lake once for every planned detection that can share the scan and
/// returns a session whose `cloudtrail` is that subset, with its row count (None
/// when no detection can share). Detections whose filters are too wide to share
/// are marked unshared here.
pub(crate) async fn shared_session(
    ctx: &SessionContext,
    planned: &mut [Result<Planned, HuntError>],
    memory_limit: Option<usize>,
    partitions: usize,
    observer: &dyn Observer,
) -> Result<Option<(SessionContext, usize)>, HuntError> {
    observer.stage("measuring which detections share a scan");
    let candidates: Vec<(usize, Expr)> = planned
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let p = p.as_ref().ok().filter(|p| p.shared)?;
            let f = p
                .reads
                .iter()
                .filter_map(selective_filter)
                .reduce(Expr::or)?;
            Some((i, f))
        })
        .collect();
    let filters: Vec<Expr> = candidates.iter().map(|(_, f)| f.clone()).collect();
    let (rows, kept) = selectivities(ctx, "cloudtrail", &filters).await?;
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
    if reads.is_empty() {
        return Ok(None);
    }
    observer.stage("reading the lake once for all detections");
    let (table, rows) = prefetch(ctx, "cloudtrail", &reads, partitions).await?;
    observer.stage(&format!("{rows} candidate events"));
    let shared = trawl_engine::new_session_with(&trawl_engine::SessionOptions { memory_limit })?;
    shared.register_table("cloudtrail", Arc::new(table))?;
    Ok(Some((shared, rows)))
}
