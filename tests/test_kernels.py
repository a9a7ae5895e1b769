"""Speed paths: threads do not change results, the unsigned index view and the categorical draw
are exact."""

from __future__ import annotations

import numpy as np
import pytest

from model import WorkforceModel
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
