//! Running trawl's SQL on an Apache DataFusion Ballista cluster: the client session
//! (`--cluster df://HOST:PORT`), and what a scheduler and its executors need so that
//! trawl's plans run there as they do locally.
//!
//! The client plans and optimizes as a local session does and ships the logical plan;
//! the scheduler plans it physically and the executors run it. So all three hold
//! trawl's functions (a plan names them, it does not carry them), decode the lake's
//! table ([`LakeCodec`]), and reach the lake's object store themselves: stores are not
//! shipped, so each process opens S3 buckets with its own credential chain
//! ([`OnDemandS3`]).

use std::any::Any;
use std::sync::Arc;

use ballista_core::extension::{SessionConfigExt, SessionStateExt};
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_core::serde::BallistaLogicalExtensionCodec;
use datafusion::catalog::TableProvider;
use datafusion::common::TableReference;
use datafusion::datasource::listing::ListingTable;
use datafusion::datasource::provider_as_source;
use datafusion::datasource::source_as_provider;
use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::execution::object_store::{DefaultObjectStoreRegistry, ObjectStoreRegistry};
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::execution::{SessionState, SessionStateBuilder, TaskContext};
use datafusion::logical_expr::{Extension, LogicalPlan, LogicalPlanBuilder};
use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion_proto::logical_plan::{AsLogicalPlan, LogicalExtensionCodec};
use datafusion_proto::protobuf::LogicalPlanNode;
use object_store::ObjectStore;
use prost::Message;
use url::Url;

use crate::lake::LakeTable;
use crate::{Error, Result, SessionOptions, register_functions};

/// Ballista's scheduler port when a `df://` URL names none.
pub const DEFAULT_SCHEDULER_PORT: u16 = 50050;

/// The scheduler's gRPC address (`http://HOST:PORT`) for `df://HOST[:PORT]`.
pub fn scheduler_url(cluster: &str) -> Result<String> {
    let bad = |why: &str| {
        Error::Cluster(format!(
            "--cluster {cluster}: {why} (expected df://HOST:PORT)"
        ))
    };
    let url = Url::parse(cluster).map_err(|e| bad(&e.to_string()))?;
    if url.scheme() != "df" {
        return Err(bad(&format!("unknown scheme `{}`", url.scheme())));
    }
    let host = url.host_str().ok_or_else(|| bad("no host"))?;
    let port = url.port().unwrap_or(DEFAULT_SCHEDULER_PORT);
    Ok(format!("http://{host}:{port}"))
}

/// How a trawl executor's id begins: a trawl scheduler registers only executors of
/// its own version, which hold the same functions. A stock Ballista executor has a
/// bare id.
pub fn executor_id_prefix() -> String {
    format!("trawl-{}-", env!("CARGO_PKG_VERSION"))
}

/// Why a scheduler turns an executor away, or `None` when it is trawl's, of this version.
pub fn refuse_executor(executor_id: &str) -> Option<String> {
    let prefix = executor_id_prefix();
    if executor_id.starts_with(&prefix) {
        return None;
    }
    let what = match executor_id.strip_prefix("trawl-") {
        Some(other) => format!(
            "is trawl {}, this scheduler trawl {}",
            other.split('-').next().unwrap_or_default(),
            env!("CARGO_PKG_VERSION")
        ),
        None => "lacks trawl's functions (a stock Ballista executor?)".into(),
    };
    Some(format!(
        "executor {executor_id} {what}: it cannot run trawl's plans; start executors with \
         `trawl cluster executor --scheduler HOST:PORT` of the same trawl version"
    ))
}

/// A session whose queries run on the cluster at `cluster` (`df://HOST:PORT`).
///
/// Ballista's upgrade of a session replaces its function registry with Ballista's
/// defaults, so trawl's functions are registered after it.
pub fn remote_session(cluster: &str, opts: &SessionOptions) -> Result<SessionContext> {
    let url = scheduler_url(cluster)?;
    let local = crate::new_session_with(opts)?.state();
    let mut config = local
        .config()
        .clone()
        .upgrade_for_ballista()
        .with_ballista_logical_extension_codec(Arc::new(LakeCodec::default()));
    // Ballista 55's adaptive planner re-plans a job after each stage; on a windowed
    // query joined to a broadcast (the hunt's issuing-call detections) it kept adding
    // stages, thousands of one-millisecond tasks, and never finished. The static
    // planner runs the same plans to the end.
    config.options_mut().set(
        ballista_core::config::BALLISTA_ADAPTIVE_PLANNER_ENABLED,
        "false",
    )?;
    let state = SessionStateBuilder::new_from_existing(local)
        .with_config(config)
        .build()
        .upgrade_for_ballista(url)?;
    let mut ctx = SessionContext::new_with_state(state);
    register_functions(&mut ctx)?;
    Ok(ctx)
}

/// The scheduler's sessions: Ballista's (its optimizer rules kept), with trawl's
/// functions and S3 buckets opened on demand. For `SchedulerConfig`'s
/// `override_session_builder`.
pub fn scheduler_session(config: SessionConfig) -> DfResult<SessionState> {
    let state = ballista_core::utils::default_session_builder(config)?;
    let runtime = RuntimeEnvBuilder::new()
        .with_object_store_registry(Arc::new(OnDemandS3::default()))
        .build_arc()?;
    let state = SessionStateBuilder::new_from_existing(state)
        .with_runtime_env(runtime)
        .build();
    let mut ctx = SessionContext::new_with_state(state);
    register_functions(&mut ctx).map_err(DataFusionError::from)?;
    Ok(ctx.state())
}

/// The functions an executor resolves plans' names against: Ballista's defaults and
/// trawl's, as the client and the scheduler have them.
pub fn executor_functions() -> Result<BallistaFunctionRegistry> {
    let mut ctx = SessionContext::new_with_state(ballista_core::utils::default_session_builder(
        SessionConfig::new_with_ballista(),
    )?);
    register_functions(&mut ctx)?;
    Ok(BallistaFunctionRegistry::from(&ctx.state()))
}

/// An executor's runtime for one session: spill files under `work_dir`, S3 buckets
/// opened on demand.
pub fn executor_runtime(work_dir: &str) -> DfResult<Arc<RuntimeEnv>> {
    RuntimeEnvBuilder::new()
        .with_temp_file_path(work_dir)
        .with_object_store_registry(Arc::new(OnDemandS3::default()))
        .build_arc()
}

/// What a cluster error means for the user, when trawl can tell: a scheduler or
/// executor that lacks trawl's functions (a stock Ballista process) fails to resolve a
/// function's name deep inside the job's error text.
pub fn explain_error(message: &str) -> Option<String> {
    if message.contains("task could not be prepared or was rejected by executor") {
        return Some(
            "an executor could not prepare the query's tasks: it lacks trawl's functions or is \
             another trawl version (a stock Ballista executor?). Start executors with \
             `trawl cluster executor --scheduler HOST:PORT`, from the same trawl version as this client."
                .into(),
        );
    }
    let missing = [
        "There is no UDF named ",
        "There is no UDAF named ",
        "There is no UDWF named ",
    ]
    .iter()
    .find_map(|p| message.split_once(p).map(|(_, rest)| rest))?;
    let name = missing
        .trim_start_matches(['\'', '"', '`'])
        .split(['\'', '"', '`', ' '])
        .next()
        .unwrap_or_default();
    Some(format!(
        "the cluster cannot run `{name}`: its scheduler or an executor lacks trawl's functions \
         (a stock Ballista process?). Start them with `trawl cluster scheduler` and \
         `trawl cluster executor --scheduler HOST:PORT`, from the same trawl version as this client."
    ))
}

/// Marks a lake table in a plan, before the encoded scan of its listing table.
const LAKE_TABLE_TAG: &[u8] = b"trawl-lake-table:v1:";

/// Ballista's logical codec plus trawl's lake table. The lake table is the listing
/// table of its files with partition filters derived from time filters (`eventtime`
/// bounds prune `date=` directories); it travels as a scan of that listing table,
/// which DataFusion's own encoding carries, and is wrapped again on arrival, so the
/// scheduler prunes days as a local session does.
#[derive(Debug, Default)]
pub struct LakeCodec {
    ballista: BallistaLogicalExtensionCodec,
}

impl LogicalExtensionCodec for LakeCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[LogicalPlan],
        ctx: &TaskContext,
    ) -> DfResult<Extension> {
        self.ballista.try_decode(buf, inputs, ctx)
    }

    fn try_encode(&self, node: &Extension, buf: &mut Vec<u8>) -> DfResult<()> {
        self.ballista.try_encode(node, buf)
    }

    fn try_decode_table_provider(
        &self,
        buf: &[u8],
        table_ref: &TableReference,
        schema: datafusion::arrow::datatypes::SchemaRef,
        ctx: &TaskContext,
    ) -> DfResult<Arc<dyn TableProvider>> {
        let Some(scan) = buf.strip_prefix(LAKE_TABLE_TAG) else {
            return self
                .ballista
                .try_decode_table_provider(buf, table_ref, schema, ctx);
        };
        let node = LogicalPlanNode::decode(scan)
            .map_err(|e| DataFusionError::Internal(format!("lake table: {e}")))?;
        let LogicalPlan::TableScan(scan) = node.try_into_logical_plan(ctx, self)? else {
            return Err(DataFusionError::Internal(
                "lake table: the encoded plan is not a table scan".into(),
            ));
        };
        let provider = source_as_provider(&scan.source)?;
        let any: &dyn Any = provider.as_ref();
        let listing = any.downcast_ref::<ListingTable>().ok_or_else(|| {
            DataFusionError::Internal(
                "lake table: the encoded scan is not of a listing table".into(),
            )
        })?;
        Ok(Arc::new(LakeTable::new(listing.clone())))
    }

    fn try_encode_table_provider(
        &self,
        table_ref: &TableReference,
        node: Arc<dyn TableProvider>,
        buf: &mut Vec<u8>,
    ) -> DfResult<()> {
        let any: &dyn Any = node.as_ref();
        let Some(lake) = any.downcast_ref::<LakeTable>() else {
            return self
                .ballista
                .try_encode_table_provider(table_ref, node, buf);
        };
        let listing = Arc::new(lake.listing().clone());
        let scan = LogicalPlanBuilder::scan(table_ref.clone(), provider_as_source(listing), None)?
            .build()?;
        let encoded = LogicalPlanNode::try_from_logical_plan(&scan, self)?;
        buf.extend_from_slice(LAKE_TABLE_TAG);
        encoded
            .encode(buf)
            .map_err(|e| DataFusionError::Internal(format!("lake table: {e}")))
    }

    fn try_decode_file_format(
        &self,
        buf: &[u8],
        ctx: &TaskContext,
    ) -> DfResult<Arc<dyn datafusion::datasource::file_format::FileFormatFactory>> {
        self.ballista.try_decode_file_format(buf, ctx)
    }

    fn try_encode_file_format(
        &self,
        buf: &mut Vec<u8>,
        node: Arc<dyn datafusion::datasource::file_format::FileFormatFactory>,
    ) -> DfResult<()> {
        self.ballista.try_encode_file_format(buf, node)
    }
}

/// Object stores as a local session has them, plus `s3://` buckets opened on first
/// use with the process's own AWS settings (profile, region, endpoint, credential
/// chain): a cluster's plans name files, not stores.
#[derive(Debug, Default)]
pub struct OnDemandS3 {
    stores: DefaultObjectStoreRegistry,
}

impl ObjectStoreRegistry for OnDemandS3 {
    fn register_store(
        &self,
        url: &Url,
        store: Arc<dyn ObjectStore>,
    ) -> Option<Arc<dyn ObjectStore>> {
        self.stores.register_store(url, store)
    }

    fn deregister_store(&self, url: &Url) -> DfResult<Arc<dyn ObjectStore>> {
        self.stores.deregister_store(url)
    }

    fn get_store(&self, url: &Url) -> DfResult<Arc<dyn ObjectStore>> {
        let missing = match self.stores.get_store(url) {
            Ok(store) => return Ok(store),
            Err(e) => e,
        };
        let (Some(bucket), "s3") = (url.host_str(), url.scheme()) else {
            return Err(missing);
        };
        let store = open_bucket(bucket)?;
        let base = Url::parse(&format!("s3://{bucket}"))
            .map_err(|e| DataFusionError::External(Box::new(e)))?;
        self.stores.register_store(&base, store.clone());
        Ok(store)
    }
}

/// Opens a bucket's client from synchronous code: off the async worker where tokio
/// allows it (so the runtime keeps serving), else on a thread with its own runtime.
fn open_bucket(bucket: &str) -> DfResult<Arc<dyn ObjectStore>> {
    let open = |handle: &tokio::runtime::Handle| {
        handle
            .block_on(trawl_convert::s3::store(bucket))
            .map_err(|e| DataFusionError::External(Box::new(e)))
    };
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(|| open(&handle))
        }
        _ => std::thread::scope(|s| {
            s.spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| DataFusionError::External(Box::new(e)))?;
                open(runtime.handle())
            })
            .join()
            .unwrap_or_else(|_| {
                Err(DataFusionError::Internal(format!(
                    "opening s3://{bucket} panicked"
                )))
            })
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn df_urls_name_the_scheduler() {
        assert_eq!(
            scheduler_url("df://10.0.0.5:50050").unwrap(),
            "http://10.0.0.5:50050"
        );
        assert_eq!(scheduler_url("df://sched").unwrap(), "http://sched:50050");
        let e = scheduler_url("http://sched:1").unwrap_err().to_string();
        assert!(
            e.contains("unknown scheme `http`") && e.contains("df://HOST:PORT"),
            "{e}"
        );
        assert!(scheduler_url("sched:50050").is_err());
    }

    #[tokio::test]
    async fn the_lake_table_crosses_to_the_scheduler_as_itself() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(trawl_convert::TABLE_DIR)).unwrap();
        let ctx = crate::new_session().unwrap();
        let lake: Arc<dyn TableProvider> =
            Arc::new(crate::lake_table(&ctx, dir.path()).await.unwrap());
        let codec = LakeCodec::default();
        let table = TableReference::bare("cloudtrail");
        let mut buf = Vec::new();
        codec
            .try_encode_table_provider(&table, lake.clone(), &mut buf)
            .unwrap();
        assert!(buf.starts_with(LAKE_TABLE_TAG));
        let back = codec
            .try_decode_table_provider(&buf, &table, lake.schema(), &ctx.task_ctx())
            .unwrap();
        let any: &dyn Any = back.as_ref();
        let back = any.downcast_ref::<LakeTable>().expect("a lake table again");
        assert_eq!(back.schema(), lake.schema());
        assert_eq!(
            back.listing().table_paths(),
            (lake.as_ref() as &dyn Any)
                .downcast_ref::<LakeTable>()
                .unwrap()
                .listing()
                .table_paths()
        );
    }

    #[test]
    fn only_trawl_executors_of_this_version_register() {
        assert_eq!(
            refuse_executor(&format!("{}abc", executor_id_prefix())),
            None
        );
        let stock = refuse_executor("2fc0aa88-da53-4e76").unwrap();
        assert!(
            stock.contains("lacks trawl's functions") && stock.contains("trawl cluster executor"),
            "{stock}"
        );
        let old = refuse_executor("trawl-0.0.1-2fc0aa88").unwrap();
        assert!(old.contains("is trawl 0.0.1"), "{old}");
    }

    #[test]
    fn missing_functions_are_explained() {
        let e = "Job failed: task failed: Internal error: There is no UDF named \"aws_ip_service\" in the registry";
        let why = explain_error(e).unwrap();
        assert!(
            why.contains("`aws_ip_service`") && why.contains("trawl cluster executor"),
            "{why}"
        );
        assert_eq!(explain_error("Parquet error: bad footer"), None);
    }
}
