//! Writes rows into `date=` partition files, sorted, dropping duplicate deliveries on
//! the way.
//!
//! `trawl convert` hands over chunks of rows in any order ([`PartitionWriter::write_chunk`]):
//! each chunk is sorted in memory and each day's rows of it are appended, as one sorted
//! run, to that day's one file of the run, and a duplicate is recognised by its key's
//! hash against every row the run wrote. So a run writes one file per day (more past
//! `max_rows_per_file`) whatever its size. A file of a run bigger than one chunk holds
//! several sorted runs whose ranges may overlap, so it does not claim to be sorted;
//! `trawl compact` merges them into sorted files. Few files and full row groups is what
//! queries want: each file costs an open and a footer read, each row group a reader.
//!
//! `trawl compact` streams rows through an external sort ([`PartitionWriter::write`]):
//! they arrive sorted by (day, recipientaccountid, awsregion, eventtime,
//! eventid) with an extra `__day` column. Duplicate deliveries of one event are
//! identical in all of those, so they arrive next to each other and only the first
//! is kept. A file closes when the day changes or it reaches `max_rows_per_file`,
//! so a big day becomes several files, each holding a contiguous range of
//! accounts and regions (their min/max statistics prune account and region filters).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use std::collections::HashSet;
use std::hash::Hash;

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Int32Array, RecordBatch, StringArray};
use arrow::compute::{concat, filter_record_batch};
use arrow::datatypes::{Int32Type, SchemaRef, TimestampMillisecondType};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::{KeyValue, SortingColumn};
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use parquet::schema::types::ColumnPath;
use trawl_cloudtrail::{SCHEMA_VERSION, SCHEMA_VERSION_KEY, col, schema};

use crate::error::{Error, Invariant, Result};
use crate::file_writer::{FileRows, LakeFileWriter, Picked, encode};
use crate::lake::{FileEntry, TABLE_DIR};

/// Name of the helper column carrying days since the epoch of `eventtime`.
pub const DAY_COLUMN: &str = "__day";

/// Layout knobs.
#[derive(Debug, Clone)]
pub struct LayoutOptions {
    pub max_rows_per_file: usize,
    pub row_group_rows: usize,
    pub zstd_level: i32,
    /// Level of the long free-text columns (the raw record, request and response):
    /// most of the lake's bytes and, at level 3, most of zstd's time.
    pub text_zstd_level: i32,
    /// Memory the row groups being filled (one per open day file) may hold together,
    /// pages and encoders; past it the biggest are written out early, as smaller ones.
    /// `trawl convert` sets it from its memory limit, as it sizes its chunks.
    pub pending_bytes: usize,
    /// Row groups the run's open files may have written in all: each keeps its bloom
    /// filters (about 450 KB) and page index in memory until its file closes. Past it,
    /// the files of the days written longest ago close (a later chunk of such a day
    /// starts another file), so a backfill over years stays within its memory.
    pub open_row_groups: usize,
    /// Day files a run keeps open at once: each holds its encoders (some MB). Past it,
    /// the files of the days written longest ago close.
    pub open_files: usize,
    /// Threads encoding and compressing the files' columns (`trawl convert --jobs`).
    pub encode_threads: usize,
}

impl Default for LayoutOptions {
    fn default() -> Self {
        Self {
            max_rows_per_file: 4_000_000,
            row_group_rows: 122_880,
            zstd_level: 1,
            text_zstd_level: 1,
            pending_bytes: 32 << 20,
            open_row_groups: 128,
            open_files: 16,
            encode_threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

/// Columns with a bloom filter: the needles of an investigation (one event, one key,
/// one address, one principal, one action), whose values are spread over all row
/// groups so min/max statistics cannot rule a row group out.
pub const BLOOM_COLUMNS: &[&[&str]] = &[
    &[col::EVENTID],
    &[col::EVENTNAME],
    &[col::SOURCEIPADDRESS],
    &[col::USERIDENTITY, "accesskeyid"],
    &[col::USERIDENTITY, "arn"],
    &[col::USERIDENTITY, "principalid"],
    &[col::ERRORCODE],
];

/// Free-text columns where a dictionary only costs time: nearly every value differs.
const NO_DICTIONARY: &[&[&str]] = &[
    &[col::EVENTJSON],
    &[col::REQUESTPARAMETERS],
    &[col::RESPONSEELEMENTS],
    &[col::ADDITIONALEVENTDATA],
    &[col::EVENTID],
    &[col::REQUESTID],
    &[col::SHAREDEVENTID],
    &[
        col::USERIDENTITY,
        "sessioncontext",
        "attributes",
        "creationdate",
    ],
];

/// The long free-text columns, compressed at [`LayoutOptions::text_zstd_level`] and
/// without statistics.
const TEXT_COLUMNS: &[&str] = &[
    col::EVENTJSON,
    col::REQUESTPARAMETERS,
    col::RESPONSEELEMENTS,
];

fn column_path(parts: &[&str]) -> ColumnPath {
    ColumnPath::new(parts.iter().map(|s| s.to_string()).collect())
}

/// Parquet writer settings of the lake. `sorted`: the file's rows are in the lake's
/// order from first to last, and its row groups' `sorting_columns` say so (DataFusion
/// takes the first row group's as the whole file's order).
pub fn writer_properties(opts: &LayoutOptions, sorted: bool) -> Result<WriterProperties> {
    let s = schema();
    let index = |name: &str| s.index_of(name).map(|i| i as i32);
    let sorting = vec![
        SortingColumn {
            column_idx: index(col::RECIPIENTACCOUNTID)?,
            descending: false,
            nulls_first: true,
        },
        SortingColumn {
            column_idx: index(col::AWSREGION)?,
            descending: false,
            nulls_first: true,
        },
        SortingColumn {
            column_idx: index(col::EVENTTIME)?,
            descending: false,
            nulls_first: true,
        },
    ];
    let mut b = WriterProperties::builder()
        .set_writer_version(WriterVersion::PARQUET_1_0)
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(opts.zstd_level)?))
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_max_row_group_row_count(Some(opts.row_group_rows))
        .set_data_page_row_count_limit(8192)
        .set_sorting_columns(sorted.then_some(sorting))
        .set_created_by(format!("trawl {}", env!("CARGO_PKG_VERSION")))
        .set_key_value_metadata(Some(vec![KeyValue::new(
            SCHEMA_VERSION_KEY.to_string(),
            SCHEMA_VERSION.to_string(),
        )]));
    for parts in BLOOM_COLUMNS {
        let path = column_path(parts);
        // Sized for one row group: a filter sized for a million values would cost
        // more than the column chunk it guards.
        let ndv = if parts[0] == col::EVENTID {
            opts.row_group_rows as u64
        } else {
            20_000
        };
        b = b
            .set_column_bloom_filter_enabled(path.clone(), true)
            .set_column_bloom_filter_fpp(path.clone(), 0.01)
            .set_column_bloom_filter_max_ndv(path, ndv);
    }
    for parts in NO_DICTIONARY {
        b = b.set_column_dictionary_enabled(column_path(parts), false);
    }
    let text = Compression::ZSTD(ZstdLevel::try_new(opts.text_zstd_level)?);
    for name in TEXT_COLUMNS {
        // Min/max of whole JSON documents prune nothing (no query compares them) and
        // comparing kilobyte strings for every value was 3% of a conversion.
        b = b
            .set_column_compression(column_path(&[name]), text)
            .set_column_statistics_enabled(column_path(&[name]), EnabledStatistics::None);
    }
    Ok(b.build())
}

/// The `date=YYYY-MM-DD` directory of a day number.
pub fn partition_dir(day: i32) -> String {
    format!(
        "date={}",
        trawl_cloudtrail::utc_date(i64::from(day) * 86_400_000)
    )
}

struct OpenFile {
    day: i32,
    rel: String,
    path: PathBuf,
    writer: LakeFileWriter,
    rows: u64,
    /// The chunk that last appended to it.
    last_chunk: u64,
}

/// Row key used to spot duplicates: (account, region, time, event id).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Key {
    account: Option<String>,
    region: Option<String>,
    time: i64,
    id: String,
}

/// Writes sorted, de-duplicated rows as Parquet files under a staging directory.
pub struct PartitionWriter {
    staging: PathBuf,
    run: String,
    /// Files of sorted streams (`trawl compact`): they say they are sorted.
    props: WriterProperties,
    /// Files of chunks (`trawl convert`): sorted runs, one per chunk, so no claim.
    chunk_props: WriterProperties,
    opts: LayoutOptions,
    out_schema: SchemaRef,
    open: Option<OpenFile>,
    /// Each day's file of this run that chunks append to.
    days: std::collections::BTreeMap<i32, OpenFile>,
    /// Chunks written so far.
    chunks: u64,
    seq: u32,
    last: Option<Key>,
    /// Keys of the rows written by [`Self::write_chunk`], as 128-bit hashes, so a
    /// duplicate delivery is dropped even when its copies fall in different chunks.
    seen: HashSet<u128>,
    pub files: Vec<FileEntry>,
    pub rows: u64,
    pub duplicates: u64,
}

impl PartitionWriter {
    pub fn new(staging: &Path, run: &str, opts: LayoutOptions) -> Result<Self> {
        Ok(Self {
            staging: staging.to_path_buf(),
            run: run.to_string(),
            props: writer_properties(&opts, true)?,
            chunk_props: writer_properties(&opts, false)?,
            opts,
            out_schema: schema(),
            open: None,
            days: std::collections::BTreeMap::new(),
            chunks: 0,
            seq: 0,
            last: None,
            seen: HashSet::new(),
            files: Vec::new(),
            rows: 0,
            duplicates: 0,
        })
    }

    fn key_at(batch: &RecordBatch, i: usize) -> Result<Key> {
        let str_at = |name: &'static str| -> Result<Option<String>> {
            let c = batch
                .column_by_name(name)
                .ok_or(Invariant::MissingColumn(name))?;
            Ok(string_value(c.as_ref(), i))
        };
        let time = batch
            .column_by_name(col::EVENTTIME)
            .map(|c| c.as_primitive::<TimestampMillisecondType>().value(i))
            .ok_or(Invariant::MissingColumn(col::EVENTTIME))?;
        Ok(Key {
            account: str_at(col::RECIPIENTACCOUNTID)?,
            region: str_at(col::AWSREGION)?,
            time,
            id: str_at(col::EVENTID)?.unwrap_or_default(),
        })
    }

    /// Sorts a chunk of decoded rows (batches in any order) and writes it: rows in
    /// (day, account, region, time, event id) order, each day's appended to that day's
    /// file of the run, duplicates of any row this writer wrote before dropped. Sorting
    /// only row numbers and moving each value once is what makes this cheaper than a
    /// general sort of whole rows.
    pub fn write_chunk(&mut self, batches: &[RecordBatch]) -> Result<()> {
        let batches: Vec<&RecordBatch> = batches.iter().filter(|b| b.num_rows() > 0).collect();
        if batches.is_empty() {
            return Ok(());
        }
        let column = |name: &'static str| -> Result<ArrayRef> {
            let parts = batches
                .iter()
                .map(|b| {
                    b.column_by_name(name)
                        .map(|c| c.as_ref())
                        .ok_or_else(|| Invariant::MissingColumn(name).into())
                })
                .collect::<Result<Vec<&dyn Array>>>()?;
            Ok(concat(&parts)?)
        };
        let time = column(col::EVENTTIME)?;
        let account = column(col::RECIPIENTACCOUNTID)?;
        let region = column(col::AWSREGION)?;
        let id = column(col::EVENTID)?;
        let times = time.as_primitive::<TimestampMillisecondType>();
        let days: Int32Array = times.unary(|t| t.div_euclid(86_400_000) as i32);
        let (accounts, regions, ids) = (
            strings(col::RECIPIENTACCOUNTID, &account)?,
            strings(col::AWSREGION, &region)?,
            strings(col::EVENTID, &id)?,
        );
        let order = chunk_order(&days, accounts, regions, times.values(), ids);
        let locate: Vec<Picked> = batches
            .iter()
            .enumerate()
            .flat_map(|(b, batch)| (0..batch.num_rows()).map(move |r| (b, r)))
            .collect();
        let mut runs: Vec<(i32, Vec<Picked>)> = Vec::new();
        for i in order {
            let i = i as usize;
            let key = row_key(accounts, regions, times.value(i), ids, i);
            if !self.seen.insert(key) {
                self.duplicates += 1;
                continue;
            }
            let day = days.value(i);
            match runs.last_mut() {
                Some((d, rows)) if *d == day => rows.push(locate[i]),
                _ => runs.push((day, vec![locate[i]])),
            }
        }
        self.write_runs(&batches, runs)
    }

    /// Appends each day's rows (in order) to that day's file of this run, then to new
    /// files as each fills up at `max_rows_per_file`. Encoding and compressing Parquet
    /// is most of the writer's work: [`encode`] spreads the files' columns over
    /// [`LayoutOptions::encode_threads`] threads.
    fn write_runs(
        &mut self,
        batches: &[&RecordBatch],
        runs: Vec<(i32, Vec<Picked>)>,
    ) -> Result<()> {
        self.close()?;
        self.chunks += 1;
        let chunk = self.chunks;
        let max = self.opts.max_rows_per_file.max(1);
        // The chunk's last days stay open for the next chunk (sources are listed in
        // time order within an account and region, so it goes on from there); the others
        // close when written, so a chunk over many days holds few writers at once.
        let first_kept = runs.len().saturating_sub(self.opts.open_files.max(1));
        // (file, its rows, whether it closes after them)
        let mut portions: Vec<(OpenFile, &[Picked], bool)> = Vec::new();
        for (index, (day, rows)) in runs.iter().enumerate() {
            let mut open = self.days.remove(day);
            let mut rest = rows.as_slice();
            while !rest.is_empty() {
                let file = match open.take() {
                    Some(f) if (f.rows as usize) < max => f,
                    full => {
                        if let Some(f) = full {
                            self.files.push(close_file(f)?);
                        }
                        let name = self.next_file(*day);
                        open_file(*day, name, &self.chunk_props, &self.out_schema)?
                    }
                };
                let n = (max - file.rows as usize).min(rest.len());
                let (part, after) = rest.split_at(n);
                rest = after;
                portions.push((file, part, !rest.is_empty() || index < first_kept));
            }
            if let Some(f) = open {
                self.days.insert(*day, f);
            }
        }
        let threads = self.opts.encode_threads;
        let mut files: Vec<FileRows> = portions
            .iter_mut()
            .map(|(f, rows, closes)| FileRows {
                file: &mut f.writer,
                rows,
                closes: *closes,
            })
            .collect();
        encode(&mut files, batches, threads)?;
        for (mut file, rows, closes) in portions {
            file.rows += rows.len() as u64;
            file.last_chunk = chunk;
            self.rows += rows.len() as u64;
            if closes {
                self.files.push(close_file(file)?);
            } else {
                self.days.insert(file.day, file);
            }
        }
        self.limit_pending()?;
        self.limit_open_files()
    }

    /// Closes the files of the days written longest ago until the open files and the
    /// row groups they keep fit [`LayoutOptions::open_files`] and
    /// [`LayoutOptions::open_row_groups`].
    fn limit_open_files(&mut self) -> Result<()> {
        loop {
            let kept: usize = self
                .days
                .values()
                .map(|f| f.writer.flushed_row_groups().len())
                .sum();
            if kept <= self.opts.open_row_groups && self.days.len() <= self.opts.open_files {
                return Ok(());
            }
            let oldest = self
                .days
                .iter()
                .min_by_key(|(_, f)| f.last_chunk)
                .map(|(&day, _)| day);
            match oldest.and_then(|day| self.days.remove(&day)) {
                Some(f) => self.files.push(close_file(f)?),
                None => return Ok(()),
            }
        }
    }

    /// Writes out the biggest row groups being filled (one in each open day file) until
    /// those left fit [`LayoutOptions::pending_bytes`].
    fn limit_pending(&mut self) -> Result<()> {
        loop {
            let pending: usize = self.days.values().map(|f| f.writer.memory_size()).sum();
            if pending <= self.opts.pending_bytes {
                return Ok(());
            }
            match self
                .days
                .values_mut()
                .max_by_key(|f| f.writer.memory_size())
            {
                // Flushed, a writer holds nothing until its next rows.
                Some(f) if f.writer.memory_size() > 0 => f.writer.flush()?,
                _ => return Ok(()),
            }
        }
    }

    /// The next file's path, relative to the staging directory and in full.
    fn next_file(&mut self, day: i32) -> (String, PathBuf) {
        self.seq += 1;
        let rel = format!(
            "{TABLE_DIR}/{}/part-{}-{:05}.parquet",
            partition_dir(day),
            self.run,
            self.seq
        );
        let path = self.staging.join(&rel);
        (rel, path)
    }

    /// Takes the next sorted batch (with the `__day` column).
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let days = batch
            .column_by_name(DAY_COLUMN)
            .ok_or(Invariant::MissingColumn(DAY_COLUMN))?
            .as_primitive::<Int32Type>()
            .clone();
        // Keep mask: drop a row equal in its key to the row before it.
        let mut keep = Vec::with_capacity(batch.num_rows());
        for i in 0..batch.num_rows() {
            let key = Self::key_at(batch, i)?;
            let dup = self.last.as_ref() == Some(&key);
            keep.push(!dup);
            if dup {
                self.duplicates += 1;
            } else {
                self.last = Some(key);
            }
        }
        let projected = batch.project(
            &(0..batch.num_columns())
                .filter(|&i| batch.schema().field(i).name() != DAY_COLUMN)
                .collect::<Vec<_>>(),
        )?;
        let projected =
            RecordBatch::try_new(self.out_schema.clone(), projected.columns().to_vec())?;
        // Split the batch into runs of one day, then write each run.
        let mut start = 0;
        while start < batch.num_rows() {
            let day = days.value(start);
            let mut end = start + 1;
            while end < batch.num_rows() && days.value(end) == day {
                end += 1;
            }
            let mask = BooleanArray::from(keep[start..end].to_vec());
            let slice = filter_record_batch(&projected.slice(start, end - start), &mask)?;
            self.write_day(day, &slice)?;
            start = end;
        }
        Ok(())
    }

    fn write_day(&mut self, day: i32, batch: &RecordBatch) -> Result<()> {
        let mut offset = 0;
        while offset < batch.num_rows() {
            if self
                .open
                .as_ref()
                .is_some_and(|f| f.day != day || f.rows as usize >= self.opts.max_rows_per_file)
            {
                self.close()?;
            }
            if self.open.is_none() {
                self.open_file(day)?;
            }
            let file = self.open.as_mut().ok_or(Invariant::NoOpenFile)?;
            let room = self
                .opts
                .max_rows_per_file
                .saturating_sub(file.rows as usize)
                .max(1);
            let n = room.min(batch.num_rows() - offset);
            file.writer.write(&batch.slice(offset, n))?;
            file.rows += n as u64;
            self.rows += n as u64;
            offset += n;
        }
        Ok(())
    }

    fn open_file(&mut self, day: i32) -> Result<()> {
        let name = self.next_file(day);
        self.open = Some(open_file(day, name, &self.props, &self.out_schema)?);
        Ok(())
    }

    fn close(&mut self) -> Result<()> {
        if let Some(file) = self.open.take() {
            self.files.push(close_file(file)?);
        }
        Ok(())
    }

    /// Closes the last file; returns the files written.
    pub fn finish(mut self) -> Result<(Vec<FileEntry>, u64, u64)> {
        self.close()?;
        for (_, file) in std::mem::take(&mut self.days) {
            self.files.push(close_file(file)?);
        }
        Ok((self.files, self.rows, self.duplicates))
    }
}

fn create_file(path: &Path) -> Result<fs::File> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    fs::File::create(path).map_err(|e| Error::io(path, e))
}

fn open_file(
    day: i32,
    (rel, path): (String, PathBuf),
    props: &WriterProperties,
    schema: &SchemaRef,
) -> Result<OpenFile> {
    let writer = LakeFileWriter::try_new(create_file(&path)?, schema.clone(), props.clone())?;
    Ok(OpenFile {
        day,
        rel,
        path,
        writer,
        rows: 0,
        last_chunk: 0,
    })
}

/// Writes a file's footer and syncs it; its entry for the manifest.
fn close_file(file: OpenFile) -> Result<FileEntry> {
    let f = file.writer.into_inner()?;
    f.sync_all().map_err(|e| Error::io(&file.path, e))?;
    let bytes = f.metadata().map_err(|e| Error::io(&file.path, e))?.len();
    Ok(FileEntry {
        path: file.rel,
        rows: file.rows,
        bytes,
    })
}

/// Row numbers of a chunk in the lake's order: (day, account, region, time, event
/// id), then input order, so of duplicate deliveries the first read is kept. A
/// chunk holds few accounts and regions: ranking their distinct values once and
/// comparing numbers is several times cheaper than a general lexicographic sort
/// comparing their strings row against row.
fn chunk_order(
    days: &Int32Array,
    accounts: &StringArray,
    regions: &StringArray,
    times: &[i64],
    ids: &StringArray,
) -> Vec<u32> {
    let (accounts, regions) = (ranks(accounts), ranks(regions));
    let mut keys: Vec<(i32, u32, u32, i64, u32)> = (0..times.len())
        .map(|i| (days.value(i), accounts[i], regions[i], times[i], i as u32))
        .collect();
    keys.sort_unstable_by(|a, b| {
        (a.0, a.1, a.2, a.3)
            .cmp(&(b.0, b.1, b.2, b.3))
            .then_with(|| ids.value(a.4 as usize).cmp(ids.value(b.4 as usize)))
            .then(a.4.cmp(&b.4))
    });
    keys.into_iter().map(|k| k.4).collect()
}

/// Each row's rank among the column's distinct values, nulls first.
fn ranks(values: &StringArray) -> Vec<u32> {
    let mut distinct: std::collections::HashMap<Option<&str>, u32> =
        std::collections::HashMap::new();
    let provisional: Vec<u32> = values
        .iter()
        .map(|v| {
            let next = distinct.len() as u32;
            *distinct.entry(v).or_insert(next)
        })
        .collect();
    let mut sorted: Vec<(Option<&str>, u32)> = distinct.into_iter().collect();
    sorted.sort_unstable();
    let mut rank = vec![0; sorted.len()];
    for (r, (_, p)) in sorted.iter().enumerate() {
        rank[*p as usize] = r as u32;
    }
    provisional.into_iter().map(|p| rank[p as usize]).collect()
}

fn strings<'a>(column: &'static str, array: &'a ArrayRef) -> Result<&'a StringArray> {
    array.as_string_opt::<i32>().ok_or_else(|| {
        Invariant::ColumnType {
            column,
            expected: "strings",
            found: array.data_type().clone(),
        }
        .into()
    })
}

/// The de-duplication key (account, region, time, event id) of row `i` as a 128-bit
/// hash: SipHash-1-3 with a 128-bit output, one pass over the key (two 64-bit SipHashes
/// of it were 2% of a conversion). A false match among a run's rows is about as likely
/// as n²/2^129, far below any real risk. `trawl sql --raw` uses it too, so raw archives
/// drop the same duplicates as the lake.
pub fn row_key(
    accounts: &StringArray,
    regions: &StringArray,
    time: i64,
    ids: &StringArray,
    i: usize,
) -> u128 {
    use siphasher::sip128::Hasher128;
    fn value(a: &StringArray, i: usize) -> Option<&str> {
        (!a.is_null(i)).then(|| a.value(i))
    }
    let mut h = siphasher::sip128::SipHasher13::new();
    (value(accounts, i), value(regions, i), time, value(ids, i)).hash(&mut h);
    h.finish128().as_u128()
}

fn string_value(array: &dyn Array, i: usize) -> Option<String> {
    if array.is_null(i) {
        return None;
    }
    if let Some(a) = array.as_string_opt::<i32>() {
        return Some(a.value(i).to_string());
    }
    if let Some(a) = array.as_string_view_opt() {
        return Some(a.value(i).to_string());
    }
    None
}

/// Appends the `__day` column (days since the epoch of `eventtime`) to a batch.
pub fn with_day(batch: &RecordBatch, schema_with_day: &SchemaRef) -> Result<RecordBatch> {
    let times = batch
        .column_by_name(col::EVENTTIME)
        .ok_or(Invariant::MissingColumn(col::EVENTTIME))?
        .as_primitive::<TimestampMillisecondType>();
    let days: arrow::array::Int32Array = times
        .iter()
        .map(|t| t.map(|t| t.div_euclid(86_400_000) as i32))
        .collect();
    let mut columns = batch.columns().to_vec();
    columns.push(Arc::new(days));
    Ok(RecordBatch::try_new(schema_with_day.clone(), columns)?)
}

/// The decoder's schema plus `__day`.
pub fn schema_with_day() -> SchemaRef {
    let s = schema();
    let mut fields: Vec<_> = s.fields().iter().cloned().collect();
    fields.push(Arc::new(arrow::datatypes::Field::new(
        DAY_COLUMN,
        arrow::datatypes::DataType::Int32,
        false,
    )));
    Arc::new(arrow::datatypes::Schema::new_with_metadata(
        fields,
        s.metadata().clone(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use trawl_cloudtrail::{DEFAULT_MAX_INFLATED, DecodeOptions, InputFormat, decode_many};

    /// The chunk order is the lexicographic order of (day, account, region, time,
    /// event id, input position), nulls first, as a general sort computes it.
    #[test]
    fn a_chunk_sorts_as_a_lexicographic_sort_of_its_keys() {
        use arrow::compute::{SortColumn, lexsort_to_indices};
        let n = 5000usize;
        // Few values each, with nulls and ties, so every key column decides some pairs.
        let pick = |i: usize, m: usize| (i * 2_654_435_761usize) % m;
        let days = Int32Array::from_iter_values((0..n).map(|i| 20_000 + pick(i, 3) as i32));
        let accounts = StringArray::from_iter((0..n).map(|i| match pick(i + 1, 5) {
            0 => None,
            k => Some(format!("11111111111{k}")),
        }));
        let regions = StringArray::from_iter((0..n).map(|i| match pick(i + 2, 4) {
            0 => None,
            1 => Some("us-east-1".to_string()),
            2 => Some("eu-west-1".to_string()),
            _ => Some("ap-south-1".to_string()),
        }));
        let times: Vec<i64> = (0..n).map(|i| pick(i + 3, 7) as i64 * 1000).collect();
        let ids = StringArray::from_iter_values((0..n).map(|i| format!("id-{}", pick(i + 4, 11))));
        let ours = chunk_order(&days, &accounts, &regions, &times, &ids);
        let column = |a: ArrayRef| SortColumn {
            values: a,
            options: None,
        };
        let general = lexsort_to_indices(
            &[
                column(Arc::new(days.clone())),
                column(Arc::new(accounts.clone())),
                column(Arc::new(regions.clone())),
                column(Arc::new(arrow::array::Int64Array::from(times.clone()))),
                column(Arc::new(ids.clone())),
                column(Arc::new(arrow::array::UInt32Array::from_iter_values(
                    0..n as u32,
                ))),
            ],
            None,
        )
        .expect("a sort");
        assert_eq!(ours, general.values().to_vec());
    }

    /// Decoded rows of `n` events on each of the given days (of March 2026).
    fn rows_on(days: &[u32], n: usize, first_id: usize) -> Vec<RecordBatch> {
        let records: Vec<_> = days
            .iter()
            .flat_map(|&day| (0..n).map(move |i| (day, i)))
            .enumerate()
            .map(|(k, (day, i))| {
                serde_json::json!({
                    "eventVersion": "1.08",
                    "eventTime": format!("2026-03-{day:02}T{:02}:{:02}:00Z", i % 24, i % 60),
                    "eventSource": "iam.amazonaws.com",
                    "eventName": "GetUser",
                    "awsRegion": "us-east-1",
                    "eventID": format!("00000000-0000-0000-0000-{:012}", first_id + k),
                    "eventType": "AwsApiCall",
                    "recipientAccountId": "111122223333",
                })
            })
            .collect();
        let text = serde_json::json!({ "Records": records }).to_string();
        let opts = DecodeOptions {
            format: InputFormat::Auto,
            batch_rows: 8192,
            max_inflated: DEFAULT_MAX_INFLATED,
        };
        let (decoded, batches) = decode_many(&[("test.json", text.as_bytes())], &opts);
        assert!(decoded.iter().all(|d| d.rejects.is_empty()));
        batches
    }

    fn day_of(rel: &str) -> String {
        rel.split('/')
            .find_map(|part| part.strip_prefix("date="))
            .unwrap()
            .to_string()
    }

    /// The rows of each file written, by day.
    fn rows_per_day(files: &[FileEntry]) -> std::collections::BTreeMap<String, Vec<u64>> {
        let mut per_day = std::collections::BTreeMap::<String, Vec<u64>>::new();
        for f in files {
            per_day.entry(day_of(&f.path)).or_default().push(f.rows);
        }
        per_day
    }

    #[test]
    fn a_long_run_closes_the_days_written_longest_ago() {
        let tmp = tempfile::tempdir().unwrap();
        let opts = LayoutOptions {
            row_group_rows: 10,
            open_row_groups: 6,
            ..LayoutOptions::default()
        };
        let mut w = PartitionWriter::new(tmp.path(), "run", opts).unwrap();
        // Chunks walk through days 1-8, two at a time, then come back to day 1.
        let chunks: [&[u32]; 5] = [&[1, 2], &[3, 4], &[5, 6], &[7, 8], &[1]];
        let mut id = 0;
        for days in chunks {
            w.write_chunk(&rows_on(days, 20, id)).unwrap();
            id += days.len() * 20;
            let kept: usize = w
                .days
                .values()
                .map(|f| f.writer.flushed_row_groups().len())
                .sum();
            assert!(kept <= 6, "{kept} row groups kept open");
        }
        let (files, rows, duplicates) = w.finish().unwrap();
        assert_eq!((rows, duplicates), (9 * 20, 0));
        assert_eq!(files.iter().map(|f| f.rows).sum::<u64>(), 9 * 20);
        for f in &files {
            let file = fs::File::open(tmp.path().join(&f.path)).unwrap();
            let read: usize =
                parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
                    .unwrap()
                    .build()
                    .unwrap()
                    .map(|b| b.unwrap().num_rows())
                    .sum();
            assert_eq!(read as u64, f.rows, "{}", f.path);
        }
        // Day 1 was closed while later days were written, so its second chunk went
        // into a second file; every other day has one.
        let per_day = rows_per_day(&files);
        assert_eq!(per_day["2026-03-01"], vec![20, 20]);
        assert_eq!(per_day.len(), 8);
        assert!(per_day.values().skip(1).all(|rows| rows == &vec![20]));
    }

    #[test]
    fn a_chunk_over_many_days_keeps_only_its_last_days_open() {
        let tmp = tempfile::tempdir().unwrap();
        let opts = LayoutOptions {
            open_files: 2,
            ..LayoutOptions::default()
        };
        let mut w = PartitionWriter::new(tmp.path(), "run", opts).unwrap();
        let open = |w: &PartitionWriter| w.days.keys().copied().collect::<Vec<i32>>();
        let day = |d: u32| (20_512 + d) as i32; // days since the epoch of 2026-03-DD
        w.write_chunk(&rows_on(&[1, 2, 3, 4, 5], 20, 0)).unwrap();
        assert_eq!(open(&w), [day(4), day(5)]);
        w.write_chunk(&rows_on(&[5, 6], 20, 100)).unwrap();
        assert_eq!(open(&w), [day(5), day(6)]);
        w.write_chunk(&rows_on(&[1], 20, 200)).unwrap();
        assert_eq!(open(&w), [day(1), day(6)], "day 5 was written longest ago");
        let (files, rows, _) = w.finish().unwrap();
        assert_eq!(rows, 8 * 20);
        let per_day = rows_per_day(&files);
        assert_eq!(
            per_day["2026-03-01"],
            [20, 20],
            "closed after the first chunk"
        );
        assert_eq!(
            per_day["2026-03-05"],
            [40],
            "kept open for the second chunk"
        );
        assert_eq!(per_day.values().map(Vec::len).sum::<usize>(), 7);
    }

    #[test]
    fn row_groups_being_filled_are_written_out_past_their_budget() {
        let tmp = tempfile::tempdir().unwrap();
        let roomy = |pending_bytes| LayoutOptions {
            pending_bytes,
            ..LayoutOptions::default()
        };
        let groups = |w: &PartitionWriter| {
            w.days
                .values()
                .map(|f| f.writer.flushed_row_groups().len())
                .collect::<Vec<_>>()
        };
        // Within budget, the two chunks' rows of each day fill one row group together.
        let mut w = PartitionWriter::new(&tmp.path().join("a"), "a", roomy(64 << 20)).unwrap();
        w.write_chunk(&rows_on(&[1, 2], 20, 0)).unwrap();
        w.write_chunk(&rows_on(&[1, 2], 20, 40)).unwrap();
        assert_eq!(groups(&w), [0, 0]);
        assert!(w.days.values().all(|f| f.writer.memory_size() > 0));
        // Over it, each chunk's rows are written out as a row group of their own.
        let mut w = PartitionWriter::new(&tmp.path().join("b"), "b", roomy(1)).unwrap();
        w.write_chunk(&rows_on(&[1, 2], 20, 0)).unwrap();
        w.write_chunk(&rows_on(&[1, 2], 20, 40)).unwrap();
        assert_eq!(groups(&w), [2, 2]);
        assert!(w.days.values().all(|f| f.writer.memory_size() == 0));
        let (files, rows, _) = w.finish().unwrap();
        assert_eq!((files.len(), rows), (2, 80));
    }

    #[test]
    fn a_run_keeps_one_file_per_day_while_its_row_groups_fit() {
        let tmp = tempfile::tempdir().unwrap();
        let opts = LayoutOptions {
            row_group_rows: 10,
            ..LayoutOptions::default()
        };
        let mut w = PartitionWriter::new(tmp.path(), "run", opts).unwrap();
        let chunks: [&[u32]; 3] = [&[1, 2], &[2, 3], &[1, 3]];
        let mut id = 0;
        for days in chunks {
            w.write_chunk(&rows_on(days, 20, id)).unwrap();
            id += days.len() * 20;
        }
        let (files, rows, _) = w.finish().unwrap();
        assert_eq!(rows, 6 * 20);
        let days: Vec<String> = files.iter().map(|f| day_of(&f.path)).collect();
        assert_eq!(days, ["2026-03-01", "2026-03-02", "2026-03-03"]);
        assert!(files.iter().all(|f| f.rows == 40));
    }
}
