"""Command-line entry point: compose the config with Hydra and run it.

python run.py                                  # the default scenario
python run.py tools.0.reliability=0.7 seed=3   # any value overridden
python run.py experiment=calibrate             # calibrate to the UK survey figures
python run.py experiment=sensitivity           # what the answer depends on (Morris, Sobol)
python run.py experiment=psa                   # how sure: PSA and value of information
python run.py experiment=optimise_mix          # the best training mix for a budget
python run.py experiment=training_mix parallel.backend=dask   # the runs on a Dask cluster
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import hydra
from hydra import compose
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from experiments.cli_help import HELP_FLAGS, help_text
from experiments.errors import CONF_DIR, EXIT_FAULT, one_line_errors
from experiments.preflight import preflight, register_resolvers

register_resolvers()


def compose_scenario(overrides: list[str]) -> DictConfig:
    """Compose the config of one scenario: the command line, then the scenario's overrides.

    The command line's ``hydra.searchpath`` is passed on, so experiment and group configs kept
    outside ``conf/`` are found again when each scenario is composed.
    """
    keys = {o.split("=", 1)[0].lstrip("+~") for o in overrides}
    given = HydraConfig.get().overrides
    command_line = [o for o in given.task if o.split("=", 1)[0].lstrip("+~") not in keys]
    search = [o for o in given.hydra if o.split("=", 1)[0].lstrip("+~") == "hydra.searchpath"]
    return compose(config_name="config", overrides=[*search, *command_line, *overrides])


@hydra.main(config_path=str(CONF_DIR), config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> None:
    """Run the composed config; bad values end with one short message and exit code 2."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    # The model and experiment code load only here, so --help and config errors answer fast.
    from experiments.parallel import session
    from experiments.single_run import run_single

    with one_line_errors():
        if not (
            cfg.calibration.mode != "off"
            or cfg.sensitivity.enabled
            or cfg.get("psa") is not None
            or cfg.get("optimise") is not None
            or cfg.experiment.scenarios
        ):
            run_single(cfg, out_dir, progress=cfg.progress)
            return
        with session(cfg.parallel, cfg.n_jobs):
            _run_design(cfg, out_dir)


def _run_design(cfg: DictConfig, out_dir: Path) -> None:
    """Calibration, sensitivity, optimisation, PSA or an experiment, in the parallel session."""
    from experiments.compare import run_experiment

    if cfg.calibration.mode != "off":
        from experiments.calibration import require_calibration_packages

        require_calibration_packages()
        from experiments.calibration.pipeline import run_calibration

        run_calibration(cfg, out_dir)
    elif cfg.sensitivity.enabled:
        from experiments.uncertainty.sensitivity_experiment import run_sensitivity

        run_sensitivity(cfg, out_dir, compose_scenario)
    elif cfg.get("optimise") is not None:
        from experiments.optimise.pipeline import run_optimise

        run_optimise(cfg, out_dir, compose_scenario)
    elif cfg.get("psa") is not None:
        from experiments.uncertainty.pipeline import run_psa

        run_psa(cfg, out_dir, compose_scenario)
    else:
        run_experiment(cfg, out_dir, compose_scenario)


def entry(args: list[str]) -> int:
    """Check the command line and claim its results folder, then run it with Hydra.

    Every fault ends with one line on stderr and exit code 2 (``HYDRA_FULL_ERROR=1`` shows the
    traceback); a refused run leaves every existing folder as it was (see experiments/preflight).

    Args:
        args: The command line after ``run.py``.

    Returns:
        The exit code.
    """
    if any(flag in args for flag in HELP_FLAGS):
        print(help_text(CONF_DIR))
        return 0
    with one_line_errors():
        plan = preflight(args)
    code: int | str | None = 0
    program = sys.argv[0] if sys.argv else "run.py"
    try:
        sys.argv = [program, *plan.args]
        main()
    except SystemExit as stop:
        code = stop.code
        raise
    finally:
        plan.finish(refused=code == EXIT_FAULT)
    return 0


if __name__ == "__main__":
    sys.exit(entry(sys.argv[1:]))
