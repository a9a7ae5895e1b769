"""Validation of a :class:`model.config.ModelConfig` with errors that name the field at fault.

Ranges and choices come from each field's metadata (:func:`model.params.param`); the rules that
tie fields together (shares summing to one, names that must exist, events inside the horizon)
are written out here. Every message has the form
``<dotted.path> = <value>: expected <what is accepted>``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from omegaconf import DictConfig, OmegaConf

from model.config import ARCHETYPES, ModelConfig
from model.params import iter_params

SHARE_SUM_TOLERANCE = 1e-3


class ConfigError(ValueError):
    """A config value is invalid; the message names the field, the value and what is accepted."""


def validate_config(config: ModelConfig) -> ModelConfig:
    """Check every field of ``config``; raise :class:`ConfigError` listing all problems found.

    Returns:
        The same config, for chaining.
    """
    problems = [*_check_field_ranges(config), *_check_cross_field_rules(config)]
    if problems:
        raise ConfigError("invalid config:\n  " + "\n  ".join(problems))
    return config


def parse_date(text: str, path: str) -> dt.date:
    """Parse an ISO date (YYYY-MM-DD), naming ``path`` in the error."""
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        raise ConfigError(f"{path} = {text!r}: expected an ISO date YYYY-MM-DD") from None


def date_to_week(config: ModelConfig, date: str, path: str) -> int:
    """Week index of ``date`` on the model's calendar (week t starts at start_date + 7 t days)."""
    start = parse_date(config.start_date, "start_date")
    return (parse_date(date, path) - start).days // 7


def _check_field_ranges(config: ModelConfig) -> list[str]:
    problems = []
    for path, value, f in iter_params(config):
        low, high, choices = (
            f.metadata.get("low"),
            f.metadata.get("high"),
            f.metadata.get("choices"),
        )
        if value is None:
            continue
        if choices is not None and value not in choices:
            problems.append(f"{path} = {value!r}: expected one of {', '.join(choices)}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if math.isnan(value):
            problems.append(f"{path} = nan: expected a number")
        elif math.isinf(value):
            problems.append(f"{path} = {value}: expected a finite number")
        elif low is not None and high is not None and not low <= value <= high:
            problems.append(f"{path} = {value}: expected a value between {low:g} and {high:g}")
        elif low is not None and value < low:
            problems.append(f"{path} = {value}: expected a value >= {low:g}")
        elif high is not None and value > high:
            problems.append(f"{path} = {value}: expected a value <= {high:g}")
    return problems


def _check_cross_field_rules(config: ModelConfig) -> list[str]:
    problems: list[str] = []
    pop = config.population
    problems += _check_shares_sum("population.staff_groups", pop.staff_groups)
    problems += _check_shares_sum("population.archetypes", pop.archetypes)
    if set(pop.archetypes) != set(ARCHETYPES):
        problems.append(
            f"population.archetypes = {sorted(pop.archetypes)}: expected exactly the archetypes "
            f"{', '.join(ARCHETYPES)}"
        )
    if not pop.staff_groups:
        problems.append("population.staff_groups = {}: expected at least one staff group")
    if pop.team_size > pop.department_size:
        problems.append(
            f"population.team_size = {pop.team_size}: expected at most department_size "
            f"({pop.department_size})"
        )
    problems += _check_dates(config)
    problems += _check_tools(config)
    problems += _check_strategy(config)
    problems += _check_events(config)
    cuts = list(config.survey.cut_points)
    increasing = all(b > a for a, b in zip(cuts, cuts[1:], strict=False))
    if len(cuts) != 4 or not all(math.isfinite(c) for c in cuts) or not increasing:
        problems.append(f"survey.cut_points = {cuts}: expected four increasing numbers")
    return problems


def _check_shares_sum(path: str, groups: dict[str, Any]) -> list[str]:
    total = sum(g.share for g in groups.values())
    if groups and abs(total - 1.0) > SHARE_SUM_TOLERANCE:
        return [f"{path}.*.share sum to {total:.4f}: expected 1 (within {SHARE_SUM_TOLERANCE})"]
    return []


def _check_dates(config: ModelConfig) -> list[str]:
    dated = [("start_date", config.start_date)]
    dated += [
        (f"tools.{i}.rollout.go_live_date", t.rollout.go_live_date)
        for i, t in enumerate(config.tools)
    ]
    dated += [(f"events.{i}.date", e.date) for i, e in enumerate(config.events)]
    problems = []
    for path, value in dated:
        if value is None:
            continue
        try:
            parse_date(value, path)
        except ConfigError as err:
            problems.append(str(err))
    return problems


def week_of(config: ModelConfig, week: int | None, date: str | None, path: str) -> int:
    """The week of something given by ``week`` or by ``date`` (the date wins when both are set)."""
    if date is not None:
        return date_to_week(config, date, path)
    if week is None:
        raise ConfigError(f"{path}: week = None and date = None: expected a week or a date")
    return week


def _check_tools(config: ModelConfig) -> list[str]:
    problems = []
    if not config.tools:
        problems.append("tools = []: expected at least one tool")
    names = [t.name for t in config.tools]
    if len(set(names)) != len(names):
        problems.append(f"tools.*.name = {names}: expected unique names")
    for i, tool in enumerate(config.tools):
        path = f"tools.{i}.rollout"
        rollout = tool.rollout
        # A go-live date before start_date is allowed: the tool is live from week 0.
        if rollout.go_live_week is None and rollout.go_live_date is None:
            problems.append(f"{path}.go_live_week = None: expected a week, or give go_live_date")
    return problems


def check_go_live(config: ModelConfig) -> list[str]:
    """Tools that go live only after the horizon (every outcome of such a tool would be empty).

    Not part of :func:`validate_config`: a model built in code may keep a tool off on purpose;
    ``run.py`` refuses it, because on the command line it is a mistake.
    """
    problems = []
    for i, tool in enumerate(config.tools):
        rollout = tool.rollout
        key = "go_live_date" if rollout.go_live_date is not None else "go_live_week"
        path = f"tools.{i}.rollout.{key}"
        try:
            week = week_of(config, rollout.go_live_week, rollout.go_live_date, path)
        except ConfigError:  # missing or malformed: reported by validate_config
            continue
        if week >= config.weeks:
            problems.append(
                f"{path} = {getattr(rollout, key)} (week {week}): expected a week before the "
                f"horizon ({config.weeks} weeks from {config.start_date}); the tool would never "
                "be used"
            )
    return problems


def _check_strategy(config: ModelConfig) -> list[str]:
    problems = []
    modalities = config.training.modalities
    tools = {t.name for t in config.tools}
    groups = config.population.staff_groups
    for i, prog in enumerate(config.strategy.programmes):
        path = f"strategy '{config.strategy.name}': programmes.{i}"
        if prog.modality == "???":
            problems.append(
                f"{path}.modality is missing: expected one of {', '.join(modalities)} (required)"
            )
        elif prog.modality not in modalities:
            problems.append(
                f"{path}.modality = {prog.modality!r}: expected one of {', '.join(modalities)}"
            )
        for a in prog.archetypes:
            if a not in ARCHETYPES:
                problems.append(
                    f"{path}.archetypes has {a!r}: expected any of {', '.join(ARCHETYPES)}"
                )
        for g in prog.staff_groups:
            if g not in groups:
                problems.append(
                    f"{path}.staff_groups has {g!r}: expected any of {', '.join(groups)}"
                )
        if prog.target == "archetypes" and not prog.archetypes:
            problems.append(f"{path}.archetypes = []: target 'archetypes' needs at least one")
        if prog.target == "staff_groups" and not prog.staff_groups:
            problems.append(f"{path}.staff_groups = []: target 'staff_groups' needs at least one")
        if prog.tool is not None and prog.tool not in tools:
            problems.append(
                f"{path}.tool = {prog.tool!r}: expected one of {', '.join(sorted(tools))}"
            )
        if prog.start_week >= config.weeks:
            problems.append(
                f"{path}.start_week = {prog.start_week}: expected before the horizon "
                f"({config.weeks} weeks)"
            )
    problems += _check_spend_profile(config)
    problems += _check_budget_shares(config)
    return problems


def _check_budget_shares(config: ModelConfig) -> list[str]:
    """Programmes' and the audit's own budget shares may not add up to more than the budget."""
    strategy = config.strategy
    shares = [p.budget_share for p in strategy.programmes] + [strategy.audit.budget_share]
    total = sum(s for s in shares if s is not None)
    if total > 1.0 + SHARE_SUM_TOLERANCE:
        return [
            f"strategy '{strategy.name}': budget_share of the programmes and audit sum to "
            f"{total:.4f}: expected at most 1 (shares of strategy.budget_gbp)"
        ]
    return []


def _check_spend_profile(config: ModelConfig) -> list[str]:
    strategy = config.strategy
    path = f"strategy '{strategy.name}': spend_profile"
    profile = list(strategy.spend_profile)
    if strategy.pace != "profile":
        if profile:
            return [f"{path} = {profile}: only used with pace 'profile' (pace = {strategy.pace!r})"]
        return []
    if not profile or any(not math.isfinite(x) or x < 0 for x in profile):
        return [f"{path} = {profile}: expected one non-negative share per 52-week year"]
    if abs(sum(profile) - 1.0) > SHARE_SUM_TOLERANCE:
        return [f"{path} = {profile} sums to {sum(profile):.4f}: expected 1"]
    return []


def _check_events(config: ModelConfig) -> list[str]:
    problems = []
    tools = {t.name for t in config.tools}
    for i, event in enumerate(config.events):
        path = f"events.{i}"
        if (event.week is None) == (event.date is None):
            problems.append(
                f"{path}: week = {event.week}, date = {event.date}: expected exactly one"
            )
            continue
        try:
            week = week_of(config, event.week, event.date, f"{path}.date")
        except ConfigError:  # a bad date is reported by _check_dates
            week = None
        if week is not None and not 0 <= week < config.weeks:
            problems.append(
                f"{path} ({event.date or 'week ' + str(event.week)}) falls in week {week}: "
                f"expected a week from 0 to {config.weeks - 1} "
                f"(the horizon is {config.weeks} weeks from {config.start_date})"
            )
        if event.tool is not None and event.tool not in tools:
            problems.append(
                f"{path}.tool = {event.tool!r}: expected one of {', '.join(sorted(tools))}"
            )
    return problems


def as_model_config(config: ModelConfig | DictConfig | dict | None) -> ModelConfig:
    """A validated :class:`ModelConfig` from a dataclass, an OmegaConf config or a plain dict.

    Keys that are not model fields (such as a run's ``name``) are ignored.
    """
    if config is None:
        config = ModelConfig()
    elif not isinstance(config, ModelConfig):
        schema = OmegaConf.structured(ModelConfig)
        fields = set(schema.keys())
        values = (
            OmegaConf.to_container(OmegaConf.create(config), resolve=True)
            if isinstance(config, DictConfig)
            else dict(config)
        )
        merged = OmegaConf.merge(schema, {k: v for k, v in values.items() if k in fields})
        config = OmegaConf.to_object(merged)
    return validate_config(config)
