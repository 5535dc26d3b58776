//! CloudTrail identity helpers: who acted (the parts of an ARN, the principal behind a
//! session) and through what (the family of a user agent).

use datafusion::logical_expr::ScalarUDF;

use super::text_fn;

/// Account id of any ARN form (`arn:aws:iam::123456789012:user/x` → `123456789012`).
pub fn arn_account(arn: &str) -> Option<String> {
    let acct = arn.split(':').nth(4)?;
    (!acct.is_empty()).then(|| acct.to_string())
}

/// The resource part of an ARN (after the 5th colon).
fn arn_resource(arn: &str) -> Option<&str> {
    let mut it = arn.splitn(6, ':');
    (it.next()? == "arn").then_some(())?;
    it.nth(4)
}

/// The principal's name: user name, role name (for an assumed-role session), federated
/// user, `root`, or a service principal.
pub fn principal_name(arn: &str) -> Option<String> {
    if arn.ends_with(".amazonaws.com") && !arn.starts_with("arn:") {
        return Some(arn.to_string());
    }
    let res = arn_resource(arn)?;
    if res == "root" {
        return Some("root".into());
    }
    let (kind, rest) = res.split_once('/')?;
    Some(match kind {
        "assumed-role" => rest.split('/').next()?.to_string(),
        "user" | "role" | "federated-user" | "group" => rest.rsplit('/').next()?.to_string(),
        _ => rest.to_string(),
    })
}

/// The session name of an assumed-role ARN.
pub fn session_name(arn: &str) -> Option<String> {
    let rest = arn_resource(arn)?.strip_prefix("assumed-role/")?;
    Some(rest.split_once('/')?.1.to_string())
}

/// The identity behind a session: an assumed-role ARN becomes its role's ARN; other
/// ARNs are themselves.
pub fn session_issuer(arn: &str) -> Option<String> {
    let mut parts = arn.splitn(6, ':');
    let (a, partition, _svc, _region, acct, res) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if a != "arn" {
        return None;
    }
    match res.strip_prefix("assumed-role/") {
        Some(rest) => Some(format!(
            "arn:{partition}:iam::{acct}:role/{}",
            rest.split('/').next()?
        )),
        None => Some(arn.to_string()),
    }
}

/// The family of a user agent: console, cli, python-sdk, go-sdk, java-sdk, js-sdk,
/// dotnet-sdk, ruby-sdk, php-sdk, rust-sdk, terraform, cloudformation, aws-service,
/// aws-internal, browser, or other.
pub fn useragent_family(ua: &str) -> Option<String> {
    let l = ua.to_ascii_lowercase();
    let family = if l.contains("terraform") {
        "terraform"
    } else if l.contains("cloudformation") {
        "cloudformation"
    } else if l.starts_with("aws-cli/") || l.contains(" aws-cli/") || l.starts_with("[aws-cli/") {
        "cli"
    } else if l.starts_with("console.")
        || l.contains("s3console")
        || l == "signin.amazonaws.com"
        || l.contains("console.amazonaws.com")
    {
        "console"
    } else if l.contains("boto3") || l.contains("botocore") {
        "python-sdk"
    } else if l.contains("aws-sdk-go") {
        "go-sdk"
    } else if l.contains("aws-sdk-java") {
        "java-sdk"
    } else if l.contains("aws-sdk-js") || l.contains("aws-sdk-nodejs") {
        "js-sdk"
    } else if l.contains("aws-sdk-dotnet") {
        "dotnet-sdk"
    } else if l.contains("aws-sdk-ruby") {
        "ruby-sdk"
    } else if l.contains("aws-sdk-php") {
        "php-sdk"
    } else if l.contains("aws-sdk-rust") {
        "rust-sdk"
    } else if l.starts_with("aws-internal") || l == "aws internal" {
        "aws-internal"
    } else if l.ends_with(".amazonaws.com") {
        "aws-service"
    } else if l.starts_with("mozilla/") {
        "browser"
    } else {
        "other"
    };
    Some(family.to_string())
}

/// `arn_account(arn)`, see [`arn_account`].
pub(super) fn arn_account_udf() -> ScalarUDF {
    text_fn("arn_account", arn_account)
}

/// `principal_name(arn)`, see [`principal_name`].
pub(super) fn principal_name_udf() -> ScalarUDF {
    text_fn("principal_name", principal_name)
}

/// `session_name(arn)`, see [`session_name`].
pub(super) fn session_name_udf() -> ScalarUDF {
    text_fn("session_name", session_name)
}

/// `session_issuer(arn)`, see [`session_issuer`].
pub(super) fn session_issuer_udf() -> ScalarUDF {
    text_fn("session_issuer", session_issuer)
}

/// `useragent_family(useragent)`, see [`useragent_family`].
pub(super) fn useragent_family_udf() -> ScalarUDF {
    text_fn("useragent_family", useragent_family)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns() {
        let a = "arn:aws:sts::123456789012:assumed-role/Admin/alice@example.com";
        assert_eq!(arn_account(a).as_deref(), Some("123456789012"));
        assert_eq!(principal_name(a).as_deref(), Some("Admin"));
        assert_eq!(session_name(a).as_deref(), Some("alice@example.com"));
        assert_eq!(
            session_issuer(a).as_deref(),
            Some("arn:aws:iam::123456789012:role/Admin")
        );
        assert_eq!(
            principal_name("arn:aws:iam::123456789012:user/dev/bob").as_deref(),
            Some("bob")
        );
        assert_eq!(
            principal_name("arn:aws:iam::123456789012:root").as_deref(),
            Some("root")
        );
        assert_eq!(
            principal_name("arn:aws:sts::123456789012:federated-user/carol").as_deref(),
            Some("carol")
        );
        assert_eq!(
            session_issuer("arn:aws-us-gov:sts::1:assumed-role/R/s").as_deref(),
            Some("arn:aws-us-gov:iam::1:role/R")
        );
        assert_eq!(arn_account("not an arn"), None);
    }

    #[test]
    fn agents() {
        for (ua, fam) in [
            ("aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79", "cli"),
            ("Boto3/1.34.69 md/Botocore#1.34.69", "python-sdk"),
            ("APN/1.0 HashiCorp/1.0 Terraform/1.7.5", "terraform"),
            ("console.amazonaws.com", "console"),
            (
                "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.680]",
                "console",
            ),
            ("Mozilla/5.0 (Macintosh)", "browser"),
            ("ec2.amazonaws.com", "aws-service"),
            ("stratus-red-team_a88d", "other"),
        ] {
            assert_eq!(useragent_family(ua).as_deref(), Some(fam), "{ua}");
        }
    }
}
