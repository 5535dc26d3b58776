//! `trawl demo`: the bundled sample archive, converted and queried.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use trawl_convert::{ConvertOptions, Lake, Progress};

use crate::args::DemoArgs;
use crate::generate::sample_archive;
use crate::sql::{open, query, render};

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
         WHERE eventName = 'ConsoleLogin' AND (additionalEventData->>'MFAUsed') = 'No' \
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
    println!(
        "sample archive: {} (synthetic, 3 accounts, 3 days, S3 delivery layout)",
        archive.display()
    );
    let s = trawl_convert::convert(
        &[archive.to_string_lossy().to_string()],
        &lake,
        &ConvertOptions::default(),
        Arc::new(Progress::default()),
    )
    .await?;
    println!(
        "converted: {} files, {} records = {} written + {} duplicate deliveries dropped + {} rejected; {} already converted\n",
        s.files_read,
        s.counts.records,
        s.counts.rows_written,
        s.counts.duplicates,
        s.counts.rejected,
        s.files_already
    );
    let ctx = open(lake.root()).await?;
    for (title, sql) in QUERIES {
        println!("-- {title}\n{sql};");
        let batches = query(&ctx, sql).await?;
        print!("{}", render(&batches, "table")?);
        println!();
    }
    println!(
        "Query it yourself: trawl sql --lake {} -c \"SELECT count(*) FROM cloudtrail\"",
        lake.root().display()
    );
    Ok(ExitCode::SUCCESS)
}
