//! What each planned call is: the caller's API (from its stable set), region,
//! address, tool and session, rendered with the same event builder as the
//! default archive. A person's first call of the day is the SAML federation that
//! starts their session; a deploy's first call is GitHub's web identity federation.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::super::accounts::Account;
use super::super::event::{Call, render};
use super::super::rng::Rng;
use super::super::tables::{APIS, Api, CONSOLE_USER_AGENT, Payload, USER_AGENTS};
use super::identities::{
    DEPLOY_SESSION, deploy_session, deploy_subject, expiration, instance_session, saml_user,
    service_role, session_key, sso_session, web_identity_user,
};
use super::org::{Org, OrgAccount, api_index};
use super::schedule::{Caller, HOUR_MS, Plan, local_day};

/// `AssumeRoleWithSAML`, which is not in the API table: the default archive never
/// makes it.
const ASSUME_ROLE_WITH_SAML: Api = Api {
    source: "sts.amazonaws.com",
    name: "AssumeRoleWithSAML",
    read_only: true,
    data: false,
    payload: Payload::None,
    weight: 1,
};

/// The SSM agent, whose heartbeat instances send.
const SSM_AGENT: &str = "amazon-ssm-agent/3.3.1142.0";

/// What `aws-actions/configure-aws-credentials` sends.
const CONFIGURE_CREDENTIALS_AGENT: &str = "aws-sdk-js/3.540.0 ua/2.0 os/linux#6.5.0-1017-azure lang/js md/nodejs#20.11.1 api/sts#3.540.0 configure-aws-credentials-for-github-actions";

/// Instance profile credentials are rotated about every six hours.
pub(super) const INSTANCE_SESSION_MS: i64 = 6 * HOUR_MS;

/// Calls a person makes outside their usual set, now and then.
const NEW_API_CHANCE: f64 = 0.01;

/// Renders planned calls, remembering open sessions.
pub(super) struct Calls<'a> {
    pub(super) org: &'a Org,
    pub(super) accounts: &'a [Account],
    pub(super) seed: u64,
    /// Per SSO user: the local day of their session, its key and start.
    sessions: BTreeMap<(usize, usize), (i64, String, i64)>,
    /// Deploys whose federation call has been made.
    started: Vec<bool>,
}

/// Global services log to us-east-1 whatever region the caller works in.
fn region_of(api: &Api, region: &'static str) -> &'static str {
    if ["iam.amazonaws.com", "organizations.amazonaws.com"].contains(&api.source) {
        "us-east-1"
    } else {
        region
    }
}

/// An API of `set` by weight, leaving out the account's new service before it is
/// adopted (unless that leaves nothing).
fn pick_api(rng: &mut Rng, acct: &OrgAccount, set: &[(usize, u32)], t: i64) -> &'static Api {
    let open: Vec<(usize, u32)> = set
        .iter()
        .copied()
        .filter(|(i, _)| APIS[*i].source != acct.adopted || t >= acct.adopted_ms)
        .collect();
    let from = if open.is_empty() { set } else { &open };
    if from.is_empty() {
        return &APIS[0];
    }
    &APIS[*rng.weighted(from)]
}

/// Turns an STS call into a federation: who federated, what they asked for, what
/// they got. Federation with a valid token or assertion does not fail here.
fn federate(ev: &mut Value, identity: Value, request: Value, response: Value, role_arn: &str) {
    ev["userIdentity"] = identity;
    ev["requestParameters"] = request;
    ev["responseElements"] = response;
    let account = ev["recipientAccountId"].clone();
    ev["resources"] = json!([{"accountId": account, "type": "AWS::IAM::Role", "ARN": role_arn}]);
    if let Some(map) = ev.as_object_mut() {
        for key in ["errorCode", "errorMessage", "sessionCredentialFromConsole"] {
            map.remove(key);
        }
    }
}

impl<'a> Calls<'a> {
    pub(super) fn new(org: &'a Org, accounts: &'a [Account], seed: u64, plan: &Plan) -> Self {
        Self {
            org,
            accounts,
            seed,
            sessions: BTreeMap::new(),
            started: vec![false; plan.deploys.len()],
        }
    }

    /// The event of `caller` at `t`: its region (for delivery) and JSON.
    pub(super) fn event(
        &mut self,
        rng: &mut Rng,
        plan: &Plan,
        caller: Caller,
        t: i64,
    ) -> (usize, &'static str, String) {
        let (a, (region, ev)) = match caller {
            Caller::Human(a, i) => (a, self.human(rng, a, i, t)),
            Caller::Fleet(a, f) => (a, self.fleet(rng, a, f, t)),
            Caller::Automation(a, k) => (a, self.automation(rng, a, k, t)),
            Caller::Backup(a) => (a, self.backup(rng, a, t)),
            Caller::Deploy(a, d) => (a, self.deploy(rng, plan, a, d, t)),
        };
        (a, region, ev.to_string())
    }

    fn human(&mut self, rng: &mut Rng, a: usize, i: usize, t: i64) -> (&'static str, Value) {
        let acct = &self.org.accounts[a];
        let h = &acct.humans[i];
        let day = local_day(t, h.tz);
        let ip = rng.weighted(&h.addresses).clone();
        let new_session = self.sessions.get(&(a, i)).is_none_or(|s| s.0 != day);
        if new_session {
            let key = session_key(self.seed, h.salt, day);
            self.sessions.insert((a, i), (day, key.clone(), t));
            let region = "us-east-1";
            let identity = sso_session(acct, h, &key, t);
            let call = Call {
                api: &ASSUME_ROLE_WITH_SAML,
                identity: &identity,
                region,
                ip,
                ua: CONSOLE_USER_AGENT.to_string(),
                login: false,
            };
            let mut ev = render(rng, &self.accounts[a], t, &call);
            let role_arn = format!(
                "arn:aws:iam::{}:role/aws-reserved/sso.amazonaws.com/{}",
                acct.id, h.role
            );
            federate(
                &mut ev,
                saml_user(h),
                json!({
                    "sAMLAssertionID": format!("_{}", rng.uuid()),
                    "roleSessionName": h.email,
                    "principalArn": h.saml_provider,
                    "roleArn": role_arn,
                    "durationSeconds": 43_200,
                }),
                json!({
                    "credentials": {
                        "accessKeyId": key,
                        "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE",
                        "expiration": expiration(t + 12 * HOUR_MS),
                    },
                    "assumedRoleUser": {
                        "assumedRoleId": format!("{}:{}", h.role_id, h.email),
                        "arn": format!("arn:aws:sts::{}:assumed-role/{}/{}", acct.id, h.role, h.email),
                    },
                    "subject": h.email,
                    "subjectType": "persistent",
                    "issuer": format!("https://portal.sso.{}.amazonaws.com/saml/assertion/{:x}", acct.home, h.salt),
                    "audience": "https://signin.aws.amazon.com/saml",
                    "nameQualifier": h.saml_provider,
                    "sourceIdentity": h.email,
                }),
                &role_arn,
            );
            return (region, ev);
        }
        let (key, created) = self
            .sessions
            .get(&(a, i))
            .map(|s| (s.1.clone(), s.2))
            .unwrap_or_default();
        let api = if rng.chance(NEW_API_CHANCE) {
            pick_api(rng, acct, &h.eligible, t)
        } else {
            pick_api(rng, acct, &h.apis, t)
        };
        let region = if rng.chance(0.85) {
            acct.home
        } else {
            *rng.pick(&acct.regions)
        };
        let region = region_of(api, region);
        let identity = sso_session(acct, h, &key, created);
        let call = Call {
            api,
            identity: &identity,
            region,
            ip,
            ua: (*rng.weighted(&h.agents)).to_string(),
            login: false,
        };
        (region, render(rng, &self.accounts[a], t, &call))
    }

    fn fleet(&mut self, rng: &mut Rng, a: usize, f: usize, t: i64) -> (&'static str, Value) {
        let acct = &self.org.accounts[a];
        let fleet = &acct.fleets[f];
        let instance = rng.pick(&fleet.instances);
        let period = t.div_euclid(INSTANCE_SESSION_MS);
        let key = session_key(self.seed, instance.salt, period);
        let identity = instance_session(acct, fleet, instance, &key, period * INSTANCE_SESSION_MS);
        let api = pick_api(rng, acct, &fleet.apis, t);
        let ua = if api.name == "UpdateInstanceInformation" {
            SSM_AGENT
        } else {
            fleet.agent
        };
        let call = Call {
            api,
            identity: &identity,
            // Instance calls stay in their region: their egress is an EC2 address of it.
            region: fleet.region,
            ip: fleet.nats.get(instance.nat).cloned().unwrap_or_default(),
            ua: ua.to_string(),
            login: false,
        };
        (fleet.region, render(rng, &self.accounts[a], t, &call))
    }

    fn automation(&mut self, rng: &mut Rng, a: usize, k: usize, t: i64) -> (&'static str, Value) {
        let acct = &self.org.accounts[a];
        let auto = &acct.automation[k];
        let period = t.div_euclid(HOUR_MS);
        let key = session_key(self.seed, auto.salt, period);
        let identity = service_role(acct, auto, &key, period * HOUR_MS);
        let api = pick_api(rng, acct, &auto.apis, t);
        let region = *rng.pick::<&'static str>(&acct.regions);
        let region = region_of(api, region);
        let call = Call {
            api,
            identity: &identity,
            region,
            ip: auto.service.to_string(),
            ua: auto.service.to_string(),
            login: false,
        };
        let mut ev = render(rng, &self.accounts[a], t, &call);
        // A service reading the account it works for: nothing shared across accounts.
        if let Some(map) = ev.as_object_mut() {
            map.remove("sharedEventID");
        }
        (region, ev)
    }

    fn backup(&mut self, rng: &mut Rng, a: usize, t: i64) -> (&'static str, Value) {
        let acct = &self.org.accounts[a];
        let Some(job) = &acct.backup else {
            return self.automation(rng, a, 0, t);
        };
        let api = pick_api(rng, acct, &job.apis, t);
        let region = region_of(api, acct.home);
        let call = Call {
            api,
            identity: &job.identity,
            region,
            ip: job.ip.clone(),
            ua: USER_AGENTS[1].0.to_string(),
            login: false,
        };
        (region, render(rng, &self.accounts[a], t, &call))
    }

    fn deploy(
        &mut self,
        rng: &mut Rng,
        plan: &Plan,
        a: usize,
        d: usize,
        t: i64,
    ) -> (&'static str, Value) {
        let acct = &self.org.accounts[a];
        let Some(deploy) = plan.deploys.get(d) else {
            return self.automation(rng, a, 0, t);
        };
        let p = &acct.pipeline;
        // One runner and one tool per run.
        let runner = p.runners[deploy.salt as usize % p.runners.len().max(1)];
        let ua = if deploy.salt % 10 < 7 {
            USER_AGENTS[3].0
        } else {
            USER_AGENTS[0].0
        };
        let key = session_key(self.seed, deploy.salt, 0);
        let identity = deploy_session(acct, &key, deploy.start_ms);
        let first = self.started.get(d).is_some_and(|s| !s);
        if let Some(s) = self.started.get_mut(d) {
            *s = true;
        }
        if first {
            let api = api_index("sts", "AssumeRoleWithWebIdentity")
                .map_or(&ASSUME_ROLE_WITH_SAML, |i| &APIS[i]);
            let call = Call {
                api,
                identity: &identity,
                region: acct.home,
                ip: runner.to_string(),
                ua: CONFIGURE_CREDENTIALS_AGENT.to_string(),
                login: false,
            };
            let mut ev = render(rng, &self.accounts[a], t, &call);
            let role_arn = format!("arn:aws:iam::{}:role/{}", acct.id, p.role);
            let subject = deploy_subject(acct);
            federate(
                &mut ev,
                web_identity_user(acct),
                json!({
                    "roleArn": role_arn,
                    "roleSessionName": DEPLOY_SESSION,
                    "durationSeconds": 3600,
                }),
                json!({
                    "credentials": {
                        "accessKeyId": key,
                        "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE",
                        "expiration": expiration(t + HOUR_MS),
                    },
                    "subjectFromWebIdentityToken": subject,
                    "assumedRoleUser": {
                        "assumedRoleId": format!("{}:{DEPLOY_SESSION}", p.role_id),
                        "arn": format!("arn:aws:sts::{}:assumed-role/{}/{DEPLOY_SESSION}", acct.id, p.role),
                    },
                    "provider": format!("arn:aws:iam::{}:oidc-provider/token.actions.githubusercontent.com", acct.id),
                    "audience": "sts.amazonaws.com",
                }),
                &role_arn,
            );
            return (acct.home, ev);
        }
        let api = pick_api(rng, acct, &p.apis, t);
        let region = region_of(api, acct.home);
        let call = Call {
            api,
            identity: &identity,
            region,
            ip: runner.to_string(),
            ua: ua.to_string(),
            login: false,
        };
        (region, render(rng, &self.accounts[a], t, &call))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_services_log_to_us_east_1() {
        let iam = api_index("iam", "GetRole").map(|i| &APIS[i]);
        let s3 = api_index("s3", "GetObject").map(|i| &APIS[i]);
        assert_eq!(iam.map(|a| region_of(a, "eu-west-1")), Some("us-east-1"));
        assert_eq!(s3.map(|a| region_of(a, "eu-west-1")), Some("eu-west-1"));
    }
}
