//! `trawl convert`: source objects → fetch and decode in groups (one decoder per core)
//! → chunks of rows sorted in memory → de-duplicate → Parquet files in staging → commit.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use arrow::array::RecordBatch;
use futures::StreamExt;
use object_store::ObjectStoreExt;
use trawl_cloudtrail::{DecodeOptions, Decoded, InputFormat, Reject, decode_many};

use crate::error::{Error, Invariant, Result};
use crate::lake::{
    Counts, FileEntry, Lake, REJECTS_DIR, RunKind, RunManifest, SourceEntry, new_run_id,
};
use crate::sort::SortOptions;
use crate::source::{ListingCounts, SourceObject, resolve_filtered};
use crate::writer::{LayoutOptions, PartitionWriter};

/// Options of a conversion.
#[derive(Debug, Clone)]
pub struct ConvertOptions {
    pub format: InputFormat,
    pub layout: LayoutOptions,
    pub sort: SortOptions,
    /// Objects decoded at once.
    pub jobs: usize,
    /// A run commits after this many source bytes, so a huge backfill makes
    /// progress that survives an interruption (and its de-duplication keys stay
    /// bounded: 16 bytes per event).
    pub commit_bytes: u64,
    /// Which CloudTrail deliveries to read (accounts, regions, days).
    pub filter: crate::s3::KeyFilter,
    /// Most bytes one gzip object may inflate to before it is rejected.
    pub max_inflated: u64,
}

impl Default for ConvertOptions {
    fn default() -> Self {
        Self {
            format: InputFormat::Auto,
            layout: LayoutOptions::default(),
            sort: SortOptions::default(),
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
            commit_bytes: 1 << 30,
            filter: crate::s3::KeyFilter::default(),
            max_inflated: trawl_cloudtrail::DEFAULT_MAX_INFLATED,
        }
    }
}

/// Live counters for a progress display.
#[derive(Debug, Default)]
pub struct Progress {
    pub files_total: AtomicU64,
    pub files_done: AtomicU64,
    pub records: AtomicU64,
    pub bytes_read: AtomicU64,
    pub text_bytes: AtomicU64,
    /// 0 = reading, 1 = writing.
    pub phase: AtomicU64,
}

/// A source object that could not be read at all (it will be retried next run).
#[derive(Debug, Clone)]
pub struct Failure {
    pub uri: String,
    pub message: String,
}

/// What a conversion did. Counts add up:
/// `records = rows_written + duplicates + rejected`, and
/// `files_found = files_already + files_read + files_skipped + files_failed`.
#[derive(Debug, Default)]
pub struct Summary {
    pub files_found: u64,
    /// Already in the ledger with the same size and time/ETag.
    pub files_already: u64,
    /// Read and decoded.
    pub files_read: u64,
    /// Recognised as non-events without reading records (digests, ...).
    pub files_skipped: u64,
    pub files_failed: u64,
    pub failures: Vec<Failure>,
    pub counts: Counts,
    pub bytes_read: u64,
    pub text_bytes: u64,
    pub files_written: u64,
    pub bytes_written: u64,
    pub runs: Vec<String>,
    /// Lake-relative reject files.
    pub reject_files: Vec<String>,
    /// Interrupted runs found and finished / discarded before this one.
    pub recovered: (usize, usize),
    pub elapsed: Duration,
    /// S3 listing work.
    pub listing: ListingCounts,
}

impl Summary {
    pub fn counts_add_up(&self) -> bool {
        let c = &self.counts;
        c.records == c.rows_written + c.duplicates + c.rejected
            && self.files_found
                == self.files_already + self.files_read + self.files_skipped + self.files_failed
    }
}

/// Converts SOURCE arguments into the lake.
pub async fn convert(
    sources: &[String],
    lake: &Lake,
    opts: &ConvertOptions,
    progress: Arc<Progress>,
) -> Result<Summary> {
    let started = Instant::now();
    let _lock = lake.lock()?;
    let mut summary = Summary {
        recovered: lake.recover()?,
        ..Summary::default()
    };
    let ledger = lake.ledger()?;
    let (objects, listing) = resolve_filtered(sources, Some(lake.root()), &opts.filter).await?;
    summary.listing = listing;
    summary.files_found = objects.len() as u64;
    let todo: Vec<SourceObject> = objects
        .into_iter()
        .filter(|o| !ledger.contains(&o.uri, o.size, o.mtime.as_deref(), o.etag.as_deref()))
        .collect();
    summary.files_already = summary.files_found - todo.len() as u64;
    progress
        .files_total
        .store(todo.len() as u64, Ordering::Relaxed);

    let mut chunk = Vec::new();
    let mut chunk_bytes = 0;
    let mut rest = todo.into_iter().peekable();
    while let Some(o) = rest.next() {
        chunk_bytes += o.size;
        chunk.push(o);
        if chunk_bytes >= opts.commit_bytes || rest.peek().is_none() {
            run_chunk(
                std::mem::take(&mut chunk),
                lake,
                opts,
                &progress,
                &mut summary,
            )
            .await?;
            chunk_bytes = 0;
        }
    }
    // The first query after a conversion then finds the table's files kept (best
    // effort: a failure here changes nothing the run wrote).
    let _ = lake.table_files();
    summary.elapsed = started.elapsed();
    Ok(summary)
}

struct DecodedObject {
    object: SourceObject,
    result: std::result::Result<Decoded, String>,
}

/// S3 GETs are latency-bound: this many per group are in flight while the decoders
/// (one per core) work.
const FETCH_JOBS: usize = 16;

/// Objects decoded together: delivery files are small (often a few KB), and one
/// group shares the cost of building Arrow batches.
const GROUP_FILES: usize = 64;
/// Compressed bytes that close a group early, so big files travel alone.
const GROUP_BYTES: u64 = 8 << 20;

struct Fetched {
    object: SourceObject,
    bytes: std::result::Result<bytes::Bytes, String>,
}

impl Fetched {
    /// What a fetch or a read gave, its bytes added to the progress.
    fn counted(
        object: SourceObject,
        bytes: std::result::Result<bytes::Bytes, String>,
        progress: &Progress,
    ) -> Self {
        if let Ok(b) = &bytes {
            progress
                .bytes_read
                .fetch_add(b.len() as u64, Ordering::Relaxed);
        }
        Self { object, bytes }
    }
}

async fn fetch(object: SourceObject, progress: Arc<Progress>) -> Fetched {
    let bytes = match object.store.get(&object.location).await {
        Ok(r) => r.bytes().await,
        Err(e) => Err(e),
    };
    let bytes = bytes.map_err(|e| {
        if object.uri.starts_with("s3://") {
            crate::s3::explain(&object.uri, &e)
        } else {
            e.to_string()
        }
    });
    Fetched::counted(object, bytes, &progress)
}

/// Reads a local source object whole (`object.local` is set).
fn read_local(object: SourceObject, progress: &Progress) -> Fetched {
    let bytes = match &object.local {
        Some(path) => std::fs::read(path)
            .map(bytes::Bytes::from)
            .map_err(|e| format!("{}: {e}", path.display())),
        None => Err("not a local file".to_string()),
    };
    Fetched::counted(object, bytes, progress)
}

/// Splits the objects into decode groups, keeping their order (`--raw` reads in the
/// same groups).
pub fn decode_groups(objects: Vec<SourceObject>) -> Vec<Vec<SourceObject>> {
    let mut out = Vec::new();
    let mut group = Vec::new();
    let mut bytes = 0;
    for o in objects {
        if !group.is_empty() && (group.len() >= GROUP_FILES || bytes + o.size > GROUP_BYTES) {
            out.push(std::mem::take(&mut group));
            bytes = 0;
        }
        bytes += o.size;
        group.push(o);
    }
    if !group.is_empty() {
        out.push(group);
    }
    out
}

/// Fetches and decodes one group: per object its outcome, and the rows of all.
async fn decode_group(
    group: Vec<SourceObject>,
    opts: DecodeOptions,
    progress: Arc<Progress>,
) -> Result<(Vec<DecodedObject>, Vec<RecordBatch>)> {
    // Local files are read by the decoding task itself: through `object_store` every
    // file was two trips to the blocking pool and back (58,000 thread wake-ups for
    // the 2M-event archive).
    let (fetched, local): (Vec<Fetched>, Vec<SourceObject>) =
        if group.iter().all(|o| o.local.is_some()) {
            (Vec::new(), group)
        } else {
            let fetched = futures::stream::iter(group)
                .map(|o| fetch(o, progress.clone()))
                .buffered(FETCH_JOBS)
                .collect()
                .await;
            (fetched, Vec::new())
        };
    let reader_progress = progress.clone();
    let decoded = tokio::task::spawn_blocking(move || {
        let mut fetched = fetched;
        fetched.extend(local.into_iter().map(|o| read_local(o, &reader_progress)));
        decode_fetched(fetched, &opts)
    })
    .await;
    let (objects, batches) = decoded.map_err(|source| Error::TaskFailed {
        task: "decoder task",
        source,
    })?;
    for o in &objects {
        if let Ok(d) = &o.result {
            progress.records.fetch_add(d.records, Ordering::Relaxed);
            progress
                .text_bytes
                .fetch_add(d.text_bytes, Ordering::Relaxed);
        }
        progress.files_done.fetch_add(1, Ordering::Relaxed);
    }
    Ok((objects, batches))
}

/// Decodes the fetched objects of a group in one go: per object its outcome (in
/// the group's order), and the rows of all.
fn decode_fetched(
    fetched: Vec<Fetched>,
    opts: &DecodeOptions,
) -> (Vec<DecodedObject>, Vec<RecordBatch>) {
    let inputs: Vec<(&str, &[u8])> = fetched
        .iter()
        .filter_map(|f| {
            f.bytes
                .as_ref()
                .ok()
                .map(|b| (f.object.uri.as_str(), b.as_ref()))
        })
        .collect();
    // A decoder bug must cost this group's objects (reported, retried next run),
    // not the whole conversion.
    let outcome =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decode_many(&inputs, opts)));
    drop(inputs);
    let (mut decoded, batches) = match outcome {
        Ok((d, b)) => (Some(d), b),
        Err(_) => (None, Vec::new()),
    };
    // Popped from the back below, one per object that was fetched.
    if let Some(d) = &mut decoded {
        d.reverse();
    }
    let objects = fetched
        .into_iter()
        .map(|Fetched { object, bytes }| {
            let result = match (bytes, &mut decoded) {
                (Err(e), _) => Err(e),
                (Ok(_), Some(d)) => d
                    .pop()
                    .ok_or_else(|| "the decoder lost this object".to_string()),
                (Ok(_), None) => Err("the decoder crashed on this object's group".to_string()),
            };
            DecodedObject { object, result }
        })
        .collect();
    (objects, batches)
}

/// Per-chunk totals gathered by the feeder.
#[derive(Default)]
struct Fed {
    sources: Vec<SourceEntry>,
    failures: Vec<Failure>,
    records: u64,
    rows: u64,
    rejected: u64,
    digests: u64,
    skipped: u64,
    bytes_read: u64,
    text_bytes: u64,
}

impl Fed {
    /// Accounts for one decoded object: a failure to retry next run, or its rejects
    /// written out and its counts and ledger entry kept.
    fn take(&mut self, decoded: DecodedObject, rejects: &mut Rejects) -> Result<()> {
        let DecodedObject { object, result } = decoded;
        let d = match result {
            Ok(d) => d,
            Err(message) => {
                self.failures.push(Failure {
                    uri: object.uri,
                    message,
                });
                return Ok(());
            }
        };
        for r in &d.rejects {
            rejects.write(r)?;
        }
        self.records += d.records;
        self.rows += d.rows;
        self.rejected += d.rejects.len() as u64;
        self.digests += d.digests;
        self.bytes_read += object.size;
        self.text_bytes += d.text_bytes;
        if d.skipped.is_some() {
            self.skipped += 1;
        }
        self.sources.push(SourceEntry {
            uri: object.uri,
            size: object.size,
            mtime: object.mtime,
            etag: object.etag,
            records: d.records,
            rows: d.rows,
            rejected: d.rejects.len() as u64,
            digests: d.digests,
            skipped: d.skipped.map(str::to_string),
        });
        Ok(())
    }
}

/// What the writer produced for a chunk.
struct Written {
    files: Vec<FileEntry>,
    rows: u64,
    duplicates: u64,
}

/// Where a run lives until it is committed: its staging folder and rejects file.
struct Staged {
    run: String,
    staging: PathBuf,
    /// The rejects file relative to the lake root, as the manifest names it.
    rejects_rel: String,
    rejects_path: PathBuf,
    started: String,
}

impl Staged {
    fn create(lake: &Lake) -> Result<Self> {
        let run = new_run_id();
        let staging = lake.staging(&run);
        std::fs::create_dir_all(staging.join(REJECTS_DIR)).map_err(|e| Error::io(&staging, e))?;
        let rejects_rel = format!("{REJECTS_DIR}/{run}.jsonl");
        let rejects_path = staging.join(&rejects_rel);
        Ok(Self {
            run,
            staging,
            rejects_rel,
            rejects_path,
            started: chrono::Utc::now().to_rfc3339(),
        })
    }
}

/// The run's rejects file, one JSON record a line.
struct Rejects {
    path: PathBuf,
    out: std::io::BufWriter<std::fs::File>,
}

impl Rejects {
    fn create(path: PathBuf) -> Result<Self> {
        let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        Ok(Self {
            path,
            out: std::io::BufWriter::new(file),
        })
    }

    fn write(&mut self, reject: &Reject) -> Result<()> {
        // A reject is strings and numbers: only the write itself can fail.
        serde_json::to_writer(&mut self.out, reject)
            .map_err(|e| Error::io(&self.path, e.into()))?;
        self.out
            .write_all(b"\n")
            .map_err(|e| Error::io(&self.path, e))
    }

    /// Flushes and syncs, so the file is durable before the run commits.
    fn finish(self) -> Result<()> {
        let file = self
            .out
            .into_inner()
            .map_err(|e| Error::io(&self.path, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&self.path, e))
    }
}

/// Rows on their way to the writer, with the permit that lets them exist.
type RowChunk = (Vec<RecordBatch>, tokio::sync::OwnedSemaphorePermit);

/// The memory `batch` holds beyond the text buffers in `counted`, which it adds to:
/// an object's text is shared by the `eventjson` views of every batch its records
/// are in.
fn batch_bytes(batch: &RecordBatch, counted: &mut std::collections::HashSet<usize>) -> usize {
    use arrow::array::{Array, AsArray};
    batch
        .columns()
        .iter()
        .map(|column| match column.as_string_view_opt() {
            Some(views) => {
                let texts: usize = views
                    .data_buffers()
                    .iter()
                    .filter(|b| counted.insert(b.as_ptr() as usize))
                    .map(|b| b.capacity())
                    .sum();
                views.views().inner().capacity()
                    + views.nulls().map_or(0, |n| n.buffer().capacity())
                    + texts
            }
            None => column.get_array_memory_size(),
        })
        .sum()
}

/// Gathers decoded batches into chunks of about `budget` bytes for the writer.
///
/// A chunk exists only while it holds a permit, and there are two: at most two
/// chunks are alive (one filling, one being sorted and written) whatever the
/// archive size.
struct Chunker {
    budget: usize,
    permits: Arc<tokio::sync::Semaphore>,
    tx: tokio::sync::mpsc::Sender<RowChunk>,
    chunk: Vec<RecordBatch>,
    bytes: usize,
    /// The text buffers the chunk's string views point into, counted once each.
    texts: std::collections::HashSet<usize>,
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl Chunker {
    fn new(budget: usize, tx: tokio::sync::mpsc::Sender<RowChunk>) -> Self {
        Self {
            budget,
            permits: Arc::new(tokio::sync::Semaphore::new(2)),
            tx,
            chunk: Vec::new(),
            bytes: 0,
            texts: std::collections::HashSet::new(),
            permit: None,
        }
    }

    async fn push(&mut self, batch: RecordBatch) -> Result<()> {
        if self.permit.is_none() {
            let permit = self
                .permits
                .clone()
                .acquire_owned()
                .await
                .map_err(|_| Invariant::PermitsClosed)?;
            self.permit = Some(permit);
        }
        self.bytes += batch_bytes(&batch, &mut self.texts);
        self.chunk.push(batch);
        if self.bytes >= self.budget
            && let Some(p) = self.permit.take()
        {
            let chunk = std::mem::take(&mut self.chunk);
            self.send(chunk, p).await?;
            self.bytes = 0;
            self.texts.clear();
        }
        Ok(())
    }

    /// Hands over the last, partly filled chunk.
    async fn finish(mut self) -> Result<()> {
        match self.permit.take() {
            Some(p) => {
                let chunk = std::mem::take(&mut self.chunk);
                self.send(chunk, p).await
            }
            None => Ok(()),
        }
    }

    async fn send(
        &self,
        chunk: Vec<RecordBatch>,
        permit: tokio::sync::OwnedSemaphorePermit,
    ) -> Result<()> {
        self.tx
            .send((chunk, permit))
            .await
            .map_err(|_| Error::StageStopped("writer"))
    }
}

/// The feeder: fetches and decodes groups of objects concurrently, writes their
/// rejects, and hands their rows to the writer in chunks.
async fn feed(
    objects: Vec<SourceObject>,
    decode: DecodeOptions,
    jobs: usize,
    mut rejects: Rejects,
    mut chunker: Chunker,
    progress: Arc<Progress>,
) -> Result<Fed> {
    let mut fed = Fed::default();
    let decode_progress = progress.clone();
    // In order, so a run's files are the same whatever the timing.
    let mut groups = futures::stream::iter(decode_groups(objects))
        .map(move |g| decode_group(g, decode.clone(), decode_progress.clone()))
        .buffered(jobs + 1);
    while let Some(group) = groups.next().await {
        let (objects, batches) = group?;
        for object in objects {
            fed.take(object, &mut rejects)?;
        }
        for batch in batches {
            chunker.push(batch).await?;
        }
    }
    chunker.finish().await?;
    progress.phase.store(1, Ordering::Relaxed);
    rejects.finish()?;
    Ok(fed)
}

/// The writer: a thread of its own, since sorting, Parquet encoding and zstd are
/// CPU work.
fn spawn_writer(
    staged: &Staged,
    layout: LayoutOptions,
    mut rx: tokio::sync::mpsc::Receiver<RowChunk>,
) -> std::thread::JoinHandle<Result<Written>> {
    let staging = staged.staging.clone();
    let run = staged.run.clone();
    std::thread::spawn(move || {
        let mut w = PartitionWriter::new(&staging, &run, layout)?;
        while let Some((chunk, permit)) = rx.blocking_recv() {
            w.write_chunk(&chunk)?;
            drop(chunk);
            drop(permit);
        }
        let (files, rows, duplicates) = w.finish()?;
        Ok(Written {
            files,
            rows,
            duplicates,
        })
    })
}

/// Waits for both stages; the writer's error comes first when both failed, since
/// it explains why the feeder could not hand it rows.
async fn join_stages(
    feeder: tokio::task::JoinHandle<Result<Fed>>,
    writer: std::thread::JoinHandle<Result<Written>>,
) -> Result<(Fed, Written)> {
    let fed = feeder.await.map_err(|source| Error::TaskFailed {
        task: "reader task",
        source,
    })?;
    let written = tokio::task::spawn_blocking(move || writer.join())
        .await
        .map_err(|source| Error::TaskFailed {
            task: "writer task",
            source,
        })?
        .map_err(|_| Error::ThreadPanicked("writer"))?;
    match (fed, written) {
        (Ok(fed), written) => Ok((fed, written?)),
        (Err(_), Err(e)) | (Err(e), Ok(_)) => Err(e),
    }
}

/// Every decoded row was either written or dropped as a duplicate.
fn check_rows(fed: &Fed, written: &Written) -> Result<()> {
    if written.rows + written.duplicates != fed.rows {
        return Err(Invariant::RowsLost {
            stage: "conversion",
            read: fed.rows,
            written: written.rows,
            duplicates: written.duplicates,
        }
        .into());
    }
    Ok(())
}

impl Summary {
    /// Adds a chunk's files and counts.
    fn add_chunk(&mut self, fed: &Fed, written: &Written, counts: &Counts) {
        self.files_read += fed.sources.len() as u64 - fed.skipped;
        self.files_skipped += fed.skipped;
        self.files_failed += fed.failures.len() as u64;
        self.failures.extend(fed.failures.iter().cloned());
        self.bytes_read += fed.bytes_read;
        self.text_bytes += fed.text_bytes;
        self.files_written += written.files.len() as u64;
        self.bytes_written += written.files.iter().map(|f| f.bytes).sum::<u64>();
        self.counts.records += counts.records;
        self.counts.rows_written += counts.rows_written;
        self.counts.duplicates += counts.duplicates;
        self.counts.rejected += counts.rejected;
        self.counts.digests += counts.digests;
    }
}

/// Commits the staged run to the lake, or, when no source object was readable,
/// removes it without a trace so the failures are retried.
fn commit_chunk(
    lake: &Lake,
    staged: Staged,
    fed: Fed,
    written: Written,
    counts: Counts,
    summary: &mut Summary,
) -> Result<()> {
    if fed.sources.is_empty() {
        std::fs::remove_dir_all(&staged.staging).map_err(|e| Error::io(&staged.staging, e))?;
        return Ok(());
    }
    let rejects = (fed.rejected > 0).then_some(staged.rejects_rel);
    match &rejects {
        Some(r) => summary.reject_files.push(r.clone()),
        None => {
            let _ = std::fs::remove_file(&staged.rejects_path);
        }
    }
    let manifest = RunManifest {
        run: staged.run.clone(),
        kind: RunKind::Convert,
        trawl_version: env!("CARGO_PKG_VERSION").to_string(),
        schema_version: trawl_cloudtrail::SCHEMA_VERSION,
        started: staged.started,
        committed: chrono::Utc::now().to_rfc3339(),
        sources: fed.sources,
        added: written.files,
        removed: Vec::new(),
        rejects,
        integrity: Vec::new(),
        counts,
    };
    lake.commit(&manifest)?;
    summary.runs.push(staged.run);
    Ok(())
}

/// Converts one chunk of source objects as one run: stage, feed the writer,
/// check the counts, commit.
async fn run_chunk(
    objects: Vec<SourceObject>,
    lake: &Lake,
    opts: &ConvertOptions,
    progress: &Arc<Progress>,
    summary: &mut Summary,
) -> Result<()> {
    let staged = Staged::create(lake)?;
    // Rows travel to the writer in chunks of about half the memory limit.
    let budget = (opts.sort.memory_limit / 2).max(1 << 20);
    let (tx, rx) = tokio::sync::mpsc::channel::<RowChunk>(2);
    let feeder = tokio::spawn(feed(
        objects,
        DecodeOptions {
            format: opts.format,
            batch_rows: 8192,
            max_inflated: opts.max_inflated,
        },
        opts.jobs.max(1),
        Rejects::create(staged.rejects_path.clone())?,
        Chunker::new(budget, tx),
        progress.clone(),
    ));
    // The row groups being filled get an eighth of it (32 MB of the default 256M).
    let layout = LayoutOptions {
        pending_bytes: opts.sort.memory_limit / 8,
        encode_threads: opts.jobs.max(1),
        ..opts.layout.clone()
    };
    let writer = spawn_writer(&staged, layout, rx);
    let (fed, written) = join_stages(feeder, writer).await?;
    check_rows(&fed, &written)?;
    let counts = Counts {
        records: fed.records,
        rows_written: written.rows,
        duplicates: written.duplicates,
        rejected: fed.rejected,
        digests: fed.digests,
    };
    summary.add_chunk(&fed, &written, &counts);
    commit_chunk(lake, staged, fed, written, counts, summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One object's records split over two batches share its text: a chunk counts
    /// the text once, not once per batch.
    #[test]
    fn a_text_shared_by_two_batches_is_counted_once() {
        use std::io::Write;
        let records: Vec<String> = (0..4)
            .map(|i| {
                format!(
                    r#"{{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:0{i}Z","eventID":"e{i}","eventName":"GetObject","requestParameters":{{"bucketName":"{}"}}}}"#,
                    "b".repeat(2000)
                )
            })
            .collect();
        let text = format!(r#"{{"Records":[{}]}}"#, records.join(","));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let opts = DecodeOptions {
            batch_rows: 2,
            ..DecodeOptions::default()
        };
        let d = trawl_cloudtrail::decode("one.json.gz", &gz, &opts);
        assert_eq!(d.batches.len(), 2);
        let mut counted = std::collections::HashSet::new();
        let first = batch_bytes(&d.batches[0], &mut counted);
        let second = batch_bytes(&d.batches[1], &mut counted);
        assert!(first > text.len(), "{first}");
        // In a new chunk the second batch counts the text too.
        let alone = batch_bytes(&d.batches[1], &mut Default::default());
        assert!(alone - second >= text.len(), "{alone} {second}");
    }
}
