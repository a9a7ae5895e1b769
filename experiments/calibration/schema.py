"""Settings of a calibration run (``cfg.calibration``): what to fit, to which data, how hard.

The parameters to fit and their priors live in ``conf/calibration/params/<name>.yaml`` and the
survey figures in ``conf/calibration/targets/<name>.yaml``; this schema only names them and sets
the method (ABC-SMC or a point estimate), the task (fit, parameter recovery, held-out
validation) and the simulation budget. :func:`validate_calibration` checks every value and
raises :class:`~model.validation.ConfigError` naming the key.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from pathlib import Path

from omegaconf import OmegaConf

from model.params import fraction, param
from model.validation import ConfigError, parse_date

OmegaConf.register_new_resolver("stem", lambda path: Path(str(path)).stem, replace=True)
"""``${stem:<path or name>}``: the file name without folder and suffix (a name stays itself)."""

PUBLISHABLE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
MODES = ("off", "abc", "point")
TASKS = ("fit", "recovery", "validate")
STRENGTHS = ("close", "partial", "weak")


@dataclass
class CalibrationConfig:
    """A calibration: method, task, data, parameter set and budget (off unless ``mode`` is set)."""

    mode: str = param(
        "off",
        unit="-",
        choices=MODES,
        doc="off (run the model or experiment), abc (ABC-SMC posterior), point (optuna estimate)",
    )
    task: str = param(
        "fit",
        unit="-",
        choices=TASKS,
        doc="fit (the survey figures), recovery (synthetic figures from the config's values), "
        "validate (fit earlier waves, predict later ones)",
    )
    targets: str = param(
        "uk_nhs", unit="-", doc="survey targets: a name in conf/calibration/targets or a path"
    )
    params: str = param(
        "default", unit="-", doc="parameters to fit: a name in conf/calibration/params or a path"
    )
    strengths: list[str] = param(
        unit="-",
        default_factory=lambda: list(STRENGTHS),
        doc="use figures whose question reads the model quantity this closely",
    )
    exclude_figures: list[str] = param(
        unit="-", default_factory=list, doc="figure ids to leave out of the fit"
    )
    population_size: int = param(200, unit="particles", low=2, doc="ABC particles per generation")
    max_generations: int = param(8, unit="generations", low=1, doc="ABC: stop after this many")
    min_epsilon: float = param(
        0.0, unit="distance", low=0.0, doc="ABC: stop when the threshold falls to this"
    )
    max_simulations: int = param(
        3000, unit="simulations", low=1, doc="ABC: stop after a generation that reaches this total"
    )
    max_walltime_minutes: float = param(
        60.0,
        unit="minutes",
        low=0.0,
        doc="ABC: a safety limit only (the budget is generations and simulations): stop after "
        "a generation that ends past this, reported loudly as a fit cut short",
    )
    epsilon_quantile: float = param(
        0.5,
        unit="quantile",
        low=0.01,
        high=1.0,
        doc="ABC: next threshold = this weighted quantile of the accepted distances",
    )
    point_trials: int = param(60, unit="trials", low=1, doc="point: optuna trials")
    point_seeds: int = param(
        3, unit="seeds", low=1, doc="point: simulations per trial (the same seeds in every trial)"
    )
    predictive_draws: int = param(
        60, unit="simulations", low=1, doc="posterior predictive: particles re-simulated"
    )
    predictive_every_weeks: int = param(
        4, unit="weeks", low=1, doc="posterior predictive: spacing of the band over time"
    )
    noise_replicates: int = param(
        20,
        unit="simulations",
        low=2,
        doc="simulation noise: simulations at the posterior mean with different seeds",
    )
    predictive_workers: int | None = param(
        None,
        unit="workers",
        low=1,
        doc="workforce size of the posterior predictive and simulation-noise runs (None: the "
        "fit's population.n_workers). Larger than the fit's so that the intervals carry the "
        "survey's sampling error rather than a small model workforce's luck: the real "
        "workforce is 1.4 million, so a small model's own noise is an artefact of its size",
    )
    holdout_from: str | None = param(
        "2024-01-01", unit="ISO date", doc="validate: figures with fieldwork mid on or after it"
    )
    identified_ratio: float = fraction(
        0.5,
        doc="a parameter whose 90% interval spans more than this share of its prior range is "
        "reported as not identified by these data",
    )
    oversample: dict[str, float] = param(
        unit="factor",
        default_factory=dict,
        doc="staff group -> factor (+calibration.oversample.medical=4): simulate that many times "
        "its share of workers (stratified "
        "oversampling; all-staff answers are reweighted to the true shares). Lowers the "
        "simulation noise of the group's figures, but teams then hold more of the group than "
        "in reality (an approximation of the network)",
    )
    publish_as: str | None = param(
        None,
        unit="-",
        doc="also write the calibrated values to <publish_dir>/<name>.yaml (+calibrated=<name>)",
    )
    publish_dir: str = param(
        "conf/calibrated", unit="path", doc="where publish_as goes (relative: to the repository)"
    )


def validate_calibration(calibration: CalibrationConfig) -> CalibrationConfig:
    """Check ranges and choices of every field; raise ConfigError naming each problem."""
    problems = []
    for f in dataclasses.fields(calibration):
        value, meta = getattr(calibration, f.name), f.metadata
        path = f"calibration.{f.name}"
        if meta.get("choices") and value not in meta["choices"]:
            problems.append(f"{path} = {value!r}: expected one of {', '.join(meta['choices'])}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        low, high = meta.get("low"), meta.get("high")
        if math.isnan(value) or (low is not None and value < low):
            problems.append(f"{path} = {value}: expected a value >= {low:g}")
        elif high is not None and value > high:
            problems.append(f"{path} = {value}: expected a value <= {high:g}")
    for strength in calibration.strengths:
        if strength not in STRENGTHS:
            problems.append(
                f"calibration.strengths has {strength!r}: expected any of {', '.join(STRENGTHS)}"
            )
    for group, factor in (calibration.oversample or {}).items():
        if not isinstance(factor, int | float) or factor < 1:
            problems.append(f"calibration.oversample.{group} = {factor!r}: expected a factor >= 1")
    name = calibration.publish_as
    if name is not None and not PUBLISHABLE_NAME.fullmatch(str(name)):
        problems.append(
            f"calibration.publish_as = {name!r}: expected a plain name (letters, digits, _ and -) "
            "that +calibrated=<name> can load; set calibration.publish_as=<name>"
        )
    if calibration.task == "validate" and calibration.holdout_from is None:
        problems.append("calibration.holdout_from = None: task validate needs a cutoff date")
    if calibration.holdout_from is not None:
        try:
            parse_date(calibration.holdout_from, "calibration.holdout_from")
        except ConfigError as error:
            problems.append(str(error))
    if problems:
        raise ConfigError("invalid calibration settings:\n  " + "\n  ".join(problems))
    return calibration
