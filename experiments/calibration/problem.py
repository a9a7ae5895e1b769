"""The calibration problem: base config, fitted parameters, survey figures and their plan.

:func:`build_problem` turns a composed run config into a :class:`CalibrationProblem`: the model
config every simulation starts from, the parameters with their priors, the survey figures (the
targets, filtered by strength and exclusions), and the survey plan split into the figures that
are fitted and those that are only predicted. For the recovery task the figures are replaced by
a synthetic survey simulated from the config's own values (labelled ``synthetic_`` in the figure
ids and ``synthetic = True``); for the validation task the figures with fieldwork midpoint on or
after ``calibration.holdout_from`` are held out of the fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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
from experiments.calibration.simulate import SurveyAsk, build_plan, simulate_survey
from experiments.survey_data import load_targets
from model import as_model_config
from model.config import ModelConfig
from model.validation import ConfigError

SYNTHETIC_PREFIX = "synthetic_"
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
    """

    settings: CalibrationConfig
    base: ModelConfig
    parameters: list[ParameterSpec]
    targets: pd.DataFrame
    plan: list[SurveyAsk]
    full_plan: list[SurveyAsk]
    truth: dict[str, float] = field(default_factory=dict)
    targets_path: Path | None = None

    @property
    def names(self) -> list[str]:
        """Names of the fitted parameters, in set order."""
        return [p.name for p in self.parameters]

    def values_by_key(self, values: dict[str, float]) -> dict[str, float]:
        """Parameter values keyed by config key instead of name."""
        return {p.key: float(values[p.name]) for p in self.parameters}

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
    table: pd.DataFrame, base: ModelConfig, seed: int
) -> tuple[pd.DataFrame, int]:
    """The figures replaced by one simulated survey from ``base`` (recovery); returns its seed."""
    plan = build_plan(table, base)
    synthetic_seed = int(seed) * 4096 + RECOVERY_STREAM
    simulated = simulate_survey(base, plan, synthetic_seed).shares
    out = table.copy()
    out["target_share"] = [simulated[f] for f in table.figure_id]
    out["target_count"] = (out["target_share"] * out["n"].astype(float)).round().astype("Int64")
    out["figure_id"] = SYNTHETIC_PREFIX + table["figure_id"]
    out["source"] = f"synthetic: simulated from the config's values (seed {synthetic_seed})"
    out["synthetic"] = True
    return out, synthetic_seed


def build_problem(cfg: DictConfig) -> CalibrationProblem:
    """The calibration problem of a composed run config (ConfigError for bad input)."""
    settings = calibration_settings(cfg)
    base = as_model_config(cfg)
    parameters = load_parameter_set(settings.params, base)
    targets_path = resolve(settings.targets, TARGETS_DIR)
    try:
        table = load_targets(targets_path)
    except ValueError as error:
        raise ConfigError(f"calibration.targets = {settings.targets!r}: {error}") from None
    table = select_targets(table, settings)
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
        table, _ = synthetic_targets(table, base, cfg.seed)
    table["held_out"] = False
    if settings.task == "validate":
        cutoff = pd.Timestamp(settings.holdout_from)
        table["held_out"] = table["fieldwork_mid"] >= cutoff
        if table["held_out"].all() or not table["held_out"].any():
            raise ConfigError(
                f"calibration.holdout_from = {settings.holdout_from}: expected a date that "
                f"leaves figures on both sides (fieldwork midpoints "
                f"{table.fieldwork_mid.min().date()} to {table.fieldwork_mid.max().date()})"
            )
    full_plan = build_plan(table, base)
    fitted = set(table.figure_id[~table.held_out])
    plan = [ask for ask in full_plan if set(ask.figure_ids) <= fitted]
    return CalibrationProblem(
        settings, base, parameters, table, plan, full_plan, truth, targets_path
    )
