# trawl's task runner. Nothing here is required: each recipe is a plain cargo command.

export CARGO_TARGET_DIR := env_var_or_default("CARGO_TARGET_DIR", env_var("HOME") + "/.cache/trawl-target")

default:
    @just --list

# formatting and lints, as CI checks them
check:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# the whole test suite
test:
    cargo test --workspace

# convert the bundled sample archive and query it
demo:
    cargo run --release -- demo

# review changed insta snapshots
snap:
    cargo insta review

# benchmarks (release build): trawl against DuckDB (conversion, ceilings, queries),
# conversion at growing sizes, S3 against local disk. Installs DuckDB in a venv (pip).
bench:
    bash benches/compare.sh
    bash benches/convert.sh
    bash benches/s3.sh
