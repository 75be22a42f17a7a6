"""Soak: record a real Jina Flow at a short interval while reports, timelines and exports run in a loop.

Checks what issue 6 promises: readers never cost the recorder a slot (zero skipped rounds), never make it see a
locked database (zero storage faults), and the recorder's memory stays flat. Prints one line per figure and
exits 1 when a target is missed. Bounded: --minutes of recording, every process it starts stopped by PID.

  python scripts/lib/soak.py --bin .build/release/jina-history --minutes 3
"""
import argparse
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SERVE = os.path.join(HERE, '..', 'fixture', 'serve.py')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def rss_kib(pid):
    with open(f'/proc/{pid}/status') as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0


def rounds_written(db):
    try:
        with sqlite3.connect(f'file:{db}?mode=ro', uri=True) as connection:
            return connection.execute('SELECT count(*) FROM round').fetchone()[0] > 0
    except sqlite3.Error:
        return False


def start_flow(work):
    port = free_port()
    out = open(os.path.join(work, 'flow.out'), 'w')
    log = open(os.path.join(work, 'flow.log'), 'w')
    env = dict(os.environ, JINA_OPTOUT_TELEMETRY='1', JINA_LOG_LEVEL='ERROR')
    flow = subprocess.Popen([sys.executable, SERVE, '--kind', 'flow', '--protocol', 'grpc', '--port', str(port),
                             '--executor-port', str(free_port())], stdout=out, stderr=log, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        text = open(os.path.join(work, 'flow.out')).read()
        if text.startswith('READY '):
            return flow, port
        if text.startswith('FAILED ') or flow.poll() is not None:
            break
        time.sleep(0.2)
    flow.kill()
    sys.exit(f'the Jina Flow did not start; see {work}/flow.log')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--bin', required=True)
    parser.add_argument('--minutes', type=float, default=3)
    parser.add_argument('--interval-ms', type=int, default=50)
    parser.add_argument('--json', help='write the figures here too')
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix='jina-history-soak-')
    db = os.path.join(work, 'history.sqlite')
    flow, port = start_flow(work)
    recorder = None
    try:
        recorder = subprocess.Popen([args.bin, 'record', f'grpc://127.0.0.1:{port}', '--name', 'flow', '--db', db,
                                     '--interval', f'{args.interval_ms}ms', '--timeout', '1s',
                                     '--print-rounds', 'never'], stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not rounds_written(db):
            time.sleep(0.1)
        started = time.monotonic()
        end = started + args.minutes * 60
        samples, readers, reader_failures, failure_lines = [], 0, 0, []
        next_sample = started
        while time.monotonic() < end:
            if time.monotonic() >= next_sample:
                samples.append((time.monotonic() - started, rss_kib(recorder.pid)))
                next_sample += 5
            for command in (['report', '--since', '10m', '--format', 'json'], ['timeline', '--since', '10m'],
                            ['export', '--what', 'rounds', '--since', '2m']):
                result = subprocess.run([args.bin, *command, '--db', db], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True, timeout=60)
                readers += 1
                if result.returncode != 0:
                    reader_failures += 1
                    failure_lines.append(f'{command[0]} exited {result.returncode}: {result.stderr.strip()[:300]}')
        recorder.send_signal(signal.SIGTERM)
        recorder_stderr = recorder.communicate(timeout=10)[1]
    finally:
        if recorder and recorder.poll() is None:
            recorder.kill()
        flow.send_signal(signal.SIGTERM)
        try:
            flow.wait(timeout=20)
        except subprocess.TimeoutExpired:
            flow.kill()

    with sqlite3.connect(f'file:{db}?mode=ro', uri=True) as connection:
        rounds, skipped, down, longest_us = connection.execute(
            'SELECT count(*), sum(verdict = 2), sum(verdict = 0), max(duration_us) FROM round').fetchone()
        # A skipped slot is the reader's fault only if the recorder itself was late (a round started late and so
        # overran); a round that ran long because the target answered slowly skips slots by design.
        late_skips = connection.execute(f"""
            SELECT count(*) FROM round AS skipped
            JOIN round AS before ON before.target_id = skipped.target_id AND before.scheduled_ms = (
                SELECT max(scheduled_ms) FROM round WHERE target_id = skipped.target_id AND verdict != 2
                  AND scheduled_ms < skipped.scheduled_ms)
            WHERE skipped.verdict = 2 AND before.start_lag_ms * 2 >= {args.interval_ms}""").fetchone()[0]
        lags = [row[0] for row in connection.execute('SELECT start_lag_ms FROM round ORDER BY start_lag_ms')]
        faults = connection.execute('SELECT count(*) FROM storage_fault').fetchone()[0]
    warm = [kib for at, kib in samples if at >= args.minutes * 60 * 0.2]
    figures = {
        'minutes': args.minutes, 'interval_ms': args.interval_ms, 'rounds': rounds, 'skipped_rounds': skipped or 0,
        'reader_caused_skips': late_skips, 'longest_round_ms': (longest_us or 0) / 1000,
        'down_rounds': down or 0, 'start_lag_p99_ms': lags[int(len(lags) * 0.99) - 1] if lags else None,
        'start_lag_max_ms': lags[-1] if lags else None, 'storage_faults': faults, 'reader_runs': readers,
        'reader_failures': reader_failures, 'busy_lines': recorder_stderr.count('cannot write'),
        'rss_warm_first_kib': warm[0] if warm else None, 'rss_last_kib': warm[-1] if warm else None,
        'rss_max_kib': max(kib for _, kib in samples) if samples else None,
    }
    checks = [
        ('reader-caused skipped slots (recorder started a round late)', late_skips == 0, '0'),
        ('storage faults (busy/locked)', faults == 0 and figures['busy_lines'] == 0, '0'),
        ('reader failures', reader_failures == 0, '0'),
        ('recorder memory growth after warm-up', bool(warm) and warm[-1] <= warm[0] * 1.10 + 2048, '<= 10 % + 2 MiB'),
    ]
    for key, value in figures.items():
        print(f'{key:>24}: {value}')
    for line in failure_lines[:5]:
        print(f'  reader failure: {line}')
    failed = [name for name, ok, _ in checks if not ok]
    for name, ok, target in checks:
        print(f'{"ok" if ok else "MISSED":>8}  {name} (target {target})')
    if args.json:
        with open(args.json, 'w') as out:
            json.dump(figures, out, indent=2)
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
