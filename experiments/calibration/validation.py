"""Validation on held-out data: fit the earlier survey waves, predict the later ones.

The validation task (``calibration.task=validate``, ``experiment=calibrate_validate``) fits only
the figures whose fieldwork midpoint falls before ``calibration.holdout_from`` and predicts the
others from the posterior (:mod:`experiments.calibration.predictive`): each held-out figure's
90% predictive interval (parameter uncertainty, the model's randomness and the figure's own
sampling error) against the published share and its 95% sampling interval.
"""

from __future__ import annotations

import pandas as pd

COLUMNS = (
    "figure_id",
    "fieldwork_mid",
    "staff_group",
    "quantity",
    "answer",
    "tool",
    "n",
    "observed",
    "observed_low95",
    "observed_high95",
    "predicted_median",
    "predicted_low90",
    "predicted_high90",
    "inside_90",
)


def holdout_table(figures: pd.DataFrame) -> pd.DataFrame:
    """The held-out figures: predicted (median, 90% interval) against observed (95% interval)."""
    return figures[figures.held_out][list(COLUMNS)].reset_index(drop=True)


def holdout_sentence(table: pd.DataFrame, cutoff: str) -> str:
    """One plain sentence on the held-out predictions."""
    inside = int(table.inside_90.sum())
    missed = table[~table.inside_90].figure_id.tolist()
    text = (
        f"Fitted to the figures before {cutoff}, the model's 90% predictive interval holds "
        f"{inside} of the {len(table)} later figures"
    )
    return text + (f"; outside: {', '.join(missed)}." if missed else ".")
