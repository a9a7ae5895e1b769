"""Calibration of the model to published survey figures (ABC-SMC with pyABC, or optuna).

    python run.py experiment=calibrate                         # ABC-SMC posterior, UK figures
    python run.py experiment=calibrate calibration.mode=point  # fast point estimate
    python run.py experiment=calibrate_recovery   # recover known values (synthetic survey)
    python run.py experiment=calibrate_validate   # fit earlier waves, predict later ones

One module per job: :mod:`.schema` (settings), :mod:`.parameters` (fitted parameters, priors,
config overrides), :mod:`.simulate` (simulated surveys), :mod:`.discrepancy` (ABC distance and
deviance), :mod:`.problem` (what is fitted to what), :mod:`.abc_smc`, :mod:`.point_estimate`,
:mod:`.predictive` (posterior predictive), :mod:`.outputs` (summary, calibrated YAML),
:mod:`.recovery`, :mod:`.validation`, :mod:`.plots`, :mod:`.report`, :mod:`.pipeline` (end to
end). Importing this package does not import pyABC or optuna.
"""

from __future__ import annotations

import importlib.util

from model.validation import ConfigError

CALIBRATION_PACKAGES = ("pyabc", "optuna")


def require_calibration_packages() -> None:
    """Stop with one line naming the extra to install when pyABC or optuna is missing."""
    missing = [name for name in CALIBRATION_PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        raise ConfigError(
            f"calibration needs {', '.join(missing)}, which the core install leaves out: "
            "install the 'calibrate' extra with  pip install -e '.[calibrate]'"
        )
