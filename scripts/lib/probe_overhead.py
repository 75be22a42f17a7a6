"""Probe overhead (issue 7, target 4), against one real Jina Flow over gRPC on 127.0.0.1:
- the dry-run latency jina-history records vs what a Python grpcio client measures in the same run (a new channel
  per call, as `jina ping` makes), in alternating blocks so both see the same Flow;
- `jina-history ping flow` vs `jina ping flow` as whole processes (wall time).
Prints each figure beside its target; exits 1 when one is missed. The Flow is stopped by PID.
"""
import os

os.environ['JINA_OPTOUT_TELEMETRY'] = '1'

import argparse, socket, sqlite3, statistics, subprocess, sys, tempfile, time  # noqa: E402

from bench_figures import Figures, stop  # noqa: E402

import jina.helper as _jh  # noqa: E402

_jh.get_public_ip = lambda *a, **k: None
_jh.get_internal_ip = lambda *a, **k: '127.0.0.1'

import grpc  # noqa: E402
from google.protobuf import empty_pb2  # noqa: E402
from jina.proto import jina_pb2_grpc  # noqa: E402

FIXTURE = os.path.join(os.path.dirname(__file__), '..', 'fixture')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def grpcio_latencies_ms(address, count):
    values = []
    for _ in range(count):
        started = time.perf_counter()
        with grpc.insecure_channel(address) as channel:
            status = jina_pb2_grpc.JinaGatewayDryRunRPCStub(channel).dry_run(empty_pb2.Empty(), timeout=3)
        values.append((time.perf_counter() - started) * 1000)
        assert status.code == 0, status
        time.sleep(0.1)
    return values


def wall_s(command, count):
    values = []
    for _ in range(count):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        values.append(time.perf_counter() - started)
        assert done.returncode == 0, done.stdout + done.stderr
    return statistics.median(values)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--bin', required=True)
    parser.add_argument('--blocks', type=int, default=3)
    parser.add_argument('--rounds', type=int, default=50)
    options = parser.parse_args()
    port = free_port()
    address = f'127.0.0.1:{port}'
    flow = subprocess.Popen([sys.executable, os.path.join(FIXTURE, 'serve.py'), '--kind', 'flow', '--port', str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    work = tempfile.mkdtemp(prefix='jina-history-overhead-')
    db = os.path.join(work, 'history.sqlite')
    try:
        line = flow.stdout.readline()
        if not line.startswith('READY'):
            print(f'the Flow did not start: {line!r}', file=sys.stderr)
            return 1
        grpcio = []
        for _ in range(options.blocks):
            subprocess.run([options.bin, 'record', f'grpc://{address}', '--interval', '100ms', '--rounds',
                            str(options.rounds), '--db', db, '--print-rounds', 'never'], check=True, timeout=120,
                           capture_output=True)
            grpcio += grpcio_latencies_ms(address, options.rounds)
        recorded = [us / 1000 for (us,) in sqlite3.connect(db).execute(
            'SELECT duration_us FROM round WHERE verdict = 1')]
        ours = wall_s([options.bin, 'ping', 'flow', address], 5)
        theirs = wall_s([sys.executable, os.path.join(FIXTURE, 'jina_ping.py'), 'flow', address], 3)
    finally:
        stop(flow)
        for suffix in ('', '-wal', '-shm'):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        os.rmdir(work)
    figure = Figures(58)

    ours_p50, grpcio_p50 = statistics.median(recorded), statistics.median(grpcio)
    figure('dry run latency recorded by jina-history, p50', f'{ours_p50:.2f} ms ({len(recorded)})', '', True)
    figure('dry run latency measured by grpcio (new channel), p50', f'{grpcio_p50:.2f} ms ({len(grpcio)})', '', True)
    figure('  jina-history over grpcio', f'{ours_p50 / grpcio_p50:.2f}×', '≤ 1.10×', ours_p50 <= 1.1 * grpcio_p50)
    figure('jina-history ping flow, whole process (median of 5)', f'{ours * 1000:.0f} ms', '', True)
    figure('jina ping flow, whole process (median of 3)', f'{theirs * 1000:.0f} ms', '', True)
    figure('  jina-history ping over jina ping', f'{ours / theirs * 100:.1f} %', '< 5 %', ours < 0.05 * theirs)
    return figure.exit_code()


if __name__ == '__main__':
    sys.exit(main())
