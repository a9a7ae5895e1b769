"""Settings of a training-mix optimisation (``cfg.optimise``, group ``conf/optimise/``).

``python run.py experiment=optimise_mix`` loads ``conf/optimise/standard.yaml``; ``optimise=quick``
swaps in a smoke-test budget. The search space (``optimise.space``) is parsed by
:mod:`experiments.optimise.space`; :func:`validate_settings` checks the rest and raises
:class:`~model.validation.ConfigError` naming the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from experiments.outcomes import MEASURES, OUTCOMES, measure_defined, sign_of_better
from model.params import param
from model.validation import ConfigError

SAMPLERS = ("nsga2", "tpe")
MIN_REEVALUATE = 20  # issue 9: the Pareto set is re-evaluated on >= 20 fresh replicates


@dataclass
class OptimiseConfig:
    """Budget of the search, its objectives and its search space."""

    trials: int = param(
        140, unit="candidates", low=1, doc="candidate mixes evaluated in the search"
    )
    batch_size: int = param(
        20,
        unit="candidates",
        low=2,
        doc="candidates asked together and run in parallel (NSGA-II: the population size)",
    )
    replicates: int = param(
        8, unit="seeds", low=1, doc="seeds per candidate in the search, the same for every one"
    )
    reevaluate_replicates: int = param(
        MIN_REEVALUATE,
        unit="seeds",
        low=MIN_REEVALUATE,
        doc="fresh seeds on which the Pareto set and the hand-made strategies are re-evaluated",
    )
    max_reevaluate: int = param(
        8, unit="candidates", low=1, doc="most Pareto candidates re-evaluated (best first)"
    )
    sampler: str = param("nsga2", unit="-", choices=SAMPLERS, doc="optuna sampler")
    objectives: dict[str, str] = param(
        unit="-",
        default_factory=lambda: {
            "avoidable_errors_per_1000": "time_average",
            "cumulative_cost_gbp": "cumulative",
            "cumulative_staff_hours": "cumulative",
        },
        doc="outcome -> measure; the first is the primary; directions from experiments/outcomes",
    )
    keep_search_runs: bool = param(
        False, unit="-", doc="keep the search's run files once its trials are stored"
    )
    space: dict[str, Any] = param(
        unit="-", default_factory=dict, doc="the search space (experiments/optimise/space.py)"
    )
    robust: bool = param(
        False,
        unit="-",
        doc="robust mode: each replicate is a PSA draw of the uncertain parameters (priors, and "
        "the calibrated ones from the posterior) with its own seed, so candidates are compared on "
        "their expected outcome over what is not known",
    )
    posterior: str = param(
        "conf/calibrated/uk_nhs_posterior.csv",
        unit="path",
        doc="robust mode: posterior sample of the calibrated parameters (empty = priors only)",
    )
    strategy_name: str = param(
        "optimised_mix", unit="-", doc="name written into best_strategy.yaml"
    )


def objective_directions(objectives: dict[str, str]) -> list[str]:
    """Optuna's 'minimize' / 'maximize' per objective, from each outcome's direction."""
    return ["maximize" if sign_of_better(name) > 0 else "minimize" for name in objectives]


def validate_settings(settings: Any) -> None:
    """Check ``cfg.optimise`` (the space aside); raise ConfigError naming each problem."""
    problems = []
    objectives = dict(settings.objectives)
    if not objectives:
        problems.append("optimise.objectives = {}: expected at least one outcome: measure")
    for name, measure in objectives.items():
        if name not in OUTCOMES or sign_of_better(name) == 0:
            accepted = [n for n in OUTCOMES if sign_of_better(n) != 0]
            problems.append(
                f"optimise.objectives.{name}: not an outcome with a direction; expected one of "
                f"{', '.join(accepted)}"
            )
        elif measure not in MEASURES or not measure_defined(name, measure):
            problems.append(
                f"optimise.objectives.{name} = {measure!r}: expected one of "
                f"{', '.join(m for m in MEASURES if measure_defined(name, m))}"
            )
    for key in ("trials", "batch_size", "replicates", "reevaluate_replicates", "max_reevaluate"):
        low = OptimiseConfig.__dataclass_fields__[key].metadata["low"]
        value = getattr(settings, key)
        if not isinstance(value, int) or value < low:
            problems.append(f"optimise.{key} = {value!r}: expected a whole number >= {low}")
    if settings.sampler not in SAMPLERS:
        problems.append(f"optimise.sampler = {settings.sampler!r}: expected one of {SAMPLERS}")
    if problems:
        raise ConfigError("; ".join(problems))


__all__ = ["SAMPLERS", "OptimiseConfig", "objective_directions", "validate_settings"]
