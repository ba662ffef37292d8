#!/usr/bin/env bash
# Load test of the HTTP service on loopback (the API issue's speed figures): `dangjian serve`
# (release) on a generated network, driven by wrk (Debian; installed here if missing) with a
# baseline run of GET /healthz in the same script, then a street's coverage and a street party
# org's checklist. Prints a Markdown report. A benchmark, not a test.
#
#   scripts/bench-api.sh [--db PATH] [--scale shanghai|district] [--seed N]
#                        [--duration S] [--connections N] [--threads N]
#
# Without --db it generates the network and imports it into a database in its work folder.
# Only 127.0.0.1 is used (the server on an ephemeral port); the server is stopped at the end.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/bench-common.sh"
DURATION=10
CONNS=32
THREADS=2
AS_OF=2026-06-30

bench_options --db=DB --scale=SCALE --seed=SEED --duration=DURATION --connections=CONNS --threads=THREADS -- "$@"

bench_setup bench-api
install_tools wrk sqlite3 curl
trap stop_server EXIT INT TERM
build_binary
LOAD_START="$(loadavg)"

network_db

biggest_street
ROWS="$(Q "SELECT (SELECT count(*) FROM members) + (SELECT count(*) FROM volunteering)
           + (SELECT count(*) FROM partnerships) + (SELECT count(*) FROM resources)")"

TOKEN="$("$BIN" --db "$DB" token create --role admin 2>"$WORK/token.err" | tail -1)"
[[ -n "$TOKEN" ]] || { say "could not create a token"; cat "$WORK/token.err" >&2; exit 1; }

say "starting the service on 127.0.0.1 (ephemeral port) …"
T0="$(now)"
start_server "$WORK/serve.err" --db "$DB"
STARTUP="$(awk -v a="$T0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')"
RSS_IDLE="$(awk '/VmRSS/ { print $2 }' "/proc/$SERVER_PID/status")"
say "serving at $URL after $STARTUP s"

COVERAGE="/api/v1/coverage?scope=$STREET&as_of=$AS_OF"
CHECKLIST="/api/v1/party-orgs/$ORG/checklist?as_of=$AS_OF"
CHECKLIST_SUB="/api/v1/party-orgs/$ORG/checklist?as_of=$AS_OF&subtree=true"
curl -s -o "$WORK/city.body" -H "Authorization: Bearer $TOKEN" "$URL/api/v1/coverage?scope=city&as_of=2020-01-01"
# Each endpoint must answer 200 with a body before it is loaded.
for path in /healthz "$COVERAGE" "$CHECKLIST" "$CHECKLIST_SUB"; do
  code="$(curl -s -o "$WORK/probe.body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL$path")"
  [[ "$code" == 200 ]] || { say "GET $path answered $code: $(head -c 300 "$WORK/probe.body")"; exit 1; }
  say "  GET $path → 200, $(wc -c <"$WORK/probe.body") bytes"
done

# load NAME PATH : one wrk run; leaves RPS, P50, P99 (ms), ERRS in variables.
declare -A RPS P50 P99 ERRS
LUA_ARGS=()
to_ms() { # wrk prints 812.00us, 1.23ms, 2.01s
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n *= 1;
    else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
load() { # NAME PATH [CONNECTIONS]
  local name="$1" path="$2" conns="${3:-$CONNS}"
  say "  wrk $name: ${DURATION}s, $conns connections, $THREADS threads …"
  wrk -t"$THREADS" -c"$conns" -d"${DURATION}s" --latency --timeout 5s "${LUA_ARGS[@]}" \
    -H "Authorization: Bearer $TOKEN" "$URL$path" >"$WORK/wrk.$name.txt" 2>&1
  RPS[$name]="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$WORK/wrk.$name.txt")"
  P50[$name]="$(to_ms "$(awk '$1 == "50%" { print $2 }' "$WORK/wrk.$name.txt")")"
  P99[$name]="$(to_ms "$(awk '$1 == "99%" { print $2 }' "$WORK/wrk.$name.txt")")"
  local non2xx errors
  non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$WORK/wrk.$name.txt")"
  errors="$(awk '/Socket errors:/ { s = 0; for (i = 4; i <= NF; i += 2) s += $i; print s }' "$WORK/wrk.$name.txt" | tr -dc 0-9)"
  ERRS[$name]="$(( ${non2xx:-0} + ${errors:-0} ))"
  say "    ${RPS[$name]} requests/s, p50 ${P50[$name]} ms, p99 ${P99[$name]} ms, errors ${ERRS[$name]}"
}
load healthz /healthz
load coverage "$COVERAGE"
load checklist "$CHECKLIST"
load checklist-subtree "$CHECKLIST_SUB"
# The same coverage request with few connections: latency with little queueing in the service.
load coverage-c4 "$COVERAGE" 4
# The service caches documents by (scope, as_of): rotate over every street (or every street's
# party org) and 336 dates, so nearly every request misses the cache and is computed.
rotating() { # NAME SQL-for-paths [YEARS]
  local name="$1" years="${3:-1}"
  {
    echo "local paths = {"
    Q "$2" | sed 's/.*/  "&",/'
    echo "}"
    echo "local years = $years"
    cat <<'LUA'
local counter = 0
function setup(thread) counter = counter + 1; thread:set("id", counter) end
function init(args) math.randomseed(1000 + id) end
function request()
  local d = string.format("%d-%02d-%02d", 2027 - math.random(1, years), math.random(1, 12),
    math.random(1, 28))
  return wrk.format("GET", paths[math.random(#paths)] .. d)
end
LUA
  } >"$WORK/$name.lua"
}
rotating coverage-rot "SELECT '/api/v1/coverage?scope=' || id || '&as_of=' FROM streets"
rotating checklist-rot "SELECT '/api/v1/party-orgs/' || p.id || '/checklist?as_of='
  FROM party_orgs p JOIN streets s ON s.id = p.leads"
LUA_ARGS=(-s "$WORK/coverage-rot.lua"); load coverage-rot /
LUA_ARGS=(-s "$WORK/checklist-rot.lua"); load checklist-rot /
LUA_ARGS=()
RSS_BEFORE_CITY="$(awk '/VmHWM/ { print $2 }' "/proc/$SERVER_PID/status")"
# Last, since it fills the document cache with big documents: the whole city's coverage on
# 1,008 different days (a dashboard stepping through dates), to see what the cache costs.
rotating coverage-city-rot "SELECT '/api/v1/coverage?scope=city&as_of='" 3
LUA_ARGS=(-s "$WORK/coverage-city-rot.lua"); load coverage-city-rot /
LUA_ARGS=()

RSS_PEAK="$(awk '/VmHWM/ { print $2 }' "/proc/$SERVER_PID/status")"
stop_server
# The service logs every request: keep only the end of its log.
tail -200 "$WORK/serve.err" >"$WORK/serve.log" && rm -f "$WORK/serve.err"
LOAD_END="$(loadavg)"

met() { # condition text
  if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "**missed**"; fi
}
row() { # label, name, target
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "${RPS[$2]}" "$(div "${RPS[$2]}" "${RPS[healthz]}")" \
    "${P50[$2]}" "${P99[$2]}" "${ERRS[$2]}" "$3"
}
CPU="$(cpu_model)"
COV_OK="$(met "${RPS[coverage]} >= 5000 && ${P99[coverage]} <= 10")"
RSS_OK="$(met "$RSS_PEAK <= 2.5 * 1024 * 1024")"
cat <<EOF
## HTTP service under load: $SCALE network${DB:+ ($DB)}

$(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) CPU(s) ($CPU), wrk on the same machine (generator
included); load average at start $LOAD_START, at end $LOAD_END. Command:
\`scripts/bench-api.sh --scale $SCALE --seed $SEED --duration $DURATION --connections $CONNS --threads $THREADS\`;
each run \`wrk -t$THREADS -c$CONNS -d${DURATION}s --latency\` with an admin bearer token; work folder $WORK.
Street $STREET ($STREET_N committees), its party org $ORG. Service ready $STARTUP s after start.

| GET | requests/s | × /healthz | p50 ms | p99 ms | errors | target |
|---|---:|---:|---:|---:|---:|---|
$(row "\`/healthz\` (baseline)" healthz "")
$(row "\`/api/v1/coverage?scope=$STREET\`" coverage "≥ 5000 rps, p99 ≤ 10 ms: $COV_OK")
$(row "\`/api/v1/party-orgs/$ORG/checklist\`" checklist "")
$(row "\`…/checklist?subtree=true\`" checklist-subtree "")
$(row "\`/api/v1/coverage?scope=$STREET\`, 4 connections" coverage-c4 "")
$(row "\`/api/v1/coverage?scope={street}&as_of={one of 336 days}\` (cache misses)" coverage-rot "")
$(row "\`/api/v1/party-orgs/{street org}/checklist?as_of={day}\` (cache misses)" checklist-rot "")
$(row "\`/api/v1/coverage?scope=city&as_of={one of 1008 days}\` (cache misses)" coverage-city-rot "")

Service RSS: $(mib "$RSS_IDLE") MiB when ready; peak (VmHWM) $(mib "$RSS_BEFORE_CITY") MiB before the
city-coverage run and $(mib "$RSS_PEAK") MiB at the end; target < 2560 MiB: $RSS_OK.
City coverage document: $(wc -c <"$WORK/city.body") bytes.
EOF
