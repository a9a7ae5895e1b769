"""Outcomes recorded every week, overall and by archetype and staff group (spec section 9).

Every outcome is a ratio of two sums. The sums are taken once per week per cell of archetype x
staff group with ``np.bincount`` (no per-agent reporters); overall figures and the two breakdowns
are sums of those cells, so they always agree. Calibration outcomes are over (worker, tool) pairs
whose department has the tool live: **appropriate** means ``|tau - rho_d| <= delta_app``.

Decision outcomes (model v2) are over the week's AI-assisted cases: automation-bias errors (wrong
advice acted on) and aversion errors (right advice overridden or falsely rejected, then decided
wrongly) per 1,000 cases, and their sum, the *avoidable* errors; decision accuracy against the
tool alone and the same staff unaided on the same cases; ``complementarity`` is decision accuracy
minus the better of the two.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from model.config import ARCHETYPES
from model.kernels import threaded
from model.outcome_kernels import cell_sums, cell_sums_parallel, outcome_values
from model.use import TALLY_FIELDS

if TYPE_CHECKING:
    from model.simulation import WorkforceModel

OUTCOMES: dict[str, tuple[str, str, str]] = {
    # name: (numerator sum, denominator sum, description with unit)
    "live_share": ("has_live_tool", "headcount", "share of staff whose department has a tool live"),
    "adoption_share": ("using", "live_pairs", "share of staff with a live tool who use it"),
    "mean_trust": ("trust", "headcount", "mean trust in AI (0-1), over the tools a worker knows"),
    "mean_self_efficacy": ("self_efficacy", "headcount", "mean self-efficacy (0-1)"),
    "mean_confidence": ("confidence", "headcount", "mean reported confidence (0-1)"),
    "mean_ai_literacy": ("ai_literacy", "headcount", "mean AI literacy (0-1)"),
    "appropriate_share": (
        "appropriate",
        "live_pairs",
        "share with |trust - reliability| <= margin",
    ),
    "over_trust_share": ("over_trust", "live_pairs", "share trusting above reliability + margin"),
    "under_trust_share": ("under_trust", "live_pairs", "share trusting below reliability - margin"),
    "calibration_error": ("abs_error", "live_pairs", "mean |trust - reliability| (0-1)"),
    "automation_bias_rate": ("relied_wrong", "wrong_advice", "share of wrong advice acted on"),
    "aversion_rate": ("aversion_errors", "right_advice", "share of right advice lost to override"),
    "decision_accuracy": ("correct", "cases", "share of AI-assisted decisions right"),
    "ai_alone_accuracy": (
        "ai_correct",
        "cases",
        "share of the same cases the tool alone gets right",
    ),
    "unaided_accuracy": ("unaided_correct", "cases", "share the same cases right without AI"),
    "automation_bias_errors_per_1000": (
        "relied_wrong",
        "cases",
        "wrong AI advice acted on, per 1,000 AI-assisted decisions",
    ),
    "aversion_errors_per_1000": (
        "aversion_errors",
        "cases",
        "right AI advice overridden or rejected and then decided wrongly, per 1,000 decisions",
    ),
    "avoidable_errors_per_1000": (
        "avoidable_errors",
        "cases",
        "automation-bias plus aversion errors, per 1,000 AI-assisted decisions",
    ),
    "verification_share": ("verified", "accepted", "share of accepted AI advice checked"),
    "mean_perceived_accuracy": (
        "perceived_accuracy",
        "headcount",
        "mean belief about one's own unaided accuracy (0-1)",
    ),
    "self_assessment_error": (
        "self_assessment_gap",
        "headcount",
        "mean perceived minus true own accuracy (> 0: over-confident in oneself)",
    ),
    "trained_share": ("trained", "headcount", "share of current staff ever trained"),
    "starting_staff_share": ("starting_staff", "headcount", "share of staff present at week 0"),
}
PER_1000 = tuple(name for name in OUTCOMES if name.endswith("_per_1000"))
COUNTS: dict[str, str] = {
    "headcount": "workers",
    "appropriate_workers": "appropriately confident (worker, live tool) pairs",
    "decisions": "AI-assisted decisions this week",
    "verification_hours": "staff hours spent checking AI advice or deciding without it this week",
}
CUMULATIVE: dict[str, tuple[str, str]] = {
    # name: (weekly count it accumulates, description)
    "appropriate_worker_weeks": (
        "appropriate_workers",
        "appropriately confident (worker, live tool) pairs summed over weeks so far",
    ),
    "cumulative_verification_hours": (
        "verification_hours",
        "staff hours spent checking AI advice or deciding without it so far",
    ),
}
GROUPINGS = ("archetype", "staff_group")


PARALLEL_MIN_WORKERS = 200_000
"""From this many workers, the outcome sums run as parallel tasks (same result)."""

CELL_SUMS = (
    "headcount", "trust", "self_efficacy", "ai_literacy", "trained", "starting_staff",
    "perceived_accuracy", "unaided_skill", "has_live_tool", "live_pairs", "using", "appropriate",
    "over_trust", "abs_error", *TALLY_FIELDS,
)  # fmt: skip
"""Sums taken over the workforce (and this week's tally) per cell, in one compiled pass."""


DERIVED_SUMS = (
    "confidence", "under_trust", "avoidable_errors", "self_assessment_gap",
    "verification_hours", "appropriate_worker_weeks", "cumulative_verification_hours",
)  # fmt: skip
"""Sums that follow from the cell sums, so need no pass over the workforce of their own."""
SUM_NAMES = (*CELL_SUMS, *DERIVED_SUMS)
VALUE_NAMES = (
    *OUTCOMES, "accuracy_gain", "complementarity", "headcount", "appropriate_workers",
    "decisions", "verification_hours", *CUMULATIVE,
)  # fmt: skip
"""Every value recorded per week and group, in the order of :func:`_ratios`."""
_INDEX = {name: i for i, name in enumerate(SUM_NAMES)}
_NUMERATORS = np.array([_INDEX[num] for num, _, _ in OUTCOMES.values()])
_DENOMINATORS = np.array([_INDEX[den] for _, den, _ in OUTCOMES.values()])
_PER_1000 = np.array([name in PER_1000 for name in OUTCOMES])
_DERIVED = np.array(
    [
        _INDEX[name]
        for name in (
            "trust", "self_efficacy", "live_pairs", "appropriate", "over_trust", "relied_wrong",
            "aversion_errors", "perceived_accuracy", "unaided_skill", "reviewed", *DERIVED_SUMS,
        )
    ]
)  # fmt: skip
_COUNTS = np.array(
    [
        _INDEX[name]
        for name in ("headcount", "appropriate", "cases", "verification_hours", *CUMULATIVE)
    ]
)
_ACCURACY = np.array(
    [
        list(OUTCOMES).index(n)
        for n in ("decision_accuracy", "ai_alone_accuracy", "unaided_accuracy")
    ]
)
_INTEGER_ROWS = [
    VALUE_NAMES.index(name)
    for name in ("headcount", "appropriate_workers", "decisions", "appropriate_worker_weeks")
]


def _cell_sums(model: WorkforceModel) -> np.ndarray:
    """Every sum behind the outcomes, per cell of archetype x staff group (rows: SUM_NAMES).

    One pass over the workers and one over the week's tally
    (:func:`model.outcome_kernels.cell_sums`): trust over the tools a worker knows
    (:func:`~model.tools.known_tool_trust`), the other worker means, and over live (worker, tool)
    pairs the use and calibration counts. The rows of
    :data:`DERIVED_SUMS` are left as zeros for :func:`model.outcome_kernels.outcome_values`.
    """
    wf, tally = model.workforce, model.tally
    n_groups = len(model.config.population.staff_groups)
    n_cells = len(ARCHETYPES) * n_groups
    parallel = threaded(wf.size, PARALLEL_MIN_WORKERS)
    kernel = cell_sums_parallel if parallel else cell_sums
    return kernel(
        wf.archetype, wf.staff_group, n_groups, n_cells, wf.trust, model.live, wf.uses,
        wf.self_efficacy, wf.baseline_literacy, wf.skill_total, wf.times_trained,
        wf.starting_staff, wf.perceived_accuracy, wf.unaided_accuracy,
        model.tools.department_reliability, wf.department,
        model.config.outcomes.appropriate_margin, tally.worker, tally.matrix, len(DERIVED_SUMS),
        3 if parallel else 2,
    )  # fmt: skip


def _ratios(sums: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every outcome from the sums (each an array over the same columns): one division for all."""
    names = list(sums)
    stacked = np.stack([np.asarray(sums[name], dtype=float) for name in names])
    numerators = stacked[[names.index(num) for num, _, _ in OUTCOMES.values()]]
    denominators = stacked[[names.index(den) for _, den, _ in OUTCOMES.values()]]
    ratios = np.divide(
        numerators, denominators, out=np.full_like(numerators, np.nan), where=denominators > 0
    )
    values = dict(zip(OUTCOMES, ratios, strict=True))
    for name in PER_1000:
        values[name] = 1000.0 * values[name]
    values["accuracy_gain"] = values["decision_accuracy"] - values["unaided_accuracy"]
    values["complementarity"] = values["decision_accuracy"] - np.fmax(
        values["ai_alone_accuracy"], values["unaided_accuracy"]
    )
    values["headcount"] = sums["headcount"]
    values["appropriate_workers"] = sums["appropriate"]
    values["decisions"] = sums["cases"]
    values["verification_hours"] = sums["verification_hours"]
    for name in CUMULATIVE:
        values[name] = sums[name]
    return values


def record(model: WorkforceModel) -> None:
    """Append this week's overall row and, if configured, its by-group values.

    The cell sums (:func:`_cell_sums`) are totalled once into one column for everyone, one per
    archetype and one per staff group, and every ratio is taken once over all these columns, in
    one compiled call (:func:`model.outcome_kernels.outcome_values`, the arithmetic of
    :func:`_ratios`). By-group values are kept as one array per week and turned into rows only
    when asked for (:func:`group_rows`).
    """
    sums = _cell_sums(model)
    by_group = model.config.outcomes.by_group
    beh = model.config.behaviour
    shape = (len(ARCHETYPES), sums.shape[1] // len(ARCHETYPES))
    running = np.empty((3, sums.shape[1]))
    running[0, :2] = beh.confidence_trust_weight, beh.verification_minutes
    running[1] = np.ravel(model.appropriate_worker_weeks)
    running[2] = np.ravel(model.cumulative_verification_hours)
    values = outcome_values(
        sums, len(ARCHETYPES), by_group, _NUMERATORS, _DENOMINATORS, _PER_1000, _DERIVED,
        _COUNTS, _ACCURACY, running,
    )  # fmt: skip
    model.appropriate_worker_weeks = running[1].reshape(shape)
    model.cumulative_verification_hours = running[2].reshape(shape)
    overall = values[:, 0].tolist()
    for i in _INTEGER_ROWS:
        overall[i] = int(round(overall[i]))
    row = {"week": model.week, "date": model.date_of_week(model.week)}
    row.update(zip(VALUE_NAMES, overall, strict=True))
    row["cumulative_cost_gbp"] = model.cumulative_cost_gbp
    row["cumulative_staff_hours"] = model.cumulative_staff_hours
    row["cumulative_audit_cost_gbp"] = model.cumulative_audit_cost_gbp
    model.outcome_rows.append(row)
    if by_group:
        model.group_values.append((model.week, list(VALUE_NAMES), values[:, 1:]))


def group_rows(
    group_values: list[tuple[int, list[str], np.ndarray]], staff_groups: tuple[str, ...]
) -> list[dict]:
    """By-group rows (week, grouping, group, then every outcome) from the kept weekly arrays.

    Each array has a row per outcome and a column per archetype, then per staff group.
    """
    groups = [("archetype", a) for a in ARCHETYPES] + [("staff_group", g) for g in staff_groups]
    rows = []
    for week, names, values in group_values:
        for g, (grouping, group) in enumerate(groups):
            row = {"week": week, "grouping": grouping, "group": group}
            column = values[:, g].tolist()
            row.update({name: _value(name, v) for name, v in zip(names, column, strict=True)})
            rows.append(row)
    return rows


INTEGER_COUNTS = ("headcount", "appropriate_workers", "decisions", "appropriate_worker_weeks")
"""Counts of workers, pairs or decisions: whole numbers, stored as integers."""


def _value(name: str, value: float) -> float | int:
    value = float(value)  # rounding a Python float is far cheaper than a numpy scalar
    return int(round(value)) if name in INTEGER_COUNTS else value


def group_table(
    group_values: list[tuple[int, list[str], np.ndarray]], staff_groups: tuple[str, ...]
) -> pd.DataFrame:
    """The by-group table built column by column: the frame of :func:`group_rows`, faster."""
    if not group_values:
        return pd.DataFrame()
    groups = [("archetype", a) for a in ARCHETYPES] + [("staff_group", g) for g in staff_groups]
    names = group_values[0][1]
    cube = np.stack([values for _, _, values in group_values])  # weeks x outcomes x groups
    n_weeks = len(group_values)
    columns: dict[str, np.ndarray] = {
        "week": np.repeat([week for week, _, _ in group_values], len(groups)),
        "grouping": np.array([grouping for grouping, _ in groups] * n_weeks, dtype=object),
        "group": np.array([group for _, group in groups] * n_weeks, dtype=object),
    }
    for i, name in enumerate(names):
        column = cube[:, i, :].reshape(-1)
        columns[name] = np.rint(column).astype(np.int64) if name in INTEGER_COUNTS else column
    return pd.DataFrame(columns)


def outcome_table(rows: list[dict]) -> pd.DataFrame:
    """Rows as a DataFrame, dates as datetime64."""
    table = pd.DataFrame(rows)
    if "date" in table:
        table["date"] = pd.to_datetime(table["date"])
    return table


def outcome_descriptions() -> dict[str, str]:
    """Column name to description (with unit) for the outcome table."""
    described = {name: text for name, (_, _, text) in OUTCOMES.items()}
    described.update(COUNTS)
    described.update({name: text for name, (_, text) in CUMULATIVE.items()})
    described["accuracy_gain"] = "decision_accuracy - unaided_accuracy (share of decisions)"
    described["complementarity"] = (
        "decision_accuracy - max(ai_alone_accuracy, unaided_accuracy) (share of decisions)"
    )
    described["cumulative_audit_cost_gbp"] = (
        "audit spend so far, governance and strategy (GBP); the strategy's share is also in "
        "cumulative_cost_gbp"
    )
    described["cumulative_cost_gbp"] = (
        "strategy spend so far: training incl. backfill, and the strategy's audit (GBP)"
    )
    described["cumulative_staff_hours"] = "staff hours spent in training so far (hours)"
    return described


def week_date(start: dt.date, week: int) -> dt.date:
    """Calendar date of week ``week``: start_date + 7 week days."""
    return start + dt.timedelta(days=7 * week)
