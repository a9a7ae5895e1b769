"""Governance and scheduled events (spec section 7).

Events happen at the start of their week:
- ``incident``: a publicised AI failure; trust in the tool falls by ``magnitude`` of its level in
  the affected department and by ``spread * magnitude`` elsewhere;
- ``evidence``: published validation pulls trust ``magnitude`` of the way toward the department's
  true reliability;
- ``approval``: regulatory approval raises trust ``magnitude`` of the way to 1 and raises the
  tool's governance maturity the same way (joiners' initial trust follows it);
- ``leadership``: senior sponsorship multiplies the adoption rate by ``1 + magnitude`` for
  ``duration_weeks``.
Governance maturity itself shifts initial trust (see :func:`model.workforce.initial_trust_mean`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.config import EventConfig, ModelConfig
from model.validation import week_of

if TYPE_CHECKING:
    from model.simulation import WorkforceModel


def event_week(config: ModelConfig, event: EventConfig) -> int:
    """Week of an event, from its date when given."""
    return week_of(config, event.week, event.date, "event date")


def apply_events(model: WorkforceModel) -> None:
    """Apply every event scheduled for this week, in config order."""
    for event in model.config.events:
        if event_week(model.config, event) == model.week:
            EVENT_EFFECTS[event.kind](model, event)


def _incident(model: WorkforceModel, event: EventConfig) -> None:
    wf = model.workforce
    for k in model.tools.index(event.tool):
        department = event.department
        if department is None:
            live = np.flatnonzero(model.tools.go_live_week[:, k] <= model.week)
            pool = live if live.size else np.arange(model.n_departments)
            department = int(model.rng.choice(pool))
        share_felt = np.where(wf.department == department, 1.0, event.spread)
        wf.trust[:, k] -= event.magnitude * share_felt * wf.trust[:, k]


def _evidence(model: WorkforceModel, event: EventConfig) -> None:
    wf = model.workforce
    for k in model.tools.index(event.tool):
        reliability = model.tools.department_reliability[wf.department, k]
        wf.trust[:, k] += event.magnitude * (reliability - wf.trust[:, k])


def _approval(model: WorkforceModel, event: EventConfig) -> None:
    wf = model.workforce
    for k in model.tools.index(event.tool):
        wf.trust[:, k] += event.magnitude * (1 - wf.trust[:, k])
        model.tools.governance[k] += event.magnitude * (1 - model.tools.governance[k])


def _leadership(model: WorkforceModel, event: EventConfig) -> None:
    for k in model.tools.index(event.tool):
        model.leadership_until[k] = model.week + event.duration_weeks
        model.leadership_factor[k] = 1 + event.magnitude


EVENT_EFFECTS = {
    "incident": _incident,
    "evidence": _evidence,
    "approval": _approval,
    "leadership": _leadership,
}
