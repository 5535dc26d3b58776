//! `--raw`: the `cloudtrail` table straight over raw archives, decoded by the same
//! decoder as `trawl convert`, with the same columns (`date` included) and the same
//! de-duplication, so a query answers the same as over the converted lake. The
//! decoded rows are held in memory: convert big archives instead.

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::arrow::array::{AsArray, Date32Array, RecordBatch};
use datafusion::arrow::compute::filter_record_batch;
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimestampMillisecondType};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use futures::{StreamExt, TryStreamExt};
use object_store::ObjectStoreExt;
use trawl_cloudtrail::{DATE_PARTITION, DecodeOptions, col as c, decode_many};

use trawl_convert::row_key;

use crate::{Error, Result};

/// What reading the raw sources found.
#[derive(Debug, Default, Clone)]
pub struct RawSummary {
    pub files: u64,
    pub rows: u64,
    pub duplicates: u64,
    pub rejected: u64,
}

/// Registers `cloudtrail` over raw sources (files, directories, globs).
pub async fn register_raw(ctx: &SessionContext, sources: &[String]) -> Result<RawSummary> {
    let objects = trawl_convert::resolve(sources, None)
        .await
        .map_err(|e| Error::Lake {
            path: sources.join(" "),
            message: e.to_string(),
        })?;
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
    // Delivery files are small: decode them in groups, one batch build per group (as
    // `trawl convert` does), in listing order so the copy of a duplicate kept is the
    // one the lake keeps.
    let mut decoded = futures::stream::iter(trawl_convert::decode_groups(objects))
        .map(|group| async move {
            let fetched: Vec<bytes::Bytes> = futures::stream::iter(group.iter())
                .map(|o| async move { o.store.get(&o.location).await?.bytes().await })
                .buffered(16)
                .try_collect()
                .await?;
            let uris: Vec<String> = group.iter().map(|o| o.uri.clone()).collect();
            tokio::task::spawn_blocking(move || {
                let inputs: Vec<(&str, &[u8])> = uris
                    .iter()
                    .zip(&fetched)
                    .map(|(u, b)| (u.as_str(), b.as_ref()))
                    .collect();
                decode_many(&inputs, &DecodeOptions::default())
            })
            .await
            .map_err(|e| object_store::Error::Generic {
                store: "decoder",
                source: Box::new(e),
            })
        })
        .buffered(jobs);
    let base = trawl_cloudtrail::schema();
    let mut fields: Vec<_> = base.fields().iter().cloned().collect();
    fields.push(Arc::new(Field::new(
        DATE_PARTITION,
        DataType::Date32,
        false,
    )));
    let schema = Arc::new(Schema::new(fields));
    let mut seen = HashSet::new();
    let mut batches = Vec::new();
    let mut summary = RawSummary::default();
    while let Some(d) = decoded.next().await {
        let (files, group_batches) = d.map_err(|e| Error::Lake {
            path: sources.join(" "),
            message: e.to_string(),
        })?;
        summary.files += files.len() as u64;
        summary.rejected += files.iter().map(|f| f.rejects.len() as u64).sum::<u64>();
        for batch in group_batches {
            let times = batch
                .column_by_name(c::EVENTTIME)
                .map(|t| t.as_primitive::<TimestampMillisecondType>().clone())
                .ok_or_else(|| Error::Lake {
                    path: sources.join(" "),
                    message: "decoder lost eventtime".into(),
                })?;
            // The lake's de-duplication key: account, region, time, event id.
            let strings = |name: &str| {
                batch
                    .column_by_name(name)
                    .and_then(|a| a.as_string_opt::<i32>())
                    .ok_or_else(|| Error::Lake {
                        path: sources.join(" "),
                        message: format!("decoder lost {name}"),
                    })
            };
            let (accounts, regions, ids) = (
                strings(c::RECIPIENTACCOUNTID)?,
                strings(c::AWSREGION)?,
                strings(c::EVENTID)?,
            );
            let keep: Vec<bool> = (0..batch.num_rows())
                .map(|i| seen.insert(row_key(accounts, regions, times.value(i), ids, i)))
                .collect();
            let batch = filter_record_batch(&batch, &keep.into())?;
            summary.duplicates += (times.len() - batch.num_rows()) as u64;
            summary.rows += batch.num_rows() as u64;
            let times = batch
                .column_by_name(c::EVENTTIME)
                .map(|t| t.as_primitive::<TimestampMillisecondType>().clone());
            let Some(times) = times else { continue };
            let dates: Date32Array = times
                .iter()
                .map(|t| t.map(|t| t.div_euclid(86_400_000) as i32))
                .collect();
            let mut columns = batch.columns().to_vec();
            columns.push(Arc::new(dates));
            batches.push(RecordBatch::try_new(schema.clone(), columns)?);
        }
    }
    // Several partitions, so scans use every core.
    let mut partitions = vec![Vec::new(); jobs.max(1)];
    for (i, b) in batches.into_iter().enumerate() {
        partitions[i % jobs.max(1)].push(b);
    }
    let table = MemTable::try_new(schema, partitions)?;
    ctx.register_table("cloudtrail", Arc::new(table))?;
    Ok(summary)
}
