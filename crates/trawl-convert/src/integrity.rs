//! Log file integrity in the lake: what verification (`trawl convert --verify`,
//! `trawl watch` with keys) found about each source object and each digest chain,
//! kept beside the table so SQL can join on it.
//!
//! ```text
//! <lake>/_integrity/files/<run>.jsonl    one verdict per digest or log file checked by the run
//! <lake>/_integrity/chains/<run>.jsonl   per chain checked: a `checked` row, then what was wrong
//! ```
//!
//! A verification is a run of its own (`RunKind::Verify`), staged and committed like a
//! conversion, so a crash never leaves half a verdict and an S3 lake publishes it the
//! same way. Later runs supersede earlier ones: the engine's `log_files` view keeps the
//! newest verdict per object, `log_chains` the newest check of each chain.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use trawl_verify::{
    Finding, KeyRing, LocalSource, ObjectStoreSource, Report, Source, Status, VerifyOptions,
};

use crate::error::{Error, Result};
use crate::lake::{Counts, Lake, RunKind, RunManifest, new_run_id};
use crate::s3::S3Url;

/// Directory of integrity records inside the lake.
pub const INTEGRITY_DIR: &str = "_integrity";
/// Per-file verdicts, one JSON object a line.
pub const FILES_DIR: &str = "_integrity/files";
/// Per-chain checks and findings, one JSON object a line.
pub const CHAINS_DIR: &str = "_integrity/chains";

/// The verdict on one source object. `sourceobject` is spelled exactly as the
/// `cloudtrail` table's column of that name, so the two join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileVerdict {
    pub sourceobject: String,
    /// `log` or `digest`.
    pub kind: String,
    /// `valid`, `invalid`, `not_found`, `not_checked` or `unlisted`.
    pub status: String,
    /// Valid and vouched for by a verified digest.
    pub verified: bool,
    /// What was wrong, by kind (`hash_mismatch`, `missing`, `signature_invalid`, ...).
    pub problems: Vec<String>,
    /// The same, in words.
    pub detail: Option<String>,
    /// For a log file: the digest that lists it.
    pub digest: Option<String>,
    /// For a digest: its chain (`account/region/trail`).
    pub chain: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
    /// For a log file the delivery time in its name; for a digest its end time.
    pub file_time: Option<String>,
    pub checked: String,
    pub run: String,
}

/// One row about a chain: `checked` (its extent, one per chain and run) or a
/// finding (`chain_break`, `logging_stopped`, `quiet_period`, `unrecognised_digest_name`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainVerdict {
    pub chain: String,
    pub kind: String,
    pub account: Option<String>,
    pub region: Option<String>,
    pub trail: Option<String>,
    pub backfill: bool,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    /// For a chain break: the digest that is gone.
    pub missing: Option<String>,
    /// A break with no older digest present: where the copy starts, not a deletion.
    pub at_start: bool,
    pub digests: Option<u64>,
    pub detail: String,
    pub checked: String,
    pub run: String,
}

/// Rows of one verification run.
#[derive(Debug, Default, Clone)]
pub struct Verdicts {
    pub files: Vec<FileVerdict>,
    pub chains: Vec<ChainVerdict>,
}

impl Verdicts {
    /// Log files whose content or presence cannot be trusted, digests that do not
    /// verify, and chains broken after their start.
    pub fn problems(&self) -> usize {
        self.files
            .iter()
            .filter(|f| matches!(f.status.as_str(), "invalid" | "not_found"))
            .count()
            + self
                .chains
                .iter()
                .filter(|c| c.kind == "chain_break" && !c.at_start)
                .count()
    }
}

fn snake<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Object(m)) => m
            .get("kind")
            .and_then(|k| k.as_str())
            .unwrap_or("other")
            .to_string(),
        _ => "other".to_string(),
    }
}

/// Turns a report over the source at `base` (`/abs/dir` or `s3://bucket`) into rows.
pub fn verdicts(base: &str, report: &Report, checked: &str, run: &str) -> Verdicts {
    let base = base.trim_end_matches('/');
    let uri = |key: &str| format!("{base}/{key}");
    let mut out = Verdicts::default();
    for f in &report.files {
        let (account, region, file_time) = match trawl_verify::key::classify(&f.key) {
            trawl_verify::key::KeyKind::Digest(d) => (
                Some(d.location.account),
                Some(d.location.region),
                Some(d.end.to_string()),
            ),
            trawl_verify::key::KeyKind::Log(l) => (
                Some(l.location.account),
                Some(l.location.region),
                l.time.map(|t| t.to_string()),
            ),
            _ => (None, None, None),
        };
        let detail = (!f.problems.is_empty()).then(|| {
            f.problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        });
        out.files.push(FileVerdict {
            sourceobject: uri(&f.key),
            kind: snake(&f.kind),
            status: snake(&f.status),
            verified: f.status == Status::Valid,
            problems: f.problems.iter().map(snake).collect(),
            detail,
            digest: f.listed_by.as_deref().map(uri),
            chain: f.chain.clone(),
            account,
            region,
            file_time,
            checked: checked.to_string(),
            run: run.to_string(),
        });
    }
    let chain_of = |text: &str| report.chains.iter().find(|c| c.chain.to_string() == text);
    let row = |chain: &str, kind: &str, detail: String| {
        let id = chain_of(chain).map(|c| &c.chain);
        ChainVerdict {
            chain: chain.to_string(),
            kind: kind.to_string(),
            account: id.map(|c| c.location.account.clone()),
            region: id.map(|c| c.location.region.clone()),
            trail: id.map(|c| c.trail.clone()),
            backfill: id.is_some_and(|c| c.backfill),
            period_start: None,
            period_end: None,
            missing: None,
            at_start: false,
            digests: None,
            detail,
            checked: checked.to_string(),
            run: run.to_string(),
        }
    };
    for c in &report.chains {
        let text = c.chain.to_string();
        let mut r = row(&text, "checked", format!("{} digests", c.digests));
        r.period_start = c.first_start.map(|t| t.to_string());
        r.period_end = c.last_end.map(|t| t.to_string());
        r.digests = Some(c.digests as u64);
        out.chains.push(r);
    }
    for finding in &report.findings {
        let detail = finding.to_string();
        let r = match finding {
            Finding::ChainBreak {
                chain,
                missing,
                last_present_before,
                from,
                to,
                ..
            } => {
                let mut r = row(chain, "chain_break", detail);
                r.period_start = from.map(|t| t.to_string());
                r.period_end = Some(to.to_string());
                r.missing = Some(uri(missing));
                r.at_start = last_present_before.is_none();
                r
            }
            Finding::LoggingStopped {
                chain, from, to, ..
            } => {
                let mut r = row(chain, "logging_stopped", detail);
                r.period_start = Some(from.to_string());
                r.period_end = Some(to.to_string());
                r
            }
            Finding::QuietPeriod {
                chain,
                from,
                to,
                digests,
            } => {
                let mut r = row(chain, "quiet_period", detail);
                r.period_start = Some(from.to_string());
                r.period_end = Some(to.to_string());
                r.digests = Some(*digests as u64);
                r
            }
            Finding::UnrecognisedDigestName { key } => {
                let mut r = row("", "unrecognised_digest_name", detail);
                r.missing = Some(uri(key));
                r
            }
        };
        out.chains.push(r);
    }
    out
}

/// Where one location's objects live, as the lake spells their `sourceobject`.
pub fn source_base(location: &str) -> Result<String> {
    if S3Url::is_s3(location) {
        let url = S3Url::parse(location)?;
        return Ok(format!("s3://{}", url.bucket));
    }
    let dir = Path::new(location);
    let abs = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
    Ok(abs.display().to_string())
}

/// Opens `location` (a local copy of a trail bucket or `s3://bucket/prefix`) for
/// verification; `options.prefixes` is narrowed to an S3 location's prefix.
pub async fn open_source(
    location: &str,
    options: &mut VerifyOptions,
) -> Result<Box<dyn Source + Send>> {
    if S3Url::is_s3(location) {
        let url = S3Url::parse(location)?;
        let store = crate::s3::store(&url.bucket).await?;
        if !url.key.is_empty() {
            options.prefixes = vec![url.key.clone()];
        }
        return Ok(Box::new(ObjectStoreSource::new(
            store,
            tokio::runtime::Handle::current(),
            format!("s3://{}", url.bucket),
        )));
    }
    let dir = Path::new(location);
    if !dir.is_dir() {
        return Err(Error::Unsupported(format!(
            "{location}: not a directory (give the local copy's root, or s3://bucket/prefix)"
        )));
    }
    Ok(Box::new(LocalSource::new(dir)))
}

/// Whether `location` can be verified: digests are found beside a trail's folders, so a
/// directory (a local copy of the bucket) or an S3 location, not a single file.
pub fn is_verifiable(location: &str) -> bool {
    S3Url::is_s3(location) || Path::new(location).is_dir()
}

/// Verifies each location with `keys`, in order: per location its base (see
/// [`source_base`]) and its report, ready for [`Lake::record_reports`].
pub async fn verify_locations(
    locations: &[String],
    keys: Arc<KeyRing>,
    options: &VerifyOptions,
) -> Result<Vec<(String, Report)>> {
    let mut reports = Vec::with_capacity(locations.len());
    for location in locations {
        let report = verify_location(location, keys.clone(), options.clone(), |s| s).await?;
        reports.push((source_base(location)?, report));
    }
    Ok(reports)
}

/// Verifies one location with `keys`, off the async runtime (the S3 source blocks on it).
/// `wrap` may decorate the source (a progress counter, say).
pub async fn verify_location(
    location: &str,
    keys: Arc<KeyRing>,
    mut options: VerifyOptions,
    wrap: impl FnOnce(Box<dyn Source + Send>) -> Box<dyn Source + Send>,
) -> Result<Report> {
    let source = wrap(open_source(location, &mut options).await?);
    let report =
        tokio::task::spawn_blocking(move || trawl_verify::verify(&*source, &keys, &options))
            .await
            .map_err(|source| Error::TaskFailed {
                task: "verification",
                source,
            })?;
    report.map_err(|e| Error::Unsupported(format!("{location}: {e}")))
}

/// What [`fetch_public_keys`] asked CloudTrail for: per delivering region, the digests
/// found and how many keys came back.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FetchedKeys {
    pub regions: Vec<RegionKeys>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RegionKeys {
    pub region: String,
    pub digests: usize,
    pub keys: usize,
}

/// Adds to `keys` the public keys that signed `location`'s digests, from CloudTrail's
/// `ListPublicKeys` in each region that delivered them (found by listing alone), with the
/// credentials, profile and endpoints S3 uses. A local copy works too, given credentials.
pub async fn fetch_public_keys(
    location: &str,
    options: &VerifyOptions,
    keys: &mut KeyRing,
) -> Result<FetchedKeys> {
    let mut options = options.clone();
    let source = open_source(location, &mut options).await?;
    let regions =
        tokio::task::spawn_blocking(move || trawl_verify::digest_regions(&*source, &options))
            .await
            .map_err(|source| Error::TaskFailed {
                task: "digest listing",
                source,
            })?
            .map_err(|e| Error::Unsupported(format!("{location}: {e}")))?;
    let sdk = crate::s3::sdk_config().await;
    let now = trawl_verify::Timestamp(chrono::Utc::now());
    let mut fetched = FetchedKeys::default();
    for (region, span) in regions {
        let (start, end) = span.key_range(now);
        let found = trawl_verify::fetch_public_keys(&sdk, &region, start, end).await?;
        keys.add_fetched_keys(&found)
            .map_err(|e| Error::Unsupported(format!("{region}: ListPublicKeys: {e}")))?;
        fetched.regions.push(RegionKeys {
            region,
            digests: span.digests,
            keys: found.len(),
        });
    }
    Ok(fetched)
}

/// The keys to verify `sources` with: from `files` (ListPublicKeys output as the AWS CLI
/// prints it) when any are given, else from CloudTrail's `ListPublicKeys` for each region
/// whose digests the sources hold (see [`fetch_public_keys`]), with what was fetched.
pub async fn load_public_keys(
    files: &[std::path::PathBuf],
    sources: &[String],
    options: &VerifyOptions,
) -> Result<(KeyRing, Vec<(String, FetchedKeys)>)> {
    let mut keys = KeyRing::new();
    for f in files {
        let bytes = fs::read(f).map_err(|e| Error::io(f, e))?;
        keys.add_list_public_keys_json(&bytes).map_err(|e| {
            Error::Unsupported(format!(
                "{}: not usable ListPublicKeys output: {e}",
                f.display()
            ))
        })?;
    }
    let mut fetched = Vec::new();
    if files.is_empty() {
        for src in sources {
            let got = fetch_public_keys(src, options, &mut keys).await?;
            fetched.push((src.clone(), got));
        }
    }
    Ok((keys, fetched))
}

fn write_lines<T: Serialize>(path: &Path, rows: &[T]) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let mut out = std::io::BufWriter::new(fs::File::create(path).map_err(|e| Error::io(path, e))?);
    for r in rows {
        serde_json::to_writer(&mut out, r).map_err(Error::Manifest)?;
        out.write_all(b"\n").map_err(|e| Error::io(path, e))?;
    }
    let file = out
        .into_inner()
        .map_err(|e| Error::io(path, e.into_error()))?;
    file.sync_all().map_err(|e| Error::io(path, e))
}

impl Lake {
    /// Commits a verification run built by `make` (given the run id and the time of the
    /// check), under the lake's lock. Returns the run id and what it recorded.
    /// Records verification reports, each over the source at its base (see
    /// [`source_base`]), as one run.
    pub fn record_reports(&self, reports: &[(String, Report)]) -> Result<(String, Verdicts)> {
        self.record_verification(|run, checked| {
            let mut all = Verdicts::default();
            for (base, report) in reports {
                let v = verdicts(base, report, checked, run);
                all.files.extend(v.files);
                all.chains.extend(v.chains);
            }
            all
        })
    }

    pub fn record_verification(
        &self,
        make: impl FnOnce(&str, &str) -> Verdicts,
    ) -> Result<(String, Verdicts)> {
        let _lock = self.lock()?;
        let run = new_run_id();
        let started = chrono::Utc::now().to_rfc3339();
        let checked = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let verdicts = make(&run, &checked);
        let staging = self.staging(&run);
        let mut integrity = Vec::new();
        if !verdicts.files.is_empty() {
            let rel = format!("{FILES_DIR}/{run}.jsonl");
            write_lines(&staging.join(&rel), &verdicts.files)?;
            integrity.push(rel);
        }
        if !verdicts.chains.is_empty() {
            let rel = format!("{CHAINS_DIR}/{run}.jsonl");
            write_lines(&staging.join(&rel), &verdicts.chains)?;
            integrity.push(rel);
        }
        let manifest = RunManifest {
            run: run.clone(),
            kind: RunKind::Verify,
            trawl_version: env!("CARGO_PKG_VERSION").to_string(),
            schema_version: trawl_cloudtrail::SCHEMA_VERSION,
            started,
            committed: chrono::Utc::now().to_rfc3339(),
            sources: Vec::new(),
            added: Vec::new(),
            removed: Vec::new(),
            rejects: None,
            integrity,
            counts: Counts::default(),
        };
        self.commit(&manifest)?;
        Ok((run, verdicts))
    }
}
