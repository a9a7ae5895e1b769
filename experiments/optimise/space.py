"""The search space of a training-mix optimisation, declared in YAML (``optimise.space``).

A space has candidate programmes (each a modality with a target rule) and optionally the strategy's
audit; for each, whether it is included, its weight in the split of the budget, and any programme
field (coverage, start week, refresher interval, weekly capacity); plus the strategy's pace and,
optionally, its total budget. Each searchable value is written as

- a plain value: fixed (``coverage: 0.8``);
- ``{low: 0.2, high: 1.0, step: 0.05}``: a range (whole numbers for weeks; ``step`` optional;
  ``log: true`` for a log scale);
- ``{choices: [null, 26, 52]}``: one of a list.

Every fault raises :class:`~model.validation.ConfigError` with one line naming the key
(``optimise.space.programmes.<name>.<field>``), the value and what is accepted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from model.config import AuditConfig, ProgrammeConfig
from model.education_config import TARGET_RULES
from model.validation import ConfigError

ROOT = "optimise.space"
PACES = ("asap", "even")  # 'profile' needs a spend_profile, which the space does not search
INT_FIELDS = ("start_week", "refresher_weeks", "period_weeks", "window_weeks")
FLOAT_FIELDS = ("share", "coverage", "weekly_capacity", "budget_gbp")
PROGRAMME_SEARCHABLE = ("include", "share", "coverage", "start_week", "refresher_weeks")
PROGRAMME_SEARCHABLE += ("weekly_capacity",)
PROGRAMME_FIXED = ("modality", "target", "archetypes", "staff_groups", "tool", "window_weeks")
AUDIT_SEARCHABLE = ("include", "share", "coverage", "period_weeks", "start_week")
TOP_KEYS = ("budget_gbp", "pace", "programmes", "audit")
DEFAULTS = {"include": {"choices": [True, False]}, "share": {"low": 0.0, "high": 1.0}}
BOUNDS = {"share": (0.0, 1.0), "budget_gbp": (0.0, None)}


@dataclass(frozen=True)
class Dimension:
    """One searchable (or fixed) value of the space.

    Attributes:
        key: The optuna parameter name (``<programme>.<field>``, ``audit.<field>``, ``pace``).
        kind: ``fixed``, ``float``, ``int`` or ``choice``.
        value: The fixed value.
        low: Lower end of a range.
        high: Upper end of a range.
        step: Step of a range (None = continuous for floats, 1 for whole numbers).
        log: A log-scale range.
        choices: The values of a choice.
    """

    key: str
    kind: str
    value: Any = None
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()

    def suggest(self, trial: Any) -> Any:
        """This dimension's value for an optuna trial (``trial.suggest_*``)."""
        if self.kind == "fixed":
            return self.value
        if self.kind == "choice":
            return trial.suggest_categorical(self.key, list(self.choices))
        if self.kind == "int":
            step = int(self.step or 1)
            low, high = int(self.low), int(self.high)
            return trial.suggest_int(self.key, low, high, step=step, log=self.log)
        return trial.suggest_float(self.key, self.low, self.high, step=self.step, log=self.log)

    def value_of(self, params: Mapping[str, Any]) -> Any:
        """This dimension's value in a trial's ``params`` (the fixed value if not searched)."""
        return self.value if self.kind == "fixed" else params[self.key]


@dataclass(frozen=True)
class Candidate:
    """A candidate programme (or the audit): fixed fields and searchable dimensions."""

    name: str
    fixed: dict[str, Any]
    dims: dict[str, Dimension]


@dataclass(frozen=True)
class SearchSpace:
    """The parsed space: programmes in schedule order, the audit, the pace and the budget."""

    programmes: tuple[Candidate, ...]
    audit: Candidate | None
    pace: Dimension
    budget_gbp: Dimension

    def dimensions(self) -> list[Dimension]:
        """Every dimension, in a fixed order (the order parameters are suggested)."""
        dims = [self.budget_gbp, self.pace]
        for candidate in (*self.programmes, *([self.audit] if self.audit else [])):
            dims += list(candidate.dims.values())
        return dims

    def searched(self) -> list[Dimension]:
        """The dimensions that are searched (not fixed)."""
        return [d for d in self.dimensions() if d.kind != "fixed"]

    def suggest(self, trial: Any) -> dict[str, Any]:
        """Suggest every searched value for ``trial``; returns the trial's params."""
        return {d.key: d.suggest(trial) for d in self.searched()}


def _fail(path: str, value: Any, expected: str) -> ConfigError:
    return ConfigError(f"{path} = {value!r}: expected {expected}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _field_bounds(name: str) -> tuple[float | None, float | None]:
    if name in BOUNDS:
        return BOUNDS[name]
    for config in (ProgrammeConfig, AuditConfig):
        fields = {f.name: f for f in dataclasses.fields(config)}
        if name in fields:
            return fields[name].metadata.get("low"), fields[name].metadata.get("high")
    return None, None


def _check_scalar(path: str, name: str, value: Any) -> None:
    """A fixed value or a choice of field ``name`` has the right type and range."""
    if name == "include":
        if not isinstance(value, bool):
            raise _fail(path, value, "true or false")
        return
    if name == "pace":
        if value not in PACES:
            raise _fail(path, value, f"one of {', '.join(PACES)}")
        return
    if value is None and name in ("refresher_weeks", "budget_gbp"):
        return
    if name in INT_FIELDS and not (isinstance(value, int) and not isinstance(value, bool)):
        or_null = " or null" if name == "refresher_weeks" else ""
        raise _fail(path, value, f"a whole number of weeks{or_null}")
    if name in FLOAT_FIELDS and not _is_number(value):
        raise _fail(path, value, "a number")
    low, high = _field_bounds(name)
    if (low is not None and value < low) or (high is not None and value > high):
        accepted = f"a value from {low:g}" + (f" to {high:g}" if high is not None else " up")
        raise _fail(path, value, accepted)


def parse_dimension(path: str, key: str, name: str, spec: Any) -> Dimension:
    """A dimension from its YAML ``spec`` (module docstring); ``name`` is the field's name."""
    if not isinstance(spec, Mapping):
        _check_scalar(path, name, spec)
        return Dimension(key, "fixed", value=spec)
    spec = dict(spec)
    if set(spec) == {"choices"}:
        choices = spec["choices"]
        if not isinstance(choices, list | tuple) or not choices:
            raise _fail(f"{path}.choices", choices, "a non-empty list of values")
        for i, choice in enumerate(choices):
            _check_scalar(f"{path}.choices.{i}", name, choice)
        return Dimension(key, "choice", choices=tuple(choices))
    unknown = sorted(set(spec) - {"low", "high", "step", "log"})
    if unknown or not {"low", "high"} <= set(spec):
        raise _fail(path, spec, "a value, {low: .., high: .., step: ..} or {choices: [..]}")
    if name in ("include", "pace"):
        raise _fail(path, spec, "a fixed value or {choices: [..]} (not a range)")
    low, high, step = spec["low"], spec["high"], spec.get("step")
    for part, value in (("low", low), ("high", high)):
        _check_scalar(f"{path}.{part}", name, value)
    if not low < high:
        raise _fail(f"{path}.high", high, f"a value above low ({low})")
    if step is not None and (not _is_number(step) or step <= 0 or step > high - low):
        raise _fail(f"{path}.step", step, f"a positive number up to high - low ({high - low:g})")
    log = bool(spec.get("log", False))
    if log and low <= 0:
        raise _fail(f"{path}.low", low, "a positive value on a log scale")
    kind = "int" if name in INT_FIELDS else "float"
    if kind == "int" and step is not None and not isinstance(step, int):
        raise _fail(f"{path}.step", step, "a whole number of weeks")
    return Dimension(key, kind, low=low, high=high, step=step, log=log)


def _parse_candidate(
    path: str, name: str, spec: Any, searchable: tuple[str, ...], fixed_keys: tuple[str, ...]
) -> Candidate:
    if not isinstance(spec, Mapping):
        raise _fail(path, spec, "a mapping of the programme's fields")
    unknown = sorted(set(spec) - set(searchable) - set(fixed_keys))
    if unknown:
        accepted = ", ".join((*fixed_keys, *searchable))
        raise ConfigError(f"{path}.{unknown[0]}: unknown key; expected one of {accepted}")
    values = {**DEFAULTS, **dict(spec)}
    dims = {
        field: parse_dimension(f"{path}.{field}", f"{name}.{field}", field, values[field])
        for field in searchable
        if field in values
    }
    fixed = {k: spec[k] for k in fixed_keys if k in spec}
    return Candidate(name, fixed, dims)


def _check_programme(path: str, candidate: Candidate, modalities: list[str]) -> None:
    modality = candidate.fixed.get("modality")
    if modality is None:
        raise ConfigError(f"{path}.modality is missing: expected one of {', '.join(modalities)}")
    if modality not in modalities:
        raise _fail(f"{path}.modality", modality, f"one of {', '.join(modalities)}")
    target = candidate.fixed.get("target", "all")
    if target not in TARGET_RULES:
        raise _fail(f"{path}.target", target, f"one of {', '.join(TARGET_RULES)}")
    for key in ("archetypes", "staff_groups"):
        value = candidate.fixed.get(key, [])
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise _fail(f"{path}.{key}", value, "a list of names")
    if "window_weeks" in candidate.fixed:
        _check_scalar(f"{path}.window_weeks", "window_weeks", candidate.fixed["window_weeks"])


def parse_space(space: Mapping[str, Any] | None, modalities: list[str]) -> SearchSpace:
    """Parse ``optimise.space``; raise ConfigError with one line naming the key at fault.

    Args:
        space: The ``optimise.space`` mapping (plain values, as from YAML).
        modalities: Names of ``training.modalities`` a programme may use.
    """
    space = dict(space or {})
    unknown = sorted(set(space) - set(TOP_KEYS))
    if unknown:
        raise ConfigError(
            f"{ROOT}.{unknown[0]}: unknown key; expected one of {', '.join(TOP_KEYS)}"
        )
    programmes = space.get("programmes") or {}
    if not isinstance(programmes, Mapping) or not programmes:
        raise _fail(f"{ROOT}.programmes", programmes, "a mapping of candidate programmes by name")
    parsed = []
    for name, spec in programmes.items():
        path = f"{ROOT}.programmes.{name}"
        if name == "audit" or "." in str(name):
            raise _fail(path, name, "a programme name without '.' other than 'audit'")
        candidate = _parse_candidate(path, str(name), spec, PROGRAMME_SEARCHABLE, PROGRAMME_FIXED)
        _check_programme(path, candidate, modalities)
        parsed.append(candidate)
    audit = None
    if space.get("audit") is not None:
        audit = _parse_candidate(f"{ROOT}.audit", "audit", space["audit"], AUDIT_SEARCHABLE, ())
    pace = parse_dimension(f"{ROOT}.pace", "pace", "pace", space.get("pace", "even"))
    budget = parse_dimension(
        f"{ROOT}.budget_gbp", "budget_gbp", "budget_gbp", space.get("budget_gbp")
    )
    return SearchSpace(tuple(parsed), audit, pace, budget)


def check_budget_constraint(space: SearchSpace, budget_gbp: float) -> None:
    """The budget constraint: a searched or fixed total may not exceed ``strategy.budget_gbp``."""
    dim = space.budget_gbp
    top = dim.value if dim.kind == "fixed" else dim.high
    if dim.kind == "choice":
        top = max(c for c in dim.choices if c is not None)
    if top is not None and top > budget_gbp:
        accepted = f"at most strategy.budget_gbp ({budget_gbp:,.0f} GBP, the constraint)"
        raise _fail(f"{ROOT}.budget_gbp", top, accepted)


def check_optimise(cfg: Any) -> SearchSpace:
    """``cfg.optimise`` checked (settings, space, budget constraint); returns the parsed space.

    Called before Hydra starts (experiments/preflight.py) and by the pipeline.
    """
    from omegaconf import OmegaConf

    from experiments.optimise.settings import validate_settings

    validate_settings(cfg.optimise)
    space = OmegaConf.to_container(cfg.optimise.space, resolve=True)
    parsed = parse_space(space, list(cfg.training.modalities))
    check_budget_constraint(parsed, float(cfg.strategy.budget_gbp))
    check_start_weeks(parsed, int(cfg.weeks))
    return parsed


def check_start_weeks(space: SearchSpace, weeks: int) -> None:
    """Every programme's (or the audit's) start week lies before the horizon."""
    for candidate in (*space.programmes, *([space.audit] if space.audit else [])):
        dim = candidate.dims.get("start_week")
        if dim is None:
            continue
        where = "programmes." + candidate.name if candidate.name != "audit" else "audit"
        path, latest = f"{ROOT}.{where}.start_week", dim.value
        if dim.kind in ("int", "float"):
            path, latest = f"{path}.high", dim.high
        elif dim.kind == "choice":
            latest = max(dim.choices)
        if latest is not None and latest >= weeks:
            raise _fail(path, latest, f"a week before the horizon ({weeks} weeks)")


__all__ = [
    "Candidate",
    "Dimension",
    "SearchSpace",
    "check_budget_constraint",
    "check_optimise",
    "parse_space",
]
