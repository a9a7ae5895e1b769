"""Combine the jobs of a Hydra sweep (``python run.py -m ...``) into one table and one plot.

    python -m experiments.aggregate results/training_mix/multirun_2026-11-28_10-00-00

Each job folder holds a ``summary.csv`` (an experiment) or an ``outcomes.parquet`` (a single
run) and Hydra's ``.hydra/overrides.yaml``. ``aggregate.csv`` has every row of every job's summary
(every outcome and measure; a single run gives its final week, measure ``final``), the job, its
label (the overrides that differ between jobs) and one column per swept key holding that job's
value (e.g. ``tools.0.reliability``). ``aggregate.png`` plots the headline outcome. Both are
written into the sweep folder. The same runs
automatically at the end of every multirun through :class:`AggregateCallback`, except for a
sweep over ``experiment.shard`` (the shards of one experiment), which it pools into
``<sweep>/pooled`` instead (:mod:`experiments.pool`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402
from hydra.experimental.callback import Callback  # noqa: E402

from experiments.io import write_atomic, write_table  # noqa: E402

HEADLINE = "appropriate_share"


def job_folders(sweep_dir: Path) -> list[Path]:
    """Job folders of a sweep (those with Hydra's record of their overrides), in job order."""
    jobs = [p.parent.parent for p in sweep_dir.glob("*/.hydra/overrides.yaml")]
    return sorted(jobs, key=lambda p: (len(p.name), p.name))


def swept_values(jobs: list[Path]) -> dict[Path, dict[str, str]]:
    """Per job, the value of each override key whose value differs between jobs."""
    parsed = {}
    for job in jobs:
        overrides = yaml.safe_load((job / ".hydra/overrides.yaml").read_text()) or []
        parsed[job] = dict(o.lstrip("+~").split("=", 1) for o in overrides if "=" in o)
    keys = {k for values in parsed.values() for k in values}
    swept = sorted(k for k in keys if len({values.get(k) for values in parsed.values()}) > 1)
    return {job: {k: values.get(k, "") for k in swept} for job, values in parsed.items()}


def job_labels(jobs: list[Path]) -> dict[Path, str]:
    """Label each job by the overrides that differ between jobs (all of them if none differ)."""
    overrides = {
        job: yaml.safe_load((job / ".hydra/overrides.yaml").read_text()) or [] for job in jobs
    }
    common = set.intersection(*(set(o) for o in overrides.values())) if overrides else set()
    return {
        job: " ".join(o for o in ov if o not in common) or " ".join(ov)
        for job, ov in overrides.items()
    }


def _job_table(job: Path) -> pd.DataFrame | None:
    summary = job / "summary.csv"
    if summary.exists():
        return pd.read_csv(summary)
    outcomes = job / "outcomes.parquet"
    if outcomes.exists():
        final = pd.read_parquet(outcomes).drop(columns=["week", "date"], errors="ignore").iloc[-1]
        numeric = pd.to_numeric(final, errors="coerce").dropna()
        return pd.DataFrame(
            {
                "scenario": "single_run",
                "condition": "default",
                "outcome": numeric.index,
                "measure": "final",
                "mean": numeric.to_numpy(float),
            }
        )
    return None


def aggregate(sweep_dir: Path) -> pd.DataFrame:
    """The headline outcome of every job and scenario in one table; also written to disk."""
    sweep_dir = Path(sweep_dir)
    jobs = job_folders(sweep_dir)
    if not jobs:
        raise FileNotFoundError(
            f"{sweep_dir}: expected a Hydra sweep folder with job folders 0/, 1/, ..."
        )
    labels = job_labels(jobs)
    swept = swept_values(jobs)
    tables = []
    for job in jobs:
        table = _job_table(job)
        if table is None:
            print(
                f"warning: {job} has no summary.csv or outcomes.parquet (unfinished?)",
                file=sys.stderr,
            )
            continue
        tables.append(table.assign(job=job.name, overrides=labels[job], **swept[job]))
    combined = pd.concat(tables, ignore_index=True)
    write_table(sweep_dir / "aggregate", combined, ("csv",))
    write_atomic(sweep_dir / "aggregate.png", lambda tmp: _plot(combined, tmp))
    return combined


def _plot(table: pd.DataFrame, path: Path) -> None:
    table = table[(table.outcome == HEADLINE) & (table.measure == "final")]
    fig, ax = plt.subplots(figsize=(9, 0.5 + 0.45 * table.scenario.nunique() * table.job.nunique()))
    rows = table.sort_values(["scenario", "job"]).reset_index(drop=True)
    labels = [f"{r.scenario} | {r.overrides}" for r in rows.itertuples()]
    y = range(len(rows))
    has_interval = {"low_95", "high_95"} <= set(rows)
    if has_interval:
        err = [rows["mean"] - rows["low_95"], rows["high_95"] - rows["mean"]]
        ax.errorbar(
            rows["mean"], y, xerr=err, fmt="o", capsize=3, label="mean, 95% range of replicates"
        )
    else:
        ax.plot(rows["mean"], y, "o", label="final value")
    ax.set_yticks(list(y), labels, fontsize=8)
    ax.set_xlabel("appropriately-confident staff in the final week (share)")
    ax.set_title("Sweep: appropriate confidence by scenario and swept setting")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=120)
    plt.close(fig)


def shard_jobs(jobs: list[Path]) -> list[Path]:
    """The jobs that are shards of an experiment (``experiment.shards`` > 1 in their config)."""
    found = []
    for job in jobs:
        saved = job / "config.yaml"
        if saved.exists():
            experiment = (yaml.safe_load(saved.read_text(encoding="utf-8")) or {}).get("experiment")
            if int((experiment or {}).get("shards", 1)) > 1:
                found.append(job)
    return found


class AggregateCallback(Callback):
    """Hydra callback: aggregate the sweep when a multirun ends (pool it, if it ran shards)."""

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        """Write aggregate.csv and aggregate.png, or the pooled results, into the sweep folder.

        A sweep over ``experiment.shard`` is one experiment split into jobs: its shards are
        pooled into ``<sweep>/pooled`` (:mod:`experiments.pool`) rather than aggregated.
        """
        sweep_dir = Path(config.hydra.sweep.dir)
        shards = shard_jobs(job_folders(sweep_dir))
        if shards:
            from experiments.pool import pool
            from model.validation import ConfigError

            try:
                pool(sweep_dir / "pooled", shards)
            except ConfigError as error:
                print(f"pool: {error}", file=sys.stderr)
            return
        try:
            aggregate(sweep_dir)
        except (FileNotFoundError, ValueError) as error:
            print(f"aggregate: {error}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Command line: aggregate a sweep folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep_dir", type=Path, help="the multirun folder of a sweep")
    args = parser.parse_args(argv)
    try:
        table = aggregate(args.sweep_dir)
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(
        f"{len(table)} rows from {table.job.nunique()} jobs -> {args.sweep_dir / 'aggregate.csv'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
