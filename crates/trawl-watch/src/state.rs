//! What a watcher remembers between cycles: the runs it has hunted over and every
//! incident it has raised, with its status and the history of changes to it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use trawl_engine::catalog::Severity;

use crate::{Result, WatchError};

/// Where an incident stands with the people who handle it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum IncidentStatus {
    #[default]
    Open,
    Acknowledged,
    Resolved,
    Suppressed,
}

impl std::fmt::Display for IncidentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Open => "open",
            Self::Acknowledged => "acknowledged",
            Self::Resolved => "resolved",
            Self::Suppressed => "suppressed",
        })
    }
}

/// One change to an incident: raised, updated, acknowledged, ...
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub at: String,
    pub by: String,
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// An incident as the watcher tracks it across cycles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackedIncident {
    /// The id it was first raised with; later cycles that find more of the same
    /// story keep it.
    pub id: String,
    /// Goes up with each change that is delivered (new detections, a higher
    /// severity, reopened); receivers de-duplicate on id and version.
    pub version: u32,
    pub status: IncidentStatus,
    pub severity: Severity,
    pub title: String,
    pub score: f64,
    pub principals: Vec<String>,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub tactics: Vec<String>,
    pub detections: BTreeSet<String>,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub eventids: BTreeSet<String>,
    /// The cycle that raised it and the last that added to it.
    pub raised_in: u64,
    pub updated_in: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed_until: Option<String>,
    /// Suppressions that ran out.
    #[serde(default)]
    pub suppressions_expired: u32,
    #[serde(default)]
    pub history: Vec<Change>,
}

/// Everything a watcher remembers.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WatchState {
    /// Cycles run so far.
    pub cycles: u64,
    /// Conversion runs whose events have been hunted over.
    pub processed_runs: BTreeSet<String>,
    /// When a cycle last found new deliveries (the clock of `--now`).
    #[serde(default)]
    pub last_delivery_at: Option<String>,
    pub incidents: BTreeMap<String, TrackedIncident>,
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, bytes).map_err(|e| WatchError::io(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| WatchError::io(path, e))
}

impl WatchState {
    pub fn path(dir: &Path) -> PathBuf {
        dir.join("state.json")
    }

    /// The state in `dir`, or a fresh one.
    pub fn load(dir: &Path) -> Result<Self> {
        let path = Self::path(dir);
        match fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|source| WatchError::State { path, source })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(WatchError::io(path, e)),
        }
    }

    /// Written whole to a temporary file and renamed, so a crash leaves the old
    /// state or the new one.
    pub fn save(&self, dir: &Path) -> Result<()> {
        fs::create_dir_all(dir).map_err(|e| WatchError::io(dir, e))?;
        let bytes = serde_json::to_vec_pretty(self).map_err(|source| WatchError::State {
            path: Self::path(dir),
            source,
        })?;
        write_atomic(&Self::path(dir), &bytes)
    }

    /// The incident `id` names: its full id or a unique prefix of it.
    pub fn find_mut(&mut self, id: &str) -> Result<&mut TrackedIncident> {
        let matches: Vec<String> = self
            .incidents
            .keys()
            .filter(|k| k.as_str() == id || k.starts_with(id))
            .cloned()
            .collect();
        match matches.as_slice() {
            [one] => self
                .incidents
                .get_mut(one)
                .ok_or_else(|| WatchError::UnknownIncident(id.to_string())),
            _ => Err(WatchError::UnknownIncident(id.to_string())),
        }
    }

    /// Lifts suppressions that ran out by `now`; returns how many.
    pub fn expire_suppressions(&mut self, now: &str) -> usize {
        let mut n = 0;
        for inc in self.incidents.values_mut() {
            if inc.status == IncidentStatus::Suppressed
                && inc.suppressed_until.as_deref().is_some_and(|u| u <= now)
            {
                inc.status = IncidentStatus::Open;
                inc.suppressed_until = None;
                inc.suppressions_expired += 1;
                inc.history.push(Change {
                    at: now.to_string(),
                    by: "trawl watch".into(),
                    action: "suppression expired".into(),
                    reason: None,
                });
                n += 1;
            }
        }
        n
    }
}

impl TrackedIncident {
    /// A person's decision: acknowledge, resolve, suppress (until a time) or reopen.
    pub fn set_status(
        &mut self,
        status: IncidentStatus,
        by: &str,
        at: &str,
        reason: Option<String>,
        until: Option<String>,
    ) {
        self.status = status;
        self.suppressed_until = if status == IncidentStatus::Suppressed {
            until.clone()
        } else {
            None
        };
        let action = match (&status, &until) {
            (IncidentStatus::Suppressed, Some(u)) => format!("suppressed until {u}"),
            _ => status.to_string(),
        };
        self.history.push(Change {
            at: at.to_string(),
            by: by.to_string(),
            action,
            reason,
        });
    }
}

/// Appends one line to `cycles.ndjson`.
pub(crate) fn append_line(path: &Path, line: &str) -> Result<()> {
    use std::io::Write;
    let mut f = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| WatchError::io(path, e))?;
    writeln!(f, "{line}").map_err(|e| WatchError::io(path, e))
}

pub(crate) fn write_file_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic(path, bytes)
}
