"""Figures of a calibration, one function per figure; each returns a matplotlib Figure.

Every figure has a title, labelled axes with units and a legend; shares are in percent and
uncertainty is always shown. :func:`save` writes a PNG atomically.
"""

from __future__ import annotations

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
from matplotlib.ticker import MaxNLocator  # noqa: E402

from experiments.calibration.parameters import ParameterSpec  # noqa: E402
from experiments.calibration.simulate import series_name  # noqa: E402
from experiments.io import write_atomic  # noqa: E402

DPI = 110
BAND, FITTED, HELD_OUT, TRUTH = "tab:blue", "black", "tab:orange", "tab:red"
QUESTION_WORDS = {
    "trust": "trust in AI",
    "confidence": "confidence using AI",
    "self_efficacy": "self-efficacy with AI",
    "uses_ai": "used AI",
    "use_frequency": "how often AI is used",
    "trained": "received training on AI",
    "wants_training": "wants training on AI",
}
ANSWER_WORDS = {
    "agree": "agree (4-5 of 5)",
    "disagree": "disagree (1-2 of 5)",
    "yes": "yes",
    **{f: f for f in ("daily", "weekly", "monthly", "rarely", "never")},
}
NOT_FITTED = "tab:gray"


def save(fig: Figure, path: Path) -> Path:
    """Write the figure as a PNG atomically and close it."""
    write_atomic(Path(path), lambda tmp: fig.savefig(tmp, format="png", dpi=DPI))
    plt.close(fig)
    return Path(path)


def figure_series(row: pd.Series | object) -> str:
    """The model series a figure row (of the figure table) reads."""
    tool = None if row.tool == "any" else row.tool
    group = None if row.staff_group == "all" else row.staff_group
    recall = getattr(row, "recall_weeks", None)
    recall = None if recall is None or pd.isna(recall) else int(recall)
    return series_name(row.quantity, (row.answer,), tool, group, recall)


def _panel_title(row: object) -> str:
    tool = "AI in general" if row.tool == "any" else row.tool
    group = "all staff" if row.staff_group == "all" else row.staff_group.replace("_", " ")
    recall = getattr(row, "recall_weeks", None)
    window = "" if recall is None or pd.isna(recall) else f" in the past {int(recall)} weeks"
    question = QUESTION_WORDS[row.quantity] + window
    return f"{question} ({tool}), {group}: {ANSWER_WORDS[row.answer]}"


def fit_figure(figures: pd.DataFrame, trajectories: pd.DataFrame) -> Figure:
    """Each survey figure with its 95% sampling interval against the predictive band over time."""
    figures = figures.assign(series=[figure_series(r) for r in figures.itertuples()])
    series = list(dict.fromkeys(figures.series))
    cols = min(3, len(series))
    rows = -(-len(series) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.6 * rows), squeeze=False)
    for ax, name in zip(axes.flat, series, strict=False):
        traj = trajectories[trajectories.series == name]
        band = traj.groupby("date")["share"].quantile([0.05, 0.5, 0.95]).unstack()
        ax.fill_between(band.index, 100 * band[0.05], 100 * band[0.95], color=BAND, alpha=0.25)
        ax.plot(band.index, 100 * band[0.5], color=BAND, lw=1.5)
        for f in figures[figures.series == name].itertuples():
            day = pd.Timestamp(f.fieldwork_mid)
            colour = HELD_OUT if f.held_out else (FITTED if f.status == "fitted" else NOT_FITTED)
            ax.vlines(
                day + pd.Timedelta(days=25),
                100 * f.predicted_low90,
                100 * f.predicted_high90,
                color=BAND,
                lw=4,
                alpha=0.6,
            )
            ax.errorbar(
                day,
                100 * f.observed,
                yerr=[
                    [100 * (f.observed - f.observed_low95)],
                    [100 * (f.observed_high95 - f.observed)],
                ],
                fmt="o" if not f.held_out else "s",
                mfc=colour if not f.held_out else "white",
                color=colour,
                capsize=3,
            )
            ax.annotate(
                f.question_id.replace("_", " "),
                (day, 100 * f.observed),
                fontsize=7,
                xytext=(4, 4),
                textcoords="offset points",
            )
        ax.set_title(
            "\n".join(textwrap.wrap(_panel_title(figures[figures.series == name].iloc[0]), 48)),
            fontsize=9,
        )
        ax.set_ylabel("% of staff")
        ax.set_ylim(0, 100)
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.tick_params(axis="x", labelsize=8)
    for ax in list(axes.flat)[len(series) :]:
        ax.set_visible(False)
    handles = [
        plt.Line2D([], [], color=BAND, lw=6, alpha=0.3, label="model: staff share, 90% band"),
        plt.Line2D([], [], color=BAND, lw=1.5, label="model: median"),
        plt.Line2D([], [], color=BAND, lw=4, alpha=0.6, label="simulated survey (n), 90% interval"),
        plt.Line2D([], [], color=FITTED, marker="o", ls="", label="published figure, 95% interval"),
    ]
    if figures.held_out.any():
        handles.append(
            plt.Line2D(
                [],
                [],
                color=HELD_OUT,
                marker="s",
                mfc="white",
                ls="",
                label="held out (not fitted)",
            )
        )
    if "status" in figures and (~figures.held_out & (figures.status != "fitted")).any():
        label = "not fitted (no n, or predicted only)"
        handles.append(plt.Line2D([], [], color=NOT_FITTED, marker="o", ls="", label=label))
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle("Survey figures against the calibrated model (posterior predictive)")
    fig.tight_layout(rect=(0, 0.07, 1, 0.96))
    return fig


def pairs_figure(
    posterior: pd.DataFrame,
    parameters: Sequence[ParameterSpec],
    truth: Mapping[str, float] | None = None,
) -> Figure:
    """Weighted posterior marginals (diagonal) and pairs (below), axes over the prior ranges."""
    k = len(parameters)
    fig, axes = plt.subplots(k, k, figsize=(2.3 * k + 1, 2.3 * k + 0.6), squeeze=False)
    weights = posterior["weight"].to_numpy(dtype=float)
    size = 4 + 60 * weights / weights.max()
    for i, pi in enumerate(parameters):
        for j, pj in enumerate(parameters):
            ax = axes[i, j]
            if j > i:
                ax.set_visible(False)
                continue
            if i == j:
                ax.hist(
                    posterior[pi.name],
                    bins=20,
                    range=(pi.low, pi.high),
                    weights=weights,
                    density=True,
                    color=BAND,
                    alpha=0.7,
                )
                ax.axhline(1 / pi.width, color="grey", ls="--", lw=1)
                ax.set_yticks([])
            else:
                ax.scatter(posterior[pj.name], posterior[pi.name], s=size, color=BAND, alpha=0.4)
                ax.set_ylim(pi.low, pi.high)
                if truth:
                    ax.plot(truth[pj.name], truth[pi.name], "*", color=TRUTH, ms=12)
            if truth and i == j:
                ax.axvline(truth[pi.name], color=TRUTH, lw=2)
            ax.set_xlim(pj.low, pj.high)
            ax.tick_params(labelsize=7)
            if i == k - 1:
                ax.set_xlabel(f"{pj.name}\n({pj.unit})", fontsize=8)
            if j == 0 and i > 0:
                ax.set_ylabel(pi.name, fontsize=8)
    title = (
        "Posterior: marginals (diagonal, weighted; dashed: the flat prior) and pairs;\n"
        "axes span the prior ranges"
    )
    if truth:
        title += "\nred: the true values of the synthetic survey"
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def diagnostics_figure(diagnostics: pd.DataFrame, reference: float) -> Figure:
    """Epsilon, acceptance rate and effective sample size per generation."""
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
    finite = diagnostics[np.isfinite(diagnostics.epsilon)]
    axes[0].plot(finite.generation, finite.epsilon, "o-")
    axes[0].axhline(
        reference,
        color="grey",
        ls="--",
        label=f"average if the model were true ({reference:.3g})",
    )
    axes[0].set_yscale("log")
    axes[0].set(
        title="Acceptance threshold epsilon", xlabel="generation", ylabel="distance (deviance)"
    )
    axes[0].legend(fontsize=8)
    axes[1].plot(diagnostics.generation, 100 * diagnostics.acceptance_rate, "o-")
    axes[1].set(title="Acceptance rate", xlabel="generation", ylabel="% of simulations accepted")
    axes[2].plot(diagnostics.generation, diagnostics.ess, "o-", label="effective sample size")
    axes[2].plot(
        diagnostics.generation, diagnostics.accepted, "--", color="grey", label="particles"
    )
    axes[2].set(title="Effective sample size", xlabel="generation", ylabel="particles")
    axes[2].legend(fontsize=8)
    axes[1].set_ylim(0, 100)
    axes[2].set_ylim(0, None)
    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout()
    return fig


def interval_figure(figures: pd.DataFrame, title: str) -> Figure:
    """Per figure: the 90% predictive interval and median against the observed share (95%)."""
    figures = figures.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(figures) + 1.6))
    y = np.arange(len(figures))[::-1]
    ax.hlines(
        y + 0.12,
        100 * figures.predicted_low90,
        100 * figures.predicted_high90,
        color=BAND,
        lw=5,
        alpha=0.6,
        label="predicted: 90% interval",
    )
    ax.plot(
        100 * figures.predicted_median,
        y + 0.12,
        "|",
        color=BAND,
        ms=14,
        mew=2,
        label="predicted median",
    )
    ax.errorbar(
        100 * figures.observed,
        y - 0.12,
        xerr=[
            100 * (figures.observed - figures.observed_low95),
            100 * (figures.observed_high95 - figures.observed),
        ],
        fmt="o",
        color=FITTED,
        capsize=3,
        label="published: 95% interval",
    )
    ax.set_yticks(
        y, [f"{f} (n={n})" for f, n in zip(figures.figure_id, figures.n, strict=True)], fontsize=8
    )
    ax.set_xlabel("% of respondents giving the answer")
    ax.set_xlim(0, 100)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def recovery_figure(recovery: pd.DataFrame) -> Figure:
    """Per parameter on its prior range (0-1): the 90% interval, the mean and the true value."""
    recovery = recovery.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(recovery) + 1.6))
    y = np.arange(len(recovery))[::-1]
    width = recovery.prior_high - recovery.prior_low

    def scaled(column: str) -> pd.Series:
        return (recovery[column] - recovery.prior_low) / width

    ax.hlines(
        y,
        scaled("q05"),
        scaled("q95"),
        color=BAND,
        lw=6,
        alpha=0.6,
        label="posterior: 90% interval",
    )
    ax.plot(scaled("mean"), y, "|", color=BAND, ms=16, mew=2, label="posterior mean")
    ax.plot(scaled("truth"), y, "*", color=TRUTH, ms=13, label="true value")
    labels = [
        f"{r.parameter}\n({'identified' if r.identified == 'yes' else 'not identified'})"
        for r in recovery.itertuples()
    ]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("position within the prior range (0 = low end, 1 = high end)")
    ax.set_title("Parameter recovery from a synthetic survey", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def trials_figure(trials: pd.DataFrame, parameters: Sequence[ParameterSpec]) -> Figure:
    """Point estimate: the deviance of every optuna trial against each parameter."""
    k = len(parameters)
    fig, axes = plt.subplots(1, k, figsize=(3.2 * k, 3.2), squeeze=False, sharey=True)
    best = trials.deviance.idxmin()
    for ax, p in zip(axes.flat, parameters, strict=True):
        ax.scatter(trials[p.name], trials.deviance, s=12, color=BAND, alpha=0.6, label="trial")
        ax.plot(
            trials.loc[best, p.name],
            trials.loc[best, "deviance"],
            "*",
            color=TRUTH,
            ms=12,
            label="best",
        )
        ax.set(xlabel=f"{p.name}\n({p.unit})", xlim=(p.low, p.high))
        ax.set_yscale("log")
    axes[0, 0].set_ylabel("deviance (mean over seeds)")
    axes[0, 0].legend(fontsize=8)
    fig.suptitle(
        "Point estimate: deviance of each trial (a flat cloud: the data say little)", fontsize=10
    )
    fig.tight_layout()
    return fig


def noise_figure(noise: pd.DataFrame) -> Figure:
    """Per figure: 90% widths of simulation noise, sampling noise and the predictive interval."""
    noise = noise[noise.n > 0].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(noise) + 1.8))
    y = np.arange(len(noise))[::-1]
    bars = (
        ("simulation_width90", "simulation noise at fixed parameters", "tab:red", -0.27),
        ("sampling_width90", "sampling error of the survey (binomial, n)", "black", -0.09),
        ("survey_width90", "sampling error with survey dispersion", "tab:gray", 0.09),
        ("predictive_width90", "posterior predictive interval", BAND, 0.27),
    )
    for column, label, colour, offset in bars:
        ax.barh(y + offset, 100 * noise[column], height=0.17, color=colour, label=label)
    ax.set_yticks(y, noise.figure_id, fontsize=8)
    ax.set_xlabel("width of the 90% interval (percentage points)")
    ax.set_title("Simulation noise against sampling noise, per survey figure", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig
