//! A query file's `-- key: value` header: the typed [`Query`] it describes, checked
//! as it is read so a malformed library file fails when the library loads.

use std::collections::BTreeMap;

use serde::Serialize;

use super::CatalogError;
use super::attack::{Severity, Tactic, Technique};
use super::params::{Param, ParamType};

/// What a query is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QueryKind {
    /// Raises findings; run by `trawl hunt`. Needs a severity.
    Detection,
    /// Answers a question; run by `trawl run`.
    Investigation,
}

impl QueryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Detection => "detection",
            Self::Investigation => "investigation",
        }
    }
}

impl std::fmt::Display for QueryKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for QueryKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "detection" => Ok(Self::Detection),
            "investigation" => Ok(Self::Investigation),
            other => Err(format!(
                "unknown kind `{other}` (detection or investigation)"
            )),
        }
    }
}

/// One query of the library.
#[derive(Debug, Clone, Serialize)]
pub struct Query {
    /// File stem, also the CLI name (`trawl run <id>`).
    pub id: String,
    /// From the folder (`detections/`), or `-- kind:`.
    pub kind: QueryKind,
    /// `builtin:investigations/x.sql` or a file path.
    pub path: String,
    pub title: String,
    pub description: String,
    pub tags: Vec<String>,
    pub params: Vec<Param>,
    /// `-- severity:`; every detection has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// `-- attack_tactic:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tactic: Option<Tactic>,
    /// `-- attack_technique:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub technique: Option<Technique>,
    /// `-- sigma_technique:`: the newer id Sigma's rules give the same behaviour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sigma_technique: Option<Technique>,
    /// Every header line but title, description, kind, id, tags and params, as
    /// written (severity, attack_tactic, catalogue, stratus, panther, ...).
    pub meta: BTreeMap<String, String>,
    #[serde(skip)]
    pub sql: String,
}

impl Query {
    /// `info` for a query without a severity (investigations).
    pub fn severity_or_info(&self) -> Severity {
        self.severity.unwrap_or(Severity::Info)
    }

    /// The technique ids findings are reported under: ATT&CK's, then Sigma's.
    pub fn technique_ids(&self) -> Vec<String> {
        [&self.technique, &self.sigma_technique]
            .into_iter()
            .flatten()
            .map(|t| t.id.clone())
            .collect()
    }

    pub fn is_detection(&self) -> bool {
        self.kind == QueryKind::Detection
    }
}

/// Parses a query file's header; `kind_hint` comes from the folder.
pub fn parse_query(
    id: &str,
    kind_hint: QueryKind,
    path: &str,
    text: &str,
) -> Result<Query, CatalogError> {
    let err = |message: String| CatalogError::Header {
        path: path.to_string(),
        message,
    };
    let mut q = Query {
        id: id.to_string(),
        kind: kind_hint,
        path: path.to_string(),
        title: String::new(),
        description: String::new(),
        tags: Vec::new(),
        params: Vec::new(),
        severity: None,
        tactic: None,
        technique: None,
        sigma_technique: None,
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
            "kind" => q.kind = value.parse().map_err(err)?,
            "id" => q.id = value.to_string(),
            "tags" => {
                q.tags = value
                    .split(',')
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect()
            }
            "param" => q.params.push(parse_param(value).map_err(err)?),
            _ => {
                match key.as_str() {
                    "severity" => q.severity = Some(value.parse().map_err(err)?),
                    "attack_tactic" => {
                        q.tactic = Some(
                            value
                                .parse()
                                .map_err(|e| err(format!("attack_tactic: {e}")))?,
                        )
                    }
                    "attack_technique" => {
                        q.technique = Some(
                            value
                                .parse()
                                .map_err(|e| err(format!("attack_technique: {e}")))?,
                        )
                    }
                    "sigma_technique" => {
                        q.sigma_technique = Some(
                            value
                                .parse()
                                .map_err(|e| err(format!("sigma_technique: {e}")))?,
                        )
                    }
                    _ => {}
                }
                q.meta.insert(key, value.to_string());
            }
        }
    }
    if q.title.is_empty() {
        return Err(err("no `-- title:` header line".into()));
    }
    if q.is_detection() && q.severity.is_none() {
        return Err(err(
            "a detection needs a `-- severity:` line (info, low, medium, high, critical)".into(),
        ));
    }
    Ok(q)
}

/// `name type default-or-required  description`.
fn parse_param(value: &str) -> Result<Param, String> {
    let mut parts = value.splitn(3, char::is_whitespace);
    let name = parts
        .next()
        .filter(|n| !n.is_empty())
        .ok_or("`param:` without a name")?;
    let kind: ParamType = parts
        .next()
        .ok_or_else(|| format!("param {name}: no type"))?
        .parse()
        .map_err(|e| format!("param {name}: {e}"))?;
    let rest = parts.next().unwrap_or("").trim();
    let (default, description) = match rest.split_once(char::is_whitespace) {
        Some((d, desc)) => (d, desc.trim()),
        None => (rest, ""),
    };
    let default = match default {
        "required" | "" => None,
        d => Some(d.to_string()),
    };
    Ok(Param {
        name: name.to_string(),
        kind,
        default,
        description: description.to_string(),
    })
}
