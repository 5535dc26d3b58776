//! `trawl generate`: a deterministic synthetic archive on disk.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use trawl_cloudtrail::generate::GenOptions;
use trawl_cloudtrail::parse_event_time;

use crate::archive::{DigestFiles, write_archive};
use crate::args::GenerateArgs;

pub fn run(a: GenerateArgs) -> Result<ExitCode> {
    let Some(start_ms) = parse_event_time(&format!("{}T00:00:00Z", a.start)) else {
        bail!("--start {}: expected a date like 2026-03-01", a.start);
    };
    let opts = GenOptions {
        events: a.events,
        accounts: a.accounts,
        start_ms,
        days: a.days,
        seed: a.seed,
        events_per_file: a.events_per_file,
        attacks: a.attacks,
        attack_kinds: a.attack_kinds,
        habits: a.habits,
        ..GenOptions::default()
    };
    let digest_files = if a.digests {
        DigestFiles::Signed
    } else {
        DigestFiles::Placeholder
    };
    let s = write_archive(&a.dir, &opts, !a.no_gzip, digest_files)?;
    writeln!(
        std::io::stdout(),
        "wrote {} delivery files to {}: {} events, {} records with duplicate deliveries, {:.1} MB of JSON",
        s.files,
        a.dir.display(),
        s.events,
        s.records,
        s.json_bytes as f64 / 1e6
    )?;
    if a.digests {
        writeln!(
            std::io::stdout(),
            "signed hourly digests with the TEST-ONLY key (not CloudTrail's); check with: trawl verify {0} --public-keys {1}",
            a.dir.display(),
            a.dir.join("public-keys.json").display()
        )?;
    }
    if let Some(path) = &a.ground_truth {
        std::fs::write(path, serde_json::to_string_pretty(&s.chains)?)
            .with_context(|| path.display().to_string())?;
        writeln!(
            std::io::stdout(),
            "{} attack chains injected; their ground truth is in {}",
            s.chains.len(),
            path.display()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
