"""Drawing each user's weekly case counts: noticed tool errors and cases perceived right.

The use rule (:mod:`model.use`) needs, per (user, tool) pair, ``E ~ Poisson(lam q)`` noticed errors
and ``S ~ Poisson(lam (1 - q))`` cases perceived right, independent, where ``lam`` is the tool's
cases per week and ``lam q`` the pair's noticed-error rate. By Poisson thinning the same joint
distribution follows from the total ``N ~ Poisson(lam)`` and ``E | N ~ Binomial(N, q)``,
``S = N - E``. Since ``lam`` is the same for every user of a tool, ``N`` is drawn by inverse CDF
from one table per tool and ``E`` by inverse CDF of the binomial (chop-down search): two uniforms
per pair, drawn in one call from the model's Generator, instead of numpy's Poisson sampler (about
five uniforms and an exponential per draw for small means), so a week's draws cost several times
less. Both inverse CDFs are exact up to double-precision rounding of the probabilities.

Tools with more than :data:`MAX_TABLE_LAM` cases a week (where ``(1 - q)^N`` could underflow) are
drawn with numpy's Poisson sampler instead, as two draws per pair.
"""

# Kernel arguments are numpy arrays and scalars; numba compiles a version per argument type, so
# they are left unannotated.
# ruff: noqa: ANN001, ANN201

from __future__ import annotations

import math

import numpy as np
from numba import njit

MAX_TABLE_LAM = 500.0
"""Largest cases per week drawn by the thinned inverse CDF (larger: numpy's Poisson sampler)."""


@njit(cache=True)
def poisson_cdf(lam):
    """CDF of Poisson(lam) at 0, 1, ..., up to ``lam + 20 sqrt(lam) + 30`` (tail below 1e-50).

    The probabilities start from the mode in log space (no underflow of ``exp(-lam)``) and
    follow the recursions ``p(k+1) = p(k) lam / (k + 1)`` and ``p(k-1) = p(k) k / lam``; their
    cumulative sums are divided by the last, so every uniform in [0, 1) falls in a bin.
    """
    if lam <= 0:
        return np.ones(1)
    mode = int(math.floor(lam))
    top = mode + int(math.ceil(20.0 * math.sqrt(lam))) + 30
    p = np.zeros(top + 1)
    p[mode] = math.exp(-lam + mode * math.log(lam) - math.lgamma(mode + 1.0))
    for k in range(mode, 0, -1):
        p[k - 1] = p[k] * k / lam
    for k in range(mode, top):
        p[k + 1] = p[k] * lam / (k + 1)
    cdf = np.cumsum(p)
    return cdf / cdf[-1]  # the tail beyond is below 1e-50; the last entry is exactly 1


@njit(cache=True)
def guide_table(cdf):
    """For each of ``cdf.size`` equal bins of [0, 1), the smallest k with ``cdf[k] > bin start``.

    A uniform's search then starts at its bin's entry (Chen and Asau 1974), a step or two from
    the answer instead of a binary search's unpredictable branches.
    """
    m = cdf.size
    guide = np.empty(m, dtype=np.int64)
    k = 0
    for g in range(m):
        while cdf[k] <= g / m:
            k += 1
        guide[g] = k
    return guide


@njit(cache=True, inline="always")
def _inverse_poisson(cdf, guide, u):
    """Smallest k with ``cdf[k] > u`` (``cdf[-1]`` is 1), searched up from u's guide entry."""
    k = guide[min(int(u * guide.size), guide.size - 1)]
    while cdf[k] <= u:
        k += 1
    return k


@njit(cache=True, inline="always")
def _inverse_binomial(n, q, u):
    """Binomial(n, q) by inverse CDF (chop-down from 0 on the rarer outcome)."""
    if n == 0 or q <= 0:
        return 0
    if q >= 1:
        return n
    r = min(q, 1 - q)
    p = (1 - r) ** n
    ratio = r / (1 - r)
    acc = p
    e = 0
    while u >= acc and e < n:
        p *= (n - e) / (e + 1) * ratio
        e += 1
        acc += p
    return e if r == q else n - e


@njit(cache=True)
def thinned_counts(rates, offsets, lam, uniforms):
    """Noticed and perceived-right counts in the layout of ``rates`` (see the module docstring).

    ``rates`` holds, for tool k at ``2 offsets[k]``, its pairs' noticed-error rates then their
    perceived-right rates; ``uniforms`` two per pair, in pair order (for N, then for E).
    """
    draws = np.empty(rates.size)
    for k in range(offsets.size - 1):
        start, count = offsets[k], offsets[k + 1] - offsets[k]
        cdf = poisson_cdf(lam[k])
        guide = guide_table(cdf)
        for j in range(count):
            pair = start + j
            n = _inverse_poisson(cdf, guide, uniforms[2 * pair])
            q = rates[2 * start + j] / lam[k] if lam[k] > 0 else 0.0
            e = _inverse_binomial(n, q, uniforms[2 * pair + 1])
            draws[2 * start + j] = e
            draws[2 * start + count + j] = n - e
    return draws


def case_counts(
    rng: np.random.Generator, rates: np.ndarray, offsets: np.ndarray, lam: np.ndarray
) -> np.ndarray:
    """Every pair's noticed and perceived-right counts, in the layout of ``rates``.

    Two uniforms per pair from ``rng`` in one call, then :func:`thinned_counts`; if a tool has
    more than :data:`MAX_TABLE_LAM` cases a week, numpy's Poisson sampler over ``rates``.
    """
    if lam.size and lam.max() > MAX_TABLE_LAM:
        return rng.poisson(rates).astype(float)
    return thinned_counts(rates, offsets, lam, rng.random(rates.size))
