fn main() -> std::process::ExitCode {
    trawl_cli::main()
}
