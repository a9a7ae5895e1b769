"""Calibration v2: the naive forecasts of held-out survey figures and the skill scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.calibration.baselines import (
    crps_ensemble,
    crps_normal,
    naive_forecasts,
    score_table,
    skill_sentences,
    skill_summary,
)
from experiments.calibration.survey_error import SurveyError


def toy_targets() -> pd.DataFrame:
    day = pd.Timestamp
    rows = [  # series a: 20% (2020), 30% (2021) -> held out in 2022; series b: one wave
        ("a1", "fitted", "a", "all", day("2020-01-01"), 0.2, 1000),
        ("a2", "fitted", "a", "all", day("2021-01-01"), 0.3, 1000),
        ("a3", "held out", "a", "all", day("2021-07-02"), 0.33, 1000),
        ("b1", "fitted", "b", "medical", day("2020-01-01"), 0.5, 500),
        ("b2", "held out", "b", "medical", day("2022-01-01"), 0.6, 800),
        ("c1", "held out", "c", "all", day("2022-01-01"), 0.6, 800),
    ]
    columns = ["figure_id", "status", "baseline_series", "staff_group", "fieldwork_mid",
               "target_share", "n"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns).assign(quantity="uses_ai")


def test_naive_baselines_on_a_toy_series():
    forecasts = naive_forecasts(toy_targets()).set_index("figure_id")
    a3 = forecasts.loc["a3"]
    assert a3.no_change == pytest.approx(0.3)
    step = (pd.Timestamp("2021-07-02") - pd.Timestamp("2021-01-01")) / (
        pd.Timestamp("2021-01-01") - pd.Timestamp("2020-01-01")
    )
    assert a3.linear_trend == pytest.approx(0.3 + 0.1 * step)
    var = 0.3 * 0.7 / 1000
    assert a3.no_change_sd == pytest.approx(np.sqrt(2 * var))
    b2 = forecasts.loc["b2"]
    assert b2.no_change == b2.linear_trend == pytest.approx(0.5)
    assert "one earlier wave" in b2.trend_basis
    assert np.isnan(forecasts.loc["c1"].no_change)


def test_naive_baselines_carry_the_survey_error_of_their_kind_of_question():
    """A use figure's baseline gets the dispersion only; an attitude figure's also the wording
    dispersion: each wave's sampling variance grows by its design effect 1 + (n - 1) rho."""
    error = SurveyError(dispersion=0.002, wording_dispersion=0.01)
    use = naive_forecasts(toy_targets(), error).set_index("figure_id").loc["a3"]
    attitude_targets = toy_targets().assign(quantity="trust")
    attitude = naive_forecasts(attitude_targets, error).set_index("figure_id").loc["a3"]
    var = 0.3 * 0.7 / 1000
    assert use.no_change_sd == pytest.approx(np.sqrt(2 * var * (1 + 999 * 0.002)))
    assert attitude.no_change_sd == pytest.approx(np.sqrt(2 * var * (1 + 999 * 0.012)))


def test_crps_of_a_large_normal_ensemble_matches_the_closed_form():
    draws = np.random.default_rng(3).normal(0.4, 0.05, 4000)
    assert crps_ensemble(draws, 0.47) == pytest.approx(crps_normal(0.4, 0.05, 0.47), rel=0.03)
    assert crps_normal(0.4, 0.05, 0.4) < crps_normal(0.4, 0.05, 0.5)


def test_skill_says_plainly_when_the_model_does_not_beat_a_baseline():
    targets = toy_targets().iloc[:3]
    forecasts = naive_forecasts(targets)
    figures = pd.DataFrame({"figure_id": ["a3"], "observed": [0.33], "n": [1000],
                            "predicted_median": [0.45]})  # fmt: skip
    rng = np.random.default_rng(0)
    shares = rng.normal(0.45, 0.02, 40)
    predictive = pd.DataFrame({"draw": range(40), "figure_id": "a3", "share": shares,
                               "probability": 0.45, "rho": 0.0})  # fmt: skip
    scores = score_table(figures, forecasts, predictive)
    summary = skill_summary(scores)
    text = " ".join(skill_sentences(scores, summary))
    assert text.count("does NOT beat") == 2
    model = scores[scores.forecaster == "model"].iloc[0]
    assert model.abs_error == pytest.approx(0.12)
