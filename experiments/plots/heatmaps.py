"""Who ends up appropriately confident, by archetype or staff group."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from experiments.outcomes import pretty  # noqa: E402
from experiments.plots.style import label, one_condition, save, suffix  # noqa: E402
from model.config import ARCHETYPES  # noqa: E402


def group_heatmap_figure(
    runs_by_group: pd.DataFrame,
    grouping: str = "archetype",
    condition: str | None = None,
    condition_label: str = "condition",
    order: Sequence[str] | None = None,
    baseline: str | None = None,
) -> Figure:
    """Final appropriate share (mean over replicates) by scenario and group, annotated."""
    data = one_condition(runs_by_group[runs_by_group.grouping == grouping], condition)
    data = data.sort_values("week")
    final = data.groupby(["scenario", "replicate", "group"], sort=False)["appropriate_share"].last()
    table = final.groupby(["scenario", "group"]).mean().unstack() * 100
    groups = [g for g in ARCHETYPES if g in table.columns] if grouping == "archetype" else []
    groups += [g for g in pd.unique(data.group) if g not in groups]
    rows = [s for s in (order or sorted(table.index)) if s in table.index]
    table = table.loc[rows, groups]
    staff = data[data.week == data.week.min()].groupby("group")["headcount"].mean()
    share = staff / staff.sum()
    fig, ax = plt.subplots(
        figsize=(2.0 + 1.7 * len(groups), 1.6 + 0.6 * len(rows)), layout="constrained"
    )
    image = ax.imshow(table.to_numpy(float), cmap="viridis", aspect="auto")
    low, high = np.nanmin(table.to_numpy()), np.nanmax(table.to_numpy())
    for i in range(len(rows)):
        for j in range(len(groups)):
            value = table.iat[i, j]
            dark = not np.isnan(value) and value < low + 0.6 * (high - low)
            ax.text(
                j,
                i,
                "n/a" if np.isnan(value) else f"{value:.0f}%",
                ha="center",
                va="center",
                color="white" if dark else "black",
                fontsize=10,
            )
    ax.set_xticks(
        range(len(groups)),
        [f"{textwrap.fill(pretty(g), 14)}\n({share.get(g, np.nan):.0%} of staff)" for g in groups],
    )
    ax.set_yticks(range(len(rows)), [label(s, baseline) for s in rows])
    ax.set_xlabel(pretty(grouping).replace("_", " "))
    ax.set_ylabel("Strategy")
    fig.colorbar(image, ax=ax, label="Appropriately confident, final week (% of group)")
    ax.set_title(
        f"Which staff end up appropriately confident, by {grouping.replace('_', ' ')}"
        f"{suffix(condition, condition_label)}\n(final week, mean over replicates)",
        fontsize=11,
    )
    return fig


def plot_group_heatmap(runs_by_group: pd.DataFrame, path: Path, **kwargs) -> Path:
    """Save :func:`group_heatmap_figure` as a PNG at ``path``."""
    return save(group_heatmap_figure(runs_by_group, **kwargs), path)
