//! What verification found: per-file statuses, chain findings, and the summary counts
//! `aws cloudtrail validate-logs` prints. Everything serializes to JSON.

use std::fmt::{self, Write as _};

use serde::Serialize;

use crate::key::Location;
use crate::time::Timestamp;

/// One digest chain: the digests of one trail delivered by one region for one account.
/// Backfill digests form a chain of their own.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ChainId {
    #[serde(flatten)]
    pub location: Location,
    pub trail: String,
    pub home_region: String,
    pub backfill: bool,
}

impl fmt::Display for ChainId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let l = &self.location;
        write!(f, "{}", l.base)?;
        if let Some(org) = &l.org {
            write!(f, "{org}/")?;
        }
        write!(f, "{}/{}/{}", l.account, l.region, self.trail)?;
        if self.backfill {
            f.write_str(" (backfill)")?;
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Digest,
    Log,
}

/// A file's verdict, worst first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Content does not match what vouches for it (or cannot be read).
    Invalid,
    /// Referenced by a digest but absent.
    NotFound,
    /// Present and possibly fine, but nothing could vouch for it (no signature, digest not verified).
    NotChecked,
    /// A log file present that no digest lists.
    Unlisted,
    Valid,
}

/// Where a checked signature came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "from", content = "key")]
pub enum SignatureSource {
    /// The `x-amz-meta-signature` metadata (a `.sig` sidecar for local copies).
    Metadata,
    /// The `previousDigestSignature` of the named next digest.
    Successor(String),
}

/// Why an unlisted log file is unlisted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnlistedReason {
    /// Delivered after the newest digest started: the next digest (not present) should list it.
    NewerThanNewestDigest,
    /// Inside the period the digests cover, yet none lists it.
    NotInAnyDigest,
}

/// One thing wrong with (or unverifiable about) a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// The object could not be read from the source.
    Unreadable { detail: String },
    /// Not a valid gzip stream (truncated or corrupt).
    NotGzip { detail: String },
    /// Bytes after the single gzip member CloudTrail writes.
    TrailingData,
    /// The digest JSON is unusable (missing fields, bad times, other algorithms).
    MalformedDigest { detail: String },
    /// `awsAccountId` differs from the account in the key.
    AccountMismatch { in_file: String, in_key: String },
    /// The digest is not where its `digestS3Object` says it was delivered.
    Moved { recorded: String },
    /// No public key with the digest's `digestPublicKeyFingerprint`.
    UnknownKey { fingerprint: String },
    /// A signature was found but does not verify.
    SignatureInvalid { source: SignatureSource },
    /// The metadata signature differs from what the next digest recorded.
    SignatureDiffersFromSuccessor { successor: String },
    /// The uncompressed digest differs from the `previousDigestHashValue` its successor recorded.
    HashDiffersFromSuccessor {
        successor: String,
        recorded: String,
        actual: String,
    },
    /// Neither metadata nor a successor supplied a signature.
    NoSignature,
    /// A log file's uncompressed SHA-256 differs from its digest entry.
    HashMismatch { expected: String, actual: String },
    /// A digest entry with another hash algorithm than SHA-256.
    UnsupportedHashAlgorithm { algorithm: String },
    /// A listed file is absent.
    Missing,
    /// The log file matches its digest, but that digest is not verified.
    DigestNotVerified { digest: String },
    /// No digest lists this log file.
    NotListed { reason: UnlistedReason },
}

impl Problem {
    /// The status this problem gives a file on its own.
    pub fn status(&self) -> Status {
        match self {
            Problem::Missing => Status::NotFound,
            Problem::NoSignature | Problem::DigestNotVerified { .. } => Status::NotChecked,
            Problem::NotListed { .. } => Status::Unlisted,
            _ => Status::Invalid,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Unreadable { detail } => write!(f, "unreadable: {detail}"),
            Problem::NotGzip { detail } => write!(f, "not a valid gzip file: {detail}"),
            Problem::TrailingData => f.write_str("data after the end of the gzip stream"),
            Problem::MalformedDigest { detail } => write!(f, "malformed digest: {detail}"),
            Problem::AccountMismatch { in_file, in_key } => {
                write!(
                    f,
                    "digest is for account {in_file} but stored under {in_key}"
                )
            }
            Problem::Moved { recorded } => write!(f, "digest has been moved from {recorded}"),
            Problem::UnknownKey { fingerprint } => {
                write!(f, "no public key with fingerprint {fingerprint}")
            }
            Problem::SignatureInvalid { source } => match source {
                SignatureSource::Metadata => f.write_str("signature (metadata) does not verify"),
                SignatureSource::Successor(k) => {
                    write!(
                        f,
                        "signature recorded by the next digest {k} does not verify"
                    )
                }
            },
            Problem::SignatureDiffersFromSuccessor { successor } => {
                write!(f, "signature differs from the one recorded by {successor}")
            }
            Problem::HashDiffersFromSuccessor { successor, .. } => {
                write!(f, "hash differs from the one recorded by {successor}")
            }
            Problem::NoSignature => {
                f.write_str("no signature (no metadata/sidecar, no next digest)")
            }
            Problem::HashMismatch { .. } => f.write_str("hash value doesn't match"),
            Problem::UnsupportedHashAlgorithm { algorithm } => {
                write!(f, "unsupported hash algorithm {algorithm}")
            }
            Problem::Missing => f.write_str("not found"),
            Problem::DigestNotVerified { digest } => {
                write!(f, "matches digest {digest}, which is not verified")
            }
            Problem::NotListed { reason } => match reason {
                UnlistedReason::NewerThanNewestDigest => {
                    f.write_str("not listed yet: newer than the newest digest")
                }
                UnlistedReason::NotInAnyDigest => f.write_str("not listed in any digest"),
            },
        }
    }
}

/// The verdict on one digest or log file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileResult {
    pub key: String,
    pub kind: FileKind,
    pub status: Status,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
    /// The chain a digest belongs to (as text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<String>,
    /// For a log file: the digest that lists it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listed_by: Option<String>,
}

impl FileResult {
    pub fn new(key: String, kind: FileKind, problems: Vec<Problem>) -> Self {
        let status = problems
            .iter()
            .map(Problem::status)
            .min()
            .unwrap_or(Status::Valid);
        Self {
            key,
            kind,
            status,
            problems,
            chain: None,
            listed_by: None,
        }
    }
}

/// Something about a chain as a whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// A digest's predecessor is absent: digests were deleted (or, at the start of what was
    /// copied, not copied). `last_present_before` is the newest older digest still present.
    ChainBreak {
        chain: String,
        missing: String,
        referenced_by: String,
        last_present_before: Option<String>,
        from: Option<Timestamp>,
        to: Timestamp,
        /// Digests are hourly, so the span says how many are gone (at least one).
        estimated_missing: u32,
    },
    /// A starting digest after older ones: logging (or validation) was off in between, so
    /// nothing was delivered or vouched for from `from` to `to`.
    LoggingStopped {
        chain: String,
        last_before: String,
        first_after: String,
        from: Timestamp,
        to: Timestamp,
    },
    /// Consecutive digests with no log files: no activity was delivered in this period.
    QuietPeriod {
        chain: String,
        from: Timestamp,
        to: Timestamp,
        digests: usize,
    },
    /// A file under `CloudTrail-Digest/` not named like a digest.
    UnrecognisedDigestName { key: String },
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::ChainBreak {
                chain,
                missing,
                last_present_before,
                from,
                to,
                estimated_missing,
                ..
            } => {
                write!(f, "{chain}: chain broken, digest {missing} is missing")?;
                match (last_present_before, from) {
                    (Some(prev), Some(from)) => write!(
                        f,
                        " (about {estimated_missing} digest(s) between {prev} ending {from} and the next starting {to})"
                    ),
                    _ => write!(
                        f,
                        " (no older digest present; the chain continues from {to})"
                    ),
                }
            }
            Finding::LoggingStopped {
                chain, from, to, ..
            } => write!(
                f,
                "{chain}: no log files were delivered between {from} and {to} (logging or validation was off)"
            ),
            Finding::QuietPeriod {
                chain,
                from,
                to,
                digests,
            } => write!(
                f,
                "{chain}: no log files delivered between {from} and {to} ({digests} empty digest(s))"
            ),
            Finding::UnrecognisedDigestName { key } => {
                write!(
                    f,
                    "{key}: under CloudTrail-Digest/ but not named like a digest"
                )
            }
        }
    }
}

/// Counts of files per status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub total: usize,
    pub valid: usize,
    pub invalid: usize,
    pub not_found: usize,
    pub not_checked: usize,
    pub unlisted: usize,
}

impl Counts {
    pub fn of<'a>(files: impl IntoIterator<Item = &'a FileResult>) -> Self {
        let mut c = Counts::default();
        for f in files {
            c.total += 1;
            match f.status {
                Status::Valid => c.valid += 1,
                Status::Invalid => c.invalid += 1,
                Status::NotFound => c.not_found += 1,
                Status::NotChecked => c.not_checked += 1,
                Status::Unlisted => c.unlisted += 1,
            }
        }
        c
    }
}

/// One chain's extent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainSummary {
    pub chain: ChainId,
    pub digests: usize,
    pub first_start: Option<Timestamp>,
    pub last_end: Option<Timestamp>,
}

/// Everything verification found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    pub source: String,
    pub requested_since: Option<Timestamp>,
    pub requested_until: Option<Timestamp>,
    /// The span the checked digests cover.
    pub found_from: Option<Timestamp>,
    pub found_to: Option<Timestamp>,
    pub digest_counts: Counts,
    pub log_counts: Counts,
    pub chains: Vec<ChainSummary>,
    pub findings: Vec<Finding>,
    /// Digests first (chain order, oldest first), then log files.
    pub files: Vec<FileResult>,
}

impl Report {
    pub fn digests(&self) -> impl Iterator<Item = &FileResult> {
        self.files.iter().filter(|f| f.kind == FileKind::Digest)
    }

    pub fn logs(&self) -> impl Iterator<Item = &FileResult> {
        self.files.iter().filter(|f| f.kind == FileKind::Log)
    }

    pub fn file(&self, key: &str) -> Option<&FileResult> {
        self.files.iter().find(|f| f.key == key)
    }

    /// True when every digest and log file is valid and no chain is broken (the exit-0 case).
    /// Quiet periods and logging gaps are not failures in themselves, but the log files a gap
    /// leaves unlisted (and digests left unsigned) are not valid, so they make this false.
    pub fn is_clean(&self) -> bool {
        let all_valid = |c: &Counts| c.valid == c.total;
        all_valid(&self.digest_counts)
            && all_valid(&self.log_counts)
            && !self
                .findings
                .iter()
                .any(|f| matches!(f, Finding::ChainBreak { .. }))
    }

    /// The summary in the style of `aws cloudtrail validate-logs`.
    pub fn summary_text(&self) -> String {
        let t = |t: &Option<Timestamp>, none: &str| t.map_or(none.to_string(), |t| t.to_string());
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Results requested for {} to {}",
            t(&self.requested_since, "the earliest digest"),
            t(&self.requested_until, "the newest digest")
        );
        if self.digest_counts.total == 0 {
            let _ = writeln!(s, "No digest files found in {}", self.source);
            return s;
        }
        let _ = writeln!(
            s,
            "Results found for {} to {}:\n",
            t(&self.found_from, "?"),
            t(&self.found_to, "?")
        );
        for (what, c) in [("digest", &self.digest_counts), ("log", &self.log_counts)] {
            let _ = writeln!(s, "{}/{} {what} files valid", c.valid, c.total);
            for (n, label) in [
                (c.invalid, "INVALID"),
                (c.not_found, "INVALID: not found"),
                (c.not_checked, "not checked"),
                (c.unlisted, "not listed in any digest"),
            ] {
                if n > 0 {
                    let _ = writeln!(s, "{n}/{} {what} files {label}", c.total);
                }
            }
        }
        if !self.findings.is_empty() {
            s.push('\n');
            for f in &self.findings {
                let _ = writeln!(s, "{f}");
            }
        }
        s
    }
}
