//! A stock Apache DataFusion Ballista executor (Ballista's functions only, none of
//! trawl's), in-process on loopback: what a cluster built from Ballista's own images
//! would run, for checking that trawl refuses it plainly.

use std::net::TcpListener;
use std::sync::Arc;

use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};

/// A running executor; stops when dropped.
pub struct StockExecutor {
    runtime: Option<tokio::runtime::Runtime>,
    stopped: std::sync::mpsc::Receiver<String>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

impl StockExecutor {
    /// Starts an executor registered with the scheduler at `127.0.0.1:scheduler_port`.
    pub fn start(scheduler_port: u16) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime for the executor");
        let config = ExecutorProcessConfig {
            bind_host: "127.0.0.1".into(),
            port: free_port(),
            grpc_port: free_port(),
            scheduler_host: "127.0.0.1".into(),
            scheduler_port,
            vcores: 1,
            print_thread_info: false,
            ..ExecutorProcessConfig::default()
        };
        let (tx, stopped) = std::sync::mpsc::channel();
        runtime.spawn(async move {
            let why = match start_executor_process(Arc::new(config)).await {
                Ok(()) => "stopped".to_string(),
                Err(e) => e.to_string(),
            };
            let _ = tx.send(why);
        });
        Self {
            runtime: Some(runtime),
            stopped,
        }
    }

    /// Why the executor stopped, if it did within `wait`.
    pub fn stopped_within(&self, wait: std::time::Duration) -> Option<String> {
        self.stopped.recv_timeout(wait).ok()
    }
}

impl Drop for StockExecutor {
    fn drop(&mut self) {
        if let Some(r) = self.runtime.take() {
            r.shutdown_background();
        }
    }
}
