"""Decision measures of a PSA: probability best, net benefit and acceptability curves.

- **Probability best** of a strategy: the share of draws in which it has the best value of an
  outcome (the lowest, for an outcome where lower is better). Ties share the draw equally, so
  the probabilities over strategies sum to 1 and identical strategies get the same probability.
- **Net benefit** (net monetary benefit; Stinnett & Mullahy 1998, Med Decis Making 18:S68) of a
  strategy on a draw: ``wtp x effect - extra cost``, both against the comparator (no training)
  on the same draw, in GBP for the trust over the horizon. The comparator's is 0.
- **Cost-effectiveness acceptability curve** (CEAC; van Hout et al. 1994, Health Econ 3:309):
  for each willingness to pay (WTP), the probability that each strategy has the highest net
  benefit. The **frontier** (CEAF; Fenwick, Claxton & Sculpher 2001, Health Econ 10:779) marks,
  at each WTP, the strategy with the highest *expected* net benefit - the one to choose on
  current evidence - which need not be the one most often best.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from experiments.uncertainty.psa_settings import EFFECTS

EFFECT_COLUMNS = {
    "errors_averted": "errors_averted",
    "appropriate_worker_years": "appropriate_worker_years_gained",
}
EFFECT_UNITS = {
    "errors_averted": "avoidable error averted",
    "appropriate_worker_years": "appropriately-confident worker-year",
}


def best_shares(values: np.ndarray) -> np.ndarray:
    """Per draw (row), each column's share of being the maximum (ties split equally).

    Rows with a NaN are dropped. Returns an array of the same width, rows summing to 1.
    """
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values).any(axis=1)]
    best = values == values.max(axis=1, keepdims=True)
    return best / best.sum(axis=1, keepdims=True)


def probability_best(values: np.ndarray, higher_is_better: bool = True) -> np.ndarray:
    """The probability each column is best over the draws (rows); see module docstring."""
    values = np.asarray(values, dtype=float)
    shares = best_shares(values if higher_is_better else -values)
    return shares.mean(axis=0) if len(shares) else np.full(values.shape[1], np.nan)


def matrix(psa: pd.DataFrame, column: str, strategies: Sequence[str], group: str = "all"):
    """A column of the PSA table as draws x strategies (rows of ``group``; 'all' = workforce)."""
    rows = psa[psa.group == group]
    return rows.pivot(index="draw", columns="strategy", values=column)[list(strategies)]


def probability_best_table(
    psa: pd.DataFrame, outcome: str, strategies: Sequence[str], higher_is_better: bool
) -> pd.DataFrame:
    """Probability best on ``outcome`` for the workforce and every staff group and archetype.

    Returns:
        Rows: grouping, group, strategy, probability_best, mean (of the outcome over draws),
        draws (with the outcome defined for every strategy).
    """
    rows = []
    for (grouping, group), _ in psa.groupby(["grouping", "group"], sort=False):
        values = matrix(psa, outcome, strategies, group)
        probability = probability_best(values.to_numpy(float), higher_is_better)
        defined = int((~values.isna().any(axis=1)).sum())
        for strategy, p in zip(strategies, probability, strict=True):
            rows.append(
                dict(
                    grouping=grouping,
                    group=group,
                    strategy=strategy,
                    outcome=outcome,
                    probability_best=float(p),
                    mean=float(values[strategy].mean()),
                    draws=defined,
                )
            )
    return pd.DataFrame(rows)


def net_benefit(effect: np.ndarray, cost: np.ndarray, wtp: float) -> np.ndarray:
    """Net monetary benefit ``wtp x effect - cost`` (GBP), elementwise."""
    return wtp * np.asarray(effect, float) - np.asarray(cost, float)


def wtp_grid(maximum: float, points: int) -> np.ndarray:
    """Willingness-to-pay values from 0 to ``maximum`` GBP, evenly spaced."""
    return np.linspace(0.0, float(maximum), int(points))


def ceac(
    effect: np.ndarray, cost: np.ndarray, wtps: np.ndarray, strategies: Sequence[str]
) -> pd.DataFrame:
    """CEAC and frontier over ``wtps`` (module docstring).

    Args:
        effect: Draws x strategies, gain against the comparator (the comparator's column is 0).
        cost: Draws x strategies, extra cost against the comparator (GBP).
        wtps: Willingness-to-pay values (GBP per unit of effect).
        strategies: Column names.

    Returns:
        Rows: wtp_gbp, strategy, probability_best, expected_net_benefit_gbp, on_frontier.
    """
    rows = []
    for wtp in wtps:
        nb = net_benefit(effect, cost, wtp)
        probability = best_shares(nb).mean(axis=0)
        expected = np.nanmean(nb, axis=0)
        chosen = int(np.argmax(expected))
        for j, strategy in enumerate(strategies):
            rows.append(
                dict(
                    wtp_gbp=float(wtp),
                    strategy=strategy,
                    probability_best=float(probability[j]),
                    expected_net_benefit_gbp=float(expected[j]),
                    on_frontier=j == chosen,
                )
            )
    return pd.DataFrame(rows)


def effect_and_cost(
    psa: pd.DataFrame, effect: str, strategies: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Draws x strategies arrays of an effect measure (:data:`EFFECTS`) and of the extra cost."""
    gain = matrix(psa, EFFECT_COLUMNS[effect], strategies).to_numpy(float)
    cost = matrix(psa, "extra_cost_gbp", strategies).to_numpy(float)
    return gain, cost


def ceac_table(
    psa: pd.DataFrame,
    strategies: Sequence[str],
    wtp_max_gbp: dict[str, float],
    wtp_points: int,
) -> pd.DataFrame:
    """The CEAC of every effect measure, stacked (column ``effect``)."""
    tables = []
    for effect in EFFECTS:
        gain, cost = effect_and_cost(psa, effect, strategies)
        wtps = wtp_grid(wtp_max_gbp[effect], wtp_points)
        tables.append(ceac(gain, cost, wtps, strategies).assign(effect=effect))
    table = pd.concat(tables, ignore_index=True)
    return table[["effect", *[c for c in table.columns if c != "effect"]]]


__all__ = [
    "EFFECT_COLUMNS",
    "EFFECT_UNITS",
    "best_shares",
    "ceac",
    "ceac_table",
    "effect_and_cost",
    "matrix",
    "net_benefit",
    "probability_best",
    "probability_best_table",
    "wtp_grid",
]
