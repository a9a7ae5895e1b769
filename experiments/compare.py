"""A scenario comparison end to end: runs, runs table, summary, plots, report, manifest.

A shard (``experiment.shards`` > 1) stops after its runs: it writes ``runs/``, ``snapshots/``,
``config.yaml`` and a ``manifest.json`` marking it complete, and :mod:`experiments.pool` turns
the shards into the summary, plots and report of the whole experiment (:func:`finish`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from experiments.io import write_json, write_table, write_text
from experiments.outcomes import DEFAULT_PRIMARY
from experiments.plots import make_all_plots
from experiments.provenance import manifest
from experiments.report import write_report
from experiments.runner import RunKey, build_specs, collect, replicate_seeds, run_all
from experiments.schema import replicate_range, validate_experiment
from experiments.summary import split_cost_effectiveness, summarise
from model.validation import ConfigError

RUN_SETTINGS = ("resume", "n_jobs", "progress", "force", "parallel")


def check_resumable(cfg: DictConfig, out_dir: Path) -> None:
    """Refuse to resume into a folder made by a different config (run settings aside)."""
    saved = out_dir / "config.yaml"
    if not saved.exists():
        raise ConfigError(f"resume = {out_dir}: expected a results folder with a config.yaml")
    previous = OmegaConf.load(saved)
    current = OmegaConf.create(OmegaConf.to_container(cfg, resolve=True))
    for key in RUN_SETTINGS:
        previous.pop(key, None)
        current.pop(key, None)
    if previous != current:
        differing = sorted(
            k for k in set(previous) | set(current) if previous.get(k) != current.get(k)
        )
        raise ConfigError(
            f"resume = {out_dir}: the config differs from the one saved there "
            f"(keys: {', '.join(differing)}); expected the same command as the first run"
        )


def analyse(
    cfg: DictConfig,
    out_dir: Path,
    runs: pd.DataFrame,
    by_group: pd.DataFrame | None,
    snapshots: pd.DataFrame | None,
    record: dict,
) -> pd.DataFrame:
    """From the runs tables to summary.csv, plots, report.html and manifest.json.

    Reads tables only (no model runs), so it works on any runs table with the outcome columns.

    Returns:
        The summary table.

    Raises:
        MissingOutcomeError: The runs table lacks an outcome column (named in the message).
    """
    experiment = cfg.experiment
    summary = summarise(runs, experiment.baseline, seed=cfg.seed)
    outcomes_only, cost_effectiveness = split_cost_effectiveness(summary)
    write_table(out_dir / "summary", outcomes_only, ("csv",))
    write_table(out_dir / "cost_effectiveness", cost_effectiveness, ("csv",))
    plots = make_all_plots(
        out_dir,
        runs,
        by_group,
        summary,
        snapshots,
        experiment.baseline,
        experiment.condition_label,
        margin=OmegaConf.select(cfg, "outcomes.appropriate_margin", default=0.1),
        conditions=experiment.conditions,
        primary=experiment.get("primary_outcome") or DEFAULT_PRIMARY,
        primary_measure=experiment.get("primary_measure") or "time_average",
        budget_gbp=OmegaConf.select(cfg, "strategy.budget_gbp", default=None),
    )
    write_report(out_dir, cfg, summary, plots, record)
    write_json(out_dir / "manifest.json", record)
    return summary


def run_experiment(
    cfg: DictConfig, out_dir: Path, compose: Callable[[list[str]], DictConfig]
) -> dict:
    """Run every scenario of ``cfg.experiment`` and write all outputs into ``out_dir``."""
    started = time.perf_counter()
    experiment = cfg.experiment
    if experiment.baseline is not None and experiment.baseline not in experiment.scenarios:
        raise ConfigError(
            f"experiment.baseline = {experiment.baseline!r}: expected one of the scenarios "
            f"{', '.join(experiment.scenarios)}"
        )
    validate_experiment(experiment)
    specs = build_specs(cfg, compose)
    if cfg.resume:
        check_resumable(cfg, out_dir)
    else:
        write_text(out_dir / "config.yaml", OmegaConf.to_yaml(cfg, resolve=True))
    counts = run_all(specs, out_dir / "runs", cfg.n_jobs, progress=cfg.progress)
    if int(experiment.get("shards", 1)) > 1:
        return _finish_shard(cfg, out_dir, counts, started)
    return finish(cfg, out_dir, specs, counts, started)


def finish(
    cfg: DictConfig, out_dir: Path, keys: list[RunKey], counts: dict, started: float
) -> dict:
    """From the finished runs in ``out_dir/runs`` to the runs tables and every output.

    Args:
        cfg: The experiment's config.
        out_dir: The results folder (its ``runs/`` holds every run of ``keys``).
        keys: The runs, in the order of :func:`experiments.runner.build_specs`.
        counts: Run counts and times for the manifest.
        started: ``time.perf_counter()`` when the work began.
    """
    experiment = cfg.experiment
    runs_dir = out_dir / "runs"
    runs = collect(keys, runs_dir)
    by_group = collect(keys, runs_dir, "_by_group")
    write_table(out_dir / "runs", runs, ("parquet",))
    write_table(out_dir / "runs_by_group", by_group, ("parquet",))
    snapshots = collect(keys, runs_dir, "_snapshot")
    record = manifest(
        seed=cfg.seed,
        wall_time_s=time.perf_counter() - started,
        replicate_seeds=replicate_seeds(cfg.seed, experiment.replicates),
        **counts,
    )
    summary = analyse(cfg, out_dir, runs, by_group, snapshots, record)
    if cfg.progress:
        print(
            f"{experiment.title or cfg.name}: {counts['runs_total']} runs "
            f"({counts['runs_computed']} computed) in {record['wall_time_s']:.1f} s"
        )
        print(f"report: {out_dir / 'report.html'}")
    return {"summary": summary, "runs": runs, "manifest": record}


def _finish_shard(cfg: DictConfig, out_dir: Path, counts: dict, started: float) -> dict:
    """A shard's manifest (its replicates, seeds and counts); the summary waits for the pool."""
    experiment = cfg.experiment
    replicates = replicate_range(experiment)
    seeds = replicate_seeds(cfg.seed, experiment.replicates)
    record = manifest(
        seed=cfg.seed,
        wall_time_s=time.perf_counter() - started,
        kind="shard",
        shard=int(experiment.shard),
        shards=int(experiment.shards),
        replicates=[replicates.start, replicates.stop - 1],
        replicate_seeds=[seeds[r] for r in replicates],
        **counts,
    )
    write_json(out_dir / "manifest.json", record)
    if cfg.progress:
        print(
            f"shard {experiment.shard} of {experiment.shards} (replicates {replicates.start} to "
            f"{replicates.stop - 1}): {counts['runs_total']} runs in {record['wall_time_s']:.1f} s"
        )
        print(f"pool the shards: python -m experiments.pool OUT {out_dir} ...")
    return {"summary": None, "runs": None, "manifest": record}
