"""The modellers' page: Mesa's SolaraViz around :class:`~dashboard.live_model.DashboardModel`.

Works with Mesa 3.3 and 3.5: the components are plain functions of the model (SolaraViz wraps
them so they redraw after each step), the controls use only ``Slider``, ``Select`` and
``InputText``, and the model's keywords are explicit (see :mod:`dashboard.live_model`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara
from mesa.visualization import SolaraViz

from dashboard import live_figures as figures
from dashboard.live_model import DashboardModel, model_params
from experiments.outcomes import pretty


def _png(figure: Any) -> solara.Element:
    return solara.FigureMatplotlib(figure, format="png", dpi=90)


def status(model: DashboardModel) -> solara.Element:
    """One line of text with the run's settings and headline figures (read by the tests)."""
    table = figures.history(model)
    latest = table.iloc[-1]
    cfg = model.config

    def pct(name: str) -> str:
        value = latest[name]
        return "n/a" if value != value else f"{100 * value:.1f}%"  # NaN before go-live

    return solara.Markdown(
        f"**Week {model.week} of {cfg.weeks}** · {cfg.population.n_workers:,} workers in "
        f"{model.n_departments} departments · tool reliability {cfg.tools[0].reliability:.2f} · "
        f"strategy: {pretty(cfg.strategy.name)} (budget £{cfg.strategy.budget_gbp:,.0f}) · "
        f"automation bias {cfg.behaviour.automation_bias:.2f} · seed {cfg.seed}  \n"
        f"Appropriately confident: {pct('appropriate_share')} · over-trusting: "
        f"{pct('over_trust_share')} · under-trusting: {pct('under_trust_share')} · using the "
        f"tool: {pct('adoption_share')} (of staff with it live)",
        style={"padding": "4px 8px"},
    )


def trust_shares(model: DashboardModel) -> solara.Element:
    """Appropriate / over / under-trust shares by week."""
    return _png(figures.trust_shares_figure(figures.history(model)))


def adoption(model: DashboardModel) -> solara.Element:
    """Adoption and training by week."""
    return _png(figures.adoption_figure(figures.history(model)))


def errors(model: DashboardModel) -> solara.Element:
    """Automation-bias and aversion errors per 1,000 decisions by week."""
    return _png(figures.errors_figure(figures.history(model)))


def trust_reliability(model: DashboardModel) -> solara.Element:
    """Worker trust against their department's reliability."""
    return _png(figures.trust_reliability_figure(model))


def archetype_trust(model: DashboardModel) -> solara.Element:
    """Trust distribution by archetype."""
    return _png(figures.archetype_trust_figure(model))


def department_network(model: DashboardModel) -> solara.Element:
    """Network of department 0 coloured by trust."""
    return _png(figures.department_network_figure(model))


COMPONENTS: list[tuple[Callable[[DashboardModel], solara.Element], int]] = [
    (status, 0),
    (trust_shares, 0),
    (adoption, 0),
    (errors, 0),
    (trust_reliability, 0),
    (archetype_trust, 0),
    (department_network, 0),
]
"""SolaraViz components and the page (tab) of each."""


@solara.component
def ModellersPage() -> None:
    """The live model with its controls; each browser session gets its own model."""
    model = solara.use_memo(DashboardModel, [])
    SolaraViz(
        model,
        components=COMPONENTS,
        model_params=model_params(),
        name="AI confidence in the NHS: live model",
    )
