//! The query side of trawl: a DataFusion session with the table `cloudtrail` over a
//! lake, the SQL dialect, and the functions CloudTrail work needs.

pub mod catalog;
#[cfg(feature = "cluster")]
pub mod cluster;
pub mod ddl;
mod dialect;
mod file_stats;
pub mod functions;
mod headers;
mod identity_pruning;
pub mod integrity;
mod lake;
mod lake_only;
mod raw;
pub mod trino_syntax;

use std::path::Path;
use std::sync::Arc;

use datafusion::dataframe::DataFrame;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion::sql::parser::{DFParserBuilder, Statement};

pub use dialect::TrawlDialect;
pub use file_stats::{FILE_STATS_RECORD, keep_file_statistics};
pub use headers::name_headers;
pub use lake::{
    LakeTable, damaged_lake_files, date_filters, earliest_event_time, lake_table, register_s3_lake,
};
pub use lake_only::LAKE_ONLY_COLUMNS;
pub use raw::{RawSummary, register_raw};

/// Errors of the query engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    // Transparent: `{0}` plus `#[from]` (a source) printed the message twice in an
    // error's chain.
    #[error(transparent)]
    DataFusion(#[from] datafusion::error::DataFusionError),
    #[error(transparent)]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
    #[error("lake {path}: {message}")]
    Lake { path: String, message: String },
    #[error(transparent)]
    Catalog(#[from] catalog::CatalogError),
    #[error(transparent)]
    Ddl(#[from] ddl::DdlError),
    #[error("{0}")]
    Cluster(String),
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

/// Session settings.
#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    /// Memory for sorts, joins and aggregations before they spill to disk (bytes).
    pub memory_limit: Option<usize>,
}

/// Half the machine's memory, at most 8 GiB: room for the rest of the system on a
/// laptop, and spilling rather than swapping past it.
pub fn default_memory_limit() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kb: usize = text
        .lines()
        .find(|l| l.starts_with("MemTotal:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some((kb * 1024 / 2).min(8 << 30))
}

/// A session configured for CloudTrail work.
pub fn new_session_with(opts: &SessionOptions) -> Result<SessionContext> {
    let config = SessionConfig::new()
        .with_information_schema(true)
        .set_bool("datafusion.execution.parquet.pushdown_filters", true)
        .set_bool("datafusion.execution.parquet.reorder_filters", true);
    // Listings and Parquet footers stay cached for the session: on S3 a query then
    // costs no LIST and no footer GET after the first.
    let cache = datafusion::execution::cache::cache_manager::CacheManagerConfig::default()
        .with_list_files_cache_limit(16 << 20)
        .with_metadata_cache_limit(256 << 20);
    let mut runtime = RuntimeEnvBuilder::new().with_cache_manager(cache);
    if let Some(limit) = opts.memory_limit.or_else(default_memory_limit) {
        runtime = runtime.with_memory_limit(limit, 1.0);
    }
    let mut ctx = SessionContext::new_with_config_rt(config, runtime.build_arc()?);
    register_functions(&mut ctx)?;
    Ok(ctx)
}

/// trawl's functions on top of the session's: the JSON functions and operators, then
/// trawl's own (some of which fall back to the session's function of the same name).
pub(crate) fn register_functions(ctx: &mut SessionContext) -> Result<()> {
    datafusion_functions_json::register_all(ctx)?;
    functions::register(ctx);
    Ok(())
}

/// Whether `ctx` runs its queries on a cluster (a Ballista session): its plans are
/// shipped to other processes, so they can name no in-memory table of this one.
pub fn runs_on_cluster(ctx: &SessionContext) -> bool {
    #[cfg(feature = "cluster")]
    {
        ctx.state()
            .config()
            .options()
            .extensions
            .get::<ballista_core::config::BallistaConfig>()
            .is_some()
    }
    #[cfg(not(feature = "cluster"))]
    {
        let _ = ctx;
        false
    }
}

/// A session with default settings.
pub fn new_session() -> Result<SessionContext> {
    new_session_with(&SessionOptions::default())
}

/// Registers the lake's tables in `ctx`: `cloudtrail`; `rejects` (the records
/// conversion could not use: source, index, line, reason, raw) when there are any;
/// the log file integrity tables ([`integrity`]) when a verification was recorded.
pub async fn register_lake(ctx: &SessionContext, lake: &Path) -> Result<()> {
    if let Some(url) = lake.to_str().filter(|l| l.starts_with("s3://")) {
        return register_s3_lake(ctx, url).await;
    }
    let table = lake::opened_lake_table(ctx, lake).await?;
    ctx.register_table("cloudtrail", Arc::new(table))?;
    let rejects = lake.join(trawl_convert::REJECTS_DIR);
    let any = std::fs::read_dir(&rejects)
        .map(|mut d| d.any(|e| e.is_ok_and(|e| e.path().extension().is_some_and(|x| x == "jsonl"))))
        .unwrap_or(false);
    if any {
        let options = datafusion::prelude::JsonReadOptions::default().file_extension(".jsonl");
        ctx.register_json("rejects", &format!("{}/", rejects.display()), options)
            .await?;
    }
    let records = |rel: &str| {
        let dir = lake.join(rel);
        let any = std::fs::read_dir(&dir).is_ok_and(|mut d| {
            d.any(|e| e.is_ok_and(|e| e.path().extension().is_some_and(|x| x == "jsonl")))
        });
        any.then(|| format!("{}/", dir.display()))
    };
    integrity::register_integrity(
        ctx,
        records(trawl_convert::integrity::FILES_DIR),
        records(trawl_convert::integrity::CHAINS_DIR),
    )
    .await?;
    Ok(())
}

/// Splits SQL text into statements with trawl's dialect.
///
/// CloudTrail Lake's sample queries name the event data store by its id, bare
/// (`FROM 0a1b2c3d-...`), which is not an SQL identifier: when the text does not
/// parse, an id written so after FROM or JOIN is quoted and the text parsed again
/// (the quoted id then reads as the lake's table, see [`trino_syntax`]).
pub fn parse(sql: &str) -> Result<Vec<Statement>> {
    let dialect = TrawlDialect::default();
    let statements = |sql: &str| -> Result<Vec<Statement>> {
        Ok(DFParserBuilder::new(sql)
            .with_dialect(&dialect)
            .build()?
            .parse_statements()?
            .into_iter()
            .collect())
    };
    match statements(sql) {
        Ok(s) => Ok(s),
        Err(first) => match quote_bare_store_ids(sql) {
            Some(quoted) => statements(&quoted).map_err(|_| first),
            None => Err(first),
        },
    }
}

/// `sql` with each bare event data store id after FROM or JOIN quoted, if it has any.
fn quote_bare_store_ids(sql: &str) -> Option<String> {
    static BARE_ID: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)\b(from|join)(\s+)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
        )
        .expect("a valid pattern")
    });
    BARE_ID
        .is_match(sql)
        .then(|| BARE_ID.replace_all(sql, "$1$2\"$3\"").into_owned())
}

/// Plans one statement (DDL and `SET` take effect here) and returns its result frame.
/// Trino's syntax is rewritten first ([`trino_syntax`]); a statement naming CloudTrail
/// Lake's own columns (`annotation`, ...) plans with them read as typed NULLs
/// ([`LAKE_ONLY_COLUMNS`]).
pub async fn plan(ctx: &SessionContext, statement: Statement) -> Result<DataFrame> {
    let table_exists = |name: &str| ctx.table_exist(name).unwrap_or(false);
    let statement = trino_syntax::rewrite(statement, &table_exists)?;
    let state = ctx.state();
    let plan = match state.statement_to_plan(statement.clone()).await {
        Ok(plan) => plan,
        Err(e) if lake_only::names_lake_only_column(&e) => {
            match lake_only::lake_only_as_null(&statement) {
                Some(rewritten) => state.statement_to_plan(rewritten).await?,
                None => return Err(e.into()),
            }
        }
        Err(e) => return Err(e.into()),
    };
    Ok(ctx.execute_logical_plan(plan).await?)
}

/// Runs SQL text that holds exactly one statement.
pub async fn sql(ctx: &SessionContext, sql: &str) -> Result<DataFrame> {
    let mut statements = parse(sql)?;
    if statements.len() != 1 {
        return Err(Error::DataFusion(datafusion::error::DataFusionError::Plan(
            format!("expected one SQL statement, found {}", statements.len()),
        )));
    }
    plan(ctx, statements.remove(0)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_event_data_store_ids_are_quoted() {
        let s =
            parse("SELECT count(*) FROM 0a1b2c3d-4e5f-6789-abcd-ef0123456789 WHERE x = 1").unwrap();
        assert!(
            s[0].to_string()
                .contains("FROM \"0a1b2c3d-4e5f-6789-abcd-ef0123456789\""),
            "{}",
            s[0]
        );
        // Other mistakes keep their own error.
        let e = parse("SELECT FROM WHERE 0a1b2c3d").unwrap_err().to_string();
        assert!(e.contains("Expected"), "{e}");
        assert_eq!(quote_bare_store_ids("SELECT 1 FROM cloudtrail"), None);
    }
}
