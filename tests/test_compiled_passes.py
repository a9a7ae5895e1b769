"""Compiled passes that replaced numpy code give its results exactly: the joiners' draws (from
the model's Generator inside a compiled loop) and the outcome values (numpy's sums and ratios)."""

from __future__ import annotations

import numpy as np
import pytest

from model import WorkforceModel
from model.config import ARCHETYPES, ModelConfig, ToolConfig
from model.joiner_kernels import RandomSource, random_source
from model.outcome_kernels import pairwise_sum
from model.outcomes import SUM_NAMES, _cell_sums, _ratios, record
from model.workforce import draw_workers, replace_workers

FIELDS_DRAWN = (
    "archetype", "digital_literacy", "baseline_literacy", "trust", "self_efficacy",
    "unaided_accuracy", "perceived_accuracy", "adoption_threshold", "mandated",
)  # fmt: skip


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"behaviour.mandate_share": 0.3, "population.initial_trust_concentration": 0.0},
        {"population.literacy_concentration": 0.0, "population.adoption_threshold_sd": 0.0},
        {"behaviour.self_assessment_sd": 0.0, "behaviour.governance_trust_shift": 2.0},
    ],
)
def test_joiners_drawn_in_the_compiled_pass_equal_draw_workers(overrides) -> None:
    """Same values as ``draw_workers`` from the same stream, and the stream left at the same place;
    the rest of each joiner's state is reset."""
    config = ModelConfig(tools=[ToolConfig(name="cdss"), ToolConfig(name="genai", reliability=0.7)])
    model = WorkforceModel(config, rng=3, n_workers=400, **overrides)
    wf = model.workforce
    wf.uses[:] = True
    wf.times_trained[:] = 4
    wf.transient_gain[:] = 0.1
    index = np.array([5, 17, 3, 399, 200])
    theirs = np.random.default_rng(11)
    expected = draw_workers(model.config, theirs, wf.staff_group[index], model.tools.governance)
    ours = np.random.default_rng(11)
    replace_workers(wf, index, model.config, ours, model.tools.governance)
    assert ours.random() == theirs.random()
    for name, values in expected.items():
        np.testing.assert_array_equal(getattr(wf, name)[index], values, err_msg=name)
    assert all(name in expected for name in FIELDS_DRAWN)
    assert (wf.uses[6] & (wf.times_trained[6] == 4)).all()  # others untouched


def test_joiners_drawn_through_a_random_source_continue_the_generators_stream() -> None:
    """Joiners drawn through a RandomSource holding a Generator, between the Generator's own
    draws, give the values and leave the stream where drawing with the Generator itself does; the
    model's source is built once and again when its rng is replaced."""
    runs = []
    for hold in (False, True):
        model = WorkforceModel(rng=3, n_workers=400)
        rng = np.random.default_rng(11)
        source = random_source(rng) if hold else rng
        before = rng.random(3)
        replace_workers(model.workforce, np.array([7, 8, 300]), model.config, source,
                        model.tools.governance)  # fmt: skip
        runs.append((before, model.workforce.trust.copy(), rng.random(3)))
    for ours, theirs in zip(runs[0], runs[1], strict=True):
        np.testing.assert_array_equal(ours, theirs)
    model = WorkforceModel(rng=3, n_workers=400)
    first = model.random_source
    assert isinstance(first, RandomSource) and model.random_source is first
    model.rng = np.random.default_rng(5)
    assert model.random_source is not first


def test_pairwise_sum_is_numpy_sum() -> None:
    """numpy's summation order, to the last bit, for runs shorter and longer than its block."""
    rng = np.random.default_rng(0)
    for n in [*range(0, 140), 257, 1000, 4099]:
        x = rng.random(n) * 10.0 ** rng.integers(-3, 6, n)
        assert pairwise_sum(x, 0, n) == x.sum()
        assert pairwise_sum(x, 1, max(n - 2, 1)) == x[1 : max(n - 2, 1)].sum()


@pytest.mark.parametrize("by_group", [False, True])
def test_recorded_values_equal_numpy_sums_and_ratios(by_group) -> None:
    """The compiled totals and ratios equal numpy's stacked sums then ``_ratios``, bit for bit."""
    model = WorkforceModel(
        n_workers=1500, rng=2, **{"behaviour.adoption_rate": 0.2, "outcomes.by_group": by_group}
    )
    model.run(30)
    previous = model.appropriate_worker_weeks.copy(), model.cumulative_verification_hours.copy()
    sums = _cell_sums(model)
    record(model)
    shape = (len(ARCHETYPES), sums.shape[1] // len(ARCHETYPES))
    cells = {name: sums[i].reshape(shape) for i, name in enumerate(SUM_NAMES)}
    beh = model.config.behaviour
    omega = beh.confidence_trust_weight
    cells["confidence"] = omega * cells["trust"] + (1 - omega) * cells["self_efficacy"]
    cells["under_trust"] = cells["live_pairs"] - cells["appropriate"] - cells["over_trust"]
    cells["avoidable_errors"] = cells["relied_wrong"] + cells["aversion_errors"]
    cells["self_assessment_gap"] = cells["perceived_accuracy"] - cells["unaided_skill"]
    cells["verification_hours"] = cells["reviewed"] * beh.verification_minutes / 60.0
    cells["appropriate_worker_weeks"] = previous[0] + cells["appropriate"]
    cells["cumulative_verification_hours"] = previous[1] + cells["verification_hours"]
    stacked = np.stack(list(cells.values()))
    columns = np.concatenate([stacked.sum(axis=(1, 2))[:, None], stacked.sum(axis=2)], axis=1)
    if by_group:
        columns = np.concatenate([columns, stacked.sum(axis=1)], axis=1)
    values = _ratios(dict(zip(cells, columns, strict=True)))
    row = model.outcome_rows[-1]
    assert row["decisions"] > 0 and row["adoption_share"] > 0
    for name, v in values.items():
        assert row[name] == (int(round(v[0])) if isinstance(row[name], int) else v[0]), name
    np.testing.assert_array_equal(model.appropriate_worker_weeks, cells["appropriate_worker_weeks"])
    if by_group:
        kept = model.group_values[-1][2]
        np.testing.assert_array_equal(kept, np.stack(list(values.values()))[:, 1:])
