"""The ranking of strategies, in words and as the key table, led by the primary outcome."""

from __future__ import annotations

import pandas as pd

from experiments.outcomes import MEASURE_WORDS, measure_defined, outcome, pretty
from experiments.report.answer import strategy_sentence
from experiments.report.cost import cost_words, error_cost_words
from experiments.report.text import bare, esc, gbp, missing, pct, value_with_range
from experiments.report.uncertainty import (
    difference_words,
    summary_row,
    verdict,
    worsened_guards,
)
from experiments.summary import COST_EFFECT, COST_PER_ERROR_AVERTED, ranking

TABLE_OUTCOMES = {
    # outcome: column heading (values are final-week means with their 95% range)
    "over_trust_share": "Over-trusting",
    "under_trust_share": "Under-trusting",
    "adoption_share": "Using the tool",
    "automation_bias_rate": "Wrong AI advice acted on",
}
ERROR_COLUMNS = ("automation_bias_errors_per_1000", "aversion_errors_per_1000")


def ranking_items(
    summary: pd.DataFrame,
    baseline: str | None,
    primary: str = "avoidable_errors_per_1000",
    measure: str = "time_average",
) -> list[tuple[str, str]]:
    """(scenario, text) per scenario of one condition, best on the primary outcome first."""
    base_label = pretty(baseline).lower() if baseline else "the baseline"
    items = []
    for scenario in ranking(summary, primary, measure):
        lead = summary_row(summary, scenario, primary, measure)
        final = summary_row(summary, scenario, "appropriate_share")
        average = summary_row(summary, scenario, "appropriate_share", "time_average")
        text = (
            f"{pretty(scenario)}: {outcome(primary).label.lower()} "
            f"{value_with_range(lead, primary, measure)}, {MEASURE_WORDS[measure]}"
        )
        if baseline is None:
            text += f"; {value_with_range(final, 'appropriate_share', 'final')} "
            text += "appropriately confident at the end."
        elif scenario == baseline:
            text += (
                f" \u2014 the comparator. Appropriately confident at the end: "
                f"{value_with_range(final, 'appropriate_share', 'final')}; averaged over the "
                f"weeks since the first go-live {pct(average.get('mean'))}."
            )
        else:
            text += ". " + strategy_sentence(
                summary, scenario, baseline, primary, measure, subject="It"
            )
            caveats = worsened_guards(summary, scenario, "final", exclude="appropriate_share")
            caveat = f"but it {' and '.join(caveats)}" if caveats else ""
            text += (
                f" Appropriately confident at the end: "
                f"{value_with_range(final, 'appropriate_share', 'final')}; "
                f"{difference_words(final, base_label, 'appropriate_share', caveat)}"
            )
            if average:
                caveats = worsened_guards(
                    summary, scenario, "time_average", exclude="appropriate_share"
                )
                caveat = f"but it {' and '.join(caveats)}" if caveats else ""
                text += (
                    f". Averaged over the weeks since the first go-live: {pct(average['mean'])}, "
                    f"{difference_words(average, base_label, 'appropriate_share', caveat)}"
                )
            cost = summary_row(summary, scenario, "cumulative_cost_gbp")
            effect = summary_row(summary, scenario, COST_EFFECT)
            gain = summary_row(summary, scenario, "appropriate_workers")
            text += f". Cost: {cost_words(cost, effect, base_label, gain)}"
            averted = summary_row(summary, scenario, COST_PER_ERROR_AVERTED, "cumulative")
            errors = summary_row(summary, scenario, "avoidable_errors_per_1000", "time_average")
            if averted:
                text += f"; {error_cost_words(cost, averted, base_label, errors)}"
            text += "."
        items.append((scenario, text))
    return items


def _cell(row: dict, name: str, measure: str = "final") -> str:
    if not row:
        return "n/a"
    return value_with_range(row, name, measure).replace("95% range ", "")


def _diff_cell(row: dict, name: str, measure: str) -> str:
    if missing(row.get("diff_mean")):
        return "\u2014"
    text = bare(name, row["diff_mean"], measure)
    if verdict(row) != "unknown":
        low, high = row["diff_low_95"], row["diff_high_95"]
        text += f" ({bare(name, low, measure)} to {bare(name, high, measure)})"
    return text


def _ratio_cell(row: dict, scenario: str, baseline: str | None, none: str) -> str:
    if scenario == baseline or not row:
        return "\u2014"
    if missing(row.get("mean")):
        return none
    if missing(row.get("low_95")):
        return gbp(row["mean"])
    return f"{gbp(row['mean'])} ({gbp(row['low_95'])} to {gbp(row['high_95'])})"


def key_table_html(
    summary: pd.DataFrame,
    baseline: str | None,
    primary: str = "avoidable_errors_per_1000",
    measure: str = "time_average",
) -> str:
    """The key table: a row per scenario (best on the primary outcome first), with 95% ranges."""
    base_label = pretty(baseline).lower() if baseline else "baseline"
    label = outcome(primary).label
    errors_measure = measure if measure_defined(ERROR_COLUMNS[0], measure) else "time_average"
    head = [
        "Strategy",
        f"{label}, {MEASURE_WORDS[measure]}",
        f"Difference vs {base_label} (95% CI)",
        *(f"{outcome(o).label}, {MEASURE_WORDS[errors_measure]}" for o in ERROR_COLUMNS),
        "Appropriately confident, final week",
        f"Difference vs {base_label} (points, 95% CI)",
        "Appropriately confident, average since first go-live",
        *TABLE_OUTCOMES.values(),
        "Training cost by the end",
        "Cost per additional appropriately-confident worker",
        "Cost per avoidable error averted",
    ]
    rows = []
    for scenario in ranking(summary, primary, measure):
        lead = summary_row(summary, scenario, primary, measure)
        final = summary_row(summary, scenario, "appropriate_share")
        cells = [
            pretty(scenario),
            _cell(lead, primary, measure),
            "\u2014" if scenario == baseline else _diff_cell(lead, primary, measure),
            *(
                _cell(summary_row(summary, scenario, o, errors_measure), o, errors_measure)
                for o in ERROR_COLUMNS
            ),
            _cell(final, "appropriate_share"),
            "\u2014" if scenario == baseline else _diff_cell(final, "appropriate_share", "final"),
            _cell(
                summary_row(summary, scenario, "appropriate_share", "time_average"),
                "appropriate_share",
            ),
            *(_cell(summary_row(summary, scenario, o), o) for o in TABLE_OUTCOMES),
            _cell(summary_row(summary, scenario, "cumulative_cost_gbp"), "cumulative_cost_gbp"),
            _ratio_cell(summary_row(summary, scenario, COST_EFFECT), scenario, baseline, "no gain"),
            _ratio_cell(
                summary_row(summary, scenario, COST_PER_ERROR_AVERTED, "cumulative"),
                scenario,
                baseline,
                "none averted",
            ),
        ]
        css = ' class="baseline"' if scenario == baseline else ""
        tds = "".join(
            f"<td{'' if i == 0 else ' class=num'}>{esc(c)}</td>" for i, c in enumerate(cells)
        )
        rows.append(f"<tr{css}>{tds}</tr>")
    header = "".join(f"<th>{esc(h)}</th>" for h in head)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
