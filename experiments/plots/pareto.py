"""The optimisation's front: the primary outcome against cost and against staff time away.

Grey dots are every search trial (means over the search seeds, optimistic for the best ones: the
winner's curse); blue points the re-evaluated candidates and orange squares the hand-made
strategies, both on the same fresh seeds, with 95% confidence intervals of their means. The best
mix within the budget is a star; the budget a dashed line.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from experiments.outcomes import pretty
from experiments.plots.style import axis_title_and_unit, save, scale

X_AXES = {
    "cumulative_cost_gbp": ("Total spend (thousand GBP over the horizon)", 1e-3),
    "cumulative_staff_hours": ("Staff time away in training (thousand hours)", 1e-3),
}
OPTIMISED, HAND_MADE = "tab:blue", "tab:orange"


def _errorbars(
    ax: plt.Axes, rows: pd.DataFrame, x: str, y: str, fx: float, fy: float, **kw: object
) -> None:
    xerr = [(rows[x] - rows[f"{x}_low"]) * fx, (rows[f"{x}_high"] - rows[x]) * fx]
    yerr = [(rows[y] - rows[f"{y}_low"]) * fy, (rows[f"{y}_high"] - rows[y]) * fy]
    ax.errorbar(rows[x] * fx, rows[y] * fy, xerr=xerr, yerr=yerr, capsize=2, **kw)


def plot_pareto(
    trials: pd.DataFrame,
    table: pd.DataFrame,
    objectives: Mapping[str, str],
    path: Path,
    budget_gbp: float | None = None,
) -> Path:
    """Draw ``pareto.png`` (module docstring) and return its path."""
    primary = next(iter(objectives))
    title, unit = axis_title_and_unit(primary)
    fy = scale(primary)
    fig, axes = plt.subplots(1, len(X_AXES), figsize=(13, 5.5), sharey=True)
    complete = trials[trials.state == "COMPLETE"]
    optimised = table[table.kind == "optimised"]
    hand = table[table.kind == "hand-made"]
    best = table[(table.kind == "optimised") & table.best]
    for ax, (x, (xlabel, fx)) in zip(axes, X_AXES.items(), strict=True):
        if x in complete.columns and primary in complete.columns:
            ax.scatter(
                complete[x] * fx, complete[primary] * fy, s=10, color="0.75",
                label="search trials (search seeds)", zorder=1,
            )  # fmt: skip
        _errorbars(ax, optimised, x, primary, fx, fy, fmt="o", color=OPTIMISED, ms=6,
                   label="optimised mixes (fresh seeds, 95% CI)", zorder=3)  # fmt: skip
        _errorbars(ax, hand, x, primary, fx, fy, fmt="s", color=HAND_MADE, ms=6,
                   label="hand-made strategies (fresh seeds, 95% CI)", zorder=3)  # fmt: skip
        for _, row in hand.iterrows():
            ax.annotate(
                pretty(row.scenario), (row[x] * fx, row[primary] * fy), fontsize=7,
                xytext=(4, 4), textcoords="offset points", color="0.25",
            )  # fmt: skip
        if len(best):
            ax.scatter(
                best[x] * fx, best[primary] * fy, marker="*", s=260, color="gold",
                edgecolor="black", zorder=4, label="best mix within the budget",
            )  # fmt: skip
        if x == "cumulative_cost_gbp" and budget_gbp:
            ax.axvline(budget_gbp * fx, ls="--", color="0.4", lw=1, label="budget")
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(f"{title} ({unit}; mean over weeks)")
    axes[0].legend(fontsize=8, loc="best")
    fig.suptitle(f"Optimised training mixes against hand-made strategies: {title.lower()}")
    fig.tight_layout()
    return save(fig, path)


__all__ = ["plot_pareto"]
