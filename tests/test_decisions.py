"""Model v2: case-level decisions with verification, their arithmetic, and what they cost.

Analytic checks use a stub of the case-count draw whose counts equal their means, so the week's
tally is the expected case tree exactly; direction checks pair seeds across arms.
"""

from __future__ import annotations

import itertools
from unittest import mock

import numpy as np
import pytest

from model import WorkforceModel
from model import use as use_module
from model.use import relied_case_accuracy, use_ai, verification_propensity

SEEDS = (21, 22, 23)


def mean_counts(rng, rates, offsets, lam):  # noqa: ANN001, ANN201, ARG001 - a stub
    """Stands in for :func:`model.case_draws.case_counts`: every count is its mean."""
    return np.asarray(rates, dtype=float).copy()


def enumerate_relied_case(rho: float, h: float, v: float, catch: float, f: float) -> float:
    """P(right) of one accepted case by walking every branch of the case tree."""
    total = 0.0
    for advice_right, checked, flagged, own_right in itertools.product((1, 0), repeat=4):
        p = (rho if advice_right else 1 - rho) * (v if checked else 1 - v)
        p_flag = (f if advice_right else catch) if checked else 0.0
        p *= p_flag if flagged else 1 - p_flag
        p *= h if own_right else 1 - h
        decided_alone = checked and flagged
        right = own_right if decided_alone else advice_right
        total += p * right
    return total


@pytest.mark.parametrize(
    ("rho", "h", "v", "catch", "f"),
    [(0.85, 0.7, 0.3, 0.35, 0.05), (0.6, 0.8, 1.0, 0.9, 0.0), (0.95, 0.5, 0.0, 0.5, 0.2)],
)
def test_relied_case_accuracy_is_the_case_tree(rho, h, v, catch, f) -> None:
    """rho - rho v f (1-h) + (1-rho) v phi sigma h equals the enumerated case tree."""
    assert relied_case_accuracy(rho, h, v, catch, f) == pytest.approx(
        enumerate_relied_case(rho, h, v, catch, f), abs=1e-15
    )


def exact_week(small_config, set_archetypes, set_staff_groups, **overrides):
    """One week of use with every worker a user, no spread in h, draws equal to their means."""
    config = small_config(
        network__kind="empty",
        population__accuracy_concentration=0.0,
        population__literacy_concentration=0.0,
        population__annual_leaver_rate=0.0,
        tools__0__reliability_concentration=0.0,
        behaviour__mandate_share=1.0,
        behaviour__self_assessment_sd=0.0,
        **overrides,
    )
    set_staff_groups(config, unaided_accuracy=0.7)
    set_archetypes(config, ai_literacy=0.5)
    model = WorkforceModel(config)
    model.workforce.uses[:] = True
    model.trust_before = model.workforce.trust.copy()
    model.perceived_before = model.workforce.perceived_accuracy.copy()
    with mock.patch.object(use_module, "case_counts", mean_counts):
        use_ai(model)
    return model


def test_weekly_tally_is_the_expected_case_tree(
    small_config, set_archetypes, set_staff_groups
) -> None:
    """With draws at their means the tally equals lam times the case-tree probabilities."""
    model = exact_week(
        small_config,
        set_archetypes,
        set_staff_groups,
        tools__0__reliability=0.85,
        tools__0__cases_per_week=10.0,
        tools__0__error_salience=0.6,
    )
    beh = model.config.behaviour
    lam, rho, h, sigma, f = 10.0, 0.85, 0.7, 0.6, beh.false_alarm_rate
    tau = model.trust_before[:, 0]
    r = 1 / (1 + np.exp(-beh.reliance_steepness * (tau - model.perceived_before)))
    v = np.clip(
        beh.verification_gain
        * (1 - tau)
        * (1 - beh.automation_bias)
        * (1 - model.config.training.workload_pressure),
        0,
        1,
    )
    phi = 0.5 * 0.5 + 0.5 * h  # detection skill: 0.5 literacy + 0.5 accuracy, no training
    counts = model.tally.counts
    expected_correct = lam * (r * relied_case_accuracy(rho, h, v, phi * sigma, f) + (1 - r) * h)
    np.testing.assert_allclose(counts["correct"], expected_correct, rtol=1e-12)
    np.testing.assert_allclose(counts["cases"], lam)
    np.testing.assert_allclose(counts["accepted"], lam * r, rtol=1e-12)
    np.testing.assert_allclose(counts["verified"], lam * r * v, rtol=1e-12)
    np.testing.assert_allclose(counts["ai_correct"], lam * rho, rtol=1e-12)
    np.testing.assert_allclose(counts["unaided_correct"], lam * h, rtol=1e-12)
    np.testing.assert_allclose(
        counts["relied_wrong"], lam * (1 - rho) * r * (1 - v * phi * sigma), rtol=1e-12
    )
    np.testing.assert_allclose(
        counts["aversion_errors"], lam * rho * (r * v * f + (1 - r)) * (1 - h), rtol=1e-12
    )


def test_checking_falls_as_trust_rises_and_follows_its_drivers(small_config) -> None:
    """v = g (1 - tau)(1 - b)(1 - W)(1 + e_A A), floored by the forcing function."""
    config = small_config(
        behaviour__verification_gain=2.0,
        behaviour__automation_bias=0.3,
        behaviour__accountability=0.5,
        behaviour__accountability_effect=0.4,
        training__workload_pressure=0.2,
    )
    model = WorkforceModel(config)
    index = np.arange(5)
    trust = np.array([0.5, 0.7, 0.85, 0.95, 1.0])
    v = verification_propensity(model, index, trust)
    expected = 2.0 * (1 - trust) * 0.7 * 0.8 * (1 + 0.4 * 0.5)
    np.testing.assert_allclose(v, np.clip(expected, 0, 1), rtol=1e-12)
    assert (np.diff(v) < 0).all()
    forced = verification_propensity(model, index, trust, forcing=0.25)
    np.testing.assert_allclose(forced, np.maximum(expected, 0.25), rtol=1e-12)


def run_mean(config, columns, seeds=SEEDS, last_weeks=26) -> dict[str, float]:
    """Mean over seeds of each column averaged over the last ``last_weeks`` weeks."""
    values = {c: [] for c in columns}
    for seed in seeds:
        config.seed = seed
        table = WorkforceModel(config).run()
        for c in columns:
            values[c].append(table[c].iloc[-last_weeks:].mean())
    return {c: float(np.mean(v)) for c, v in values.items()}


def test_automation_bias_raises_automation_bias_errors_over_a_run(small_config) -> None:
    """automation_bias 0.9 vs 0.0 (paired seeds, full dynamics): fewer checks, more wrong advice
    acted on per 1,000 decisions."""
    columns = ["automation_bias_errors_per_1000", "verification_share"]
    low = run_mean(
        small_config(population__n_workers=1000, behaviour__automation_bias=0.0), columns
    )
    high = run_mean(
        small_config(population__n_workers=1000, behaviour__automation_bias=0.9), columns
    )
    assert high["verification_share"] < 0.5 * low["verification_share"]
    assert high["automation_bias_errors_per_1000"] > low["automation_bias_errors_per_1000"] + 5


def test_automation_bias_lowers_accuracy_at_the_same_trust(
    small_config, set_archetypes, set_staff_groups
) -> None:
    """At equal trust (0.85, tool 0.85, staff 0.7), automation_bias 0.9 vs 0.0 acts on more wrong
    advice and decides less accurately: the direct cost of checking less.

    Over a whole run lower checking also lets trust rise, and with it reliance on a tool better
    than most staff; how the two paths net out depends on parameters (see docs/ODD.md).
    """
    tallies = {
        b: held_trust_week(
            small_config,
            set_archetypes,
            set_staff_groups,
            0.85,
            behaviour__automation_bias=b,
            behaviour__verification_gain=2.0,
            behaviour__reliance_steepness=10.0,
            tools__0__error_salience=0.5,
        )
        for b in (0.0, 0.9)
    }
    rate = {b: t.total("relied_wrong") / t.total("cases") for b, t in tallies.items()}
    accuracy = {b: t.total("correct") / t.total("cases") for b, t in tallies.items()}
    assert rate[0.9] > rate[0.0]
    assert accuracy[0.9] < accuracy[0.0]


def test_accountability_lowers_automation_bias_errors(small_config) -> None:
    """Full accountability (effect 1: checks double) lowers automation-bias errors per 1,000."""
    columns = ["automation_bias_errors_per_1000"]
    base = dict(population__n_workers=1000, behaviour__accountability_effect=1.0)
    none = run_mean(small_config(behaviour__accountability=0.0, **base), columns)
    full = run_mean(small_config(behaviour__accountability=1.0, **base), columns)
    assert full["automation_bias_errors_per_1000"] < none["automation_bias_errors_per_1000"] - 2


def held_trust_week(small_config, set_archetypes, set_staff_groups, trust: float, **overrides):
    """One week of every worker using a 0.85 tool at trust ``trust``, with h = a_hat = 0.7.

    Defaults describe staff who check a lot; ``overrides`` replace any of them.
    """
    settings = {
        "behaviour__self_assessment_bias": 0.0,
        "behaviour__reliance_steepness": 40.0,
        "behaviour__automation_bias": 0.0,
        "training__workload_pressure": 0.0,
        "behaviour__verification_gain": 6.0,
        "tools__0__reliability": 0.85,
        "tools__0__error_salience": 0.8,
        "population__initial_trust_concentration": 0.0,
        "behaviour__governance_trust_shift": 0.0,
        **{f"population__archetypes__{a}__initial_trust": trust for a in ARCH},
    }
    settings.update(overrides)
    model = exact_week(small_config, set_archetypes, set_staff_groups, **settings)
    return model.tally


ARCH = ("shaper", "driver", "creator", "embedder", "user")


def test_complementarity_emerges_for_calibrated_verifying_staff(
    small_config, set_archetypes, set_staff_groups
) -> None:
    """Tool 0.85, staff 0.7: calibrated staff who check beat both; over- and under-trust cost."""
    rates = {}
    for label, trust in (("calibrated", 0.85), ("over", 1.0), ("under", 0.55)):
        tally = held_trust_week(small_config, set_archetypes, set_staff_groups, trust)
        cases = tally.total("cases")
        rates[label] = {
            "accuracy": tally.total("correct") / cases,
            "ai": tally.total("ai_correct") / cases,
            "unaided": tally.total("unaided_correct") / cases,
            "aversion": tally.total("aversion_errors") / cases,
            "checked": tally.total("verified") / cases,
            "by_hand": tally.total("reviewed") / cases,
        }
    calibrated, over, under = rates["calibrated"], rates["over"], rates["under"]
    assert calibrated["accuracy"] > max(calibrated["ai"], calibrated["unaided"])
    assert over["accuracy"] < calibrated["accuracy"]
    assert over["checked"] < calibrated["checked"]
    assert under["aversion"] > calibrated["aversion"]
    assert under["by_hand"] > calibrated["by_hand"]
    assert under["accuracy"] < calibrated["accuracy"]
