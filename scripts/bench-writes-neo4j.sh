#!/usr/bin/env bash
# One-row writes through the API on the Neo4j store (the writes issue's Neo4j figure): a
# generated network bulk-loaded into a fresh local Neo4j (scripts/neo4j-local, data in its own
# folder), `dangjian --neo4j URI serve` (release), then sequential one-row POST /api/v1/needs —
# each answered once committed in Neo4j in one Cypher transaction with its change entry and
# applied in the running service (the next read sees it; the script checks) — with a read
# baseline (GET /api/v1/needs/{id}) in the same run. Prints a Markdown table. A benchmark, not a
# test.
#
#   scripts/bench-writes-neo4j.sh [district|shanghai] [--seed N] [--writes N]
#
# Only 127.0.0.1 is used; the service and the Neo4j it started are stopped and its data folder
# deleted at the end (NEO4J_HEAP default 2g, NEO4J_PAGECACHE_MB default 1024).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/bench-common.sh"
SCALE=district
SEED=1
WRITES=100

bench_options district=SCALE:district shanghai=SCALE:shanghai --seed=SEED --writes=WRITES -- "$@"

bench_setup bench-writes-neo4j
need_tools curl python3 java mvn
NEO4J_DIR="$WORK/neo4j"
cleanup() {
  stop_server
  NEO4J_LOCAL_DIR="$NEO4J_DIR" "$ROOT/scripts/neo4j-local" stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

build_binary
say "generating the $SCALE network (seed $SEED) …"
"$BIN" generate --scale "$SCALE" --seed "$SEED" --out "$WORK/net.json" >/dev/null 2>"$WORK/generate.err"
say "bulk-loading it into a fresh Neo4j database in $NEO4J_DIR …"
"$BIN" neo4j bulk-load "$WORK/net.json" --into "$NEO4J_DIR" >"$WORK/bulk.out" 2>"$WORK/bulk.err" \
  || { cat "$WORK/bulk.err" >&2; say "the bulk load failed"; exit 1; }
ROWS="$(grep -o 'bulk-loaded [0-9]* rows' "$WORK/bulk.err" | tail -1 | tr -dc '0-9')"
IDS="$(python3 - "$WORK/net.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
print(min(k["id"] for k in b["committees"]), min(n["id"] for n in b["needs"]))
PY
)"
read -r COMMITTEE NEED <<<"$IDS"
rm -f "$WORK/net.json"
URI="$(NEO4J_LOCAL_DIR="$NEO4J_DIR" NEO4J_HEAP="${NEO4J_HEAP:-2g}" \
  NEO4J_PAGECACHE_MB="${NEO4J_PAGECACHE_MB:-1024}" "$ROOT/scripts/neo4j-local" start | tail -1)"
[[ "$URI" == bolt://* ]] || { say "no Neo4j (got: $URI)"; exit 1; }
TOKEN="$("$BIN" --neo4j "$URI" token create --role admin 2>"$WORK/token.err" | tail -1)"
[[ -n "$TOKEN" ]] || { say "could not create a token"; cat "$WORK/token.err" >&2; exit 1; }

say "starting the service on Neo4j (loads the network; minutes at Shanghai scale) …"
t0="$(now)"
start_server "$WORK/serve.err" --neo4j "$URI"
READY="$(secs "$t0" "$(now)")"
say "serving at $URL after $READY s; measuring $WRITES one-row writes and a read baseline …"
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$ROOT/scripts/lib" python3 - "$URL" "$TOKEN" "$COMMITTEE" "$NEED" "$WRITES" \
  >"$WORK/figures.txt" <<'PY'
import sys
from bench_http import Client, print_write_figures, sequential_needs, timed_gets
url, token, committee, need, writes = sys.argv[1:6]
client = Client(url, token)
reads = timed_gets(client, "/api/v1/needs/" + need)
# The first write after start-up also plans its Cypher: timed on its own, not in the figures.
first, lat, total = sequential_needs(client, committee, "N-NEO", int(writes))
print_write_figures(reads, first, lat, total)
PY
stop_server
eval "$(tr ' ' '\n' <"$WORK/figures.txt")"
cat <<EOF
### One-row writes on Neo4j ($SCALE network, $ROWS rows)

$(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) CPU(s) ($(cpu_model)), load average $(loadavg),
\`scripts/bench-writes-neo4j.sh $SCALE --writes $WRITES\`; release build, local Neo4j 5.26 (heap
${NEO4J_HEAP:-2g}), 127.0.0.1, one client, sequential; the service was ready after $READY s.
Baseline: \`GET /api/v1/needs/{id}\` (200 reads, served from memory) in the same run.

| Measure | Value | Ratio to read p50 | Target | |
|---|---|---|---|---|
| Read baseline p50 / p99 | $read_p50 / $read_p99 ms | 1× | | |
| First write after start-up (not in the figures below) | $first_ms ms | | | |
| One-row \`POST /api/v1/needs\` on Neo4j p50 | $write_p50 ms | $(div "$write_p50" "$read_p50" %.0f)× | ≤ 100 ms | $(met "$write_p50 <= 100") |
| One-row write p99 | $write_p99 ms | $(div "$write_p99" "$read_p50" %.0f)× | | |
| Sequential writes/s | $writes_per_s | | | |
EOF
