//! Habits mode: benign activity shaped like a real organisation, so a noise report
//! over the archive means something. Per account: SSO users with working hours in
//! their own time zone, quiet weekends, 1-3 stable addresses and a small personal
//! API set (plus a new API now and then); new hires part way through; instance
//! fleets whose calls leave by 1-3 NAT addresses per region, real EC2 addresses of
//! that region shared by every instance there; a GitHub Actions deploy role that
//! bursts across many services a few times each weekday; a nightly backup job; and
//! AWS Config, Security Hub, Resource Explorer, Trusted Advisor and Access Analyzer
//! reading everything around the clock. A service nobody used starts being used.
//!
//! Files: `org` (who is there), `identities` (their `userIdentity`), `schedule`
//! (when they call, the `--events` budget shared out exactly) and `calls` (what
//! each call is).
//!
//! Habits mode has random streams of its own: the delivery layout (files, delays,
//! duplicates) still comes from the archive's main stream.

mod calls;
mod identities;
mod org;
mod schedule;
#[cfg(test)]
mod tests;

use super::GenOptions;
use super::accounts::Account;
use super::rng::Rng;
use calls::Calls;
use org::Org;
use schedule::{Caller, DAY_MS, HOUR_MS, Plan};

/// One benign event of habits mode, in time order.
pub(super) struct HabitEvent {
    pub(super) time_ms: i64,
    pub(super) account: usize,
    /// The event's `awsRegion`, whose delivery file it goes in.
    pub(super) region: &'static str,
    pub(super) json: String,
}

/// `expiration` in STS responses, for the attack chains' own STS calls.
pub(super) fn expiration(ms: i64) -> String {
    identities::expiration(ms)
}

/// Credentials an instance of account `a` holds at `t`, as an attacker with a
/// foothold on it (SSRF to the metadata service, a shell) takes them.
pub(super) struct InstanceCredentials {
    /// The instance profile session's `userIdentity`, with the key the instance
    /// itself signs with in that period.
    pub(super) identity: serde_json::Value,
    /// Where the instance works.
    pub(super) region: &'static str,
}

/// The credentials an instance of `a`'s home-region application fleet holds at
/// `t`: the same session, key and creation time its own calls of the period carry.
pub(super) fn instance_at(
    opts: &GenOptions,
    accounts: &[Account],
    a: usize,
    t: i64,
) -> Option<InstanceCredentials> {
    let org = organisation(opts, accounts);
    let acct = org.accounts.get(a)?;
    let fleet = acct.fleets.first()?;
    // The instance that answered the attacker: any of the fleet, by time.
    let instance = fleet
        .instances
        .get((t / 600_000).rem_euclid(fleet.instances.len().max(1) as i64) as usize)?;
    let period = t.div_euclid(calls::INSTANCE_SESSION_MS);
    let key = identities::session_key(opts.seed, instance.salt, period);
    let identity = identities::instance_session(
        acct,
        fleet,
        instance,
        &key,
        period * calls::INSTANCE_SESSION_MS,
    );
    Some(InstanceCredentials {
        identity: identity.json,
        region: fleet.region,
    })
}

/// The organisation habits mode simulates for `opts` over `accounts`.
fn organisation(opts: &GenOptions, accounts: &[Account]) -> Org {
    let span_ms = i64::from(opts.days.max(1)) * DAY_MS;
    Org::build(
        &mut Rng::new(opts.seed ^ 0x4AB1_7500_0000_0001),
        accounts,
        opts.start_ms,
        span_ms,
    )
}

/// Hands `opts.events` benign events to `each`, in time order.
pub(super) fn events(opts: &GenOptions, accounts: &[Account], mut each: impl FnMut(HabitEvent)) {
    if opts.events == 0 || accounts.is_empty() {
        return;
    }
    let org = organisation(opts, accounts);
    let plan = Plan::new(
        &mut Rng::new(opts.seed ^ 0x4AB1_7500_0000_0002),
        &org,
        opts.events,
    );
    let mut rng = Rng::new(opts.seed ^ 0x4AB1_7500_0000_0003);
    let mut calls = Calls::new(&org, accounts, opts.seed, &plan);
    let mut next_deploy = 0;
    let mut slots: Vec<(i64, Caller)> = Vec::new();
    let mut emit = |slots: &mut Vec<(i64, Caller)>, rng: &mut Rng| {
        // Stable: ties keep the order they were planned in.
        slots.sort_by_key(|(t, _)| *t);
        for (time_ms, caller) in slots.drain(..) {
            let (account, region, json) = calls.event(rng, &plan, caller, time_ms);
            each(HabitEvent {
                time_ms,
                account,
                region,
                json,
            });
        }
    };
    // An hour at a time: every caller's calls of the hour, at whole seconds, and
    // the deploy calls that fall in it.
    for h in 0..plan.hours {
        let from = opts.start_ms + h as i64 * HOUR_MS;
        for (c, caller) in plan.callers.iter().enumerate() {
            for _ in 0..plan.counts[c * plan.hours + h] {
                slots.push((from + rng.below(3600) as i64 * 1000, *caller));
            }
        }
        while let Some((t, d)) = plan.deploy_calls.get(next_deploy)
            && *t < from + HOUR_MS
        {
            let account = plan.deploys.get(*d).map_or(0, |x| x.account);
            slots.push((*t, Caller::Deploy(account, *d)));
            next_deploy += 1;
        }
        emit(&mut slots, &mut rng);
    }
    // Deploys end inside the span; should one not, its calls still count.
    for (t, d) in plan.deploy_calls.iter().skip(next_deploy) {
        let account = plan.deploys.get(*d).map_or(0, |x| x.account);
        slots.push((*t, Caller::Deploy(account, *d)));
    }
    emit(&mut slots, &mut rng);
}
