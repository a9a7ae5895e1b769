"""Speed paths: threads do not change results, the unsigned index view and the categorical draw
are exact."""

from __future__ import annotations

import numba
import numpy as np
import pandas as pd
import pytest

from model import WorkforceModel, kernels
from model.kernels import peer_step, peer_step_parallel
from model.network import unsigned
from model.workforce import categorical


@pytest.mark.parametrize("bounded", [False, True])
def test_parallel_peer_step_equals_the_single_thread_one(bounded) -> None:
    """Rows spread over threads give bit-identical trust, and talkers (only) move."""
    model = WorkforceModel(n_workers=2000, rng=5, **{"behaviour.bounded_confidence": bounded})
    wf, peers, adjacency = model.workforce, model.peer_weights, model.adjacency
    talks = np.random.default_rng(1).random(wf.size) < 0.5
    results = []
    for step in (peer_step, peer_step_parallel):
        trust = wf.trust.copy()
        step(
            talks, trust, peers.weight, peers.weight_total.values, peers.susceptibility,
            adjacency.indptr, unsigned(adjacency.indices), bounded,
            model.config.behaviour.confidence_bound,
        )  # fmt: skip
        results.append(trust)
    np.testing.assert_array_equal(results[0], results[1])
    moved = (results[0] != wf.trust).any(axis=1)
    assert not moved[~talks].any() and moved[talks].mean() > 0.9


def test_unsigned_indices_are_a_view_with_the_same_values() -> None:
    """The unsigned view shares memory with the CSR indices and holds the same numbers."""
    indices = np.array([0, 5, 2**31 - 1], dtype=np.int32)
    view = unsigned(indices)
    assert view.dtype == np.uint32 and np.shares_memory(view, indices)
    np.testing.assert_array_equal(view.astype(np.int64), indices.astype(np.int64))


def test_categorical_draws_are_rng_choice_draws() -> None:
    """The joiners' archetype draw gives exactly ``rng.choice``'s values and stream position."""
    weights = np.array([0.05, 0.2, 0.3, 0.3, 0.15])
    for seed in range(20):
        ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
        drawn = categorical(ours, weights, 50)
        np.testing.assert_array_equal(drawn, theirs.choice(5, size=50, p=weights / weights.sum()))
        assert ours.random() == theirs.random()


def test_use_on_threads_equals_use_on_one(monkeypatch) -> None:
    """Use with verification over threads gives bit-identical state and tallies."""
    from model import use_kernels

    runs = []
    for threshold in (10**9, 0):
        monkeypatch.setattr(use_kernels, "PARALLEL_MIN_USERS", threshold)
        monkeypatch.setattr(kernels, "USE_THREADS", True)
        model = WorkforceModel(n_workers=1500, rng=8, **{"behaviour.adoption_rate": 0.2})
        model.run(30)
        runs.append(model)
    serial, threaded = runs
    assert serial.workforce.uses.any()
    for name in ("trust", "trust_strength", "perceived_accuracy", "unnoticed_tool_errors"):
        np.testing.assert_array_equal(
            getattr(serial.workforce, name), getattr(threaded.workforce, name)
        )
    np.testing.assert_array_equal(serial.tally.matrix, threaded.tally.matrix)


def test_adoption_in_blocks_over_threads_equals_one_pass() -> None:
    """Decisions in blocks of 97 workers over threads: the same uses and neighbour counts."""
    from model.kernels import adopt_tools, adopt_tools_parallel, adoption_pools

    model = WorkforceModel(n_workers=3000, rng=4, **{"behaviour.adoption_rate": 0.3})
    model.run(20)
    wf, beh, adjacency = model.workforce, model.config.behaviour, model.adjacency
    live, uses = model.live.copy(), wf.uses.copy()
    assert 0 < uses.sum() < live.sum()
    pools = adoption_pools(live, uses)
    draws = np.random.default_rng(2).random(pools.sum())
    results = []
    for kernel, block in ((adopt_tools, 10**6), (adopt_tools_parallel, 97)):
        column, counts = uses.copy(), model.neighbours_using.values.copy()
        kernel(
            live, column, pools, draws, wf.trust, wf.self_efficacy, wf.adoption_threshold,
            wf.mandated, counts, adjacency.indptr, unsigned(adjacency.indices),
            beh.confidence_trust_weight, beh.social_proof, np.full(1, beh.adoption_rate),
            beh.drop_rate, beh.drop_margin, beh.decision_temperature, np.zeros(1, dtype=bool),
            block,
        )  # fmt: skip
        results.append((column, counts))
    assert (results[0][0] != uses).any()
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_outcome_sums_as_parallel_tasks_equal_one_pass(monkeypatch) -> None:
    """The three tasks of the outcome sums over threads give bit-identical outcome tables."""
    from model import outcomes

    tables = []
    for threshold in (10**9, 0):
        monkeypatch.setattr(outcomes, "PARALLEL_MIN_WORKERS", threshold)
        monkeypatch.setattr(kernels, "USE_THREADS", True)
        model = WorkforceModel(n_workers=1200, rng=6, **{"behaviour.adoption_rate": 0.2})
        model.run(25)
        tables.append((model.outcomes, model.outcomes_by_group))
    assert tables[0][0]["decisions"].iloc[-1] > 0
    pd.testing.assert_frame_equal(tables[0][0], tables[1][0], check_exact=True)
    pd.testing.assert_frame_equal(tables[0][1], tables[1][1], check_exact=True)


@pytest.mark.skipif(
    numba.config.DISABLE_JIT, reason="about compiled code; the kernel mutation pass runs without"
)
def test_threaded_and_one_thread_versions_are_cached_apart() -> None:
    """Each threaded loop has its own cache index, so neither can load the other's machine code.

    numba's cache key ignores ``parallel=True``: compiled from the same Python function, the two
    versions would share one index file and load whichever was compiled last.
    """
    from model import kernels as k
    from model import outcome_kernels as o
    from model import use_kernels as u

    pairs = [
        (k.adopt_tools, k.adopt_tools_parallel),
        (k.peer_step, k.peer_step_parallel),
        (o.cell_sums, o.cell_sums_parallel),
        (u.use_plan_rates, u.use_plan_rates_parallel),
        (u.use_outcomes_learn, u.use_outcomes_learn_parallel),
    ]
    indexes = set()
    for one, threaded in pairs:
        assert not one.targetoptions.get("parallel") and threaded.targetoptions["parallel"]
        indexes |= {one._cache._cache_file._index_name, threaded._cache._cache_file._index_name}
    assert len(indexes) == 2 * len(pairs)
