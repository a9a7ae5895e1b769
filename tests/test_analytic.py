"""Cases with a known answer: peer consensus, calibrated learning, calibration pull, turnover.

Each test switches off every process but the one it checks, so the model's result can be
compared with a closed-form value (exactly, or within a tolerance derived from sampling error).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse.csgraph import connected_components

from model import WorkforceModel
from model.config import ModalityConfig, ProgrammeConfig
from model.peers import influence_weight, peer_influence, susceptibility
from model.training import apply_modality


def consensus_weights(model: WorkforceModel) -> np.ndarray:
    """pi_i = w_i d_i / eps_i with d_i = sum_j A_ij w_j: the left unit eigenvector of the update."""
    weight = influence_weight(model)
    weighted_degree = model.adjacency @ weight
    return weight * weighted_degree / susceptibility(model)


def peer_only_config(small_config, never_live, network: str):
    """Only peer influence acts: no tool live, no turnover, no strategy, everyone talks weekly."""
    config = small_config(
        weeks=2000,
        network__kind=network,
        population__n_workers=400,
        population__annual_leaver_rate=0.0,
        behaviour__talk_probability=1.0,
        behaviour__bounded_confidence=False,
        outcomes__by_group=False,
    )
    return never_live(config)


@pytest.mark.parametrize("network", ["watts_strogatz", "teams"])
def test_peer_influence_alone_converges_to_influence_weighted_consensus(
    small_config, never_live, network
) -> None:
    """DeGroot: trust converges to sum_i pi_i tau_i(0) / sum_i pi_i, pi_i = w_i d_i / eps_i.

    With everyone talking, tau' = tau + E (D^-1 A W tau - tau), E = diag(eps),
    D = diag(d), d_i = sum_j A_ij w_j. For symmetric A, pi = (w_i d_i / eps_i) satisfies
    pi^T E D^-1 A W = (w^T A W) = (w_i d_i) = pi^T E, so pi^T tau is conserved; on a connected
    graph with eps < 1 the iteration converges to a consensus, which must then equal
    pi^T tau(0) / sum(pi). Archetypes have different eps and w, so this differs from the plain
    mean.
    """
    model = WorkforceModel(peer_only_config(small_config, never_live, network))
    n_components, _ = connected_components(model.adjacency, directed=False)
    assert n_components == 1
    pi = consensus_weights(model)
    start = model.workforce.trust[:, 0].copy()
    consensus = pi @ start / pi.sum()
    assert abs(consensus - start.mean()) > 5e-3  # the test tells the right weights from none
    assert np.ptp(start) > 0.3
    for _ in range(5000):
        peer_influence(model)
        trust = model.workforce.trust[:, 0]
        assert pi @ trust / pi.sum() == pytest.approx(consensus, abs=1e-12)
        if np.ptp(trust) < 1e-10:
            break
    np.testing.assert_allclose(model.workforce.trust[:, 0], consensus, rtol=0, atol=1e-6)
    assert np.ptp(model.workforce.trust) < 1e-8


def test_full_steps_with_only_peers_conserve_and_reach_the_consensus(
    small_config, never_live
) -> None:
    """Whole weekly steps with every other process off keep pi^T tau and reach the consensus."""
    model = WorkforceModel(peer_only_config(small_config, never_live, "teams"))
    pi = consensus_weights(model)
    consensus = pi @ model.workforce.trust[:, 0] / pi.sum()
    while model.week < model.config.weeks and np.ptp(model.workforce.trust) > 1e-9:
        model.step()
        assert pi @ model.workforce.trust[:, 0] / pi.sum() == pytest.approx(consensus, abs=1e-12)
    np.testing.assert_allclose(model.workforce.trust, consensus, rtol=0, atol=1e-6)
    assert model.outcomes["mean_trust"].iloc[-1] == pytest.approx(
        model.workforce.trust.mean(), abs=1e-12
    )


def perfect_noticing_config(
    small_config, set_archetypes, set_staff_groups, reliability: float, salience: float
):
    """Everyone uses one tool, no peers, no turnover; every error noticed when salience is 1.

    Every accepted answer is checked (forcing function 1) and checks raise no false alarms.
    """
    config = small_config(
        weeks=100,
        network__kind="empty",
        population__annual_leaver_rate=0.0,
        tools__0__reliability=reliability,
        tools__0__reliability_concentration=0.0,
        tools__0__error_salience=salience,
        tools__0__cases_per_week=20.0,
        tools__0__forcing_function=1.0,
        behaviour__false_alarm_rate=0.0,
        behaviour__automation_bias=0.0,
        behaviour__error_weight=1.0,
        behaviour__mandate_share=1.0,
        outcomes__by_group=False,
    )
    # Detection skill phi = 0.5 l + 0.5 h = 1, so a check catches wrong advice with phi sigma =
    # sigma, and overridden errors are noticed with sigma h = sigma.
    set_staff_groups(config, unaided_accuracy=1.0)
    return set_archetypes(config, ai_literacy=1.0)


@pytest.mark.parametrize("reliability", [0.6, 0.9])
def test_trust_converges_to_reliability_when_every_error_is_noticed(
    small_config, set_archetypes, set_staff_groups, reliability
) -> None:
    """With every error noticed and nu = 1, mean trust settles at rho within sampling error.

    The update is then tau' = (gamma K tau + C) / (gamma K + n) with K = min(kappa_max,
    lam / (1 - gamma)) pseudo-observations, i.e. tau' ~ a tau + (1 - a) C / n with
    a = gamma K / (gamma K + lam), whose fixed point in mean is rho and whose stationary
    variance per worker is rho (1 - rho) (1 - a) / ((1 + a) lam). Workers are independent, so
    the mean over N has that variance over N; we allow 5 standard errors.
    """
    config = perfect_noticing_config(
        small_config, set_archetypes, set_staff_groups, reliability, salience=1.0
    )
    model = WorkforceModel(config)
    table = model.run()
    beh, tool = config.behaviour, config.tools[0]
    lam, gamma = tool.cases_per_week, beh.forgetting
    strength = min(beh.max_trust_strength, lam / (1 - gamma))
    a = gamma * strength / (gamma * strength + lam)
    worker_variance = reliability * (1 - reliability) * (1 - a) / ((1 + a) * lam)
    n = config.population.n_workers
    assert table["adoption_share"].iloc[-1] == 1.0
    assert abs(table["mean_trust"].iloc[-1] - reliability) < 5 * np.sqrt(worker_variance / n)
    # The spread across workers matches the stationary sd (approximation: Poisson case counts).
    spread = model.workforce.trust[:, 0].std()
    assert spread == pytest.approx(np.sqrt(worker_variance), rel=0.25)
    # Nearly everyone is appropriately confident (|tau - rho| <= 0.1 is > 4 sd per worker).
    assert table["appropriate_share"].iloc[-1] > 0.99


def test_unnoticed_errors_inflate_trust_above_reliability(
    small_config, set_archetypes, set_staff_groups
) -> None:
    """With error salience 0 every case counts as a success: trust rises above rho (over-trust).

    Self-knowledge is held fixed and exact (a_hat = h) so reliance depends on trust alone.
    """
    reliability = 0.8
    fixed_self_knowledge = {
        "behaviour__self_knowledge_strength": 1e12,
        "behaviour__self_assessment_bias": 0.0,
        "behaviour__self_assessment_sd": 0.0,
    }
    config = small_config(
        weeks=52,
        tools__0__reliability=reliability,
        tools__0__error_salience=0.0,
        behaviour__mandate_share=1.0,
        population__annual_leaver_rate=0.0,
        outcomes__by_group=False,
        **fixed_self_knowledge,
    )
    table = WorkforceModel(config).run()
    final = table.iloc[-1]
    assert final["mean_trust"] > reliability + 0.05
    assert final["over_trust_share"] > 0.9
    # Nothing is caught (salience 0), so every accepted wrong answer is acted on: the rate is the
    # acceptance share, and trust near 1 above a_hat = h ~ 0.65-0.8 gives sigmoid(10 (tau - h))
    # > 0.85.
    assert final["automation_bias_rate"] > 0.85
    noticed = small_config(
        weeks=52,
        tools__0__reliability=reliability,
        tools__0__error_salience=1.0,
        behaviour__mandate_share=1.0,
        population__annual_leaver_rate=0.0,
        outcomes__by_group=False,
        **fixed_self_knowledge,
    )
    noticed_table = WorkforceModel(noticed).run()
    assert final["mean_trust"] > noticed_table["mean_trust"].iloc[-1] + 0.05
    late = slice(-10, None)
    assert (
        table["automation_bias_rate"].iloc[late].mean()
        > noticed_table["automation_bias_rate"].iloc[late].mean()
    )


def test_calibration_pull_moves_trust_exactly_toward_department_reliability(
    small_config, make_tool
) -> None:
    """Where the tool was validated locally, pull pi gives tau + pi (rho_d - tau), per tool."""
    config = small_config(population__n_workers=300)
    config.tools = [
        make_tool("a", reliability=0.7, reliability_concentration=5.0, local_validation_share=1.0),
        make_tool("b", reliability=0.85, reliability_concentration=5.0, local_validation_share=1.0),
    ]
    config.training.modalities["calibration"] = ModalityConfig(calibration_pull=0.4)
    model = WorkforceModel(config)
    wf = model.workforce
    rho = model.tools.department_reliability[wf.department]  # N x K
    assert np.ptp(rho[:, 0]) > 0.05  # departments differ
    index = np.arange(0, 300, 2)
    above, below = index[::2], index[1::2]
    wf.trust[above] = np.clip(rho[above] + 0.15, 0, 1)
    wf.trust[below] = np.clip(rho[below] - 0.25, 0, 1)
    before = wf.trust.copy()
    other = np.setdiff1d(np.arange(wf.size), index)
    pull = 0.4
    apply_modality(model, index, "calibration")
    expected = before[index] + pull * (rho[index] - before[index])
    np.testing.assert_allclose(wf.trust[index], expected, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(wf.trust[other], before[other])
    assert (wf.trust[above] < before[above]).all() and (wf.trust[below] > before[below]).all()
    np.testing.assert_allclose(
        np.abs(wf.trust[index] - rho[index]),
        (1 - pull) * np.abs(before[index] - rho[index]),
        atol=1e-12,
    )
    np.testing.assert_array_equal(wf.times_trained[index], 1)
    np.testing.assert_array_equal(wf.times_trained[other], 0)


def test_calibration_training_in_a_strategy_pulls_trained_staff_toward_reliability(
    small_config, never_live
) -> None:
    """A strategy with a pure calibration modality moves each trainee exactly pi toward rho_d."""
    pull = 0.5
    config = never_live(
        small_config(
            weeks=5,
            network__kind="empty",
            population__annual_leaver_rate=0.0,
            population__initial_trust_concentration=4.0,  # wide: some above, some below rho
            tools__0__reliability=0.7,
            tools__0__reliability_concentration=20.0,
            tools__0__local_validation_share=1.0,
            training__base_attendance=1.0,
            training__workload_pressure=0.0,
        )
    )
    config.training.modalities["calibration"] = ModalityConfig(cost_gbp=10.0, calibration_pull=pull)
    config.strategy.name = "calibrate_everyone"
    config.strategy.budget_gbp = 1e6
    config.strategy.programmes = [
        ProgrammeConfig(modality="calibration", target="all", coverage=1.0, weekly_capacity=1.0)
    ]
    model = WorkforceModel(config)
    wf = model.workforce
    rho = model.tools.department_reliability[wf.department]
    before = wf.trust.copy()
    assert (before > rho).any() and (before < rho).any()
    model.step()
    np.testing.assert_array_equal(wf.times_trained, 1)
    np.testing.assert_allclose(wf.trust, before + pull * (rho - before), rtol=0, atol=1e-12)
    assert model.cumulative_cost_gbp == pytest.approx(10.0 * wf.size)
    assert model.outcomes["trained_share"].iloc[-1] == 1.0


@pytest.mark.parametrize("leaver_rate", [0.1, 0.3])
def test_about_one_minus_leaver_rate_of_starting_staff_remain_after_a_year(
    small_config, never_live, leaver_rate
) -> None:
    """After 52 weekly steps the starting-staff share is 1 - L within 4 binomial standard errors.

    A binomial number of leavers chosen uniformly is one Bernoulli(p) per worker per week, with
    (1 - p)^52 = 1 - L, so the number of starting staff left is Binomial(N, 1 - L).
    """
    n = 20_000
    config = never_live(
        small_config(
            weeks=52,
            network__kind="empty",
            population__n_workers=n,
            population__department_size=100,
            population__annual_leaver_rate=leaver_rate,
            outcomes__by_group=False,
        )
    )
    model = WorkforceModel(config)
    table = model.run()
    remaining = table["starting_staff_share"].iloc[51]
    standard_error = np.sqrt(leaver_rate * (1 - leaver_rate) / n)
    assert abs(remaining - (1 - leaver_rate)) < 4 * standard_error
    assert table["headcount"].eq(n).all()
    assert model.workforce.starting_staff.sum() == round(remaining * n)
