//! Laying events out as S3 delivers them: a file per account and region every five
//! minutes (or when full), delivered minutes later, a few days late, some twice.

use std::collections::BTreeMap;

use super::accounts::{Account, accounts};
use super::attacks::{Injected, inject};
use super::event::make_event;
use super::habits;
use super::rng::Rng;
use super::tables::REGIONS;
use super::{GenFile, GenOptions, GenSummary};
use crate::time::utc_date;
use crate::time::utc_time;

/// An event waiting in an open delivery file.
struct Event {
    time_ms: i64,
    account: usize,
    region: &'static str,
    json: String,
}

/// The compact stamp of delivery file names: `YYYYMMDDTHHMMZ`.
fn compact_stamp(ms: i64) -> String {
    let iso = utc_time(ms);
    format!(
        "{}{}{}T{}{}Z",
        &iso[0..4],
        &iso[5..7],
        &iso[8..10],
        &iso[11..13],
        &iso[14..16]
    )
}

/// Puts an injected event into the open delivery file of its account and region.
fn admit(
    e: Injected,
    open: &mut BTreeMap<(usize, &'static str), Vec<Event>>,
    summary: &mut GenSummary,
) {
    summary.events += 1;
    open.entry((e.account, e.region)).or_default().push(Event {
        time_ms: e.time_ms,
        account: e.account,
        region: e.region,
        json: e.json,
    });
}

/// The open and pending delivery files, and what has been delivered so far.
struct Delivery<'a, S: FnMut(GenFile)> {
    opts: &'a GenOptions,
    accounts: &'a [Account],
    sink: S,
    /// Open delivery files per (account, region); a file closes every 5 minutes of
    /// event time or when full, and is "delivered" a few minutes later.
    open: BTreeMap<(usize, &'static str), Vec<Event>>,
    pending_dupes: Vec<Event>,
    summary: GenSummary,
    window: i64,
    /// Attack events not yet due, latest first.
    injected: Vec<Injected>,
}

impl<S: FnMut(GenFile)> Delivery<'_, S> {
    /// Delivers one closed file, with any duplicates waiting in `dupes` for it.
    fn flush(&mut self, buf: Vec<Event>, rng: &mut Rng, dupes: &mut Vec<Event>) {
        if buf.is_empty() {
            return;
        }
        let last = buf.iter().map(|e| e.time_ms).max().unwrap_or(0);
        // Delivery is 2-15 minutes after the last event; a few files are days late.
        let mut delivered = last + 120_000 + rng.below(780_000) as i64;
        if rng.chance(0.002) {
            delivered += 86_400_000 + rng.below(86_400_000) as i64;
        }
        let acct = &self.accounts[buf[0].account];
        let region = buf[0].region;
        let date = utc_date(delivered).replace('-', "/");
        let key = format!(
            "AWSLogs/{}/CloudTrail/{region}/{date}/{}_CloudTrail_{region}_{}_{}.json.gz",
            acct.id,
            acct.id,
            compact_stamp(delivered),
            rng.upper(16)
        );
        let mut json =
            String::with_capacity(buf.iter().map(|e| e.json.len() + 1).sum::<usize>() + 16);
        json.push_str("{\"Records\":[");
        let mut records = 0;
        // A duplicate is redelivered in a later file of the same account and region.
        let (extra, keep): (Vec<Event>, Vec<Event>) = std::mem::take(dupes)
            .into_iter()
            .partition(|d| d.account == buf[0].account && d.region == region);
        *dupes = keep;
        for (i, e) in buf.iter().chain(extra.iter()).enumerate() {
            if i > 0 {
                json.push(',');
            }
            json.push_str(&e.json);
            records += 1;
        }
        json.push_str("]}");
        for e in &buf {
            if rng.chance(self.opts.duplicate_rate) {
                dupes.push(Event {
                    time_ms: e.time_ms,
                    account: e.account,
                    region: e.region,
                    json: e.json.clone(),
                });
            }
        }
        self.summary.files += 1;
        self.summary.records += records as u64;
        self.summary.json_bytes += json.len() as u64;
        (self.sink)(GenFile { key, json, records });
    }

    /// Flushes the open files of a closed 5-minute window, then admits the attack
    /// events due by `time_ms`.
    fn advance_to(&mut self, time_ms: i64, rng: &mut Rng) {
        let w = time_ms / 300_000;
        if w != self.window {
            let mut dupes = std::mem::take(&mut self.pending_dupes);
            for (_, buf) in std::mem::take(&mut self.open) {
                self.flush(buf, rng, &mut dupes);
            }
            self.pending_dupes = dupes;
            self.window = w;
        }
        while self.injected.last().is_some_and(|e| e.time_ms <= time_ms) {
            if let Some(e) = self.injected.pop() {
                admit(e, &mut self.open, &mut self.summary);
            }
        }
    }

    /// Adds a benign event to its open file, delivering the file once full.
    fn push(&mut self, event: Event, rng: &mut Rng) {
        self.summary.events += 1;
        let buf = self.open.entry((event.account, event.region)).or_default();
        buf.push(event);
        if buf.len() >= self.opts.events_per_file.max(1) {
            let full = std::mem::take(buf);
            let mut dupes = std::mem::take(&mut self.pending_dupes);
            self.flush(full, rng, &mut dupes);
            self.pending_dupes = dupes;
        }
    }

    /// Admits the remaining attack events, delivers every open file, then the
    /// duplicates still waiting.
    fn finish(mut self, rng: &mut Rng) -> GenSummary {
        while let Some(e) = self.injected.pop() {
            admit(e, &mut self.open, &mut self.summary);
        }
        let mut dupes = std::mem::take(&mut self.pending_dupes);
        for (_, buf) in std::mem::take(&mut self.open) {
            self.flush(buf, rng, &mut dupes);
        }
        // Duplicates still waiting for a later file of their account and region go
        // out in files of their own.
        while let Some(first) = dupes.first() {
            let (account, region) = (first.account, first.region);
            let (mine, rest): (Vec<Event>, Vec<Event>) = std::mem::take(&mut dupes)
                .into_iter()
                .partition(|d| d.account == account && d.region == region);
            dupes = rest;
            self.flush(mine, rng, &mut Vec::new());
        }
        self.summary
    }
}

/// Generates the archive, handing each delivery file to `sink` in delivery order.
pub fn generate(opts: &GenOptions, sink: impl FnMut(GenFile)) -> GenSummary {
    let mut rng = Rng::new(opts.seed);
    let accounts = accounts(&mut rng, opts.accounts);
    let span_ms = i64::from(opts.days.max(1)) * 86_400_000;
    let step = span_ms as f64 / opts.events.max(1) as f64;
    let mut summary = GenSummary::default();
    let (chains, mut injected) = inject(opts, &accounts);
    summary.chains = chains;
    injected.sort_by_key(|e| std::cmp::Reverse(e.time_ms));
    let mut delivery = Delivery {
        opts,
        accounts: &accounts,
        sink,
        open: BTreeMap::new(),
        pending_dupes: Vec::new(),
        summary,
        window: i64::MIN,
        injected,
    };
    if opts.habits {
        habits::events(opts, &accounts, |e| {
            delivery.advance_to(e.time_ms, &mut rng);
            delivery.push(
                Event {
                    time_ms: e.time_ms,
                    account: e.account,
                    region: e.region,
                    json: e.json,
                },
                &mut rng,
            );
        });
        return delivery.finish(&mut rng);
    }
    for i in 0..opts.events {
        let jitter = (rng.below(1000) as f64 * step / 1000.0) as i64;
        let time_ms = opts.start_ms + (i as f64 * step) as i64 + jitter;
        let time_ms = time_ms - time_ms % 1000;
        delivery.advance_to(time_ms, &mut rng);
        let a = rng.below(accounts.len() as u64) as usize;
        let region = *rng.weighted(REGIONS);
        let json = make_event(&mut rng, &accounts[a], time_ms, region);
        delivery.push(
            Event {
                time_ms,
                account: a,
                region,
                json,
            },
            &mut rng,
        );
    }
    delivery.finish(&mut rng)
}
