"""How far simulated surveys are from the published figures: the ABC distance and the deviance.

Both compare, for each survey ask, the shares of its answers plus "any other answer" (so a single
figure is a yes/no split and joint answers of one question a split into three or more).

- :func:`chi_square_distance` (ABC-SMC): the sum over asks of ``n * sum_c (s_c - o_c)^2 / o_c``,
  ``s`` simulated and ``o`` observed shares, ``n`` the figure's sample size. For one figure this
  is the squared standardized difference ``(s - o)^2 / (o (1 - o) / n)``: the difference in
  standard errors of the published figure; for joint answers it is the multinomial version
  (Pearson's chi-square), which counts the respondents once. Observed shares below ``0.5 / n``
  are raised to it (a published 0% would otherwise divide by zero).
- :func:`deviance` (point estimate): the binomial or multinomial deviance
  ``2 sum_c O_c log(O_c / (n p_c))`` of the observed answer counts ``O`` against the model's
  population shares ``p`` (the likelihood of the published figures given the model, up to a
  constant); with a survey dispersion ``rho > 0`` the beta-binomial (Dirichlet-multinomial)
  likelihood instead (:func:`survey_log_likelihood`).

**Overdispersion (the honest likelihood).** Surveys of the same population differ by more than
their sampling error: wording, sample frame, mode and weighting move a figure (house effects;
total survey error about twice the reported sampling error in Shirani-Mehr, Rothschild, Goel and
Gelman 2018, JASA 113:607). The fit treats each survey's true share as drawn around the model's
share: ``p_survey ~ Dirichlet(p (1 - rho) / rho)`` (Beta for one answer), then the answers of the
``n`` respondents multinomially; the variance of a share is then ``p (1 - p) / n x (1 + (n - 1)
rho)``: a design effect ``1 + (n - 1) rho``. ``rho`` (``likelihood.dispersion``, fitted like a
model parameter) is the intra-survey correlation; ``rho = 0`` is the plain binomial likelihood.

If the model were true and the simulated survey drew the same ``n``, each figure would add about
2 to the distance on average (one standard error squared from each of the two surveys), so
``2 x (answers fitted)`` is a reference for how small the ABC threshold can usefully get.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.special import gammaln

from experiments.calibration.simulate import SurveyAsk

PROBABILITY_FLOOR = 1e-9


def with_rest(shares: Sequence[float]) -> np.ndarray:
    """The shares of the answers followed by the share of any other answer."""
    shares = np.asarray(shares, dtype=float)
    return np.append(shares, max(0.0, 1.0 - shares.sum()))


def ask_chi_square(ask: SurveyAsk, simulated: Sequence[float], observed: Sequence[float]) -> float:
    """Pearson chi-square of one ask: simulated against observed shares, in the figure's n."""
    sim, obs = with_rest(simulated), with_rest(observed)
    return float(ask.n * np.sum((sim - obs) ** 2 / np.maximum(obs, 0.5 / ask.n)))


def chi_square_distance(
    plan: Sequence[SurveyAsk],
    simulated: Mapping[str, float],
    observed: Mapping[str, float] | None = None,
) -> float:
    """The ABC distance: Pearson chi-square summed over the asks (see the module docstring).

    Args:
        plan: The survey asks.
        simulated: Figure id -> simulated survey share.
        observed: Figure id -> observed share (default: each ask's published figures).
    """
    total = 0.0
    for ask in plan:
        sim = [simulated[f] for f in ask.figure_ids]
        obs = ask.observed if observed is None else [observed[f] for f in ask.figure_ids]
        total += ask_chi_square(ask, sim, obs)
    return total


def design_effect(n: int | np.ndarray, dispersion: float) -> float | np.ndarray:
    """Variance of a share over its binomial variance under dispersion ``rho``: 1 + (n-1) rho."""
    return 1.0 + (np.asarray(n, dtype=float) - 1.0) * dispersion


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


def ask_deviance(ask: SurveyAsk, probabilities: Sequence[float], dispersion: float = 0.0) -> float:
    """Deviance of one ask: twice the log-likelihood gap to the observed shares themselves.

    With ``dispersion = 0`` this is the binomial (one answer) or multinomial (joint answers)
    deviance ``2 sum_c O_c log(O_c / (n p_c))``.
    """
    counts = ask.n * with_rest(ask.observed)
    observed = np.maximum(with_rest(ask.observed), PROBABILITY_FLOOR)
    saturated = survey_log_likelihood(counts, observed, 0.0)
    return 2.0 * (saturated - survey_log_likelihood(counts, with_rest(probabilities), dispersion))


def deviance(
    plan: Sequence[SurveyAsk], probabilities: Mapping[str, float], dispersion: float = 0.0
) -> float:
    """The deviance of all asks given the model's population shares per figure."""
    return sum(
        ask_deviance(ask, [probabilities[f] for f in ask.figure_ids], dispersion) for ask in plan
    )


def reference_distance(plan: Sequence[SurveyAsk], dispersion: float = 0.0) -> float:
    """About what the distance averages when the model is true: 2 per fitted answer.

    With survey dispersion ``rho`` the published figure and the simulated survey each vary by
    the design effect ``1 + (n - 1) rho`` more, so the reference grows by it.
    """
    return float(sum(2.0 * len(ask.answers) * design_effect(ask.n, dispersion) for ask in plan))


class SurveyDistance:
    """The ABC distance as pyABC calls it: ``distance(simulated, observed)`` on figure dicts."""

    def __init__(self, plan: Sequence[SurveyAsk]) -> None:
        self.plan = list(plan)

    def __call__(self, x: Mapping[str, float], x_0: Mapping[str, float]) -> float:
        """Chi-square distance of summary statistics ``x`` from the observed ``x_0``."""
        return chi_square_distance(self.plan, x, x_0)
