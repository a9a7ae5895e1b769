"""Clinical audit and feedback of AI-assisted decisions (model v2; Ivers et al. 2012, Cochrane).

Errors acted on without being noticed count as the tool being right (:mod:`model.use`), so
experience alone lets trust drift above a tool's real reliability. An audit round in a department
breaks that loop in two ways:

- **feedback to individuals**: ``reveal_share`` of each worker's unnoticed errors since the last
  round (wrong advice they acted on, and their own wrong decisions) is revealed to them. A revealed
  error moves from the successes to the failures of the worker's belief (weighted ``nu`` like
  any noticed error), lowers the belief about their own accuracy the same way, and costs
  ``self_efficacy_error_loss`` of self-efficacy for each revealed error of AI advice acted on
  (self-efficacy is confidence in using AI well, so errors made without AI do not lower it);
- **published local performance**: the tool's accuracy on ``sample_cases`` audited cases of the
  department (a binomial estimate of ``rho_d``) is published to its staff, as
  ``publication_weight`` pseudo-observations in their trust.

Audit runs as a governance setting (``audit``, paid outside the education budget) and as part of
a strategy (``strategy.audit``, paid from the strategy's budget at its pace).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.budget import affordable, share_limit, spend
from model.config import AuditConfig
from model.use import beta_update

if TYPE_CHECKING:
    from model.simulation import WorkforceModel


@dataclass
class AuditState:
    """An audit programme: which departments it covers and who pays."""

    config: AuditConfig
    departments: np.ndarray  # bool per department
    paid_from_budget: bool
    spent_gbp: float = 0.0  # what it has spent from the strategy budget (against budget_share)


def create_audits(model: WorkforceModel) -> list[AuditState]:
    """The governance audit and the strategy's audit, each covering a random share of departments.

    Both draws are made whatever the coverage, so scenarios that differ only in audit keep the
    same random numbers for everything else (common random numbers).
    """
    states = []
    for config, paid in ((model.config.audit, False), (model.config.strategy.audit, True)):
        departments = model.rng.random(model.n_departments) < config.coverage
        states.append(AuditState(config=config, departments=departments, paid_from_budget=paid))
    return states


def due(config: AuditConfig, week: int) -> bool:
    """An audit round happens this week."""
    return (
        config.coverage > 0
        and week >= config.start_week
        and (week - config.start_week) % config.period_weeks == config.period_weeks - 1
    )


def audit(model: WorkforceModel) -> None:
    """Run this week's audit rounds (after the week's cases have been decided)."""
    for state in model.audits:
        if not due(state.config, model.week):
            continue
        departments = np.flatnonzero(state.departments)
        if state.paid_from_budget:
            unit_cost = state.config.cost_gbp_per_department
            limit = share_limit(model, state.config.budget_share, state.spent_gbp)
            n = min(departments.size, affordable(model, unit_cost, limit))
            if n < departments.size:  # not enough money released: a random subset this round
                departments = np.sort(model.rng.choice(departments, size=n, replace=False))
            spend(model, n * unit_cost)
            state.spent_gbp += n * unit_cost
        model.cumulative_audit_cost_gbp += departments.size * state.config.cost_gbp_per_department
        if departments.size:
            audit_round(model, departments, state.config)


def reveal(
    rng: np.random.Generator, share: float, stock: np.ndarray, staff: np.ndarray
) -> np.ndarray:
    """Draw how many of each worker's unnoticed errors are revealed and take them off the stock.

    The stock holds expected counts; a Poisson draw with mean ``share`` times the stock, capped
    at the stock, so no more errors are revealed than were made.
    """
    held = stock[staff]
    revealed = np.minimum(rng.poisson(share * held), held)
    stock[staff] = held - revealed
    return revealed


def audit_round(model: WorkforceModel, departments: np.ndarray, config: AuditConfig) -> None:
    """Feedback to the staff of ``departments`` and publication of each live tool's accuracy."""
    beh, wf, rng = model.config.behaviour, model.workforce, model.rng
    staff = np.flatnonzero(np.isin(wf.department, departments))
    revealed = reveal(rng, config.reveal_share, wf.unnoticed_tool_errors, staff)
    revealed_own = reveal(rng, config.reveal_share, wf.unnoticed_own_errors, staff)

    tested = rng.binomial(config.sample_cases, model.tools.department_reliability[departments])
    published = np.zeros((model.n_departments, tested.shape[1]))
    published[departments] = tested / config.sample_cases
    rho_hat = published[wf.department[staff]]
    live = model.live[staff]
    weight = config.publication_weight * live
    for k in range(revealed.shape[1]):
        trust, strength = wf.trust[:, k], wf.trust_strength[:, k]
        trust[staff], strength[staff] = beta_update(
            trust[staff],
            strength[staff],
            weight[:, k] * rho_hat[:, k] - revealed[:, k],
            weight[:, k] * (1 - rho_hat[:, k]) + beh.error_weight * revealed[:, k],
            max_strength=beh.max_trust_strength,
        )
    wf.perceived_accuracy[staff], _ = beta_update(
        wf.perceived_accuracy[staff],
        np.full(staff.size, beh.self_knowledge_strength),
        -revealed_own,
        revealed_own,
    )
    wf.self_efficacy[staff] *= (1 - beh.self_efficacy_error_loss) ** revealed.sum(axis=1)
