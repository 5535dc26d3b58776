//! `trawl ddl`: the DuckDB and Spark definitions, run in a real DuckDB and a real
//! local Spark (their Python packages, installed with pip into a cache on first use),
//! answer as trawl does over the same lake; the Athena definition's columns are the
//! lake's Parquet schema, read back; Trino's name every column.

use std::path::{Path, PathBuf};
use std::process::Command;

use datafusion::arrow::datatypes::{DataType, Schema};

use crate::harness::*;

/// A Python package kept between runs in `$HOME/.cache/<cache>`, or in the directory
/// `$<env>` names; `module` is what `import` checks.
struct PyPackage {
    package: &'static str,
    module: &'static str,
    env: &'static str,
    cache: &'static str,
}

const DUCKDB: PyPackage = PyPackage {
    package: "duckdb",
    module: "duckdb",
    env: "TRAWL_DUCKDB_DIR",
    cache: "trawl-duckdb",
};

const PYSPARK: PyPackage = PyPackage {
    package: "pyspark",
    module: "pyspark",
    env: "TRAWL_PYSPARK_DIR",
    cache: "trawl-pyspark",
};

fn python(dir: &Path) -> Command {
    let mut cmd = Command::new("python3");
    cmd.env("PYTHONPATH", dir);
    cmd
}

impl PyPackage {
    fn dir(&self) -> PathBuf {
        match std::env::var_os(self.env) {
            Some(d) => PathBuf::from(d),
            None => PathBuf::from(std::env::var_os("HOME").expect("HOME is set"))
                .join(".cache")
                .join(self.cache),
        }
    }

    /// The PYTHONPATH holding the package, installing it with pip when it is not there
    /// yet. Fails loudly: the DDL tests are not skipped for want of an engine.
    fn path(&self) -> PathBuf {
        let dir = self.dir();
        let importable = |dir: &Path| {
            python(dir)
                .args(["-c", &format!("import {}", self.module)])
                .output()
                .is_ok_and(|o| o.status.success())
        };
        if importable(&dir) {
            return dir;
        }
        std::fs::create_dir_all(&dir).unwrap();
        // --upgrade: a directory left half-installed by an interrupted run is replaced,
        // not kept because it "already exists".
        let install = python(&dir)
            .args(["-m", "pip", "install", "--quiet", "--upgrade", "--target"])
            .arg(&dir)
            .arg(self.package)
            .output()
            .unwrap_or_else(|e| panic!("this test needs python3 to install {}: {e}", self.package));
        assert!(
            install.status.success() && importable(&dir),
            "could not install the Python package {} into {} (pip needs PyPI): {}",
            self.package,
            dir.display(),
            String::from_utf8_lossy(&install.stderr)
        );
        dir
    }
}

/// Runs `script` (Python, with `package` importable) on `ddl` and `queries`, given as
/// the paths of a file each (`sys.argv[1]`, `sys.argv[2]`, the queries a JSON list),
/// in a scratch working directory; the script prints, as its last line of output, a
/// JSON list of each query's rows as text (NULL as "").
fn engine_answers(
    package: &PyPackage,
    script: &str,
    ddl: &str,
    queries: &[&str],
) -> Vec<Vec<Vec<String>>> {
    let dir = package.path();
    let tmp = tempfile::tempdir().unwrap();
    let ddl_file = tmp.path().join("ddl.sql");
    std::fs::write(&ddl_file, ddl).unwrap();
    let queries_file = tmp.path().join("queries.json");
    std::fs::write(&queries_file, serde_json::to_string(queries).unwrap()).unwrap();
    let out = python(&dir)
        .current_dir(tmp.path())
        .arg("-c")
        .arg(script)
        .arg(&ddl_file)
        .arg(&queries_file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{} refused the DDL or a query: {}{stdout}\n{ddl}",
        package.package,
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: no JSON answers in {stdout}"))
}

/// Runs `ddl` in a fresh DuckDB, then each query.
fn duckdb_answers(ddl: &str, queries: &[&str]) -> Vec<Vec<Vec<String>>> {
    let script = r#"
import json, sys, duckdb
con = duckdb.connect()
con.execute(open(sys.argv[1]).read())
out = []
for q in json.load(open(sys.argv[2])):
    out.append([["" if v is None else str(v) for v in row] for row in con.execute(q).fetchall()])
print(json.dumps(out))
"#;
    engine_answers(&DUCKDB, script, ddl, queries)
}

/// Runs `ddl` in a fresh local Spark (one session, one core, no UI, on the loopback
/// address, even where the host name resolves elsewhere; an in-memory catalog and a
/// scratch warehouse), then each query.
fn spark_answers(ddl: &str, queries: &[&str]) -> Vec<Vec<Vec<String>>> {
    // Spark SQL runs one statement at a time: the comment lines go first (they may hold
    // a ';'), then the text is split at each ';' ending a line.
    let script = r#"
import json, os, sys
from pyspark.sql import SparkSession
os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
spark = (SparkSession.builder.master("local[1]").appName("trawl-ddl-test")
    .config("spark.ui.enabled", "false")
    .config("spark.ui.showConsoleProgress", "false")
    .config("spark.driver.host", "127.0.0.1")
    .config("spark.driver.bindAddress", "127.0.0.1")
    .config("spark.driver.memory", "512m")
    .config("spark.sql.shuffle.partitions", "1")
    .config("spark.sql.session.timeZone", "UTC")
    .config("spark.sql.catalogImplementation", "in-memory")
    .config("spark.sql.warehouse.dir", os.path.abspath("warehouse"))
    .getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
text = "\n".join(l for l in open(sys.argv[1]).read().splitlines() if not l.lstrip().startswith("--"))
for statement in text.split(";\n"):
    statement = statement.strip().rstrip(";")
    if statement:
        spark.sql(statement)
out = []
for q in json.load(open(sys.argv[2])):
    out.append([["" if v is None else str(v) for v in row] for row in spark.sql(q).collect()])
spark.stop()
print(json.dumps(out))
"#;
    engine_answers(&PYSPARK, script, ddl, queries)
}

/// trawl's rows for a query, as text (its CSV; the queries here give no commas).
fn trawl_answer(lake: &Path, sql: &str) -> Vec<Vec<String>> {
    sql_csv(lake, sql)
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn ddl(engine: &str, lake: &Path) -> String {
    let out = run(&["ddl", engine, "--lake", lake.to_str().unwrap()]);
    assert!(out.status.success(), "ddl {engine}: {}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn duckdb_reads_the_lake_as_trawl_does() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = real_lake(tmp.path());
    // (trawl, DuckDB): the same question; most are the same SQL in both.
    let same = |q: &'static str| (q, q);
    let pairs = [
        same(
            "SELECT count(*), count(DISTINCT eventid), count(useridentity.arn), count(errorcode), \
             count(tlsdetails.tlsversion) FROM cloudtrail",
        ),
        same(
            "SELECT CAST(\"date\" AS VARCHAR) AS d, count(*) AS n FROM cloudtrail GROUP BY 1 ORDER BY 1",
        ),
        same(
            "SELECT eventname, count(*) AS n FROM cloudtrail GROUP BY eventname \
             ORDER BY n DESC, eventname LIMIT 10",
        ),
        same(
            "SELECT eventid, useridentity.sessioncontext.sessionissuer.username AS issuer, \
             resources[1].arn AS first_arn FROM cloudtrail WHERE resources IS NOT NULL ORDER BY eventid",
        ),
        same(
            "SELECT sum(length(eventjson)), sum(sourceindex), count(*) FILTER (WHERE readonly) FROM cloudtrail",
        ),
        (
            "SELECT CAST(to_unixtime(min(eventtime)) * 1000 AS BIGINT), \
             CAST(to_unixtime(max(eventtime)) * 1000 AS BIGINT) FROM cloudtrail",
            "SELECT epoch_ms(min(eventtime)), epoch_ms(max(eventtime)) FROM cloudtrail",
        ),
    ];
    let view = ddl("duckdb", &lake);
    assert!(view.contains("hive_partitioning = true"), "{view}");
    let duck = duckdb_answers(&view, &pairs.map(|(_, d)| d));
    assert_answers_agree(&lake, "DuckDB", &pairs, duck);
}

/// Each pair's trawl question answers as the engine's `answers` say.
fn assert_answers_agree(
    lake: &Path,
    engine: &str,
    pairs: &[(&str, &str)],
    answers: Vec<Vec<Vec<String>>>,
) {
    assert_eq!(answers.len(), pairs.len(), "{engine}: one answer per query");
    for ((t, _), answer) in pairs.iter().zip(answers) {
        let ours = trawl_answer(lake, t);
        assert!(!ours.is_empty(), "{t}: no rows");
        assert_eq!(ours, answer, "trawl and {engine} differ on {t}");
    }
}

#[test]
fn spark_reads_the_lake_as_trawl_does() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = real_lake(tmp.path());
    // (trawl, Spark). Spark quotes names with backticks ("date" would be a string) and
    // counts array elements from 0.
    let same = |q: &'static str| (q, q);
    let pairs = [
        same(
            "SELECT count(*), count(DISTINCT eventid), count(useridentity.arn), count(errorcode), \
             count(tlsdetails.tlsversion) FROM cloudtrail",
        ),
        (
            "SELECT CAST(\"date\" AS VARCHAR) AS d, count(*) AS n FROM cloudtrail GROUP BY 1 ORDER BY 1",
            "SELECT CAST(`date` AS STRING) AS d, count(*) AS n FROM cloudtrail GROUP BY 1 ORDER BY 1",
        ),
        same(
            "SELECT eventname, count(*) AS n FROM cloudtrail GROUP BY eventname \
             ORDER BY n DESC, eventname LIMIT 10",
        ),
        (
            "SELECT eventid, useridentity.sessioncontext.sessionissuer.username AS issuer, \
             resources[1].arn AS first_arn FROM cloudtrail WHERE resources IS NOT NULL ORDER BY eventid",
            "SELECT eventid, useridentity.sessioncontext.sessionissuer.username AS issuer, \
             resources[0].arn AS first_arn FROM cloudtrail WHERE resources IS NOT NULL ORDER BY eventid",
        ),
        same(
            "SELECT sum(length(eventjson)), sum(sourceindex), count(*) FILTER (WHERE readonly) FROM cloudtrail",
        ),
        (
            "SELECT CAST(to_unixtime(min(eventtime)) * 1000 AS BIGINT), \
             CAST(to_unixtime(max(eventtime)) * 1000 AS BIGINT) FROM cloudtrail",
            "SELECT unix_millis(min(eventtime)), unix_millis(max(eventtime)) FROM cloudtrail",
        ),
        // The partition as a DATE and the time as an instant (both sessions in UTC).
        (
            "SELECT count(*), count(*) FILTER (WHERE eventtime >= TIMESTAMP '2024-08-01 12:00:00') \
             FROM cloudtrail WHERE \"date\" BETWEEN DATE '2024-07-31' AND DATE '2024-08-28'",
            "SELECT count(*), count(*) FILTER (WHERE eventtime >= TIMESTAMP '2024-08-01 12:00:00') \
             FROM cloudtrail WHERE `date` BETWEEN DATE '2024-07-31' AND DATE '2024-08-28'",
        ),
    ];
    let table = ddl("spark", &lake);
    assert!(table.contains("MSCK REPAIR TABLE"), "{table}");
    let spark = spark_answers(&table, &pairs.map(|(_, s)| s));
    assert_answers_agree(&lake, "Spark", &pairs, spark);
}

/// A Hive/Glue type, parsed back from the DDL text.
#[derive(Debug)]
enum Glue {
    Primitive(String),
    Array(Box<Glue>),
    Struct(Vec<(String, Glue)>),
}

fn parse_glue(s: &str) -> (Glue, &str) {
    if let Some(rest) = s.strip_prefix("array<") {
        let (inner, rest) = parse_glue(rest);
        return (
            Glue::Array(Box::new(inner)),
            rest.strip_prefix('>').unwrap(),
        );
    }
    if let Some(mut rest) = s.strip_prefix("struct<") {
        let mut fields = Vec::new();
        loop {
            let (name, after) = rest.split_once(':').unwrap();
            let (ty, after) = parse_glue(after);
            fields.push((name.to_string(), ty));
            if let Some(after) = after.strip_prefix(',') {
                rest = after;
            } else {
                return (Glue::Struct(fields), after.strip_prefix('>').unwrap());
            }
        }
    }
    let end = s.find([',', '>']).unwrap_or(s.len());
    (Glue::Primitive(s[..end].to_string()), &s[end..])
}

/// Whether an Athena type reads what Parquet stores as `t`.
fn reads(glue: &Glue, t: &DataType) -> bool {
    match (glue, t) {
        (Glue::Primitive(p), _) => matches!(
            (p.as_str(), t),
            (
                "string",
                DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8
            ) | ("boolean", DataType::Boolean)
                | ("bigint", DataType::Int64 | DataType::UInt32)
                | ("timestamp", DataType::Timestamp(..))
        ),
        (Glue::Array(item), DataType::List(f)) => reads(item, f.data_type()),
        (Glue::Struct(fields), DataType::Struct(arrow)) => {
            fields.len() == arrow.len()
                && fields
                    .iter()
                    .zip(arrow.iter())
                    .all(|((n, g), f)| n == f.name() && reads(g, f.data_type()))
        }
        _ => false,
    }
}

/// The Arrow schema of one of the lake's Parquet files.
fn parquet_schema(lake: &Path) -> Schema {
    let day = std::fs::read_dir(lake.join("cloudtrail"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .unwrap();
    let file = std::fs::read_dir(day)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "parquet"))
        .unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        std::fs::File::open(file).unwrap(),
    )
    .unwrap();
    reader.schema().as_ref().clone()
}

#[test]
fn athena_columns_are_the_parquet_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = real_lake(tmp.path());
    let athena = ddl("athena", &lake);
    let body = athena
        .split_once(" (\n")
        .and_then(|(_, rest)| rest.split_once("\n)\n"))
        .map(|(cols, _)| cols)
        .unwrap_or_else(|| panic!("no column list in\n{athena}"));
    let columns: Vec<(String, Glue)> = body
        .lines()
        .map(|l| {
            let l = l.trim().trim_end_matches(',');
            let (name, ty) = l.split_once(' ').unwrap();
            let (glue, rest) = parse_glue(ty);
            assert!(rest.is_empty(), "unparsed {rest:?} in {l}");
            (name.trim_matches('`').to_string(), glue)
        })
        .collect();
    let schema = parquet_schema(&lake);
    let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
    let wanted: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, wanted);
    for ((name, glue), field) in columns.iter().zip(schema.fields()) {
        assert!(
            reads(glue, field.data_type()),
            "{name}: {glue:?} does not read {}",
            field.data_type()
        );
    }
    assert!(
        athena.contains("PARTITIONED BY (`date` string)"),
        "{athena}"
    );
    assert!(
        athena.contains("'projection.date.range' = '2020-09-14,NOW'"),
        "{athena}"
    );
    let location = format!(
        "file://{}/",
        lake.join("cloudtrail").canonicalize().unwrap().display()
    );
    assert!(
        athena.contains(&format!("LOCATION '{location}'")),
        "{athena}"
    );
    // Trino and Spark name every column too, the partition last.
    for (engine, quote, partition) in [
        ("trino", '"', "  \"date\" date\n)"),
        ("spark", '`', "  `date` DATE\n)"),
    ] {
        let text = ddl(engine, &lake);
        for name in &wanted {
            let line = format!("\n  {quote}{name}{quote} ");
            assert!(
                text.contains(&line),
                "{engine}: no column {name} in\n{text}"
            );
        }
        assert!(text.contains(partition), "{text}");
    }
}

#[test]
fn a_lake_without_a_table_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(&["ddl", "athena", "--lake", tmp.path().to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("not a trawl lake"), "{err}");
}
