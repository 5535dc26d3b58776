//! What is delivered and how each kind of destination receives it.

use std::io::Write;
use std::time::Duration;

use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::config::{DestinationConfig, DestinationKind};
use crate::state::TrackedIncident;

/// The `schema` of every body trawl sends; bumped when a field changes meaning.
pub const WEBHOOK_SCHEMA: &str = "trawl.incident.v1";

/// Why an incident is being delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryKind {
    /// First raised.
    New,
    /// More of the story: new detections, a higher severity, or reopened.
    Updated,
}

/// One incident version for one destination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub destination: String,
    pub kind: DeliveryKind,
    pub incident: String,
    pub version: u32,
    /// The JSON body, fixed when queued so a resend is byte-identical.
    pub body: Value,
}

impl Delivery {
    /// `<incident>.v<version>`: what receivers de-duplicate on.
    pub fn idempotency_key(&self) -> String {
        format!("{}.v{}", self.incident, self.version)
    }
}

/// Evidence event ids carried in a body; the full list stays in the lake.
const BODY_EVENTIDS: usize = 100;

/// The body of a delivery: the incident as it stands.
pub fn body(kind: DeliveryKind, inc: &TrackedIncident, lake: &str, sent_by: &str) -> Value {
    let eventids: Vec<&String> = inc.eventids.iter().take(BODY_EVENTIDS).collect();
    json!({
        "schema": WEBHOOK_SCHEMA,
        "event": kind,
        "incident": {
            "id": inc.id,
            "version": inc.version,
            "status": inc.status,
            "severity": inc.severity,
            "title": inc.title,
            "score": inc.score,
            "principals": inc.principals,
            "accounts": inc.accounts,
            "regions": inc.regions,
            "tactics": inc.tactics,
            "detections": inc.detections,
            "first_seen": inc.first_seen,
            "last_seen": inc.last_seen,
            "evidence_events": inc.eventids.len(),
            "eventids": eventids,
        },
        "lake": lake,
        "source": sent_by,
    })
}

/// How one attempt went.
#[derive(Debug, Clone, PartialEq)]
pub enum Attempt {
    Accepted,
    /// Worth retrying; `after` is the receiver's Retry-After, if it said.
    Retry {
        error: String,
        after: Option<Duration>,
    },
}

/// `sha256=<hex>` of HMAC-SHA256 over the body.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(body);
    let tag = mac.finalize().into_bytes();
    let mut out = String::from("sha256=");
    for b in tag {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

fn secret(d: &DestinationConfig) -> Option<Vec<u8>> {
    d.secret_env
        .as_ref()
        .and_then(std::env::var_os)
        .map(|v| v.to_string_lossy().into_owned().into_bytes())
        .or_else(|| d.secret.as_ref().map(|s| s.as_bytes().to_vec()))
}

/// Seconds or an HTTP date in Retry-After; only seconds are honoured exactly, a
/// date counts as a minute.
fn retry_after(resp: &reqwest::Response) -> Option<Duration> {
    let v = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    Some(match v.trim().parse::<u64>() {
        Ok(s) => Duration::from_secs(s),
        Err(_) => Duration::from_secs(60),
    })
}

/// One attempt to hand `delivery` to `dest`.
pub(crate) async fn attempt(
    dest: &DestinationConfig,
    client: &reqwest::Client,
    delivery: &Delivery,
) -> Attempt {
    let line = delivery.body.to_string();
    match dest.kind {
        DestinationKind::Stdout => {
            let mut out = std::io::stdout().lock();
            match writeln!(out, "{line}").and_then(|_| out.flush()) {
                Ok(()) => Attempt::Accepted,
                Err(e) => Attempt::Retry {
                    error: e.to_string(),
                    after: None,
                },
            }
        }
        DestinationKind::File => {
            let Some(path) = &dest.path else {
                return Attempt::Retry {
                    error: "no path".into(),
                    after: None,
                };
            };
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| writeln!(f, "{line}"));
            match written {
                Ok(()) => Attempt::Accepted,
                Err(e) => Attempt::Retry {
                    error: format!("{}: {e}", path.display()),
                    after: None,
                },
            }
        }
        DestinationKind::Webhook => {
            let url = dest.url.as_deref().unwrap_or_default();
            let mut req = client
                .post(url)
                .timeout(Duration::from_secs(dest.timeout_secs.max(1)))
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header("Idempotency-Key", delivery.idempotency_key())
                .header("X-Trawl-Schema", WEBHOOK_SCHEMA);
            if let Some(key) = secret(dest) {
                req = req.header("X-Trawl-Signature", signature(&key, line.as_bytes()));
            }
            match req.body(line).send().await {
                Ok(resp) if resp.status().is_success() => Attempt::Accepted,
                Ok(resp) => Attempt::Retry {
                    error: format!("{url} answered {}", resp.status()),
                    after: retry_after(&resp),
                },
                Err(e) if e.is_timeout() => Attempt::Retry {
                    error: format!("{url}: no answer within {}s", dest.timeout_secs),
                    after: None,
                },
                Err(e) => Attempt::Retry {
                    error: format!("{url}: {e}"),
                    after: None,
                },
            }
        }
    }
}

/// Whether `dest` takes an incident of this severity, accounts, detections and tags.
pub(crate) fn routes(dest: &DestinationConfig, inc: &TrackedIncident, tags: &[String]) -> bool {
    inc.severity >= dest.min_severity
        && (dest.accounts.is_empty() || inc.accounts.iter().any(|a| dest.accounts.contains(a)))
        && (dest.detections.is_empty()
            || inc.detections.iter().any(|d| dest.detections.contains(d)))
        && (dest.tags.is_empty() || tags.iter().any(|t| dest.tags.contains(t)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_rfc4231() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
