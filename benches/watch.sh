#!/usr/bin/env bash
# One `trawl watch --once` cycle over NEW freshly delivered events on top of a lake of
# BASE events already watched (`--baseline`), against its peer in the same run: a
# whole `trawl hunt` over the same lake, which is what a cron job without `watch` runs.
# Each run starts from a copy of the same lake; whole-process medians of RUNS each,
# with peak RSS.
#   bash benches/watch.sh [BASE] [NEW] [RUNS]      default: 2000000 10000 3
# TRAWL_BENCH_WATCH_DAYS=D spreads the base over D days ending 2026-03-02 (default 2, the
# archive of compare.sh): a trail's lake holds weeks, and a cycle reads only the days
# its detections need.
# The base archive and its lake are cached under $TRAWL_BENCH_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/common.sh
[ -n "${TRAWL_BENCH_NO_BUILD:-}" ] || build_release
base_n="${1:-2000000}"; new_n="${2:-10000}"; runs="${3:-3}"

days="${TRAWL_BENCH_WATCH_DAYS:-2}"
if [ "$days" = 2 ]; then
  base="$(archive "$base_n")"
else
  base="$WORK/archive-$base_n-$days-days"
  if [ ! -f "$base/.done" ]; then
    rm -rf "$base"
    start="$(date -u -d "2026-03-03 - $days days" +%Y-%m-%d)"
    "$BIN" generate "$base" --events "$base_n" --days "$days" --start "$start" --accounts 3 \
      --events-per-file 500 >/dev/null
    touch "$base/.done"
  fi
fi
new="$WORK/watch-new-$new_n"
if [ ! -f "$new/.done" ]; then
  rm -rf "$new"
  # The day after the base archive's two, another seed, and one attack chain so the
  # cycle has something to raise.
  "$BIN" generate "$new" --events "$new_n" --days 1 --start 2026-03-03 --seed 7 \
    --attacks 1 >/dev/null
  touch "$new/.done"
fi
lake0="$WORK/watch-lake-$base_n-$days-days"
if [ ! -f "$lake0/.done" ]; then
  rm -rf "$lake0"
  "$BIN" convert "$base" --lake "$lake0" -q
  "$BIN" watch --lake "$lake0" --once --baseline --now 2026-03-03T00:00:00Z >/dev/null
  touch "$lake0/.done"
fi

out="$WORK/watch-runs"
: >"$out"
lake="$WORK/watch-lake-run"
for i in $(seq "$runs"); do
  for mode in watch hunt; do
    rm -rf "$lake"
    cp -a "$lake0" "$lake"
    if [ "$mode" = watch ]; then
      cmd=("$BIN" watch "$new" --lake "$lake" --once --now 2026-03-04T00:30:00Z)
    else
      "$BIN" convert "$new" --lake "$lake" -q
      cmd=("$BIN" hunt --lake "$lake" --format ndjson -q)
    fi
    # watch: 0 (delivered) or 3 (pending); hunt: 0 or 4 (findings).
    set +e
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/watch-time" "${cmd[@]}" >"$WORK/watch-out" 2>"$WORK/watch-err"
    rc=$?
    set -e
    case "$mode:$rc" in
      watch:0 | watch:3 | hunt:0 | hunt:4) ;;
      *) echo "$mode exited $rc:" >&2; tail -5 "$WORK/watch-err" >&2; exit 1 ;;
    esac
    # GNU time puts "Command exited with non-zero status N" first when it is not 0.
    read -r secs user sys rss < <(tail -n 1 "$WORK/watch-time")
    echo "$mode $secs $user $sys $rss $(wc -l <"$WORK/watch-out")" >>"$out"
  done
done
rm -rf "$lake"
python3 - "$out" "$base_n" "$new_n" "$days" <<'PY'
import sys, statistics
by = {}
for line in open(sys.argv[1]):
    mode, secs, user, sys_, rss, lines = line.split()
    by.setdefault(mode, []).append((float(secs), float(user) + float(sys_), int(rss), int(lines)))
print(f"{int(sys.argv[3]):,} new events on a lake of {int(sys.argv[2]):,} over {sys.argv[4]} days, {len(by['watch'])} runs each")
med = {}
for mode, label in (("watch", "watch --once (one cycle)"), ("hunt", "hunt over the whole lake")):
    rs = by[mode]
    med[mode] = statistics.median(r[0] for r in rs)
    print(f"  {label:28} median {med[mode]:7.2f} s wall, "
          f"{statistics.median(r[1] for r in rs):7.2f} s CPU, "
          f"peak RSS {statistics.median(r[2] for r in rs) / 1024:7.0f} MiB, "
          f"{rs[0][3]} output lines")
print(f"  watch / hunt wall: {med['watch'] / med['hunt']:.2f}")
PY
