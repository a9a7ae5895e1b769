"""Peer influence on trust (spec section 5).

Each week a worker talks about AI with probability ``f_talk`` and moves its trust in every tool
toward the influence-weighted mean trust of its network neighbours:
``tau += eps(a) (m - tau)`` with ``m = sum_j A_ij w_j tau_j / sum_j A_ij w_j`` (DeGroot 1974).
With bounded confidence only neighbours with ``|tau_j - tau_i| < delta_bc`` count (Deffuant et
al. 2000). Peer influence moves trust, not its strength. Updates are synchronous: everyone listens
to last week's views.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.config import ARCHETYPES
from model.kernels import peer_step, peer_step_parallel, threaded
from model.network import PARALLEL_MIN_TIES, KeptNeighbourSum, unsigned

if TYPE_CHECKING:
    from model.simulation import WorkforceModel


def influence_weight(model: WorkforceModel, index: np.ndarray | None = None) -> np.ndarray:
    """The weight w of every worker (or of those at ``index``): archetype weight x multiplier."""
    archetypes = model.config.population.archetypes
    base = np.array([archetypes[a].influence_weight for a in ARCHETYPES])
    wf = model.workforce
    if index is None:
        return base[wf.archetype] * wf.influence_multiplier
    return base[wf.archetype[index]] * wf.influence_multiplier[index]


def susceptibility(model: WorkforceModel, index: np.ndarray | None = None) -> np.ndarray:
    """The susceptibility eps of every worker (or of those at ``index``), by archetype."""
    archetypes = model.config.population.archetypes
    eps = np.array([archetypes[a].peer_susceptibility for a in ARCHETYPES])
    archetype = model.workforce.archetype
    return eps[archetype if index is None else archetype[index]]


@dataclass
class PeerWeights:
    """Every worker's w and eps, and ``A @ w``, kept current between weeks.

    They change only where a joiner arrives or a champion is trained, so they are refreshed there
    (:func:`model.joiner_kernels.refresh_weight`, called by turnover and training) rather than
    recomputed every week.
    """

    weight: np.ndarray
    susceptibility: np.ndarray
    weight_total: KeptNeighbourSum
    archetype_weight: np.ndarray
    """w of each archetype (before a champion's multiplier), for the compiled refreshes."""
    archetype_susceptibility: np.ndarray
    """eps of each archetype."""


def create_peer_weights(model: WorkforceModel) -> PeerWeights:
    """Compute w, eps and ``A @ w`` for the starting workforce."""
    weight = influence_weight(model)
    archetypes = model.config.population.archetypes
    return PeerWeights(
        weight,
        susceptibility(model),
        KeptNeighbourSum(model.neighbour_sums, weight),
        np.array([archetypes[a].influence_weight for a in ARCHETYPES]),
        np.array([archetypes[a].peer_susceptibility for a in ARCHETYPES]),
    )


def peer_influence(model: WorkforceModel) -> None:
    """Move talkers' trust toward their neighbours' influence-weighted mean.

    Who talks is one uniform draw per worker from the model's generator; the talkers' new
    trust is one compiled pass over their CSR rows (:func:`model.kernels.peer_step`).
    """
    wf, peers, beh = model.workforce, model.peer_weights, model.config.behaviour
    talks = model.rng.random(wf.size) < beh.talk_probability
    adjacency = model.adjacency
    step = peer_step_parallel if threaded(adjacency.nnz, PARALLEL_MIN_TIES) else peer_step
    step(
        talks,
        wf.trust,
        peers.weight,
        peers.weight_total.values,
        peers.susceptibility,
        adjacency.indptr,
        unsigned(adjacency.indices),
        beh.bounded_confidence,
        beh.confidence_bound,
    )
