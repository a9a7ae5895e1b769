"""What each strategy buys: extra cost against extra gain, with the efficient frontier."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from experiments.outcomes import pretty  # noqa: E402
from experiments.plots.style import final_rows, label, save, scenario_colours, suffix  # noqa: E402


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


GAINS = {
    # gain: (outcome, measure, sign: +1 gain = more of it, -1 gain = less of it, axis label)
    "appropriate_workers": (
        "appropriate_workers",
        "final",
        1,
        "Extra appropriately-confident staff vs baseline, final week (workers)",
    ),
    "errors_averted": (
        "avoidable_errors_averted",
        "cumulative",
        1,
        "Avoidable errors averted vs baseline over the horizon (errors)",
    ),
}


def cost_effect_points(
    summary: pd.DataFrame, condition: str | None = None, gain: str = "appropriate_workers"
) -> pd.DataFrame:
    """Per scenario: mean extra cost and mean gain vs the baseline, with their 95% CIs.

    ``gain`` is ``appropriate_workers`` (extra appropriately-confident workers in the final week)
    or ``errors_averted`` (the baseline's error rate minus the scenario's, times the scenario's
    decisions, summed over the weeks: :func:`experiments.summary.errors_averted`).
    """
    name, measure, sign, _ = GAINS[gain]
    cost = final_rows(summary, "cumulative_cost_gbp", condition).set_index("scenario")
    effect = final_rows(summary, name, condition, measure).set_index("scenario")
    effect = effect[["diff_mean", "diff_low_95", "diff_high_95"]] * sign
    if sign < 0:  # the interval's ends swap when the sign flips
        effect = effect[["diff_mean", "diff_high_95", "diff_low_95"]]
    cols = ["diff_mean", "diff_low_95", "diff_high_95"]
    points = pd.concat(
        [
            cost[cols].set_axis(["cost", "cost_low", "cost_high"], axis=1),
            effect.set_axis(["gain", "gain_low", "gain_high"], axis=1),
        ],
        axis=1,
    )
    return points.dropna(subset=["cost", "gain"]).reset_index()


def label_points(ax, xs, ys, texts, colours) -> None:
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
    gain: str = "appropriate_workers",
) -> Figure:
    """Extra cost against a gain (``gain``: see :func:`cost_effect_points`), with the frontier."""
    points = cost_effect_points(summary, condition, gain)
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
    label_points(
        ax,
        points.cost / 1000,
        points.gain,
        [label(s, baseline) for s in points.scenario],
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
    ax.set_ylabel(GAINS[gain][3])
    ax.set_title(
        f"Cost-effectiveness ({'errors averted' if gain == 'errors_averted' else 'confidence'}):"
        " what each strategy buys compared with "
        f"{pretty(baseline).lower() if baseline else 'the baseline'}"
        f"{suffix(condition, condition_label)}"
    )
    ax.grid(alpha=0.3)
    return fig


def plot_cost_effectiveness(summary: pd.DataFrame, path: Path, **kwargs) -> Path:
    """Save :func:`cost_effectiveness_figure` as a PNG at ``path``."""
    return save(cost_effectiveness_figure(summary, **kwargs), path)
