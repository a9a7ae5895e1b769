"""The figures section: each PNG embedded as a data URI, with a caption on how to read it."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from pathlib import Path

from experiments.outcomes import pretty
from experiments.report.text import esc

PLOT_ORDER = (
    "by_condition",
    "errors",
    "final_outcomes",
    "cost_per_error_averted",
    "cost_effectiveness",
    "spending",
    "trajectories",
    "trust_reliability",
    "archetype_heatmap",
    "staff_group_heatmap",
)


CAPTIONS = {
    "by_condition": (
        "How the result changes with {label}. Left: mean trust in the final week; where the "
        "conditions are tool reliabilities, the dotted line is where trust would equal the "
        "reliability. Right: the share appropriately confident. Dots are means over replicates, "
        "bars the range 95% of single rollouts fall in."
    ),
    "final_outcomes": (
        "Where each strategy ends up in the final week. Each row is a strategy, the best on the "
        "primary outcome on top; the shaded row is the comparator ({baseline}) and the dotted "
        "line its mean. Dots are means over replicates, bars the range 95% of single rollouts "
        "fall in. Read across a row to see whether a strategy gains appropriate confidence by "
        "reducing over-trust or under-trust, and what happens to use of the tool and to the "
        "share of wrong AI advice that is acted on. Each panel has its own scale: check the "
        "axis before reading a gap as large."
    ),
    "cost_effectiveness": (
        "What each strategy buys. Further right costs more than {baseline} (training fees plus "
        "backfill for time away); further up gives more appropriately-confident staff in the "
        "final week. Bars are 95% confidence intervals of the mean difference over paired "
        "replicates: a vertical bar that crosses zero means the gain cannot be told apart from "
        "none. The green line joins the efficient strategies, for which no other strategy gives "
        "more gain for the same or less money; strategies below or right of it are dominated. "
        "The line uses the means only, so read it together with the bars."
    ),
    "errors": (
        "The error trade-off. Each dot is a strategy's mean difference from {baseline} in one "
        "kind of error (averaged over the weeks unless the experiment says otherwise), with its "
        "95% confidence interval over paired replicates. Left of the black line means fewer "
        "errors than {baseline}. A strategy can lower one kind of error while raising another: "
        "read every panel. A bar crossing the line cannot be told apart from no change."
    ),
    "cost_per_error_averted": (
        "What each strategy buys in errors. Further right costs more than {baseline}; further "
        "up averts more avoidable errors (automation-bias plus aversion errors, in total over "
        "the horizon). Bars are 95% confidence intervals over paired replicates; the green line "
        "joins the strategies no other beats on both cost and errors averted. Fewer errors can "
        "also come from fewer AI-assisted decisions, so read it with the figures on use."
    ),
    "spending": (
        "When the money is spent: training spend so far (fees plus backfill), week by week. "
        "Lines are the median over replicates and bands the range 95% of single rollouts fall "
        "in; the dotted line is the budget. A strategy that spends early gets its effect early "
        "but also pays for staff who later leave."
    ),
    "trajectories": (
        "How things evolve week by week (bottom axis: calendar; top axis: week of the "
        "simulation). Lines are the median over replicates and shaded bands the range 95% of "
        "single rollouts fall in; the dashed black line is {baseline}. Shares are of staff "
        "whose department has the tool live, so they start once the tool goes live. Differences "
        "early on can matter even if the lines meet again by the end."
    ),
    "trust_reliability": (
        "Trust against the truth. Each dot is one worker in the final week of one replicate: "
        "across, how reliable the tool really is in their department; up, how much they trust "
        "it. Dots inside the green band are appropriately confident; above it they over-trust "
        "(risk of acting on wrong advice), below it they under-trust (benefit lost). Blue dots "
        "use the tool, orange dots do not."
    ),
    "archetype_heatmap": (
        "Who ends up appropriately confident, by archetype (final week, mean over replicates). "
        "Small groups (shapers, drivers and creators are a few percent of staff) have few "
        "workers, so their figures vary a lot between replicates: read small differences with "
        "caution. Colours stretch over the range of the values shown."
    ),
    "staff_group_heatmap": (
        "Who ends up appropriately confident, by staff group (final week, mean over "
        "replicates). Colours stretch over the range of the values shown, so small differences "
        "look large; the numbers in the cells are what counts."
    ),
}


def figure_html(name: str, path: Path, baseline_label: str, condition_label: str) -> str:
    """A figure embedded as a PNG data URI, with its caption."""
    kind = name.split(":", 1)[0]
    caption = CAPTIONS.get(kind, "Figure of the experiment.")
    caption = caption.format(baseline=baseline_label, label=condition_label)
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    alt = pretty(kind) + (f" ({name.split(':', 1)[1]})" if ":" in name else "")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def sorted_plots(plots: Mapping[str, Path]) -> list[tuple[str, Path]]:
    """Figures in reading order (PLOT_ORDER, then by name)."""

    def key(item: tuple[str, Path]) -> tuple[int, str]:
        kind = item[0].split(":", 1)[0]
        return (PLOT_ORDER.index(kind) if kind in PLOT_ORDER else len(PLOT_ORDER), item[0])

    return sorted(plots.items(), key=key)
