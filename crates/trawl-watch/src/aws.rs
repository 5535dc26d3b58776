//! The AWS destinations: SNS `Publish` and Security Hub `BatchImportFindings`, signed
//! with SigV4 using the credentials S3 uses (the same chain, profile and region), sent
//! with the watcher's HTTP client so retries and `Retry-After` work as for the others.

use std::time::{Duration, SystemTime};

use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use serde_json::{Value, json};

use crate::config::{DestinationConfig, DestinationKind};
use crate::destination::{DeliveryKind, body};
use crate::state::{IncidentStatus, TrackedIncident};
use trawl_engine::catalog::Severity;

/// The region of an SNS topic ARN (`arn:aws:sns:<region>:<account>:<name>`).
pub fn sns_region(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.split(':').collect();
    (parts.len() == 6 && parts[0] == "arn" && parts[2] == "sns" && !parts[3].is_empty())
        .then_some(parts[3])
}

/// What an SNS destination publishes, fixed at queue time: the trawl body as the message.
pub fn sns_payload(
    dest: &DestinationConfig,
    kind: DeliveryKind,
    inc: &TrackedIncident,
    lake: &str,
    sent_by: &str,
) -> Value {
    // Subject: ASCII, at most 100 characters, no line breaks.
    let subject: String = format!("trawl {} {}: {}", inc.severity, inc.id, inc.title)
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                ' '
            }
        })
        .take(100)
        .collect();
    json!({
        "TopicArn": dest.topic_arn,
        "Subject": subject,
        "Message": body(kind, inc, lake, sent_by).to_string(),
        "MessageAttributes": {
            "severity": inc.severity.to_string(),
            "detections": inc.detections.iter().cloned().collect::<Vec<_>>().join(","),
            "accounts": inc.accounts.join(","),
            "event": serde_json::to_value(kind).unwrap_or_default(),
        },
    })
}

fn asff_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "CRITICAL",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        _ => "INFORMATIONAL",
    }
}

/// One ASFF finding for the incident (BatchImportFindings upserts on `Id`).
pub fn securityhub_payload(
    dest: &DestinationConfig,
    kind: DeliveryKind,
    inc: &TrackedIncident,
    now: &str,
) -> Value {
    let account = dest
        .account
        .clone()
        .or_else(|| inc.accounts.first().cloned())
        .unwrap_or_else(|| "000000000000".to_string());
    let region = securityhub_region(dest, inc);
    let types: Vec<String> = if inc.tactics.is_empty() {
        vec!["Unusual Behaviors/User".to_string()]
    } else {
        inc.tactics.iter().map(|t| format!("TTPs/{t}")).collect()
    };
    let resources: Vec<Value> = inc
        .accounts
        .iter()
        .map(|a| json!({"Type": "AwsAccount", "Id": format!("AWS::::Account:{a}")}))
        .collect();
    let description = format!(
        "Detections: {}. Principals: {}. Regions: {}. Evidence events: {}.",
        inc.detections
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
        inc.principals.join(", "),
        inc.regions.join(", "),
        inc.eventids.len()
    );
    let resolved = kind == DeliveryKind::Resolved || inc.status == IncidentStatus::Resolved;
    json!({
        "Findings": [{
            "SchemaVersion": "2018-10-08",
            "Id": inc.id,
            "ProductArn": format!("arn:aws:securityhub:{region}:{account}:product/{account}/default"),
            "GeneratorId": format!("trawl/{}", inc.detections.iter().next().map_or("incident", |d| d.as_str())),
            "AwsAccountId": account,
            "Types": types,
            "CreatedAt": inc.first_seen.clone().unwrap_or_else(|| now.to_string()),
            "UpdatedAt": now,
            "FirstObservedAt": inc.first_seen,
            "LastObservedAt": inc.last_seen,
            "Severity": {"Label": asff_severity(inc.severity)},
            "Title": inc.title.chars().take(256).collect::<String>(),
            "Description": description.chars().take(1024).collect::<String>(),
            "Resources": if resources.is_empty() {
                vec![json!({"Type": "AwsAccount", "Id": format!("AWS::::Account:{account}")})]
            } else {
                resources
            },
            "RecordState": if resolved { "ARCHIVED" } else { "ACTIVE" },
            "ProductFields": {"trawl/version": inc.version.to_string(), "trawl/score": format!("{:.1}", inc.score)},
        }]
    })
}

fn securityhub_region(dest: &DestinationConfig, inc: &TrackedIncident) -> String {
    dest.region
        .clone()
        .or_else(|| inc.regions.first().cloned())
        .unwrap_or_else(|| "us-east-1".to_string())
}

/// A request to an AWS API, signed and ready to send: (url, headers, body).
struct Signed {
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// The endpoint: the destination's `url` (a VPC endpoint, a test stand-in), then
/// `AWS_ENDPOINT_URL_<SERVICE>` and `AWS_ENDPOINT_URL`, then the regional default.
fn endpoint(dest: &DestinationConfig, service: &str, env_name: &str, region: &str) -> String {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    dest.url
        .clone()
        .or_else(|| env(&format!("AWS_ENDPOINT_URL_{env_name}")))
        .or_else(|| env("AWS_ENDPOINT_URL"))
        .unwrap_or_else(|| format!("https://{service}.{region}.amazonaws.com"))
        .trim_end_matches('/')
        .to_string()
}

async fn signed(
    service: &str,
    region: &str,
    url: String,
    content_type: &str,
    body: Vec<u8>,
) -> Result<Signed, String> {
    let sdk = trawl_convert::s3::sdk_config().await;
    let provider = sdk
        .credentials_provider()
        .ok_or("no AWS credentials provider configured")?;
    let credentials = provider
        .provide_credentials()
        .await
        .map_err(|e| format!("no AWS credentials: {e}"))?;
    let identity: Identity = credentials.into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let headers = vec![("content-type".to_string(), content_type.to_string())];
    let request = SignableRequest::new(
        "POST",
        url.as_str(),
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(&body),
    )
    .map_err(|e| e.to_string())?;
    let (instructions, _) = sign(request, &params)
        .map_err(|e| e.to_string())?
        .into_parts();
    let mut all = headers.clone();
    all.extend(
        instructions
            .headers()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    Ok(Signed {
        url,
        headers: all,
        body,
    })
}

/// Signs and POSTs a queued AWS delivery; the error says what failed.
pub(crate) async fn send(
    dest: &DestinationConfig,
    client: &reqwest::Client,
    payload: &Value,
) -> Result<reqwest::Response, (String, Option<Duration>)> {
    let request = match dest.kind {
        DestinationKind::Sns => {
            let arn = payload["TopicArn"].as_str().unwrap_or_default();
            let region = sns_region(arn).ok_or((format!("not an SNS topic ARN: {arn:?}"), None))?;
            let url = format!("{}/", endpoint(dest, "sns", "SNS", region));
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            form.append_pair("Action", "Publish")
                .append_pair("Version", "2010-03-31")
                .append_pair("TopicArn", arn)
                .append_pair("Subject", payload["Subject"].as_str().unwrap_or_default())
                .append_pair("Message", payload["Message"].as_str().unwrap_or_default());
            if let Some(attrs) = payload["MessageAttributes"].as_object() {
                for (i, (name, value)) in attrs.iter().enumerate() {
                    let n = i + 1;
                    let value = value.as_str().unwrap_or_default();
                    if value.is_empty() {
                        continue;
                    }
                    form.append_pair(&format!("MessageAttributes.entry.{n}.Name"), name)
                        .append_pair(
                            &format!("MessageAttributes.entry.{n}.Value.DataType"),
                            "String",
                        )
                        .append_pair(
                            &format!("MessageAttributes.entry.{n}.Value.StringValue"),
                            value,
                        );
                }
            }
            signed(
                "sns",
                region,
                url,
                "application/x-www-form-urlencoded; charset=utf-8",
                form.finish().into_bytes(),
            )
            .await
        }
        _ => {
            let region = payload["Findings"][0]["ProductArn"]
                .as_str()
                .and_then(|a| a.split(':').nth(3))
                .unwrap_or("us-east-1")
                .to_string();
            let url = format!(
                "{}/findings/import",
                endpoint(dest, "securityhub", "SECURITYHUB", &region)
            );
            signed(
                "securityhub",
                &region,
                url,
                "application/json",
                payload.to_string().into_bytes(),
            )
            .await
        }
    }
    .map_err(|e| (e, None))?;
    let mut req = client
        .post(&request.url)
        .timeout(Duration::from_secs(dest.timeout_secs.max(1)));
    for (k, v) in &request.headers {
        req = req.header(k, v);
    }
    req.body(request.body)
        .send()
        .await
        .map_err(|e| (format!("{}: {e}", request.url), None))
}

/// Security Hub answers 200 even when it refused findings: its `FailedCount` says.
pub(crate) async fn securityhub_refusal(resp: reqwest::Response) -> Option<String> {
    let v: Value = serde_json::from_slice(&resp.bytes().await.ok()?).ok()?;
    (v["FailedCount"].as_u64().unwrap_or(0) > 0)
        .then(|| format!("Security Hub refused: {}", v["FailedFindings"]))
}
