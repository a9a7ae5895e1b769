"""Trust against the truth: each worker's final trust against the tool's real reliability."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from experiments.outcomes import pretty  # noqa: E402
from experiments.plots.style import one_condition, save, suffix  # noqa: E402

MAX_POINTS = 3000


def trust_reliability_figure(
    snapshots: pd.DataFrame,
    margin: float = 0.1,
    condition: str | None = None,
    condition_label: str = "condition",
    order: Sequence[str] | None = None,
    max_points: int = MAX_POINTS,
    seed: int = 0,
) -> Figure:
    """Final trust of each worker against the true reliability of the tool in their department.

    One panel per scenario (replicate 0), at most ``max_points`` points drawn with a fixed seed.
    """
    snapshots = one_condition(snapshots, condition)
    scenarios = list(order) if order is not None else sorted(pd.unique(snapshots.scenario))
    scenarios = [s for s in scenarios if s in set(snapshots.scenario)]
    ncols = min(4, len(scenarios))
    nrows = -(-len(scenarios) // ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(3.8 * ncols, 3.6 * nrows + 1.0),
        sharex=True,
        sharey=True,
        layout="constrained",
        squeeze=False,
    )
    rel = snapshots.department_reliability
    pad = max(0.02, 0.1 * (rel.max() - rel.min()))
    xs = np.linspace(rel.min() - pad, rel.max() + pad, 2)
    rng = np.random.default_rng(seed)
    levels = np.unique(rel)
    jitter = 0.25 * (np.diff(levels).min() if len(levels) > 1 else 0.01)
    for ax, scenario in zip(axes.ravel(), scenarios, strict=False):
        data = snapshots[snapshots.scenario == scenario]
        gap = data.trust - data.department_reliability
        shares = ((gap.abs() <= margin).mean(), (gap > margin).mean(), (gap < -margin).mean())
        if len(data) > max_points:
            data = data.iloc[np.sort(rng.choice(len(data), max_points, replace=False))]
        ax.fill_between(xs, xs - margin, xs + margin, color="tab:green", alpha=0.15, lw=0)
        ax.plot(xs, xs, color="tab:green", ls="--", lw=1.2)
        for uses, colour in ((False, "tab:orange"), (True, "tab:blue")):
            part = data[data.uses == uses]
            x = part.department_reliability + rng.uniform(-jitter, jitter, len(part))
            ax.scatter(x, part.trust, s=6, alpha=0.35, color=colour, lw=0)
        ax.text(
            0.03,
            0.04,
            "appropriate {:.0%}\nover-trusting {:.0%}\nunder-trusting {:.0%}".format(*shares),
            transform=ax.transAxes,
            fontsize=9,
            bbox=dict(fc="white", ec="none", alpha=0.8),
        )
        ax.set_title(pretty(scenario))
        ax.set_xlabel("True reliability (share of advice right)")
        ax.set_ylabel("Trust (0-1)")
        ax.set_xlim(xs[0], xs[-1])
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(scenarios) :]:
        ax.axis("off")
    handles = [
        Line2D([], [], marker="o", ls="", color="tab:blue", label="worker using the tool"),
        Line2D([], [], marker="o", ls="", color="tab:orange", label="worker not using it"),
        Line2D([], [], color="tab:green", ls="--", label="trust = reliability"),
        Patch(color="tab:green", alpha=0.3, label=f"appropriate: within {margin:g} of it"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=4)
    fig.suptitle(
        "Does trust match the tool's real reliability? Each dot is a worker in the final week"
        f"{suffix(condition, condition_label)}\n(one replicate; dots are spread sideways a "
        "little so that they do not hide each other)",
        fontsize=13,
    )
    return fig


def plot_trust_reliability(snapshots: pd.DataFrame, path: Path, **kwargs) -> Path:
    """Save :func:`trust_reliability_figure` as a PNG at ``path``."""
    return save(trust_reliability_figure(snapshots, **kwargs), path)
