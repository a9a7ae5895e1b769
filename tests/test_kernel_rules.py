"""The compiled loops against direct numpy: outcome sums, kept neighbour counts, stopping.

Written against surviving mutants of the kernel pass (``model/kernels.py`` with the JIT off,
tests/MUTATION.md); each docstring names the mutants (``model.kernels.x_<function>__mutmut_<n>``)
it kills. Fast enough for the kernel pass, where every loop runs as plain Python.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import WorkforceModel
from model.adoption import adopt
from model.config import ProgrammeConfig
from model.tools import known_tool_trust


@pytest.fixture(scope="module")
def ran(small_config, make_tool) -> WorkforceModel:
    """300 workers, two tools (one live in half the departments), e-learning for 30%, 6 weeks."""
    tools = [make_tool("a"), make_tool("b", rollout="phased", go_live_week=0, rollout_weeks=40)]
    config = small_config(population__n_workers=300, weeks=6, tools=tools)
    config.strategy.budget_gbp = 1e9
    config.strategy.programmes = [
        ProgrammeConfig(modality="elearning", target="random", coverage=0.3, weekly_capacity=0.2)
    ]
    model = WorkforceModel(config)
    model.run()
    return model


def test_outcome_row_equals_the_means_of_the_workforce(ran) -> None:
    """The last outcome row equals means taken directly from the arrays. Kills
    ``_cell_sums__mutmut_46`` (self-efficacy kept, not summed), ``_50`` (literacy subtracted),
    ``_57`` (``trained >= 0``: everyone trained), and other broken sums of the kernel."""
    wf, live = ran.workforce, ran.live
    row = ran.outcomes.iloc[-1]
    trained = wf.times_trained > 0
    assert 0 < trained.mean() < 1 and 0 < live.any(axis=1).mean() and not live.all()
    rho = ran.tools.department_reliability[wf.department]
    gap = (wf.trust - rho)[live]
    margin = ran.config.outcomes.appropriate_margin
    expected = {
        "mean_self_efficacy": wf.self_efficacy.mean(),
        "mean_ai_literacy": (wf.baseline_literacy + wf.skill_total[:, 0]).mean(),
        "trained_share": trained.mean(),
        "starting_staff_share": wf.starting_staff.mean(),
        "mean_perceived_accuracy": wf.perceived_accuracy.mean(),
        "live_share": live.any(axis=1).mean(),
        "mean_trust": known_tool_trust(wf.trust, live).mean(),
        "adoption_share": wf.uses[live].mean(),
        "appropriate_share": (np.abs(gap) <= margin).mean(),
        "over_trust_share": (gap > margin).mean(),
        "calibration_error": np.abs(gap).mean(),
    }
    for name, value in expected.items():
        assert row[name] == pytest.approx(value, rel=1e-9), name


def test_kept_neighbour_counts_of_users_equal_adjacency_times_use(ran) -> None:
    """After weeks of starts and stops, each worker's kept count of neighbours using a tool is
    A @ uses. Kills ``_adopt_tool__mutmut_137`` (changes added along the wrong rows)."""
    counts = ran.adjacency @ ran.workforce.uses.astype(float)
    assert ran.workforce.uses.any()
    assert np.array_equal(ran.neighbours_using.values, counts)


def test_reluctant_users_stop(small_config) -> None:
    """Users far below their threshold with a drop rate of 1 all stop in one week (nobody is
    mandated). Kills ``_adopt_tool__mutmut_85`` (a stop decision keeps the user)."""
    config = small_config(population__n_workers=100)
    config.behaviour.drop_rate = 1.0
    model = WorkforceModel(config)
    wf = model.workforce
    model.week = 0
    model.step()
    wf.mandated[:] = False
    wf.uses[:, 0] = model.live[:, 0]
    wf.trust[:] = 0.0
    wf.self_efficacy[:] = 0.0
    wf.adoption_threshold[:] = 1.0
    model.neighbours_using.values[:] = model.adjacency @ wf.uses.astype(float)
    assert wf.uses.sum() > 50
    adopt(model)
    assert wf.uses.sum() == 0


def test_each_weeks_cases_split_into_right_and_wrong_advice_and_correct_decisions(
    small_config, set_staff_groups
) -> None:
    """Every case had right or wrong advice (right + wrong = cases); with perfect unaided
    accuracy every case not lost to wrong advice acted on is decided right (correct + acted-on
    wrong = cases) and no right advice is lost. Kills ``_use_outcomes__mutmut_30`` (overridden
    wrong advice subtracted from the noticed rate) and ``_79`` (overridden right advice
    subtracted from the decisions made alone)."""
    config = set_staff_groups(
        small_config(population__n_workers=200, weeks=4), unaided_accuracy=1.0
    )
    config.behaviour.adoption_rate = 1.0
    model = WorkforceModel(config)
    model.run()
    counts = model.tally.counts
    assert counts["cases"].sum() > 100 and counts["right_advice"].sum() > 0
    assert np.allclose(counts["right_advice"] + counts["wrong_advice"], counts["cases"])
    assert np.allclose(counts["correct"] + counts["relied_wrong"], counts["cases"])
    assert np.allclose(counts["aversion_errors"], 0.0)
