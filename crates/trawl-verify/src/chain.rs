//! Walking one digest chain: links between digests, breaks, gaps, moved digests and
//! signatures (from metadata or from the next digest's `previousDigestSignature`).

use std::collections::{HashMap, HashSet};

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
    /// The next digest pointing here, and what it recorded about this one.
    pub successor: Option<Successor>,
}

/// What a digest's successor recorded about it (`previousDigestHashValue`/`Signature`).
#[derive(Debug, Clone)]
pub(crate) struct Successor {
    pub index: usize,
    pub key: String,
    pub hash: String,
    pub signature: String,
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
    let index = Index::new(ds);
    for i in 0..ds.len() {
        let Some(header) = ds[i].header.clone() else {
            continue;
        };
        // Out-of-window neighbours are walked too: the one after the window records the
        // signature of the newest digest inside it.
        let in_scope = ds[i].in_scope;
        let Some(link) = header.previous else {
            // A starting digest after older ones: the trail (or validation) was off in between.
            if let Some(before) = i.checked_sub(1).map(|j| &ds[j])
                && in_scope
            {
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
        match index.predecessor(&resolved, &link.object, ctx.listed) {
            Predecessor::Loaded(j) => {
                ds[j].successor = Some(Successor {
                    index: i,
                    key: ds[i].key.clone(),
                    hash: link.hash.clone(),
                    signature: link.signature.clone(),
                });
            }
            Predecessor::Unread => {}
            Predecessor::Missing if !in_scope => {}
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
    // A valid RSA signature authenticates a digest whatever supplied it, so first decide
    // which digests are authentic; only an authentic successor's record can convict its
    // predecessor (a forged record convicts the forger, whose own signature fails).
    let outcomes: Vec<Option<SignatureOutcome>> =
        ds.iter().map(|d| signature_outcome(d, ctx.keys)).collect();
    let authentic = |i: usize| outcomes[i].as_ref().is_some_and(|o| o.verified);
    for (i, d) in ds.iter_mut().enumerate() {
        if !d.in_scope {
            continue;
        }
        let trusted = d.successor.clone().filter(|s| authentic(s.index));
        if let (Some(s), Some(actual)) = (&trusted, &d.sha256)
            && s.hash != *actual
        {
            d.problems.push(Problem::HashDiffersFromSuccessor {
                successor: s.key.clone(),
                recorded: s.hash.clone(),
                actual: actual.clone(),
            });
        }
        if let (Some(s), Some(meta)) = (&trusted, &d.metadata_signature)
            && !meta.trim().eq_ignore_ascii_case(s.signature.trim())
        {
            d.problems.push(Problem::SignatureDiffersFromSuccessor {
                successor: s.key.clone(),
            });
        }
        let Some(outcome) = &outcomes[i] else {
            continue; // unreadable or malformed: already reported
        };
        if let Some(fingerprint) = &outcome.unknown_key {
            d.problems.push(Problem::UnknownKey {
                fingerprint: fingerprint.clone(),
            });
            continue;
        }
        let mut counted = false;
        for failed in &outcome.failed {
            let blame = match failed {
                SignatureSource::Metadata => true,
                SignatureSource::Successor(_) => trusted.is_some(),
            };
            if blame {
                counted = true;
                d.problems.push(Problem::SignatureInvalid {
                    source: failed.clone(),
                });
            }
        }
        if !outcome.verified && !counted {
            d.problems.push(Problem::NoSignature);
        }
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

/// Looks digests up by where they are and by where they say they were delivered.
struct Index {
    by_key: HashMap<String, usize>,
    by_recorded: HashMap<String, usize>,
}

impl Index {
    fn new(ds: &[Loaded]) -> Self {
        let by_key = ds
            .iter()
            .enumerate()
            .map(|(i, d)| (d.key.clone(), i))
            .collect();
        let by_recorded = ds
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                let h = d.header.as_ref()?;
                Some((key::awslogs_part(&h.object).to_string(), i))
            })
            .collect();
        Self {
            by_key,
            by_recorded,
        }
    }

    fn predecessor(&self, resolved: &str, recorded: &str, listed: &HashSet<String>) -> Predecessor {
        if let Some(&j) = self.by_key.get(resolved) {
            return Predecessor::Loaded(j);
        }
        // A moved digest still says where it was delivered.
        if let Some(&j) = self.by_recorded.get(key::awslogs_part(recorded)) {
            return Predecessor::Loaded(j);
        }
        if listed.contains(resolved) {
            Predecessor::Unread
        } else {
            Predecessor::Missing
        }
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

struct SignatureOutcome {
    /// Some candidate signature verified.
    verified: bool,
    /// Candidates that did not verify.
    failed: Vec<SignatureSource>,
    /// Set when the key ring lacks the digest's key.
    unknown_key: Option<String>,
}

/// Checks every signature offered for `d`: its metadata and its successor's record.
fn signature_outcome(d: &Loaded, keys: &KeyRing) -> Option<SignatureOutcome> {
    let (Some(h), Some(sha256)) = (&d.header, &d.sha256) else {
        return None;
    };
    if keys.get(&h.fingerprint).is_none() {
        return Some(SignatureOutcome {
            verified: false,
            failed: Vec::new(),
            unknown_key: Some(h.fingerprint.clone()),
        });
    }
    let message = signed_string(
        &h.end_raw,
        &h.bucket,
        &h.object,
        sha256,
        h.previous.as_ref().map(|p| p.signature.as_str()),
    );
    let candidates = d
        .metadata_signature
        .iter()
        .map(|s| (SignatureSource::Metadata, s))
        .chain(
            d.successor
                .iter()
                .map(|s| (SignatureSource::Successor(s.key.clone()), &s.signature)),
        );
    let mut outcome = SignatureOutcome {
        verified: false,
        failed: Vec::new(),
        unknown_key: None,
    };
    for (source, signature) in candidates {
        if keys.verify(&h.fingerprint, message.as_bytes(), signature) == SignatureCheck::Valid {
            outcome.verified = true;
        } else {
            outcome.failed.push(source);
        }
    }
    Some(outcome)
}
