//! A local lake's per-file statistics, kept in `_trawl/file-stats.arrow` so that a
//! query does not read and summarise every file's footer before it starts.
//!
//! DataFusion gathers each file's statistics (row count, and per column the nulls,
//! minimum and maximum) to plan a scan: it prunes files and answers `count(*)` from
//! them. On the 2M-event lake that took 50-70 ms of every `trawl sql -c`, as much as
//! the query. `trawl convert` keeps what DataFusion gathered, exactly as it gathered
//! it, and the table's first scan puts it back in the session's statistics cache. An entry
//! is used only while its file has the size and modification time it was read at
//! (DataFusion's own check), so a file rewritten or added since is read as before.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, Int64Array, NullArray, RecordBatch, StringArray, UInt8Array, UInt64Array,
};
use datafusion::arrow::compute::SortOptions;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::common::stats::Precision;
use datafusion::common::{ColumnStatistics, ScalarValue, Statistics};
use datafusion::execution::cache::cache_manager::{CachedFileMetadata, FileStatisticsCache};
use datafusion::execution::cache::{SchemaFingerprint, TableScopedPath};
use datafusion::physical_expr::{LexOrdering, PhysicalSortExpr};
use datafusion::physical_plan::expressions::Column;
use object_store::ObjectMeta;
use object_store::path::Path as StorePath;

use crate::{Error, Result};

/// Where the statistics are kept, under the lake's root.
pub const FILE_STATS_RECORD: &str = "_trawl/file-stats.arrow";

/// Bumped when the layout below changes: an older record is then ignored.
const LAYOUT: &str = "1";
const LAYOUT_KEY: &str = "trawl.file_stats.layout";
const SCHEMA_KEY: &str = "trawl.file_stats.file_schema";

/// The file schema the statistics were gathered under, as text: a record made under
/// another schema (another trawl version) is not used.
fn schema_text(file_schema: &Schema) -> String {
    file_schema
        .fields()
        .iter()
        .map(|f| format!("{}:{}:{}", f.name(), f.data_type(), f.is_nullable()))
        .collect::<Vec<_>>()
        .join(",")
}

/// One file's entry: its place under the table directory, and what DataFusion keeps.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    relative: String,
    size: u64,
    modified_ns: i64,
    e_tag: Option<String>,
    version: Option<String>,
    statistics: Statistics,
    ordering: Option<Vec<(String, usize, SortOptions)>>,
}

fn code<T: std::fmt::Debug + Clone + PartialEq + Eq + PartialOrd>(p: &Precision<T>) -> u8 {
    match p {
        Precision::Absent => 0,
        Precision::Exact(_) => 1,
        Precision::Inexact(_) => 2,
    }
}

fn value<T: std::fmt::Debug + Clone + PartialEq + Eq + PartialOrd>(p: &Precision<T>) -> Option<&T> {
    match p {
        Precision::Exact(v) | Precision::Inexact(v) => Some(v),
        Precision::Absent => None,
    }
}

fn precision<T: std::fmt::Debug + Clone + PartialEq + Eq + PartialOrd>(
    code: u8,
    v: Option<T>,
) -> Precision<T> {
    match (code, v) {
        (1, Some(v)) => Precision::Exact(v),
        (2, Some(v)) => Precision::Inexact(v),
        _ => Precision::Absent,
    }
}

/// Columns of the record: a name, and the array.
type Columns = Vec<(String, ArrayRef)>;

fn counts(name: &str, of: Vec<&Precision<usize>>, out: &mut Columns) {
    let values: UInt64Array = of.iter().map(|p| value(p).map(|v| *v as u64)).collect();
    let codes: UInt8Array = of.iter().map(|p| Some(code(p))).collect();
    out.push((name.to_string(), Arc::new(values)));
    out.push((format!("{name}.p"), Arc::new(codes)));
}

fn scalars(name: &str, of: Vec<&Precision<ScalarValue>>, out: &mut Columns) -> Result<()> {
    let codes: UInt8Array = of.iter().map(|p| Some(code(p))).collect();
    // The type of the first value that is not null, else of the first typed null
    // (a column null in every file has typed null bounds).
    let present = of
        .iter()
        .filter_map(|p| value(p))
        .find(|v| !v.is_null())
        .or_else(|| of.iter().filter_map(|p| value(p)).next());
    let array: ArrayRef = match present
        .map(ScalarValue::data_type)
        .filter(|t| *t != DataType::Null)
    {
        None => Arc::new(NullArray::new(of.len())),
        Some(t) => {
            let null = ScalarValue::try_from(&t)?;
            ScalarValue::iter_to_array(of.iter().map(|p| {
                value(p)
                    .filter(|v| !v.is_null())
                    .cloned()
                    .unwrap_or(null.clone())
            }))?
        }
    };
    out.push((name.to_string(), array));
    out.push((format!("{name}.p"), Arc::new(codes)));
    Ok(())
}

fn ordering_text(ordering: &[(String, usize, SortOptions)]) -> String {
    ordering
        .iter()
        .map(|(name, index, o)| format!("{index}:{}:{}:{name}", o.descending, o.nulls_first))
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_ordering(text: &str) -> Option<Vec<(String, usize, SortOptions)>> {
    text.lines()
        .map(|line| {
            let mut parts = line.splitn(4, ':');
            let index = parts.next()?.parse().ok()?;
            let descending = parts.next()?.parse().ok()?;
            let nulls_first = parts.next()?.parse().ok()?;
            let name = parts.next()?.to_string();
            Some((
                name,
                index,
                SortOptions {
                    descending,
                    nulls_first,
                },
            ))
        })
        .collect()
}

/// The entries as one record batch, with the file schema in its metadata.
fn encode(entries: &[Entry], file_schema: &Schema) -> Result<RecordBatch> {
    let n = file_schema.fields().len();
    let mut columns: Columns = vec![
        (
            "path".into(),
            Arc::new(StringArray::from_iter_values(
                entries.iter().map(|e| e.relative.as_str()),
            )),
        ),
        (
            "size".into(),
            Arc::new(UInt64Array::from_iter_values(
                entries.iter().map(|e| e.size),
            )),
        ),
        (
            "modified_ns".into(),
            Arc::new(Int64Array::from_iter_values(
                entries.iter().map(|e| e.modified_ns),
            )),
        ),
        (
            "e_tag".into(),
            Arc::new(StringArray::from_iter(
                entries.iter().map(|e| e.e_tag.as_deref()),
            )),
        ),
        (
            "version".into(),
            Arc::new(StringArray::from_iter(
                entries.iter().map(|e| e.version.as_deref()),
            )),
        ),
        (
            "ordering".into(),
            Arc::new(StringArray::from_iter(
                entries
                    .iter()
                    .map(|e| e.ordering.as_ref().map(|o| ordering_text(o))),
            )),
        ),
    ];
    let stats: Vec<&Statistics> = entries.iter().map(|e| &e.statistics).collect();
    if stats.iter().any(|s| s.column_statistics.len() != n) {
        return Err(Error::Lake {
            path: FILE_STATS_RECORD.into(),
            message: "statistics do not match the file schema".into(),
        });
    }
    counts(
        "rows",
        stats.iter().map(|s| &s.num_rows).collect(),
        &mut columns,
    );
    counts(
        "bytes",
        stats.iter().map(|s| &s.total_byte_size).collect(),
        &mut columns,
    );
    for i in 0..n {
        let col = |f: fn(&ColumnStatistics) -> &Precision<usize>| {
            stats
                .iter()
                .map(move |s| f(&s.column_statistics[i]))
                .collect()
        };
        counts(&format!("{i}.nulls"), col(|c| &c.null_count), &mut columns);
        counts(
            &format!("{i}.distinct"),
            col(|c| &c.distinct_count),
            &mut columns,
        );
        counts(&format!("{i}.size"), col(|c| &c.byte_size), &mut columns);
        let col = |f: fn(&ColumnStatistics) -> &Precision<ScalarValue>| {
            stats
                .iter()
                .map(move |s| f(&s.column_statistics[i]))
                .collect()
        };
        scalars(&format!("{i}.min"), col(|c| &c.min_value), &mut columns)?;
        scalars(&format!("{i}.max"), col(|c| &c.max_value), &mut columns)?;
        scalars(&format!("{i}.sum"), col(|c| &c.sum_value), &mut columns)?;
    }
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, a)| Field::new(name, a.data_type().clone(), true))
        .collect();
    let metadata = HashMap::from([
        (LAYOUT_KEY.to_string(), LAYOUT.to_string()),
        (SCHEMA_KEY.to_string(), schema_text(file_schema)),
    ]);
    let schema = Arc::new(Schema::new(fields).with_metadata(metadata));
    Ok(RecordBatch::try_new(
        schema,
        columns.into_iter().map(|(_, a)| a).collect(),
    )?)
}

/// A count column of the record and its precision codes.
struct Counts<'a> {
    values: &'a UInt64Array,
    codes: &'a UInt8Array,
}

impl Counts<'_> {
    fn at(&self, row: usize) -> Precision<usize> {
        let v = self.values;
        precision(
            self.codes.value(row),
            v.is_valid(row).then(|| v.value(row) as usize),
        )
    }
}

/// A value column of the record and its precision codes.
struct Scalars<'a> {
    values: &'a ArrayRef,
    codes: &'a UInt8Array,
    /// The column's null, made once: the bounds of a struct column are a typed null
    /// in every file, and making one builds a whole null struct.
    null: Option<ScalarValue>,
}

impl<'a> Scalars<'a> {
    fn new(values: &'a ArrayRef, codes: &'a UInt8Array) -> Self {
        let null = (0..values.len())
            .find(|&row| values.is_null(row))
            .and_then(|row| ScalarValue::try_from_array(values, row).ok());
        Self {
            values,
            codes,
            null,
        }
    }

    fn at(&self, row: usize) -> Option<Precision<ScalarValue>> {
        let c = self.codes.value(row);
        if c == 0 {
            return Some(Precision::Absent);
        }
        let v = match &self.null {
            Some(null) if self.values.is_null(row) => null.clone(),
            _ => ScalarValue::try_from_array(self.values, row).ok()?,
        };
        Some(precision(c, Some(v)))
    }
}

/// One file column's statistics columns in the record.
struct ColumnArrays<'a> {
    nulls: Counts<'a>,
    distinct: Counts<'a>,
    size: Counts<'a>,
    min: Scalars<'a>,
    max: Scalars<'a>,
    sum: Scalars<'a>,
}

/// The entries of a batch [`encode`] made under `file_schema`; `None` when it was
/// made under another schema or layout.
fn decode(batch: &RecordBatch, file_schema: &Schema) -> Option<Vec<Entry>> {
    let meta = batch.schema_ref().metadata();
    if meta.get(LAYOUT_KEY).map(String::as_str) != Some(LAYOUT)
        || meta.get(SCHEMA_KEY) != Some(&schema_text(file_schema))
    {
        return None;
    }
    // Looked up by name once each: the record has a dozen columns per file column.
    let by_name: HashMap<&str, &ArrayRef> = batch
        .schema_ref()
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .zip(batch.columns())
        .collect();
    let column = |name: &str| by_name.get(name).copied();
    let strings = |name: &str| column(name)?.as_any().downcast_ref::<StringArray>();
    let codes = |name: &str| {
        column(&format!("{name}.p"))?
            .as_any()
            .downcast_ref::<UInt8Array>()
    };
    let counts = |name: &str| {
        Some(Counts {
            values: column(name)?.as_any().downcast_ref::<UInt64Array>()?,
            codes: codes(name)?,
        })
    };
    let scalars = |name: &str| Some(Scalars::new(column(name)?, codes(name)?));
    let columns = (0..file_schema.fields().len())
        .map(|i| {
            Some(ColumnArrays {
                nulls: counts(&format!("{i}.nulls"))?,
                distinct: counts(&format!("{i}.distinct"))?,
                size: counts(&format!("{i}.size"))?,
                min: scalars(&format!("{i}.min"))?,
                max: scalars(&format!("{i}.max"))?,
                sum: scalars(&format!("{i}.sum"))?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let rows = counts("rows")?;
    let bytes = counts("bytes")?;
    let paths = strings("path")?;
    let sizes = column("size")?.as_any().downcast_ref::<UInt64Array>()?;
    let modified = column("modified_ns")?
        .as_any()
        .downcast_ref::<Int64Array>()?;
    let e_tags = strings("e_tag")?;
    let versions = strings("version")?;
    let orderings = strings("ordering")?;
    let text = |a: &StringArray, row: usize| a.is_valid(row).then(|| a.value(row).to_string());
    (0..batch.num_rows())
        .map(|row| {
            let column_statistics = columns
                .iter()
                .map(|c| {
                    Some(ColumnStatistics {
                        null_count: c.nulls.at(row),
                        max_value: c.max.at(row)?,
                        min_value: c.min.at(row)?,
                        sum_value: c.sum.at(row)?,
                        distinct_count: c.distinct.at(row),
                        byte_size: c.size.at(row),
                    })
                })
                .collect::<Option<Vec<_>>>()?;
            let ordering = match text(orderings, row) {
                Some(t) => Some(parse_ordering(&t)?),
                None => None,
            };
            Some(Entry {
                relative: paths.value(row).to_string(),
                size: sizes.value(row),
                modified_ns: modified.value(row),
                e_tag: text(e_tags, row),
                version: text(versions, row),
                statistics: Statistics {
                    num_rows: rows.at(row),
                    total_byte_size: bytes.at(row),
                    column_statistics,
                },
                ordering,
            })
        })
        .collect()
}

fn read_record(lake: &Path) -> Option<RecordBatch> {
    let file = std::fs::File::open(lake.join(FILE_STATS_RECORD)).ok()?;
    let mut reader = datafusion::arrow::ipc::reader::FileReader::try_new(file, None).ok()?;
    reader.next()?.ok()
}

/// A DataFusion sort expression back from its column's name and index.
fn lex_ordering(ordering: &[(String, usize, SortOptions)]) -> Option<LexOrdering> {
    LexOrdering::new(ordering.iter().map(|(name, index, options)| {
        PhysicalSortExpr::new(Arc::new(Column::new(name, *index)), *options)
    }))
}

/// Puts the lake's kept statistics into `cache` for the files under `table_prefix`
/// (the table directory's object-store path), when they were kept under
/// `file_schema`. Returns how many files it put.
pub(crate) fn restore(
    lake: &Path,
    table_prefix: &StorePath,
    file_schema: &Schema,
    cache: &FileStatisticsCache,
) -> usize {
    let Some(entries) = read_record(lake).and_then(|b| decode(&b, file_schema)) else {
        return 0;
    };
    let fingerprint = Arc::new(SchemaFingerprint::from_schema(file_schema));
    let mut put = 0;
    for e in entries {
        let Ok(location) = StorePath::parse(format!("{}/{}", table_prefix.as_ref(), e.relative))
        else {
            continue;
        };
        let key = TableScopedPath {
            table: None,
            path: location.clone(),
        };
        if cache.get(&key).is_some() {
            continue;
        }
        let meta = ObjectMeta {
            location,
            last_modified: chrono::DateTime::from_timestamp_nanos(e.modified_ns),
            size: e.size,
            e_tag: e.e_tag,
            version: e.version,
        };
        let ordering = match &e.ordering {
            Some(o) => match lex_ordering(o) {
                Some(l) => Some(l),
                None => continue,
            },
            None => None,
        };
        cache.put(
            &key,
            CachedFileMetadata::new(
                meta,
                Arc::clone(&fingerprint),
                Arc::new(e.statistics),
                ordering,
            ),
        );
        put += 1;
    }
    put
}

/// A sort expression as (column name, column index, options); `None` unless every
/// key is a plain column, which is what a Parquet file's sorting columns give.
fn plain_ordering(ordering: &LexOrdering) -> Option<Vec<(String, usize, SortOptions)>> {
    ordering
        .iter()
        .map(|s| {
            let c = s.expr.downcast_ref::<Column>()?;
            Some((c.name().to_string(), c.index(), s.options))
        })
        .collect()
}

/// Gathers the statistics of every file of the local lake's table as a query would,
/// and keeps them in [`FILE_STATS_RECORD`] for the sessions that open the lake next.
/// Returns how many files' statistics it kept. Writing is best effort for callers
/// (the lake works without it), so a failure is only returned.
pub async fn keep_file_statistics(lake: &Path) -> Result<usize> {
    let ctx = crate::new_session()?;
    let table = crate::lake::opened_lake_table(&ctx, lake).await?;
    // Only the files added or changed since are read.
    table.restore_kept_statistics();
    let file_schema = table.file_schema();
    let prefix = format!("{}/", table.table_prefix().as_ref());
    let state = ctx.state();
    let listed = table
        .listing()
        .list_files_for_scan(&state, &[], None)
        .await?;
    let n = file_schema.fields().len();
    let mut entries = Vec::new();
    for file in listed.file_groups.iter().flat_map(|g| g.iter()) {
        let meta = &file.object_meta;
        let (Some(relative), Some(stats)) = (
            meta.location.as_ref().strip_prefix(&prefix),
            file.statistics.as_deref(),
        ) else {
            continue;
        };
        // The listing adds the partition columns' statistics after the file's own.
        let mut statistics = stats.clone();
        if statistics.column_statistics.len() < n {
            continue;
        }
        statistics.column_statistics.truncate(n);
        let ordering = match &file.ordering {
            Some(o) => match plain_ordering(o) {
                Some(o) => Some(o),
                None => continue,
            },
            None => None,
        };
        let Some(modified_ns) = meta.last_modified.timestamp_nanos_opt() else {
            continue;
        };
        entries.push(Entry {
            relative: relative.to_string(),
            size: meta.size,
            modified_ns,
            e_tag: meta.e_tag.clone(),
            version: meta.version.clone(),
            statistics,
            ordering,
        });
    }
    entries.sort_by(|a, b| a.relative.cmp(&b.relative));
    let batch = encode(&entries, &file_schema)?;
    let kept_err = |message: String| Error::Lake {
        path: lake.join(FILE_STATS_RECORD).display().to_string(),
        message,
    };
    // Kept only what reads back as it was: a value the record cannot carry would
    // otherwise plan queries on statistics DataFusion never gathered.
    if decode(&batch, &file_schema).as_ref() != Some(&entries) {
        return Err(kept_err(
            "the statistics do not read back as they were written".into(),
        ));
    }
    let path = lake.join(FILE_STATS_RECORD);
    let tmp = path.with_extension(format!("arrow.{}.tmp", std::process::id()));
    let write = || -> Result<()> {
        let file = std::fs::File::create(&tmp).map_err(|e| kept_err(e.to_string()))?;
        let mut writer =
            datafusion::arrow::ipc::writer::FileWriter::try_new(file, batch.schema_ref())?;
        writer.write(&batch)?;
        writer.finish()?;
        std::fs::rename(&tmp, &path).map_err(|e| kept_err(e.to_string()))
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(entries.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(i: usize, day: u32) -> serde_json::Value {
        serde_json::json!({
            "eventVersion": "1.08",
            "eventTime": format!("2026-03-{day:02}T{:02}:00:00Z", i % 24),
            "eventSource": "iam.amazonaws.com",
            "eventName": if i.is_multiple_of(3) { "ListUsers" } else { "GetUser" },
            "awsRegion": "us-east-1",
            "sourceIPAddress": format!("198.51.100.{}", i % 200),
            "userAgent": "aws-cli/2",
            "eventID": format!("00000000-0000-0000-0000-{i:012}"),
            "eventType": "AwsApiCall",
            "recipientAccountId": "111122223333",
            "userIdentity": {
                "type": "IAMUser",
                "arn": "arn:aws:iam::111122223333:user/alice",
                "accountId": "111122223333",
                "accessKeyId": if i.is_multiple_of(2) { serde_json::Value::Null } else { "AKIAEXAMPLE".into() }
            }
        })
    }

    /// The files' statistics, gathered by DataFusion from their footers.
    async fn gathered(lake: &Path) -> Vec<(String, Statistics, Option<LexOrdering>)> {
        let ctx = crate::new_session().unwrap();
        let table = crate::lake::lake_table_of_version(&ctx, lake, None)
            .await
            .unwrap();
        let n = table.file_schema().fields().len();
        let listed = table
            .listing()
            .list_files_for_scan(&ctx.state(), &[], None)
            .await
            .unwrap();
        let mut out: Vec<_> = listed
            .file_groups
            .iter()
            .flat_map(|g| g.iter())
            .map(|f| {
                let mut s = f.statistics.as_deref().unwrap().clone();
                s.column_statistics.truncate(n);
                (f.object_meta.location.to_string(), s, f.ordering.clone())
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_kept_statistics_are_the_ones_the_footers_give() {
        let tmp = tempfile::tempdir().unwrap();
        let archive = tmp.path().join("archive.json");
        let records: Vec<_> = (0..40).map(|i| event(i, 1 + (i % 2) as u32)).collect();
        std::fs::write(
            &archive,
            serde_json::json!({ "Records": records }).to_string(),
        )
        .unwrap();
        let lake_dir = tmp.path().join("lake");
        let lake = trawl_convert::Lake::open(&lake_dir.to_string_lossy()).unwrap();
        trawl_convert::convert(
            &[archive.to_string_lossy().into_owned()],
            &lake,
            &trawl_convert::ConvertOptions::default(),
            Arc::new(trawl_convert::Progress::default()),
        )
        .await
        .unwrap();
        // Compacted, the files say they are sorted: their order is kept too.
        trawl_convert::compact(
            &lake,
            &trawl_convert::LayoutOptions::default(),
            &trawl_convert::SortOptions::default(),
            true,
        )
        .await
        .unwrap();
        let from_footers = gathered(&lake_dir).await;
        assert_eq!(from_footers.len(), 2, "one file per day");

        assert_eq!(keep_file_statistics(&lake_dir).await.unwrap(), 2);
        assert!(lake_dir.join(FILE_STATS_RECORD).is_file());

        // A new session opening the lake has every file's statistics before any
        // query, and they are the footers' own.
        let ctx = crate::new_session().unwrap();
        let cache = ctx
            .runtime_env()
            .cache_manager
            .get_file_statistic_cache()
            .unwrap();
        crate::register_lake(&ctx, &lake_dir).await.unwrap();
        assert_eq!(cache.len(), 0, "nothing read before a scan");
        let provider = ctx.table_provider("cloudtrail").await.unwrap();
        let any: &dyn std::any::Any = provider.as_ref();
        let table = any.downcast_ref::<crate::LakeTable>().unwrap();
        assert_eq!(table.restore_kept_statistics(), 2);
        assert_eq!(cache.len(), 2, "every file's, before any footer is read");
        assert_eq!(table.restore_kept_statistics(), 0, "once");
        for (path, statistics, ordering) in &from_footers {
            let kept = cache
                .get(&TableScopedPath {
                    table: None,
                    path: StorePath::parse(path).unwrap(),
                })
                .unwrap();
            assert_eq!(kept.statistics.as_ref(), statistics, "{path}");
            assert_eq!(&kept.ordering, ordering, "{path}");
            assert!(ordering.is_some(), "the files are sorted");
        }
        let rows = ctx
            .sql("SELECT count(*) AS n, count(useridentity.accesskeyid) AS k FROM cloudtrail")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let text = datafusion::arrow::util::pretty::pretty_format_batches(&rows)
            .unwrap()
            .to_string();
        assert!(text.contains("| 40 | 20 |"), "{text}");

        // A record made under another file schema is not used.
        let other = Schema::new(vec![Field::new("x", DataType::Utf8, true)]);
        let batch = read_record(&lake_dir).unwrap();
        assert!(decode(&batch, &other).is_none());
    }

    #[test]
    fn every_kind_of_statistic_reads_back_as_it_was() {
        let schema = Schema::new(vec![
            Field::new("s", DataType::Utf8View, true),
            Field::new(
                "t",
                DataType::Timestamp(
                    datafusion::arrow::datatypes::TimeUnit::Millisecond,
                    Some("UTC".into()),
                ),
                false,
            ),
            Field::new("never", DataType::Utf8, true),
        ]);
        let column = |min: Precision<ScalarValue>, max: Precision<ScalarValue>| ColumnStatistics {
            null_count: Precision::Exact(3),
            max_value: max,
            min_value: min,
            sum_value: Precision::Absent,
            distinct_count: Precision::Inexact(7),
            byte_size: Precision::Absent,
        };
        let entry = |i: usize, s: Option<&str>| Entry {
            relative: format!("date=2026-03-0{i}/part-{i}.parquet"),
            size: 1000 + i as u64,
            modified_ns: 1_772_000_000_123_456_789 + i as i64,
            e_tag: (i == 1).then(|| "etag".to_string()),
            version: None,
            statistics: Statistics {
                num_rows: Precision::Exact(10 * i),
                total_byte_size: Precision::Inexact(4096),
                column_statistics: vec![
                    column(
                        s.map_or(Precision::Absent, |s| {
                            Precision::Exact(ScalarValue::Utf8View(Some(s.into())))
                        }),
                        Precision::Inexact(ScalarValue::Utf8View(Some("zz".into()))),
                    ),
                    column(
                        Precision::Exact(ScalarValue::TimestampMillisecond(
                            Some(i as i64),
                            Some("UTC".into()),
                        )),
                        Precision::Exact(ScalarValue::TimestampMillisecond(
                            Some(99),
                            Some("UTC".into()),
                        )),
                    ),
                    column(Precision::Absent, Precision::Absent),
                ],
            },
            ordering: (i == 2).then(|| {
                vec![(
                    "t".to_string(),
                    1,
                    SortOptions {
                        descending: false,
                        nulls_first: true,
                    },
                )]
            }),
        };
        let entries = vec![entry(1, Some("a")), entry(2, None)];
        let batch = encode(&entries, &schema).unwrap();
        assert_eq!(decode(&batch, &schema).unwrap(), entries);
    }
}
