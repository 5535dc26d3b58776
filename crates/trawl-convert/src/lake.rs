//! The lake on disk, its ledger and its commit protocol.
//!
//! ```text
//! <lake>/cloudtrail/date=YYYY-MM-DD/part-<run>-<n>.parquet   the table
//! <lake>/_rejects/<run>.jsonl                                 rejected input, one JSON object a line
//! <lake>/_integrity/{files,chains}/<run>.jsonl                log file integrity verdicts
//! <lake>/_trawl/ledger/<run>.json                             one manifest per committed run
//! <lake>/_trawl/staging/<run>/...                             files of a run not yet in place
//! <lake>/_trawl/lock                                          held while a run writes
//! ```
//!
//! A run writes everything under its staging directory and fsyncs it. Writing the
//! run's manifest into the ledger (write to a temporary name, fsync, rename) is the
//! commit point. Only then are the staged files renamed into place. A crash before
//! the commit leaves a staging directory that the next run deletes; a crash after it
//! leaves one that the next run finishes moving. Readers only look under
//! `cloudtrail/`, where every file appears whole, by rename.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Directory of the `cloudtrail` table inside the lake.
pub const TABLE_DIR: &str = "cloudtrail";
/// Directory of reject files inside the lake.
pub const REJECTS_DIR: &str = "_rejects";
const META_DIR: &str = "_trawl";

/// One source object recorded in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceEntry {
    /// Absolute path or `s3://bucket/key`.
    pub uri: String,
    pub size: u64,
    /// Last-modified time (RFC 3339) as the store reported it.
    #[serde(default)]
    pub mtime: Option<String>,
    #[serde(default)]
    pub etag: Option<String>,
    /// Records read from it (rows + rejects).
    pub records: u64,
    /// Rows it contributed before de-duplication.
    pub rows: u64,
    pub rejected: u64,
    #[serde(default)]
    pub digests: u64,
    /// Why the object was skipped without reading records, if it was.
    #[serde(default)]
    pub skipped: Option<String>,
}

/// A Parquet file a run added to the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Path relative to the lake root (`cloudtrail/date=.../part-....parquet`).
    pub path: String,
    pub rows: u64,
    pub bytes: u64,
}

/// What kind of run a manifest records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunKind {
    Convert,
    Compact,
    /// Log file integrity verdicts only (see [`crate::integrity`]).
    Verify,
}

/// Totals of one run; they add up: `records = rows_written + duplicates + rejected`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub records: u64,
    pub rows_written: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub digests: u64,
}

/// The ledger entry of one committed run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunManifest {
    pub run: String,
    pub kind: RunKind,
    pub trawl_version: String,
    pub schema_version: u32,
    pub started: String,
    pub committed: String,
    #[serde(default)]
    pub sources: Vec<SourceEntry>,
    #[serde(default)]
    pub added: Vec<FileEntry>,
    /// Table files this run replaces (compaction).
    #[serde(default)]
    pub removed: Vec<String>,
    /// Lake-relative path of this run's reject file, if any record was rejected.
    #[serde(default)]
    pub rejects: Option<String>,
    /// Lake-relative paths of the integrity records a verification run adds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub integrity: Vec<String>,
    pub counts: Counts,
}

impl RunManifest {
    /// Lake-relative paths of the files the run puts in place: its table files, its
    /// reject file and its integrity records.
    pub fn placed_files(&self) -> impl Iterator<Item = &str> {
        self.added
            .iter()
            .map(|f| f.path.as_str())
            .chain(self.rejects.as_deref())
            .chain(self.integrity.iter().map(String::as_str))
    }
}

/// Everything the ledger knows.
#[derive(Debug, Default)]
pub struct Ledger {
    pub runs: Vec<RunManifest>,
    sources: HashMap<String, SourceEntry>,
}

impl Ledger {
    /// Whether this exact version of a source object was already converted.
    pub fn contains(&self, uri: &str, size: u64, mtime: Option<&str>, etag: Option<&str>) -> bool {
        self.sources.get(uri).is_some_and(|e| {
            e.size == size
                && match (etag, e.etag.as_deref()) {
                    (Some(a), Some(b)) if !uri.starts_with('/') => a == b,
                    _ => e.mtime.as_deref() == mtime,
                }
        })
    }

    pub fn source_count(&self) -> usize {
        self.sources.len()
    }

    /// Where the rows the given conversion runs wrote live now: their own files while
    /// they last, or the files compaction merged them into since.
    pub fn rows_of(&self, runs: &HashSet<&str>) -> RunRows {
        // Compaction replaces all of a partition's files with its own; follow each
        // replaced file to the files that hold its rows now.
        let mut replaced: HashMap<&str, Vec<&str>> = HashMap::new();
        for run in self.runs.iter().filter(|r| r.kind == RunKind::Compact) {
            let added: Vec<&str> = run.added.iter().map(|f| f.path.as_str()).collect();
            for removed in &run.removed {
                replaced.insert(removed.as_str(), added.clone());
            }
        }
        let mut own = BTreeSet::new();
        let mut merged = BTreeSet::new();
        let mut sources = BTreeSet::new();
        for run in self.runs.iter().filter(|r| runs.contains(r.run.as_str())) {
            sources.extend(
                run.sources
                    .iter()
                    .filter(|s| s.rows > 0)
                    .map(|s| s.uri.clone()),
            );
            for file in &run.added {
                if !replaced.contains_key(file.path.as_str()) {
                    own.insert(file.path.clone());
                    continue;
                }
                let mut todo = vec![file.path.as_str()];
                let mut seen = HashSet::new();
                while let Some(path) = todo.pop() {
                    if !seen.insert(path) {
                        continue;
                    }
                    match replaced.get(path) {
                        Some(next) => todo.extend(next.iter().copied()),
                        None => {
                            merged.insert(path.to_string());
                        }
                    }
                }
            }
        }
        RunRows {
            own: own.into_iter().collect(),
            merged: merged.into_iter().collect(),
            sources: sources.into_iter().collect(),
        }
    }
}

/// Where some runs' rows are (see [`Ledger::rows_of`]); paths relative to the lake.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RunRows {
    /// Files that hold only these runs' rows.
    pub own: Vec<String>,
    /// Files compaction merged these runs' rows into, with other runs' rows.
    pub merged: Vec<String>,
    /// The source objects these runs converted: in `merged` files, their rows are
    /// those whose `sourceobject` is one of these.
    pub sources: Vec<String>,
}

/// A local lake directory.
#[derive(Debug, Clone)]
pub struct Lake {
    root: PathBuf,
}

/// A lock file, held while its owner writes and removed on drop: the lake's write
/// lock, and `trawl watch`'s one watcher per lake.
#[derive(Debug)]
pub struct LakeLock {
    path: PathBuf,
}

impl LakeLock {
    /// Creates `path` exclusively, naming this process and host in it. A lock left
    /// by a process of this host that is gone (killed), or by this process, is
    /// stale and taken over; a lock of another host is never judged from here.
    /// `Ok(Err(holder))`: someone else holds it, and this is what its file says.
    pub fn acquire(path: &Path) -> std::io::Result<std::result::Result<Self, String>> {
        let host = hostname();
        let me = format!(
            "pid {} since {} on {host}",
            std::process::id(),
            chrono::Utc::now().to_rfc3339()
        );
        let mut holder = String::from("unknown");
        for _ in 0..2 {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
            {
                Ok(mut f) => {
                    f.write_all(me.as_bytes())?;
                    return Ok(Ok(Self {
                        path: path.to_path_buf(),
                    }));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    holder = fs::read_to_string(path).unwrap_or_default();
                    let pid = holder
                        .split_whitespace()
                        .nth(1)
                        .and_then(|p| p.parse::<u32>().ok());
                    // Locks written before hosts were recorded are local ones.
                    let local = holder
                        .split_once(" on ")
                        .is_none_or(|(_, h)| h.trim() == host);
                    match pid {
                        Some(pid) if !local || (pid_alive(pid) && pid != std::process::id()) => {
                            return Ok(Err(holder));
                        }
                        _ => {
                            let _ = fs::remove_file(path);
                        }
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(Err(holder))
    }
}

/// This machine's name, for lock files on a shared filesystem.
fn hostname() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into())
}

impl Drop for LakeLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

fn fsync_dir(dir: &Path) {
    // Directory fsync makes renames durable; some filesystems refuse it, which is
    // not worth failing a run over.
    if let Ok(f) = fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

fn pid_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

/// Where [`Lake::table_files`] keeps its answer, under the lake's `_trawl/`.
const TABLE_FILES_CACHE: &str = "table-files.json";

/// [`TableFiles`] as kept on disk, with the manifests (name, size) it was read from.
#[derive(Serialize, Deserialize)]
struct TableFilesCache {
    manifests: Vec<(String, u64)>,
    schema_version: Option<u32>,
    paths: Vec<String>,
}

impl TableFilesCache {
    fn into_files(self) -> TableFiles {
        TableFiles {
            paths: self.paths.into_iter().collect(),
            schema_version: self.schema_version,
        }
    }
}

/// The table files a [`Lake::table_files_record`] names, when it was made from exactly
/// `manifests` (file name and size of each manifest in the ledger, in name order);
/// `None` for a record of another ledger, or one that does not parse.
pub fn table_files_from_record(record: &[u8], manifests: &[(String, u64)]) -> Option<TableFiles> {
    let cache = serde_json::from_slice::<TableFilesCache>(record).ok()?;
    (cache.manifests == manifests).then(|| cache.into_files())
}

/// What the ledger says the table holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableFiles {
    /// Lake-relative paths of the live table files.
    pub paths: HashSet<String>,
    /// The schema version every live file was written with, when they all agree
    /// (`None` when they differ or a run did not record one).
    pub schema_version: Option<u32>,
}

impl Lake {
    /// Opens (creating if needed) a lake at a local path.
    pub fn open(location: &str) -> Result<Self> {
        if location.contains("://") {
            return Err(Error::Unsupported(format!(
                "lake {location}: only local lake directories are supported by this build"
            )));
        }
        let root = PathBuf::from(location);
        fs::create_dir_all(root.join(TABLE_DIR)).map_err(|e| Error::io(&root, e))?;
        let root = root.canonicalize().map_err(|e| Error::io(&root, e))?;
        Ok(Self { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn table_dir(&self) -> PathBuf {
        self.root.join(TABLE_DIR)
    }

    fn meta(&self, part: &str) -> PathBuf {
        self.root.join(META_DIR).join(part)
    }

    /// Where committed run manifests live.
    pub fn ledger_dir(&self) -> PathBuf {
        self.meta("ledger")
    }

    /// The staging directory of a run.
    pub fn staging(&self, run: &str) -> PathBuf {
        self.meta("staging").join(run)
    }

    /// Takes the write lock, taking over a lock left by a process that died.
    pub fn lock(&self) -> Result<LakeLock> {
        let path = self.meta("lock");
        fs::create_dir_all(self.meta("")).map_err(|e| Error::io(self.meta(""), e))?;
        match LakeLock::acquire(&path).map_err(|e| Error::io(&path, e))? {
            Ok(lock) => Ok(lock),
            Err(holder) => Err(Error::Locked {
                lake: self.root.display().to_string(),
                holder,
                lock: path.display().to_string(),
            }),
        }
    }

    /// The table files the committed runs put in place and did not take away again,
    /// lake-relative; `None` when no run was committed.
    ///
    /// Every query's startup asks this. The manifests also hold every source object
    /// converted (28,905 entries, 12 MB of JSON for a 2M-event archive), so the answer
    /// is kept in `_trawl/table-files.json` with the names and sizes of the manifests it
    /// came from, and taken from there while the ledger holds exactly those (committed
    /// manifests are never rewritten). Writing it is best effort: a read-only lake
    /// reads its manifests each time.
    pub fn table_files(&self) -> Result<Option<TableFiles>> {
        Ok(self.table_record()?.map(TableFilesCache::into_files))
    }

    /// What [`Lake::table_files`] keeps, as the JSON it keeps it in: what a lake on S3
    /// is given, so a reader there learns the table's schema version from one object
    /// instead of every file's footer ([`table_files_from_record`]).
    pub fn table_files_record(&self) -> Result<Option<Vec<u8>>> {
        match self.table_record()? {
            Some(record) => Ok(Some(serde_json::to_vec(&record).map_err(Error::Manifest)?)),
            None => Ok(None),
        }
    }

    fn table_record(&self) -> Result<Option<TableFilesCache>> {
        let paths = self.manifest_paths()?;
        if paths.is_empty() {
            return Ok(None);
        }
        let mut manifests = Vec::with_capacity(paths.len());
        for path in &paths {
            let size = fs::metadata(path).map_err(|e| Error::io(path, e))?.len();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            manifests.push((name, size));
        }
        let cache_path = self.meta(TABLE_FILES_CACHE);
        if let Ok(text) = fs::read(&cache_path)
            && let Ok(cache) = serde_json::from_slice::<TableFilesCache>(&text)
            && cache.manifests == manifests
        {
            return Ok(Some(cache));
        }
        let files = self.table_files_from(&paths)?;
        let mut sorted: Vec<String> = files.paths.into_iter().collect();
        sorted.sort();
        let cache = TableFilesCache {
            manifests,
            schema_version: files.schema_version,
            paths: sorted,
        };
        if let Ok(body) = serde_json::to_vec(&cache) {
            let tmp = self.meta(&format!(".{TABLE_FILES_CACHE}.{}.tmp", std::process::id()));
            if fs::write(&tmp, body).is_ok() && fs::rename(&tmp, &cache_path).is_err() {
                let _ = fs::remove_file(&tmp);
            }
        }
        Ok(Some(cache))
    }

    /// [`Lake::table_files`] from the manifests themselves.
    fn table_files_from(&self, paths: &[PathBuf]) -> Result<TableFiles> {
        #[derive(Deserialize)]
        struct Placed {
            #[serde(default)]
            schema_version: Option<u32>,
            #[serde(default)]
            added: Vec<FileEntry>,
            #[serde(default)]
            removed: Vec<String>,
        }
        let mut live: HashMap<String, Option<u32>> = HashMap::new();
        for path in paths {
            let text = fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
            let placed: Placed = serde_json::from_str(&text).map_err(|e| Error::Ledger {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            live.extend(
                placed
                    .added
                    .into_iter()
                    .map(|f| (f.path, placed.schema_version)),
            );
            for gone in &placed.removed {
                live.remove(gone);
            }
        }
        let mut versions = live.values().copied();
        let first = versions.next().flatten();
        let schema_version = first.filter(|v| versions.all(|w| w == Some(*v)));
        Ok(TableFiles {
            paths: live.into_keys().collect(),
            schema_version,
        })
    }

    /// Paths of the committed manifests, in commit order.
    fn manifest_paths(&self) -> Result<Vec<PathBuf>> {
        let dir = self.meta("ledger");
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(&dir, e)),
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        Ok(paths)
    }

    /// Reads every committed manifest.
    pub fn ledger(&self) -> Result<Ledger> {
        let mut ledger = Ledger::default();
        for path in self.manifest_paths()? {
            let text = fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            let manifest: RunManifest = serde_json::from_str(&text).map_err(|e| Error::Ledger {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            for s in &manifest.sources {
                ledger.sources.insert(s.uri.clone(), s.clone());
            }
            ledger.runs.push(manifest);
        }
        Ok(ledger)
    }

    /// The commit point: durably records the manifest, then moves the run's files
    /// into place.
    pub fn commit(&self, manifest: &RunManifest) -> Result<()> {
        let dir = self.meta("ledger");
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let final_path = dir.join(format!("{}.json", manifest.run));
        let tmp = dir.join(format!(".{}.json.tmp", manifest.run));
        let body = serde_json::to_vec_pretty(manifest).map_err(Error::Manifest)?;
        {
            let mut f = fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
            f.write_all(&body).map_err(|e| Error::io(&tmp, e))?;
            f.sync_all().map_err(|e| Error::io(&tmp, e))?;
        }
        fs::rename(&tmp, &final_path).map_err(|e| Error::io(&final_path, e))?;
        fsync_dir(&dir);
        self.apply(manifest)
    }

    /// Moves a committed run's staged files into place and removes replaced files.
    /// Idempotent, so recovery can run it again after a crash.
    fn apply(&self, manifest: &RunManifest) -> Result<()> {
        let staging = self.staging(&manifest.run);
        let mut touched_dirs = Vec::new();
        for rel in manifest.placed_files() {
            let from = staging.join(rel);
            let to = self.root.join(rel);
            if from.exists() {
                if let Some(parent) = to.parent() {
                    fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                    touched_dirs.push(parent.to_path_buf());
                }
                fs::rename(&from, &to).map_err(|e| Error::io(&to, e))?;
            }
        }
        for rel in &manifest.removed {
            let path = self.root.join(rel);
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
        touched_dirs.dedup();
        for d in touched_dirs {
            fsync_dir(&d);
        }
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
        }
        Ok(())
    }

    /// Finishes committed runs and discards uncommitted ones left by a crash.
    /// Returns (runs finished, runs discarded).
    pub fn recover(&self) -> Result<(usize, usize)> {
        let dir = self.meta("staging");
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((0, 0)),
            Err(e) => return Err(Error::io(&dir, e)),
        };
        let (mut finished, mut discarded) = (0, 0);
        for entry in entries.flatten() {
            let run = entry.file_name().to_string_lossy().to_string();
            let manifest_path = self.meta("ledger").join(format!("{run}.json"));
            if manifest_path.exists() {
                let text =
                    fs::read_to_string(&manifest_path).map_err(|e| Error::io(&manifest_path, e))?;
                let manifest: RunManifest =
                    serde_json::from_str(&text).map_err(|e| Error::Ledger {
                        path: manifest_path.display().to_string(),
                        message: e.to_string(),
                    })?;
                self.apply(&manifest)?;
                finished += 1;
            } else {
                fs::remove_dir_all(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
                discarded += 1;
            }
        }
        Ok((finished, discarded))
    }

    /// Table files currently in place, lake-relative, grouped by `date=` partition.
    pub fn partitions(&self) -> Result<Vec<(String, Vec<String>)>> {
        let table = self.table_dir();
        let mut out = Vec::new();
        let entries = fs::read_dir(&table).map_err(|e| Error::io(&table, e))?;
        let mut dirs: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for dir in dirs {
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let Some(date) = name.strip_prefix("date=") else {
                continue;
            };
            let mut files: Vec<String> = fs::read_dir(&dir)
                .map_err(|e| Error::io(&dir, e))?
                .flatten()
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| n.ends_with(".parquet"))
                .map(|n| format!("{TABLE_DIR}/{name}/{n}"))
                .collect();
            files.sort();
            out.push((date.to_string(), files));
        }
        Ok(out)
    }
}

/// A new run id: sortable by time, unique across processes.
pub fn new_run_id() -> String {
    let now = chrono::Utc::now();
    format!(
        "{}-{:08x}",
        now.format("%Y%m%dT%H%M%S%.3fZ")
            .to_string()
            .replace('.', ""),
        std::process::id() ^ now.timestamp_subsec_nanos()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        id: &str,
        kind: RunKind,
        sources: &[&str],
        added: &[&str],
        removed: &[&str],
    ) -> RunManifest {
        RunManifest {
            run: id.into(),
            kind,
            trawl_version: "test".into(),
            schema_version: 1,
            started: String::new(),
            committed: String::new(),
            sources: sources
                .iter()
                .map(|uri| SourceEntry {
                    uri: uri.to_string(),
                    size: 1,
                    mtime: None,
                    etag: None,
                    records: 1,
                    rows: 1,
                    rejected: 0,
                    digests: 0,
                    skipped: None,
                })
                .collect(),
            added: added
                .iter()
                .map(|p| FileEntry {
                    path: p.to_string(),
                    rows: 1,
                    bytes: 1,
                })
                .collect(),
            removed: removed.iter().map(|p| p.to_string()).collect(),
            rejects: None,
            integrity: Vec::new(),
            counts: Counts::default(),
        }
    }

    #[test]
    fn rows_of_follows_compactions_to_the_files_that_hold_a_runs_rows_now() {
        use RunKind::*;
        let ledger = Ledger {
            runs: vec![
                run("a", Convert, &["s3://b/1"], &["d1/a-1", "d2/a-2"], &[]),
                run("b", Convert, &["s3://b/2"], &["d1/b-1", "d3/b-2"], &[]),
                // Day 1 compacted twice; day 3 never.
                run("c", Compact, &[], &["d1/c-1"], &["d1/a-1", "d1/b-1"]),
                run("e", Compact, &[], &["d1/e-1", "d1/e-2"], &["d1/c-1"]),
            ],
            sources: HashMap::new(),
        };
        let rows = ledger.rows_of(&HashSet::from(["b"]));
        assert_eq!(rows.own, vec!["d3/b-2".to_string()]);
        assert_eq!(
            rows.merged,
            vec!["d1/e-1".to_string(), "d1/e-2".to_string()]
        );
        assert_eq!(rows.sources, vec!["s3://b/2".to_string()]);
        let rows = ledger.rows_of(&HashSet::from(["a"]));
        assert_eq!(rows.own, vec!["d2/a-2".to_string()]);
        assert_eq!(rows.merged.len(), 2);
        assert_eq!(ledger.rows_of(&HashSet::new()), RunRows::default());
    }

    #[test]
    fn table_files_are_kept_while_the_ledger_holds_the_same_manifests() {
        use RunKind::*;
        let tmp = tempfile::tempdir().unwrap();
        let lake = Lake::open(&tmp.path().to_string_lossy()).unwrap();
        assert_eq!(lake.table_files().unwrap(), None);
        let files = |paths: &[&str]| TableFiles {
            paths: paths.iter().map(|p| p.to_string()).collect(),
            schema_version: Some(1),
        };
        lake.commit(&run(
            "a",
            Convert,
            &["s3://b/1"],
            &["d1/a-1", "d2/a-2"],
            &[],
        ))
        .unwrap();
        assert_eq!(
            lake.table_files().unwrap(),
            Some(files(&["d1/a-1", "d2/a-2"]))
        );
        let cache = lake.meta(TABLE_FILES_CACHE);
        assert!(cache.is_file());
        // Taken from the cache while the manifests are the same: a doctored one shows.
        let text = fs::read_to_string(&cache).unwrap();
        fs::write(&cache, text.replace("d2/a-2", "d9/x")).unwrap();
        assert_eq!(
            lake.table_files().unwrap(),
            Some(files(&["d1/a-1", "d9/x"]))
        );
        // A new run makes it stale: read from the manifests again, and kept anew.
        lake.commit(&run("b", Compact, &[], &["d1/b-1"], &["d1/a-1"]))
            .unwrap();
        assert_eq!(
            lake.table_files().unwrap(),
            Some(files(&["d1/b-1", "d2/a-2"]))
        );
        assert_eq!(
            lake.table_files().unwrap(),
            Some(files(&["d1/b-1", "d2/a-2"]))
        );
        // A cache that does not parse is read around.
        fs::write(&cache, "{").unwrap();
        assert_eq!(
            lake.table_files().unwrap(),
            Some(files(&["d1/b-1", "d2/a-2"]))
        );
        // The record given to a lake on S3 answers for exactly this ledger.
        let record = lake.table_files_record().unwrap().unwrap();
        let ledger: Vec<(String, u64)> = ["a", "b"]
            .iter()
            .map(|r| {
                let name = format!("{r}.json");
                let size = fs::metadata(lake.ledger_dir().join(&name)).unwrap().len();
                (name, size)
            })
            .collect();
        assert_eq!(
            table_files_from_record(&record, &ledger),
            Some(files(&["d1/b-1", "d2/a-2"]))
        );
        assert_eq!(table_files_from_record(&record, &ledger[..1]), None);
        let mut grown = ledger.clone();
        grown[1].1 += 1;
        assert_eq!(table_files_from_record(&record, &grown), None);
    }
}
