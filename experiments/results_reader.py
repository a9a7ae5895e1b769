"""Read a finished experiment's results folder, for people who compare strategies afterwards.

Only reads: ``summary.csv`` (required), ``runs.parquet``, ``runs_by_group.parquet`` and the
run's ``config.yaml`` (for the baseline, the primary outcome and the question). Nothing is
rerun. The planners' page of the dashboard (``app.py``) is built on these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from experiments.outcomes import (
    DEFAULT_PRIMARY,
    MEASURE_WORDS,
    measure_defined,
    outcome,
    pretty,
)
from experiments.report.text import amount, bare, missing, value_with_range
from experiments.summary import ranking

ALL_STAFF = "all staff"
"""The staff-group choice meaning the whole workforce (``runs.parquet``)."""

BAND_QUANTILES = (0.025, 0.975)
"""Band of the weekly plots: 2.5th to 97.5th percentile of the replicates."""


@dataclass
class FinishedExperiment:
    """The tables of one finished experiment.

    Attributes:
        folder: The results folder.
        summary: ``summary.csv``: one row per scenario, condition, outcome and measure.
        runs: ``runs.parquet``: one row per scenario, condition, replicate and week (may be
            empty when the folder has only a summary).
        runs_by_group: ``runs_by_group.parquet``: as ``runs``, per archetype and staff group.
        title: The experiment's title (or the folder name).
        question: The question the experiment answers ("" if not recorded).
        baseline: The comparator scenario, if any.
        primary_outcome: The outcome the report ranks by.
        primary_measure: final, time_average or cumulative.
    """

    folder: Path
    summary: pd.DataFrame
    runs: pd.DataFrame
    runs_by_group: pd.DataFrame
    title: str
    question: str
    baseline: str | None
    primary_outcome: str
    primary_measure: str

    @property
    def scenarios(self) -> list[str]:
        """Scenarios in the order of the summary."""
        return list(pd.unique(self.summary["scenario"]))

    @property
    def conditions(self) -> list[str]:
        """Conditions (e.g. reliability levels) in the order of the summary."""
        return [str(c) for c in pd.unique(self.summary["condition"])]

    @property
    def outcomes(self) -> list[str]:
        """Outcomes with a weekly series and a summary row, those with a direction first."""
        names = [n for n in pd.unique(self.summary["outcome"]) if n in self.runs.columns]
        return sorted(names, key=lambda n: (outcome(n).better is None, names.index(n)))

    @property
    def groups(self) -> list[str]:
        """``all staff`` then each staff group and archetype as ``grouping: group``."""
        table = self.runs_by_group
        if table.empty:
            return [ALL_STAFF]
        pairs = table[["grouping", "group"]].drop_duplicates()
        pairs = pairs.sort_values("grouping", kind="stable", key=lambda s: s != "staff_group")
        return [ALL_STAFF] + [f"{g}: {v}" for g, v in zip(pairs.grouping, pairs.group, strict=True)]


def newest_results_folder(root: Path | str = "results/training_mix") -> Path | None:
    """The most recently finished results folder under ``root`` (one holding summary.csv).

    Searches ``root`` and its subfolders (a sweep's jobs too); None when there is none.
    """
    root = Path(root)
    if not root.is_dir():
        return None
    summaries = [p for p in root.rglob("summary.csv") if p.is_file()]
    if not summaries:
        return None
    return max(summaries, key=lambda p: p.stat().st_mtime).parent


def _read_parquet(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.is_file() else pd.DataFrame()


def _experiment_settings(folder: Path) -> dict[str, Any]:
    path = folder / "config.yaml"
    if not path.is_file():
        return {}
    config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return config.get("experiment") or {}


def read_experiment(folder: Path | str) -> FinishedExperiment:
    """Read a finished experiment's results folder.

    Raises:
        FileNotFoundError: the folder, or its summary.csv, does not exist.
        ValueError: summary.csv lacks the columns of an experiment summary.
    """
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(f"results folder {folder}: no such folder")
    summary_path = folder / "summary.csv"
    if not summary_path.is_file():
        raise FileNotFoundError(
            f"results folder {folder}: no summary.csv; expected a finished experiment's folder "
            "(summary.csv, runs.parquet, runs_by_group.parquet)"
        )
    summary = pd.read_csv(summary_path)
    needed = {"scenario", "condition", "outcome", "measure", "mean", "low_95", "high_95"}
    missing = needed - set(summary.columns)
    if missing:
        raise ValueError(f"{summary_path}: missing columns {', '.join(sorted(missing))}")
    summary["condition"] = summary["condition"].astype(str)
    runs = _read_parquet(folder / "runs.parquet")
    by_group = _read_parquet(folder / "runs_by_group.parquet")
    for table in (runs, by_group):
        if "condition" in table.columns:
            table["condition"] = table["condition"].astype(str)
    settings = _experiment_settings(folder)
    primary = settings.get("primary_outcome") or DEFAULT_PRIMARY
    return FinishedExperiment(
        folder=folder,
        summary=summary,
        runs=runs,
        runs_by_group=by_group,
        title=settings.get("title") or folder.name,
        question=" ".join(str(settings.get("question") or "").split()),
        baseline=settings.get("baseline"),
        primary_outcome=primary,
        primary_measure=settings.get("primary_measure") or "time_average",
    )


def group_runs(experiment: FinishedExperiment, group: str = ALL_STAFF) -> pd.DataFrame:
    """The weekly runs of the whole workforce or of one ``grouping: group`` choice.

    Raises:
        ValueError: ``group`` is not one of :attr:`FinishedExperiment.groups`.
    """
    if group == ALL_STAFF:
        return experiment.runs
    if group not in experiment.groups:
        raise ValueError(f"group {group!r}: expected one of {', '.join(experiment.groups)}")
    grouping, name = group.split(": ", 1)
    table = experiment.runs_by_group
    return table[(table.grouping == grouping) & (table.group == name)]


def weekly_bands(
    runs: pd.DataFrame, outcome_name: str, condition: str | None = None
) -> pd.DataFrame:
    """Median and band over replicates of an outcome, per scenario and week.

    Args:
        runs: A runs table (``runs.parquet`` or one group's rows of ``runs_by_group.parquet``).
        outcome_name: The outcome column.
        condition: The condition to keep (None: every condition).

    Returns:
        Columns scenario, week, median, low, high (low and high: :data:`BAND_QUANTILES`).

    Raises:
        ValueError: the runs table has no column ``outcome_name``.
    """
    if outcome_name not in runs.columns:
        raise ValueError(f"outcome {outcome_name!r}: not a column of the runs table")
    if condition is not None:
        runs = runs[runs["condition"] == condition]
    grouped = runs.groupby(["scenario", "week"], sort=False)[outcome_name]
    low, high = BAND_QUANTILES
    table = grouped.agg(
        median="median",
        low=lambda s: s.quantile(low),
        high=lambda s: s.quantile(high),
    )
    return table.reset_index()


def ranking_table(
    experiment: FinishedExperiment,
    outcome_name: str,
    measure: str,
    condition: str | None = None,
) -> pd.DataFrame:
    """Strategies from best to worst on one outcome, from summary.csv.

    Returns:
        One row per scenario: Rank, Strategy, the mean with its 95% range, and the difference
        from the baseline with its 95% range (empty for the baseline itself), worded as in the
        report.

    Raises:
        ValueError: the outcome or measure is not in the summary.
    """
    summary = experiment.summary
    if condition is None:
        condition = experiment.conditions[0]
    rows = summary[
        (summary.outcome == outcome_name)
        & (summary.measure == measure)
        & (summary.condition == condition)
    ]
    if rows.empty or not measure_defined(outcome_name, measure):
        raise ValueError(
            f"outcome {outcome_name!r}, measure {measure!r}, condition {condition!r}: not in "
            f"{experiment.folder / 'summary.csv'}"
        )
    info = outcome(outcome_name)
    by_scenario = rows.set_index("scenario")
    records = []
    for rank, scenario in enumerate(ranking(rows, outcome_name, measure), start=1):
        row = by_scenario.loc[scenario].to_dict()
        is_baseline = scenario == experiment.baseline
        diff = ""
        if experiment.baseline and not is_baseline and not missing(row.get("diff_mean")):
            diff = amount(outcome_name, row["diff_mean"], measure, signed=True)
            if not missing(row.get("diff_low_95")):
                low = bare(outcome_name, row["diff_low_95"], measure)
                high = bare(outcome_name, row["diff_high_95"], measure)
                diff += f" (95% range {low} to {high})"
        records.append(
            {
                "Rank": rank,
                "Strategy": pretty(scenario) + (" (baseline)" if is_baseline else ""),
                f"{info.label}, {MEASURE_WORDS[measure]}": value_with_range(
                    row, outcome_name, measure
                ),
                "Difference from baseline": diff,
            }
        )
    return pd.DataFrame.from_records(records)
