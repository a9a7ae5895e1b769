"""Peer influence on trust (spec section 5).

Each week a worker talks about AI with probability ``f_talk`` and moves its trust in every tool
toward the influence-weighted mean trust of its network neighbours:
``tau += eps(a) (m - tau)`` with ``m = sum_j A_ij w_j tau_j / sum_j A_ij w_j`` (DeGroot 1974).
With bounded confidence only neighbours with ``|tau_j - tau_i| < delta_bc`` count (Deffuant et
al. 2000). Peer influence moves trust, not its strength. Updates are synchronous: everyone listens
to last week's views.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.config import ARCHETYPES

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


def refresh_weight_total(model: WorkforceModel, index: np.ndarray, previous: np.ndarray) -> None:
    """Keep ``model.weight_total`` (``A @ w``) current after the weights at ``index`` changed.

    Weights change only for joiners and new champions (see :class:`KeptNeighbourSum`).
    """
    model.weight_total.update(index, influence_weight(model, index) - previous)


def susceptibility(model: WorkforceModel) -> np.ndarray:
    """The susceptibility eps of every worker, by archetype."""
    archetypes = model.config.population.archetypes
    eps = np.array([archetypes[a].peer_susceptibility for a in ARCHETYPES])
    return eps[model.workforce.archetype]


def neighbour_mean_trust(
    model: WorkforceModel, weight: np.ndarray, total: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Influence-weighted mean trust of each worker's neighbours (N x K) and the weight total.

    ``total``, if given, is ``A @ weight`` already computed. With bounded confidence the
    sums run only over ties whose ends differ by less than ``delta_bc``, computed per edge and
    summed per row with ``np.bincount``.
    """
    trust = model.workforce.trust
    if not model.config.behaviour.bounded_confidence:
        total = model.neighbour_sums(weight) if total is None else total
        weighted = model.neighbour_sums(weight[:, None] * trust)
        total_k = np.repeat(total[:, None], trust.shape[1], axis=1)
    else:
        rows, cols = np.repeat(np.arange(model.degree.size), model.degree), model.adjacency.indices
        delta = model.config.behaviour.confidence_bound
        n = trust.shape[0]
        weighted = np.empty_like(trust)
        total_k = np.empty_like(trust)
        for k in range(trust.shape[1]):
            close = np.abs(trust[cols, k] - trust[rows, k]) < delta
            w_edge = np.where(close, weight[cols], 0.0)
            total_k[:, k] = np.bincount(rows, weights=w_edge, minlength=n)
            weighted[:, k] = np.bincount(rows, weights=w_edge * trust[cols, k], minlength=n)
    mean = np.divide(weighted, total_k, out=np.zeros_like(weighted), where=total_k > 0)
    return mean, total_k


def peer_influence(model: WorkforceModel) -> None:
    """Move talkers' trust toward their neighbours' influence-weighted mean."""
    wf = model.workforce
    talkers = np.flatnonzero(model.rng.random(wf.size) < model.config.behaviour.talk_probability)
    mean, total = neighbour_mean_trust(model, influence_weight(model), model.weight_total.values)
    eps = susceptibility(model)[talkers]
    for k in range(wf.trust.shape[1]):
        trust = wf.trust[:, k]
        has_peers = total[talkers, k] > 0
        trust[talkers] += np.where(has_peers, eps * (mean[talkers, k] - trust[talkers]), 0.0)
