"""Training's eligibility rules, tie-break and cost, checked exactly on small built models.

Written against mutmut's surviving mutants of ``model/training.py`` (tests/MUTATION.md); each
docstring names the mutants (``model.training.x_<function>__mutmut_<n>``) it kills.
"""

from __future__ import annotations

import numpy as np
import pytest

import model.training as training
from model import WorkforceModel
from model.config import ARCHETYPES, ProgrammeConfig
from model.training import ELIGIBILITY, _select, cost_per_person


@pytest.fixture(scope="module")
def two_tool_model(small_config, make_tool) -> WorkforceModel:
    """200 workers in 4 departments, two tools; worker i uses tool a iff i % 3 == 0, b iff
    i % 2 == 0."""
    config = small_config(population__n_workers=200, tools=[make_tool("a"), make_tool("b")])
    model = WorkforceModel(config)
    i = np.arange(model.workforce.size)
    model.workforce.uses[:, 0] = i % 3 == 0
    model.workforce.uses[:, 1] = i % 2 == 0
    return model


def test_tool_rules_read_their_own_tool(two_tool_model) -> None:
    """users_of_tool and non_users of tool b are exactly b's users and the rest; with no tool
    named, users of any tool. Kills ``_tool_columns__mutmut_1`` (every tool's columns),
    ``_eligible_users__mutmut_1`` (``any(axis=None)``: one flag for all) and
    ``_eligible_non_users__mutmut_1`` (non-users are the users)."""
    model, uses = two_tool_model, two_tool_model.workforce.uses
    b = ProgrammeConfig(target="users_of_tool", tool="b")
    users = ELIGIBILITY["users_of_tool"](model, b)
    assert users.shape == (uses.shape[0],) and np.array_equal(users, uses[:, 1])
    non = ELIGIBILITY["non_users"](model, ProgrammeConfig(target="non_users", tool="b"))
    assert non.shape == (uses.shape[0],) and np.array_equal(non, ~uses[:, 1])
    anyone = ELIGIBILITY["users_of_tool"](model, ProgrammeConfig(target="users_of_tool"))
    assert np.array_equal(anyone, uses.any(axis=1))


def test_archetype_and_staff_group_rules_pick_exactly_their_members(two_tool_model) -> None:
    """The archetypes and staff_groups rules select exactly the workers of the listed codes (a
    proper, non-empty subset). Kills ``_eligible_archetypes__mutmut_1``, ``_4``, ``_5`` and
    ``_eligible_staff_groups__mutmut_1`` to ``_8`` (codes or arrays replaced or dropped)."""
    model, wf = two_tool_model, two_tool_model.workforce
    chosen = list(ARCHETYPES[:2])
    rule = ProgrammeConfig(target="archetypes", archetypes=chosen)
    got = ELIGIBILITY["archetypes"](model, rule)
    expected = np.isin(wf.archetype, [0, 1])
    assert 0 < expected.sum() < wf.size
    assert np.array_equal(got, expected)
    groups = list(model.config.population.staff_groups)
    rule = ProgrammeConfig(target="staff_groups", staff_groups=[groups[1]])
    got = ELIGIBILITY["staff_groups"](model, rule)
    expected = wf.staff_group == 1
    assert 0 < expected.sum() < wf.size
    assert np.array_equal(got, expected)


def test_just_in_time_reaches_departments_within_the_window_on_either_side(two_tool_model):
    """At week 20 with an 8-week window, departments going live in week 12 or 28 (the window's
    edges) are eligible, those going live in week 11 or 29 are not. Kills
    ``_eligible_just_in_time__mutmut_8`` (``go_live + week``) and ``_9`` (``<`` for ``<=``)."""
    model, wf = two_tool_model, two_tool_model.workforce
    saved, saved_week = model.tools.go_live_week.copy(), model.week
    try:
        model.week = 20
        model.tools.go_live_week[:] = 10**6
        model.tools.go_live_week[:4, 1] = [12, 28, 11, 29]
        rule = ProgrammeConfig(target="just_in_time", tool="b", window_weeks=8)
        got = ELIGIBILITY["just_in_time"](model, rule)
        assert np.array_equal(got, np.isin(wf.department, [0, 1]))
        assert np.isin(wf.department, [0, 1]).any() and np.isin(wf.department, [2, 3]).any()
    finally:
        model.tools.go_live_week[:] = saved
        model.week = saved_week


def test_ranked_rules_break_ties_by_worker_order(two_tool_model, monkeypatch) -> None:
    """With workers tied on the ranking (odd workers score 1, even 0), top_influence reaches the
    first tied workers by index (a stable sort), the same on every platform. Kills
    ``_select__mutmut_12`` and ``_14`` (numpy's default, unstable sort)."""
    score = (np.arange(200) % 2).astype(float)
    monkeypatch.setattr(training, "_ranking_score", lambda model, rule: score)
    chosen = _select(two_tool_model, ProgrammeConfig(target="top_influence", coverage=0.3), 200)
    assert np.array_equal(np.flatnonzero(chosen), np.arange(1, 120, 2))


def test_cost_per_person_is_direct_cost_plus_backfilled_hours(two_tool_model) -> None:
    """Cost of one place = cost + staff hours x backfill rate (GBP). Kills
    ``cost_per_person__mutmut_2`` (hours divided by the rate)."""
    model = two_tool_model
    modality = model.config.training.modalities["workshop"]
    rate = model.config.training.backfill_gbp_per_hour
    assert modality.staff_hours > 0 and rate not in (0, 1)
    expected = modality.cost_gbp + modality.staff_hours * rate
    assert cost_per_person(model, modality) == pytest.approx(expected)


def test_a_once_only_programme_never_reinvites_those_trained_in_week_zero(small_config) -> None:
    """Everyone invited and attending in week 0 of a programme without refreshers is trained
    exactly once over 3 weeks. Kills ``train__mutmut_27`` (``last_invited <= 0``: week-0
    invitees due again)."""
    config = small_config(
        population__n_workers=100,
        weeks=3,
        training__workload_pressure=0.0,
        strategy__budget_gbp=1e9,
    )
    config.training.base_attendance = 1.0
    config.strategy.programmes = [
        ProgrammeConfig(modality="elearning", target="all", weekly_capacity=1.0)
    ]
    model = WorkforceModel(config)
    model.run()
    assert (model.workforce.times_trained == 1).all()


def test_apply_modality_moves_each_belief_by_its_analytic_step(small_config) -> None:
    """One completion: self-efficacy s + g (1 - s); own accuracy belief p + pull (u - p); a
    negative trust push moves trust toward 0. Kills ``apply_modality__mutmut_36`` (``=`` for
    ``+=``), ``_43`` (pull away from the truth) and ``_58`` (a negative push toward 1)."""
    config = small_config(population__n_workers=50)
    modality = config.training.modalities["workshop"]
    modality.self_efficacy_gain, modality.self_assessment_pull = 0.3, 0.5
    modality.calibration_pull, modality.trust_push = 0.0, -0.4
    model = WorkforceModel(config)
    wf, index = model.workforce, np.arange(50)
    wf.self_efficacy[:], wf.perceived_accuracy[:], wf.unaided_accuracy[:] = 0.5, 0.9, 0.7
    wf.trust[:] = 0.6
    training.apply_modality(model, index, "workshop")
    assert wf.self_efficacy == pytest.approx(np.full(50, 0.5 + 0.3 * 0.5))
    assert wf.perceived_accuracy == pytest.approx(np.full(50, 0.9 + 0.5 * (0.7 - 0.9)))
    assert wf.trust[:, 0] == pytest.approx(np.full(50, 0.6 - 0.4 * 0.6))


def test_a_lasting_course_keeps_an_earlier_course_fading(small_config) -> None:
    """A workshop's transient gain keeps fading after a later course whose gain is all durable
    (durable_share 1). Kills ``apply_modality__mutmut_32`` (``fading = ...``: the later course
    clears the flag and the earlier gain stops fading)."""
    config = small_config(population__n_workers=20)
    config.training.modalities["elearning"].durable_share = 1.0
    model = WorkforceModel(config)
    index = np.arange(20)
    training.apply_modality(model, index, "workshop")
    training.apply_modality(model, index, "elearning")
    m = list(config.training.modalities).index("workshop")
    before = model.workforce.transient_gain[:, :, m].copy()
    assert (before[:, 0] > 0).all()
    model.week = 5
    training.decay_training_gains(model)
    assert (model.workforce.transient_gain[:, 0, m] < before[:, 0]).all()


def test_a_durable_course_adds_its_gain_to_the_durable_skills(small_config) -> None:
    """With durable share 1, each skill's durable gain rises by ``gain (1 - level)`` and the
    skill total is the durable plus the transient gains. Kills
    ``training_kernels.x_apply_course__mutmut_27`` (the durable part subtracted)."""
    config = small_config(population__n_workers=20)
    course = config.training.modalities["elearning"]
    course.durable_share = 1.0
    model = WorkforceModel(config)
    wf = model.workforce
    index = np.arange(20)
    levels = np.column_stack(
        [wf.baseline_literacy + wf.skill_total[:, 0], wf.skill_total[:, 1], wf.skill_total[:, 2]]
    )
    before = wf.durable_gain.copy()
    training.apply_modality(model, index, "elearning")
    gains = np.array([course.literacy_gain, course.detection_bonus, course.verification_bonus])
    np.testing.assert_allclose(wf.durable_gain - before, gains * (1 - levels), rtol=1e-12)
    np.testing.assert_allclose(wf.skill_total, wf.durable_gain + wf.transient_gain.sum(2))
