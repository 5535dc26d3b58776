//! The S3 key grammar of CloudTrail deliveries:
//! `[<prefix>/]AWSLogs/[<o-orgid>/]<account>/{CloudTrail,CloudTrail-Digest}/<region>/YYYY/MM/DD/<file>`.

use serde::Serialize;

use crate::time::Timestamp;

/// Where a delivery sits: everything before the file-specific part of its key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// The part of the key before `AWSLogs/` (the trail's S3 prefix plus `/`, or empty).
    pub base: String,
    /// The organization id of an organization trail (`o-abc123`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    pub account: String,
    /// The region that delivered the file.
    pub region: String,
}

/// What a digest's key name says about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestName {
    pub location: Location,
    pub trail: String,
    pub home_region: String,
    /// The digest end time (second precision), from the file name.
    pub end: Timestamp,
    pub backfill: bool,
}

/// What a log file's key name says about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogName {
    pub location: Location,
    /// The delivery time in the name (minute precision), when it parses.
    pub time: Option<Timestamp>,
}

/// A listed key, sorted into what verification cares about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Digest(DigestName),
    /// Under `CloudTrail-Digest/` but not named like a digest.
    UnrecognisedDigest,
    Log(LogName),
    Other,
}

const DIGEST_DIR: &str = "CloudTrail-Digest";
const LOG_DIR: &str = "CloudTrail";

/// Splits a key at its `AWSLogs/` segment: (base, rest starting with `AWSLogs/`).
pub fn split_at_awslogs(key: &str) -> Option<(&str, &str)> {
    if key.starts_with("AWSLogs/") {
        return Some(("", key));
    }
    let at = key.find("/AWSLogs/")?;
    Some((&key[..=at], &key[at + 1..]))
}

/// Maps a key recorded in a digest (with the trail's S3 prefix) to the source's layout,
/// by putting the `AWSLogs/...` part under `base`. Local copies are often made with a
/// different prefix (or none), so only the `AWSLogs/...` part has to agree.
pub fn resolve(base: &str, recorded: &str) -> String {
    match split_at_awslogs(recorded) {
        Some((_, rest)) => format!("{base}{rest}"),
        None => recorded.to_string(),
    }
}

/// The part of a key that has to match for two keys to name the same delivery.
pub fn awslogs_part(key: &str) -> &str {
    split_at_awslogs(key).map_or(key, |(_, rest)| rest)
}

pub fn classify(key: &str) -> KeyKind {
    let Some((base, rest)) = split_at_awslogs(key) else {
        return KeyKind::Other;
    };
    let parts: Vec<&str> = rest.split('/').collect();
    // AWSLogs, [org], account, family, region, YYYY, MM, DD, file
    let (org, tail) = match parts.get(1) {
        Some(p) if p.starts_with("o-") && parts.len() == 9 => (Some(p.to_string()), &parts[2..]),
        _ if parts.len() == 8 => (None, &parts[1..]),
        _ => return KeyKind::Other,
    };
    let [account, family, region, _yyyy, _mm, _dd, file] = tail else {
        return KeyKind::Other;
    };
    let location = Location {
        base: base.to_string(),
        org,
        account: account.to_string(),
        region: region.to_string(),
    };
    match *family {
        DIGEST_DIR => match parse_digest_file(file, account, region) {
            Some((trail, home_region, end, backfill)) => KeyKind::Digest(DigestName {
                location,
                trail,
                home_region,
                end,
                backfill,
            }),
            None => KeyKind::UnrecognisedDigest,
        },
        LOG_DIR if file.ends_with(".json.gz") => KeyKind::Log(LogName {
            time: parse_log_time(file),
            location,
        }),
        _ => KeyKind::Other,
    }
}

/// `<account>_CloudTrail-Digest_<region>_<trail>_<home-region>_<YYYYMMDDTHHMMSSZ>[_backfill].json.gz`
fn parse_digest_file(
    file: &str,
    account: &str,
    region: &str,
) -> Option<(String, String, Timestamp, bool)> {
    let stem = file.strip_suffix(".json.gz")?;
    let (stem, backfill) = match stem.strip_suffix("_backfill") {
        Some(s) => (s, true),
        None => (stem, false),
    };
    let rest = stem
        .strip_prefix(account)?
        .strip_prefix("_CloudTrail-Digest_")?
        .strip_prefix(region)?
        .strip_prefix('_')?;
    let (rest, time) = rest.rsplit_once('_')?;
    let end = Timestamp::parse_compact(time)?;
    // Trail names may contain underscores; region names never do.
    let (trail, home_region) = rest.rsplit_once('_')?;
    if trail.is_empty() || home_region.is_empty() {
        return None;
    }
    Some((trail.to_string(), home_region.to_string(), end, backfill))
}

/// `<account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<unique>.json.gz`
fn parse_log_time(file: &str) -> Option<Timestamp> {
    let mut parts = file.split('_');
    let time = parts.nth(3)?;
    Timestamp::parse_compact(time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_names_with_prefix_org_and_underscored_trail() {
        let key = "p/q/AWSLogs/o-abc123/111122223333/CloudTrail-Digest/eu-west-1/2026/01/05/111122223333_CloudTrail-Digest_eu-west-1_org_trail_us-east-1_20260105T100131Z_backfill.json.gz";
        let KeyKind::Digest(d) = classify(key) else {
            panic!("not a digest: {key}");
        };
        assert_eq!(d.location.base, "p/q/");
        assert_eq!(d.location.org.as_deref(), Some("o-abc123"));
        assert_eq!(d.location.account, "111122223333");
        assert_eq!(d.location.region, "eu-west-1");
        assert_eq!(d.trail, "org_trail");
        assert_eq!(d.home_region, "us-east-1");
        assert!(d.backfill);
        assert_eq!(d.end.to_string(), "2026-01-05T10:01:31Z");
    }

    #[test]
    fn log_names_and_others() {
        let key = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/05/111122223333_CloudTrail_us-east-1_20260105T0945Z_9nYN7gp2eWAJHIfT.json.gz";
        let KeyKind::Log(l) = classify(key) else {
            panic!("not a log: {key}");
        };
        assert_eq!(l.location.base, "");
        assert_eq!(
            l.time.map(|t| t.to_string()).as_deref(),
            Some("2026-01-05T09:45:00Z")
        );
        assert_eq!(
            classify("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/01/05/junk.json.gz"),
            KeyKind::UnrecognisedDigest
        );
        assert_eq!(
            classify("AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2026/01/05/x.json.gz"),
            KeyKind::Other
        );
        assert_eq!(classify("notes.txt"), KeyKind::Other);
    }

    #[test]
    fn resolve_keeps_the_local_base() {
        assert_eq!(
            resolve("local/", "prefix/AWSLogs/1/CloudTrail/x"),
            "local/AWSLogs/1/CloudTrail/x"
        );
        assert_eq!(resolve("", "AWSLogs/1/x"), "AWSLogs/1/x");
        assert_eq!(awslogs_part("a/AWSLogs/1/x"), "AWSLogs/1/x");
    }
}
