//! A stand-in for CloudTrail's `ListPublicKeys` on loopback: every awsJson1_1
//! `ListPublicKeys` call gets one given body, and the region each call was signed for is
//! kept. Point a child `trawl` at it with `AWS_ENDPOINT_URL_CLOUDTRAIL`
//! ([`CloudTrailServer::env`]).

use crate::aws::AwsStandIn;

/// A listening stand-in; lives until the test process ends.
pub struct CloudTrailServer {
    inner: AwsStandIn,
}

impl CloudTrailServer {
    /// Serves `body` (a `ListPublicKeys` response: `{"PublicKeyList":[...]}`, times as
    /// epoch seconds) to every `ListPublicKeys` call.
    pub fn start(body: String) -> std::io::Result<Self> {
        let inner = AwsStandIn::start(move |r| {
            let target = r.header("x-amz-target").unwrap_or("");
            if target.ends_with(".ListPublicKeys") {
                (200, body.clone())
            } else {
                (
                    400,
                    format!(r#"{{"__type":"UnknownOperationException","message":"{target}"}}"#),
                )
            }
        })?;
        Ok(Self { inner })
    }

    pub fn endpoint(&self) -> String {
        self.inner.endpoint()
    }

    /// `AWS_ENDPOINT_URL_CLOUDTRAIL` for a child process.
    pub fn env(&self) -> (&'static str, String) {
        ("AWS_ENDPOINT_URL_CLOUDTRAIL", self.endpoint())
    }

    /// The region of each `ListPublicKeys` call so far (from its SigV4 credential scope).
    pub fn regions(&self) -> Vec<String> {
        self.inner
            .requests()
            .iter()
            .filter(|r| {
                r.header("x-amz-target")
                    .is_some_and(|t| t.ends_with(".ListPublicKeys"))
            })
            .filter_map(|r| r.signed_region().map(str::to_string))
            .collect()
    }
}
