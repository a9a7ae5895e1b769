"""Tests of the PSA: known answers, paired runs of the real model, resume, settings."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf, open_dict
from scipy import stats

from experiments.schema import register_configs
from experiments.uncertainty.decision import ceac, probability_best
from experiments.uncertainty.draws import load_posterior, sample_draws
from experiments.uncertainty.pipeline import run_psa
from experiments.uncertainty.voi import assign_groups, evpi, evppi_table
from model import as_model_config
from model.validation import ConfigError

REPO = Path(__file__).resolve().parent.parent
CONF = REPO / "conf"
TINY = ["population=small", "population.n_workers=200", "weeks=26", "n_jobs=1", "progress=false"]

register_configs()

# Toy decision with a known answer: strategy B's net benefit over A is theta - C,
# theta ~ Normal(M, S); only theta matters.
M, S, C = 1.0, 2.0, 1.5


def toy(n: int, seed: int = 1, noise_params: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Draws of theta and of parameters that do not enter the net benefit."""
    rng = np.random.default_rng(seed)
    return rng.normal(M, S, n), rng.normal(size=(n, noise_params))


def analytic_evpi() -> float:
    """E[max(0, X)] - max(0, E[X]) for X ~ Normal(M - C, S)."""
    mu = M - C
    return mu * stats.norm.cdf(mu / S) + S * stats.norm.pdf(mu / S) - max(mu, 0.0)


def test_probability_best_and_evpi_match_the_analytic_values():
    n = 20_000
    theta, _ = toy(n)
    nb = np.column_stack([np.zeros(n), theta - C])
    p_b = stats.norm.cdf((M - C) / S)
    se_p = np.sqrt(p_b * (1 - p_b) / n)
    assert probability_best(nb)[1] == pytest.approx(p_b, abs=4 * se_p)
    assert probability_best(-nb, higher_is_better=False)[1] == pytest.approx(p_b, abs=4 * se_p)
    se_evpi = np.maximum(theta - C, 0.0).std() / np.sqrt(n)
    assert evpi(nb) == pytest.approx(analytic_evpi(), abs=4 * se_evpi)
    # The CEAC at a willingness to pay of 1 is the same probability, through effect and cost.
    effect = np.column_stack([np.zeros(n), theta])
    cost = np.column_stack([np.zeros(n), np.full(n, C)])
    curve = ceac(effect, cost, np.array([1.0]), ["a", "b"]).set_index("strategy")
    assert curve.loc["b", "probability_best"] == pytest.approx(p_b, abs=4 * se_p)


def toy_psa(n: int) -> tuple[pd.DataFrame, list[str]]:
    """The toy decision as a PSA table: 'a' is the comparator, effect theta, extra cost C."""
    theta, noise = toy(n)
    params = {"theta": theta, **{f"noise.{j}": noise[:, j] for j in range(noise.shape[1])}}
    rows = []
    for strategy, effect, cost in (("a", np.zeros(n), np.zeros(n)), ("b", theta, np.full(n, C))):
        rows.append(
            pd.DataFrame(
                {
                    "draw": np.arange(n),
                    "strategy": strategy,
                    "grouping": "all",
                    "group": "all",
                    "errors_averted": effect,
                    "appropriate_worker_years_gained": effect,
                    "extra_cost_gbp": cost,
                    **params,
                }
            )
        )
    return pd.concat(rows, ignore_index=True), list(params)


def test_evppi_of_the_deciding_parameter_is_the_evpi_and_of_others_near_zero():
    psa, params = toy_psa(1000)
    groups = assign_groups(params, {"deciding": ["theta"], "irrelevant": ["noise.*"]})
    assert groups == {"deciding": ["theta"], "irrelevant": ["noise.0", "noise.1", "noise.2"]}
    wtp_max = {"errors_averted": 2.0, "appropriate_worker_years": 2.0}
    table = evppi_table(psa, ["a", "b"], "a", groups, wtp_max, 3)
    at_one = table[(table.wtp_gbp == 1.0) & (table.effect == "errors_averted")].set_index("group")
    total = at_one.evpi_gbp.iloc[0]
    assert total == pytest.approx(analytic_evpi(), rel=0.15)
    assert at_one.loc["deciding", "evppi_gbp"] == pytest.approx(total, rel=0.05)
    assert at_one.loc["irrelevant", "evppi_gbp"] < 0.03 * total
    # At a willingness to pay of 0 the comparator always wins: nothing is worth knowing.
    assert (table[table.wtp_gbp == 0.0].evppi_gbp.abs() < 1e-9).all()


def test_ceac_probabilities_sum_to_one_at_each_wtp_even_with_ties():
    rng = np.random.default_rng(3)
    effect = rng.normal(1.0, 1.0, size=(300, 4))
    effect[:, 0] = 0.0
    effect[:, 3] = effect[:, 2]  # two identical strategies tie on every draw
    cost = np.abs(rng.normal(1.0, 0.5, size=(300, 4)))
    cost[:, 0] = 0.0
    cost[:, 3] = cost[:, 2]
    curve = ceac(effect, cost, np.linspace(0, 5, 11), ["none", "x", "y", "y_twin"])
    sums = curve.groupby("wtp_gbp").probability_best.sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)
    twins = curve.pivot(index="wtp_gbp", columns="strategy", values="probability_best")
    np.testing.assert_array_equal(twins["y"], twins["y_twin"])
    assert (curve.groupby("wtp_gbp").on_frontier.sum() == 1).all()


def tiny_cfg(hydra_compose, draws: int = 3):
    """A tiny PSA: no training, a twin of it, and champions, on ``draws`` draws."""
    base = ["experiment=psa", "psa=quick", f"psa.draws={draws}", *TINY]
    cfg = hydra_compose(base)
    with open_dict(cfg):
        cfg.experiment.scenarios = OmegaConf.create(
            {
                "no_training": ["strategy=no_training"],
                "twin": ["strategy=no_training"],
                "champions": ["strategy=champions"],
            }
        )
    return cfg, (lambda overrides: hydra_compose([*base, *overrides]))


@pytest.fixture(scope="module")
def tiny_psa(hydra_compose, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("psa")
    cfg, compose_scenario = tiny_cfg(hydra_compose)
    return out, run_psa(cfg, out, compose_scenario)


def test_paired_draws_give_exactly_zero_differences_for_identical_strategies(tiny_psa):
    out, result = tiny_psa
    psa = result["psa"]
    key = ["draw", "grouping", "group"]
    base = psa[psa.strategy == "no_training"].set_index(key).sort_index()
    twin = psa[psa.strategy == "twin"].set_index(key).sort_index()
    champions = psa[psa.strategy == "champions"].set_index(key).sort_index()
    outcomes = [c for c in psa.columns if c.endswith(("_time_average", "_final"))]
    pd.testing.assert_frame_equal(base[outcomes], twin[outcomes])
    whole = twin.xs("all", level="grouping")
    assert (whole.errors_averted == 0).all() and (whole.extra_cost_gbp == 0).all()
    assert (whole.appropriate_worker_years_gained == 0).all()
    # Draws differ from one another, and a different strategy differs on the same draw.
    assert base.xs("all", level="group").avoidable_errors_per_1000_time_average.nunique() == 3
    assert not np.allclose(champions.extra_cost_gbp.dropna(), 0)
    for name in ("psa.parquet", "probability_best.csv", "probability_best.png", "ceac.csv"):
        assert (out / name).stat().st_size > 0, name
    for name in ("ceac.png", "evpi.csv", "evppi.csv", "report.html", "manifest.json"):
        assert (out / name).stat().st_size > 0, name
    assert "How sure are we" in (out / "report.html").read_text()
    best = pd.read_csv(out / "probability_best.csv")
    assert set(best.grouping) == {"all", "staff_group", "archetype"}
    defined = best[best.draws > 0]  # a tiny workforce leaves some groups without decisions
    sums = defined.groupby(["grouping", "group"]).probability_best.sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)


def test_resume_recomputes_only_the_deleted_draws_with_identical_results(
    tiny_psa, hydra_compose, tmp_path
):
    out, result = tiny_psa
    resumed = tmp_path / "resumed"
    resumed.mkdir()
    for path in ("config.yaml", "runs"):
        source = out / path
        target = resumed / path
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.write_bytes(source.read_bytes())
    deleted = list((resumed / "runs" / "draw_0001").glob("*.parquet"))
    deleted += list((resumed / "runs" / "draw_0002").glob("champions*.parquet"))
    for path in deleted:
        path.unlink()
    cfg, compose_scenario = tiny_cfg(hydra_compose)
    with open_dict(cfg):
        cfg.resume = str(resumed)
    again = run_psa(cfg, resumed, compose_scenario)
    assert again["manifest"]["runs_computed"] == 3 + 1
    assert again["manifest"]["runs_reused"] == 9 - 4
    pd.testing.assert_frame_equal(again["psa"], result["psa"])
    pd.testing.assert_frame_equal(again["ceac"], result["ceac"])


def test_draws_keep_whole_posterior_particles_and_are_reproducible(hydra_compose):
    config = as_model_config(hydra_compose(["experiment=psa", *TINY]))
    posterior = load_posterior(CONF / "calibrated" / "uk_nhs_posterior.csv")
    draws, priors, calibrated = sample_draws(config, 40, 7, posterior)
    assert "behaviour.adoption_rate" in calibrated and "tools.1.reliability" not in calibrated
    assert not {p.path for p in priors} & set(calibrated)
    particles = posterior.set_index("particle")
    for row in draws.itertuples(index=False):
        values = particles.loc[row.particle, calibrated].to_numpy(float)
        np.testing.assert_array_equal(draws.loc[row.draw, calibrated].to_numpy(float), values)
    again, _, _ = sample_draws(config, 20, 7, posterior)
    pd.testing.assert_frame_equal(again, draws.iloc[:20], check_dtype=False)


@pytest.mark.parametrize("settings", ["standard", "quick"])
def test_psa_settings_compose_and_bad_values_are_named(hydra_compose, settings, tmp_path):
    cfg = hydra_compose(["experiment=psa", f"psa={settings}"])
    assert cfg.psa.draws == {"standard": 200, "quick": 10}[settings]
    assert cfg.experiment.baseline in cfg.experiment.scenarios
    bad = hydra_compose(["experiment=psa", f"psa={settings}", "psa.strategies=[champions]", *TINY])
    with pytest.raises(ConfigError, match="psa.strategies"):
        run_psa(bad, tmp_path, lambda overrides: hydra_compose(overrides))
