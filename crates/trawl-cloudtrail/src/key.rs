//! The S3 key grammar of CloudTrail deliveries:
//! `[prefix/]AWSLogs/[o-orgid/]<account>/<family>/<region>/<YYYY>/<MM>/<DD>/<file>`
//! where `<family>` is `CloudTrail`, `CloudTrail-Insight`, `CloudTrail-NetworkActivity`,
//! `CloudTrail-Aggregated` or `CloudTrail-Digest`. Local copies keep the same layout.

/// What an object is, judged from its key alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// Event records (trail, Insight, network activity, aggregated).
    Events,
    /// A digest file: integrity data, not events.
    Digest,
    /// The `aws-logs-write-test` object a CloudWatch Logs export writes as a permission check.
    CloudWatchWriteTest,
}

/// Classifies a key or path.
pub fn classify_key(key: &str) -> ObjectKind {
    let file = key.rsplit(['/', '\\']).next().unwrap_or(key);
    if key.contains("/CloudTrail-Digest/") || file.contains("_CloudTrail-Digest_") {
        ObjectKind::Digest
    } else if file == "aws-logs-write-test" {
        ObjectKind::CloudWatchWriteTest
    } else {
        ObjectKind::Events
    }
}

/// The parts of a standard delivery key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryKey<'a> {
    /// Everything before `AWSLogs/`, without the trailing slash.
    pub prefix: &'a str,
    pub org_id: Option<&'a str>,
    pub account: &'a str,
    pub family: &'a str,
    pub region: &'a str,
    /// Delivery day (not event day).
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

/// Parses a standard delivery key; `None` if the key does not follow the layout.
pub fn parse_delivery_key(key: &str) -> Option<DeliveryKey<'_>> {
    let at = key.find("AWSLogs/")?;
    let prefix = key[..at].trim_end_matches('/');
    let mut parts = key[at + "AWSLogs/".len()..].split('/');
    let mut first = parts.next()?;
    let org_id = if first.starts_with("o-") {
        let org = first;
        first = parts.next()?;
        Some(org)
    } else {
        None
    };
    let account = first;
    let family = parts.next()?;
    if !family.starts_with("CloudTrail") {
        return None;
    }
    let region = parts.next()?;
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    Some(DeliveryKey {
        prefix,
        org_id,
        account,
        family,
        region,
        year,
        month,
        day,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        let k = "logs/AWSLogs/o-abc123/111122223333/CloudTrail/us-east-1/2026/01/05/111122223333_CloudTrail_us-east-1_20260105T1000Z_x.json.gz";
        let p = parse_delivery_key(k).unwrap();
        assert_eq!(p.prefix, "logs");
        assert_eq!(p.org_id, Some("o-abc123"));
        assert_eq!(p.account, "111122223333");
        assert_eq!(
            (p.region, p.year, p.month, p.day),
            ("us-east-1", 2026, 1, 5)
        );
        assert_eq!(classify_key(k), ObjectKind::Events);
        let d = "AWSLogs/1/CloudTrail-Digest/us-east-1/2026/01/05/1_CloudTrail-Digest_us-east-1_t_us-east-1_20260105T100131Z.json.gz";
        assert_eq!(classify_key(d), ObjectKind::Digest);
        assert_eq!(parse_delivery_key(d).unwrap().family, "CloudTrail-Digest");
        assert_eq!(
            classify_key("exportedlogs/abc/aws-logs-write-test"),
            ObjectKind::CloudWatchWriteTest
        );
        assert!(parse_delivery_key("some/file.json").is_none());
    }
}
