#!/usr/bin/env bash
# Abuse benchmark (issue 10, SPEC §6 "bounded cost"): one viewer token sends 32 concurrent
# expensive requests — city-wide brokers on a different date each time (so every one misses the
# cache) and what-ifs removing 1,000 units — against `dangjian serve` (release) on the
# Shanghai-scale network, while a probe measures /healthz and one street's coverage (as a
# coordinator). The same probe runs first on the idle service: the report gives the loaded
# figures as ratios to that baseline, the expensive requests' answers (200 / 503 busy), and the
# service's RSS (VmHWM). A benchmark, not a test. Loopback only; everything started is stopped.
#
#   scripts/bench-abuse.sh [--db PATH] [--seed N] [--duration S] [--concurrency N]
#
# Without --db it generates the network (`dangjian generate --scale shanghai --seed N`) and
# imports it into a database in its work folder.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/bench-common.sh"
ARGS="$*"
DURATION=30
CONC=32
AS_OF=2026-06-30

bench_options --db=DB --seed=SEED --duration=DURATION --concurrency=CONC -- "$@"

bench_setup bench-abuse
need_tools sqlite3 curl python3
trap stop_server EXIT INT TERM
build_binary

network_db
biggest_street
Q "SELECT id FROM units ORDER BY id LIMIT 1000" >"$WORK/units.txt"

token() { "$BIN" --db "$DB" token create "$@" 2>&1 | grep -o 'djg_[0-9a-f]*' | head -1; }
VIEWER="$(token --role viewer)"
COORD="$(token --role coordinator --scope "$STREET")"

say "serving on 127.0.0.1 …"
RUST_LOG=warn start_server "$WORK/serve.log" --db "$DB"
PORT="${URL##*:}"
READY_RSS="$(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status")"

cat >"$WORK/abuse.py" <<'PY'
import http.client, json, statistics, sys, threading, time, datetime

port, viewer, coord, street, as_of, units_file, duration, conc, pid = sys.argv[1:10]
port, duration, conc = int(port), float(duration), int(conc)
units = [l.strip() for l in open(units_file) if l.strip()]
whatif_body = json.dumps({"without_units": units[:1000], "scope": "city", "as_of": as_of})

def request(conn, method, path, token=None, body=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if body is not None:
        headers["Content-Type"] = "application/json"
    t = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    res = conn.getresponse()
    res.read()
    return res.status, time.perf_counter() - t

def probe(seconds, out):
    """Alternate /healthz and the street's coverage (coordinator) for `seconds`."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    cov = f"/api/v1/coverage?scope={street}&as_of={as_of}"
    end = time.time() + seconds
    while time.time() < end:
        for name, path, tok in (("healthz", "/healthz", None), ("coverage", cov, coord)):
            status, dt = request(conn, "GET", path, tok)
            out.setdefault(name, []).append(dt)
            out.setdefault(name + "_status", {}).setdefault(status, 0)
            out[name + "_status"][status] += 1
        time.sleep(0.01)

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000

def rss():
    vals = {}
    for line in open(f"/proc/{pid}/status"):
        k, _, v = line.partition(":")
        if k in ("VmRSS", "VmHWM"):
            vals[k] = int(v.split()[0]) // 1024
    return vals

# Warm the street's coverage once (it is cached per network version, as in service).
c = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
request(c, "GET", f"/api/v1/coverage?scope={street}&as_of={as_of}", coord)

base = {}
probe(min(duration, 10), base)

stop = time.time() + duration
results = {"brokers": {}, "whatif": {}}
lock = threading.Lock()
day0 = datetime.date.fromisoformat(as_of)
counter = [0]

def attacker(i):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    while time.time() < stop:
        with lock:
            counter[0] += 1
            n = counter[0]
        try:
            if i % 2 == 0:
                day = day0 - datetime.timedelta(days=n)
                kind, st, dt = "brokers", *request(conn, "GET", f"/api/v1/brokers?scope=city&as_of={day}", viewer)
            else:
                kind, st, dt = "whatif", *request(conn, "POST", "/api/v1/whatif", viewer, whatif_body)
        except Exception:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            kind, st, dt = ("brokers" if i % 2 == 0 else "whatif"), "error", 0
        with lock:
            results[kind][st] = results[kind].get(st, 0) + 1
        if st == 503:
            time.sleep(0.05)

peak = {"VmRSS": 0}
def sampler():
    while time.time() < stop + 2:
        r = rss()
        peak["VmRSS"] = max(peak["VmRSS"], r.get("VmRSS", 0))
        time.sleep(0.2)

threads = [threading.Thread(target=attacker, args=(i,)) for i in range(conc)]
s = threading.Thread(target=sampler)
s.start()
for t in threads:
    t.start()
time.sleep(1)
loaded = {}
probe(duration - 2, loaded)
for t in threads:
    t.join()
s.join()
final = rss()

print("| Probe | idle p50 ms | idle p99 ms | loaded p50 ms | loaded p99 ms | × idle (p99) | target |")
print("|---|---|---|---|---|---|---|")
for name in ("healthz", "coverage"):
    b50, b99 = pct(base[name], 50), pct(base[name], 99)
    l50, l99 = pct(loaded[name], 50), pct(loaded[name], 99)
    ok = "met" if l99 <= 50 else "NOT met"
    print(f"| {name} ({len(loaded[name])} loaded requests, statuses {loaded[name + '_status']}) | {b50:.2f} | {b99:.2f} | {l50:.2f} | {l99:.2f} | {l99 / max(b99, 1e-3):.1f} | p99 ≤ 50 ms: {ok} |")
print()
print(f"Expensive requests from the viewer token ({conc} concurrent, {duration:.0f} s): "
      f"city brokers {results['brokers']}, what-if with 1,000 units {results['whatif']}.")
print()
print(f"Service RSS: peak during the load {peak['VmRSS']} MiB (sampled every 0.2 s), "
      f"VmHWM at the end {final.get('VmHWM', 0)} MiB; target ≤ 2048 MiB: "
      f"{'met' if final.get('VmHWM', 0) <= 2048 else 'NOT met'}.")
PY

say "probing idle, then under $CONC concurrent expensive requests for ${DURATION}s …"
python3 "$WORK/abuse.py" "$PORT" "$VIEWER" "$COORD" "$STREET" "$AS_OF" "$WORK/units.txt" \
  "$DURATION" "$CONC" "$SERVER_PID" >"$WORK/report.md"
echo "Command: \`scripts/bench-abuse.sh${ARGS:+ $ARGS}\`, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average before: $(cut -d' ' -f1-3 /proc/loadavg); street $STREET; service RSS when ready $((READY_RSS / 1024)) MiB."
echo
cat "$WORK/report.md"
stop_server
rm -rf "$WORK"
