"""Why the fitted model does not reach a figure: the other figures that pull the other way.

The model reads every attitude figure through one latent quantity per worker (trust, reported
confidence or self-efficacy) and one set of response cut points, and every use figure through
one adoption process. When two figures read the same quantity and the model is above one of them
but below the other, no parameter value of the model reaches both: raising the quantity to meet
the first moves it away from the second. :func:`unreached_reasons` says so for each figure
outside its 90% predictive interval, naming the figures that pull the other way (same quantity
and tool). When none does, the sentence says the model's share lies on one side of the figure
whatever the fit, which points at the model, the priors or the question's wording.
"""

from __future__ import annotations

import pandas as pd


def _pct(share: float) -> str:
    return f"{100 * share:.0f}%"


def _same_reading(figures: pd.DataFrame, figure: pd.Series) -> pd.DataFrame:
    """Other fitted figures reading the same quantity of the same tool."""
    same = (figures.quantity == figure.quantity) & (figures.tool == figure.tool)
    return figures[same & (figures.figure_id != figure.figure_id)]


def unreached_reasons(figures: pd.DataFrame) -> list[str]:
    """One sentence per fitted figure outside its 90% predictive interval, saying why.

    Args:
        figures: The figure table (``figure_id``, ``status``, ``quantity``, ``tool``,
            ``observed``, ``predicted_median``, ``inside_90``).
    """
    fitted = figures[figures.status == "fitted"]
    sentences = []
    for _, figure in fitted[~fitted.inside_90].iterrows():
        high = figure.predicted_median > figure.observed
        gap = figure.predicted_median - figure.observed
        others = _same_reading(fitted, figure)
        pulling = others[(others.predicted_median - others.observed) * gap < 0]
        side = "above" if high else "below"
        head = (
            f"{figure.figure_id}: the model is {side} it ({_pct(figure.predicted_median)} against "
            f"{_pct(figure.observed)} published)"
        )
        if len(pulling):
            listing = ", ".join(
                f"{o.figure_id} ({_pct(o.observed)} published, model {_pct(o.predicted_median)})"
                for o in pulling.itertuples()
            )
            sentences.append(
                f"{head}, while it is {'below' if high else 'above'} {listing}, which read the "
                f"same {figure.quantity} of the same staff: moving the model towards one moves "
                "it away from the other, so the fit settles between them (questions worded "
                "differently, or a mechanism the model lacks)."
            )
        else:
            sentences.append(
                f"{head}, and no other fitted figure of its {figure.quantity} pulls the other "
                "way: within the priors the model stays on that side of it (a mechanism or a "
                "prior range to revisit, or the question's wording and sample)."
            )
    return sentences
