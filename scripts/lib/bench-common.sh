# What the benchmark scripts share (bench.sh, bench-api.sh, bench-abuse.sh, bench-neo4j.sh,
# bench-writes.sh, bench-writes-neo4j.sh; their HTTP timing in Python: lib/bench_http.py):
# build the binary, generate and import a network, find the biggest street, start and stop
# `dangjian serve` on loopback, and the arithmetic of the reports. Sourced, not run:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/bench-common.sh"
#   bench_setup bench-api          # ROOT, PATH, say(), WORK (a new work folder), cd "$ROOT"
#
# DANGJIAN_BENCH_PROFILE=dev builds and runs the debug binary instead of the release one: a
# quick check that a script still runs end to end (its figures then mean nothing).

BENCH_COMMON_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# The network measured unless a script's defaults or options (--db, --scale, --seed) say
# otherwise: the generated Shanghai network of seed 1, in a database of the work folder.
DB=""
SCALE=shanghai
SEED=1

# bench_setup NAME : ROOT, PATH with cargo, say() prefixed with NAME, WORK = a new folder.
bench_setup() {
  BENCH_NAME="$1"
  ROOT="$BENCH_COMMON_ROOT"
  export PATH="$HOME/.cargo/bin:$PATH"
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/$BENCH_NAME.XXXXXX")"
  cd "$ROOT"
}
say() { echo "$BENCH_NAME: $*" >&2; }

# usage : the running script's help, its leading comment (after the #! line) without the `# `.
usage() { awk 'NR == 1 { next } !/^#/ { exit } { sub(/^# ?/, ""); print }' "$0"; }

# bench_options SPEC… -- "$@" : parses the command line. A SPEC `--opt=VAR` sets VAR to the
# option's value; `--flag=VAR:VALUE` or `word=VAR:VALUE` sets VAR to VALUE. -h/--help prints the
# script's usage() and exits 0; anything else prints it and exits 2.
bench_options() {
  local specs=() spec name target matched
  while [[ "$1" != -- ]]; do specs+=("$1"); shift; done
  shift
  while (($#)); do
    case "$1" in -h|--help) usage; exit 0 ;; esac
    matched=""
    for spec in "${specs[@]}"; do
      name="${spec%%=*}"; target="${spec#*=}"
      [[ "$1" == "$name" ]] || continue
      if [[ "$target" == *:* ]]; then
        printf -v "${target%%:*}" '%s' "${target#*:}"
      else
        [[ $# -ge 2 ]] || { echo "$1 needs a value" >&2; usage >&2; exit 2; }
        printf -v "$target" '%s' "$2"
        shift
      fi
      matched=1
      break
    done
    [[ -n "$matched" ]] || { usage >&2; exit 2; }
    shift
  done
}

# need_tools TOOL… : exits naming the first tool that is missing.
need_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { say "needs $tool"; exit 1; }
  done
}

# install_tools TOOL… : installs (Debian) the tools that are missing; /usr/bin/time is `time`.
install_tools() {
  local tool
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null; then
      say "installing $tool (Debian) …"
      apt-get install -y -q "$([[ $tool == /usr/bin/time ]] && echo time || echo "$tool")" >/dev/null
    fi
  done
}

# build_binary [CARGO ARGS…] : builds `dangjian` (and whatever else the arguments name, e.g.
# `-p dangjian-neo4j --example bench_phases`); sets PROFILE_DIR (release or debug) and BIN.
build_binary() {
  local profile="${DANGJIAN_BENCH_PROFILE:-release}" flag=--release
  PROFILE_DIR=release
  if [[ "$profile" == dev ]]; then flag=""; PROFILE_DIR=debug; fi
  say "building the $profile binary …"
  cargo build $flag -q -p dangjian
  if (($#)); then cargo build $flag -q "$@"; fi
  TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
  BIN="$TARGET/$PROFILE_DIR/dangjian"
}

# generate_and_import DB SCALE SEED : a generated network imported into the SQLite file DB
# (the JSON is deleted after the import; the commands' stderr stays in $WORK).
generate_and_import() {
  local db="$1" scale="$2" seed="$3"
  say "generating the $scale network (seed $seed) and importing it into $db …"
  "$BIN" generate --scale "$scale" --seed "$seed" --out "$WORK/net.json" >/dev/null 2>"$WORK/generate.err"
  "$BIN" --db "$db" import "$WORK/net.json" >/dev/null 2>"$WORK/import.err"
  rm -f "$WORK/net.json"
}

# network_db : without a DB given, generates the $SCALE network (seed $SEED) and imports it
# into $WORK/net.db, which becomes DB; exits when there is no database at DB.
network_db() {
  if [[ -z "$DB" ]]; then
    DB="$WORK/net.db"
    generate_and_import "$DB" "$SCALE" "$SEED"
  fi
  [[ -f "$DB" ]] || { say "no database at $DB"; exit 1; }
}

# Q SQL : one read-only query on $DB.
Q() { sqlite3 -readonly -batch -noheader "$DB" "$1"; }

# biggest_street : STREET (the most committees; ties: smallest id), STREET_N and ORG, the party
# org leading it (its working committee first).
biggest_street() {
  STREET="$(Q "SELECT co.street FROM committees k JOIN communities co ON co.id = k.community
               GROUP BY co.street ORDER BY count(*) DESC, co.street LIMIT 1")"
  STREET_N="$(Q "SELECT count(*) FROM committees k JOIN communities co ON co.id = k.community
                 WHERE co.street = '$STREET'")"
  ORG="$(Q "SELECT id FROM party_orgs WHERE leads = '$STREET'
            ORDER BY level = 'working_committee' DESC, id LIMIT 1")"
  [[ -n "$STREET" && -n "$ORG" ]] || { say "no street or party org in $DB"; exit 1; }
}

# start_server LOG [STORE ARGS…] : `dangjian [STORE ARGS] serve` on 127.0.0.1 (a free port),
# stderr to LOG; returns once it answers /readyz. Sets SERVER_PID and URL; stop_server (run on
# exit) stops it. When it does not start, it is stopped here too: a caller in a subshell
# (`$(…)`) does not run the script's exit trap.
SERVER_PID=""
URL=""
start_server() {
  local log="$1"; shift
  : >"$log"
  "$BIN" "$@" serve --addr 127.0.0.1:0 >/dev/null 2>"$log" &
  SERVER_PID=$!
  URL=""
  local _
  for _ in $(seq 6000); do
    URL="$(grep -o 'serving on http://127\.0\.0\.1:[0-9]*' "$log" | head -1 | sed 's/serving on //')" || true
    [[ -n "$URL" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { say "the service stopped:"; tail -5 "$log" >&2; exit 1; }
    sleep 0.05
  done
  [[ -n "$URL" ]] || { say "the service did not start within 300 s"; tail -5 "$log" >&2; stop_server; exit 1; }
  until curl -fsS "$URL/readyz" >/dev/null 2>&1; do
    kill -0 "$SERVER_PID" 2>/dev/null || { say "the service stopped:"; tail -5 "$log" >&2; exit 1; }
    sleep 0.05
  done
}
stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    local _
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}

# Arithmetic for the reports.
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
max() { tr ' ' '\n' | grep -v '^$' | sort -g | tail -1; }
div() { awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN { if (b > 0) printf f, a / b; else print "n/a" }'; }
ratio() { div "$1" "$2" %.1f; }
# met CONDITION : `met` when the awk condition holds (e.g. "$p50 <= 20"), else **missed**.
met() { if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "**missed**"; fi; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
cpu_model() { awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
