"""Using a tool and learning from it: reliance, error noticing, Beta belief update (spec section 4).

Each user of tool k has ``n ~ Poisson(lam_k)`` AI-assisted decisions a week, each with right advice
with probability ``rho_d``. The worker relies on the advice with probability
``r = sigmoid(k_r (tau - h))`` (rely when trust in the tool exceeds trust in oneself; Lee and See
2004). A relied-on wrong answer is noticed with probability ``sigma phi (1 - b_auto)`` (automation
bias lowers scrutiny; Parasuraman and Manzey 2010), an overridden wrong answer with ``sigma h``.
Everything not noticed as an error counts as the tool being right, so unnoticed errors inflate
trust. Beliefs follow a Beta update with forgetting ``gamma`` in which a noticed error weighs
``nu >= 1`` successes (algorithm aversion; Dietvorst et al. 2015).

**Sampling.** Every case is classified independently, so by Poisson thinning the number of noticed
errors ``E ~ Poisson(lam (1 - rho) (r p_relied + (1 - r) p_overridden))`` and the number of
decisions perceived as right ``S ~ Poisson(lam - mean(E))`` are independent Poisson variates: two
draws per user give exactly the spec's distribution of what the worker experiences, where the
spec's chain of binomials takes nine (each about 100 ns with per-worker probabilities).

**Decision outcomes** that nobody observes (was a wrong answer relied on? would the worker have
been right alone?) are recorded as their conditional expectations given the drawn ``S`` and ``E``:
each category's share of S or E is its share of the Poisson rate. The totals are unbiased, with
less noise than drawing them. Automation-bias errors are relied-on wrong answers; aversion errors
are overridden right answers the worker then gets wrong; the unaided baseline is ``n h``.
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
    """This week's decisions of every (worker, tool) pair that used a tool, as flat arrays.

    ``cases`` is drawn; the other counts are conditional expectations (see the module docstring).
    """

    worker: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    tool: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    counts: dict[str, np.ndarray] = field(
        default_factory=lambda: {name: np.empty(0) for name in TALLY_FIELDS}
    )

    def total(self, name: str) -> float:
        """Sum of one count over every worker and tool."""
        return float(self.counts[name].sum())


def detection_skill(model: WorkforceModel, index: np.ndarray) -> np.ndarray:
    """Phi = clip(w_l l + w_h h + training bonus) (spec section 4)."""
    beh, wf = model.config.behaviour, model.workforce
    phi = (
        beh.detection_literacy_weight * (wf.baseline_literacy[index] + wf.literacy_bonus[index])
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
        lam, sigma = tools.cases_per_week[k], tools.error_salience[k]
        h = wf.unaided_accuracy[who]
        rho = tools.department_reliability[:, k][wf.department[who]]
        r = expit(beh.reliance_steepness * (wf.trust[:, k][who] - h))
        notice_relied = sigma * detection_skill(model, who) * (1 - beh.automation_bias)
        notice_overridden = sigma * h
        # Poisson rates of the terminal categories of a case (per user-week).
        relied_right = lam * rho * r
        overridden_right = lam * rho * (1 - r)
        relied_wrong = lam * (1 - rho) * r
        overridden_wrong = lam * (1 - rho) * (1 - r)
        noticed_rate = relied_wrong * notice_relied + overridden_wrong * notice_overridden
        perceived_right_rate = lam - noticed_rate
        noticed = rng.poisson(noticed_rate)
        perceived_right = rng.poisson(perceived_right_rate)
        successes[rows, k] = perceived_right
        failures[rows, k] = noticed
        # Conditional expectations of the unobserved categories given the two draws.
        per_right = np.divide(
            perceived_right,
            perceived_right_rate,
            out=np.zeros_like(h),
            where=perceived_right_rate > 0,
        )
        per_noticed = np.divide(noticed, noticed_rate, out=np.zeros_like(h), where=noticed_rate > 0)
        right_relied = relied_right * per_right
        right_overridden = overridden_right * per_right
        wrong_relied = relied_wrong * (
            (1 - notice_relied) * per_right + notice_relied * per_noticed
        )
        wrong_overridden = overridden_wrong * (
            (1 - notice_overridden) * per_right + notice_overridden * per_noticed
        )
        cases = perceived_right + noticed
        counts = {
            "cases": cases.astype(float),
            "right_advice": right_relied + right_overridden,
            "wrong_advice": wrong_relied + wrong_overridden,
            "relied_wrong": wrong_relied,
            "aversion_errors": right_overridden * (1 - h),
            "correct": right_relied + (right_overridden + wrong_overridden) * h,
            "unaided_correct": cases * h,
        }
        tallies.append((who, np.full(who.size, k), counts))
    update_beliefs(model, users, successes, failures)
    practised = users[successes.sum(axis=1) + failures.sum(axis=1) > 0]
    wf.self_efficacy[practised] += beh.practice_gain * (1 - wf.self_efficacy[practised])
    wf.last_use_week[wf.uses] = model.week
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
    for k in range(successes.shape[1]):
        trust, strength = wf.trust[:, k], wf.trust_strength[:, k]
        tau, kept = trust[index], beh.forgetting * strength[index]
        alpha = kept * tau + successes[:, k]
        total = kept + successes[:, k] + beh.error_weight * failures[:, k]  # alpha' + beta'
        trust[index] = np.divide(alpha, total, out=tau, where=total > 0)
        strength[index] = np.minimum(total, beh.max_trust_strength)


def _concatenate(
    tallies: list[tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]],
) -> DecisionTally:
    if not tallies:
        return DecisionTally()
    if len(tallies) == 1:
        return DecisionTally(*tallies[0])
    return DecisionTally(
        worker=np.concatenate([t[0] for t in tallies]),
        tool=np.concatenate([t[1] for t in tallies]),
        counts={name: np.concatenate([t[2][name] for t in tallies]) for name in TALLY_FIELDS},
    )
