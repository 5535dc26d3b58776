//! Where a session's queries compute: a runtime of their own. An operator that never
//! yields (a cross join emitting rows from memory) holds its worker thread until it
//! is done; on the runtime that also drives timers and signals, two such workers on a
//! two-core machine froze the spinner and deafened Ctrl-C. Here they can only stall
//! this runtime, and a cancelled query that is still computing is left behind with
//! it: the next query gets a fresh one.

use std::future::Future;
use std::sync::Mutex;

use anyhow::{Context, Result, anyhow};
use tokio::runtime::{Builder, Handle, Runtime};
use tokio::task::AbortHandle;

/// The compute runtime of a session, built on first use.
#[derive(Default)]
pub struct ComputeRuntime {
    runtime: Mutex<Option<Runtime>>,
}

impl ComputeRuntime {
    /// Runs `work` on the compute runtime and waits for it. Dropping the returned
    /// future before it finishes (Ctrl-C) aborts the work and abandons the runtime.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl Future<Output = T> + Send + 'static,
    ) -> Result<T> {
        let task = self.handle()?.spawn(work);
        let mut pending = AbandonOnDrop {
            owner: self,
            task: Some(task.abort_handle()),
        };
        let out = task.await;
        pending.task = None;
        out.map_err(|e| anyhow!("the query stopped: {e}"))
    }

    fn handle(&self) -> Result<Handle> {
        let mut slot = self.runtime.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(rt) = slot.as_ref() {
            return Ok(rt.handle().clone());
        }
        let rt = Builder::new_multi_thread()
            .enable_all()
            .thread_name("trawl-query")
            .build()
            .context("cannot start the query runtime")?;
        let handle = rt.handle().clone();
        *slot = Some(rt);
        Ok(handle)
    }

    /// Lets the runtime's threads go once their tasks yield; never blocks.
    fn abandon(&self) {
        let taken = self
            .runtime
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(rt) = taken {
            rt.shutdown_background();
        }
    }
}

impl Drop for ComputeRuntime {
    // Dropping a runtime blocks until its workers stop, which tokio refuses inside
    // another runtime; the session is dropped inside one.
    fn drop(&mut self) {
        self.abandon();
    }
}

struct AbandonOnDrop<'a> {
    owner: &'a ComputeRuntime,
    task: Option<AbortHandle>,
}

impl Drop for AbandonOnDrop<'_> {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            self.owner.abandon();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A task that never yields cannot keep the next one waiting once cancelled.
    #[tokio::test]
    async fn a_cancelled_busy_task_leaves_room_for_the_next() {
        let compute = ComputeRuntime::default();
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let spin = || {
            compute.run(async {
                let until = std::time::Instant::now() + Duration::from_secs(30);
                while std::time::Instant::now() < until {
                    std::hint::spin_loop();
                }
            })
        };
        for _ in 0..workers {
            // Cancelled after it started spinning.
            let r = tokio::time::timeout(Duration::from_millis(200), spin()).await;
            assert!(r.is_err(), "the busy task was cut short");
        }
        let answer = tokio::time::timeout(Duration::from_secs(5), compute.run(async { 42 }))
            .await
            .expect("the next task ran at once")
            .unwrap();
        assert_eq!(answer, 42);
    }
}
