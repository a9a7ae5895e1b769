"""Calibration v2: survey error, questions as asked, noise, bookkeeping."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import betabinom, binom

from experiments.calibration.discrepancy import (
    ask_deviance,
    expected_deviance,
    survey_log_likelihood,
)
from experiments.calibration.outputs import posterior_csv, summarise_posterior
from experiments.calibration.parameters import ParameterSpec, configure
from experiments.calibration.pipeline import _manifest_parts, stop_reason
from experiments.calibration.predictive import coverage
from experiments.calibration.problem import HELD_OUT, NO_N, PREDICTED_ONLY, build_problem
from experiments.calibration.simulate import SurveyAsk, draw_survey
from experiments.calibration.survey_error import SurveyError, design_effect
from experiments.calibration.unreached import unreached_reasons
from experiments.schema import register_configs
from model import WorkforceModel, as_model_config
from model.survey import FREQUENCIES, census_answers, use_frequency
from model.validation import ConfigError
from model.workforce import NEVER

CONF = Path(__file__).resolve().parent.parent / "conf"
register_configs()


# --- the likelihood with survey dispersion ----------------------------------------------------


@pytest.mark.parametrize("k, n, p", [(44, 100, 0.4), (120, 1000, 0.14), (0, 50, 0.02)])
def test_beta_binomial_is_the_binomial_at_zero_dispersion(k, n, p):
    """rho = 0 gives the binomial log pmf exactly; rho > 0 the beta-binomial of scipy."""
    assert survey_log_likelihood([k, n - k], [p, 1 - p], 0.0) == pytest.approx(
        binom.logpmf(k, n, p), rel=1e-12
    )
    rho = 0.004
    a, b = p * (1 - rho) / rho, (1 - p) * (1 - rho) / rho
    assert survey_log_likelihood([k, n - k], [p, 1 - p], rho) == pytest.approx(
        betabinom.logpmf(k, n, a, b), rel=1e-9
    )
    # and it tends to the binomial as rho shrinks
    assert survey_log_likelihood([k, n - k], [p, 1 - p], 1e-9) == pytest.approx(
        binom.logpmf(k, n, p), abs=1e-4
    )


def test_deviance_at_zero_dispersion_is_the_binomial_deviance_and_dispersion_forgives_misses():
    ask = SurveyAsk(0, "trust", None, None, 1000, ("f",), ("agree",), (0.44,))
    counts, expected = np.array([440.0, 560.0]), 1000 * np.array([0.5, 0.5])
    binomial = 2 * np.sum(counts * np.log(counts / expected))
    assert ask_deviance(ask, [0.5], 0.0) == pytest.approx(binomial, rel=1e-9)
    # A 6-point miss costs less when surveys are known to differ by more than sampling error.
    assert ask_deviance(ask, [0.5], 0.005) < ask_deviance(ask, [0.5], 0.0)


def test_the_deviance_fits_the_dispersion_by_its_likelihood():
    """A miss of 3.8 standard errors is best explained by some dispersion (an interior minimum);
    a figure the model meets exactly is best explained by none (the deviance grows with rho).
    A distance between two noisy surveys would instead favour rho = 0 in both cases."""
    ask = SurveyAsk(0, "trust", None, None, 1000, ("f",), ("agree",), (0.44,))
    grid = np.linspace(0.0, 0.05, 501)
    miss = np.array([ask_deviance(ask, [0.5], r) for r in grid])
    assert 0 < grid[miss.argmin()] < 0.05
    exact = np.array([ask_deviance(ask, [0.44], r) for r in grid])
    assert exact.argmin() == 0 and np.all(np.diff(exact) > 0)


def test_expected_deviance_is_the_degrees_of_freedom_when_the_model_is_true():
    """At rho = 0 the deviance of a true model is about chi-square with one degree of freedom
    per answer (mean 1 per answer); survey dispersion raises it; the value is reproducible."""
    one = SurveyAsk(0, "trust", None, None, 1000, ("f",), ("agree",), (0.44,))
    joint = SurveyAsk(0, "trust", None, None, 1000, ("a", "b"), ("agree", "disagree"), (0.44, 0.14))
    assert expected_deviance([one], draws=2000) == pytest.approx(1.0, abs=0.1)
    assert expected_deviance([joint], draws=2000) == pytest.approx(2.0, abs=0.15)
    widened = expected_deviance([one], SurveyError(0.005))
    assert widened > expected_deviance([one]) + 0.5
    assert widened == expected_deviance([one], SurveyError(0.005))


def test_survey_draws_at_zero_dispersion_are_the_plain_multinomial_and_grow_by_the_design_effect():
    same = [draw_survey([0.3], 1000, np.random.default_rng(s), 0.0)[0] for s in range(50)]
    plain = [np.random.default_rng(s).multinomial(1000, [0.3, 0.7])[0] / 1000 for s in range(50)]
    assert same == plain
    rng = np.random.default_rng(1)
    shares = np.array([draw_survey([0.3], 1000, rng, 0.004)[0] for _ in range(4000)])
    expected = 0.3 * 0.7 / 1000 * design_effect(1000, 0.004)
    assert shares.var() == pytest.approx(expected, rel=0.1)
    assert shares.mean() == pytest.approx(0.3, abs=0.003)


def test_dispersion_is_a_likelihood_key_not_a_model_setting(hydra_compose):
    base = as_model_config(hydra_compose(["experiment=calibrate", "population.n_workers=100"]))
    values = {
        "likelihood.dispersion": 0.003,
        "likelihood.wording_dispersion": 0.02,
        "behaviour.social_proof": 0.2,
    }
    config, error = configure(base, values)
    assert error == SurveyError(0.003, 0.02) and config.behaviour.social_proof == 0.2
    assert configure(base, {})[1] == SurveyError(0.0, 0.0)


# --- survey questions as asked, on a hand-built workforce ------------------------------------


@pytest.fixture(scope="module")
def workforce_model(hydra_compose):
    """Eight workers of the calibration scenario (two tools: cdss, genai) with set records."""
    cfg = hydra_compose(["experiment=calibrate", "population.n_workers=8",
                         "population.department_size=8", "population.team_size=8"])  # fmt: skip
    model = WorkforceModel(as_model_config(cfg))
    wf = model.workforce
    model.week = 101  # weeks 0-100 have run
    wf.uses[:] = False
    wf.last_use_week[:] = NEVER
    wf.times_trained[:] = 0
    model.live[:] = False
    # worker: (uses cdss, uses genai, last cdss week, last genai week)
    wf.uses[0, 1] = True  # a current genai user
    wf.last_use_week[0, 1] = 100
    wf.uses[1, 0] = True  # a current cdss user
    wf.last_use_week[1, 0] = 100
    wf.last_use_week[2, 1] = 98  # stopped genai 2 weeks ago
    wf.last_use_week[3, 0] = 80  # stopped cdss 20 weeks ago
    wf.last_use_week[4, 0] = 10  # stopped cdss 90 weeks ago
    wf.times_trained[[1, 5]] = [1, 2]
    model.live[[0, 1, 2, 3, 6], :] = True
    return model


def test_recall_window_separates_current_use_from_past_year_use(workforce_model):
    everyone = np.arange(8)
    past_year = census_answers(workforce_model, "uses_ai", everyone, None, 52)
    current = census_answers(workforce_model, "uses_ai", everyone, None, 4)
    assert past_year.tolist() == [True, True, True, True, False, False, False, False]
    assert current.tolist() == [True, True, True, False, False, False, False, False]
    genai = census_answers(workforce_model, "uses_ai", everyone, "genai", 52)
    assert genai.tolist() == [True, False, True, False, False, False, False, False]


def test_use_frequency_reads_use_records_and_case_rates(workforce_model):
    model = workforce_model
    everyone = np.arange(8)
    lam = dict(zip(model.tools.names, model.tools.cases_per_week, strict=True))

    def active(tool: str) -> str:
        rate = lam[tool]
        return "daily" if rate >= 5 else ("weekly" if rate >= 1 else "monthly")

    said = [FREQUENCIES[c] for c in use_frequency(model, everyone, None)]
    assert said[0] == active("genai") and said[1] == active("cdss")
    assert said[2:] == ["monthly", "rarely", "never", "never", "never", "never"]
    cdss_only = [FREQUENCIES[c] for c in use_frequency(model, everyone, "cdss")]
    assert cdss_only[0] == "never" and cdss_only[3] == "rarely"


def test_training_questions_read_training_records(workforce_model):
    everyone = np.arange(8)
    trained = census_answers(workforce_model, "trained", everyone)
    wants = census_answers(workforce_model, "wants_training", everyone)
    assert trained.tolist() == [False, True, False, False, False, True, False, False]
    # met a live tool (0, 1, 2, 3, 6) and never trained (all but 1 and 5)
    assert wants.tolist() == [True, False, True, True, False, False, True, False]


# --- the problem: statuses and the horizon -----------------------------------------------------


def test_validation_extends_the_horizon_and_reports_figures_without_n(hydra_compose):
    cfg = hydra_compose(["experiment=calibrate_validate", "weeks=150",
                         "population.n_workers=100"])  # fmt: skip
    problem = build_problem(cfg)
    assert problem.horizon_extended_from == 150
    last = max(ask.week for ask in problem.full_plan)
    assert problem.base.weeks == last + 1
    status = problem.targets.set_index("figure_id").status
    assert status["hf2024_look_forward_ai_in_job_medical"] == NO_N
    assert status["turing2023_sufficient_training_ai_responsibilities"] == PREDICTED_ONLY
    assert status["hf2024_support_ai_patient_care"] == HELD_OUT
    fitted = {f for ask in problem.plan for f in ask.figure_ids}
    assert fitted == set(status[status == "fitted"].index)
    dnuk = next(a for a in problem.full_plan if "dnuk2024" in a.figure_ids[0])
    assert dnuk.recall_weeks == 4


def test_predictive_runs_use_their_own_workforce_size(hydra_compose):
    """calibration.predictive_workers sets the workforce of the predictive and noise runs only;
    unset, they use the fit's workforce; a size below 1 is refused naming the key."""
    cfg = hydra_compose(["experiment=calibrate", "population.n_workers=100",
                         "calibration.predictive_workers=300"])  # fmt: skip
    problem = build_problem(cfg)
    assert problem.base.population.n_workers == 100
    assert problem.predictive_base.population.n_workers == 300
    assert problem.predictive_base.weeks == problem.base.weeks
    plain = build_problem(hydra_compose(["experiment=calibrate", "population.n_workers=100",
                                         "calibration.predictive_workers=null"]))  # fmt: skip
    assert plain.predictive_base is plain.base
    with pytest.raises(ConfigError, match="calibration.predictive_workers = 0"):
        build_problem(hydra_compose(["experiment=calibrate", "calibration.predictive_workers=0"]))


# --- intervals, identification, bookkeeping ----------------------------------------------------


def test_coverage_counts_fitted_figures_inside_each_interval():
    figures = pd.DataFrame({"status": ["fitted"] * 4 + ["held out"],
                            "inside_50": [True, False, False, True, True],
                            "inside_90": [True, True, False, True, False]})  # fmt: skip
    assert coverage(figures) == {"figures": 4, "inside_50": 0.5, "inside_90": 0.75}


def test_contraction_is_zero_for_the_prior_and_near_one_for_a_narrow_posterior():
    rng = np.random.default_rng(0)
    spec = [ParameterSpec("x", "behaviour.social_proof", 0.0, 1.0, "-", "test")]
    prior = pd.DataFrame({"x": rng.uniform(0, 1, 5000), "weight": 1.0})
    narrow = pd.DataFrame({"x": rng.normal(0.5, 0.01, 5000), "weight": 1.0})
    wide, tight = (summarise_posterior(p, spec, 0.5).iloc[0] for p in (prior, narrow))
    assert wide.contraction == pytest.approx(0.0, abs=0.05)
    assert tight.contraction > 0.99
    assert wide.identified.startswith("no") and tight.identified == "yes"


def test_stop_reason_names_the_wall_time_limit_loudly(hydra_compose):
    cfg = hydra_compose(["experiment=calibrate", "population.n_workers=100"])
    problem = build_problem(cfg)
    diagnostics = pd.DataFrame({"epsilon": [np.inf, 500.0], "simulations": [150, 300]})
    assert stop_reason(problem, diagnostics, 700.0).startswith("WALL TIME")
    done = pd.DataFrame({"epsilon": [np.inf] * 8, "simulations": [10] * 8})
    assert stop_reason(problem, done, 1.0).startswith("generations")


def test_a_resumed_run_keeps_every_part_of_its_manifest(tmp_path):
    first = {"created": "t1", "wall_time_s": 600, "load_average_at_start": 3.0,
             "simulations_this_run": 900}  # fmt: skip
    (tmp_path / "manifest.json").write_text(json.dumps(first))
    parts = _manifest_parts(tmp_path, True, {"created": "t2", "simulations_this_run": 300})
    assert [p["created"] for p in parts] == ["t1", "t2"]
    assert parts[0]["load_average_at_start"] == 3.0 and parts[0]["simulations_this_run"] == 900
    (tmp_path / "manifest.json").write_text(json.dumps({"parts": parts}))
    again = _manifest_parts(tmp_path, True, {"created": "t3"})
    assert [p["created"] for p in again] == ["t1", "t2", "t3"]


def test_oversampling_reweights_all_staff_answers_to_the_true_shares(hydra_compose):
    """Doctors simulated 4 times over; weights restore the true mix in all-staff answers."""
    cfg = hydra_compose(["experiment=calibrate", "population.n_workers=400",
                         "+calibration.oversample.medical=4.0"])  # fmt: skip
    problem = build_problem(cfg)
    groups = list(problem.base.population.staff_groups)
    true = as_model_config(hydra_compose(["experiment=calibrate"])).population.staff_groups
    simulated = problem.base.population.staff_groups
    medical = groups.index("medical")
    assert simulated["medical"].share == pytest.approx(
        4 * true["medical"].share / (1 + 3 * true["medical"].share)
    )
    weights = problem.group_weights
    assert weights[medical] == pytest.approx(true["medical"].share / simulated["medical"].share)
    model = WorkforceModel(problem.base)
    wf = model.workforce
    model.week = 10
    wf.last_use_week[:] = NEVER
    wf.last_use_week[wf.staff_group == medical, 0] = 9  # every doctor a user, nobody else
    from experiments.calibration.simulate import answer_shares

    weighted = answer_shares(model, "uses_ai", ["yes"], None, None, 52, weights)[0]
    raw = answer_shares(model, "uses_ai", ["yes"], None, None, 52)[0]
    each = weights[wf.staff_group]
    assert weighted == pytest.approx(each[wf.staff_group == medical].sum() / each.sum())
    assert weighted == pytest.approx(true["medical"].share, abs=0.002)  # up to whole workers
    assert raw == pytest.approx(np.mean(wf.staff_group == medical)) and raw > weighted


def test_calibrated_yaml_never_offers_the_dispersion_as_a_run_setting():
    from experiments.calibration.outputs import calibrated_yaml

    summary = pd.DataFrame(
        [{"parameter": "social_proof", "key": "behaviour.social_proof", "mean": 0.4, "q05": 0.1,
          "q95": 0.8, "identified": "yes"},
         {"parameter": "genai", "key": "tools.1.reliability", "mean": 0.7, "q05": 0.6,
          "q95": 0.8, "identified": "yes"},
         {"parameter": "survey_dispersion", "key": "likelihood.dispersion", "mean": 0.003,
          "q05": 0.001, "q95": 0.008, "identified": "yes"}]
    )  # fmt: skip
    text = calibrated_yaml(summary, ["test"])
    command_lines = [ln for ln in text.splitlines() if ln.startswith("#   ") and "=" in ln]
    assert any("tools.1.reliability=0.7" in ln for ln in command_lines)
    assert not any("likelihood.dispersion=" in ln for ln in command_lines)
    body = [ln for ln in text.splitlines() if not ln.startswith("#")]
    assert "likelihood" not in "\n".join(body) and "social_proof: 0.4" in "\n".join(body)


def test_unreached_figures_name_the_figures_that_pull_the_other_way():
    """A missed figure whose quantity another fitted figure pulls the other way names it; a
    missed figure with no such sibling says the model stays on one side of it."""
    rows = [  # figure, quantity, tool, observed, predicted median, inside 90%
        ("optimistic", "trust", "any", 0.52, 0.65, False),
        ("support", "trust", "any", 0.76, 0.72, True),
        ("want_more", "trust", "any", 0.44, 0.48, True),
        ("use_genai", "uses_ai", "genai", 0.20, 0.12, False),
        ("use_cdss", "uses_ai", "cdss", 0.16, 0.10, True),
    ]
    figures = pd.DataFrame(
        rows,
        columns=["figure_id", "quantity", "tool", "observed", "predicted_median", "inside_90"],
    ).assign(status="fitted")
    optimistic, use = unreached_reasons(figures)
    assert optimistic.startswith("optimistic: the model is above it (65% against 52%")
    assert "support (76% published, model 72%)" in optimistic and "want_more" not in optimistic
    assert use.startswith("use_genai: the model is below it") and "no other fitted" in use
    assert unreached_reasons(figures.assign(inside_90=True)) == []


def test_posterior_csv_is_what_the_psa_loads(tmp_path):
    """The published posterior sample has config paths as columns and loads in the PSA with its
    weights normalised and its values at full precision."""
    from experiments.uncertainty.draws import load_posterior

    params = [
        ParameterSpec("trust", "population.archetypes.user.initial_trust", 0.3, 0.75, "-", ""),
        ParameterSpec("rho", "likelihood.dispersion", 0.0, 0.01, "-", ""),
    ]
    posterior = pd.DataFrame({"particle": [0, 1, 2], "trust": [0.5, 0.6123456789012345, 0.7],
                              "rho": [0.001, 0.002, 0.003], "weight": [2.0, 1.0, 1.0],
                              "distance": [40.0, 41.0, 42.0], "seed": [11, 12, 13]})  # fmt: skip
    path = tmp_path / "uk_posterior.csv"
    path.write_text(posterior_csv(posterior, params, ["made by a test"]))
    assert path.read_text().startswith("# made by a test\n")
    loaded = load_posterior(path)
    assert loaded.columns.tolist() == ["particle", "weight", "distance", "simulation_seed",
                                       "population.archetypes.user.initial_trust",
                                       "likelihood.dispersion"]  # fmt: skip
    assert loaded.weight.tolist() == [0.5, 0.25, 0.25]
    assert loaded["population.archetypes.user.initial_trust"][1] == 0.6123456789012345
    assert loaded.simulation_seed.tolist() == [11, 12, 13]
