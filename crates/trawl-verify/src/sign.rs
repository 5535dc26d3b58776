//! Writing signed, chained digests for a tree of delivered log files, the way CloudTrail
//! does: one per hour per (account, region), each linking to the previous one. For tests
//! and the generator; the key is an ordinary RSA key (PKCS#8), not CloudTrail's.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use chrono::{Datelike, Duration, DurationRound};
use flate2::{Compression, write::GzEncoder};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use serde::Deserialize;
use thiserror::Error;

use crate::content::{ContentError, hash_gunzipped};
use crate::digest::{Digest, HASH_ALGORITHM, LogFileEntry, SIGNATURE_ALGORITHM};
use crate::key::{self, KeyKind, Location};
use crate::signature::{KeyRing, fingerprint, signed_string};
use crate::source::{LocalSource, SIGNATURE_SIDECAR_EXT, Source, SourceError};
use crate::time::Timestamp;

#[derive(Debug, Error)]
pub enum SignError {
    #[error("not an RSA PKCS#8 private key: {0}")]
    Key(String),
    #[error("signing failed")]
    Sign,
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("{key}: {source}")]
    Content {
        key: String,
        #[source]
        source: ContentError,
    },
    #[error("{key}: log file name has no delivery time")]
    UntimedLog { key: String },
    #[error("{path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// The committed TEST-ONLY key (`testdata/TEST-ONLY-rsa-2048.pk8`, PKCS#8 DER): for tests and
/// generated archives. Its private half is public, so a digest it signs proves nothing.
pub const TEST_ONLY_KEY_PKCS8: &[u8] = include_bytes!("../testdata/TEST-ONLY-rsa-2048.pk8");

/// An RSA private key that signs digests.
pub struct SigningKey {
    pair: RsaKeyPair,
    fingerprint: String,
}

impl SigningKey {
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, SignError> {
        let pair = RsaKeyPair::from_pkcs8(der).map_err(|e| SignError::Key(e.to_string()))?;
        let fingerprint = fingerprint(pair.public().as_ref());
        Ok(Self { pair, fingerprint })
    }

    /// The committed TEST-ONLY key ([`TEST_ONLY_KEY_PKCS8`]); never for anything real.
    pub fn test_only() -> Result<Self, SignError> {
        Self::from_pkcs8(TEST_ONLY_KEY_PKCS8)
    }

    /// The MD5 fingerprint digests name this key by.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The public key as PKCS#1 `RSAPublicKey` DER (what ListPublicKeys returns).
    pub fn public_key_der(&self) -> &[u8] {
        self.pair.public().as_ref()
    }

    pub fn sign_hex(&self, message: &[u8]) -> Result<String, SignError> {
        let mut signature = vec![0u8; self.pair.public().modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
            .map_err(|_| SignError::Sign)?;
        Ok(hex::encode(signature))
    }

    /// A key ring holding just this key.
    pub fn key_ring(&self) -> KeyRing {
        let mut ring = KeyRing::new();
        // Our own public key always parses: ring produced it.
        let _ = ring.add_der(self.public_key_der());
        ring
    }

    /// This key in the shape of `aws cloudtrail list-public-keys` output.
    pub fn list_public_keys_json(&self) -> String {
        serde_json::json!({"PublicKeyList": [{
            "Value": base64::engine::general_purpose::STANDARD.encode(self.public_key_der()),
            "ValidityStartTime": "2000-01-01T00:00:00Z",
            "ValidityEndTime": "2100-01-01T00:00:00Z",
            "Fingerprint": self.fingerprint,
        }]})
        .to_string()
    }
}

/// Which digests get a `.sig` sidecar (the stand-in for S3's `x-amz-meta-signature`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SignatureSidecars {
    #[default]
    All,
    /// Only digests no later digest links to (the newest of each chain, the last before a
    /// stop): the others' signatures are recorded by their successors.
    ChainEnds,
    None,
}

/// How to lay out the digests.
#[derive(Clone, Debug)]
pub struct WriteOptions {
    pub bucket: String,
    pub trail: String,
    /// The trail's home region (default: each delivering region itself).
    pub home_region: Option<String>,
    /// Digest periods start this many seconds past the hour (CloudTrail's are not aligned).
    pub offset_secs: i64,
    /// First period start / last period end (default: around the log files).
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    /// Logging off: no digests for periods touching these spans, and the next digest starts a
    /// new chain (its `previousDigest*` fields are null).
    pub stopped: Vec<(Timestamp, Timestamp)>,
    /// Periods written as `_backfill` digests, which form a chain of their own.
    pub backfill: Vec<(Timestamp, Timestamp)>,
    pub sidecars: SignatureSidecars,
}

impl WriteOptions {
    pub fn new(bucket: impl Into<String>, trail: impl Into<String>) -> Self {
        Self {
            bucket: bucket.into(),
            trail: trail.into(),
            home_region: None,
            offset_secs: 91,
            from: None,
            to: None,
            stopped: Vec::new(),
            backfill: Vec::new(),
            sidecars: SignatureSidecars::All,
        }
    }
}

/// What [`write_digests`] wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WrittenDigests {
    /// Digest keys, per (account, region) oldest first.
    pub digests: Vec<String>,
    /// Log files listed in some digest.
    pub log_files_listed: usize,
    /// Log files left out (inside a stopped span).
    pub log_files_unlisted: usize,
}

struct LogInfo {
    key: String,
    time: Timestamp,
    sha256: String,
    oldest: Option<String>,
    newest: Option<String>,
}

struct ChainState {
    previous: Option<(String, String, String)>, // object, sha256, signature
    last: Option<String>,                       // key of the newest digest written
}

/// Writes hourly digests for every (account, region) with log files under `root`, laid out
/// as `AWSLogs/[<org>/]<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz`.
pub fn write_digests(
    root: &Path,
    key: &SigningKey,
    options: &WriteOptions,
) -> Result<WrittenDigests, SignError> {
    let source = LocalSource::new(root);
    let mut groups: BTreeMap<Location, Vec<LogInfo>> = BTreeMap::new();
    let mut entries = source.list("")?;
    entries.sort_by(|a, b| a.key.cmp(&b.key));
    for entry in entries {
        let KeyKind::Log(name) = key::classify(&entry.key) else {
            continue;
        };
        let time = name.time.ok_or_else(|| SignError::UntimedLog {
            key: entry.key.clone(),
        })?;
        let hashed =
            hash_gunzipped(source.open(&entry.key)?, Some(usize::MAX)).map_err(|source| {
                SignError::Content {
                    key: entry.key.clone(),
                    source,
                }
            })?;
        let (oldest, newest) = event_time_range(hashed.bytes.as_deref().unwrap_or_default());
        groups.entry(name.location).or_default().push(LogInfo {
            key: entry.key,
            time,
            sha256: hashed.sha256,
            oldest,
            newest,
        });
    }

    let mut written = WrittenDigests::default();
    for (location, logs) in &groups {
        write_group(&source, key, options, location, logs, &mut written)?;
    }
    Ok(written)
}

fn write_group(
    source: &LocalSource,
    key: &SigningKey,
    options: &WriteOptions,
    location: &Location,
    logs: &[LogInfo],
    written: &mut WrittenDigests,
) -> Result<(), SignError> {
    let hour = Duration::hours(1);
    let offset = Duration::seconds(options.offset_secs);
    let (Some(first_log), Some(last_log)) = (
        logs.iter().map(|l| l.time).min(),
        logs.iter().map(|l| l.time).max(),
    ) else {
        return Ok(());
    };
    let mut start = match options.from {
        Some(t) => t.0,
        None => {
            let aligned = first_log.0.duration_trunc(hour).unwrap_or(first_log.0) + offset;
            if aligned > first_log.0 {
                aligned - hour
            } else {
                aligned
            }
        }
    };
    let until = options
        .to
        .map_or(last_log.0 + Duration::seconds(1), |t| t.0);
    let overlaps =
        |spans: &[(Timestamp, Timestamp)], s, e| spans.iter().any(|(a, b)| s < b.0 && e > a.0);
    let home = options.home_region.as_deref().unwrap_or(&location.region);
    let mut regular = ChainState {
        previous: None,
        last: None,
    };
    let mut backfill = ChainState {
        previous: None,
        last: None,
    };
    // Digests no successor links to need their own sidecar under `ChainEnds`.
    let mut chain_ends = Vec::new();
    while start < until {
        let end = start + hour;
        if overlaps(&options.stopped, start, end) {
            if let Some(last) = regular.last.take() {
                chain_ends.push(last);
            }
            regular.previous = None;
            written.log_files_unlisted += logs
                .iter()
                .filter(|l| l.time.0 >= start && l.time.0 < end)
                .count();
            start = end;
            continue;
        }
        let is_backfill = overlaps(&options.backfill, start, end);
        let state = if is_backfill {
            &mut backfill
        } else {
            &mut regular
        };
        let listed: Vec<&LogInfo> = logs
            .iter()
            .filter(|l| l.time.0 >= start && l.time.0 < end)
            .collect();
        written.log_files_listed += listed.len();
        let end_ts = Timestamp(end);
        let object = format!(
            "{base}AWSLogs/{org}{acct}/CloudTrail-Digest/{region}/{y:04}/{m:02}/{d:02}/{acct}_CloudTrail-Digest_{region}_{trail}_{home}_{ts}{bf}.json.gz",
            base = location.base,
            org = location
                .org
                .as_ref()
                .map(|o| format!("{o}/"))
                .unwrap_or_default(),
            acct = location.account,
            region = location.region,
            y = end.year(),
            m = end.month(),
            d = end.day(),
            trail = options.trail,
            ts = end_ts.compact(),
            bf = if is_backfill { "_backfill" } else { "" },
        );
        let digest = Digest {
            aws_account_id: Some(location.account.clone()),
            digest_start_time: Some(Timestamp(start).to_string()),
            digest_end_time: Some(end_ts.to_string()),
            digest_s3_bucket: Some(options.bucket.clone()),
            digest_s3_object: Some(object.clone()),
            digest_public_key_fingerprint: Some(key.fingerprint().to_string()),
            digest_signature_algorithm: Some(SIGNATURE_ALGORITHM.to_string()),
            newest_event_time: listed.iter().filter_map(|l| l.newest.clone()).max(),
            oldest_event_time: listed.iter().filter_map(|l| l.oldest.clone()).min(),
            previous_digest_s3_bucket: state.previous.as_ref().map(|_| options.bucket.clone()),
            previous_digest_s3_object: state.previous.as_ref().map(|p| p.0.clone()),
            previous_digest_hash_value: state.previous.as_ref().map(|p| p.1.clone()),
            previous_digest_hash_algorithm: state
                .previous
                .as_ref()
                .map(|_| HASH_ALGORITHM.to_string()),
            previous_digest_signature: state.previous.as_ref().map(|p| p.2.clone()),
            log_files: listed
                .iter()
                .map(|l| LogFileEntry {
                    s3_bucket: Some(options.bucket.clone()),
                    // Recorded with the base, as S3 keys in the bucket would be.
                    s3_object: l.key.clone(),
                    hash_value: l.sha256.clone(),
                    hash_algorithm: Some(HASH_ALGORITHM.to_string()),
                    newest_event_time: l.newest.clone(),
                    oldest_event_time: l.oldest.clone(),
                })
                .collect(),
        };
        // Serializing our own struct of strings cannot fail.
        let json = serde_json::to_vec(&digest).unwrap_or_default();
        let sha256 = hash_gunzipped(&gzip(&json)?[..], None)
            .map_err(|source| SignError::Content {
                key: object.clone(),
                source,
            })?
            .sha256;
        let message = signed_string(
            &end_ts.to_string(),
            &options.bucket,
            &object,
            &sha256,
            state.previous.as_ref().map(|p| p.2.as_str()),
        );
        let signature = key.sign_hex(message.as_bytes())?;
        let path = source.path(&object)?;
        write_file(&path, &gzip(&json)?)?;
        if options.sidecars == SignatureSidecars::All {
            write_sidecar(&path, &signature)?;
        }
        state.previous = Some((object.clone(), sha256, signature));
        state.last = Some(object.clone());
        written.digests.push(object);
        start = end;
    }
    chain_ends.extend(regular.last);
    chain_ends.extend(backfill.last);
    if options.sidecars == SignatureSidecars::ChainEnds {
        for object in chain_ends {
            let path = source.path(&object)?;
            let bytes = fs::read(&path).map_err(|e| write_error(&path, e))?;
            let sha256 = hash_gunzipped(&bytes[..], Some(usize::MAX)).map_err(|source| {
                SignError::Content {
                    key: object.clone(),
                    source,
                }
            })?;
            let digest = Digest::parse(sha256.bytes.as_deref().unwrap_or_default())
                .map_err(|e| SignError::Key(e.to_string()))?;
            let message = signed_string(
                digest.digest_end_time.as_deref().unwrap_or_default(),
                &options.bucket,
                &object,
                &sha256.sha256,
                digest.previous_digest_signature.as_deref(),
            );
            write_sidecar(&path, &key.sign_hex(message.as_bytes())?)?;
        }
    }
    Ok(())
}

fn gzip(data: &[u8]) -> Result<Vec<u8>, SignError> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data)
        .and_then(|()| e.finish())
        .map_err(|e| write_error(Path::new("<memory>"), e))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), SignError> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
    }
    fs::write(path, bytes).map_err(|e| write_error(path, e))
}

fn write_sidecar(digest_path: &Path, signature: &str) -> Result<(), SignError> {
    let mut path = digest_path.as_os_str().to_owned();
    path.push(format!(".{SIGNATURE_SIDECAR_EXT}"));
    write_file(Path::new(&path), format!("{signature}\n").as_bytes())
}

fn write_error(path: &Path, source: io::Error) -> SignError {
    SignError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Oldest and newest `eventTime` of a `{"Records":[...]}` log file (RFC 3339 strings sort
/// chronologically when they share CloudTrail's `Z` format).
fn event_time_range(uncompressed: &[u8]) -> (Option<String>, Option<String>) {
    #[derive(Deserialize)]
    struct Log {
        #[serde(rename = "Records", default)]
        records: Vec<Record>,
    }
    #[derive(Deserialize)]
    struct Record {
        #[serde(rename = "eventTime")]
        event_time: Option<String>,
    }
    let Ok(log) = serde_json::from_slice::<Log>(uncompressed) else {
        return (None, None);
    };
    let times = || log.records.iter().filter_map(|r| r.event_time.clone());
    (times().min(), times().max())
}
