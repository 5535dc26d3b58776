//! UTC timestamps as CloudTrail writes them: RFC 3339 inside digests, compact forms in key names.

use std::fmt;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A UTC instant, serialized as RFC 3339 with second precision (`2026-01-05T10:01:31Z`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    /// Parses RFC 3339 (`2026-01-05T10:01:31Z`, offsets allowed).
    pub fn parse(text: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| Self(t.with_timezone(&Utc)))
    }

    /// Parses the key-name forms: `20260105T100131Z` (digests) or `20260105T1001Z` (log files).
    pub fn parse_compact(text: &str) -> Option<Self> {
        // By hand: chrono's `%Y` is greedy and would swallow the whole date.
        let b = text.as_bytes();
        let seconds = match b.len() {
            16 => true,
            14 => false,
            _ => return None,
        };
        if b[8] != b'T' || b[b.len() - 1] != b'Z' {
            return None;
        }
        let num = |from: usize, len: usize| -> Option<u32> {
            let digits = text.get(from..from + len)?;
            digits
                .bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| digits.parse().ok())?
        };
        let date =
            NaiveDate::from_ymd_opt(i32::try_from(num(0, 4)?).ok()?, num(4, 2)?, num(6, 2)?)?;
        let sec = if seconds { num(13, 2)? } else { 0 };
        let time = date.and_hms_opt(num(9, 2)?, num(11, 2)?, sec)?;
        Some(Self(time.and_utc()))
    }

    /// The digest key-name form, `20260105T100131Z`.
    pub fn compact(&self) -> String {
        self.0.format("%Y%m%dT%H%M%SZ").to_string()
    }

    pub fn seconds_since(&self, earlier: &Timestamp) -> i64 {
        (self.0 - earlier.0).num_seconds()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Secs, true))
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(t: DateTime<Utc>) -> Self {
        Self(t)
    }
}

// A string rather than chrono's serde feature: enabling that feature here would change
// chrono's features for the whole workspace and rebuild arrow and DataFusion.
impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("not an RFC 3339 time: {text}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_key_forms_and_rfc3339() {
        let a = Timestamp::parse_compact("20260105T100131Z").expect("digest form");
        let b = Timestamp::parse("2026-01-05T10:01:31Z").expect("rfc3339");
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "2026-01-05T10:01:31Z");
        assert_eq!(a.compact(), "20260105T100131Z");
        let c = Timestamp::parse_compact("20260105T1001Z").expect("log form");
        assert_eq!(a.seconds_since(&c), 31);
        assert!(Timestamp::parse_compact("2026010T1001Z").is_none());
    }
}
