//! `trawl compact`: rewrites each `date=` partition that holds several files into
//! large files, dropping duplicate events across files (same key as conversion:
//! account, region, time and event id).

use std::fs::File;

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::error::{Error, Invariant, Result};
use crate::lake::{Counts, FileEntry, Lake, RunKind, RunManifest, new_run_id};
use crate::sort::{SortOptions, next, sorted};
use crate::writer::{LayoutOptions, PartitionWriter, schema_with_day, with_day};

/// A batch read from a lake file in the model's exact types. Files of this schema
/// version differ from it only in how strings are held: `eventjson` was `Utf8` before
/// the converter pointed it into the inflated text (`Utf8View`); the cast builds
/// views over the read buffer, it does not copy the text.
fn model_types(batch: &arrow::array::RecordBatch) -> Result<arrow::array::RecordBatch> {
    let schema = trawl_cloudtrail::schema();
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(column, field)| {
            if column.data_type() == field.data_type() {
                Ok(column.clone())
            } else {
                arrow::compute::cast(column, field.data_type())
            }
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(arrow::array::RecordBatch::try_new(schema, columns)?)
}

/// What compaction did.
#[derive(Debug, Default)]
pub struct CompactSummary {
    pub partitions_seen: u64,
    pub partitions_compacted: u64,
    pub files_before: u64,
    pub files_after: u64,
    pub rows_before: u64,
    pub rows_after: u64,
    pub duplicates: u64,
    pub bytes_before: u64,
    pub bytes_after: u64,
}

/// Compacts every partition with more than one file (all of them with `force`).
pub async fn compact(
    lake: &Lake,
    layout: &LayoutOptions,
    sort: &SortOptions,
    force: bool,
) -> Result<CompactSummary> {
    let _lock = lake.lock()?;
    lake.recover()?;
    let mut summary = CompactSummary::default();
    for (_date, files) in lake.partitions()? {
        summary.partitions_seen += 1;
        if files.is_empty() || (files.len() < 2 && !force) {
            continue;
        }
        let (added, rows_before, duplicates) =
            compact_partition(lake, &files, layout, sort).await?;
        summary.partitions_compacted += 1;
        summary.files_before += files.len() as u64;
        summary.files_after += added.len() as u64;
        summary.rows_before += rows_before;
        summary.rows_after += added.iter().map(|f| f.rows).sum::<u64>();
        summary.duplicates += duplicates;
        summary.bytes_before += files
            .iter()
            .map(|f| std::fs::metadata(lake.root().join(f)).map_or(0, |m| m.len()))
            .sum::<u64>();
        summary.bytes_after += added.iter().map(|f| f.bytes).sum::<u64>();
    }
    Ok(summary)
}

async fn compact_partition(
    lake: &Lake,
    files: &[String],
    layout: &LayoutOptions,
    sort: &SortOptions,
) -> Result<(Vec<FileEntry>, u64, u64)> {
    let run = new_run_id();
    let staging = lake.staging(&run);
    std::fs::create_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    let started = chrono::Utc::now().to_rfc3339();
    let day_schema = schema_with_day();
    let (tx, mut stream) = sorted(day_schema.clone(), sort).await?;
    let paths: Vec<_> = files.iter().map(|f| lake.root().join(f)).collect();
    let reader = {
        let day_schema = day_schema.clone();
        tokio::spawn(async move {
            let mut rows = 0u64;
            for path in paths {
                let file = File::open(&path).map_err(|e| Error::io(&path, e))?;
                let batches = ParquetRecordBatchReaderBuilder::try_new(file)?
                    .with_batch_size(8192)
                    .build()?;
                for batch in batches {
                    let batch = batch?;
                    rows += batch.num_rows() as u64;
                    let batch = model_types(&batch)?;
                    if tx.send(with_day(&batch, &day_schema)?).await.is_err() {
                        return Err(Error::StageStopped("sort"));
                    }
                }
            }
            Ok::<u64, Error>(rows)
        })
    };
    let mut writer = PartitionWriter::new(&staging, &run, layout.clone())?;
    while let Some(batch) = next(&mut stream).await? {
        tokio::task::block_in_place(|| writer.write(&batch))?;
    }
    let rows_before = reader.await.map_err(|source| Error::TaskFailed {
        task: "reader task",
        source,
    })??;
    let (added, rows_written, duplicates) = writer.finish()?;
    if rows_written + duplicates != rows_before {
        return Err(Invariant::RowsLost {
            stage: "compaction",
            read: rows_before,
            written: rows_written,
            duplicates,
        }
        .into());
    }
    let manifest = RunManifest {
        run,
        kind: RunKind::Compact,
        trawl_version: env!("CARGO_PKG_VERSION").to_string(),
        schema_version: trawl_cloudtrail::SCHEMA_VERSION,
        started,
        committed: chrono::Utc::now().to_rfc3339(),
        sources: Vec::new(),
        added: added.clone(),
        removed: files.to_vec(),
        rejects: None,
        integrity: Vec::new(),
        counts: Counts {
            records: rows_before,
            rows_written,
            duplicates,
            rejected: 0,
            digests: 0,
        },
    };
    lake.commit(&manifest)?;
    Ok((added, rows_before, duplicates))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, AsArray};

    /// Files converted before `eventjson` became views hold it as `Utf8`; compaction
    /// of a lake holding both kinds reads both into the model's types.
    #[test]
    fn files_with_eventjson_as_plain_strings_read_back_in_the_model_types() {
        let text = r#"{"Records":[{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventID":"a","eventName":"GetObject"}]}"#;
        let d = trawl_cloudtrail::decode(
            "old.json",
            text.as_bytes(),
            &trawl_cloudtrail::DecodeOptions::default(),
        );
        let batch = &d.batches[0];
        let i = batch
            .schema()
            .index_of(trawl_cloudtrail::col::EVENTJSON)
            .unwrap();
        let mut columns = batch.columns().to_vec();
        columns[i] = arrow::compute::cast(&columns[i], &arrow::datatypes::DataType::Utf8).unwrap();
        let mut fields: Vec<_> = batch.schema().fields().iter().cloned().collect();
        fields[i] = std::sync::Arc::new(
            fields[i]
                .as_ref()
                .clone()
                .with_data_type(arrow::datatypes::DataType::Utf8),
        );
        let old = arrow::array::RecordBatch::try_new(
            std::sync::Arc::new(arrow::datatypes::Schema::new(fields)),
            columns,
        )
        .unwrap();
        assert_eq!(old.column(i).data_type(), &arrow::datatypes::DataType::Utf8);
        let read = model_types(&old).unwrap();
        assert_eq!(read.schema(), trawl_cloudtrail::schema());
        let json = read.column(i).as_string_view();
        assert_eq!(json.len(), 1);
        assert!(json.value(0).contains(r#""eventID":"a""#));
    }
}
