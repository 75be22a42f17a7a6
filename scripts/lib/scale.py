"""Scale benchmark (issue 7): report time and memory over a month of history, storage per round, rollup
accuracy against raw rounds, and pruning. Prints each figure beside its target; exits 1 when one is missed.

The history (10 targets at 1 s for 30 days, about 26 M rounds, seeded: outages, retries, crashed and stopped
runs) is written once by `jina-history db seed` into the work directory and reused while the binary's schema
version and the arguments are the same; so is a calm one (one outage per target and week instead of four a day),
whose reports show what a month costs when its window holds few outages.
"""
import argparse, glob, hashlib, json, os, shutil, statistics, subprocess, sys, time

from bench_figures import Figures


def run(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def timed(binary, runs, repeat):
    """Median wall seconds and max RSS (MiB) of each argument list in `runs` over `repeat` warm rounds, after one
    run each to warm the page cache. The lists take turns, so a busy spell on the machine hits them alike."""
    for args in runs:
        run([binary] + args)
    seconds, rss = [[] for _ in runs], [[] for _ in runs]
    for _ in range(repeat):
        for index, args in enumerate(runs):
            started = time.perf_counter()
            done = run(["/usr/bin/time", "-f", "%M", binary] + args)
            seconds[index].append(time.perf_counter() - started)
            rss[index].append(int(done.stderr.strip().splitlines()[-1]) / 1024)
    return [(statistics.median(s), max(r)) for s, r in zip(seconds, rss)]


def seeded(options, odds):
    """The seeded history for these options and outage odds, written once and reused while the binary's version,
    the arguments and the schema are the same."""
    version = run([options.bin, "--version"]).stdout.strip()
    name = f"scale-{options.targets}x{options.days}d" + ("" if odds == STORMY else f"-odds{odds}")
    db = os.path.join(options.workdir, name + ".sqlite")
    stamp = db + ".stamp"
    # The schema's text and the code that decides what is stored are part of the key: a migration edited before
    # release, or spans cut another way, must not leave an old cache.
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    stored = sorted(glob.glob(os.path.join(root, "migrations", "*.sql"))) + [
        os.path.join(root, "Sources", *part.split("/")) for part in (
            "JinaHistoryCore/Rollups/RollupSpan.swift", "JinaHistoryCore/Rollups/RollupTracker.swift",
            "JinaHistoryCore/Rollups/LooseRounds.swift", "JinaHistoryRecorder/HistorySeeder.swift",
            "JinaHistorySQLite/HistoryWriter.swift", "JinaHistorySQLite/LooseRoundsCodec.swift")]
    schema = hashlib.sha256(b"".join(open(path, "rb").read() for path in stored)).hexdigest()[:12]
    key = f"{version} {options.targets} {options.days} {odds} {schema}"
    if not (os.path.exists(db) and os.path.exists(stamp) and open(stamp).read() == key):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        started = time.perf_counter()
        print(run([options.bin, "db", "seed", "--db", db, "--targets", str(options.targets),
                   "--span", f"{options.days}d", "--seed", "7", "--outage-odds", str(odds)]).stdout.strip())
        print(f"   seeding took {time.perf_counter() - started:.0f} s")
        open(stamp, "w").write(key)
    return db


def windows(options, db):
    """Month and day windows ending at the history's last round, and the database's stats."""
    stats = json.loads(run([options.bin, "db", "stats", "--db", db, "--format", "json"]).stdout)
    last_s = max(int(time.mktime(time.strptime(t["last_round"][:19], "%Y-%m-%dT%H:%M:%S"))) - time.timezone
                 for t in stats["targets"])
    month = ["--since", str(last_s - options.days * 86_400 + 3_600), "--until", str(last_s)]
    day = ["--since", str(last_s - 86_400), "--until", str(last_s)]
    return month, day, last_s, stats


def report_times(options, figure, db, month, day, label=""):
    """Warm report times of both windows in both formats, beside their targets."""
    for fmt in ("text", "json"):
        (month_s, month_rss), (day_s, _) = timed(
            options.bin, [["report", "--db", db, "--format", fmt] + window for window in (month, day)], options.repeat)
        figure(f"{label}report --format {fmt}, {options.days} d window (warm, median)", f"{month_s * 1000:.0f} ms",
               "< 300 ms", month_s < 0.3)
        figure(f"{label}report --format {fmt}, 1 d window (warm, median)", f"{day_s * 1000:.0f} ms", "", True)
        figure(f"  {options.days} d over 1 d", f"{month_s / day_s:.1f}×", "≤ 2×", month_s <= 2 * day_s)
        figure(f"  memory of the {options.days} d report (max RSS)", f"{month_rss:.0f} MiB", "< 100 MiB",
               month_rss < 100)
    read = json.loads(run([options.bin, "report", "--db", db, "--format", "json"] + month).stdout)
    figure(f"  {options.days} d report reads: rollup spans / raw rounds",
           f"{read['method']['rollup_spans']:,} / {read['method']['raw_rounds']:,}", "", True)
    figure(f"  {options.days} d report lists: outages", f"{sum(len(t['outages']) for t in read['targets']):,}", "",
           True)


# One round in this many starts an outage: the default history (about 4 per target and day at 1 s), and a calm
# one (about one per target and week), to tell the cost of stored rounds from the cost of outages in the window.
STORMY = 20_000
CALM = 604_800


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--targets", type=int, default=10)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=11)
    options = parser.parse_args()
    os.makedirs(options.workdir, exist_ok=True)
    db = seeded(options, STORMY)
    month, day, last_s, stats = windows(options, db)
    figure = Figures(58)

    figure("rounds in the history", f"{stats['rounds']:,}", "≈ 26 M (10 × 30 d × 1 s)", stats["rounds"] > 0)
    figure("bytes on disk per round (file / rounds, all included)", f"{stats['bytes_per_round']:.1f} B", "≤ 32 B",
           stats["bytes_per_round"] <= 32)
    report_times(options, figure, db, month, day)

    # Accuracy: the same window from rollups and from every raw round.
    rolled = json.loads(run([options.bin, "report", "--db", db, "--format", "json"] + day).stdout)
    raw = json.loads(run([options.bin, "report", "--db", db, "--format", "json", "--no-rollups"] + day).stdout)
    same = all(a[k] == b[k] for a, b in zip(rolled["targets"], raw["targets"])
               for k in ("up_s", "down_s", "unknown_s", "availability", "rounds", "attempts", "outages", "gaps"))
    worst = max(abs(a[s][p] - b[s][p]) / b[s][p] for a, b in zip(rolled["targets"], raw["targets"])
                for s in ("latency_ms", "time_to_fail_ms") for p in ("p50", "p90", "p95", "p99") if b[s][p])
    figure("rollups vs raw rounds: time, availability, counts, outages", "equal" if same else "DIFFER", "equal", same)
    figure("rollups vs raw rounds: worst percentile error", f"{worst * 100:.2f} %", "≤ 1 %", worst <= 0.01)
    figure("rounds read: rollup report / raw report", f"{rolled['method']['raw_rounds']:,} / "
           f"{raw['method']['raw_rounds']:,}", "a small share", rolled["method"]["raw_rounds"] * 20 <
           raw["method"]["raw_rounds"])

    # Retention: prune a copy, keep 2 days raw; a window inside the pruned time keeps its numbers.
    pruned = db + ".pruned.sqlite"
    shutil.copyfile(db, pruned)
    inside = ["--since", str(last_s - 20 * 86_400), "--until", str(last_s - 10 * 86_400)]
    before = json.loads(run([options.bin, "report", "--db", pruned, "--format", "json"] + inside).stdout)
    started = time.perf_counter()
    said = run([options.bin, "prune", "--db", pruned, "--keep-raw", "2d"]).stdout.strip()
    prune_s = time.perf_counter() - started
    after = json.loads(run([options.bin, "report", "--db", pruned, "--format", "json"] + inside).stdout)
    kept = all(a[k] == b[k] for a, b in zip(after["targets"], before["targets"])
               for k in ("up_s", "down_s", "unknown_s", "availability", "outages", "gaps"))
    size = lambda path: os.path.getsize(path) + (os.path.getsize(path + "-wal") if os.path.exists(path + "-wal") else 0)
    print(f"   {said} ({prune_s:.0f} s)")
    figure("prune --keep-raw 2d: file size after / before", f"{size(pruned) / 2**20:.0f} / {size(db) / 2**20:.0f} MiB",
           "smaller", size(pruned) < size(db))
    figure("prune: availability, outages, gaps of a pruned window", "unchanged" if kept else "CHANGED", "unchanged",
           kept)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(pruned + suffix):
            os.remove(pruned + suffix)

    # The same month with one outage per target and week: what a report costs when the window holds few outages.
    calm = seeded(options, CALM)
    calm_month, calm_day, _, _ = windows(options, calm)
    report_times(options, figure, calm, calm_month, calm_day, label="calm month: ")
    return figure.exit_code()


if __name__ == "__main__":
    sys.exit(main())
