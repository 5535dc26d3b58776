# Shared by the bench scripts: the release build and the cached generated archives.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/trawl-target}"
BIN="$CARGO_TARGET_DIR/release/trawl"
WORK="${TRAWL_BENCH_DIR:-$HOME/.cache/trawl-bench}"
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
