//! `trawl demo`: the bundled sample archive, converted and queried.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::{Context, Result};
use trawl_convert::Lake;

use crate::archive::{convert_into, sample_archive};
use crate::args::DemoArgs;
use crate::session::open_session;

const QUERIES: &[(&str, &str)] = &[
    (
        "Busiest APIs",
        "SELECT eventsource, eventname, count(*) AS events FROM cloudtrail \
         GROUP BY eventsource, eventname ORDER BY events DESC, eventname LIMIT 8",
    ),
    (
        "Console sign-ins without MFA",
        "SELECT eventtime, useridentity.arn AS principal, sourceipaddress, \
         responseelements->>'ConsoleLogin' AS result FROM cloudtrail \
         WHERE eventName = 'ConsoleLogin' AND additionalEventData->>'MFAUsed' = 'No' \
         ORDER BY eventtime LIMIT 8",
    ),
    (
        "Access denied, by principal",
        "SELECT useridentity.arn AS principal, count(*) AS denied, min(eventtime) AS first, max(eventtime) AS last \
         FROM cloudtrail WHERE errorcode IN ('AccessDenied', 'Client.UnauthorizedOperation') \
         GROUP BY 1 ORDER BY denied DESC, principal LIMIT 8",
    ),
];

pub async fn run(a: DemoArgs) -> Result<ExitCode> {
    let archive = sample_archive()?;
    let lake_dir = a.dir.join("lake");
    std::fs::create_dir_all(&lake_dir).with_context(|| lake_dir.display().to_string())?;
    let lake = Lake::open(&lake_dir.to_string_lossy())?;
    writeln!(
        std::io::stdout(),
        "sample archive: {} (synthetic: 3 accounts, 3 days, S3 delivery layout)",
        archive.display()
    )?;
    let s = convert_into(&archive, &lake).await?;
    writeln!(
        std::io::stdout(),
        "converted in {:.2} s: {} files read ({} digests skipped, {} already converted); {} records = {} written + {} duplicate deliveries dropped + {} rejected\n",
        s.elapsed.as_secs_f64(),
        s.files_read,
        s.files_skipped,
        s.files_already,
        s.counts.records,
        s.counts.rows_written,
        s.counts.duplicates,
        s.counts.rejected
    )?;
    let lake_arg = crate::args::OptionalLake {
        lake: Some(lake.root().to_path_buf()),
        raw: Vec::new(),
        cluster: None,
    };
    let (mut session, _) = open_session(&lake_arg, None, &[]).await?;
    for (title, sql) in QUERIES {
        writeln!(std::io::stdout(), "-- {title}\n{sql};")?;
        session.run_sql(sql).await?;
        writeln!(std::io::stdout())?;
    }
    writeln!(
        std::io::stdout(),
        "Next: trawl sql --lake {} (an interactive shell; \\? for help), or trawl queries",
        lake.root().display()
    )?;
    Ok(ExitCode::SUCCESS)
}
