//! Row groups ruled out by the bloom filters of `useridentity`'s needle fields.
//!
//! The lake writes bloom filters for `useridentity.accesskeyid`, `.arn` and
//! `.principalid`: "what did this key do?" and "what did this principal do?" are the
//! first questions of an investigation. DataFusion 55 consults the bloom filters of
//! top-level columns only, so a filter on one of these fields read every row group
//! (27 of 27 kept for a key that is nowhere in the 2M-event lake). For a scan whose
//! filter requires such a field to equal one of some literals, the lake table reads
//! those bloom filters itself and hands the Parquet scan an access plan that skips
//! the row groups holding none of the values; the scan prunes further as usual.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::catalog::Session;
use datafusion::common::{Result, ScalarValue};
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::physical_plan::parquet::{
    CachedParquetFileReaderFactory, ParquetAccessPlan, ParquetFileReaderFactory,
};
use datafusion::datasource::physical_plan::{FileScanConfig, FileScanConfigBuilder};
use datafusion::datasource::source::DataSourceExec;
use datafusion::logical_expr::utils::split_conjunction;
use datafusion::logical_expr::{BinaryExpr, Expr, Operator};
use datafusion::parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
use datafusion::parquet::arrow::async_reader::{AsyncFileReader, ParquetRecordBatchStreamBuilder};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::metrics::ExecutionPlanMetricsSet;
use futures::{StreamExt, TryStreamExt};
use trawl_cloudtrail::col as c;

/// Files whose footer and bloom filters are read at once.
const FILES_AT_ONCE: usize = 16;

/// A `useridentity` field and the values a scan's filter requires it to hold one of.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Needle {
    field: &'static str,
    values: Vec<String>,
}

/// The needles of a scan's filters: conjuncts `useridentity.F = 'v'` and
/// `useridentity.F IN ('v', ...)` for the fields the lake writes bloom filters for.
pub(crate) fn needles(filters: &[Expr]) -> Vec<Needle> {
    filters
        .iter()
        .flat_map(|f| split_conjunction(f))
        .filter_map(needle)
        .collect()
}

fn needle(e: &Expr) -> Option<Needle> {
    match e {
        Expr::BinaryExpr(BinaryExpr {
            left,
            op: Operator::Eq,
            right,
        }) => {
            let (field, value) = match (field_of(left), field_of(right)) {
                (Some(f), None) => (f, string_literal(right)?),
                (None, Some(f)) => (f, string_literal(left)?),
                _ => return None,
            };
            Some(Needle {
                field,
                values: vec![value],
            })
        }
        Expr::InList(list) if !list.negated => Some(Needle {
            field: field_of(&list.expr)?,
            values: list
                .list
                .iter()
                .map(string_literal)
                .collect::<Option<Vec<_>>>()?,
        }),
        _ => None,
    }
}

/// The field `e` reads, when it is `useridentity.F` (`get_field(useridentity, 'F')`)
/// and the lake's writer gives `F` a bloom filter ([`trawl_convert::BLOOM_COLUMNS`]).
fn field_of(e: &Expr) -> Option<&'static str> {
    let Expr::ScalarFunction(f) = without_string_cast(e) else {
        return None;
    };
    match f.args.as_slice() {
        [Expr::Column(column), name]
            if f.name() == "get_field" && column.name == c::USERIDENTITY =>
        {
            let name = string_literal(name)?;
            trawl_convert::BLOOM_COLUMNS
                .iter()
                .find_map(|path| match path {
                    [parent, field] if *parent == c::USERIDENTITY && *field == name => Some(*field),
                    _ => None,
                })
        }
        _ => None,
    }
}

fn string_literal(e: &Expr) -> Option<String> {
    match without_string_cast(e) {
        Expr::Literal(
            ScalarValue::Utf8(Some(s))
            | ScalarValue::Utf8View(Some(s))
            | ScalarValue::LargeUtf8(Some(s)),
            _,
        ) => Some(s.clone()),
        _ => None,
    }
}

/// `e` without casts from one string type to another, which keep every value.
fn without_string_cast(e: &Expr) -> &Expr {
    let is_string =
        |t: &DataType| matches!(t, DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8);
    match e {
        Expr::Cast(cast) if is_string(cast.field.data_type()) => without_string_cast(&cast.expr),
        other => other,
    }
}

/// `plan` (a Parquet scan of the lake's files) with an access plan on each file that
/// skips the row groups whose bloom filters hold none of a needle's values; `plan`
/// itself when it is not such a scan or no row group can be skipped.
pub(crate) async fn prune(
    state: &dyn Session,
    plan: Arc<dyn ExecutionPlan>,
    needles: &[Needle],
) -> Result<Arc<dyn ExecutionPlan>> {
    let Some(config) = plan
        .downcast_ref::<DataSourceExec>()
        .and_then(|exec| exec.data_source().downcast_ref::<FileScanConfig>())
    else {
        return Ok(plan);
    };
    let store = state.runtime_env().object_store(&config.object_store_url)?;
    // DataFusion's own reader over the session's store (local disk or S3), through the
    // session's footer cache: the scan that follows finds each footer read here there
    // instead of reading and decoding it again.
    let readers = CachedParquetFileReaderFactory::new(
        store,
        state.runtime_env().cache_manager.get_file_metadata_cache(),
    );
    // Each file once (a file split into byte ranges, one per partition, is listed
    // once per range), several at a time: on S3 each read is a round trip.
    let mut files: HashMap<object_store::path::Path, PartitionedFile> = HashMap::new();
    for file in config.file_groups.iter().flat_map(|g| g.iter()) {
        files
            .entry(file.object_meta.location.clone())
            .or_insert_with(|| file.clone());
    }
    let plans: HashMap<object_store::path::Path, ParquetAccessPlan> = futures::stream::iter(files)
        .map(|(location, file)| {
            let readers = &readers;
            async move {
                let plan = access_plan(readers, file, needles).await?;
                Ok::<_, datafusion::error::DataFusionError>(plan.map(|p| (location, p)))
            }
        })
        .buffer_unordered(FILES_AT_ONCE)
        .try_filter_map(|found| async move { Ok(found) })
        .try_collect()
        .await?;
    let mut groups = config.file_groups.clone();
    let mut skipping = false;
    for group in &mut groups {
        for i in 0..group.len() {
            if let Some(skips) = plans.get(&group[i].object_meta.location) {
                group[i] = group[i].clone().with_extension(skips.clone());
                skipping = true;
            }
        }
    }
    if !skipping {
        return Ok(plan);
    }
    let config = FileScanConfigBuilder::from(config.clone())
        .with_file_groups(groups)
        .build();
    Ok(DataSourceExec::from_data_source(config))
}

/// The access plan of one file: every row group, less those whose bloom filter of a
/// needle's field holds none of its values; `None` when none is skipped.
async fn access_plan(
    readers: &CachedParquetFileReaderFactory,
    file: PartitionedFile,
    needles: &[Needle],
) -> Result<Option<ParquetAccessPlan>> {
    let mut reader: Box<dyn AsyncFileReader> =
        readers.create_reader(0, file, None, &ExecutionPlanMetricsSet::new())?;
    let metadata = ArrowReaderMetadata::load_async(&mut reader, ArrowReaderOptions::new()).await?;
    let parquet = Arc::clone(metadata.metadata());
    let schema = parquet.file_metadata().schema_descr();
    let columns: Vec<(usize, &Needle)> = needles
        .iter()
        .filter_map(|n| {
            schema
                .columns()
                .iter()
                .position(|leaf| leaf.path().parts() == [c::USERIDENTITY, n.field])
                .map(|i| (i, n))
        })
        .collect();
    if columns.is_empty() {
        return Ok(None);
    }
    let row_groups = parquet.num_row_groups();
    let mut builder = ParquetRecordBatchStreamBuilder::new_with_metadata(reader, metadata);
    let mut plan = ParquetAccessPlan::new_all(row_groups);
    let mut skipped = 0;
    for row_group in 0..row_groups {
        for (column, needle) in &columns {
            let Some(bloom) = builder
                .get_row_group_column_bloom_filter(row_group, *column)
                .await?
            else {
                continue;
            };
            if !needle.values.iter().any(|v| bloom.check(v.as_str())) {
                plan.skip(row_group);
                skipped += 1;
                break;
            }
        }
    }
    Ok((skipped > 0).then_some(plan))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::prelude::{col, lit};

    fn field(name: &str) -> Expr {
        datafusion::functions::core::expr_fn::get_field(col(c::USERIDENTITY), name)
    }

    #[test]
    fn needles_are_equalities_and_in_lists_on_the_bloom_fields() {
        let key = field("accesskeyid").eq(lit("AKIAEXAMPLE"));
        let arns = field("arn").in_list(vec![lit("a"), lit("b")], false);
        let found = needles(&[key.and(col("eventname").eq(lit("x"))), arns]);
        assert_eq!(
            found,
            vec![
                Needle {
                    field: "accesskeyid",
                    values: vec!["AKIAEXAMPLE".into()]
                },
                Needle {
                    field: "arn",
                    values: vec!["a".into(), "b".into()]
                },
            ]
        );
        // Not a needle: another field, a negation, a disjunction, a non-literal.
        let none = [
            field("username").eq(lit("bob")),
            field("arn").in_list(vec![lit("a")], true),
            field("arn").eq(lit("a")).or(field("arn").eq(lit("b"))),
            field("arn").eq(col("eventname")),
            field("arn").not_eq(lit("a")),
        ];
        assert_eq!(needles(&none), Vec::new());
    }
}
