"""Starting and stopping to use a tool (spec section 3).

A non-user whose department has the tool starts with probability
``p_adopt * boost * sigmoid((c + eta q - theta) / T)``, where ``c`` is reported confidence in that
tool and ``q`` the share of network neighbours using it (social proof; Rogers 2003). A user stops
with probability ``p_drop * sigmoid((theta - margin - c) / T)``. Mandated staff use every live
clinical tool whatever their confidence; general-purpose tools are always voluntary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.kernels import (
    ADOPTION_BLOCK,
    adopt_tools,
    adopt_tools_parallel,
    adoption_pools,
    threaded,
)
from model.network import unsigned

PARALLEL_MIN_WORKERS = 200_000
"""From this many workers, the adoption decisions run over threads (same result)."""

if TYPE_CHECKING:
    from model.simulation import WorkforceModel


def adopt(model: WorkforceModel) -> None:
    """Let non-users start and users stop using each live tool.

    Tool by tool: one uniform draw per candidate (live, not using) then one per user, in index
    order, from the model's generator (all tools' draws in one call, in that order); the
    decisions, mandates and the neighbours' kept counts of users are one compiled pass
    (:func:`model.kernels.adopt_tools`).
    """
    beh, wf = model.config.behaviour, model.workforce
    adjacency = model.adjacency
    pools = adoption_pools(model.live, wf.uses)
    draws = model.rng.random(int(pools.sum()))
    kernel = adopt_tools_parallel if threaded(wf.size, PARALLEL_MIN_WORKERS) else adopt_tools
    kernel(
        model.live, wf.uses, pools, draws, wf.trust, wf.self_efficacy, wf.adoption_threshold,
        wf.mandated, model.neighbours_using.values, adjacency.indptr,
        unsigned(adjacency.indices), beh.confidence_trust_weight, beh.social_proof,
        beh.adoption_rate * model.adoption_boost, beh.drop_rate, beh.drop_margin,
        beh.decision_temperature, model.tools.general_purpose, ADOPTION_BLOCK,
    )  # fmt: skip
