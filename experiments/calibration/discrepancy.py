"""How far the model is from the published figures: the deviance, the ABC distance.

Each survey ask is compared as the shares of its answers plus "any other answer" (so a single
figure is a yes/no split and joint answers of one question a split into three or more).

The distance (:class:`SurveyDeviance`, used by ABC-SMC; :func:`deviance` for the point
estimate) is the deviance of the published answer counts ``O`` against the model's staff shares
``p`` of one simulation under the survey error model of
:mod:`experiments.calibration.survey_error` (beta-binomial, or Dirichlet-multinomial for joint
answers, with each ask's ``rho``): ``2 (log L_saturated - log L(p, rho))``, where
``L_saturated`` is the binomial (multinomial) likelihood at the published shares themselves. At
``rho = 0`` this is the binomial deviance ``2 sum_c O_c log(O_c / (n p_c))``. The deviance is
minus twice a log-likelihood up to a constant, so a larger ``rho`` lowers it only when the
figures really lie further from the model than their sampling error, and raises it otherwise:
the survey dispersion is fitted by its likelihood. (A distance between a published figure and a
simulated survey drawn with ``rho`` would instead push ``rho`` towards zero, since every draw's
noise adds to it, whatever the data say.)

:func:`expected_deviance` is the reference a fit is judged against: what the deviance averages
when the model and its survey error are true (about 1 per fitted answer at ``rho = 0``, more
with dispersion), by Monte Carlo with a fixed seed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.special import gammaln

from experiments.calibration.simulate import SurveyAsk
from experiments.calibration.survey_error import NO_SURVEY_ERROR, SurveyError

PROBABILITY_FLOOR = 1e-9
REFERENCE_DRAWS = 400
REFERENCE_STREAM = 0xDE7


def with_rest(shares: Sequence[float]) -> np.ndarray:
    """The shares of the answers followed by the share of any other answer."""
    shares = np.asarray(shares, dtype=float)
    return np.append(shares, max(0.0, 1.0 - shares.sum()))


def survey_log_likelihood(
    counts: Sequence[float], probabilities: Sequence[float], dispersion: float = 0.0
) -> float:
    """Log probability of answer counts (all categories) given the model's shares.

    Multinomial for ``dispersion = 0``, Dirichlet-multinomial (beta-binomial for two categories)
    with concentration ``(1 - rho) / rho`` otherwise. Counts may be non-integer (published shares
    times n): the gamma-function form is used throughout.
    """
    x = np.asarray(counts, dtype=float)
    p = np.maximum(np.asarray(probabilities, dtype=float), PROBABILITY_FLOOR)
    p = p / p.sum()
    n = x.sum()
    log_coefficient = gammaln(n + 1) - np.sum(gammaln(x + 1))
    if dispersion <= 0:
        return float(log_coefficient + np.sum(x * np.log(p)))
    concentration = (1.0 - dispersion) / dispersion
    alpha = p * concentration
    return float(
        log_coefficient
        + gammaln(concentration)
        - gammaln(n + concentration)
        + np.sum(gammaln(x + alpha) - gammaln(alpha))
    )


def count_deviance(
    counts: Sequence[float], probabilities: Sequence[float], dispersion: float = 0.0
) -> float:
    """Twice the log-likelihood gap between the counts' own shares (binomial) and the model.

    Args:
        counts: Answer counts of every category (the last one "any other answer").
        probabilities: The model's shares of the same categories.
        dispersion: The ask's rho (0: the binomial or multinomial deviance).
    """
    x = np.asarray(counts, dtype=float)
    saturated = survey_log_likelihood(x, np.maximum(x / x.sum(), PROBABILITY_FLOOR), 0.0)
    return 2.0 * (saturated - survey_log_likelihood(x, probabilities, dispersion))


def ask_deviance(ask: SurveyAsk, probabilities: Sequence[float], dispersion: float = 0.0) -> float:
    """Deviance of one ask's published counts given the model's shares of its answers."""
    return count_deviance(ask.n * with_rest(ask.observed), with_rest(probabilities), dispersion)


def deviance(
    plan: Sequence[SurveyAsk],
    probabilities: Mapping[str, float],
    error: SurveyError = NO_SURVEY_ERROR,
) -> float:
    """The deviance of all asks given the model's staff shares per figure."""
    return sum(
        ask_deviance(ask, [probabilities[f] for f in ask.figure_ids], error.rho(ask))
        for ask in plan
    )


def expected_deviance(
    plan: Sequence[SurveyAsk], error: SurveyError = NO_SURVEY_ERROR, draws: int = REFERENCE_DRAWS
) -> float:
    """What the deviance averages when the model is true: the reference for a fit's threshold.

    Each ask's counts are drawn ``draws`` times from the survey error model around the published
    shares (standing for the true shares) and scored against them; fixed seed, so the same plan
    and error always give the same reference.
    """
    rng = np.random.default_rng([REFERENCE_STREAM, len(plan)])
    total = 0.0
    for ask in plan:
        p = np.maximum(with_rest(ask.observed), PROBABILITY_FLOOR)
        p = p / p.sum()
        rho = error.rho(ask)
        scores = []
        for _ in range(draws):
            true = rng.dirichlet(p * (1.0 - rho) / rho) if rho > 0 else p
            counts = rng.multinomial(ask.n, true / true.sum())
            scores.append(count_deviance(counts, p, rho))
        total += float(np.mean(scores))
    return total


class SurveyDeviance:
    """The ABC distance as pyABC calls it: ``distance(simulated, observed)``.

    ``simulated`` holds the model's staff share of every fitted figure and the particle's survey
    error (its likelihood keys); ``observed`` is not read, as the published counts are the asks'.
    """

    def __init__(self, plan: Sequence[SurveyAsk]) -> None:
        self.plan = list(plan)

    def __call__(self, x: Mapping[str, float], x_0: Mapping[str, float]) -> float:
        """Deviance of the published figures given simulated staff shares ``x``."""
        return deviance(self.plan, x, SurveyError.of_values(x))
