"""Using a tool: case-level decisions with verification, and learning from them (spec section 4).

Each user of tool k has ``n ~ Poisson(lam_k)`` AI-assisted cases a week; the advice is right with
probability ``rho_d`` (the department's reliability). Per case:

1. **Accept or override.** The worker accepts the advice with probability
   ``r = sigmoid(k_r (tau - a_hat))``: when trust in the tool exceeds the worker's *belief* about
   their own accuracy ``a_hat`` (which can be miscalibrated; Lee and See 2004; Berner and Graber
   2008). An overridden case is decided alone, right with the worker's true accuracy ``h``.
2. **Verify.** An accepted answer is checked with probability
   ``v = clip(g_v (1 - tau) (1 - b_auto) (1 - W) (1 + e_A A) + v_train, F, 1)``: checking falls
   as trust rises (complacency; Parasuraman and Manzey 2010), is lowered by automation bias
   ``b_auto`` and workload ``W``, raised by accountability ``A`` (Skitka, Mosier and Burdick
   2000) and by failure-exposure training ``v_train`` (Bahner, Hueper and Manzey 2008), and never
   below the tool's cognitive-forcing share ``F`` (Bucinca et al. 2021). A confidence display
   with discrimination ``d`` steers checks toward wrong advice: ``v_wrong = v + d (1 - v)``,
   ``v_right = v (1 - d)`` (Zhang, Liao and Bellamy 2020).
3. **Catch.** A check catches wrong advice with probability ``phi sigma`` (detection skill times
   the error's salience) and raises a false alarm on right advice with probability ``f``; either
   way the worker then decides alone.

So one accepted case is right with probability
``rho - rho v f (1 - h) + (1 - rho) v phi sigma h``. **Automation-bias errors** are wrong advice
acted on (accepted and not caught); **aversion errors** are right advice overridden or falsely
rejected and then decided wrongly.

**What the worker learns.** Caught errors, false alarms (the worker believes the tool erred) and
overridden wrong advice noticed with probability ``sigma h`` count as the tool's errors; every
other case counts as the tool being right, so wrong advice acted on unnoticed inflates trust
until an audit reveals it (:mod:`model.audit`). Trust follows a Beta update with forgetting
``gamma`` in which a noticed error weighs ``nu >= 1`` successes (algorithm aversion; Dietvorst et
al. 2015). The worker's belief about their own accuracy learns in the same way from the cases
they decide alone, where their own errors are noticed with probability ``sigma`` (an assumption:
own errors are as visible as the tool's on the same cases).

A checked or overridden case is worked up by hand and costs staff time (``verification_minutes``).

**Sampling.** By Poisson thinning, the number of noticed tool errors ``E`` and of cases perceived
as right ``S`` are independent Poisson variates, so drawing them gives exactly the distribution
of what the worker experiences; they are drawn as the week's cases ``N ~ Poisson(lam)`` split
binomially (:mod:`model.case_draws`, the same joint distribution, faster). Decision outcomes
that nobody observes are recorded as their conditional expectations given ``S`` and ``E`` (each
category's share of its Poisson rate): unbiased totals with less noise than drawing them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from model import use_kernels
from model.case_draws import case_counts
from model.kernels import threaded

if TYPE_CHECKING:
    from model.simulation import WorkforceModel

TALLY_FIELDS = (
    "cases",
    "right_advice",
    "wrong_advice",
    "accepted",
    "verified",
    "reviewed",
    "relied_wrong",
    "aversion_errors",
    "correct",
    "ai_correct",
    "unaided_correct",
)
"""Per (worker, tool) counts of one week. ``relied_wrong`` is wrong advice acted on (the
automation-bias errors), ``ai_correct`` the cases the tool alone gets right, ``reviewed`` the cases
the worker works up by hand: checked accepted advice, and overridden advice decided alone."""


@dataclass
class DecisionTally:
    """This week's decisions of every (worker, tool) pair that used a tool, as flat arrays.

    ``cases`` is drawn; the other counts are conditional expectations (see the module docstring).
    """

    worker: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    tool: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    matrix: np.ndarray = field(default_factory=lambda: np.empty((len(TALLY_FIELDS), 0)))
    """One row per :data:`TALLY_FIELDS` entry, one column per (worker, tool) pair."""

    @property
    def counts(self) -> dict[str, np.ndarray]:
        """Each count by name (views into :attr:`matrix`)."""
        return dict(zip(TALLY_FIELDS, self.matrix, strict=True))

    def total(self, name: str) -> float:
        """Sum of one count over every worker and tool."""
        return float(self.counts[name].sum())


def verification_propensity(
    model: WorkforceModel, index: np.ndarray, trust: np.ndarray, forcing: float = 0.0
) -> np.ndarray:
    """Probability v that an accepted answer is checked (see the module docstring)."""
    beh = model.config.behaviour
    scale = (
        beh.verification_gain
        * (1 - beh.automation_bias)
        * (1 - model.config.training.workload_pressure)
        * (1 + beh.accountability_effect * beh.accountability)
    )
    v = scale * (1 - trust) + model.workforce.verification_bonus[index]
    return np.clip(v, forcing, 1.0)


def relied_case_accuracy(
    rho: np.ndarray | float,
    h: np.ndarray | float,
    verify: np.ndarray | float,
    catch: np.ndarray | float,
    false_alarm: float,
) -> np.ndarray | float:
    """Probability an accepted case ends right: ``rho - rho v f (1-h) + (1-rho) v c h``.

    With a confidence display the check rates differ by advice (``v_right``, ``v_wrong``); pass
    arrays ``verify`` per advice kind then, or use this form without a display.
    """
    return rho - rho * verify * false_alarm * (1 - h) + (1 - rho) * verify * catch * h


def use_ai(model: WorkforceModel) -> None:
    """Every user decides this week's cases with its tools and updates its beliefs.

    One compiled pass finds the week's users and, tool by tool, the Poisson rates of each user's
    noticed and perceived-right cases (:func:`model.use_kernels.use_plan_rates`); their counts
    drawn from the model's generator (:func:`model.case_draws.case_counts`, two uniforms per
    pair in one call); then one compiled pass takes the expected decision counts, tool by tool,
    from the rates the first pass kept, and every user's belief updates
    (:func:`model.use_kernels.use_outcomes_learn`). The rules are those of the module docstring.
    """
    beh, wf, tools = model.config.behaviour, model.workforce, model.tools
    n_tools = wf.uses.shape[1]
    scale = (
        beh.verification_gain
        * (1 - beh.automation_bias)
        * (1 - model.config.training.workload_pressure)
        * (1 + beh.accountability_effect * beh.accountability)
    )
    p = np.empty((n_tools, 7))
    p[:, 0] = beh.reliance_steepness
    p[:, 1] = scale
    p[:, 2] = tools.forcing_function
    p[:, 3] = tools.confidence_display
    p[:, 4] = beh.false_alarm_rate
    p[:, 5] = beh.detection_literacy_weight
    p[:, 6] = beh.detection_accuracy_weight
    lam = np.asarray(tools.cases_per_week, dtype=float)
    sigma = np.asarray(tools.error_salience, dtype=float)
    state = (
        tools.department_reliability,
        wf.department,
        wf.trust,
        wf.perceived_accuracy,
        wf.unaided_accuracy,
        wf.baseline_literacy,
        wf.skill_total,
    )
    plan = (
        use_kernels.use_plan_rates_parallel
        if threaded(wf.size, use_kernels.PARALLEL_MIN_USERS)
        else use_kernels.use_plan_rates
    )
    users, who, rows, offsets, rates, pair_rates = plan(wf.uses, lam, sigma, *state, p)
    draws = case_counts(model.rng, rates, offsets, lam)
    learning = np.array(
        [
            beh.spillover,
            beh.forgetting,
            beh.error_weight,
            beh.max_trust_strength,
            beh.self_knowledge_strength,
            beh.practice_gain,
        ]
    )
    outcomes = (
        use_kernels.use_outcomes_learn_parallel
        if threaded(users.size, use_kernels.PARALLEL_MIN_USERS)
        else use_kernels.use_outcomes_learn
    )
    tool, counts = outcomes(
        users, who, rows, offsets, draws, pair_rates, lam, sigma, wf.trust,
        wf.perceived_accuracy, wf.unaided_accuracy, len(TALLY_FIELDS), wf.unnoticed_tool_errors,
        wf.trust_strength, wf.unnoticed_own_errors, wf.self_efficacy, wf.uses, wf.last_use_week,
        model.week, learning,
    )  # fmt: skip
    model.tally = DecisionTally(worker=who, tool=tool, matrix=counts)


def beta_update(
    mean: np.ndarray,
    strength: np.ndarray,
    successes: np.ndarray,
    failures: np.ndarray,
    *,
    retention: float = 1.0,
    error_weight: float = 1.0,
    max_strength: float = np.inf,
) -> tuple[np.ndarray, np.ndarray]:
    """One Beta update of a belief with forgetting and error asymmetry.

    ``alpha' = gamma kappa m + S``, ``beta' = gamma kappa (1 - m) + nu F``; returns
    ``(alpha' / (alpha' + beta'), min(alpha' + beta', kappa_max))``. Negative successes (an
    audit revealing that past "successes" were errors) remove evidence, never below zero.
    """
    kept = retention * strength
    alpha = np.maximum(kept * mean + successes, 0.0)
    total = np.maximum(alpha + kept * (1 - mean) + error_weight * failures, 0.0)
    new_mean = np.divide(alpha, total, out=np.asarray(mean, dtype=float).copy(), where=total > 0)
    return new_mean, np.minimum(total, max_strength)


def update_beliefs(
    model: WorkforceModel, index: np.ndarray, successes: np.ndarray, failures: np.ndarray
) -> None:
    """Trust: Beta update with forgetting and error asymmetry; evidence spills over between tools.

    S and F include ``spillover`` times the evidence about the worker's other tools.
    """
    beh, wf = model.config.behaviour, model.workforce
    if beh.spillover > 0 and successes.shape[1] > 1:
        successes = successes + beh.spillover * (successes.sum(1, keepdims=True) - successes)
        failures = failures + beh.spillover * (failures.sum(1, keepdims=True) - failures)
    for k in range(successes.shape[1]):
        trust, strength = wf.trust[:, k], wf.trust_strength[:, k]
        trust[index], strength[index] = beta_update(
            trust[index],
            strength[index],
            successes[:, k],
            failures[:, k],
            retention=beh.forgetting,
            error_weight=beh.error_weight,
            max_strength=beh.max_trust_strength,
        )


def learn_own_accuracy(
    model: WorkforceModel, index: np.ndarray, decisions: np.ndarray, noticed_errors: np.ndarray
) -> None:
    """The belief about one's own accuracy learns from the cases decided alone.

    A Beta belief held at ``self_knowledge_strength`` pseudo-observations: each week's
    own decisions move it with weight ``n / (K + n)``; own errors not noticed count as right, so
    without feedback the belief drifts above the truth (Berner and Graber 2008).
    """
    beh, wf = model.config.behaviour, model.workforce
    strength = np.full(index.size, beh.self_knowledge_strength)
    wf.perceived_accuracy[index], _ = beta_update(
        wf.perceived_accuracy[index], strength, decisions - noticed_errors, noticed_errors
    )
