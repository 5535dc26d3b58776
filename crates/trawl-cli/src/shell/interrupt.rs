//! Ctrl-C, heard on a thread of its own with its own one-thread runtime: the
//! process-wide runtime drives signals only when a worker is free, and a query that
//! never yields can keep every worker busy.

use anyhow::{Context, Result};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

/// Counts the SIGINTs the process receives.
pub struct Interrupts {
    count: watch::Sender<u64>,
}

impl Interrupts {
    /// Starts listening; from now on SIGINT no longer ends the process.
    pub fn listen() -> Result<Self> {
        let (count, _) = watch::channel(0u64);
        let sender = count.clone();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("trawl-ctrl-c".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => return drop(ready_tx.send(Err(e))),
                };
                rt.block_on(async move {
                    let mut sigint = match signal(SignalKind::interrupt()) {
                        Ok(s) => s,
                        Err(e) => return drop(ready_tx.send(Err(e))),
                    };
                    let _ = ready_tx.send(Ok(()));
                    while sigint.recv().await.is_some() {
                        sender.send_modify(|n| *n += 1);
                    }
                });
            })
            .context("cannot start the Ctrl-C listener")?;
        ready_rx
            .recv()
            .context("the Ctrl-C listener stopped")?
            .context("cannot listen for Ctrl-C")?;
        Ok(Self { count })
    }

    /// Resolves at the next Ctrl-C after this call.
    pub async fn next(&self) {
        let mut seen = self.count.subscribe();
        // The sender lives in `self`, so the channel never closes under us.
        let _ = seen.changed().await;
    }
}
