//! The typed header values of a detection: severity and its MITRE ATT&CK mapping.

use serde::{Deserialize, Serialize};

/// How urgent a detection's findings are, least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Self::Info,
        Self::Low,
        Self::Medium,
        Self::High,
        Self::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown severity `{s}` (info, low, medium, high, critical)"))
    }
}

/// The ATT&CK enterprise tactics, in the order of ATT&CK's matrix. Written and
/// serialised as ATT&CK spells it: `TA0005 Defense Evasion`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tactic {
    Reconnaissance,
    ResourceDevelopment,
    InitialAccess,
    Execution,
    Persistence,
    PrivilegeEscalation,
    DefenseEvasion,
    CredentialAccess,
    Discovery,
    LateralMovement,
    Collection,
    CommandAndControl,
    Exfiltration,
    Impact,
}

impl Tactic {
    pub const ALL: [Tactic; 14] = [
        Self::Reconnaissance,
        Self::ResourceDevelopment,
        Self::InitialAccess,
        Self::Execution,
        Self::Persistence,
        Self::PrivilegeEscalation,
        Self::DefenseEvasion,
        Self::CredentialAccess,
        Self::Discovery,
        Self::LateralMovement,
        Self::Collection,
        Self::CommandAndControl,
        Self::Exfiltration,
        Self::Impact,
    ];

    /// ATT&CK's id, `TA0005`.
    pub fn id(self) -> &'static str {
        match self {
            Self::Reconnaissance => "TA0043",
            Self::ResourceDevelopment => "TA0042",
            Self::InitialAccess => "TA0001",
            Self::Execution => "TA0002",
            Self::Persistence => "TA0003",
            Self::PrivilegeEscalation => "TA0004",
            Self::DefenseEvasion => "TA0005",
            Self::CredentialAccess => "TA0006",
            Self::Discovery => "TA0007",
            Self::LateralMovement => "TA0008",
            Self::Collection => "TA0009",
            Self::CommandAndControl => "TA0011",
            Self::Exfiltration => "TA0010",
            Self::Impact => "TA0040",
        }
    }

    /// ATT&CK's name, `Defense Evasion`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Reconnaissance => "Reconnaissance",
            Self::ResourceDevelopment => "Resource Development",
            Self::InitialAccess => "Initial Access",
            Self::Execution => "Execution",
            Self::Persistence => "Persistence",
            Self::PrivilegeEscalation => "Privilege Escalation",
            Self::DefenseEvasion => "Defense Evasion",
            Self::CredentialAccess => "Credential Access",
            Self::Discovery => "Discovery",
            Self::LateralMovement => "Lateral Movement",
            Self::Collection => "Collection",
            Self::CommandAndControl => "Command and Control",
            Self::Exfiltration => "Exfiltration",
            Self::Impact => "Impact",
        }
    }
}

impl std::str::FromStr for Tactic {
    type Err = String;
    /// `TA0005 Defense Evasion`: the id must be a tactic's and the name, when
    /// given, must be that tactic's name (a mismatch is a typo in one of them).
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (id, name) = s.split_once(char::is_whitespace).unwrap_or((s, ""));
        let tactic = Self::ALL
            .into_iter()
            .find(|t| t.id() == id)
            .ok_or_else(|| format!("`{id}` is not an ATT&CK tactic id (TA0001 ... TA0043)"))?;
        let name = name.trim();
        if !name.is_empty() && !name.eq_ignore_ascii_case(tactic.name()) {
            return Err(format!("`{s}`: {id} is {}, not {name}", tactic.name()));
        }
        Ok(tactic)
    }
}

impl Serialize for Tactic {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::fmt::Display for Tactic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.id(), self.name())
    }
}

/// An ATT&CK technique or sub-technique, `T1562.008` with its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Technique {
    pub id: String,
    pub name: String,
}

impl std::str::FromStr for Technique {
    type Err = String;
    /// `T1562.008 Impair Defenses: ...`: `T`, four digits, an optional `.` and
    /// three digits, then the name.
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (id, name) = s.split_once(char::is_whitespace).unwrap_or((s, ""));
        let digits = |d: &str, n: usize| d.len() == n && d.bytes().all(|b| b.is_ascii_digit());
        let valid = match id.strip_prefix('T').map(|r| r.split_once('.')) {
            Some(Some((main, sub))) => digits(main, 4) && digits(sub, 3),
            Some(None) => digits(&id[1..], 4),
            None => false,
        };
        if !valid {
            return Err(format!(
                "`{s}` does not start with an ATT&CK technique id (T1234 or T1234.001)"
            ));
        }
        Ok(Self {
            id: id.to_string(),
            name: name.trim().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!("High".parse::<Severity>(), Ok(Severity::High));
        assert!("urgent".parse::<Severity>().is_err());
        assert!(Severity::Critical > Severity::Medium);
        assert_eq!(
            "TA0005 Defense Evasion".parse::<Tactic>(),
            Ok(Tactic::DefenseEvasion)
        );
        assert!("TA0005 Impact".parse::<Tactic>().is_err());
        assert!("TA9999 Nothing".parse::<Tactic>().is_err());
        assert!(Tactic::Discovery < Tactic::Exfiltration);
        let t: Technique = "T1562.008 Impair Defenses: Disable or Modify Cloud Logs"
            .parse()
            .unwrap();
        assert_eq!(t.id, "T1562.008");
        assert!("T15 short".parse::<Technique>().is_err());
        assert!("1562 no T".parse::<Technique>().is_err());
        assert!("T1562.08 bad sub".parse::<Technique>().is_err());
    }
}
