//! Walking one digest chain: links between digests, breaks, gaps, moved digests and
//! signatures (from metadata or from the next digest's `previousDigestSignature`).

use std::collections::HashSet;

use crate::digest::{Digest, Header};
use crate::key::{self, DigestName, KeyKind};
use crate::report::{ChainId, FileKind, FileResult, Finding, Problem, SignatureSource};
use crate::signature::{KeyRing, SignatureCheck, signed_string};
use crate::time::Timestamp;

/// CloudTrail delivers a digest per trail and region every hour.
const DIGEST_PERIOD_SECS: i64 = 3600;

/// A digest as read from the source, with what the walk adds to it.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub key: String,
    pub name: DigestName,
    /// Inside the requested window; the others are read only as neighbours (for links).
    pub in_scope: bool,
    /// SHA-256 of the uncompressed file, when it could be read.
    pub sha256: Option<String>,
    pub digest: Option<Digest>,
    pub header: Option<Header>,
    pub metadata_signature: Option<String>,
    pub problems: Vec<Problem>,
    /// The next digest pointing here, and the signature it recorded for this one.
    pub successor: Option<(String, String)>,
}

impl Loaded {
    fn start(&self) -> Option<Timestamp> {
        self.header.as_ref().map(|h| h.start)
    }

    fn end(&self) -> Timestamp {
        self.header.as_ref().map_or(self.name.end, |h| h.end)
    }

    /// Verified means: a signature verified and nothing else is wrong.
    pub fn verified(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What the walk needs from outside the chain.
pub(crate) struct WalkContext<'a> {
    /// Every key the source listed.
    pub listed: &'a HashSet<String>,
    pub since: Option<Timestamp>,
    pub keys: &'a KeyRing,
}

pub(crate) struct WalkOutput {
    pub findings: Vec<Finding>,
    /// Digests referenced by a successor but absent.
    pub missing: Vec<FileResult>,
}

enum Predecessor {
    Loaded(usize),
    /// Present in the listing but outside the window (not read).
    Unread,
    Missing,
}

/// Walks `ds` (one chain, oldest first) and records problems on the digests.
pub(crate) fn walk(id: &ChainId, ds: &mut [Loaded], ctx: &WalkContext<'_>) -> WalkOutput {
    let chain = id.to_string();
    let mut out = WalkOutput {
        findings: Vec::new(),
        missing: Vec::new(),
    };
    for d in ds.iter_mut().filter(|d| d.in_scope) {
        check_placement(d);
    }
    for i in 0..ds.len() {
        if !ds[i].in_scope {
            continue;
        }
        let Some(header) = ds[i].header.clone() else {
            continue;
        };
        let Some(link) = header.previous else {
            // A starting digest after older ones: the trail (or validation) was off in between.
            if let Some(before) = i.checked_sub(1).map(|j| &ds[j]) {
                out.findings.push(Finding::LoggingStopped {
                    chain: chain.clone(),
                    last_before: before.key.clone(),
                    first_after: ds[i].key.clone(),
                    from: before.end(),
                    to: header.start,
                });
            }
            continue;
        };
        let resolved = key::resolve(&ds[i].name.location.base, &link.object);
        match find_predecessor(ds, &resolved, &link.object, ctx.listed) {
            Predecessor::Loaded(j) => {
                let successor = ds[i].key.clone();
                let p = &mut ds[j];
                if let Some(actual) = &p.sha256
                    && *actual != link.hash
                    && p.in_scope
                {
                    p.problems.push(Problem::HashDiffersFromSuccessor {
                        successor: successor.clone(),
                        recorded: link.hash.clone(),
                        actual: actual.clone(),
                    });
                }
                p.successor = Some((successor, link.signature.clone()));
            }
            Predecessor::Unread => {}
            Predecessor::Missing => {
                let missing_end = match key::classify(&resolved) {
                    KeyKind::Digest(n) => Some(n.end),
                    _ => None,
                };
                if let (Some(since), Some(end)) = (ctx.since, missing_end)
                    && end < since
                {
                    continue; // before the requested window: not ours to report
                }
                let before = i.checked_sub(1).map(|j| &ds[j]);
                let from = before.map(Loaded::end);
                let estimated_missing = from.map_or(1, |from| {
                    let span = header.start.seconds_since(&from);
                    let n = (span + DIGEST_PERIOD_SECS / 2) / DIGEST_PERIOD_SECS;
                    u32::try_from(n.max(1)).unwrap_or(u32::MAX)
                });
                out.findings.push(Finding::ChainBreak {
                    chain: chain.clone(),
                    missing: resolved.clone(),
                    referenced_by: ds[i].key.clone(),
                    last_present_before: before.map(|b| b.key.clone()),
                    from,
                    to: header.start,
                    estimated_missing,
                });
                let mut missing =
                    FileResult::new(resolved, FileKind::Digest, vec![Problem::Missing]);
                missing.chain = Some(chain.clone());
                out.missing.push(missing);
            }
        }
    }
    quiet_periods(&chain, ds, &mut out.findings);
    for d in ds.iter_mut().filter(|d| d.in_scope) {
        check_signature(d, ctx.keys);
    }
    out
}

/// aws-cli refuses a digest found elsewhere than where it was delivered; only the
/// `AWSLogs/...` part is compared so copies under another prefix still pass.
fn check_placement(d: &mut Loaded) {
    let Some(h) = &d.header else { return };
    if key::awslogs_part(&h.object) != key::awslogs_part(&d.key) {
        d.problems.push(Problem::Moved {
            recorded: h.object.clone(),
        });
    }
    if h.account != d.name.location.account {
        d.problems.push(Problem::AccountMismatch {
            in_file: h.account.clone(),
            in_key: d.name.location.account.clone(),
        });
    }
}

fn find_predecessor(
    ds: &[Loaded],
    resolved: &str,
    recorded: &str,
    listed: &HashSet<String>,
) -> Predecessor {
    if let Some(j) = ds.iter().position(|d| d.key == resolved) {
        return Predecessor::Loaded(j);
    }
    // A moved digest still says where it was delivered.
    let wanted = key::awslogs_part(recorded);
    if let Some(j) = ds.iter().position(|d| {
        d.header
            .as_ref()
            .is_some_and(|h| key::awslogs_part(&h.object) == wanted)
    }) {
        return Predecessor::Loaded(j);
    }
    if listed.contains(resolved) {
        Predecessor::Unread
    } else {
        Predecessor::Missing
    }
}

/// Merges runs of in-scope digests without log files into one finding each.
fn quiet_periods(chain: &str, ds: &[Loaded], findings: &mut Vec<Finding>) {
    let mut run: Option<(Timestamp, Timestamp, usize)> = None;
    let flush = |run: &mut Option<(Timestamp, Timestamp, usize)>, findings: &mut Vec<Finding>| {
        if let Some((from, to, digests)) = run.take() {
            findings.push(Finding::QuietPeriod {
                chain: chain.to_string(),
                from,
                to,
                digests,
            });
        }
    };
    for d in ds.iter().filter(|d| d.in_scope) {
        let empty = d.digest.as_ref().is_some_and(|g| g.log_files.is_empty());
        let restart = d.header.as_ref().is_some_and(|h| h.previous.is_none());
        if !empty || restart {
            flush(&mut run, findings);
        }
        if empty && let Some(start) = d.start() {
            run = Some(match run {
                Some((from, _, n)) => (from, d.end(), n + 1),
                None => (start, d.end(), 1),
            });
        }
    }
    flush(&mut run, findings);
}

fn check_signature(d: &mut Loaded, keys: &KeyRing) {
    let (Some(h), Some(sha256)) = (&d.header, &d.sha256) else {
        return;
    };
    let message = signed_string(
        &h.end_raw,
        &h.bucket,
        &h.object,
        sha256,
        h.previous.as_ref().map(|p| p.signature.as_str()),
    );
    let mut problems = Vec::new();
    if let (Some(meta), Some((successor, recorded))) = (&d.metadata_signature, &d.successor)
        && !meta.trim().eq_ignore_ascii_case(recorded.trim())
    {
        problems.push(Problem::SignatureDiffersFromSuccessor {
            successor: successor.clone(),
        });
    }
    if keys.get(&h.fingerprint).is_none() {
        problems.push(Problem::UnknownKey {
            fingerprint: h.fingerprint.clone(),
        });
    } else {
        let candidates = d
            .metadata_signature
            .iter()
            .map(|s| (SignatureSource::Metadata, s))
            .chain(
                d.successor
                    .iter()
                    .map(|(k, s)| (SignatureSource::Successor(k.clone()), s)),
            );
        let mut any = false;
        for (source, signature) in candidates {
            any = true;
            if keys.verify(&h.fingerprint, message.as_bytes(), signature) != SignatureCheck::Valid {
                problems.push(Problem::SignatureInvalid { source });
            }
        }
        if !any {
            problems.push(Problem::NoSignature);
        }
    }
    d.problems.extend(problems);
}
