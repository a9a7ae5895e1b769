"""The team, department and professional network (spec section 8).

Teams are cliques; each worker adds ``cross_team_ties`` ties to random others in its department
and ``professional_ties`` ties to random others of its staff group anywhere. The graph is built
once, vectorised, as a symmetric 0/1 scipy CSR matrix without self-loops. A Watts-Strogatz graph
(networkx) and an empty network are the alternatives for experiments and tests.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp

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
    rows_team, cols_team = _clique_edges(team)
    rows_dept, cols_dept = _random_ties_within(department, config.cross_team_ties, rng)
    rows_prof, cols_prof = _random_ties_within(staff_group, config.professional_ties, rng)
    rows = np.concatenate([rows_team, rows_dept, rows_prof])
    cols = np.concatenate([cols_team, cols_dept, cols_prof])
    coo = sp.coo_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))
    return _symmetric_01(coo, n)


def _symmetric_01(matrix: sp.spmatrix | sp.sparray, n: int) -> sp.csr_matrix:
    """Symmetrise, drop self-loops and set every tie's weight to 1."""
    coo = sp.coo_matrix(matrix)
    keep = coo.row != coo.col
    rows = np.concatenate([coo.row[keep], coo.col[keep]]).astype(np.int64)
    cols = np.concatenate([coo.col[keep], coo.row[keep]]).astype(np.int64)
    adjacency = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))
    adjacency.data[:] = 1.0
    adjacency.sort_indices()
    return adjacency


def _clique_edges(group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All ordered pairs of members of each group (groups are contiguous blocks of indices)."""
    order = np.argsort(group, kind="stable")
    sorted_group = group[order]
    starts = np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]])
    sizes = np.diff(np.r_[starts, group.size])
    member_size = np.repeat(sizes, sizes)
    member_start = np.repeat(starts, sizes)
    rows = np.repeat(np.arange(group.size), member_size)
    offset = np.arange(rows.size) - np.repeat(np.cumsum(member_size) - member_size, member_size)
    cols = member_start[rows] + offset
    return order[rows], order[cols]


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
