"""Timing of the weekly step for :mod:`benchmarks.bench_step`, each measurement in a fresh process.

The command line and the printing are in :mod:`benchmarks.bench_step`, which also describes the
method; each ``measure_*`` here either runs in this process (called by a child started with the
hidden ``--child`` or ``--ratio-child`` flags) or starts those children and gathers their JSON.
"""

from __future__ import annotations

import gc
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

from benchmarks.full_reference import FullRulesReference
from benchmarks.per_agent_reference import (
    MesaSpaceReference,
    PerAgentReference,
    WeekInputs,
    draw_week_inputs,
    vectorised_week,
)
from model import WorkforceModel
from model.config import ModelConfig, ProgrammeConfig

ROOT = Path(__file__).resolve().parents[1]
REFERENCES = {"space": MesaSpaceReference, "lists": PerAgentReference}
RATIO_KINDS = (*REFERENCES, "vectorised")
FULL_KINDS = ("full_mesa", "full_vectorised")
FULL_START_WEEK = 40


def config(n_workers: int) -> ModelConfig:
    """The default config at a given headcount, every outcome recorded."""
    cfg = ModelConfig()
    cfg.population.n_workers = n_workers
    cfg.outcomes.by_group = True
    return cfg


def full_config(n_workers: int) -> ModelConfig:
    """:func:`config` with turnover (the default 11% a year) and two training programmes.

    E-learning for a random half of the staff with refreshers every 26 weeks and just-in-time
    workshops before each department's go-live, from a budget of 50 GBP per worker spent evenly
    over the three years, so every weekly rule has work to do.
    """
    cfg = config(n_workers)
    cfg.strategy.name = "benchmark"
    cfg.strategy.budget_gbp = 50.0 * n_workers
    cfg.strategy.programmes = [
        ProgrammeConfig(modality="elearning", target="random", coverage=0.5, refresher_weeks=26),
        ProgrammeConfig(modality="workshop", target="just_in_time", window_weeks=4),
    ]
    return cfg


def measure_full_step(kind: str, n_workers: int, weeks: int) -> dict:
    """Time the full weekly step of one implementation, in this process.

    The vectorised model runs :data:`FULL_START_WEEK` weeks untimed; ``full_mesa`` then copies
    its state into a :class:`FullRulesReference` (the build is timed), ``full_vectorised`` goes
    on itself. Each then runs a ``gc.freeze()`` (see the module docstring), one untimed warm-up
    week and ``weeks`` timed weeks. Returns the build time and wall and CPU seconds per week.
    """
    model = WorkforceModel(full_config(n_workers))
    model.run(FULL_START_WEEK)
    start = time.perf_counter()
    target = FullRulesReference(model) if kind == "full_mesa" else model
    build_s = time.perf_counter() - start
    gc.freeze()
    target.step()
    week_s, week_cpu_s = _time_weeks(lambda _: target.step(), [None] * weeks)
    return {"build_s": build_s, "week_s": week_s, "week_cpu_s": week_cpu_s}


FULL_REPEATS = 5
"""Fresh processes per implementation of the full step; the median of their times is reported."""


def measure_full_ratio(n_workers: int, weeks: int) -> dict[str, float]:
    """Seconds per week of the full step, per-agent Mesa against vectorised, fresh processes.

    Each implementation is timed in :data:`FULL_REPEATS` fresh processes, the two kinds
    alternating, and each time is the median over them (the smallest and largest CPU times are
    kept too): a 10-week window moves by a tenth or more from one process to the next on a
    shared machine.
    """
    result: dict[str, float] = {"workers": n_workers, "weeks": weeks, "repeats": FULL_REPEATS}
    runs: dict[str, list[dict]] = {kind: [] for kind in FULL_KINDS}
    for _ in range(FULL_REPEATS):
        for kind in FULL_KINDS:
            runs[kind].append(_run_ratio_child(kind, n_workers, weeks))
    for kind, rows in runs.items():
        for name in rows[0]:
            result[f"{kind}_{name}"] = float(np.median([row[name] for row in rows]))
        cpu = [row["week_cpu_s"] for row in rows]
        result[f"{kind}_week_cpu_s_range"] = (min(cpu), max(cpu))
    result["ratio"] = result["full_mesa_week_s"] / result["full_vectorised_week_s"]
    result["ratio_cpu"] = result["full_mesa_week_cpu_s"] / result["full_vectorised_week_cpu_s"]
    return result


WARM_UP_WORKERS = 2_000
"""Headcount of the model whose run loads the compiled code before a size is timed."""


def load_compiled_code(weeks: int) -> float:
    """Load numba and every compiled kernel into this process; return the seconds it took.

    A run of :data:`WARM_UP_WORKERS` workers over ``weeks`` weeks calls every kernel the timed
    run calls. Numba's start-up and the loading of each kernel from its on-disk cache (about
    0.2 s together, whatever the size) are paid once per process, not per model or week, so
    they are timed here and printed apart from the build and the weeks.
    """
    start = time.perf_counter()
    WorkforceModel(config(WARM_UP_WORKERS)).run(weeks)
    return time.perf_counter() - start


def measure_size(n_workers: int, weeks: int) -> dict[str, float]:
    """Build and run one model in this process; return times (s) and peak RSS (MB).

    The compiled code is loaded first (:func:`load_compiled_code`, its time returned as
    ``load_s``), so the build and the weeks are the model's own costs.
    """
    load_s = load_compiled_code(weeks)
    gc.freeze()
    start, start_cpu = time.perf_counter(), time.process_time()
    model = WorkforceModel(config(n_workers))
    built, built_cpu = time.perf_counter(), time.process_time()
    model.run(weeks)
    outcomes, by_group = model.outcomes, model.outcomes_by_group
    done, done_cpu = time.perf_counter(), time.process_time()
    assert len(outcomes) == weeks and len(by_group) > 0
    return {
        "workers": n_workers,
        "weeks": weeks,
        "load_s": load_s,
        "build_s": built - start,
        "build_cpu_s": built_cpu - start_cpu,
        "run_s": done - built,
        "run_cpu_s": done_cpu - built_cpu,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _run_child(args: list[str]) -> dict:
    """Run this module with the given flags in a fresh interpreter; its last line is JSON."""
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_step", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _run_ratio_child(kind: str, n_workers: int, weeks: int, *extra: str) -> dict:
    """One implementation's timing (``--ratio-child kind``) in a fresh interpreter."""
    return _run_child(
        ["--ratio-child", kind, "--ratio-workers", str(n_workers), "--ratio-weeks", str(weeks)]
        + list(extra)
    )


def measure_size_in_subprocess(n_workers: int, weeks: int) -> dict[str, float]:
    """Run :func:`measure_size` in a fresh interpreter so peak memory is this size's alone."""
    return _run_child(["--child", str(n_workers), "--weeks", str(weeks)])


def _time_weeks(run_week: Callable[[WeekInputs], None], inputs: list) -> tuple[float, float]:
    """Wall and CPU seconds per week of running ``run_week`` over the given weeks."""
    start, start_cpu = time.perf_counter(), time.process_time()
    for week in inputs:
        run_week(week)
    return (
        (time.perf_counter() - start) / len(inputs),
        (time.process_time() - start_cpu) / len(inputs),
    )


def measure_implementation(kind: str, n_workers: int, weeks: int, seed: int = 1) -> dict:
    """Build one implementation of the two rules and time its weeks, in this process.

    ``kind`` is ``space`` (:class:`MesaSpaceReference`), ``lists`` (:class:`PerAgentReference`)
    or ``vectorised``. Every kind starts from the same seeded model and sees the same seeded
    inputs: a ``gc.freeze()``, one untimed warm-up week (so one-off costs such as Mesa building
    each cell's neighbourhood on first use are not timed), then ``weeks`` timed weeks.
    Returns the build time, wall and CPU seconds per week, and the final trust (N x K, as lists).
    """
    model = WorkforceModel(config(n_workers))
    rng = np.random.default_rng(seed)
    wf, beh = model.workforce, model.config.behaviour
    warm_up, *inputs = [
        draw_week_inputs(rng, wf.size, wf.trust.shape[1], beh.talk_probability)
        for _ in range(weeks + 1)
    ]
    start = time.perf_counter()
    reference = None if kind == "vectorised" else REFERENCES[kind](model)
    run_week = partial(vectorised_week, model) if reference is None else reference.run_week
    build_s = time.perf_counter() - start
    gc.freeze()
    run_week(warm_up)
    week_s, week_cpu_s = _time_weeks(run_week, inputs)
    return {
        "build_s": build_s,
        "week_s": week_s,
        "week_cpu_s": week_cpu_s,
        "trust": (wf.trust if reference is None else reference.trust).tolist(),
    }


def measure_ratio(n_workers: int, weeks: int, seed: int = 1) -> dict[str, float]:
    """Seconds per week of both per-agent references and of the vectorised functions, same inputs.

    Each implementation runs in its own fresh interpreter (:func:`measure_implementation`), so
    none is timed with another's objects alive for the garbage collector to walk (Mesa 3.3 keeps
    every model alive through ``Agent._ids``, and Mesa's cached cell neighbourhoods keep a
    ``Network``'s cells alive, so deleting one in-process would not free it). Keys are prefixed
    ``space_``, ``lists_`` and ``vectorised_``.
    """
    result: dict[str, float] = {"workers": n_workers, "weeks": weeks}
    trust = {}
    for kind in RATIO_KINDS:
        row = _run_ratio_child(kind, n_workers, weeks, "--ratio-seed", str(seed))
        trust[kind] = np.array(row.pop("trust"))
        result.update({f"{kind}_{name}": value for name, value in row.items()})
    for kind in REFERENCES:
        result[f"{kind}_ratio"] = result[f"{kind}_week_s"] / result["vectorised_week_s"]
        result[f"{kind}_ratio_cpu"] = result[f"{kind}_week_cpu_s"] / result["vectorised_week_cpu_s"]
        difference = np.abs(trust[kind] - trust["vectorised"]).max()
        result[f"{kind}_max_trust_difference"] = float(difference)
    return result
