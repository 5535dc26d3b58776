//! Incidents: findings that tell one story, told once. Findings are linked when
//! they share an identity: an access key, a key that issued the other's session
//! (AssumeRole, GetSessionToken, GetFederationToken, SAML and web identity, role
//! chains followed to their root), the same principal ARN, or the same public
//! source address within the same or the adjacent hour. Each connected group is an
//! incident, scored and ranked (see [`score`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};
use trawl_engine::catalog::{Severity, Tactic};

/// What the lake says about one evidence event's identity. The strings are shared:
/// a hunt's evidence can name hundreds of thousands of events of a few principals.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventIdentity {
    pub access_key: Option<Arc<str>>,
    pub arn: Option<Arc<str>>,
    pub source_ip: Option<Arc<str>>,
    /// Event time in milliseconds since the epoch.
    pub time_ms: Option<i64>,
}

/// A finding as correlation sees it.
#[derive(Debug, Clone)]
pub struct FindingFacts {
    pub detection: String,
    pub title: String,
    pub severity: Severity,
    pub tactic: Option<Tactic>,
    pub eventids: Vec<String>,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub principal: Option<String>,
    pub sourceip: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
}

/// A group of findings that share an identity chain, ranked among the others.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    /// Stable: a hash of the incident's earliest finding (its detection and
    /// evidence events), so the same lake hunted twice gives the same ids.
    #[serde(rename = "incident")]
    pub id: String,
    /// 1 is the most urgent.
    pub rank: usize,
    pub score: f64,
    pub severity: Severity,
    pub title: String,
    pub principals: Vec<String>,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    /// In the order they first appear in time.
    pub tactics: Vec<Tactic>,
    pub detections: Vec<String>,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// Every evidence event of every finding, sorted.
    pub eventids: Vec<String>,
    /// Its findings (indexes into the hunt's ranked findings), oldest first.
    #[serde(skip)]
    pub findings: Vec<usize>,
}

/// Credentials issued by one call: the new key and who asked for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Issuance {
    pub issued_key: String,
    pub by_key: Option<String>,
    pub by_arn: Option<String>,
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(n: usize) -> Self {
        Self((0..n).collect())
    }
    fn find(&mut self, i: usize) -> usize {
        let mut root = i;
        while self.0[root] != root {
            root = self.0[root];
        }
        let mut j = i;
        while self.0[j] != root {
            let next = self.0[j];
            self.0[j] = root;
            j = next;
        }
        root
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        // The lower index wins: groups come out the same whatever the merge order.
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.0[hi] = lo;
        }
    }
}

/// An address worth linking on: public, not an AWS service's name or an internal
/// address shared by every workload of a network.
pub fn linkable_ip(ip: &str) -> Option<IpAddr> {
    let addr: IpAddr = ip.trim().parse().ok()?;
    let internal = match addr {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.is_unspecified() || (v6.segments()[0] & 0xfe00) == 0xfc00
        }
    };
    (!internal).then_some(addr)
}

const HOUR_MS: i64 = 3_600_000;

/// Who signed an evidence event, from where, in which hour: what links it.
type Signer<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<i64>,
);

/// The root of a key's issuance chain and every key on the way: a role chain
/// (key A assumed role R1 as key B, which assumed R2 as key C) shares A.
fn chain(key: &str, issued_by: &HashMap<&str, &Issuance>) -> Vec<String> {
    let mut out = vec![key.to_string()];
    let mut current = key;
    // Bounded: a cycle in hostile or broken logs must not loop forever.
    for _ in 0..16 {
        let Some(parent) = issued_by.get(current).and_then(|i| i.by_key.as_deref()) else {
            break;
        };
        if parent.is_empty() || out.iter().any(|k| k == parent) {
            break;
        }
        out.push(parent.to_string());
        current = parent;
    }
    out
}

/// Groups findings by shared identity; returns the groups, each sorted, ordered by
/// their first member. `identity` is what the lake says about an evidence event.
/// Addresses in `shared_ips` (used by many principals: a NAT, a VPN, a proxy) link
/// nothing.
pub fn group<'a>(
    findings: &[FindingFacts],
    identity: impl Fn(&str) -> Option<&'a EventIdentity>,
    issuances: &[Issuance],
    shared_ips: &HashSet<String>,
) -> Vec<Vec<usize>> {
    let mut issued_by: HashMap<&str, &Issuance> = HashMap::new();
    for i in issuances {
        // A cross-account AssumeRole is logged twice, and only the caller's
        // account's copy names the caller's key (the role's account sees an
        // AWSAccount): that copy links, whichever the lake returns last.
        let known = issued_by.entry(i.issued_key.as_str()).or_insert(i);
        if known.by_key.is_none() {
            *known = i;
        }
    }
    let mut owner: HashMap<String, usize> = HashMap::new();
    let mut uf = UnionFind::new(findings.len());
    for (i, f) in findings.iter().enumerate() {
        // A finding's evidence is often thousands of calls by one identity from a few
        // addresses: each distinct (key, principal, address, hour) makes tokens once.
        let mut seen: HashSet<Signer> = HashSet::new();
        for id in &f.eventids {
            let Some(e) = identity(id) else {
                continue;
            };
            seen.insert((
                e.access_key.as_deref(),
                e.arn.as_deref(),
                e.source_ip.as_deref(),
                e.time_ms.map(|t| t.div_euclid(HOUR_MS)),
            ));
        }
        let mut tokens: BTreeSet<String> = BTreeSet::new();
        let add_ip = |tokens: &mut BTreeSet<String>, ip: &str, hour: Option<i64>| {
            if shared_ips.contains(ip.trim()) {
                return;
            }
            if let (Some(addr), Some(hour)) = (linkable_ip(ip), hour) {
                // The same or the adjacent hour: tokens for this hour and the next
                // meet those of an event in the next hour.
                tokens.insert(format!("ip:{addr}@{hour}"));
                tokens.insert(format!("ip:{addr}@{}", hour + 1));
            }
        };
        for (key, arn, ip, hour) in seen {
            if let Some(k) = key.filter(|k| !k.is_empty()) {
                for link in chain(k, &issued_by) {
                    tokens.insert(format!("key:{link}"));
                }
            }
            if let Some(arn) = arn.filter(|a| !a.is_empty()) {
                tokens.insert(format!("arn:{arn}"));
            }
            if let Some(ip) = ip {
                add_ip(&mut tokens, ip, hour);
            }
        }
        // The finding's own columns, for evidence the lake no longer has.
        if let Some(p) = f.principal.as_deref().filter(|p| p.starts_with("arn:")) {
            tokens.insert(format!("arn:{p}"));
        }
        if let Some(ip) = &f.sourceip {
            let hour = f
                .first_seen
                .as_deref()
                .and_then(trawl_cloudtrail::parse_event_time)
                .map(|t| t.div_euclid(HOUR_MS));
            add_ip(&mut tokens, ip, hour);
        }
        for t in tokens {
            match owner.get(&t) {
                Some(&j) => uf.union(i, j),
                None => {
                    owner.insert(t, i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..findings.len() {
        let root = uf.find(i);
        groups.entry(root).or_default().push(i);
    }
    groups.into_values().collect()
}

fn severity_weight(s: Severity) -> f64 {
    match s {
        Severity::Info => 0.0,
        Severity::Low => 1.0,
        Severity::Medium => 2.0,
        Severity::High => 4.0,
        Severity::Critical => 6.0,
    }
}

/// The parts of an incident's score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreInputs {
    pub worst: Severity,
    /// Distinct ATT&CK tactics.
    pub tactics: usize,
    /// Times the time-ordered tactics moved to a later stage of an intrusion than
    /// any before them (see [`tactic_path`]).
    pub advances: usize,
    pub detections: usize,
    pub accounts: usize,
    pub regions: usize,
    /// Share of the principals' events in the lake that are evidence (0..=1): a
    /// key that did little else than this is more suspect than a busy workload.
    pub rarity: f64,
}

/// `10·S + 4·(T−1) + 3·P + 3·R + 2·min(D−1, 5) + 2·min(A−1, 3) + min(G−1, 3)`, with S
/// the worst severity's weight (info 0, low 1, medium 2, high 4, critical 6), T the
/// distinct tactics, P the advances along the kill chain, R the rarity, D the
/// distinct detections, A the accounts and G the regions touched.
pub fn score(i: ScoreInputs) -> f64 {
    let less_one = |n: usize, cap: usize| n.saturating_sub(1).min(cap) as f64;
    let s = 10.0 * severity_weight(i.worst)
        + 4.0 * less_one(i.tactics, usize::MAX)
        + 3.0 * i.advances as f64
        + 3.0 * i.rarity.clamp(0.0, 1.0)
        + 2.0 * less_one(i.detections, 5)
        + 2.0 * less_one(i.accounts, 3)
        + less_one(i.regions, 3);
    (s * 100.0).round() / 100.0
}

/// Where a tactic stands in a cloud intrusion: recon, then credential access,
/// privilege escalation, persistence, defense evasion, and exfiltration or impact.
/// Tactics of one stage do not advance each other.
fn stage(t: Tactic) -> u8 {
    match t {
        Tactic::Reconnaissance | Tactic::ResourceDevelopment => 0,
        Tactic::Discovery | Tactic::InitialAccess => 1,
        Tactic::CredentialAccess => 2,
        Tactic::Execution | Tactic::PrivilegeEscalation => 3,
        Tactic::Persistence | Tactic::LateralMovement => 4,
        Tactic::DefenseEvasion => 5,
        Tactic::Collection | Tactic::CommandAndControl => 6,
        Tactic::Exfiltration | Tactic::Impact => 7,
    }
}

/// Tactics in time order, each once, and how many times the sequence moved to a
/// later stage than any seen before (an attack that advances, not one that repeats).
pub fn tactic_path(in_time_order: &[Tactic]) -> (Vec<Tactic>, usize) {
    let mut seen: Vec<Tactic> = Vec::new();
    let mut furthest: Option<u8> = None;
    let mut advances = 0;
    for t in in_time_order {
        if furthest.is_some_and(|f| stage(*t) > f) {
            advances += 1;
        }
        furthest = Some(furthest.map_or(stage(*t), |f| f.max(stage(*t))));
        if !seen.contains(t) {
            seen.push(*t);
        }
    }
    (seen, advances)
}

/// `inc-` and 16 hex digits of SHA-256 over the anchor finding.
pub fn incident_id(anchor: &FindingFacts) -> String {
    let mut ids: Vec<&str> = anchor.eventids.iter().map(String::as_str).collect();
    ids.sort();
    stable_id(&anchor.detection, &ids)
}

/// `inc-` and 16 hex digits of SHA-256 over `kind` and each part, NUL-separated:
/// the id of anything that should be named the same every time it is found.
pub fn stable_id(kind: &str, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(kind.as_bytes());
    for part in parts {
        h.update([0u8]);
        h.update(part.as_bytes());
    }
    let digest = h.finalize();
    let mut out = String::from("inc-");
    for b in digest.iter().take(8) {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The short name of a principal for titles: a user's or a session's name.
fn short_name(principal: &str) -> &str {
    principal.rsplit(['/', ':']).next().unwrap_or(principal)
}

/// Builds, scores and ranks incidents from grouped findings. `rarity` gives each
/// group's rarity (see [`ScoreInputs::rarity`]).
pub fn incidents(
    findings: &[FindingFacts],
    groups: Vec<Vec<usize>>,
    rarity: impl Fn(&[usize]) -> f64,
) -> Vec<Incident> {
    let mut out: Vec<Incident> = groups
        .into_iter()
        .map(|mut members| {
            members.sort_by(|&a, &b| {
                let (fa, fb) = (&findings[a], &findings[b]);
                fa.first_seen
                    .cmp(&fb.first_seen)
                    .then(fb.severity.cmp(&fa.severity))
                    .then(fa.detection.cmp(&fb.detection))
                    .then(fa.eventids.cmp(&fb.eventids))
            });
            let of = |m: &usize| &findings[*m];
            let anchor = of(&members[0]);
            let worst = members
                .iter()
                .map(|m| of(m).severity)
                .max()
                .unwrap_or(Severity::Info);
            let in_time: Vec<Tactic> = members.iter().filter_map(|m| of(m).tactic).collect();
            let (tactics, advances) = tactic_path(&in_time);
            let set = |get: &dyn Fn(&FindingFacts) -> Option<&String>| -> Vec<String> {
                members
                    .iter()
                    .filter_map(|m| get(of(m)))
                    .filter(|s| !s.is_empty())
                    .cloned()
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect()
            };
            let principals = set(&|f| f.principal.as_ref());
            let accounts = set(&|f| f.account.as_ref());
            let regions = set(&|f| f.region.as_ref());
            let mut detections: Vec<String> = Vec::new();
            for m in &members {
                if !detections.contains(&of(m).detection) {
                    detections.push(of(m).detection.clone());
                }
            }
            let mut eventids: Vec<&str> = members
                .iter()
                .flat_map(|m| of(m).eventids.iter().map(String::as_str))
                .collect();
            eventids.sort_unstable();
            eventids.dedup();
            let eventids: Vec<String> = eventids.into_iter().map(str::to_string).collect();
            let score = score(ScoreInputs {
                worst,
                tactics: tactics.len(),
                advances,
                detections: detections.len(),
                accounts: accounts.len(),
                regions: regions.len(),
                rarity: rarity(&members),
            });
            let headline = members
                .iter()
                .map(&of)
                .max_by(|a, b| {
                    a.severity
                        .cmp(&b.severity)
                        .then(b.first_seen.cmp(&a.first_seen))
                })
                .unwrap_or(anchor);
            let mut title = headline.title.clone();
            if detections.len() > 1 {
                title.push_str(&format!(" and {} more", detections.len() - 1));
            }
            if let Some(p) = principals.first() {
                title.push_str(&format!(" ({}", short_name(p)));
                if principals.len() > 1 {
                    title.push_str(&format!(" +{}", principals.len() - 1));
                }
                title.push(')');
            }
            Incident {
                id: incident_id(anchor),
                rank: 0,
                score,
                severity: worst,
                title,
                principals,
                accounts,
                regions,
                tactics,
                detections,
                first_seen: members
                    .iter()
                    .filter_map(|m| of(m).first_seen.clone())
                    .min(),
                last_seen: members.iter().filter_map(|m| of(m).last_seen.clone()).max(),
                eventids,
                findings: members,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.severity.cmp(&a.severity))
            .then(a.first_seen.cmp(&b.first_seen))
            .then(a.id.cmp(&b.id))
    });
    for (i, inc) in out.iter_mut().enumerate() {
        inc.rank = i + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(
        detection: &str,
        ids: &[&str],
        t: &str,
        tactic: Tactic,
        sev: Severity,
    ) -> FindingFacts {
        FindingFacts {
            detection: detection.into(),
            title: format!("{detection} title"),
            severity: sev,
            tactic: Some(tactic),
            eventids: ids.iter().map(|s| s.to_string()).collect(),
            first_seen: Some(t.into()),
            last_seen: Some(t.into()),
            principal: None,
            sourceip: None,
            account: Some("111122223333".into()),
            region: Some("us-east-1".into()),
        }
    }

    fn ident(key: &str, arn: &str, ip: &str, hour: i64) -> EventIdentity {
        EventIdentity {
            access_key: Some(key.into()),
            arn: Some(arn.into()),
            source_ip: Some(ip.into()),
            time_ms: Some(hour * HOUR_MS + 60_000),
        }
    }

    #[test]
    fn findings_link_through_keys_issued_sessions_and_addresses() {
        let f = vec![
            finding(
                "recon",
                &["e1"],
                "2026-03-01T10:00:00Z",
                Tactic::Discovery,
                Severity::Low,
            ),
            finding(
                "escalate",
                &["e2"],
                "2026-03-01T10:30:00Z",
                Tactic::PrivilegeEscalation,
                Severity::High,
            ),
            finding(
                "other",
                &["e3"],
                "2026-03-01T11:00:00Z",
                Tactic::Impact,
                Severity::Medium,
            ),
            finding(
                "same_ip",
                &["e4"],
                "2026-03-01T11:40:00Z",
                Tactic::Exfiltration,
                Severity::Medium,
            ),
            finding(
                "private_ip",
                &["e5"],
                "2026-03-01T10:00:00Z",
                Tactic::Discovery,
                Severity::Low,
            ),
            finding(
                "private_ip_too",
                &["e6"],
                "2026-03-01T10:00:00Z",
                Tactic::Discovery,
                Severity::Low,
            ),
        ];
        let ids = HashMap::from([
            (
                "e1".to_string(),
                ident("AKIALEAKED", "arn:aws:iam::1:user/bob", "198.51.100.7", 10),
            ),
            // A session the leaked key obtained: linked through the AssumeRole.
            (
                "e2".to_string(),
                ident(
                    "ASIASESSION",
                    "arn:aws:sts::1:assumed-role/Admin/x",
                    "203.0.113.9",
                    10,
                ),
            ),
            (
                "e3".to_string(),
                ident("AKIAOTHER", "arn:aws:iam::1:user/carol", "192.0.2.1", 11),
            ),
            // Another key, but from carol's address in the adjacent hour.
            (
                "e4".to_string(),
                ident("AKIATHIRD", "arn:aws:iam::1:user/dave", "192.0.2.1", 12),
            ),
            // Private addresses are shared by whole networks: no link.
            (
                "e5".to_string(),
                ident("AKIAP1", "arn:aws:iam::1:user/p1", "10.0.0.5", 10),
            ),
            (
                "e6".to_string(),
                ident("AKIAP2", "arn:aws:iam::1:user/p2", "10.0.0.5", 10),
            ),
        ]);
        let issued = vec![Issuance {
            issued_key: "ASIASESSION".into(),
            by_key: Some("AKIALEAKED".into()),
            by_arn: Some("arn:aws:iam::1:user/bob".into()),
        }];
        let groups = group(&f, |id| ids.get(id), &issued, &HashSet::new());
        assert_eq!(groups, vec![vec![0, 1], vec![2, 3], vec![4], vec![5]]);
        // carol's address, were it a shared egress, would link nothing.
        let shared = HashSet::from(["192.0.2.1".to_string()]);
        assert_eq!(
            group(&f, |id| ids.get(id), &issued, &shared),
            vec![vec![0, 1], vec![2], vec![3], vec![4], vec![5]]
        );
        let inc = incidents(&f, groups, |_| 0.5);
        assert_eq!(inc.len(), 4);
        assert_eq!(inc[0].detections, ["recon", "escalate"]);
        assert_eq!(inc[0].rank, 1);
        assert_eq!(inc[0].severity, Severity::High);
        assert_eq!(
            inc[0].tactics,
            [Tactic::Discovery, Tactic::PrivilegeEscalation]
        );
        assert_eq!(inc[0].eventids, ["e1", "e2"]);
        assert!(
            inc[0].title.starts_with("escalate title and 1 more"),
            "{}",
            inc[0].title
        );
        assert!(inc.windows(2).all(|w| w[0].score >= w[1].score));
        // Stable: the same findings in another order give the same ids and ranks.
        let mut g2 = group(&f, |id| ids.get(id), &issued, &HashSet::new());
        g2.reverse();
        let again = incidents(&f, g2, |_| 0.5);
        assert_eq!(again, inc);
    }

    /// A cross-account AssumeRole is in the lake twice; the role's account's copy
    /// (caller an AWSAccount, no key) must not hide the caller's key, whichever
    /// order the lake returns them in.
    #[test]
    fn a_cross_account_session_links_to_its_caller_in_either_order() {
        let f = vec![
            finding(
                "recon",
                &["e1"],
                "2026-03-01T10:00:00Z",
                Tactic::Discovery,
                Severity::Low,
            ),
            finding(
                "evade",
                &["e2"],
                "2026-03-01T10:30:00Z",
                Tactic::DefenseEvasion,
                Severity::High,
            ),
        ];
        let ids = HashMap::from([
            (
                "e1".to_string(),
                ident("AKIACI", "arn:aws:iam::1:user/ci", "198.51.100.7", 10),
            ),
            (
                "e2".to_string(),
                ident(
                    "ASIAINB",
                    "arn:aws:sts::2:assumed-role/OrganizationAccountAccessRole/x",
                    "203.0.113.9",
                    10,
                ),
            ),
        ]);
        let callers_copy = Issuance {
            issued_key: "ASIAINB".into(),
            by_key: Some("AKIACI".into()),
            by_arn: Some("arn:aws:iam::1:user/ci".into()),
        };
        let roles_copy = Issuance {
            by_key: None,
            by_arn: None,
            ..callers_copy.clone()
        };
        for issued in [
            vec![callers_copy.clone(), roles_copy.clone()],
            vec![roles_copy, callers_copy],
        ] {
            assert_eq!(
                group(&f, |id| ids.get(id), &issued, &HashSet::new()),
                vec![vec![0, 1]]
            );
        }
    }

    #[test]
    fn score_follows_its_formula() {
        let base = ScoreInputs {
            worst: Severity::High,
            tactics: 1,
            advances: 0,
            detections: 1,
            accounts: 1,
            regions: 1,
            rarity: 0.0,
        };
        assert_eq!(score(base), 40.0);
        let chain = ScoreInputs {
            tactics: 4,
            advances: 3,
            detections: 9,
            accounts: 2,
            regions: 5,
            rarity: 1.0,
            ..base
        };
        assert_eq!(score(chain), 40.0 + 12.0 + 9.0 + 3.0 + 10.0 + 2.0 + 3.0);
        let (path, advances) = tactic_path(&[
            Tactic::Discovery,
            Tactic::Discovery,
            Tactic::Persistence,
            Tactic::DefenseEvasion,
            Tactic::Impact,
        ]);
        // Recon, then persistence, evasion and impact: three steps forward.
        assert_eq!(path.len(), 4);
        assert_eq!(advances, 3);
        // Going back to recon after impact is no step forward.
        assert_eq!(tactic_path(&[Tactic::Impact, Tactic::Discovery]).1, 0);
    }
}
