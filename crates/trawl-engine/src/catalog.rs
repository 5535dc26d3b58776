//! The query library: `.sql` files with a metadata header, built in (`sql/` is
//! embedded in the binary) or from user folders.
//!
//! ```sql
//! -- title: Everything an access key did
//! -- description: Every event signed with one access key, oldest first.
//! -- tags: identity, timeline
//! -- param: access_key string required  The access key id (AKIA... or ASIA...)
//! -- param: since timestamp 1970-01-01T00:00:00Z  Earliest event time
//! SELECT ... WHERE useridentity.accesskeyid = $access_key AND eventtime >= $since
//! ```
//!
//! Parameters are bound as typed values (`$name` placeholders), never pasted into the SQL.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use datafusion::common::ParamValues;
use datafusion::common::ScalarValue;
use serde::Serialize;

include!(concat!(env!("OUT_DIR"), "/builtin_queries.rs"));

/// A parameter's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    String,
    Int,
    Float,
    Bool,
    Timestamp,
    Interval,
}

impl std::str::FromStr for ParamType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "string" | "text" => Self::String,
            "int" | "integer" | "bigint" => Self::Int,
            "float" | "double" => Self::Float,
            "bool" | "boolean" => Self::Bool,
            "timestamp" | "time" => Self::Timestamp,
            "interval" | "duration" => Self::Interval,
            other => return Err(format!("unknown parameter type `{other}`")),
        })
    }
}

/// A declared parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ParamType,
    /// `None`: required.
    pub default: Option<String>,
    pub description: String,
}

/// One query of the library.
#[derive(Debug, Clone, Serialize)]
pub struct Query {
    /// File stem, also the CLI name (`trawl run <id>`).
    pub id: String,
    /// `detection` or `investigation` (from the folder, or `-- kind:`).
    pub kind: String,
    /// `builtin:investigations/x.sql` or a file path.
    pub path: String,
    pub title: String,
    pub description: String,
    pub tags: Vec<String>,
    pub params: Vec<Param>,
    /// Every other `-- key: value` header line (severity, attack, ...).
    pub meta: BTreeMap<String, String>,
    #[serde(skip)]
    pub sql: String,
}

/// Errors of the query library.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{path}: {message}")]
    Header { path: String, message: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("no query named `{0}` (see `trawl queries`)")]
    Unknown(String),
    #[error("query `{query}`: parameter `{param}`: {message}")]
    Param {
        query: String,
        param: String,
        message: String,
    },
}

/// Parses a query file's header.
pub fn parse_query(
    id: &str,
    kind_hint: &str,
    path: &str,
    text: &str,
) -> Result<Query, CatalogError> {
    let err = |message: String| CatalogError::Header {
        path: path.to_string(),
        message,
    };
    let mut q = Query {
        id: id.to_string(),
        kind: kind_hint.to_string(),
        path: path.to_string(),
        title: String::new(),
        description: String::new(),
        tags: Vec::new(),
        params: Vec::new(),
        meta: BTreeMap::new(),
        sql: text.to_string(),
    };
    for line in text.lines() {
        let Some(body) = line.trim().strip_prefix("--") else {
            if line.trim().is_empty() {
                continue;
            }
            break;
        };
        let Some((key, value)) = body.trim().split_once(':') else {
            continue;
        };
        let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
        match key.as_str() {
            "title" => q.title = value.to_string(),
            "description" => {
                if !q.description.is_empty() {
                    q.description.push(' ');
                }
                q.description.push_str(value)
            }
            "kind" => q.kind = value.to_string(),
            "id" => q.id = value.to_string(),
            "tags" => {
                q.tags = value
                    .split(',')
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect()
            }
            "param" => {
                let mut parts = value.splitn(3, char::is_whitespace);
                let name = parts
                    .next()
                    .filter(|n| !n.is_empty())
                    .ok_or_else(|| err("`param:` without a name".into()))?;
                let kind: ParamType = parts
                    .next()
                    .ok_or_else(|| err(format!("param {name}: no type")))?
                    .parse()
                    .map_err(|e| err(format!("param {name}: {e}")))?;
                let rest = parts.next().unwrap_or("").trim();
                let (default, description) = match rest.split_once(char::is_whitespace) {
                    Some((d, desc)) => (d, desc.trim()),
                    None => (rest, ""),
                };
                let default = match default {
                    "required" | "" => None,
                    d => Some(d.to_string()),
                };
                q.params.push(Param {
                    name: name.to_string(),
                    kind,
                    default,
                    description: description.to_string(),
                });
            }
            _ => {
                q.meta.insert(key, value.to_string());
            }
        }
    }
    if q.title.is_empty() {
        return Err(err("no `-- title:` header line".into()));
    }
    Ok(q)
}

/// The query library.
#[derive(Debug, Default)]
pub struct Catalog {
    pub queries: Vec<Query>,
}

fn kind_of(rel: &str) -> &'static str {
    if rel.starts_with("detections/") || rel.contains("/detections/") {
        "detection"
    } else {
        "investigation"
    }
}

impl Catalog {
    /// The built-in library plus `.sql` files under `dirs` (a user query with a
    /// built-in's id replaces it).
    pub fn load(dirs: &[PathBuf]) -> Result<Self, CatalogError> {
        let mut by_id: BTreeMap<String, Query> = BTreeMap::new();
        for (rel, text) in BUILTIN_QUERIES {
            let id = Path::new(rel)
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            let q = parse_query(&id, kind_of(rel), &format!("builtin:{rel}"), text)?;
            by_id.insert(q.id.clone(), q);
        }
        for dir in dirs {
            let mut files = Vec::new();
            collect(dir, &mut files);
            files.sort();
            for f in files {
                let text = std::fs::read_to_string(&f).map_err(|e| CatalogError::Io {
                    path: f.display().to_string(),
                    source: e,
                })?;
                let id = f
                    .file_stem()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_default();
                let rel = f
                    .strip_prefix(dir)
                    .unwrap_or(&f)
                    .to_string_lossy()
                    .to_string();
                let q = parse_query(&id, kind_of(&rel), &f.display().to_string(), &text)?;
                by_id.insert(q.id.clone(), q);
            }
        }
        Ok(Self {
            queries: by_id.into_values().collect(),
        })
    }

    pub fn get(&self, id: &str) -> Result<&Query, CatalogError> {
        self.queries
            .iter()
            .find(|q| q.id == id)
            .ok_or_else(|| CatalogError::Unknown(id.to_string()))
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "sql") {
            out.push(p);
        }
    }
}

/// Parses an interval like `7 days`, `24h`, `30m`, `90d` into milliseconds.
fn interval_millis(s: &str) -> Option<i64> {
    let t = s.trim().to_ascii_lowercase();
    let split = t.find(|c: char| !c.is_ascii_digit() && c != '.')?;
    let (num, unit) = t.split_at(split);
    let n: f64 = num.trim().parse().ok()?;
    let unit = unit.trim();
    // Plurals ("days") drop their `s`, but not "ms" or "s" themselves.
    let unit = match unit {
        "ms" | "s" => unit,
        u => u.strip_suffix('s').unwrap_or(u),
    };
    let ms = match unit {
        "ms" | "milli" | "millisecond" => 1.0,
        "" | "s" | "sec" | "second" => 1000.0,
        "m" | "min" | "minute" => 60_000.0,
        "h" | "hour" => 3_600_000.0,
        "d" | "day" => 86_400_000.0,
        "w" | "week" => 604_800_000.0,
        _ => return None,
    };
    Some((n * ms) as i64)
}

impl Query {
    /// Typed values for the query's parameters: `given` (name → text) over defaults.
    pub fn bind(&self, given: &HashMap<String, String>) -> Result<ParamValues, CatalogError> {
        for name in given.keys() {
            if !self.params.iter().any(|p| &p.name == name) {
                let known: Vec<_> = self.params.iter().map(|p| p.name.as_str()).collect();
                return Err(CatalogError::Param {
                    query: self.id.clone(),
                    param: name.clone(),
                    message: format!(
                        "not a parameter of this query (it takes: {})",
                        known.join(", ")
                    ),
                });
            }
        }
        let mut values = HashMap::new();
        for p in &self.params {
            let text = match (given.get(&p.name), &p.default) {
                (Some(v), _) => v.clone(),
                (None, Some(d)) => d.clone(),
                (None, None) => {
                    return Err(CatalogError::Param {
                        query: self.id.clone(),
                        param: p.name.clone(),
                        message: format!(
                            "required; pass --param {}=<{}>",
                            p.name,
                            serde_json::to_string(&p.kind)
                                .unwrap_or_default()
                                .trim_matches('"')
                        ),
                    });
                }
            };
            let bad = |what: &str| CatalogError::Param {
                query: self.id.clone(),
                param: p.name.clone(),
                message: format!("`{text}` is not {what}"),
            };
            let value = match p.kind {
                ParamType::String => ScalarValue::Utf8(Some(text.clone())),
                ParamType::Int => {
                    ScalarValue::Int64(Some(text.trim().parse().map_err(|_| bad("an integer"))?))
                }
                ParamType::Float => {
                    ScalarValue::Float64(Some(text.trim().parse().map_err(|_| bad("a number"))?))
                }
                ParamType::Bool => {
                    ScalarValue::Boolean(Some(match text.trim().to_ascii_lowercase().as_str() {
                        "true" | "yes" | "1" => true,
                        "false" | "no" | "0" => false,
                        _ => return Err(bad("a boolean")),
                    }))
                }
                ParamType::Timestamp => {
                    let ms = trawl_cloudtrail::parse_event_time(text.trim())
                        .or_else(|| {
                            trawl_cloudtrail::parse_event_time(&format!(
                                "{}T00:00:00Z",
                                text.trim()
                            ))
                        })
                        .ok_or_else(|| bad("a timestamp (2026-03-01 or 2026-03-01T10:00:00Z)"))?;
                    ScalarValue::TimestampMillisecond(Some(ms), Some("UTC".into()))
                }
                ParamType::Interval => {
                    let ms =
                        interval_millis(&text).ok_or_else(|| bad("an interval (7d, 24h, 30m)"))?;
                    ScalarValue::IntervalMonthDayNano(Some(
                        datafusion::arrow::datatypes::IntervalMonthDayNano::new(
                            0,
                            0,
                            ms * 1_000_000,
                        ),
                    ))
                }
            };
            values.insert(p.name.clone(), value.into());
        }
        Ok(ParamValues::Map(values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_binding() {
        let text = "-- title: T\n-- description: one\n-- description: two\n-- severity: high\n-- tags: a, b\n\
                    -- param: key string required  The key\n-- param: n int 10\n-- param: since timestamp 2026-01-01  From\n\
                    SELECT 1";
        let q = parse_query("t", "investigation", "x.sql", text).unwrap();
        assert_eq!(q.description, "one two");
        assert_eq!(q.meta["severity"], "high");
        assert_eq!(q.tags, ["a", "b"]);
        assert_eq!(q.params.len(), 3);
        assert_eq!(q.params[0].default, None);
        assert_eq!(q.params[1].default.as_deref(), Some("10"));
        assert!(matches!(
            q.bind(&HashMap::new()),
            Err(CatalogError::Param { .. })
        ));
        let given = HashMap::from([("key".to_string(), "AKIA".to_string())]);
        let ParamValues::Map(m) = q.bind(&given).unwrap() else {
            panic!()
        };
        assert_eq!(m["n"].value, ScalarValue::Int64(Some(10)));
        assert_eq!(m["key"].value, ScalarValue::Utf8(Some("AKIA".into())));
        let wrong = HashMap::from([
            ("key".to_string(), "x".to_string()),
            ("n".to_string(), "ten".to_string()),
        ]);
        assert!(
            q.bind(&wrong)
                .unwrap_err()
                .to_string()
                .contains("not an integer")
        );
        let unknown = HashMap::from([("nope".to_string(), "x".to_string())]);
        assert!(
            q.bind(&unknown)
                .unwrap_err()
                .to_string()
                .contains("not a parameter")
        );
        assert_eq!(interval_millis("7 days"), Some(7 * 86_400_000));
        assert_eq!(interval_millis("24h"), Some(86_400_000));
        assert_eq!(interval_millis("500ms"), Some(500));
        assert_eq!(interval_millis("90s"), Some(90_000));
        assert_eq!(interval_millis("10 minutes"), Some(600_000));
        assert_eq!(interval_millis("0s"), Some(0));
    }

    #[test]
    fn builtin_library_parses() {
        let c = Catalog::load(&[]).unwrap();
        assert!(c.queries.len() >= 7, "{}", c.queries.len());
        for q in &c.queries {
            assert!(!q.description.is_empty(), "{} has no description", q.id);
        }
    }
}
