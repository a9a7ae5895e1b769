"""AI tools: department-level reliability and rollout schedules (spec section 2).

Reliability varies by department around the tool's headline figure, ``rho_d ~ Beta`` with mean
``rho``: local validation matters (deployed tools can underperform their claims, Wong et al. 2021,
JAMA Intern Med). Training teaches the tool's *published* reliability; only the departments that
validated the tool locally (``local_validation_share``) know, and teach, their own ``rho_d``.
A rollout gives every department its go-live week.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from model.config import ModelConfig, ToolConfig
from model.validation import week_of
from model.workforce import beta_draws


@dataclass
class ToolSet:
    """The K tools, per department: reliability and go-live week (both n_departments x K)."""

    names: list[str]
    department_reliability: np.ndarray  # rho_d, n_departments x K
    taught_reliability: np.ndarray  # what training teaches there: rho_d if validated locally
    go_live_week: np.ndarray  # int, n_departments x K
    general_purpose: np.ndarray  # bool, K
    cases_per_week: np.ndarray  # lam, K
    error_salience: np.ndarray  # sigma, K
    governance: np.ndarray  # G, K (events can change it)
    forcing_function: np.ndarray  # least share of accepted advice checked, K
    confidence_display: np.ndarray  # steering of checks toward wrong advice, K

    def index(self, name: str | None) -> list[int]:
        """Column indices of the named tool, or of every tool for ``None``."""
        return list(range(len(self.names))) if name is None else [self.names.index(name)]


def known_tool_trust(trust: np.ndarray, live: np.ndarray) -> np.ndarray:
    """Trust in "AI" in general, as a survey reads it (spec section 2).

    The mean trust over the tools live in the worker's department, or over all tools where none
    is live yet.
    """
    if trust.shape[1] == 1:
        return trust[:, 0]
    known = live | ~live.any(axis=1, keepdims=True)
    return (trust * known).sum(axis=1) / known.sum(axis=1)


def build_tools(config: ModelConfig, rng: np.random.Generator, n_departments: int) -> ToolSet:
    """Draw department reliabilities and go-live weeks for every configured tool."""
    reliability = np.empty((n_departments, len(config.tools)))
    taught = np.empty_like(reliability)
    go_live = np.empty((n_departments, len(config.tools)), dtype=np.int64)
    for k, tool in enumerate(config.tools):
        reliability[:, k] = beta_draws(
            rng, np.full(n_departments, tool.reliability), tool.reliability_concentration
        )
        go_live[:, k] = rollout_schedule(config, tool, rng, n_departments)
        published = (
            tool.reliability if tool.published_reliability is None else tool.published_reliability
        )
        validated = rng.random(n_departments) < tool.local_validation_share
        taught[:, k] = np.where(validated, reliability[:, k], published)
    return ToolSet(
        names=[t.name for t in config.tools],
        department_reliability=reliability,
        taught_reliability=taught,
        go_live_week=go_live,
        general_purpose=np.array([t.general_purpose for t in config.tools]),
        cases_per_week=np.array([t.cases_per_week for t in config.tools]),
        error_salience=np.array([t.error_salience for t in config.tools]),
        governance=np.array([t.governance_maturity for t in config.tools]),
        forcing_function=np.array([t.forcing_function for t in config.tools]),
        confidence_display=np.array([t.confidence_display for t in config.tools]),
    )


def first_go_live_week(config: ModelConfig, tool: ToolConfig) -> int:
    """The tool's first go-live week, from ``go_live_date`` when given, else ``go_live_week``."""
    rollout = tool.rollout
    return week_of(config, rollout.go_live_week, rollout.go_live_date, f"tool '{tool.name}'")


def rollout_schedule(
    config: ModelConfig, tool: ToolConfig, rng: np.random.Generator, n_departments: int
) -> np.ndarray:
    """Go-live week of every department.

    - ``big_bang`` (and every general-purpose tool): all departments at the first go-live week;
    - ``phased``: departments in random order, evenly spread over ``rollout_weeks``;
    - ``pilot_then_scale``: a pilot of ``pilot_share`` of departments (at least one) goes live
      first; the rest follow ``pilot_weeks`` later, spread over ``rollout_weeks``.
    """
    start = first_go_live_week(config, tool)
    rollout = tool.rollout
    order = rng.permutation(n_departments)
    weeks = np.full(n_departments, start, dtype=np.int64)
    if tool.general_purpose or rollout.kind == "big_bang":
        return weeks
    if rollout.kind == "phased":
        weeks[order] = start + np.arange(n_departments) * rollout.rollout_weeks // n_departments
        return weeks
    n_pilot = max(1, round(rollout.pilot_share * n_departments))
    rest = order[n_pilot:]
    weeks[rest] = (
        start
        + rollout.pilot_weeks
        + np.arange(rest.size) * rollout.rollout_weeks // max(rest.size, 1)
    )
    return weeks


def deploy(model) -> None:  # noqa: ANN001 - WorkforceModel, imported lazily to avoid a cycle
    """Mark which tools are live in each worker's department this week; leadership boosts.

    A tool is live for a worker from its department's go-live week on. The N x K mask
    (``model.live``, all False when the model is built) is rewritten, in one compiled pass
    (:func:`update_live`), for the workers of departments whose departments x tools mask changed
    since the last week (a go-live week, or a week or schedule changed by hand).
    """
    live_departments = model.tools.go_live_week <= model.week  # departments x K
    previous = getattr(model, "_live_departments", None)
    if previous is None:  # the first week: against the mask the model was built with
        previous = np.zeros_like(live_departments)
        model._department_members = department_members(
            model.workforce.department, live_departments.shape[0]
        )
    update_live(live_departments, previous, *model._department_members, model.live)
    model._live_departments = live_departments
    model.adoption_boost = np.where(
        model.week < model.leadership_until, model.leadership_factor, 1.0
    )


def department_members(department: np.ndarray, n_departments: int) -> tuple[np.ndarray, ...]:
    """Workers of each department d, ``order[starts[d]:starts[d + 1]]``, in index order.

    Posts keep their department when staff turn over, so this is computed once.
    """
    order = np.argsort(department, kind="stable")
    starts = np.searchsorted(department[order], np.arange(n_departments + 1))
    return order, starts


@njit(cache=True)
def update_live(live_departments, previous, order, starts, live) -> None:  # noqa: ANN001
    """Rewrite ``live`` where a department's entry differs from ``previous``.

    ``live[i, k] = live_departments[d, k]`` for every worker i of each department d whose entry
    for tool k changed; the workers of d are ``order[starts[d]:starts[d + 1]]``
    (:func:`department_members`).
    """
    for d in range(live_departments.shape[0]):
        for k in range(live_departments.shape[1]):
            if live_departments[d, k] != previous[d, k]:
                for t in range(starts[d], starts[d + 1]):
                    live[order[t], k] = live_departments[d, k]
