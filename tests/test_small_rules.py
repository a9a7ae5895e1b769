"""Small rules checked exactly: audit timing and cost, budget shares, events, leadership weeks,
the Beta update's edge cases, parameter metadata, lazy exports and the by-group table.

Written against mutmut's surviving mutants (tests/MUTATION.md); each docstring names the mutants
(``model.<module>.x_<function>__mutmut_<n>``) it kills.
"""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

import numpy as np
import pytest

import model as model_package
from model import WorkforceModel
from model.audit import audit, audit_round, due
from model.budget import affordable, share_limit
from model.config import AuditConfig, EventConfig
from model.events import apply_events
from model.outcomes import group_rows, group_table
from model.params import fraction, param
from model.tools import deploy
from model.use import beta_update
from model.validation import ConfigError, check_go_live


@pytest.mark.parametrize(
    ("start", "period", "weeks"), [(3, 4, [6, 10, 14]), (5, 1, [5, 6, 7]), (0, 13, [12, 25])]
)
def test_audit_rounds_fall_at_the_end_of_each_period(start, period, weeks) -> None:
    """Rounds in weeks start + period - 1, start + 2 period - 1, ...; none before. Kills
    ``audit.due__mutmut_5`` (``week > start``: the first 1-week round lost) and ``_7``
    (``week + start``)."""
    config = AuditConfig(coverage=0.5, start_week=start, period_weeks=period)
    assert [w for w in range(weeks[-1] + 1) if due(config, w)] == weeks


def test_a_strategy_audit_spends_within_its_budget_share(small_config) -> None:
    """A strategy audit of all 10 departments at GBP 1,000 each, limited to a 25% share of a
    GBP 10,000 budget, audits 2 departments: GBP 2,000 spent and added to the audit cost. Kills
    ``audit.audit__mutmut_12`` (share ignored: 10 audited) and ``_47`` (cost subtracted)."""
    config = small_config(strategy__budget_gbp=10_000.0)
    config.strategy.audit = AuditConfig(
        coverage=1.0, period_weeks=1, cost_gbp_per_department=1000.0, budget_share=0.25
    )
    model = WorkforceModel(config)
    model.week = 0
    audit(model)
    state = model.audits[1]
    assert state.paid_from_budget and state.departments.sum() == 10
    assert state.spent_gbp == pytest.approx(2000.0)
    assert model.cumulative_audit_cost_gbp == pytest.approx(2000.0)
    assert model.cumulative_cost_gbp == pytest.approx(2000.0)


def test_share_limit_is_the_unspent_share_and_never_negative(small_config) -> None:
    """``max(0, share x budget - spent)``; inf without a share. Kills
    ``budget.share_limit__mutmut_4`` (``max`` of one number) and ``_5`` (always 0)."""
    model = WorkforceModel(small_config(strategy__budget_gbp=10_000.0))
    assert share_limit(model, 0.3, 1000.0) == pytest.approx(2000.0)
    assert share_limit(model, 0.3, 5000.0) == 0.0
    assert share_limit(model, None, 5000.0) == np.inf


def test_approval_raises_the_named_tools_governance_toward_one(small_config, make_tool) -> None:
    """Approval of tool b moves b's governance maturity g to g + m (1 - g) and leaves tool a's;
    leadership for b boosts only b's adoption. Kills ``events._approval__mutmut_13``
    (``2 - g``) and ``events._leadership__mutmut_1`` (every tool boosted)."""
    config = small_config(tools=[make_tool("a"), make_tool("b")])
    config.events = [
        EventConfig(kind="approval", week=0, magnitude=0.5, tool="b"),
        EventConfig(kind="leadership", week=0, magnitude=0.5, tool="b", duration_weeks=4),
    ]
    model = WorkforceModel(config)
    before = model.tools.governance.copy()
    model.week = 0
    apply_events(model)
    assert model.tools.governance[0] == before[0]
    assert model.tools.governance[1] == pytest.approx(before[1] + 0.5 * (1 - before[1]))
    assert list(model.leadership_factor) == [1.0, 1.5]
    assert list(model.leadership_until) == [-1, 4]


def test_leadership_boost_lasts_exactly_its_duration(small_config) -> None:
    """A boost until week 4 applies in weeks 0-3 and not in week 4. Kills
    ``tools.deploy__mutmut_30`` (``<=``: one week too long)."""
    model = WorkforceModel(small_config())
    model.leadership_until[:] = 4
    model.leadership_factor[:] = 2.0
    boosts = []
    for week in range(6):
        model.week = week
        deploy(model)
        boosts.append(float(model.adoption_boost[0]))
    assert boosts == [2.0, 2.0, 2.0, 2.0, 1.0, 1.0]


def test_an_event_without_week_or_date_names_itself_in_the_error(small_config) -> None:
    """Kills ``events.event_week__mutmut_4`` (the error's label lost)."""
    model = WorkforceModel(small_config())
    model.config.events = [EventConfig(kind="approval", week=None)]
    with pytest.raises(ConfigError, match="^event date: week = None and date = None"):
        apply_events(model)


def test_beta_update_keeps_the_mean_without_evidence_and_divides_below_one() -> None:
    """With no evidence left (total 0) the mean is kept; with a total below 1 the mean is
    alpha / total. Kills ``use.beta_update__mutmut_32`` (no ``out``: garbage where total is 0),
    ``_38`` (``total >= 0``: 0/0) and ``_39`` (``total > 1``)."""
    mean = np.array([0.3, 0.6, 0.25])
    strength = np.array([0.0, 0.0, 0.8])
    new_mean, total = beta_update(mean, strength, np.zeros(3), np.zeros(3))
    assert new_mean[:2] == pytest.approx([0.3, 0.6])
    assert total == pytest.approx([0.0, 0.0, 0.8])
    assert new_mean[2] == pytest.approx(0.25)
    new_mean, _ = beta_update(mean, strength, np.array([0.0, 0.0, 0.1]), np.zeros(3))
    assert new_mean[2] == pytest.approx((0.2 + 0.1) / 0.9)


def test_param_and_fraction_record_unit_range_source_and_doc() -> None:
    """The metadata the validator and the ODD table read. Kills ``params.param__mutmut_4``,
    ``_9`` (keys renamed), ``_18`` (default_factory dropped) and ``params.fraction__mutmut_2``,
    ``_4``, ``_11``, ``_13`` (default, source, low or doc lost)."""

    @dataclasses.dataclass
    class Example:
        share: float = fraction(0.25, source="Smith 2020", doc="a share")
        items: list = param(unit="-", default_factory=list, high=3.0)

    fields = {f.name: f for f in dataclasses.fields(Example)}
    assert dict(fields["share"].metadata) == {
        "unit": "share",
        "source": "Smith 2020",
        "low": 0.0,
        "high": 1.0,
        "choices": None,
        "doc": "a share",
    }
    assert fields["items"].metadata["high"] == 3.0 and fields["items"].metadata["unit"] == "-"
    first, second = Example(), Example()
    assert first.share == 0.25 and first.items == [] and first.items is not second.items


def test_lazy_exports_are_imported_once_and_kept() -> None:
    """``model.WorkforceModel`` is the class on first and later use, cached in the package.
    Kills ``model.__getattr____mutmut_9`` (``None`` cached)."""
    saved = vars(model_package).pop("WorkforceModel", None)
    try:
        first = model_package.WorkforceModel
        assert vars(model_package)["WorkforceModel"] is first
        assert model_package.WorkforceModel is first and first.__name__ == "WorkforceModel"
    finally:
        if saved is not None:
            model_package.WorkforceModel = saved


def test_group_rows_and_group_table_are_the_same_table(small_config) -> None:
    """The row-by-row reference (:func:`group_rows`) equals the column-built table, with the
    integer counts as integers. Kills ``outcomes.group_rows__mutmut_17``, ``_18``, ``_20``,
    ``_26`` (values dropped, names lost, counts not rounded)."""
    model = WorkforceModel(small_config(weeks=3))
    model.run()
    groups = tuple(model.config.population.staff_groups)
    rows = group_rows(model.group_values, groups)
    table = group_table(model.group_values, groups)
    assert len(rows) == len(table)
    for row, (_, expected) in zip(rows, table.iterrows(), strict=True):
        assert set(row) == set(table.columns)
        for name, value in row.items():
            want = expected[name]
            assert (value == want) or (np.isnan(value) and np.isnan(want)), name
        assert isinstance(row["headcount"], int)


def test_self_assessment_error_is_perceived_minus_true_accuracy(small_config) -> None:
    """The recorded self-assessment error is the mean of perceived minus true own accuracy
    (positive: over-confident). Kills ``outcomes._cell_sums__mutmut_93`` (the sum instead)."""
    model = WorkforceModel(small_config(weeks=2))
    table = model.run()
    wf = model.workforce
    expected = np.mean(wf.perceived_accuracy - wf.unaided_accuracy)
    assert table["self_assessment_error"].iloc[-1] == pytest.approx(expected, abs=1e-12)


def test_check_go_live_names_a_tool_that_goes_live_after_the_horizon(small_config) -> None:
    """Kills ``validation.check_go_live__mutmut_18`` (``week_of`` called without the config)."""
    config = small_config(weeks=52)
    assert check_go_live(config) == []
    config.tools[0].rollout.go_live_week = 52
    (problem,) = check_go_live(config)
    assert problem.startswith("tools.0.rollout.go_live_week = 52 (week 52): expected a week")


def test_an_audit_turns_revealed_own_successes_into_errors(small_config) -> None:
    """Each own error an audit reveals moves a past success to the failures: with strength K,
    perceived accuracy m becomes ``(K m - r) / K`` (the evidence total is unchanged). Kills
    ``audit.x_audit_round__mutmut_74`` (``+revealed_own``: a revealed error counted a success)."""
    model = WorkforceModel(small_config())
    wf = model.workforce
    staff = np.flatnonzero(wf.department == 0)
    wf.unnoticed_own_errors[staff] = 3.0
    before = wf.perceived_accuracy[staff].copy()
    audit_round(model, np.array([0]), AuditConfig(reveal_share=1.0))
    revealed = 3.0 - wf.unnoticed_own_errors[staff]
    assert revealed.sum() > 0
    strength = model.config.behaviour.self_knowledge_strength
    expected = np.maximum(strength * before - revealed, 0.0) / strength
    np.testing.assert_allclose(wf.perceived_accuracy[staff], expected, rtol=1e-12)


def test_a_run_with_progress_labels_its_bar_in_weeks(small_config, capsys) -> None:
    """The progress bar counts weeks and says so; the week's row carries the cumulative staff
    hours. Kills ``simulation.xǁWorkforceModelǁrun__mutmut_11`` (the bar's label dropped) and
    ``outcomes.x_record__mutmut_71`` (the staff-hours column misnamed)."""
    model = WorkforceModel(small_config(weeks=1))
    table = model.run(progress=True)
    assert "weeks: 100%" in capsys.readouterr().err
    assert table["cumulative_staff_hours"].tolist() == [model.cumulative_staff_hours]


def _purse(budget_gbp: float) -> SimpleNamespace:
    """A stand-in model whose whole budget is released now and nothing is spent."""
    strategy = SimpleNamespace(pace="asap", budget_gbp=budget_gbp, spend_profile=[])
    return SimpleNamespace(
        config=SimpleNamespace(strategy=strategy, weeks=156), week=0, cumulative_cost_gbp=0.0
    )


def test_money_buys_whole_units_at_any_budget_size() -> None:
    """Money that is a whole number of units buys exactly that many, also for large budgets
    whose float rounding exceeds an absolute tolerance: 1,058,757 units at 134.37 GBP cost
    142,265,178.09 GBP (the absolute 1e-9 tolerance gave 1,058,756; found by the surviving
    mutant ``budget.x_affordable__mutmut_4``). A penny short buys one unit fewer; free units
    are unlimited."""
    assert affordable(_purse(142_265_178.09), 134.37) == 1_058_757
    assert affordable(_purse(250_000.0), 125.0) == 2_000
    assert affordable(_purse(249_999.99), 125.0) == 1_999
    assert affordable(_purse(250_000.0), 125.0, limit_gbp=1_000.0) == 8
    assert affordable(_purse(250_000.0), 0.0) == math.inf
