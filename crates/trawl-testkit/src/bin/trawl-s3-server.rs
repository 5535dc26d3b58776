//! The tests' S3 server as a program, for benchmarks: serves the directories under
//! ROOT as buckets on 127.0.0.1:PORT until killed.
//!
//! Usage: trawl-s3-server ROOT PORT

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(root), Some(port)) = (args.get(1), args.get(2).and_then(|p| p.parse::<u16>().ok()))
    else {
        eprintln!("usage: trawl-s3-server ROOT PORT");
        return std::process::ExitCode::from(2);
    };
    let listener = match std::net::TcpListener::bind(("127.0.0.1", port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on 127.0.0.1:{port}: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match trawl_testkit::serve(std::path::Path::new(root), listener) {
        Ok((_stop, thread)) => {
            println!("http://127.0.0.1:{port}");
            let _ = thread.join();
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot serve {root}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
