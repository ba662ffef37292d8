"""What the write benchmarks share (bench-writes.sh, bench-writes-neo4j.sh): a keep-alive HTTP
client on loopback that times each request, percentiles, the read baseline and the sequential
one-row need writes (each checked visible to the next read). Imported from the scripts' inline
Python with PYTHONPATH=scripts/lib."""

import http.client
import json
import time
import urllib.parse


class Client:
    """One keep-alive connection to the service with a bearer token; `req` times a request."""

    def __init__(self, url, token):
        self.host = urllib.parse.urlparse(url)
        self.token = token
        self.conn = http.client.HTTPConnection(self.host.hostname, self.host.port, timeout=600)
        self.headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}

    def req(self, method, path, body=None):
        """(status, body bytes, seconds); the JSON body is sent compact, as a client would."""
        t = time.perf_counter()
        data = None if body is None else json.dumps(body, separators=(",", ":"))
        self.conn.request(method, path, body=data, headers=self.headers)
        r = self.conn.getresponse()
        out = r.read()
        return r.status, out, time.perf_counter() - t


def pct(xs, p):
    """The p-th percentile of seconds `xs`, in milliseconds (nearest rank)."""
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000


def timed_gets(client, path, n=200):
    """n GETs of path (each must answer 200): their times in seconds."""
    times = []
    for _ in range(n):
        s, _, dt = client.req("GET", path)
        assert s == 200, (path, s)
        times.append(dt)
    return times


def sequential_needs(client, committee, prefix, writes):
    """The first need write after start-up timed on its own (it waits for the start-up
    validation), then `writes` one-row POST /api/v1/needs, each read back at once (visible to
    the very next read). Returns (first seconds, write times, total seconds)."""
    stamp = int(time.time())

    def need(nid):
        s, d, dt = client.req("POST", "/api/v1/needs",
                              {"id": nid, "committee": committee, "domain": "elderly_care",
                               "demand": 5})
        assert s == 201, (s, d[:300])
        return dt

    first = need(f"{prefix}-FIRST-{stamp}")
    lat = []
    t0 = time.perf_counter()
    for i in range(writes):
        nid = f"{prefix}-{stamp}-{i}"
        lat.append(need(nid))
        s, _, _ = client.req("GET", "/api/v1/needs/" + nid)
        assert s == 200, s
    return first, lat, time.perf_counter() - t0


def print_write_figures(reads, first, lat, total):
    """The lines both scripts print: read baseline, write percentiles and rate, first write."""
    print(f"read_p50={pct(reads,50):.2f} read_p99={pct(reads,99):.2f}")
    print(f"write_p50={pct(lat,50):.1f} write_p99={pct(lat,99):.1f} "
          f"writes_per_s={len(lat)/total:.2f}")
    print(f"first_ms={first*1000:.1f}")
