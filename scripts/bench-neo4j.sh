#!/usr/bin/env bash
# Neo4j vs SQLite on one generated network, on this machine, in one run: import rate through
# Bolt (into the fresh server, and again once it is warm) and into SQLite, the offline bulk load (neo4j-admin), the projection Neo4j → engine,
# `serve` ready time on both stores, and full-city coverage via Cypher (cold and warm), via the
# engine on Neo4j and on SQLite; and the server's bare write rate (examples/bench_floor.rs), the
# ceiling of any import through Bolt on it. Prints a Markdown table with ratios. A benchmark, not a test.
#
#   scripts/bench-neo4j.sh [district|shanghai] [--seed N] [--reps N] [--uri bolt://HOST:PORT]
#
# Without --uri it starts its own local Neo4j with an empty database (scripts/neo4j-local, data
# in .neo4j-bench/, so the tests' server and database are left alone; NEO4J_HEAP default 2g,
# NEO4J_PAGECACHE_MB default 1024) and stops and empties it at the end. Figures go to stdout; the
# generated network, logs and outputs stay in the work folder it names.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/bench-common.sh"
SCALE=district
SEED=3
REPS=""
URI=""
AS_OF=2026-06-30

bench_options district=SCALE:district shanghai=SCALE:shanghai --seed=SEED --reps=REPS --uri=URI -- "$@"
[[ -n "$REPS" ]] || { [[ "$SCALE" == shanghai ]] && REPS=2 || REPS=3; }

bench_setup bench-neo4j
STARTED_NEO4J=""
BENCH_NEO4J_DIR="${BENCH_NEO4J_DIR:-$ROOT/.neo4j-bench}"
cleanup() {
  stop_server
  if [[ -n "$STARTED_NEO4J" ]]; then
    NEO4J_LOCAL_DIR="$BENCH_NEO4J_DIR" "$ROOT/scripts/neo4j-local" stop >/dev/null 2>&1 || true
    # Its databases (gigabytes at Shanghai scale) are of no further use.
    rm -rf "$BENCH_NEO4J_DIR/home"
  fi
  rm -rf "$WORK/bulk"
}
trap cleanup EXIT

# Disk: a Shanghai-scale run writes several GiB (the network and its SQLite copy, the bulk load's
# files and store, two Bolt imports with their transaction logs); when the disk fills, Neo4j fails
# a commit with "Could not apply the transaction to the store" and nothing says why.
NEED_GIB=1
[[ "$SCALE" == shanghai ]] && NEED_GIB=7
for dir in "$WORK" "$BENCH_NEO4J_DIR"; do
  mkdir -p "$dir"
  free_gib="$(df -Pk "$dir" | awk 'NR == 2 { printf "%d", $4 / 1048576 }')"
  if ((free_gib < NEED_GIB)); then
    say "only $free_gib GiB free in $dir; a $SCALE run needs about $NEED_GIB GiB there" \
      "(free some space, or point TMPDIR / BENCH_NEO4J_DIR at a larger disk)"
    exit 1
  fi
done

build_binary -p dangjian-neo4j --example bench_phases --example bench_floor
PHASES="$TARGET/$PROFILE_DIR/examples/bench_phases"
FLOOR="$TARGET/$PROFILE_DIR/examples/bench_floor"

if [[ -z "$URI" ]]; then
  say "starting a separate local Neo4j for the benchmark (data in $BENCH_NEO4J_DIR) …"
  # An empty database each time: a replace also deletes the previous network (in the
  # background, but it competes for the same CPUs).
  if ! NEO4J_LOCAL_DIR="$BENCH_NEO4J_DIR" "$ROOT/scripts/neo4j-local" status >/dev/null 2>&1; then
    rm -rf "$BENCH_NEO4J_DIR/home"
  fi
  URI="$(NEO4J_LOCAL_DIR="$BENCH_NEO4J_DIR" NEO4J_HEAP="${NEO4J_HEAP:-2g}" \
    NEO4J_PAGECACHE_MB="${NEO4J_PAGECACHE_MB:-1024}" "$ROOT/scripts/neo4j-local" start | tail -1)"
  STARTED_NEO4J=1
fi
[[ "$URI" == bolt://* ]] || { say "no Neo4j (got: $URI)"; exit 1; }

NET="$WORK/net.json"
say "generating the $SCALE network (seed $SEED) in $WORK …"
"$BIN" generate --scale "$SCALE" --seed "$SEED" --out "$NET" >"$WORK/generate.out" 2>"$WORK/generate.err"
cat "$WORK/generate.out" >&2

# `import` prints "imported N rows in X s (R rows/s)": the store write alone, after reading and
# validating. The wall time includes reading and validating the bundle (and, for Neo4j, waiting
# for the background deletion of a previous network before the process exits: none here).
import_into() { # name, store args…
  local name="$1"; shift
  local t0 t1
  t0="$(now)"
  /usr/bin/time -f '%M' -o "$WORK/$name.rss" "$BIN" "$@" import "$NET" >"$WORK/$name.import.out" 2>"$WORK/$name.import.err"
  t1="$(now)"
  local line
  line="$(grep -o 'imported [0-9]* rows in [0-9.]* s ([0-9]* rows/s)' "$WORK/$name.import.err" | tail -1)"
  [[ -n "$line" ]] || { cat "$WORK/$name.import.err" >&2; say "the $name import failed"; exit 1; }
  IMPORT_ROWS="$(awk '{ print $2 }' <<<"$line")"
  IMPORT_RATE="$(awk '{ print substr($7, 2) }' <<<"$line")"
  # The printed seconds have one decimal; the rate is exact: seconds = rows / rate.
  IMPORT_WRITE="$(awk -v n="$IMPORT_ROWS" -v r="$IMPORT_RATE" 'BEGIN { printf "%.3f", n / r }')"
  IMPORT_WALL="$(secs "$t0" "$t1")"
}

say "importing into SQLite …"
import_into sqlite --db "$WORK/bench.db"
SQ_ROWS="$IMPORT_ROWS"; SQ_WRITE="$IMPORT_WRITE"; SQ_WALL="$IMPORT_WALL"; SQ_RATE="$IMPORT_RATE"
say "importing into Neo4j at $URI through Bolt …"
import_into neo4j --neo4j "$URI"
NEO_WRITE="$IMPORT_WRITE"; NEO_WALL="$IMPORT_WALL"; NEO_RATE="$IMPORT_RATE"

say "bulk-loading into a fresh data folder with neo4j-admin …"
t0="$(now)"
"$BIN" neo4j bulk-load "$NET" --into "$WORK/bulk" >"$WORK/bulk.out" 2>"$WORK/bulk.err" \
  || { cat "$WORK/bulk.err" >&2; say "the bulk load failed"; exit 1; }
t1="$(now)"
BULK_WALL="$(secs "$t0" "$t1")"
line="$(grep -o 'bulk-loaded [0-9]* rows .* in [0-9.]* s ([0-9]* rows/s' "$WORK/bulk.err" | tail -1)"
BULK_RATE="$(grep -o '([0-9]* rows/s' <<<"$line" | tr -dc '0-9')"
BULK_SECS="$(awk -v n="$SQ_ROWS" -v r="$BULK_RATE" 'BEGIN { printf "%.3f", n / r }')"
BULK_ADMIN="$(grep -o 'neo4j-admin [0-9.]* s)' "$WORK/bulk.err" | tail -1 | awk '{ print $2 }')"
BULK_ADMIN_RATE="$(awk -v n="$SQ_ROWS" -v s="$BULK_ADMIN" 'BEGIN { printf "%.0f", n / s }')"
NODES="$(grep -o '([0-9]* nodes' <<<"$line" | tr -dc '0-9')"
RELS="$(grep -o '[0-9]* relationships' <<<"$line" | tr -dc '0-9')"
rm -rf "$WORK/bulk"


# Full-city coverage through the CLI, end to end (process start, connect, load, compute, print).
cli_coverage() { # name, store option, its value, coverage options…
  local name="$1" opt="$2" val="$3"; shift 3
  local times="" t0 t1 i
  for ((i = 0; i < REPS; i++)); do
    t0="$(now)"
    if ! /usr/bin/time -f '%M' -o "$WORK/$name.rss" "$BIN" "$opt" "$val" coverage --as-of "$AS_OF" \
        --format json "$@" >"$WORK/$name.json" 2>"$WORK/$name.err"; then
      cat "$WORK/$name.err" >&2; say "coverage ($name) failed"; exit 1
    fi
    t1="$(now)"
    times+=" $(secs "$t0" "$t1")"
  done
  echo "$times" | median
}
say "full-city coverage through the CLI ($REPS runs each) …"
CLI_SQLITE="$(cli_coverage cov-sqlite --db "$WORK/bench.db")"
CLI_ENGINE="$(cli_coverage cov-neo4j-engine --neo4j "$URI" --via engine)"
CLI_CYPHER="$(cli_coverage cov-neo4j-cypher --neo4j "${URI/bolt:/neo4j:}" --via cypher)"
SAME="yes"
cmp -s "$WORK/cov-sqlite.json" "$WORK/cov-neo4j-engine.json" || SAME="NO (engine on Neo4j)"
cmp -s "$WORK/cov-sqlite.json" "$WORK/cov-neo4j-cypher.json" || SAME="NO (Cypher)"

# `serve` until it listens (the store loaded, the engine built).
serve_ready() { # store option, its value
  local t0 t1
  t0="$(now)"
  RUST_LOG=info start_server "$WORK/serve.err" "$1" "$2"
  t1="$(now)"
  stop_server
  secs "$t0" "$t1"
}
say "serve: time until it listens …"
SERVE_SQLITE="$(serve_ready --db "$WORK/bench.db")"
SERVE_NEO4J="$(serve_ready --neo4j "$URI")"

say "phase timings in one process ($REPS runs) …"
"$PHASES" "$URI" "$AS_OF" "$REPS" >"$WORK/phases.txt"
ph() { awk -v k="$1" '$1 == k { print $2 }' "$WORK/phases.txt"; }
LOAD="$(ph load_median)"; BUILD="$(ph build_median)"
ENG="$(ph engine_coverage_median)"; CYPHER="$(ph cypher_coverage_median)"
CYPHER_FIRST="$(ph cypher_coverage_first)"
COMMITTEES="$(ph committees)"
ENG_BUILT="$(awk -v b="$BUILD" -v c="$ENG" 'BEGIN { printf "%.4f", b + c }')"

# The same import again, into the now warm server (the first import into a freshly started
# server runs its Cypher cold: query planning and the JVM's JIT, 1.5–2× slower on this machine).
# After the phases above: its deletion of the first network leaves deleted records behind.
say "importing into Neo4j through Bolt again (the server warm) …"
import_into neo4j-warm --neo4j "$URI"
NEO_WARM_WRITE="$IMPORT_WRITE"; NEO_WARM_RATE="$IMPORT_RATE"

# Last (it leaves deleted records behind that the measurements above should not meet): the
# server's bare write rate in the import's shape: as many nodes and relationships as the
# network has, without a property, an index or a constraint. No Bolt import of this network
# can be faster on this server.
say "the server's bare write rate ($NODES nodes, $RELS relationships, nothing on them) …"
"$FLOOR" "$URI" "$NODES" "$RELS" >"$WORK/floor.txt"
FLOOR_S="$(awk '$1 == "floor_s" { print $2 }' "$WORK/floor.txt")"
FLOOR_RATE="$(awk -v n="$SQ_ROWS" -v s="$FLOOR_S" 'BEGIN { printf "%.0f", n / s }')"

CPU="$(cpu_model)"
LOADAVG="$(loadavg)"
cat <<EOT

### Neo4j vs SQLite: $SCALE network (seed $SEED)

$SQ_ROWS rows, $COMMITTEES committees; $(nproc) CPU(s) ($CPU), load average at the end
$LOADAVG; Neo4j heap ${NEO4J_HEAP:-2g}, page cache ${NEO4J_PAGECACHE_MB:-1024} MiB; medians of $REPS runs.

| What | SQLite | Neo4j | Ratio |
|---|---:|---:|---:|
| Import through the store, write (s) | $SQ_WRITE | $NEO_WRITE (Bolt) | Neo4j $(ratio "$NEO_WRITE" "$SQ_WRITE")× slower |
| Import rate (rows/s) | $SQ_RATE | $NEO_RATE (Bolt) | $(ratio "$SQ_RATE" "$NEO_RATE")× |
| … the same import again, the server warm (rows/s) | | $NEO_WARM_RATE ($NEO_WARM_WRITE s) | $(ratio "$SQ_RATE" "$NEO_WARM_RATE")× |
| Bare write rate of the server (rows/s: its $NODES nodes + $RELS relationships with nothing on them, same batches) | | $FLOOR_RATE ($FLOOR_S s) | Bolt import at $(awk -v a="$NEO_RATE" -v b="$FLOOR_RATE" 'BEGIN { printf "%.0f", 100 * a / b }') % of it |
| Offline bulk load (rows/s; CSV + neo4j-admin) | | $BULK_RATE ($BULK_SECS s; wall incl. read + validate $BULK_WALL s) | SQLite $(ratio "$SQ_RATE" "$BULK_RATE")× |
| … of which neo4j-admin alone (rows/s) | | $BULK_ADMIN_RATE ($BULK_ADMIN s) | |
| Import wall time incl. read + validate (s) | $SQ_WALL | $NEO_WALL | $(ratio "$NEO_WALL" "$SQ_WALL")× |
| \`serve\` until it listens (s) | $SERVE_SQLITE | $SERVE_NEO4J | $(ratio "$SERVE_NEO4J" "$SERVE_SQLITE")× |
| CLI \`coverage\` full city, end to end (s) | $CLI_SQLITE | engine: $CLI_ENGINE, Cypher (neo4j://): $CLI_CYPHER | |

| Full-city coverage on Neo4j, in one process | Seconds |
|---|---:|
| Projection Neo4j → engine (\`Store::load\`) | $LOAD |
| Engine build (\`Engine::new\`) + coverage | $ENG_BUILT |
| Via Cypher, first run (cold plans) | $CYPHER_FIRST |
| Via Cypher, warm (median) | $CYPHER |

Identical JSON from the three coverage paths: $SAME.
Peak RSS (KiB): import SQLite $(cat "$WORK/sqlite.rss"), import Neo4j client $(cat "$WORK/neo4j.rss"),
coverage via engine on Neo4j $(cat "$WORK/cov-neo4j-engine.rss"), via Cypher $(cat "$WORK/cov-neo4j-cypher.rss").
EOT
