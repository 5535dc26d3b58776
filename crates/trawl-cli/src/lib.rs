//! The `trawl` command line. `main` parses arguments, runs one subcommand and maps
//! the outcome to an exit status.
//!
//! Exit status: 0 success; 1 failure (nothing committed by the failing step);
//! 2 usage error; 3 `convert` completed but some input was rejected or unreadable
//! (see the summary and `<lake>/_rejects/`); 4 `hunt` reported a finding at or
//! above `--fail-on`. `verify` has its own, like `aws cloudtrail validate-logs`:
//! 0 all valid, 1 something invalid, 2 nothing could be checked (errors included).

/// `eprintln!` that never panics: with stderr closed (`trawl hunt 2>&1 | head`) the
/// line is dropped, as it would be for a reader who went away; `eprintln!` would
/// panic and turn a quiet end into exit status 101.
macro_rules! stderr_line {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `println!` that never panics, for the shell's own messages: with stdout closed
/// (`... | trawl sql | head -1`) the line is dropped, like [`stderr_line!`]'s.
macro_rules! stdout_line {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

// Layers, bottom first: explain, pager, print -> args -> archive -> session -> shell ->
// commands. A module imports only from layers below its own, and the command
// modules never import each other (`tests::layering` checks it).
mod archive;
mod args;
mod commands;
mod compute;
mod explain;
mod keys;
mod pager;
mod print;
mod session;
mod shell;

use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;
use args::Command;

pub use commands::convert::EXIT_PARTIAL;
pub use commands::hunt::EXIT_FINDINGS;
pub use commands::verify::{EXIT_INVALID, EXIT_UNCHECKED};

/// Entry point of the `trawl` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            stderr_line!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(run(cli));
    // Worker threads still running while the process exits race its teardown (a
    // segfault in libc was seen once in 200 runs), so wait for them, but briefly: a
    // query cancelled in the shell may still be computing on a worker until its next
    // yield, and everything the command needed has been awaited already.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    match outcome {
        Ok(code) => code,
        // The reader went away (`trawl queries | head`): nothing left to say to it.
        Err(e) if closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            stderr_line!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    trawl_convert::s3::configure(trawl_convert::s3::S3Options {
        profile: cli.aws.profile.clone(),
        region: cli.aws.aws_region.clone(),
        endpoint: cli.aws.endpoint_url.clone(),
        requester_pays: cli.aws.requester_pays,
        no_sign_request: cli.aws.no_sign_request,
    });
    match cli.command {
        Command::Convert(a) => commands::convert::run(a).await,
        Command::Compact(a) => commands::convert::compact(a).await,
        Command::Sql(a) => commands::sql::run(a).await,
        Command::Run(a) => commands::queries::run(a).await,
        Command::Queries(a) => commands::queries::list(a),
        Command::Ddl(a) => commands::ddl::run(a).await,
        Command::Hunt(a) => commands::hunt::run(a).await,
        Command::Report(a) => commands::report::run(a).await,
        Command::Verify(a) => commands::verify::run(a).await,
        Command::Generate(a) => commands::generate::run(a),
        Command::Demo(a) => commands::demo::run(a).await,
        Command::Watch(a) => commands::watch::run(a).await,
        Command::Findings(a) => commands::watch::findings(a).await,
        #[cfg(feature = "cluster")]
        Command::Cluster(a) => commands::cluster::run(a).await,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Each module's layer; a module may use `crate::M` only for an M of a lower layer.
    fn layer(module: &str) -> Option<usize> {
        Some(match module {
            "explain" | "pager" | "print" => 0,
            "args" => 1,
            "archive" | "keys" => 2,
            "session" => 3,
            "shell" => 4,
            "commands" => 5,
            _ => return None,
        })
    }

    fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                sources(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    #[test]
    fn layering() {
        let src = std::env::var_os("CARGO_MANIFEST_DIR")
            .map_or_else(
                || Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf(),
                Into::into,
            )
            .join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        let mut wrong = Vec::new();
        for f in &files {
            let rel = f.strip_prefix(&src).unwrap().to_string_lossy().to_string();
            let module = rel.split(['/', '.']).next().unwrap().to_string();
            let Some(own) = layer(&module) else {
                continue; // lib.rs: the entry point sits above everything.
            };
            let text = std::fs::read_to_string(f).unwrap();
            for (i, line) in text.lines().enumerate() {
                for used in line.split("crate::").skip(1) {
                    let target: String = used
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    let Some(theirs) = layer(&target) else {
                        continue;
                    };
                    let sibling_command =
                        module == "commands" && target == "commands" && !rel.ends_with("mod.rs");
                    if theirs > own || (theirs == own && target != module) || sibling_command {
                        wrong.push(format!("{rel}:{}: {}", i + 1, line.trim()));
                    }
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "imports against the layering:\n{}",
            wrong.join("\n")
        );
    }
}
