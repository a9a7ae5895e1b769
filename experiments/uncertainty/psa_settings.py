"""Settings of a probabilistic sensitivity analysis (``cfg.psa``, group ``conf/psa/``).

``python run.py experiment=psa`` loads ``conf/psa/standard.yaml``; ``psa=quick`` swaps in a small
smoke-test budget. Every value can be overridden (``psa.draws=50``). :func:`validate_psa` checks
them and raises :class:`~model.validation.ConfigError` naming the key.
"""

from __future__ import annotations

from dataclasses import dataclass

from model.params import param
from model.validation import ConfigError

EFFECTS = ("errors_averted", "appropriate_worker_years")
"""Effect measures of the net benefit: avoidable errors averted over the horizon, and extra
appropriately-confident worker-years, each against no training on the same draw."""


@dataclass
class PsaConfig:
    """Draws, strategies, willingness-to-pay grids and parameter groups of a PSA."""

    draws: int = param(200, unit="draws", low=2, doc="parameter draws (each runs every strategy)")
    strategies: list[str] = param(
        unit="-",
        default_factory=list,
        doc="scenarios of experiment.scenarios to run (empty = all); must include the baseline",
    )
    posterior: str = param(
        "conf/calibrated/uk_nhs_posterior.csv",
        unit="path",
        doc="weighted posterior sample of the calibrated parameters (columns = config paths); "
        "empty = sample every parameter from its prior",
    )
    wtp_max_gbp: dict[str, float] = param(
        unit="GBP per unit of effect",
        default_factory=lambda: {"errors_averted": 2000.0, "appropriate_worker_years": 1000.0},
        doc="upper end of the willingness-to-pay grid, per effect measure",
    )
    wtp_points: int = param(81, unit="points", low=2, doc="points of each willingness-to-pay grid")
    reference_wtp_gbp: dict[str, float] = param(
        unit="GBP per unit of effect",
        default_factory=lambda: {"errors_averted": 500.0, "appropriate_worker_years": 250.0},
        doc="willingness to pay at which the report states the decision (an assumption: a "
        "planner's value judgement, not a sourced price)",
    )
    parameter_groups: dict[str, list[str]] = param(
        unit="-",
        default_factory=dict,
        doc="EVPPI groups: name -> fnmatch patterns of parameter paths; first match wins, the "
        "rest fall in 'other'",
    )


def validate_psa(psa: PsaConfig, scenarios: list[str], baseline: str | None) -> None:
    """Check a PSA's settings against the experiment; raise ConfigError naming each problem.

    Args:
        psa: ``cfg.psa``.
        scenarios: Names of ``cfg.experiment.scenarios``.
        baseline: ``cfg.experiment.baseline`` (the comparator of the net benefit).
    """
    problems = []
    if baseline is None or baseline not in scenarios:
        problems.append(
            f"experiment.baseline = {baseline!r}: expected one of {', '.join(scenarios)}"
        )
    unknown = [s for s in psa.strategies if s not in scenarios]
    if unknown:
        problems.append(
            f"psa.strategies has {', '.join(unknown)}: expected names of experiment.scenarios "
            f"({', '.join(scenarios)})"
        )
    if psa.strategies and baseline not in psa.strategies:
        problems.append(f"psa.strategies: expected it to include the baseline {baseline!r}")
    if len(psa.strategies or scenarios) < 2:
        problems.append("psa.strategies: expected at least two strategies to compare")
    for key in ("wtp_max_gbp", "reference_wtp_gbp"):
        values = dict(getattr(psa, key))
        if set(values) != set(EFFECTS) or any(float(v) <= 0 for v in values.values()):
            problems.append(
                f"psa.{key} = {values}: expected a positive value for each of {', '.join(EFFECTS)}"
            )
    if problems:
        raise ConfigError("; ".join(problems))


__all__ = ["EFFECTS", "PsaConfig", "validate_psa"]
