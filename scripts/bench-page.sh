#!/usr/bin/env bash
# The planners' page at Shanghai scale (issue 12): every figure next to a baseline measured in
# the same run, printed as Markdown.
#  1. In-process (visualizations/benches/graph.rs, calibration = sorting 10⁶ u64 interleaved):
#     the graph document of the biggest street and district, and a district's 12-month trend —
#     cold (no allocation cached), again, and the way it was computed before (a gaps document
#     per month end) as the baseline.
#  2. HTTP on loopback (services/api/examples/page_draw.rs, the service in release on a SQLite
#     file): GET /api/v1/graph of the street and the district and GET /api/v1/trend of the
#     district, against the street's coverage request as the baseline.
#  3. Headless Chromium (the same example): the network view of the street and the district,
#     fetch + layout (the service's positions) + first painted frame, first visit and another
#     date, each next to a JavaScript calibration run in the same page.
#
# scripts/bench-page.sh [--bundle sh.json | --db sh.db] [--reps N] [--keep]
#   Without --bundle/--db the Shanghai network is generated (seed 1) into a work folder, which
#   is deleted at the end unless --keep. Needs Debian `chromium` and `chromium-driver`.
set -euo pipefail
cd "$(dirname "$0")/.."

REPS=3
INPUT=""
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle | --db) INPUT="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

WORK=$(mktemp -d /tmp/bench-page.XXXXXX)
cleanup() {
  if [ "$KEEP" = 0 ]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi
}
trap cleanup EXIT

load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "# Planners' page at Shanghai scale — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "Machine: $(nproc) cores; load average at start: $(load)"
echo

if [ -z "$INPUT" ]; then
  INPUT="$WORK/sh.json"
  echo "generating the Shanghai network (seed 1) …" >&2
  cargo run -q -p dangjian -- generate --scale shanghai --seed 1 --out "$INPUT" >&2
fi

echo "## In-process: graph document and trend (calibration: sort 10⁶ u64)"
echo
cargo bench -q -p dangjian-visualizations --bench graph -- --reps "$REPS" 2>"$WORK/graph.err" | tee "$WORK/graph.md"
grep -E "components|street graph" "$WORK/graph.err" || true
echo
echo "load average after the in-process figures: $(load)"
echo
echo "## HTTP and headless Chromium"
echo
cargo run -q --release -p dangjian-api --example page_draw -- "$INPUT" "$REPS" | tee "$WORK/page.md"
echo
echo "load average at the end: $(load)"
