"""How long `kpi check` takes on generated policies of 10, 100 and 1,000 indicators, and how long
`kpi --help` takes to start, each in a fresh process (as a user runs them).

    python benchmarks/check_speed.py [--runs 5]

Prints the median wall time of each; the targets are < 0.5 s for 1,000 indicators and < 0.3 s
for `kpi --help` on a 2-core machine.
"""
import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from policygen import generate_policy  # noqa: E402


def timed(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=False, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    kpi = [sys.executable, "-m", "kpi_engine"]
    print(f"kpi --help: {timed(kpi + ['--help'], args.runs):.3f} s")
    with tempfile.TemporaryDirectory() as folder:
        for size in (10, 100, 1000):
            path = Path(folder) / f"policy_{size}.kpi"
            path.write_text(generate_policy(size, seed=1), encoding="utf-8")
            lines = path.read_text(encoding="utf-8").count("\n")
            print(f"kpi check, {size:>5} indicators ({lines} lines): {timed(kpi + ['check', str(path)], args.runs):.3f} s")


if __name__ == "__main__":
    main()
