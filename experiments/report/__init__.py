"""The HTML report of an experiment, for planners: one self-contained file, readable without code.

One module per section: :mod:`.answer` (the answer in brief), :mod:`.ranking` (ranking and key
table), :mod:`.cost` (cost per gain, per error averted, when the money is spent),
:mod:`.uncertainty` (verdicts and differences with their CIs), :mod:`.figures`,
:mod:`.assumptions` (assumptions and definitions), :mod:`.provenance`; :mod:`.page` puts them in
order. Sections read the summary table and the config only; outcome names, units and directions
come from :mod:`experiments.outcomes`.
"""

from experiments.report.answer import headline, strategy_sentence
from experiments.report.cost import (
    cost_words,
    error_cost_words,
    spend_timing_lines,
    spending_note,
)
from experiments.report.page import CSS, render_report, write_report
from experiments.report.ranking import key_table_html, ranking_items
from experiments.report.text import share_with_range
from experiments.report.uncertainty import (
    change_words,
    difference_words,
    verdict,
    worsened_guards,
)

__all__ = [
    "CSS",
    "change_words",
    "cost_words",
    "difference_words",
    "error_cost_words",
    "headline",
    "key_table_html",
    "ranking_items",
    "render_report",
    "share_with_range",
    "spend_timing_lines",
    "spending_note",
    "strategy_sentence",
    "verdict",
    "worsened_guards",
    "write_report",
]
