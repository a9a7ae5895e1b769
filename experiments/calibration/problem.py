"""The calibration problem: base config, fitted parameters, survey figures and their plan.

:func:`build_problem` turns a composed run config into a :class:`CalibrationProblem`: the model
config every simulation starts from, the parameters with their priors, the survey figures (the
targets, filtered by strength and exclusions), and the survey plan split into the figures that
are fitted and those that are only predicted. For the recovery task the figures are replaced by
a synthetic survey simulated from the config's own values (labelled ``synthetic_`` in the figure
ids and ``synthetic = True``); for the validation task the figures with fieldwork midpoint on or
after ``calibration.holdout_from`` are held out of the fit.

Each figure has a ``status``: ``fitted``; ``held out`` (validation); ``no n: not fitted`` (no
published sample size, so no likelihood: the model's share is still reported);
``predicted only: not fitted`` (the targets file says ``fit: false``). The model's horizon is
extended to the week after the last fieldwork midpoint of a fitted or held-out figure when the
config stops earlier (reported), so forecasting later waves needs no change of ``weeks`` by hand;
figures that are never fitted and fall beyond the horizon are left out.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from experiments.calibration.parameters import (
    TARGETS_DIR,
    ParameterSpec,
    config_value,
    load_parameter_set,
    resolve,
)
from experiments.calibration.schema import CalibrationConfig, validate_calibration
from experiments.calibration.simulate import SurveyAsk, build_plan, simulate_survey, survey_week
from experiments.survey_targets import load_targets
from model import as_model_config
from model.config import ModelConfig
from model.validation import ConfigError, validate_config

SYNTHETIC_PREFIX = "synthetic_"
FITTED, HELD_OUT, NO_N, PREDICTED_ONLY = (
    "fitted", "held out", "no n: not fitted", "predicted only: not fitted"
)  # fmt: skip
RECOVERY_STREAM = 0xEC0  # seed word of the synthetic survey: apart from every fitted simulation


@dataclass
class CalibrationProblem:
    """Everything a fit needs.

    Attributes:
        settings: The calibration settings.
        base: The model config every simulation starts from (before the fitted values).
        parameters: The fitted parameters and their priors.
        targets: The survey figures (one row each; ``held_out`` marks those not fitted).
        plan: The asks that are fitted.
        full_plan: Every ask, fitted or held out (the posterior predictive simulates these).
        truth: Parameter name -> true value (recovery task), else empty.
        targets_path: The targets file used.
        horizon_extended_from: The configured ``weeks`` when the horizon was extended, else None.
        group_weights: Weight per staff group code when ``calibration.oversample`` is set (true
            share over simulated share), else None.
    """

    settings: CalibrationConfig
    base: ModelConfig
    parameters: list[ParameterSpec]
    targets: pd.DataFrame
    plan: list[SurveyAsk]
    full_plan: list[SurveyAsk]
    truth: dict[str, float] = field(default_factory=dict)
    targets_path: Path | None = None
    horizon_extended_from: int | None = None
    group_weights: np.ndarray | None = None

    @property
    def names(self) -> list[str]:
        """Names of the fitted parameters, in set order."""
        return [p.name for p in self.parameters]

    def values_by_key(self, values: dict[str, float]) -> dict[str, float]:
        """Parameter values keyed by config key instead of name."""
        return {p.key: float(values[p.name]) for p in self.parameters}

    @property
    def predictive_base(self) -> ModelConfig:
        """The config of the predictive and noise runs: ``predictive_workers`` workers."""
        workers = self.settings.predictive_workers
        if workers is None or workers == self.base.population.n_workers:
            return self.base
        population = dataclasses.replace(self.base.population, n_workers=int(workers))
        return validate_config(dataclasses.replace(self.base, population=population))

    @property
    def observed(self) -> dict[str, float]:
        """Figure id -> observed share, of the fitted figures."""
        return {
            f: o for ask in self.plan for f, o in zip(ask.figure_ids, ask.observed, strict=True)
        }


def calibration_settings(cfg: DictConfig | CalibrationConfig) -> CalibrationConfig:
    """The validated calibration settings of a run config (or the settings themselves)."""
    if isinstance(cfg, CalibrationConfig):
        return validate_calibration(cfg)
    values = OmegaConf.to_container(cfg.calibration, resolve=True)
    node = OmegaConf.merge(OmegaConf.structured(CalibrationConfig), values)
    return validate_calibration(OmegaConf.to_object(node))


def select_targets(table: pd.DataFrame, settings: CalibrationConfig) -> pd.DataFrame:
    """The figures to use: strengths kept, exclusions dropped (ConfigError for unknown ids)."""
    unknown = sorted(set(settings.exclude_figures) - set(table.figure_id))
    if unknown:
        raise ConfigError(
            f"calibration.exclude_figures has {', '.join(unknown)}: expected figure ids of the "
            f"targets ({', '.join(table.figure_id)})"
        )
    keep = table["strength"].isin(settings.strengths) & ~table["figure_id"].isin(
        settings.exclude_figures
    )
    if not keep.any():
        raise ConfigError("calibration.strengths / exclude_figures leave no survey figure to fit")
    return table[keep].reset_index(drop=True)


def synthetic_targets(
    table: pd.DataFrame, base: ModelConfig, seed: int, group_weights: np.ndarray | None = None
) -> tuple[pd.DataFrame, int]:
    """The figures replaced by one simulated survey from ``base`` (recovery); returns its seed."""
    plan = build_plan(table, base)
    synthetic_seed = int(seed) * 4096 + RECOVERY_STREAM
    simulated = simulate_survey(base, plan, synthetic_seed, group_weights=group_weights).shares
    out = table.copy()
    out["target_share"] = [simulated[f] for f in table.figure_id]
    out["target_count"] = (out["target_share"] * out["n"].astype(float)).round().astype("Int64")
    out["figure_id"] = SYNTHETIC_PREFIX + table["figure_id"]
    out["source"] = f"synthetic: simulated from the config's values (seed {synthetic_seed})"
    out["synthetic"] = True
    return out, synthetic_seed


def extend_horizon(base: ModelConfig, table: pd.DataFrame) -> tuple[ModelConfig, int | None]:
    """The config run to at least the week after the last fieldwork midpoint; old weeks or None."""
    needed = max(survey_week(base.start_date, mid) for mid in table["fieldwork_mid"]) + 1
    if needed <= base.weeks:
        return base, None
    return dataclasses.replace(base, weeks=int(needed)), int(base.weeks)


def oversample(base: ModelConfig, factors: dict[str, float]) -> tuple[ModelConfig, np.ndarray]:
    """The config with staff groups oversampled by ``factors``, and each group's weight.

    Shares become ``share x factor`` renormalised; the weight of a group is its true share over
    its simulated share, so weighted all-staff answers estimate the real workforce's.
    """
    groups = base.population.staff_groups
    unknown = sorted(set(factors) - set(groups))
    if unknown:
        raise ConfigError(
            f"calibration.oversample has {', '.join(unknown)}: expected staff groups "
            f"({', '.join(groups)})"
        )
    true = np.array([g.share for g in groups.values()])
    raw = true * np.array([float(factors.get(name, 1.0)) for name in groups])
    new = raw / raw.sum()
    staff_groups = {
        name: dataclasses.replace(g, share=float(s))
        for (name, g), s in zip(groups.items(), new, strict=True)
    }
    population = dataclasses.replace(base.population, staff_groups=staff_groups)
    return dataclasses.replace(base, population=population), true / new


def figure_status(table: pd.DataFrame) -> pd.Series:
    """Each figure's status (see the module docstring)."""
    status = pd.Series(FITTED, index=table.index, dtype=object)
    status[~table["fit"].astype(bool)] = PREDICTED_ONLY
    status[table["held_out"].astype(bool)] = HELD_OUT
    status[~table["usable"].astype(bool)] = NO_N
    return status


def build_problem(cfg: DictConfig) -> CalibrationProblem:
    """The calibration problem of a composed run config (ConfigError for bad input)."""
    settings = calibration_settings(cfg)
    base = as_model_config(cfg)
    parameters = load_parameter_set(settings.params, base)
    targets_path = resolve(settings.targets, TARGETS_DIR)
    try:
        table = load_targets(targets_path, usable_only=settings.task == "recovery")
    except ValueError as error:
        raise ConfigError(f"calibration.targets = {settings.targets!r}: {error}") from None
    table = select_targets(table, settings)
    fittable = table["usable"].astype(bool) & table["fit"].astype(bool)
    base, extended_from = extend_horizon(base, table[fittable])
    weights = None
    if settings.oversample:
        base, weights = oversample(base, dict(settings.oversample))
    weeks = [survey_week(base.start_date, mid) for mid in table["fieldwork_mid"]]
    table = table[fittable | (pd.Series(weeks, index=table.index) < base.weeks)]
    table = table.reset_index(drop=True)
    table["synthetic"] = False
    truth: dict[str, float] = {}
    if settings.task == "recovery":
        truth = {p.name: config_value(base, p.key) for p in parameters}
        outside = [f"{p.key} = {truth[p.name]:g} (prior {p.low:g} to {p.high:g})"
                   for p in parameters if not p.low <= truth[p.name] <= p.high]  # fmt: skip
        if outside:
            raise ConfigError(
                f"calibration.task = recovery: the true values {'; '.join(outside)} lie outside "
                "their priors; expected values the calibration could recover (set them in the "
                "config)"
            )
        table, _ = synthetic_targets(table, base, cfg.seed, weights)
    table["held_out"] = False
    if settings.task == "validate":
        cutoff = pd.Timestamp(settings.holdout_from)
        fittable = table["usable"].astype(bool) & table["fit"].astype(bool)
        table["held_out"] = (table["fieldwork_mid"] >= cutoff) & fittable
        usable = table[fittable]
        if usable["held_out"].all() or not usable["held_out"].any():
            raise ConfigError(
                f"calibration.holdout_from = {settings.holdout_from}: expected a date that "
                f"leaves figures on both sides (fieldwork midpoints "
                f"{table.fieldwork_mid.min().date()} to {table.fieldwork_mid.max().date()})"
            )
    table["status"] = figure_status(table)
    full_plan = build_plan(table, base)
    fitted = set(table.figure_id[table.status == FITTED])
    plan = [ask for ask in full_plan if set(ask.figure_ids) <= fitted]
    if not plan:
        raise ConfigError(
            "calibration: no figure left to fit (every figure is held out or unusable)"
        )
    return CalibrationProblem(
        settings,
        base,
        parameters,
        table,
        plan,
        full_plan,
        truth,
        targets_path,
        extended_from,
        weights,
    )
