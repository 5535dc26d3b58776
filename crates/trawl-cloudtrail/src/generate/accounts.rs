//! The accounts of a generated archive: their identities (users, SSO and service
//! roles, AWS services, root) with weights, buckets, instances, roles and users.

use serde_json::{Value, json};

use super::rng::Rng;

/// Who makes a call: the `userIdentity` JSON and what the event needs to know of it.
#[derive(Clone)]
pub(super) struct Identity {
    pub(super) json: Value,
    pub(super) kind: &'static str,
    pub(super) invoked_by: Option<&'static str>,
    pub(super) console: bool,
}

/// One account and the names events refer to in it.
pub(super) struct Account {
    pub(super) id: String,
    pub(super) identities: Vec<(Identity, u32)>,
    pub(super) buckets: Vec<String>,
    pub(super) instances: Vec<String>,
    pub(super) roles: Vec<String>,
    pub(super) users: Vec<String>,
}

/// The archive's `count` accounts (at least one), drawn in turn from `rng`.
pub(super) fn accounts(rng: &mut Rng, count: u32) -> Vec<Account> {
    (0..count.max(1)).map(|n| account(rng, n)).collect()
}

/// Builds account number `n`; draws its ids and keys from `rng`.
fn account(rng: &mut Rng, n: u32) -> Account {
    let id = format!(
        "{:012}",
        100_000_000_000u64 + u64::from(n) * 111_111_111 + rng.below(1000)
    );
    let users = vec![
        "alice".to_string(),
        "bob".to_string(),
        "ci-deploy".to_string(),
        "svc-backup".to_string(),
    ];
    let roles = vec![
        "AWSReservedSSO_AdministratorAccess_8f1c2d3e4b5a6978".to_string(),
        "AWSReservedSSO_ReadOnly_1a2b3c4d5e6f7081".to_string(),
        "app-server-role".to_string(),
        "lambda-orders-role".to_string(),
        "github-actions-deploy".to_string(),
        "OrganizationAccountAccessRole".to_string(),
    ];
    let mut identities = Vec::new();
    for (i, user) in users.iter().enumerate() {
        let key = format!("AKIA{}", rng.upper(16));
        let pid = format!("AIDA{}", rng.upper(17));
        let arn = format!("arn:aws:iam::{id}:user/{user}");
        identities.push((
            Identity {
                json: json!({"type":"IAMUser","principalId":pid,"arn":arn,"accountId":id,"accessKeyId":key,"userName":user}),
                kind: "IAMUser",
                invoked_by: None,
                console: i == 0,
            },
            [6, 4, 10, 3][i],
        ));
    }
    for (i, role) in roles.iter().enumerate() {
        let session = match i {
            0 => "alice@example.com".to_string(),
            1 => "bob@example.com".to_string(),
            2 => format!("i-0{}", rng.hex(16)),
            3 => "orders-handler".to_string(),
            4 => format!("GitHubActions-{}", rng.below(1_000_000)),
            _ => "admin-session".to_string(),
        };
        let rid = format!("AROA{}", rng.upper(17));
        let path = if i < 2 {
            "aws-reserved/sso.amazonaws.com/"
        } else {
            ""
        };
        let arn = format!("arn:aws:sts::{id}:assumed-role/{role}/{session}");
        let key = format!("ASIA{}", rng.upper(16));
        let mfa = if i == 0 { "true" } else { "false" };
        let mut sc = json!({
            "sessionIssuer": {"type":"Role","principalId":rid,"arn":format!("arn:aws:iam::{id}:role/{path}{role}"),"accountId":id,"userName":role},
            "webIdFederationData": {},
            "attributes": {"creationDate":"2026-03-01T00:00:00Z","mfaAuthenticated":mfa}
        });
        if i == 2 {
            sc["ec2RoleDelivery"] = json!("2.0");
        }
        if i == 4 {
            sc["webIdFederationData"] = json!({"federatedProvider":format!("arn:aws:iam::{id}:oidc-provider/token.actions.githubusercontent.com"),"attributes":{}});
        }
        identities.push((
            Identity {
                json: json!({"type":"AssumedRole","principalId":format!("{rid}:{session}"),"arn":arn,"accountId":id,"accessKeyId":key,"sessionContext":sc}),
                kind: "AssumedRole",
                invoked_by: None,
                console: i < 2,
            },
            [25, 10, 40, 30, 12, 2][i],
        ));
    }
    for svc in [
        "ec2.amazonaws.com",
        "lambda.amazonaws.com",
        "cloudformation.amazonaws.com",
        "config.amazonaws.com",
    ] {
        identities.push((
            Identity {
                json: json!({"type":"AWSService","invokedBy":svc}),
                kind: "AWSService",
                invoked_by: Some(svc),
                console: false,
            },
            4,
        ));
    }
    let root_arn = format!("arn:aws:iam::{id}:root");
    identities.push((
        Identity {
            json: json!({"type":"Root","principalId":id,"arn":root_arn,"accountId":id,"accessKeyId":format!("ASIA{}", rng.upper(16))}),
            kind: "Root",
            invoked_by: None,
            console: true,
        },
        1,
    ));
    let buckets = (0..4)
        .map(|i| {
            format!(
                "{}-{}",
                ["app-assets", "data-lake", "backups", "logs"][i],
                &id[8..]
            )
        })
        .collect();
    let instances = (0..6).map(|_| format!("i-0{}", rng.hex(16))).collect();
    Account {
        id,
        identities,
        buckets,
        instances,
        roles,
        users,
    }
}
