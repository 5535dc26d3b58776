//! The lake's log file integrity records as tables (see `trawl_convert::integrity`):
//!
//! - `log_file_checks`: every verdict of every verification run;
//! - `log_files`: the newest verdict per source object, joinable to `cloudtrail` on
//!   `sourceobject` (`... JOIN log_files USING (sourceobject) WHERE verified`);
//! - `log_chains`: the newest check of each digest chain: its `checked` row and what
//!   that check found (`chain_break`, `logging_stopped`, `quiet_period`, ...).
//!
//! Registered only when a verification has been recorded.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::prelude::{JsonReadOptions, SessionContext};

use crate::Result;

pub const FILE_CHECKS_TABLE: &str = "log_file_checks";
pub const FILES_TABLE: &str = "log_files";
pub const CHAIN_CHECKS_TABLE: &str = "log_chain_checks";
pub const CHAINS_TABLE: &str = "log_chains";

fn time() -> DataType {
    DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
}

fn text(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}

/// The columns of `trawl_convert::integrity::FileVerdict`, typed.
fn file_schema() -> Schema {
    Schema::new(vec![
        text("sourceobject"),
        text("kind"),
        text("status"),
        Field::new("verified", DataType::Boolean, true),
        Field::new(
            "problems",
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            true,
        ),
        text("detail"),
        text("digest"),
        text("chain"),
        text("account"),
        text("region"),
        Field::new("file_time", time(), true),
        Field::new("checked", time(), true),
        text("run"),
    ])
}

/// The columns of `trawl_convert::integrity::ChainVerdict`, typed.
fn chain_schema() -> Schema {
    Schema::new(vec![
        text("chain"),
        text("kind"),
        text("account"),
        text("region"),
        text("trail"),
        Field::new("backfill", DataType::Boolean, true),
        Field::new("period_start", time(), true),
        Field::new("period_end", time(), true),
        text("missing"),
        Field::new("at_start", DataType::Boolean, true),
        Field::new("digests", DataType::Int64, true),
        text("detail"),
        Field::new("checked", time(), true),
        text("run"),
    ])
}

/// Registers the integrity tables over `files_url` and `chains_url` (directories of
/// JSON lines, local or on a registered object store), each when present.
pub async fn register_integrity(
    ctx: &SessionContext,
    files_url: Option<String>,
    chains_url: Option<String>,
) -> Result<()> {
    if let Some(url) = files_url {
        let schema = file_schema();
        let options = JsonReadOptions::default()
            .file_extension(".jsonl")
            .schema(&schema);
        ctx.register_json(FILE_CHECKS_TABLE, &url, options).await?;
        ctx.sql(&format!(
            "CREATE VIEW {FILES_TABLE} AS \
             SELECT sourceobject, kind, status, verified, problems, detail, digest, chain, \
                    account, region, file_time, checked, run \
             FROM (SELECT *, row_number() OVER (PARTITION BY sourceobject ORDER BY checked DESC, run DESC) AS newest \
                   FROM {FILE_CHECKS_TABLE}) \
             WHERE newest = 1"
        ))
        .await?;
    }
    if let Some(url) = chains_url {
        let schema = chain_schema();
        let options = JsonReadOptions::default()
            .file_extension(".jsonl")
            .schema(&schema);
        ctx.register_json(CHAIN_CHECKS_TABLE, &url, options).await?;
        ctx.sql(&format!(
            "CREATE VIEW {CHAINS_TABLE} AS \
             SELECT c.* FROM {CHAIN_CHECKS_TABLE} c \
             JOIN (SELECT chain, max(run) AS run FROM {CHAIN_CHECKS_TABLE} WHERE kind = 'checked' GROUP BY chain) newest \
               ON c.chain = newest.chain AND c.run = newest.run"
        ))
        .await?;
    }
    Ok(())
}
