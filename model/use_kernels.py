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

from model.kernels import expit, threaded_copy

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


def _use_plan_rates(
    uses, lam, sigma, reliability, department, trust, perceived, accuracy, literacy, skills, p
):
    """This week's users and, tool by tool, each user's Poisson rates (noticed, perceived right).

    Returns ``users`` (workers using any tool, in index order), ``who`` and ``rows`` (each
    (user, tool) pair's worker and its row in ``users``, tool by tool, users in order), the
    ``offsets`` of each tool's pairs, and ``rates``: for tool k, at ``2 offsets[k]``, its users'
    rates of noticed errors then of cases perceived right, so one Poisson draw over ``rates``
    takes the draws in the order of two draws per tool; and ``pair_rates``, each pair's
    :func:`case_rates` (a row per pair, in the order of ``who``). ``lam``, ``sigma`` and the rows
    of ``p`` (see :func:`case_rates`) are per tool.
    """
    n, n_tools = uses.shape
    found = np.empty(n, dtype=np.int64)
    n_users = 0
    offsets = np.zeros(n_tools + 1, dtype=np.int64)
    for i in range(n):  # the users in index order, without a branch per worker
        used = False
        for k in range(n_tools):
            used |= uses[i, k]
            offsets[k + 1] += uses[i, k]
        found[n_users] = i
        n_users += used
    users = found[:n_users]
    for k in range(n_tools):
        offsets[k + 1] += offsets[k]
    who = np.empty(offsets[n_tools], dtype=np.int64)
    rows = np.empty(offsets[n_tools], dtype=np.int64)
    filled = offsets[:n_tools].copy()
    for row in range(n_users):
        i = users[row]
        for k in range(n_tools):
            if uses[i, k]:
                who[filled[k]] = i
                rows[filled[k]] = row
                filled[k] += 1
    rates = np.empty(2 * offsets[n_tools])
    pair_rates = np.empty((offsets[n_tools], 8))
    for k in range(n_tools):
        start, count = offsets[k], offsets[k + 1] - offsets[k]
        lam_k, sigma_k = lam[k], sigma[k]
        for j in prange(count):
            i = who[start + j]
            r = case_rates(i, k, lam_k, sigma_k, reliability[department[i], k], trust, perceived,
                           accuracy, literacy, skills, p[k])  # fmt: skip
            for f in range(8):
                pair_rates[start + j, f] = r[f]
            notice_overridden = sigma_k * accuracy[i]
            noticed = r[1] + r[3] + r[5] * notice_overridden
            rates[2 * start + j] = noticed
            rates[2 * start + count + j] = lam_k - noticed
    return users, who, rows, offsets, rates, pair_rates


@njit(cache=True, inline="always")
def _pair_outcome(
    row, col, k, lam, sigma, h, r, noticed, perceived_right, counts, successes, failures, acted
):  # fmt: skip
    """Given its two draws, one (user, tool) pair's expected decision counts and learning.

    ``r`` holds the pair's :func:`case_rates` (from :func:`_use_plan_rates`), ``h`` the user's
    unaided accuracy. Fills column ``col`` of ``counts`` (one row per
    :data:`model.use.TALLY_FIELDS` entry), the user's successes, failures and wrong advice acted
    on for tool k (row ``row``); returns the cases the user decided alone and its own errors it
    noticed among them.
    """
    right_kept, right_false_alarm, right_overridden = r[0], r[1], r[2]
    wrong_caught, wrong_acted, wrong_overridden, v_right, v_wrong = r[3], r[4], r[5], r[6], r[7]
    notice_overridden = sigma * h
    noticed_rate = right_false_alarm + wrong_caught + wrong_overridden * notice_overridden
    right_rate = lam - noticed_rate
    per_right = perceived_right / right_rate if right_rate > 0 else 0.0
    per_noticed = noticed / noticed_rate if noticed_rate > 0 else 0.0
    successes[row, k] = perceived_right
    failures[row, k] = noticed
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
    cases = perceived_right + noticed
    counts[0, col] = cases
    counts[1, col] = right_accepted + right_overridden
    counts[2, col] = wrong_accepted + wrong_overridden
    counts[3, col] = right_accepted + wrong_accepted
    counts[4, col] = verified
    counts[5, col] = verified + right_overridden + wrong_overridden
    counts[6, col] = wrong_acted
    counts[7, col] = (right_false_alarm + right_overridden) * (1 - h)
    counts[8, col] = right_kept + alone * h
    counts[9, col] = right_accepted + right_overridden
    counts[10, col] = cases * h
    acted[row, k] = wrong_acted
    return alone, sigma * alone * (1 - h)


def _use_outcomes_learn(
    users, who, rows, offsets, draws, pair_rates, lam, sigma, trust, perceived, accuracy,
    n_fields, unnoticed_tool, strength, unnoticed_own, self_efficacy, uses, last_use_week, week,
    q,
):  # fmt: skip
    """Given the draws, every pair's decision counts (tool by tool), then every user's learning.

    ``draws`` holds the Poisson draws over the ``rates`` of :func:`_use_plan_rates` (same
    layout), ``pair_rates`` each pair's :func:`case_rates` from it. Returns the week's tally:
    each pair's tool and its counts (``n_fields`` rows); then updates the beliefs of every user.
    ``q`` holds spillover, forgetting, error weight, maximum strength, self-knowledge strength
    and practice gain.
    """
    n_tools = trust.shape[1]
    n_pairs = who.size
    successes = np.zeros((users.size, n_tools))
    failures = np.zeros((users.size, n_tools))
    acted = np.zeros((users.size, n_tools))
    own_decisions = np.zeros(users.size)
    own_noticed = np.zeros(users.size)
    counts = np.empty((n_fields, n_pairs))
    tool = np.empty(n_pairs, dtype=np.int64)
    for k in range(n_tools):
        start, count = offsets[k], offsets[k + 1] - offsets[k]
        for j in prange(count):
            col = start + j
            i, row = who[col], rows[col]
            tool[col] = k
            alone, noticed_own = _pair_outcome(
                row, col, k, lam[k], sigma[k], accuracy[i], pair_rates[col],
                draws[2 * start + j], draws[2 * start + count + j], counts, successes, failures,
                acted,
            )  # fmt: skip
            own_decisions[row] += alone
            own_noticed[row] += noticed_own
    # Belief updates of every user (see :func:`model.use.use_ai`).
    spill, gamma, nu, kappa_max, self_knowledge, practice = q[0], q[1], q[2], q[3], q[4], q[5]
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
    return tool, counts


@njit(cache=True, inline="always")
def beta_update(mean, strength, successes, failures, retention, error_weight, max_strength):
    """Scalar :func:`model.use.beta_update`."""
    kept = retention * strength
    alpha = max(kept * mean + successes, 0.0)
    total = max(alpha + kept * (1 - mean) + error_weight * failures, 0.0)
    return (alpha / total if total > 0 else mean), min(total, max_strength)


use_plan_rates = njit(cache=True)(_use_plan_rates)
use_plan_rates_parallel = njit(cache=True, parallel=True)(threaded_copy(_use_plan_rates))
use_outcomes_learn = njit(cache=True)(_use_outcomes_learn)
use_outcomes_learn_parallel = njit(cache=True, parallel=True)(threaded_copy(_use_outcomes_learn))
