"""Shared look of the experiment figures: scenario colours and labels, saving, table filters.

Outcome names, units and directions come from :mod:`experiments.outcomes` (shared with the
report); this module holds only what is particular to figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from experiments.io import write_atomic  # noqa: E402
from experiments.outcomes import outcome, pretty  # noqa: E402

DPI = 120
BASELINE_COLOUR = "black"
SHARE_AXIS = "% of staff with the tool live"


AXIS_UNITS = {
    # outcome: axis label with unit, where the outcome table's unit is not the clearest
    "appropriate_share": SHARE_AXIS,
    "adoption_share": SHARE_AXIS,
    "over_trust_share": SHARE_AXIS,
    "under_trust_share": SHARE_AXIS,
    "automation_bias_rate": "% of wrong AI advice acted on",
    "aversion_rate": "% of right AI advice lost",
    "trained_share": "% of staff",
}
TITLES = {"automation_bias_rate": "Automation bias"}


def axis_title_and_unit(name: str) -> tuple[str, str]:
    """(panel title, axis label with unit) of an outcome, from the shared outcome table."""
    info = outcome(name)
    if name in AXIS_UNITS:
        unit = AXIS_UNITS[name]
    elif info.kind == "share":
        unit = "% of AI-assisted decisions"
    elif info.kind == "per_1000":
        unit = "per 1,000 AI-assisted decisions"
    else:
        unit = info.unit
    return TITLES.get(name, info.label), unit


def scale(name: str) -> float:
    """Factor from the stored value to the plotted one (shares are plotted in percent)."""
    return 100.0 if outcome(name).kind == "share" else 1.0


def scenario_colours(scenarios: Sequence[str], baseline: str | None) -> dict[str, str]:
    """A fixed colour per scenario (sorted by name), black for the baseline."""
    palette = [c for c in plt.get_cmap("tab10").colors if c != (0.0, 0.0, 0.0)]
    others = sorted(s for s in set(scenarios) if s != baseline)
    colours = {s: matplotlib.colors.to_hex(palette[i % len(palette)]) for i, s in enumerate(others)}
    if baseline is not None:
        colours[baseline] = BASELINE_COLOUR
    return colours


def one_condition(table: pd.DataFrame, condition: str | None) -> pd.DataFrame:
    """The rows of one condition; ``None`` is allowed only when the table holds one condition."""
    conditions = list(pd.unique(table["condition"]))
    if condition is None:
        if len(conditions) > 1:
            raise ValueError(f"condition = None: expected one of {', '.join(map(str, conditions))}")
        return table
    return table[table["condition"] == condition]


def final_rows(
    summary: pd.DataFrame, name: str, condition: str | None, measure: str = "final"
) -> pd.DataFrame:
    """Summary rows of one outcome and measure (default: final week) in one condition."""
    rows = summary[(summary.outcome == name) & (summary.measure == measure)]
    return one_condition(rows, condition)


def suffix(condition: str | None, condition_label: str = "condition") -> str:
    """' (label: condition)' for titles, or '' with one condition."""
    return "" if condition is None else f" ({condition_label}: {condition})"


def save(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as a PNG at ``path`` (atomically), close it and return the path."""
    write_atomic(Path(path), lambda tmp: fig.savefig(tmp, format="png", dpi=DPI))
    plt.close(fig)
    return Path(path)


def label(scenario: str, baseline: str | None) -> str:
    """A scenario's name for legends, marked '(baseline)' for the comparator."""
    return pretty(scenario) + (" (baseline)" if scenario == baseline else "")
