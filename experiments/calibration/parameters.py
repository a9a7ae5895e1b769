"""The parameters a calibration fits: config keys, uniform priors, and how they reach the model.

A parameter set is a YAML file in ``conf/calibration/params/``::

    name: quick
    description: what the set is for
    parameters:
      - name: user_initial_trust                       # a short snake_case name
        key: population.archetypes.user.initial_trust  # dotted path in the model config
        low: 0.3                                       # uniform prior, lower bound
        high: 0.7                                      # uniform prior, upper bound
        unit: trust (0-1)
        reasoning: why this parameter, why this range, which figures inform it

:func:`apply_overrides` sets parameter values on a :class:`~model.config.ModelConfig` by key
(list entries by index, e.g. ``tools.1.reliability``) and validates the result; a key that is
not a numeric config field is a :class:`~model.validation.ConfigError` naming the key.

Keys under ``likelihood.`` (:data:`LIKELIHOOD_KEYS`) are not model settings but parameters of
how the published figures vary around the model: ``likelihood.dispersion`` and
``likelihood.wording_dispersion`` are the two components of the survey error model
(:mod:`experiments.calibration.survey_error`, each 0 to below 1). :func:`configure` splits a set
of values into the model config and the survey error.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from experiments.calibration.survey_error import LIKELIHOOD_KEYS, SurveyError
from model.config import ModelConfig
from model.validation import ConfigError, validate_config

REPO_ROOT = Path(__file__).resolve().parents[2]
PARAMS_DIR = REPO_ROOT / "conf" / "calibration" / "params"
TARGETS_DIR = REPO_ROOT / "conf" / "calibration" / "targets"
SET_KEYS = ("name", "description", "parameters")
PARAMETER_KEYS = ("name", "key", "low", "high", "unit", "reasoning")
_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class ParameterSpec:
    """One fitted parameter: where it lives in the config and its uniform prior."""

    name: str
    key: str
    low: float
    high: float
    unit: str
    reasoning: str

    @property
    def width(self) -> float:
        """Width of the prior range."""
        return self.high - self.low


def resolve(name_or_path: str, folder: Path) -> Path:
    """A YAML file by name (``folder/<name>.yaml``) or by path; ConfigError if it is missing."""
    candidate = Path(name_or_path)
    path = candidate if candidate.suffix in (".yaml", ".yml") else folder / f"{name_or_path}.yaml"
    if not path.is_absolute() and not path.exists():
        path = REPO_ROOT / path
    if not path.exists():
        options = ", ".join(sorted(p.stem for p in folder.glob("*.yaml")))
        raise ConfigError(f"{name_or_path!r}: no such file {path}; expected one of {options}")
    return path


def load_parameter_set(name_or_path: str, base: ModelConfig | None = None) -> list[ParameterSpec]:
    """A parameter set, checked: its keys exist in ``base`` and its priors fit the fields."""
    path = resolve(name_or_path, PARAMS_DIR)
    where = f"calibration.params = {name_or_path!r} ({path})"
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(spec, dict) or not isinstance(spec.get("parameters"), list):
        raise ConfigError(f"{where}: expected a mapping with a list 'parameters'")
    problems = [
        f"{key}: unknown key; expected {', '.join(SET_KEYS)}" for key in spec if key not in SET_KEYS
    ]
    params = []
    for i, entry in enumerate(spec["parameters"]):
        at = f"parameters.{i}"
        if not isinstance(entry, dict):
            problems.append(f"{at}: expected a mapping with keys {', '.join(PARAMETER_KEYS)}")
            continue
        problems += [f"{at}.{k}: unknown key" for k in entry if k not in PARAMETER_KEYS]
        missing = [k for k in PARAMETER_KEYS if k not in entry]
        if missing:
            problems.append(f"{at}: missing {', '.join(missing)}")
            continue
        if not _NAME.fullmatch(str(entry["name"])):
            problems.append(f"{at}.name = {entry['name']!r}: expected a snake_case name")
        try:
            low, high = float(entry["low"]), float(entry["high"])
        except (TypeError, ValueError):
            problems.append(
                f"{at}: low, high = {entry['low']!r}, {entry['high']!r}: expected numbers"
            )
            continue
        if not low < high:
            problems.append(f"{at}: low = {low}, high = {high}: expected low < high")
        params.append(
            ParameterSpec(
                str(entry["name"]),
                str(entry["key"]),
                low,
                high,
                str(entry["unit"]),
                str(entry["reasoning"]).strip(),
            )
        )
    names = [p.name for p in params]
    problems += [
        f"name {n!r} used twice; expected unique names" for n in set(names) if names.count(n) > 1
    ]
    if not params and not problems:
        problems.append("parameters = []: expected at least one parameter")
    if problems:
        raise ConfigError(f"{where}:\n  " + "\n  ".join(problems))
    for p in params:
        if p.key.startswith("likelihood.") and p.key not in LIKELIHOOD_KEYS:
            raise ConfigError(
                f"{where}: key {p.key!r}: expected one of {', '.join(LIKELIHOOD_KEYS)}"
            )
        if p.key in LIKELIHOOD_KEYS and not 0.0 <= p.low < p.high < 1.0:
            raise ConfigError(
                f"{where}: {p.key} prior {p.low} to {p.high}: expected 0 <= low < high < 1"
            )
    if base is not None:
        for p in params:
            if p.key in LIKELIHOOD_KEYS:
                continue
            # Both ends of the prior must give a valid config (names the key if not).
            apply_overrides(base, {p.key: p.low})
            apply_overrides(base, {p.key: p.high})
    return params


def configure(base: ModelConfig, values: Mapping[str, float]) -> tuple[ModelConfig, SurveyError]:
    """The model config with the values of model keys set, and the survey error (0 if unset).

    Args:
        base: The config to start from.
        values: Config key -> value (model keys and :data:`LIKELIHOOD_KEYS`).
    """
    model_values = {k: v for k, v in values.items() if k not in LIKELIHOOD_KEYS}
    return apply_overrides(base, model_values), SurveyError.of_values(values)


def _child(node: Any, part: str, key: str) -> tuple[Any, Any]:
    """The child ``part`` of a config node and the accessor (index or name) to set it."""
    if isinstance(node, list):
        if not part.isdigit() or int(part) >= len(node):
            raise ConfigError(f"{key}: {part!r} is not an index of a list of {len(node)}")
        return node[int(part)], int(part)
    if isinstance(node, dict):
        if part not in node:
            raise ConfigError(f"{key}: {part!r} is not one of {', '.join(map(str, node))}")
        return node[part], part
    if dataclasses.is_dataclass(node):
        names = [f.name for f in dataclasses.fields(node)]
        if part not in names:
            raise ConfigError(
                f"{key}: {part!r} is not a config field here; expected {', '.join(names)}"
            )
        return getattr(node, part), part
    raise ConfigError(f"{key}: {part!r} is inside a value, not a config section")


def apply_overrides(config: ModelConfig, values: Mapping[str, float]) -> ModelConfig:
    """A validated copy of ``config`` with each dotted ``key`` set to its value.

    Integer fields take the value rounded; only numeric (not boolean) fields can be set.
    """
    config = copy.deepcopy(config)
    for key, value in values.items():
        where = f"calibration parameter key {key!r}"
        parts = key.split(".")
        node = config
        try:
            for part in parts[:-1]:
                node, _ = _child(node, part, key)
            old, accessor = _child(node, parts[-1], key)
        except ConfigError as error:
            raise ConfigError(f"{where}: no such config field ({error})") from None
        if isinstance(old, bool) or not isinstance(old, int | float):
            raise ConfigError(f"{where}: holds {old!r}; expected a numeric config field")
        new = int(round(value)) if isinstance(old, int) else float(value)
        if isinstance(node, list | dict):
            node[accessor] = new
        else:
            setattr(node, accessor, new)
    try:
        return validate_config(config)
    except ConfigError as error:
        raise ConfigError(f"calibration values {dict(values)}: {error}") from None


def config_value(config: ModelConfig, key: str) -> float:
    """The value at a dotted key (ConfigError naming the key if there is none).

    Likelihood keys have no value in the model: 0 (binomial surveys, no dispersion).
    """
    if key in LIKELIHOOD_KEYS:
        return 0.0
    node: Any = config
    for part in key.split("."):
        try:
            node, _ = _child(node, part, key)
        except ConfigError as error:
            raise ConfigError(
                f"calibration parameter key {key!r}: no such config field ({error})"
            ) from None
    return float(node)
