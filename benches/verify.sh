#!/usr/bin/env bash
# `trawl verify` on a generated archive with signed digests (`generate --digests`, the
# TEST-ONLY key): all cores against one file at a time (`--jobs 1`, the serial walk of
# `aws cloudtrail validate-logs`, minus its network round trips), same binary, runs
# alternating; whole-process medians of RUNS each.
#   bash benches/verify.sh [EVENTS] [RUNS]      default: 250000 3
# TRAWL_VERIFY_ENGINE=1: time the verification engine alone instead, the release build of
# `crates/trawl-verify/examples/verify_archive` (`trawl verify` minus the CLI: same
# `trawl_verify::verify` on the same directory, no per-file report rendered), built with
# `cargo build --release -p trawl-verify --example verify_archive` (minutes, no DataFusion)
# unless TRAWL_BENCH_NO_BUILD; TRAWL_VERIFY_EXAMPLE=PATH: use that build of it instead.
# The archive is `$TRAWL_BENCH_DIR/archive-digests-EVENTS` (made with $BIN, i.e. TRAWL_BIN,
# any build, if it has no `.done`); point TRAWL_BENCH_DIR at an existing one to reuse it.
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/common.sh
if [ -n "${TRAWL_VERIFY_ENGINE:-}" ]; then
  engine="${TRAWL_VERIFY_EXAMPLE:-$CARGO_TARGET_DIR/release/examples/verify_archive}"
  if [ -z "${TRAWL_BENCH_NO_BUILD:-}" ] && [ -z "${TRAWL_VERIFY_EXAMPLE:-}" ]; then
    cargo build --release --quiet -p trawl-verify --example verify_archive
  fi
  [ -x "$engine" ] || { echo "no verify_archive build at $engine" >&2; exit 1; }
  label=verify_archive
else
  [ -n "${TRAWL_BENCH_NO_BUILD:-}" ] || build_release
  label="trawl verify"
fi
n="${1:-250000}"; runs="${2:-3}"
dir="$WORK/archive-digests-$n"
if [ ! -f "$dir/.done" ]; then
  [ -x "$BIN" ] || { echo "no trawl binary at $BIN to generate $dir (set TRAWL_BIN)" >&2; exit 1; }
  rm -rf "$dir"
  "$BIN" generate "$dir" --events "$n" --digests >/dev/null
  touch "$dir/.done"
fi
out="$WORK/verify-runs"
: >"$out"
for i in $(seq "$runs"); do
  for mode in parallel serial; do
    extra=(); [ "$mode" = serial ] && extra=(--jobs 1)
    if [ -n "${TRAWL_VERIFY_ENGINE:-}" ]; then
      cmd=("$engine" "$dir" "$dir/public-keys.json")
    else
      cmd=("$BIN" verify "$dir" --public-keys "$dir/public-keys.json" --format json -q)
    fi
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/verify-time" "${cmd[@]}" "${extra[@]}" >"$WORK/verify-report.json"
    read -r secs user sys rss <"$WORK/verify-time"
    python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
d, l = r['digest_counts'], r['log_counts']
assert d['valid'] == d['total'] and l['valid'] == l['total'], 'not clean'
print(sys.argv[2], d['total'], l['total'], *sys.argv[3:])" \
      "$WORK/verify-report.json" "$mode" "$secs" "$user" "$sys" "$rss" >>"$out"
  done
done
du -sm "$dir/AWSLogs" | cut -f1 >"$WORK/verify-mb"
python3 - "$out" "$(cat "$WORK/verify-mb")" "$n" "$(nproc)" "$label" <<'PY'
import sys, statistics
by = {}
for line in open(sys.argv[1]):
    mode, digests, logs, secs, user, sys_, rss = line.split()
    by.setdefault(mode, []).append((int(digests), int(logs), float(secs), float(user) + float(sys_), int(rss)))
mb, events, cores, label = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
d, l = by["parallel"][0][0], by["parallel"][0][1]
print(f"{events:,} events: {d:,} digests, {l:,} log files, {mb:,} MB on disk; {cores} cores; "
      f"median of {len(by['parallel'])} run(s) each, all files valid in every run")
print()
print("| mode | wall s | CPU s | files/s | peak RSS |")
print("|---|---:|---:|---:|---:|")
med = {}
for mode, xs in by.items():
    wall = statistics.median(x[2] for x in xs)
    cpu = statistics.median(x[3] for x in xs)
    med[mode] = wall
    name = f"`{label}` (all cores)" if mode == "parallel" else f"`{label} --jobs 1` (serial)"
    print(f"| {name} | {wall:.2f} | {cpu:.2f} | {(d + l) / wall:,.0f} | {max(x[4] for x in xs) / 1024:,.0f} MB |")
print()
print(f"serial / parallel wall time: **{med['serial'] / med['parallel']:.2f}x**")
PY
