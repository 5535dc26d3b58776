//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use trawl_cloudtrail::InputFormat;
use trawl_cloudtrail::generate::AttackKind;
use trawl_engine::catalog::Severity;

use crate::print::Format;

#[derive(Debug, Parser)]
#[command(
    name = "trawl",
    version,
    about = "SQL over AWS CloudTrail archives: convert to a Parquet lake, query, hunt."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// How to reach S3 (for `s3://` sources and lakes). Credentials are found the way
/// the AWS CLI finds them: environment, shared config and credentials files, SSO,
/// web identity, assume-role profiles, container and instance metadata.
#[derive(Debug, Args, Clone)]
pub struct AwsArgs {
    /// Named profile of ~/.aws/config and ~/.aws/credentials [default: $AWS_PROFILE].
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Region of the S3 client [default: the bucket's own, found by asking S3].
    #[arg(long, global = true, value_name = "REGION")]
    pub aws_region: Option<String>,
    /// S3-compatible endpoint (MinIO, Ceph, LocalStack): path-style requests, http
    /// allowed [default: $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL].
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Accept the charges of a requester-pays bucket.
    #[arg(long, global = true)]
    pub requester_pays: bool,
    /// Send unsigned requests (public buckets); no credentials needed.
    #[arg(long, global = true)]
    pub no_sign_request: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Convert raw CloudTrail logs into a Parquet lake (incremental and idempotent).
    Convert(ConvertArgs),
    /// Merge each day's small files into large ones and drop duplicate events.
    Compact(CompactArgs),
    /// Query a lake with SQL: an interactive shell, or -c/-f/stdin scripts.
    Sql(SqlArgs),
    /// Run a saved query (from `trawl queries`, or a .sql file) with parameters.
    Run(RunArgs),
    /// List the query library.
    Queries(QueriesArgs),
    /// Print the lake's table definition for Athena (with partition projection),
    /// Trino, Spark or DuckDB, from the lake's own schema.
    Ddl(DdlArgs),
    /// Run the detections and report findings, most severe first (exit 4 when a
    /// finding at or above --fail-on is reported).
    Hunt(HuntArgs),
    /// Write one self-contained HTML report: overview charts, the hunt's incidents
    /// with their evidence, one principal's or key's activity, and the SQL behind each.
    Report(ReportArgs),
    /// Validate CloudTrail log file integrity: digest chains, signatures, log file hashes
    /// (exit 1 when anything is invalid, 2 when nothing could be checked).
    #[command(after_help = VERIFY_AFTER_HELP)]
    Verify(VerifyArgs),
    /// Write a deterministic synthetic CloudTrail archive (S3 delivery layout, gzipped).
    Generate(GenerateArgs),
    /// Convert the bundled sample archive and query it: trawl end to end on no data of yours.
    Demo(DemoArgs),
    /// Keep watching: convert new deliveries, hunt what they touched, deliver each new
    /// incident once (exit 3 when deliveries wait in the outbox, 5 when another
    /// watcher holds the lake).
    Watch(WatchArgs),
    /// The incidents `trawl watch` raised: list, show, acknowledge, resolve, suppress.
    Findings(FindingsArgs),
    /// Run a distributed SQL cluster (Apache DataFusion Ballista) with trawl's functions:
    /// a scheduler and its executors, for `--cluster df://HOST:PORT`.
    #[cfg(feature = "cluster")]
    #[command(subcommand)]
    Cluster(ClusterCommand),
}

#[cfg(feature = "cluster")]
#[derive(Debug, clap::Subcommand)]
pub enum ClusterCommand {
    /// The scheduler: plans the queries clients send and hands their tasks to executors.
    Scheduler(SchedulerArgs),
    /// An executor: registers with a scheduler and runs its tasks.
    Executor(ExecutorArgs),
}

#[cfg(feature = "cluster")]
#[derive(Debug, Args)]
pub struct SchedulerArgs {
    /// Address to listen on (port 0: any free port, printed on stdout).
    #[arg(long, default_value = "127.0.0.1:50050", value_name = "HOST:PORT")]
    pub bind: std::net::SocketAddr,
    /// The host name executors and clients reach this scheduler by [default: the bind host].
    #[arg(long, value_name = "HOST")]
    pub external_host: Option<String>,
}

#[cfg(feature = "cluster")]
#[derive(Debug, Args)]
pub struct ExecutorArgs {
    /// The scheduler to register with.
    #[arg(long, default_value = "127.0.0.1:50050", value_name = "HOST:PORT")]
    pub scheduler: String,
    /// Host to listen on.
    #[arg(long, default_value = "127.0.0.1", value_name = "HOST")]
    pub bind_host: String,
    /// The host name the scheduler and clients reach this executor by [default: the bind host].
    #[arg(long, value_name = "HOST")]
    pub external_host: Option<String>,
    /// Arrow Flight port, which serves task results (0: any free port).
    #[arg(long, default_value_t = 50051)]
    pub port: u16,
    /// gRPC port, which takes tasks from the scheduler (0: any free port).
    #[arg(long, default_value_t = 50052)]
    pub grpc_port: u16,
    /// Tasks run at once [default: the machine's cores].
    #[arg(long)]
    pub concurrent_tasks: Option<usize>,
    /// Directory for shuffle and spill files [default: a temporary directory].
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct LakeArg {
    /// The lake: a directory or `s3://bucket/prefix`.
    #[arg(long, env = "TRAWL_LAKE", value_name = "DIR|S3URL")]
    pub lake: PathBuf,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Files, directories (read recursively), glob patterns or `s3://bucket/prefix`.
    #[arg(value_name = "SOURCE", required_unless_present = "sample")]
    pub sources: Vec<String>,
    #[command(flatten)]
    pub lake: LakeArg,
    /// Only deliveries of events at or after this day (YYYY-MM-DD): on S3 only the
    /// matching `YYYY/MM/DD/` prefixes are listed, with a day of slack.
    #[arg(long, value_name = "DAY")]
    pub since: Option<String>,
    /// Only deliveries of events at or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DAY")]
    pub until: Option<String>,
    /// Only these accounts' deliveries (repeatable or comma-separated).
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub account: Vec<String>,
    /// Only these regions' deliveries (repeatable or comma-separated).
    #[arg(long, value_name = "REGION", value_delimiter = ',')]
    pub region: Vec<String>,
    /// Convert the bundled sample archive (generated on first use) instead of SOURCE.
    #[arg(long)]
    pub sample: bool,
    /// Input format; `auto` sniffs each file.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub format: InputFormat,
    /// Files decoded, and Parquet columns encoded, in parallel [default: number of cores].
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Memory for decoded rows in flight (e.g. 256M, 1G): rows are sorted and written
    /// in chunks of half this, one filling while one is written, into one file per day
    /// whose row groups being filled hold an eighth of it. Bigger chunks make longer
    /// sorted runs (`trawl compact` merges them into one).
    #[arg(long, default_value = "256M", value_parser = parse_size)]
    pub memory_limit: usize,
    /// Most rows in one Parquet file.
    #[arg(long, default_value_t = 4_000_000)]
    pub max_rows_per_file: usize,
    /// Commit after this many input bytes, so long backfills keep their progress (and
    /// the run's de-duplication keys, 16 bytes per event, stay bounded).
    #[arg(long, default_value = "1G", value_parser = parse_size)]
    pub commit_every: usize,
    /// Most bytes one gzip file or object may inflate to; a larger one is rejected with
    /// its reason (a decompression bomb; no CloudTrail delivery comes near the default).
    #[arg(long, default_value = "1G", value_parser = parse_size)]
    pub max_object_size: usize,
    /// Also check the sources' log file integrity (digest chains, signatures, hashes;
    /// as `trawl verify` does) and record the verdicts in the lake: tables `log_files`
    /// (newest verdict per source object; join on `sourceobject`) and `log_chains`.
    /// Exit status 4 when a log file or digest is modified or deleted, a digest's
    /// signature does not verify, or a chain is broken after its start.
    #[arg(long)]
    pub verify: bool,
    /// With --verify: the public keys, as `aws cloudtrail list-public-keys` prints them
    /// (repeatable); without it, trawl asks CloudTrail's ListPublicKeys for them.
    #[arg(long, value_name = "FILE", requires = "verify")]
    pub public_keys: Vec<PathBuf>,
    /// No progress bar and no summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DdlArgs {
    /// The engine to define the table for.
    #[arg(value_enum)]
    pub engine: trawl_engine::ddl::DdlEngine,
    #[command(flatten)]
    pub lake: LakeArg,
    /// The table's name: `name`, `schema.name` or `catalog.schema.name`.
    #[arg(long, default_value = "cloudtrail")]
    pub table: String,
}

#[derive(Debug, Args)]
pub struct CompactArgs {
    #[command(flatten)]
    pub lake: LakeArg,
    /// Rewrite partitions that already hold a single file too.
    #[arg(long)]
    pub force: bool,
    #[arg(long, default_value = "512M", value_parser = parse_size)]
    pub memory_limit: usize,
    #[arg(long, default_value_t = 4_000_000)]
    pub max_rows_per_file: usize,
}

/// A lake that may be left out (the bundled sample is used then).
#[derive(Debug, Args)]
pub struct OptionalLake {
    /// The lake: a directory or `s3://bucket/prefix` [default: $TRAWL_LAKE, else the
    /// bundled sample lake].
    #[arg(long, env = "TRAWL_LAKE", value_name = "DIR|S3URL")]
    pub lake: Option<PathBuf>,
    /// Query raw archives in place instead of a lake: files, directories, globs or
    /// `s3://bucket/prefix` (repeatable). Decoded into memory with the converter's decoder.
    #[arg(long, value_name = "SOURCE", conflicts_with = "lake")]
    pub raw: Vec<String>,
    /// Run the queries on an Apache DataFusion Ballista cluster started with `trawl
    /// cluster` (`df://HOST:PORT`); its executors read the lake themselves, so give a
    /// lake on S3 or on a path they share.
    #[arg(
        long,
        env = "TRAWL_CLUSTER",
        value_name = "df://HOST:PORT",
        conflicts_with = "raw"
    )]
    pub cluster: Option<String>,
}

#[derive(Debug, Args)]
pub struct SqlArgs {
    #[command(flatten)]
    pub lake: OptionalLake,
    /// SQL to run, then exit (repeatable).
    #[arg(long, short = 'c', value_name = "SQL")]
    pub command: Vec<String>,
    /// SQL file to run, then exit (repeatable).
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: Vec<PathBuf>,
    #[command(flatten)]
    pub session: SessionArgs,
}

/// What every command that opens a query session takes: its memory, the query
/// library, and whether to speak on stderr.
#[derive(Debug, Args)]
pub struct EngineArgs {
    /// Memory for sorts and aggregations before they spill to disk (e.g. 2G).
    #[arg(long, value_parser = parse_size)]
    pub memory_limit: Option<usize>,
    /// Extra folders of saved queries (repeatable).
    #[arg(long, value_name = "DIR")]
    pub queries: Vec<PathBuf>,
    /// No progress and no notes on stderr (e.g. that the sample lake is used).
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options shared by the commands that print query results.
#[derive(Debug, Args)]
pub struct SessionArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Rows shown in table output: a number or `all` [default: 40 in the shell, all in scripts].
    #[arg(long)]
    pub maxrows: Option<String>,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A query id (see `trawl queries`) or a .sql file.
    pub query: String,
    /// A parameter value, `name=value` (repeatable).
    #[arg(long = "param", short = 'p', value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    #[command(flatten)]
    pub lake: OptionalLake,
    #[command(flatten)]
    pub session: SessionArgs,
}

/// How `trawl hunt` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HuntFormat {
    /// A summary table, then each detection's findings.
    Table,
    /// One document: the incidents, a summary per detection and every finding.
    Json,
    /// One incident per line, most urgent first, then one finding per line, most
    /// severe first, each naming its incident.
    Ndjson,
}

#[derive(Debug, Args)]
pub struct HuntArgs {
    #[command(flatten)]
    pub lake: OptionalLake,
    /// Only events at or after this time (e.g. 2026-03-01).
    #[arg(long)]
    pub since: Option<String>,
    /// Only events at or before this time.
    #[arg(long)]
    pub until: Option<String>,
    /// Skip detections below this severity. The audit tier (severity info:
    /// inventories that report every change of a kind) runs only when asked.
    #[arg(long, value_enum, default_value_t = Severity::Low)]
    pub min_severity: Severity,
    /// Also run these tiers: `audit` (the severity-info inventories; the same as
    /// --min-severity info).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub include: Vec<Tier>,
    /// Exit 4 when a finding at or above this severity is reported.
    #[arg(long, value_enum, default_value_t = Severity::Low)]
    pub fail_on: Severity,
    /// Only these detection ids (comma-separated or repeated).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Only detections with one of these tags (comma-separated or repeated).
    #[arg(long, value_delimiter = ',')]
    pub tags: Vec<String>,
    /// A parameter for the detections that declare it, `name=value` (repeatable).
    #[arg(long = "param", short = 'p', value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Output: incidents, summary and findings as tables, or JSON, or one incident
    /// or finding per line.
    #[arg(long, value_enum, default_value_t = HuntFormat::Table)]
    pub format: HuntFormat,
    /// Report findings only, without correlating them into incidents (four fewer
    /// reads of the lake).
    #[arg(long)]
    pub no_incidents: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub lake: OptionalLake,
    /// The HTML file to write.
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// Only events at or after this time (e.g. 2026-03-01).
    #[arg(long)]
    pub since: Option<String>,
    /// Only events at or before this time.
    #[arg(long)]
    pub until: Option<String>,
    /// Only this account's events (its recipient account id).
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// A section on this principal (its ARN or name): when it is active, its APIs,
    /// addresses and changes; incidents only where its events are evidence.
    #[arg(long, value_name = "ARN|NAME")]
    pub principal: Option<String>,
    /// A section on this access key, as for --principal.
    #[arg(long, value_name = "KEY")]
    pub access_key: Option<String>,
    /// Only this incident of the hunt (its id, `inc-...`).
    #[arg(long, value_name = "ID")]
    pub incident: Option<String>,
    /// Skip detections below this severity.
    #[arg(long, value_enum, default_value_t = Severity::Low)]
    pub min_severity: Severity,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// Tiers of detections `hunt` leaves out unless asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Tier {
    /// Severity-info detections that report every change of a kind (security
    /// groups, bucket policies, Lambda code, access keys, ...): for audits and
    /// investigations, not for alerting.
    Audit,
}

/// How `trawl queries` lists the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct QueriesArgs {
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// Extra folders of saved queries (repeatable).
    #[arg(long, value_name = "DIR")]
    pub queries: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Directory to write `AWSLogs/...` into.
    pub dir: PathBuf,
    #[arg(long, default_value_t = 10_000)]
    pub events: u64,
    #[arg(long, default_value_t = 3)]
    pub accounts: u32,
    #[arg(long, default_value_t = 3)]
    pub days: u32,
    /// First day, YYYY-MM-DD.
    #[arg(long, default_value = "2026-03-01")]
    pub start: String,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    #[arg(long, default_value_t = 100)]
    pub events_per_file: usize,
    /// Write uncompressed `.json` files instead of `.json.gz`.
    #[arg(long)]
    pub no_gzip: bool,
    /// Inject this many attack chains, spread over the days and accounts. They take
    /// the kinds of --attack-kinds in turn; the first is always a leaked key
    /// unless --attack-kinds says otherwise.
    #[arg(long, default_value_t = 0)]
    pub attacks: u32,
    /// The stories the chains tell, in turn (default: all, in this order):
    /// leaked-key (recon, a new admin user, the trail stopped, GuardDuty disabled, a
    /// bucket opened), role-chain (a stolen key assumes a role in another account
    /// and works there; needs two accounts), console-no-mfa (a password-only console
    /// sign-in, then escalation, keys and defences off), instance-credentials (an
    /// instance's credentials replayed from outside AWS: recon, secrets, a bucket
    /// downloaded).
    #[arg(long, value_delimiter = ',', value_name = "KIND,...")]
    pub attack_kinds: Vec<AttackKind>,
    /// Benign activity with an organisation's habits: SSO users with working hours,
    /// stable addresses and API sets, instances behind shared NAT egress, CI deploy
    /// bursts, org-wide automation. Same event count, a different mix.
    #[arg(long)]
    pub habits: bool,
    /// Also write hourly digest files signed with trawl's committed TEST-ONLY key (not
    /// CloudTrail's; proves nothing about real logs), `.sig` signature files beside them
    /// and `DIR/public-keys.json`, so `trawl verify DIR --public-keys
    /// DIR/public-keys.json` checks the archive.
    #[arg(long, conflicts_with = "no_gzip")]
    pub digests: bool,
    /// Write the injected chains' ground truth (their events, key, address) here as
    /// JSON.
    #[arg(long, value_name = "FILE", requires = "attacks")]
    pub ground_truth: Option<PathBuf>,
}

const VERIFY_AFTER_HELP: &str = "\
Signatures: on S3 each digest's `x-amz-meta-signature`; in a local copy a `<digest>.sig` file
beside the digest, made with
  aws s3api head-object --bucket B --key K --query Metadata.signature --output text > K.sig
Only the newest digest of each chain needs one: the others are vouched for by the next digest.

Exit status: 0 every digest and log file valid and no chain broken; 1 something is invalid,
missing, unlisted or not checked, or a chain is broken; 2 nothing could be checked (no digests
found, keys file unreadable, listing failed, bad arguments).";

/// How `trawl verify` prints its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    /// The `aws cloudtrail validate-logs` summary (and per-file lines with --verbose).
    Text,
    /// The whole report: counts, chains, findings and every file.
    Json,
    /// One line per file result, then one summary line (counts, chains, findings).
    Ndjson,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Local copies of a trail bucket (directories) or `s3://bucket/prefix`.
    #[arg(value_name = "SOURCE", required = true)]
    pub sources: Vec<String>,
    /// The public keys, as `aws cloudtrail list-public-keys --region R --start-time T0
    /// --end-time T1 > FILE` prints them (once per region that delivered digests; repeat
    /// the option to merge several files). Without it, trawl calls CloudTrail's
    /// ListPublicKeys itself for each region whose digests it finds, with the credentials
    /// S3 uses (the caller needs cloudtrail:ListPublicKeys).
    #[arg(long, value_name = "FILE")]
    pub public_keys: Vec<PathBuf>,
    /// Only these accounts' digests (repeatable or comma-separated).
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub account: Vec<String>,
    /// Only these regions' digests (repeatable or comma-separated).
    #[arg(long, value_name = "REGION", value_delimiter = ',')]
    pub region: Vec<String>,
    /// Only digests ending at or after this time (YYYY-MM-DD or an ISO timestamp).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only digests ending at or before this time (a day means its end).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Text output: a line for every digest and log file, not only the summary.
    #[arg(long, short)]
    pub verbose: bool,
    #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
    pub format: VerifyFormat,
    /// Files hashed in parallel [default: number of cores].
    #[arg(long, short = 'j')]
    pub jobs: Option<std::num::NonZeroUsize>,
    /// Do not look for log files that no digest lists.
    #[arg(long)]
    pub skip_unlisted: bool,
    /// No progress indicator on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where the sample archive and its lake go.
    #[arg(long, default_value = "trawl-demo")]
    pub dir: PathBuf,
}

/// Parses `512M`, `2G`, `1.5GiB`, `4096` (binary multiples).
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim().to_ascii_lowercase();
    let t = t.trim_end_matches("ib").trim_end_matches('b');
    let (num, mult) = match t.chars().last() {
        Some('k') => (&t[..t.len() - 1], 1u64 << 10),
        Some('m') => (&t[..t.len() - 1], 1 << 20),
        Some('g') => (&t[..t.len() - 1], 1 << 30),
        Some('t') => (&t[..t.len() - 1], 1 << 40),
        _ => (t, 1),
    };
    let n: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a size (try 512M or 2G)"))?;
    if n < 0.0 {
        return Err(format!("`{s}` is negative"));
    }
    Ok((n * mult as f64) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("2g"), Ok(2 << 30));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("lots").is_err());
    }
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Where deliveries arrive: directories, globs or `s3://bucket/prefix` (what
    /// `trawl convert` takes). Without any, each cycle hunts over what other
    /// conversions added to the lake.
    #[arg(value_name = "SOURCE")]
    pub sources: Vec<String>,
    /// The lake (a directory or `s3://bucket/prefix`): the converted events and the
    /// watch state in `_trawl/watch/`.
    #[arg(long, env = "TRAWL_LAKE", value_name = "DIR|S3URL")]
    pub lake: PathBuf,
    /// One cycle, then exit: for cron, systemd timers and scheduled containers.
    #[arg(long, conflicts_with = "interval")]
    pub once: bool,
    /// A cycle every this long (e.g. 5m), until interrupted.
    #[arg(long, value_name = "DURATION", default_value = "5m")]
    pub interval: String,
    /// Destinations and settings (TOML; see the README). Without it incidents go to
    /// standard output, one JSON line each.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The cycle's clock (RFC 3339), for replays and tests; the system clock by default.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Replay: hunt the events of this event-time window (a day or a timestamp) as if
    /// they had just arrived, one cycle, through the same incident matching: raises
    /// only what the watcher has not raised yet (after `--baseline`, or for a config's
    /// new destination or detection). Conversion runs not hunted yet stay pending.
    #[arg(
        long,
        value_name = "TIME",
        requires = "to",
        conflicts_with = "baseline"
    )]
    pub from: Option<String>,
    /// End of the replay window (inclusive; a day means its last second). The cycle's
    /// clock defaults to it.
    #[arg(long, value_name = "TIME", requires = "from")]
    pub to: Option<String>,
    /// Print the last cycles and what waits in the outbox, then exit.
    #[arg(long)]
    pub status: bool,
    /// Send what waits in the outbox, then exit.
    #[arg(long)]
    pub resend: bool,
    /// Take what the lake already holds as history: mark it hunted without
    /// alerting, so watching a lake of years starts quietly from now.
    #[arg(long)]
    pub baseline: bool,
    /// Skip detections below this severity (the audit tier is never watched).
    #[arg(long, value_enum, default_value_t = Severity::Low)]
    pub min_severity: Severity,
    /// A parameter for the detections that declare it, `name=value` (repeatable).
    #[arg(long = "param", short = 'p', value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Each cycle, also check the sources' log file integrity over the last
    /// --verify-window (as `trawl convert --verify` does) and raise a `log_tampering`
    /// incident when a delivered file is altered or deleted or a chain breaks.
    #[arg(long)]
    pub verify: bool,
    /// With --verify: the public keys (ListPublicKeys output); without it, trawl asks
    /// CloudTrail each cycle.
    #[arg(long, value_name = "FILE", requires = "verify")]
    pub public_keys: Vec<PathBuf>,
    /// With --verify: how far back each cycle verifies digests.
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "2d",
        requires = "verify"
    )]
    pub verify_window: String,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Args)]
pub struct FindingsArgs {
    /// The watched lake (a directory or `s3://bucket/prefix`).
    #[arg(long, env = "TRAWL_LAKE", value_name = "DIR|S3URL")]
    pub lake: PathBuf,
    /// The watch configuration: resolving an incident tells its destinations
    /// (PagerDuty resolves its incident).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub action: FindingsAction,
}

#[derive(Debug, Subcommand)]
pub enum FindingsAction {
    /// The incidents, most severe first.
    List {
        /// Only incidents with this status.
        #[arg(long, value_enum)]
        status: Option<IncidentStatusArg>,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// One incident in full, with its history.
    Show { id: String },
    /// Seen and being handled: new evidence no longer alerts unless severity rises.
    Ack {
        id: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Closed: new evidence reopens it and alerts again.
    Resolve {
        id: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Quiet: new evidence updates it silently until the suppression expires.
    Suppress {
        id: String,
        #[arg(long)]
        reason: Option<String>,
        /// When the suppression ends (RFC 3339, or a duration from now such as 7d).
        #[arg(long, value_name = "TIME|DURATION")]
        until: Option<String>,
    },
    /// Open again.
    Reopen {
        id: String,
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IncidentStatusArg {
    Open,
    Acknowledged,
    Resolved,
    Suppressed,
}
