"""The central store under load (issue 19): RECORDERS `jina-history record` processes, each its own vantage with
the same TARGETS targets at a 1 s interval (as vantages of one team would), write into one local PostgreSQL (a
durable cluster: fsync on) for ROUNDS rounds, against canned gRPC health answers (canned_health.py) in a separate
process on 127.0.0.1. Reports schedule lateness (the start lag of every round, from the database), skipped rounds,
each recorder's CPU per round, the bytes a round costs in PostgreSQL, tables and indexes included, and how long
the combined report of all vantages takes; exits 1 when a target is missed.

Every process started is stopped by PID; the servers and the database bind loopback only.
"""
import argparse, json, os, subprocess, sys, tempfile, time

import canned_health
from bench_figures import Figures, stop
from many_targets import percentile


def psql(url, sql):
    """The rows of `sql` on the database at `url`, as lists of strings."""
    done = subprocess.run(["psql", url, "-X", "-A", "-t", "-F", "\t", "-c", sql], capture_output=True, text=True,
                          check=True, timeout=600)
    return [line.split("\t") for line in done.stdout.splitlines() if line]


def warm_report(binary, db, since):
    """Seconds of the best of three JSON reports after a first that warms the server's cache, and the last report
    (None when one failed)."""
    times, done = [], None
    for _ in range(4):
        begun = time.perf_counter()
        done = subprocess.run([binary, "report", "--db", db, "--since", since, "--format", "json"],
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            print(done.stderr[-2000:], file=sys.stderr)
            return float("inf"), None
        times.append(time.perf_counter() - begun)
    return min(times[1:]), json.loads(done.stdout)


def alternating_reports(binary, db, windows, rounds=7):
    """Median seconds of `rounds` JSON reports of each window, taken in turn (after one of each that warms the
    server's cache): the machine's speed drifts by a fifth over an hour, and a ratio of two windows is only fair when
    both were timed under the same conditions. None for a window whose report failed."""
    times = {window: [] for window in windows}
    for round_number in range(rounds + 1):
        for window in windows:
            begun = time.perf_counter()
            done = subprocess.run([binary, "report", "--db", db, "--since", window, "--format", "json"],
                                  capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                print(done.stderr[-2000:], file=sys.stderr)
                return {window: None for window in windows}
            if round_number > 0:
                times[window].append(time.perf_counter() - begun)
    return {window: sorted(spent)[len(spent) // 2] for window, spent in times.items()}


def cpu_seconds(pid):
    """User and system CPU time of a running process of ours, from /proc."""
    with open(f"/proc/{pid}/stat") as file:
        fields = file.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def month(options, base, figure):
    """Reports over a month of `month_targets` targets at 1 s, seeded into PostgreSQL: warm, against one day."""
    psql(options.url, "DROP DATABASE IF EXISTS jh_month")
    psql(options.url, "CREATE DATABASE jh_month")
    db = base + "/jh_month?sslmode=disable"
    started = time.perf_counter()
    seeded = subprocess.run([options.bin, "db", "seed", "--db", db, "--targets", str(options.month_targets),
                             "--span", "30d", "--interval", "1s"], capture_output=True, text=True, timeout=7200)
    if seeded.returncode != 0:
        print(seeded.stderr[-2000:], file=sys.stderr)
        figure("month seeded", "failed", "", False)
        return
    print(f"   {seeded.stdout.strip()} ({time.perf_counter() - started:.0f} s)")
    # The seeding and the VACUUM leave a gigabyte and a half of dirty pages, which the checkpointer would write
    # out during the reports that follow, spread over minutes: written now, the reports are timed on a quiet server.
    psql(db, "VACUUM ANALYZE")
    psql(db, "CHECKPOINT")
    # A healthy round is one row of `round` (its attempt is implied), so the round table per round is what a
    # healthy round costs; the attempt table holds the failed and retried rounds' attempts.
    (rounds, round_bytes, attempt_bytes), = psql(db, """
        SELECT (SELECT count(*) FROM round), pg_total_relation_size('round'), pg_total_relation_size('attempt')""")
    figure("month: round table with its index per round", f"{int(round_bytes) / int(rounds):.1f} B", "≤ 64 B",
           int(round_bytes) / int(rounds) <= 64)
    figure("month: attempt table per round (failures, retries)", f"{int(attempt_bytes) / int(rounds):.1f} B", "",
           True)

    medians = alternating_reports(options.bin, db, ["1d", "30d"])
    day, month_s = medians["1d"] or float("inf"), medians["30d"] or float("inf")
    figure("month: report --since 30d, warm (median of 7)", f"{month_s * 1000:.0f} ms", "< 1 s", month_s < 1)
    figure("month: report --since 1d, warm (median of 7)", f"{day * 1000:.0f} ms", "", day < 1)
    figure("month: 30 d against 1 d", f"{month_s / day:.2f}×", "≤ 2×", month_s <= 2 * day)
    psql(options.url, "DROP DATABASE jh_month WITH (FORCE)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin")
    parser.add_argument("--url", help="the server's superuser url")
    parser.add_argument("--recorders", type=int, default=10)
    parser.add_argument("--targets", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=180)
    parser.add_argument("--month-targets", type=int, default=10,
                        help="then a month of this many targets at 1 s, seeded, for report timings (0: skip)")
    options = parser.parse_args()

    base = options.url.split("?")[0].rsplit("/", 1)[0]
    psql(options.url, "DROP DATABASE IF EXISTS jh_central")
    psql(options.url, "CREATE DATABASE jh_central")
    db = base + "/jh_central?sslmode=disable"
    work = tempfile.mkdtemp(prefix="jina-history-central-")
    server, ports = canned_health.start(100)
    recorders = []
    try:
        if ports is None:
            print("the health servers did not start", file=sys.stderr)
            return 1
        for recorder in range(options.recorders):
            config = os.path.join(work, f"v{recorder}.yaml")
            with open(config, "w") as file:
                file.write("defaults:\n  interval: 1s\n  timeout: 500ms\n  kind: executor\ntargets:\n")
                for index in range(options.targets):
                    file.write(f"  - {{name: t{index:03d}, url: 'grpc://127.0.0.1:{ports[index % len(ports)]}'}}\n")
            recorders.append(subprocess.Popen(
                ["/usr/bin/time", "-f", "%U %S %M", options.bin, "record", "--config", config, "--db", db,
                 "--vantage", f"v{recorder}", "--rounds", str(options.rounds), "--print-rounds", "never"],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
        cpu, rss = [], []
        for process in recorders:
            _, stderr = process.communicate(timeout=options.rounds * 10 + 300)
            if process.returncode != 0:
                print(stderr[-2000:], file=sys.stderr)
                return 1
            user, system, rss_kb = stderr.strip().splitlines()[-1].split()
            cpu.append(float(user) + float(system))
            rss.append(int(rss_kb))
        server_cpu = cpu_seconds(server.pid)
    finally:
        for process in recorders:
            if process.poll() is None:
                stop(process, grace_s=10)
        stop(server, grace_s=10)
    rows = psql(db, "SELECT verdict, start_lag_ms, scheduled_ms - min(scheduled_ms) OVER () FROM round")
    ran = [int(lag) for verdict, lag, _ in rows if verdict != "2"]
    settled = [int(lag) for verdict, lag, offset in rows if verdict != "2" and int(offset) >= 5000]
    up = sum(1 for verdict, _, _ in rows if verdict == "1")
    skipped = sum(1 for verdict, _, _ in rows if verdict == "2")
    faults = psql(db, "SELECT count(*) FROM storage_fault")[0][0]
    psql(db, "VACUUM ANALYZE")
    (round_bytes, all_bytes), = psql(db, """
        SELECT pg_total_relation_size('round') + pg_total_relation_size('attempt'),
               (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind = 'r' AND n.nspname = 'public')""")
    figure = Figures(52)
    expected = options.recorders * options.targets * options.rounds
    figure("rounds written", f"{len(rows):,}", f"{expected:,}", len(rows) == expected)
    figure("rounds up / skipped", f"{up:,} / {skipped}", "all up, 0", up == expected and skipped == 0)
    figure("storage faults", faults, "0", faults == "0")
    figure("schedule lateness p50 / p99 / max", f"{percentile(ran, .5)} / {percentile(ran, .99)} / {max(ran)} ms",
           "p99 < 50 ms", percentile(ran, .99) < 50)
    figure("  the same after the first 5 s", f"{percentile(settled, .5)} / {percentile(settled, .99)} / "
           f"{max(settled)} ms", "p99 < 50 ms", percentile(settled, .99) < 50)
    per_recorder = options.targets * options.rounds
    figure("recorder CPU time per round (mean of recorders)", f"{sum(cpu) / len(cpu) / per_recorder * 1e6:.0f} µs",
           "", True)
    figure("recorder max RSS (largest)", f"{max(rss) / 1024:.0f} MiB", "", True)
    figure("round and attempt tables with indexes per round", f"{int(round_bytes) / len(rows):.1f} B", "", True)
    figure("  every table per round", f"{int(all_bytes) / len(rows):.1f} B", "", True)
    figure("the canned health servers' CPU time per check", f"{server_cpu / expected * 1e6:.0f} µs", "", True)
    # Every vantage recorded the same targets, so this report is the combined view of all of them.
    combined_s, report = warm_report(options.bin, db, "1h")
    accounts = {len(target.get("vantages", [])) for target in report["targets"]} if report else set()
    figure(f"combined report of {options.recorders} vantages, warm", f"{combined_s * 1000:.0f} ms",
           f"{options.recorders} accounts a target", accounts == {options.recorders})
    psql(options.url, "DROP DATABASE jh_central WITH (FORCE)")
    if options.month_targets:
        month(options, base, figure)
    for name in os.listdir(work):
        os.remove(os.path.join(work, name))
    os.rmdir(work)
    return figure.exit_code()


if __name__ == "__main__":
    sys.exit(main())
