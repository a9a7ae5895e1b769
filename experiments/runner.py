"""Run an experiment: every scenario x condition x replicate, in parallel, resumable.

Replicate seeds derive from the experiment's seed (``numpy.random.SeedSequence.spawn``) and are
shared across scenarios and conditions, so differences between scenarios are paired. Each run is
written to ``runs/<scenario>/<condition>/rep_<r>.parquet`` as soon as it finishes (atomically);
a rerun with ``resume=<folder>`` reuses the finished runs and computes only the missing ones.
Runs go through :func:`experiments.parallel.parallel`: local processes, or a Dask cluster with
``parallel.backend=dask``. With ``experiment.shards=N experiment.shard=k`` a job runs only its
contiguous share of the replicate numbers (:func:`experiments.schema.replicate_range`), each with
the seed it has in the whole experiment, so N jobs pooled (:mod:`experiments.pool`) equal one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from hydra.errors import HydraException
from joblib import delayed
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException
from tqdm import tqdm

from experiments.estimate import estimate
from experiments.guard import fingerprint_metadata, matches
from experiments.io import write_table
from experiments.parallel import check_shared_folder, parallel
from experiments.schema import replicate_range
from model import ModelConfig, WorkforceModel, as_model_config
from model.config import ARCHETYPES
from model.validation import ConfigError

DEFAULT_CONDITION = "default"


@dataclass(frozen=True)
class RunKey:
    """Which run of an experiment: scenario, condition and replicate number."""

    scenario: str
    condition: str
    replicate: int

    @property
    def folder(self) -> Path:
        """Where its tables go, relative to the experiment's ``runs/`` folder."""
        return Path(self.scenario) / self.condition

    @property
    def stem(self) -> str:
        """File name stem of its tables."""
        return f"rep_{self.replicate:03d}"


@dataclass(frozen=True)
class RunSpec(RunKey):
    """One simulation of an experiment: its key and its model config (with its seed)."""

    config: ModelConfig


def replicate_seeds(seed: int, replicates: int) -> list[int]:
    """Independent seeds for the replicates, derived from the experiment's seed."""
    children = np.random.SeedSequence(seed).spawn(replicates)
    return [int(child.generate_state(1, dtype=np.uint32)[0]) for child in children]


def build_specs(cfg: DictConfig, compose: Callable[[list[str]], DictConfig]) -> list[RunSpec]:
    """Every run of the experiment (of this job's shard).

    ``compose(overrides)`` builds a scenario's config. Replicate ``r`` has the seed
    ``replicate_seeds(seed, replicates)[r]`` whichever shard runs it.
    """
    experiment = cfg.experiment
    conditions = dict(experiment.conditions) or {DEFAULT_CONDITION: []}
    seeds = replicate_seeds(cfg.seed, experiment.replicates)
    replicates = replicate_range(experiment)
    specs = []
    for scenario, scenario_overrides in experiment.scenarios.items():
        for condition, condition_overrides in conditions.items():
            where = f"experiment scenario '{scenario}', condition '{condition}'"
            try:
                config = as_model_config(compose([*condition_overrides, *scenario_overrides]))
            except (HydraException, OmegaConfBaseException, ConfigError) as error:
                raise ConfigError(f"{where}: {error}") from error
            specs += [
                RunSpec(scenario, condition, r, replace(config, seed=seeds[r])) for r in replicates
            ]
    return specs


def simulate(spec: RunSpec, runs_dir: Path, snapshot: bool, weeks_bar: bool = False) -> float:
    """Run one simulation and write its tables; returns its wall time in seconds.

    ``weeks_bar`` shows a progress bar that moves every week (for long runs).
    """
    started = time.perf_counter()
    model = WorkforceModel(spec.config)
    outcomes = model.run(progress=weeks_bar)
    folder = runs_dir / spec.folder
    keys = {"scenario": spec.scenario, "condition": spec.condition, "replicate": spec.replicate}
    if snapshot:
        path = snapshot_path(spec, runs_dir).with_suffix("")
        write_table(path, _snapshot(model).assign(**keys), ("parquet",))
    by_group = model.outcomes_by_group.assign(**keys, seed=spec.config.seed)
    write_table(folder / f"{spec.stem}_by_group", by_group, ("parquet",))
    # The outcomes file is written last: its presence marks the run as complete.
    table = outcomes.assign(**keys, seed=spec.config.seed)
    write_table(folder / spec.stem, table, ("parquet",), fingerprint_metadata(spec.config))
    return time.perf_counter() - started


def snapshot_path(spec: RunKey, runs_dir: Path) -> Path:
    """Where a run's final-state snapshot goes: ``snapshots/`` beside ``runs/``, same layout.

    Snapshots (one per scenario and condition, of replicate 0) are inputs to figures, not
    outcome tables, so they are kept apart from the per-replicate outcome files.
    """
    return runs_dir.parent / "snapshots" / spec.folder / f"{spec.stem}.parquet"


def _snapshot(model: WorkforceModel) -> pd.DataFrame:
    """Final state of every (worker, live tool) pair: trust against the true reliability."""
    wf = model.workforce
    worker, tool = np.nonzero(model.live)
    return pd.DataFrame(
        {
            "tool": np.asarray(model.tools.names)[tool],
            "trust": wf.trust[worker, tool],
            "department_reliability": model.tools.department_reliability[
                wf.department[worker], tool
            ],
            "archetype": np.asarray(ARCHETYPES)[wf.archetype[worker]],
            "uses": wf.uses[worker, tool],
        }
    )


def is_complete(spec: RunSpec, runs_dir: Path) -> bool:
    """A run is complete when its outcomes file exists with the run's fingerprint.

    The fingerprint (config hash and seed, :mod:`experiments.guard`) makes sure a file left by
    another config or seed is computed again rather than reused.
    """
    return matches(runs_dir / spec.folder / f"{spec.stem}.parquet", spec.config)


def run_all(
    specs: Iterable[RunSpec], runs_dir: Path, n_jobs: int, progress: bool = True
) -> dict[str, float]:
    """Run the specs not yet complete, in parallel; return counts and wall time.

    Args:
        specs: The runs (:func:`build_specs`).
        runs_dir: The results folder's ``runs/``; made absolute, since Dask workers may start
            in another working directory.
        n_jobs: Local processes (-1 = every allocated core); on a Dask session, ignored (the
            cluster's workers take the runs, :mod:`experiments.parallel`).
        progress: Show a progress bar.
    """
    specs = list(specs)
    runs_dir = Path(runs_dir).absolute()
    todo = [s for s in specs if not is_complete(s, runs_dir)]
    started = time.perf_counter()
    if todo:
        first = todo[0].config
        long_runs = estimate(1, first.population.n_workers, first.weeks, 1).long_runs
        weeks_bar = progress and long_runs
        runs_dir.mkdir(parents=True, exist_ok=True)
        check_shared_folder(runs_dir)
        jobs = (delayed(simulate)(s, runs_dir, s.replicate == 0, weeks_bar) for s in todo)
        results = parallel(n_jobs, return_as="generator_unordered")(jobs)
        for _ in tqdm(results, total=len(todo), desc="runs", unit="run", disable=not progress):
            pass
    return {
        "runs_total": len(specs),
        "runs_reused": len(specs) - len(todo),
        "runs_computed": len(todo),
        "simulation_wall_time_s": time.perf_counter() - started,
    }


def collect(specs: Iterable[RunKey], runs_dir: Path, kind: str = "") -> pd.DataFrame:
    """Concatenate the runs' tables (``kind`` '' for outcomes, '_by_group', '_snapshot')."""
    if kind == "_snapshot":
        paths = [p for p in (snapshot_path(s, runs_dir) for s in specs) if p.exists()]
    else:
        paths = [runs_dir / s.folder / f"{s.stem}{kind}.parquet" for s in specs]
    return pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)
