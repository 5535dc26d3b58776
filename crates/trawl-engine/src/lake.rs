//! The `cloudtrail` table over a lake: DataFusion's listing table, wrapped so that a
//! filter on `eventtime` also prunes `date=` partitions without the user naming
//! `date` (`eventtime >= now() - interval '7 days'` reads a week of directories).

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::catalog::Session;
use datafusion::common::{Result as DfResult, ScalarValue};
use datafusion::datasource::TableProvider;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::logical_expr::{
    BinaryExpr, Expr, Operator, TableProviderFilterPushDown, TableType,
};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::{SessionContext, col, lit};
use trawl_cloudtrail::{DATE_PARTITION, col as c};

use crate::{Error, Result};

/// The lake's table: a listing table plus derived partition filters.
#[derive(Debug)]
pub struct LakeTable {
    inner: ListingTable,
    /// The lake whose kept file statistics go into the session's cache before the
    /// first scan, and that cache; taken when they are put. Not when the lake opens:
    /// `SELECT 1`, or a session that never reads the table, would pay for them.
    kept_statistics: std::sync::Mutex<Option<KeptStatistics>>,
}

type KeptStatistics = (
    std::path::PathBuf,
    Arc<datafusion::execution::cache::cache_manager::FileStatisticsCache>,
);

impl LakeTable {
    /// The lake table over a listing table of its files (one decoded on a cluster's
    /// executor), with no kept statistics to put in the cache.
    #[cfg(feature = "cluster")]
    pub(crate) fn new(inner: ListingTable) -> Self {
        Self {
            inner,
            kept_statistics: std::sync::Mutex::new(None),
        }
    }

    /// The listing table of the lake's files, without the derived partition filters.
    pub(crate) fn listing(&self) -> &ListingTable {
        &self.inner
    }

    /// Puts the lake's kept file statistics into the session's cache, the first time
    /// only ([`crate::file_stats`]). Returns how many files' statistics it put.
    pub(crate) fn restore_kept_statistics(&self) -> usize {
        let pending = self.kept_statistics.lock().ok().and_then(|mut k| k.take());
        match pending {
            Some((lake, cache)) => crate::file_stats::restore(
                &lake,
                &self.table_prefix(),
                &self.file_schema(),
                cache.as_ref(),
            ),
            None => 0,
        }
    }

    /// The schema of the files: the table's without its partition columns, as the
    /// listing table built the one from the other.
    pub(crate) fn file_schema(&self) -> datafusion::arrow::datatypes::Schema {
        let partitions = &self.inner.options().table_partition_cols;
        let table_schema = self.inner.schema();
        datafusion::arrow::datatypes::Schema::new(
            table_schema
                .fields()
                .iter()
                .filter(|f| !partitions.iter().any(|(name, _)| name == f.name()))
                .cloned()
                .collect::<Vec<_>>(),
        )
    }

    /// The table directory as an object-store path.
    pub(crate) fn table_prefix(&self) -> object_store::path::Path {
        self.inner
            .table_paths()
            .first()
            .map(|u| u.prefix().clone())
            .unwrap_or_default()
    }
}

const DAY_MS: i64 = 86_400_000;

/// Milliseconds since the epoch of a literal compared with `eventtime`.
fn literal_millis(v: &ScalarValue) -> Option<i64> {
    match v {
        ScalarValue::TimestampSecond(Some(x), _) => Some(x * 1000),
        ScalarValue::TimestampMillisecond(Some(x), _) => Some(*x),
        ScalarValue::TimestampMicrosecond(Some(x), _) => Some(x.div_euclid(1000)),
        ScalarValue::TimestampNanosecond(Some(x), _) => Some(x.div_euclid(1_000_000)),
        ScalarValue::Date32(Some(d)) => Some(i64::from(*d) * DAY_MS),
        ScalarValue::Utf8(Some(s))
        | ScalarValue::Utf8View(Some(s))
        | ScalarValue::LargeUtf8(Some(s)) => trawl_cloudtrail::parse_event_time(s)
            .or_else(|| trawl_cloudtrail::parse_event_time(&format!("{}T00:00:00Z", s.trim()))),
        _ => None,
    }
}

fn is_event_time(e: &Expr) -> bool {
    match e {
        Expr::Column(column) => column.name == c::EVENTTIME,
        // `eventtime` compared with a literal of another type arrives wrapped in a cast.
        Expr::Cast(cast) => is_event_time(&cast.expr),
        Expr::TryCast(cast) => is_event_time(&cast.expr),
        _ => false,
    }
}

fn literal(e: &Expr) -> Option<i64> {
    match e {
        Expr::Literal(v, _) => literal_millis(v),
        Expr::Cast(cast) => literal(&cast.expr),
        _ => None,
    }
}

fn day(ms: i64) -> Expr {
    lit(ScalarValue::Date32(Some(ms.div_euclid(DAY_MS) as i32)))
}

/// The earliest event time (ms) a filter lets through, when it bounds `eventtime` from
/// below on every branch: a disjunction of many queries' filters (a shared scan) is
/// bounded by the earliest of them, which a conjunct of its own can then prune on.
pub fn earliest_event_time(filter: &Expr) -> Option<i64> {
    match filter {
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => match op {
            Operator::And => match (earliest_event_time(left), earliest_event_time(right)) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            },
            Operator::Or => Some(earliest_event_time(left)?.min(earliest_event_time(right)?)),
            Operator::Gt | Operator::GtEq | Operator::Eq if is_event_time(left) => literal(right),
            Operator::Lt | Operator::LtEq | Operator::Eq if is_event_time(right) => literal(left),
            _ => None,
        },
        Expr::Between(b) if !b.negated && is_event_time(&b.expr) => literal(&b.low),
        _ => None,
    }
}

/// Partition filters implied by a filter on `eventtime`.
pub fn date_filters(filter: &Expr) -> Vec<Expr> {
    let date = || col(DATE_PARTITION);
    match filter {
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
            let (op, t) = if is_event_time(left) {
                match literal(right) {
                    Some(t) => (*op, t),
                    None => return Vec::new(),
                }
            } else if is_event_time(right) {
                match (literal(left), op.swap()) {
                    (Some(t), Some(op)) => (op, t),
                    _ => return Vec::new(),
                }
            } else if *op == Operator::And {
                let mut out = date_filters(left);
                out.extend(date_filters(right));
                return out;
            } else {
                return Vec::new();
            };
            match op {
                Operator::Gt | Operator::GtEq => vec![date().gt_eq(day(t))],
                Operator::Lt => vec![date().lt_eq(day(t - 1))],
                Operator::LtEq => vec![date().lt_eq(day(t))],
                Operator::Eq => vec![date().eq(day(t))],
                _ => Vec::new(),
            }
        }
        Expr::Between(b) if !b.negated && is_event_time(&b.expr) => {
            match (literal(&b.low), literal(&b.high)) {
                (Some(lo), Some(hi)) => vec![date().gt_eq(day(lo)), date().lt_eq(day(hi))],
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

#[async_trait]
impl TableProvider for LakeTable {
    fn schema(&self) -> SchemaRef {
        self.inner.schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> DfResult<Vec<TableProviderFilterPushDown>> {
        self.inner.supports_filters_pushdown(filters)
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        self.restore_kept_statistics();
        let mut all = filters.to_vec();
        for f in filters {
            all.extend(date_filters(f));
        }
        let plan = self.inner.scan(state, projection, &all, limit).await?;
        let needles = crate::identity_pruning::needles(filters);
        if needles.is_empty() {
            return Ok(plan);
        }
        // Pruning only narrows the scan: a file it cannot read is read, and reported,
        // by the scan itself.
        Ok(
            crate::identity_pruning::prune(state, Arc::clone(&plan), &needles)
                .await
                .unwrap_or(plan),
        )
    }
}

/// The `cloudtrail` table of a local lake as a session opens it: refused when the
/// table directory holds files the ledger does not name, with the ledger's schema
/// when every file has it.
pub(crate) async fn opened_lake_table(ctx: &SessionContext, lake: &Path) -> Result<LakeTable> {
    let schema_version = refuse_foreign_files(lake).await?;
    lake_table_of_version(ctx, lake, schema_version).await
}

/// Builds the `cloudtrail` table of a local lake.
pub async fn lake_table(ctx: &SessionContext, lake: &Path) -> Result<LakeTable> {
    lake_table_of_version(ctx, lake, None).await
}

/// Builds the `cloudtrail` table of a local lake whose files were all written with
/// `schema_version` (when known): the table then has that version's schema without
/// reading a footer. Inferring it reads every file's footer first (85 reads on the 2M
/// lake, one per file of a lake of years), which `SELECT 1` does not need and a query
/// of one day would not otherwise make.
pub(crate) async fn lake_table_of_version(
    ctx: &SessionContext,
    lake: &Path,
    schema_version: Option<u32>,
) -> Result<LakeTable> {
    let table_dir = lake.join(trawl_convert::TABLE_DIR);
    if !table_dir.is_dir() {
        return Err(Error::Lake {
            path: lake.display().to_string(),
            message: "no cloudtrail/ table here: not a trawl lake (run `trawl convert` first)"
                .into(),
        });
    }
    let abs = table_dir.canonicalize().map_err(|e| Error::Lake {
        path: table_dir.display().to_string(),
        message: e.to_string(),
    })?;
    let table_url = ListingTableUrl::parse(format!("{}/", abs.display()))?;
    let known = schema_version
        .filter(|v| *v == trawl_cloudtrail::SCHEMA_VERSION)
        .map(|_| trawl_cloudtrail::schema());
    listing_table(ctx, table_url, known, Some(lake)).await
}

/// Registers the tables of a lake on S3 (`s3://bucket/prefix`): `cloudtrail`, and
/// `rejects` when there are any; the bucket's client is registered with the session.
pub async fn register_s3_lake(ctx: &SessionContext, url: &str) -> Result<()> {
    use futures::StreamExt;
    use trawl_convert::s3::{S3Url, explain, store};
    let lake_err = |message: String| Error::Lake {
        path: url.to_string(),
        message,
    };
    let parsed = S3Url::parse(url).map_err(|e| lake_err(e.to_string()))?;
    let s3 = store(&parsed.bucket)
        .await
        .map_err(|e| lake_err(e.to_string()))?;
    let bucket_url =
        url::Url::parse(&format!("s3://{}", parsed.bucket)).map_err(|e| lake_err(e.to_string()))?;
    ctx.register_object_store(&bucket_url, s3.clone());
    let prefix = parsed.key.trim_end_matches('/');
    let key = |dir: &str| {
        if prefix.is_empty() {
            dir.to_string()
        } else {
            format!("{prefix}/{dir}")
        }
    };
    // Whether anything is stored under a key prefix; a missing bucket or refused
    // credentials fail here with a message, not inside a query.
    let any_under = |k: String| {
        let s3 = s3.clone();
        async move {
            let mut listing = s3.list(Some(&object_store::path::Path::from(k)));
            match listing.next().await {
                Some(Ok(_)) => Ok(true),
                Some(Err(e)) => Err(lake_err(explain(url, &e))),
                None => Ok(false),
            }
        }
    };
    let table_key = key(trawl_convert::TABLE_DIR);
    if !any_under(table_key.clone()).await? {
        return Err(lake_err(
            "no cloudtrail/ table here: not a trawl lake (run `trawl convert ... --lake` first)"
                .into(),
        ));
    }
    let table_url = ListingTableUrl::parse(format!("s3://{}/{table_key}/", parsed.bucket))?;
    let known = s3_schema_version(
        s3.as_ref(),
        &key("_trawl/ledger/"),
        &key(trawl_convert::TABLE_FILES_RECORD),
    )
    .await
    .filter(|v| *v == trawl_cloudtrail::SCHEMA_VERSION)
    .map(|_| trawl_cloudtrail::schema());
    let table = listing_table(ctx, table_url, known, None).await?;
    ctx.register_table("cloudtrail", Arc::new(table))?;
    let rejects_key = key(trawl_convert::REJECTS_DIR);
    if any_under(rejects_key.clone()).await? {
        let options = datafusion::prelude::JsonReadOptions::default().file_extension(".jsonl");
        ctx.register_json(
            "rejects",
            &format!("s3://{}/{rejects_key}/", parsed.bucket),
            options,
        )
        .await?;
    }
    let mut integrity = Vec::new();
    for rel in [
        trawl_convert::integrity::FILES_DIR,
        trawl_convert::integrity::CHAINS_DIR,
    ] {
        let k = key(rel);
        integrity.push(
            any_under(k.clone())
                .await?
                .then(|| format!("s3://{}/{k}/", parsed.bucket)),
        );
    }
    let chains = integrity.pop().flatten();
    let files = integrity.pop().flatten();
    crate::integrity::register_integrity(ctx, files, chains).await?;
    Ok(())
}

/// The schema version of every file of a lake on S3, from the record its last publish
/// left (`_trawl/table-files.json`) when that record was made from exactly the ledger
/// listed under `ledger`: one LIST and one GET where inferring the schema reads every
/// file's footer. `None` (infer) when there is no record, it is stale or unreadable.
async fn s3_schema_version(
    store: &dyn object_store::ObjectStore,
    ledger: &str,
    record: &str,
) -> Option<u32> {
    use futures::TryStreamExt;
    use object_store::ObjectStoreExt;
    let listed: Vec<object_store::ObjectMeta> = store
        .list(Some(&object_store::path::Path::from(ledger)))
        .try_collect()
        .await
        .ok()?;
    let mut manifests: Vec<(String, u64)> = listed
        .into_iter()
        .filter_map(|m| {
            let name = m.location.filename()?.to_string();
            name.ends_with(".json").then_some((name, m.size))
        })
        .collect();
    if manifests.is_empty() {
        return None;
    }
    manifests.sort();
    let body = store
        .get(&object_store::path::Path::from(record))
        .await
        .ok()?
        .bytes()
        .await
        .ok()?;
    trawl_convert::table_files_from_record(&body, &manifests)?.schema_version
}

impl LakeTable {
    /// The table's files that cannot be read as lake files (not Parquet, a cut-off or
    /// corrupt footer, no `eventtime` column), each with why. Reads footers only: it is
    /// for naming the culprit after a query failed, not for every query.
    pub async fn damaged_files(&self, ctx: &SessionContext) -> Vec<(String, String)> {
        use futures::TryStreamExt;
        let mut damaged = Vec::new();
        for url in self.inner.table_paths() {
            let Ok(store) = ctx.runtime_env().object_store(url) else {
                continue;
            };
            let Ok(objects) = store.list(Some(url.prefix())).try_collect::<Vec<_>>().await else {
                continue;
            };
            let root = url.as_str().trim_end_matches('/');
            let root = root
                .strip_suffix(url.prefix().as_ref())
                .unwrap_or(root)
                .trim_end_matches('/');
            for meta in objects {
                if meta.location.extension() != Some("parquet") {
                    continue;
                }
                if let Err(why) = check_footer(store.as_ref(), &meta).await {
                    let shown = match root {
                        "file:" => format!("/{}", meta.location),
                        _ => format!("{root}/{}", meta.location),
                    };
                    damaged.push((shown, why));
                }
            }
        }
        damaged
    }
}

/// Whether an object is a Parquet file of the lake, from its footer alone.
async fn check_footer(
    store: &dyn object_store::ObjectStore,
    meta: &object_store::ObjectMeta,
) -> std::result::Result<(), String> {
    use datafusion::parquet::file::metadata::ParquetMetaDataReader;
    use object_store::ObjectStoreExt;
    let size = meta.size;
    if size < 12 {
        return Err(format!("{size} bytes: too small to be Parquet"));
    }
    let tail = store
        .get_range(&meta.location, size - 8..size)
        .await
        .map_err(|e| e.to_string())?;
    if &tail[4..8] != b"PAR1" {
        return Err("no Parquet footer: cut off, or not a Parquet file".to_string());
    }
    let len = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    if len + 12 > size {
        return Err(format!(
            "corrupt footer: it claims {len} bytes of a {size}-byte file"
        ));
    }
    let footer = store
        .get_range(&meta.location, size - 8 - len..size - 8)
        .await
        .map_err(|e| e.to_string())?;
    let metadata = ParquetMetaDataReader::decode_metadata(&footer)
        .map_err(|e| format!("corrupt footer: {e}"))?;
    let schema = metadata.file_metadata().schema_descr();
    if !schema
        .columns()
        .iter()
        .any(|col| col.name() == c::EVENTTIME)
    {
        return Err(
            "not a trawl lake file: no eventtime column (written by another tool?)".to_string(),
        );
    }
    Ok(())
}

/// Refuses a local lake whose table holds a Parquet file that no run of its ledger put
/// there and that is not a lake file (another tool's output dropped in): its rows would
/// join the table's, with nulls where the columns differ. Files the ledger wrote are
/// trusted here (a damaged one is named when a query trips on it); so is a lake without
/// a ledger.
///
/// Returns the schema version every file of the table was written with, when the
/// ledger accounts for every file and its runs agree on one.
pub(crate) async fn refuse_foreign_files(lake: &Path) -> Result<Option<u32>> {
    use object_store::ObjectStoreExt;
    let err = |message: String| Error::Lake {
        path: lake.display().to_string(),
        message,
    };
    let table = lake.join(trawl_convert::TABLE_DIR);
    if !table.is_dir() {
        return Ok(None);
    }
    let opened =
        trawl_convert::Lake::open(&lake.to_string_lossy()).map_err(|e| err(e.to_string()))?;
    let Some(files) = opened.table_files().map_err(|e| err(e.to_string()))? else {
        return Ok(None);
    };
    let live = &files.paths;
    let mut unknown = Vec::new();
    let mut dirs = vec![table];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "parquet") {
                // Relative to the lake as given, where the walk started. Against the
                // opened lake's canonical root, a relative `--lake` made every file
                // look foreign (each footer read, the schema inferred).
                let rel = path.strip_prefix(lake).unwrap_or(&path);
                let rel = rel.to_string_lossy().replace('\\', "/");
                if !live.contains(rel.as_str()) {
                    unknown.push(path);
                }
            }
        }
    }
    let store = object_store::local::LocalFileSystem::new();
    let foreign = unknown.len();
    for path in unknown {
        let located = object_store::path::Path::from_filesystem_path(&path)
            .map_err(|e| err(format!("{}: {e}", path.display())))?;
        let meta = store
            .head(&located)
            .await
            .map_err(|e| err(format!("{}: {e}", path.display())))?;
        if let Err(why) = check_footer(&store, &meta).await {
            return Err(err(format!(
                "{} is not one of the lake's files ({why}); move it out of the lake",
                path.display()
            )));
        }
    }
    Ok(files.schema_version.filter(|_| foreign == 0))
}

/// [`LakeTable::damaged_files`] of the session's `cloudtrail` table, when it is a lake.
pub async fn damaged_lake_files(ctx: &SessionContext) -> Vec<(String, String)> {
    let Ok(provider) = ctx.table_provider("cloudtrail").await else {
        return Vec::new();
    };
    let any: &dyn std::any::Any = provider.as_ref();
    match any.downcast_ref::<LakeTable>() {
        Some(t) => t.damaged_files(ctx).await,
        None => Vec::new(),
    }
}

/// The listing table over `table_url`; with `known`, the schema the files were
/// written with, its table schema is what inferring it from the files would give.
/// Its files' statistics are kept in the session's cache across queries, and for a
/// local lake (`kept`) start from those `trawl convert` kept ([`crate::file_stats`]).
async fn listing_table(
    ctx: &SessionContext,
    table_url: ListingTableUrl,
    known: Option<datafusion::arrow::datatypes::SchemaRef>,
    kept: Option<&Path>,
) -> Result<LakeTable> {
    let format = ParquetFormat::default();
    let known = known.map(|schema| {
        // As the format's inference does: no schema-level metadata, strings as views.
        let plain = datafusion::arrow::datatypes::Schema::new(schema.fields().clone());
        Arc::new(if format.force_view_types() {
            datafusion::datasource::physical_plan::parquet::transform_schema_to_view(&plain)
        } else {
            plain
        })
    });
    // No declared sort order: a converted file holds one sorted run per chunk of its
    // run, so it is not sorted as a whole. DataFusion takes each file's order from its
    // footer, so a lake `trawl compact` merged into sorted files is known as sorted.
    let options = ListingOptions::new(Arc::new(format))
        .with_file_extension(".parquet")
        .with_table_partition_cols(vec![(DATE_PARTITION.to_string(), DataType::Date32)]);
    let state = ctx.state();
    let config = ListingTableConfig::new(table_url).with_listing_options(options);
    let config = match known {
        Some(schema) => config.with_schema(schema),
        None => match config.clone().infer_schema(&state).await {
            Ok(c) => c,
            // An empty lake has no file to read a schema from: use the model's.
            Err(_) => config.with_schema(trawl_cloudtrail::schema()),
        },
    };
    let cache = ctx.runtime_env().cache_manager.get_file_statistic_cache();
    let kept_statistics = match (kept, &cache) {
        (Some(lake), Some(cache)) => Some((lake.to_path_buf(), Arc::clone(cache))),
        _ => None,
    };
    Ok(LakeTable {
        inner: ListingTable::try_new(config)?.with_cache(cache),
        kept_statistics: std::sync::Mutex::new(kept_statistics),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_filters_imply_date_filters() {
        let t = |s: &str| {
            lit(ScalarValue::TimestampMillisecond(
                trawl_cloudtrail::parse_event_time(s),
                Some("UTC".into()),
            ))
        };
        let f = col("eventtime").gt_eq(t("2026-03-01T10:00:00Z"));
        assert_eq!(
            date_filters(&f),
            vec![col("date").gt_eq(day(
                trawl_cloudtrail::parse_event_time("2026-03-01T00:00:00Z").unwrap()
            ))]
        );
        let f = t("2026-03-02T00:00:00Z").gt(col("eventtime"));
        let d = date_filters(&f);
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0],
            col("date").lt_eq(day(trawl_cloudtrail::parse_event_time(
                "2026-03-01T23:59:59Z"
            )
            .unwrap()))
        );
        let f = col("eventtime").gt(lit("2026-03-01"));
        assert_eq!(date_filters(&f).len(), 1);
        let f = col("eventname").eq(lit("x"));
        assert!(date_filters(&f).is_empty());
    }

    #[test]
    fn a_disjunction_starts_at_its_earliest_branch() {
        let t = |s: &str| {
            lit(ScalarValue::TimestampMillisecond(
                trawl_cloudtrail::parse_event_time(s),
                Some("UTC".into()),
            ))
        };
        let ms = |s: &str| trawl_cloudtrail::parse_event_time(s);
        let name = || col("eventname").eq(lit("x"));
        let a = name().and(col("eventtime").gt_eq(t("2026-03-02T00:00:00Z")));
        let b = col("eventtime")
            .gt_eq(t("2026-03-01T00:00:00Z"))
            .and(col("eventtime").gt_eq(t("2026-03-01T12:00:00Z")))
            .and(name());
        assert_eq!(
            earliest_event_time(&a.clone().or(b.clone())),
            ms("2026-03-01T12:00:00Z")
        );
        // A branch without a bound lets every time through.
        assert_eq!(earliest_event_time(&a.or(name())), None);
        assert_eq!(
            earliest_event_time(&b.and(name())),
            ms("2026-03-01T12:00:00Z")
        );
    }
}
