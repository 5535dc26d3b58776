//! Table definitions of a lake for other engines (`trawl ddl`): Athena (with
//! partition projection on `date`), Trino's Hive connector, Spark and DuckDB. The
//! columns come from the lake's own schema (the one its Parquet files carry, as the
//! `cloudtrail` table reads it), so the definition follows the lake, not a copy.

use std::path::Path;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::datasource::listing::ListingTableUrl;
use datafusion::prelude::SessionContext;
use trawl_cloudtrail::DATE_PARTITION;

use crate::{Error, Result};

/// The engines `trawl ddl` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum DdlEngine {
    /// Amazon Athena (Glue catalog): `CREATE EXTERNAL TABLE` with partition projection.
    Athena,
    /// Trino's Hive connector: `CREATE TABLE ... WITH (external_location, ...)`.
    Trino,
    /// Apache Spark SQL: `CREATE TABLE ... USING parquet`.
    Spark,
    /// DuckDB: a view over `read_parquet` with Hive partitioning.
    Duckdb,
}

/// What a definition cannot be written for.
#[derive(Debug, thiserror::Error)]
pub enum DdlError {
    #[error("column {column}: type {data_type} has no {engine} equivalent")]
    UnsupportedType {
        column: String,
        data_type: DataType,
        engine: &'static str,
    },
    #[error("lake {lake}: the table has no `{DATE_PARTITION}` partition column")]
    NoPartition { lake: String },
    #[error("table name {0:?}: use letters, digits and `_`, in up to three dotted parts")]
    TableName(String),
}

/// The `cloudtrail` table of a lake as another engine needs to know it.
#[derive(Debug, Clone)]
pub struct LakeTableInfo {
    /// The table's directory: `s3://bucket/prefix/cloudtrail/`, or an absolute local
    /// path ending in `/`.
    pub location: String,
    /// The columns of the Parquet files (without the partition column).
    pub columns: SchemaRef,
    /// The partition column (`date`, a day).
    pub partition: Field,
    /// The earliest `date=` partition, where Athena's projection starts.
    pub first_day: Option<String>,
}

impl LakeTableInfo {
    fn is_s3(&self) -> bool {
        self.location.starts_with("s3://")
    }

    /// The location as a URI (`file:///...` for a local lake).
    fn uri(&self) -> String {
        if self.is_s3() {
            self.location.clone()
        } else {
            format!("file://{}", self.location)
        }
    }
}

/// Reads the lake's table (local directory or `s3://bucket/prefix`): its schema and
/// its first partition.
pub async fn lake_table_info(lake: &str) -> Result<LakeTableInfo> {
    let ctx = crate::new_session()?;
    crate::register_lake(&ctx, Path::new(lake)).await?;
    let location = if lake.starts_with("s3://") {
        format!(
            "{}/{}/",
            lake.trim_end_matches('/'),
            trawl_convert::TABLE_DIR
        )
    } else {
        let dir = Path::new(lake).join(trawl_convert::TABLE_DIR);
        let abs = dir.canonicalize().map_err(|e| Error::Lake {
            path: dir.display().to_string(),
            message: e.to_string(),
        })?;
        format!("{}/", abs.display())
    };
    let provider = ctx.table_provider("cloudtrail").await?;
    let schema = provider.schema();
    let partition = schema
        .field_with_name(DATE_PARTITION)
        .map_err(|_| DdlError::NoPartition {
            lake: lake.to_string(),
        })?
        .clone();
    let columns: Vec<Field> = schema
        .fields()
        .iter()
        .filter(|f| f.name() != DATE_PARTITION)
        .map(|f| f.as_ref().clone())
        .collect();
    let first_day = first_partition(&ctx, &location).await?;
    Ok(LakeTableInfo {
        location,
        columns: SchemaRef::new(Schema::new(columns)),
        partition,
        first_day,
    })
}

/// The earliest `date=YYYY-MM-DD` directory under the table.
async fn first_partition(ctx: &SessionContext, location: &str) -> Result<Option<String>> {
    let url = ListingTableUrl::parse(location)?;
    let store = ctx.runtime_env().object_store(&url)?;
    let listing = store
        .list_with_delimiter(Some(url.prefix()))
        .await
        .map_err(|e| Error::Lake {
            path: location.to_string(),
            message: e.to_string(),
        })?;
    let prefix = format!("{DATE_PARTITION}=");
    Ok(listing
        .common_prefixes
        .iter()
        .filter_map(|p| p.filename()?.strip_prefix(&prefix).map(str::to_string))
        .filter(|d| d.len() == 10)
        .min())
}

/// The table definition of `info` for `engine`, named `table` (`name`, `schema.name`
/// or `catalog.schema.name`).
pub fn table_ddl(engine: DdlEngine, info: &LakeTableInfo, table: &str) -> Result<String> {
    let parts: Vec<&str> = table.split('.').collect();
    let valid = (1..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    if !valid {
        return Err(DdlError::TableName(table.to_string()).into());
    }
    Ok(match engine {
        DdlEngine::Athena => athena(info, &parts)?,
        DdlEngine::Trino => trino(info, &parts)?,
        DdlEngine::Spark => spark(info, &parts)?,
        DdlEngine::Duckdb => duckdb(info, &parts),
    })
}

fn unsupported(column: &str, t: &DataType, engine: &'static str) -> Error {
    DdlError::UnsupportedType {
        column: column.to_string(),
        data_type: t.clone(),
        engine,
    }
    .into()
}

/// Hive/Glue type names (Athena's DDL): `string`, `struct<a:string>`, `array<...>`.
pub fn glue_type(column: &str, t: &DataType) -> Result<String> {
    let ty = |c: &str, t: &DataType| glue_type(c, t);
    Ok(match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "string".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Int8 => "tinyint".into(),
        DataType::Int16 | DataType::UInt8 => "smallint".into(),
        DataType::Int32 | DataType::UInt16 => "int".into(),
        // Unsigned 32-bit values do not fit an int.
        DataType::Int64 | DataType::UInt32 => "bigint".into(),
        DataType::Float32 => "float".into(),
        DataType::Float64 => "double".into(),
        DataType::Decimal128(p, s) => format!("decimal({p},{s})"),
        DataType::Date32 => "date".into(),
        DataType::Timestamp(..) => "timestamp".into(),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => "binary".into(),
        DataType::List(f) | DataType::LargeList(f) => {
            format!("array<{}>", ty(column, f.data_type())?)
        }
        DataType::Struct(fields) => {
            let inner = fields
                .iter()
                .map(|f| Ok(format!("{}:{}", f.name(), ty(column, f.data_type())?)))
                .collect::<Result<Vec<_>>>()?;
            format!("struct<{}>", inner.join(","))
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => format!(
                "map<{},{}>",
                ty(column, kv[0].data_type())?,
                ty(column, kv[1].data_type())?
            ),
            _ => return Err(unsupported(column, t, "Athena")),
        },
        _ => return Err(unsupported(column, t, "Athena")),
    })
}

/// Trino type names: `varchar`, `row("a" varchar)`, `array(...)`.
pub fn trino_type(column: &str, t: &DataType) -> Result<String> {
    let ty = |c: &str, t: &DataType| trino_type(c, t);
    Ok(match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "varchar".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Int8 => "tinyint".into(),
        DataType::Int16 | DataType::UInt8 => "smallint".into(),
        DataType::Int32 | DataType::UInt16 => "integer".into(),
        DataType::Int64 | DataType::UInt32 => "bigint".into(),
        DataType::Float32 => "real".into(),
        DataType::Float64 => "double".into(),
        DataType::Decimal128(p, s) => format!("decimal({p},{s})"),
        DataType::Date32 => "date".into(),
        DataType::Timestamp(..) => "timestamp(3)".into(),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => "varbinary".into(),
        DataType::List(f) | DataType::LargeList(f) => {
            format!("array({})", ty(column, f.data_type())?)
        }
        DataType::Struct(fields) => {
            let inner = fields
                .iter()
                .map(|f| Ok(format!("\"{}\" {}", f.name(), ty(column, f.data_type())?)))
                .collect::<Result<Vec<_>>>()?;
            format!("row({})", inner.join(", "))
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => format!(
                "map({}, {})",
                ty(column, kv[0].data_type())?,
                ty(column, kv[1].data_type())?
            ),
            _ => return Err(unsupported(column, t, "Trino")),
        },
        _ => return Err(unsupported(column, t, "Trino")),
    })
}

/// Spark SQL type names: `STRING`, `STRUCT<`a`: STRING>`, `ARRAY<...>`.
pub fn spark_type(column: &str, t: &DataType) -> Result<String> {
    let ty = |c: &str, t: &DataType| spark_type(c, t);
    Ok(match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "STRING".into(),
        DataType::Boolean => "BOOLEAN".into(),
        DataType::Int8 => "TINYINT".into(),
        DataType::Int16 | DataType::UInt8 => "SMALLINT".into(),
        DataType::Int32 | DataType::UInt16 => "INT".into(),
        DataType::Int64 | DataType::UInt32 => "BIGINT".into(),
        DataType::Float32 => "FLOAT".into(),
        DataType::Float64 => "DOUBLE".into(),
        DataType::Decimal128(p, s) => format!("DECIMAL({p},{s})"),
        DataType::Date32 => "DATE".into(),
        DataType::Timestamp(..) => "TIMESTAMP".into(),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => "BINARY".into(),
        DataType::List(f) | DataType::LargeList(f) => {
            format!("ARRAY<{}>", ty(column, f.data_type())?)
        }
        DataType::Struct(fields) => {
            let inner = fields
                .iter()
                .map(|f| Ok(format!("`{}`: {}", f.name(), ty(column, f.data_type())?)))
                .collect::<Result<Vec<_>>>()?;
            format!("STRUCT<{}>", inner.join(", "))
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => format!(
                "MAP<{}, {}>",
                ty(column, kv[0].data_type())?,
                ty(column, kv[1].data_type())?
            ),
            _ => return Err(unsupported(column, t, "Spark")),
        },
        _ => return Err(unsupported(column, t, "Spark")),
    })
}

/// `name type` lines of the file columns, `quote` around each name.
fn column_lines(
    info: &LakeTableInfo,
    quote: char,
    ty: fn(&str, &DataType) -> Result<String>,
) -> Result<Vec<String>> {
    info.columns
        .fields()
        .iter()
        .map(|f| {
            Ok(format!(
                "  {quote}{}{quote} {}",
                f.name(),
                ty(f.name(), f.data_type())?
            ))
        })
        .collect()
}

fn quoted_name(parts: &[&str], quote: char) -> String {
    parts
        .iter()
        .map(|p| format!("{quote}{p}{quote}"))
        .collect::<Vec<_>>()
        .join(".")
}

fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// CloudTrail's first year: where a projection starts on a lake with no partition yet.
const CLOUDTRAIL_FIRST_DAY: &str = "2013-11-13";

fn athena(info: &LakeTableInfo, table: &[&str]) -> Result<String> {
    let part = info.partition.name();
    let location = info.uri();
    let columns = column_lines(info, '`', glue_type)?;
    let first = info.first_day.as_deref().unwrap_or(CLOUDTRAIL_FIRST_DAY);
    let mut out = String::new();
    if !info.is_s3() {
        out.push_str(
            "-- Athena reads S3 only: copy the lake's cloudtrail/ directory to S3 and put its\n\
             -- s3:// URI in LOCATION and storage.location.template.\n",
        );
    }
    out.push_str(&format!(
        "-- Partition projection on `{part}`: Athena computes the partitions from the\n\
         -- query's filter on `{part}` (a 'YYYY-MM-DD' string); no crawler or MSCK REPAIR.\n\
         CREATE EXTERNAL TABLE IF NOT EXISTS {name} (\n{cols}\n)\n\
         PARTITIONED BY (`{part}` string)\n\
         STORED AS PARQUET\n\
         LOCATION {loc}\n\
         TBLPROPERTIES (\n  \
         'projection.enabled' = 'true',\n  \
         'projection.{part}.type' = 'date',\n  \
         'projection.{part}.format' = 'yyyy-MM-dd',\n  \
         'projection.{part}.range' = '{first},NOW',\n  \
         'projection.{part}.interval' = '1',\n  \
         'projection.{part}.interval.unit' = 'DAYS',\n  \
         'storage.location.template' = {template}\n);\n",
        name = quoted_name(table, '`'),
        cols = columns.join(",\n"),
        loc = sql_string(&location),
        template = sql_string(&format!("{location}{part}=${{{part}}}/")),
    ));
    Ok(out)
}

fn trino(info: &LakeTableInfo, table: &[&str]) -> Result<String> {
    let part = info.partition.name();
    let mut columns = column_lines(info, '"', trino_type)?;
    columns.push(format!(
        "  \"{part}\" {}",
        trino_type(part, info.partition.data_type())?
    ));
    // The partition procedure lives in the table's catalog and takes its schema.
    let (system, schema, name) = match table {
        [catalog, schema, name] => (format!("{catalog}.system"), *schema, *name),
        [schema, name] => ("system".to_string(), *schema, *name),
        [name] => ("system".to_string(), "default", *name),
        _ => ("system".to_string(), "default", "cloudtrail"),
    };
    Ok(format!(
        "-- Trino's Hive connector. The partitions are registered by the CALL; run it again\n\
         -- after `trawl convert` adds days.\n\
         CREATE TABLE IF NOT EXISTS {qualified} (\n{cols}\n)\n\
         WITH (\n  \
         external_location = {loc},\n  \
         format = 'PARQUET',\n  \
         partitioned_by = ARRAY['{part}']\n);\n\
         CALL {system}.sync_partition_metadata('{schema}', '{name}', 'FULL');\n",
        qualified = quoted_name(table, '"'),
        cols = columns.join(",\n"),
        loc = sql_string(&info.uri()),
    ))
}

fn spark(info: &LakeTableInfo, table: &[&str]) -> Result<String> {
    let part = info.partition.name();
    let mut columns = column_lines(info, '`', spark_type)?;
    columns.push(format!(
        "  `{part}` {}",
        spark_type(part, info.partition.data_type())?
    ));
    let name = quoted_name(table, '`');
    let uri = info.uri();
    // EMR and Databricks read `s3://`; Apache Spark's own S3 connector (hadoop-aws)
    // only `s3a://`.
    let s3a = match uri.strip_prefix("s3://") {
        Some(rest) => {
            format!("-- On Apache Spark with hadoop-aws, write the location as 's3a://{rest}'.\n")
        }
        None => String::new(),
    };
    Ok(format!(
        "-- Spark SQL. MSCK REPAIR registers the partitions; run it again after\n\
         -- `trawl convert` adds days.\n\
         {s3a}\
         CREATE TABLE IF NOT EXISTS {name} (\n{cols}\n)\n\
         USING parquet\n\
         PARTITIONED BY (`{part}`)\n\
         LOCATION {loc};\n\
         MSCK REPAIR TABLE {name};\n",
        cols = columns.join(",\n"),
        loc = sql_string(&uri),
    ))
}

fn duckdb(info: &LakeTableInfo, table: &[&str]) -> String {
    let part = info.partition.name();
    let part_type = match info.partition.data_type() {
        DataType::Date32 | DataType::Date64 => "DATE",
        _ => "VARCHAR",
    };
    let mut out = String::from(
        "-- DuckDB: a view over the lake's files; new days appear as `trawl convert` writes\n\
         -- them.\n",
    );
    if info.is_s3() {
        // DuckDB's S3 access takes credentials from a secret; this one follows the
        // AWS CLI's chain, as trawl does.
        out.push_str(
            "CREATE SECRET IF NOT EXISTS trawl_lake (TYPE s3, PROVIDER credential_chain);\n",
        );
    }
    out.push_str(&format!(
        "CREATE OR REPLACE VIEW {name} AS\n\
         SELECT * FROM read_parquet({files}, hive_partitioning = true, hive_types = {{'{part}': {part_type}}}, union_by_name = true);\n",
        name = quoted_name(table, '"'),
        files = sql_string(&format!("{}**/*.parquet", info.location)),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(location: &str) -> LakeTableInfo {
        LakeTableInfo {
            location: location.to_string(),
            columns: trawl_cloudtrail::schema(),
            partition: Field::new(DATE_PARTITION, DataType::Date32, false),
            first_day: Some("2026-03-01".into()),
        }
    }

    #[test]
    fn athena_projects_the_date_partition_over_s3() {
        let ddl = table_ddl(DdlEngine::Athena, &info("s3://b/lake/cloudtrail/"), "ct").unwrap();
        assert!(
            ddl.contains("CREATE EXTERNAL TABLE IF NOT EXISTS `ct` (\n  `eventversion` string,"),
            "{ddl}"
        );
        assert!(ddl.contains("  `eventtime` timestamp,"), "{ddl}");
        assert!(ddl.contains("  `resources` array<struct<arn:string,arnprefix:string,accountid:string,type:string>>,"), "{ddl}");
        assert!(ddl.contains("  `sourceindex` bigint\n)"), "{ddl}");
        assert!(ddl.contains("PARTITIONED BY (`date` string)"), "{ddl}");
        assert!(
            ddl.contains("'projection.date.range' = '2026-03-01,NOW'"),
            "{ddl}"
        );
        assert!(
            ddl.contains("'storage.location.template' = 's3://b/lake/cloudtrail/date=${date}/'"),
            "{ddl}"
        );
        assert!(!ddl.contains("Athena reads S3 only"), "{ddl}");
        let local = table_ddl(DdlEngine::Athena, &info("/tmp/l/cloudtrail/"), "ct").unwrap();
        assert!(local.starts_with("-- Athena reads S3 only"), "{local}");
    }

    #[test]
    fn trino_spark_and_duckdb() {
        let i = info("s3://b/lake/cloudtrail/");
        let t = table_ddl(DdlEngine::Trino, &i, "hive.logs.ct").unwrap();
        assert!(
            t.contains("CREATE TABLE IF NOT EXISTS \"hive\".\"logs\".\"ct\" ("),
            "{t}"
        );
        assert!(
            t.contains("  \"useridentity\" row(\"type\" varchar,"),
            "{t}"
        );
        assert!(t.contains("  \"date\" date\n)"), "{t}");
        assert!(
            t.contains("CALL hive.system.sync_partition_metadata('logs', 'ct', 'FULL');"),
            "{t}"
        );
        let s = table_ddl(DdlEngine::Spark, &i, "ct").unwrap();
        assert!(
            s.contains("  `tlsdetails` STRUCT<`tlsversion`: STRING,"),
            "{s}"
        );
        assert!(
            s.contains("PARTITIONED BY (`date`)\nLOCATION 's3://b/lake/cloudtrail/';"),
            "{s}"
        );
        assert!(
            s.contains("write the location as 's3a://b/lake/cloudtrail/'"),
            "{s}"
        );
        let d = table_ddl(DdlEngine::Duckdb, &i, "ct").unwrap();
        assert!(d.contains("read_parquet('s3://b/lake/cloudtrail/**/*.parquet', hive_partitioning = true, hive_types = {'date': DATE}"), "{d}");
        assert!(d.contains("CREATE SECRET"), "{d}");
        assert!(table_ddl(DdlEngine::Spark, &i, "a;drop").is_err());
    }
}
