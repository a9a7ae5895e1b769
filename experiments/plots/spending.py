"""When the money is spent: cumulative training spend week by week, per strategy."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from experiments.plots.style import (  # noqa: E402
    label,
    one_condition,
    save,
    scenario_colours,
    suffix,
)

SPEND = "cumulative_cost_gbp"


def spending_figure(
    runs: pd.DataFrame,
    baseline: str | None = None,
    condition: str | None = None,
    condition_label: str = "condition",
    budget_gbp: float | None = None,
) -> Figure:
    """Cumulative spend (thousand GBP) by week: median over replicates and 2.5-97.5% band.

    Strategies that spend nothing in any replicate are left out (named in the legend title).
    A dotted line marks the budget when ``budget_gbp`` is given.
    """
    if SPEND not in runs:
        raise ValueError(f"spending_figure: the runs table has no column {SPEND}")
    runs = one_condition(runs, condition)
    colours = scenario_colours(list(pd.unique(runs.scenario)), baseline)
    stats = runs.groupby(["scenario", "week"])[SPEND].quantile([0.025, 0.5, 0.975]).unstack()
    stats = stats / 1000
    fig, ax = plt.subplots(figsize=(11, 6.5), layout="constrained")
    handles, silent = [], []
    for scenario, colour in colours.items():
        band = stats.loc[scenario].sort_index()
        if not np.nanmax(band[0.975].to_numpy(float), initial=0) > 0:
            silent.append(label(scenario, baseline))
            continue
        weeks = band.index.to_numpy()
        ax.fill_between(weeks, band[0.025], band[0.975], color=colour, alpha=0.15, lw=0)
        style = "--" if scenario == baseline else "-"
        ax.plot(weeks, band[0.5], color=colour, lw=2, ls=style, gid=f"spend:{scenario}")
        handles.append(
            Line2D([], [], color=colour, lw=2, ls=style, label=label(scenario, baseline))
        )
    if budget_gbp:
        ax.axhline(budget_gbp / 1000, color="grey", ls=":", lw=1.5)
        handles.append(Line2D([], [], color="grey", ls=":", label="budget"))
    handles.append(Patch(color="grey", alpha=0.3, label="2.5-97.5 percentile over replicates"))
    title = "Strategy (line = median)"
    if silent:
        title += f"\nspending nothing: {', '.join(silent)}"
    ax.legend(handles=handles, title=title, fontsize=9, loc="upper left")
    ax.set_xlabel("Week of the simulation")
    ax.set_ylabel("Training spend so far (thousand GBP, fees plus backfill)")
    ax.set_title(
        "When the money is spent: cumulative training spend by week"
        f"{suffix(condition, condition_label)}"
    )
    ax.grid(alpha=0.3)
    ax.set_ylim(bottom=0)
    return fig


def plot_spending(runs: pd.DataFrame, path: Path, **kwargs) -> Path:
    """Save :func:`spending_figure` as a PNG at ``path``."""
    return save(spending_figure(runs, **kwargs), path)
