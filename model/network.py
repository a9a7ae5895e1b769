"""The team, department and professional network (spec section 8).

Teams are cliques; each worker adds ``cross_team_ties`` ties to random others in its department
and ``professional_ties`` ties to random others of its staff group anywhere. The graph is built
once, vectorised, as a symmetric 0/1 scipy CSR matrix without self-loops. A Watts-Strogatz graph
(networkx) and an empty network are the alternatives for experiments and tests.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import networkx as nx
import numpy as np
import scipy.sparse as sp
from numba import njit

from model.config import NetworkConfig


def build_network(
    config: NetworkConfig,
    rng: np.random.Generator,
    department: np.ndarray,
    team: np.ndarray,
    staff_group: np.ndarray,
) -> sp.csr_matrix:
    """Build the adjacency matrix of the chosen network kind."""
    n = department.size
    if config.kind == "empty":
        return sp.csr_matrix((n, n), dtype=np.float64)
    if config.kind == "watts_strogatz":
        seed = int(rng.integers(2**31 - 1))
        k = min(config.watts_strogatz_k, n - 1)
        graph = nx.watts_strogatz_graph(n, k, config.watts_strogatz_p, seed=seed)
        return _symmetric_01(nx.to_scipy_sparse_array(graph, format="coo"), n)
    rows_dept, cols_dept = _random_ties_within(department, config.cross_team_ties, rng)
    rows_prof, cols_prof = _random_ties_within(staff_group, config.professional_ties, rng)
    order = np.argsort(team, kind="stable")
    sorted_team = team[order]
    starts = np.flatnonzero(np.r_[True, sorted_team[1:] != sorted_team[:-1]])
    sizes = np.diff(np.r_[starts, n])
    indptr, indices = _csr_01(
        n,
        order.astype(np.int64),
        starts.astype(np.int64),
        sizes.astype(np.int64),
        np.concatenate([rows_dept, rows_prof]).astype(np.int64),
        np.concatenate([cols_dept, cols_prof]).astype(np.int64),
    )
    adjacency = sp.csr_matrix((np.ones(indices.size), indices, indptr), shape=(n, n))
    adjacency.has_sorted_indices = True
    return adjacency


@njit(cache=True)
def _csr_01(n, order, starts, sizes, pair_rows, pair_cols):  # noqa: ANN001, ANN202
    """CSR arrays (int32) of the 0/1 graph: cliques of the team blocks plus the given pairs.

    The block ``order[starts[b]:starts[b] + sizes[b]]`` is a team; each pair is a tie in both
    directions. Each row is sorted, self-loops and duplicates dropped: the same matrix as
    :func:`_adjacency_01` of every ordered pair, built row by row without sorting all ties.
    """
    bound = np.zeros(n, dtype=np.int64)
    for b in range(starts.size):
        for p in range(starts[b], starts[b] + sizes[b]):
            bound[order[p]] += sizes[b] - 1
    for t in range(pair_rows.size):
        bound[pair_rows[t]] += 1
        bound[pair_cols[t]] += 1
    first = np.zeros(n + 1, dtype=np.int64)
    first[1:] = np.cumsum(bound)
    buffer = np.empty(first[n], dtype=np.int32)
    filled = first[:n].copy()
    for b in range(starts.size):
        for p in range(starts[b], starts[b] + sizes[b]):
            i = order[p]
            for q in range(starts[b], starts[b] + sizes[b]):
                if q != p:
                    buffer[filled[i]] = order[q]
                    filled[i] += 1
    for t in range(pair_rows.size):
        i, j = pair_rows[t], pair_cols[t]
        if i != j:
            buffer[filled[i]] = j
            filled[i] += 1
            buffer[filled[j]] = i
            filled[j] += 1
    indptr = np.zeros(n + 1, dtype=np.int32)
    kept = 0
    for i in range(n):
        row = np.sort(buffer[first[i] : filled[i]])
        for e in range(row.size):
            if e == 0 or row[e] != row[e - 1]:
                buffer[kept] = row[e]
                kept += 1
        indptr[i + 1] = kept
    return indptr, buffer[:kept].copy()


def _symmetric_01(matrix: sp.spmatrix | sp.sparray, n: int) -> sp.csr_matrix:
    """Symmetrise a graph's matrix, drop self-loops and set every tie's weight to 1."""
    coo = sp.coo_matrix(matrix)
    rows = np.concatenate([coo.row, coo.col])
    cols = np.concatenate([coo.col, coo.row])
    return _adjacency_01(rows, cols, n)


def _adjacency_01(rows: np.ndarray, cols: np.ndarray, n: int) -> sp.csr_matrix:
    """CSR 0/1 matrix of the given (symmetric) ties, without self-loops or duplicates."""
    keep = rows != cols
    rows = rows[keep].astype(np.int32, copy=False)
    cols = cols[keep].astype(np.int32, copy=False)
    adjacency = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))
    adjacency.sum_duplicates()
    adjacency.data[:] = 1.0
    return adjacency


def _random_ties_within(
    group: np.ndarray, ties_per_worker: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Each worker draws ``ties_per_worker`` random partners from its own group."""
    if ties_per_worker == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    order = np.argsort(group, kind="stable")
    sorted_group = group[order]
    starts = np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]])
    sizes = np.diff(np.r_[starts, group.size])
    position_of = np.empty(group.size, dtype=np.int64)
    position_of[order] = np.arange(group.size)
    block = np.searchsorted(starts, position_of, side="right") - 1
    rows = np.repeat(np.arange(group.size), ties_per_worker)
    block_of_row = block[rows]
    picks = starts[block_of_row] + (rng.random(rows.size) * sizes[block_of_row]).astype(np.int64)
    return rows, order[picks]


def degree(adjacency: sp.csr_matrix) -> np.ndarray:
    """Number of ties of every worker."""
    return np.diff(adjacency.indptr)


def unsigned(indices: np.ndarray) -> np.ndarray:
    """CSR column indices viewed as unsigned integers (no copy).

    Compiled loops index with them; a signed index makes numba add a negative-index check to
    every read, which costs about a third of a row sum's time on a large network.
    """
    return indices.view(np.uint32 if indices.dtype == np.int32 else np.uint64)


PARALLEL_MIN_TIES = 1_000_000
"""Below this many ties one thread is faster than splitting a product over threads."""
_POOL: ThreadPoolExecutor | None = None


def allocated_cores() -> int:
    """Cores this process may use (CPU affinity: taskset, a SLURM allocation), not the node's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class NeighbourSums:
    """Sums over each worker's neighbours, ``A @ x``, with the rows split over threads.

    scipy's sparse products release the GIL, so on a large network the row blocks run on all
    cores at once (measured: 74 ms to 38 ms per product at 1.4 million workers on 2 cores). Every
    row is computed exactly as in a single product, so results do not depend on the threads.
    """

    def __init__(self, adjacency: sp.csr_matrix, threads: int | None = None) -> None:
        self.adjacency = adjacency
        threads = threads or min(2, allocated_cores())
        if adjacency.nnz < PARALLEL_MIN_TIES or threads == 1:
            self.blocks = [adjacency]
        else:
            bounds = np.searchsorted(adjacency.indptr, np.linspace(0, adjacency.nnz, threads + 1))
            bounds[0], bounds[-1] = 0, adjacency.shape[0]
            self.blocks = [
                _row_block(adjacency, a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)
            ]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """``A @ x`` for a vector, or column by column for an N x K array."""
        if x.ndim == 2:
            return np.column_stack([self(x[:, k]) for k in range(x.shape[1])])
        if len(self.blocks) == 1:
            return self.adjacency @ x
        global _POOL
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=len(self.blocks))
        return np.concatenate(list(_POOL.map(lambda block: block @ x, self.blocks)))


def _row_block(adjacency: sp.csr_matrix, start: int, stop: int) -> sp.csr_matrix:
    """Rows start:stop as a CSR matrix sharing the data of ``adjacency``."""
    lo, hi = adjacency.indptr[start], adjacency.indptr[stop]
    indptr = adjacency.indptr[start : stop + 1] - lo
    return sp.csr_matrix(
        (adjacency.data[lo:hi], adjacency.indices[lo:hi], indptr),
        shape=(stop - start, adjacency.shape[1]),
    )


class KeptNeighbourSum:
    """``A @ x`` for an N x K array x, kept current as x changes at a few places.

    A full product passes over every tie; most weeks only joiners, new champions or workers who
    start or stop using a tool change, so updating their neighbours' sums is far cheaper. The
    compiled passes that change x add each change to the neighbours' entries of :attr:`values`
    (adoption, :func:`model.kernels.adopt_tools`; turnover and champions,
    :func:`model.joiner_kernels.refresh_ties` and ``refresh_weight``). The values summed (0/1 use
    flags, weights such as 1, 1.5, 3) are exact in floating point, so the kept sum equals a fresh
    product exactly.
    """

    def __init__(self, sums: NeighbourSums, x: np.ndarray) -> None:
        self.sums = sums
        self.values = sums(np.asarray(x, dtype=np.float64))
