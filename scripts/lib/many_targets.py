"""Recorder throughput (issue 7, target 3): one `jina-history record` probing N targets (default 1,000) at a 1 s
interval for a bounded number of rounds, against canned gRPC health answers (canned_health.py) in a separate
process on 127.0.0.1. Reports schedule lateness (start lag of every round, from the database), CPU time per round
and on average, memory, and skipped or failed rounds; exits 1 when a target is missed.

Every process started is stopped by PID; the servers bind loopback only.
"""
import argparse, os, sqlite3, subprocess, sys, tempfile, time

import canned_health
from bench_figures import Figures, stop


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(fraction * len(ordered) + 0.999999) - 1))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin")
    parser.add_argument("--targets", type=int, default=1000)
    parser.add_argument("--ports", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--interval", default="1s")
    options = parser.parse_args()

    work = tempfile.mkdtemp(prefix="jina-history-many-")
    server, ports = canned_health.start(options.ports)
    try:
        if ports is None:
            print("the health servers did not start", file=sys.stderr)
            return 1
        config = os.path.join(work, "targets.yaml")
        with open(config, "w") as file:
            file.write(f"defaults:\n  interval: {options.interval}\n  timeout: 500ms\n  kind: executor\ntargets:\n")
            for index in range(options.targets):
                file.write(f"  - {{name: t{index:04d}, url: 'grpc://127.0.0.1:{ports[index % len(ports)]}'}}\n")
        db = os.path.join(work, "history.sqlite")
        started = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", options.bin, "record", "--config", config,
                               "--db", db, "--rounds", str(options.rounds), "--print-rounds", "never"],
                              capture_output=True, text=True, timeout=options.rounds * 10 + 120)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            print(done.stderr[-2000:], file=sys.stderr)
            return 1
        user, system, rss_kb = done.stderr.strip().splitlines()[-1].split()
        cpu = float(user) + float(system)
        connection = sqlite3.connect(db)
        rows = connection.execute("SELECT verdict, start_lag_ms FROM round").fetchall()
        # Lateness once every target has made its first rounds (start-up opens every connection at once).
        settled = [lag for (lag,) in connection.execute(
            "SELECT start_lag_ms FROM round WHERE verdict != 2 AND scheduled_ms >= "
            "(SELECT min(scheduled_ms) FROM round) + 5000")]
        errors = connection.execute(
            "SELECT e.class, count(*) FROM attempt a JOIN error e ON e.id = a.error_id WHERE a.role = 0 "
            "GROUP BY e.class ORDER BY 2 DESC").fetchall()
        connection.close()
    finally:
        stop(server, grace_s=10)
    ran = [lag for verdict, lag in rows if verdict != 2]
    up = sum(1 for verdict, _ in rows if verdict == 1)
    skipped = sum(1 for verdict, _ in rows if verdict == 2)
    figure = Figures(52)

    expected = options.targets * options.rounds
    figure("rounds written", f"{len(rows):,}", f"{expected:,}", len(rows) == expected)
    figure("rounds up / skipped", f"{up:,} / {skipped}", "all up, 0", up == expected and skipped == 0)
    figure("schedule lateness p50 / p99 / max", f"{percentile(ran, .5)} / {percentile(ran, .99)} / {max(ran)} ms",
           "p99 < 50 ms", percentile(ran, .99) < 50)
    figure("  the same after the first 5 s", f"{percentile(settled, .5)} / {percentile(settled, .99)} / "
           f"{max(settled)} ms", "p99 < 50 ms", percentile(settled, .99) < 50)
    if errors:
        print("   failed attempts by class: " + ", ".join(f"{name} {count:,}" for name, count in errors))
    figure("recorder CPU, average over the run", f"{cpu / wall:.2f} cores", "< 1 core", cpu / wall < 1)
    figure("recorder CPU time per round", f"{cpu / len(rows) * 1e6:.0f} µs", "", True)
    figure("recorder max RSS", f"{int(rss_kb) / 1024:.0f} MiB", "", True)
    # Target 2 is per healthy round: the round and attempt tables (their keys are their indexes), by page. The
    # whole file over only 60 rounds per target also carries each target's fixed rows (target, run, its first
    # loose round, its growing span), about 5 B per round here and nothing over a month.
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as stats:
        round_bytes = stats.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name IN ('round', 'attempt')").fetchone()[0] or 0
    figure("round and attempt rows on disk per round", f"{round_bytes / len(rows):.1f} B", "≤ 32 B",
           round_bytes / len(rows) <= 32)
    figure("  whole file per round after 60 rounds", f"{os.path.getsize(db) / len(rows):.1f} B", "", True)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    os.remove(config)
    os.rmdir(work)
    return figure.exit_code()


if __name__ == "__main__":
    sys.exit(main())
