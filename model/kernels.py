"""Compiled loops (numba) for the weekly rules: one pass over the workers per rule.

The loops of use with verification are in :mod:`model.use_kernels`, those of recording in
:mod:`model.outcome_kernels`.

Each kernel is the rule of its module written as a loop over workers (or over the CSR rows of
the network), so a rule reads each array once and pays no per-call overhead of many small numpy
operations. The rules and their sources are documented where they are called:
:mod:`model.adoption`, :mod:`model.peers` and :mod:`model.training`.

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
import types
from collections.abc import Callable

import numpy as np
from numba import njit, prange

USE_THREADS = False
"""Whether large workforces run the threaded versions of the loops (``*_parallel``).

Off: measured on the 2-core development machine shared with other jobs (load average about 6),
1.4 million workers, weeks 101-120, the threaded versions took 5.8 s of CPU and 8.9 s of wall
time against 3.0 s and 4.7 s on one thread (OpenMP threads wait on each other when a core is
busy), and experiments already run one simulation per core. Results are the same either way
(tests/test_kernels.py).
"""


def threaded(size: int, threshold: int) -> bool:
    """Whether a loop over ``size`` items runs threaded: :data:`USE_THREADS` and ``threshold``."""
    return USE_THREADS and size >= threshold


def threaded_copy(function: Callable) -> Callable:
    """A renamed copy of ``function``, to compile with ``parallel=True`` beside the original.

    numba's on-disk cache keys a compiled function by its module, qualified name, source line,
    signature and bytecode, not by its options: an ``njit(cache=True)`` and an
    ``njit(cache=True, parallel=True)`` version of the same Python function share one cache
    entry, so each process loads whichever was compiled last for both, and a one-thread call
    can end up running the threaded machine code (measured: OpenMP start-up and spinning made a
    10,000-worker week several times slower). Renamed, the threaded version is cached apart.
    """
    copy = types.FunctionType(
        function.__code__,
        function.__globals__,
        function.__name__ + "_threaded",
        function.__defaults__,
        function.__closure__,
    )
    copy.__qualname__ = function.__qualname__ + "_threaded"
    copy.__doc__ = function.__doc__
    return copy


@njit(cache=True, inline="always")
def expit(x: float) -> float:
    """Logistic function 1 / (1 + exp(-x)) (as ``scipy.special.expit``)."""
    return 1.0 / (1.0 + math.exp(-x))


# -- adoption (model.adoption) ----------------------------------------------------------------
@njit(cache=True)
def adoption_pools(live: np.ndarray, uses: np.ndarray) -> np.ndarray:
    """Per tool (rows), the numbers of candidates (live, not using) and of users (columns)."""
    n, n_tools = uses.shape
    pools = np.zeros((n_tools, 2), dtype=np.int64)
    for k in range(n_tools):
        candidates = users = 0
        for i in range(n):  # counts, without a branch per worker
            users += uses[i, k]
            candidates += live[i, k] & ~uses[i, k]
        pools[k, 0], pools[k, 1] = candidates, users
    return pools


ADOPTION_BLOCK = 65_536
"""Workers per block of the adoption decisions (blocks may run on different threads)."""


def _adopt_tools(
    live: np.ndarray,
    uses: np.ndarray,
    pools: np.ndarray,
    draws: np.ndarray,
    trust: np.ndarray,
    self_efficacy: np.ndarray,
    threshold: np.ndarray,
    mandated: np.ndarray,
    neighbours_using: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    omega: float,
    social_proof: float,
    start_scale: np.ndarray,
    drop_rate: float,
    drop_margin: float,
    temperature: float,
    general_purpose: np.ndarray,
    block: int,
) -> None:
    """Starters, stoppers, mandates and off-live tools, tool by tool; neighbour sums kept current.

    ``pools`` are :func:`adoption_pools`; ``draws`` holds, tool after tool, one uniform per
    candidate (live, not using) then one per user, in index order. ``indptr`` and ``indices``
    are the CSR arrays of the 0/1 adjacency (indices unsigned, see
    :func:`model.network.unsigned`); ``start_scale`` and ``general_purpose`` are per tool.

    Decisions read the neighbour counts from before this tool's changes (synchronous), then the
    changes are applied and added to the neighbours' counts (``neighbours_using[:, k]``). The
    c-th candidate gets the c-th start draw, the u-th user the u-th stop draw; each ``block`` of
    workers starts at its counted offsets, so blocks can be decided on different threads with
    the same result.
    """
    n, n_tools = uses.shape
    n_blocks = (n + block - 1) // block
    changed = np.empty(n, dtype=np.int64)  # each block's changed workers, from its first index
    n_changed = np.zeros(n_blocks, dtype=np.int64)
    offset = 0
    for k in range(n_tools):
        start_draws = draws[offset : offset + pools[k, 0]]
        stop_draws = draws[offset + pools[k, 0] : offset + pools[k, 0] + pools[k, 1]]
        offset += pools[k, 0] + pools[k, 1]
        candidates_before = np.zeros(n_blocks + 1, dtype=np.int64)
        users_before = np.zeros(n_blocks + 1, dtype=np.int64)
        if n_blocks > 1:
            for b in prange(n_blocks):
                for i in range(b * block, min(n, (b + 1) * block)):
                    if uses[i, k]:
                        users_before[b + 1] += 1
                    elif live[i, k]:
                        candidates_before[b + 1] += 1
            for b in range(n_blocks):
                candidates_before[b + 1] += candidates_before[b]
                users_before[b + 1] += users_before[b]
        clinical = not general_purpose[k]
        for b in prange(n_blocks):
            c, u = candidates_before[b], users_before[b]
            first, m = b * block, 0
            for i in range(first, min(n, first + block)):
                using = uses[i, k]
                decided = using
                # expit <= 1 in floating point, so a draw at or above the rate decides "no"
                # without computing the probability (the same decisions, most of them cheaper).
                if using:
                    if stop_draws[u] < drop_rate:
                        confidence = omega * trust[i, k] + (1 - omega) * self_efficacy[i]
                        reluctance = threshold[i] - drop_margin - confidence
                        if stop_draws[u] < drop_rate * expit(reluctance / temperature):
                            decided = False
                    u += 1
                elif live[i, k]:
                    if start_draws[c] < start_scale[k]:
                        confidence = omega * trust[i, k] + (1 - omega) * self_efficacy[i]
                        degree = max(indptr[i + 1] - indptr[i], 1)
                        proof = neighbours_using[i, k] / degree
                        readiness = confidence + social_proof * proof - threshold[i]
                        p_start = start_scale[k] * expit(readiness / temperature)
                        if start_draws[c] < min(p_start, 1.0):
                            decided = True
                    c += 1
                # Mandated staff use live clinical tools; nobody uses a tool that is not live.
                decided = (decided | (clinical & mandated[i])) & live[i, k]
                uses[i, k] = decided
                changed[first + m] = i
                m += decided != using
            n_changed[b] = m
        # The neighbours' counts change only now, so every decision above read last week's.
        for b in range(n_blocks):
            for t in range(b * block, b * block + n_changed[b]):
                i = changed[t]
                change = 1.0 if uses[i, k] else -1.0
                for e in range(indptr[i], indptr[i + 1]):
                    neighbours_using[indices[e], k] += change


adopt_tools = njit(cache=True)(_adopt_tools)
"""One thread."""
adopt_tools_parallel = njit(cache=True, parallel=True)(threaded_copy(_adopt_tools))
"""Blocks of decisions over threads (large workforces); same result as :func:`adopt_tools`."""


# -- peer influence (model.peers) ---------------------------------------------------------------
def _peer_step(talks, trust, weight, weight_total, eps, indptr, indices, bounded, bound):
    """Talkers move toward their neighbours' weighted mean trust, from last week's views.

    ``indptr`` and ``indices`` are the CSR arrays of the 0/1 adjacency (indices unsigned, see
    :func:`model.network.unsigned`). Without bounded confidence the row sums run over
    ``x = w tau`` (one array read per tie, as ``A @ x`` in scipy, in the same order); each
    talker's row is independent, so the rows may run on several threads with the same result.
    """
    n, n_tools = trust.shape
    found = np.empty(n, dtype=np.int64)
    n_talkers = 0
    for i in range(n):  # the talkers in index order, without a branch per worker
        found[n_talkers] = i
        n_talkers += talks[i]
    talkers = found[:n_talkers]
    new = np.empty((n_talkers, n_tools))
    x = np.empty(n)
    for k in range(n_tools):
        for i in range(n):
            x[i] = weight[i] * trust[i, k]
        for t in prange(n_talkers):
            i = talkers[t]
            own = trust[i, k]
            total = weight_total[i]
            e, stop = np.intp(indptr[i]), np.intp(indptr[i + 1])
            if bounded:
                weighted = total = 0.0
                while e < stop:
                    j = indices[e]
                    if abs(trust[j, k] - own) < bound:
                        total += weight[j]
                        weighted += x[j]
                    e += 1
            else:
                weighted = 0.0
                while e < stop:  # a while loop: numba's range over int32 bounds is slower
                    weighted += x[indices[e]]
                    e += 1
            new[t, k] = own + eps[i] * (weighted / total - own) if total > 0 else own
    for t in range(n_talkers):
        for k in range(n_tools):
            trust[talkers[t], k] = new[t, k]


peer_step = njit(cache=True)(_peer_step)
"""One thread (small networks: starting threads costs more than it saves)."""
peer_step_parallel = njit(cache=True, parallel=True)(threaded_copy(_peer_step))
"""Talkers' rows spread over threads (large networks); same result as :func:`peer_step`."""


# -- fading of training gains (model.training) --------------------------------------------------
@njit(cache=True)
def fade(fading, last_use_week, week, transient, durable, skill_total, retention) -> None:
    """Holders of a transient gain who used no tool this week lose ``1 - retention`` of it."""
    n_tools = last_use_week.shape[1]
    n_skills, n_modalities = transient.shape[1], transient.shape[2]
    found = np.empty(fading.size, dtype=np.int64)
    n_idle = 0
    for i in range(fading.size):  # the idle holders in index order, without a branch per worker
        used = False
        for k in range(n_tools):
            used |= last_use_week[i, k] == week
        found[n_idle] = i
        n_idle += fading[i] & ~used
    for t in range(n_idle):
        i = found[t]
        for s in range(n_skills):
            total = 0.0
            for m in range(n_modalities):
                transient[i, s, m] *= retention[m]
                total += transient[i, s, m]
            skill_total[i, s] = durable[i, s] + total
