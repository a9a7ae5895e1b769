"""Paired PSA runs: every strategy on every draw with the draw's seed, parallel and resumable.

A run is one strategy on one draw: the strategy's config with the draw's parameter values set
(:func:`experiments.uncertainty.priors.with_values`) and the draw's seed, so two strategies that
differ in nothing give identical runs, and differences between strategies on a draw are paired
(common random numbers; Briggs, Claxton & Sculpher 2006, *Decision Modelling for Health Economic
Evaluation*, ch. 4). Each finished run writes two small tables under ``runs/draw_<d>/``:
``<strategy>_weekly.parquet`` (the weekly columns the effects need) and ``<strategy>.parquet``
(its measures per staff group and archetype), the latter last, atomically: its presence marks the
run complete, and a rerun with ``resume=`` computes only the runs without it. Same machinery
as :mod:`experiments.runner` (joblib, one atomic file per run), except that each run is reduced
to its measures in the worker: the scenario runner keeps every weekly table by group, which for
1,800 runs would be millions of rows to collect.

Measures of a run, per ``grouping`` (``all``, ``staff_group``, ``archetype``) and ``group``:
each outcome of :data:`TIME_AVERAGED` averaged over the weeks where it is defined
(``<outcome>_time_average``), ``appropriate_share_final``, and for the whole workforce
``cumulative_cost_gbp`` and ``appropriate_worker_weeks`` (final running totals) and
``avoidable_errors`` (their number over the horizon).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import delayed
from tqdm import tqdm

from experiments.io import write_table
from experiments.outcomes import outcome, pretty
from experiments.parallel import check_shared_folder, parallel
from experiments.summary import errors_averted
from experiments.uncertainty.priors import with_values
from model import ModelConfig, WorkforceModel

TIME_AVERAGED = (
    "avoidable_errors_per_1000",
    "automation_bias_errors_per_1000",
    "aversion_errors_per_1000",
    "appropriate_share",
    "over_trust_share",
    "under_trust_share",
    "adoption_share",
    "decision_accuracy",
)
WEEKLY = ("week", "avoidable_errors_per_1000", "decisions")
WEEKS_PER_YEAR = 52.0
CONDITION = "psa"

MEASURE_SUFFIXES = {"_time_average": "averaged over the weeks", "_final": "in the final week"}


def column_words(column: str) -> str:
    """'Avoidable errors, averaged over the weeks' for a PSA table column."""
    if column == "avoidable_errors":
        return "Avoidable errors, in total over the horizon"
    for ending, words in MEASURE_SUFFIXES.items():
        if column.endswith(ending):
            return f"{outcome(column.removesuffix(ending)).label}, {words}"
    return pretty(column)


@dataclass(frozen=True)
class PsaRun:
    """One strategy on one draw."""

    draw: int
    strategy: str
    seed: int
    values: Mapping[str, float]

    def path(self, runs_dir: Path, kind: str = "") -> Path:
        """Its table ``kind`` ('' measures, '_weekly') under ``runs_dir``."""
        return runs_dir / f"draw_{self.draw:04d}" / f"{self.strategy}{kind}.parquet"


def build_runs(
    draws: pd.DataFrame, strategies: Iterable[str], parameters: list[str]
) -> list[PsaRun]:
    """Every (draw, strategy) run, draws outermost, with the draw's values and seed."""
    strategies = list(strategies)
    runs = []
    for record in draws.to_dict("records"):
        values = {p: float(record[p]) for p in parameters}
        draw, seed = int(record["draw"]), int(record["seed"])
        runs += [PsaRun(draw, s, seed, values) for s in strategies]
    return runs


def run_config(run: PsaRun, base: ModelConfig) -> ModelConfig:
    """The strategy's config with the draw's parameter values and seed."""
    return replace(with_values(base, run.values), seed=run.seed)


def measures(outcomes: pd.DataFrame, by_group: pd.DataFrame) -> pd.DataFrame:
    """A run's measures, one row per grouping and group (module docstring)."""
    whole = outcomes.assign(grouping="all", group="all")
    table = pd.concat([whole, by_group], ignore_index=True)
    grouped = table.groupby(["grouping", "group"], sort=False)
    averages = grouped[list(TIME_AVERAGED)].mean().add_suffix("_time_average")
    final = grouped[["appropriate_share"]].last().add_suffix("_final")
    result = pd.concat([averages, final], axis=1).reset_index()
    errors = outcomes.avoidable_errors_per_1000 * outcomes.decisions / 1000.0
    totals = {
        "cumulative_cost_gbp": float(outcomes.cumulative_cost_gbp.iloc[-1]),
        "appropriate_worker_weeks": float(outcomes.appropriate_worker_weeks.iloc[-1]),
        "avoidable_errors": float(errors.where(outcomes.decisions > 0, 0.0).sum()),
    }
    for name, value in totals.items():
        result[name] = np.where(result.grouping == "all", value, np.nan)
    return result


def simulate(run: PsaRun, base: ModelConfig, runs_dir: Path) -> float:
    """Run one strategy on one draw and write its tables; returns its CPU time in seconds."""
    started = time.process_time()
    model = WorkforceModel(run_config(run, base))
    outcomes = model.run()
    keys = {"draw": run.draw, "strategy": run.strategy, "seed": run.seed}
    weekly = outcomes[list(WEEKLY)].assign(**keys)
    write_table(run.path(runs_dir, "_weekly").with_suffix(""), weekly, ("parquet",))
    # The measures file is written last: its presence marks the run as complete.
    table = measures(outcomes, model.outcomes_by_group).assign(**keys)
    write_table(run.path(runs_dir).with_suffix(""), table, ("parquet",))
    return time.process_time() - started


def run_all(
    runs: list[PsaRun],
    bases: Mapping[str, ModelConfig],
    runs_dir: Path,
    n_jobs: int,
    progress: bool = True,
) -> dict[str, float]:
    """Run the runs not yet complete in parallel (:mod:`experiments.parallel`); counts, times.

    Args:
        runs: Every run of the PSA (:func:`build_runs`).
        bases: Strategy name -> its config before the draw's values are set.
        runs_dir: The results folder's ``runs/``.
        n_jobs: Processes (-1 = every allocated core); on Dask, the cluster's workers.
        progress: Show a progress bar.
    """
    runs_dir = Path(runs_dir).absolute()  # Dask workers may start in another folder
    todo = [r for r in runs if not r.path(runs_dir).exists()]
    started = time.perf_counter()
    cpu = 0.0
    if todo:
        runs_dir.mkdir(parents=True, exist_ok=True)
        check_shared_folder(runs_dir)
        jobs = (delayed(simulate)(r, bases[r.strategy], runs_dir) for r in todo)
        results = parallel(n_jobs, return_as="generator_unordered")(jobs)
        for seconds in tqdm(
            results, total=len(todo), desc="PSA runs", unit="run", disable=not progress
        ):
            cpu += seconds
    return {
        "runs_total": len(runs),
        "runs_reused": len(runs) - len(todo),
        "runs_computed": len(todo),
        "simulation_wall_time_s": time.perf_counter() - started,
        "simulation_cpu_time_s": cpu,  # summed over processes: the time on one free core
    }


def collect(runs: list[PsaRun], runs_dir: Path, draws: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """The PSA table: one row per draw, strategy and group, with the draw's parameter values.

    Adds, on the whole-workforce rows, the effects and extra cost against ``baseline`` on the
    same draw: ``errors_averted`` (avoidable errors averted on the strategy's own decisions,
    :func:`experiments.summary.errors_averted`), ``appropriate_worker_years_gained``
    (``appropriate_worker_weeks`` gained / 52) and ``extra_cost_gbp``.
    """
    table = pd.concat([pd.read_parquet(r.path(runs_dir)) for r in runs], ignore_index=True)
    weekly = pd.concat([pd.read_parquet(r.path(runs_dir, "_weekly")) for r in runs])
    weekly = weekly.rename(columns={"strategy": "scenario", "draw": "replicate"})
    averted = errors_averted(weekly.assign(condition=CONDITION), baseline)
    averted = averted.xs(CONDITION, level="condition").rename("errors_averted").reset_index()
    averted = averted.rename(columns={"scenario": "strategy", "replicate": "draw"})
    whole = table[table.grouping == "all"].set_index("draw")
    base = whole[whole.strategy == baseline]
    gained = {
        "appropriate_worker_years_gained": (
            whole.appropriate_worker_weeks - base.appropriate_worker_weeks.reindex(whole.index)
        )
        / WEEKS_PER_YEAR,
        "extra_cost_gbp": whole.cumulative_cost_gbp - base.cumulative_cost_gbp.reindex(whole.index),
    }
    effects = whole[["strategy"]].assign(**gained).reset_index()
    effects = effects.merge(averted, on=["draw", "strategy"], how="left").assign(grouping="all")
    table = table.merge(effects, on=["draw", "strategy", "grouping"], how="left")
    parameters = draws.drop(columns=["seed"])
    return table.merge(parameters, on="draw", how="left").sort_values(
        ["draw", "strategy", "grouping", "group"], kind="stable", ignore_index=True
    )


__all__ = [
    "PsaRun",
    "column_words",
    "build_runs",
    "collect",
    "measures",
    "run_all",
    "run_config",
    "simulate",
]
