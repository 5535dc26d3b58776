//! One event's JSON: the API, the identity, where it came from, errors, and the
//! console sign-ins that have a shape of their own.

use serde_json::{Value, json};

use super::accounts::{Account, Identity};
use super::payload::payload;
use super::rng::Rng;
use super::tables::{APIS, Api, CONSOLE_USER_AGENT, PUBLIC_IPS, USER_AGENTS};
use crate::time::utc_time;

/// One call, chosen: what the event says about who called what from where.
pub(super) struct Call<'a> {
    pub(super) api: &'a Api,
    pub(super) identity: &'a Identity,
    pub(super) region: &'a str,
    pub(super) ip: String,
    pub(super) ua: String,
    /// A console sign-in rather than the API call.
    pub(super) login: bool,
}

/// Makes one event at `time_ms` in `region` (IAM calls and sign-ins go to us-east-1).
pub(super) fn make_event(
    rng: &mut Rng,
    acct: &Account,
    time_ms: i64,
    region: &'static str,
) -> String {
    let api = {
        let weights: Vec<(usize, u32)> = APIS
            .iter()
            .enumerate()
            .map(|(i, a)| (i, a.weight))
            .collect();
        &APIS[*rng.weighted(&weights)]
    };
    let login = rng.chance(0.004);
    let identity = if login {
        let consoles: Vec<_> = acct
            .identities
            .iter()
            .filter(|(i, _)| i.console)
            .map(|(i, _)| i)
            .collect();
        *rng.pick(&consoles)
    } else {
        let all: Vec<_> = acct.identities.iter().map(|(i, w)| (i, *w)).collect();
        *rng.weighted(&all)
    };
    let region = if api.source == "iam.amazonaws.com" || login {
        "us-east-1"
    } else {
        region
    };
    let ip = if let Some(svc) = identity.invoked_by {
        svc.to_string()
    } else if rng.chance(0.25) {
        format!(
            "10.{}.{}.{}",
            rng.below(8),
            rng.below(256),
            1 + rng.below(250)
        )
    } else {
        (*rng.pick(PUBLIC_IPS)).to_string()
    };
    let ua = if identity.invoked_by.is_some() {
        identity.invoked_by.unwrap_or_default().to_string()
    } else {
        (*rng.weighted(USER_AGENTS)).to_string()
    };
    let call = Call {
        api,
        identity,
        region,
        ip,
        ua,
        login,
    };
    render(rng, acct, time_ms, &call).to_string()
}

/// The event of `call` at `time_ms`: ids, errors and payload drawn from `rng`.
pub(super) fn render(rng: &mut Rng, acct: &Account, time_ms: i64, call: &Call<'_>) -> Value {
    let Call {
        api,
        identity,
        region,
        ref ip,
        ref ua,
        login,
    } = *call;
    let event_id = rng.uuid();
    let request_id = rng.uuid();
    let mut ev = json!({
        "eventVersion": if api.data { "1.10" } else { "1.09" },
        "userIdentity": identity.json,
        "eventTime": utc_time(time_ms),
        "eventSource": api.source,
        "eventName": api.name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": ua,
    });
    if login {
        let failed = rng.chance(0.15);
        let mfa = if identity.kind == "Root" || rng.chance(0.7) {
            "Yes"
        } else {
            "No"
        };
        ev["eventSource"] = json!("signin.amazonaws.com");
        ev["eventName"] = json!("ConsoleLogin");
        ev["userAgent"] = json!(CONSOLE_USER_AGENT);
        ev["requestParameters"] = Value::Null;
        ev["responseElements"] =
            json!({"ConsoleLogin": if failed { "Failure" } else { "Success" }});
        ev["additionalEventData"] = json!({"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":mfa});
        if failed {
            ev["errorMessage"] = json!("Failed authentication");
        }
        ev["eventID"] = json!(event_id);
        ev["readOnly"] = json!(false);
        ev["eventType"] = json!("AwsConsoleSignIn");
        ev["managementEvent"] = json!(true);
        ev["recipientAccountId"] = json!(acct.id);
        ev["eventCategory"] = json!("Management");
        ev["tlsDetails"] = json!({"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"signin.aws.amazon.com"});
        return ev;
    }
    let error = if rng.chance(0.03) {
        Some(*rng.pick(&[
            (
                "AccessDenied",
                "User is not authorized to perform this operation",
            ),
            (
                "Client.UnauthorizedOperation",
                "You are not authorized to perform this operation.",
            ),
            ("ThrottlingException", "Rate exceeded"),
            ("NoSuchKey", "The specified key does not exist."),
        ]))
    } else {
        None
    };
    let (req, resp, resources) = payload(rng, acct, api, region, identity, error.is_some());
    ev["requestParameters"] = req;
    ev["responseElements"] = resp;
    if let Some((code, msg)) = error {
        ev["errorCode"] = json!(code);
        ev["errorMessage"] = json!(msg);
    }
    if api.data && api.source == "s3.amazonaws.com" {
        ev["additionalEventData"] = json!({"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"bytesTransferredOut":rng.below(5_000_000),"x-amz-id-2":rng.hex(24)});
    }
    ev["requestID"] = json!(request_id);
    ev["eventID"] = json!(event_id);
    ev["readOnly"] = json!(api.read_only);
    if let Some(r) = resources {
        ev["resources"] = r;
    }
    ev["eventType"] = json!("AwsApiCall");
    ev["managementEvent"] = json!(!api.data);
    ev["recipientAccountId"] = json!(acct.id);
    if identity.invoked_by.is_some() {
        ev["sharedEventID"] = json!(rng.uuid());
    }
    if !api.data && rng.chance(0.05) {
        ev["vpcEndpointId"] = json!(format!("vpce-0{}", rng.hex(16)));
    }
    ev["eventCategory"] = json!(if api.data { "Data" } else { "Management" });
    if identity.invoked_by.is_none() {
        ev["tlsDetails"] = json!({"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":format!("{}.{region}.amazonaws.com", api.source.trim_end_matches(".amazonaws.com"))});
        if ua.starts_with("console") || ua.starts_with("Mozilla") {
            ev["sessionCredentialFromConsole"] = json!("true");
        }
    }
    ev
}
