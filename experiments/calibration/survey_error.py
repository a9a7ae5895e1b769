"""The survey error model: how far a survey's true shares lie from the model's.

Surveys of the same population differ by more than their sampling error: wording, sample frame,
mode and weighting move a figure (house effects; total survey error about twice the reported
sampling error in Shirani-Mehr, Rothschild, Goel and Gelman 2018, JASA 113:607). Each survey's
true shares are drawn around the model's shares ``p``: ``p_survey ~ Dirichlet(p (1 - rho) /
rho)`` (Beta for one answer), then the answers of its ``n`` respondents multinomially. The
variance of a share is then ``p (1 - p) / n x (1 + (n - 1) rho)``: a design effect ``1 + (n - 1)
rho``. :class:`SurveyError` holds two components of ``rho``, both fitted like model parameters:

- ``dispersion`` (``likelihood.dispersion``): every survey (sample frame, mode, weighting);
- ``wording_dispersion`` (``likelihood.wording_dispersion``): added for attitude questions read
  through the instrument's Likert model (trust, confidence, self-efficacy). Such questions were
  never written for the model's latent quantities: "support AI for patient care", "optimistic
  about AI integration" and "want more AI" all read one latent trust, and differences of wording
  and answer scale move attitude figures by 5-20 points (Schuman and Presser 1981, Questions and
  Answers in Attitude Surveys). Use and training questions (census questions, read with their own
  recall windows) do not get it.

``rho = 0`` is the plain binomial (multinomial) sampling of a simple random sample.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.survey import CENSUS_QUESTIONS

if TYPE_CHECKING:
    from experiments.calibration.simulate import SurveyAsk

DISPERSION_KEY = "likelihood.dispersion"
WORDING_KEY = "likelihood.wording_dispersion"
LIKELIHOOD_KEYS = (DISPERSION_KEY, WORDING_KEY)


@dataclass(frozen=True)
class SurveyError:
    """How far a survey's true shares lie from the model's (see the module docstring).

    Attributes:
        dispersion: rho of every survey (0: binomial sampling only).
        wording_dispersion: rho added for attitude (Likert) questions.
    """

    dispersion: float = 0.0
    wording_dispersion: float = 0.0

    @classmethod
    def of_values(cls, values: Mapping[str, float]) -> SurveyError:
        """The error model of a set of values by key (missing keys: 0)."""
        return cls(float(values.get(DISPERSION_KEY, 0.0)), float(values.get(WORDING_KEY, 0.0)))

    def rho(self, ask: SurveyAsk) -> float:
        """The ask's rho: the dispersion, plus the wording dispersion for an attitude question."""
        return self.rho_of(ask.quantity)

    def rho_of(self, quantity: str) -> float:
        """The rho of a question reading ``quantity`` (census questions get no wording term)."""
        return self.dispersion + (0.0 if quantity in CENSUS_QUESTIONS else self.wording_dispersion)

    def as_values(self) -> dict[str, float]:
        """The error model as likelihood keys (stored with each ABC particle)."""
        return {DISPERSION_KEY: self.dispersion, WORDING_KEY: self.wording_dispersion}


NO_SURVEY_ERROR = SurveyError()


def design_effect(n: int | np.ndarray, dispersion: float | np.ndarray) -> float | np.ndarray:
    """Variance of a share over its binomial variance under dispersion ``rho``: 1 + (n-1) rho."""
    return 1.0 + (np.asarray(n, dtype=float) - 1.0) * dispersion
