//! The `userIdentity` of each kind of caller in habits mode, shaped as CloudTrail
//! records them: SSO sessions and the SAML federation that starts them, instance
//! profile sessions, GitHub Actions' web identity and its role session, and the
//! service-linked roles of AWS services. Temporary keys are derived from the
//! session, so a session keeps one key and the next session gets a new one.

use serde_json::{Value, json};

use super::super::accounts::Identity;
use super::super::rng::Rng;
use super::org::{Automation, Fleet, Human, Instance, OrgAccount};
use crate::time::utc_time;

/// GitHub's OIDC issuer, as an IAM identity provider of the account.
fn github_provider(account: &str) -> String {
    format!("arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com")
}

/// The session name `aws-actions/configure-aws-credentials` uses by default.
pub(super) const DEPLOY_SESSION: &str = "GitHubActions";

/// A role's unique id.
pub(super) fn role_id(rng: &mut Rng) -> String {
    format!("AROA{}", rng.upper(17))
}

/// The temporary key of session `period` of the caller salted `salt`: the same
/// inputs always give the same key.
pub(super) fn session_key(seed: u64, salt: u64, period: i64) -> String {
    let mut rng = Rng::new(
        seed ^ salt.wrapping_mul(0xA24B_AED4_963E_E407)
            ^ (period as u64).wrapping_mul(0x9FB2_1C65_1E98_DF25),
    );
    format!("ASIA{}", rng.upper(16))
}

/// `expiration` in STS responses: `Mar 1, 2026, 1:00:00 AM`.
pub(super) fn expiration(ms: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let iso = utc_time(ms);
    let num = |r: std::ops::Range<usize>| iso.get(r).and_then(|s| s.parse::<usize>().ok());
    let (Some(year), Some(month), Some(day), Some(hour)) =
        (num(0..4), num(5..7), num(8..10), num(11..13))
    else {
        return iso;
    };
    let month = MONTHS.get(month.wrapping_sub(1)).copied().unwrap_or("Jan");
    let (h12, half) = match hour {
        0 => (12, "AM"),
        1..=11 => (hour, "AM"),
        12 => (12, "PM"),
        _ => (hour - 12, "PM"),
    };
    format!(
        "{month} {day}, {year}, {h12}:{}:{} {half}",
        iso.get(14..16).unwrap_or("00"),
        iso.get(17..19).unwrap_or("00")
    )
}

/// An assumed-role session of `role` (at `path`) named `name`.
struct Session<'a> {
    account: &'a str,
    role_id: &'a str,
    role: &'a str,
    path: &'a str,
    name: &'a str,
    key: &'a str,
    created_ms: i64,
    mfa: bool,
}

impl Session<'_> {
    fn json(&self) -> Value {
        let Session {
            account,
            role_id,
            role,
            path,
            name,
            key,
            created_ms,
            mfa,
        } = *self;
        json!({
            "type": "AssumedRole",
            "principalId": format!("{role_id}:{name}"),
            "arn": format!("arn:aws:sts::{account}:assumed-role/{role}/{name}"),
            "accountId": account,
            "accessKeyId": key,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": format!("arn:aws:iam::{account}:role/{path}{role}"),
                    "accountId": account,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {
                    "creationDate": utc_time(created_ms),
                    "mfaAuthenticated": if mfa { "true" } else { "false" },
                },
            },
        })
    }
}

fn identity(json: Value) -> Identity {
    Identity {
        json,
        kind: "AssumedRole",
        invoked_by: None,
        console: false,
    }
}

/// An SSO user's session of their permission set's role, named by their email.
pub(super) fn sso_session(acct: &OrgAccount, h: &Human, key: &str, created_ms: i64) -> Identity {
    Identity {
        console: true,
        ..identity(
            Session {
                account: &acct.id,
                role_id: &h.role_id,
                role: &h.role,
                path: "aws-reserved/sso.amazonaws.com/",
                name: &h.email,
                key,
                created_ms,
                // Identity Center asks for MFA at sign-in.
                mfa: true,
            }
            .json(),
        )
    }
}

/// The SSO user as `AssumeRoleWithSAML` records them.
pub(super) fn saml_user(h: &Human) -> Value {
    json!({
        "type": "SAMLUser",
        "principalId": format!("{}:{}", h.saml_provider, h.email),
        "userName": h.email,
        "identityProvider": h.saml_provider,
    })
}

/// An instance profile session, named by the instance id, credentials from IMDSv2.
pub(super) fn instance_session(
    acct: &OrgAccount,
    f: &Fleet,
    i: &Instance,
    key: &str,
    created_ms: i64,
) -> Identity {
    let mut json = Session {
        account: &acct.id,
        role_id: &f.role_id,
        role: f.role,
        path: "",
        name: &i.id,
        key,
        created_ms,
        mfa: false,
    }
    .json();
    json["sessionContext"]["ec2RoleDelivery"] = json!("2.0");
    identity(json)
}

/// The deploy role's session, assumed with GitHub's OIDC token.
pub(super) fn deploy_session(acct: &OrgAccount, key: &str, created_ms: i64) -> Identity {
    let p = &acct.pipeline;
    let mut json = Session {
        account: &acct.id,
        role_id: &p.role_id,
        role: p.role,
        path: "",
        name: DEPLOY_SESSION,
        key,
        created_ms,
        mfa: false,
    }
    .json();
    json["sessionContext"]["webIdFederationData"] =
        json!({"federatedProvider": github_provider(&acct.id), "attributes": {}});
    identity(json)
}

/// The workflow's OIDC subject: repository and branch.
pub(super) fn deploy_subject(acct: &OrgAccount) -> String {
    format!("repo:{}:ref:refs/heads/main", acct.pipeline.repo)
}

/// GitHub Actions as `AssumeRoleWithWebIdentity` records it.
pub(super) fn web_identity_user(acct: &OrgAccount) -> Value {
    let provider = github_provider(&acct.id);
    let subject = deploy_subject(acct);
    json!({
        "type": "WebIdentityUser",
        "principalId": format!("{provider}:sts.amazonaws.com:{subject}"),
        "userName": subject,
        "identityProvider": provider,
    })
}

/// A service-linked role session of an AWS service; the service made the call.
pub(super) fn service_role(
    acct: &OrgAccount,
    a: &Automation,
    key: &str,
    created_ms: i64,
) -> Identity {
    let mut json = Session {
        account: &acct.id,
        role_id: &a.role_id,
        role: a.role,
        path: &format!("aws-service-role/{}/", a.service),
        name: a.session,
        key,
        created_ms,
        mfa: false,
    }
    .json();
    json["invokedBy"] = json!(a.service);
    Identity {
        invoked_by: Some(a.service),
        ..identity(json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiration_reads_like_sts() {
        // 2026-03-01T13:05:09Z
        assert_eq!(expiration(1_772_370_309_000), "Mar 1, 2026, 1:05:09 PM");
        assert_eq!(expiration(1_772_323_200_000), "Mar 1, 2026, 12:00:00 AM");
    }

    #[test]
    fn a_session_keeps_its_key() {
        assert_eq!(session_key(1, 2, 3), session_key(1, 2, 3));
        assert_ne!(session_key(1, 2, 3), session_key(1, 2, 4));
        assert!(session_key(1, 2, 3).starts_with("ASIA"));
        assert_eq!(session_key(1, 2, 3).len(), 20);
    }
}
