//! The report's queries: the scope as SQL, each query run and logged for the methods
//! box, its result as text cells.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::prelude::SessionContext;
use serde::Serialize;

use crate::ReportError;

/// What the report covers: a time range, an account, and optionally one principal
/// or access key (its own section) or one incident.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scope {
    /// Events at or after this time (`2026-03-01`, `2026-03-01T12:00:00Z`).
    pub since: Option<String>,
    /// Events at or before this time.
    pub until: Option<String>,
    pub account: Option<String>,
    /// A principal's ARN or its name (`alice`, `role/Admin` is not a name: use the ARN).
    pub principal: Option<String>,
    pub access_key: Option<String>,
    /// Only this incident of the hunt.
    pub incident: Option<String>,
}

/// A time given on the command line, read as UTC.
pub fn parse_time(flag: &str, text: &str) -> Result<DateTime<Utc>, ReportError> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, format) {
            return Ok(n.and_utc());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d")
        && let Some(n) = d.and_hms_opt(0, 0, 0)
    {
        return Ok(n.and_utc());
    }
    Err(ReportError::BadTime {
        flag: flag.to_string(),
        value: text.to_string(),
    })
}

/// An SQL string literal.
pub fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A UTC time as an SQL literal the `eventtime` column compares with.
pub fn time_lit(t: DateTime<Utc>) -> String {
    lit(&t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
}

/// A range's start and end, when given.
pub type Range = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

impl Scope {
    /// Checks the times; the parsed range.
    pub fn range(&self) -> Result<Range, ReportError> {
        let since = self
            .since
            .as_deref()
            .map(|s| parse_time("--since", s))
            .transpose()?;
        let until = self
            .until
            .as_deref()
            .map(|s| parse_time("--until", s))
            .transpose()?;
        if let (Some(s), Some(u)) = (since, until)
            && s > u
        {
            return Err(ReportError::EmptyRange {
                since: s.to_rfc3339(),
                until: u.to_rfc3339(),
            });
        }
        Ok((since, until))
    }

    /// The conditions of the range and the account (the overview's scope), as a
    /// `WHERE` body; `TRUE` when there are none.
    pub fn range_filter(&self) -> Result<String, ReportError> {
        let (since, until) = self.range()?;
        let mut parts = Vec::new();
        if let Some(s) = since {
            parts.push(format!("eventtime >= {}", time_lit(s)));
        }
        if let Some(u) = until {
            parts.push(format!("eventtime <= {}", time_lit(u)));
        }
        if let Some(a) = &self.account {
            parts.push(format!("recipientaccountid = {}", lit(a)));
        }
        Ok(joined(parts))
    }

    /// The principal or access key condition, when one is given.
    pub fn subject_filter(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(p) = &self.principal {
            parts.push(format!(
                "(useridentity.arn = {0} OR principal_name(useridentity.arn) = {0})",
                lit(p)
            ));
        }
        if let Some(k) = &self.access_key {
            parts.push(format!("useridentity.accesskeyid = {}", lit(k)));
        }
        (!parts.is_empty()).then(|| parts.join(" AND "))
    }

    /// What the subject section is about, as a reader reads it.
    pub fn subject_label(&self) -> Option<String> {
        match (&self.principal, &self.access_key) {
            (Some(p), Some(k)) => Some(format!("{p} with key {k}")),
            (Some(p), None) => Some(p.clone()),
            (None, Some(k)) => Some(format!("access key {k}")),
            (None, None) => None,
        }
    }
}

/// Conditions joined with `AND`; `TRUE` for none.
pub fn joined(parts: Vec<String>) -> String {
    if parts.is_empty() {
        "TRUE".to_string()
    } else {
        parts.join(" AND ")
    }
}

/// One query's result as text cells (NULL as `None`): what a chart or a table shows.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
}

impl Rows {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn text(&self, row: usize, col: usize) -> Option<&str> {
        self.rows.get(row)?.get(col)?.as_deref()
    }

    /// A cell as a whole number (counts, epoch seconds, hours); 0 when NULL.
    pub fn int(&self, row: usize, col: usize) -> i64 {
        let Some(t) = self.text(row, col) else {
            return 0;
        };
        t.parse::<i64>()
            .ok()
            .or_else(|| t.parse::<f64>().ok().map(|f| f as i64))
            .unwrap_or(0)
    }
}

/// One query behind the report, for the methods box.
#[derive(Debug, Clone, Serialize)]
pub struct Logged {
    pub purpose: String,
    pub sql: String,
    pub rows: usize,
}

/// Runs the report's queries over a session and remembers each.
pub struct Runner<'a> {
    ctx: &'a SessionContext,
    pub log: Vec<Logged>,
}

impl<'a> Runner<'a> {
    pub fn new(ctx: &'a SessionContext) -> Self {
        Self {
            ctx,
            log: Vec::new(),
        }
    }

    /// Runs `sql`, logged under `purpose` with the SQL as shown.
    pub async fn fetch(&mut self, purpose: &str, sql: &str) -> Result<Rows, ReportError> {
        self.fetch_shown(purpose, sql, sql).await
    }

    /// Runs `sql` and logs `shown` in its place (a query with hundreds of event ids
    /// is shown with the list elided).
    pub async fn fetch_shown(
        &mut self,
        purpose: &str,
        sql: &str,
        shown: &str,
    ) -> Result<Rows, ReportError> {
        let failed = |source: trawl_engine::Error| ReportError::Query {
            purpose: purpose.to_string(),
            source,
        };
        let df = trawl_engine::sql(self.ctx, sql).await.map_err(failed)?;
        let columns: Vec<String> = df
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let batches = df
            .collect()
            .await
            .map_err(|e| failed(trawl_engine::Error::DataFusion(e)))?;
        let mut rows = Vec::new();
        for batch in &batches {
            let mut cols = Vec::with_capacity(batch.num_columns());
            for c in batch.columns() {
                let text =
                    cast(c, &DataType::Utf8).map_err(|e| failed(trawl_engine::Error::Arrow(e)))?;
                cols.push(text);
            }
            for r in 0..batch.num_rows() {
                rows.push(
                    cols.iter()
                        .map(|c| {
                            let s = c.as_string::<i32>();
                            (!s.is_null(r)).then(|| s.value(r).to_string())
                        })
                        .collect(),
                );
            }
        }
        self.log.push(Logged {
            purpose: purpose.to_string(),
            sql: shown.trim().to_string(),
            rows: rows.len(),
        });
        Ok(Rows { columns, rows })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_the_spellings_people_type() {
        let day = parse_time("--since", "2026-03-01").unwrap();
        assert_eq!(day.to_rfc3339(), "2026-03-01T00:00:00+00:00");
        let z = parse_time("--since", "2026-03-01T12:30:00Z").unwrap();
        assert_eq!(z.to_rfc3339(), "2026-03-01T12:30:00+00:00");
        let space = parse_time("--until", "2026-03-01 12:30:00").unwrap();
        assert_eq!(space, z);
        let err = parse_time("--until", "last tuesday")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--until") && err.contains("last tuesday"),
            "{err}"
        );
    }

    #[test]
    fn scope_becomes_sql_with_quotes_escaped() {
        let scope = Scope {
            since: Some("2026-03-01".into()),
            account: Some("1111'22".into()),
            principal: Some("alice".into()),
            ..Scope::default()
        };
        assert_eq!(
            scope.range_filter().unwrap(),
            "eventtime >= '2026-03-01T00:00:00.000Z' AND recipientaccountid = '1111''22'"
        );
        assert!(scope.subject_filter().unwrap().contains("principal_name"));
        assert_eq!(Scope::default().range_filter().unwrap(), "TRUE");
        let backwards = Scope {
            since: Some("2026-03-02".into()),
            until: Some("2026-03-01".into()),
            ..Scope::default()
        };
        assert!(matches!(
            backwards.range_filter(),
            Err(ReportError::EmptyRange { .. })
        ));
    }
}
