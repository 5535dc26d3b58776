//! The query side of trawl: a DataFusion session with the table `cloudtrail` over a
//! lake (a Hive-partitioned listing table; `date` comes from the directory names).

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::prelude::{SessionConfig, SessionContext, col};
use trawl_cloudtrail::{DATE_PARTITION, col as c};

/// Errors of the query engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    #[error("lake {path}: {message}")]
    Lake { path: String, message: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<Error> for datafusion::error::DataFusionError {
    fn from(e: Error) -> Self {
        match e {
            Error::DataFusion(e) => e,
            other => datafusion::error::DataFusionError::External(Box::new(other)),
        }
    }
}

/// A session configured for CloudTrail work.
pub fn new_session() -> Result<SessionContext> {
    let config = SessionConfig::new()
        .with_information_schema(true)
        .set_bool("datafusion.execution.parquet.pushdown_filters", true)
        .set_bool("datafusion.execution.parquet.reorder_filters", true);
    let mut ctx = SessionContext::new_with_config(config);
    datafusion_functions_json::register_all(&mut ctx)?;
    Ok(ctx)
}

/// Registers the lake's `cloudtrail` table in `ctx`.
pub async fn register_lake(ctx: &SessionContext, lake: &Path) -> Result<()> {
    let table_dir = lake.join(trawl_convert::TABLE_DIR);
    if !table_dir.is_dir() {
        return Err(Error::Lake {
            path: lake.display().to_string(),
            message: "no cloudtrail/ table here: not a trawl lake (run `trawl convert` first)"
                .into(),
        });
    }
    let url = format!(
        "{}/",
        table_dir
            .canonicalize()
            .map_err(|e| Error::Lake {
                path: table_dir.display().to_string(),
                message: e.to_string(),
            })?
            .display()
    );
    let table_url = ListingTableUrl::parse(&url)?;
    let options = ListingOptions::new(Arc::new(ParquetFormat::default()))
        .with_file_extension(".parquet")
        .with_table_partition_cols(vec![(DATE_PARTITION.to_string(), DataType::Date32)])
        .with_file_sort_order(vec![vec![
            col(c::RECIPIENTACCOUNTID).sort(true, true),
            col(c::AWSREGION).sort(true, true),
            col(c::EVENTTIME).sort(true, true),
        ]]);
    let state = ctx.state();
    let config = ListingTableConfig::new(table_url).with_listing_options(options);
    let config = match config.clone().infer_schema(&state).await {
        Ok(c) => c,
        // An empty lake has no file to read a schema from: use the model's.
        Err(_) => config.with_schema(trawl_cloudtrail::schema()),
    };
    let table = ListingTable::try_new(config)?;
    ctx.register_table("cloudtrail", Arc::new(table))?;
    Ok(())
}
