"""What each outcome column of a runs table means: label, unit, direction and how it adds up.

This is the one table both the summary, the report and the plots read, so an outcome's name,
unit and whether lower or higher is better are written down once. ``better`` is ``"lower"``
for errors, costs and hours (and for over- and under-trust), ``"higher"`` for shares such as
``appropriate_share``, ``decision_accuracy`` and ``complementarity``, and ``None`` for outcomes
that describe the rollout without being good or bad in themselves (adoption, mean trust).

``accumulate`` says what the ``cumulative`` measure of a replicate is (see
:mod:`experiments.summary`):

- ``"sum"``: a weekly count or amount (``decisions``, ``verification_hours``), summed over weeks.
- ``"errors"``: a weekly rate per 1,000 AI-assisted decisions; the cumulative measure is the
  total number of such errors over the horizon, ``sum over weeks of rate x decisions / 1000``.
- ``"last"``: a running total the model already keeps (``cumulative_cost_gbp``,
  ``appropriate_worker_weeks``); the cumulative measure is its value in the final week.
- ``None``: a share or a mean, which does not add up over weeks (no cumulative measure).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MEASURES = ("final", "time_average", "cumulative")
MEASURE_WORDS = {
    "final": "in the final week",
    "time_average": "averaged over the weeks",
    "cumulative": "in total over the horizon",
}
DECISIONS = "decisions"


@dataclass(frozen=True)
class Outcome:
    """One outcome column: how to name it, in what unit, and which way is better.

    Attributes:
        label: Short name for tables, legends and sentences ("Avoidable errors").
        unit: Unit of the weekly value ("per 1,000 decisions", "share", "GBP", "hours").
        description: One sentence for a non-modeller: what is counted.
        better: "lower", "higher", or None when neither is better in itself.
        kind: How to print a value: "share" (percent), "per_1000", "count", "gbp", "hours",
            "trust" (0-1 scale).
        accumulate: What the cumulative measure is: "sum", "errors", "last" or None (module
            docstring).
        total_unit: Unit of the cumulative measure ("errors", "GBP", "hours"), when it has one.
    """

    label: str
    unit: str
    description: str
    better: Literal["lower", "higher"] | None
    kind: str
    accumulate: Literal["sum", "errors", "last"] | None = None
    total_unit: str = ""


def _share(label: str, description: str, better: Literal["lower", "higher"] | None) -> Outcome:
    return Outcome(label, "share", description, better, "share")


def _rate(label: str, description: str) -> Outcome:
    return Outcome(
        label, "per 1,000 decisions", description, "lower", "per_1000", "errors", "errors"
    )


OUTCOMES: dict[str, Outcome] = {
    "avoidable_errors_averted": Outcome(
        "Avoidable errors averted",
        "errors",
        "avoidable errors averted against the comparator over the horizon, on the strategy's own "
        "decisions (comparator's rate minus the strategy's, times the strategy's decisions)",
        None,
        "count",
        None,
        "errors",
    ),
    "avoidable_errors_per_1000": _rate(
        "Avoidable errors",
        "automation-bias plus aversion errors: decisions that went wrong because the AI advice "
        "was wrongly followed or wrongly overridden, per 1,000 AI-assisted decisions",
    ),
    "automation_bias_errors_per_1000": _rate(
        "Automation-bias errors", "wrong AI advice acted on, per 1,000 AI-assisted decisions"
    ),
    "aversion_errors_per_1000": _rate(
        "Aversion errors",
        "right AI advice overridden or rejected and the worker's own answer wrong, per 1,000 "
        "AI-assisted decisions",
    ),
    "appropriate_share": _share(
        "Appropriately confident",
        "share of staff (with the tool live) whose trust is within the margin of the tool's "
        "real reliability",
        "higher",
    ),
    "over_trust_share": _share(
        "Over-trusting", "share trusting the tool more than its reliability warrants", "lower"
    ),
    "under_trust_share": _share(
        "Under-trusting", "share trusting the tool less than its reliability warrants", "lower"
    ),
    "calibration_error": Outcome(
        "Calibration error", "0-1", "mean gap between trust and real reliability", "lower", "trust"
    ),
    "adoption_share": _share(
        "Using the tool", "share of staff with the tool live who use it", None
    ),
    "automation_bias_rate": _share(
        "Wrong AI advice acted on", "share of the wrong AI advice that users relied on", "lower"
    ),
    "aversion_rate": _share(
        "Right AI advice lost", "share of the right AI advice lost to override", "lower"
    ),
    "decision_accuracy": _share(
        "Decision accuracy", "share of AI-assisted decisions that were right", "higher"
    ),
    "ai_alone_accuracy": _share(
        "AI-alone accuracy", "share of the same cases the tool alone gets right", None
    ),
    "unaided_accuracy": _share(
        "Unaided accuracy", "share of the same cases the staff get right without AI", None
    ),
    "accuracy_gain": _share(
        "Accuracy gain from AI", "decision accuracy minus unaided accuracy", "higher"
    ),
    "complementarity": _share(
        "Complementarity",
        "decision accuracy minus the better of the tool alone and the staff alone (above 0: "
        "the team beats both)",
        "higher",
    ),
    "mean_trust": Outcome("Mean trust", "0-1", "mean trust in the AI tool", None, "trust"),
    "mean_confidence": Outcome(
        "Mean confidence", "0-1", "mean reported confidence in AI", None, "trust"
    ),
    "trained_share": _share("Trained", "share of current staff ever trained", None),
    "appropriate_workers": Outcome(
        "Appropriately-confident staff",
        "workers",
        "number of appropriately-confident (worker, tool) pairs this week",
        "higher",
        "count",
    ),
    "appropriate_worker_weeks": Outcome(
        "Appropriately-confident worker-weeks",
        "worker-weeks",
        "appropriately-confident (worker, tool) pairs summed over the weeks so far",
        "higher",
        "count",
        "last",
        "worker-weeks",
    ),
    "decisions": Outcome(
        "AI-assisted decisions",
        "decisions",
        "AI-assisted decisions this week",
        None,
        "count",
        "sum",
        "decisions",
    ),
    "verification_hours": Outcome(
        "Verification time",
        "hours",
        "staff hours spent checking AI advice this week",
        "lower",
        "hours",
        "sum",
        "hours",
    ),
    "cumulative_cost_gbp": Outcome(
        "Training cost",
        "GBP",
        "training spend so far, fees plus backfill for staff time",
        "lower",
        "gbp",
        "last",
        "GBP",
    ),
    "cumulative_staff_hours": Outcome(
        "Training time",
        "hours",
        "staff hours spent in training so far",
        "lower",
        "hours",
        "last",
        "hours",
    ),
}
ERROR_GUARDS = ("automation_bias_errors_per_1000", "aversion_errors_per_1000", "over_trust_share")
"""Error outcomes a strategy must not worsen silently: a report sentence that calls it an
improvement also names any of these it worsens."""
DEFAULT_PRIMARY = "avoidable_errors_per_1000"
PRIMARY_CHOICES = tuple(name for name, o in OUTCOMES.items() if o.better is not None)
ACRONYMS = {"ahp": "AHP", "ai": "AI", "nhs": "NHS", "cdss": "CDSS", "genai": "GenAI"}


def pretty(name: str) -> str:
    """A scenario or group name for people: underscores to spaces, first letter capital."""
    words = [ACRONYMS.get(w.lower(), w) for w in str(name).replace("_", " ").split()]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def outcome(name: str) -> Outcome:
    """The metadata of an outcome column; unknown names get a neutral, unit-less entry."""
    return OUTCOMES.get(name) or Outcome(pretty(name), "", pretty(name), None, "count")


def measure_defined(name: str, measure: str) -> bool:
    """Whether ``measure`` (final, time_average, cumulative) exists for outcome ``name``."""
    return measure != "cumulative" or outcome(name).accumulate is not None


def sign_of_better(name: str) -> int:
    """+1 when higher is better, -1 when lower is better, 0 when neither."""
    return {"higher": 1, "lower": -1, None: 0}[outcome(name).better]


def check_primary(primary_outcome: str, primary_measure: str) -> list[str]:
    """Problems with ``experiment.primary_outcome`` / ``primary_measure``, as messages.

    Returns:
        One message per problem, each naming the key, the value and what is accepted; empty
        when both are valid.
    """
    problems = []
    if primary_outcome not in PRIMARY_CHOICES:
        problems.append(
            f"experiment.primary_outcome = {primary_outcome!r}: expected one of "
            f"{', '.join(PRIMARY_CHOICES)}"
        )
    if primary_measure not in MEASURES:
        problems.append(
            f"experiment.primary_measure = {primary_measure!r}: expected one of "
            f"{', '.join(MEASURES)}"
        )
    elif primary_outcome in OUTCOMES and not measure_defined(primary_outcome, primary_measure):
        problems.append(
            f"experiment.primary_measure = {primary_measure!r}: {primary_outcome} is a share "
            "or mean with no cumulative total; expected final or time_average"
        )
    return problems


SHORT_PATHS = {
    "population.archetypes.": "",
    "population.staff_groups.": "",
    "population.": "",
    "training.modalities.": "",
    "behaviour.": "",
    "tools.0.": "tool: ",
    "strategy.audit.": "audit (strategy): ",
    "audit.": "audit: ",
    "training.": "training: ",
}


def parameter_label(path: str) -> str:
    """A parameter's dotted path, shortened for an axis ('workshop.half_life_weeks')."""
    for prefix, replacement in SHORT_PATHS.items():
        if path.startswith(prefix):
            return replacement + path[len(prefix) :]
    return path


def output_title_and_unit(name: str, primary: str, baseline: str) -> tuple[str, str]:
    """(panel title, unit) of an output of the analysis."""
    base = name.removesuffix(f"_vs_{baseline}")
    info = outcome(base)
    unit = "percentage points" if info.kind == "share" else info.unit
    if base != name:
        return f"{info.label}: strategy minus {pretty(baseline).lower()}", unit
    return f"{info.label} (strategy)", unit
