"""Staff turnover (spec section 7).

An annual leaver rate L gives a weekly leaving probability ``1 - (1 - L)^(1/52)``, so about
``(1 - L)`` of the starting staff remain after 52 weeks. The number of leavers is one binomial
draw and who leaves a uniform draw without replacement, which is the same distribution as one
Bernoulli draw per worker. Each leaver is replaced in the same post (staff group, team, network
ties) by a joiner drawn from the initial distributions: untrained, not using any tool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.joiner_kernels import refresh_ties
from model.training import reset_programme_records
from model.workforce import replace_workers

if TYPE_CHECKING:
    from model.simulation import WorkforceModel

WEEKS_PER_YEAR = 52


def weekly_leaving_probability(annual_rate: float) -> float:
    """Weekly probability that compounds to ``annual_rate`` over 52 weeks."""
    return 1.0 - (1.0 - annual_rate) ** (1.0 / WEEKS_PER_YEAR)


def turnover(model: WorkforceModel) -> None:
    """Replace this week's leavers by joiners.

    The joiners' draws and attributes are one compiled pass
    (:func:`model.workforce.replace_workers`); their peer weights and the neighbours' kept sums
    (:class:`model.peers.PeerWeights`, :class:`model.network.KeptNeighbourSum`)
    another (:func:`model.joiner_kernels.refresh_ties`).
    """
    n = model.workforce.size
    p = weekly_leaving_probability(model.config.population.annual_leaver_rate)
    n_leavers = model.rng.binomial(n, p)
    if n_leavers == 0:
        return
    leavers = model.rng.choice(n, size=n_leavers, replace=False)
    wf, peers = model.workforce, model.peer_weights
    previous_uses = wf.uses[leavers]
    replace_workers(
        wf,
        leavers,
        model.config,
        model.random_source,
        model.tools.governance,
        model.joiner_parameters,
    )
    adjacency = model.adjacency
    refresh_ties(
        leavers, previous_uses, wf.archetype, wf.influence_multiplier, peers.archetype_weight,
        peers.archetype_susceptibility, peers.weight, peers.susceptibility,
        peers.weight_total.values, model.neighbours_using.values, adjacency.indptr,
        adjacency.indices, adjacency.data,
    )  # fmt: skip
    reset_programme_records(model, leavers)
