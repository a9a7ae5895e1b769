"""Evaluate candidate strategies: every candidate on the same replicate seeds, in parallel.

Common random numbers: a batch's candidates all run on the same seeds (Law 2015, *Simulation
Modeling and Analysis*, ch. 11), so differences between candidates come from the candidates, not
from chance in who meets which case. The runs go through the experiment runner
(:func:`experiments.runner.run_all`: joblib, one atomic file per run, finished runs reused on
resume), so any joblib backend the runner supports serves the search too.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.runner import RunSpec, collect, run_all
from experiments.summary import mean_ci, per_replicate
from experiments.uncertainty.priors import with_values
from model import ModelConfig, as_model_config

REPORTED = {
    # outcome -> measure always recorded besides the objectives (cost and staff time away)
    "avoidable_errors_per_1000": "time_average",
    "cumulative_cost_gbp": "cumulative",
    "cumulative_staff_hours": "cumulative",
}


def trial_scenario(number: int) -> str:
    """The runs folder name of trial ``number``."""
    return f"trial_{number:05d}"


def model_config(base: Mapping[str, Any], strategy: Mapping[str, Any]) -> ModelConfig:
    """The validated model config of ``base`` (plain config values) with ``strategy``."""
    return as_model_config({**base, "strategy": dict(strategy)})


Variant = tuple[int, Mapping[str, float]]
"""A replicate: its seed and the parameter values it sets (empty: the config's own values)."""


def specs_for(
    configs: Mapping[str, ModelConfig], variants: Sequence[Variant], condition: str
) -> list[RunSpec]:
    """One run per scenario and replicate: every scenario on the same seeds and values (paired).

    In robust mode a replicate's values are a PSA draw of the uncertain parameters
    (:func:`experiments.uncertainty.draws.sample_draws`), set with
    :func:`experiments.uncertainty.priors.with_values`.
    """
    return [
        RunSpec(name, condition, r, replace(with_values(config, values), seed=int(seed)))
        for name, config in configs.items()
        for r, (seed, values) in enumerate(variants)
    ]


def measures(runs: pd.DataFrame, outcomes: Mapping[str, str]) -> pd.DataFrame:
    """Per scenario and replicate, each outcome's measure (``outcomes``: name -> measure).

    Returns:
        Columns scenario, replicate, seed and one per outcome.
    """
    names = list(dict.fromkeys([*outcomes, *REPORTED]))
    wanted = {**REPORTED, **outcomes}
    table = per_replicate(runs, names)
    seeds = runs.groupby(["scenario", "replicate"], sort=False).seed.first()
    columns = []
    for name in names:
        part = table[table.measure == wanted[name]].set_index(["scenario", "replicate"])[name]
        columns.append(part)
    result = pd.concat(columns, axis=1)
    result["seed"] = seeds.reindex(result.index).to_numpy()
    return result.reset_index()


def evaluate(
    configs: Mapping[str, ModelConfig],
    variants: Sequence[Variant],
    outcomes: Mapping[str, str],
    runs_dir: Path,
    condition: str,
    n_jobs: int,
    progress: bool = True,
    keep_runs: bool = True,
    counts: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Run every config on every replicate (skipping finished runs) and return the measures.

    Args:
        configs: Scenario name -> model config.
        variants: The replicates (seed, parameter values), the same for every scenario.
        outcomes: Outcome -> measure to return (the objectives), besides :data:`REPORTED`.
        runs_dir: The ``runs/`` folder of the results.
        condition: Sub-folder of each scenario (``search``, ``reevaluate``, ``confirm``).
        n_jobs: Parallel processes (joblib; -1 = every core).
        progress: Show the runner's progress bar.
        keep_runs: Keep the run files (False: removed once measured).
        counts: Run counts and wall time to add this call's to (``runs_total``, ...).

    Returns:
        One row per scenario and replicate (:func:`measures`).
    """
    specs = specs_for(configs, variants, condition)
    done = run_all(specs, runs_dir, n_jobs, progress=progress)
    if counts is not None:
        for key, value in done.items():
            counts[key] = counts.get(key, 0) + value
    table = measures(collect(specs, runs_dir), outcomes)
    if not keep_runs:
        for name in configs:
            shutil.rmtree(runs_dir / name / condition, ignore_errors=True)
            shutil.rmtree(runs_dir.parent / "snapshots" / name / condition, ignore_errors=True)
    return table


def mean_and_ci(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% Student-t confidence interval of the mean (NaNs dropped)."""
    return mean_ci(np.asarray(values, dtype=float))


__all__ = ["REPORTED", "evaluate", "mean_and_ci", "measures", "model_config", "trial_scenario"]
