"""Tornado figure of a sensitivity analysis: which parameters move each output, and by how much.

One panel per output. Each bar is a parameter's Morris mu* (Morris 1991; Campolongo et al. 2007):
the mean absolute change in the output when the parameter moves across its prior range (2.5 to
97.5% quantiles by default), with its 95% bootstrap interval; the strongest parameter is on top.
The dot is sigma (the spread of those changes: large when the effect depends on other
parameters). The dashed line is the noise floor: the mu* a parameter without any effect could get
from replicate noise alone (measured at the prior medians; an upper bound, as common random numbers
lower it); bars to its left cannot be told from noise by these runs.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from experiments.outcomes import output_title_and_unit, parameter_label
from experiments.plots.style import save, scale

TOP = 12
BAR_COLOUR = "#2a6ebb"
SIGMA_COLOUR = "#d95f02"
NOISE_COLOUR = "#555555"


def tornado_figure(
    morris: pd.DataFrame, noise: pd.DataFrame, primary: str, baseline: str, top: int = TOP
) -> Figure:
    """The tornado figure (module docstring) from the Morris and noise tables."""
    outputs = list(pd.unique(morris.output))
    fig, axes = plt.subplots(1, len(outputs), figsize=(6.2 * len(outputs), 0.42 * top + 2.2))
    axes = np.atleast_1d(axes)
    for ax, name in zip(axes, outputs, strict=True):
        base = name.removesuffix(f"_vs_{baseline}")
        factor = scale(base)
        rows = morris[morris.output == name].nlargest(top, "mu_star").iloc[::-1]
        y = np.arange(len(rows))
        ax.barh(
            y,
            rows.mu_star * factor,
            xerr=rows.mu_star_conf * factor,
            color=BAR_COLOUR,
            ecolor="black",
            capsize=2,
            label="mu*: mean absolute effect (95% CI)",
        )
        ax.plot(rows.sigma * factor, y, "o", color=SIGMA_COLOUR, label="sigma: spread of effects")
        level = noise.loc[noise.output == name, "morris_noise_floor"]
        if len(level) and np.isfinite(level.iloc[0]):
            ax.axvline(
                level.iloc[0] * factor,
                color=NOISE_COLOUR,
                linestyle="--",
                label="noise floor: mu* from seeds alone (upper bound)",
            )
        ax.set_yticks(y, [parameter_label(p) for p in rows.parameter], fontsize=8)
        title, unit = output_title_and_unit(name, primary, baseline)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(f"change across the prior range ({unit})")
        ax.set_ylabel("parameter (strongest on top)")
        ax.set_xlim(left=0)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8, frameon=False)
    fig.suptitle(
        "What the answer depends on: Morris screening, parameters moved across their prior range"
    )
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def plot_tornado(
    path: Path, morris: pd.DataFrame, noise: pd.DataFrame, primary: str, baseline: str
) -> Path:
    """Draw :func:`tornado_figure` and save it as a PNG at ``path``."""
    return save(tornado_figure(morris, noise, primary, baseline), path)
