"""How likely each strategy is best on the primary outcome, for the workforce and each staff group.

A heatmap: strategies down, the whole workforce and each staff group across, each cell the share
of PSA draws in which the strategy had the best value of the primary outcome (table
``probability_best.csv``, :func:`experiments.uncertainty.decision.probability_best_table`).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from experiments.outcomes import pretty  # noqa: E402
from experiments.plots.style import save  # noqa: E402
from experiments.uncertainty.psa import column_words  # noqa: E402


def probability_best_figure(best: pd.DataFrame, grouping: str = "staff_group") -> Figure:
    """Heatmap of the probability best, whole workforce first, then each group of ``grouping``."""
    rows = best[(best.grouping == "all") | (best.grouping == grouping)]
    table = rows.pivot(index="strategy", columns="group", values="probability_best")
    groups = ["all", *[g for g in pd.unique(rows.group) if g != "all"]]
    order = best[best.grouping == "all"].sort_values("probability_best", ascending=False)
    table = table.loc[list(order.strategy), groups] * 100
    fig, ax = plt.subplots(
        figsize=(2.4 + 1.6 * len(groups), 1.8 + 0.55 * len(table)), layout="constrained"
    )
    image = ax.imshow(table.to_numpy(float), cmap="Blues", vmin=0, vmax=100, aspect="auto")
    for i in range(table.shape[0]):
        for j in range(table.shape[1]):
            value = table.iat[i, j]
            ax.text(
                j,
                i,
                "n/a" if np.isnan(value) else f"{value:.0f}%",
                ha="center",
                va="center",
                color="white" if value > 60 else "black",
                fontsize=10,
            )
    names = ["Whole workforce", *[textwrap.fill(pretty(g), 14) for g in groups[1:]]]
    ax.set_xticks(range(len(groups)), names)
    ax.set_yticks(range(len(table)), [pretty(s) for s in table.index])
    ax.axvline(0.5, color="white", lw=4)
    ax.set_xlabel(f"Staff ({pretty(grouping).lower()})")
    ax.set_ylabel("Strategy")
    fig.colorbar(image, ax=ax, label="Probability best (% of parameter draws)")
    column = str(best.outcome.iloc[0]) if "outcome" in best else ""
    draws = int(best.draws.max()) if "draws" in best else 0
    ax.set_title(
        f"How likely each strategy is best on {column_words(column).lower()}\n"
        f"(share of {draws} draws of the uncertain parameters; columns sum to 100%)",
        fontsize=11,
    )
    return fig


def plot_probability_best(best: pd.DataFrame, path: Path, **kwargs) -> Path:
    """Save :func:`probability_best_figure` as a PNG at ``path``."""
    return save(probability_best_figure(best, **kwargs), path)
