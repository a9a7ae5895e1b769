"""Which evidence is worth collecting: EVPPI per parameter group at the reference WTP.

Horizontal bars, one per parameter group, largest first, with the EVPI (all parameters known) as
a dashed line; one panel per effect measure (table ``evppi.csv``,
:func:`experiments.uncertainty.voi.evppi_table`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from experiments.outcomes import pretty  # noqa: E402
from experiments.plots.style import save  # noqa: E402
from experiments.uncertainty.decision import EFFECT_UNITS  # noqa: E402


def at_reference(evppi: pd.DataFrame, effect: str, reference: Mapping[str, float]) -> pd.DataFrame:
    """The rows of ``effect`` at the grid point nearest its reference willingness to pay."""
    part = evppi[evppi.effect == effect]
    wtps = np.unique(part.wtp_gbp)
    nearest = wtps[np.argmin(np.abs(wtps - reference.get(effect, wtps[-1])))]
    return part[part.wtp_gbp == nearest]


def evppi_figure(evppi: pd.DataFrame, reference: Mapping[str, float]) -> Figure:
    """EVPPI bars per parameter group and effect, at the reference willingness to pay."""
    effects = list(pd.unique(evppi.effect))
    groups = len(pd.unique(evppi.group))
    fig, axes = plt.subplots(
        1,
        len(effects),
        figsize=(7 * len(effects), 1.5 + 0.4 * groups),
        layout="constrained",
        squeeze=False,
    )
    for ax, effect in zip(axes[0], effects, strict=True):
        rows = at_reference(evppi, effect, reference).sort_values("evppi_gbp")
        ax.barh([pretty(g) for g in rows.group], rows.evppi_gbp / 1000, color="tab:blue")
        total = rows.evpi_gbp.iloc[0] / 1000
        ax.axvline(total, color="black", ls="--", label=f"EVPI, all parameters: {total:,.1f}k")
        ax.set_xlabel("EVPPI of the group (thousand GBP, for the trust)")
        ax.set_ylabel("Parameter group")
        wtp = rows.wtp_gbp.iloc[0]
        ax.set_title(f"At {wtp:,.0f} GBP per {EFFECT_UNITS.get(effect, effect)}", fontsize=11)
        ax.legend(loc="lower right")
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle("Which evidence is worth collecting (EVPPI, regression estimate)", fontsize=12)
    return fig


def plot_evppi(evppi: pd.DataFrame, path: Path, **kwargs) -> Path:
    """Save :func:`evppi_figure` as a PNG at ``path``."""
    return save(evppi_figure(evppi, **kwargs), path)
