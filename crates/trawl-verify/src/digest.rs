//! The digest file model (§3.1 of the format reference) and the checks that make one usable.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::time::Timestamp;

/// A digest file as CloudTrail writes it. Every field is optional here so that a damaged
/// digest still parses far enough to be reported; [`Digest::header`] enforces the rest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    #[serde(rename = "awsAccountId")]
    pub aws_account_id: Option<String>,
    #[serde(rename = "digestStartTime")]
    pub digest_start_time: Option<String>,
    #[serde(rename = "digestEndTime")]
    pub digest_end_time: Option<String>,
    #[serde(rename = "digestS3Bucket")]
    pub digest_s3_bucket: Option<String>,
    #[serde(rename = "digestS3Object")]
    pub digest_s3_object: Option<String>,
    #[serde(rename = "digestPublicKeyFingerprint")]
    pub digest_public_key_fingerprint: Option<String>,
    #[serde(rename = "digestSignatureAlgorithm")]
    pub digest_signature_algorithm: Option<String>,
    #[serde(rename = "newestEventTime")]
    pub newest_event_time: Option<String>,
    #[serde(rename = "oldestEventTime")]
    pub oldest_event_time: Option<String>,
    #[serde(rename = "previousDigestS3Bucket")]
    pub previous_digest_s3_bucket: Option<String>,
    #[serde(rename = "previousDigestS3Object")]
    pub previous_digest_s3_object: Option<String>,
    #[serde(rename = "previousDigestHashValue")]
    pub previous_digest_hash_value: Option<String>,
    #[serde(rename = "previousDigestHashAlgorithm")]
    pub previous_digest_hash_algorithm: Option<String>,
    #[serde(rename = "previousDigestSignature")]
    pub previous_digest_signature: Option<String>,
    #[serde(rename = "logFiles", default)]
    pub log_files: Vec<LogFileEntry>,
}

/// One `logFiles[]` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogFileEntry {
    #[serde(rename = "s3Bucket")]
    pub s3_bucket: Option<String>,
    #[serde(rename = "s3Object")]
    pub s3_object: String,
    #[serde(rename = "hashValue")]
    pub hash_value: String,
    #[serde(rename = "hashAlgorithm")]
    pub hash_algorithm: Option<String>,
    #[serde(rename = "newestEventTime")]
    pub newest_event_time: Option<String>,
    #[serde(rename = "oldestEventTime")]
    pub oldest_event_time: Option<String>,
}

/// The fields verification needs, checked present and well-formed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub account: String,
    pub start: Timestamp,
    pub end: Timestamp,
    /// `digestEndTime` exactly as written: it goes into the signed string verbatim.
    pub end_raw: String,
    pub bucket: String,
    pub object: String,
    pub fingerprint: String,
    pub previous: Option<PreviousLink>,
}

/// The link to the previous digest; absent in a starting digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviousLink {
    pub bucket: String,
    pub object: String,
    pub hash: String,
    pub signature: String,
}

/// Why a digest cannot be used.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum DigestError {
    #[error("not a digest JSON object: {0}")]
    Json(String),
    #[error("missing field {0}")]
    Missing(&'static str),
    #[error("field {field} is not an RFC 3339 time: {value}")]
    BadTime { field: &'static str, value: String },
    #[error("unsupported {field} {value} (expected {expected})")]
    Algorithm {
        field: &'static str,
        value: String,
        expected: &'static str,
    },
}

pub const SIGNATURE_ALGORITHM: &str = "SHA256withRSA";
pub const HASH_ALGORITHM: &str = "SHA-256";

impl Digest {
    pub fn parse(uncompressed: &[u8]) -> Result<Self, DigestError> {
        serde_json::from_slice(uncompressed).map_err(|e| DigestError::Json(e.to_string()))
    }

    /// Checks the fields aws-cli requires and the algorithms, and returns them typed.
    pub fn header(&self) -> Result<Header, DigestError> {
        fn need<'a>(v: &'a Option<String>, name: &'static str) -> Result<&'a str, DigestError> {
            v.as_deref().ok_or(DigestError::Missing(name))
        }
        fn time(v: &Option<String>, name: &'static str) -> Result<Timestamp, DigestError> {
            let text = need(v, name)?;
            Timestamp::parse(text).ok_or_else(|| DigestError::BadTime {
                field: name,
                value: text.to_string(),
            })
        }
        let algorithm = need(&self.digest_signature_algorithm, "digestSignatureAlgorithm")?;
        if algorithm != SIGNATURE_ALGORITHM {
            return Err(DigestError::Algorithm {
                field: "digestSignatureAlgorithm",
                value: algorithm.to_string(),
                expected: SIGNATURE_ALGORITHM,
            });
        }
        // A starting digest has all previousDigest* fields null; otherwise all are needed.
        let previous = match self.previous_digest_s3_object.as_deref() {
            None => None,
            Some(object) => {
                if let Some(a) = self.previous_digest_hash_algorithm.as_deref()
                    && a != HASH_ALGORITHM
                {
                    return Err(DigestError::Algorithm {
                        field: "previousDigestHashAlgorithm",
                        value: a.to_string(),
                        expected: HASH_ALGORITHM,
                    });
                }
                Some(PreviousLink {
                    bucket: need(&self.previous_digest_s3_bucket, "previousDigestS3Bucket")?
                        .to_string(),
                    object: object.to_string(),
                    hash: need(&self.previous_digest_hash_value, "previousDigestHashValue")?
                        .to_ascii_lowercase(),
                    signature: need(&self.previous_digest_signature, "previousDigestSignature")?
                        .to_string(),
                })
            }
        };
        Ok(Header {
            account: need(&self.aws_account_id, "awsAccountId")?.to_string(),
            start: time(&self.digest_start_time, "digestStartTime")?,
            end: time(&self.digest_end_time, "digestEndTime")?,
            end_raw: need(&self.digest_end_time, "digestEndTime")?.to_string(),
            bucket: need(&self.digest_s3_bucket, "digestS3Bucket")?.to_string(),
            object: need(&self.digest_s3_object, "digestS3Object")?.to_string(),
            fingerprint: need(
                &self.digest_public_key_fingerprint,
                "digestPublicKeyFingerprint",
            )?
            .to_ascii_lowercase(),
            previous,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"{"awsAccountId":"111122223333","digestStartTime":"2026-01-05T09:01:31Z","digestEndTime":"2026-01-05T10:01:31Z",
 "digestS3Bucket":"ct-bucket","digestS3Object":"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/01/05/111122223333_CloudTrail-Digest_us-east-1_main_us-east-1_20260105T100131Z.json.gz",
 "digestPublicKeyFingerprint":"8eba5db5bea9b640d1c96a77256fe7f2","digestSignatureAlgorithm":"SHA256withRSA",
 "newestEventTime":"2026-01-05T09:58:10Z","oldestEventTime":"2026-01-05T09:40:01Z",
 "previousDigestS3Bucket":"ct-bucket","previousDigestS3Object":"AWSLogs/x_20260105T090131Z.json.gz",
 "previousDigestHashValue":"97FB","previousDigestHashAlgorithm":"SHA-256","previousDigestSignature":"5088",
 "logFiles":[{"s3Bucket":"ct-bucket","s3Object":"AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/05/f.json.gz",
  "hashValue":"9bb6","hashAlgorithm":"SHA-256","newestEventTime":"2026-01-05T09:52:27Z","oldestEventTime":"2026-01-05T09:42:27Z"}]}"#;

    #[test]
    fn parses_the_reference_example() {
        let d = Digest::parse(EXAMPLE.as_bytes()).expect("parses");
        let h = d.header().expect("complete");
        assert_eq!(h.end_raw, "2026-01-05T10:01:31Z");
        assert_eq!(h.fingerprint, "8eba5db5bea9b640d1c96a77256fe7f2");
        let p = h.previous.expect("has a previous digest");
        assert_eq!(p.hash, "97fb");
        assert_eq!(p.signature, "5088");
        assert_eq!(d.log_files.len(), 1);
    }

    #[test]
    fn starting_digest_and_missing_fields() {
        let start = EXAMPLE.replace(
            r#""ct-bucket","previousDigestS3Object":"AWSLogs/x_20260105T090131Z.json.gz""#,
            r#"null,"previousDigestS3Object":null"#,
        );
        let h = Digest::parse(start.as_bytes())
            .and_then(|d| d.header())
            .expect("starting digest");
        assert!(h.previous.is_none());
        let bad = EXAMPLE.replace(r#""digestS3Bucket":"ct-bucket","#, "");
        assert_eq!(
            Digest::parse(bad.as_bytes()).and_then(|d| d.header()),
            Err(DigestError::Missing("digestS3Bucket"))
        );
        let alg = EXAMPLE.replace("SHA256withRSA", "SHA1withRSA");
        assert!(matches!(
            Digest::parse(alg.as_bytes()).and_then(|d| d.header()),
            Err(DigestError::Algorithm { .. })
        ));
    }
}
