//! S3: `s3://` locations, clients that find credentials the way the AWS CLI does
//! (aws-config's chain bridged into object_store), errors a user can act on, and the
//! CloudTrail listing that visits only the `<account>/CloudTrail/<region>/Y/M/D/`
//! prefixes a conversion needs.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use object_store::aws::{AmazonS3Builder, AwsCredential};
use object_store::path::Path as ObjectPath;
use object_store::{
    BackoffConfig, ClientOptions, CredentialProvider, ObjectMeta, ObjectStore, RetryConfig,
};

use crate::error::{Error, Result};

/// How to reach S3: set once from the command line (`--profile`, `--aws-region`,
/// `--endpoint-url`, `--requester-pays`, `--no-sign-request`); the rest comes from
/// the environment and the shared config files, as for the AWS CLI.
#[derive(Debug, Clone, Default)]
pub struct S3Options {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint: Option<String>,
    pub requester_pays: bool,
    pub no_sign_request: bool,
}

static OPTIONS: OnceLock<S3Options> = OnceLock::new();

/// Sets the process's S3 options (first call wins).
pub fn configure(options: S3Options) {
    let _ = OPTIONS.set(options);
}

fn options() -> S3Options {
    OPTIONS.get().cloned().unwrap_or_default()
}

/// `s3://bucket/prefix`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Url {
    pub bucket: String,
    /// Key prefix without a leading slash ("" for the bucket root).
    pub key: String,
}

impl S3Url {
    pub fn parse(url: &str) -> Result<Self> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| Error::Path(url.to_string(), "not an s3:// URL".into()))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(Error::Path(url.to_string(), "no bucket name".into()));
        }
        Ok(Self {
            bucket: bucket.to_string(),
            key: key.trim_start_matches('/').to_string(),
        })
    }

    pub fn is_s3(url: &str) -> bool {
        url.starts_with("s3://")
    }

    /// `s3://bucket/key`
    pub fn object_url(bucket: &str, key: &str) -> String {
        format!("s3://{bucket}/{key}")
    }

    /// The key as an object path (no trailing slash).
    pub fn path(&self) -> ObjectPath {
        ObjectPath::from(self.key.trim_end_matches('/'))
    }
}

impl std::fmt::Display for S3Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

/// aws-config's credential chain as an object_store credential provider, caching
/// the credentials until five minutes before they expire.
#[derive(Debug)]
struct AwsConfigCredentials {
    provider: SharedCredentialsProvider,
    profile: Option<String>,
    cached: tokio::sync::Mutex<Option<(Arc<AwsCredential>, Option<SystemTime>)>>,
}

/// Why no credentials could be found; the message says where trawl looked.
#[derive(Debug, thiserror::Error)]
#[error(
    "no usable AWS credentials{profile}: {cause}. Set AWS_PROFILE or --profile, run `aws sso login`, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or --no-sign-request for a public bucket)"
)]
pub struct NoCredentials {
    profile: String,
    cause: String,
}

#[async_trait]
impl CredentialProvider for AwsConfigCredentials {
    type Credential = AwsCredential;

    async fn get_credential(&self) -> object_store::Result<Arc<AwsCredential>> {
        let mut cached = self.cached.lock().await;
        let fresh = |exp: &Option<SystemTime>| {
            exp.is_none_or(|e| e > SystemTime::now() + Duration::from_secs(300))
        };
        if let Some((c, exp)) = cached.as_ref()
            && fresh(exp)
        {
            return Ok(c.clone());
        }
        let creds = self.provider.provide_credentials().await.map_err(|e| {
            let cause = error_chain(&e);
            object_store::Error::Generic {
                store: "S3",
                source: Box::new(NoCredentials {
                    profile: self
                        .profile
                        .as_ref()
                        .map(|p| format!(" (profile {p})"))
                        .unwrap_or_default(),
                    cause,
                }),
            }
        })?;
        let c = Arc::new(AwsCredential {
            key_id: creds.access_key_id().to_string(),
            secret_key: creds.secret_access_key().to_string(),
            token: creds.session_token().map(str::to_string),
        });
        *cached = Some((c.clone(), creds.expiry()));
        Ok(c)
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The endpoint for S3-compatible stores: the flag, then the AWS CLI's variables.
fn endpoint(opts: &S3Options) -> Option<String> {
    opts.endpoint
        .clone()
        .or_else(|| env("AWS_ENDPOINT_URL_S3"))
        .or_else(|| env("AWS_ENDPOINT_URL"))
}

struct Shared {
    sdk: aws_config::SdkConfig,
    stores: tokio::sync::Mutex<HashMap<String, Arc<dyn ObjectStore>>>,
}

static SHARED: tokio::sync::OnceCell<Shared> = tokio::sync::OnceCell::const_new();

async fn shared() -> &'static Shared {
    SHARED
        .get_or_init(|| async {
            let opts = options();
            let http = aws_smithy_http_client::Builder::new()
                .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                    aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
                ))
                .build_https();
            let mut loader =
                aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(http);
            if let Some(p) = &opts.profile {
                loader = loader.profile_name(p);
            }
            if let Some(r) = &opts.region {
                loader = loader.region(aws_config::Region::new(r.clone()));
            }
            Shared {
                sdk: loader.load().await,
                stores: tokio::sync::Mutex::new(HashMap::new()),
            }
        })
        .await
}

/// The AWS SDK configuration S3 uses (credentials chain, profile, region, HTTP client),
/// for the other AWS APIs trawl calls (CloudTrail's `ListPublicKeys`).
pub async fn sdk_config() -> aws_config::SdkConfig {
    shared().await.sdk.clone()
}

/// Retries: a few, quickly, so a wrong endpoint or a dead server fails in seconds.
fn retry() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            base: 2.0,
        },
        max_retries: 3,
        retry_timeout: Duration::from_secs(20),
    }
}

/// The client for a bucket (one per bucket per process).
pub async fn store(bucket: &str) -> Result<Arc<dyn ObjectStore>> {
    let shared = shared().await;
    let mut stores = shared.stores.lock().await;
    if let Some(s) = stores.get(bucket) {
        return Ok(s.clone());
    }
    let opts = options();
    let endpoint = endpoint(&opts);
    let client = ClientOptions::new()
        .with_connect_timeout(Duration::from_secs(5))
        .with_timeout(Duration::from_secs(120))
        .with_allow_http(
            endpoint
                .as_deref()
                .is_some_and(|e| e.starts_with("http://")),
        );
    let mut region = opts
        .region
        .clone()
        .or_else(|| shared.sdk.region().map(|r| r.to_string()));
    if endpoint.is_none() && opts.region.is_none() {
        // AWS itself: ask where the bucket lives, so a default region that differs
        // from the bucket's does not end in a redirect error.
        if let Ok(r) = object_store::aws::resolve_bucket_region(bucket, &ClientOptions::new()).await
        {
            region = Some(r);
        }
    }
    let mut builder = AmazonS3Builder::new()
        .with_bucket_name(bucket)
        .with_region(region.unwrap_or_else(|| "us-east-1".into()))
        .with_client_options(client)
        .with_retry(retry())
        .with_request_payer(opts.requester_pays);
    if let Some(e) = &endpoint {
        // S3-compatible stores (MinIO, Ceph, LocalStack) want path-style requests.
        builder = builder
            .with_endpoint(e)
            .with_allow_http(e.starts_with("http://"))
            .with_virtual_hosted_style_request(false);
    }
    if opts.no_sign_request {
        builder = builder.with_skip_signature(true);
    } else if let Some(provider) = shared.sdk.credentials_provider() {
        builder = builder.with_credentials(Arc::new(AwsConfigCredentials {
            provider,
            profile: opts.profile.clone().or_else(|| env("AWS_PROFILE")),
            cached: tokio::sync::Mutex::new(None),
        }));
    }
    let store: Arc<dyn ObjectStore> = Arc::new(builder.build()?);
    stores.insert(bucket.to_string(), store.clone());
    Ok(store)
}

/// An error and its sources as one text, each cause once.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text = format!("{text}: {s_text}");
        }
        source = s.source();
    }
    text
}

/// What went wrong with an S3 call, as far as the user can act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum S3ErrorKind {
    /// No credentials were found (none configured, SSO session expired, ...).
    NoCredentials,
    /// S3 refused the credentials: unknown key, wrong secret or expired session.
    CredentialsRefused,
    /// The credentials are valid but lack permission.
    AccessDenied,
    NoSuchBucket,
    /// The request went to a region other than the bucket's.
    WrongRegion,
    NoSuchObject,
    /// No HTTP answer at all: connection refused or dropped, name not found, timeout.
    Unreachable,
    Other,
}

impl S3ErrorKind {
    /// Classifies an object_store error: from its own types where it has them, from
    /// S3's error code and the HTTP status in its text where it does not.
    pub fn of(e: &object_store::Error) -> Self {
        use object_store::client::{HttpError, HttpErrorKind};
        // The credential bridge's own error travels through object_store unchanged.
        if causes(e).any(|c| c.is::<NoCredentials>()) {
            return Self::NoCredentials;
        }
        // object_store raises HttpError only when no response arrived; a body that
        // failed to decode did get one, so it is not an unreachable endpoint.
        if causes(e).any(|c| {
            c.downcast_ref::<HttpError>()
                .is_some_and(|h| h.kind() != HttpErrorKind::Decode)
        }) {
            return Self::Unreachable;
        }
        // object_store keeps S3's response (status and XML body) inside an error type
        // it does not export, so S3's error code and, for listings (which it reports
        // as `Generic`), the status are only in the text.
        let text = error_chain(e);
        if let Some(kind) = s3_code(&text).and_then(Self::of_code) {
            return kind;
        }
        match e {
            object_store::Error::PermissionDenied { .. } => return Self::AccessDenied,
            object_store::Error::Unauthenticated { .. } => return Self::CredentialsRefused,
            object_store::Error::NotFound { .. } => return Self::NoSuchObject,
            _ => {}
        }
        match http_status(&text) {
            // A listing answers 404 only when the bucket is missing.
            Some(404) => Self::NoSuchBucket,
            Some(403) => Self::AccessDenied,
            Some(401) => Self::CredentialsRefused,
            Some(301) => Self::WrongRegion,
            // object_store's words for a redirect without a Location header, which S3
            // sends for a bucket in another region.
            _ if text.contains("redirect without LOCATION") => Self::WrongRegion,
            _ => Self::Other,
        }
    }

    /// The kind an S3 error code (`<Code>` of the response body) stands for.
    fn of_code(code: &str) -> Option<Self> {
        Some(match code {
            "NoSuchBucket" => Self::NoSuchBucket,
            "InvalidAccessKeyId" | "SignatureDoesNotMatch" | "ExpiredToken" | "InvalidToken" => {
                Self::CredentialsRefused
            }
            "AccessDenied" => Self::AccessDenied,
            "PermanentRedirect" | "AuthorizationHeaderMalformed" => Self::WrongRegion,
            "NoSuchKey" => Self::NoSuchObject,
            _ => return None,
        })
    }
}

/// An error's sources, the error itself first.
fn causes<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(e), |c| c.source())
}

/// The `<Code>` of an S3 error response quoted in `text`.
fn s3_code(text: &str) -> Option<&str> {
    let (_, rest) = text.split_once("<Code>")?;
    let (code, _) = rest.split_once("</Code>")?;
    Some(code.trim())
}

/// The status object_store quotes for a non-2xx response
/// ("Server returned non-2xx status code: 404 Not Found: ...").
fn http_status(text: &str) -> Option<u16> {
    let (_, rest) = text.split_once("status code: ")?;
    rest.get(..3)?.parse().ok()
}

/// One line a user can act on for a failed S3 call on `url`.
pub fn explain(url: &str, e: &object_store::Error) -> String {
    message(url, S3ErrorKind::of(e), e)
}

/// The message of an S3 error of `kind`: the location, what to do, and the store's
/// own words last in brackets, for whoever has to dig further.
pub(crate) fn message(url: &str, kind: S3ErrorKind, e: &object_store::Error) -> String {
    let text = error_chain(e);
    let bucket = S3Url::parse(url).map(|u| u.bucket).unwrap_or_default();
    let what = match kind {
        // Its message already says where trawl looked and what to do.
        S3ErrorKind::NoCredentials => {
            return match causes(e).find_map(|c| c.downcast_ref::<NoCredentials>()) {
                Some(n) => format!("{url}: {n}"),
                None => format!("{url}: {}", first_line(&text)),
            };
        }
        S3ErrorKind::NoSuchBucket => format!(
            "bucket `{bucket}` does not exist (check the name, and --endpoint-url for S3-compatible stores)"
        ),
        S3ErrorKind::CredentialsRefused => "S3 refused the credentials (unknown key, wrong secret or expired session): check AWS_PROFILE / --profile and `aws sts get-caller-identity`".to_string(),
        S3ErrorKind::AccessDenied => "access denied: the credentials in use lack permission here (s3:ListBucket for listings, s3:GetObject / s3:PutObject for objects); for a requester-pays bucket add --requester-pays".to_string(),
        S3ErrorKind::WrongRegion => format!(
            "bucket `{bucket}` is in another region: pass --aws-region with the bucket's region"
        ),
        S3ErrorKind::NoSuchObject => "no such object".to_string(),
        S3ErrorKind::Unreachable => format!(
            "cannot reach the S3 endpoint ({}); check --endpoint-url / AWS_ENDPOINT_URL and the network",
            first_line(&text)
        ),
        S3ErrorKind::Other => first_line(&text).to_string(),
    };
    format!("{url}: {what} [{}]", first_line(&text))
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// An S3 error on `url`, classified.
pub fn error(url: &str, e: object_store::Error) -> Error {
    Error::S3 {
        url: url.to_string(),
        kind: S3ErrorKind::of(&e),
        error: e,
    }
}

/// Which CloudTrail deliveries a conversion wants; empty fields mean all.
#[derive(Debug, Clone, Default)]
pub struct KeyFilter {
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    /// Event days wanted, as days since the epoch (inclusive); a day of slack is
    /// added on each side because delivery time is not event time.
    pub since_day: Option<i64>,
    pub until_day: Option<i64>,
}

impl KeyFilter {
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
            && self.regions.is_empty()
            && self.since_day.is_none()
            && self.until_day.is_none()
    }

    fn day_in_range(&self, day: i64) -> bool {
        self.since_day.is_none_or(|s| day >= s - 1) && self.until_day.is_none_or(|u| day <= u + 1)
    }

    /// Whether a key in the CloudTrail delivery layout passes; keys outside the
    /// layout pass only when the filter is empty.
    pub fn accepts(&self, key: &str) -> bool {
        if self.is_empty() {
            return true;
        }
        let Some(k) = trawl_cloudtrail::parse_delivery_key(key) else {
            return false;
        };
        (self.accounts.is_empty() || self.accounts.iter().any(|a| a == k.account))
            && (self.regions.is_empty() || self.regions.iter().any(|r| r == k.region))
            && self.day_in_range(trawl_cloudtrail::days_from_civil(
                i64::from(k.year),
                i64::from(k.month),
                i64::from(k.day),
            ))
    }
}

/// Counts of one listing, for the summary and the tests.
#[derive(Debug, Default)]
pub struct ListStats {
    pub requests: AtomicU64,
    pub objects: AtomicU64,
}

async fn list_dirs(
    store: &dyn ObjectStore,
    url: &S3Url,
    prefix: &str,
    stats: &ListStats,
) -> Result<(Vec<String>, Vec<ObjectMeta>)> {
    stats.requests.fetch_add(1, Ordering::Relaxed);
    let p = ObjectPath::from(prefix.trim_end_matches('/'));
    let r = store
        .list_with_delimiter(Some(&p))
        .await
        .map_err(|e| error(&S3Url::object_url(&url.bucket, prefix), e))?;
    stats
        .objects
        .fetch_add(r.objects.len() as u64, Ordering::Relaxed);
    let dirs = r.common_prefixes.iter().map(|p| format!("{p}/")).collect();
    Ok((dirs, r.objects))
}

async fn list_all(
    store: &dyn ObjectStore,
    url: &S3Url,
    prefix: &str,
    stats: &ListStats,
    out: &mut Vec<ObjectMeta>,
) -> Result<()> {
    use futures::TryStreamExt;
    stats.requests.fetch_add(1, Ordering::Relaxed);
    let p = ObjectPath::from(prefix.trim_end_matches('/'));
    let mut s = store.list(if prefix.is_empty() { None } else { Some(&p) });
    while let Some(meta) = s
        .try_next()
        .await
        .map_err(|e| error(&S3Url::object_url(&url.bucket, prefix), e))?
    {
        stats.objects.fetch_add(1, Ordering::Relaxed);
        out.push(meta);
    }
    Ok(())
}

fn last_segment(dir: &str) -> &str {
    dir.trim_end_matches('/').rsplit('/').next().unwrap_or("")
}

fn is_org(seg: &str) -> bool {
    seg.starts_with("o-")
}

/// Lists the objects under `url`; with a non-empty filter over a CloudTrail
/// `AWSLogs/` tree, lists only the account, region and day prefixes it accepts.
pub async fn list(
    store: &dyn ObjectStore,
    url: &S3Url,
    filter: &KeyFilter,
    stats: &ListStats,
) -> Result<Vec<ObjectMeta>> {
    let mut out = Vec::new();
    let prefix = if url.key.is_empty() || url.key.ends_with('/') {
        url.key.clone()
    } else {
        format!("{}/", url.key)
    };
    // Where the prefix stands in `[...]AWSLogs/[o-org/]account/CloudTrail/region/Y/M/D/`.
    let segs: Vec<&str> = prefix.trim_end_matches('/').split('/').collect();
    let at_logs = segs.iter().position(|s| *s == "AWSLogs");
    if filter.is_empty() || (at_logs.is_none() && !prefix.is_empty()) {
        list_all(store, url, &prefix, stats, &mut out).await?;
        out.retain(|m| filter.accepts(m.location.as_ref()));
        return Ok(out);
    }
    let logs_root = match at_logs {
        Some(i) => format!("{}/", segs[..=i].join("/")),
        None => "AWSLogs/".to_string(),
    };
    let below: Vec<&str> = match at_logs {
        Some(i) => segs[i + 1..].to_vec(),
        None => Vec::new(),
    };
    // Accounts (through organization folders).
    let mut accounts: Vec<String> = Vec::new();
    let mut rest: &[&str] = &below;
    let mut roots = vec![logs_root.clone()];
    if let Some(first) = rest.first() {
        roots = vec![format!("{logs_root}{first}/")];
        rest = &rest[1..];
        if is_org(first) {
            if let Some(acct) = rest.first() {
                roots = vec![format!("{}{acct}/", roots[0])];
                rest = &rest[1..];
                accounts = roots.clone();
            }
        } else {
            accounts = roots.clone();
        }
    }
    if accounts.is_empty() {
        let (dirs, _) = list_dirs(store, url, &roots[0], stats).await?;
        for d in dirs {
            let seg = last_segment(&d);
            if is_org(seg) {
                let (inner, _) = list_dirs(store, url, &d, stats).await?;
                accounts.extend(inner);
            } else {
                accounts.push(d);
            }
        }
    }
    accounts.retain(|a| {
        filter.accounts.is_empty() || filter.accounts.iter().any(|x| x == last_segment(a))
    });
    for account in accounts {
        // Services: CloudTrail and CloudTrail-Insight; digests are never read.
        let families: Vec<String> = match rest.first() {
            Some(f) => vec![format!("{account}{f}/")],
            None => vec![
                format!("{account}CloudTrail/"),
                format!("{account}CloudTrail-Insight/"),
            ],
        };
        for family in families {
            let regions: Vec<String> = match rest.get(1) {
                Some(r) => vec![format!("{family}{r}/")],
                None => list_dirs(store, url, &family, stats).await?.0,
            };
            for region in regions {
                if !filter.regions.is_empty()
                    && !filter.regions.iter().any(|r| r == last_segment(&region))
                {
                    continue;
                }
                if rest.len() > 2 || (filter.since_day.is_none() && filter.until_day.is_none()) {
                    let deeper = if rest.len() > 2 {
                        format!("{region}{}/", rest[2..].join("/"))
                    } else {
                        region.clone()
                    };
                    list_all(store, url, &deeper, stats, &mut out).await?;
                    continue;
                }
                let from = filter.since_day.map_or(days_of_first_year(), |s| s - 1);
                let to = filter.until_day.map_or_else(today, |u| u + 1);
                for day in from..=to {
                    let (y, m, d) = trawl_cloudtrail::civil_from_days(day);
                    let p = format!("{region}{y:04}/{m:02}/{d:02}/");
                    list_all(store, url, &p, stats, &mut out).await?;
                }
            }
        }
    }
    out.retain(|m| filter.accepts(m.location.as_ref()));
    Ok(out)
}

/// CloudTrail began in November 2013.
fn days_of_first_year() -> i64 {
    trawl_cloudtrail::days_from_civil(2013, 11, 1)
}

fn today() -> i64 {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    secs.div_euclid(86_400) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = S3Url::parse("s3://trail/AWSLogs/").unwrap();
        assert_eq!(u.bucket, "trail");
        assert_eq!(u.key, "AWSLogs/");
        assert_eq!(S3Url::parse("s3://b").unwrap().key, "");
        assert!(S3Url::parse("s3:///x").is_err());
        assert!(S3Url::parse("/tmp/x").is_err());
    }

    const URL: &str = "s3://trail/AWSLogs/";

    /// A listing error as object_store reports it: `Generic`, with the response
    /// only in the text.
    fn listing(status: &str, body: &str) -> object_store::Error {
        object_store::Error::Generic {
            store: "S3",
            source: format!(
                "Error performing list request: Error performing GET http://127.0.0.1:9000/trail?list-type=2 in 3ms - Server returned non-2xx status code: {status}: {body}"
            )
            .into(),
        }
    }

    fn body(code: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>m</Message></Error>"
        )
    }

    fn transport(kind: object_store::client::HttpErrorKind) -> object_store::Error {
        object_store::Error::Generic {
            store: "S3",
            source: Box::new(object_store::client::HttpError::new(
                kind,
                std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "Connection refused"),
            )),
        }
    }

    /// The kind, and the message: the URL, what to do, the store's words in brackets.
    fn check(e: object_store::Error, kind: S3ErrorKind, what: &str) {
        let words = error_chain(&e);
        let words = first_line(&words).to_string();
        let err = error(URL, e);
        assert!(
            matches!(&err, Error::S3 { kind: k, url, .. } if *k == kind && url == URL),
            "{err:?}"
        );
        assert_eq!(err.to_string(), format!("{URL}: {what} [{words}]"));
        // The message quotes the store's error already; a chain must not repeat it.
        assert!(std::error::Error::source(&err).is_none());
    }

    #[test]
    fn s3_errors_are_classified_from_typed_errors_first() {
        use object_store::client::HttpErrorKind;
        let refused = "S3 refused the credentials (unknown key, wrong secret or expired session): check AWS_PROFILE / --profile and `aws sts get-caller-identity`";
        let denied = "access denied: the credentials in use lack permission here (s3:ListBucket for listings, s3:GetObject / s3:PutObject for objects); for a requester-pays bucket add --requester-pays";
        let no_bucket = "bucket `trail` does not exist (check the name, and --endpoint-url for S3-compatible stores)";
        let region =
            "bucket `trail` is in another region: pass --aws-region with the bucket's region";

        for code in [
            "InvalidAccessKeyId",
            "SignatureDoesNotMatch",
            "ExpiredToken",
            "InvalidToken",
        ] {
            check(
                listing("403 Forbidden", &body(code)),
                S3ErrorKind::CredentialsRefused,
                refused,
            );
        }
        check(
            object_store::Error::Unauthenticated {
                path: "AWSLogs/x".into(),
                source: "401".into(),
            },
            S3ErrorKind::CredentialsRefused,
            refused,
        );

        check(
            listing("403 Forbidden", &body("AccessDenied")),
            S3ErrorKind::AccessDenied,
            denied,
        );
        check(
            listing("403 Forbidden", ""),
            S3ErrorKind::AccessDenied,
            denied,
        );
        // A HEAD has no body: the status object_store mapped is all there is.
        check(
            object_store::Error::PermissionDenied {
                path: "AWSLogs/x".into(),
                source: "Server returned non-2xx status code: 403 Forbidden: ".into(),
            },
            S3ErrorKind::AccessDenied,
            denied,
        );

        check(
            listing("404 Not Found", &body("NoSuchBucket")),
            S3ErrorKind::NoSuchBucket,
            no_bucket,
        );
        check(
            listing("404 Not Found", ""),
            S3ErrorKind::NoSuchBucket,
            no_bucket,
        );
        // A GET from a missing bucket is a 404 too; the code tells it from a missing key.
        check(
            object_store::Error::NotFound {
                path: "AWSLogs/x".into(),
                source: body("NoSuchBucket").into(),
            },
            S3ErrorKind::NoSuchBucket,
            no_bucket,
        );
        check(
            object_store::Error::NotFound {
                path: "AWSLogs/x".into(),
                source: body("NoSuchKey").into(),
            },
            S3ErrorKind::NoSuchObject,
            "no such object",
        );

        check(
            listing("301 Moved Permanently", &body("PermanentRedirect")),
            S3ErrorKind::WrongRegion,
            region,
        );
        check(
            listing("400 Bad Request", &body("AuthorizationHeaderMalformed")),
            S3ErrorKind::WrongRegion,
            region,
        );
        check(
            listing("301 Moved Permanently", ""),
            S3ErrorKind::WrongRegion,
            region,
        );
        check(
            object_store::Error::Generic {
                store: "S3",
                source: "Received redirect without LOCATION, this normally indicates an incorrectly configured region".into(),
            },
            S3ErrorKind::WrongRegion,
            region,
        );

        for kind in [
            HttpErrorKind::Connect,
            HttpErrorKind::Timeout,
            HttpErrorKind::Request,
            HttpErrorKind::Interrupted,
            HttpErrorKind::Unknown,
        ] {
            check(
                transport(kind),
                S3ErrorKind::Unreachable,
                "cannot reach the S3 endpoint (Generic S3 error: HTTP error: Connection refused); check --endpoint-url / AWS_ENDPOINT_URL and the network",
            );
        }
        // A response arrived; its body did not decode.
        let e = transport(HttpErrorKind::Decode);
        assert_eq!(S3ErrorKind::of(&e), S3ErrorKind::Other);

        let e = listing("500 Internal Server Error", &body("InternalError"));
        let words = error_chain(&e);
        check(e, S3ErrorKind::Other, first_line(&words));
    }

    #[test]
    fn missing_credentials_say_where_trawl_looked() {
        let e = object_store::Error::Generic {
            store: "S3",
            source: Box::new(NoCredentials {
                profile: " (profile audit)".into(),
                cause: "the SSO session has expired".into(),
            }),
        };
        assert_eq!(S3ErrorKind::of(&e), S3ErrorKind::NoCredentials);
        let err = error(URL, e);
        assert_eq!(
            err.to_string(),
            "s3://trail/AWSLogs/: no usable AWS credentials (profile audit): the SSO session has expired. Set AWS_PROFILE or --profile, run `aws sso login`, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or --no-sign-request for a public bucket)"
        );
    }

    #[test]
    fn key_filter() {
        let k = "AWSLogs/o-abc/111122223333/CloudTrail/eu-west-1/2026/03/02/x.json.gz";
        let mut f = KeyFilter::default();
        assert!(f.accepts(k));
        f.accounts = vec!["111122223333".into()];
        assert!(f.accepts(k));
        f.regions = vec!["us-east-1".into()];
        assert!(!f.accepts(k));
        f.regions.clear();
        let day = trawl_cloudtrail::days_from_civil(2026, 3, 4);
        f.since_day = Some(day);
        // One day of slack: the 3rd is accepted, the 2nd is not.
        assert!(!f.accepts(k));
        f.since_day = Some(day - 1);
        assert!(f.accepts(k));
        assert!(!f.accepts("random/file.json"));
    }
}
