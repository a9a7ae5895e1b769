"""Cost-effectiveness acceptability curves, one panel per effect measure, with the frontier.

Each curve is the probability that a strategy has the highest net benefit at a willingness to
pay (x axis); the frontier (thick grey line) follows the strategy with the highest expected net
benefit, the one to choose on current evidence (table ``ceac.csv``,
:func:`experiments.uncertainty.decision.ceac_table`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from experiments.plots.style import label, save, scenario_colours  # noqa: E402
from experiments.uncertainty.decision import EFFECT_UNITS  # noqa: E402


def ceac_figure(
    ceac: pd.DataFrame, baseline: str | None = None, reference: Mapping[str, float] | None = None
) -> Figure:
    """CEACs and frontier per effect; a dotted line marks the reference willingness to pay."""
    effects = list(pd.unique(ceac.effect))
    colours = scenario_colours(list(pd.unique(ceac.strategy)), baseline)
    fig, axes = plt.subplots(
        1, len(effects), figsize=(7.5 * len(effects), 6), layout="constrained", squeeze=False
    )
    for ax, effect in zip(axes[0], effects, strict=True):
        part = ceac[ceac.effect == effect]
        for strategy, curve in part.groupby("strategy", sort=False):
            ax.plot(
                curve.wtp_gbp,
                100 * curve.probability_best,
                color=colours[strategy],
                lw=1.6,
                label=label(strategy, baseline),
            )
        frontier = part[part.on_frontier].sort_values("wtp_gbp")
        ax.plot(
            frontier.wtp_gbp,
            100 * frontier.probability_best,
            color="grey",
            lw=6,
            alpha=0.35,
            zorder=0,
            label="frontier: the strategy with the highest expected net benefit",
        )
        if reference and effect in reference:
            ax.axvline(reference[effect], color="grey", ls=":", lw=1.2, label="reference WTP")
        unit = EFFECT_UNITS.get(effect, effect)
        ax.set_xlabel(f"Willingness to pay per {unit} (GBP)")
        ax.set_ylabel("Probability of the highest net benefit (% of draws)")
        ax.set_ylim(-2, 102)
        ax.set_title(f"Acceptability: value per {unit}")
        ax.grid(alpha=0.3)
    axes[0][-1].legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9)
    fig.suptitle(
        "Cost-effectiveness acceptability curves (net benefit = WTP x effect - extra cost, "
        "against no training on the same draw)",
        fontsize=12,
    )
    return fig


def plot_ceac(ceac: pd.DataFrame, path: Path, **kwargs) -> Path:
    """Save :func:`ceac_figure` as a PNG at ``path``."""
    return save(ceac_figure(ceac, **kwargs), path)
