//! `log_tampering`: the one detection that reads the lake's integrity records
//! (`log_files`, `log_chains`) rather than events. It is not in the query library:
//! the library's detections run over raw archives too, where there are no verdicts,
//! and it runs only when a verification has been recorded.

use datafusion::prelude::SessionContext;
use trawl_engine::catalog::{Query, QueryKind, parse_query};
use trawl_engine::integrity::{CHAINS_TABLE, FILES_TABLE};

use crate::HuntError;

pub const ID: &str = "log_tampering";

const SQL: &str = include_str!("log_tampering.sql");

/// The detection, typed like a library query.
pub fn query() -> Result<Query, HuntError> {
    Ok(parse_query(
        ID,
        QueryKind::Detection,
        "builtin:trawl-hunt/log_tampering.sql",
        SQL,
    )?)
}

/// Whether the session holds the verdicts it reads.
pub fn applies(ctx: &SessionContext) -> bool {
    [FILES_TABLE, CHAINS_TABLE]
        .iter()
        .all(|t| ctx.table_exist(*t).unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use trawl_engine::catalog::Severity;

    #[test]
    fn the_detection_parses_as_a_critical_defense_evasion_detection() {
        let q = query().unwrap();
        assert!(q.is_detection());
        assert_eq!(q.severity_or_info(), Severity::Critical);
        assert_eq!(q.technique_ids(), ["T1070"]);
        assert!(q.params.iter().any(|p| p.name == "since"));
    }

    #[test]
    fn it_does_not_apply_without_verdicts() {
        let ctx = SessionContext::new();
        assert!(!applies(&ctx));
    }
}
