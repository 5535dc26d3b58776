//! `fetch_public_keys` against a stand-in for CloudTrail: a real HTTP/1.1 server on
//! 127.0.0.1 speaking awsJson1_1 for ListPublicKeys, which checks each request's SigV4
//! signature (scope and value) before answering, in two pages.
#![cfg(feature = "aws")]

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::future;
use aws_sdk_cloudtrail::config::retry::RetryConfig;
use aws_sdk_cloudtrail::config::{
    BehaviorVersion, Credentials, ProvideCredentials, Region, SharedCredentialsProvider,
};
use aws_types::SdkConfig;
use base64::Engine as _;
use flate2::{Compression, write::GzEncoder};
use ring::{digest, hmac};
use trawl_verify::{
    KeyFetchError, KeyRing, LocalSource, SigningKey, Timestamp, VerifyOptions, WriteOptions,
    digest_regions, fetch_public_keys, fingerprint, verify, write_digests,
};

const ACCESS_KEY: &str = "AKIDTRAWLTEST";
const SECRET_KEY: &str = "trawl-test-secret";
/// The operation, as X-Amz-Target names it. The Rust SDK sends the Smithy service name
/// (`CloudTrail_20131101.ListPublicKeys`), botocore and the AWS CLI the model's longer
/// `targetPrefix`; CloudTrail takes either, so the stand-in does too.
const TARGETS: [&str; 2] = [
    "CloudTrail_20131101.ListPublicKeys",
    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.ListPublicKeys",
];
const ACCT: &str = "111122223333";
/// Deliberately not the config's default region: the region asked for must win.
const REGION: &str = "eu-west-1";

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }
}

type Handler = dyn Fn(&Request) -> (u16, String) + Send + Sync;

/// A listening server; what it was asked is kept for the test to inspect.
struct Server {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    fn start(handler: impl Fn(&Request) -> (u16, String) + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let seen = requests.clone();
        // Lives until the test process ends; one thread per connection (the client pools).
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (handler, seen) = (handler.clone(), seen.clone());
                thread::spawn(move || serve_connection(stream, &*handler, &seen));
            }
        });
        Self { addr, requests }
    }

    fn requests(&self) -> std::sync::MutexGuard<'_, Vec<Request>> {
        self.requests.lock().expect("request log")
    }
}

fn serve_connection(stream: TcpStream, handler: &Handler, seen: &Mutex<Vec<Request>>) {
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    while let Some(request) = read_request(&mut reader) {
        let (status, body) = handler(&request);
        seen.lock().expect("request log").push(request);
        let reason = if status == 200 { "OK" } else { "Bad Request" };
        let response = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: trawl-test\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// One HTTP/1.1 request with a Content-Length body (what the SDK sends); None at EOF.
fn read_request(reader: &mut impl BufRead) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let mut request = Request {
        method,
        path,
        headers,
        body: Vec::new(),
    };
    let length: usize = request
        .header("content-length")
        .unwrap_or("0")
        .parse()
        .ok()?;
    request.body = vec![0; length];
    reader.read_exact(&mut request.body).ok()?;
    Some(request)
}

fn error(kind: &str, message: &str) -> (u16, String) {
    (
        400,
        serde_json::json!({"__type": kind, "message": message}).to_string(),
    )
}

fn hex_sha256(data: &[u8]) -> String {
    hex::encode(digest::digest(&digest::SHA256, data))
}

/// Checks the request is ListPublicKeys over awsJson1_1, signed with SigV4 by the test key
/// for CloudTrail in `region`: the credential scope, and the signature recomputed here.
fn check_signed(request: &Request, region: &str) -> Result<(), String> {
    if request.method != "POST" || request.path != "/" {
        return Err(format!("{} {}", request.method, request.path));
    }
    if !request
        .header("x-amz-target")
        .is_some_and(|t| TARGETS.contains(&t))
    {
        return Err(format!("X-Amz-Target {:?}", request.header("x-amz-target")));
    }
    if request.header("content-type") != Some("application/x-amz-json-1.1") {
        return Err(format!("Content-Type {:?}", request.header("content-type")));
    }
    let auth = request
        .header("authorization")
        .ok_or("no Authorization header")?;
    let amz_date = request.header("x-amz-date").ok_or("no X-Amz-Date")?;
    let date = amz_date.get(..8).ok_or("short X-Amz-Date")?;
    let scope = format!("{date}/{region}/cloudtrail/aws4_request");
    let rest = auth
        .strip_prefix(&format!(
            "AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/{scope}, SignedHeaders="
        ))
        .ok_or_else(|| format!("Authorization {auth:?} is not for {ACCESS_KEY}/{scope}"))?;
    let (signed_headers, signature) = rest
        .split_once(", Signature=")
        .ok_or("no Signature in Authorization")?;
    if !signed_headers.split(';').any(|h| h == "x-amz-target") {
        return Err(format!("X-Amz-Target not signed: {signed_headers}"));
    }
    let mut canonical = "POST\n/\n\n".to_string();
    for name in signed_headers.split(';') {
        let value = request
            .header(name)
            .ok_or_else(|| format!("signed header {name} not sent"))?;
        canonical.push_str(&format!("{name}:{value}\n"));
    }
    canonical.push_str(&format!(
        "\n{signed_headers}\n{}",
        hex_sha256(&request.body)
    ));
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex_sha256(canonical.as_bytes())
    );
    let mut key = format!("AWS4{SECRET_KEY}").into_bytes();
    for part in [date, region, "cloudtrail", "aws4_request"] {
        key = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &key), part.as_bytes())
            .as_ref()
            .to_vec();
    }
    let expected = hex::encode(hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, &key),
        to_sign.as_bytes(),
    ));
    if signature != expected {
        return Err(format!("bad signature over:\n{canonical}"));
    }
    Ok(())
}

/// A key as ListPublicKeys lists it (awsJson1_1: timestamps as epoch seconds).
fn listed_key(der: &[u8], from: &str, to: &str) -> serde_json::Value {
    let epoch = |t: &str| Timestamp::parse(t).expect("test time").0.timestamp();
    serde_json::json!({
        "Value": base64::engine::general_purpose::STANDARD.encode(der),
        "ValidityStartTime": epoch(from),
        "ValidityEndTime": epoch(to),
        "Fingerprint": fingerprint(der),
    })
}

/// An older, rotated-out key: the test key with one modulus byte changed (still an RSA
/// key in PKCS#1 DER, with a fingerprint of its own).
fn older_key() -> Vec<u8> {
    let mut der = SigningKey::test_only()
        .expect("test key")
        .public_key_der()
        .to_vec();
    der[100] ^= 0x5a;
    der
}

/// ListPublicKeys in `region`: the older key on the first page, the current test key on the
/// second (reached with NextToken).
fn cloudtrail(region: &'static str) -> impl Fn(&Request) -> (u16, String) {
    move |request| {
        if let Err(e) = check_signed(request, region) {
            return error("TestServerRejected", &e);
        }
        let key = SigningKey::test_only().expect("test key");
        match request.json().get("NextToken").and_then(|t| t.as_str()) {
            None => (
                200,
                serde_json::json!({
                    "PublicKeyList": [listed_key(&older_key(), "2025-10-05T00:00:00Z", "2026-01-05T00:00:00Z")],
                    "NextToken": "page-2",
                })
                .to_string(),
            ),
            Some("page-2") => (
                200,
                serde_json::json!({
                    "PublicKeyList": [listed_key(key.public_key_der(), "2026-01-05T00:00:00Z", "2026-04-05T00:00:00Z")],
                })
                .to_string(),
            ),
            Some(other) => error("InvalidTokenException", other),
        }
    }
}

/// Like what the CLI gets from aws-config, pointed at `endpoint`: static credentials, a
/// plain-HTTP client, a default region other than the one asked for, one attempt per call,
/// and no timer (fetch_public_keys supplies one).
fn sdk_config(endpoint: &str, credentials: Option<SharedCredentialsProvider>) -> SdkConfig {
    let mut builder = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .retry_config(RetryConfig::standard().with_max_attempts(1));
    if let Some(c) = credentials {
        builder = builder.credentials_provider(c);
    }
    builder.build()
}

fn test_credentials() -> Option<SharedCredentialsProvider> {
    Some(SharedCredentialsProvider::new(Credentials::new(
        ACCESS_KEY,
        SECRET_KEY,
        None,
        None,
        "trawl-test",
    )))
}

fn t(text: &str) -> Timestamp {
    Timestamp::parse(text).expect("test time")
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).expect("in-memory gzip");
    e.finish().expect("in-memory gzip")
}

/// Log files at 09:15 .. 11:45 on 2026-01-05 in `region`, with hourly digests signed by
/// the TEST-ONLY key.
fn archive(region: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for hhmm in ["0915", "0945", "1015", "1045", "1115", "1145"] {
        let key = format!(
            "AWSLogs/{ACCT}/CloudTrail/{region}/2026/01/05/{ACCT}_CloudTrail_{region}_20260105T{hhmm}Z_u{hhmm}.json.gz"
        );
        let path = dir.path().join(key);
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
        let body =
            format!(r#"{{"Records":[{{"eventTime":"2026-01-05T09:00:00Z","eventID":"{hhmm}"}}]}}"#);
        std::fs::write(&path, gz(body.as_bytes())).expect("write log");
    }
    let key = SigningKey::test_only().expect("test key");
    write_digests(dir.path(), &key, &WriteOptions::new("ct-bucket", "main")).expect("sign");
    dir
}

#[tokio::test]
async fn fetched_keys_from_both_pages_verify_a_chain() {
    let archive = archive(REGION);
    let source = LocalSource::new(archive.path());
    let options = VerifyOptions::default();
    // The CLI's flow: which regions, over which span, padded by a day.
    let regions = digest_regions(&source, &options).expect("listing works");
    let span = regions.get(REGION).expect("the archive's region");
    let (start, end) = span.key_range(t("2026-02-01T00:00:00Z"));
    assert_eq!(
        (start, end),
        (t("2026-01-04T10:01:31Z"), t("2026-01-06T12:01:31Z"))
    );

    let server = Server::start(cloudtrail(REGION));
    let config = sdk_config(&format!("http://{}", server.addr), test_credentials());
    let keys = fetch_public_keys(&config, REGION, start, end)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let signing = SigningKey::test_only().expect("test key");
    let fingerprints: Vec<&str> = keys.iter().map(|k| k.fingerprint.as_str()).collect();
    assert_eq!(
        fingerprints,
        [
            fingerprint(&older_key()).as_str(),
            fingerprint(signing.public_key_der()).as_str()
        ]
    );
    assert_eq!(keys[1].fingerprint, signing.fingerprint());
    assert_eq!(keys[1].der, signing.public_key_der());
    assert_eq!(keys[1].region, REGION);
    assert_eq!(keys[1].validity_start, Some(t("2026-01-05T00:00:00Z")));
    assert_eq!(keys[1].validity_end, Some(t("2026-04-05T00:00:00Z")));

    {
        let requests = server.requests();
        assert_eq!(requests.len(), 2, "one request per page");
        let bodies: Vec<serde_json::Value> = requests.iter().map(Request::json).collect();
        for body in &bodies {
            assert_eq!(body["StartTime"].as_f64(), Some(start.0.timestamp() as f64));
            assert_eq!(body["EndTime"].as_f64(), Some(end.0.timestamp() as f64));
        }
        assert_eq!(bodies[0].get("NextToken"), None);
        assert_eq!(bodies[1]["NextToken"], "page-2");
    }

    let mut ring = KeyRing::new();
    ring.add_fetched_keys(&keys)
        .expect("fetched keys are usable");
    assert_eq!(
        ring.get(signing.fingerprint())
            .and_then(|k| k.validity_start.as_deref()),
        Some("2026-01-05T00:00:00Z")
    );
    let report = verify(&source, &ring, &options).expect("listing works");
    assert!(report.is_clean(), "{}", report.summary_text());
    assert_eq!(report.digest_counts.valid, 3);
    assert_eq!(report.log_counts.valid, 6);
}

/// The stand-in's own check has teeth: a wrong secret, or another region, is refused.
#[tokio::test]
async fn the_stand_in_refuses_a_bad_signature_or_scope() {
    let server = Server::start(cloudtrail(REGION));
    let endpoint = format!("http://{}", server.addr);
    let (start, end) = (t("2026-01-04T00:00:00Z"), t("2026-01-06T00:00:00Z"));
    let wrong_secret = Some(SharedCredentialsProvider::new(Credentials::new(
        ACCESS_KEY,
        "not-the-secret",
        None,
        None,
        "trawl-test",
    )));
    let err = fetch_public_keys(&sdk_config(&endpoint, wrong_secret), REGION, start, end)
        .await
        .expect_err("bad signature");
    assert!(err.to_string().contains("bad signature"), "{err}");
    let config = sdk_config(&endpoint, test_credentials());
    let err = fetch_public_keys(&config, "eu-central-1", start, end)
        .await
        .expect_err("other region");
    assert!(
        err.to_string().contains("is not for AKIDTRAWLTEST/20")
            && err
                .to_string()
                .contains("/eu-west-1/cloudtrail/aws4_request"),
        "{err}"
    );
}

#[tokio::test]
async fn access_denied_names_the_permission_and_the_region() {
    let server = Server::start(|_: &Request| {
        error(
            "AccessDeniedException",
            "User is not authorized to perform: cloudtrail:ListPublicKeys",
        )
    });
    let config = sdk_config(&format!("http://{}", server.addr), test_credentials());
    let err = fetch_public_keys(
        &config,
        REGION,
        t("2026-01-04T00:00:00Z"),
        t("2026-01-06T00:00:00Z"),
    )
    .await
    .expect_err("access denied");
    assert!(
        matches!(&err, KeyFetchError::AccessDenied { region, .. } if region == REGION),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.starts_with("eu-west-1: "), "{text}");
    assert!(
        text.contains("User is not authorized to perform: cloudtrail:ListPublicKeys"),
        "{text}"
    );
    assert!(
        text.contains("needs the IAM permission cloudtrail:ListPublicKeys"),
        "{text}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[derive(Debug)]
struct NoProfile;

impl ProvideCredentials for NoProfile {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(Err(CredentialsError::not_loaded(
            "no profile, environment or instance credentials",
        )))
    }
}

#[tokio::test]
async fn missing_credentials_are_said_plainly_before_any_request() {
    let server = Server::start(cloudtrail(REGION));
    let endpoint = format!("http://{}", server.addr);
    let (start, end) = (t("2026-01-04T00:00:00Z"), t("2026-01-06T00:00:00Z"));
    for credentials in [None, Some(SharedCredentialsProvider::new(NoProfile))] {
        let config = sdk_config(&endpoint, credentials);
        let err = fetch_public_keys(&config, REGION, start, end)
            .await
            .expect_err("no credentials");
        assert!(
            matches!(&err, KeyFetchError::NoCredentials { region, .. } if region == REGION),
            "{err:?}"
        );
        assert!(err.to_string().contains("no AWS credentials"), "{err}");
    }
    assert_eq!(server.requests().len(), 0);
}

#[tokio::test]
async fn an_endpoint_nobody_listens_on_is_unreachable() {
    // A port that was just free: connecting is refused.
    let addr = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port");
    let config = sdk_config(&format!("http://{addr}"), test_credentials());
    let err = fetch_public_keys(
        &config,
        REGION,
        t("2026-01-04T00:00:00Z"),
        t("2026-01-06T00:00:00Z"),
    )
    .await
    .expect_err("nothing listens");
    assert!(
        matches!(&err, KeyFetchError::Unreachable { region, .. } if region == REGION),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("could not reach CloudTrail's endpoint"),
        "{err}"
    );
}
