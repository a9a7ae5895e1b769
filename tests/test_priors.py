"""Priors from the evidence table: medians are the defaults, quantiles follow scipy, values stay
in range, sampled configs are valid."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.uncertainty.priors import load_priors, sample, sample_unit, with_values
from model import as_model_config
from model.config import ModelConfig
from model.params import iter_params

PRIORS = load_priors()


def test_every_prior_median_is_the_config_default() -> None:
    """The evidence table's rule (default = prior median) holds through the quantile function."""
    defaults = {path: value for path, value, _ in iter_params(ModelConfig())}
    for prior in PRIORS:
        assert prior.median == pytest.approx(defaults[prior.path], rel=1e-3, abs=1e-6), prior.path


def test_quantiles_are_the_distribution_quantiles_clipped_to_the_config_range() -> None:
    """ppf(u) is scipy's quantile inside the accepted range and the range's end outside it."""
    for prior in PRIORS:
        values = prior.ppf(np.array([0.001, 0.05, 0.5, 0.95, 0.999]))
        assert np.all(np.diff(values) >= 0), prior.path
        if prior.low is not None:
            assert values.min() >= prior.low, prior.path
        if prior.high is not None:
            assert values.max() <= prior.high, prior.path
        raw = prior.frozen().ppf(0.5)
        low = -np.inf if prior.low is None else prior.low
        high = np.inf if prior.high is None else prior.high
        expected = np.clip(raw, low, high)
        assert prior.ppf(0.5) == pytest.approx(round(expected) if prior.integer else expected)


def test_sampled_configs_are_valid_and_archetype_shares_sum_to_one() -> None:
    """Every draw gives a config the validator accepts; archetype shares are renormalised."""
    draws = sample(PRIORS, 20, np.random.default_rng(3))
    paths = [p.path for p in PRIORS]
    for row in draws:
        config = as_model_config(with_values(ModelConfig(), dict(zip(paths, row, strict=True))))
        shares = [a.share for a in config.population.archetypes.values()]
        assert sum(shares) == pytest.approx(1.0)


def test_design_columns_must_match_the_priors() -> None:
    """A unit design with the wrong number of columns is refused with both counts."""
    with pytest.raises(ValueError, match=f"design has 2 columns for {len(PRIORS)} priors"):
        sample_unit(PRIORS, np.full((3, 2), 0.5))


def test_include_and_exclude_select_by_path_prefix() -> None:
    """include keeps only the given prefixes; exclude drops them."""
    behaviour = load_priors(include=["behaviour."])
    assert behaviour and all(p.path.startswith("behaviour.") for p in behaviour)
    rest = load_priors(exclude=["behaviour."])
    assert len(rest) + len(behaviour) == len(PRIORS)
