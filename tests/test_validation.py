"""Config validation: invalid values fail early with messages naming field, value and remedy."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from omegaconf import OmegaConf
from omegaconf.errors import ConfigKeyError, ValidationError

from model import ConfigError, WorkforceModel, as_model_config, validate_config
from model.config import EventConfig, ModelConfig, ProgrammeConfig
from model.params import iter_params

Mutation = Callable[[ModelConfig], None]

# The default calendar: week 0 starts on 2025-01-06. WEEKS = 52 puts the last week on
# 2025-12-29 (days 357 to 363) and week 52 on 2026-01-05.
WEEKS = 52


def _config(mutate: Mutation) -> ModelConfig:
    config = ModelConfig(weeks=WEEKS)
    mutate(config)
    return config


def _programme(**fields: object) -> Mutation:
    def mutate(config: ModelConfig) -> None:
        config.strategy.name = "pilot"
        config.strategy.programmes = [ProgrammeConfig(**fields)]

    return mutate


def _event(**fields: object) -> Mutation:
    def mutate(config: ModelConfig) -> None:
        config.events = [EventConfig(**fields)]

    return mutate


def _set(path: str, value: object) -> Mutation:
    """Set a dotted attribute path (dict keys and list indices allowed) to ``value``."""

    def mutate(config: ModelConfig) -> None:
        *parents, last = path.split(".")
        node: object = config
        for part in parents:
            if isinstance(node, dict):
                node = node[part]
            elif isinstance(node, list):
                node = node[int(part)]
            else:
                node = getattr(node, part)
        setattr(node, last, value)

    return mutate


INVALID: dict[str, tuple[Mutation, list[str]]] = {
    # case: (mutation, substrings the message must contain: path, value, what is accepted)
    "share_above_one": (
        _set("population.archetypes.user.share", 1.4),
        ["population.archetypes.user.share", "1.4", "between 0 and 1"],
    ),
    "staff_group_shares_sum": (
        _set("population.staff_groups.medical.share", 0.2),
        ["population.staff_groups", "1.0908", "expected 1"],
    ),
    "archetype_shares_sum": (
        _set("population.archetypes.user.share", 0.70),
        ["population.archetypes", "0.95", "expected 1"],
    ),
    "negative_cost": (
        _set("training.modalities.workshop.cost_gbp", -5),
        ["training.modalities.workshop.cost_gbp", "-5", ">= 0"],
    ),
    "unknown_archetype_in_programme": (
        _programme(target="archetypes", archetypes=["user", "wizard"]),
        ["programmes.0.archetypes", "'wizard'", "shaper, driver, creator, embedder, user"],
    ),
    "unknown_staff_group_in_programme": (
        _programme(target="staff_groups", staff_groups=["porters"]),
        ["programmes.0.staff_groups", "'porters'", "nursing_midwifery"],
    ),
    "unknown_target_rule": (
        _programme(target="friends"),
        ["strategy.programmes.0.target", "'friends'", "top_influence"],
    ),
    "unknown_modality": (
        _programme(modality="webinar"),
        ["programmes.0.modality", "'webinar'", "elearning, workshop"],
    ),
    "programme_tool_unknown": (
        _programme(target="users_of_tool", tool="ghost"),
        ["programmes.0.tool", "'ghost'", "cdss"],
    ),
    "event_tool_unknown": (
        _event(kind="incident", week=3, tool="ghost"),
        ["events.0.tool", "'ghost'", "cdss"],
    ),
    "event_after_horizon_by_week": (
        _event(kind="approval", week=WEEKS),
        ["events.0", str(WEEKS), f"0 to {WEEKS - 1}"],
    ),
    "event_after_horizon_by_date": (
        _event(kind="approval", date="2026-01-05"),
        ["events.0", "2026-01-05", f"0 to {WEEKS - 1}"],
    ),
    "event_before_start_by_date": (
        _event(kind="approval", date="2024-12-30"),
        ["events.0", "2024-12-30", f"0 to {WEEKS - 1}"],
    ),
    "event_without_week_or_date": (
        _event(kind="incident"),
        ["events.0", "week = None", "date = None", "exactly one"],
    ),
    "event_with_week_and_date": (
        _event(kind="incident", week=3, date="2025-02-03"),
        ["events.0", "week = 3", "2025-02-03", "exactly one"],
    ),
    "programme_starts_after_horizon": (
        _programme(start_week=WEEKS),
        ["programmes.0.start_week", str(WEEKS), "before the horizon"],
    ),
    "go_live_date_bad_string": (
        _set("tools.0.rollout.go_live_date", "soon"),
        ["tools.0.rollout.go_live_date", "soon", "YYYY-MM-DD"],
    ),
    "unknown_rollout_kind": (
        _set("tools.0.rollout.kind", "gradual"),
        ["tools.0.rollout.kind", "'gradual'", "big_bang, phased, pilot_then_scale"],
    ),
    "too_few_workers": (
        _set("population.n_workers", 1),
        ["population.n_workers = 1", ">= 2"],
    ),
    "cut_points_not_increasing": (
        _set("survey.cut_points", [0.2, 0.5, 0.4, 0.8]),
        ["survey.cut_points", "[0.2, 0.5, 0.4, 0.8]", "four increasing"],
    ),
    "cut_points_with_nan": (
        _set("survey.cut_points", [0.2, float("nan"), 0.6, 0.8]),
        ["survey.cut_points", "nan", "four increasing"],
    ),
    "cut_points_wrong_length": (
        _set("survey.cut_points", [0.2, 0.5, 0.8]),
        ["survey.cut_points", "[0.2, 0.5, 0.8]", "four increasing"],
    ),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_value_names_path_value_and_accepted(case: str) -> None:
    """An invalid value raises ConfigError naming the field path, the value and what is accepted."""
    mutate, expected = INVALID[case]
    with pytest.raises(ConfigError) as raised:
        validate_config(_config(mutate))
    message = str(raised.value)
    for text in expected:
        assert text in message, f"{text!r} missing from: {message}"


def test_config_error_is_a_value_error_and_raised_by_the_model() -> None:
    """ConfigError is a ValueError, and dicts passed to as_model_config are validated too."""
    assert issubclass(ConfigError, ValueError)
    with pytest.raises(ConfigError, match=r"population\.n_workers = 1"):
        as_model_config({"population": {"n_workers": 1}})


def test_event_department_out_of_range_names_the_range() -> None:
    """An event in a department that does not exist is refused when the model is built."""
    config = ModelConfig(weeks=WEEKS)
    config.population.n_workers = 300  # three departments of 100
    config.events = [EventConfig(kind="incident", week=2, department=3)]
    with pytest.raises(ConfigError) as raised:
        WorkforceModel(config)
    assert "events.0.department = 3" in str(raised.value)
    assert "0 to 2" in str(raised.value)


def test_boundaries_are_accepted() -> None:
    """The defaults, shares of exactly 0 and 1, and events in the last week are valid."""
    assert validate_config(ModelConfig()) is not None
    config = ModelConfig(weeks=WEEKS)
    config.events = [
        EventConfig(kind="approval", week=0),
        EventConfig(kind="approval", week=WEEKS - 1),
        EventConfig(kind="evidence", date="2025-01-06"),
        EventConfig(kind="evidence", date="2026-01-04"),  # day 363: still week 51
    ]
    config.behaviour.mandate_share = 1.0
    config.behaviour.automation_bias = 0.0
    validate_config(config)


def test_several_problems_reported_together() -> None:
    """All problems of a config are listed in one ConfigError, one per line."""
    config = ModelConfig(weeks=WEEKS)
    config.population.archetypes["user"].share = 1.4
    config.training.modalities["workshop"].cost_gbp = -5
    config.tools[0].rollout.kind = "gradual"
    config.survey.cut_points = [0.8, 0.6, 0.4, 0.2]
    config.events = [EventConfig(kind="incident", week=WEEKS + 10)]
    with pytest.raises(ConfigError) as raised:
        validate_config(config)
    message = str(raised.value)
    for path in (
        "population.archetypes.user.share",
        "training.modalities.workshop.cost_gbp",
        "tools.0.rollout.kind",
        "survey.cut_points",
        "events.0",
    ):
        assert path in message
    problem_lines = [line for line in message.splitlines()[1:] if line.strip()]
    assert len(problem_lines) >= 6  # the five above plus the archetype shares' sum


def test_structured_config_rejects_unknown_key() -> None:
    """OmegaConf's structured ModelConfig refuses a key that is not a field, naming it."""
    schema = OmegaConf.structured(ModelConfig)
    with pytest.raises(ConfigKeyError, match="foo"):
        OmegaConf.merge(schema, {"population": {"foo": 1}})
    with pytest.raises(ConfigKeyError, match="bogus"):
        as_model_config({"strategy": {"programmes": [{"bogus": 1}]}})


def test_structured_config_rejects_wrong_type() -> None:
    """OmegaConf's structured ModelConfig refuses a value of the wrong type, naming the field."""
    schema = OmegaConf.structured(ModelConfig)
    with pytest.raises(ValidationError, match="n_workers"):
        OmegaConf.merge(schema, {"population": {"n_workers": "many"}})
    with pytest.raises(ValidationError, match="many"):
        OmegaConf.merge(schema, {"population": {"n_workers": "many"}})


def _full_config() -> ModelConfig:
    """Defaults plus one programme and one event, so every dataclass type has leaves."""
    config = ModelConfig()
    config.strategy.programmes = [ProgrammeConfig()]
    config.events = [EventConfig(week=1)]
    return config


@pytest.mark.parametrize("config", [ModelConfig(), _full_config()], ids=["default", "full"])
def test_every_leaf_has_unit_and_source(config: ModelConfig) -> None:
    """Every leaf parameter declares a non-empty unit and source in its field metadata."""
    leaves = list(iter_params(config))
    assert len(leaves) > 80
    missing = [
        path
        for path, _, f in leaves
        if not (isinstance(f.metadata.get("unit"), str) and f.metadata["unit"].strip())
        or not (isinstance(f.metadata.get("source"), str) and f.metadata["source"].strip())
    ]
    assert missing == []


def test_tool_live_before_the_start_is_live_from_week_zero() -> None:
    """A go-live date before start_date is accepted: every department is live from week 0."""
    config = ModelConfig(weeks=10)
    config.population.n_workers = 400
    config.tools[0].rollout.kind = "big_bang"
    config.tools[0].rollout.go_live_week = None
    config.tools[0].rollout.go_live_date = "2024-12-02"
    model = WorkforceModel(validate_config(config))
    model.step()
    assert model.live.all()
