"""The model behind the modellers' page: WorkforceModel with the page's controls as keywords.

The page's controls are keyword arguments of :class:`DashboardModel`, so Mesa's SolaraViz can
rebuild it on Reset with ``DashboardModel(**values)`` (Mesa 3.3 checks the names against the
signature and rejects a ``**overrides`` catch-all, hence explicit keywords). The behaviour is the
planner experiments' calibrated one (``conf/calibrated/uk_nhs.yaml``), and the strategy is one of
``conf/strategy/*.yaml``, loaded into the config as ``python run.py strategy=<name>`` would.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import yaml
from mesa.visualization import Slider

from model.config import ModelConfig
from model.simulation import WorkforceModel
from model.validation import ConfigError

CONF_DIR = Path(__file__).resolve().parents[1] / "conf"
"""The project's Hydra config folder (strategies and calibrated values are read from it)."""

CALIBRATED = "uk_nhs"
"""Calibrated behaviour loaded by default, as in the planner experiments."""

_DEFAULTS = ModelConfig()
DEFAULT_RELIABILITY = _DEFAULTS.tools[0].reliability
DEFAULT_AUTOMATION_BIAS = _DEFAULTS.behaviour.automation_bias
DEFAULT_BUDGET_GBP = 250_000.0
"""The training_mix experiment's budget (conf/experiment/training_mix.yaml): an assumption."""

NETWORK_DEPARTMENT = 0
"""The department drawn in the network view."""


def strategy_names() -> list[str]:
    """Names of the strategies in ``conf/strategy/``, sorted, ``no_training`` first."""
    names = sorted(p.stem for p in (CONF_DIR / "strategy").glob("*.yaml"))
    return sorted(names, key=lambda n: n != "no_training")


@cache
def _read_yaml(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def load_strategy(name: str) -> dict[str, Any]:
    """The strategy config ``conf/strategy/<name>.yaml`` as a dict.

    Raises:
        ConfigError: no such strategy (the message lists the accepted names).
    """
    if name not in strategy_names():
        raise ConfigError(f"strategy {name!r}: expected one of {', '.join(strategy_names())}")
    return dict(_read_yaml(CONF_DIR / "strategy" / f"{name}.yaml"))


def calibrated_values(name: str = CALIBRATED) -> dict[str, Any]:
    """The calibrated values ``conf/calibrated/<name>.yaml`` as a nested dict."""
    return dict(_read_yaml(CONF_DIR / "calibrated" / f"{name}.yaml"))


def parse_seed(rng: int | str | None) -> int:
    """A seed from the page's seed box: an integer, or blank/None for a fresh seed.

    Raises:
        ConfigError: the text is not a whole number of 0 or more.
    """
    if rng is None or (isinstance(rng, str) and not rng.strip()):
        return int(np.random.SeedSequence().generate_state(1)[0])
    try:
        seed = int(str(rng).strip())
    except ValueError:
        seed = -1
    if seed < 0:
        raise ConfigError(f"seed (rng) = {rng!r}: expected a whole number >= 0, or blank")
    return seed


class DashboardModel(WorkforceModel):
    """WorkforceModel built from the dashboard's controls.

    Args:
        n_workers: Workforce size (workers).
        reliability: Reliability of the clinical decision-support tool (share of advice right).
        strategy: Education strategy, a name from ``conf/strategy/``.
        automation_bias: Tendency to accept advice unchecked (0-1; default: the model's).
        budget_gbp: The strategy's education budget (GBP over the horizon).
        weeks: Horizon (weeks); the model stops there.
        rng: Seed (an integer, or blank/None for a fresh seed).
    """

    def __init__(
        self,
        n_workers: int = 1000,
        reliability: float = DEFAULT_RELIABILITY,
        strategy: str = "no_training",
        automation_bias: float = DEFAULT_AUTOMATION_BIAS,
        budget_gbp: float = DEFAULT_BUDGET_GBP,
        weeks: int = 156,
        rng: int | str | None = 42,
    ) -> None:
        config = calibrated_values()
        config["weeks"] = int(weeks)
        config["strategy"] = {**load_strategy(strategy), "budget_gbp": float(budget_gbp)}
        super().__init__(
            config,
            rng=parse_seed(rng),
            n_workers=int(n_workers),
            reliability=float(reliability),
            automation_bias=float(automation_bias),
        )
        self._department_graph: tuple[np.ndarray, nx.Graph, dict[int, np.ndarray]] | None = None

    def department_graph(
        self, department: int = NETWORK_DEPARTMENT
    ) -> tuple[np.ndarray, nx.Graph, dict[int, np.ndarray]]:
        """Workers of one department, their ties within it, and a fixed layout.

        Returns:
            (worker indices, graph whose node i is worker indices[i], node positions); the
            layout is computed once per model (seeded from the model's seed), so the drawing
            stays still while colours change.
        """
        members = np.flatnonzero(self.workforce.department == department)
        cached = self._department_graph
        if cached is not None and np.array_equal(cached[0], members):
            return cached
        ties = self.adjacency[members][:, members]
        graph = nx.from_scipy_sparse_array(ties)
        layout_seed = int(self.config.seed % (2**32 - 1))
        positions = nx.spring_layout(graph, seed=layout_seed, k=1.5 / np.sqrt(max(len(members), 1)))
        self._department_graph = (members, graph, positions)
        return self._department_graph


def model_params() -> dict[str, Any]:
    """The page's controls, in Mesa SolaraViz's ``model_params`` form."""
    return {
        "n_workers": Slider("Workforce size (workers)", 1000, 200, 5000, 100, dtype=int),
        "reliability": Slider(
            "Tool reliability (share right)", DEFAULT_RELIABILITY, 0.5, 0.99, 0.01
        ),
        "strategy": {
            "type": "Select",
            "value": "no_training",
            "values": strategy_names(),
            "label": "Education strategy",
        },
        "automation_bias": Slider(
            "Automation bias (0-1)", DEFAULT_AUTOMATION_BIAS, 0.0, 1.0, 0.05, dtype=float
        ),
        "budget_gbp": Slider(
            "Education budget (GBP)", DEFAULT_BUDGET_GBP, 0.0, 1_000_000.0, 25_000.0, dtype=float
        ),
        "weeks": 156,
        "rng": {"type": "InputText", "value": "42", "label": "Seed (rng; blank: a fresh seed)"},
    }
