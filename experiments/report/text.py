"""Numbers and outcomes in words: escaping, percentages, money, amounts with their units."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Any

from experiments.outcomes import outcome

NOUNS = {
    # outcome: how a sentence names it (default: its label in lower case)
    "appropriate_share": "the share of staff appropriately confident",
    "over_trust_share": "the share of staff over-trusting",
    "under_trust_share": "the share of staff under-trusting",
    "adoption_share": "the share of staff using the tool",
    "automation_bias_errors_per_1000": "automation-bias errors",
    "cumulative_cost_gbp": "training cost",
}
MINUS = "\u2212"


def esc(value: Any) -> str:
    """HTML-escaped text (quotes too)."""
    return html.escape(str(value), quote=True)


def missing(value: Any) -> bool:
    """True for None and NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def pct(share: float) -> str:
    """'84%' from 0.84; 'n/a' when missing."""
    return "n/a" if missing(share) else f"{100 * share:.0f}%"


def points(share: float) -> str:
    """A difference of shares in percentage points, one decimal, with a true minus sign."""
    return f"{100 * share:.1f}".replace("-", MINUS)


def gbp(value: float) -> str:
    """'£1,200'; 'n/a' when missing; 'no upper limit' for infinity."""
    if missing(value):
        return "n/a"
    if math.isinf(value):
        return "no upper limit"
    return f"\u00a3{value:,.0f}".replace("-", MINUS)


def noun(name: str) -> str:
    """How a sentence names an outcome ('avoidable errors')."""
    return NOUNS.get(name, outcome(name).label.lower())


def _number(value: float) -> str:
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 1 else 2
    return f"{value:,.{digits}f}".replace("-", MINUS)


def amount(name: str, value: float, measure: str, signed: bool = False) -> str:
    """A value or difference of outcome ``name`` with its unit, e.g. '3.1 per 1,000 decisions'.

    Shares are given in points when ``signed`` (a difference) and in percent otherwise; rates
    per 1,000 decisions measured ``cumulative`` are totals, given as errors.
    """
    info = outcome(name)
    if missing(value):
        return "n/a"
    if info.kind == "share":
        return f"{points(value)} points" if signed else pct(value)
    if info.kind == "gbp":
        return gbp(value)
    if measure == "cumulative" and info.total_unit:
        return f"{_number(value)} {info.total_unit}"
    if info.kind == "per_1000":
        return f"{_number(value)} per 1,000 decisions"
    if info.kind == "trust":
        return f"{value:.2f}".replace("-", MINUS)
    return f"{_number(value)} {info.unit}".strip()


def bare(name: str, value: float, measure: str) -> str:
    """A difference's number without its unit (for the ends of an interval)."""
    info = outcome(name)
    if missing(value):
        return "n/a"
    if info.kind == "share":
        return points(value)
    if info.kind == "gbp":
        return gbp(value)
    return _number(value) if info.kind != "trust" else f"{value:.2f}".replace("-", MINUS)


def value_with_range(row: Mapping, name: str, measure: str) -> str:
    """'84% (95% range 79-89%)' or '12.3 per 1,000 decisions (95% range 9.1-15.0)'."""
    mean = amount(name, row.get("mean"), measure)
    if missing(row.get("low_95")):
        return mean
    if outcome(name).kind == "share":
        return f"{mean} (95% range {100 * row['low_95']:.0f}-{pct(row['high_95'])})"
    low, high = bare(name, row["low_95"], measure), bare(name, row["high_95"], measure)
    return f"{mean} (95% range {low} to {high})"


def share_with_range(row: Mapping) -> str:
    """'84% (95% range 79-89%)' from a summary row (mean, low_95, high_95)."""
    return value_with_range(row, "appropriate_share", "final")
