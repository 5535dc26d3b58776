# Shared by the bench scripts: the release build and the cached generated archives.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/trawl-target}"
# TRAWL_BIN: use another trawl binary (e.g. one built elsewhere) instead of the release build.
BIN="${TRAWL_BIN:-$CARGO_TARGET_DIR/release/trawl}"
WORK="${TRAWL_BENCH_DIR:-$HOME/.cache/trawl-bench}"

# The whole workspace, as CI and `cargo build --release --workspace` build it: a build of
# one package unifies dependency features differently and rebuilds DataFusion (most of
# an hour on two cores) for nothing.
build_release() {
  cargo build --release --quiet --workspace
}
mkdir -p "$WORK"

# archive N: path of a generated archive of N events (made once, then cached).
archive() {
  local dir="$WORK/archive-$1"
  if [ ! -f "$dir/.done" ]; then
    rm -rf "$dir"
    "$BIN" generate "$dir" --events "$1" --days 2 --accounts 3 --events-per-file 500 >/dev/null
    touch "$dir/.done"
  fi
  echo "$dir"
}

# default_archive N: an archive of N events with `trawl generate`'s defaults (3 days,
# 3 accounts, <=100 events per file: many small deliveries, like a real trail); cached.
default_archive() {
  local dir="$WORK/archive-default-$1"
  if [ ! -f "$dir/.done" ]; then
    rm -rf "$dir"
    "$BIN" generate "$dir" --events "$1" >/dev/null
    touch "$dir/.done"
  fi
  echo "$dir"
}
