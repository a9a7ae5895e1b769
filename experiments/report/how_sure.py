"""The "How sure are we" section, in words, from the PSA tables only.

Reads ``probability_best``, ``ceac``, ``evpi`` and ``evppi`` (see
:mod:`experiments.uncertainty.decision` and :mod:`experiments.uncertainty.voi`) and says: how
likely each strategy is to be best on the primary outcome, which strategy gives the best value
for money at the reference willingness to pay and where along the willingness to pay the choice
changes, which evidence would be worth collecting (EVPPI), and where staff groups differ. Every
probability carries its Monte Carlo error (binomial, from the number of draws), and the words
never claim more than the numbers: "more likely than not" needs a probability above one half
by more than twice its error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from experiments.outcomes import pretty
from experiments.report.text import esc, gbp
from experiments.uncertainty.decision import EFFECT_UNITS
from experiments.uncertainty.psa import column_words
from experiments.uncertainty.voi import MIN_DRAWS

WORTH_SHARE = 0.1
"""An EVPPI above this share of the EVPI marks evidence worth collecting first."""


def mc_error(p: float, draws: int) -> float:
    """Binomial standard error of a probability estimated from ``draws`` draws."""
    return math.sqrt(max(p * (1 - p), 0.0) / max(draws, 1))


def likelihood_words(p: float, draws: int) -> str:
    """How sure a probability best lets us be, allowing for its Monte Carlo error."""
    margin = 2 * mc_error(p, draws)
    if p - margin >= 0.95:
        return "almost certainly the best"
    if p - margin >= 0.8:
        return "very likely the best"
    if p - margin > 0.5:
        return "more likely than not the best"
    return "the most often best, but the evidence does not single it out"


def pct_pm(p: float, draws: int) -> str:
    """'62% (\u00b17)': a probability with twice its Monte Carlo error, in points."""
    return f"{100 * p:.0f}% (\u00b1{200 * mc_error(p, draws):.0f})"


def probability_paragraph(best: pd.DataFrame, column: str) -> str:
    """Probability best on the primary outcome for the whole workforce."""
    whole = best[best.grouping == "all"].sort_values("probability_best", ascending=False)
    draws = int(whole.draws.max())
    top = whole.iloc[0]
    others = [
        f"{pretty(r.strategy)} {pct_pm(r.probability_best, draws)}"
        for r in whole.iloc[1:].itertuples()
        if r.probability_best > 0
    ]
    text = (
        f"On {column_words(column).lower()}, {pretty(top.strategy)} was best in "
        f"{pct_pm(top.probability_best, draws)} of {draws} draws of the uncertain parameters: "
        f"{likelihood_words(top.probability_best, draws)}."
    )
    if others:
        text += f" The others: {', '.join(others)}."
    text += (
        " (\u00b1 is twice the Monte Carlo error of the share. A draw is one set of parameter "
        "values and one run of the model, so run-to-run chance is part of these shares.)"
    )
    return text


def frontier_segments(ceac: pd.DataFrame, effect: str) -> list[tuple[str, float, float]]:
    """Stretches of willingness to pay over which one strategy is on the frontier."""
    rows = ceac[(ceac.effect == effect) & ceac.on_frontier].sort_values("wtp_gbp")
    segments: list[list] = []
    for row in rows.itertuples():
        if segments and segments[-1][0] == row.strategy:
            segments[-1][2] = row.wtp_gbp
        else:
            segments.append([row.strategy, row.wtp_gbp, row.wtp_gbp])
    return [tuple(s) for s in segments]


def nearest(table: pd.DataFrame, wtp: float) -> pd.DataFrame:
    """Rows at the grid point nearest ``wtp``."""
    grid = np.unique(table.wtp_gbp)
    return table[table.wtp_gbp == grid[np.argmin(np.abs(grid - wtp))]]


def value_paragraph(ceac: pd.DataFrame, effect: str, wtp: float, draws: int) -> str:
    """The choice at the reference willingness to pay and where it changes."""
    unit = EFFECT_UNITS[effect]
    here = nearest(ceac[ceac.effect == effect], wtp)
    chosen = here[here.on_frontier].iloc[0]
    at = gbp(float(chosen.wtp_gbp))
    text = (
        f"If the trust values an {unit} at {at}, {pretty(chosen.strategy)} has the highest "
        f"expected net benefit ({gbp(chosen.expected_net_benefit_gbp)} over no training, over "
        f"the horizon) and the highest net benefit in {pct_pm(chosen.probability_best, draws)} "
        "of draws."
    )
    segments = frontier_segments(ceac, effect)
    top = gbp(float(ceac[ceac.effect == effect].wtp_gbp.max()))
    if len(segments) == 1:
        return text + f" The choice is the same at every value from {gbp(0)} to {top}."
    switches = [
        f"from {pretty(a[0])} to {pretty(b[0])} between {gbp(a[2])} and {gbp(b[1])}"
        for a, b in zip(segments, segments[1:], strict=False)
    ]
    return text + (
        f" The choice changes with the value placed on it (examined up to {top}): it switches "
        f"{'; then '.join(switches)}."
    )


def evidence_paragraph(evpi: pd.DataFrame, evppi: pd.DataFrame, effect: str, wtp: float) -> str:
    """EVPI and the parameter groups worth researching, at the reference willingness to pay."""
    unit = EFFECT_UNITS[effect]
    total = float(nearest(evpi[evpi.effect == effect], wtp).evpi_gbp.iloc[0])
    groups = nearest(evppi[evppi.effect == effect], wtp).sort_values("evppi_gbp", ascending=False)
    at = gbp(float(groups.wtp_gbp.iloc[0])) if len(groups) else gbp(wtp)
    text = (
        f"At {at} per {unit}, knowing every uncertain parameter exactly would be worth at most "
        f"{gbp(total)} to this trust's decision (EVPI; an upper bound, since it also counts the "
        "model's run-to-run chance)."
    )
    if total <= 0 or groups.empty:
        return text + " Further research would not change this decision."
    if groups.evppi_gbp.isna().all():
        return text + (
            f" Too few draws to say which evidence is worth collecting (EVPPI needs at least "
            f"{MIN_DRAWS}); run the standard settings."
        )
    worth = groups[groups.evppi_gbp >= WORTH_SHARE * total]
    if worth.empty:
        return text + (
            " No single group of parameters is worth more than a tenth of that: what remains is "
            "spread over many parameters or is the model's run-to-run chance, which no research "
            "removes."
        )
    named = [f"{pretty(r.group).lower()} ({gbp(r.evppi_gbp)})" for r in worth.itertuples()]
    return text + (
        f" Evidence worth collecting first (EVPPI, the value of knowing one group exactly): "
        f"{'; '.join(named)}. A study costing more than its value is not worth it for this "
        "trust alone; trusts making the same decision share the value."
    )


def clearly_ahead(p_top: float, p_other: float, draws: int) -> bool:
    """Whether ``p_top`` exceeds ``p_other`` by more than twice the Monte Carlo error of the gap.

    Two shares of the same draws are multinomial: Var(p1 - p2) = (p1 + p2 - (p1 - p2)^2) / n.
    """
    variance = (p_top + p_other - (p_top - p_other) ** 2) / max(draws, 1)
    return p_top - p_other > 2 * math.sqrt(max(variance, 0.0))


def groups_paragraph(best: pd.DataFrame) -> str:
    """Per staff group: where the most-often-best strategy differs from the whole workforce's."""
    whole = best[best.grouping == "all"].sort_values("probability_best", ascending=False)
    overall = whole.strategy.iloc[0]
    staff = best[(best.grouping == "staff_group") & (best.draws > 0)]
    clear, unclear = [], []
    for group, rows in staff.groupby("group", sort=False):
        top = rows.sort_values("probability_best", ascending=False).iloc[0]
        if top.strategy == overall:
            continue
        draws, p_overall = int(top.draws), _p(rows, overall)
        words = (
            f"for {pretty(group)} staff, {pretty(top.strategy)} "
            f"({pct_pm(top.probability_best, draws)} of draws; {pretty(overall)} "
            f"{pct_pm(p_overall, draws)})"
        )
        ahead = clearly_ahead(top.probability_best, p_overall, draws)
        (clear if ahead else unclear).append(words)
    text = ""
    if clear:
        text += (
            "Staff groups where another strategy is clearly more often best than "
            f"{pretty(overall)}: {'; '.join(clear)}. "
        )
    if unclear:
        text += (
            "In some staff groups another strategy was best as often or slightly more often, by "
            f"less than the Monte Carlo error, so these draws do not establish a different choice: "
            f"{'; '.join(unclear)}."
        )
    if not text:
        text = (
            f"Every staff group has the same most-often-best strategy as the whole workforce "
            f"({pretty(overall)}): nothing in these results argues for different strategies "
            "by staff group."
        )
    return text.strip()


def _p(rows: pd.DataFrame, strategy: str) -> float:
    match = rows[rows.strategy == strategy]
    return float(match.probability_best.iloc[0]) if len(match) else float("nan")


def how_sure_html(
    tables: Mapping[str, pd.DataFrame], primary_column: str, reference_wtp: Mapping[str, float]
) -> str:
    """The section's HTML: probability best, value for money, evidence, staff groups."""
    best, ceac = tables["probability_best"], tables["ceac"]
    draws = int(best.draws.max())
    parts = [
        "<h3>Which strategy is best on the primary outcome</h3>",
        f"<p>{esc(probability_paragraph(best, primary_column))}</p>",
        "<h3>Value for money, and what would change the decision</h3>",
        "<p class=note>Net benefit = the value the trust places on the effect \u00d7 the effect, "
        "minus the extra training cost, both against no training on the same draw. The values "
        "below are assumptions for illustration; the acceptability curves show every value."
        "</p>",
    ]
    for effect in EFFECT_UNITS:
        wtp = float(reference_wtp[effect])
        parts.append(f"<p>{esc(value_paragraph(ceac, effect, wtp, draws))}</p>")
    parts.append("<h3>Which evidence is worth collecting</h3>")
    for effect in EFFECT_UNITS:
        wtp = float(reference_wtp[effect])
        parts.append(
            f"<p>{esc(evidence_paragraph(tables['evpi'], tables['evppi'], effect, wtp))}</p>"
        )
    parts += ["<h3>Staff groups</h3>", f"<p>{esc(groups_paragraph(best))}</p>"]
    return "\n".join(parts)


__all__ = ["how_sure_html", "likelihood_words", "mc_error"]
