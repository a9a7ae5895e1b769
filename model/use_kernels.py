"""Compiled loops (numba) of use with verification and learning (see :mod:`model.use`).

Each loop runs over the week's users of a tool (or all users) in index order; every user's
results go to its own row, so the same loop may run over several threads (the ``_parallel``
variants, used for large workforces) with the same result. Random numbers are drawn by the caller
with the model's numpy Generator (see :mod:`model.kernels`).
"""

# Kernel arguments are numpy arrays (indexed by worker, tool or user as named) and scalars; numba
# compiles a version per argument type, so they are left unannotated.
# ruff: noqa: ANN001, ANN201, PLR0913

from __future__ import annotations

import numpy as np
from numba import njit, prange

from model.kernels import expit

PARALLEL_MIN_USERS = 100_000
"""From this many users a week, the loops run over threads (below, starting them costs more)."""


@njit(cache=True, inline="always")
def case_rates(i, k, lam, sigma, rho, trust, perceived, accuracy, literacy, skills, p):
    """The six terminal-category rates of worker i's cases with tool k, and v_right, v_wrong.

    ``p`` holds reliance steepness, verification scale, forcing, display, false-alarm rate and
    the detection weights of literacy and accuracy (see :func:`model.use.use_ai`).
    """
    steepness, scale, forcing, display, f, w_l, w_h = p[0], p[1], p[2], p[3], p[4], p[5], p[6]
    h = accuracy[i]
    tau = trust[i, k]
    r = expit(steepness * (tau - perceived[i]))
    v = min(max(scale * (1 - tau) + skills[i, 2], forcing), 1.0)
    v_wrong, v_right = v + display * (1 - v), v * (1 - display)
    phi = min(max(w_l * (literacy[i] + skills[i, 0]) + w_h * h + skills[i, 1], 0.0), 1.0)
    catch = phi * sigma
    right_kept = lam * rho * r * (1 - v_right * f)
    right_false_alarm = lam * rho * r * v_right * f
    right_overridden = lam * rho * (1 - r)
    wrong_caught = lam * (1 - rho) * r * v_wrong * catch
    wrong_acted = lam * (1 - rho) * r * (1 - v_wrong * catch)
    wrong_overridden = lam * (1 - rho) * (1 - r)
    return (
        right_kept, right_false_alarm, right_overridden, wrong_caught, wrong_acted,
        wrong_overridden, v_right, v_wrong,
    )  # fmt: skip


def _use_rates(
    who, k, lam, sigma, reliability, department, trust, perceived, accuracy, literacy, skills, p
):
    """Poisson rates of noticed errors and of cases perceived right, per user of tool k."""
    noticed = np.empty(who.size)
    perceived_right = np.empty(who.size)
    for j in prange(who.size):
        i = who[j]
        rates = case_rates(i, k, lam, sigma, reliability[department[i], k], trust, perceived,
                           accuracy, literacy, skills, p)  # fmt: skip
        notice_overridden = sigma * accuracy[i]
        noticed[j] = rates[1] + rates[3] + rates[5] * notice_overridden
        perceived_right[j] = lam - noticed[j]
    return noticed, perceived_right


def _use_outcomes(
    who,
    rows,
    k,
    lam,
    sigma,
    reliability,
    department,
    trust,
    perceived,
    accuracy,
    literacy,
    skills,
    p,
    noticed,
    perceived_right,
    counts,
    successes,
    failures,
    acted,
    own_decisions,
    own_noticed,
):
    """Given the two draws, each user's expected decision counts and what it learns.

    Fills ``counts`` (one row per :data:`model.use.TALLY_FIELDS` entry, a column per user),
    the user's successes, failures and wrong advice acted on for tool k, and own decisions.
    """
    for j in prange(who.size):
        i, row = who[j], rows[j]
        h = accuracy[i]
        (right_kept, right_false_alarm, right_overridden, wrong_caught, wrong_acted,
         wrong_overridden, v_right, v_wrong) = case_rates(
            i, k, lam, sigma, reliability[department[i], k], trust, perceived, accuracy,
            literacy, skills, p)  # fmt: skip
        notice_overridden = sigma * h
        noticed_rate = right_false_alarm + wrong_caught + wrong_overridden * notice_overridden
        right_rate = lam - noticed_rate
        per_right = perceived_right[j] / right_rate if right_rate > 0 else 0.0
        per_noticed = noticed[j] / noticed_rate if noticed_rate > 0 else 0.0
        successes[row, k] = perceived_right[j]
        failures[row, k] = noticed[j]
        right_kept = right_kept * per_right
        right_false_alarm = right_false_alarm * per_noticed
        right_overridden = right_overridden * per_right
        wrong_caught = wrong_caught * per_noticed
        wrong_acted = wrong_acted * per_right
        wrong_overridden = wrong_overridden * (
            (1 - notice_overridden) * per_right + notice_overridden * per_noticed
        )
        right_accepted = right_kept + right_false_alarm
        wrong_accepted = wrong_caught + wrong_acted
        verified = v_right * right_accepted + v_wrong * wrong_accepted
        alone = right_false_alarm + right_overridden + wrong_caught + wrong_overridden
        cases = perceived_right[j] + noticed[j]
        counts[0, j] = cases
        counts[1, j] = right_accepted + right_overridden
        counts[2, j] = wrong_accepted + wrong_overridden
        counts[3, j] = right_accepted + wrong_accepted
        counts[4, j] = verified
        counts[5, j] = verified + right_overridden + wrong_overridden
        counts[6, j] = wrong_acted
        counts[7, j] = (right_false_alarm + right_overridden) * (1 - h)
        counts[8, j] = right_kept + alone * h
        counts[9, j] = right_accepted + right_overridden
        counts[10, j] = cases * h
        acted[row, k] = wrong_acted
        own_decisions[row] += alone
        own_noticed[row] += sigma * alone * (1 - h)


@njit(cache=True, inline="always")
def beta_update(mean, strength, successes, failures, retention, error_weight, max_strength):
    """Scalar :func:`model.use.beta_update`."""
    kept = retention * strength
    alpha = max(kept * mean + successes, 0.0)
    total = max(alpha + kept * (1 - mean) + error_weight * failures, 0.0)
    return (alpha / total if total > 0 else mean), min(total, max_strength)


def _learn(
    users,
    successes,
    failures,
    acted,
    own_decisions,
    own_noticed,
    unnoticed_tool,
    trust,
    strength,
    perceived,
    accuracy,
    unnoticed_own,
    self_efficacy,
    uses,
    last_use_week,
    week,
    q,
):
    """Belief updates of the week's users (see :func:`model.use.use_ai`).

    ``q`` holds spillover, forgetting, error weight, maximum strength, self-knowledge strength
    and practice gain.
    """
    spill, gamma, nu, kappa_max, self_knowledge, practice = q[0], q[1], q[2], q[3], q[4], q[5]
    n_tools = trust.shape[1]
    for j in prange(users.size):
        i = users[j]
        total_s = total_f = 0.0
        for k in range(n_tools):
            total_s += successes[j, k]
            total_f += failures[j, k]
        for k in range(n_tools):
            # Unnoticed errors fade at the rate of the trust evidence they were counted in.
            unnoticed_tool[i, k] = unnoticed_tool[i, k] * gamma + acted[j, k]
            s, f = successes[j, k], failures[j, k]
            if spill > 0 and n_tools > 1:
                s = s + spill * (total_s - s)
                f = f + spill * (total_f - f)
            trust[i, k], strength[i, k] = beta_update(
                trust[i, k], strength[i, k], s, f, gamma, nu, kappa_max
            )
        decisions, noticed = own_decisions[j], own_noticed[j]
        perceived[i], _ = beta_update(
            perceived[i], self_knowledge, decisions - noticed, noticed, 1.0, 1.0, np.inf
        )
        # The belief about one's own accuracy has no forgetting: unnoticed own errors do not fade.
        unnoticed_own[i] += decisions * (1 - accuracy[i]) - noticed
        if total_s + total_f > 0:
            self_efficacy[i] += practice * (1 - self_efficacy[i])
        for k in range(n_tools):
            if uses[i, k]:
                last_use_week[i, k] = week


use_rates = njit(cache=True)(_use_rates)
use_rates_parallel = njit(cache=True, parallel=True)(_use_rates)
use_outcomes = njit(cache=True)(_use_outcomes)
use_outcomes_parallel = njit(cache=True, parallel=True)(_use_outcomes)
learn = njit(cache=True)(_learn)
learn_parallel = njit(cache=True, parallel=True)(_learn)
