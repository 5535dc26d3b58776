//! What `trawl verify DIR --public-keys KEYS [--jobs N]` does on a local copy, minus the CLI
//! (no progress counter, no per-file report): for benchmarking the verification engine
//! without building the whole workspace (`benches/verify.sh` with `TRAWL_VERIFY_ENGINE=1`).
//!
//! ```sh
//! cargo run --release -p trawl-verify --example verify_archive -- DIR KEYS [--jobs N]
//! ```
//!
//! Prints one JSON line (source, clean, digest_counts, log_counts, chains, findings). Exit
//! status as `trawl verify`'s: 0 every file valid and no chain broken, 1 anything else,
//! 2 nothing could be checked (bad arguments, unreadable keys, failed listing, no digests).

use std::num::NonZeroUsize;
use std::process::ExitCode;

use trawl_verify::{KeyRing, LocalSource, VerifyOptions, verify};

const USAGE: &str = "usage: verify_archive DIR KEYS [--jobs N]";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode, String> {
    let mut positional = Vec::new();
    let mut threads = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--jobs" | "-j" => {
                let n = args
                    .next()
                    .ok_or_else(|| format!("--jobs needs a value\n{USAGE}"))?;
                threads = Some(
                    n.parse::<NonZeroUsize>()
                        .map_err(|e| format!("--jobs {n}: {e}"))?,
                );
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}\n{USAGE}")),
            _ => positional.push(arg),
        }
    }
    let [dir, keys_file] = positional.as_slice() else {
        return Err(USAGE.to_string());
    };

    let bytes = std::fs::read(keys_file).map_err(|e| format!("cannot read {keys_file}: {e}"))?;
    let keys = KeyRing::from_list_public_keys_json(&bytes)
        .map_err(|e| format!("{keys_file}: not usable ListPublicKeys output: {e}"))?;
    if !std::path::Path::new(dir).is_dir() {
        return Err(format!("{dir}: not a directory"));
    }
    let options = VerifyOptions {
        threads,
        ..VerifyOptions::default()
    };
    // Off the main thread, as `trawl verify` runs it (tokio's `spawn_blocking`). On the main
    // thread, glibc's brk heap grows with `--jobs 1` (1.4 GB peak RSS on the 2M-event archive
    // against ~85 MB here; a fixed `GLIBC_TUNABLES=glibc.malloc.mmap_threshold` also avoids it).
    let source = LocalSource::new(dir);
    let report = std::thread::scope(|s| s.spawn(|| verify(&source, &keys, &options)).join())
        .map_err(|_| "verification panicked".to_string())?
        .map_err(|e| e.to_string())?;

    let line = serde_json::json!({
        "source": report.source,
        "clean": report.is_clean(),
        "digest_counts": report.digest_counts,
        "log_counts": report.log_counts,
        "chains": report.chains.len(),
        "findings": report.findings.len(),
    });
    println!("{line}");
    Ok(if report.digest_counts.total == 0 {
        ExitCode::from(2)
    } else if report.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
