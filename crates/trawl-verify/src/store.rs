//! [`Source`] over an `object_store` 0.13 store (S3 in practice), for verifying in place.
//! S3 returns user metadata on GET/HEAD as `x-amz-meta-*` headers, which object_store 0.13
//! exposes as `Attribute::Metadata(<name without the prefix>)`; the digest signature is
//! `Metadata("signature")`.

use std::io::{self, Read};
use std::sync::Arc;

use bytes::Bytes;
use futures::stream::{BoxStream, StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{Attribute, GetOptions, ObjectStore};
use tokio::runtime::Handle;

use crate::source::{ObjectEntry, Source, SourceError};

/// Reads through an async store by blocking on `runtime`. Call [`crate::verify`] from a
/// blocking context (a plain thread or `spawn_blocking`), never from inside the runtime:
/// `Handle::block_on` panics there.
pub struct ObjectStoreSource {
    store: Arc<dyn ObjectStore>,
    runtime: Handle,
    name: String,
}

impl ObjectStoreSource {
    /// `name` is how reports name the source, e.g. `s3://bucket`.
    pub fn new(store: Arc<dyn ObjectStore>, runtime: Handle, name: impl Into<String>) -> Self {
        Self {
            store,
            runtime,
            name: name.into(),
        }
    }
}

fn store_error(key: &str, e: object_store::Error) -> SourceError {
    match e {
        object_store::Error::NotFound { .. } => SourceError::NotFound {
            key: key.to_string(),
        },
        e => SourceError::Other {
            key: key.to_string(),
            message: e.to_string(),
        },
    }
}

impl Source for ObjectStoreSource {
    fn list(&self, prefix: &str) -> Result<Vec<ObjectEntry>, SourceError> {
        // object_store lists by whole path segments; our prefixes are plain string prefixes.
        let dir = prefix.rsplit_once('/').map_or("", |(dir, _)| dir);
        let dir = (!dir.is_empty()).then(|| Path::from(dir));
        let metas: Vec<_> = self
            .runtime
            .block_on(self.store.list(dir.as_ref()).try_collect())
            .map_err(|e| store_error(prefix, e))?;
        Ok(metas
            .into_iter()
            .map(|m| ObjectEntry {
                key: m.location.to_string(),
                size: m.size,
            })
            .filter(|e| e.key.starts_with(prefix))
            .collect())
    }

    fn open(&self, key: &str) -> Result<Box<dyn Read + Send + '_>, SourceError> {
        let result = self
            .runtime
            .block_on(self.store.get_opts(&Path::from(key), GetOptions::default()))
            .map_err(|e| store_error(key, e))?;
        Ok(Box::new(BlockingStream {
            stream: result.into_stream(),
            runtime: &self.runtime,
            chunk: Bytes::new(),
        }))
    }

    fn signature(&self, key: &str) -> Result<Option<String>, SourceError> {
        let options = GetOptions {
            head: true,
            ..Default::default()
        };
        let result = self
            .runtime
            .block_on(self.store.get_opts(&Path::from(key), options))
            .map_err(|e| store_error(key, e))?;
        Ok(result
            .attributes
            .get(&Attribute::Metadata("signature".into()))
            .map(|v| v.as_ref().trim().to_string()))
    }

    fn describe(&self) -> String {
        self.name.clone()
    }
}

/// A byte stream read chunk by chunk, so large log files are never held whole.
struct BlockingStream<'a> {
    stream: BoxStream<'static, object_store::Result<Bytes>>,
    runtime: &'a Handle,
    chunk: Bytes,
}

impl Read for BlockingStream<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            match self.runtime.block_on(self.stream.next()) {
                Some(Ok(chunk)) => self.chunk = chunk,
                Some(Err(e)) => return Err(io::Error::other(e)),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}
