"""Command-line entry point: compose the config with Hydra and run it.

python run.py                                  # the default scenario
python run.py tools.0.reliability=0.7 seed=3   # any value overridden
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from experiments.schema import register_configs
from experiments.single_run import run_single
from model.validation import ConfigError

register_configs()


@hydra.main(config_path="conf", config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> None:
    """Run the composed config; bad values end with one short message and exit code 2."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        run_single(cfg, out_dir, progress=cfg.progress)
    except ConfigError as error:
        if os.environ.get("HYDRA_FULL_ERROR") == "1":
            raise
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
