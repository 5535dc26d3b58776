//! A deterministic generator of realistic CloudTrail archives: a mix of services,
//! identities (roles, users, services, the odd root login), errors, data events
//! with `resources`, console sign-ins, late deliveries and duplicate deliveries,
//! laid out as S3 delivers them (`AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/`).
//!
//! The same options always give byte-identical output.
//!
//! Files: `rng` (the seeded random numbers), `tables` (regions, user agents, IPs and
//! the API table), `accounts` (identities per account), `event` (one event's JSON),
//! `payload` (per-API request, response and resources), `attacks` (injected attack
//! chains with their ground truth), `habits` (benign activity with an
//! organisation's rhythms, instead of uniform draws) and `deliver` (files, delays
//! and duplicate deliveries).

mod accounts;
mod attacks;
mod deliver;
mod event;
mod habits;
mod payload;
mod rng;
mod tables;

pub use attacks::{AttackKind, InjectedChain};
pub use deliver::generate;
pub use rng::Rng;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenOptions {
    pub events: u64,
    pub accounts: u32,
    /// First event time, milliseconds since the epoch.
    pub start_ms: i64,
    pub days: u32,
    pub seed: u64,
    /// At most this many events per delivery file.
    pub events_per_file: usize,
    /// Fraction of records delivered twice (CloudTrail may duplicate deliveries).
    pub duplicate_rate: f64,
    /// Attack chains injected (see `attacks`), spread over the span and the
    /// accounts; their ground truth is in [`GenSummary::chains`]. With none the
    /// archive is what it always was.
    pub attacks: u32,
    /// The stories chains tell, in turn: chain `k` tells `attack_kinds[k % len]`
    /// (a role chain in a one-account archive gives way to the next kind). Empty:
    /// every kind in [`AttackKind::ALL`]'s order, so the first chain is always the
    /// leaked key.
    pub attack_kinds: Vec<AttackKind>,
    /// Benign activity with an organisation's habits (see `habits`): people with
    /// working hours and stable addresses and APIs, instance fleets behind shared
    /// NAT egress, CI bursts, org-wide automation. The same number of events, a
    /// different mix; off, the archive is byte for byte what it always was.
    pub habits: bool,
}

impl Default for GenOptions {
    fn default() -> Self {
        Self {
            events: 10_000,
            accounts: 3,
            // 2026-03-01T00:00:00Z
            start_ms: 1_772_323_200_000,
            days: 3,
            seed: 42,
            events_per_file: 100,
            duplicate_rate: 0.001,
            attacks: 0,
            attack_kinds: Vec::new(),
            habits: false,
        }
    }
}

/// One generated delivery file.
#[derive(Debug, Clone)]
pub struct GenFile {
    /// Key relative to the archive root (`AWSLogs/...`).
    pub key: String,
    /// The uncompressed `{"Records":[...]}` JSON.
    pub json: String,
    /// Records in the file (including duplicates of earlier deliveries).
    pub records: usize,
}

/// Summary of a generated archive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenSummary {
    pub files: u64,
    /// Distinct events.
    pub events: u64,
    /// Records written, counting duplicate deliveries.
    pub records: u64,
    pub json_bytes: u64,
    /// The injected attack chains, with their events.
    pub chains: Vec<InjectedChain>,
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    /// FNV-1a over every delivered file and the summary: stable across Rust releases,
    /// unlike `DefaultHasher`.
    fn archive_hash(opts: &GenOptions) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |bytes: &[u8]| {
            for b in bytes {
                h ^= u64::from(*b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        };
        let summary = generate(opts, |f| {
            eat(f.key.as_bytes());
            eat(f.json.as_bytes());
            eat(&f.records.to_le_bytes());
        });
        eat(format!("{summary:?}").as_bytes());
        h
    }

    /// The default archive is what it was before habits existed: other crates'
    /// tests and snapshots read it. These hashes come from the code before habits,
    /// but for `wide`'s, whose second chain became a role chain (and whose ground
    /// truth gained `accounts`) when chains took kinds in turn.
    #[test]
    fn default_output_is_unchanged() {
        let small = GenOptions {
            events: 2000,
            ..GenOptions::default()
        };
        let wide = GenOptions {
            events: 3000,
            accounts: 5,
            days: 7,
            seed: 9,
            events_per_file: 50,
            duplicate_rate: 0.01,
            attacks: 2,
            ..GenOptions::default()
        };
        let tiny = GenOptions {
            events: 1,
            accounts: 1,
            days: 1,
            ..GenOptions::default()
        };
        let got = [
            archive_hash(&small),
            archive_hash(&wide),
            archive_hash(&tiny),
        ];
        assert_eq!(
            got,
            [
                0x9fdf_473f_0007_e0bf,
                0xaf83_c4bf_ac7f_f5a1,
                0x7c71_8d7a_c656_ff95
            ],
            "{got:#018x?}"
        );
    }

    /// With leaked keys only, chains are what they were before the other kinds
    /// existed: the delivered files hash as they did then.
    #[test]
    fn leaked_key_chains_are_unchanged() {
        let wide = GenOptions {
            events: 3000,
            accounts: 5,
            days: 7,
            seed: 9,
            events_per_file: 50,
            duplicate_rate: 0.01,
            attacks: 2,
            attack_kinds: vec![AttackKind::LeakedKey],
            ..GenOptions::default()
        };
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        generate(&wide, |f| {
            for b in f.key.bytes().chain(f.json.bytes()) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        });
        assert_eq!(h, 0x6272_2553_8bc1_a5a2, "{h:#018x}");
    }

    #[test]
    fn deterministic_and_counted() {
        let opts = GenOptions {
            events: 500,
            ..GenOptions::default()
        };
        let mut a = Vec::new();
        let sa = generate(&opts, |f| a.push((f.key, f.json)));
        let mut b = Vec::new();
        let sb = generate(&opts, |f| b.push((f.key, f.json)));
        assert_eq!(a, b);
        assert_eq!(sa, sb);
        assert_eq!(sa.events, 500);
        assert!(sa.records >= 500);
        for (key, json) in &a {
            assert!(
                key.starts_with("AWSLogs/") && key.ends_with(".json.gz"),
                "{key}"
            );
            let v: Value = serde_json::from_str(json).unwrap();
            assert!(v["Records"].as_array().is_some_and(|r| !r.is_empty()));
        }
    }

    #[test]
    fn attacks_come_with_their_ground_truth() {
        let ids = |opts: &GenOptions| -> (Vec<String>, GenSummary) {
            let mut ids = Vec::new();
            let s = generate(opts, |f| {
                let v: Value = serde_json::from_str(&f.json).unwrap();
                for r in v["Records"].as_array().unwrap() {
                    ids.push(r["eventID"].as_str().unwrap().to_string());
                }
            });
            ids.sort();
            ids.dedup();
            (ids, s)
        };
        let plain = GenOptions {
            events: 3000,
            ..GenOptions::default()
        };
        let (benign, s0) = ids(&plain);
        assert!(s0.chains.is_empty());
        let (all, s2) = ids(&GenOptions {
            attacks: 2,
            ..plain.clone()
        });
        assert_eq!(s2.chains.len(), 2);
        let chain_events: usize = s2.chains.iter().map(|c| c.eventids.len()).sum();
        assert!(chain_events >= 40, "{chain_events}");
        // As many benign events beside the chains (which ones differs: the delivery
        // files fill differently and draw from the same random stream).
        assert_eq!(all.len(), benign.len() + chain_events);
        assert_eq!(s2.events, s0.events + chain_events as u64);
        for c in &s2.chains {
            assert!(c.eventids.iter().all(|id| all.binary_search(id).is_ok()));
            assert!(c.access_key.starts_with("AKIA"));
        }
        assert_eq!(s2.chains[0].name, "leaked-key");
        assert!(s2.chains[0].principal.ends_with(":user/svc-backup"));
        assert_eq!(s2.chains[1].name, "role-chain");
        assert_ne!(s2.chains[0].account, s2.chains[1].account);
    }
}
