"""Speed and memory of WorkforceModel, and its speed against per-agent Mesa references.

Run from the repo root::

    python -m benchmarks.bench_step                      # 10k, 100k and 1.4M workers, 156 weeks
    python -m benchmarks.bench_step --sizes 10000 --weeks 52

Each size is built and run in its own fresh subprocess (default config with
``population.n_workers`` set and ``outcomes.by_group`` on, so every outcome is recorded every
week). Build time and run time are timed separately, wall (``time.perf_counter``) and process CPU
(``time.process_time``, all threads; on a busy machine the fairer figure). Peak memory is
the subprocess's peak resident set size, ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (KiB on
Linux), so it includes the interpreter and imported libraries (about 150 MB).

The headline speed ratio covers the **full weekly step**: :class:`~model.simulation.WorkforceModel`
against :class:`~benchmarks.full_reference.FullRulesReference`, an idiomatic per-agent Mesa model
of the same rules (turnover, adoption, use with verification, peer influence, fading and training
programmes, recording by group), on a config with two training programmes and turnover
(:func:`~benchmarks.step_timing.full_config`). Both start from the same model, run 40 weeks by
the vectorised model (so tools are live and training is under way), then a ``gc.freeze()`` (see
below), one untimed warm-up week and the timed weeks, each in its own fresh subprocess. The
measurements are in :mod:`benchmarks.step_timing`; this module is the command line.

The second ratio compares the vectorised belief update and peer influence
(:func:`~benchmarks.per_agent_reference.vectorised_week`, which runs the model's own
``update_beliefs`` and ``peer_influence`` with the talkers given) with two per-agent Mesa
implementations doing the same work on the same pre-drawn talkers and evidence, all started from
the same seeded 10,000-worker model:

- :class:`~benchmarks.per_agent_reference.MesaSpaceReference`, an idiomatic Mesa 3 network model
  (``CellAgent`` on a ``mesa.discrete_space.Network``, neighbours read through
  ``self.cell.neighborhood.agents``, stepped with ``self.agents.do``). The >= 200x target is
  judged against this one.
- :class:`~benchmarks.per_agent_reference.PerAgentReference`, the same per-agent loop over
  pre-resolved Python lists of neighbour agents: leaner than typical Mesa code, so a harder
  yardstick; its ratio is printed too.

Each implementation runs in its own fresh subprocess, from the same seeded model and inputs: a
``gc.freeze()``, one untimed warm-up week, then the same timed weeks, so garbage collection while
one runs walks only the objects made since (see :func:`~benchmarks.step_timing.measure_ratio`).
``gc.freeze()`` moves every object made so far out of the collector's reach without walking
them; a ``gc.collect()`` there, as before, walks them all and left the weeks after it slower for
several weeks (measured on the 10,000-worker full step: weeks 41 to 48 by 10 to 90%, against a
run with no collection; no run outside a benchmark collects between weeks). All are
single-threaded, so the ratios are judged on process CPU time, which a busy machine disturbs less
than wall time; both are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import mesa  # noqa: E402
import numpy as np  # noqa: E402
import scipy  # noqa: E402

from benchmarks.step_timing import (  # noqa: E402
    FULL_KINDS,
    FULL_START_WEEK,
    RATIO_KINDS,
    WARM_UP_WORKERS,
    measure_full_ratio,
    measure_full_step,
    measure_implementation,
    measure_ratio,
    measure_size,
    measure_size_in_subprocess,
)

DEFAULT_SIZES = (10_000, 100_000, 1_400_000)
HORIZON_WEEKS = 156
TARGET_SMALL = (10_000, 0.5e-3 * HORIZON_WEEKS)  # workers, seconds for 156 weeks (0.5 ms/week)
TARGET_LARGE = (1_400_000, 20.0, 1.5, 3.0)  # workers, s for 156 weeks, peak GB, build s
TARGET_RATIO = 200.0


def verdict(ok: bool) -> str:
    """PASS or FAIL."""
    return "PASS" if ok else "FAIL"


def size_target(row: dict[str, float], seconds_156: float) -> str:
    """The target for this size, if there is one, and whether it is met."""
    if row["workers"] == TARGET_SMALL[0]:
        return f"<= {TARGET_SMALL[1]:.3f} s: {verdict(seconds_156 <= TARGET_SMALL[1])}"
    if row["workers"] == TARGET_LARGE[0]:
        _, seconds, gigabytes, build = TARGET_LARGE
        ok = (
            seconds_156 <= seconds
            and row["peak_mb"] / 1024 <= gigabytes
            and row["build_s"] <= build
        )
        return f"<= {seconds:.0f} s, <= {gigabytes} GB, build <= {build:.0f} s: {verdict(ok)}"
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
        "--ratio-weeks",
        type=int,
        default=10,
        help="timed weeks of the speed-ratio comparison (after one warm-up week)",
    )
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument(
        "--ratio-child", choices=RATIO_KINDS + FULL_KINDS, default=None, help=argparse.SUPPRESS
    )
    parser.add_argument("--ratio-seed", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(measure_size(args.child, args.weeks)))
        return
    if args.ratio_child in FULL_KINDS:
        print(json.dumps(measure_full_step(args.ratio_child, args.ratio_workers, args.ratio_weeks)))
        return
    if args.ratio_child is not None:
        row = measure_implementation(
            args.ratio_child, args.ratio_workers, args.ratio_weeks, args.ratio_seed
        )
        print(json.dumps(row))
        return

    print_versions()
    print("peak memory: ru_maxrss of a fresh subprocess per size (whole process, incl. imports)")
    print(
        "build s / run s: wall time of the build and of the weeks; cpu s: their process CPU time "
        "(all threads)"
    )
    print(
        "load s: numba's start-up and the first loading of every compiled kernel, once per "
        f"process (a {WARM_UP_WORKERS:,}-worker run first), not part of build s or run s"
    )
    print()
    header = (
        f"{'workers':>10} {'load s':>7} {'build s':>8} {'cpu s':>6} {'run s':>8} {'cpu s':>8} "
        f"{'weeks/s':>8} {'156 wk s':>9} {'peak MB':>8}  target (156 weeks)"
    )
    print(header)
    print("-" * len(header))
    for n_workers in args.sizes:
        row = measure_size_in_subprocess(n_workers, args.weeks)
        seconds_156 = row["run_s"] * HORIZON_WEEKS / row["weeks"]
        mark = "" if row["weeks"] == HORIZON_WEEKS else "*"
        print(
            f"{n_workers:>10,} {row['load_s']:>7.2f} {row['build_s']:>8.2f} "
            f"{row['build_cpu_s']:>6.2f} "
            f"{row['run_s']:>8.2f} {row['run_cpu_s']:>8.2f} "
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
        print_full_ratio(measure_full_ratio(args.ratio_workers, args.ratio_weeks))
        print_ratio(measure_ratio(args.ratio_workers, args.ratio_weeks))


def print_full_ratio(r: dict[str, float]) -> None:
    """Per-week times of the full step, per-agent Mesa and vectorised, and their ratio."""
    print()
    print(
        f"FULL weekly step at {r['workers']:,} workers (turnover, adoption, use with "
        "verification, peers, training, recording by group), "
        f"{r['weeks']} weeks from week {FULL_START_WEEK + 1} after 1 warm-up week, median of "
        f"{r['repeats']} fresh processes each:"
    )
    for label, key in (
        ("per-agent Mesa (same rules)", "full_mesa"),
        ("vectorised", "full_vectorised"),
    ):
        built = f"  (agents built in {r[key + '_build_s']:.2f} s)" if key == "full_mesa" else ""
        low, high = r[key + "_week_cpu_s_range"]
        print(
            f"  {label + ':':33} {1000 * r[key + '_week_s']:9.3f} ms/week wall "
            f"{1000 * r[key + '_week_cpu_s']:9.3f} ms/week cpu "
            f"(cpu {1000 * low:.3f} to {1000 * high:.3f}){built}"
        )
    small = 1000 * r["full_vectorised_week_cpu_s"]
    print(
        f"  vs per-agent Mesa of the same rules: {r['ratio_cpu']:.0f}x cpu ({r['ratio']:.0f}x wall)"
        f"  target >= {TARGET_RATIO:.0f}x (cpu): {verdict(r['ratio_cpu'] >= TARGET_RATIO)}"
    )
    if r["workers"] == TARGET_SMALL[0]:
        target_ms = 1000 * TARGET_SMALL[1] / HORIZON_WEEKS
        ok = verdict(small <= target_ms)
        print(f"  vectorised full step <= {target_ms:.1f} ms/week (cpu): {ok}")


def print_ratio(r: dict[str, float]) -> None:
    """The per-week times of the three implementations and both speed ratios."""
    print()
    print(
        f"second ratio at {r['workers']:,} workers, {r['weeks']} weeks after 1 warm-up week, same "
        "inputs (belief update + peer influence only; cpu = process CPU time):"
    )
    rows = (
        ("Mesa network-space model", "space"),
        ("per-agent loop, neighbour lists", "lists"),
        ("vectorised", "vectorised"),
    )
    for label, key in rows:
        built = f"  (agents built in {r[key + '_build_s']:.2f} s)" if key != "vectorised" else ""
        print(
            f"  {label + ':':33} {1000 * r[key + '_week_s']:9.2f} ms/week wall "
            f"{1000 * r[key + '_week_cpu_s']:9.2f} ms/week cpu{built}"
        )
    print(
        f"  vs Mesa network-space model (idiomatic Mesa): {r['space_ratio_cpu']:.0f}x cpu "
        f"({r['space_ratio']:.0f}x wall)  target >= {TARGET_RATIO:.0f}x (cpu): "
        f"{verdict(r['space_ratio_cpu'] >= TARGET_RATIO)}"
    )
    print(
        "  vs per-agent loop with pre-resolved neighbour lists (leaner than typical Mesa): "
        f"{r['lists_ratio_cpu']:.0f}x cpu ({r['lists_ratio']:.0f}x wall)"
    )
    print(
        "  max |trust difference| from vectorised: "
        f"Mesa network-space {r['space_max_trust_difference']:.1e}, "
        f"neighbour lists {r['lists_max_trust_difference']:.1e}"
    )


if __name__ == "__main__":
    main()
