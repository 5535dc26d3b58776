//! The `trawl` command line. `main` parses arguments, runs one subcommand and maps
//! the outcome to an exit status.
//!
//! Exit status: 0 success; 1 failure (nothing committed by the failing step);
//! 2 usage error; 3 `convert` completed but some input was rejected or unreadable
//! (see the summary and `<lake>/_rejects/`); 4 `hunt` reported a finding at or
//! above `--fail-on`.

mod args;
mod convert;
mod demo;
mod errors;
mod exec;
mod generate;
mod hunt;
mod print;
mod queries;
mod repl;
mod sql;

use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;
use args::Command;

/// Exit status when the run completed but some input did not land in the lake.
pub const EXIT_PARTIAL: u8 = 3;

/// Entry point of the `trawl` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
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
        Command::Convert(a) => convert::run(a).await,
        Command::Compact(a) => convert::compact(a).await,
        Command::Sql(a) => sql::run(a).await,
        Command::Run(a) => queries::run(a).await,
        Command::Queries(a) => queries::list(a),
        Command::Hunt(a) => hunt::run(a).await,
        Command::Generate(a) => generate::run(a),
        Command::Demo(a) => demo::run(a).await,
    }
}
