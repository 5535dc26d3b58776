#!/usr/bin/env bash
# Conversion benchmark: events/s, MB/s of JSON and peak RSS for generated archives of
# growing size (peak memory must stay flat as the archive grows).
#   bash benches/convert.sh [EVENTS...]      default: 250000 1000000
# Archives are cached under $TRAWL_BENCH_DIR (default ~/.cache/trawl-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/common.sh
build_release
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(250000 1000000)
printf '%-10s %-8s %-10s %-12s %-10s %-10s %-8s\n' events files "JSON MB" "events/s" "MB/s" "peak RSS" seconds
for n in "${sizes[@]}"; do
  archive="$(archive "$n")"
  lake="$WORK/lake-$n"
  rm -rf "$lake"
  /usr/bin/time -f '%M %e' -o "$WORK/time-$n" "$BIN" convert "$archive" --lake "$lake" --json >"$WORK/summary-$n.json"
  read -r rss secs <"$WORK/time-$n"
  python3 - "$WORK/summary-$n.json" "$rss" "$secs" "$n" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); rss = int(sys.argv[2]); secs = float(sys.argv[3])
rec = s["records"]["read"]; mb = s["bytes"]["json"] / 1e6
print(f'{sys.argv[4]:<10} {s["files"]["read"]:<8} {mb:<10.0f} {rec/secs:<12.0f} {mb/secs:<10.1f} {rss/1024:<7.0f}MB {secs:<8.2f}')
PY
done
