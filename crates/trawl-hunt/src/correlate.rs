//! Reads from the lake what correlation needs (who signed each evidence event,
//! which call issued which session key, how busy each principal is) and turns a
//! report's findings into ranked incidents.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int64Type, TimeUnit};
use datafusion::common::{HashMap, HashSet};
use datafusion::functions::core::expr_fn::get_field;
use datafusion::prelude::{Expr, SessionContext, col};
use futures::StreamExt;

use crate::incident::{EventIdentity, FindingFacts, Issuance, group, incidents, linkable_ip};
use crate::report::StageTime;
use crate::{HuntError, HuntReport};

/// Calls whose response carries new credentials and whose caller is the identity
/// behind them.
const ISSUING_CALLS: &str = "SELECT json_extract_scalar(responseelements, '$.credentials.accessKeyId') AS issued, \
     useridentity.accesskeyid AS by_key, useridentity.arn AS by_arn \
     FROM cloudtrail \
     WHERE eventname IN ('AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', \
                         'GetSessionToken', 'GetFederationToken') \
       AND responseelements IS NOT NULL";

/// A string column read in place, in each of correlation's reads of the lake. The
/// lake's scans give string views; copying two million of them into plain strings per
/// column only to look most of them up once cost more than the lookups.
struct Texts {
    array: ArrayRef,
}

impl Texts {
    fn of(batch: &RecordBatch, i: usize) -> Result<Self, HuntError> {
        let array = batch.column(i);
        let array = match array.data_type() {
            DataType::Utf8View | DataType::Utf8 => array.clone(),
            _ => cast(array, &DataType::Utf8View).map_err(HuntError::Rows)?,
        };
        Ok(Self { array })
    }

    fn get(&self, r: usize) -> Option<&str> {
        if self.array.is_null(r) {
            return None;
        }
        match self.array.as_string_view_opt() {
            Some(v) => Some(v.value(r)),
            None => self.array.as_string_opt::<i32>().map(|s| s.value(r)),
        }
    }
}

/// Column `i` of a batch (a timestamp) as optional milliseconds since the epoch.
pub fn millis(batch: &RecordBatch, i: usize) -> Result<Vec<Option<i64>>, HuntError> {
    let c = cast(
        batch.column(i),
        &DataType::Timestamp(TimeUnit::Millisecond, None),
    )
    .and_then(|c| cast(&c, &DataType::Int64))
    .map_err(HuntError::Rows)?;
    let c = c.as_primitive::<Int64Type>();
    Ok((0..c.len())
        .map(|r| (!c.is_null(r)).then(|| c.value(r)))
        .collect())
}

fn identity_field(name: &str) -> Expr {
    get_field(col("useridentity"), name)
}

/// Streams `columns` of the lake's rows to `each`, a batch at a time. Membership in a
/// set of wanted values is tested here, in a hash set, not as an SQL `IN` list: a
/// hunt's evidence on a 2M-event lake named 695,488 events, and `eventid IN (...)`
/// that long took 193 s where reading the columns once takes about one.
async fn scan_columns(
    ctx: &SessionContext,
    columns: Vec<Expr>,
    mut each: impl FnMut(&RecordBatch) -> Result<(), HuntError>,
) -> Result<(), HuntError> {
    let mut stream = ctx
        .table("cloudtrail")
        .await?
        .select(columns)?
        .execute_stream()
        .await?;
    while let Some(batch) = stream.next().await {
        each(&batch?)?;
    }
    Ok(())
}

/// One shared copy of each distinct string.
#[derive(Default)]
struct Interner(HashSet<Arc<str>>);

impl Interner {
    fn get(&mut self, s: &str) -> Arc<str> {
        match self.0.get(s) {
            Some(a) => a.clone(),
            None => {
                let a: Arc<str> = Arc::from(s);
                self.0.insert(a.clone());
                a
            }
        }
    }
}

/// Who signed each of the `wanted` events, from where and when.
async fn identities<'w>(
    ctx: &SessionContext,
    wanted: &HashSet<&'w str>,
) -> Result<HashMap<&'w str, EventIdentity>, HuntError> {
    let mut out = HashMap::with_capacity(wanted.len());
    let mut interned = Interner::default();
    let columns = vec![
        col("eventid"),
        identity_field("accesskeyid").alias("access_key"),
        identity_field("arn").alias("arn"),
        col("sourceipaddress"),
        col("eventtime"),
    ];
    scan_columns(ctx, columns, |b| {
        let ids = Texts::of(b, 0)?;
        let rows: Vec<(usize, &'w str)> = (0..b.num_rows())
            .filter_map(|r| ids.get(r).and_then(|id| wanted.get(id)).map(|id| (r, *id)))
            .collect();
        if rows.is_empty() {
            return Ok(());
        }
        let (keys, arns, ips) = (Texts::of(b, 1)?, Texts::of(b, 2)?, Texts::of(b, 3)?);
        let times = millis(b, 4)?;
        for (r, id) in rows {
            let mut shared = |t: &Texts| t.get(r).map(|s| interned.get(s));
            let identity = EventIdentity {
                access_key: shared(&keys),
                arn: shared(&arns),
                source_ip: shared(&ips),
                time_ms: times[r],
            };
            out.insert(id, identity);
        }
        Ok(())
    })
    .await?;
    Ok(out)
}

async fn issuances(ctx: &SessionContext) -> Result<Vec<Issuance>, HuntError> {
    let batches = trawl_engine::sql(ctx, ISSUING_CALLS)
        .await?
        .collect()
        .await?;
    let mut out = Vec::new();
    for b in &batches {
        let (issued, by_key, by_arn) = (Texts::of(b, 0)?, Texts::of(b, 1)?, Texts::of(b, 2)?);
        for r in 0..b.num_rows() {
            if let Some(k) = issued.get(r).filter(|k| !k.is_empty()) {
                out.push(Issuance {
                    issued_key: k.to_string(),
                    by_key: by_key.get(r).map(str::to_string),
                    by_arn: by_arn.get(r).map(str::to_string),
                });
            }
        }
    }
    Ok(out)
}

/// Over the whole lake: for each address of `ips`, how many principals used it (up
/// to [`SHARED_IP_PRINCIPALS`]: that many already make it shared), and for each
/// principal of `arns`, how many events it made.
async fn tallies(
    ctx: &SessionContext,
    ips: &BTreeSet<&str>,
    arns: &BTreeSet<&str>,
) -> Result<(HashMap<String, u64>, HashMap<String, u64>), HuntError> {
    let mut principals_of: HashMap<&str, Vec<String>> =
        ips.iter().map(|ip| (*ip, Vec::new())).collect();
    let mut events_of: HashMap<&str, u64> = arns.iter().map(|a| (*a, 0)).collect();
    if principals_of.is_empty() && events_of.is_empty() {
        return Ok((HashMap::new(), HashMap::new()));
    }
    let columns = vec![col("sourceipaddress"), identity_field("arn").alias("arn")];
    scan_columns(ctx, columns, |b| {
        let (ip, arn) = (Texts::of(b, 0)?, Texts::of(b, 1)?);
        for r in 0..b.num_rows() {
            let Some(a) = arn.get(r) else {
                continue;
            };
            if let Some(n) = events_of.get_mut(a) {
                *n += 1;
            }
            if let Some(ip) = ip.get(r)
                && let Some(seen) = principals_of.get_mut(ip)
                && (seen.len() as u64) < SHARED_IP_PRINCIPALS
                && !seen.iter().any(|s| s == a)
            {
                seen.push(a.to_string());
            }
        }
        Ok(())
    })
    .await?;
    let principals_per_ip = principals_of
        .into_iter()
        .map(|(ip, s)| (ip.to_string(), s.len() as u64))
        .collect();
    let totals = events_of
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(a, n)| (a.to_string(), n))
        .collect();
    Ok((principals_per_ip, totals))
}

/// An address that this many principals or more used is shared infrastructure (a
/// NAT gateway, a VPN, a proxy), not one actor: it links nothing.
const SHARED_IP_PRINCIPALS: u64 = 4;

/// Groups the report's findings into incidents, ranks them, and names each
/// finding's incident.
pub(crate) async fn correlate(
    ctx: &SessionContext,
    report: &mut HuntReport,
    stages: &mut Vec<StageTime>,
) -> Result<(), HuntError> {
    let started = Instant::now();
    let facts: Vec<FindingFacts> = report
        .outcomes
        .iter()
        .flat_map(|o| {
            o.findings.iter().map(move |f| FindingFacts {
                detection: f.detection.clone(),
                title: f.title.clone(),
                severity: f.severity,
                tactic: o.query.tactic,
                eventids: f.evidence.eventids.clone(),
                first_seen: f.evidence.first_seen.clone(),
                last_seen: f.evidence.last_seen.clone(),
                principal: f.evidence.principal.clone(),
                sourceip: f.evidence.sourceip.clone(),
                account: f.evidence.account.clone(),
                region: f.evidence.region.clone(),
            })
        })
        .collect();
    if facts.is_empty() {
        return Ok(());
    }
    let eventids: HashSet<&str> = facts
        .iter()
        .flat_map(|f| f.eventids.iter().map(String::as_str))
        .collect();
    // Side by side: the first is a scan read on this task, the second a query whose
    // partitions run on the runtime's threads.
    let (identities, issued) = futures::try_join!(identities(ctx, &eventids), issuances(ctx))?;
    stages.push(StageTime::since(
        "incidents: evidence identities and issued sessions",
        started,
    ));
    let started = Instant::now();
    let ips: BTreeSet<&str> = identities
        .values()
        .filter_map(|e| e.source_ip.as_deref())
        .chain(facts.iter().filter_map(|f| f.sourceip.as_deref()))
        .filter(|ip| linkable_ip(ip).is_some())
        .map(str::trim)
        .collect();
    let arns: BTreeSet<&str> = identities
        .values()
        .filter_map(|e| e.arn.as_deref())
        .collect();
    let (principals_per_ip, totals) = tallies(ctx, &ips, &arns).await?;
    let shared: std::collections::HashSet<String> = principals_per_ip
        .into_iter()
        .filter(|(_, n)| *n >= SHARED_IP_PRINCIPALS)
        .map(|(ip, _)| ip)
        .collect();
    stages.push(StageTime::since("incidents: tallies", started));
    let started = Instant::now();
    let groups = group(&facts, |id| identities.get(id), &issued, &shared);
    stages.push(StageTime::since("incidents: grouping", started));
    let started = Instant::now();
    let rarity = |members: &[usize]| -> f64 {
        let evidence: HashSet<&str> = members
            .iter()
            .flat_map(|m| facts[*m].eventids.iter().map(String::as_str))
            .collect();
        let principals: BTreeSet<&str> = evidence
            .iter()
            .filter_map(|id| identities.get(*id).and_then(|e| e.arn.as_deref()))
            .collect();
        let total: u64 = principals.iter().filter_map(|a| totals.get(*a)).sum();
        if total == 0 {
            return 0.0;
        }
        (evidence.len() as f64 / total as f64).min(1.0)
    };
    let ranked = incidents(&facts, groups, rarity);
    let mut incident_of = vec![String::new(); facts.len()];
    for inc in &ranked {
        for m in &inc.findings {
            incident_of[*m] = inc.id.clone();
        }
    }
    let mut next = incident_of.into_iter();
    for o in &mut report.outcomes {
        for f in &mut o.findings {
            f.incident = next.next();
        }
    }
    report.incidents = ranked;
    stages.push(StageTime::since("incidents: ranking", started));
    Ok(())
}
