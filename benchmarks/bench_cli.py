"""How fast run.py answers --help and a configuration error (goal: <= 1.5 s each).

python -m benchmarks.bench_cli            # median wall time of 5 fresh processes each
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CASES = {
    "--help": ["--help"],
    "config error": ["population.n_workers=-3"],
}


def wall_times(args: list[str], repeats: int = 5) -> list[float]:
    """Wall time of ``repeats`` fresh ``python run.py <args>`` processes."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "run.py", *args], cwd=REPO, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    """Print the median and range per case."""
    for name, args in CASES.items():
        times = wall_times(args)
        print(
            f"{name:<14} median {statistics.median(times):.2f} s "
            f"(min {min(times):.2f}, max {max(times):.2f}; goal <= 1.5 s)"
        )


if __name__ == "__main__":
    main()
