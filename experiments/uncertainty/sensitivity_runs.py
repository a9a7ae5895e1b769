"""Model runs of a sensitivity design: one file per finished design point, parallel, resumable.

A design point is a set of parameter values. At every point each *arm* (a strategy's config) is
run once per replicate seed; the seeds are the same at every point and in every arm (common
random numbers), so the difference between two points, or between two arms, is not blurred by
different random draws, and a parameter the model never reads changes nothing at all.

Each point's results (one row per arm and replicate: the time-averaged outcomes) are written to
``<points_dir>/<stage>/<key>.parquet`` atomically as soon as the point is finished; a rerun
reuses the files that exist and computes only the missing points.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
from joblib import delayed
from tqdm import tqdm

from experiments.io import write_table
from experiments.parallel import check_shared_folder, parallel
from experiments.uncertainty.priors import with_values
from model import ModelConfig, WorkforceModel

RECORDED = (
    "avoidable_errors_per_1000",
    "automation_bias_errors_per_1000",
    "aversion_errors_per_1000",
    "appropriate_share",
)
"""Outcomes kept per run, each as its time average (mean over the weeks where defined)."""


@dataclass(frozen=True)
class Point:
    """One design point of a stage: its file key, the parameter values it sets, its arms."""

    stage: str
    key: str
    values: Mapping[str, float]
    arms: tuple[str, ...]

    def path(self, points_dir: Path) -> Path:
        """Where its results go."""
        return Path(points_dir) / self.stage / f"{self.key}.parquet"


def time_averages(outcomes: pd.DataFrame, names: Sequence[str] = RECORDED) -> dict[str, float]:
    """The mean of each outcome over the weeks where it is defined (NaN weeks left out)."""
    return {name: float(outcomes[name].mean()) for name in names}


def run_point(
    point: Point,
    arms: Mapping[str, ModelConfig],
    seeds: Sequence[int],
    points_dir: Path,
    outcomes: Sequence[str] = RECORDED,
) -> float:
    """Run the point's arms for every seed, write the point's table; return wall time."""
    started = time.perf_counter()
    rows = []
    for arm in point.arms:
        config = with_values(arms[arm], point.values)
        for replicate, seed in enumerate(seeds):
            result = WorkforceModel(replace(config, seed=seed)).run()
            rows.append(
                {
                    "arm": arm,
                    "replicate": replicate,
                    "seed": seed,
                    **time_averages(result, outcomes),
                }
            )
    table = pd.DataFrame(rows).assign(stage=point.stage, point=point.key)
    write_table(point.path(points_dir).with_suffix(""), table, ("parquet",))
    return time.perf_counter() - started


def run_points(
    points: Sequence[Point],
    arms: Mapping[str, ModelConfig],
    seeds: Sequence[int],
    points_dir: Path,
    n_jobs: int,
    progress: bool = True,
    outcomes: Sequence[str] = RECORDED,
) -> dict[str, int]:
    """Run the points without a file yet, in parallel (:mod:`experiments.parallel`), with a bar.

    Returns:
        Counts: ``points_total``, ``points_reused``, ``points_computed``, ``runs_computed``.
    """
    points_dir = Path(points_dir).absolute()  # Dask workers may start in another folder
    todo = [p for p in points if not p.path(points_dir).exists()]
    if todo:
        points_dir.mkdir(parents=True, exist_ok=True)
        check_shared_folder(points_dir)
        stage = todo[0].stage
        jobs = (
            delayed(run_point)(p, {a: arms[a] for a in p.arms}, seeds, points_dir, outcomes)
            for p in todo
        )
        results = parallel(n_jobs, return_as="generator_unordered")(jobs)
        bar = tqdm(results, total=len(todo), desc=stage, unit="point", disable=not progress)
        for _ in bar:
            pass
    return {
        "points_total": len(points),
        "points_reused": len(points) - len(todo),
        "points_computed": len(todo),
        "runs_computed": sum(len(p.arms) for p in todo) * len(seeds),
    }


def collect_points(points: Sequence[Point], points_dir: Path) -> pd.DataFrame:
    """Every point's table, in the order of ``points``."""
    return pd.concat([pd.read_parquet(p.path(points_dir)) for p in points], ignore_index=True)


def point_means(table: pd.DataFrame, points: Sequence[Point], arm: str, name: str) -> pd.Series:
    """One arm's outcome averaged over replicates, per point, in the order of ``points``."""
    rows = table[table.arm == arm]
    means = rows.groupby("point", sort=False)[name].mean()
    return means.reindex([p.key for p in points])


__all__ = [
    "RECORDED",
    "Point",
    "collect_points",
    "point_means",
    "run_point",
    "run_points",
    "time_averages",
]
