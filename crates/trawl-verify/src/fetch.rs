//! CloudTrail's public keys straight from its `ListPublicKeys` API (the `aws` feature), so a
//! verification of an S3 bucket needs no key file. Each region signs its digests with keys
//! of its own, so keys are fetched per region (see [`crate::digest_regions`]).

use std::error::Error as StdError;
use std::time::Duration;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::config::{AsyncSleep, Region, Sleep};
use aws_sdk_cloudtrail::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudtrail::operation::list_public_keys::ListPublicKeysError;
use aws_sdk_cloudtrail::primitives::DateTime;
use aws_types::SdkConfig;
use chrono::DateTime as ChronoDateTime;
use thiserror::Error;

use crate::signature::{KeyError, KeyRing, checked_listed_key};
use crate::time::Timestamp;

/// One key as `ListPublicKeys` returned it, already checked: an RSA key whose stated
/// fingerprint is the MD5 of its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedKey {
    /// The region that was asked (the one whose digests this key signs).
    pub region: String,
    /// PKCS#1 `RSAPublicKey` DER.
    pub der: Vec<u8>,
    /// Hex MD5 of `der`, the name digests give the key.
    pub fingerprint: String,
    pub validity_start: Option<Timestamp>,
    pub validity_end: Option<Timestamp>,
}

/// Why the keys of a region could not be fetched. Every message names the region and
/// what to do about it.
#[derive(Debug, Error)]
pub enum KeyFetchError {
    #[error(
        "{region}: no AWS credentials to call cloudtrail:ListPublicKeys with ({detail}); set them up as for the AWS CLI (profile, environment variables, `aws sso login`), or fetch the keys elsewhere with `aws cloudtrail list-public-keys --region {region}` and pass that file"
    )]
    NoCredentials { region: String, detail: String },
    #[error(
        "{region}: not allowed to call cloudtrail:ListPublicKeys ({message}); the caller needs the IAM permission cloudtrail:ListPublicKeys (and no SCP denying it in {region}), or fetch the keys elsewhere with `aws cloudtrail list-public-keys --region {region}` and pass that file"
    )]
    AccessDenied { region: String, message: String },
    #[error(
        "{region}: CloudTrail rejected the AWS credentials ({code}: {message}); refresh them (e.g. `aws sso login`), check the profile, and that the clock is right"
    )]
    CredentialsRejected {
        region: String,
        code: String,
        message: String,
    },
    #[error(
        "{region}: could not reach CloudTrail's endpoint ({detail}); check the network or proxy, that {region} is a region name and that it is enabled for the account"
    )]
    Unreachable { region: String, detail: String },
    #[error(
        "{region}: ListPublicKeys refused the time range {start} to {end} ({message}); the start must precede the end and neither may be in the future"
    )]
    InvalidTimeRange {
        region: String,
        start: Timestamp,
        end: Timestamp,
        message: String,
    },
    #[error("{region}: ListPublicKeys returned an unusable key: {source}")]
    BadKey {
        region: String,
        #[source]
        source: KeyError,
    },
    #[error(
        "{region}: ListPublicKeys failed ({code}: {message}); retry later, or fetch the keys with `aws cloudtrail list-public-keys --region {region}`"
    )]
    Service {
        region: String,
        code: String,
        message: String,
    },
    #[error("{region}: ListPublicKeys failed: {detail}")]
    Other { region: String, detail: String },
}

/// Calls CloudTrail's `ListPublicKeys` in `region` for `[start, end]`, following every page,
/// and returns the keys that signed digests in that span (the service's answer: keys whose
/// validity overlaps it). `config` supplies credentials, HTTP client, retries and endpoint
/// (as `aws_config` loads them; it must carry an HTTP client, since this crate enables none);
/// only its region is replaced.
pub async fn fetch_public_keys(
    config: &SdkConfig,
    region: &str,
    start: Timestamp,
    end: Timestamp,
) -> Result<Vec<FetchedKey>, KeyFetchError> {
    // Without a provider the SDK's own message is about auth schemes; say it plainly.
    if config.credentials_provider().is_none() {
        return Err(KeyFetchError::NoCredentials {
            region: region.to_string(),
            detail: "no credentials provider configured".to_string(),
        });
    }
    let mut builder =
        aws_sdk_cloudtrail::config::Builder::from(config).region(Region::new(region.to_string()));
    if config.sleep_impl().is_none() {
        // Retries need a timer, and `from_conf` panics without one. aws-config always sets
        // it; a hand-built SdkConfig may not, and this crate builds without the SDK's tokio.
        builder = builder.sleep_impl(TokioSleep);
    }
    let client = Client::from_conf(builder.build());
    let mut pages = client
        .list_public_keys()
        .start_time(DateTime::from_secs(start.0.timestamp()))
        .end_time(DateTime::from_secs(end.0.timestamp()))
        .into_paginator()
        .send();
    let mut keys = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify(e, region, start, end))?;
        for key in page.public_key_list() {
            let bad_key = |source| KeyFetchError::BadKey {
                region: region.to_string(),
                source,
            };
            let der = key
                .value()
                .map(|v| v.as_ref())
                .ok_or_else(|| bad_key(KeyError::Der("no Value")))?;
            let (der, fingerprint) =
                checked_listed_key(keys.len(), der, key.fingerprint()).map_err(bad_key)?;
            keys.push(FetchedKey {
                region: region.to_string(),
                der,
                fingerprint,
                validity_start: key.validity_start_time().and_then(timestamp),
                validity_end: key.validity_end_time().and_then(timestamp),
            });
        }
    }
    Ok(keys)
}

impl KeyRing {
    /// Adds keys from [`fetch_public_keys`] (checked again: the fields are public), keeping
    /// their validity windows as RFC 3339 text.
    pub fn add_fetched_keys(&mut self, keys: &[FetchedKey]) -> Result<(), KeyError> {
        for (index, key) in keys.iter().enumerate() {
            self.insert_listed(
                index,
                &key.der,
                Some(&key.fingerprint),
                key.validity_start.map(|t| t.to_string()),
                key.validity_end.map(|t| t.to_string()),
            )?;
        }
        Ok(())
    }
}

#[derive(Debug)]
struct TokioSleep;

impl AsyncSleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> Sleep {
        Sleep::new(tokio::time::sleep(duration))
    }
}

fn timestamp(t: &DateTime) -> Option<Timestamp> {
    ChronoDateTime::from_timestamp(t.secs(), t.subsec_nanos()).map(Timestamp)
}

fn classify(
    e: SdkError<ListPublicKeysError>,
    region: &str,
    start: Timestamp,
    end: Timestamp,
) -> KeyFetchError {
    let region = region.to_string();
    // Credential failures surface as dispatch failures wrapping the provider's error.
    let mut cause: Option<&(dyn StdError + 'static)> = Some(&e);
    while let Some(c) = cause {
        if let Some(c) = c.downcast_ref::<CredentialsError>() {
            return KeyFetchError::NoCredentials {
                region,
                detail: error_chain(c),
            };
        }
        cause = c.source();
    }
    let detail = error_chain(&e);
    match e {
        SdkError::ServiceError(s) => {
            let err = s.err();
            let code = err.code().unwrap_or("unknown error").to_string();
            let message = err.message().unwrap_or_default().to_string();
            match code.as_str() {
                _ if err.is_invalid_time_range_exception() => KeyFetchError::InvalidTimeRange {
                    region,
                    start,
                    end,
                    message,
                },
                "AccessDeniedException" | "AccessDenied" => {
                    KeyFetchError::AccessDenied { region, message }
                }
                "UnrecognizedClientException"
                | "InvalidClientTokenId"
                | "InvalidSignatureException"
                | "SignatureDoesNotMatch"
                | "ExpiredTokenException"
                | "ExpiredToken" => KeyFetchError::CredentialsRejected {
                    region,
                    code,
                    message,
                },
                _ => KeyFetchError::Service {
                    region,
                    code,
                    message,
                },
            }
        }
        SdkError::TimeoutError(_) => KeyFetchError::Unreachable { region, detail },
        SdkError::DispatchFailure(d) if d.is_io() || d.is_timeout() => {
            KeyFetchError::Unreachable { region, detail }
        }
        _ => KeyFetchError::Other { region, detail },
    }
}

/// An error and its causes as one line, each cause once (SDK errors nest the same text).
fn error_chain(e: &(dyn StdError + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let part = c.to_string();
        if !text.contains(&part) {
            text = format!("{text}: {part}");
        }
        cause = c.source();
    }
    text
}
