"""The Hydra schema of ``run.py``: the model's config plus the settings of a run."""

from __future__ import annotations

from dataclasses import dataclass

from hydra.core.config_store import ConfigStore

from model.config import ModelConfig
from model.params import param


@dataclass
class RunConfig(ModelConfig):
    """A run of the model: every model field at the top level, plus run settings."""

    name: str = param("single_run", unit="-", doc="results go to results/<name>/<date>_<time>/")
    progress: bool = param(True, unit="-", doc="show a progress bar")


def register_configs() -> None:
    """Register the schema so ``conf/config.yaml`` can extend it as ``base_config``."""
    ConfigStore.instance().store(name="base_config", node=RunConfig)
