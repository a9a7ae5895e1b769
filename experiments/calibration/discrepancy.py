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
  constant).

If the model were true and the simulated survey drew the same ``n``, each figure would add about
2 to the distance on average (one standard error squared from each of the two surveys), so
``2 x (answers fitted)`` is a reference for how small the ABC threshold can usefully get.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

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


def ask_deviance(ask: SurveyAsk, probabilities: Sequence[float]) -> float:
    """Binomial (one answer) or multinomial (joint answers) deviance of one ask."""
    counts = ask.n * with_rest(ask.observed)
    expected = ask.n * np.maximum(with_rest(probabilities), PROBABILITY_FLOOR)
    seen = counts > 0
    return float(2 * np.sum(counts[seen] * np.log(counts[seen] / expected[seen])))


def deviance(plan: Sequence[SurveyAsk], probabilities: Mapping[str, float]) -> float:
    """The deviance of all asks given the model's population shares per figure."""
    return sum(ask_deviance(ask, [probabilities[f] for f in ask.figure_ids]) for ask in plan)


def reference_distance(plan: Sequence[SurveyAsk]) -> float:
    """About what the distance averages when the model is true: 2 per fitted answer."""
    return 2.0 * sum(len(ask.answers) for ask in plan)


class SurveyDistance:
    """The ABC distance as pyABC calls it: ``distance(simulated, observed)`` on figure dicts."""

    def __init__(self, plan: Sequence[SurveyAsk]) -> None:
        self.plan = list(plan)

    def __call__(self, x: Mapping[str, float], x_0: Mapping[str, float]) -> float:
        """Chi-square distance of summary statistics ``x`` from the observed ``x_0``."""
        return chi_square_distance(self.plan, x, x_0)
