"""Speed and memory of WorkforceModel, and its speed against a per-agent Mesa reference.

Run from the repo root::

    python -m benchmarks.bench_step                      # 10k, 100k and 1.4M workers, 156 weeks
    python -m benchmarks.bench_step --sizes 10000 --weeks 52

Each size is built and run in its own fresh subprocess (default config with
``population.n_workers`` set and ``outcomes.by_group`` on, so every outcome is recorded every
week). Build time and run time are timed separately with ``time.perf_counter``. Peak memory is
the subprocess's peak resident set size, ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (KiB on
Linux), so it includes the interpreter and imported libraries (about 150 MB).

The speed ratio compares the vectorised belief update and peer influence
(:func:`~benchmarks.per_agent_reference.vectorised_week`) with the per-agent Mesa reference
(:class:`~benchmarks.per_agent_reference.PerAgentReference`) doing the same work on the same
pre-drawn talkers and evidence, both started from the same 10,000-worker model, in one process.
Both are single-threaded, so the ratio is judged on process CPU time, which a busy machine
disturbs less than wall time; both are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import mesa  # noqa: E402
import numpy as np  # noqa: E402
import scipy  # noqa: E402

from benchmarks.per_agent_reference import (  # noqa: E402
    PerAgentReference,
    draw_week_inputs,
    vectorised_week,
)
from model import WorkforceModel  # noqa: E402
from model.config import ModelConfig  # noqa: E402

DEFAULT_SIZES = (10_000, 100_000, 1_400_000)
HORIZON_WEEKS = 156
TARGET_SMALL = (10_000, 1.0)  # workers, seconds for 156 weeks
TARGET_LARGE = (1_400_000, 60.0, 4.0)  # workers, seconds for 156 weeks, peak GB
TARGET_RATIO = 200.0


def config(n_workers: int) -> ModelConfig:
    """The default config at a given headcount, every outcome recorded."""
    cfg = ModelConfig()
    cfg.population.n_workers = n_workers
    cfg.outcomes.by_group = True
    return cfg


def measure_size(n_workers: int, weeks: int) -> dict[str, float]:
    """Build and run one model in this process; return times (s) and peak RSS (MB)."""
    start = time.perf_counter()
    model = WorkforceModel(config(n_workers))
    built, built_cpu = time.perf_counter(), time.process_time()
    model.run(weeks)
    outcomes, by_group = model.outcomes, model.outcomes_by_group
    done, done_cpu = time.perf_counter(), time.process_time()
    assert len(outcomes) == weeks and len(by_group) > 0
    return {
        "workers": n_workers,
        "weeks": weeks,
        "build_s": built - start,
        "run_s": done - built,
        "run_cpu_s": done_cpu - built_cpu,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure_size_in_subprocess(n_workers: int, weeks: int) -> dict[str, float]:
    """Run :func:`measure_size` in a fresh interpreter so peak memory is this size's alone."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.bench_step",
            "--child",
            str(n_workers),
            "--weeks",
            str(weeks),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure_ratio(n_workers: int, weeks: int, seed: int = 1) -> dict[str, float]:
    """Seconds per week of the per-agent reference and of the vectorised functions, same inputs."""
    model = WorkforceModel(config(n_workers))
    start = time.perf_counter()
    reference = PerAgentReference(model)
    reference_build_s = time.perf_counter() - start
    rng = np.random.default_rng(seed)
    wf, beh = model.workforce, model.config.behaviour
    inputs = [
        draw_week_inputs(rng, wf.size, wf.trust.shape[1], beh.talk_probability)
        for _ in range(weeks)
    ]
    start, start_cpu = time.perf_counter(), time.process_time()
    for week in inputs:
        reference.run_week(week)
    reference_s = time.perf_counter() - start
    reference_cpu_s = time.process_time() - start_cpu
    start, start_cpu = time.perf_counter(), time.process_time()
    for week in inputs:
        vectorised_week(model, week)
    vectorised_s = time.perf_counter() - start
    vectorised_cpu_s = time.process_time() - start_cpu
    max_difference = float(np.abs(reference.trust - wf.trust).max())
    return {
        "workers": n_workers,
        "weeks": weeks,
        "reference_build_s": reference_build_s,
        "reference_week_s": reference_s / weeks,
        "vectorised_week_s": vectorised_s / weeks,
        "reference_week_cpu_s": reference_cpu_s / weeks,
        "vectorised_week_cpu_s": vectorised_cpu_s / weeks,
        "ratio": reference_s / vectorised_s,
        "ratio_cpu": reference_cpu_s / vectorised_cpu_s,
        "max_trust_difference": max_difference,
    }


def verdict(ok: bool) -> str:
    """PASS or FAIL."""
    return "PASS" if ok else "FAIL"


def size_target(row: dict[str, float], seconds_156: float) -> str:
    """The target for this size, if there is one, and whether it is met."""
    if row["workers"] == TARGET_SMALL[0]:
        return f"< {TARGET_SMALL[1]:.0f} s: {verdict(seconds_156 < TARGET_SMALL[1])}"
    if row["workers"] == TARGET_LARGE[0]:
        ok = seconds_156 < TARGET_LARGE[1] and row["peak_mb"] / 1024 < TARGET_LARGE[2]
        return f"< {TARGET_LARGE[1]:.0f} s and < {TARGET_LARGE[2]:.0f} GB: {verdict(ok)}"
    return "-"


def print_versions() -> None:
    """Python, numpy, scipy and mesa versions, and the machine."""
    print(
        f"python {platform.python_version()}  numpy {np.__version__}  scipy {scipy.__version__}"
        f"  mesa {mesa.__version__}"
    )
    print(
        f"{platform.platform()}  cpus {os.cpu_count()}  "
        f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}  "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )


def main(argv: list[str] | None = None) -> None:
    """Parse the flags, run every size in its own subprocess, then the speed ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="*",
        default=list(DEFAULT_SIZES),
        help="headcounts to benchmark (default: 10000 100000 1400000)",
    )
    parser.add_argument(
        "--weeks", type=int, default=HORIZON_WEEKS, help="weeks to run at each size (default: 156)"
    )
    parser.add_argument(
        "--ratio-workers",
        type=int,
        default=10_000,
        help="headcount of the speed-ratio comparison (0 skips it)",
    )
    parser.add_argument(
        "--ratio-weeks", type=int, default=5, help="weeks of the speed-ratio comparison"
    )
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(measure_size(args.child, args.weeks)))
        return

    print_versions()
    print("peak memory: ru_maxrss of a fresh subprocess per size (whole process, incl. imports)")
    print("run s: wall time of the weeks (build excluded); cpu s: their process CPU time")
    print()
    header = (
        f"{'workers':>10} {'build s':>8} {'run s':>8} {'cpu s':>8} {'weeks/s':>8} "
        f"{'156 wk s':>9} {'peak MB':>8}  target (156 weeks)"
    )
    print(header)
    print("-" * len(header))
    for n_workers in args.sizes:
        row = measure_size_in_subprocess(n_workers, args.weeks)
        seconds_156 = row["run_s"] * HORIZON_WEEKS / row["weeks"]
        mark = "" if row["weeks"] == HORIZON_WEEKS else "*"
        print(
            f"{n_workers:>10,} {row['build_s']:>8.2f} {row['run_s']:>8.2f} "
            f"{row['run_cpu_s']:>8.2f} "
            f"{row['weeks'] / row['run_s']:>8.1f} {seconds_156:>8.2f}{mark:1} "
            f"{row['peak_mb']:>8.0f}  {size_target(row, seconds_156)}",
            flush=True,
        )
    if args.weeks != HORIZON_WEEKS:
        print(
            f"* extrapolated linearly from {args.weeks} weeks; later weeks have more users, so "
            "this underestimates"
        )
    if args.ratio_workers > 0:
        r = measure_ratio(args.ratio_workers, args.ratio_weeks)
        print()
        print(
            f"speed ratio at {r['workers']:,} workers, {r['weeks']} weeks, same inputs "
            "(belief update + peer influence only):"
        )
        print(
            f"  per-agent Mesa reference: {1000 * r['reference_week_s']:10.2f} ms/week wall "
            f"{1000 * r['reference_week_cpu_s']:10.2f} ms/week cpu "
            f"(agents built in {r['reference_build_s']:.2f} s)"
        )
        print(
            f"  vectorised:               {1000 * r['vectorised_week_s']:10.2f} ms/week wall "
            f"{1000 * r['vectorised_week_cpu_s']:10.2f} ms/week cpu"
        )
        print(
            f"  ratio {r['ratio']:.0f}x wall, {r['ratio_cpu']:.0f}x cpu  "
            f"target >= {TARGET_RATIO:.0f}x (cpu): {verdict(r['ratio_cpu'] >= TARGET_RATIO)}  "
            f"(max |trust difference| {r['max_trust_difference']:.1e})"
        )


if __name__ == "__main__":
    main()
