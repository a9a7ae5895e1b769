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
from model.case_draws import case_counts
from model.config import ModelConfig, ProgrammeConfig
from model.outcome_kernels import pairwise_sum
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
    """The last outcome row equals means taken directly from the arrays, and the kept counts
    of neighbours using a tool equal A @ uses. Kills
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
    # The kept count of each worker's neighbours using a tool is A @ uses after weeks of starts
    # and stops. Asserted here, in the test that builds the fixture, because mutmut runs only
    # the tests that call a mutated function. Kills ``_adopt_tool__mutmut_137`` (changes
    # added along the wrong rows).
    assert np.array_equal(ran.neighbours_using.values, ran.adjacency @ wf.uses.astype(float))


def _live_users(config: ModelConfig, confidence: float, threshold: float) -> WorkforceModel:
    """After one week, everyone in a live department uses tool 0 (nobody mandated), with trust
    and self-efficacy ``confidence``, adoption threshold ``threshold`` and kept neighbour
    counts matching the use."""
    model = WorkforceModel(config)
    wf = model.workforce
    model.week = 0
    model.step()
    wf.mandated[:] = False
    wf.uses[:, 0] = model.live[:, 0]
    wf.trust[:] = confidence
    wf.self_efficacy[:] = confidence
    wf.adoption_threshold[:] = threshold
    model.neighbours_using.values[:] = model.adjacency @ wf.uses.astype(float)
    return model


def test_reluctant_users_stop(small_config) -> None:
    """Users far below their threshold with a drop rate of 1 all stop in one week (nobody is
    mandated). Kills ``_adopt_tool__mutmut_85`` (a stop decision keeps the user)."""
    config = small_config(population__n_workers=100)
    config.behaviour.drop_rate = 1.0
    model = _live_users(config, confidence=0.0, threshold=1.0)
    wf = model.workforce
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


def _one_week_of_use(small_config, make_tool, **behaviour) -> tuple[WorkforceModel, dict]:
    """Two tools live from week 0 (error salience 1); every worker uses tool a only, believes
    in own accuracy 0.5 and has self-efficacy 0.5; one week later (and the state before)."""
    tools = [make_tool("a", error_salience=1.0), make_tool("b", error_salience=1.0)]
    config = small_config(population__n_workers=100, weeks=1, tools=tools)
    for name, value in behaviour.items():
        setattr(config.behaviour, name, value)
    config.behaviour.adoption_rate = 0.0
    config.behaviour.drop_rate = 0.0
    model = WorkforceModel(config)
    wf = model.workforce
    wf.uses[:] = False
    wf.uses[:, 0] = True
    wf.mandated[:] = False
    model.neighbours_using.values[:] = model.adjacency @ wf.uses.astype(float)
    wf.perceived_accuracy[:] = 0.5
    wf.self_efficacy[:] = 0.5
    before = {
        "trust_b": wf.trust[:, 1].copy(),
        "perceived": wf.perceived_accuracy.copy(),
        "self_efficacy": wf.self_efficacy.copy(),
    }
    model.step()
    return model, before


def test_evidence_about_one_tool_spills_over_to_trust_in_the_other(small_config, make_tool) -> None:
    """Users of tool a only end the week with a different trust in tool b with spillover 0.5
    than with spillover 0 (same seed: everything else is the same). Kills
    ``_learn__mutmut_26`` (spillover applied only above 1)."""
    spilled, _ = _one_week_of_use(small_config, make_tool, spillover=0.5)
    kept, _ = _one_week_of_use(small_config, make_tool, spillover=0.0)
    assert np.abs(spilled.workforce.trust[:, 1] - kept.workforce.trust[:, 1]).max() > 1e-3


def test_own_accuracy_belief_follows_own_decided_cases(
    small_config, make_tool, set_staff_groups
) -> None:
    """Deciding alone, staff who are always right (h = 1) come to believe more in their own
    accuracy; staff always wrong whose errors are all noticed (h = 0, salience 1) believe
    less. Self-efficacy rises with practice but stays below 1. Kills
    ``_use_outcomes__mutmut_119`` (own decisions subtracted), ``_learn__mutmut_68`` (noticed
    errors counted as successes) and ``_learn__mutmut_84`` (``2 - s``)."""

    def with_accuracy(h: float) -> tuple[WorkforceModel, dict]:
        def config(**kw):  # noqa: ANN202
            return set_staff_groups(small_config(**kw), unaided_accuracy=h)

        return _one_week_of_use(config, make_tool, practice_gain=0.5)

    model, before = with_accuracy(1.0)
    wf = model.workforce
    assert (wf.perceived_accuracy >= before["perceived"]).all()
    assert (wf.perceived_accuracy > before["perceived"] + 1e-6).mean() > 0.5
    # A user with no case this week (Poisson, about 0.7% at 5 cases a week) gains no practice.
    rose = wf.self_efficacy > before["self_efficacy"]
    assert (wf.self_efficacy >= before["self_efficacy"]).all() and rose.mean() > 0.9
    assert (wf.self_efficacy <= 1).all()
    model, before = with_accuracy(0.0)
    wf = model.workforce
    assert (wf.perceived_accuracy <= before["perceived"]).all()
    assert (wf.perceived_accuracy < before["perceived"] - 1e-6).mean() > 0.5


def test_confident_users_keep_using(small_config) -> None:
    """Users whose confidence ``omega trust + (1 - omega) self-efficacy`` is 0.2 above their
    stop point (at temperature 0.02: stop probability 5e-5) keep the tool. Kills
    ``kernels.x__adopt_tools__mutmut_98`` (self-efficacy subtracted: confidence 2 omega - 1)."""
    config = small_config(population__n_workers=100)
    beh = config.behaviour
    beh.drop_rate, beh.decision_temperature, beh.confidence_trust_weight = 1.0, 0.02, 0.5
    model = _live_users(config, confidence=1.0, threshold=beh.drop_margin + 1.0 - 0.2)
    wf = model.workforce
    users = wf.uses.sum()
    assert users > 50
    adopt(model)
    assert wf.uses.sum() == users


def test_each_tools_pairs_have_its_rates_and_its_index(small_config, make_tool, monkeypatch):
    """With two tools, each (user, tool) pair's two Poisson rates (noticed; perceived right)
    add up to its tool's case rate, and the tally names the pair's tool, tool by tool. Kills
    ``use_kernels.x__use_plan_rates__mutmut_107`` (a tool's second rates written elsewhere),
    ``x__use_outcomes_learn__mutmut_24`` (a tool's pair count wrong) and ``_18`` (a float tool
    index)."""
    import model.use as use

    seen = []

    def recording(rng, rates, offsets, lam):
        seen.append((rates.copy(), offsets.copy(), lam.copy()))
        return case_counts(rng, rates, offsets, lam)

    monkeypatch.setattr(use, "case_counts", recording)
    tools = [make_tool("a", cases_per_week=6.0), make_tool("b", cases_per_week=2.0)]
    model = WorkforceModel(small_config(population__n_workers=100, tools=tools))
    wf = model.workforce
    model.step()
    wf.uses[:] = model.live
    wf.uses[::2, 1] = False
    model.step()
    rates, offsets, lam = seen[-1]
    sizes = np.diff(offsets)
    assert (sizes > 0).all() and sizes[0] != sizes[1]
    for k, (start, count) in enumerate(zip(offsets[:-1], sizes, strict=True)):
        pair = rates[2 * start : 2 * start + count] + rates[2 * start + count : 2 * (start + count)]
        np.testing.assert_allclose(pair, lam[k], rtol=1e-12)
    tally = model.tally
    assert tally.tool.dtype == np.int64
    assert tally.tool.tolist() == np.repeat(np.arange(2), sizes).tolist()


@pytest.mark.parametrize("size", [1, 7, 8, 127, 129, 1000, 5003])
def test_pairwise_sum_adds_as_numpy_does(size) -> None:
    """The compiled sum of a float64 run equals ``np.sum``'s pairwise sum bit for bit, also past
    one 128-value block. Kills ``outcome_kernels.x_pairwise_sum__mutmut_59``, ``_62`` (the
    stack of halves broken; reached only above 128 values, more than the small test models
    have) and ``x_block_sum__mutmut_3`` (8 values added one by one: with these values the
    running sum rounds otherwise)."""
    a = np.random.default_rng(3).random(size + 3) * 1e3
    assert pairwise_sum(a, 3, a.size) == np.sum(a[3:])
