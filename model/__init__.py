"""ai-confidence-abm: healthcare workers' confidence in AI, as an agent-based model.

The model follows ``MODEL_SPEC.md`` and is described in the ODD protocol in ``docs/ODD.md``.
"""

from model.config import ModelConfig
from model.simulation import WorkforceModel, as_model_config
from model.survey import SurveyResult, administer_survey
from model.validation import ConfigError, validate_config

__all__ = [
    "ConfigError",
    "ModelConfig",
    "SurveyResult",
    "WorkforceModel",
    "administer_survey",
    "as_model_config",
    "validate_config",
]
