"""Shared helpers for the model tests: small configs and a few ways to switch processes off.

The helpers are plain functions, each exposed as a session-scoped fixture of the same name (so
hypothesis tests can use them without the function-scoped-fixture health check):

- ``small_config(**overrides)``: a fast :class:`ModelConfig` (500 workers in departments of 50 and
  teams of 10, 52 weeks, one tool live everywhere from week 0, adoption rate 0.1 a week).
  Overrides are dotted paths written with ``__``:
  ``small_config(weeks=30, population__n_workers=800, tools__0__reliability=0.6)``.
- ``make_tool(name, rollout, go_live_week, **fields)``: a ToolConfig with its rollout.
- ``set_archetypes(cfg, **fields)`` / ``set_staff_groups(cfg, **fields)``: give every archetype
  (staff group) the same value of a field.
- ``never_live(cfg)``: no tool ever goes live within the horizon.
- ``replicate_mean(cfg, outcome, seeds, weeks=None)``: mean of an outcome column over seeds.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

# Mutation testing (tests/MUTATION.md) wraps each mutated function in a trampoline that numba
# cannot compile. The main pass leaves the kernel modules unmutated and keeps the JIT on (fast);
# the kernel pass (tests/mutation_kernels.py sets MUTMUT_KERNEL_PASS=1) mutates them and runs
# the compiled loops as plain Python. Set before the model imports numba.
if "mutmut" in sys.modules and os.environ.get("MUTMUT_KERNEL_PASS") == "1":
    os.environ.setdefault("NUMBA_DISABLE_JIT", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hydra import compose, initialize_config_dir  # noqa: E402
from hydra.core.global_hydra import GlobalHydra  # noqa: E402

from experiments.errors import CONF_DIR  # noqa: E402
from experiments.schema import register_configs  # noqa: E402
from model import WorkforceModel  # noqa: E402
from model.config import ModelConfig, RolloutConfig, ToolConfig  # noqa: E402

SMALL_WORKERS = 500
NEVER_LIVE_WEEK = 10**6


def _set_path(config: Any, path: str, value: Any) -> None:
    """Set ``a__b__0__c`` (attribute names, list indices, dict keys) on a config tree."""
    parts = path.split("__")
    node = config
    for part in parts[:-1]:
        node = _child(node, part)
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        if not hasattr(node, last):
            raise AttributeError(f"{type(node).__name__} has no field {last!r} (path {path!r})")
        setattr(node, last, value)


def _child(node: Any, part: str) -> Any:
    if isinstance(node, list):
        return node[int(part)]
    if isinstance(node, dict):
        return node[part]
    return getattr(node, part)


def make_tool(
    name: str = "cdss", rollout: str = "big_bang", go_live_week: int = 0, **fields: Any
) -> ToolConfig:
    """A tool with the given rollout kind and first go-live week; other ToolConfig fields by name.

    Rollout fields (``rollout_weeks``, ``pilot_share``, ``pilot_weeks``) may be passed too.
    """
    rollout_fields = {k: fields.pop(k) for k in list(fields) if hasattr(RolloutConfig, k)}
    return ToolConfig(
        name=name,
        rollout=RolloutConfig(kind=rollout, go_live_week=go_live_week, **rollout_fields),
        **fields,
    )


def make_small_config(**overrides: Any) -> ModelConfig:
    """A small, fast config with its tool live everywhere from week 0, plus ``overrides``."""
    config = ModelConfig(seed=12345, weeks=52)
    config.population.n_workers = SMALL_WORKERS
    config.population.department_size = 50
    config.population.team_size = 10
    config.tools = [make_tool()]
    # Fast uptake (the v1 default; the evidence-based default is 0.008 a week), so that mechanisms
    # driven by use show within a year of 500 workers.
    config.behaviour.adoption_rate = 0.1
    for path, value in overrides.items():
        _set_path(config, path, value)
    return config


def set_archetypes(config: ModelConfig, **fields: Any) -> ModelConfig:
    """Give every archetype the same value of each field (e.g. ``ai_literacy=1.0``)."""
    for archetype in config.population.archetypes.values():
        for name, value in fields.items():
            setattr(archetype, name, value)
    return config


def set_staff_groups(config: ModelConfig, **fields: Any) -> ModelConfig:
    """Give every staff group the same value of each field (e.g. ``unaided_accuracy=1.0``)."""
    for group in config.population.staff_groups.values():
        for name, value in fields.items():
            setattr(group, name, value)
    return config


def never_live(config: ModelConfig) -> ModelConfig:
    """Move every tool's go-live far beyond the horizon."""
    for tool in config.tools:
        tool.rollout.go_live_week = NEVER_LIVE_WEEK
        tool.rollout.go_live_date = None
    return config


def replicate_mean(
    config: ModelConfig,
    outcome: str | Callable[[WorkforceModel], float],
    seeds: Iterable[int],
    weeks: int | None = None,
) -> float:
    """Mean over seeds of an outcome after running ``weeks`` (default: the horizon).

    ``outcome`` is a column of the outcome table (its last row is read) or a function of the
    finished model.
    """
    values = []
    for seed in seeds:
        config.seed = seed
        model = WorkforceModel(config)
        table = model.run(weeks)
        values.append(outcome(model) if callable(outcome) else float(table[outcome].iloc[-1]))
    return float(np.mean(values))


@pytest.fixture(scope="session")
def small_config() -> Callable[..., ModelConfig]:
    """Factory of small, fast configs: ``small_config(**overrides)`` (see module docstring)."""
    return make_small_config


@pytest.fixture(scope="session", name="make_tool")
def make_tool_fixture() -> Callable[..., ToolConfig]:
    """:func:`make_tool`: a tool with a given rollout kind and go-live week."""
    return make_tool


@pytest.fixture(scope="session", name="set_archetypes")
def set_archetypes_fixture() -> Callable[..., ModelConfig]:
    """:func:`set_archetypes`: one value of a field for every archetype."""
    return set_archetypes


@pytest.fixture(scope="session", name="set_staff_groups")
def set_staff_groups_fixture() -> Callable[..., ModelConfig]:
    """:func:`set_staff_groups`: one value of a field for every staff group."""
    return set_staff_groups


@pytest.fixture(scope="session", name="never_live")
def never_live_fixture() -> Callable[[ModelConfig], ModelConfig]:
    """:func:`never_live`: no tool goes live within the horizon."""
    return never_live


@pytest.fixture(scope="session", name="replicate_mean")
def replicate_mean_fixture() -> Callable[..., float]:
    """:func:`replicate_mean`: an outcome averaged over seeds."""
    return replicate_mean


@pytest.fixture(scope="module")
def hydra_compose():
    """A compose function bound to conf/ for one test module, cleared afterwards.

    Modules whose tests run Hydra apps themselves define a function-scoped one of their own.
    """
    register_configs()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        yield lambda overrides: compose(config_name="config", overrides=overrides)
    GlobalHydra.instance().clear()
