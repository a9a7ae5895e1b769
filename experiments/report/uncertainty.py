"""How sure: verdicts from confidence intervals, and differences in words with their CI.

A difference from the baseline is *clear* only when its 95% CI excludes zero; which side counts
as better is the outcome's direction (:mod:`experiments.outcomes`).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from experiments.outcomes import ERROR_GUARDS, measure_defined, outcome, sign_of_better
from experiments.report.text import amount, bare, missing, noun, points


def verdict(row: Mapping, better: str | None = "higher") -> str:
    """'improvement', 'worse', 'not distinguishable' or 'unknown' from a paired difference.

    ``better`` is the outcome's direction ("higher" or "lower"). 'unknown' when there is no
    interval, or a zero-width one around a non-zero difference (what the summary gives for a
    single replicate).
    """
    low, high = row.get("diff_low_95"), row.get("diff_high_95")
    if missing(low) or missing(high) or (low == high and low != 0):
        return "unknown"
    sign = -1 if better == "lower" else 1
    if (low > 0 and sign > 0) or (high < 0 and sign < 0):
        return "improvement"
    if (high < 0 and sign > 0) or (low > 0 and sign < 0):
        return "worse"
    return "not distinguishable"


def summary_row(summary: pd.DataFrame, scenario: str, name: str, measure: str = "final") -> dict:
    """The summary row of one scenario, outcome and measure ({} when there is none)."""
    rows = summary[
        (summary.scenario == scenario) & (summary.outcome == name) & (summary.measure == measure)
    ]
    return rows.iloc[0].to_dict() if len(rows) else {}


def change_words(row: Mapping, name: str, measure: str) -> str:
    """'lowers avoidable errors by about 3.1 per 1,000 decisions (95% CI 1.2 to 5.0)'.

    The interval is that of the change named by the verb (for 'lowers', of the reduction).
    """
    diff = row.get("diff_mean")
    if missing(diff):
        return f"has no comparison on {noun(name)}"
    verb, sign = ("raises", 1) if diff > 0 else ("lowers", -1)
    if diff == 0:
        verb = "does not change"
    text = f"{verb} {noun(name)}"
    if diff != 0 and shown_as_zero(name, diff, measure):
        smallest = amount(name, 0.001 if outcome(name).kind == "share" else 0.1, measure, True)
        clear = verdict(row, outcome(name).better) in ("improvement", "worse")
        return f"{text} slightly (by less than {smallest}" + (
            ", though clearly more than none)" if clear else ")"
        )
    if diff != 0:
        text += f" by about {amount(name, abs(diff), measure, signed=True)}"
    low, high = row.get("diff_low_95"), row.get("diff_high_95")
    if not (missing(low) or missing(high)) and verdict(row) != "unknown":
        ends = sorted((sign * low, sign * high))
        text += f" (95% CI {bare(name, ends[0], measure)} to {bare(name, ends[1], measure)})"
    return text


def shown_as_zero(name: str, diff: float, measure: str) -> bool:
    """The difference prints as zero at the precision it is shown with."""
    return not any(ch in "123456789" for ch in bare(name, abs(diff), measure))


def worsened_guards(
    summary: pd.DataFrame, scenario: str, measure: str, exclude: str = ""
) -> list[str]:
    """What a scenario worsens among the error outcomes, as 'raises ...' clauses.

    Clear worsenings (95% CI entirely on the bad side) read 'raises X by about N (95% CI ...)';
    a mean worsening whose CI includes zero reads 'may raise X (about N, 95% CI ..., not
    distinguishable from no change)', unless it rounds to zero where it is shown.
    """
    clauses = []
    for name in ERROR_GUARDS:
        if name == exclude:
            continue
        used = measure if measure_defined(name, measure) else "time_average"
        row = summary_row(summary, scenario, name, used)
        diff = row.get("diff_mean")
        if missing(diff) or diff * sign_of_better(name) >= 0:
            continue
        kind = verdict(row, outcome(name).better)
        if kind == "worse":
            clauses.append(change_words(row, name, used))
        elif shown_as_zero(name, diff, used):
            continue  # a worsening too small to show is not worth a clause
        else:
            text = change_words(row, name, used).replace("raises", "may raise", 1)
            clauses.append(text + ", not distinguishable from no change")
    return clauses


def difference_words(
    row: Mapping, baseline_label: str, name: str = "appropriate_share", caveats: str = ""
) -> str:
    """The difference of a share from the baseline in words, with its 95% CI and meaning.

    E.g. '3.1 points more than no training (95% CI 1.2 to 5.0) - a clear improvement'.
    ``caveats`` (e.g. 'but raises automation-bias errors by ...') is added to an improvement in
    the same sentence.
    """
    diff = row.get("diff_mean")
    if missing(diff):
        return f"no comparison with {baseline_label}"
    direction = "more" if diff >= 0 else "fewer"
    text = f"{abs(100 * diff):.1f} points {direction} than {baseline_label}"
    kind = verdict(row, outcome(name).better or "higher")
    if kind == "unknown":
        return f"{text} (too few replicates to judge the uncertainty)"
    text += f" (95% CI {points(row['diff_low_95'])} to {points(row['diff_high_95'])})"
    text += {
        "improvement": " \u2014 a clear improvement",
        "worse": f" \u2014 clearly worse than {baseline_label}",
        "not distinguishable": f" \u2014 not distinguishable from {baseline_label}",
    }[kind]
    if kind == "improvement" and caveats:
        text += f", {caveats}"
    return text
