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

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB=""
SCALE=shanghai
SEED=1
DURATION=10
CONNS=32
THREADS=2
AS_OF=2026-06-30

usage() { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while (($#)); do
  case "$1" in
    --db) DB="${2:?--db needs a path}"; shift ;;
    --scale) SCALE="${2:?--scale needs shanghai or district}"; shift ;;
    --seed) SEED="${2:?--seed needs a number}"; shift ;;
    --duration) DURATION="${2:?--duration needs seconds}"; shift ;;
    --connections) CONNS="${2:?--connections needs a number}"; shift ;;
    --threads) THREADS="${2:?--threads needs a number}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

export PATH="$HOME/.cargo/bin:$PATH"
say() { echo "bench-api: $*" >&2; }
for pkg in wrk sqlite3 curl; do
  if ! command -v "$pkg" >/dev/null; then
    say "installing $pkg (Debian) …"
    apt-get install -y -q "$pkg" >/dev/null
  fi
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/bench-api.XXXXXX")"
SERVER_PID=""
stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap stop_server EXIT INT TERM

cd "$ROOT"
say "building the release binary …"
cargo build --release -q -p dangjian
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET/release/dangjian"
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"

if [[ -z "$DB" ]]; then
  DB="$WORK/net.db"
  say "generating the $SCALE network (seed $SEED) and importing it into $DB …"
  "$BIN" generate --scale "$SCALE" --seed "$SEED" --out "$WORK/net.json" >/dev/null 2>"$WORK/generate.err"
  "$BIN" --db "$DB" import "$WORK/net.json" >/dev/null 2>"$WORK/import.err"
  rm -f "$WORK/net.json"
fi
[[ -f "$DB" ]] || { say "no database at $DB"; exit 1; }

# The street with the most committees (ties: smallest id) and its party org, as scripts/bench.sh.
Q() { sqlite3 -readonly -batch -noheader "$DB" "$1"; }
STREET="$(Q "SELECT co.street FROM committees k JOIN communities co ON co.id = k.community
             GROUP BY co.street ORDER BY count(*) DESC, co.street LIMIT 1")"
STREET_N="$(Q "SELECT count(*) FROM committees k JOIN communities co ON co.id = k.community
               WHERE co.street = '$STREET'")"
ORG="$(Q "SELECT id FROM party_orgs WHERE leads = '$STREET'
          ORDER BY level = 'working_committee' DESC, id LIMIT 1")"
ROWS="$(Q "SELECT (SELECT count(*) FROM members) + (SELECT count(*) FROM volunteering)
           + (SELECT count(*) FROM partnerships) + (SELECT count(*) FROM resources)")"
[[ -n "$STREET" && -n "$ORG" ]] || { say "no street or party org in $DB"; exit 1; }

TOKEN="$("$BIN" --db "$DB" token create --role admin 2>"$WORK/token.err" | tail -1)"
[[ -n "$TOKEN" ]] || { say "could not create a token"; cat "$WORK/token.err" >&2; exit 1; }

say "starting the service on 127.0.0.1 (ephemeral port) …"
T0="$(date +%s.%N)"
"$BIN" --db "$DB" serve --addr 127.0.0.1:0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
URL=""
for _ in $(seq 600); do
  URL="$(grep -o 'serving on http://127\.0\.0\.1:[0-9]*' "$WORK/serve.err" | head -1 | sed 's/serving on //')" || true
  [[ -n "$URL" ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { say "the service stopped:"; tail -5 "$WORK/serve.err" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$URL" ]] || { say "the service did not start within 60 s"; exit 1; }
until curl -fsS "$URL/healthz" >/dev/null 2>&1; do sleep 0.1; done
STARTUP="$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
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
LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"

div() { awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN { if (b > 0) printf f, a / b; else print "n/a" }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
met() { # condition text
  if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "**missed**"; fi
}
row() { # label, name, target
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "${RPS[$2]}" "$(div "${RPS[$2]}" "${RPS[healthz]}")" \
    "${P50[$2]}" "${P99[$2]}" "${ERRS[$2]}" "$3"
}
CPU="$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)"
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
