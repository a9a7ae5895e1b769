"""Figures of an experiment for the report, one function per figure.

Each ``*_figure`` function takes DataFrames and returns the matplotlib Figure (so tests can inspect
it); the matching ``plot_*`` function builds it, saves it as a PNG (atomically, ``DPI`` dots per
inch) and returns the path. :func:`make_all_plots` draws every figure of a results folder. Every
figure has a title, labelled axes with units and a legend. Shares are shown in percent, and
uncertainty is always shown: bands or bars span the 2.5-97.5 percentiles over replicates (the
spread a single rollout could see), or the 95% confidence interval of a mean paired difference
against the baseline.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from experiments.io import write_atomic  # noqa: E402
from model.config import ARCHETYPES  # noqa: E402

DPI = 120
MAX_POINTS = 3000
KEY_OUTCOMES = {
    # outcome: (panel title, axis label with unit)
    "appropriate_share": ("Appropriately confident", "% of staff with the tool live"),
    "adoption_share": ("Using the tool", "% of staff with the tool live"),
    "over_trust_share": ("Over-trusting", "% of staff with the tool live"),
    "under_trust_share": ("Under-trusting", "% of staff with the tool live"),
    "automation_bias_rate": ("Automation bias", "% of wrong AI advice acted on"),
}
TRAJECTORY_OUTCOMES = (
    "appropriate_share",
    "adoption_share",
    "over_trust_share",
    "under_trust_share",
    "automation_bias_rate",
)
FINAL_OUTCOMES = (
    "appropriate_share",
    "over_trust_share",
    "under_trust_share",
    "adoption_share",
    "automation_bias_rate",
)
BASELINE_COLOUR = "black"


ACRONYMS = {"ahp": "AHP", "ai": "AI", "nhs": "NHS", "cdss": "CDSS", "genai": "GenAI"}


def pretty(name: str) -> str:
    """A scenario or group name for people: underscores to spaces, first letter capital."""
    words = [ACRONYMS.get(w.lower(), w) for w in str(name).replace("_", " ").split()]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def scenario_colours(scenarios: Sequence[str], baseline: str | None) -> dict[str, str]:
    """A fixed colour per scenario (sorted by name), black for the baseline."""
    palette = [c for c in plt.get_cmap("tab10").colors if c != (0.0, 0.0, 0.0)]
    others = sorted(s for s in set(scenarios) if s != baseline)
    colours = {s: matplotlib.colors.to_hex(palette[i % len(palette)]) for i, s in enumerate(others)}
    if baseline is not None:
        colours[baseline] = BASELINE_COLOUR
    return colours


def ranking(summary: pd.DataFrame, condition: str | None = None) -> list[str]:
    """Scenarios from the highest to the lowest final mean appropriate share."""
    rows = _final(summary, "appropriate_share", condition)
    return list(rows.sort_values("mean", ascending=False, kind="stable").scenario)


def efficient_frontier(points: pd.DataFrame) -> pd.DataFrame:
    """The non-dominated rows of ``points`` (columns scenario, cost, gain), by rising cost.

    A row is dominated when another row gains at least as much for at most the same cost and is
    strictly better in one of the two; rows with identical cost and gain are all kept.
    """
    cost = points["cost"].to_numpy(float)
    gain = points["gain"].to_numpy(float)
    no_worse = (cost[None, :] <= cost[:, None]) & (gain[None, :] >= gain[:, None])
    better = (cost[None, :] < cost[:, None]) | (gain[None, :] > gain[:, None])
    dominated = (no_worse & better).any(axis=1)
    return points[~dominated].sort_values(["cost", "gain"], kind="stable")


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


def _one_condition(table: pd.DataFrame, condition: str | None) -> pd.DataFrame:
    conditions = list(pd.unique(table["condition"]))
    if condition is None:
        if len(conditions) > 1:
            raise ValueError(f"condition = None: expected one of {', '.join(map(str, conditions))}")
        return table
    return table[table["condition"] == condition]


def _final(summary: pd.DataFrame, outcome: str, condition: str | None) -> pd.DataFrame:
    rows = summary[(summary.outcome == outcome) & (summary.measure == "final")]
    return _one_condition(rows, condition)


def _suffix(condition: str | None, condition_label: str = "condition") -> str:
    return "" if condition is None else f" ({condition_label}: {condition})"


def _save(fig: Figure, path: Path) -> Path:
    write_atomic(Path(path), lambda tmp: fig.savefig(tmp, format="png", dpi=DPI))
    plt.close(fig)
    return Path(path)


def trajectories_figure(
    runs: pd.DataFrame,
    baseline: str | None = None,
    condition: str | None = None,
    condition_label: str = "condition",
) -> Figure:
    """Key outcomes week by week: median over replicates and the 2.5-97.5 percentile band.

    The x axis is the calendar (``date`` column) with the week number on top, or the week number
    alone when there is no ``date`` column.
    """
    runs = _one_condition(runs, condition)
    colours = scenario_colours(list(pd.unique(runs.scenario)), baseline)
    calendar = "date" in runs
    weeks = pd.Series(np.sort(pd.unique(runs.week)))
    dates = runs.groupby("week")["date"].first().sort_index() if calendar else weeks.set_axis(weeks)
    fig, axes = plt.subplots(2, 3, figsize=(15, 8.5), sharex=True, layout="constrained")
    panels = axes.ravel()
    for ax, outcome in zip(panels, TRAJECTORY_OUTCOMES, strict=False):
        stats = runs.groupby(["scenario", "week"])[outcome].quantile([0.025, 0.5, 0.975])
        stats = stats.unstack().mul(100)
        for scenario, colour in colours.items():
            if scenario not in stats.index.get_level_values(0):
                continue
            band = stats.loc[scenario].reindex(dates.index)
            x = dates.to_numpy()
            ax.fill_between(x, band[0.025], band[0.975], color=colour, alpha=0.12, lw=0)
            style = "--" if scenario == baseline else "-"
            ax.plot(x, band[0.5], color=colour, lw=1.8, ls=style)
        title, unit = KEY_OUTCOMES[outcome]
        ax.set_title(title)
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
        if not calendar:
            ax.set_xlabel("Week of the simulation")
            ax.tick_params(axis="x", labelbottom=True)
            continue
        ax.set_xlabel("Calendar date (one step = one week)")
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
        ax.tick_params(axis="x", labelbottom=True, rotation=30)
        origin = mdates.date2num(dates.iloc[0])
        top = ax.secondary_xaxis(
            "top", functions=(lambda d, o=origin: (d - o) / 7, lambda w, o=origin: o + 7 * w)
        )
        top.set_xlabel("Week of the simulation", fontsize=8)
        top.tick_params(labelsize=8)
    legend_ax = panels[-1]
    legend_ax.axis("off")
    handles = [
        Line2D([], [], color=c, lw=2, ls="--" if s == baseline else "-", label=_label(s, baseline))
        for s, c in colours.items()
    ]
    handles.append(Patch(color="grey", alpha=0.25, label="2.5-97.5 percentile over replicates"))
    legend_ax.legend(handles=handles, loc="center", title="Strategy (line = median)", fontsize=10)
    legend_ax.set_title("Legend")
    n_reps = runs.replicate.nunique()
    suffix = _suffix(condition, condition_label)
    fig.suptitle(
        f"How confidence in the AI tool evolves under each strategy{suffix}: "
        f"median and range over {n_reps} replicates",
        fontsize=13,
    )
    return fig


def _label(scenario: str, baseline: str | None) -> str:
    return pretty(scenario) + (" (baseline)" if scenario == baseline else "")


def final_outcomes_figure(
    summary: pd.DataFrame,
    baseline: str | None = None,
    condition: str | None = None,
    condition_label: str = "condition",
) -> Figure:
    """Final-week mean and 95% range per scenario for the key outcomes, best strategy on top."""
    order = ranking(summary, condition)[::-1]
    colours = scenario_colours(order, baseline)
    fig, axes = plt.subplots(
        1,
        len(FINAL_OUTCOMES),
        figsize=(16, 1.4 + 0.55 * len(order)),
        sharey=True,
        layout="constrained",
    )
    y = np.arange(len(order))
    for ax, outcome in zip(axes, FINAL_OUTCOMES, strict=True):
        rows = _final(summary, outcome, condition).set_index("scenario").reindex(order) * 1
        mean = rows["mean"].to_numpy(float) * 100
        low = rows["low_95"].to_numpy(float) * 100
        high = rows["high_95"].to_numpy(float) * 100
        for i, scenario in enumerate(order):
            ax.errorbar(
                mean[i],
                y[i],
                xerr=[[mean[i] - low[i]], [high[i] - mean[i]]],
                fmt="o",
                color=colours[scenario],
                ms=7 if scenario == baseline else 6,
                capsize=3,
                lw=1.5,
            )
        if baseline in order:
            ax.axvline(mean[order.index(baseline)], color=BASELINE_COLOUR, ls=":", lw=1)
            ax.axhspan(
                order.index(baseline) - 0.4,
                order.index(baseline) + 0.4,
                color="gold",
                alpha=0.25,
                lw=0,
            )
        title, unit = KEY_OUTCOMES[outcome]
        ax.set_title(title)
        ax.set_xlabel(unit)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, [_label(s, baseline) for s in order])
    axes[0].set_ylabel("Strategy (best appropriate share on top)")
    for tick, scenario in zip(axes[0].get_yticklabels(), order, strict=True):
        if scenario == baseline:
            tick.set_fontweight("bold")
    handles = [
        Line2D(
            [], [], marker="o", color="grey", ls="-", label="mean, with 95% range over replicates"
        ),
        Line2D([], [], color=BASELINE_COLOUR, ls=":", label="baseline mean"),
        Patch(color="gold", alpha=0.4, label="baseline (no-training comparator)"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3)
    fig.suptitle(
        f"Where each strategy ends up in the final week{_suffix(condition, condition_label)}",
        fontsize=13,
    )
    return fig


def cost_effect_points(summary: pd.DataFrame, condition: str | None = None) -> pd.DataFrame:
    """Per scenario: mean extra cost and extra appropriately-confident workers vs the baseline."""
    cost = _final(summary, "cumulative_cost_gbp", condition).set_index("scenario")
    gain = _final(summary, "appropriate_workers", condition).set_index("scenario")
    cols = ["diff_mean", "diff_low_95", "diff_high_95"]
    points = pd.concat(
        [
            cost[cols].set_axis(["cost", "cost_low", "cost_high"], axis=1),
            gain[cols].set_axis(["gain", "gain_low", "gain_high"], axis=1),
        ],
        axis=1,
    )
    return points.dropna(subset=["cost", "gain"]).reset_index()


def _label_points(ax, xs, ys, texts, colours) -> None:
    """Label points beside them, moving a label (with a leader line) if it would cover another."""
    fig = ax.figure
    if fig.get_layout_engine() is not None:
        fig.get_layout_engine().execute(fig)  # final axes position, so boxes are where drawn
    renderer = fig.canvas.get_renderer()
    x_low, x_high = ax.get_xlim()
    placed = []
    rises = [6, -14, 18, -26, 30, -38, 42, -50]
    for x, y, text, colour in sorted(
        zip(xs, ys, texts, colours, strict=True), key=lambda t: (t[1], t[0])
    ):
        side = -1 if (x - x_low) > 0.7 * (x_high - x_low) else 1
        style = dict(
            textcoords="offset points",
            ha="left" if side > 0 else "right",
            fontsize=9,
            color=colour,
            bbox=dict(fc="white", ec="none", alpha=0.75, pad=1),
        )
        chosen, chosen_box = (side * 8, rises[0]), None  # kept if no other place is free
        for rise in rises:
            offset = (side * (8 if rise == rises[0] else 16), rise)
            trial = ax.annotate(text, (x, y), xytext=offset, **style)
            box = trial.get_window_extent(renderer)
            trial.remove()
            chosen_box = chosen_box or box
            if not any(box.overlaps(other) for other in placed):
                chosen, chosen_box = offset, box
                break
        moved = chosen[1] != rises[0]
        arrow = dict(arrowstyle="-", color=colour, lw=0.6, shrinkA=0) if moved else None
        ax.annotate(text, (x, y), xytext=chosen, arrowprops=arrow, **style)
        placed.append(chosen_box)


def cost_effectiveness_figure(
    summary: pd.DataFrame,
    baseline: str | None = None,
    condition: str | None = None,
    condition_label: str = "condition",
) -> Figure:
    """Extra cost against extra appropriately-confident workers, with the efficient frontier."""
    points = cost_effect_points(summary, condition)
    colours = scenario_colours(list(points.scenario), baseline)
    fig, ax = plt.subplots(figsize=(10, 7), layout="constrained")
    ax.axhline(0, color="grey", lw=1)
    ax.axvline(0, color="grey", lw=1)
    for row in points.itertuples():
        x, y = row.cost / 1000, row.gain
        xerr = [[x - row.cost_low / 1000], [row.cost_high / 1000 - x]]
        yerr = [[y - row.gain_low], [row.gain_high - y]]
        ax.errorbar(
            x, y, xerr=xerr, yerr=yerr, fmt="o", ms=8, capsize=3, color=colours[row.scenario]
        )
    ax.margins(x=0.08, y=0.08)
    _label_points(
        ax,
        points.cost / 1000,
        points.gain,
        [_label(s, baseline) for s in points.scenario],
        [colours[s] for s in points.scenario],
    )
    frontier = efficient_frontier(points[["scenario", "cost", "gain"]])
    ax.plot(
        frontier.cost / 1000,
        frontier.gain,
        color="tab:green",
        lw=2.5,
        alpha=0.6,
        zorder=0,
        marker="s",
        ms=14,
        mfc="none",
        gid="efficient_frontier",
    )
    handles = [
        Line2D(
            [],
            [],
            color="tab:green",
            lw=2.5,
            alpha=0.6,
            marker="s",
            ms=10,
            mfc="none",
            label="efficient frontier: no other strategy gains more for less",
        ),
        Line2D(
            [],
            [],
            marker="o",
            color="grey",
            label="mean difference, bars = 95% confidence interval",
        ),
    ]
    ax.legend(handles=handles, loc="best")
    ax.set_xlabel(
        "Extra training cost vs baseline by the final week (thousand GBP, incl. backfill)"
    )
    ax.set_ylabel("Extra appropriately-confident staff vs baseline, final week (workers)")
    ax.set_title(
        f"Cost-effectiveness: what each strategy buys compared with "
        f"{pretty(baseline).lower() if baseline else 'the baseline'}"
        f"{_suffix(condition, condition_label)}"
    )
    ax.grid(alpha=0.3)
    return fig


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
    snapshots = _one_condition(snapshots, condition)
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
        f"{_suffix(condition, condition_label)}\n(one replicate; dots are spread sideways a "
        "little so that they do not hide each other)",
        fontsize=13,
    )
    return fig


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
                label=_label(scenario, baseline),
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


def group_heatmap_figure(
    runs_by_group: pd.DataFrame,
    grouping: str = "archetype",
    condition: str | None = None,
    condition_label: str = "condition",
    order: Sequence[str] | None = None,
    baseline: str | None = None,
) -> Figure:
    """Final appropriate share (mean over replicates) by scenario and group, annotated."""
    data = _one_condition(runs_by_group[runs_by_group.grouping == grouping], condition)
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
    ax.set_yticks(range(len(rows)), [_label(s, baseline) for s in rows])
    ax.set_xlabel(pretty(grouping).replace("_", " "))
    ax.set_ylabel("Strategy")
    fig.colorbar(image, ax=ax, label="Appropriately confident, final week (% of group)")
    ax.set_title(
        f"Which staff end up appropriately confident, by {grouping.replace('_', ' ')}"
        f"{_suffix(condition, condition_label)}\n(final week, mean over replicates)",
        fontsize=11,
    )
    return fig


def plot_trajectories(runs: pd.DataFrame, path: Path, **kwargs) -> Path:
    """Save :func:`trajectories_figure` as a PNG at ``path``."""
    return _save(trajectories_figure(runs, **kwargs), path)


def plot_final_outcomes(summary: pd.DataFrame, path: Path, **kwargs) -> Path:
    """Save :func:`final_outcomes_figure` as a PNG at ``path``."""
    return _save(final_outcomes_figure(summary, **kwargs), path)


def plot_cost_effectiveness(summary: pd.DataFrame, path: Path, **kwargs) -> Path:
    """Save :func:`cost_effectiveness_figure` as a PNG at ``path``."""
    return _save(cost_effectiveness_figure(summary, **kwargs), path)


def plot_trust_reliability(snapshots: pd.DataFrame, path: Path, **kwargs) -> Path:
    """Save :func:`trust_reliability_figure` as a PNG at ``path``."""
    return _save(trust_reliability_figure(snapshots, **kwargs), path)


def plot_by_condition(summary: pd.DataFrame, path: Path, **kwargs) -> Path:
    """Save :func:`by_condition_figure` as a PNG at ``path``."""
    return _save(by_condition_figure(summary, **kwargs), path)


def plot_group_heatmap(runs_by_group: pd.DataFrame, path: Path, **kwargs) -> Path:
    """Save :func:`group_heatmap_figure` as a PNG at ``path``."""
    return _save(group_heatmap_figure(runs_by_group, **kwargs), path)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "_", str(text)).strip("_") or "x"


def make_all_plots(
    out_dir: Path,
    runs: pd.DataFrame,
    runs_by_group: pd.DataFrame | None,
    summary: pd.DataFrame,
    snapshots: pd.DataFrame | None,
    baseline: str | None,
    condition_label: str = "condition",
    margin: float = 0.1,
    conditions: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Path]:
    """Draw every figure of an experiment into ``out_dir/plots``; returns name -> PNG path.

    Names are ``kind`` with one condition, ``kind:condition`` with several (kinds: trajectories,
    final_outcomes, cost_effectiveness, trust_reliability, archetype_heatmap,
    staff_group_heatmap, and by_condition when every condition's name holds a number).
    ``snapshots`` is the concatenation of the ``rep_000_snapshot`` tables (None to skip);
    ``margin`` is ``outcomes.appropriate_margin``; ``conditions`` is ``experiment.conditions``
    (condition -> overrides), used to place numeric conditions on an axis.
    """
    plots_dir = Path(out_dir) / "plots"
    overrides = conditions
    conditions = list(pd.unique(summary.condition))
    several = len(conditions) > 1
    has_cost = baseline is not None and "diff_mean" in summary
    plots: dict[str, Path] = {}
    if several and condition_values(conditions, overrides) is not None:
        plots["by_condition"] = plot_by_condition(
            summary,
            plots_dir / "by_condition.png",
            baseline=baseline,
            condition_label=condition_label,
            overrides=overrides,
        )
    for condition in conditions:
        tag = f":{condition}" if several else ""
        file_tag = f"_{_slug(condition)}" if several else ""
        common = dict(condition=condition if several else None, condition_label=condition_label)
        order = ranking(summary, common["condition"])

        def path(kind: str, file_tag: str = file_tag) -> Path:
            return plots_dir / f"{kind}{file_tag}.png"

        plots[f"trajectories{tag}"] = plot_trajectories(
            runs, path("trajectories"), baseline=baseline, **common
        )
        plots[f"final_outcomes{tag}"] = plot_final_outcomes(
            summary, path("final_outcomes"), baseline=baseline, **common
        )
        if has_cost:
            plots[f"cost_effectiveness{tag}"] = plot_cost_effectiveness(
                summary, path("cost_effectiveness"), baseline=baseline, **common
            )
        if snapshots is not None and len(snapshots):
            plots[f"trust_reliability{tag}"] = plot_trust_reliability(
                snapshots, path("trust_reliability"), margin=margin, order=order, **common
            )
        if runs_by_group is not None and len(runs_by_group):
            for grouping in pd.unique(runs_by_group.grouping):
                plots[f"{grouping}_heatmap{tag}"] = plot_group_heatmap(
                    runs_by_group,
                    path(f"{grouping}_heatmap"),
                    grouping=grouping,
                    order=order,
                    baseline=baseline,
                    **common,
                )
    return plots
