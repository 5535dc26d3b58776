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
/// Only the commands that decode or write files on every core at once restart: a
/// second start is 5-10 ms, half of a short query's whole process. Over the 2M-event
/// lake a full scan peaks at the same memory either way, a hunt 60-70 MB higher (0.70
/// GB) and a report 100 MB higher (0.80 GB) without the limit (2026-12-07).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    use std::os::unix::process::CommandExt;
    const VAR: &str = "MALLOC_ARENA_MAX";
    if std::env::var_os(VAR).is_some() || !decodes_on_every_core(std::env::args_os()) {
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

/// Whether the command line converts (`convert`, `compact`, `demo`, `watch`) or reads
/// raw archives (`--raw`). A look at the words, not a parse: a value that happens to
/// be one of them costs only a restart.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn decodes_on_every_core(args: impl Iterator<Item = std::ffi::OsString>) -> bool {
    const COMMANDS: &[&str] = &["convert", "compact", "demo", "watch"];
    args.skip(1).any(|arg| {
        arg.to_str()
            .is_some_and(|a| COMMANDS.contains(&a) || a == "--raw" || a.starts_with("--raw="))
    })
}
