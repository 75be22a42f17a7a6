"""What the benchmark scripts share: each figure printed beside its target, and stopping what they started."""
import subprocess


class Figures:
    """Prints `name  value  target  ok|MISSED` lines and remembers whether every target was reached."""

    def __init__(self, width=58):
        self.width = width
        self.missed = 0

    def __call__(self, name, value, target, ok):
        if not ok:
            self.missed += 1
        print(f"{name:<{self.width}} {value:>18}   target {target:<22} {'ok' if ok else 'MISSED'}")

    def exit_code(self):
        return 1 if self.missed else 0


def stop(process, grace_s=30):
    """Ends a process this script started, by its PID: SIGTERM, then SIGKILL after `grace_s`."""
    process.terminate()
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
