//! `trawl cluster scheduler|executor`: an Apache DataFusion Ballista scheduler and
//! executors that hold trawl's functions, decode its lake table and open S3 buckets
//! with their own credentials, for `--cluster df://HOST:PORT`.

use std::io::Write;
use std::net::TcpListener as StdListener;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use std::collections::{HashMap, HashSet};

use ballista_core::JobId;
use ballista_core::error::BallistaError;
use ballista_core::serde::protobuf::ExecutorHeartbeat;
use ballista_core::serde::scheduler::{ExecutorData, ExecutorMetadata};
use ballista_scheduler::cluster::memory::{InMemoryClusterState, InMemoryJobState};
use ballista_scheduler::cluster::{
    BallistaCluster, BoundTask, ClusterState, ClusterStateEventStream, ExecutorSlot,
};
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::config::TaskDistributionPolicy;
use ballista_scheduler::scheduler_process::{create_scheduler, start_grpc_service_with_listener};
use ballista_scheduler::state::task_manager::JobInfoCache;
use datafusion_proto::protobuf::{LogicalPlanNode, PhysicalPlanNode};
use trawl_engine::cluster::{
    LakeCodec, executor_functions, executor_id_prefix, executor_runtime, refuse_executor,
    scheduler_session,
};

use crate::args::{ClusterCommand, ExecutorArgs, SchedulerArgs};

/// Ballista's log lines on stderr, prefixed with their level and origin: warnings and
/// errors by default, more with `TRAWL_LOG=info` (or `debug`, `trace`).
struct StderrLog;

static STDERR_LOG: StderrLog = StderrLog;

impl log::Log for StderrLog {
    fn enabled(&self, meta: &log::Metadata) -> bool {
        meta.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record) {
        if self.enabled(record.metadata()) {
            stderr_line!("{} {}: {}", record.level(), record.target(), record.args());
        }
    }

    fn flush(&self) {}
}

fn init_log() {
    let level = std::env::var("TRAWL_LOG")
        .ok()
        .and_then(|l| l.parse().ok())
        .unwrap_or(log::LevelFilter::Warn);
    if log::set_logger(&STDERR_LOG).is_ok() {
        log::set_max_level(level);
    }
}

pub async fn run(command: ClusterCommand) -> Result<ExitCode> {
    init_log();
    match command {
        ClusterCommand::Scheduler(a) => scheduler(a).await,
        ClusterCommand::Executor(a) => executor(a).await,
    }
}

async fn scheduler(a: SchedulerArgs) -> Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(a.bind)
        .await
        .with_context(|| format!("cannot listen on {}", a.bind))?;
    let bound = listener.local_addr()?;
    let config = SchedulerConfig {
        bind_host: bound.ip().to_string(),
        bind_port: bound.port(),
        external_host: a.external_host.unwrap_or_else(|| bound.ip().to_string()),
        override_session_builder: Some(Arc::new(scheduler_session)),
        override_logical_codec: Some(Arc::new(LakeCodec::default())),
        ..SchedulerConfig::default()
    };
    // Built here rather than by `BallistaCluster::new_from_config`, whose job state
    // rebuilds each later session from the first and so re-registers its functions in
    // hash order: where one of trawl's functions replaces a built-in that has its name
    // as an alias (`date_format` and `to_char`), either could win, query by query.
    let cluster = BallistaCluster::new(
        Arc::new(TrawlExecutorsOnly::default()),
        Arc::new(InMemoryJobState::new(
            config.scheduler_id.clone(),
            Arc::new(scheduler_session),
            Arc::new(ballista_core::utils::default_config_producer),
        )),
    );
    let scheduler =
        create_scheduler::<LogicalPlanNode, PhysicalPlanNode>(cluster, Arc::new(config))
            .await
            .map_err(|e| anyhow!("cannot start the scheduler: {e}"))?;
    // The first line says where it listens (with port 0, the port it got).
    writeln!(
        std::io::stdout(),
        "trawl cluster scheduler listening on {bound} (clients: --cluster df://{bound})"
    )?;
    std::io::stdout().flush()?;
    tokio::select! {
        served = start_grpc_service_with_listener(listener, scheduler) => {
            served.map_err(|e| anyhow!("the scheduler stopped: {e}"))?;
        }
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// Ballista's in-memory cluster state that registers only trawl executors of this
/// version: another executor would take tasks it cannot decode (trawl's functions,
/// the lake table) and fail them one by one.
#[derive(Default)]
struct TrawlExecutorsOnly {
    inner: InMemoryClusterState,
}

fn admit(executor_id: &str) -> ballista_core::error::Result<()> {
    match refuse_executor(executor_id) {
        None => Ok(()),
        Some(why) => {
            log::warn!("{why}");
            Err(BallistaError::General(why))
        }
    }
}

#[async_trait::async_trait]
impl ClusterState for TrawlExecutorsOnly {
    async fn init(&self) -> ballista_core::error::Result<()> {
        self.inner.init().await
    }

    async fn bind_schedulable_tasks(
        &self,
        distribution: TaskDistributionPolicy,
        active_jobs: Arc<HashMap<JobId, JobInfoCache>>,
        executors: Option<HashSet<String>>,
    ) -> ballista_core::error::Result<Vec<BoundTask>> {
        self.inner
            .bind_schedulable_tasks(distribution, active_jobs, executors)
            .await
    }

    async fn unbind_tasks(&self, slots: Vec<ExecutorSlot>) -> ballista_core::error::Result<()> {
        self.inner.unbind_tasks(slots).await
    }

    async fn register_executor(
        &self,
        metadata: ExecutorMetadata,
        spec: ExecutorData,
    ) -> ballista_core::error::Result<()> {
        admit(&metadata.id)?;
        self.inner.register_executor(metadata, spec).await
    }

    async fn save_executor_metadata(
        &self,
        metadata: ExecutorMetadata,
    ) -> ballista_core::error::Result<()> {
        admit(&metadata.id)?;
        self.inner.save_executor_metadata(metadata).await
    }

    async fn get_executor_metadata(
        &self,
        executor_id: &str,
    ) -> ballista_core::error::Result<ExecutorMetadata> {
        self.inner.get_executor_metadata(executor_id).await
    }

    async fn registered_executor_metadata(&self) -> Vec<ExecutorMetadata> {
        self.inner.registered_executor_metadata().await
    }

    async fn save_executor_heartbeat(
        &self,
        heartbeat: ExecutorHeartbeat,
    ) -> ballista_core::error::Result<()> {
        admit(&heartbeat.executor_id)?;
        self.inner.save_executor_heartbeat(heartbeat).await
    }

    async fn remove_executor(&self, executor_id: &str) -> ballista_core::error::Result<()> {
        self.inner.remove_executor(executor_id).await
    }

    fn executor_heartbeats(&self) -> HashMap<String, ExecutorHeartbeat> {
        self.inner.executor_heartbeats()
    }

    fn get_executor_heartbeat(&self, executor_id: &str) -> Option<ExecutorHeartbeat> {
        self.inner.get_executor_heartbeat(executor_id)
    }

    async fn cluster_state_events(&self) -> ballista_core::error::Result<ClusterStateEventStream> {
        self.inner.cluster_state_events().await
    }
}

/// A port that is free now: the one asked for, or (for 0) one the system picks.
fn free_port(host: &str, port: u16) -> Result<u16> {
    if port != 0 {
        return Ok(port);
    }
    let listener = StdListener::bind((host, 0)).with_context(|| format!("cannot bind {host}"))?;
    Ok(listener.local_addr()?.port())
}

async fn executor(a: ExecutorArgs) -> Result<ExitCode> {
    let (scheduler_host, scheduler_port) = a
        .scheduler
        .rsplit_once(':')
        .and_then(|(h, p)| Some((h.to_string(), p.parse::<u16>().ok()?)))
        .ok_or_else(|| anyhow!("--scheduler {}: expected HOST:PORT", a.scheduler))?;
    // Refuse early and plainly when nothing listens there: Ballista's own retry loop
    // says little.
    SchedulerGrpcClient::connect(format!("http://{scheduler_host}:{scheduler_port}"))
        .await
        .with_context(|| format!("cannot reach the scheduler at {}", a.scheduler))?;
    let port = free_port(&a.bind_host, a.port)?;
    let grpc_port = free_port(&a.bind_host, a.grpc_port)?;
    let (work_dir, _keep) = match &a.work_dir {
        Some(d) => (d.clone(), None),
        None => {
            let t = tempfile::tempdir().context("cannot make a work directory")?;
            (t.path().to_path_buf(), Some(t))
        }
    };
    let work = work_dir
        .to_str()
        .ok_or_else(|| anyhow!("--work-dir {}: not UTF-8", work_dir.display()))?
        .to_string();
    let runtime_dir = work.clone();
    let defaults = ExecutorProcessConfig::default();
    let config = ExecutorProcessConfig {
        executor_id: format!("{}{}", executor_id_prefix(), defaults.executor_id),
        bind_host: a.bind_host.clone(),
        external_host: a.external_host.clone(),
        port,
        grpc_port,
        scheduler_host,
        scheduler_port,
        vcores: a.concurrent_tasks.unwrap_or(defaults.vcores),
        work_dir: Some(work),
        print_thread_info: false,
        override_function_registry: Some(Arc::new(executor_functions()?)),
        override_runtime_producer: Some(Arc::new(move |_| executor_runtime(&runtime_dir))),
        override_logical_codec: Some(Arc::new(LakeCodec::default())),
        ..defaults
    };
    writeln!(
        std::io::stdout(),
        "trawl cluster executor {} serving on {}:{port} (gRPC {grpc_port}) for the scheduler at {}",
        config.executor_id,
        a.external_host.as_deref().unwrap_or(&a.bind_host),
        a.scheduler
    )?;
    std::io::stdout().flush()?;
    start_executor_process(Arc::new(config))
        .await
        .map_err(|e| anyhow!("the executor stopped: {e}"))?;
    Ok(ExitCode::SUCCESS)
}
