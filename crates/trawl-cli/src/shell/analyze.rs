//! `\explain` and `EXPLAIN ANALYZE` in the shell: the query runs, and its plan is
//! printed as an indented tree with rows, bytes and time per node, plus the `date=`
//! partitions and files the scan read and those pruning skipped. That answers "why
//! is this slow", which DataFusion's one-line metric dumps leave to the reader.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::{Result, bail};
use datafusion::datasource::physical_plan::FileScanConfig;
use datafusion::datasource::source::DataSourceExec;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::metrics::MetricValue;

use crate::session::Session;

/// Pruning counters worth showing, as DataFusion's Parquet scan names them.
const PRUNING: &[(&str, &str)] = &[
    ("files_ranges_pruned_statistics", "files (statistics)"),
    ("row_groups_pruned_statistics", "row groups (statistics)"),
    (
        "row_groups_pruned_bloom_filter",
        "row groups (bloom filter)",
    ),
    ("page_index_rows_pruned", "rows (page index)"),
];

fn size(bytes: usize) -> String {
    if bytes < 1_000_000 {
        format!("{:.1} kB", bytes as f64 / 1e3)
    } else {
        format!("{:.1} MB", bytes as f64 / 1e6)
    }
}

fn millis(nanos: usize) -> String {
    format!("{:.1} ms", nanos as f64 / 1e6)
}

/// Files a scan node reads, as store paths, and whether they are on the local disk.
fn scanned_files(plan: &dyn ExecutionPlan) -> Option<(Vec<String>, bool)> {
    let source = plan.downcast_ref::<DataSourceExec>()?;
    let config = source.data_source().downcast_ref::<FileScanConfig>()?;
    let files = config
        .file_groups
        .iter()
        .flat_map(|g| g.files())
        .map(|f| f.object_meta.location.to_string())
        .collect();
    Some((
        files,
        config.object_store_url.as_str().starts_with("file://"),
    ))
}

/// The `date=` directory of a lake file's path, and the directory holding it.
fn partition_of(path: &str) -> Option<(&str, &str)> {
    let at = path.find("date=")?;
    let part = path[at..].split('/').next()?;
    Some((&path[..at], part))
}

fn node(plan: &dyn ExecutionPlan, depth: usize, out: &mut String, scans: &mut Vec<String>) {
    let metrics = plan.metrics().map(|m| m.aggregate_by_name());
    let mut line = format!("{:indent$}{}", "", plan.name(), indent = depth * 2);
    if let Some(m) = &metrics {
        let mut facts = Vec::new();
        if let Some(rows) = m.output_rows() {
            facts.push(format!("rows={rows}"));
        }
        if let Some(bytes) = m.sum_by_name("bytes_scanned") {
            facts.push(format!("bytes={}", size(bytes.as_usize())));
        }
        if let Some(t) = m.elapsed_compute() {
            facts.push(format!("time={}", millis(t)));
        }
        for (name, label) in PRUNING {
            let found = m.iter().find(|x| x.value().name() == *name);
            if let Some(MetricValue::PruningMetrics {
                pruning_metrics: p, ..
            }) = found.map(|x| x.value())
                && p.pruned() > 0
            {
                let total = p.pruned() + p.matched();
                facts.push(format!("pruned {} of {total} {label}", p.pruned()));
            }
        }
        if !facts.is_empty() {
            let width = 44usize.saturating_sub(line.chars().count()).max(1);
            let _ = write!(line, "{:width$}{}", "", facts.join("  "));
        }
    }
    out.push_str(&line);
    out.push('\n');
    if let Some((files, local)) = scanned_files(plan) {
        scans.push(partitions(&files, local));
    }
    for child in plan.children() {
        node(child.as_ref(), depth + 1, out, scans);
    }
}

/// What a scan read and skipped: files, and `date=` partitions against those in
/// the lake (listed when the lake is on this disk).
fn partitions(files: &[String], local: bool) -> String {
    let read: BTreeSet<&str> = files
        .iter()
        .filter_map(|f| partition_of(f).map(|(_, p)| p))
        .collect();
    let mut text = format!("scan read {} files", files.len());
    if read.is_empty() {
        return text;
    }
    let names = |set: &BTreeSet<&str>| set.iter().copied().collect::<Vec<_>>().join(", ");
    let _ = write!(
        text,
        " in {} date= partitions ({})",
        read.len(),
        names(&read)
    );
    let root = files.iter().find_map(|f| partition_of(f).map(|(r, _)| r));
    if let (true, Some(root)) = (local, root) {
        let all: BTreeSet<String> = std::fs::read_dir(format!("/{root}"))
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .filter(|n| n.starts_with("date="))
                    .collect()
            })
            .unwrap_or_default();
        let pruned: BTreeSet<&str> = all
            .iter()
            .map(String::as_str)
            .filter(|p| !read.contains(p))
            .collect();
        let _ = write!(text, "; pruned {} of {}", pruned.len(), all.len());
        if !pruned.is_empty() && pruned.len() <= 10 {
            let _ = write!(text, " ({})", names(&pruned));
        }
    }
    text
}

/// Runs `sql` (one statement) and returns its plan tree with the run's metrics.
pub async fn explain_analyze(session: &Session, sql: &str) -> Result<String> {
    let mut statements = trawl_engine::parse(sql)?;
    if statements.len() != 1 {
        bail!("\\explain takes one statement, not {}", statements.len());
    }
    let df = trawl_engine::plan(&session.ctx, statements.remove(0)).await?;
    let plan: Arc<dyn ExecutionPlan> = df.create_physical_plan().await?;
    let started = std::time::Instant::now();
    let batches = session
        .compute
        .run(datafusion::physical_plan::collect(
            plan.clone(),
            session.ctx.task_ctx(),
        ))
        .await??;
    let elapsed = started.elapsed();
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    let mut out = String::new();
    let mut scans = Vec::new();
    node(plan.as_ref(), 0, &mut out, &mut scans);
    for s in scans {
        out.push_str(&s);
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{rows} rows in {:.3} s (time per node is CPU time summed over its partitions)",
        elapsed.as_secs_f64()
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_read_and_pruned() {
        let dir = tempfile::tempdir().unwrap();
        for d in ["date=2026-03-01", "date=2026-03-02", "date=2026-03-03"] {
            std::fs::create_dir(dir.path().join(d)).unwrap();
        }
        let root = dir
            .path()
            .to_string_lossy()
            .trim_start_matches('/')
            .to_string();
        let files = vec![
            format!("{root}/date=2026-03-02/a.parquet"),
            format!("{root}/date=2026-03-02/b.parquet"),
        ];
        assert_eq!(
            partitions(&files, true),
            "scan read 2 files in 1 date= partitions (date=2026-03-02); pruned 2 of 3 \
             (date=2026-03-01, date=2026-03-03)"
        );
        assert_eq!(
            partitions(&files, false),
            "scan read 2 files in 1 date= partitions (date=2026-03-02)"
        );
        assert_eq!(partitions(&["x/a.json".into()], true), "scan read 1 files");
    }
}
