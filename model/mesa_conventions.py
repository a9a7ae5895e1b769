"""What Mesa users expect of a model: keyword parameters, ``rng``, a DataCollector, ``running``.

``WorkforceModel(config=None, *, rng=None, **overrides)`` takes model parameters as keywords, so
``mesa.batch_run(WorkforceModel, parameters={"n_workers": [300, 400]}, ...)`` works:

- **overrides** are dotted config paths (``**{"tools.0.reliability": 0.7}``), nested dicts
  (``population={"n_workers": 500}``) or one of the short :data:`ALIASES`
  (``n_workers=500, reliability=0.7``);
- **seed**: ``rng`` (an int) seeds the run; without it a model built from a config uses the
  config's ``seed`` (so runs from YAML reproduce), and a model built from keywords alone, as
  ``batch_run`` builds them, draws a fresh seed (Mesa's convention for ``rng=None``). The seed
  used is always recorded in ``model.config.seed``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from model.config import ModelConfig
from model.validation import ConfigError

ALIASES: dict[str, str] = {
    "n_workers": "population.n_workers",
    "department_size": "population.department_size",
    "team_size": "population.team_size",
    "reliability": "tools.0.reliability",
    "cases_per_week": "tools.0.cases_per_week",
    "error_salience": "tools.0.error_salience",
    "automation_bias": "behaviour.automation_bias",
    "adoption_rate": "behaviour.adoption_rate",
    "social_proof": "behaviour.social_proof",
    "accountability": "behaviour.accountability",
    "budget_gbp": "strategy.budget_gbp",
    "audit_coverage": "audit.coverage",
}
"""Short keyword names for the parameters varied most often, and the config path of each."""

REPORTED = (
    "adoption_share",
    "mean_trust",
    "appropriate_share",
    "over_trust_share",
    "under_trust_share",
    "automation_bias_errors_per_1000",
    "aversion_errors_per_1000",
    "avoidable_errors_per_1000",
    "decision_accuracy",
    "trained_share",
    "cumulative_cost_gbp",
)
"""Outcomes the model's DataCollector reports each week (read from the week's outcome row)."""

_ABSENT = object()


def with_overrides(config: ModelConfig, overrides: dict[str, Any]) -> ModelConfig:
    """A copy of ``config`` with keyword overrides (dotted paths, nested dicts or aliases).

    Raises:
        ConfigError: an override names no config field (the message lists the aliases), or its
            value has the wrong type.
    """
    if not overrides:
        return config
    merged = OmegaConf.structured(config)
    for key, value in overrides.items():
        path = ALIASES.get(key, key)
        if OmegaConf.select(merged, path, default=_ABSENT) is _ABSENT:
            raise ConfigError(
                f"WorkforceModel({key}=...): no such parameter; give a dotted config path "
                f"(e.g. 'tools.0.reliability') or one of {', '.join(sorted(ALIASES))}"
            )
        try:
            OmegaConf.update(merged, path, value, merge=isinstance(value, dict))
        except OmegaConfBaseException as error:
            message = str(error.msg).splitlines()[0]
            raise ConfigError(f"WorkforceModel({key}={value!r}): {message}") from None
    return OmegaConf.to_object(merged)


def resolve_seed(rng: Any, config_given: bool, seed_given: bool, config_seed: int) -> int:
    """The run's seed.

    ``rng`` if given; else the config's when the caller gave a config or a seed; else a fresh
    one (Mesa's ``rng=None``).
    """
    if rng is not None:
        if isinstance(rng, np.random.SeedSequence):
            return int(rng.generate_state(1)[0])
        if isinstance(rng, int | np.integer):
            return int(rng)
        raise ConfigError(f"rng = {rng!r}: expected an integer seed or None (a fresh seed)")
    if config_given or seed_given:
        return int(config_seed)
    return int(np.random.SeedSequence().generate_state(1)[0])
