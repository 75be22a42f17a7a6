"""`serve` at size (issue 21): the status page, a target page and the report API over a month of 1 s history,
answered by a release build. Prints each figure beside its target; exits 1 when one is missed.

The history is scale.py's seeded month (reused from the work directory while the binary and the schema are the
same). The status page's board is made once (cold: three reports of every target, 24 h, 7 d and 30 d), then kept
for 5 s and made again in the background while the previous one is served: warm requests never wait for it.
"""
import argparse, http.client, json, os, re, statistics, subprocess, sys, time, types, urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from bench_figures import Figures, stop
from scale import STORMY, seeded


def get(connection, path):
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    return response.status, (time.perf_counter() - started) * 1000, body


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(len(ordered) * p + 0.999999) - 1))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--workdir", default=".build-bench")
    parser.add_argument("--targets", type=int, default=100)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60, help="how long the warm loop runs")
    options = parser.parse_args()
    os.makedirs(options.workdir, exist_ok=True)
    db = seeded(types.SimpleNamespace(bin=options.bin, workdir=options.workdir, targets=options.targets,
                                      days=options.days), STORMY)
    server = subprocess.Popen([options.bin, "serve", "--db", db, "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    figure = Figures(58)
    try:
        line = server.stdout.readline()
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", line).group(1))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        status, cold, body = get(connection, "/")
        cards = body.count(b'class="card ')
        figure(f"status page of {cards} targets, cold (the board made)", f"{cold:.0f} ms", "(said)", status == 200)
        timings = {"/": [], "/targets/seed-0": [], "/targets/seed-0?since=30d": [], "/api/v1/report?since=24h": []}
        failed = 0
        # Each path on its own for a share of the time (at least 3 requests), so a slow one does not starve the rest.
        for path in timings:
            end = time.perf_counter() + options.seconds / len(timings)
            while time.perf_counter() < end or len(timings[path]) < 3:
                status, elapsed, _ = get(connection, path)
                failed += status != 200
                timings[path].append(elapsed)
        page = timings["/"]
        figure(f"status page warm, p50 / p99 of {len(page)} requests",
               f"{statistics.median(page):.1f} / {percentile(page, 0.99):.1f} ms", "p99 < 200 ms",
               percentile(page, 0.99) < 200)
        for path, label in (("/targets/seed-0", "24 h (the default)"), ("/targets/seed-0?since=30d", "30 d")):
            target = timings[path]
            figure(f"target page, {label} of one target, p50 / p99",
                   f"{statistics.median(target):.0f} / {percentile(target, 0.99):.0f} ms", "(said)", True)
        report = timings["/api/v1/report?since=24h"]
        figure(f"/api/v1/report of {cards} targets over 24 h, p50 / p99",
               f"{statistics.median(report):.0f} / {percentile(report, 0.99):.0f} ms", "(said)", True)
        figure("failed requests", str(failed), "0", failed == 0)
    finally:
        stop(server)
    return figure.exit_code()


if __name__ == "__main__":
    sys.exit(main())
