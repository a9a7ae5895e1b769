"""The planners' page: compare the strategies of a finished experiment without rerunning it."""

from __future__ import annotations

from pathlib import Path

import solara
from matplotlib.figure import Figure

from experiments.outcomes import MEASURE_WORDS, measure_defined, outcome, pretty
from experiments.plots.style import axis_title_and_unit, label, scale, scenario_colours
from experiments.results_reader import (
    ALL_STAFF,
    BAND_QUANTILES,
    FinishedExperiment,
    group_runs,
    newest_results_folder,
    ranking_table,
    read_experiment,
    weekly_bands,
)

RESULTS_ROOT = Path(__file__).resolve().parents[1] / "results" / "training_mix"
"""Where the page looks for the newest finished experiment by default."""


def default_folder() -> str:
    """The newest finished folder under results/training_mix/, or that folder itself."""
    return str(newest_results_folder(RESULTS_ROOT) or RESULTS_ROOT)


def bands_figure(
    experiment: FinishedExperiment, outcome_name: str, group: str, condition: str
) -> Figure:
    """Median and band over replicates of one outcome by week, one line per strategy."""
    bands = weekly_bands(group_runs(experiment, group), outcome_name, condition)
    title, unit = axis_title_and_unit(outcome_name)
    factor = scale(outcome_name)
    colours = scenario_colours(experiment.scenarios, experiment.baseline)
    fig = Figure(figsize=(9, 4.6), layout="constrained")
    ax = fig.subplots()
    for scenario, rows in bands.groupby("scenario", sort=False):
        colour = colours.get(scenario, "grey")
        ax.plot(rows.week, rows["median"] * factor, color=colour, lw=1.6)
        ax.fill_between(
            rows.week, rows.low * factor, rows.high * factor, color=colour, alpha=0.15, lw=0
        )
        ax.plot([], [], color=colour, lw=6, alpha=0.5, label=label(scenario, experiment.baseline))
    where = pretty(group) if group == ALL_STAFF else pretty(group.split(": ", 1)[1])
    more = "" if len(experiment.conditions) == 1 else f", {condition}"
    ax.set_title(f"{title}: {where}{more}")
    ax.set_xlabel("Week")
    ax.set_ylabel(unit)
    ax.grid(alpha=0.3)
    low, high = (round(100 * q, 1) for q in BAND_QUANTILES)
    ax.legend(
        title=f"Strategy: median, band {low:g}-{high:g}th percentile of replicates",
        fontsize="x-small",
        title_fontsize="x-small",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
    )
    return fig


@solara.component
def ExperimentView(experiment: FinishedExperiment) -> None:
    """Choices of outcome, measure, staff group and condition; the bands and the ranking."""
    labels = {f"{outcome(n).label} ({n})": n for n in experiment.outcomes}
    primary = next(
        (k for k, n in labels.items() if n == experiment.primary_outcome), next(iter(labels))
    )
    chosen, set_chosen = solara.use_state(primary)
    group, set_group = solara.use_state(ALL_STAFF)
    condition, set_condition = solara.use_state(experiment.conditions[0])
    outcome_name = labels.get(chosen, experiment.primary_outcome)
    measures = [m for m in MEASURE_WORDS if measure_defined(outcome_name, m)]
    default_measure = (
        experiment.primary_measure if experiment.primary_measure in measures else "final"
    )
    measure, set_measure = solara.use_state(default_measure)
    if measure not in measures:
        measure = "final"

    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.Select("Outcome", values=list(labels), value=chosen, on_value=set_chosen)
        solara.Select("Measure", values=measures, value=measure, on_value=set_measure)
        solara.Select("Staff group", values=experiment.groups, value=group, on_value=set_group)
        if len(experiment.conditions) > 1:
            solara.Select(
                "Condition", values=experiment.conditions, value=condition, on_value=set_condition
            )
    solara.Markdown(f"### By week: {outcome(outcome_name).label.lower()}, {group}")
    if experiment.runs.empty:
        solara.Warning("This folder has no runs.parquet: no weekly bands to show.")
    else:
        solara.FigureMatplotlib(
            bands_figure(experiment, outcome_name, group, condition),
            format="png",
            dependencies=[str(experiment.folder), outcome_name, group, condition],
        )
    solara.Markdown(
        f"### Ranking: {outcome(outcome_name).label.lower()}, {MEASURE_WORDS[measure]}\n"
        f"All staff, from summary.csv; best first ({outcome(outcome_name).better or 'higher'} "
        "is better); 95% ranges over replicates; differences paired with the baseline."
    )
    try:
        table = ranking_table(experiment, outcome_name, measure, condition)
    except ValueError as error:
        solara.Error(str(error))
    else:
        solara.DataFrame(table, items_per_page=len(table) or 1)


@solara.component
def PlannersPage() -> None:
    """Open a finished experiment's results folder and compare its strategies."""
    folder, set_folder = solara.use_state(default_folder())
    experiment, problem = solara.use_memo(lambda: _read(folder), [folder])
    with solara.Column(style={"padding": "12px", "max-width": "1200px"}):
        solara.Markdown("## Compare strategies of a finished experiment")
        solara.InputText(
            "Results folder (summary.csv, runs.parquet)",
            value=folder,
            on_value=set_folder,
            continuous_update=False,
        )
        if experiment is None:
            solara.Error(problem)
            return
        solara.Markdown(
            f"**{experiment.title}**  \n{experiment.question}  \n"
            f"{len(experiment.scenarios)} strategies, baseline: "
            f"{pretty(experiment.baseline) if experiment.baseline else 'none'}; folder "
            f"`{experiment.folder}`"
        )
        ExperimentView(experiment).key(str(experiment.folder))


def _read(folder: str) -> tuple[FinishedExperiment | None, str]:
    try:
        return read_experiment(folder), ""
    except (OSError, ValueError) as error:
        return None, str(error)


__all__ = ["PlannersPage", "bands_figure", "default_folder"]
