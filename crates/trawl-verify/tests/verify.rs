//! End-to-end: build small delivered log trees, sign hourly digests with the TEST-ONLY key,
//! tamper in one specific way, and check the verdicts.

use std::fs;
use std::io::{Read, Write};
use std::path::PathBuf;

use flate2::{Compression, read::GzDecoder, write::GzEncoder};
use tempfile::TempDir;
use trawl_verify::{
    DigestSpan, FileKind, Finding, KeyRing, LocalSource, Problem, Report, SignatureSidecars,
    SignatureSource, SigningKey, Status, Timestamp, UnlistedReason, VerifyOptions, WriteOptions,
    digest_regions, verify, write_digests,
};

const TEST_KEY: &[u8] = include_bytes!("../testdata/TEST-ONLY-rsa-2048.pk8");
const TEST_PUB_SPKI: &[u8] = include_bytes!("../testdata/TEST-ONLY-rsa-2048.pub.spki.der");
const ACCT: &str = "111122223333";
const REGION: &str = "us-east-1";

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).expect("in-memory gzip");
    e.finish().expect("in-memory gzip")
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    GzDecoder::new(data)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

fn t(text: &str) -> Timestamp {
    Timestamp::parse(text).expect("test time")
}

/// `AWSLogs/[org/]acct/CloudTrail-Digest/region/2026/01/05/..._main_us-east-1_<end>.json.gz`
fn digest_key(base: &str, acct: &str, region: &str, end: &str) -> String {
    format!(
        "{base}AWSLogs/{acct}/CloudTrail-Digest/{region}/2026/01/05/{}_CloudTrail-Digest_{region}_main_us-east-1_{end}.json.gz",
        acct.rsplit('/').next().unwrap_or(acct)
    )
}

fn main_digest(end: &str) -> String {
    digest_key("", ACCT, REGION, end)
}

struct Archive {
    dir: TempDir,
    key: SigningKey,
}

impl Archive {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
            key: SigningKey::from_pkcs8(TEST_KEY).expect("test key"),
        }
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.path().join(key)
    }

    /// Writes one log file delivered at `HHMM` on 2026-01-05; `acct` may be `o-id/acct`.
    fn log(&self, base: &str, acct: &str, region: &str, hhmm: &str) -> String {
        let account = acct.rsplit('/').next().unwrap_or(acct);
        let key = format!(
            "{base}AWSLogs/{acct}/CloudTrail/{region}/2026/01/05/{account}_CloudTrail_{region}_20260105T{hhmm}Z_u{hhmm}.json.gz"
        );
        let (hh, mm) = hhmm.split_at(2);
        let body = format!(
            r#"{{"Records":[{{"eventTime":"2026-01-05T{hh}:{mm}:00Z","eventName":"GetObject","eventID":"{key}"}},{{"eventTime":"2026-01-05T{hh}:{mm}:09Z","eventName":"ListBuckets","eventID":"{key}-2"}}]}}"#
        );
        let path = self.path(&key);
        fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
        fs::write(&path, gz(body.as_bytes())).expect("write log");
        key
    }

    /// Two log files per hour (HH:15, HH:45) for each hour.
    fn hourly(&self, base: &str, acct: &str, region: &str, hours: &[u32]) -> Vec<String> {
        hours
            .iter()
            .flat_map(|h| [format!("{h:02}15"), format!("{h:02}45")])
            .map(|hhmm| self.log(base, acct, region, &hhmm))
            .collect()
    }

    fn sign(&self, options: &WriteOptions) -> Vec<String> {
        write_digests(self.dir.path(), &self.key, options)
            .expect("write digests")
            .digests
    }

    fn keys(&self) -> KeyRing {
        KeyRing::from_list_public_keys_json(self.key.list_public_keys_json().as_bytes())
            .expect("our key list")
    }

    fn verify_with(&self, keys: &KeyRing, options: &VerifyOptions) -> Report {
        verify(&LocalSource::new(self.dir.path()), keys, options).expect("listing works")
    }

    fn verify(&self) -> Report {
        self.verify_with(&self.keys(), &VerifyOptions::default())
    }

    fn remove(&self, key: &str) {
        fs::remove_file(self.path(key)).expect("remove");
    }
}

fn opts() -> WriteOptions {
    WriteOptions::new("ct-bucket", "main")
}

/// Hours 9..=13 with two logs each: digests ending 10:01:31 .. 14:01:31.
fn standard() -> (Archive, Vec<String>, Vec<String>) {
    let a = Archive::new();
    let logs = a.hourly("", ACCT, REGION, &[9, 10, 11, 12, 13]);
    let digests = a.sign(&opts());
    (a, logs, digests)
}

fn status(r: &Report, key: &str) -> Status {
    r.file(key)
        .unwrap_or_else(|| panic!("{key} not in the report:\n{}", r.summary_text()))
        .status
}

fn problems<'a>(r: &'a Report, key: &str) -> &'a [Problem] {
    &r.file(key)
        .unwrap_or_else(|| panic!("{key} not in the report"))
        .problems
}

fn chain_breaks(r: &Report) -> Vec<&Finding> {
    r.findings
        .iter()
        .filter(|f| matches!(f, Finding::ChainBreak { .. }))
        .collect()
}

#[test]
fn intact_chain_is_valid() {
    let (a, logs, digests) = standard();
    assert_eq!(
        digests,
        [
            "20260105T100131Z",
            "20260105T110131Z",
            "20260105T120131Z",
            "20260105T130131Z",
            "20260105T140131Z"
        ]
        .map(main_digest)
    );
    let r = a.verify();
    assert_eq!((r.digest_counts.total, r.digest_counts.valid), (5, 5));
    assert_eq!((r.log_counts.total, r.log_counts.valid), (10, 10));
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert!(r.is_clean());
    assert_eq!(status(&r, &logs[0]), Status::Valid);
    assert_eq!(r.found_from, Some(t("2026-01-05T09:01:31Z")));
    assert_eq!(r.found_to, Some(t("2026-01-05T14:01:31Z")));
    let text = r.summary_text();
    assert!(text.contains("5/5 digest files valid"), "{text}");
    assert!(text.contains("10/10 log files valid"), "{text}");
    assert!(
        text.contains("Results found for 2026-01-05T09:01:31Z to 2026-01-05T14:01:31Z"),
        "{text}"
    );
    let json = serde_json::to_value(&r).expect("serializes");
    assert_eq!(json["digest_counts"]["valid"], 5);
    assert_eq!(json["files"][0]["status"], "valid");
    assert_eq!(json["chains"][0]["chain"]["account"], ACCT);
}

#[test]
fn public_key_as_spki_der_also_verifies() {
    let (a, _, _) = standard();
    let mut keys = KeyRing::new();
    let fp = keys.add_der(TEST_PUB_SPKI).expect("SPKI key");
    assert_eq!(fp, a.key.fingerprint());
    assert!(a.verify_with(&keys, &VerifyOptions::default()).is_clean());
}

#[test]
fn one_changed_log_byte_is_a_hash_mismatch() {
    let (a, logs, _) = standard();
    let path = a.path(&logs[3]);
    let mut text = gunzip(&fs::read(&path).expect("read"));
    text[20] ^= 0x01;
    fs::write(&path, gz(&text)).expect("rewrite");
    let r = a.verify();
    assert_eq!(status(&r, &logs[3]), Status::Invalid);
    assert!(matches!(
        problems(&r, &logs[3]),
        [Problem::HashMismatch { .. }]
    ));
    assert_eq!(r.log_counts.invalid, 1);
    assert_eq!(r.log_counts.valid, 9);
    assert_eq!(r.digest_counts.valid, 5);
    assert!(!r.is_clean());
    assert!(r.summary_text().contains("1/10 log files INVALID"));
}

#[test]
fn corrupt_gzip_is_reported_as_such() {
    let (a, logs, _) = standard();
    let path = a.path(&logs[0]);
    let bytes = fs::read(&path).expect("read");
    fs::write(&path, &bytes[..bytes.len() - 4]).expect("truncate");
    let r = a.verify();
    assert!(matches!(problems(&r, &logs[0]), [Problem::NotGzip { .. }]));
}

#[test]
fn deleted_log_file_is_not_found() {
    let (a, logs, _) = standard();
    a.remove(&logs[5]);
    let r = a.verify();
    assert_eq!(status(&r, &logs[5]), Status::NotFound);
    assert_eq!(
        r.file(&logs[5]).and_then(|f| f.listed_by.clone()),
        Some(main_digest("20260105T120131Z"))
    );
    assert_eq!((r.log_counts.not_found, r.log_counts.valid), (1, 9));
    assert!(
        r.summary_text()
            .contains("1/10 log files INVALID: not found")
    );
}

#[test]
fn deleted_digest_breaks_the_chain() {
    let (a, logs, _) = standard();
    let gone = main_digest("20260105T120131Z");
    a.remove(&gone);
    let r = a.verify();
    assert_eq!(status(&r, &gone), Status::NotFound);
    assert_eq!(
        chain_breaks(&r),
        vec![&Finding::ChainBreak {
            chain: format!("{ACCT}/{REGION}/main"),
            missing: gone.clone(),
            referenced_by: main_digest("20260105T130131Z"),
            last_present_before: Some(main_digest("20260105T110131Z")),
            from: Some(t("2026-01-05T11:01:31Z")),
            to: t("2026-01-05T12:01:31Z"),
            estimated_missing: 1,
        }]
    );
    // The others still verify; the two logs it listed are now unvouched.
    assert_eq!((r.digest_counts.valid, r.digest_counts.not_found), (4, 1));
    for log in &logs[4..6] {
        assert_eq!(
            problems(&r, log),
            [Problem::NotListed {
                reason: UnlistedReason::NotInAnyDigest
            }]
        );
    }
    assert_eq!((r.log_counts.valid, r.log_counts.unlisted), (8, 2));
    assert!(!r.is_clean());
}

#[test]
fn two_deleted_digests_in_a_row() {
    let (a, _, _) = standard();
    a.remove(&main_digest("20260105T110131Z"));
    a.remove(&main_digest("20260105T120131Z"));
    let r = a.verify();
    let breaks = chain_breaks(&r);
    assert_eq!(breaks.len(), 1, "{breaks:?}");
    let Finding::ChainBreak {
        missing,
        last_present_before,
        estimated_missing,
        from,
        to,
        ..
    } = breaks[0]
    else {
        unreachable!()
    };
    assert_eq!(*missing, main_digest("20260105T120131Z"));
    assert_eq!(*last_present_before, Some(main_digest("20260105T100131Z")));
    assert_eq!(*estimated_missing, 2);
    assert_eq!(
        (*from, *to),
        (Some(t("2026-01-05T10:01:31Z")), t("2026-01-05T12:01:31Z"))
    );
    // Only the directly referenced one can be named.
    assert_eq!(r.digest_counts.not_found, 1);
    assert_eq!(r.log_counts.unlisted, 4);
    assert!(r.summary_text().contains("about 2 digest(s)"));
}

#[test]
fn moved_digest_is_invalid_but_keeps_the_chain() {
    let (a, logs, _) = standard();
    let from = main_digest("20260105T110131Z");
    let to = from.replace("/2026/01/05/", "/2026/01/06/");
    fs::create_dir_all(a.path(&to).parent().expect("parent")).expect("mkdir");
    fs::rename(a.path(&from), a.path(&to)).expect("move");
    fs::rename(a.path(&format!("{from}.sig")), a.path(&format!("{to}.sig"))).expect("move sig");
    let r = a.verify();
    assert_eq!(status(&r, &to), Status::Invalid);
    assert_eq!(
        problems(&r, &to),
        [Problem::Moved {
            recorded: from.clone()
        }]
    );
    assert!(
        r.file(&from).is_none(),
        "the old location is not reported missing"
    );
    assert!(chain_breaks(&r).is_empty());
    assert_eq!(status(&r, &main_digest("20260105T120131Z")), Status::Valid);
    // Its logs match, but an invalid digest cannot vouch for them.
    assert_eq!(status(&r, &logs[2]), Status::NotChecked);
    assert!(
        matches!(problems(&r, &logs[2]), [Problem::DigestNotVerified { digest }] if *digest == to)
    );
}

#[test]
fn a_prefix_only_local_copy_still_verifies() {
    let (a, _, _) = standard();
    // Downloaded into `mirror/` though the trail had no prefix: only AWSLogs/... must agree.
    fs::create_dir(a.path("mirror")).expect("mkdir");
    fs::rename(a.path("AWSLogs"), a.path("mirror/AWSLogs")).expect("move");
    let r = a.verify();
    assert!(r.is_clean(), "{}", r.summary_text());
    assert_eq!(r.digest_counts.valid, 5);
}

#[test]
fn trailing_data_after_the_gzip_member() {
    let (a, logs, _) = standard();
    let mut bytes = fs::read(a.path(&logs[1])).expect("read");
    bytes.extend(gz(b"{\"Records\":[]}"));
    fs::write(a.path(&logs[1]), bytes).expect("append");
    let digest = main_digest("20260105T130131Z");
    let mut bytes = fs::read(a.path(&digest)).expect("read");
    bytes.extend_from_slice(b"junk");
    fs::write(a.path(&digest), bytes).expect("append");
    let r = a.verify();
    assert_eq!(problems(&r, &logs[1]), [Problem::TrailingData]);
    assert_eq!(problems(&r, &digest), [Problem::TrailingData]);
    assert_eq!(status(&r, &digest), Status::Invalid);
    assert_eq!(r.digest_counts.invalid, 1);
}

#[test]
fn tampered_digest_fails_its_signature_and_its_successors_hash() {
    let (a, logs, _) = standard();
    let digest = main_digest("20260105T110131Z");
    let path = a.path(&digest);
    let mut json: serde_json::Value =
        serde_json::from_slice(&gunzip(&fs::read(&path).expect("read"))).expect("json");
    // Hide a log file from the record, as someone covering tracks would.
    json["logFiles"].as_array_mut().expect("logFiles").remove(0);
    fs::write(&path, gz(&serde_json::to_vec(&json).expect("json"))).expect("rewrite");
    let r = a.verify();
    let p = problems(&r, &digest);
    assert!(
        p.contains(&Problem::SignatureInvalid {
            source: SignatureSource::Metadata
        }),
        "{p:?}"
    );
    assert!(p.contains(&Problem::SignatureInvalid {
        source: SignatureSource::Successor(main_digest("20260105T120131Z"))
    }));
    assert!(
        p.iter()
            .any(|p| matches!(p, Problem::HashDiffersFromSuccessor { .. }))
    );
    assert_eq!(status(&r, &logs[2]), Status::Unlisted);
    assert_eq!(status(&r, &logs[3]), Status::NotChecked);
}

#[test]
fn unknown_key_fingerprint_is_its_own_failure() {
    let (a, logs, _) = standard();
    let r = a.verify_with(&KeyRing::new(), &VerifyOptions::default());
    assert_eq!(r.digest_counts.invalid, 5);
    let d = main_digest("20260105T100131Z");
    assert_eq!(
        problems(&r, &d),
        [Problem::UnknownKey {
            fingerprint: a.key.fingerprint().to_string()
        }]
    );
    assert_eq!(status(&r, &logs[0]), Status::NotChecked);
}

#[test]
fn gap_after_logging_stopped_is_not_a_break() {
    let a = Archive::new();
    let logs = a.hourly("", ACCT, REGION, &[9, 10, 11, 12, 13]);
    let mut o = opts();
    o.stopped = vec![(t("2026-01-05T11:30:00Z"), t("2026-01-05T12:30:00Z"))];
    let digests = a.sign(&o);
    assert_eq!(
        digests,
        ["20260105T100131Z", "20260105T110131Z", "20260105T140131Z"].map(main_digest)
    );
    let r = a.verify();
    assert!(chain_breaks(&r).is_empty());
    assert_eq!(
        r.findings,
        vec![Finding::LoggingStopped {
            chain: format!("{ACCT}/{REGION}/main"),
            last_before: main_digest("20260105T110131Z"),
            first_after: main_digest("20260105T140131Z"),
            from: t("2026-01-05T11:01:31Z"),
            to: t("2026-01-05T13:01:31Z"),
        }]
    );
    assert_eq!(r.digest_counts.valid, 3);
    // Delivered while validation was off: present, unvouched.
    for log in &logs[4..8] {
        assert_eq!(status(&r, log), Status::Unlisted, "{log}");
    }
    assert_eq!((r.log_counts.valid, r.log_counts.unlisted), (6, 4));
    assert!(r.summary_text().contains(
        "no log files were delivered between 2026-01-05T11:01:31Z and 2026-01-05T13:01:31Z"
    ));
}

#[test]
fn quiet_hours_are_empty_digests_not_gaps() {
    let a = Archive::new();
    a.hourly("", ACCT, REGION, &[9, 13]);
    assert_eq!(a.sign(&opts()).len(), 5);
    let r = a.verify();
    assert!(r.is_clean());
    assert_eq!(
        r.findings,
        vec![Finding::QuietPeriod {
            chain: format!("{ACCT}/{REGION}/main"),
            from: t("2026-01-05T10:01:31Z"),
            to: t("2026-01-05T13:01:31Z"),
            digests: 3,
        }]
    );
}

#[test]
fn backfill_digests_form_their_own_chain() {
    let a = Archive::new();
    a.hourly("", ACCT, REGION, &[9, 10, 11, 12, 13]);
    let mut o = opts();
    o.backfill = vec![(t("2026-01-05T11:30:00Z"), t("2026-01-05T11:31:00Z"))];
    let digests = a.sign(&o);
    let backfill = main_digest("20260105T120131Z").replace(".json.gz", "_backfill.json.gz");
    assert!(digests.contains(&backfill), "{digests:?}");
    let r = a.verify();
    assert!(r.is_clean(), "{}", r.summary_text());
    assert_eq!((r.digest_counts.valid, r.log_counts.valid), (5, 10));
    assert_eq!(r.chains.len(), 2);
    assert!(r.chains.iter().any(|c| c.chain.backfill && c.digests == 1));
    // Deleting the backfill digest is noticed through its logs, not as a break.
    a.remove(&backfill);
    let r = a.verify();
    assert_eq!(r.log_counts.unlisted, 2);
    assert!(chain_breaks(&r).is_empty());
}

#[test]
fn org_trail_with_two_accounts_and_two_regions() {
    let a = Archive::new();
    let accounts = ["o-abc123/111122223333", "o-abc123/444455556666"];
    let regions = ["us-east-1", "eu-west-1"];
    let mut first_logs = Vec::new();
    for acct in accounts {
        for region in regions {
            first_logs.push(a.hourly("org-prefix/", acct, region, &[9, 10])[0].clone());
        }
    }
    let digests = a.sign(&opts());
    assert_eq!(digests.len(), 8);
    assert!(
        digests.contains(
            &digest_key(
                "org-prefix/",
                "o-abc123/444455556666",
                "eu-west-1",
                "20260105T110131Z"
            )
            .replace("_eu-west-1_main_us-east-1_", "_eu-west-1_main_eu-west-1_")
        )
    );
    let r = a.verify();
    assert!(r.is_clean(), "{}", r.summary_text());
    assert_eq!(r.chains.len(), 4);
    assert!(
        r.chains
            .iter()
            .all(|c| c.chain.location.org.as_deref() == Some("o-abc123"))
    );
    assert_eq!((r.digest_counts.valid, r.log_counts.valid), (8, 16));

    a.remove(&first_logs[3]);
    let only = VerifyOptions {
        accounts: vec!["444455556666".into()],
        ..Default::default()
    };
    let r = a.verify_with(&a.keys(), &only);
    assert_eq!(r.chains.len(), 2);
    assert_eq!((r.digest_counts.total, r.log_counts.total), (4, 8));
    assert_eq!(status(&r, &first_logs[3]), Status::NotFound);
    assert_eq!(r.log_counts.not_found, 1);
}

#[test]
fn signature_only_on_the_newest_digest() {
    let a = Archive::new();
    a.hourly("", ACCT, REGION, &[9, 10, 11, 12, 13]);
    let mut o = opts();
    o.sidecars = SignatureSidecars::ChainEnds;
    let digests = a.sign(&o);
    let sigs: Vec<_> = digests
        .iter()
        .filter(|d| a.path(&format!("{d}.sig")).exists())
        .collect();
    assert_eq!(sigs, vec![&main_digest("20260105T140131Z")]);
    let r = a.verify();
    assert!(r.is_clean(), "{}", r.summary_text());

    // Without it the newest cannot be checked; the rest still can, through their successors.
    a.remove(&format!("{}.sig", main_digest("20260105T140131Z")));
    let r = a.verify();
    assert_eq!(
        problems(&r, &main_digest("20260105T140131Z")),
        [Problem::NoSignature]
    );
    assert_eq!((r.digest_counts.valid, r.digest_counts.not_checked), (4, 1));
    assert_eq!((r.log_counts.valid, r.log_counts.not_checked), (8, 2));
    assert!(!r.is_clean());
}

#[test]
fn chain_ends_before_a_stop_get_a_sidecar_too() {
    let a = Archive::new();
    a.hourly("", ACCT, REGION, &[9, 10, 11, 12, 13]);
    let mut o = opts();
    o.sidecars = SignatureSidecars::ChainEnds;
    o.stopped = vec![(t("2026-01-05T11:30:00Z"), t("2026-01-05T12:30:00Z"))];
    a.sign(&o);
    assert!(
        a.path(&format!("{}.sig", main_digest("20260105T110131Z")))
            .exists()
    );
    assert_eq!(a.verify().digest_counts.valid, 3);
}

#[test]
fn wrong_sidecar_signature_is_invalid() {
    let (a, _, _) = standard();
    let d = main_digest("20260105T140131Z");
    let other = fs::read_to_string(a.path(&format!("{}.sig", main_digest("20260105T130131Z"))))
        .expect("sig");
    fs::write(a.path(&format!("{d}.sig")), other).expect("swap sig");
    let r = a.verify();
    assert_eq!(
        problems(&r, &d),
        [Problem::SignatureInvalid {
            source: SignatureSource::Metadata
        }]
    );
}

#[test]
fn time_window_checks_only_its_digests() {
    let (a, _, _) = standard();
    a.remove(&main_digest("20260105T100131Z"));
    let window = VerifyOptions {
        since: Some(t("2026-01-05T11:30:00Z")),
        until: Some(t("2026-01-05T13:30:00Z")),
        ..Default::default()
    };
    let r = a.verify_with(&a.keys(), &window);
    // 12:01:31 and 13:01:31 are in; the deleted 10:01:31 is outside and not reported.
    assert_eq!((r.digest_counts.total, r.digest_counts.valid), (2, 2));
    assert_eq!((r.log_counts.total, r.log_counts.valid), (4, 4));
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert!(
        r.summary_text()
            .contains("Results requested for 2026-01-05T11:30:00Z to 2026-01-05T13:30:00Z")
    );
}

#[test]
fn log_files_no_digest_lists() {
    let (a, _, _) = standard();
    let late = a.log("", ACCT, REGION, "1405");
    let sneaked = a.log("", ACCT, REGION, "1030");
    let r = a.verify();
    assert_eq!(
        problems(&r, &late),
        [Problem::NotListed {
            reason: UnlistedReason::NewerThanNewestDigest
        }]
    );
    assert_eq!(
        problems(&r, &sneaked),
        [Problem::NotListed {
            reason: UnlistedReason::NotInAnyDigest
        }]
    );
    assert_eq!(r.log_counts.unlisted, 2);
    assert!(
        r.summary_text()
            .contains("2/12 log files not listed in any digest")
    );
    let skip = VerifyOptions {
        skip_unlisted: true,
        ..Default::default()
    };
    assert_eq!(a.verify_with(&a.keys(), &skip).log_counts.total, 10);
}

#[test]
fn unrecognised_files_under_the_digest_folder_are_named() {
    let (a, _, _) = standard();
    let junk = format!("AWSLogs/{ACCT}/CloudTrail-Digest/{REGION}/2026/01/05/notes.json.gz");
    fs::write(a.path(&junk), gz(b"{}")).expect("write");
    let r = a.verify();
    assert_eq!(
        r.findings,
        vec![Finding::UnrecognisedDigestName { key: junk }]
    );
    assert_eq!(r.digest_counts.valid, 5);
    assert!(
        r.files
            .iter()
            .all(|f| f.kind != FileKind::Digest || f.status == Status::Valid)
    );
}

/// Rewrites a digest's JSON in place (re-gzipped, so only its content changes).
fn edit_digest(a: &Archive, key: &str, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = a.path(key);
    let mut json: serde_json::Value =
        serde_json::from_slice(&gunzip(&fs::read(&path).expect("read"))).expect("json");
    edit(&mut json);
    fs::write(&path, gz(&serde_json::to_vec(&json).expect("json"))).expect("rewrite");
}

#[test]
fn a_forged_successor_record_convicts_the_forger_not_its_predecessor() {
    let (a, _, _) = standard();
    let forger = main_digest("20260105T120131Z");
    edit_digest(&a, &forger, |j| {
        j["previousDigestHashValue"] = "00".repeat(32).into();
    });
    let r = a.verify();
    assert_eq!(status(&r, &main_digest("20260105T110131Z")), Status::Valid);
    let p = problems(&r, &forger);
    assert!(
        p.contains(&Problem::SignatureInvalid {
            source: SignatureSource::Metadata
        }),
        "{p:?}"
    );
    assert!(p.iter().any(|p| matches!(p, Problem::HashDiffersFromSuccessor { successor, .. } if *successor == main_digest("20260105T130131Z"))));
    assert_eq!((r.digest_counts.valid, r.digest_counts.invalid), (4, 1));
}

#[test]
fn with_only_successor_signatures_a_forged_record_leaves_the_predecessor_unchecked() {
    let a = Archive::new();
    a.hourly("", ACCT, REGION, &[9, 10, 11, 12, 13]);
    let mut o = opts();
    o.sidecars = SignatureSidecars::ChainEnds;
    a.sign(&o);
    let forger = main_digest("20260105T120131Z");
    edit_digest(&a, &forger, |j| {
        j["previousDigestSignature"] = "ab".repeat(256).into();
    });
    let r = a.verify();
    assert_eq!(
        problems(&r, &main_digest("20260105T110131Z")),
        [Problem::NoSignature]
    );
    assert_eq!(status(&r, &forger), Status::Invalid);
    assert_eq!(status(&r, &main_digest("20260105T100131Z")), Status::Valid);
}

#[test]
fn window_edge_is_signed_by_the_digest_after_the_window() {
    let a = Archive::new();
    a.hourly("", ACCT, REGION, &[9, 10, 11, 12, 13]);
    let mut o = opts();
    o.sidecars = SignatureSidecars::ChainEnds;
    a.sign(&o);
    let window = VerifyOptions {
        until: Some(t("2026-01-05T13:30:00Z")),
        ..Default::default()
    };
    let r = a.verify_with(&a.keys(), &window);
    assert_eq!(status(&r, &main_digest("20260105T130131Z")), Status::Valid);
    assert!(r.file(&main_digest("20260105T140131Z")).is_none());
    assert_eq!((r.digest_counts.total, r.digest_counts.valid), (4, 4));
    assert!(r.is_clean(), "{}", r.summary_text());
}

#[test]
fn digest_regions_names_each_region_and_the_span_verify_reads() {
    let a = Archive::new();
    a.hourly("", ACCT, REGION, &[9, 10, 11, 12, 13]);
    a.hourly("", ACCT, "eu-west-1", &[10, 11]);
    a.sign(&opts());
    let source = LocalSource::new(a.dir.path());
    let span = |first: &str, last: &str, digests| DigestSpan {
        first_end: t(first),
        last_end: t(last),
        digests,
        backfill: false,
    };
    let regions = |options: &VerifyOptions| {
        digest_regions(&source, options)
            .expect("listing works")
            .into_iter()
            .collect::<Vec<_>>()
    };

    assert_eq!(
        regions(&VerifyOptions::default()),
        [
            (
                "eu-west-1".to_string(),
                span("2026-01-05T11:01:31Z", "2026-01-05T12:01:31Z", 2)
            ),
            (
                REGION.to_string(),
                span("2026-01-05T10:01:31Z", "2026-01-05T14:01:31Z", 5)
            ),
        ]
    );
    // A window: its digests plus the neighbour either side, which verify reads too. A
    // region with no digest inside it is not read at all (eu-west-1's last ends 12:01:31).
    let window = VerifyOptions {
        since: Some(t("2026-01-05T12:30:00Z")),
        until: Some(t("2026-01-05T13:30:00Z")),
        ..Default::default()
    };
    assert_eq!(
        regions(&window),
        [(
            REGION.to_string(),
            span("2026-01-05T12:01:31Z", "2026-01-05T14:01:31Z", 3)
        )]
    );
    let only_eu = VerifyOptions {
        regions: vec!["eu-west-1".into()],
        ..Default::default()
    };
    assert_eq!(regions(&only_eu).len(), 1);
    assert_eq!(regions(&only_eu)[0].0, "eu-west-1");
    let other_account = VerifyOptions {
        accounts: vec!["999999999999".into()],
        ..Default::default()
    };
    assert!(regions(&other_account).is_empty());
    let prefix = VerifyOptions {
        prefixes: vec![format!("AWSLogs/{ACCT}/CloudTrail-Digest/{REGION}/")],
        ..Default::default()
    };
    assert_eq!(
        regions(&prefix),
        [(
            REGION.to_string(),
            span("2026-01-05T10:01:31Z", "2026-01-05T14:01:31Z", 5)
        )]
    );
}

#[test]
fn key_range_pads_reaches_now_for_backfill_and_stops_at_now() {
    let a = Archive::new();
    a.hourly("", ACCT, REGION, &[9, 10, 11, 12, 13]);
    let mut o = opts();
    o.backfill = vec![(t("2026-01-05T11:30:00Z"), t("2026-01-05T11:31:00Z"))];
    a.sign(&o);
    let regions = digest_regions(&LocalSource::new(a.dir.path()), &VerifyOptions::default())
        .expect("listing works");
    let span = regions.get(REGION).expect("its region");
    assert!(span.backfill);
    assert_eq!(span.digests, 5);
    // A backfill digest's signing time is in S3 metadata only: look up to now.
    let now = t("2026-03-01T00:00:00Z");
    assert_eq!(span.key_range(now), (t("2026-01-04T10:01:31Z"), now));

    let regular = DigestSpan {
        backfill: false,
        ..*span
    };
    assert_eq!(
        regular.key_range(now),
        (t("2026-01-04T10:01:31Z"), t("2026-01-06T14:01:31Z"))
    );
    // Never past now (a fresh digest), and never a start after the end.
    let soon = t("2026-01-05T15:00:00Z");
    assert_eq!(regular.key_range(soon), (t("2026-01-04T10:01:31Z"), soon));
    let before = t("2026-01-01T00:00:00Z");
    assert_eq!(regular.key_range(before), (before, before));
}

/// The same archive in an object store, with signatures as S3 user metadata.
#[cfg(feature = "object-store")]
#[test]
fn object_store_source_reads_signatures_from_metadata() {
    use std::sync::Arc;

    use object_store::memory::InMemory;
    use object_store::path::Path as StorePath;
    use object_store::{Attribute, Attributes, ObjectStore, PutOptions};
    use trawl_verify::{ObjectStoreSource, Source};

    let (a, logs, digests) = standard();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let store = Arc::new(InMemory::new());
    for key in logs.iter().chain(&digests) {
        let mut attributes = Attributes::new();
        if let Ok(sig) = fs::read_to_string(a.path(&format!("{key}.sig"))) {
            attributes.insert(
                Attribute::Metadata("signature".into()),
                sig.trim().to_string().into(),
            );
        }
        let options = PutOptions {
            attributes,
            ..Default::default()
        };
        let body = fs::read(a.path(key)).expect("read");
        runtime
            .block_on(store.put_opts(&StorePath::from(key.as_str()), body.into(), options))
            .expect("put");
    }
    let source = ObjectStoreSource::new(store, runtime.handle().clone(), "memory://");
    assert_eq!(
        source
            .list("AWSLogs/111122223333/CloudTrail-Digest/")
            .expect("list")
            .len(),
        5
    );
    let r = verify(&source, &a.keys(), &VerifyOptions::default()).expect("verify");
    assert!(r.is_clean(), "{}", r.summary_text());
    assert_eq!((r.digest_counts.valid, r.log_counts.valid), (5, 10));
    assert_eq!(r.source, "memory://");
}

#[test]
fn the_exported_test_only_key_is_the_committed_one() {
    let exported = SigningKey::test_only().expect("test key");
    let committed = SigningKey::from_pkcs8(TEST_KEY).expect("test key");
    assert_eq!(exported.fingerprint(), committed.fingerprint());
    assert_eq!(trawl_verify::TEST_ONLY_KEY_PKCS8, TEST_KEY);
}
