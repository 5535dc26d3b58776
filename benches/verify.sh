#!/usr/bin/env bash
# `trawl verify` on a generated archive with signed digests (`generate --digests`, the
# TEST-ONLY key): all cores against one file at a time (`--jobs 1`, the serial walk of
# `aws cloudtrail validate-logs`, minus its network round trips), same binary, runs
# alternating; whole-process medians of RUNS each.
#   bash benches/verify.sh [EVENTS] [RUNS]      default: 250000 3
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/common.sh
[ -n "${TRAWL_BENCH_NO_BUILD:-}" ] || build_release
n="${1:-250000}"; runs="${2:-3}"
dir="$WORK/archive-digests-$n"
if [ ! -f "$dir/.done" ]; then
  rm -rf "$dir"
  "$BIN" generate "$dir" --events "$n" --digests >/dev/null
  touch "$dir/.done"
fi
out="$WORK/verify-runs"
: >"$out"
for i in $(seq "$runs"); do
  for mode in parallel serial; do
    extra=(); [ "$mode" = serial ] && extra=(--jobs 1)
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/verify-time" \
      "$BIN" verify "$dir" --public-keys "$dir/public-keys.json" --format json -q "${extra[@]}" >"$WORK/verify-report.json"
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
python3 - "$out" "$(cat "$WORK/verify-mb")" "$n" "$(nproc)" <<'PY'
import sys, statistics
by = {}
for line in open(sys.argv[1]):
    mode, digests, logs, secs, user, sys_, rss = line.split()
    by.setdefault(mode, []).append((int(digests), int(logs), float(secs), float(user) + float(sys_), int(rss)))
mb, events, cores = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
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
    label = "`trawl verify` (all cores)" if mode == "parallel" else "`trawl verify --jobs 1` (serial)"
    print(f"| {label} | {wall:.2f} | {cpu:.2f} | {(d + l) / wall:,.0f} | {max(x[4] for x in xs) / 1024:,.0f} MB |")
print()
print(f"serial / parallel wall time: **{med['serial'] / med['parallel']:.2f}x**")
PY
