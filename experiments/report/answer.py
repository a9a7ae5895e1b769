"""The answer in brief: what the primary outcome says about each strategy, and no more.

Rules the sentences keep (tests hold them to these):

- A strategy is called better only when the 95% CI of its paired difference on the primary
  outcome excludes zero on the better side; the size is given as 'about N' with the CI.
- A sentence that calls a strategy better also names, in the same sentence, every error outcome
  (automation-bias errors, aversion errors, over-trust) it worsens.
- When no strategy's CI excludes zero, the answer says plainly that no strategy is
  distinguishable from the baseline at this number of replicates.
"""

from __future__ import annotations

import pandas as pd

from experiments.outcomes import MEASURE_WORDS, outcome, pretty
from experiments.report.uncertainty import change_words, summary_row, verdict, worsened_guards
from experiments.summary import ranking


def _join(clauses: list[str]) -> str:
    if len(clauses) <= 1:
        return "".join(clauses)
    return ", ".join(clauses[:-1]) + " and " + clauses[-1]


def strategy_sentence(
    summary: pd.DataFrame,
    scenario: str,
    baseline: str,
    primary: str,
    measure: str,
    subject: str | None = None,
) -> str:
    """One sentence on a strategy's primary outcome against the baseline, with its caveats.

    E.g. 'Champions lowers avoidable errors by about 3.1 per 1,000 decisions (95% CI 1.2 to
    5.0) compared with no training, averaged over the weeks, but raises automation-bias errors
    by about 1.5 per 1,000 decisions (95% CI 0.4 to 2.6).' ``subject`` replaces the
    strategy's name at the start (e.g. 'It').
    """
    row = summary_row(summary, scenario, primary, measure)
    base = pretty(baseline).lower()
    kind = verdict(row, outcome(primary).better)
    text = (
        f"{subject or pretty(scenario)} {change_words(row, primary, measure)} compared with "
        f"{base}, {MEASURE_WORDS[measure]}"
    )
    if kind == "improvement":
        text += " \u2014 a clear improvement"
        if worse := worsened_guards(summary, scenario, measure, exclude=primary):
            text += f", but it {_join(worse)}"
    elif kind == "worse":
        text += f" \u2014 clearly worse than {base}"
    elif kind == "not distinguishable":
        text += f" \u2014 not distinguishable from {base}"
    else:
        text += " (too few replicates to judge the uncertainty)"
    return text + "."


def headline(
    summary: pd.DataFrame,
    baseline: str | None,
    primary: str = "avoidable_errors_per_1000",
    measure: str = "time_average",
    replicates: int | None = None,
) -> str:
    """The answer in a few sentences: which strategies are clearly better on the primary outcome.

    One sentence per clearly better strategy (with the error outcomes it worsens), then the
    clearly worse ones; or, when no difference is clear, a plain statement that no strategy is
    distinguishable from the baseline at this number of replicates.
    """
    if baseline is None:
        return "There is no comparator scenario, so no strategy is compared with another."
    base = pretty(baseline).lower()
    what = f"{outcome(primary).label.lower()} ({MEASURE_WORDS[measure]})"
    others = [s for s in ranking(summary, primary, measure) if s != baseline]
    kinds = {
        s: verdict(summary_row(summary, s, primary, measure), outcome(primary).better)
        for s in others
    }
    at = f" at {replicates} replicates per strategy" if replicates else ""
    if others and all(k == "unknown" for k in kinds.values()):
        return (
            f"With this few replicates{at} the uncertainty of the differences cannot be "
            f"judged, so no strategy is called better or worse than {base}."
        )
    better = [s for s in others if kinds[s] == "improvement"]
    worse = [s for s in others if kinds[s] == "worse"]
    sentences = [strategy_sentence(summary, s, baseline, primary, measure) for s in better]
    if not better and not worse:
        sentences.append(
            f"No strategy is distinguishable from {base} on {what}{at}: every 95% confidence "
            "interval of the difference includes zero."
        )
    elif not better:
        sentences.append(f"No strategy is clearly better than {base} on {what}{at}.")
    if worse:
        names = _join([pretty(s) for s in worse])
        verb = "is" if len(worse) == 1 else "are"
        sentences.append(f"{names} {verb} clearly worse than {base} on {what}.")
    return " ".join(sentences)
