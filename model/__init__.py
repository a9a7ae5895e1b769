"""ai-confidence-abm: healthcare workers' confidence in AI, as an agent-based model.

The model is described in the ODD protocol in ``docs/ODD.md``. The names below are imported on
first use (PEP 562), so light modules such as :mod:`model.validation` load without Mesa, SciPy
or pandas (``run.py --help`` and configuration errors answer in well under a second).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ConfigError": "model.validation",
    "ModelConfig": "model.config",
    "SurveyResult": "model.survey",
    "WorkforceModel": "model.simulation",
    "administer_survey": "model.survey",
    "as_model_config": "model.validation",
    "validate_config": "model.validation",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import an exported name from its module on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'model' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
