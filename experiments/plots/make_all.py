"""Every figure of an experiment's results folder, by name."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from experiments.outcomes import DEFAULT_PRIMARY  # noqa: E402
from experiments.plots.by_condition import condition_values, plot_by_condition  # noqa: E402
from experiments.plots.cost_effectiveness import plot_cost_effectiveness  # noqa: E402
from experiments.plots.errors import plot_errors  # noqa: E402
from experiments.plots.final_outcomes import plot_final_outcomes  # noqa: E402
from experiments.plots.heatmaps import plot_group_heatmap  # noqa: E402
from experiments.plots.spending import plot_spending  # noqa: E402
from experiments.plots.trajectories import plot_trajectories  # noqa: E402
from experiments.plots.trust_reliability import plot_trust_reliability  # noqa: E402
from experiments.summary import ranking  # noqa: E402


def _slug(text: str) -> str:
    """A condition name safe for a file name."""
    return re.sub(r"[^A-Za-z0-9.-]+", "_", str(text)).strip("_") or "x"


def make_all_plots(
    out_dir: Path,
    runs: pd.DataFrame,
    runs_by_group: pd.DataFrame | None,
    summary: pd.DataFrame,
    snapshots: pd.DataFrame | None,
    baseline: str | None,
    condition_label: str = "condition",
    margin: float = 0.1,
    conditions: Mapping[str, Sequence[str]] | None = None,
    primary: str = DEFAULT_PRIMARY,
    primary_measure: str = "time_average",
    budget_gbp: float | None = None,
) -> dict[str, Path]:
    """Draw every figure of an experiment into ``out_dir/plots``; returns name -> PNG path.

    Names are ``kind`` with one condition, ``kind:condition`` with several (kinds: trajectories,
    final_outcomes, errors, cost_effectiveness, cost_per_error_averted, spending,
    trust_reliability, archetype_heatmap, staff_group_heatmap, and by_condition when every
    condition's name holds a number). Strategies are ordered by ``primary``
    (``primary_measure``), best first; ``budget_gbp`` is drawn on the spending figure.
    ``snapshots`` is the concatenation of the ``rep_000_snapshot`` tables (None to skip);
    ``margin`` is ``outcomes.appropriate_margin``; ``conditions`` is ``experiment.conditions``
    (condition -> overrides), used to place numeric conditions on an axis.
    """
    plots_dir = Path(out_dir) / "plots"
    overrides = conditions
    conditions = list(pd.unique(summary.condition))
    several = len(conditions) > 1
    has_cost = baseline is not None and "diff_mean" in summary
    plots: dict[str, Path] = {}
    if several and condition_values(conditions, overrides) is not None:
        plots["by_condition"] = plot_by_condition(
            summary,
            plots_dir / "by_condition.png",
            baseline=baseline,
            condition_label=condition_label,
            overrides=overrides,
        )
    for condition in conditions:
        tag = f":{condition}" if several else ""
        file_tag = f"_{_slug(condition)}" if several else ""
        common = dict(condition=condition if several else None, condition_label=condition_label)
        order = ranking(summary, primary, primary_measure, common["condition"])

        def path(kind: str, file_tag: str = file_tag) -> Path:
            return plots_dir / f"{kind}{file_tag}.png"

        plots[f"trajectories{tag}"] = plot_trajectories(
            runs, path("trajectories"), baseline=baseline, **common
        )
        plots[f"final_outcomes{tag}"] = plot_final_outcomes(
            summary,
            path("final_outcomes"),
            baseline=baseline,
            primary=primary,
            primary_measure=primary_measure,
            **common,
        )
        if has_cost:
            measure = "time_average" if primary_measure == "cumulative" else primary_measure
            plots[f"errors{tag}"] = plot_errors(
                summary, path("errors"), baseline=baseline, measure=measure, order=order, **common
            )
            plots[f"cost_effectiveness{tag}"] = plot_cost_effectiveness(
                summary, path("cost_effectiveness"), baseline=baseline, **common
            )
            plots[f"cost_per_error_averted{tag}"] = plot_cost_effectiveness(
                summary,
                path("cost_per_error_averted"),
                baseline=baseline,
                gain="errors_averted",
                **common,
            )
        plots[f"spending{tag}"] = plot_spending(
            runs, path("spending"), baseline=baseline, budget_gbp=budget_gbp, **common
        )
        if snapshots is not None and len(snapshots):
            plots[f"trust_reliability{tag}"] = plot_trust_reliability(
                snapshots, path("trust_reliability"), margin=margin, order=order, **common
            )
        if runs_by_group is not None and len(runs_by_group):
            for grouping in pd.unique(runs_by_group.grouping):
                plots[f"{grouping}_heatmap{tag}"] = plot_group_heatmap(
                    runs_by_group,
                    path(f"{grouping}_heatmap"),
                    grouping=grouping,
                    order=order,
                    baseline=baseline,
                    **common,
                )
    return plots
