"""Compiled loop of recording (see :mod:`model.outcomes`): from cell sums to every outcome.

:func:`outcome_values` takes the cell sums of :func:`model.kernels.cell_sums`, adds the sums that
follow from them, totals them over everyone, each archetype and each staff group, and takes every
ratio, in one call instead of some forty numpy operations a week. Its sums are numpy's: a total
over the cells is numpy's pairwise sum (:func:`pairwise_sum`), a total over one axis of the
archetype x staff group cells a running sum, so the outcomes equal those of the numpy code
(:func:`model.outcomes.ratios`) to the last bit.
"""

# Kernel arguments are numpy arrays and scalars; numba compiles a version per argument type, so
# they are left unannotated.
# ruff: noqa: ANN001, ANN201, PLR0913

from __future__ import annotations

import numpy as np
from numba import njit

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
