"""The case-count sampler (model.case_draws) draws exactly two independent Poisson variates.

Fixed seeds, so every check is deterministic: noticed errors follow Poisson(lam q), cases perceived
right Poisson(lam (1 - q)) (chi-square against scipy.stats.poisson, means and variances), the two
are independent, the CDF table is Poisson's, and the draws use two uniforms per pair.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from model.case_draws import MAX_TABLE_LAM, case_counts, poisson_cdf

N_PAIRS = 100_000


def draw(lam: float, q: float, seed: int = 0, n: int = N_PAIRS) -> tuple[np.ndarray, np.ndarray]:
    """(noticed, perceived right) of ``n`` pairs of one tool with ``lam`` cases and share ``q``."""
    rates = np.concatenate([np.full(n, lam * q), np.full(n, lam - lam * q)])
    draws = case_counts(np.random.default_rng(seed), rates, np.array([0, n]), np.array([lam]))
    return draws[:n], draws[n:]


def chi_square_pvalue(counts: np.ndarray, mean: float) -> float:
    """Goodness of fit of integer ``counts`` to Poisson(mean), bins pooled to >= 5 expected."""
    n = counts.size
    top = int(stats.poisson.ppf(1 - 1e-9, mean)) + 1
    observed = np.bincount(np.minimum(counts.astype(int), top), minlength=top + 1)
    expected = n * np.append(
        stats.poisson.pmf(np.arange(top), mean), stats.poisson.sf(top - 1, mean)
    )
    obs_bins, exp_bins, o, e = [], [], 0.0, 0.0
    for ob, ex in zip(observed, expected, strict=True):
        o, e = o + ob, e + ex
        if e >= 5:
            obs_bins.append(o)
            exp_bins.append(e)
            o = e = 0.0
    if obs_bins:
        obs_bins[-1] += o
        exp_bins[-1] += e
    if len(obs_bins) < 2:
        return 1.0
    return float(stats.chisquare(obs_bins, exp_bins).pvalue)


@pytest.mark.parametrize(
    ("lam", "q"),
    [(0.05, 0.5), (0.8, 0.15), (4.5, 0.1), (5.0, 0.6), (30.0, 0.3), (250.0, 0.05), (3.0, 0.97)],
)
def test_counts_follow_their_poisson_distributions(lam, q) -> None:
    """Chi-square p > 0.001, and mean and variance within 5 standard errors, for E and S."""
    noticed, right = draw(lam, q)
    for counts, mean in ((noticed, lam * q), (right, lam * (1 - q))):
        assert np.all(counts == np.round(counts)) and counts.min() >= 0
        assert chi_square_pvalue(counts, mean) > 1e-3
        assert abs(counts.mean() - mean) < 5 * np.sqrt(mean / N_PAIRS) + 1e-12
        # Var of the sample variance of a Poisson(m): about (m + 2 m^2) / n.
        assert abs(counts.var() - mean) < 5 * np.sqrt((mean + 2 * mean**2) / N_PAIRS) + 1e-12


def test_noticed_and_perceived_right_are_independent() -> None:
    """The joint table of (E, S) passes a chi-square test of independence (p > 0.001)."""
    noticed, right = draw(4.0, 0.3, seed=5)
    table = np.zeros((6, 10))
    np.add.at(table, (np.minimum(noticed, 5).astype(int), np.minimum(right, 9).astype(int)), 1)
    assert stats.chi2_contingency(table).pvalue > 1e-3
    assert abs(np.corrcoef(noticed, right)[0, 1]) < 4 / np.sqrt(N_PAIRS)


def test_extreme_shares_and_zero_rates() -> None:
    """q = 0 gives no noticed errors, q = 1 nothing perceived right, lam = 0 no cases at all."""
    noticed, right = draw(5.0, 0.0, n=2000)
    assert not noticed.any() and right.mean() > 4
    noticed, right = draw(5.0, 1.0, n=2000)
    assert not right.any() and noticed.mean() > 4
    noticed, right = draw(0.0, 0.5, n=2000)
    assert not noticed.any() and not right.any()


def test_two_tools_draw_each_from_its_own_rates() -> None:
    """Pairs of two tools with different lam and per-pair shares: each segment's means hold."""
    n = 50_000
    q = np.linspace(0.0, 0.8, n)
    lam = np.array([3.0, 12.0])
    rates = np.concatenate([3.0 * q, 3.0 - 3.0 * q, 12.0 * q, 12.0 - 12.0 * q])
    draws = case_counts(np.random.default_rng(7), rates, np.array([0, n, 2 * n]), lam)
    for k, segment in enumerate(np.split(draws, 4)):
        tool, part = divmod(k, 2)
        expected = (lam[tool] * q if part == 0 else lam[tool] * (1 - q)).sum()
        assert abs(segment.sum() - expected) < 5 * np.sqrt(expected)


def test_cdf_table_is_poissons() -> None:
    """The inverse-CDF table equals scipy's Poisson CDF, for tiny to large means."""
    for lam in (0.0, 1e-6, 0.3, 5.0, 47.5, 400.0):
        cdf = poisson_cdf(lam)
        k = np.arange(cdf.size)
        np.testing.assert_allclose(cdf, stats.poisson.cdf(k, lam), rtol=1e-12, atol=1e-15)
        assert cdf[-1] == 1.0


def test_draws_are_reproducible_and_use_two_uniforms_per_pair() -> None:
    """Same seed, same counts; the generator moves on by exactly two uniforms per pair."""
    first, second = draw(5.0, 0.2, seed=3, n=1000), draw(5.0, 0.2, seed=3, n=1000)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    rng, reference = np.random.default_rng(3), np.random.default_rng(3)
    case_counts(rng, np.full(2000, 2.5), np.array([0, 1000]), np.array([5.0]))
    reference.random(2000)
    assert rng.random() == reference.random()


def test_large_means_fall_back_to_numpys_sampler() -> None:
    """Above MAX_TABLE_LAM cases a week the counts are numpy's Poisson draws of the rates."""
    lam = 2 * MAX_TABLE_LAM
    rates = np.concatenate([np.full(1000, 0.25 * lam), np.full(1000, 0.75 * lam)])
    ours = case_counts(np.random.default_rng(1), rates, np.array([0, 1000]), np.array([lam]))
    np.testing.assert_array_equal(ours, np.random.default_rng(1).poisson(rates))
