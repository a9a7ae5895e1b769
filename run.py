"""Command-line entry point: compose the config with Hydra and run it.

python run.py                                  # the default scenario
python run.py tools.0.reliability=0.7 seed=3   # any value overridden
python run.py experiment=calibrate             # calibrate to the UK survey figures
python run.py experiment=psa                   # how sure: PSA and value of information
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import datetime
from pathlib import Path

import hydra
from hydra import compose
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from experiments.compare import run_experiment
from experiments.schema import register_configs
from experiments.single_run import run_single
from model.validation import ConfigError

register_configs()
OmegaConf.register_new_resolver(
    "output_dir",
    lambda resume, name: resume or f"results/{name}/{datetime.now():%Y-%m-%d_%H-%M-%S}",
    replace=True,
)


def compose_scenario(overrides: list[str]) -> DictConfig:
    """Compose the config of one scenario: the command line, then the scenario's overrides."""
    keys = {o.split("=", 1)[0].lstrip("+~") for o in overrides}
    command_line = [
        o for o in HydraConfig.get().overrides.task if o.split("=", 1)[0].lstrip("+~") not in keys
    ]
    return compose(config_name="config", overrides=[*command_line, *overrides])


@hydra.main(config_path="conf", config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> None:
    """Run the composed config; bad values end with one short message and exit code 2."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        if cfg.calibration.mode != "off":
            from experiments.calibration.pipeline import run_calibration

            run_calibration(cfg, out_dir)
        elif cfg.get("psa") is not None:
            from experiments.uncertainty.pipeline import run_psa

            run_psa(cfg, out_dir, compose_scenario)
        elif cfg.experiment.scenarios:
            run_experiment(cfg, out_dir, compose_scenario)
        else:
            run_single(cfg, out_dir, progress=cfg.progress)
    except ConfigError as error:
        if os.environ.get("HYDRA_FULL_ERROR") == "1":
            raise
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
