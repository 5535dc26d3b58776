//! A lake on S3. A conversion runs into a local working lake (the remote ledger
//! copied in, so incremental skipping works the same), then each new run is
//! published with the same commit protocol as on disk, rename replaced by copy:
//!
//! 1. upload the run's files under `_trawl/staging/<run>/` (multipart for large
//!    ones; readers never look there, and an S3 object appears whole or not at all);
//! 2. write `_trawl/pending/<run>.json`, the run's manifest: the commit point;
//! 3. copy each staged object to its place under `cloudtrail/` and `_rejects/`,
//!    delete the files a compaction replaced, write `_trawl/ledger/<run>.json`;
//! 4. delete the staging objects and the pending manifest.
//!
//! A crash before 2 leaves staging objects that the next run deletes; a crash after
//! it leaves a pending manifest that the next run finishes (copies are idempotent).

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use futures::TryStreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{
    ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, UpdateVersion, WriteMultipart,
};

use crate::error::{Error, Result};
use crate::lake::{Lake, RunManifest};
use crate::s3::{S3Url, error};

/// S3's smallest part (but the last).
const MIN_PART: usize = 5 << 20;

/// Where a lake on S3 keeps [`Lake::table_files_record`], under its prefix.
pub const TABLE_FILES_RECORD: &str = "_trawl/table-files.json";

/// Objects at least this large are uploaded in parts of this size.
fn part_size() -> usize {
    // Tests lower it to S3's minimum to exercise multipart uploads on smaller files.
    std::env::var("TRAWL_S3_PART_SIZE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16 << 20)
        .max(MIN_PART)
}

/// What a publish did.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct PublishCounts {
    pub runs: usize,
    pub objects: usize,
    pub bytes: u64,
    pub multipart_uploads: usize,
}

/// A lake under `s3://bucket/prefix`.
pub struct RemoteLake {
    url: S3Url,
    store: Arc<dyn ObjectStore>,
}

impl RemoteLake {
    pub async fn open(url: &str) -> Result<Self> {
        let mut url = S3Url::parse(url)?;
        url.key = url.key.trim_end_matches('/').to_string();
        let store = crate::s3::store(&url.bucket).await?;
        Ok(Self { url, store })
    }

    /// `s3://bucket/prefix`
    pub fn url(&self) -> String {
        format!("s3://{}/{}", self.url.bucket, self.url.key)
            .trim_end_matches('/')
            .to_string()
    }

    fn key(&self, rel: &str) -> ObjectPath {
        if self.url.key.is_empty() {
            ObjectPath::from(rel)
        } else {
            ObjectPath::from(format!("{}/{rel}", self.url.key))
        }
    }

    fn err(&self, key: &ObjectPath, e: object_store::Error) -> Error {
        error(&S3Url::object_url(&self.url.bucket, key.as_ref()), e)
    }

    async fn list(&self, rel: &str) -> Result<Vec<ObjectPath>> {
        let prefix = self.key(rel);
        let metas: Vec<_> = self
            .store
            .list(Some(&prefix))
            .try_collect()
            .await
            .map_err(|e| self.err(&prefix, e))?;
        Ok(metas.into_iter().map(|m| m.location).collect())
    }

    async fn get(&self, key: &ObjectPath) -> Result<bytes::Bytes> {
        let r = self.store.get(key).await.map_err(|e| self.err(key, e))?;
        r.bytes().await.map_err(|e| self.err(key, e))
    }

    async fn put(&self, key: &ObjectPath, body: Vec<u8>) -> Result<()> {
        self.store
            .put(key, PutPayload::from(body))
            .await
            .map_err(|e| self.err(key, e))?;
        Ok(())
    }

    async fn delete(&self, key: &ObjectPath) -> Result<()> {
        match self.store.delete(key).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.err(key, e)),
        }
    }

    fn manifest(&self, key: &ObjectPath, body: &[u8]) -> Result<RunManifest> {
        serde_json::from_slice(body).map_err(|e| Error::Ledger {
            path: S3Url::object_url(&self.url.bucket, key.as_ref()),
            message: e.to_string(),
        })
    }

    /// `s3://bucket/prefix/<rel>`: an object under the lake.
    pub fn object_url(&self, rel: &str) -> String {
        S3Url::object_url(&self.url.bucket, self.key(rel).as_ref())
    }

    /// An object under the lake and its version (ETag), or None when there is none.
    pub async fn read(&self, rel: &str) -> Result<Option<(bytes::Bytes, Option<String>)>> {
        let key = self.key(rel);
        match self.store.get(&key).await {
            Ok(r) => {
                let etag = r.meta.e_tag.clone();
                let body = r.bytes().await.map_err(|e| self.err(&key, e))?;
                Ok(Some((body, etag)))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.err(&key, e)),
        }
    }

    /// Writes an object under the lake, whole.
    pub async fn write(&self, rel: &str, body: Vec<u8>) -> Result<()> {
        self.put(&self.key(rel), body).await
    }

    /// Writes an object under the lake only if none is there (`If-None-Match: *`), or,
    /// with `replacing`, only if it is still that version (`If-Match`): false when
    /// someone else's write came first.
    pub async fn write_if(
        &self,
        rel: &str,
        body: Vec<u8>,
        replacing: Option<String>,
    ) -> Result<bool> {
        let key = self.key(rel);
        let mode = match replacing {
            None => PutMode::Create,
            Some(e_tag) => PutMode::Update(UpdateVersion {
                e_tag: Some(e_tag),
                version: None,
            }),
        };
        let opts = PutOptions {
            mode,
            ..PutOptions::default()
        };
        match self
            .store
            .put_opts(&key, PutPayload::from(body), opts)
            .await
        {
            Ok(_) => Ok(true),
            Err(
                object_store::Error::AlreadyExists { .. }
                | object_store::Error::Precondition { .. },
            ) => Ok(false),
            Err(e) => Err(self.err(&key, e)),
        }
    }

    /// Deletes an object under the lake (none there is fine).
    pub async fn remove(&self, rel: &str) -> Result<()> {
        self.delete(&self.key(rel)).await
    }

    /// The objects under `rel` (a directory-like prefix), relative to the lake.
    pub async fn list_under(&self, rel: &str) -> Result<Vec<String>> {
        let root = self.url.key.trim_matches('/');
        Ok(self
            .list(rel)
            .await?
            .into_iter()
            .map(|k| {
                let k = k.as_ref();
                if root.is_empty() {
                    k.to_string()
                } else {
                    k.strip_prefix(root)
                        .unwrap_or(k)
                        .trim_start_matches('/')
                        .to_string()
                }
            })
            .collect())
    }

    /// Finishes runs whose pending manifest was written and deletes the staging
    /// objects of runs that never got that far. Returns (finished, discarded).
    pub async fn recover(&self) -> Result<(usize, usize)> {
        let mut finished = 0;
        let mut pending_runs = HashSet::new();
        for key in self.list("_trawl/pending/").await? {
            let body = self.get(&key).await?;
            let manifest = self.manifest(&key, &body)?;
            pending_runs.insert(manifest.run.clone());
            self.apply(&manifest, &body).await?;
            finished += 1;
        }
        let mut discarded = HashSet::new();
        for key in self.list("_trawl/staging/").await? {
            let rest = key
                .as_ref()
                .strip_prefix(self.key("_trawl/staging/").as_ref())
                .unwrap_or("")
                .trim_start_matches('/');
            let run = rest.split('/').next().unwrap_or("").to_string();
            if pending_runs.contains(&run) {
                continue;
            }
            self.delete(&key).await?;
            discarded.insert(run);
        }
        Ok((finished, discarded.len()))
    }

    /// Copies the remote ledger into `local`'s ledger; returns the run ids.
    pub async fn pull_ledger(&self, local: &Lake) -> Result<HashSet<String>> {
        let dir = local.ledger_dir();
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let mut runs = HashSet::new();
        for key in self.list("_trawl/ledger/").await? {
            if !key.as_ref().ends_with(".json") {
                continue;
            }
            let body = self.get(&key).await?;
            let manifest = self.manifest(&key, &body)?;
            let path = dir.join(format!("{}.json", manifest.run));
            std::fs::write(&path, &body).map_err(|e| Error::io(&path, e))?;
            runs.insert(manifest.run);
        }
        Ok(runs)
    }

    async fn upload(
        &self,
        file: &Path,
        key: &ObjectPath,
        counts: &mut PublishCounts,
    ) -> Result<()> {
        let part = part_size();
        let len = std::fs::metadata(file)
            .map_err(|e| Error::io(file, e))?
            .len();
        counts.objects += 1;
        counts.bytes += len;
        if (len as usize) < part {
            let body = std::fs::read(file).map_err(|e| Error::io(file, e))?;
            return self.put(key, body).await;
        }
        counts.multipart_uploads += 1;
        let upload = self
            .store
            .put_multipart(key)
            .await
            .map_err(|e| self.err(key, e))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, part);
        let mut f = std::fs::File::open(file).map_err(|e| Error::io(file, e))?;
        let mut buf = vec![0u8; part];
        loop {
            let n = std::io::Read::read(&mut f, &mut buf).map_err(|e| Error::io(file, e))?;
            if n == 0 {
                break;
            }
            writer
                .wait_for_capacity(4)
                .await
                .map_err(|e| self.err(key, e))?;
            writer.write(&buf[..n]);
        }
        writer.finish().await.map_err(|e| self.err(key, e))?;
        Ok(())
    }

    /// Step 3 and 4 for a run whose pending manifest is written.
    async fn apply(&self, manifest: &RunManifest, body: &[u8]) -> Result<()> {
        let run = &manifest.run;
        let mut staged = Vec::new();
        for rel in manifest.placed_files() {
            let from = self.key(&format!("_trawl/staging/{run}/{rel}"));
            let to = self.key(rel);
            match self.store.copy(&from, &to).await {
                Ok(()) => staged.push(from),
                // Copied and cleaned up by an earlier attempt.
                Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(self.err(&from, e)),
            }
        }
        for rel in &manifest.removed {
            self.delete(&self.key(rel)).await?;
        }
        self.put(
            &self.key(&format!("_trawl/ledger/{run}.json")),
            body.to_vec(),
        )
        .await?;
        for key in staged {
            self.delete(&key).await?;
        }
        self.delete(&self.key(&format!("_trawl/pending/{run}.json")))
            .await
    }

    /// Publishes every run of `local` not in `known` (oldest first).
    pub async fn publish(&self, local: &Lake, known: &HashSet<String>) -> Result<PublishCounts> {
        let mut counts = PublishCounts::default();
        let ledger = local.ledger()?;
        for manifest in ledger.runs.iter().filter(|m| !known.contains(&m.run)) {
            let run = &manifest.run;
            for rel in manifest.placed_files() {
                let key = self.key(&format!("_trawl/staging/{run}/{rel}"));
                self.upload(&local.root().join(rel), &key, &mut counts)
                    .await?;
            }
            let body = serde_json::to_vec_pretty(manifest).map_err(Error::Manifest)?;
            self.put(
                &self.key(&format!("_trawl/pending/{run}.json")),
                body.clone(),
            )
            .await?;
            self.apply(manifest, &body).await?;
            counts.runs += 1;
        }
        // The table's files and schema version for readers (see
        // `Lake::table_files_record`). The local ledger holds the remote's runs (pulled
        // before) and the ones just published, byte for byte, so the record describes
        // the remote ledger; a reader checks that against its own listing.
        if let Some(record) = local.table_files_record()? {
            self.put(&self.key(TABLE_FILES_RECORD), record).await?;
        }
        Ok(counts)
    }
}
