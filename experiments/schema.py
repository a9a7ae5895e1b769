"""The Hydra schema of ``run.py``: the model's config plus the settings of a run or experiment."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING

from experiments.calibration.schema import CalibrationConfig
from experiments.optimise.settings import OptimiseConfig
from experiments.outcomes import DEFAULT_PRIMARY, MEASURES, check_primary
from experiments.parallel import ParallelConfig
from experiments.uncertainty.psa_settings import PsaConfig
from experiments.uncertainty.sensitivity_settings import SensitivityConfig
from model.config import ModelConfig, ProgrammeConfig, RolloutConfig, StrategyConfig
from model.params import param
from model.validation import ConfigError


@dataclass
class ExperimentConfig:
    """A named list of scenarios, each a list of config overrides, run over replicates.

    Every scenario runs under every condition (``conditions``, default: one), and is compared
    with the ``baseline`` scenario under the same condition and replicate seed (paired).
    """

    title: str = param("", unit="-", doc="title of the report")
    question: str = param("", unit="-", doc="the question the experiment answers, plainly")
    replicates: int = param(20, unit="runs per scenario", low=1, doc="replicates (seeds)")
    baseline: str | None = param(None, unit="-", doc="scenario the others are compared with")
    scenarios: dict[str, list[str]] = param(
        unit="-", default_factory=dict, doc="scenario name -> Hydra overrides"
    )
    conditions: dict[str, list[str]] = param(
        unit="-", default_factory=dict, doc="condition name -> overrides applied to every scenario"
    )
    condition_label: str = param("condition", unit="-", doc="what the conditions vary, for plots")
    primary_outcome: str = param(
        DEFAULT_PRIMARY,
        unit="-",
        doc="outcome column that ranks the strategies and leads the answer (its direction, "
        "lower or higher is better, is in experiments/outcomes.py)",
    )
    primary_measure: str = param(
        "time_average",
        unit="-",
        choices=MEASURES,
        doc="which per-replicate measure of the primary outcome: final (last week), "
        "time_average (mean over the weeks where defined) or cumulative (total over the horizon)",
    )
    shards: int = param(
        1,
        unit="jobs",
        low=1,
        doc="split the replicates into this many jobs (pool them with python -m experiments.pool)",
    )
    shard: int = param(
        0,
        unit="-",
        low=0,
        doc="which of the shards this job runs (0 to shards - 1): replicates "
        "shard * replicates // shards up to (shard + 1) * replicates // shards - 1",
    )


SHARD_KEYS = ("experiment.shard",)
"""The only key in which the shards of one experiment differ (checked when pooling)."""


def replicate_range(experiment: Any) -> range:
    """The replicate numbers one job runs: all of them, or its shard's contiguous share.

    Shard ``k`` of ``n`` runs replicates ``k * R // n`` to ``(k + 1) * R // n - 1`` of ``R``, so
    the shards are disjoint, cover every replicate, and differ in size by at most one.

    Args:
        experiment: ``cfg.experiment``.
    """
    total = int(experiment.replicates)
    shards = int(getattr(experiment, "shards", 1) or 1)
    shard = int(getattr(experiment, "shard", 0) or 0)
    return range(shard * total // shards, (shard + 1) * total // shards)


def validate_experiment(experiment: Any) -> None:
    """Check the experiment's primary outcome and measure; raise ConfigError naming each problem.

    Args:
        experiment: ``cfg.experiment`` (a DictConfig or an :class:`ExperimentConfig`).
    """
    outcome = getattr(experiment, "primary_outcome", None) or DEFAULT_PRIMARY
    measure = getattr(experiment, "primary_measure", None) or "time_average"
    problems = check_primary(outcome, measure)
    for f in dataclasses.fields(ExperimentConfig):
        value, low = getattr(experiment, f.name, None), f.metadata.get("low")
        if low is not None and isinstance(value, int) and value < low:
            problems.append(f"experiment.{f.name} = {value}: expected a value >= {low:g}")
    shards = getattr(experiment, "shards", 1)
    shard = getattr(experiment, "shard", 0)
    replicates = getattr(experiment, "replicates", 1)
    if isinstance(shards, int) and shards >= 1:
        if isinstance(shard, int) and shard >= shards:
            problems.append(
                f"experiment.shard = {shard}: expected 0 to {shards - 1} "
                f"(experiment.shards = {shards})"
            )
        if isinstance(replicates, int) and shards > replicates:
            problems.append(
                f"experiment.shards = {shards}: more shards than the {replicates} replicates; "
                f"expected at most {replicates}"
            )
    if problems:
        raise ConfigError("; ".join(problems))


@dataclass
class ProgrammeSchema(ProgrammeConfig):
    """A programme as written in YAML: ``modality`` is required (no silent e-learning)."""

    modality: str = param(MISSING, unit="-", doc="a key of training.modalities (required)")


@dataclass
class StrategySchema(StrategyConfig):
    """A strategy as written in YAML: every programme names its modality."""

    programmes: list[ProgrammeSchema] = param(unit="-", default_factory=list, doc="programmes")


@dataclass
class RunConfig(ModelConfig):
    """A run of the model: every model field at the top level, plus run settings."""

    name: str = param("single_run", unit="-", doc="results go to results/<name>/<date>_<time>/")
    progress: bool = param(True, unit="-", doc="show a progress bar")
    rollout: RolloutConfig = field(default_factory=RolloutConfig)
    strategy: StrategySchema = field(default_factory=StrategySchema)
    experiment: ExperimentConfig = field(default_factory=ExperimentConfig)
    n_jobs: int = param(
        -1,
        unit="processes",
        doc="parallel processes (-1 = every core allocated to this job); with parallel.backend="
        "dask and no address, the worker processes of the LocalCluster",
    )
    parallel: ParallelConfig = field(default_factory=ParallelConfig)
    resume: str | None = param(None, unit="path", doc="results folder of a run to complete")
    force: bool = param(
        False, unit="-", doc="run even when the estimated peak memory exceeds what is available"
    )
    calibration: CalibrationConfig = field(default_factory=CalibrationConfig)
    sensitivity: SensitivityConfig = field(default_factory=SensitivityConfig)
    psa: PsaConfig | None = None  # set by experiment=psa (conf/psa/)
    optimise: OptimiseConfig | None = None  # set by experiment=optimise_mix (conf/optimise/)


def register_configs() -> None:
    """Register the schema so ``conf/config.yaml`` can extend it as ``base_config``."""
    ConfigStore.instance().store(name="base_config", node=RunConfig)
