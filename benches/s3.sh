#!/usr/bin/env bash
# Conversion from the loopback S3 server (the tests' s3s-fs server, SigV4 checked)
# against the same archive on local disk, same run, same binary: median of RUNS
# whole-process times each, into a fresh local lake.
#   bash benches/s3.sh [EVENTS] [RUNS]      default: 250000 3
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/common.sh
[ -n "${TRAWL_BENCH_NO_BUILD:-}" ] || build_release
SERVER="$CARGO_TARGET_DIR/release/trawl-s3-server"
n="${1:-250000}"; runs="${2:-3}"
archive="$(archive "$n")"
root="$(mktemp -d)"
ln -s "$archive" "$root/trail"
port=$((20000 + RANDOM % 20000))
"$SERVER" "$root" "$port" >/dev/null &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$root" "$WORK/s3-lake"' EXIT
sleep 1
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=trawl-test-key \
  AWS_SECRET_ACCESS_KEY=trawl-test-secret AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true \
  AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent
measure() { # label source
  for i in $(seq "$runs"); do
    rm -rf "$WORK/s3-lake"
    /usr/bin/time -f '%e %M' -o "$WORK/s3-time" "$BIN" convert "$2" --lake "$WORK/s3-lake" --json >"$WORK/s3-summary.json"
    read -r secs rss <"$WORK/s3-time"
    python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print(sys.argv[2], s['records']['read'], sys.argv[3], sys.argv[4])" \
      "$WORK/s3-summary.json" "$1" "$secs" "$rss"
  done
}
{ measure local "$archive"; measure s3 "s3://trail/AWSLogs/"; } >"$WORK/s3-runs"
python3 - "$WORK/s3-runs" <<'PY'
import sys, statistics
by = {}
for line in open(sys.argv[1]):
    label, rec, secs, rss = line.split()
    by.setdefault(label, []).append((int(rec), float(secs), int(rss)))
print(f"{'source':<8} {'events':>10} {'median s':>9} {'events/s':>10} {'peak RSS':>9}")
med = {}
for label, xs in by.items():
    m = statistics.median(x[1] for x in xs)
    med[label] = m
    print(f"{label:<8} {xs[0][0]:>10} {m:>9.2f} {xs[0][0] / m:>10.0f} {max(x[2] for x in xs) / 1024:>7.0f}MB")
print(f"S3 / local time: {med['s3'] / med['local']:.2f}")
PY
