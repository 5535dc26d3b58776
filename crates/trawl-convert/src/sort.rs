//! A memory-bounded sort of a partition's rows for `trawl compact`: DataFusion's
//! external sort, which spills sorted runs to disk when the memory pool is full and
//! merges them at the end. (`trawl convert` sorts chunks in memory instead, see
//! [`crate::writer`]; `memory_limit` is its budget for rows in flight.)

use std::sync::{Arc, Mutex};

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use datafusion::catalog::streaming::StreamingTable;
use datafusion::execution::TaskContext;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::physical_plan::SendableRecordBatchStream;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::streaming::PartitionStream;
use datafusion::prelude::{SessionConfig, SessionContext, col};
use futures::StreamExt;
use tokio::sync::mpsc;
use trawl_cloudtrail::col as c;

use crate::error::{Error, Result};
use crate::writer::DAY_COLUMN;

/// Feeds batches from a channel into a DataFusion plan, once.
#[derive(Debug)]
struct ChannelPartition {
    schema: SchemaRef,
    rx: Mutex<Option<mpsc::Receiver<RecordBatch>>>,
}

impl PartitionStream for ChannelPartition {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    fn execute(&self, _ctx: Arc<TaskContext>) -> SendableRecordBatchStream {
        let rx = self.rx.lock().ok().and_then(|mut g| g.take());
        let stream = futures::stream::unfold(rx, |rx| async move {
            let mut rx = rx?;
            let batch = rx.recv().await?;
            Some((Ok(batch), Some(rx)))
        });
        Box::pin(RecordBatchStreamAdapter::new(self.schema.clone(), stream))
    }
}

/// Sort settings.
#[derive(Debug, Clone)]
pub struct SortOptions {
    /// Memory the sort may hold before it spills, in bytes.
    pub memory_limit: usize,
    pub batch_rows: usize,
}

impl Default for SortOptions {
    fn default() -> Self {
        Self {
            memory_limit: 256 << 20,
            batch_rows: 8192,
        }
    }
}

/// Starts a sort. Send batches (with `__day`) into the returned sender, drop it,
/// then read the sorted stream.
pub async fn sorted(
    schema: SchemaRef,
    opts: &SortOptions,
) -> Result<(mpsc::Sender<RecordBatch>, SendableRecordBatchStream)> {
    let (tx, rx) = mpsc::channel(4);
    let runtime = RuntimeEnvBuilder::new()
        .with_memory_limit(opts.memory_limit, 1.0)
        .build_arc()?;
    let config = SessionConfig::new()
        .with_target_partitions(1)
        .with_batch_size(opts.batch_rows)
        .set_usize(
            "datafusion.execution.sort_spill_reservation_bytes",
            32 << 20,
        )
        .set_usize(
            "datafusion.execution.sort_in_place_threshold_bytes",
            16 << 20,
        );
    let ctx = SessionContext::new_with_config_rt(config, runtime);
    let partition = Arc::new(ChannelPartition {
        schema: schema.clone(),
        rx: Mutex::new(Some(rx)),
    });
    let table = StreamingTable::try_new(schema, vec![partition])?;
    let df = ctx.read_table(Arc::new(table))?.sort(vec![
        col(DAY_COLUMN).sort(true, true),
        col(c::RECIPIENTACCOUNTID).sort(true, true),
        col(c::AWSREGION).sort(true, true),
        col(c::EVENTTIME).sort(true, true),
        col(c::EVENTID).sort(true, true),
    ])?;
    let stream = df.execute_stream().await?;
    Ok((tx, stream))
}

/// Pulls the next sorted batch.
pub async fn next(stream: &mut SendableRecordBatchStream) -> Result<Option<RecordBatch>> {
    match stream.next().await {
        Some(Ok(b)) => Ok(Some(b)),
        Some(Err(e)) => Err(Error::DataFusion(e)),
        None => Ok(None),
    }
}
