//! When habits mode's callers call: an intensity per caller and hour (working
//! hours and weekends for people, steady load for machines, around the clock for
//! automation, a nightly hour for the backup), the `--events` budget shared out
//! over those hours exactly, and CI deploys as bursts on weekdays.

use super::super::rng::Rng;
use super::org::{Human, Org, fraction};

pub(super) const HOUR_MS: i64 = 3_600_000;
pub(super) const DAY_MS: i64 = 86_400_000;

/// Who calls: indexes of the account and of the caller in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Caller {
    Human(usize, usize),
    Fleet(usize, usize),
    Automation(usize, usize),
    Backup(usize),
    /// A call of deploy number `.1` (into [`Plan::deploys`]).
    Deploy(usize, usize),
}

/// How the events left after deploys are shared between kinds of caller.
const HUMAN_SHARE: f64 = 0.30;
const FLEET_SHARE: f64 = 0.45;
const AUTOMATION_SHARE: f64 = 0.21;
const BACKUP_SHARE: f64 = 0.04;
/// At most this fraction of the events are deploys; bursts shrink to fit.
const DEPLOY_SHARE: f64 = 0.15;

/// Local hour (0-23) of `utc_ms` in zone `tz` (hours from UTC).
pub(super) fn local_hour(utc_ms: i64, tz: i64) -> i64 {
    (utc_ms + tz * HOUR_MS).rem_euclid(DAY_MS) / HOUR_MS
}

/// Local day number (days since 1970-01-01) of `utc_ms` in zone `tz`.
pub(super) fn local_day(utc_ms: i64, tz: i64) -> i64 {
    (utc_ms + tz * HOUR_MS).div_euclid(DAY_MS)
}

/// Saturday or Sunday, locally.
pub(super) fn weekend(utc_ms: i64, tz: i64) -> bool {
    // 1970-01-01 was a Thursday: +3 makes Monday 0.
    (local_day(utc_ms, tz) + 3).rem_euclid(7) >= 5
}

/// Within the person's working hours (any day of the week).
pub(super) fn working(h: &Human, utc_ms: i64) -> bool {
    (h.start_hour..h.end_hour).contains(&local_hour(utc_ms, h.tz))
}

/// One burst of CI calls.
pub(super) struct Deploy {
    pub(super) account: usize,
    pub(super) start_ms: i64,
    pub(super) calls: u64,
    pub(super) salt: u64,
}

/// Events per caller and hour, and the deploys' calls in time order.
pub(super) struct Plan {
    pub(super) hours: usize,
    pub(super) callers: Vec<Caller>,
    /// `counts[c * hours + h]`: calls of `callers[c]` in hour `h`.
    pub(super) counts: Vec<u64>,
    pub(super) deploys: Vec<Deploy>,
    /// Every deploy call: time and deploy, by time.
    pub(super) deploy_calls: Vec<(i64, usize)>,
}

impl Plan {
    /// Shares `events` over `org`'s callers and hours.
    pub(super) fn new(rng: &mut Rng, org: &Org, events: u64) -> Self {
        let hours = (org.span_ms / HOUR_MS).max(1) as usize;
        let budget = (events as f64 * DEPLOY_SHARE) as u64;
        let deploys = deploys(rng, org, budget);
        let deploy_calls = deploy_calls(rng, &deploys);
        let rest = events - deploy_calls.len() as u64;

        let mut callers = Vec::new();
        for (a, acct) in org.accounts.iter().enumerate() {
            callers.extend((0..acct.humans.len()).map(|i| Caller::Human(a, i)));
            callers.extend((0..acct.fleets.len()).map(|i| Caller::Fleet(a, i)));
            callers.extend((0..acct.automation.len()).map(|i| Caller::Automation(a, i)));
            if acct.backup.is_some() {
                callers.push(Caller::Backup(a));
            }
        }
        let mut weights = Vec::with_capacity(callers.len() * hours);
        for c in &callers {
            for h in 0..hours {
                let t = org.start_ms + h as i64 * HOUR_MS;
                // Hour to hour, nobody is quite as busy as their habit says.
                let noise = 0.7 + 0.6 * fraction(rng);
                weights.push(intensity(org, *c, t) * noise);
            }
        }
        // Each kind of caller gets its share whatever its raw intensities add to.
        let kind = |c: &Caller| match c {
            Caller::Human(..) => 0,
            Caller::Fleet(..) => 1,
            Caller::Automation(..) => 2,
            Caller::Backup(_) | Caller::Deploy(..) => 3,
        };
        let shares = [HUMAN_SHARE, FLEET_SHARE, AUTOMATION_SHARE, BACKUP_SHARE];
        let mut sums = [0.0f64; 4];
        for (c, caller) in callers.iter().enumerate() {
            sums[kind(caller)] += weights[c * hours..(c + 1) * hours].iter().sum::<f64>();
        }
        for (c, caller) in callers.iter().enumerate() {
            let k = kind(caller);
            let scale = if sums[k] > 0.0 {
                shares[k] / sums[k]
            } else {
                0.0
            };
            for w in &mut weights[c * hours..(c + 1) * hours] {
                *w *= scale;
            }
        }
        let counts = apportion(rest, &weights, fraction(rng));
        Self {
            hours,
            callers,
            counts,
            deploys,
            deploy_calls,
        }
    }
}

/// How busy caller `c` is in the hour starting at `t`, before scaling.
fn intensity(org: &Org, c: Caller, t: i64) -> f64 {
    let mid = t + HOUR_MS / 2;
    match c {
        Caller::Human(a, i) => {
            let h = &org.accounts[a].humans[i];
            if mid < h.hired_ms {
                return 0.0;
            }
            let mut w = if !working(h, t) {
                0.01
            } else if local_hour(t, h.tz) == 12 {
                0.6
            } else {
                1.0
            };
            if weekend(t, h.tz) {
                w *= 0.06;
            }
            if h.hired_ms > org.start_ms {
                // A new hire finds their feet over a few days.
                let days = (mid - h.hired_ms) as f64 / DAY_MS as f64;
                w *= (0.1 + days / 3.0).min(1.0);
            }
            w * h.pace
        }
        Caller::Fleet(a, f) => {
            let acct = &org.accounts[a];
            let fleet = &acct.fleets[f];
            let busy = if (8..20).contains(&local_hour(t, acct.tz)) {
                1.2
            } else {
                0.8
            };
            let week = if weekend(t, acct.tz) { 0.85 } else { 1.0 };
            fleet.instances.len() as f64 * busy * week
        }
        Caller::Automation(..) => 1.0,
        Caller::Backup(a) => {
            let acct = &org.accounts[a];
            match &acct.backup {
                Some(job) if local_hour(t, acct.tz) == job.hour => 1.0,
                _ => 0.0,
            }
        }
        Caller::Deploy(..) => 0.0,
    }
}

/// Shares `total` over `weights` in proportion, exactly: each gets the floor or
/// the ceiling of its quota, the ceiling as often as the quota's fraction
/// (systematic sampling from `offset` in `[0, 1)`), so a caller rarely busy in an
/// hour still calls in some of them. A zero weight gets nothing unless all are.
pub(super) fn apportion(total: u64, weights: &[f64], offset: f64) -> Vec<u64> {
    let sum: f64 = weights.iter().filter(|w| **w > 0.0).sum();
    let mut counts = vec![0u64; weights.len()];
    if weights.is_empty() {
        return counts;
    }
    if sum <= 0.0 {
        let n = weights.len() as u64;
        for (i, c) in counts.iter_mut().enumerate() {
            *c = total / n + u64::from((i as u64) < total % n);
        }
        return counts;
    }
    let mut acc = offset.clamp(0.0, 0.999_999);
    let mut prev = acc.floor();
    for (c, w) in counts.iter_mut().zip(weights) {
        acc += w.max(0.0) / sum * total as f64;
        let now = acc.floor();
        *c = (now - prev) as u64;
        prev = now;
    }
    // Float rounding can leave the sum one or two off; the heaviest cell absorbs it.
    let heaviest = (0..weights.len())
        .max_by(|a, b| weights[*a].total_cmp(&weights[*b]).then(b.cmp(a)))
        .unwrap_or(0);
    let given: u64 = counts.iter().sum();
    if given < total {
        counts[heaviest] += total - given;
    } else {
        let mut over = given - total;
        for c in counts.iter_mut() {
            let take = over.min(*c);
            *c -= take;
            over -= take;
        }
    }
    counts
}

/// Deploys: 1-4 each weekday per account in office hours, 50-300 calls each,
/// shrunk together when they would take more than `budget` events.
fn deploys(rng: &mut Rng, org: &Org, budget: u64) -> Vec<Deploy> {
    let end_ms = org.start_ms + org.span_ms;
    let mut out = Vec::new();
    for (a, acct) in org.accounts.iter().enumerate() {
        for day in local_day(org.start_ms, acct.tz)..=local_day(end_ms, acct.tz) {
            let midday = day * DAY_MS + 12 * HOUR_MS - acct.tz * HOUR_MS;
            if weekend(midday, acct.tz) {
                continue;
            }
            for _ in 0..1 + rng.below(4) {
                let local = (9 + rng.below(9) as i64) * HOUR_MS + rng.below(3600) as i64 * 1000;
                let start_ms = day * DAY_MS + local - acct.tz * HOUR_MS;
                let calls = 50 + rng.below(251);
                let salt = rng.next_u64();
                // The burst must end inside the span.
                if start_ms >= org.start_ms && start_ms + 11 * 60_000 < end_ms {
                    out.push(Deploy {
                        account: a,
                        start_ms,
                        calls,
                        salt,
                    });
                }
            }
        }
    }
    let total: u64 = out.iter().map(|d| d.calls).sum();
    if total > budget {
        let f = budget as f64 / total as f64;
        for d in &mut out {
            d.calls = (d.calls as f64 * f) as u64;
        }
        out.retain(|d| d.calls > 0);
    }
    out.sort_by_key(|d| (d.start_ms, d.account));
    out
}

/// Each deploy's calls: the federation first, the rest within 2-10 minutes.
fn deploy_calls(rng: &mut Rng, deploys: &[Deploy]) -> Vec<(i64, usize)> {
    let mut out = Vec::new();
    for (d, deploy) in deploys.iter().enumerate() {
        let minutes = 2 + rng.below(9);
        out.push((deploy.start_ms, d));
        for _ in 1..deploy.calls {
            let at = deploy.start_ms + 1000 + rng.below(minutes * 60) as i64 * 1000;
            out.push((at, d));
        }
    }
    // Stable: at the same second the federation stays ahead of its deploy's calls.
    out.sort_by_key(|(t, _)| *t);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_is_exact() {
        let w = [0.3, 0.0, 1.7, 2.2, 0.001, 5.0];
        let sum: f64 = w.iter().sum();
        for total in [0u64, 1, 7, 1000, 12_345] {
            for offset in [0.0, 0.37, 0.999] {
                let c = apportion(total, &w, offset);
                assert_eq!(c.iter().sum::<u64>(), total);
                assert_eq!(c[1], 0);
                for (n, w) in c.iter().zip(w) {
                    let quota = w / sum * total as f64;
                    assert!((*n as f64 - quota).abs() < 1.0 + 1e-9, "{n} for {quota}");
                }
            }
        }
        assert_eq!(apportion(5, &[0.0, 0.0], 0.5), vec![3, 2]);
        assert!(apportion(5, &[], 0.5).is_empty());
    }

    #[test]
    fn local_calendar() {
        // 2026-03-01T00:00:00Z was a Sunday.
        let t = 1_772_323_200_000;
        assert!(weekend(t, 0));
        assert_eq!(local_hour(t, -5), 19);
        // Saturday evening in New York.
        assert!(weekend(t, -5));
        // Monday 00:00 in Tokyo is 15:00 Sunday UTC.
        assert!(!weekend(t + 15 * HOUR_MS, 9));
    }
}
