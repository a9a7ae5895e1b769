"""Settings of a sensitivity analysis (``cfg.sensitivity``) and their validation.

Budgets live in ``conf/sensitivity/<name>.yaml`` (``standard``, ``quick``); the experiment
(``conf/experiment/sensitivity.yaml``) switches the analysis on. :func:`validate_sensitivity`
checks every value and raises :class:`~model.validation.ConfigError` naming the key.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from model.params import param
from model.validation import ConfigError

DEFAULT_INCLUDE = (
    "population.",
    "tools.0.",
    "behaviour.",
    "training.",
    "strategy.audit.",
    "audit.",
)


@dataclass
class SensitivityConfig:
    """A Morris screening then a Sobol analysis of the strongest parameters (off by default)."""

    enabled: bool = param(False, unit="-", doc="run the sensitivity analysis (experiment)")
    strategy: str | None = param(
        None,
        unit="-",
        doc="strategy compared with experiment.baseline (None: the best on the primary outcome "
        "at the prior medians, among experiment.scenarios)",
    )
    include: list[str] = param(
        unit="-",
        default_factory=lambda: list(DEFAULT_INCLUDE),
        doc="path prefixes of the prior parameters (data/evidence/parameters.csv) to screen",
    )
    skip_unused: bool = param(
        True,
        unit="-",
        doc="leave out parameters neither compared strategy reads: modalities they do not "
        "teach, audit settings when nobody audits",
    )
    n_workers: int = param(
        2000, unit="workers", low=10, doc="workforce size of every run (overrides population)"
    )
    quantile_range: float = param(
        0.025,
        unit="quantile",
        low=0.0001,
        high=0.25,
        doc="each parameter varies between these quantiles of its prior (q to 1 - q)",
    )
    replicates: int = param(
        2,
        unit="seeds per design point",
        low=1,
        doc="replicates at every design point (the same seeds at every point), averaged",
    )
    median_replicates: int = param(
        8,
        unit="seeds",
        low=2,
        doc="replicates of every strategy at the prior medians (best strategy, noise level)",
    )
    morris_trajectories: int = param(6, unit="trajectories", low=2, doc="Morris r")
    morris_levels: int = param(4, unit="levels", low=2, doc="Morris grid levels (even)")
    sobol_top: int = param(6, unit="parameters", low=1, doc="parameters taken on to Sobol")
    sobol_samples: int = param(
        64, unit="base samples", low=2, doc="Saltelli N (power of 2): N (k + 2) design points"
    )
    bootstrap_resamples: int = param(
        1000, unit="resamples", low=10, doc="bootstrap resamples of the index intervals"
    )


def validate_sensitivity(settings: Any, scenarios: Any, baseline: str | None) -> None:
    """Check every setting; raise ConfigError naming each bad key and what is accepted.

    Args:
        settings: ``cfg.sensitivity`` (a DictConfig or a :class:`SensitivityConfig`).
        scenarios: Names of the experiment's scenarios (``cfg.experiment.scenarios``).
        baseline: ``cfg.experiment.baseline``.
    """
    problems = []
    for f in dataclasses.fields(SensitivityConfig):
        value, meta = getattr(settings, f.name), f.metadata
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        low, high = meta.get("low"), meta.get("high")
        if math.isnan(value) or (low is not None and value < low):
            problems.append(f"sensitivity.{f.name} = {value}: expected a value >= {low:g}")
        elif high is not None and value > high:
            problems.append(f"sensitivity.{f.name} = {value}: expected a value <= {high:g}")
    samples = settings.sobol_samples
    if samples >= 2 and samples & (samples - 1):
        problems.append(
            f"sensitivity.sobol_samples = {samples}: expected a power of 2 (Saltelli design)"
        )
    if settings.morris_levels % 2:
        problems.append(
            f"sensitivity.morris_levels = {settings.morris_levels}: expected an even number"
        )
    names = list(scenarios or [])
    if baseline is None or baseline not in names:
        problems.append(
            f"experiment.baseline = {baseline!r}: expected one of the scenarios "
            f"{', '.join(names) or '(none)'}"
        )
    strategy = settings.strategy
    if strategy is not None and (strategy not in names or strategy == baseline):
        others = [n for n in names if n != baseline]
        problems.append(
            f"sensitivity.strategy = {strategy!r}: expected None (the best at the prior medians) "
            f"or one of {', '.join(others) or '(no scenarios)'}"
        )
    if not list(settings.include):
        problems.append("sensitivity.include is empty: expected path prefixes such as behaviour.")
    if problems:
        raise ConfigError("; ".join(problems))
