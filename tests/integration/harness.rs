//! What the integration tests share: the trawl binary, fixtures, lakes built from them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use datafusion::arrow::array::RecordBatch;
use serde_json::Value;

/// The `trawl` binary built for these tests.
pub fn trawl() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trawl"));
    cmd.env_remove("TRAWL_LAKE");
    cmd
}

/// Runs trawl with arguments; returns its output.
pub fn run(args: &[&str]) -> Output {
    trawl().args(args).output().expect("trawl runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// The repository being tested. At run time, not compile time: test binaries in a target
/// directory shared between clones may have been compiled in another clone.
pub fn repo() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
}

/// Repository path of a fixture.
pub fn fixture(rel: &str) -> PathBuf {
    repo().join("tests/fixtures").join(rel)
}

/// `trawl convert ... --json`: the exit code and the parsed summary.
pub fn convert_json(sources: &[&Path], lake: &Path, extra: &[&str]) -> (i32, Value) {
    let mut cmd = trawl();
    cmd.arg("convert")
        .args(sources)
        .arg("--lake")
        .arg(lake)
        .arg("--json")
        .args(extra);
    let out = cmd.output().expect("trawl runs");
    let code = out.status.code().unwrap_or(-1);
    let summary = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON summary ({e}); stderr: {}", stderr(&out)));
    (code, summary)
}

/// Writes a generated archive with `trawl generate`.
pub fn generate(dir: &Path, args: &[&str]) {
    let out = trawl()
        .arg("generate")
        .arg(dir)
        .args(args)
        .output()
        .expect("trawl runs");
    assert!(out.status.success(), "generate failed: {}", stderr(&out));
}

/// Runs SQL against a lake in-process.
pub fn query(lake: &Path, sql: &str) -> Vec<RecordBatch> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let ctx = trawl_engine::new_session().unwrap();
        trawl_engine::register_lake(&ctx, lake).await.unwrap();
        ctx.sql(sql).await.unwrap().collect().await.unwrap()
    })
}

/// A single integer result.
pub fn query_i64(lake: &Path, sql: &str) -> i64 {
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::Int64Type;
    let batches = query(lake, sql);
    let col = batches[0].column(0);
    assert!(!col.is_null(0));
    col.as_primitive::<Int64Type>().value(0)
}

/// All values of a string column, in order.
pub fn strings(batches: &[RecordBatch], column: usize) -> Vec<Option<String>> {
    use datafusion::arrow::array::Array;
    use datafusion::arrow::compute::cast;
    use datafusion::arrow::datatypes::DataType;
    let mut out = Vec::new();
    for b in batches {
        let c = cast(b.column(column), &DataType::Utf8).unwrap();
        let c = c
            .as_any()
            .downcast_ref::<datafusion::arrow::array::StringArray>()
            .unwrap();
        for i in 0..c.len() {
            out.push((!c.is_null(i)).then(|| c.value(i).to_string()));
        }
    }
    out
}

/// Every file under a directory, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p)
            } else {
                out.push(p)
            }
        }
    }
    out.sort();
    out
}

/// Every `.parquet` file under a directory.
pub fn parquet_files(dir: &Path) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
        .collect()
}

/// JSON value with object keys sorted, as text: equal texts mean equal values.
pub fn canonical(v: &Value) -> String {
    fn sort(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<_> = m.keys().collect();
                keys.sort();
                Value::Object(keys.into_iter().map(|k| (k.clone(), sort(&m[k]))).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    sort(v).to_string()
}

/// The `.sql` files of `sql/<kind>/`, sorted; files whose name starts with `_` (such as
/// `_template.sql`) are not queries and are left out.
pub fn sql_files(kind: &str) -> Vec<PathBuf> {
    let dir = repo().join("sql").join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('_'))
        })
        .collect();
    files.sort();
    files
}

/// The real CloudTrail corpora under tests/fixtures/real.
const REAL: [&str; 4] = [
    "stratus-red-team",
    "otrf-security-datasets",
    "cloudtrail2sightings",
    "aws-cloudtrail-forensics",
];

pub fn real_dirs() -> Vec<PathBuf> {
    REAL.iter().map(|d| fixture(&format!("real/{d}"))).collect()
}

/// A lake of the real corpora.
pub fn real_lake(tmp: &Path) -> PathBuf {
    let lake = tmp.join("lake");
    convert_real(&lake);
    lake
}

/// Converts the real corpora into `lake`, asserting success; returns the JSON summary.
pub fn convert_real(lake: &Path) -> serde_json::Value {
    let dirs = real_dirs();
    let (code, s) = convert_json(
        &dirs.iter().map(|d| d.as_path()).collect::<Vec<_>>(),
        lake,
        &[],
    );
    assert_eq!(code, 0, "{s:#}");
    s
}

/// `trawl sql --lake LAKE -c SQL --format csv`, asserting success.
pub fn sql_csv(lake: &Path, sql: &str) -> String {
    let out = run(&[
        "sql",
        "--lake",
        lake.to_str().unwrap(),
        "--format",
        "csv",
        "-c",
        sql,
    ]);
    assert!(out.status.success(), "{sql}\n{}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}
