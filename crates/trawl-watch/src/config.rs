//! The watch configuration: where incidents go and when the trail counts as silent.
//!
//! ```toml
//! [watch]
//! silent_after = "2h"        # no new delivery for this long raises trail_silent
//!
//! [[destination]]
//! name = "soc"
//! kind = "webhook"
//! url = "https://hooks.example.com/trawl"
//! secret_env = "TRAWL_WEBHOOK_SECRET"   # HMAC-SHA256 key; never printed
//! min_severity = "medium"
//! accounts = ["111122223333"]           # optional routing filters
//! detections = []
//! tags = []
//!
//! [[destination]]
//! name = "archive"
//! kind = "file"
//! path = "/var/log/trawl/incidents.ndjson"
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;
use trawl_engine::catalog::Severity;

use crate::{Result, WatchError, parse_duration};

/// What kind of receiver a destination is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DestinationKind {
    /// One JSON line per delivery on standard output.
    Stdout,
    /// One JSON line per delivery appended to `path`.
    File,
    /// A versioned JSON body POSTed to `url`, signed with HMAC-SHA256.
    Webhook,
    /// A Slack incoming webhook (`text` plus `blocks`).
    Slack,
    /// A Microsoft Teams Workflows webhook (an Adaptive Card in `attachments`).
    Teams,
    /// PagerDuty Events API v2 (`dedup_key` = the incident id); the routing key is
    /// the destination's secret.
    Pagerduty,
    /// Amazon SNS `Publish` to `topic_arn`: the trawl body as the message, severity,
    /// detections and accounts as message attributes (for subscription filter policies).
    Sns,
    /// AWS Security Hub `BatchImportFindings`: one ASFF finding per incident, `Id` = the
    /// incident id, so updates upsert. In `region` (or the incident's first) and the
    /// account `account` (or the incident's first).
    Securityhub,
}

/// How stdout, file and webhook destinations write an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BodyFormat {
    /// trawl's own versioned body (`schema: trawl.incident.v1`).
    #[default]
    Trawl,
    /// OCSF Detection Finding (class 2004).
    Ocsf,
}

/// One `[[destination]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DestinationConfig {
    pub name: String,
    pub kind: DestinationKind,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub path: Option<PathBuf>,
    #[serde(default)]
    pub format: BodyFormat,
    /// The HMAC key itself (prefer `secret_env`).
    #[serde(default)]
    pub secret: Option<String>,
    /// The environment variable holding the HMAC key.
    #[serde(default)]
    pub secret_env: Option<String>,
    #[serde(default = "default_min_severity")]
    pub min_severity: Severity,
    #[serde(default)]
    pub accounts: Vec<String>,
    #[serde(default)]
    pub detections: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Seconds before a request counts as failed.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// SNS: the topic to publish to (its region is the ARN's).
    #[serde(default)]
    pub topic_arn: Option<String>,
    /// Security Hub: the region to import into.
    #[serde(default)]
    pub region: Option<String>,
    /// Security Hub: the account whose default product receives the findings.
    #[serde(default)]
    pub account: Option<String>,
}

fn default_min_severity() -> Severity {
    Severity::Low
}

fn default_timeout() -> u64 {
    10
}

/// `[watch]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchSettings {
    /// No new delivery for this long raises `trail_silent` (e.g. `2h`).
    #[serde(default = "default_silent_after")]
    pub silent_after: String,
    /// Attempts per delivery within one cycle before it waits for the next.
    #[serde(default = "default_attempts")]
    pub attempts: u32,
}

fn default_silent_after() -> String {
    "2h".into()
}

fn default_attempts() -> u32 {
    4
}

impl Default for WatchSettings {
    fn default() -> Self {
        Self {
            silent_after: default_silent_after(),
            attempts: default_attempts(),
        }
    }
}

/// The whole file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub watch: WatchSettings,
    #[serde(default, rename = "destination")]
    pub destinations: Vec<DestinationConfig>,
}

impl Config {
    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| WatchError::io(path, e))?;
        Self::parse(&text).map_err(|message| WatchError::Config {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parses and checks config text.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        config.check()?;
        Ok(config)
    }

    /// Without a file: every incident as JSON lines on standard output.
    pub fn stdout() -> Self {
        Self {
            watch: WatchSettings::default(),
            destinations: vec![DestinationConfig {
                name: "stdout".into(),
                kind: DestinationKind::Stdout,
                url: None,
                path: None,
                format: BodyFormat::Trawl,
                secret: None,
                secret_env: None,
                min_severity: Severity::Low,
                accounts: Vec::new(),
                detections: Vec::new(),
                tags: Vec::new(),
                timeout_secs: default_timeout(),
                topic_arn: None,
                region: None,
                account: None,
            }],
        }
    }

    pub fn silent_after_ms(&self) -> i64 {
        parse_duration(&self.watch.silent_after).unwrap_or(2 * 3_600_000)
    }

    fn check(&self) -> std::result::Result<(), String> {
        if parse_duration(&self.watch.silent_after).is_none() {
            return Err(format!(
                "[watch] silent_after = {:?}: expected a duration such as 30m or 2h",
                self.watch.silent_after
            ));
        }
        let mut names = std::collections::BTreeSet::new();
        for d in &self.destinations {
            if !names.insert(d.name.as_str()) {
                return Err(format!("destination {:?} is defined twice", d.name));
            }
            if d.name.is_empty()
                || !d
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(format!(
                    "destination name {:?}: use letters, digits, - and _",
                    d.name
                ));
            }
            match d.kind {
                DestinationKind::Webhook | DestinationKind::Slack | DestinationKind::Teams => {
                    let url = d.url.as_deref().unwrap_or_default();
                    if !(url.starts_with("https://") || url.starts_with("http://")) {
                        return Err(format!(
                            "destination {:?}: a {:?} destination needs url = \"https://...\"",
                            d.name, d.kind
                        ));
                    }
                    if let Some(var) = &d.secret_env
                        && std::env::var_os(var).is_none()
                    {
                        return Err(format!(
                            "destination {:?}: secret_env names {var}, which is not set",
                            d.name
                        ));
                    }
                }
                DestinationKind::Pagerduty if d.secret.is_none() && d.secret_env.is_none() => {
                    return Err(format!(
                        "destination {:?}: PagerDuty needs its routing key in secret_env (or secret)",
                        d.name
                    ));
                }
                DestinationKind::Sns => {
                    let arn = d.topic_arn.as_deref().unwrap_or_default();
                    if crate::aws::sns_region(arn).is_none() {
                        return Err(format!(
                            "destination {:?}: SNS needs topic_arn = \"arn:aws:sns:<region>:<account>:<topic>\" (got {arn:?})",
                            d.name
                        ));
                    }
                }
                DestinationKind::File if d.path.is_none() => {
                    return Err(format!(
                        "destination {:?}: a file destination needs path = \"...\"",
                        d.name
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example_and_rejects_mistakes() {
        let example = "[watch]\nsilent_after = \"30m\"\n\n[[destination]]\nname = \"soc\"\nkind = \"webhook\"\nurl = \"https://hooks.example.com/trawl\"\nsecret = \"s3cret\"\nmin_severity = \"high\"\n\n[[destination]]\nname = \"archive\"\nkind = \"file\"\npath = \"/tmp/x.ndjson\"\n";
        let c = Config::parse(example).unwrap();
        assert_eq!(c.destinations.len(), 2);
        assert_eq!(c.destinations[0].min_severity, Severity::High);
        assert_eq!(c.silent_after_ms(), 1_800_000);
        let no_url = "[[destination]]\nname = \"x\"\nkind = \"webhook\"\n";
        assert!(Config::parse(no_url).unwrap_err().contains("needs url"));
        let typo = "[[destination]]\nname = \"x\"\nkind = \"stdout\"\nmin_severty = \"high\"\n";
        assert!(Config::parse(typo).unwrap_err().contains("min_severty"));
        let twice = "[[destination]]\nname = \"x\"\nkind = \"stdout\"\n[[destination]]\nname = \"x\"\nkind = \"stdout\"\n";
        assert!(Config::parse(twice).unwrap_err().contains("twice"));
    }
}
