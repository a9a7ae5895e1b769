"""Using a tool and learning from it: reliance, error noticing, Beta belief update (spec section 4).

Each user of tool k has ``n ~ Poisson(lam_k)`` AI-assisted decisions a week, of which
``C ~ Bin(n, rho_d)`` get right advice. The worker relies on the advice with probability
``r = sigmoid(k_r (tau - h))`` (rely when trust in the tool exceeds trust in oneself; Lee and See
2004). A relied-on wrong answer is noticed with probability ``sigma phi (1 - b_auto)``
(automation bias lowers scrutiny; Parasuraman and Manzey 2010), an overridden wrong answer with
``sigma h``. Everything not noticed as an error counts as the tool being right, so unnoticed
errors inflate trust. Beliefs follow a Beta update with forgetting ``gamma`` in which a noticed
error weighs ``nu >= 1`` successes (algorithm aversion; Dietvorst et al. 2015).

Decisions are tallied for the outcomes: automation-bias errors are relied-on wrong answers;
aversion errors are overridden right answers the worker then gets wrong. Unlike the spec's two
separate draws, overridden cases are decided once, ``Bin(OC, h) + Bin(OW, h)``, so correct and
aversion counts always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

if TYPE_CHECKING:
    from model.simulation import WorkforceModel

TALLY_FIELDS = (
    "cases",
    "right_advice",
    "wrong_advice",
    "relied_wrong",
    "aversion_errors",
    "correct",
    "unaided_correct",
)


@dataclass
class DecisionTally:
    """This week's decisions of every (worker, tool) pair that used a tool, as flat arrays."""

    worker: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    tool: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    counts: dict[str, np.ndarray] = field(
        default_factory=lambda: {name: np.empty(0, dtype=np.int64) for name in TALLY_FIELDS}
    )

    def total(self, name: str) -> int:
        """Sum of one count over every worker and tool."""
        return int(self.counts[name].sum())


def detection_skill(model: WorkforceModel, index: np.ndarray) -> np.ndarray:
    """Phi = clip(w_l l + w_h h + training bonus) (spec section 4)."""
    beh, wf = model.config.behaviour, model.workforce
    phi = (
        beh.detection_literacy_weight * wf.ai_literacy[index]
        + beh.detection_accuracy_weight * wf.unaided_accuracy[index]
        + wf.detection_bonus[index]
    )
    return np.clip(phi, 0.0, 1.0)


def use_ai(model: WorkforceModel) -> None:
    """Every user decides this week's cases with its tools and updates its trust in them."""
    beh, wf, rng, tools = model.config.behaviour, model.workforce, model.rng, model.tools
    n_tools = wf.uses.shape[1]
    users = np.flatnonzero(wf.uses.any(axis=1))
    successes = np.zeros((users.size, n_tools))
    failures = np.zeros((users.size, n_tools))
    tallies = []
    for k in range(n_tools):
        rows = np.flatnonzero(wf.uses[users, k])
        who = users[rows]
        h = wf.unaided_accuracy[who]
        cases = rng.poisson(tools.cases_per_week[k], size=who.size)
        right = rng.binomial(cases, tools.department_reliability[wf.department[who], k])
        wrong = cases - right
        reliance = expit(beh.reliance_steepness * (wf.trust[who, k] - h))
        relied_right = rng.binomial(right, reliance)
        relied_wrong = rng.binomial(wrong, reliance)
        overridden_right, overridden_wrong = right - relied_right, wrong - relied_wrong
        sigma = tools.error_salience[k]
        p_notice_relied = sigma * detection_skill(model, who) * (1 - beh.automation_bias)
        noticed = rng.binomial(relied_wrong, p_notice_relied) + rng.binomial(
            overridden_wrong, sigma * h
        )
        successes[rows, k] = cases - noticed
        failures[rows, k] = noticed
        unaided_right_of_overridden_right = rng.binomial(overridden_right, h)
        counts = {
            "cases": cases,
            "right_advice": right,
            "wrong_advice": wrong,
            "relied_wrong": relied_wrong,
            "aversion_errors": overridden_right - unaided_right_of_overridden_right,
            "correct": relied_right
            + unaided_right_of_overridden_right
            + rng.binomial(overridden_wrong, h),
            "unaided_correct": rng.binomial(cases, h),
        }
        tallies.append((who, np.full(who.size, k), counts))
    update_beliefs(model, users, successes, failures)
    practised = users[successes.sum(axis=1) + failures.sum(axis=1) > 0]
    wf.self_efficacy[practised] += beh.practice_gain * (1 - wf.self_efficacy[practised])
    wf.last_use_week[users] = model.week
    model.tally = _concatenate(tallies)


def update_beliefs(
    model: WorkforceModel, index: np.ndarray, successes: np.ndarray, failures: np.ndarray
) -> None:
    """Beta update with forgetting and error asymmetry; evidence spills over between tools.

    ``alpha' = gamma alpha + S``, ``beta' = gamma beta + nu F``, ``tau' = alpha'/(alpha'+beta')``,
    ``kappa' = min(alpha' + beta', kappa_max)``, where S and F include ``spillover`` times the
    evidence about the worker's other tools.
    """
    beh, wf = model.config.behaviour, model.workforce
    if beh.spillover > 0 and successes.shape[1] > 1:
        successes = successes + beh.spillover * (successes.sum(1, keepdims=True) - successes)
        failures = failures + beh.spillover * (failures.sum(1, keepdims=True) - failures)
    tau, kappa = wf.trust[index], wf.trust_strength[index]
    alpha = beh.forgetting * kappa * tau + successes
    beta = beh.forgetting * kappa * (1 - tau) + beh.error_weight * failures
    total = alpha + beta
    wf.trust[index] = np.divide(alpha, total, out=tau.copy(), where=total > 0)
    wf.trust_strength[index] = np.minimum(total, beh.max_trust_strength)


def _concatenate(
    tallies: list[tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]],
) -> DecisionTally:
    if not tallies:
        return DecisionTally()
    return DecisionTally(
        worker=np.concatenate([t[0] for t in tallies]),
        tool=np.concatenate([t[1] for t in tallies]),
        counts={name: np.concatenate([t[2][name] for t in tallies]) for name in TALLY_FIELDS},
    )
