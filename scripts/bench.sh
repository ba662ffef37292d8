#!/usr/bin/env bash
# The speed and memory figures of the core, gaps and checklist issues on a generated network,
# measured with the real release binary and /usr/bin/time, plus the in-engine figures from the
# `shanghai` bench of dangjian-engine. Prints a Markdown report. A benchmark, not a test.
#
#   scripts/bench.sh [--scale shanghai|district] [--seed N] [--reps N] [--no-engine-bench]
#
# Every CLI figure is shown beside a baseline run in the same script: `coverage` of a single
# committee, i.e. process start + loading the network from SQLite + building the engine, so
# "× baseline" tells how much a command costs on top of just getting the network into memory.
# The work folder (network, database, raw outputs) is printed and kept.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/bench-common.sh"
REPS=3
ENGINE_BENCH=1
AS_OF=2026-06-30

bench_options --scale=SCALE shanghai=SCALE:shanghai district=SCALE:district --seed=SEED --reps=REPS --no-engine-bench=ENGINE_BENCH: -- "$@"
case "$SCALE" in shanghai|district) ;; *) usage >&2; exit 2 ;; esac

bench_setup bench
install_tools /usr/bin/time sqlite3
LOAD_START="$(loadavg)"
build_binary

# run NAME CMD… : runs under /usr/bin/time -v; leaves wall seconds in $WALL and peak RSS (KiB)
# in $RSS; output in $WORK/NAME.{out,err,time}.
run() {
  local name="$1"; shift
  /usr/bin/time -v -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || {
    say "$name failed:"; tail -5 "$WORK/$name.err" >&2; exit 1; }
  WALL="$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0;
    for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$WORK/$name.time")"
  RSS="$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/$name.time")"
}

NET="$WORK/net.json"
DB="$WORK/net.db"
say "generating the $SCALE network (seed $SEED) in $WORK …"
run generate "$BIN" generate --scale "$SCALE" --seed "$SEED" --out "$NET"
GEN_WALL="$WALL"; GEN_RSS="$RSS"

say "importing into SQLite …"
run import "$BIN" --db "$DB" import "$NET"
IMP_WALL="$WALL"; IMP_RSS="$RSS"
# "imported N rows in X s (R rows/s)": the store write alone, after reading and validating.
IMP_LINE="$(grep -o 'imported [0-9]* rows in [0-9.]* s ([0-9]* rows/s)' "$WORK/import.err" | tail -1)"
ROWS="$(awk '{ print $2 }' <<<"$IMP_LINE")"
IMP_WRITE="$(awk '{ print $5 }' <<<"$IMP_LINE")"
IMP_RATE="$(grep -o '([0-9]* rows/s)' <<<"$IMP_LINE" | tr -dc 0-9)"
IMP_READ="$(grep -o 'read and validated [0-9]* rows in [0-9.]* s' "$WORK/import.err" | awk '{ print $7 }')"
IMP_WALL_RATE="$(div "$ROWS" "$IMP_WALL" %.0f)"

# Scopes: the street with the most committees (ties: smallest id), its party org, the district
# with the most committees, one committee of that street (the baseline's scope).
biggest_street
DISTRICT="$(Q "SELECT s.district FROM committees k JOIN communities co ON co.id = k.community
               JOIN streets s ON s.id = co.street GROUP BY s.district
               ORDER BY count(*) DESC, s.district LIMIT 1")"
DISTRICT_N="$(Q "SELECT count(*) FROM committees k JOIN communities co ON co.id = k.community
                 JOIN streets s ON s.id = co.street WHERE s.district = '$DISTRICT'")"
COMMITTEE="$(Q "SELECT k.id FROM committees k JOIN communities co ON co.id = k.community
                WHERE co.street = '$STREET' ORDER BY k.row_order LIMIT 1")"
COMMITTEES="$(Q "SELECT count(*) FROM committees")"
say "street $STREET ($STREET_N committees, org $ORG), district $DISTRICT ($DISTRICT_N committees)"

# cli NAME ARGS… : REPS runs of one CLI command on the database; median wall, max RSS.
declare -A CLI_WALL CLI_RSS
cli() {
  local name="$1"; shift
  local walls="" rsss="" i
  for ((i = 1; i <= REPS; i++)); do
    run "$name.$i" "$BIN" --db "$DB" "$@"
    walls+=" $WALL"; rsss+=" $RSS"
  done
  CLI_WALL[$name]="$(echo "$walls" | median)"
  CLI_RSS[$name]="$(echo "$rsss" | max)"
  say "  $name: ${CLI_WALL[$name]} s, $(mib "${CLI_RSS[$name]}") MiB"
}
say "CLI commands end to end ($REPS runs each) …"
cli baseline coverage --scope "$COMMITTEE" --as-of "$AS_OF" --format json
cli coverage-city coverage --as-of "$AS_OF" --format json
cli coverage-street coverage --scope "$STREET" --as-of "$AS_OF" --format json
cli gaps-city gaps --as-of "$AS_OF" --format json
cli gaps-street gaps --scope "$STREET" --as-of "$AS_OF" --format json
cli checklist-street checklist "$ORG" --subtree --as-of "$AS_OF" --format json
cli brokers-district brokers --scope "$DISTRICT" --as-of "$AS_OF" --format json

ENGINE_MD=""
if [[ -n "$ENGINE_BENCH" ]]; then
  say "in-engine figures: cargo bench -p dangjian-engine --bench shanghai …"
  cargo bench -q -p dangjian-engine --bench shanghai -- --scale "$SCALE" --seed "$SEED" \
    >"$WORK/engine.md" 2>"$WORK/engine.err" || { tail -5 "$WORK/engine.err" >&2; exit 1; }
  ENGINE_MD="$(cat "$WORK/engine.md")"
fi
LOAD_END="$(loadavg)"

B="${CLI_WALL[baseline]}"
row() { # label, name, target text
  local w="${CLI_WALL[$2]}"
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$w" "$(div "$w" "$B")" "$(mib "${CLI_RSS[$2]}")" "$3"
}
CPU="$(cpu_model)"
RSS_TARGET=$((2 * 1024 * 1024))
verdict() { # KiB
  if (($1 <= RSS_TARGET)); then echo "met (≤ 2048 MiB)"; else echo "**missed** (> 2048 MiB)"; fi
}
cat <<EOF
## Core, gaps and checklists: $SCALE network (seed $SEED)

$(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) CPU(s) ($CPU), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM;
load average at start $LOAD_START, at end $LOAD_END. $ROWS rows, $COMMITTEES committees.
Command: \`scripts/bench.sh --scale $SCALE --seed $SEED --reps $REPS\`; work folder $WORK.

| Import into SQLite | Value | Target | Ratio |
|---|---:|---:|---:|
| Rows/s, store write only (CLI's own figure) | $IMP_RATE | ≥ 200000 | $(div "$IMP_RATE" 200000) × target |
| Store write (s) | $IMP_WRITE | | |
| Read + validate the JSON (s) | $IMP_READ | | |
| Rows/s, whole command (read, validate, write) | $IMP_WALL_RATE | | $(div "$IMP_WALL_RATE" 200000) × target |
| Peak RSS of \`import\` (MiB) | $(mib "$IMP_RSS") | ≤ 2048 | $(verdict "$IMP_RSS") |
| \`generate\`: wall (s), peak RSS (MiB) | $GEN_WALL, $(mib "$GEN_RSS") | | |

CLI commands end to end (process start, load from SQLite, build the engine, compute, print
JSON): median wall seconds of $REPS runs, and the ratio to the baseline \`coverage --scope
$COMMITTEE\` (one committee: almost only load + build).

| Command | Wall s | × baseline | Peak RSS MiB | Target |
|---|---:|---:|---:|---|
$(row "baseline: \`coverage --scope $COMMITTEE\`" baseline "")
$(row "\`coverage\` (city)" coverage-city "RSS $(verdict "${CLI_RSS[coverage-city]}")")
$(row "\`coverage --scope $STREET\`" coverage-street "")
$(row "\`gaps\` (city)" gaps-city "")
$(row "\`gaps --scope $STREET\`" gaps-street "")
$(row "\`checklist $ORG --subtree\`" checklist-street "")
$(row "\`brokers --scope $DISTRICT\`" brokers-district "")

Street $STREET has $STREET_N committees; district $DISTRICT has $DISTRICT_N.

EOF
if [[ -n "$ENGINE_MD" ]]; then
  cat <<EOF
### In the engine, once built (\`cargo bench -p dangjian-engine --bench shanghai -- --scale $SCALE --seed $SEED\`)

$ENGINE_MD
EOF
fi
