"""Figures of the modellers' page, read from the model's arrays and DataCollector after a step.

Each function takes a model (or its weekly history) and returns a matplotlib ``Figure``; none
touches the model's step path, and none loops over agents in Python. Trust and reliability are
those of the first tool (``tools.0``), the one the dashboard's reliability control sets.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from model.config import ARCHETYPES
from model.simulation import WorkforceModel

FIGSIZE = (6.4, 3.6)
TRUST_COLOURS = {
    "appropriate": "#1b9e77",
    "over-trusting": "#d95f02",
    "under-trusting": "#7570b3",
    "tool not live": "#bbbbbb",
}
TRUST_CMAP = "viridis"


def history(model: WorkforceModel) -> pd.DataFrame:
    """The DataCollector's weekly outcomes with a ``week`` column (weeks completed)."""
    table = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    table.insert(0, "week", np.arange(len(table)))
    return table


def _figure(title: str) -> tuple[Figure, object]:
    fig = Figure(figsize=FIGSIZE, layout="constrained")
    ax = fig.subplots()
    ax.set_title(title)
    return fig, ax


def _weekly(ax: object, table: pd.DataFrame, columns: dict[str, tuple[str, str]], factor: float):
    for column, (label, colour) in columns.items():
        ax.plot(table["week"], table[column] * factor, label=label, color=colour, lw=1.8)
    ax.set_xlabel("Week")
    ax.set_xlim(left=0, right=max(int(table["week"].max()), 1))
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    ax.grid(alpha=0.3)


def trust_shares_figure(table: pd.DataFrame) -> Figure:
    """Appropriate, over- and under-trust as % of staff with the tool live, by week."""
    fig, ax = _figure("Trust against the tool's real reliability")
    columns = {
        "appropriate_share": ("appropriately confident", TRUST_COLOURS["appropriate"]),
        "over_trust_share": ("over-trusting", TRUST_COLOURS["over-trusting"]),
        "under_trust_share": ("under-trusting", TRUST_COLOURS["under-trusting"]),
    }
    _weekly(ax, table, columns, 100.0)
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of staff with the tool live")
    return fig


def adoption_figure(table: pd.DataFrame) -> Figure:
    """Adoption (% of staff with the tool live who use it) and % of staff trained, by week."""
    fig, ax = _figure("Adoption and training")
    columns = {
        "adoption_share": ("using the tool (% of staff with it live)", "#1f78b4"),
        "trained_share": ("ever trained (% of current staff)", "#33a02c"),
    }
    _weekly(ax, table, columns, 100.0)
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of staff")
    return fig


def errors_figure(table: pd.DataFrame) -> Figure:
    """Automation-bias and aversion errors per 1,000 AI-assisted decisions, by week."""
    fig, ax = _figure("Avoidable errors")
    columns = {
        "automation_bias_errors_per_1000": ("automation bias: wrong advice acted on", "#e31a1c"),
        "aversion_errors_per_1000": ("aversion: right advice overridden", "#6a3d9a"),
    }
    _weekly(ax, table, columns, 1.0)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("Errors per 1,000 AI-assisted decisions")
    return fig


def trust_categories(model: WorkforceModel) -> np.ndarray:
    """Each worker's category for the first tool: a key of :data:`TRUST_COLOURS`."""
    wf = model.workforce
    rho = model.tools.department_reliability[wf.department, 0]
    gap = wf.trust[:, 0] - rho
    margin = model.config.outcomes.appropriate_margin
    category = np.where(
        gap > margin, "over-trusting", np.where(gap < -margin, "under-trusting", "appropriate")
    )
    return np.where(model.live[:, 0], category, "tool not live")


def trust_reliability_figure(model: WorkforceModel) -> Figure:
    """Each worker's trust against their department's real reliability of the tool."""
    fig, ax = _figure(f"Trust against local reliability, week {model.week}")
    wf = model.workforce
    rho = model.tools.department_reliability[wf.department, 0]
    # A little horizontal jitter so that a department's workers do not hide one another.
    jitter = (np.random.default_rng(0).random(rho.size) - 0.5) * 0.004
    category = trust_categories(model)
    for name, colour in TRUST_COLOURS.items():
        chosen = category == name
        if chosen.any():
            ax.scatter(
                rho[chosen] + jitter[chosen],
                wf.trust[chosen, 0],
                s=6,
                alpha=0.5,
                color=colour,
                label=f"{name} ({chosen.mean():.0%})",
                rasterized=True,
            )
    low, high = float(rho.min()) - 0.02, float(rho.max()) + 0.02
    margin = model.config.outcomes.appropriate_margin
    line = np.array([low, high])
    ax.plot(line, line, color="black", lw=1, label="trust = reliability")
    ax.fill_between(line, line - margin, line + margin, color="black", alpha=0.08, lw=0)
    ax.set_xlim(low, high)
    ax.set_ylim(0, 1)
    ax.set_xlabel("Department's real reliability of the tool (share of advice right)")
    ax.set_ylabel("Worker's trust in the tool (0-1)")
    ax.legend(loc="lower right", fontsize="x-small", frameon=True, markerscale=2)
    return fig


def archetype_trust_figure(model: WorkforceModel) -> Figure:
    """Distribution of trust in the tool by archetype, with the tool's mean local reliability."""
    fig, ax = _figure(f"Trust by archetype, week {model.week}")
    wf = model.workforce
    trust = [wf.trust[wf.archetype == code, 0] for code in range(len(ARCHETYPES))]
    present = [i for i, values in enumerate(trust) if values.size]
    ax.boxplot(
        [trust[i] for i in present],
        positions=range(len(present)),
        widths=0.6,
        showfliers=False,
        patch_artist=True,
        boxprops={"facecolor": "#a6cee3"},
        medianprops={"color": "black"},
    )
    counts = [f"{ARCHETYPES[i]}\n(n={trust[i].size})" for i in present]
    ax.set_xticks(range(len(present)), counts)
    mean_reliability = float(model.tools.department_reliability[:, 0].mean())
    ax.axhline(mean_reliability, color="#e31a1c", ls="--", lw=1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("Archetype (HEE / NHS AI Lab 2022)")
    ax.set_ylabel("Trust in the tool (0-1)")
    ax.legend(
        handles=[
            Line2D([], [], color="#a6cee3", lw=8, label="middle half of workers (box)"),
            Line2D([], [], color="black", lw=1.5, label="median"),
            Line2D([], [], color="#e31a1c", ls="--", label="mean real reliability"),
        ],
        loc="lower right",
        fontsize="x-small",
    )
    return fig


def department_network_figure(model: WorkforceModel, department: int = 0) -> Figure:
    """The ties within one department, workers coloured by trust in the tool.

    Uses ``model.department_graph`` when the model has one (a layout cached per model), else
    lays the graph out afresh.
    """
    cached_graph = getattr(model, "department_graph", None)
    if cached_graph is not None:
        members, graph, positions = cached_graph(department)
    else:
        members = np.flatnonzero(model.workforce.department == department)
        graph = nx.from_scipy_sparse_array(model.adjacency[members][:, members])
        positions = nx.spring_layout(graph, seed=0)
    fig = Figure(figsize=(6.4, 4.4), layout="constrained")
    ax = fig.subplots()
    ax.set_title(f"Department {department}: {len(members)} workers, {graph.number_of_edges()} ties")
    trust = model.workforce.trust[members, 0]
    uses = model.workforce.uses[members, 0]
    norm = Normalize(0.0, 1.0)
    nx.draw_networkx_edges(graph, positions, ax=ax, alpha=0.15, width=0.6)
    nodes = nx.draw_networkx_nodes(
        graph,
        positions,
        ax=ax,
        node_size=40,
        node_color=trust,
        cmap=TRUST_CMAP,
        vmin=norm.vmin,
        vmax=norm.vmax,
        edgecolors=np.where(uses, "black", "white"),
        linewidths=np.where(uses, 1.2, 0.3),
    )
    fig.colorbar(nodes, ax=ax, label="Trust in the tool (0-1)", shrink=0.8)
    ax.legend(
        handles=[
            Line2D([], [], marker="o", ls="", mfc="#888888", mec="black", label="uses the tool"),
            Line2D([], [], marker="o", ls="", mfc="#888888", mec="white", label="does not use it"),
            Line2D([], [], color="black", alpha=0.4, label="tie (team, department, profession)"),
        ],
        loc="lower left",
        fontsize="x-small",
    )
    ax.set_axis_off()
    return fig
