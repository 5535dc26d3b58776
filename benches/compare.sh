#!/usr/bin/env bash
# trawl against DuckDB on this machine, side by side: conversion of one generated
# archive (trawl `convert` against DuckDB `COPY ... TO parquet`), single-core gunzip and
# JSON-parse ceilings, and queries over the same Parquet lake and the same raw archive.
# Every step is a whole process; medians of RUNS, the engines alternating run by run.
#   bash benches/compare.sh [EVENTS] [RUNS] [RAW_EVENTS]    default: 2000000 3 250000
# (or COMPARE_EVENTS, COMPARE_RUNS, COMPARE_RAW_EVENTS). Archives come from `trawl
# generate` with its defaults, cached under $TRAWL_BENCH_DIR (default
# ~/.cache/trawl-bench) with the venv holding DuckDB. Prints a Markdown report and writes
# every number to $TRAWL_BENCH_DIR/compare-summary.json. COMMIT overrides the commit id
# read from .git; TRAWL_BIN and TRAWL_BENCH_NO_BUILD=1 skip the build.
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/common.sh
[ -n "${TRAWL_BENCH_NO_BUILD:-}" ] || build_release
events="${1:-${COMPARE_EVENTS:-2000000}}"
runs="${2:-${COMPARE_RUNS:-3}}"
raw_events="${3:-${COMPARE_RAW_EVENTS:-250000}}"

# DuckDB pinned, so runs on different days compare the same engine. Its CLI is on PyPI
# (duckdb-cli) only up to 1.5.6, so DuckDB runs as a Python child of this same version.
VENV="$WORK/venv"
if ! "$VENV/bin/python" -c 'import duckdb, sys; sys.exit(duckdb.__version__ != "2.0.1")' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet duckdb==2.0.1
fi
# The JSON-parse ceiling: pysimdjson, else orjson when pysimdjson has no wheel and will not build.
"$VENV/bin/python" -c 'import simdjson' 2>/dev/null || "$VENV/bin/pip" install --quiet pysimdjson \
  || "$VENV/bin/python" -c 'import orjson' 2>/dev/null || "$VENV/bin/pip" install --quiet orjson

archive="$(default_archive "$events")"
raw_archive="$(default_archive "$raw_events")"
# Lakes and DuckDB's output (gigabytes at 2M events) live here only while the bench runs.
tmp="$(mktemp -d "$WORK/compare-tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
start=$SECONDS
status=0
"$VENV/bin/python" benches/compare.py run --bin "$BIN" --archive "$archive" \
  --raw-archive "$raw_archive" --runs "$runs" --tmp "$tmp" --work "$WORK" \
  --summary "$WORK/compare-summary.json" || status=$?
echo "compare.sh took $((SECONDS - start)) s" >&2
exit $status
