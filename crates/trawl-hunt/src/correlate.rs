//! Reads from the lake what correlation needs (who signed each evidence event,
//! which call issued which session key, how busy each principal is) and turns a
//! report's findings into ranked incidents.

use std::collections::{BTreeSet, HashMap, HashSet};

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int64Type, TimeUnit};
use datafusion::functions::core::expr_fn::get_field;
use datafusion::functions_aggregate::expr_fn::{count, count_distinct};
use datafusion::prelude::{Expr, SessionContext, col, lit};

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

/// Column `i` of a batch as optional strings.
fn strings(batch: &RecordBatch, i: usize) -> Result<Vec<Option<String>>, HuntError> {
    let c = cast(batch.column(i), &DataType::Utf8).map_err(HuntError::Rows)?;
    let c = c.as_string::<i32>();
    Ok((0..c.len())
        .map(|r| (!c.is_null(r)).then(|| c.value(r).to_string()))
        .collect())
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

async fn identities(
    ctx: &SessionContext,
    eventids: &BTreeSet<&str>,
) -> Result<HashMap<String, EventIdentity>, HuntError> {
    let list: Vec<Expr> = eventids.iter().map(|id| lit(*id)).collect();
    let batches = ctx
        .table("cloudtrail")
        .await?
        .filter(col("eventid").in_list(list, false))?
        .select(vec![
            col("eventid"),
            identity_field("accesskeyid").alias("access_key"),
            identity_field("arn").alias("arn"),
            col("sourceipaddress"),
            col("eventtime"),
        ])?
        .collect()
        .await?;
    let mut out = HashMap::new();
    for b in &batches {
        let (ids, keys, arns, ips) = (
            strings(b, 0)?,
            strings(b, 1)?,
            strings(b, 2)?,
            strings(b, 3)?,
        );
        let times = millis(b, 4)?;
        for r in 0..b.num_rows() {
            if let Some(id) = &ids[r] {
                out.insert(
                    id.clone(),
                    EventIdentity {
                        access_key: keys[r].clone(),
                        arn: arns[r].clone(),
                        source_ip: ips[r].clone(),
                        time_ms: times[r],
                    },
                );
            }
        }
    }
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

/// For each of `values` of the column `key`, an aggregate over the lake's rows with
/// that value (`count(*)`, `count(DISTINCT ...)`).
async fn tally(
    ctx: &SessionContext,
    key: Expr,
    values: &BTreeSet<String>,
    aggregate: Expr,
) -> Result<HashMap<String, u64>, HuntError> {
    if values.is_empty() {
        return Ok(HashMap::new());
    }
    let list: Vec<Expr> = values.iter().map(|v| lit(v.as_str())).collect();
    let batches = ctx
        .table("cloudtrail")
        .await?
        .filter(key.clone().in_list(list, false))?
        .aggregate(vec![key.alias("key")], vec![aggregate.alias("n")])?
        .collect()
        .await?;
    let mut out = HashMap::new();
    for b in &batches {
        let keys = strings(b, 0)?;
        let n = cast(b.column(1), &DataType::Int64).map_err(HuntError::Rows)?;
        let n = n.as_primitive::<Int64Type>();
        for (r, k) in keys.into_iter().enumerate() {
            if let Some(k) = k {
                out.insert(k, n.value(r).max(0) as u64);
            }
        }
    }
    Ok(out)
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
    let principals_per_ip = tally(
        ctx,
        col("sourceipaddress"),
        &ips,
        count_distinct(identity_field("arn")),
    )
    .await?;
    let shared: HashSet<String> = principals_per_ip
        .into_iter()
        .filter(|(_, n)| *n >= SHARED_IP_PRINCIPALS)
        .map(|(ip, _)| ip)
        .collect();
    let groups = group(&facts, &identities, &issued, &shared);
    let arns: BTreeSet<String> = identities.values().filter_map(|e| e.arn.clone()).collect();
    let totals = tally(ctx, identity_field("arn"), &arns, count(lit(1))).await?;
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
