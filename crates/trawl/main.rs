fn main() -> std::process::ExitCode {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    limit_malloc_arenas();
    trawl_cli::main()
}

/// glibc's malloc gives every thread that allocates at the same time as another an
/// arena of its own, up to eight per core, and each arena keeps what it freed: `trawl
/// convert` of 2M events on two cores peaked at 1.8 GB that way, and at 0.95 GB with
/// one arena per core, at the same speed (benches/README.md). The limit is read once,
/// when malloc starts, from `MALLOC_ARENA_MAX` (`mallopt` would need unsafe code), so
/// trawl starts itself again with it set. A value the user set is left alone; if the
/// restart fails, trawl carries on with glibc's default.
///
/// Only the commands that decode or write files on every core at once, and the long
/// ones, restart: a second start is 5-10 ms, half of a short query's whole process.
/// Without the limit, over the 2M-event lake a full scan peaked at the same memory, a
/// hunt at 0.73-0.80 GB against 0.64-0.70 GB, a report at 0.80 GB against 0.70 GB
/// (2026-12-07).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    use std::os::unix::process::CommandExt;
    const VAR: &str = "MALLOC_ARENA_MAX";
    if std::env::var_os(VAR).is_some() || !wants_few_arenas(std::env::args_os()) {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
    let mut args = std::env::args_os();
    let mut again = std::process::Command::new(exe);
    if let Some(arg0) = args.next() {
        again.arg0(arg0);
    }
    // `exec` returns only when it failed.
    let _failed = again.args(args).env(VAR, cores.to_string()).exec();
}

/// Whether the command line converts (`convert`, `compact`, `demo`, `watch`), reads
/// raw archives (`--raw`) or runs long enough that a restart costs nothing (`hunt`,
/// `report`, `cluster`). A look at the words, not a parse: a value that happens to be
/// one of them costs only a restart.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn wants_few_arenas(args: impl Iterator<Item = std::ffi::OsString>) -> bool {
    const COMMANDS: &[&str] = &[
        "convert", "compact", "demo", "watch", "hunt", "report", "cluster",
    ];
    args.skip(1).any(|arg| {
        arg.to_str()
            .is_some_and(|a| COMMANDS.contains(&a) || a == "--raw" || a.starts_with("--raw="))
    })
}
