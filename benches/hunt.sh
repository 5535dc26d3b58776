#!/usr/bin/env bash
# `trawl hunt` of one lake by two builds, alternating run by run, with a full scan of
# the lake (its peer: the issue's target is counted in full scans) in each round:
# wall, user and system CPU and peak RSS of each whole process, and whether the
# builds' findings and incident ids agree.
#   bash benches/hunt.sh LAKE BEFORE_BIN AFTER_BIN [RUNS] [AFTER_LAKE]      default RUNS: 3
# LAKE: a lake `trawl convert` wrote (compare.sh's is the 2M-event one); AFTER_LAKE: the
# after build hunts (and full-scans) this one instead (a layout change: each build's
# own conversion of the same archive). The outputs stay in
# $TRAWL_BENCH_DIR/hunt-{before,after}-N.json.
set -euo pipefail
cd "$(dirname "$0")/.."
lake="$1"; before="$2"; after="$3"; runs="${4:-3}"; after_lake="${5:-$1}"
out="${TRAWL_BENCH_DIR:-$HOME/.cache/trawl-bench}"
mkdir -p "$out"
scan="SELECT count(DISTINCT eventname) AS names, count(DISTINCT useridentity.arn) AS principals, count(DISTINCT sourceipaddress) AS addresses FROM cloudtrail"
for i in $(seq 1 "$runs"); do
  for v in before after; do
    bin="$before"; l="$lake"; [ "$v" = after ] && bin="$after" && l="$after_lake"
    # Exit 4 means findings at or over --fail-on: a result, not a failure.
    /usr/bin/time -f "$v hunt %e s %U u %S s %M KB" "$bin" hunt --lake "$l" --format json --quiet \
      > "$out/hunt-$v-$i.json" || [ $? = 4 ]
  done
  /usr/bin/time -f "full scan %e s %U u %S s %M KB" "$after" sql --lake "$after_lake" -c "$scan" > /dev/null
done
python3 - "$out" "$runs" <<'PY'
import json, sys
out, runs = sys.argv[1], int(sys.argv[2])
def load(v, i):
    return json.load(open(f"{out}/hunt-{v}-{i}.json"))
def findings(d):
    # DISTINCT lists as sets: builds before 2026-12-07 gave them in partition order.
    def norm(f):
        return json.dumps({k: sorted(v.split(", ")) if isinstance(v, str) and ", " in v and k != "title" else v
                           for k, v in f.items() if k != "incident"}, sort_keys=True)
    return sorted(map(norm, d["findings"]))
for i in range(1, runs + 1):
    b, a = load("before", i), load("after", i)
    same_f = findings(b) == findings(a)
    same_i = sorted(x["incident"] for x in b["incidents"]) == sorted(x["incident"] for x in a["incidents"])
    print(f"round {i}: {len(a['findings'])} findings, {len(a['incidents'])} incidents; "
          f"findings {'MATCH' if same_f else 'DIFFER'}, incident ids {'MATCH' if same_i else 'DIFFER'}")
    print("  after stages:", ", ".join(f"{s['stage']} {s['seconds']}" for s in a["stages"] if ":" not in s["stage"]))
PY
