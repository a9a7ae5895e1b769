"""Invariants that hold every week for any valid config (property-based, with hypothesis).

Each example draws a random small config (workforce, tools and rollouts, a training strategy
under a budget, behaviour switches, a few events), steps the model week by week and checks after
every step that shares and probabilities stay in [0, 1], headcount is constant, spending stays
within budget, nobody uses a tool that is not live, and training costs money only when someone
is trained. A last test checks that turnover resets exactly the replaced workers.
"""

from __future__ import annotations

from contextlib import contextmanager
from unittest import mock

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import model.simulation as simulation
import model.turnover as turnover_module
from model import WorkforceModel
from model.config import (
    ARCHETYPES,
    EVENT_KINDS,
    ROLLOUT_KINDS,
    TARGET_RULES,
    EventConfig,
    ModelConfig,
    ProgrammeConfig,
    RolloutConfig,
    ToolConfig,
    TrainingConfig,
)
from model.training import cost_per_person
from model.workforce import NEVER, SKILLS

DEPARTMENT_SIZE = 50
MODALITIES = tuple(TrainingConfig().modalities)
STAFF_GROUPS = tuple(ModelConfig().population.staff_groups)
SHARE_COLUMNS = (
    "live_share",
    "adoption_share",
    "mean_trust",
    "mean_self_efficacy",
    "mean_confidence",
    "mean_ai_literacy",
    "appropriate_share",
    "over_trust_share",
    "under_trust_share",
    "calibration_error",
    "automation_bias_rate",
    "aversion_rate",
    "decision_accuracy",
    "unaided_accuracy",
    "trained_share",
    "starting_staff_share",
)
ALWAYS_DEFINED = (
    "live_share",
    "mean_trust",
    "mean_self_efficacy",
    "mean_confidence",
    "mean_ai_literacy",
    "trained_share",
    "starting_staff_share",
)
UNIT_INTERVAL_ARRAYS = (
    "digital_literacy",
    "baseline_literacy",
    "ai_literacy",
    "detection_bonus",
    "trust",
    "self_efficacy",
    "unaided_accuracy",
    "adoption_threshold",
)
TOLERANCE = 1e-9
unit = st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def tool_configs(draw: st.DrawFn, weeks: int) -> list[ToolConfig]:
    """One or two tools with random reliability, salience, governance and rollout."""
    n_tools = draw(st.integers(1, 2))
    return [
        ToolConfig(
            name=f"tool{k}",
            reliability=draw(unit),
            reliability_concentration=draw(st.sampled_from([0.0, 5.0, 100.0])),
            cases_per_week=draw(st.floats(0.0, 10.0)),
            error_salience=draw(unit),
            governance_maturity=draw(unit),
            general_purpose=draw(st.booleans()),
            rollout=RolloutConfig(
                kind=draw(st.sampled_from(ROLLOUT_KINDS)),
                go_live_week=draw(st.integers(0, weeks + 10)),
                rollout_weeks=draw(st.integers(0, 30)),
                pilot_share=draw(unit),
                pilot_weeks=draw(st.integers(0, 20)),
            ),
        )
        for k in range(n_tools)
    ]


@st.composite
def programme_configs(draw: st.DrawFn, weeks: int, tools: list[str]) -> list[ProgrammeConfig]:
    """One to three programmes with random modality, target, coverage and capacity."""
    programmes = []
    for _ in range(draw(st.integers(1, 3))):
        target = draw(st.sampled_from(TARGET_RULES))
        programmes.append(
            ProgrammeConfig(
                modality=draw(st.sampled_from(MODALITIES)),
                target=target,
                archetypes=draw(st.lists(st.sampled_from(ARCHETYPES), min_size=1, unique=True))
                if target == "archetypes"
                else [],
                staff_groups=draw(st.lists(st.sampled_from(STAFF_GROUPS), min_size=1, unique=True))
                if target == "staff_groups"
                else [],
                tool=draw(st.sampled_from([None, *tools])),
                coverage=draw(st.sampled_from([1.0, 0.3, 0.0])),
                start_week=draw(st.integers(0, weeks - 1)) // 2,
                weekly_capacity=draw(st.sampled_from([0.05, 0.01, 0.5, 0.0])),
                refresher_weeks=draw(st.one_of(st.none(), st.integers(1, 20))),
                window_weeks=draw(st.integers(0, 12)),
            )
        )
    return programmes


@st.composite
def event_configs(
    draw: st.DrawFn, weeks: int, tools: list[str], n_departments: int
) -> list[EventConfig]:
    """None, one or two events of random kind, week, size and scope."""
    return [
        EventConfig(
            kind=draw(st.sampled_from(EVENT_KINDS)),
            week=draw(st.integers(0, weeks - 1)),
            magnitude=draw(unit),
            tool=draw(st.sampled_from([None, *tools])),
            department=draw(st.one_of(st.none(), st.integers(0, n_departments - 1))),
            spread=draw(unit),
            duration_weeks=draw(st.integers(0, 20)),
        )
        for _ in range(draw(st.integers(0, 2)))
    ]


@st.composite
def random_configs(draw: st.DrawFn, small_config) -> ModelConfig:
    """A random valid small config exercising every process."""
    weeks = draw(st.integers(20, 40))
    n_workers = draw(st.integers(300, 1000))
    config = small_config(
        seed=draw(st.integers(0, 2**31 - 1)),
        weeks=weeks,
        population__n_workers=n_workers,
        population__department_size=DEPARTMENT_SIZE,
        population__annual_leaver_rate=draw(st.floats(0.0, 0.9)),
        behaviour__mandate_share=draw(unit),
        behaviour__bounded_confidence=draw(st.booleans()),
        behaviour__confidence_bound=draw(st.floats(0.05, 0.5)),
        behaviour__automation_bias=draw(unit),
        behaviour__talk_probability=draw(unit),
        behaviour__spillover=draw(unit),
        behaviour__forgetting=draw(st.floats(0.5, 1.0)),
        training__workload_pressure=draw(unit),
    )
    config.tools = draw(tool_configs(weeks))
    names = [tool.name for tool in config.tools]
    config.strategy.name = "random"
    # About a quarter of examples have no budget and a quarter no programmes.
    no_budget, no_programmes = draw(st.integers(0, 3)) == 3, draw(st.integers(0, 3)) == 3
    config.strategy.budget_gbp = 0.0 if no_budget else draw(st.floats(100.0, 300_000.0))
    config.strategy.programmes = [] if no_programmes else draw(programme_configs(weeks, names))
    n_departments = -(-n_workers // DEPARTMENT_SIZE)
    config.events = draw(event_configs(weeks, names, n_departments))
    return config


@contextmanager
def recording_training(records: list[tuple[int, float, float]]):
    """Record (completions, cost, staff hours) of each week's training step."""
    original = simulation.train

    def train(model: WorkforceModel) -> None:
        trained, cost, hours = (
            int(model.workforce.times_trained.sum()),
            model.cumulative_cost_gbp,
            model.cumulative_staff_hours,
        )
        original(model)
        records.append(
            (
                int(model.workforce.times_trained.sum()) - trained,
                model.cumulative_cost_gbp - cost,
                model.cumulative_staff_hours - hours,
            )
        )

    with mock.patch.object(simulation, "train", train):
        yield


def check_week(model: WorkforceModel, completions: int, cost: float, hours: float) -> None:
    """Every invariant after one step."""
    config, wf = model.config, model.workforce
    n = config.population.n_workers
    row = model.outcomes.iloc[-1]
    week = model.week - 1

    # Shares and probabilities in [0, 1]; per-worker state in range.
    for column in SHARE_COLUMNS:
        value = row[column]
        assert np.isnan(value) or -TOLERANCE <= value <= 1 + TOLERANCE, (week, column, value)
    for column in ALWAYS_DEFINED:
        assert not np.isnan(row[column]), (week, column)
    if row["live_share"] > 0:
        total = row["appropriate_share"] + row["over_trust_share"] + row["under_trust_share"]
        assert abs(total - 1) < 1e-9, (week, total)
    for name in UNIT_INTERVAL_ARRAYS:
        values = getattr(wf, name)
        assert values.min() >= 0 and values.max() <= 1, (week, name, values.min(), values.max())
    assert (wf.trust_strength > 0).all(), week
    assert (wf.trust_strength <= config.behaviour.max_trust_strength + TOLERANCE).all(), week
    assert (wf.influence_multiplier >= 1).all(), week

    # Headcount constant under turnover.
    assert row["headcount"] == n
    assert wf.size == n and wf.trust.shape == (n, len(config.tools)) and wf.uses.shape[0] == n

    # Spending never above the budget.
    budget = config.strategy.budget_gbp
    assert model.cumulative_cost_gbp <= budget + 1e-6, (week, model.cumulative_cost_gbp)
    assert model.budget_remaining >= -1e-6, (week, model.budget_remaining)
    assert abs(model.budget_remaining + model.cumulative_cost_gbp - budget) < 1e-6
    assert row["cumulative_cost_gbp"] == model.cumulative_cost_gbp

    # No tool use before go-live: live follows the schedule; uses and decisions imply live.
    schedule = (model.tools.go_live_week <= week)[wf.department]
    np.testing.assert_array_equal(model.live, schedule)
    assert not (wf.uses & ~model.live).any(), week
    if model.tally.worker.size:
        assert model.live[model.tally.worker, model.tally.tool].all(), week
    if not model.live.any():
        assert row["decisions"] == 0 and not wf.uses.any(), week

    # No training cost without training.
    unit_costs = [
        cost_per_person(model, config.training.modalities[p.modality])
        for p in config.strategy.programmes
    ]
    if completions == 0:
        assert cost == 0 and hours == 0, (week, cost, hours)
    else:
        assert min(unit_costs) * completions - 1e-6 <= cost <= max(unit_costs) * completions + 1e-6
    if budget == 0 or not config.strategy.programmes:
        assert model.cumulative_cost_gbp == 0 and model.cumulative_staff_hours == 0, week
        assert not wf.times_trained.any(), week
        assert row["trained_share"] == 0, week


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_weekly_invariants_hold_for_random_valid_configs(small_config, data) -> None:
    """Shares in [0,1], constant headcount, spend within budget, use only when live, every week."""
    config = data.draw(random_configs(small_config), label="config")
    # Every default modality costs money, so a zero budget must mean no training at all.
    assert all(positive_unit_cost(config, name) for name in MODALITIES)
    records: list[tuple[int, float, float]] = []
    model = WorkforceModel(config)
    with recording_training(records):
        for _ in range(config.weeks):
            model.step()
            check_week(model, *records[-1])
    assert len(model.outcomes) == config.weeks
    event("trained" if model.workforce.times_trained.any() else "nobody trained")
    event("tool used" if any(r > 0 for r in model.outcomes["decisions"]) else "no tool used")
    event("bounded confidence" if config.behaviour.bounded_confidence else "DeGroot")
    by_group = model.outcomes_by_group
    for column in SHARE_COLUMNS:
        values = by_group[column].to_numpy()
        finite = values[~np.isnan(values)]
        assert ((finite >= -TOLERANCE) & (finite <= 1 + TOLERANCE)).all(), column


def positive_unit_cost(config: ModelConfig, name: str) -> bool:
    """The modality's direct cost plus backfilled staff time is above zero."""
    modality = config.training.modalities[name]
    return modality.cost_gbp + modality.staff_hours * config.training.backfill_gbp_per_hour > 0


def test_joiners_replace_leavers_untrained_and_not_using(small_config) -> None:
    """Turnover resets replaced workers (untrained, not using, fresh trust) and no one else."""
    config = small_config(
        weeks=20,
        population__n_workers=2000,
        population__department_size=50,
        population__annual_leaver_rate=0.9,
        behaviour__mandate_share=0.5,
    )
    config.strategy.name = "workshops"
    config.strategy.budget_gbp = 1e6
    config.strategy.programmes = [
        ProgrammeConfig(modality="champions", target="all", weekly_capacity=0.1)
    ]
    model = WorkforceModel(config)
    model.run(8)
    wf = model.workforce
    # Make every current worker look experienced, trained and using the tool.
    wf.trust[:] = 0.99
    wf.trust_strength[:] = 150.0
    wf.uses[:] = True
    wf.times_trained[:] = 3
    wf.durable_gain[:, SKILLS.index("literacy")] = 0.5 * (1 - wf.baseline_literacy)
    wf.transient_gain[:, SKILLS.index("detection"), :] = 0.2
    wf.fading[:] = True
    wf.refresh_skills()
    assert (wf.literacy_bonus > 0).all() and (wf.detection_bonus > 0).all()
    wf.influence_multiplier[:] = 3.0
    wf.last_use_week[:] = model.week
    state = model.programmes[0]
    state.last_invited[:] = model.week
    before = {name: getattr(wf, name).copy() for name in vars(wf)}
    replaced: list[np.ndarray] = []
    original = turnover_module.replace_workers

    def recording_replace(workforce, index, *args, **kwargs) -> None:
        replaced.append(np.array(index, copy=True))
        original(workforce, index, *args, **kwargs)

    with mock.patch.object(turnover_module, "replace_workers", recording_replace):
        turnover_module.turnover(model)
    leavers = np.concatenate(replaced)
    stayers = np.setdiff1d(np.arange(wf.size), leavers)
    weekly = turnover_module.weekly_leaving_probability(0.9)
    expected = weekly * wf.size
    assert abs(leavers.size - expected) < 5 * np.sqrt(expected)

    assert not wf.uses[leavers].any()
    assert not wf.times_trained[leavers].any()
    assert not wf.starting_staff[leavers].any()
    assert (wf.trust[leavers] != 0.99).all()
    assert (wf.trust_strength[leavers] == config.behaviour.initial_trust_strength).all()
    assert (wf.detection_bonus[leavers] == 0).all() and (wf.literacy_bonus[leavers] == 0).all()
    assert (wf.influence_multiplier[leavers] == 1).all()
    assert (wf.last_use_week[leavers] == NEVER).all()
    assert (state.last_invited[leavers] == -1).all()
    for name in ("staff_group", "department", "team"):
        np.testing.assert_array_equal(getattr(wf, name), before[name])
    for name, values in before.items():
        np.testing.assert_array_equal(getattr(wf, name)[stayers], values[stayers], err_msg=name)
    assert (state.last_invited[stayers] == model.week).all()
