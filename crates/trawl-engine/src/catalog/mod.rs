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

mod attack;
mod header;
mod params;
mod save;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use attack::{Severity, Tactic, Technique};
pub use header::{Query, QueryKind, parse_query};
pub use params::{Param, ParamType, bound_interval_ms};
pub use save::saved_query;

include!(concat!(env!("OUT_DIR"), "/builtin_queries.rs"));

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
    /// A user query file that was left out when the library loaded.
    #[error("{0}")]
    Skipped(String),
    #[error("query `{query}`: parameter `{param}`: {message}")]
    Param {
        query: String,
        param: String,
        message: String,
    },
}

/// The query library.
#[derive(Debug, Default)]
pub struct Catalog {
    pub queries: Vec<Query>,
    /// User query files that could not be loaded, by id, with why: one bad file of
    /// the user's does not take the library down with it.
    pub skipped: Vec<(String, CatalogError)>,
}

fn kind_of(rel: &str) -> QueryKind {
    if rel.starts_with("detections/") || rel.contains("/detections/") {
        QueryKind::Detection
    } else {
        QueryKind::Investigation
    }
}

/// `_template.sql` and other `_` files document the library; they are not queries.
fn is_query_file(rel: &str) -> bool {
    Path::new(rel)
        .file_name()
        .is_some_and(|n| !n.to_string_lossy().starts_with('_'))
}

impl Catalog {
    /// The built-in library plus `.sql` files under `dirs` (a user query with a
    /// built-in's id replaces it). A built-in that does not parse is an error; a user
    /// file that does not is left out and listed in [`Catalog::skipped`].
    pub fn load(dirs: &[PathBuf]) -> Result<Self, CatalogError> {
        let mut skipped = Vec::new();
        let mut by_id: BTreeMap<String, Query> = BTreeMap::new();
        for (rel, text) in BUILTIN_QUERIES.iter().filter(|(rel, _)| is_query_file(rel)) {
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
            for f in files
                .into_iter()
                .filter(|f| is_query_file(&f.to_string_lossy()))
            {
                let id = f
                    .file_stem()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_default();
                let rel = f
                    .strip_prefix(dir)
                    .unwrap_or(&f)
                    .to_string_lossy()
                    .to_string();
                let parsed = std::fs::read_to_string(&f)
                    .map_err(|e| CatalogError::Io {
                        path: f.display().to_string(),
                        source: e,
                    })
                    .and_then(|text| {
                        parse_query(&id, kind_of(&rel), &f.display().to_string(), &text)
                    });
                match parsed {
                    Ok(q) => {
                        by_id.insert(q.id.clone(), q);
                    }
                    Err(e) => skipped.push((id, e)),
                }
            }
        }
        Ok(Self {
            queries: by_id.into_values().collect(),
            skipped,
        })
    }

    /// A query by id; for a user file that was left out, why.
    pub fn get(&self, id: &str) -> Result<&Query, CatalogError> {
        if let Some(q) = self.queries.iter().find(|q| q.id == id) {
            return Ok(q);
        }
        match self.skipped.iter().find(|(s, _)| s == id) {
            Some((_, e)) => Err(CatalogError::Skipped(e.to_string())),
            None => Err(CatalogError::Unknown(id.to_string())),
        }
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

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use datafusion::common::{ParamValues, ScalarValue};

    use super::params::interval_millis;
    use super::*;

    #[test]
    fn header_and_binding() {
        let text = "-- title: T\n-- description: one\n-- description: two\n-- severity: high\n-- tags: a, b\n\
                    -- param: key string required  The key\n-- param: n int 10\n-- param: since timestamp 2026-01-01  From\n\
                    SELECT 1";
        let q = parse_query("t", QueryKind::Investigation, "x.sql", text).unwrap();
        assert_eq!(q.description, "one two");
        assert_eq!(q.meta["severity"], "high");
        assert_eq!(q.severity, Some(Severity::High));
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
    fn history_is_read_from_since_less_the_look_back_and_window() {
        let text = "-- title: T\n-- severity: low\n-- param: since timestamp 1970-01-01\n\
                    -- param: history_from timestamp 1970-01-01\n-- param: lookback interval 7d\n\
                    -- param: learning interval 1d\n-- param: window interval 1h\nSELECT 1";
        let q = parse_query("t", QueryKind::Detection, "x.sql", text).unwrap();
        let at = |given: &[(&str, &str)]| {
            let given = given
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            let ParamValues::Map(m) = q.bind(&given).unwrap() else {
                panic!()
            };
            m["history_from"].value.clone()
        };
        let ms = |t: i64| ScalarValue::TimestampMillisecond(Some(t), Some("UTC".into()));
        let since = 20_000 * 86_400_000_i64;
        assert_eq!(
            at(&[("since", "2024-10-04")]),
            ms(since - 7 * 86_400_000 - 3_600_000)
        );
        assert_eq!(
            at(&[
                ("since", "2024-10-04"),
                ("lookback", "2d"),
                ("learning", "3d")
            ]),
            ms(since - 3 * 86_400_000 - 3_600_000)
        );
        // Given, it is taken as is.
        assert_eq!(
            at(&[("since", "2024-10-04"), ("history_from", "2024-10-01")]),
            ms(since - 3 * 86_400_000)
        );
    }

    #[test]
    fn builtin_library_parses() {
        let c = Catalog::load(&[]).unwrap();
        assert!(c.queries.len() >= 7, "{}", c.queries.len());
        for q in &c.queries {
            assert!(!q.description.is_empty(), "{} has no description", q.id);
            assert!(!q.id.starts_with('_'), "{} is not a query", q.path);
            if q.is_detection() {
                assert!(
                    q.severity.is_some() && q.tactic.is_some() && q.technique.is_some(),
                    "{}: severity and ATT&CK mapping",
                    q.id
                );
            }
        }
    }

    #[test]
    fn malformed_detection_headers_fail_to_load() {
        let parse = |text: &str| parse_query("d", QueryKind::Detection, "d.sql", text);
        let e = parse("-- title: T\nSELECT 1").unwrap_err().to_string();
        assert!(e.starts_with("d.sql: ") && e.contains("severity"), "{e}");
        let e = parse("-- title: T\n-- severity: urgent\nSELECT 1")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown severity `urgent`"), "{e}");
        let e = parse("-- title: T\n-- severity: low\n-- attack_tactic: TA0007 Impact\nSELECT 1")
            .unwrap_err()
            .to_string();
        assert!(e.contains("TA0007 is Discovery"), "{e}");
        let e = parse("-- title: T\n-- severity: low\n-- attack_technique: 1078 Valid\nSELECT 1")
            .unwrap_err()
            .to_string();
        assert!(e.contains("attack_technique"), "{e}");
        let q = parse(
            "-- title: T\n-- severity: low\n-- attack_technique: T1078.004 Valid Accounts: Cloud Accounts\n\
             -- sigma_technique: T1685 (ATT&CK v19)\nSELECT 1",
        )
        .unwrap();
        assert_eq!(q.technique_ids(), ["T1078.004", "T1685"]);
        let e = parse("-- title: T\n-- kind: report\nSELECT 1")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown kind"), "{e}");
        let dir = tempfile_dir();
        std::fs::write(dir.join("_template.sql"), "not a query").unwrap();
        assert!(Catalog::load(std::slice::from_ref(&dir)).is_ok());
        std::fs::write(
            dir.join("detections_bad.sql"),
            "-- title: x\n-- kind: detection\nSELECT 1",
        )
        .unwrap();
        std::fs::write(dir.join("mine.sql"), "-- title: Mine\nSELECT 1").unwrap();
        // The bad file is left out with its reason; the rest loads.
        let c = Catalog::load(std::slice::from_ref(&dir)).unwrap();
        assert!(c.get("mine").is_ok());
        assert!(c.get("access_key_created").is_ok());
        assert_eq!(c.skipped.len(), 1);
        let e = c.get("detections_bad").unwrap_err().to_string();
        assert!(e.contains("detections_bad.sql"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn tempfile_dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!("trawl-catalog-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
