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

source "$(dirname "${BASH_SOURCE[0]}")/lib/bench-common.sh"
WRITES=200
BATCH=10000

bench_options --db=DB --scale=SCALE --seed=SEED --writes=WRITES -- "$@"

bench_setup bench-writes
need_tools sqlite3 curl python3
# The work folder holds a Shanghai-scale database (~150 MB): removed however the script ends.
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

build_binary
network_db
ROWS="$(Q "SELECT (SELECT count(*) FROM members) + (SELECT count(*) FROM volunteering)
           + (SELECT count(*) FROM partnerships) + (SELECT count(*) FROM needs)")"
COMMITTEE="$(Q "SELECT id FROM committees ORDER BY id LIMIT 1")"
NEED="$(Q "SELECT id FROM needs ORDER BY id LIMIT 1")"
biggest_street
MEMBERS="$(Q "SELECT id || ',' || registered_at FROM members WHERE registered_at IS NOT NULL
              ORDER BY id LIMIT 2000")"
echo "$MEMBERS" >"$WORK/members.txt"

TOKEN="$("$BIN" --db "$DB" token create --role admin 2>"$WORK/token.err" | tail -1)"
[[ -n "$TOKEN" ]] || { say "could not create a token"; cat "$WORK/token.err" >&2; exit 1; }

say "starting the service on 127.0.0.1 (ephemeral port) …"
start_server "$WORK/serve.err" --db "$DB"
say "serving at $URL"

say "measuring: $WRITES one-row writes, a read baseline, a batch of $BATCH rows …"
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$ROOT/scripts/lib" python3 - "$URL" "$TOKEN" "$COMMITTEE" "$NEED" "$WRITES" "$BATCH" \
  "$WORK/members.txt" "$STREET" >"$WORK/figures.txt" <<'PY'
import json, subprocess, sys, time, urllib.parse
from bench_http import Client, pct, print_write_figures, sequential_needs, timed_gets
url, token, committee, need, writes, batch, members, street = sys.argv[1:9]
writes, batch = int(writes), int(batch)
client = Client(url, token)
req, host = client.req, client.host
reads = timed_gets(client, "/api/v1/needs/" + need)
first, lat, total = sequential_needs(client, committee, "N-BENCH", writes)
stamp = int(time.time())
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
alone = timed_gets(client, cov_path)
# The writer is a process of its own (not a thread: it would wait for the reader's GIL), and
# the reader paces itself at 200 reads/s, so the two clients do not starve each other of the
# machine's two cores.
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
print_write_figures(reads, first, lat, total)
print(f"batch_s={bt:.2f} batch_kib={batch_bytes // 1024}")
print(f"member_p50={pct(mem,50):.1f} member_p99={pct(mem,99):.1f}")
print(f"vol_p50={pct(vol,50):.1f} vol_p99={pct(vol,99):.1f}")
print(f"cov_p50={pct(alone,50):.2f} cov_p99={pct(alone,99):.2f}")
print(f"busy_p50={pct(busy,50):.2f} busy_p99={pct(busy,99):.2f} busy_reads={len(busy)}")
print(f"bg_rate={rate:.1f} bg_writes={len(done)}")
PY
stop_server
eval "$(tr ' ' '\n' <"$WORK/figures.txt")"
cat <<EOF
### Writes through the API ($SCALE network, $ROWS person/partnership/need rows)

$(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) CPU(s) ($(cpu_model)), load average $(loadavg),
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
| One-row \`POST /api/v1/needs\` p50 | $write_p50 ms | $(div "$write_p50" "$read_p50" %.0f)× | ≤ 20 ms | $(met "$write_p50 <= 20") |
| One-row write p99 | $write_p99 ms | $(div "$write_p99" "$read_p50" %.0f)× | ≤ 100 ms | $(met "$write_p99 <= 100") |
| Sequential writes/s | $writes_per_s | | ≥ 200 | $(met "$writes_per_s >= 200") |
| Batch of $BATCH volunteering rows (one POST, $batch_kib KiB) | $batch_s s | | ≤ 2 s | $(met "$batch_s <= 2") |
| One-row \`POST /api/v1/members\` p50 / p99 | $member_p50 / $member_p99 ms | $(div "$member_p50" "$read_p50" %.0f)× | | |
| One-row \`POST /api/v1/volunteering\` p50 / p99 | $vol_p50 / $vol_p99 ms | $(div "$vol_p50" "$read_p50" %.0f)× | | |
| Street coverage read alone p50 / p99 | $cov_p50 / $cov_p99 ms | 1× | | |
| Street coverage read under $bg_rate writes/s ($bg_writes writes, $busy_reads reads) p50 / p99 | $busy_p50 / $busy_p99 ms | $(div "$busy_p99" "$cov_p50" %.0f)× (p99) | p99 ≤ 10 ms | $(met "$busy_p99 <= 10") |
EOF
rm -rf "$WORK"
