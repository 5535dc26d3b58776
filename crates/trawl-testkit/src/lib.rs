//! Test helpers for trawl: a real S3 HTTP server on loopback (s3s-fs, with SigV4
//! checks and a filesystem backend), started in-process, one per test.
//!
//! The server runs on a runtime of its own, on its own thread, so it keeps
//! answering while a test blocks on a child `trawl` process.

pub mod aws;
#[cfg(feature = "cluster")]
pub mod ballista;
pub mod cloudtrail;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::{ClientOptions, RetryConfig};
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;

/// Access key the test server accepts.
pub const ACCESS_KEY: &str = "trawl-test-key";
/// Secret the test server accepts.
pub const SECRET_KEY: &str = "trawl-test-secret";
/// Region the test clients sign for.
pub const REGION: &str = "us-east-1";

/// A running S3 server; stops and removes its data when dropped.
pub struct S3Server {
    addr: SocketAddr,
    root: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// A server thread: send on the sender (or drop it) to stop it, then join.
pub type Running = (
    tokio::sync::oneshot::Sender<()>,
    std::thread::JoinHandle<()>,
);

/// Serves the buckets under `root` (one directory each) on `listener` from a thread
/// of its own, checking SigV4 with [`ACCESS_KEY`] and [`SECRET_KEY`].
pub fn serve(root: &Path, std_listener: std::net::TcpListener) -> std::io::Result<Running> {
    let fs = s3s_fs::FileSystem::new(root).map_err(|e| std::io::Error::other(format!("{e:?}")))?;
    let mut builder = S3ServiceBuilder::new(fs);
    builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
    let service = builder.build();
    std_listener.set_nonblocking(true)?;
    let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async move {
            let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else {
                return;
            };
            loop {
                tokio::select! {
                    _ = &mut rx => break,
                    accepted = listener.accept() => {
                        let Ok((sock, _)) = accepted else { continue };
                        let service = service.clone();
                        tokio::spawn(async move {
                            let _ = ConnBuilder::new(TokioExecutor::new())
                                .serve_connection(TokioIo::new(sock), service)
                                .await;
                        });
                    }
                }
            }
        });
        // Dropping the runtime here closes every open connection: the server is gone.
        rt.shutdown_timeout(std::time::Duration::from_millis(100));
    });
    Ok((tx, thread))
}

impl S3Server {
    /// Starts a server with the given buckets (directories under its root).
    pub fn start(buckets: &[&str]) -> std::io::Result<Self> {
        let root = tempfile::tempdir()?;
        for b in buckets {
            std::fs::create_dir_all(root.path().join(b))?;
        }
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        let addr = listener.local_addr()?;
        let (tx, thread) = serve(root.path(), listener)?;
        Ok(Self {
            addr,
            root,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// Stops answering: the port is closed and open connections are dropped.
    pub fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Serves again on the same port, with the same objects.
    pub fn restart(&mut self) -> std::io::Result<()> {
        self.stop();
        let listener = std::net::TcpListener::bind(self.addr)?;
        let (tx, thread) = serve(self.root.path(), listener)?;
        self.shutdown = Some(tx);
        self.thread = Some(thread);
        Ok(())
    }

    /// `http://127.0.0.1:PORT`
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The directory holding the buckets.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// A bucket's directory (objects are files under it).
    pub fn bucket_dir(&self, bucket: &str) -> PathBuf {
        self.root.path().join(bucket)
    }

    /// An object_store client for a bucket, with fast-failing retries.
    pub fn store(&self, bucket: &str) -> object_store::Result<Arc<AmazonS3>> {
        let store = AmazonS3Builder::new()
            .with_endpoint(self.endpoint())
            .with_allow_http(true)
            .with_bucket_name(bucket)
            .with_region(REGION)
            .with_access_key_id(ACCESS_KEY)
            .with_secret_access_key(SECRET_KEY)
            .with_virtual_hosted_style_request(false)
            .with_client_options(ClientOptions::new().with_allow_http(true))
            .with_retry(RetryConfig {
                max_retries: 1,
                ..RetryConfig::default()
            })
            .build()?;
        Ok(Arc::new(store))
    }

    /// The `AWS_*` variables that point a `trawl` subprocess at this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY.into()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.into()),
            ("AWS_REGION", REGION.into()),
            // Nothing from the machine's own AWS setup, and no metadata-service probes.
            ("AWS_CONFIG_FILE", "/nonexistent/trawl-test/config".into()),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/trawl-test/credentials".into(),
            ),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ]
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
    }
}
