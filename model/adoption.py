"""Starting and stopping to use a tool (spec section 3).

A non-user whose department has the tool starts with probability
``p_adopt * boost * sigmoid((c + eta q - theta) / T)``, where ``c`` is reported confidence in that
tool and ``q`` the share of network neighbours using it (social proof; Rogers 2003). A user stops
with probability ``p_drop * sigmoid((theta - margin - c) / T)``. Mandated staff use every live
clinical tool whatever their confidence; general-purpose tools are always voluntary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

if TYPE_CHECKING:
    from model.simulation import WorkforceModel


def tool_confidence(model: WorkforceModel, index: np.ndarray, k: int) -> np.ndarray:
    """Reported confidence in tool k, ``omega * tau_k + (1 - omega) * s`` (spec section 1)."""
    omega = model.config.behaviour.confidence_trust_weight
    wf = model.workforce
    return omega * wf.trust[index, k] + (1 - omega) * wf.self_efficacy[index]


def adopt(model: WorkforceModel) -> None:
    """Let non-users start and users stop using each live tool."""
    beh, wf, rng = model.config.behaviour, model.workforce, model.rng
    for k in range(wf.uses.shape[1]):
        live, uses = model.live[:, k], wf.uses[:, k]
        before = uses.copy()
        candidates = np.flatnonzero(live & ~uses)
        social_proof = model.neighbours_using.values[candidates, k] / np.maximum(
            model.degree[candidates], 1
        )
        readiness = (
            tool_confidence(model, candidates, k)
            + beh.social_proof * social_proof
            - wf.adoption_threshold[candidates]
        )
        p_start = (
            beh.adoption_rate
            * model.adoption_boost[k]
            * expit(readiness / beh.decision_temperature)
        )
        starters = candidates[rng.random(candidates.size) < np.minimum(p_start, 1.0)]

        users = np.flatnonzero(uses)
        reluctance = (
            wf.adoption_threshold[users] - beh.drop_margin - tool_confidence(model, users, k)
        )
        p_stop = beh.drop_rate * expit(reluctance / beh.decision_temperature)
        stoppers = users[rng.random(users.size) < p_stop]

        uses[starters] = True
        uses[stoppers] = False
        if not model.tools.general_purpose[k]:
            uses[live & wf.mandated] = True
        uses[~live] = False
        changed = np.flatnonzero(uses != before)
        model.neighbours_using.update(changed, uses[changed].astype(np.int8) - before[changed], k)
