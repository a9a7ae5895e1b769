"""The workforce's structure, network kinds, rollout schedules and seeds, checked exactly.

Written against mutmut's surviving mutants (tests/MUTATION.md); each docstring names the mutants
(``model.<module>.x_<function>__mutmut_<n>``) it kills.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import WorkforceModel
from model.config import ARCHETYPES, EventConfig, NetworkConfig, ProgrammeConfig
from model.mesa_conventions import resolve_seed
from model.network import _random_ties_within, build_network
from model.tools import rollout_schedule
from model.training import create_programmes
from model.validation import ConfigError, validate_config
from model.workforce import assign_structure


def test_teams_are_numbered_blocks_inside_their_department(small_config) -> None:
    """Departments of 50 with teams of at most 12: 5 teams a department, numbered from 0, each
    inside one department. Kills ``workforce.assign_structure__mutmut_27`` (a negative
    number of teams per department)."""
    config = small_config(population__team_size=12)
    _, department, team = assign_structure(config, np.random.default_rng(0))
    assert team.min() == 0
    assert np.array_equal(team // 5, department)
    assert np.bincount(team).max() <= 12 and np.unique(team).size == 5 * (department.max() + 1)


def test_watts_strogatz_network_has_k_ties_a_worker_on_average(small_config) -> None:
    """A Watts-Strogatz graph of 500 workers with k = 4 has 500 x 4 directed ties (rewiring
    keeps the number of edges); the team network does not. Kills
    ``network.build_network__mutmut_10`` (the Watts-Strogatz branch never taken)."""
    config = small_config()
    _, department, team = assign_structure(config, np.random.default_rng(0))
    group = np.zeros(department.size, dtype=np.int8)
    ws = NetworkConfig(kind="watts_strogatz", watts_strogatz_k=4, watts_strogatz_p=0.1)
    adjacency = build_network(ws, np.random.default_rng(1), department, team, group)
    assert adjacency.nnz == 500 * 4
    teams = build_network(NetworkConfig(), np.random.default_rng(1), department, team, group)
    assert teams.nnz != 500 * 4


def test_phased_and_pilot_rollouts_follow_their_schedules(small_config, make_tool) -> None:
    """10 departments: phased over 20 weeks from week 3 go live in weeks 3, 5, ..., 21; a 20%
    pilot goes live in week 3 and the rest from week 8 over 10 weeks. Kills
    ``tools.rollout_schedule__mutmut_20`` and ``_22`` (phased taken as pilot-then-scale)."""
    config = small_config()
    phased = make_tool(rollout="phased", go_live_week=3, rollout_weeks=20)
    weeks = rollout_schedule(config, phased, np.random.default_rng(0), 10)
    assert sorted(weeks) == list(range(3, 22, 2))
    pilot = make_tool(
        rollout="pilot_then_scale", go_live_week=3, pilot_share=0.2, pilot_weeks=5, rollout_weeks=10
    )
    weeks = rollout_schedule(config, pilot, np.random.default_rng(0), 10)
    assert sorted(weeks) == [3, 3, *(8 + np.arange(8) * 10 // 8)]


def test_the_live_mask_follows_schedules_changed_by_hand(small_config, make_tool) -> None:
    """After the first week the live mask is rewritten only for departments whose go-live state
    changed: moving one department's go-live earlier and another's later by hand, mid-rollout,
    still gives exactly the schedule's mask, for every worker, week after week."""
    config = small_config(population__n_workers=400)
    config.tools = [make_tool(rollout="phased", go_live_week=2, rollout_weeks=12)]
    model = WorkforceModel(config, rng=4)
    department = model.workforce.department
    for week in range(8):
        if week == 5:
            go_live = model.tools.go_live_week
            late, early = np.argmax(go_live[:, 0]), np.argmin(go_live[:, 0])
            go_live[late, 0], go_live[early, 0] = 3, 9  # one goes live early, one goes dark
        model.step()
        expected = (model.tools.go_live_week <= week)[department]
        np.testing.assert_array_equal(model.live, expected, err_msg=f"week {week}")
    assert model.live.any() and not model.live.all()  # the department moved to week 9 is dark


def test_programmes_run_in_order_of_their_start_week(small_config) -> None:
    """Programmes listed late-first are run earliest-first, ties in listed order. Kills
    ``training.create_programmes__mutmut_4`` and ``_6`` (listed order kept)."""
    config = small_config()
    config.strategy.programmes = [
        ProgrammeConfig(modality="workshop", start_week=10),
        ProgrammeConfig(modality="elearning", start_week=0),
        ProgrammeConfig(modality="champions", start_week=10),
    ]
    states = create_programmes(WorkforceModel(config))
    assert [s.config.modality for s in states] == ["elearning", "workshop", "champions"]


def test_perceived_accuracy_is_spread_around_the_truth_and_kept_in_range(small_config) -> None:
    """Each worker's belief about own accuracy is the truth plus their own normal error (sd
    ``self_assessment_sd``), clipped to [0, 1]. Kills ``workforce.draw_workers__mutmut_67``
    (one error for everyone) and ``_116`` (no lower clip)."""
    config = small_config(population__n_workers=2000)
    config.behaviour.self_assessment_bias, config.behaviour.self_assessment_sd = 0.0, 0.05
    wf = WorkforceModel(config).workforce
    error = wf.perceived_accuracy - wf.unaided_accuracy
    inside = (wf.perceived_accuracy > 0) & (wf.perceived_accuracy < 1)
    assert error[inside].std() == pytest.approx(0.05, rel=0.1)
    config.behaviour.self_assessment_bias = -1.0
    wf = WorkforceModel(config).workforce
    assert (wf.perceived_accuracy >= 0.0).all() and (wf.perceived_accuracy == 0.0).mean() > 0.5


def test_seeds_from_a_seed_sequence_or_an_integer_and_a_clear_error_otherwise() -> None:
    """A SeedSequence gives its first generated word; a float is refused, naming the value.
    Kills ``mesa_conventions.resolve_seed__mutmut_5`` (a second word that does not exist) and
    ``_7`` (the error's message lost)."""
    sequence = np.random.SeedSequence(42)
    assert resolve_seed(sequence, False, False, 0) == int(sequence.generate_state(1)[0])
    assert resolve_seed(7, True, True, 0) == 7
    with pytest.raises(ConfigError, match=r"^rng = 1\.5: expected an integer seed or None"):
        resolve_seed(1.5, False, False, 0)


def test_validation_names_each_broken_rule_and_its_key(small_config) -> None:
    """Staff-group shares off, an archetype missing: one error listing each problem under its
    key; a team as large as its department is valid. Kills
    ``validation.validate_config__mutmut_6`` (header garbled),
    ``validation._check_cross_field_rules__mutmut_9``, ``_17``, ``_25`` (keys or the list of
    archetypes garbled) and ``_30`` (team = department refused)."""
    assert validate_config(small_config(population__team_size=50)) is not None
    config = small_config()
    next(iter(config.population.staff_groups.values())).share += 0.1
    config.population.archetypes.pop(ARCHETYPES[0])
    with pytest.raises(ConfigError) as error:
        validate_config(config)
    lines = str(error.value).split("\n  ")
    assert lines[0] == "invalid config:"
    assert lines[1].startswith("population.staff_groups.*.share sum to 1.1000: expected 1")
    assert lines[2].startswith("population.archetypes.*.share sum to")
    assert lines[3].endswith("expected exactly the archetypes " + ", ".join(ARCHETYPES))


def test_random_partners_are_drawn_from_the_group_in_index_order() -> None:
    """Worker i's t-th partner is member ``floor(u * size)`` of its group, members in index
    order, u the next uniform draw. Kills ``network.x__random_ties_within__mutmut_11`` (an
    unstable sort: the members of a group in another order)."""
    group = np.arange(60) % 3
    rows, partners = _random_ties_within(group, 2, np.random.default_rng(5))
    u = np.random.default_rng(5).random(rows.size)
    members = [np.flatnonzero(group == g) for g in range(3)]
    assert rows.tolist() == np.repeat(np.arange(60), 2).tolist()
    expected = [members[group[r]][int(x * 20)] for r, x in zip(rows, u, strict=True)]
    assert partners.tolist() == expected


def test_an_event_after_the_horizon_names_its_week(small_config) -> None:
    """Kills ``validation.x__check_events__mutmut_30`` (the week's label garbled)."""
    config = small_config(weeks=10)
    config.events = [EventConfig(kind="leadership", week=12)]
    with pytest.raises(ConfigError, match=r"events\.0 \(week 12\) falls in week 12: expected"):
        validate_config(config)
