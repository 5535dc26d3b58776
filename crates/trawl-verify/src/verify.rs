//! The entry point: discover digests and log files in a [`Source`], read and hash them in
//! parallel, walk the chains, and assemble the [`Report`].

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::num::NonZeroUsize;
use std::thread;

use thiserror::Error;

use crate::chain::{self, Loaded, WalkContext};
use crate::content::{ContentError, hash_gunzipped};
use crate::digest::{Digest, HASH_ALGORITHM};
use crate::key::{self, DigestName, KeyKind, Location, LogName};
use crate::pool::par_map;
use crate::report::{
    ChainId, ChainSummary, Counts, FileKind, FileResult, Finding, Problem, Report, Status,
    UnlistedReason,
};
use crate::signature::KeyRing;
use crate::source::{Source, SourceError};
use crate::time::Timestamp;

/// Digests are small JSON files; refuse to hold anything absurd in memory.
const MAX_DIGEST_BYTES: usize = 256 * 1024 * 1024;
/// How late a log file may be delivered after the time in its name (CloudTrail says
/// about 5 minutes on average), when deciding whether the newest digest should list it.
const DELIVERY_SLACK_SECS: i64 = 15 * 60;

/// What to verify.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// Key prefixes to list (`""` or none = everything in the source).
    pub prefixes: Vec<String>,
    /// Only these accounts / regions / trail names (empty = all).
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub trails: Vec<String>,
    /// Only digests whose end time (from the key name) is within `[since, until]`.
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// Worker threads for hashing (default: all cores).
    pub threads: Option<NonZeroUsize>,
    /// Skip the search for log files no digest lists.
    pub skip_unlisted: bool,
}

#[derive(Debug, Error)]
pub enum VerifyError {
    #[error("listing {prefix:?} failed: {source}")]
    List {
        prefix: String,
        #[source]
        source: SourceError,
    },
}

impl VerifyOptions {
    fn wants(&self, n: &DigestName) -> bool {
        let ok = |list: &[String], v: &str| list.is_empty() || list.iter().any(|x| x == v);
        ok(&self.accounts, &n.location.account)
            && ok(&self.regions, &n.location.region)
            && ok(&self.trails, &n.trail)
    }

    fn in_window(&self, t: Timestamp) -> bool {
        self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t <= u)
    }
}

/// Verifies every digest chain (and the log files the digests list) found in `source`.
/// Only a failure to list is an error; everything about individual files is in the report.
pub fn verify(
    source: &dyn Source,
    keys: &KeyRing,
    options: &VerifyOptions,
) -> Result<Report, VerifyError> {
    let threads = options
        .threads
        .or_else(|| thread::available_parallelism().ok())
        .map_or(1, NonZeroUsize::get);

    let Discovered {
        listed,
        mut findings,
        chains,
        logs,
    } = discover(source, options)?;

    // Which digests to read: the window and its neighbours (see `select`).
    let mut chain_digests: Vec<(ChainId, Vec<Loaded>)> = Vec::new();
    for (id, members) in chains {
        let loaded: Vec<Loaded> = select(members, options)
            .into_iter()
            .map(|(key, name, in_scope)| Loaded {
                key,
                name,
                in_scope,
                sha256: None,
                digest: None,
                header: None,
                metadata_signature: None,
                problems: Vec::new(),
                successor: None,
            })
            .collect();
        if !loaded.is_empty() {
            chain_digests.push((id, loaded));
        }
    }

    // Read, hash and parse digests in parallel.
    let jobs: Vec<(usize, usize)> = chain_digests
        .iter()
        .enumerate()
        .flat_map(|(c, (_, ds))| (0..ds.len()).map(move |i| (c, i)))
        .collect();
    let read = par_map(&jobs, threads, |&(c, i)| {
        read_digest(source, &chain_digests[c].1[i].key)
    });
    for (&(c, i), r) in jobs.iter().zip(read) {
        let d = &mut chain_digests[c].1[i];
        d.sha256 = r.sha256;
        d.digest = r.digest;
        d.header = r.header;
        d.metadata_signature = r.metadata_signature;
        d.problems = r.problems;
    }

    // Walk each chain.
    let ctx = WalkContext {
        listed: &listed,
        since: options.since,
        keys,
    };
    let mut missing_digests = Vec::new();
    for (id, ds) in &mut chain_digests {
        let out = chain::walk(id, ds, &ctx);
        findings.extend(out.findings);
        missing_digests.extend(out.missing);
    }

    // Log files listed by the digests in the window.
    struct LogJob {
        key: String,
        expected: String,
        digest: String,
        digest_verified: bool,
        problems: Vec<Problem>,
        needs_hash: bool,
    }
    let mut log_jobs: Vec<LogJob> = Vec::new();
    let mut listed_logs: HashSet<String> = HashSet::new();
    for (_, ds) in &chain_digests {
        for d in ds {
            let Some(digest) = &d.digest else { continue };
            for entry in &digest.log_files {
                let resolved = key::resolve(&d.name.location.base, &entry.s3_object);
                listed_logs.insert(resolved.clone());
                if !d.in_scope {
                    continue;
                }
                let mut problems = Vec::new();
                if let Some(a) = entry.hash_algorithm.as_deref()
                    && a != HASH_ALGORITHM
                {
                    problems.push(Problem::UnsupportedHashAlgorithm {
                        algorithm: a.to_string(),
                    });
                } else if !listed.contains(&resolved) {
                    problems.push(Problem::Missing);
                }
                log_jobs.push(LogJob {
                    needs_hash: problems.is_empty(),
                    key: resolved,
                    expected: entry.hash_value.to_ascii_lowercase(),
                    digest: d.key.clone(),
                    digest_verified: d.verified(),
                    problems,
                });
            }
        }
    }
    let to_hash: Vec<String> = log_jobs
        .iter()
        .filter(|j| j.needs_hash)
        .map(|j| j.key.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let hashes = par_map(&to_hash, threads, |k| hash_object(source, k));
    let hashed: HashMap<String, Result<String, Problem>> =
        to_hash.into_iter().zip(hashes).collect();
    let mut log_results = Vec::new();
    for mut job in log_jobs {
        if job.needs_hash {
            match hashed.get(job.key.as_str()) {
                Some(Ok(actual)) if *actual == job.expected && !job.digest_verified => {
                    job.problems.push(Problem::DigestNotVerified {
                        digest: job.digest.clone(),
                    });
                }
                Some(Ok(actual)) if *actual == job.expected => {}
                Some(Ok(actual)) => job.problems.push(Problem::HashMismatch {
                    expected: job.expected.clone(),
                    actual: actual.clone(),
                }),
                Some(Err(p)) => job.problems.push(p.clone()),
                None => {}
            }
        }
        let mut r = FileResult::new(job.key, FileKind::Log, job.problems);
        r.listed_by = Some(job.digest);
        log_results.push(r);
    }

    // Log files present that no digest lists, where we checked chains.
    if !options.skip_unlisted {
        let mut newest_end: HashMap<&Location, Timestamp> = HashMap::new();
        for (id, ds) in &chain_digests {
            if let Some(end) = ds
                .iter()
                .filter(|d| d.header.is_some())
                .map(|d| d.name.end)
                .max()
            {
                let e = newest_end.entry(&id.location).or_insert(end);
                *e = (*e).max(end);
            }
        }
        for (k, n) in &logs {
            let Some(&newest) = newest_end.get(&n.location) else {
                continue;
            };
            if listed_logs.contains(k) || n.time.is_some_and(|t| !options.in_window(t)) {
                continue;
            }
            let reason = match n.time {
                Some(t) if newest.seconds_since(&t) <= DELIVERY_SLACK_SECS => {
                    UnlistedReason::NewerThanNewestDigest
                }
                _ => UnlistedReason::NotInAnyDigest,
            };
            log_results.push(FileResult::new(
                k.clone(),
                FileKind::Log,
                vec![Problem::NotListed { reason }],
            ));
        }
    }

    // Assemble.
    let mut files = Vec::new();
    let mut summaries = Vec::new();
    let (mut found_from, mut found_to): (Option<Timestamp>, Option<Timestamp>) = (None, None);
    for (id, ds) in chain_digests {
        let chain = id.to_string();
        let mut summary = ChainSummary {
            chain: id,
            digests: 0,
            first_start: None,
            last_end: None,
        };
        for d in ds.into_iter().filter(|d| d.in_scope) {
            summary.digests += 1;
            if let Some(h) = &d.header {
                summary.first_start = Some(summary.first_start.map_or(h.start, |t| t.min(h.start)));
                summary.last_end = Some(summary.last_end.map_or(h.end, |t| t.max(h.end)));
            }
            let mut r = FileResult::new(d.key, FileKind::Digest, d.problems);
            r.chain = Some(chain.clone());
            files.push(r);
        }
        found_from = min_opt(found_from, summary.first_start);
        found_to = max_opt(found_to, summary.last_end);
        summaries.push(summary);
    }
    files.extend(missing_digests);
    log_results.sort_by(|a, b| a.key.cmp(&b.key));
    files.extend(log_results);
    let digest_counts = Counts::of(files.iter().filter(|f| f.kind == FileKind::Digest));
    let log_counts = Counts::of(files.iter().filter(|f| f.kind == FileKind::Log));
    debug_assert!(
        files
            .iter()
            .all(|f| f.status != Status::Valid || f.problems.is_empty())
    );
    Ok(Report {
        source: source.describe(),
        requested_since: options.since,
        requested_until: options.until,
        found_from,
        found_to,
        digest_counts,
        log_counts,
        chains: summaries,
        findings,
        files,
    })
}

/// What listing the source found: every key, the wanted digests by chain, the log files.
struct Discovered {
    listed: HashSet<String>,
    findings: Vec<Finding>,
    chains: BTreeMap<ChainId, Vec<(String, DigestName)>>,
    logs: Vec<(String, LogName)>,
}

fn discover(source: &dyn Source, options: &VerifyOptions) -> Result<Discovered, VerifyError> {
    let mut listed = HashSet::new();
    let prefixes = if options.prefixes.is_empty() {
        vec![String::new()]
    } else {
        options.prefixes.clone()
    };
    for prefix in &prefixes {
        let entries = source.list(prefix).map_err(|source| VerifyError::List {
            prefix: prefix.clone(),
            source,
        })?;
        listed.extend(entries.into_iter().map(|e| e.key));
    }
    let mut findings = Vec::new();
    let mut chains: BTreeMap<ChainId, Vec<(String, DigestName)>> = BTreeMap::new();
    let mut logs: Vec<(String, LogName)> = Vec::new();
    let mut sorted_keys: Vec<&String> = listed.iter().collect();
    sorted_keys.sort();
    for k in sorted_keys {
        match key::classify(k) {
            KeyKind::Digest(n) if options.wants(&n) => {
                let id = ChainId {
                    location: n.location.clone(),
                    trail: n.trail.clone(),
                    home_region: n.home_region.clone(),
                    backfill: n.backfill,
                };
                chains.entry(id).or_default().push((k.clone(), n));
            }
            KeyKind::UnrecognisedDigest => {
                findings.push(Finding::UnrecognisedDigestName { key: k.clone() })
            }
            KeyKind::Log(n) => logs.push((k.clone(), n)),
            _ => {}
        }
    }
    Ok(Discovered {
        listed,
        findings,
        chains,
        logs,
    })
}

/// The digests of one chain to read, oldest first, each with whether it is in the window:
/// those in the window plus one neighbour either side, whose links and recorded signatures
/// vouch for the window's edges. Empty when no digest of the chain is in the window.
fn select(
    mut members: Vec<(String, DigestName)>,
    options: &VerifyOptions,
) -> Vec<(String, DigestName, bool)> {
    members.sort_by(|a, b| (a.1.end, &a.0).cmp(&(b.1.end, &b.0)));
    let in_scope: Vec<bool> = members
        .iter()
        .map(|(_, n)| options.in_window(n.end))
        .collect();
    let (Some(first), Some(last)) = (
        in_scope.iter().position(|&s| s),
        in_scope.iter().rposition(|&s| s),
    ) else {
        return Vec::new();
    };
    let lo = first.saturating_sub(1);
    let hi = (last + 1).min(members.len() - 1);
    members
        .into_iter()
        .zip(in_scope)
        .enumerate()
        .filter(|(i, _)| (lo..=hi).contains(i))
        .map(|(_, ((key, name), in_scope))| (key, name, in_scope))
        .collect()
}

/// The digests of one delivering region that [`verify`] would read, by the end times in
/// their key names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DigestSpan {
    /// End time of the oldest digest (its period started an hour or so before).
    pub first_end: Timestamp,
    /// End time of the newest digest (it was signed shortly after).
    pub last_end: Timestamp,
    /// How many digests (all chains of the region together).
    pub digests: usize,
    /// Some are backfill digests. Those are signed when CloudTrail generates them, which can
    /// be long after their end time and is recorded only in their S3 metadata.
    pub backfill: bool,
}

/// How far before and after its digests' end times to look for the keys of a region: keys
/// rotate, and a digest is signed minutes after its end time (aws-cli pads by hours).
pub const KEY_RANGE_PADDING_SECS: i64 = 24 * 3600;

impl DigestSpan {
    /// The time range to ask `ListPublicKeys` for so every key that can have signed these
    /// digests is included: padded by [`KEY_RANGE_PADDING_SECS`], up to `now` when backfill
    /// digests are among them, and never past `now` (no key signed later).
    pub fn key_range(&self, now: Timestamp) -> (Timestamp, Timestamp) {
        let pad = chrono::Duration::seconds(KEY_RANGE_PADDING_SECS);
        let end = if self.backfill {
            now
        } else {
            Timestamp(self.last_end.0 + pad).min(now)
        };
        (Timestamp(self.first_end.0 - pad).min(end), end)
    }
}

/// The delivering regions whose digests [`verify`] would read with these options, and the
/// time span of those digests, from listing alone (nothing is read). Each region signs with
/// its own key, so this says which public keys to fetch: per region, ListPublicKeys over
/// [`DigestSpan::key_range`].
pub fn digest_regions(
    source: &dyn Source,
    options: &VerifyOptions,
) -> Result<BTreeMap<String, DigestSpan>, VerifyError> {
    let mut regions: BTreeMap<String, DigestSpan> = BTreeMap::new();
    for (_, members) in discover(source, options)?.chains {
        for (_, name, _) in select(members, options) {
            regions
                .entry(name.location.region)
                .and_modify(|s| {
                    s.first_end = s.first_end.min(name.end);
                    s.last_end = s.last_end.max(name.end);
                    s.digests += 1;
                    s.backfill |= name.backfill;
                })
                .or_insert(DigestSpan {
                    first_end: name.end,
                    last_end: name.end,
                    digests: 1,
                    backfill: name.backfill,
                });
        }
    }
    Ok(regions)
}

fn min_opt(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_opt(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

struct ReadDigest {
    sha256: Option<String>,
    digest: Option<Digest>,
    header: Option<crate::digest::Header>,
    metadata_signature: Option<String>,
    problems: Vec<Problem>,
}

fn read_digest(source: &dyn Source, key: &str) -> ReadDigest {
    let mut r = ReadDigest {
        sha256: None,
        digest: None,
        header: None,
        metadata_signature: None,
        problems: Vec::new(),
    };
    match source.signature(key) {
        Ok(s) => r.metadata_signature = s,
        Err(e) => r.problems.push(Problem::Unreadable {
            detail: format!("signature metadata: {e}"),
        }),
    }
    let hashed = match source.open(key) {
        Ok(reader) => hash_gunzipped(reader, Some(MAX_DIGEST_BYTES)).map_err(content_problem),
        Err(e) => Err(Problem::Unreadable {
            detail: e.to_string(),
        }),
    };
    match hashed {
        Ok(h) => {
            r.sha256 = Some(h.sha256);
            match Digest::parse(h.bytes.as_deref().unwrap_or_default()) {
                Ok(d) => {
                    match d.header() {
                        Ok(header) => r.header = Some(header),
                        Err(e) => r.problems.push(Problem::MalformedDigest {
                            detail: e.to_string(),
                        }),
                    }
                    r.digest = Some(d);
                }
                Err(e) => r.problems.push(Problem::MalformedDigest {
                    detail: e.to_string(),
                }),
            }
        }
        Err(p) => r.problems.push(p),
    }
    r
}

fn hash_object(source: &dyn Source, key: &str) -> Result<String, Problem> {
    match source.open(key) {
        Ok(reader) => hash_gunzipped(reader, None)
            .map(|h| h.sha256)
            .map_err(content_problem),
        Err(SourceError::NotFound { .. }) => Err(Problem::Missing),
        Err(e) => Err(Problem::Unreadable {
            detail: e.to_string(),
        }),
    }
}

fn content_problem(e: ContentError) -> Problem {
    match e {
        ContentError::TrailingData => Problem::TrailingData,
        ContentError::Gzip(e) => Problem::NotGzip {
            detail: e.to_string(),
        },
        e @ (ContentError::TooLarge { .. } | ContentError::Read(_)) => Problem::Unreadable {
            detail: e.to_string(),
        },
    }
}
