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
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    use std::os::unix::process::CommandExt;
    const VAR: &str = "MALLOC_ARENA_MAX";
    if std::env::var_os(VAR).is_some() {
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
