"""Education and training: eligibility, reach, effect, under one budget (spec section 6).

A programme is three separate concerns, as interventions are in Starsim:
- **eligibility**: the target rule (:data:`TARGET_RULES`), evaluated every week, so dynamic rules
  such as ``just_in_time`` or ``non_users`` follow the rollout and adoption;
- **reach**: ``coverage`` of the eligible are selected (a random share, or for the ranked rules
  ``top_influence`` and ``low_literacy`` the top-ranked share of the workforce at the programme's
  start); each week at most ``weekly_capacity`` of the workforce is invited; invited staff attend
  with probability ``base_attendance (1 - workload_pressure)``; programmes spend in schedule order
  and stop when the money released so far (:mod:`model.budget`, paced by year) is spent, or
  when a programme with a ``budget_share`` has spent its share of the budget;
- **effect**: the modality's gains, ``x += gain (1 - x)``, for AI literacy, error-detection skill
  and the checking of accepted advice. Each skill gain has a durable part (``durable_share``,
  kept) and a transient part that fades with the modality's own half-life, only in weeks in which
  the worker does not use a tool: use maintains skill, refreshers restore it (Arthur et al. 1998;
  Tatel and Ackerman 2025). Trust is pulled toward what the course teaches: the tool's published
  reliability, or the department's own where it validated the tool locally. Feedback on own
  performance (``self_assessment_pull``) moves the belief about one's own accuracy toward the
  truth.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.budget import affordable, share_limit, spend
from model.config import ARCHETYPES, ModalityConfig, ProgrammeConfig
from model.kernels import fade
from model.network import degree
from model.peers import influence_weight
from model.training_kernels import apply_course, invitable, near_go_live

if TYPE_CHECKING:
    from model.simulation import WorkforceModel

RANKED_RULES = ("top_influence", "low_literacy")


@dataclass
class ProgrammeState:
    """Who a programme has selected and when each worker was last invited."""

    config: ProgrammeConfig
    selected: np.ndarray | None = None  # bool, set at the programme's start
    last_invited: np.ndarray | None = None  # int week, -1 = never
    spent_gbp: float = 0.0  # what it has spent so far (against its budget_share)


def _tool_columns(model: WorkforceModel, programme: ProgrammeConfig) -> list[int]:
    return model.tools.index(programme.tool)


def _eligible_all(model: WorkforceModel, programme: ProgrammeConfig) -> np.ndarray:
    return np.ones(model.workforce.size, dtype=bool)


def _eligible_archetypes(model: WorkforceModel, programme: ProgrammeConfig) -> np.ndarray:
    codes = [ARCHETYPES.index(a) for a in programme.archetypes]
    return np.isin(model.workforce.archetype, codes)


def _eligible_staff_groups(model: WorkforceModel, programme: ProgrammeConfig) -> np.ndarray:
    names = list(model.config.population.staff_groups)
    return np.isin(model.workforce.staff_group, [names.index(g) for g in programme.staff_groups])


def _just_in_time_departments(model: WorkforceModel, programme: ProgrammeConfig) -> np.ndarray:
    """Per department: going live within ``window_weeks`` from now (or live since less).

    One compiled pass over the departments (:func:`model.training_kernels.near_go_live`).
    """
    columns = np.array(_tool_columns(model, programme), dtype=np.int64)
    return near_go_live(model.tools.go_live_week, columns, model.week, programme.window_weeks)


def _eligible_just_in_time(model: WorkforceModel, programme: ProgrammeConfig) -> np.ndarray:
    """Staff of departments going live within ``window_weeks`` (or live since less than that)."""
    return _just_in_time_departments(model, programme)[model.workforce.department]


def _eligible_users(model: WorkforceModel, programme: ProgrammeConfig) -> np.ndarray:
    return model.workforce.uses[:, _tool_columns(model, programme)].any(axis=1)


def _eligible_non_users(model: WorkforceModel, programme: ProgrammeConfig) -> np.ndarray:
    return ~_eligible_users(model, programme)


ELIGIBILITY: dict[str, Callable[[WorkforceModel, ProgrammeConfig], np.ndarray]] = {
    "all": _eligible_all,
    "random": _eligible_all,
    "archetypes": _eligible_archetypes,
    "staff_groups": _eligible_staff_groups,
    "top_influence": _eligible_all,
    "low_literacy": _eligible_all,
    "just_in_time": _eligible_just_in_time,
    "users_of_tool": _eligible_users,
    "non_users": _eligible_non_users,
}


def _ranking_score(model: WorkforceModel, rule: str) -> np.ndarray:
    """Higher score = invited first: degree times influence weight, or low AI literacy."""
    if rule == "top_influence":
        return degree(model.adjacency) * influence_weight(model)
    return -model.workforce.ai_literacy


def _select(model: WorkforceModel, programme: ProgrammeConfig, size: int) -> np.ndarray:
    """Draw who a programme reaches: a random share, or the top-ranked share."""
    if programme.target in RANKED_RULES:
        n_top = round(programme.coverage * size)
        chosen = np.zeros(size, dtype=bool)
        order = np.argsort(-_ranking_score(model, programme.target), kind="stable")
        chosen[order[:n_top]] = True
        return chosen
    return model.rng.random(size) < programme.coverage


def create_programmes(model: WorkforceModel) -> list[ProgrammeState]:
    """Programme states in schedule order (start week, then position in the strategy)."""
    programmes = model.config.strategy.programmes
    order = sorted(range(len(programmes)), key=lambda i: (programmes[i].start_week, i))
    return [ProgrammeState(config=programmes[i]) for i in order]


def cost_per_person(model: WorkforceModel, modality: ModalityConfig) -> float:
    """Direct cost plus staff time at the backfill rate, GBP."""
    return modality.cost_gbp + modality.staff_hours * model.config.training.backfill_gbp_per_hour


def gain_retention(model: WorkforceModel) -> np.ndarray:
    """Weekly retention ``0.5 ** (1 / half-life)`` of each modality's transient gains."""
    half_lives = [m.half_life_weeks for m in model.config.training.modalities.values()]
    return 0.5 ** (1 / np.asarray(half_lives))


def decay_training_gains(model: WorkforceModel) -> None:
    """Transient gains fade, each at its own modality's rate, for staff who did not use a tool.

    Only workers holding a transient gain (:attr:`~model.workforce.Workforce.fading`) are
    visited: for everyone else the gain is zero and stays zero.
    """
    wf = model.workforce
    fade(
        wf.fading,
        wf.last_use_week,
        model.week,
        wf.transient_gain,
        wf.durable_gain,
        wf.skill_total,
        model.gain_retention,
    )


def train(model: WorkforceModel) -> None:
    """Run this week's sessions of every started programme, in schedule order, within budget."""
    training, wf, rng = model.config.training, model.workforce, model.rng
    attendance = training.base_attendance * (1 - training.workload_pressure)
    for state in model.programmes:
        programme = state.config
        if model.week < programme.start_week:
            continue
        if state.selected is None:
            state.selected = _select(model, programme, wf.size)
            state.last_invited = np.full(wf.size, -1, dtype=np.int64)
        invited = _invitable(model, state)
        if invited.size == 0:  # nobody to invite: no draws, no spending
            continue
        places = int(np.ceil(programme.weekly_capacity * wf.size))
        if invited.size > places:
            invited = rng.choice(invited, size=places, replace=False)
        state.last_invited[invited] = model.week
        attendees = invited[rng.random(invited.size) < attendance]
        modality = model.config.training.modalities[programme.modality]
        unit_cost = cost_per_person(model, modality)
        limit = share_limit(model, programme.budget_share, state.spent_gbp)
        places_paid = affordable(model, unit_cost, limit)
        if attendees.size > places_paid:  # (choosing none draws nothing, so it is skipped)
            attendees = (
                rng.choice(attendees, size=places_paid, replace=False)
                if places_paid > 0
                else attendees[:0]
            )
        apply_modality(model, attendees, programme.modality)
        spend(model, attendees.size * unit_cost, attendees.size * modality.staff_hours)
        state.spent_gbp += attendees.size * unit_cost


EVERYONE_ELIGIBLE = ("all", "random", "top_influence", "low_literacy")
"""Target rules whose eligibility is everyone (reach is decided by the selection)."""


def _invitable(model: WorkforceModel, state: ProgrammeState) -> np.ndarray:
    """Selected, eligible workers due an invitation (never invited, or due a refresher).

    One compiled pass (:func:`model.training_kernels.invitable`); the eligibility rule is
    given per department for ``just_in_time``, per worker for the rules that need it.
    """
    programme = state.config
    n_departments = model.tools.go_live_week.shape[0]
    by_department = np.ones(n_departments, dtype=bool)
    by_worker = np.ones(0, dtype=bool)  # empty: everyone
    if programme.target == "just_in_time":
        by_department = _just_in_time_departments(model, programme)
    elif programme.target not in EVERYONE_ELIGIBLE:
        by_worker = ELIGIBILITY[programme.target](model, programme)
    refresher = -1 if programme.refresher_weeks is None else programme.refresher_weeks
    return invitable(
        state.selected, state.last_invited, model.week, refresher, by_department,
        model.workforce.department, by_worker,
    )  # fmt: skip


def apply_modality(model: WorkforceModel, index: np.ndarray, name: str) -> None:
    """The effect of one completion of modality ``name`` on the workers at ``index``.

    Each skill rises by ``gain (1 - level)`` (its durable share kept, the rest transient),
    self-efficacy by ``g (1 - s)``, the belief about one's own accuracy moves toward the truth
    and trust toward the reliability taught (then is pushed), the influence multiplier is raised
    to the modality's; one compiled pass (:func:`model.training_kernels.apply_course`), which
    also refreshes the attendees' peer weights.
    """
    index = np.asarray(index, dtype=np.int64)
    if index.size == 0:
        return
    wf, peers, adjacency = model.workforce, model.peer_weights, model.adjacency
    modalities = model.config.training.modalities
    modality = modalities[name]
    q = np.array(
        [
            modality.literacy_gain,
            modality.detection_bonus,
            modality.verification_bonus,
            modality.durable_share,
            modality.self_efficacy_gain,
            modality.self_assessment_pull,
            modality.calibration_pull,
            modality.trust_push,
            modality.influence_multiplier,
        ],
        dtype=float,
    )
    apply_course(
        index, list(modalities).index(name), q, wf.baseline_literacy, wf.durable_gain,
        wf.transient_gain, wf.skill_total, wf.fading, wf.self_efficacy, wf.perceived_accuracy,
        wf.unaided_accuracy, model.tools.taught_reliability, wf.department, wf.trust,
        wf.influence_multiplier, wf.times_trained, wf.archetype, peers.archetype_weight,
        peers.archetype_susceptibility, peers.weight, peers.susceptibility,
        peers.weight_total.values, adjacency.indptr, adjacency.indices, adjacency.data,
    )  # fmt: skip


def reset_programme_records(model: WorkforceModel, index: np.ndarray) -> None:
    """Joiners start uninvited; in random-share programmes they are selected afresh."""
    for state in model.programmes:
        if state.selected is None:
            continue
        state.last_invited[index] = -1
        if state.config.target in RANKED_RULES:
            state.selected[index] = False
        else:
            state.selected[index] = model.rng.random(index.size) < state.config.coverage
