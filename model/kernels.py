"""Compiled loops (numba) for the weekly rules: one pass over the workers per rule.

Each kernel is the rule of its module written as a loop over workers (or over the CSR rows of
the network), so a rule reads each array once and pays no per-call overhead of many small numpy
operations. The rules and their sources are documented where they are called:
:mod:`model.adoption`, :mod:`model.use`, :mod:`model.peers`, :mod:`model.training` and
:mod:`model.outcomes`.

Random numbers are never drawn here: the caller draws them with the model's one numpy Generator,
in the same order and sizes as before, and passes them in, so a seed gives the same stream in
every process. The arithmetic is that of the numpy code it replaced (same operations in the same
order, sums in index order), so results match it to rounding.
"""

# Kernel arguments are numpy arrays (indexed by worker, tool, skill or modality as named) and
# scalars; numba compiles a version per argument type, so they are left unannotated.
# ruff: noqa: ANN001, ANN201, PLR0913

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange


@njit(cache=True, inline="always")
def expit(x: float) -> float:
    """Logistic function 1 / (1 + exp(-x)) (as ``scipy.special.expit``)."""
    return 1.0 / (1.0 + math.exp(-x))


# -- adoption (model.adoption) ----------------------------------------------------------------
@njit(cache=True)
def count_adoption_pools(live: np.ndarray, uses: np.ndarray) -> tuple[int, int]:
    """Numbers of candidates (live, not using) and users of one tool."""
    candidates = users = 0
    for i in range(live.size):
        if uses[i]:
            users += 1
        elif live[i]:
            candidates += 1
    return candidates, users


@njit(cache=True)
def adopt_tool(
    k: int,
    live: np.ndarray,
    uses: np.ndarray,
    start_draws: np.ndarray,
    stop_draws: np.ndarray,
    trust: np.ndarray,
    self_efficacy: np.ndarray,
    threshold: np.ndarray,
    mandated: np.ndarray,
    neighbours_using: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    omega: float,
    social_proof: float,
    start_scale: float,
    drop_rate: float,
    drop_margin: float,
    temperature: float,
    general_purpose: bool,
) -> None:
    """Starters, stoppers, mandates and off-live tools for tool k; neighbour sums kept current.

    ``indptr`` and ``indices`` are the CSR arrays of the 0/1 adjacency (indices unsigned, see
    :func:`model.network.unsigned`).

    Decisions read the neighbour counts from before this tool's changes (synchronous), then the
    changes are applied and added to the neighbours' counts (``neighbours_using[:, k]``).
    """
    n = live.size
    new = uses.copy()
    c = u = 0
    for i in range(n):
        if not (uses[i] or live[i]):
            continue
        confidence = omega * trust[i, k] + (1 - omega) * self_efficacy[i]
        if uses[i]:
            reluctance = threshold[i] - drop_margin - confidence
            if stop_draws[u] < drop_rate * expit(reluctance / temperature):
                new[i] = False
            u += 1
        elif live[i]:
            degree = max(indptr[i + 1] - indptr[i], 1)
            proof = neighbours_using[i, k] / degree
            readiness = confidence + social_proof * proof - threshold[i]
            p_start = start_scale * expit(readiness / temperature)
            if start_draws[c] < min(p_start, 1.0):
                new[i] = True
            c += 1
    for i in range(n):
        if not general_purpose and live[i] and mandated[i]:
            new[i] = True
        if not live[i]:
            new[i] = False
        if new[i] != uses[i]:
            change = 1.0 if new[i] else -1.0
            for e in range(indptr[i], indptr[i + 1]):
                neighbours_using[indices[e], k] += change
            uses[i] = new[i]


# -- use with verification (model.use) ---------------------------------------------------------
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


@njit(cache=True)
def use_rates(
    who, k, lam, sigma, reliability, department, trust, perceived, accuracy, literacy, skills, p
):
    """Poisson rates of noticed errors and of cases perceived right, per user of tool k."""
    noticed = np.empty(who.size)
    perceived_right = np.empty(who.size)
    for j in range(who.size):
        i = who[j]
        rates = case_rates(i, k, lam, sigma, reliability[department[i], k], trust, perceived,
                           accuracy, literacy, skills, p)  # fmt: skip
        notice_overridden = sigma * accuracy[i]
        noticed[j] = rates[1] + rates[3] + rates[5] * notice_overridden
        perceived_right[j] = lam - noticed[j]
    return noticed, perceived_right


@njit(cache=True)
def use_outcomes(
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
    for j in range(who.size):
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


@njit(cache=True)
def learn(
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
    for j in range(users.size):
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


# -- peer influence (model.peers) ---------------------------------------------------------------
def _peer_step(talks, trust, weight, weight_total, eps, indptr, indices, bounded, bound):
    """Talkers move toward their neighbours' weighted mean trust, from last week's views.

    ``indptr`` and ``indices`` are the CSR arrays of the 0/1 adjacency (indices unsigned, see
    :func:`model.network.unsigned`). Without bounded confidence the row sums run over
    ``x = w tau`` (one array read per tie, as ``A @ x`` in scipy, in the same order); each
    talker's row is independent, so the rows may run on several threads with the same result.
    """
    n, n_tools = trust.shape
    talkers = np.flatnonzero(talks)
    new = np.empty((talkers.size, n_tools))
    for k in range(n_tools):
        column = np.ascontiguousarray(trust[:, k])
        x = weight * column
        for t in prange(talkers.size):
            i = talkers[t]
            own = column[i]
            weighted = 0.0
            total = weight_total[i]
            e, stop = np.intp(indptr[i]), np.intp(indptr[i + 1])
            if bounded:
                total = 0.0
                while e < stop:
                    j = indices[e]
                    if abs(column[j] - own) < bound:
                        total += weight[j]
                        weighted += x[j]
                    e += 1
            else:
                while e < stop:  # a while loop: numba's range over int32 bounds is slower
                    weighted += x[indices[e]]
                    e += 1
            new[t, k] = own + eps[i] * (weighted / total - own) if total > 0 else own
    for t in range(talkers.size):
        for k in range(n_tools):
            trust[talkers[t], k] = new[t, k]


peer_step = njit(cache=True)(_peer_step)
"""One thread (small networks: starting threads costs more than it saves)."""
peer_step_parallel = njit(cache=True, parallel=True)(_peer_step)
"""Talkers' rows spread over threads (large networks); same result as :func:`peer_step`."""


# -- fading of training gains (model.training) --------------------------------------------------
@njit(cache=True)
def fade(fading, last_use_week, week, transient, durable, skill_total, retention) -> None:
    """Holders of a transient gain who used no tool this week lose ``1 - retention`` of it."""
    n_tools = last_use_week.shape[1]
    n_skills, n_modalities = transient.shape[1], transient.shape[2]
    for i in range(fading.size):
        if not fading[i]:
            continue
        idle = True
        for k in range(n_tools):
            if last_use_week[i, k] == week:
                idle = False
        if not idle:
            continue
        for s in range(n_skills):
            total = 0.0
            for m in range(n_modalities):
                transient[i, s, m] *= retention[m]
                total += transient[i, s, m]
            skill_total[i, s] = durable[i, s] + total


# -- outcome sums (model.outcomes) ---------------------------------------------------------------
@njit(cache=True)
def cell_sums(
    archetype,
    staff_group,
    n_groups,
    n_cells,
    trust,
    live,
    uses,
    self_efficacy,
    literacy,
    skills,
    trained,
    starting,
    perceived,
    accuracy,
    reliability,
    department,
    margin,
    tally_worker,
    tally_counts,
):
    """Every sum behind the outcomes, per cell (rows as :data:`model.outcomes.CELL_SUMS`).

    One pass over the workers and one over the week's tally.
    """
    n, n_tools = trust.shape
    n_tally = tally_counts.shape[0]
    out = np.zeros((14 + n_tally, n_cells))
    for i in range(n):
        c = archetype[i] * n_groups + staff_group[i]
        any_live = False
        for k in range(n_tools):
            if live[i, k]:
                any_live = True
        if n_tools == 1:
            known_trust = trust[i, 0]
        else:
            weighted = 0.0
            n_known = 0
            for k in range(n_tools):
                if live[i, k] or not any_live:
                    weighted += trust[i, k]
                    n_known += 1
            known_trust = weighted / n_known
        out[0, c] += 1.0
        out[1, c] += known_trust
        out[2, c] += self_efficacy[i]
        out[3, c] += literacy[i] + skills[i, 0]
        out[4, c] += trained[i] > 0
        out[5, c] += starting[i]
        out[6, c] += perceived[i]
        out[7, c] += accuracy[i]
        out[8, c] += any_live
        for k in range(n_tools):
            if live[i, k]:
                gap = trust[i, k] - reliability[department[i], k]
                out[9, c] += 1.0
                out[10, c] += uses[i, k]
                out[11, c] += abs(gap) <= margin
                out[12, c] += gap > margin
                out[13, c] += abs(gap)
    for j in range(tally_worker.size):
        w = tally_worker[j]
        c = archetype[w] * n_groups + staff_group[w]
        for f in range(n_tally):
            out[14 + f, c] += tally_counts[f, j]
    return out
