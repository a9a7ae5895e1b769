"""Compiled loops of training (spec section 6): who is invitable, and a course's effect.

:func:`invitable` finds a programme's selected, eligible workers due an invitation in one pass
(:func:`near_go_live` the departments a just-in-time programme may invite);
:func:`apply_course` applies the rule of :func:`model.training.apply_modality` in one pass over
the attendees (the arithmetic of the numpy code it replaced, in the same order), with their peer
weights and their neighbours' kept sums refreshed (:func:`model.joiner_kernels.refresh_weight`).
"""

# Kernel arguments are numpy arrays (indexed by worker, skill, modality, tool or department as
# named) and scalars; numba compiles a version per argument type, so they are left unannotated.
# ruff: noqa: ANN001, ANN201, PLR0913

from __future__ import annotations

import numpy as np
from numba import njit

from model.joiner_kernels import refresh_weight
from model.outcome_kernels import block_sum


@njit(cache=True)
def apply_course(
    index,
    m,
    q,
    baseline_literacy,
    durable,
    transient,
    skill_total,
    fading,
    self_efficacy,
    perceived,
    accuracy,
    taught,
    department,
    trust,
    influence_multiplier,
    times_trained,
    archetype,
    base_weight,
    base_susceptibility,
    weight,
    susceptibility,
    weight_total,
    indptr,
    indices,
    data,
):
    """One completion of modality ``m`` by each worker at ``index``.

    ``q`` holds the modality's gains in AI literacy, detection and verification, its durable
    share, self-efficacy gain, self-assessment pull, calibration pull, trust push and influence
    multiplier. Each skill gain is ``gain (1 - level)``, split into a durable and a transient
    part; the skill totals are refreshed as :meth:`model.workforce.Workforce.refresh_skills`.
    """
    durable_share, push = q[3], q[7]
    target = 1.0 if push >= 0 else 0.0
    n_skills, n_tools = durable.shape[1], trust.shape[1]
    for j in range(index.size):
        i = index[j]
        levels = (baseline_literacy[i] + skill_total[i, 0], skill_total[i, 1], skill_total[i, 2])
        for s in range(n_skills):
            increment = q[s] * (1 - levels[s])
            durable[i, s] += durable_share * increment
            transient[i, s, m] += (1 - durable_share) * increment
        for s in range(n_skills):
            skill_total[i, s] = durable[i, s] + block_sum(transient[i, s], 0, transient.shape[2])
        fading[i] |= durable_share < 1
        self_efficacy[i] += q[4] * (1 - self_efficacy[i])
        own = perceived[i]
        perceived[i] = own + q[5] * (accuracy[i] - own)
        for k in range(n_tools):
            t = trust[i, k]
            t += q[6] * (taught[department[i], k] - t)
            t += abs(push) * (target - t)
            trust[i, k] = t
        influence_multiplier[i] = max(influence_multiplier[i], q[8])
        times_trained[i] += 1
    for j in range(index.size):
        refresh_weight(
            index[j], archetype, influence_multiplier, base_weight, base_susceptibility,
            weight, susceptibility, weight_total, indptr, indices, data,
        )  # fmt: skip


@njit(cache=True)
def invitable(selected, last_invited, week, refresher, by_department, department, by_worker):
    """Indices (in order) of workers selected, eligible and due an invitation.

    Due: never invited (``last_invited < 0``), or invited at least ``refresher`` weeks ago
    (``refresher`` >= 0 only). Eligible: ``by_department[department[i]]`` and, unless
    ``by_worker`` is empty, ``by_worker[i]``.
    """
    out = np.empty(selected.size, dtype=np.int64)
    n = 0
    check_worker = by_worker.size > 0
    for i in range(selected.size):  # no branch per worker: each index is written, kept if due
        last = last_invited[i]
        due = last < 0 or (refresher >= 0 and week - last >= refresher)
        keep = selected[i] & due & by_department[department[i]]
        if check_worker:
            keep = keep & by_worker[i]
        out[n] = i
        n += keep
    return out[:n]


@njit(cache=True)
def near_go_live(go_live_week, columns, week, window):
    """Per department: does a tool in ``columns`` go live within ``window`` weeks of ``week``?

    Before or after: ``|go-live week - week| <= window``.
    """
    near = np.zeros(go_live_week.shape[0], dtype=np.bool_)
    for d in range(go_live_week.shape[0]):
        for k in columns:
            near[d] |= abs(go_live_week[d, k] - week) <= window
    return near
