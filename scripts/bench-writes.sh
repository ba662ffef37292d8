#!/usr/bin/env bash
# Write speed of the HTTP service on loopback (the writes issue's figures): `dangjian serve`
# (release) on a generated network; sequential one-row POST /api/v1/needs (each answered only
# once committed and visible to the next read), with a read baseline (GET /api/v1/needs/{id})
# measured in the same run; one-row writes to the big tables (members, volunteering); one
# batch of 10,000 volunteering rows; and a street's coverage read, alone and while a
# background writer does 50 one-row writes/s (a bounded loop). Prints a Markdown report.
# A benchmark, not a test.
#
#   scripts/bench-writes.sh [--db PATH] [--scale shanghai|district] [--seed N] [--writes N]
#
# Without --db it generates the network and imports it into a database in its work folder
# (with --db the database gets the benchmark's rows added). Only 127.0.0.1 is used; the server
# is stopped at the end.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB=""
SCALE=shanghai
SEED=1
WRITES=200
BATCH=10000

usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while (($#)); do
  case "$1" in
    --db) DB="${2:?--db needs a path}"; shift ;;
    --scale) SCALE="${2:?--scale needs shanghai or district}"; shift ;;
    --seed) SEED="${2:?--seed needs a number}"; shift ;;
    --writes) WRITES="${2:?--writes needs a number}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

export PATH="$HOME/.cargo/bin:$PATH"
say() { echo "bench-writes: $*" >&2; }
for pkg in sqlite3 curl python3; do
  command -v "$pkg" >/dev/null || { say "needs $pkg"; exit 1; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/bench-writes.XXXXXX")"
SERVER_PID=""
stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
# The work folder holds a Shanghai-scale database (~150 MB): removed however the script ends.
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

cd "$ROOT"
say "building the release binary …"
cargo build --release -q -p dangjian
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET/release/dangjian"

if [[ -z "$DB" ]]; then
  DB="$WORK/net.db"
  say "generating the $SCALE network (seed $SEED) and importing it into $DB …"
  "$BIN" generate --scale "$SCALE" --seed "$SEED" --out "$WORK/net.json" >/dev/null 2>"$WORK/generate.err"
  "$BIN" --db "$DB" import "$WORK/net.json" >/dev/null 2>"$WORK/import.err"
  rm -f "$WORK/net.json"
fi
[[ -f "$DB" ]] || { say "no database at $DB"; exit 1; }
Q() { sqlite3 -readonly -batch -noheader "$DB" "$1"; }
ROWS="$(Q "SELECT (SELECT count(*) FROM members) + (SELECT count(*) FROM volunteering)
           + (SELECT count(*) FROM partnerships) + (SELECT count(*) FROM needs)")"
COMMITTEE="$(Q "SELECT id FROM committees ORDER BY id LIMIT 1")"
NEED="$(Q "SELECT id FROM needs ORDER BY id LIMIT 1")"
STREET="$(Q "SELECT s.id FROM streets s JOIN communities c ON c.street = s.id
             JOIN committees k ON k.community = c.id GROUP BY s.id ORDER BY count(*) DESC, s.id LIMIT 1")"
MEMBERS="$(Q "SELECT id || ',' || registered_at FROM members WHERE registered_at IS NOT NULL
              ORDER BY id LIMIT 2000")"
echo "$MEMBERS" >"$WORK/members.txt"

TOKEN="$("$BIN" --db "$DB" token create --role admin 2>"$WORK/token.err" | tail -1)"
[[ -n "$TOKEN" ]] || { say "could not create a token"; cat "$WORK/token.err" >&2; exit 1; }

say "starting the service on 127.0.0.1 (ephemeral port) …"
"$BIN" --db "$DB" serve --addr 127.0.0.1:0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
URL=""
for _ in $(seq 1200); do
  URL="$(grep -o 'serving on http://127\.0\.0\.1:[0-9]*' "$WORK/serve.err" | head -1 | sed 's/serving on //')" || true
  [[ -n "$URL" ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { say "the service stopped:"; tail -5 "$WORK/serve.err" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$URL" ]] || { say "the service did not start within 120 s"; exit 1; }
until curl -fsS "$URL/healthz" >/dev/null 2>&1; do sleep 0.1; done
say "serving at $URL"

say "measuring: $WRITES one-row writes, a read baseline, a batch of $BATCH rows …"
python3 - "$URL" "$TOKEN" "$COMMITTEE" "$NEED" "$WRITES" "$BATCH" "$WORK/members.txt" "$STREET" \
  >"$WORK/figures.txt" <<'PY'
import http.client, json, sys, time, urllib.parse
url, token, committee, need, writes, batch, members, street = sys.argv[1:9]
writes, batch = int(writes), int(batch)
host = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(host.hostname, host.port, timeout=600)
H = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
def req(method, path, body=None, c=None):
    c = c or conn
    t = time.perf_counter()
    c.request(method, path, body=None if body is None else json.dumps(body, separators=(",", ":")),
              headers=H)
    r = c.getresponse(); data = r.read()
    return r.status, data, time.perf_counter() - t
def pct(xs, p):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000
reads = []
for _ in range(200):
    s, _, dt = req("GET", "/api/v1/needs/" + need); assert s == 200, s; reads.append(dt)
lat = []; stamp = int(time.time())
# The first write after start-up waits for the background validation of the loaded network
# (seconds at Shanghai scale): timed on its own, not part of the steady-state figures.
s, d, first = req("POST", "/api/v1/needs",
                  {"id": f"N-FIRST-{stamp}", "committee": committee, "domain": "elderly_care", "demand": 5})
assert s == 201, (s, d[:300])
t0 = time.perf_counter()
for i in range(writes):
    nid = f"N-BENCH-{stamp}-{i}"
    s, d, dt = req("POST", "/api/v1/needs",
                   {"id": nid, "committee": committee, "domain": "elderly_care", "demand": 5})
    assert s == 201, (s, d[:300])
    lat.append(dt)
    # Visible to the very next read.
    s, _, _ = req("GET", "/api/v1/needs/" + nid); assert s == 200, s
total = time.perf_counter() - t0
people = [l.split(",") for l in open(members).read().split() if "," in l]
rows = [{"member": people[i % len(people)][0], "committee": people[i % len(people)][1],
         "domain": "elderly_care", "hours": 1.0 + (i % 97) / 4, "date": "2026-06-%02d" % (1 + i // len(people) % 28)}
        for i in range(batch)]
# Compact JSON, as a client would send it (row writes are capped at 16 MiB, docs/access.md).
batch_bytes = len(json.dumps(rows, separators=(",", ":")))
s, d, bt = req("POST", "/api/v1/volunteering", rows)
assert s == 201, (s, d[:300])
# One-row writes to the two biggest tables: a new member, one volunteering row.
mem = []; vol = []
for i in range(writes):
    home = people[i % len(people)][1]
    s, d, dt = req("POST", "/api/v1/members",
                   {"id": f"M-BENCH-{stamp}-{i}", "name": "测试", "birth_year": 1980,
                    "registered_at": home})
    assert s == 201, (s, d[:300]); mem.append(dt)
    s, d, dt = req("POST", "/api/v1/volunteering",
                   {"member": people[i % len(people)][0], "committee": home,
                    "domain": "greening", "hours": 2.5, "date": "2026-05-%02d" % (1 + i % 28)})
    assert s == 201, (s, d[:300]); vol.append(dt)
# A street's coverage, alone, then while a background writer does 50 writes/s.
cov_path = f"/api/v1/coverage?scope={urllib.parse.quote(street)}&as_of=2026-06-30"
alone = []
for _ in range(200):
    s, _, dt = req("GET", cov_path); assert s == 200, s; alone.append(dt)
# The writer is a process of its own (not a thread: it would wait for the reader's GIL), and
# the reader paces itself at 200 reads/s, so the two clients do not starve each other of the
# machine's two cores.
import subprocess
writer_src = r"""
import http.client, json, sys, time
host, port, token, committee, stamp = sys.argv[1:6]
c = http.client.HTTPConnection(host, int(port), timeout=600)
H = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
t0 = time.perf_counter()
for i in range(400):  # bounded: 8 s at 50/s
    time.sleep(max(0.0, t0 + i / 50 - time.perf_counter()))
    body = json.dumps({"id": f"N-BG-{stamp}-{i}", "committee": committee,
                       "domain": "elderly_care", "demand": 1 + i % 9})
    c.request("POST", "/api/v1/needs", body=body, headers=H)
    r = c.getresponse(); r.read()
    assert r.status == 201, r.status
    print(time.perf_counter(), flush=True)
"""
w = subprocess.Popen([sys.executable, "-c", writer_src, host.hostname, str(host.port), token,
                      committee, str(stamp)], stdout=subprocess.PIPE, text=True)
busy = []
t0 = time.perf_counter(); n = 0
while w.poll() is None and time.perf_counter() - t0 < 60:
    time.sleep(max(0.0, t0 + n / 200 - time.perf_counter())); n += 1
    s, _, dt = req("GET", cov_path); assert s == 200, s; busy.append(dt)
out, _ = w.communicate(timeout=120)
assert w.returncode == 0, "the background writer failed"
done = [float(x) for x in out.split()]
rate = (len(done) - 1) / (done[-1] - done[0]) if len(done) > 1 else 0
print(f"read_p50={pct(reads,50):.2f} read_p99={pct(reads,99):.2f}")
print(f"write_p50={pct(lat,50):.1f} write_p99={pct(lat,99):.1f} writes_per_s={writes/total:.2f}")
print(f"first_ms={first*1000:.1f}")
print(f"batch_s={bt:.2f} batch_kib={batch_bytes // 1024}")
print(f"member_p50={pct(mem,50):.1f} member_p99={pct(mem,99):.1f}")
print(f"vol_p50={pct(vol,50):.1f} vol_p99={pct(vol,99):.1f}")
print(f"cov_p50={pct(alone,50):.2f} cov_p99={pct(alone,99):.2f}")
print(f"busy_p50={pct(busy,50):.2f} busy_p99={pct(busy,99):.2f} busy_reads={len(busy)}")
print(f"bg_rate={rate:.1f} bg_writes={len(done)}")
PY
stop_server
eval "$(tr ' ' '\n' <"$WORK/figures.txt")"
CPU="$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)"
LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"
met() { if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "**missed**"; fi; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f×", a / b; else print "n/a" }'; }
cat <<EOF
### Writes through the API ($SCALE network, $ROWS person/partnership/need rows)

$(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) CPU(s) ($CPU), load average $LOAD,
\`scripts/bench-writes.sh --scale $SCALE --writes $WRITES\`; release build, 127.0.0.1, one client,
sequential. Each write is answered once committed in SQLite with its change-log entry and swapped
into the running service (the next read sees it; the script checks). Baselines in the same run:
\`GET /api/v1/needs/{id}\` (200 reads) for writes, and the coverage of street $STREET (200 reads,
cached after the first) for the read under writes, where the reader paces itself at 200 reads/s
while a separate writer process POSTs one need every 20 ms (400 writes; each write starts a new
version of the network, whose coverage documents a need cannot change are carried over).

| Measure | Value | Ratio to read p50 | Target | |
|---|---|---|---|---|
| Read baseline p50 / p99 | $read_p50 / $read_p99 ms | 1× | | |
| First write after start-up (waits for the start-up validation; not in the figures below) | $first_ms ms | | | |
| One-row \`POST /api/v1/needs\` p50 | $write_p50 ms | $(ratio "$write_p50" "$read_p50") | ≤ 20 ms | $(met "$write_p50 <= 20") |
| One-row write p99 | $write_p99 ms | $(ratio "$write_p99" "$read_p50") | ≤ 100 ms | $(met "$write_p99 <= 100") |
| Sequential writes/s | $writes_per_s | | ≥ 200 | $(met "$writes_per_s >= 200") |
| Batch of $BATCH volunteering rows (one POST, $batch_kib KiB) | $batch_s s | | ≤ 2 s | $(met "$batch_s <= 2") |
| One-row \`POST /api/v1/members\` p50 / p99 | $member_p50 / $member_p99 ms | $(ratio "$member_p50" "$read_p50") | | |
| One-row \`POST /api/v1/volunteering\` p50 / p99 | $vol_p50 / $vol_p99 ms | $(ratio "$vol_p50" "$read_p50") | | |
| Street coverage read alone p50 / p99 | $cov_p50 / $cov_p99 ms | 1× | | |
| Street coverage read under $bg_rate writes/s ($bg_writes writes, $busy_reads reads) p50 / p99 | $busy_p50 / $busy_p99 ms | $(ratio "$busy_p99" "$cov_p50") (p99) | p99 ≤ 10 ms | $(met "$busy_p99 <= 10") |
EOF
rm -rf "$WORK"
