"""The education budget and the pace at which it may be spent (spec section 6).

A strategy's ``budget_gbp`` is released year by year (52-week years from week 0):
- ``asap``: all of it from week 0, so programmes spend as fast as their places allow;
- ``even``: an equal share each year of the horizon (year y releases ``(y + 1) / n_years``);
- ``profile``: ``spend_profile[y]`` of the budget in year y (shares summing to 1; years past the
  profile release nothing more).
Unspent money carries over to later years. Training and a strategy's audit draw on the same purse.
A programme (or the strategy's audit) with a ``budget_share`` may in addition spend at most that
share of the budget over the horizon (its own limit; :func:`share_limit`), so a strategy can split
its budget between programmes, as a planner allocating money would. Without one it spends from the
purse in schedule order.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from model.config import StrategyConfig

if TYPE_CHECKING:
    from model.simulation import WorkforceModel

WEEKS_PER_YEAR = 52
MONEY_TOLERANCE = 1e-12  # relative: sums of money in floating point are off by far less


def released_share(strategy: StrategyConfig, week: int, horizon_weeks: int) -> float:
    """Share of the budget that may have been spent by the end of ``week``."""
    year = week // WEEKS_PER_YEAR
    if strategy.pace == "asap":
        return 1.0
    if strategy.pace == "even":
        n_years = max(1, math.ceil(horizon_weeks / WEEKS_PER_YEAR))
        return min(1.0, (year + 1) / n_years)
    return float(min(1.0, np.sum(strategy.spend_profile[: year + 1])))


def available_gbp(model: WorkforceModel) -> float:
    """Money that may be spent this week: released so far minus spent, never below zero."""
    strategy = model.config.strategy
    released = strategy.budget_gbp * released_share(strategy, model.week, model.config.weeks)
    return max(0.0, released - model.cumulative_cost_gbp)


def share_limit(model: WorkforceModel, budget_share: float | None, spent_gbp: float) -> float:
    """What a programme with ``budget_share`` may still spend (inf without a share)."""
    if budget_share is None:
        return math.inf
    return max(0.0, budget_share * model.config.strategy.budget_gbp - spent_gbp)


def affordable(
    model: WorkforceModel, unit_cost_gbp: float, limit_gbp: float = math.inf
) -> int | float:
    """How many units of ``unit_cost_gbp`` the available money buys (inf for free units).

    ``limit_gbp`` caps the money further (a programme's own share, :func:`share_limit`). Money
    that is a whole number of units up to floating-point rounding buys that whole number: the
    tolerance is relative (``MONEY_TOLERANCE``), so it holds for budgets of any size.
    """
    if unit_cost_gbp <= 0:
        return math.inf
    units = min(available_gbp(model), limit_gbp) / unit_cost_gbp
    return math.floor(units * (1.0 + MONEY_TOLERANCE))


def spend(model: WorkforceModel, cost_gbp: float, staff_hours: float = 0.0) -> None:
    """Record spending from the strategy budget."""
    model.cumulative_cost_gbp += cost_gbp
    model.cumulative_staff_hours += staff_hours
