//! `trawl convert`: source objects → fetch and decode in groups (one decoder per core)
//! → chunks of rows sorted in memory → de-duplicate → Parquet files in staging → commit.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use object_store::ObjectStoreExt;
use trawl_cloudtrail::{DecodeOptions, Decoded, InputFormat, decode_many};

use crate::error::{Error, Result};
use crate::lake::{Counts, Lake, REJECTS_DIR, RunKind, RunManifest, SourceEntry, new_run_id};
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
    if let Ok(b) = &bytes {
        progress
            .bytes_read
            .fetch_add(b.len() as u64, Ordering::Relaxed);
    }
    Fetched { object, bytes }
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
    format: InputFormat,
    progress: Arc<Progress>,
) -> Result<(Vec<DecodedObject>, Vec<arrow::array::RecordBatch>)> {
    let fetched: Vec<Fetched> = futures::stream::iter(group)
        .map(|o| fetch(o, progress.clone()))
        .buffered(FETCH_JOBS)
        .collect()
        .await;
    let decoded = tokio::task::spawn_blocking(move || {
        let inputs: Vec<(&str, &[u8])> = fetched
            .iter()
            .filter_map(|f| {
                f.bytes
                    .as_ref()
                    .ok()
                    .map(|b| (f.object.uri.as_str(), b.as_ref()))
            })
            .collect();
        let opts = DecodeOptions {
            format,
            batch_rows: 8192,
        };
        // A decoder bug must cost this group's objects (reported, retried next run),
        // not the whole conversion.
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decode_many(&inputs, &opts)));
        drop(inputs);
        let (mut decoded, batches) = match outcome {
            Ok((d, b)) => (Some(d), b),
            Err(_) => (None, Vec::new()),
        };
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
            .collect::<Vec<_>>();
        (objects, batches)
    })
    .await;
    let (objects, batches) =
        decoded.map_err(|e| Error::Internal(format!("a decoder task failed: {e}")))?;
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

async fn run_chunk(
    objects: Vec<SourceObject>,
    lake: &Lake,
    opts: &ConvertOptions,
    progress: &Arc<Progress>,
    summary: &mut Summary,
) -> Result<()> {
    let run = new_run_id();
    let staging = lake.staging(&run);
    std::fs::create_dir_all(staging.join(REJECTS_DIR)).map_err(|e| Error::io(&staging, e))?;
    let rejects_rel = format!("{REJECTS_DIR}/{run}.jsonl");
    let rejects_path = staging.join(&rejects_rel);
    let started = chrono::Utc::now().to_rfc3339();

    // Rows travel to the writer in chunks of about half the memory limit; a chunk
    // exists only while it holds a permit, so at most two are alive (one filling, one
    // being sorted and written) whatever the archive size.
    let chunk_budget = (opts.sort.memory_limit / 2).max(1 << 20);
    let permits = Arc::new(tokio::sync::Semaphore::new(2));
    let (wtx, mut wrx) = tokio::sync::mpsc::channel::<(
        Vec<arrow::array::RecordBatch>,
        tokio::sync::OwnedSemaphorePermit,
    )>(2);

    // Feeder: fetch and decode groups of objects concurrently, gather their rows into
    // chunks for the writer.
    let feeder = {
        let progress = progress.clone();
        let format = opts.format;
        let jobs = opts.jobs.max(1);
        let rejects_path = rejects_path.clone();
        tokio::spawn(async move {
            let mut fed = Fed::default();
            let file =
                std::fs::File::create(&rejects_path).map_err(|e| Error::io(&rejects_path, e))?;
            let mut rejects = std::io::BufWriter::new(file);
            let decode_progress = progress.clone();
            // In order, so a run's files are the same whatever the timing.
            let mut decoded = futures::stream::iter(decode_groups(objects))
                .map(move |g| decode_group(g, format, decode_progress.clone()))
                .buffered(jobs + 1);
            let mut chunk = Vec::new();
            let mut chunk_bytes = 0;
            let mut permit = None;
            while let Some(group) = decoded.next().await {
                let (objects, batches) = group?;
                for DecodedObject { object, result } in objects {
                    let d = match result {
                        Ok(d) => d,
                        Err(message) => {
                            fed.failures.push(Failure {
                                uri: object.uri,
                                message,
                            });
                            continue;
                        }
                    };
                    for r in &d.rejects {
                        serde_json::to_writer(&mut rejects, r)
                            .map_err(|e| Error::Internal(e.to_string()))?;
                        rejects
                            .write_all(b"\n")
                            .map_err(|e| Error::io(&rejects_path, e))?;
                    }
                    fed.records += d.records;
                    fed.rows += d.rows;
                    fed.rejected += d.rejects.len() as u64;
                    fed.digests += d.digests;
                    fed.bytes_read += object.size;
                    fed.text_bytes += d.text_bytes;
                    if d.skipped.is_some() {
                        fed.skipped += 1;
                    }
                    fed.sources.push(SourceEntry {
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
                }
                for batch in batches {
                    if permit.is_none() {
                        permit = Some(permits.clone().acquire_owned().await.map_err(|_| {
                            Error::Internal("the chunk permits were closed".into())
                        })?);
                    }
                    chunk_bytes += batch.get_array_memory_size();
                    chunk.push(batch);
                    if chunk_bytes >= chunk_budget
                        && let Some(p) = permit.take()
                    {
                        if wtx.send((std::mem::take(&mut chunk), p)).await.is_err() {
                            return Err(Error::Internal("the writer stopped reading".into()));
                        }
                        chunk_bytes = 0;
                    }
                }
            }
            if let Some(p) = permit.take()
                && wtx.send((chunk, p)).await.is_err()
            {
                return Err(Error::Internal("the writer stopped reading".into()));
            }
            progress.phase.store(1, Ordering::Relaxed);
            let file = rejects
                .into_inner()
                .map_err(|e| Error::io(&rejects_path, e.into_error()))?;
            file.sync_all().map_err(|e| Error::io(&rejects_path, e))?;
            Ok::<Fed, Error>(fed)
        })
    };

    // Writer: a thread of its own, since sorting, Parquet encoding and zstd are CPU work.
    let writer = {
        let staging = staging.clone();
        let run = run.clone();
        let layout = opts.layout.clone();
        std::thread::spawn(move || -> Result<_> {
            let mut w = PartitionWriter::new(&staging, &run, layout)?;
            while let Some((chunk, permit)) = wrx.blocking_recv() {
                w.write_chunk(&chunk)?;
                drop(chunk);
                drop(permit);
            }
            w.finish()
        })
    };
    let fed = feeder
        .await
        .map_err(|e| Error::Internal(format!("the reader task failed: {e}")))?;
    let written = tokio::task::spawn_blocking(move || writer.join())
        .await
        .map_err(|e| Error::Internal(format!("the writer task failed: {e}")))?
        .map_err(|_| Error::Internal("the writer thread panicked".into()))?;
    let fed = match (fed, &written) {
        (Ok(fed), _) => fed,
        // The writer's error explains why the feeder could not hand it rows.
        (Err(_), Err(_)) => return written.map(|_| ()),
        (Err(e), Ok(_)) => return Err(e),
    };
    let (files, rows_written, duplicates) = written?;
    if rows_written + duplicates != fed.rows {
        return Err(Error::Internal(format!(
            "row accounting mismatch: decoded {} rows, wrote {rows_written} and dropped {duplicates} duplicates",
            fed.rows
        )));
    }

    summary.files_read += fed.sources.len() as u64 - fed.skipped;
    summary.files_skipped += fed.skipped;
    summary.files_failed += fed.failures.len() as u64;
    summary.failures.extend(fed.failures);
    summary.bytes_read += fed.bytes_read;
    summary.text_bytes += fed.text_bytes;
    summary.files_written += files.len() as u64;
    summary.bytes_written += files.iter().map(|f| f.bytes).sum::<u64>();
    let counts = Counts {
        records: fed.records,
        rows_written,
        duplicates,
        rejected: fed.rejected,
        digests: fed.digests,
    };
    summary.counts.records += counts.records;
    summary.counts.rows_written += counts.rows_written;
    summary.counts.duplicates += counts.duplicates;
    summary.counts.rejected += counts.rejected;
    summary.counts.digests += counts.digests;

    if fed.sources.is_empty() {
        // Nothing readable: leave no trace, so the failures are retried.
        std::fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
        return Ok(());
    }
    let rejects = (fed.rejected > 0).then_some(rejects_rel);
    if rejects.is_none() {
        let _ = std::fs::remove_file(&rejects_path);
    }
    if let Some(r) = &rejects {
        summary.reject_files.push(r.clone());
    }
    let manifest = RunManifest {
        run: run.clone(),
        kind: RunKind::Convert,
        trawl_version: env!("CARGO_PKG_VERSION").to_string(),
        schema_version: trawl_cloudtrail::SCHEMA_VERSION,
        started,
        committed: chrono::Utc::now().to_rfc3339(),
        sources: fed.sources,
        added: files,
        removed: Vec::new(),
        rejects,
        counts,
    };
    lake.commit(&manifest)?;
    summary.runs.push(run);
    Ok(())
}
