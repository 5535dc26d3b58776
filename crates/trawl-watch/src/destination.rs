//! What is delivered and how each kind of destination receives it.

use std::io::Write;
use std::time::Duration;

use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::config::{BodyFormat, DestinationConfig, DestinationKind};
use crate::state::{IncidentStatus, TrackedIncident};
use trawl_engine::catalog::Severity;

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
    /// Closed by a person (`trawl findings resolve`).
    Resolved,
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

/// What `dest` receives for this incident version.
pub fn render(
    dest: &DestinationConfig,
    kind: DeliveryKind,
    inc: &TrackedIncident,
    lake: &str,
    sent_by: &str,
    now: &str,
) -> Value {
    match dest.kind {
        DestinationKind::Slack => slack(kind, inc),
        DestinationKind::Teams => teams(kind, inc),
        DestinationKind::Pagerduty => pagerduty(kind, inc, lake, &secret(dest).unwrap_or_default()),
        DestinationKind::Sns => crate::aws::sns_payload(dest, kind, inc, lake, sent_by),
        DestinationKind::Securityhub => crate::aws::securityhub_payload(dest, kind, inc, now),
        _ if dest.format == BodyFormat::Ocsf => ocsf(kind, inc, now),
        _ => body(kind, inc, lake, sent_by),
    }
}

fn headline(kind: DeliveryKind, inc: &TrackedIncident) -> String {
    format!(
        "{} {} incident {}: {}",
        match kind {
            DeliveryKind::New => "New",
            DeliveryKind::Updated => "Updated",
            DeliveryKind::Resolved => "Resolved",
        },
        inc.severity,
        inc.id,
        inc.title
    )
}

fn facts(inc: &TrackedIncident) -> Vec<(&'static str, String)> {
    vec![
        ("Principals", inc.principals.join(", ")),
        ("Accounts", inc.accounts.join(", ")),
        ("Tactics", inc.tactics.join(" > ")),
        (
            "Detections",
            inc.detections
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "Seen",
            format!(
                "{} .. {}",
                inc.first_seen.as_deref().unwrap_or("?"),
                inc.last_seen.as_deref().unwrap_or("?")
            ),
        ),
    ]
}

/// Slack incoming webhook: `text` is the notification fallback, `blocks` the message.
fn slack(kind: DeliveryKind, inc: &TrackedIncident) -> Value {
    let fields: Vec<Value> = facts(inc)
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| json!({"type": "mrkdwn", "text": format!("*{k}*\n{v}")}))
        .collect();
    json!({
        "text": headline(kind, inc),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": format!("{} incident: {}", inc.severity, inc.id)}},
            {"type": "section", "text": {"type": "mrkdwn", "text": inc.title}},
            {"type": "section", "fields": fields},
        ],
    })
}

/// Teams Workflows: an Adaptive Card wrapped in a message's `attachments`.
fn teams(kind: DeliveryKind, inc: &TrackedIncident) -> Value {
    let facts: Vec<Value> = facts(inc)
        .into_iter()
        .map(|(k, v)| json!({"title": k, "value": v}))
        .collect();
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": [
                    {"type": "TextBlock", "size": "Medium", "weight": "Bolder", "wrap": true, "text": headline(kind, inc)},
                    {"type": "FactSet", "facts": facts},
                ],
            },
        }],
    })
}

/// PagerDuty Events v2; the incident id is the dedup key, so updates fold into one
/// PagerDuty incident.
fn pagerduty(kind: DeliveryKind, inc: &TrackedIncident, lake: &str, routing_key: &[u8]) -> Value {
    let severity = match inc.severity {
        Severity::Critical => "critical",
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "info",
    };
    let summary: String = format!("{}: {}", inc.id, inc.title)
        .chars()
        .take(1024)
        .collect();
    json!({
        "routing_key": String::from_utf8_lossy(routing_key),
        "event_action": if kind == DeliveryKind::Resolved { "resolve" } else { "trigger" },
        "dedup_key": inc.id,
        "payload": {
            "summary": summary,
            "source": format!("trawl:{lake}"),
            "severity": severity,
            "timestamp": inc.last_seen,
            "component": inc.accounts.join(","),
            "class": inc.detections.iter().cloned().collect::<Vec<_>>().join(","),
            "custom_details": {
                "version": inc.version,
                "principals": inc.principals,
                "tactics": inc.tactics,
                "evidence_events": inc.eventids.len(),
            },
        },
    })
}

/// OCSF Detection Finding (class 2004, category 2 Findings).
fn ocsf(kind: DeliveryKind, inc: &TrackedIncident, now: &str) -> Value {
    let activity = match kind {
        DeliveryKind::New => 1,
        DeliveryKind::Updated => 2,
        DeliveryKind::Resolved => 3,
    };
    let status_id = match inc.status {
        IncidentStatus::Open => 1,
        IncidentStatus::Acknowledged => 2,
        IncidentStatus::Suppressed => 3,
        IncidentStatus::Resolved => 4,
    };
    let severity_id = match inc.severity {
        Severity::Info => 1,
        Severity::Low => 2,
        Severity::Medium => 3,
        Severity::High => 4,
        Severity::Critical => 5,
    };
    let time = chrono::DateTime::parse_from_rfc3339(now)
        .map(|t| t.timestamp_millis())
        .unwrap_or_default();
    json!({
        "class_uid": 2004,
        "category_uid": 2,
        "activity_id": activity,
        "type_uid": 2004 * 100 + activity,
        "time": time,
        "severity_id": severity_id,
        "severity": inc.severity.to_string(),
        "status_id": status_id,
        "is_alert": true,
        "message": inc.title,
        "metadata": {
            "product": {"name": "trawl", "vendor_name": "trawl"},
            "version": "1.1.0",
        },
        "finding_info": {
            "uid": inc.id,
            "title": inc.title,
            "types": inc.tactics,
            "analytic": {"name": inc.detections.iter().cloned().collect::<Vec<_>>().join(","), "type_id": 1},
            "first_seen_time_dt": inc.first_seen,
            "last_seen_time_dt": inc.last_seen,
        },
        "cloud": {"provider": "AWS", "account": {"uid": inc.accounts.first()}},
        "unmapped": {"version": inc.version, "evidence_events": inc.eventids.len()},
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
        DestinationKind::Sns | DestinationKind::Securityhub => {
            match crate::aws::send(dest, client, &delivery.body).await {
                Ok(resp) if resp.status().is_success() => {
                    if dest.kind == DestinationKind::Securityhub
                        && let Some(error) = crate::aws::securityhub_refusal(resp).await
                    {
                        return Attempt::Retry { error, after: None };
                    }
                    Attempt::Accepted
                }
                Ok(resp) => {
                    let status = resp.status();
                    let after = retry_after(&resp);
                    let text = resp.text().await.unwrap_or_default();
                    Attempt::Retry {
                        error: format!(
                            "{:?} answered {status}: {}",
                            dest.kind,
                            text.chars().take(300).collect::<String>()
                        ),
                        after,
                    }
                }
                Err((error, after)) => Attempt::Retry { error, after },
            }
        }
        DestinationKind::Webhook
        | DestinationKind::Slack
        | DestinationKind::Teams
        | DestinationKind::Pagerduty => {
            let url = dest
                .url
                .as_deref()
                .unwrap_or("https://events.pagerduty.com/v2/enqueue");
            let mut req = client
                .post(url)
                .timeout(Duration::from_secs(dest.timeout_secs.max(1)))
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header("Idempotency-Key", delivery.idempotency_key())
                .header("X-Trawl-Schema", WEBHOOK_SCHEMA);
            if dest.kind == DestinationKind::Webhook
                && let Some(key) = secret(dest)
            {
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
    use crate::config::Config;

    fn incident() -> TrackedIncident {
        TrackedIncident {
            id: "inc-0123456789abcdef".into(),
            version: 2,
            status: IncidentStatus::Open,
            severity: Severity::High,
            title: "CloudTrail logging stopped".into(),
            score: 70.0,
            principals: vec!["arn:aws:iam::111122223333:user/x".into()],
            accounts: vec!["111122223333".into()],
            regions: vec!["us-east-1".into()],
            tactics: vec!["Defense Evasion".into()],
            detections: ["cloudtrail_stop_logging".to_string()].into(),
            first_seen: Some("2026-03-01T00:00:00Z".into()),
            last_seen: Some("2026-03-01T00:05:00Z".into()),
            eventids: ["e1".to_string()].into(),
            raised_in: 1,
            updated_in: 2,
            suppressed_until: None,
            suppressions_expired: 0,
            history: Vec::new(),
        }
    }

    fn dest(toml: &str) -> DestinationConfig {
        Config::parse(toml).unwrap().destinations.remove(0)
    }

    /// Each receiver's documented required fields are there.
    #[test]
    fn payloads_carry_what_each_receiver_requires() {
        let inc = incident();
        let now = "2026-03-01T00:10:00Z";
        let s = render(
            &dest(
                "[[destination]]\nname = \"s\"\nkind = \"slack\"\nurl = \"https://hooks.slack.com/x\"\n",
            ),
            DeliveryKind::New,
            &inc,
            "lake",
            "t",
            now,
        );
        assert!(s["text"].as_str().unwrap().contains("inc-0123456789abcdef"));
        assert!(
            s["blocks"]
                .as_array()
                .unwrap()
                .iter()
                .all(|b| b["type"].is_string())
        );
        let t = render(
            &dest(
                "[[destination]]\nname = \"t\"\nkind = \"teams\"\nurl = \"https://x.logic.azure.com/x\"\n",
            ),
            DeliveryKind::New,
            &inc,
            "lake",
            "t",
            now,
        );
        assert_eq!(t["type"], "message");
        let card = &t["attachments"][0];
        assert_eq!(
            card["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        assert_eq!(card["content"]["type"], "AdaptiveCard");
        assert!(card["content"]["version"].is_string());
        let p = render(
            &dest("[[destination]]\nname = \"p\"\nkind = \"pagerduty\"\nsecret = \"R0UT1NG\"\n"),
            DeliveryKind::Updated,
            &inc,
            "lake",
            "t",
            now,
        );
        assert_eq!(p["routing_key"], "R0UT1NG");
        assert_eq!(p["event_action"], "trigger");
        assert_eq!(p["dedup_key"], "inc-0123456789abcdef");
        assert_eq!(p["payload"]["severity"], "error");
        assert!(p["payload"]["summary"].as_str().unwrap().len() <= 1024);
        assert!(p["payload"]["source"].is_string());
        let o = render(
            &dest("[[destination]]\nname = \"o\"\nkind = \"stdout\"\nformat = \"ocsf\"\n"),
            DeliveryKind::Updated,
            &inc,
            "lake",
            "t",
            now,
        );
        assert_eq!(o["class_uid"], 2004);
        assert_eq!(o["category_uid"], 2);
        assert_eq!(o["activity_id"], 2);
        assert_eq!(o["type_uid"], 200402);
        assert_eq!(o["severity_id"], 4);
        assert_eq!(o["time"], 1_772_323_800_000_i64);
        assert_eq!(o["finding_info"]["uid"], "inc-0123456789abcdef");
        assert!(
            o["metadata"]["product"]["name"].is_string() && o["metadata"]["version"].is_string()
        );
        let w = render(
            &dest("[[destination]]\nname = \"w\"\nkind = \"stdout\"\n"),
            DeliveryKind::New,
            &inc,
            "lake",
            "t",
            now,
        );
        assert_eq!(w["schema"], WEBHOOK_SCHEMA);
        assert!(
            Config::parse("[[destination]]\nname = \"p\"\nkind = \"pagerduty\"\n")
                .unwrap_err()
                .contains("routing key")
        );
    }

    #[test]
    fn signature_matches_rfc4231() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
