#!/usr/bin/env bash
# The compare run's lake queries by two builds, alternating run by run: the median wall
# time of each whole `trawl sql --lake LAKE -c Q --format csv` process, and whether the
# builds' answers agree.
#   bash benches/queries.sh LAKE BEFORE_BIN AFTER_BIN [RUNS] [AFTER_LAKE]      default RUNS: 7
# AFTER_LAKE: the after build reads this lake instead (a layout change: each build's
# own conversion of the same archive).
# Not in `just bench`: it compares two builds.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - "$@" <<'PY'
import csv, datetime as dt, io, statistics, subprocess, sys, time
sys.path.insert(0, "benches")
from compare import QUERIES, BUSIEST_ARN, BUSIEST_DAY
lake, before, after = sys.argv[1:4]
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 7
lakes = {before: lake, after: sys.argv[5] if len(sys.argv) > 5 else lake}
def run(bin, sql):
    t = time.perf_counter()
    p = subprocess.run([bin, "sql", "--lake", lakes[bin], "-c", sql, "--format", "csv"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{bin}: {sql}: {p.stderr}")
    return time.perf_counter() - t, p.stdout
def first_cell(bin, sql):
    return list(csv.reader(io.StringIO(run(bin, sql)[1])))[1][0]
# `one principal, one day` as compare.py picks it: the busiest principal's busiest day.
arn = first_cell(after, BUSIEST_ARN).replace("'", "''")
day = first_cell(after, BUSIEST_DAY.format(arn=arn))
next_day = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
print(f"| query | before s | after s | answers |\n|---|---:|---:|---|")
for _, title, sql in QUERIES:
    sql = sql.format(arn=arn, day=day, next_day=next_day)
    times, answers = {before: [], after: []}, {}
    for _ in range(runs):
        for bin in (before, after):
            dt, out = run(bin, sql)
            times[bin].append(dt)
            answers.setdefault(bin, out)
    same = "MATCH" if answers[before] == answers[after] else "DIFFER"
    print(f"| {title} | {statistics.median(times[before]):.3f} | {statistics.median(times[after]):.3f} | {same} |")
PY
