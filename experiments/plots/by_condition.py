"""How the result changes with a numeric condition (e.g. the tool's reliability)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from experiments.outcomes import pretty  # noqa: E402
from experiments.plots.style import label, save, scenario_colours  # noqa: E402

NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def condition_values(
    conditions: Sequence[str], overrides: Mapping[str, Sequence[str]] | None = None
) -> dict[str, float] | None:
    """A number for each condition, if every condition has a distinct one, else None.

    The number is the value of the condition's single numeric override (``overrides``: condition
    -> Hydra overrides, e.g. ``['tools.0.reliability=0.7']`` -> 0.7) when every condition has
    exactly one, else the last number in the condition's name (``'reliability_0.7'`` -> 0.7).
    """
    values: dict[str, float] = {}
    if overrides:
        for condition in conditions:
            numbers = [
                float(value)
                for item in overrides.get(condition, [])
                if re.fullmatch(NUMBER, value := str(item).split("=", 1)[-1].strip())
            ]
            if len(numbers) != 1:
                values = {}
                break
            values[condition] = numbers[0]
    if not values:
        for condition in conditions:
            found = re.findall(NUMBER, str(condition))
            if not found:
                return None
            values[condition] = float(found[-1])
    return values if len(set(values.values())) == len(values) else None


def by_condition_figure(
    summary: pd.DataFrame,
    baseline: str | None = None,
    condition_label: str = "condition",
    overrides: Mapping[str, Sequence[str]] | None = None,
) -> Figure:
    """Final mean trust and appropriate share against a numeric condition (e.g. reliability)."""
    values = condition_values(list(pd.unique(summary.condition)), overrides)
    if values is None:
        raise ValueError("by_condition_figure: expected a number in every condition's name")
    colours = scenario_colours(list(pd.unique(summary.scenario)), baseline)
    fig, axes = plt.subplots(1, 2, figsize=(14, 5.5), layout="constrained")
    panels = (
        ("mean_trust", "Final mean trust", "Trust (0-100)"),
        ("appropriate_share", "Appropriately confident", "% of staff with the tool live"),
    )
    for ax, (outcome, title, unit) in zip(axes, panels, strict=True):
        rows = summary[(summary.outcome == outcome) & (summary.measure == "final")]
        for scenario, colour in colours.items():
            part = rows[rows.scenario == scenario].copy()
            part["x"] = part.condition.map(values)
            part = part.sort_values("x")
            ax.errorbar(
                part.x,
                part["mean"] * 100,
                yerr=[(part["mean"] - part.low_95) * 100, (part.high_95 - part["mean"]) * 100],
                color=colour,
                marker="o",
                capsize=3,
                ls="--" if scenario == baseline else "-",
                label=label(scenario, baseline),
            )
        if outcome == "mean_trust" and "reliab" in condition_label.lower():
            xs = np.array(sorted(values.values()))
            ax.plot(xs, xs * 100, color="tab:green", ls=":", lw=2, label="trust = reliability")
        ax.set_title(title)
        ax.set_xlabel(pretty(condition_label))
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=9, title="Strategy (mean, 95% range)")
    fig.suptitle(f"How the result changes with {condition_label}", fontsize=13)
    return fig


def plot_by_condition(summary: pd.DataFrame, path: Path, **kwargs) -> Path:
    """Save :func:`by_condition_figure` as a PNG at ``path``."""
    return save(by_condition_figure(summary, **kwargs), path)
