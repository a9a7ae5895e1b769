"""Figures of an experiment for the report, one module per figure family.

Each ``*_figure`` function takes DataFrames and returns the matplotlib Figure (so tests can inspect
it); the matching ``plot_*`` function builds it, saves it as a PNG (atomically, ``DPI`` dots per
inch) and returns the path. :func:`make_all_plots` draws every figure of a results folder. Every
figure has a title, labelled axes with units and a legend. Shares are shown in percent, rates per
1,000 AI-assisted decisions as they are, money in thousand GBP, and uncertainty is always shown:
bands or bars span the 2.5-97.5 percentiles over replicates (the spread a single rollout could
see), or the 95% confidence interval of a mean paired difference against the baseline.

Names, units and directions of outcomes come from :mod:`experiments.outcomes`, colours and
labels from :mod:`experiments.plots.style`; nothing here reads the report.
"""

from experiments.outcomes import pretty
from experiments.plots.by_condition import by_condition_figure, condition_values, plot_by_condition
from experiments.plots.cost_effectiveness import (
    cost_effect_points,
    cost_effectiveness_figure,
    efficient_frontier,
    plot_cost_effectiveness,
)
from experiments.plots.errors import ERROR_OUTCOMES, errors_figure, plot_errors
from experiments.plots.final_outcomes import (
    FINAL_OUTCOMES,
    final_outcomes_figure,
    plot_final_outcomes,
)
from experiments.plots.heatmaps import group_heatmap_figure, plot_group_heatmap
from experiments.plots.make_all import make_all_plots
from experiments.plots.spending import plot_spending, spending_figure
from experiments.plots.style import DPI, axis_title_and_unit, scenario_colours
from experiments.plots.trajectories import (
    TRAJECTORY_OUTCOMES,
    plot_trajectories,
    trajectories_figure,
)
from experiments.plots.trust_reliability import (
    MAX_POINTS,
    plot_trust_reliability,
    trust_reliability_figure,
)
from experiments.summary import ranking

KEY_OUTCOMES = {name: axis_title_and_unit(name) for name in (*TRAJECTORY_OUTCOMES, *FINAL_OUTCOMES)}
"""Outcome -> (panel title, axis label with unit), for the outcomes of the main figures."""

__all__ = [
    "DPI",
    "ERROR_OUTCOMES",
    "FINAL_OUTCOMES",
    "KEY_OUTCOMES",
    "MAX_POINTS",
    "TRAJECTORY_OUTCOMES",
    "by_condition_figure",
    "condition_values",
    "cost_effect_points",
    "cost_effectiveness_figure",
    "efficient_frontier",
    "errors_figure",
    "final_outcomes_figure",
    "group_heatmap_figure",
    "make_all_plots",
    "plot_by_condition",
    "plot_cost_effectiveness",
    "plot_errors",
    "plot_final_outcomes",
    "plot_group_heatmap",
    "plot_spending",
    "plot_trajectories",
    "plot_trust_reliability",
    "pretty",
    "ranking",
    "scenario_colours",
    "spending_figure",
    "trajectories_figure",
    "trust_reliability_figure",
]
