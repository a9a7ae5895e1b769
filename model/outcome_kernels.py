"""Compiled loops of recording (see :mod:`model.outcomes`): the cell sums, then every outcome.

:func:`cell_sums` takes every sum behind the outcomes per cell of archetype x staff group in one
pass over the workers and one over the week's tally. :func:`outcome_values` takes these cell
sums, adds the sums that follow from them, totals them over everyone, each archetype and each
staff group, and takes every ratio, in one call instead of some forty numpy operations a week.
Its sums are numpy's: a total over the cells is numpy's pairwise sum (:func:`pairwise_sum`), a
total over one axis of the archetype x staff group cells a running sum, so the outcomes equal
those of the numpy code (:func:`model.outcomes.ratios`) to the last bit.
"""

# Kernel arguments are numpy arrays and scalars; numba compiles a version per argument type, so
# they are left unannotated.
# ruff: noqa: ANN001, ANN201, PLR0913

from __future__ import annotations

import numpy as np
from numba import njit, prange

from model.kernels import threaded_copy

_BLOCK = 128  # numpy's PW_BLOCKSIZE


@njit(cache=True)
def block_sum(a, start, stop):
    """Sum of ``a[start:stop]`` (at most 128 values) in numpy's order.

    Below 8 values a running sum; else 8 running sums combined pairwise, then the rest.
    """
    n = stop - start
    if n < 8:
        res = 0.0
        for i in range(start, stop):
            res += a[i]
        return res
    b = start  # eight running sums, in scalars (no array to allocate)
    r0, r1, r2, r3 = a[b], a[b + 1], a[b + 2], a[b + 3]
    r4, r5, r6, r7 = a[b + 4], a[b + 5], a[b + 6], a[b + 7]
    i = 8
    while i < n - (n % 8):
        b = start + i
        r0 += a[b]
        r1 += a[b + 1]
        r2 += a[b + 2]
        r3 += a[b + 3]
        r4 += a[b + 4]
        r5 += a[b + 5]
        r6 += a[b + 6]
        r7 += a[b + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[start + i]
        i += 1
    return res


@njit(cache=True)
def pairwise_sum(a, start, stop):
    """Sum of ``a[start:stop]`` as numpy's ``np.sum`` adds a contiguous float64 run.

    Runs of up to 128 values as :func:`block_sum`; longer runs are split in two halves (at a
    multiple of 8) summed the same way, as numpy's recursion does, here with an explicit stack
    (numba cannot cache recursive functions).
    """
    if stop - start <= _BLOCK:
        return block_sum(a, start, stop)
    lo = np.empty(64, dtype=np.int64)
    mid = np.empty(64, dtype=np.int64)
    hi = np.empty(64, dtype=np.int64)
    state = np.zeros(64, dtype=np.int64)  # 0 new, 1 summing the left half, 2 the right half
    left = np.empty(64)
    top = 0
    lo[0], hi[0] = start, stop
    while True:
        n = hi[top] - lo[top]
        if n > _BLOCK:
            half = n // 2
            half -= half % 8
            mid[top] = lo[top] + half
            state[top] = 1
            top += 1
            lo[top], hi[top], state[top] = lo[top - 1], mid[top - 1], 0
            continue
        value = block_sum(a, lo[top], hi[top])
        top -= 1
        while top >= 0 and state[top] == 2:
            value = left[top] + value
            top -= 1
        if top < 0:
            return value
        left[top] = value
        state[top] = 2
        top += 1
        lo[top], hi[top], state[top] = mid[top - 1], hi[top - 1], 0


@njit(cache=True)
def outcome_values(
    sums, n_archetypes, by_group, numerators, denominators, per_1000, derived, counts, accuracy, p
):
    """Every outcome over everyone, each archetype and (if ``by_group``) each staff group.

    ``sums`` holds one row per sum name (:data:`model.outcomes.SUM_NAMES`) and one column per
    cell (archetype-major), its derived rows still to fill: confidence, under trust, avoidable
    errors, self-assessment gap, verification hours, and the two running totals, whose last
    values (per cell) are in ``p``'s rows 1 and 2 on entry and are updated in place. ``p[0]``
    holds the trust weight of confidence and the minutes per reviewed case. ``numerators``
    and ``denominators`` index the rows of each ratio outcome; ``per_1000`` flags those per 1,000
    decisions. ``derived`` indexes the rows the derived sums are made from and go to (in the
    order of the code below), ``counts`` the sums reported as counts, and ``accuracy`` the
    outcome rows of decision accuracy, tool-alone accuracy and unaided accuracy.
    Returns one row per outcome (:data:`model.outcomes.VALUE_NAMES`), one column per group.
    """
    n_cells = sums.shape[1]
    n_groups = n_cells // n_archetypes
    omega, minutes = p[0, 0], p[0, 1]
    trust, self_eff, live_pairs, appropriate = derived[0], derived[1], derived[2], derived[3]
    over, relied, aversion, perceived = derived[4], derived[5], derived[6], derived[7]
    unaided_skill, reviewed, confidence, under = derived[8], derived[9], derived[10], derived[11]
    avoidable, gap, hours, weeks_total = derived[12], derived[13], derived[14], derived[15]
    hours_total = derived[16]
    for c in range(n_cells):
        sums[confidence, c] = omega * sums[trust, c] + (1 - omega) * sums[self_eff, c]
        sums[under, c] = sums[live_pairs, c] - sums[appropriate, c] - sums[over, c]
        sums[avoidable, c] = sums[relied, c] + sums[aversion, c]
        sums[gap, c] = sums[perceived, c] - sums[unaided_skill, c]
        sums[hours, c] = sums[reviewed, c] * minutes / 60.0
        sums[weeks_total, c] = p[1, c] + sums[appropriate, c]
        sums[hours_total, c] = p[2, c] + sums[hours, c]
        p[1, c] = sums[weeks_total, c]
        p[2, c] = sums[hours_total, c]
    n_columns = 1 + n_archetypes + (n_groups if by_group else 0)
    columns = np.empty((sums.shape[0], n_columns))
    for s in range(sums.shape[0]):
        row = sums[s]
        columns[s, 0] = pairwise_sum(row, 0, n_cells)
        for a in range(n_archetypes):
            columns[s, 1 + a] = pairwise_sum(row, a * n_groups, (a + 1) * n_groups)
        if by_group:
            for g in range(n_groups):
                total = row[g]
                for a in range(1, n_archetypes):
                    total += row[a * n_groups + g]
                columns[s, 1 + n_archetypes + g] = total
    n_ratios = numerators.size
    values = np.empty((n_ratios + 2 + counts.size, n_columns))
    accurate, ai_alone, unaided = accuracy[0], accuracy[1], accuracy[2]
    for o in range(n_ratios):
        for g in range(n_columns):
            den = columns[denominators[o], g]
            value = columns[numerators[o], g] / den if den > 0 else np.nan
            values[o, g] = 1000.0 * value if per_1000[o] else value
    for g in range(n_columns):
        values[n_ratios, g] = values[accurate, g] - values[unaided, g]
        best = np.fmax(values[ai_alone, g], values[unaided, g])
        values[n_ratios + 1, g] = values[accurate, g] - best
    for j in range(counts.size):
        for g in range(n_columns):
            values[n_ratios + 2 + j, g] = columns[counts[j], g]
    return values


# -- cell sums ---------------------------------------------------------------
def _cell_sums(
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
    n_extra,
    n_tasks,
):
    """Every sum behind the outcomes, per cell (rows as :data:`model.outcomes.CELL_SUMS`).

    ``n_extra`` more rows, of zeros, are left at the end for the sums that follow from these.

    Three tasks (``n_tasks`` 3), each one pass in index order over its own rows of the result:
    the worker sums, the sums over live (worker, tool) pairs, and the week's tally; they may run
    on different threads. With ``n_tasks`` 2 the pair sums are taken in the pass over the
    workers (faster on one thread). Every sum is accumulated in the same order either way, so
    the result is the same.
    """
    n, n_tools = trust.shape
    n_tally = tally_counts.shape[0]
    out = np.zeros((14 + n_tally + n_extra, n_cells))
    merged = n_tasks == 2  # the pair sums in the pass over the workers
    for task in prange(n_tasks):
        if task == 0:
            acc = np.zeros((n_cells, len(_REAL_ROWS)))
            counts = np.zeros((n_cells, len(_COUNT_ROWS)), dtype=np.int64)
            for i in range(n):
                c = archetype[i] * n_groups + staff_group[i]
                a, q = acc[c], counts[c]
                any_live = False
                for k in range(n_tools):
                    if live[i, k]:
                        any_live = True
                        if merged:
                            _pair_sums(a, q, trust[i, k] - reliability[department[i], k],
                                       uses[i, k], margin)  # fmt: skip
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
                q[0] += 1
                a[0] += known_trust
                a[1] += self_efficacy[i]
                a[2] += literacy[i] + skills[i, 0]
                q[1] += trained[i] > 0
                q[2] += starting[i]
                a[3] += perceived[i]
                a[4] += accuracy[i]
                q[3] += any_live
            _write_cells(out, acc, counts, True, merged)
        elif task == n_tasks - 1:
            for j in range(tally_worker.size):
                w = tally_worker[j]
                c = archetype[w] * n_groups + staff_group[w]
                for f in range(n_tally):
                    out[14 + f, c] += tally_counts[f, j]
        else:
            acc = np.zeros((n_cells, len(_REAL_ROWS)))
            counts = np.zeros((n_cells, len(_COUNT_ROWS)), dtype=np.int64)
            for i in range(n):
                c = archetype[i] * n_groups + staff_group[i]
                for k in range(n_tools):
                    if live[i, k]:
                        _pair_sums(acc[c], counts[c], trust[i, k] - reliability[department[i], k],
                                   uses[i, k], margin)  # fmt: skip
            _write_cells(out, acc, counts, False, True)
    return out


_REAL_ROWS = (1, 2, 3, 6, 7, 13)
"""Rows of the cell sums (:data:`model.outcomes.CELL_SUMS`) summed as reals, in slot order:
known trust, self-efficacy, literacy, belief about own accuracy, unaided accuracy, and over the
live pairs the absolute trust-reliability gap."""
_COUNT_ROWS = (0, 4, 5, 8, 9, 10, 11, 12)
"""Rows that are counts, in slot order: headcount, trained, starting staff, workers with a live
tool, and over the live pairs: pairs, users, appropriately and over-trusting pairs. Counted as
integers: exact, as their floating-point sums are, and cheaper to add."""
_FIRST_PAIR_SLOT = (5, 4)
"""The first real and the first count slot of the sums over live pairs (:func:`_pair_sums`)."""


@njit(cache=True, inline="always")
def _pair_sums(a, q, gap, using, margin):
    """Add one live (worker, tool) pair to its cell's real (``a``) and count (``q``) slots."""
    a[5] += abs(gap)
    q[4] += 1
    q[5] += using
    q[6] += abs(gap) <= margin
    q[7] += gap > margin


@njit(cache=True, inline="always")
def _write_cells(out, acc, counts, worker_sums, pair_sums):
    """Write each cell's slots (rows of ``acc`` and ``counts``) into its column of ``out``.

    Only the worker sums, only the sums over live pairs, or both (see :data:`_REAL_ROWS`).
    """
    for c in range(acc.shape[0]):
        for f in range(acc.shape[1]):
            if pair_sums if f >= _FIRST_PAIR_SLOT[0] else worker_sums:
                out[_REAL_ROWS[f], c] = acc[c, f]
        for f in range(counts.shape[1]):
            if pair_sums if f >= _FIRST_PAIR_SLOT[1] else worker_sums:
                out[_COUNT_ROWS[f], c] = counts[c, f]


cell_sums = njit(cache=True)(_cell_sums)
"""One thread."""
cell_sums_parallel = njit(cache=True, parallel=True)(threaded_copy(_cell_sums))
"""The three tasks over threads (large workforces); same result as :func:`cell_sums`."""
