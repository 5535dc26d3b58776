# trawl's task runner. Nothing here is required: each recipe is a plain cargo command.

export CARGO_TARGET_DIR := env_var_or_default("CARGO_TARGET_DIR", env_var("HOME") + "/.cache/trawl-target")

default:
    @just --list

# formatting and lints, as CI checks them
check:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets --features cluster -- -D warnings

# the whole test suite
test:
    cargo test --workspace --features cluster

# convert the bundled sample archive and query it
demo:
    cargo run --release -- demo

# review changed insta snapshots
snap:
    cargo insta review

# benchmarks (release build): trawl against DuckDB (conversion, ceilings, queries),
# conversion at growing sizes, S3 against local disk, a watch cycle against a whole
# hunt. Installs DuckDB in a venv (pip).
bench:
    bash benches/compare.sh
    bash benches/convert.sh
    bash benches/s3.sh
    bash benches/watch.sh

# refresh the bundled snapshot of AWS's address ranges (aws_ip_service, aws_ip_region)
aws-ip-ranges:
    curl -fsSL https://ip-ranges.amazonaws.com/ip-ranges.json -o /tmp/ip-ranges.json
    python3 crates/trawl-engine/data/aws-ip-ranges.py /tmp/ip-ranges.json | gzip -9n > crates/trawl-engine/data/aws-ip-ranges.txt.gz

# fuzz the format sniffer and decoder for SECONDS (cargo-fuzz: `cargo install cargo-fuzz`;
# RUSTC_BOOTSTRAP lets the stable toolchain take its nightly flags). Seeds come from
# fuzz/seeds (every fixture format) and fuzz/regressions; new inputs go to fuzz/corpus,
# crashes and slow inputs to fuzz/artifacts/decode.
fuzz SECONDS="240":
    mkdir -p fuzz/corpus/decode
    cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run decode corpus/decode seeds/decode regressions/decode -- -max_total_time={{SECONDS}} -max_len=16384 -timeout=5 -rss_limit_mb=2048 -print_final_stats=1
