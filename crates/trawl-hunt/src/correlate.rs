//! Reads from the lake what correlation needs (who signed each evidence event,
//! which call issued which session key, how busy each principal is) and turns a
//! report's findings into ranked incidents.

use std::collections::{BTreeSet, HashMap, HashSet};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int64Type, TimeUnit};
use datafusion::functions::core::expr_fn::get_field;
use datafusion::prelude::{Expr, SessionContext, col};
use futures::StreamExt;

use crate::incident::{EventIdentity, FindingFacts, Issuance, group, incidents, linkable_ip};
use crate::{HuntError, HuntReport};

/// Calls whose response carries new credentials and whose caller is the identity
/// behind them.
const ISSUING_CALLS: &str = "SELECT json_extract_scalar(responseelements, '$.credentials.accessKeyId') AS issued, \
     useridentity.accesskeyid AS by_key, useridentity.arn AS by_arn \
     FROM cloudtrail \
     WHERE eventname IN ('AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', \
                         'GetSessionToken', 'GetFederationToken') \
       AND responseelements IS NOT NULL";

/// Column `i` of a batch as a plain string array (views and dictionaries cast).
fn utf8(batch: &RecordBatch, i: usize) -> Result<ArrayRef, HuntError> {
    cast(batch.column(i), &DataType::Utf8).map_err(HuntError::Rows)
}

/// Row `r` of a string array, owned.
fn text_at(c: &StringArray, r: usize) -> Option<String> {
    (!c.is_null(r)).then(|| c.value(r).to_string())
}

/// Column `i` of a batch as optional strings.
fn strings(batch: &RecordBatch, i: usize) -> Result<Vec<Option<String>>, HuntError> {
    let c = utf8(batch, i)?;
    let c = c.as_string::<i32>();
    Ok((0..c.len()).map(|r| text_at(c, r)).collect())
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

async fn identities(
    ctx: &SessionContext,
    eventids: &BTreeSet<&str>,
) -> Result<HashMap<String, EventIdentity>, HuntError> {
    let wanted: HashSet<&str> = eventids.iter().copied().collect();
    let mut out = HashMap::new();
    let columns = vec![
        col("eventid"),
        identity_field("accesskeyid").alias("access_key"),
        identity_field("arn").alias("arn"),
        col("sourceipaddress"),
        col("eventtime"),
    ];
    scan_columns(ctx, columns, |b| {
        let ids = utf8(b, 0)?;
        let ids = ids.as_string::<i32>();
        let rows: Vec<usize> = (0..b.num_rows())
            .filter(|&r| !ids.is_null(r) && wanted.contains(ids.value(r)))
            .collect();
        if rows.is_empty() {
            return Ok(());
        }
        // Only the matching rows' values are copied: most batches hold one or none.
        let (keys, arns, ips) = (utf8(b, 1)?, utf8(b, 2)?, utf8(b, 3)?);
        let (keys, arns, ips) = (
            keys.as_string::<i32>(),
            arns.as_string::<i32>(),
            ips.as_string::<i32>(),
        );
        let times = millis(b, 4)?;
        for r in rows {
            out.insert(
                ids.value(r).to_string(),
                EventIdentity {
                    access_key: text_at(keys, r),
                    arn: text_at(arns, r),
                    source_ip: text_at(ips, r),
                    time_ms: times[r],
                },
            );
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
        let (issued, by_key, by_arn) = (strings(b, 0)?, strings(b, 1)?, strings(b, 2)?);
        for r in 0..b.num_rows() {
            if let Some(k) = issued[r].clone().filter(|k| !k.is_empty()) {
                out.push(Issuance {
                    issued_key: k,
                    by_key: by_key[r].clone(),
                    by_arn: by_arn[r].clone(),
                });
            }
        }
    }
    Ok(out)
}

/// Over the whole lake: for each address of `ips`, how many principals used it, and
/// for each principal of `arns`, how many events it made.
async fn tallies(
    ctx: &SessionContext,
    ips: &BTreeSet<String>,
    arns: &BTreeSet<String>,
) -> Result<(HashMap<String, u64>, HashMap<String, u64>), HuntError> {
    let mut principals_of: HashMap<&str, HashSet<String>> =
        ips.iter().map(|ip| (ip.as_str(), HashSet::new())).collect();
    let mut events_of: HashMap<&str, u64> = arns.iter().map(|a| (a.as_str(), 0)).collect();
    if principals_of.is_empty() && events_of.is_empty() {
        return Ok((HashMap::new(), HashMap::new()));
    }
    let columns = vec![col("sourceipaddress"), identity_field("arn").alias("arn")];
    scan_columns(ctx, columns, |b| {
        let (ip, arn) = (utf8(b, 0)?, utf8(b, 1)?);
        let (ip, arn) = (ip.as_string::<i32>(), arn.as_string::<i32>());
        for r in 0..b.num_rows() {
            if arn.is_null(r) {
                continue;
            }
            let a = arn.value(r);
            if let Some(n) = events_of.get_mut(a) {
                *n += 1;
            }
            if !ip.is_null(r)
                && let Some(seen) = principals_of.get_mut(ip.value(r))
                && !seen.contains(a)
            {
                seen.insert(a.to_string());
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
) -> Result<(), HuntError> {
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
    let eventids: BTreeSet<&str> = facts
        .iter()
        .flat_map(|f| f.eventids.iter().map(String::as_str))
        .collect();
    let identities = identities(ctx, &eventids).await?;
    let issued = issuances(ctx).await?;
    let ips: BTreeSet<String> = identities
        .values()
        .filter_map(|e| e.source_ip.as_deref())
        .chain(facts.iter().filter_map(|f| f.sourceip.as_deref()))
        .filter(|ip| linkable_ip(ip).is_some())
        .map(|ip| ip.trim().to_string())
        .collect();
    let arns: BTreeSet<String> = identities.values().filter_map(|e| e.arn.clone()).collect();
    let (principals_per_ip, totals) = tallies(ctx, &ips, &arns).await?;
    let shared: HashSet<String> = principals_per_ip
        .into_iter()
        .filter(|(_, n)| *n >= SHARED_IP_PRINCIPALS)
        .map(|(ip, _)| ip)
        .collect();
    let groups = group(&facts, &identities, &issued, &shared);
    let rarity = |members: &[usize]| -> f64 {
        let evidence: BTreeSet<&str> = members
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
    Ok(())
}
