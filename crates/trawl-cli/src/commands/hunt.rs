//! `trawl hunt`: run the detection library over a lake (or raw archives) and report
//! the findings, most severe first.
//!
//! Exit status: 0 when nothing at or above `--fail-on` was found, 4 when something
//! was ([`EXIT_FINDINGS`]), 1 on error.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use comfy_table::{ContentArrangement, Table, presets};
use datafusion::prelude::SessionContext;
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Map, Value};
use trawl_engine::catalog::Query;
use trawl_engine::shared_scan::{
    TableRead, prefetch, selective_filter, selectivities, shareable, table_reads,
};

use crate::args::HuntArgs;
use crate::exec::{open_session, parse_params};

/// Exit status when a finding at or above `--fail-on` was reported.
pub const EXIT_FINDINGS: u8 = 4;

const SEVERITIES: [&str; 5] = ["info", "low", "medium", "high", "critical"];

fn rank(severity: &str) -> usize {
    SEVERITIES
        .iter()
        .position(|s| s.eq_ignore_ascii_case(severity.trim()))
        .unwrap_or(0)
}

fn parse_severity(s: &str) -> Result<usize> {
    SEVERITIES
        .iter()
        .position(|v| v.eq_ignore_ascii_case(s.trim()))
        .with_context(|| format!("unknown severity `{s}` (info, low, medium, high, critical)"))
}

/// One detection's outcome.
struct Outcome {
    query: Query,
    rows: Vec<Map<String, Value>>,
    error: Option<String>,
}

fn rows_as_json(
    batches: &[datafusion::arrow::array::RecordBatch],
) -> Result<Vec<Map<String, Value>>> {
    let mut buf = Vec::new();
    {
        let mut w = datafusion::arrow::json::ArrayWriter::new(&mut buf);
        for b in batches {
            w.write(b)?;
        }
        w.finish()?;
    }
    if buf.is_empty() {
        return Ok(Vec::new());
    }
    let v: Vec<Map<String, Value>> = serde_json::from_slice(&buf)?;
    Ok(v)
}

fn techniques(q: &Query) -> Vec<String> {
    ["attack_technique", "sigma_technique"]
        .iter()
        .filter_map(|k| q.meta.get(*k))
        .filter_map(|t| t.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// A detection planned with its parameters bound.
struct BoundQuery {
    df: datafusion::dataframe::DataFrame,
    /// Its reads of `cloudtrail` all have selective filters: it can run over the
    /// shared pre-filtered subset.
    shared: bool,
    reads: Vec<TableRead>,
}

/// Plans `query` in `ctx` with the parameters it declares taken from `given`.
async fn plan_bound(
    ctx: &SessionContext,
    query: &Query,
    given: &HashMap<String, String>,
) -> Result<BoundQuery> {
    let mine: HashMap<String, String> = given
        .iter()
        .filter(|(k, _)| query.params.iter().any(|p| &p.name == *k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let values = query.bind(&mine)?;
    let df = trawl_engine::sql(ctx, &query.sql).await?;
    let values = crate::exec::fit_params(&df, values)?;
    let df = df.with_param_values(values)?;
    Ok(BoundQuery {
        df,
        shared: false,
        reads: Vec::new(),
    })
}

async fn bind(
    ctx: &SessionContext,
    query: &Query,
    given: &HashMap<String, String>,
) -> Result<BoundQuery> {
    let mut b = plan_bound(ctx, query, given).await?;
    let optimized = ctx.state().optimize(b.df.logical_plan())?;
    b.reads = table_reads(&optimized, "cloudtrail")?;
    b.shared = shareable(&b.reads);
    Ok(b)
}

/// A detection whose filter keeps more than this share of the lake reads the lake
/// itself: holding that many rows in memory would cost more than scanning them again
/// (Parquet with pushed-down filters), and the subset would grow with the lake.
const MAX_SHARED_FRACTION: f64 = 0.02;

/// Reads the lake once for every detection that can share the scan and returns a
/// session whose `cloudtrail` is that subset (None when no detection can share).
/// Detections whose filters are too wide to share are marked unshared here.
async fn shared_session(
    ctx: &SessionContext,
    bound: &mut [(Query, Result<BoundQuery>)],
    memory_limit: Option<usize>,
    bar: Option<&ProgressBar>,
) -> Result<Option<SessionContext>> {
    if let Some(b) = bar {
        b.set_message("measuring which detections share a scan");
    }
    let candidates: Vec<(usize, datafusion::logical_expr::Expr)> = bound
        .iter()
        .enumerate()
        .filter_map(|(i, (_, b))| {
            let b = b.as_ref().ok().filter(|b| b.shared)?;
            let f = b
                .reads
                .iter()
                .filter_map(selective_filter)
                .reduce(datafusion::logical_expr::Expr::or)?;
            Some((i, f))
        })
        .collect();
    let filters: Vec<_> = candidates.iter().map(|(_, f)| f.clone()).collect();
    let (rows, kept) = selectivities(ctx, "cloudtrail", &filters).await?;
    for ((i, _), kept) in candidates.iter().zip(kept) {
        if kept as f64 > MAX_SHARED_FRACTION * rows as f64
            && let Ok(b) = &mut bound[*i].1
        {
            b.shared = false;
        }
    }
    let reads: Vec<TableRead> = bound
        .iter()
        .filter_map(|(_, b)| b.as_ref().ok())
        .filter(|b| b.shared)
        .flat_map(|b| b.reads.iter().cloned())
        .collect();
    if reads.is_empty() {
        return Ok(None);
    }
    if let Some(b) = bar {
        b.set_message("reading the lake once for all detections");
    }
    let partitions = std::thread::available_parallelism().map_or(2, |n| n.get());
    let (table, rows) = prefetch(ctx, "cloudtrail", &reads, partitions).await?;
    if let Some(b) = bar {
        b.set_message(format!("{rows} candidate events"));
    }
    let shared = trawl_engine::new_session_with(&trawl_engine::SessionOptions { memory_limit })?;
    shared.register_table("cloudtrail", Arc::new(table))?;
    Ok(Some(shared))
}

pub async fn run(a: HuntArgs) -> Result<ExitCode> {
    let (session, source) = open_session(&a.lake, a.memory_limit, &a.queries).await?;
    crate::sql::announce(&source, a.quiet);
    let min = parse_severity(&a.min_severity)?;
    let fail_on = parse_severity(&a.fail_on)?;
    let only: Vec<String> = a
        .only
        .iter()
        .flat_map(|s| s.split(','))
        .map(|s| s.trim().to_string())
        .collect();
    let tags: Vec<String> = a
        .tags
        .iter()
        .flat_map(|s| s.split(','))
        .map(|s| s.trim().to_string())
        .collect();
    let detections: Vec<Query> = session
        .catalog
        .queries
        .iter()
        .filter(|q| q.kind == "detection")
        .filter(|q| rank(q.meta.get("severity").map_or("info", String::as_str)) >= min)
        .filter(|q| only.is_empty() || only.contains(&q.id))
        .filter(|q| tags.is_empty() || q.tags.iter().any(|t| tags.contains(t)))
        .cloned()
        .collect();
    if detections.is_empty() {
        bail!("no detection matches the filters (see `trawl queries`)");
    }
    let mut given = parse_params(&a.params)?;
    if let Some(s) = &a.since {
        given.insert("since".into(), s.clone());
    }
    if let Some(u) = &a.until {
        given.insert("until".into(), u.clone());
    }
    let bar = (!a.quiet && std::io::stderr().is_terminal()).then(|| {
        let b = ProgressBar::new(detections.len() as u64);
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} detections {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    });
    // Plan every detection once: which can share one pre-filtered scan of the lake.
    let mut bound: Vec<(Query, Result<BoundQuery>)> = {
        let mut out = Vec::new();
        for query in detections {
            let b = bind(&session.ctx, &query, &given).await;
            out.push((query, b));
        }
        out
    };
    let shared_ctx = if matches!(source, crate::exec::LakeSource::Raw(..)) {
        // Raw archives are decoded into memory already: nothing to share.
        None
    } else {
        shared_session(&session.ctx, &mut bound, a.memory_limit, bar.as_ref()).await?
    };
    if !a.quiet && shared_ctx.is_some() {
        let n = bound
            .iter()
            .filter(|(_, b)| b.as_ref().is_ok_and(|b| b.shared))
            .count();
        eprintln!(
            "{n} of {} detections share one scan of the lake; the others read it themselves",
            bound.len()
        );
    }
    let session = Arc::new(session);
    let shared_ctx = shared_ctx.map(Arc::new);
    // Detections run a few at a time, over the shared subset when they can, else
    // over the lake (sharing its listing and Parquet metadata caches).
    let jobs = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(2);
    let mut outcomes: Vec<Outcome> = futures::stream::iter(bound)
        .map(|(query, b)| {
            let ctx = match (&shared_ctx, &b) {
                (Some(s), Ok(b)) if b.shared => s.clone(),
                _ => Arc::new(session.ctx.clone()),
            };
            let given = given.clone();
            let bar = bar.clone();
            async move {
                let result = async {
                    let b = b?;
                    let df = if b.shared {
                        plan_bound(&ctx, &query, &given).await?.df
                    } else {
                        b.df
                    };
                    rows_as_json(&df.collect().await?)
                }
                .await;
                if let Some(b) = &bar {
                    b.inc(1);
                }
                match result {
                    Ok(rows) => Outcome {
                        query,
                        rows,
                        error: None,
                    },
                    Err(e) => Outcome {
                        query,
                        rows: Vec::new(),
                        error: Some(format!("{e:#}")),
                    },
                }
            }
        })
        .buffer_unordered(jobs)
        .collect()
        .await;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    outcomes.sort_by(|x, y| {
        let sx = rank(x.query.meta.get("severity").map_or("info", String::as_str));
        let sy = rank(y.query.meta.get("severity").map_or("info", String::as_str));
        sy.cmp(&sx)
            .then(y.rows.len().cmp(&x.rows.len()))
            .then(x.query.id.cmp(&y.query.id))
    });
    let errors: Vec<&Outcome> = outcomes.iter().filter(|o| o.error.is_some()).collect();
    for o in &errors {
        eprintln!(
            "error: detection {}: {}",
            o.query.id,
            o.error.as_deref().unwrap_or_default()
        );
    }
    let findings = |o: &Outcome| -> Vec<Value> {
        o.rows
            .iter()
            .map(|r| {
                let mut m = Map::new();
                m.insert("detection".into(), Value::String(o.query.id.clone()));
                m.insert("title".into(), Value::String(o.query.title.clone()));
                m.insert(
                    "severity".into(),
                    Value::String(o.query.meta.get("severity").cloned().unwrap_or_default()),
                );
                m.insert("techniques".into(), Value::from(techniques(&o.query)));
                for (k, v) in r {
                    m.insert(k.clone(), v.clone());
                }
                Value::Object(m)
            })
            .collect()
    };
    match a.format.as_str() {
        "ndjson" => {
            for o in &outcomes {
                for f in findings(o) {
                    println!("{f}");
                }
            }
        }
        "json" => {
            let summary: Vec<Value> = outcomes.iter().map(summary_json).collect();
            let all: Vec<Value> = outcomes.iter().flat_map(findings).collect();
            println!(
                "{}",
                serde_json::to_string_pretty(
                    &serde_json::json!({"summary": summary, "findings": all})
                )?
            );
        }
        _ => print_tables(&outcomes),
    }
    let worst = outcomes
        .iter()
        .filter(|o| !o.rows.is_empty())
        .map(|o| rank(o.query.meta.get("severity").map_or("info", String::as_str)))
        .max();
    if !errors.is_empty() {
        bail!("{} detection(s) failed to run", errors.len());
    }
    Ok(match worst {
        Some(w) if w >= fail_on => ExitCode::from(EXIT_FINDINGS),
        _ => ExitCode::SUCCESS,
    })
}

fn first_last(o: &Outcome) -> (String, String) {
    let get = |k: &str, pick_max: bool| {
        let vals = o
            .rows
            .iter()
            .filter_map(|r| r.get(k).and_then(Value::as_str));
        if pick_max { vals.max() } else { vals.min() }
            .unwrap_or("")
            .to_string()
    };
    (get("first_seen", false), get("last_seen", true))
}

fn summary_json(o: &Outcome) -> Value {
    let (first, last) = first_last(o);
    serde_json::json!({
        "detection": o.query.id,
        "title": o.query.title,
        "severity": o.query.meta.get("severity"),
        "techniques": techniques(&o.query),
        "findings": o.rows.len(),
        "first_seen": (!first.is_empty()).then_some(first),
        "last_seen": (!last.is_empty()).then_some(last),
        "error": o.error,
    })
}

fn print_tables(outcomes: &[Outcome]) {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled);
    table.set_header(vec![
        "detection",
        "severity",
        "findings",
        "first seen",
        "last seen",
        "title",
    ]);
    for o in outcomes.iter().filter(|o| !o.rows.is_empty()) {
        let (first, last) = first_last(o);
        table.add_row(vec![
            o.query.id.clone(),
            o.query.meta.get("severity").cloned().unwrap_or_default(),
            o.rows.len().to_string(),
            first,
            last,
            o.query.title.clone(),
        ]);
    }
    let hits = outcomes.iter().filter(|o| !o.rows.is_empty()).count();
    println!("{hits} of {} detections found something", outcomes.len());
    if hits == 0 {
        return;
    }
    println!("{table}");
    for o in outcomes.iter().filter(|o| !o.rows.is_empty()) {
        println!(
            "\n== {} ({}): {}",
            o.query.id,
            o.query.meta.get("severity").map_or("", String::as_str),
            o.query.title
        );
        for r in &o.rows {
            let ids = r.get("eventids").map(Value::to_string).unwrap_or_default();
            let rest: Vec<String> = r
                .iter()
                .filter(|(k, _)| k.as_str() != "eventids")
                .map(|(k, v)| {
                    format!(
                        "{k}={}",
                        v.as_str().map_or_else(|| v.to_string(), str::to_string)
                    )
                })
                .collect();
            println!("  {}  eventids={ids}", rest.join("  "));
        }
    }
}
