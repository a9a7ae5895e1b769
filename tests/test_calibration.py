"""Tests of the calibration: simulated surveys, overrides, distance, ABC-SMC, outputs, resume."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyabc
import pytest
import yaml
from omegaconf import OmegaConf

from experiments.calibration.abc_smc import run_abc
from experiments.calibration.discrepancy import SurveyDeviance, ask_deviance, deviance
from experiments.calibration.outputs import (
    NOT_IDENTIFIED,
    calibrated_yaml,
    publish,
    summarise_posterior,
    weighted_quantile,
)
from experiments.calibration.parameters import ParameterSpec, apply_overrides, load_parameter_set
from experiments.calibration.pipeline import check_resumable, run_calibration
from experiments.calibration.problem import build_problem
from experiments.calibration.simulate import (
    SurveyAsk,
    build_plan,
    draw_survey,
    simulate_survey,
)
from experiments.calibration.survey_error import SurveyError
from experiments.schema import register_configs
from experiments.survey_targets import load_targets
from model import WorkforceModel, as_model_config
from model.config import ARCHETYPES
from model.validation import ConfigError

REPO = Path(__file__).resolve().parent.parent
CONF = REPO / "conf"
UK_TARGETS = CONF / "calibration" / "targets" / "uk_nhs.yaml"
FIRST_WAVE = ("hf2020_want_more_ai", "hf2020_want_less_ai")
# A small calibration: 300 workers; the budget of each test is set where it is used.
SMALL = [
    "experiment=calibrate",
    "population.n_workers=300",
    "n_jobs=1",
    "progress=false",
    "calibration.noise_replicates=3",
]

register_configs()


def conf_snapshot() -> dict[str, str]:
    """Every file under the repository's conf/, relative path -> SHA-256 of its bytes."""
    return {
        str(path.relative_to(CONF)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(CONF.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(autouse=True)
def conf_untouched():
    """No calibration test may add, change or remove a file under conf/ (the source tree)."""
    before = conf_snapshot()
    yield
    assert conf_snapshot() == before, "a test wrote into conf/; point calibration.publish_dir"


@pytest.fixture(scope="module")
def uk_targets() -> pd.DataFrame:
    return load_targets(UK_TARGETS)


@pytest.fixture(scope="module")
def base(hydra_compose):
    """The calibration scenario (UK timeline from 2020) with 300 workers."""
    return as_model_config(hydra_compose(SMALL))


def first_wave_only(hydra_compose, uk_targets, *overrides: str):
    """A run config fitting only the 2020 NHS staff wave (30 weeks: fast; no training yet)."""
    others = [f for f in uk_targets.figure_id if f not in FIRST_WAVE]
    return hydra_compose(
        [*SMALL, "weeks=30", "strategy.programmes=[]",
         f"calibration.exclude_figures=[{','.join(others)}]", *overrides]
    )  # fmt: skip


# --- simulated surveys -------------------------------------------------------------------------


def test_survey_simulation_gives_one_share_per_figure_deterministically(base, uk_targets):
    """One share per figure, drawn with the figure's n; a fixed seed repeats exactly."""
    plan = build_plan(uk_targets, base)
    first = simulate_survey(base, plan, seed=11)
    again = simulate_survey(base, plan, seed=11)
    other = simulate_survey(base, plan, seed=12)
    assert set(first.shares) == set(uk_targets.figure_id)
    assert first.shares == again.shares and first.probabilities == again.probabilities
    assert first.shares != other.shares
    n = dict(zip(uk_targets.figure_id, uk_targets.n.astype(int), strict=True))
    for figure, share in first.shares.items():
        assert 0 <= share <= 1
        assert share * n[figure] == pytest.approx(round(share * n[figure]), abs=1e-9)


def test_survey_draws_do_not_change_the_model_trajectory(base, uk_targets):
    """Asking fewer surveys leaves the model's answer shares of the others unchanged."""
    plan = build_plan(uk_targets, base)
    full = simulate_survey(base, plan, seed=3).probabilities
    late = [ask for ask in plan if ask.week > 200]
    partial = simulate_survey(base, late, seed=3).probabilities
    assert partial == {f: full[f] for f in partial}


def test_simulated_survey_has_binomial_sampling_error():
    """Repeated draws of n=1000 at p=0.3 vary with variance p(1-p)/n (within 10%)."""
    rng = np.random.default_rng(0)
    shares = np.array([draw_survey([0.3], 1000, rng)[0] for _ in range(4000)])
    # The sample variance of 4000 draws has a relative standard error of about 2%.
    assert shares.var() == pytest.approx(0.3 * 0.7 / 1000, rel=0.1)
    assert shares.mean() == pytest.approx(0.3, abs=0.002)


def test_plan_groups_joint_answers_and_places_surveys_on_the_calendar(base, uk_targets):
    """Want more / less AI (2020) is one ask of n=1000 in week 25; others are single asks."""
    plan = build_plan(uk_targets, base)
    joint = [ask for ask in plan if len(ask.figure_ids) > 1]
    assert [ask.figure_ids for ask in joint] == [FIRST_WAVE]
    assert joint[0].answers == ("agree", "disagree") and joint[0].n == 1000
    # Fieldwork midpoint 2020-07-01 is 177 days after 2020-01-06: week 25.
    assert joint[0].week == 25
    assert sum(len(ask.figure_ids) for ask in plan) == len(uk_targets)


def test_figures_outside_the_calendar_are_named(base, uk_targets):
    """A horizon that ends before a survey gives a ConfigError naming the figure."""
    short = apply_overrides(base, {})
    short.weeks = 100
    with pytest.raises(ConfigError, match="hf2024_support_ai_patient_care"):
        build_plan(uk_targets, short)


# --- parameters and overrides ------------------------------------------------------------------


def test_parameter_overrides_reach_the_model(base):
    """Overrides by dotted key (dict, list and plain fields) change the model they build."""
    values = {
        "population.archetypes.user.initial_trust": 0.8,
        "tools.1.reliability": 0.6,
        "survey.response_noise": 0.3,
        "population.team_size": 7.6,
    }
    config = apply_overrides(base, values)
    assert config.population.archetypes["user"].initial_trust == 0.8
    assert config.tools[1].reliability == 0.6 and config.survey.response_noise == 0.3
    assert config.population.team_size == 8 and isinstance(config.population.team_size, int)
    assert base.population.archetypes["user"].initial_trust != 0.8, "the base was modified"
    low = apply_overrides(base, {"population.archetypes.user.initial_trust": 0.3})
    users = ARCHETYPES.index("user")

    def user_trust(cfg) -> float:
        wf = WorkforceModel(cfg).workforce
        return float(wf.trust[wf.archetype == users].mean())

    assert user_trust(config) > user_trust(low) + 0.3


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("behaviour.adoptoin_rate", "behaviour.adoptoin_rate"),
        ("tools.5.reliability", "tools.5.reliability"),
        ("population.archetypes.nurse.initial_trust", "nurse"),
        ("network.kind", "numeric"),
    ],
)
def test_unknown_or_non_numeric_keys_give_a_config_error_naming_the_key(base, key, message):
    """A key that is not a numeric config field is a ConfigError naming it."""
    with pytest.raises(ConfigError, match=message):
        apply_overrides(base, {key: 0.5})


def test_parameter_set_problems_are_named(base, tmp_path):
    """A parameter set with an unknown key or a prior outside the field's range is rejected."""
    good = load_parameter_set("default", base)
    assert [p.name for p in good] == [
        "user_initial_trust",
        "adoption_rate",
        "social_proof",
        "genai_reliability",
        "response_noise",
        "survey_dispersion",
        "wording_dispersion",
    ]
    entry = {"name": "x", "key": "behaviour.nope", "low": 0.1, "high": 0.2, "unit": "-"}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"parameters": [{**entry, "reasoning": "r"}]}))
    with pytest.raises(ConfigError, match="behaviour.nope"):
        load_parameter_set(str(path), base)
    entry |= {"key": "behaviour.adoption_rate", "high": 1.5}
    path.write_text(yaml.safe_dump({"parameters": [{**entry, "reasoning": "r"}]}))
    with pytest.raises(ConfigError, match="adoption_rate = 1.5"):
        load_parameter_set(str(path), base)
    entry |= {"key": "likelihood.dispersion", "low": 0.0, "high": 1.0}
    path.write_text(yaml.safe_dump({"parameters": [{**entry, "reasoning": "r"}]}))
    with pytest.raises(ConfigError, match="likelihood.dispersion prior 0.0 to 1.0"):
        load_parameter_set(str(path), base)


# --- distance, deviance, summaries -------------------------------------------------------------


def test_abc_distance_is_the_deviance_under_the_particles_survey_error():
    """The ABC distance reads the particle's survey error from its statistics: attitude asks get
    the wording dispersion on top of the dispersion, census (use) asks only the dispersion."""
    attitude = SurveyAsk(0, "trust", None, None, 1000, ("a",), ("agree",), (0.44,))
    use = SurveyAsk(0, "uses_ai", None, "medical", 900, ("u",), ("yes",), (0.29,))
    error = SurveyError(dispersion=0.002, wording_dispersion=0.01)
    assert error.rho(attitude) == pytest.approx(0.012) and error.rho(use) == 0.002
    x = {"a": 0.5, "u": 0.25, **error.as_values()}
    expected = ask_deviance(attitude, [0.5], 0.012) + ask_deviance(use, [0.25], 0.002)
    assert SurveyDeviance([attitude, use])(x, {}) == pytest.approx(expected, rel=1e-12)
    assert deviance([attitude, use], x, error) == pytest.approx(expected, rel=1e-12)
    plain = {"a": 0.5, "u": 0.25}
    assert SurveyDeviance([attitude, use])(plain, {}) == pytest.approx(
        ask_deviance(attitude, [0.5]) + ask_deviance(use, [0.25]), rel=1e-12
    )


def test_deviance_is_zero_at_the_observed_shares_and_grows_away():
    """The deviance vanishes when the model gives the observed shares, and is positive else."""
    ask = SurveyAsk(0, "trust", None, None, 1000, ("a", "b"), ("agree", "disagree"), (0.44, 0.14))
    assert deviance([ask], {"a": 0.44, "b": 0.14}) == pytest.approx(0, abs=1e-9)
    near, far = deviance([ask], {"a": 0.46, "b": 0.14}), deviance([ask], {"a": 0.6, "b": 0.1})
    assert 0 < near < far


def test_summary_flags_parameters_the_data_do_not_narrow():
    """A posterior spread over the prior is 'not identified'; a narrow one is identified."""
    rng = np.random.default_rng(1)
    params = [
        ParameterSpec("wide", "a.b", 0, 1, "-", ""),
        ParameterSpec("narrow", "a.c", 0, 1, "-", ""),
    ]
    posterior = pd.DataFrame(
        {"wide": rng.uniform(0, 1, 2000), "narrow": rng.normal(0.3, 0.02, 2000), "weight": 1.0}
    )
    summary = summarise_posterior(posterior, params, identified_ratio=0.8).set_index("parameter")
    assert summary.loc["wide", "identified"] == NOT_IDENTIFIED
    assert summary.loc["narrow", "identified"] == "yes"
    assert summary.loc["narrow", "q05"] == pytest.approx(0.3 - 1.645 * 0.02, abs=0.005)
    assert weighted_quantile(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.0]), 0.5) == 2.0


# --- ABC-SMC, recovery, resume, point estimate, calibrated YAML -------------------------------


def test_small_recovery_run_covers_the_truth_and_reports_what_is_not_identified(
    hydra_compose, uk_targets, tmp_path
):
    """From a synthetic 2020 wave, users' initial trust is recovered; adoption is unidentified."""
    cfg = first_wave_only(
        hydra_compose,
        uk_targets,
        "calibration.task=recovery",
        "calibration.params=quick",
        "population.archetypes.user.initial_trust=0.55",
        "behaviour.adoption_rate=0.01",
        "calibration.population_size=40",
        "calibration.max_generations=4",
        "calibration.predictive_draws=6",
        f"calibration.publish_dir={tmp_path / 'calibrated'}",
        "calibration.publish_as=recovered",
    )
    result = run_calibration(cfg, tmp_path / "run")
    recovery = result["recovery"].set_index("parameter")
    # 2020 trust answers of n=1000 pin the users' mean trust; no tool is live before week 52,
    # so the adoption rate cannot show in a week-25 survey. One synthetic data set misses a 90%
    # interval one time in ten, so the check is that the truth is within 3 posterior sd of the
    # posterior mean (sd from the 90% interval: q95 - q05 = 3.29 sd for a normal posterior),
    # which a calibrated posterior fails about 3 times in 1,000.
    trust = recovery.loc["user_initial_trust"]
    assert abs(trust["mean"] - trust["truth"]) < 3 * (trust["q95"] - trust["q05"]) / 3.29
    assert recovery.loc["user_initial_trust", "identified"] == "yes"
    assert (
        recovery.loc["user_initial_trust", "q95"] - recovery.loc["user_initial_trust", "q05"] < 0.2
    )
    assert recovery.loc["adoption_rate", "identified"] == NOT_IDENTIFIED
    out = tmp_path / "run"
    for name in (
        "posterior.parquet",
        "posterior_summary.csv",
        "diagnostics.csv",
        "fit.png",
        "pairs.png",
        "report.html",
        "manifest.json",
        "calibrated.yaml",
        "recovery.csv",
    ):
        assert (out / name).exists(), name
    assert result["figures"].figure_id.str.startswith("synthetic_").all()
    assert (tmp_path / "calibrated" / "recovered.yaml").read_text() == (
        out / "calibrated.yaml"
    ).read_text()
    assert (tmp_path / "calibrated" / "recovered_posterior.csv").read_text() == (
        out / "posterior.csv"
    ).read_text()
    report = (out / "report.html").read_text()
    assert "not identified by these data" in report
    # No survey error is fitted in this set, so the threshold's reference is the binomial one:
    # what the deviance averages for a true model, about 2 for the two answers of the 2020 wave.
    reference = result["manifest"]["reference_deviance"]
    assert reference == result["manifest"]["reference_deviance_binomial"]
    assert reference == pytest.approx(2.0, abs=0.3)
    assert f"against about {reference:.3g} averaged by a true model" in report
    assert not list(out.rglob("*.tmp"))


def test_recovery_refuses_a_truth_outside_its_prior(hydra_compose, uk_targets):
    """A true value the prior excludes cannot be recovered: ConfigError naming the key."""
    cfg = first_wave_only(
        hydra_compose,
        uk_targets,
        "calibration.task=recovery",
        "calibration.params=quick",
        "behaviour.adoption_rate=0.1",
    )
    with pytest.raises(ConfigError, match="behaviour.adoption_rate = 0.1"):
        build_problem(cfg)


def test_resume_continues_a_stopped_abc_run_without_recomputing(
    hydra_compose, uk_targets, tmp_path
):
    """2 generations, then resumed to 3: the first two are kept as they were, one is added."""
    cfg = first_wave_only(
        hydra_compose, uk_targets, "calibration.params=quick", "calibration.population_size=20"
    )
    problem = build_problem(cfg)
    problem.settings.max_generations = 2
    first = run_abc(problem, tmp_path, n_jobs=1, seed=5, progress=False)
    history = pyabc.History(f"sqlite:///{tmp_path / 'abc.db'}")
    before = [history.get_distribution(t=t) for t in (0, 1)]
    problem.settings.max_generations = 3
    resumed = run_abc(problem, tmp_path, n_jobs=1, seed=5, progress=False)
    history = pyabc.History(f"sqlite:///{tmp_path / 'abc.db'}")
    assert history.n_populations == 3 and resumed.generations_run == 1
    for t, (params, weights) in zip((0, 1), before, strict=True):
        again, again_weights = history.get_distribution(t=t)
        pd.testing.assert_frame_equal(params, again)
        np.testing.assert_array_equal(weights, again_weights)
    assert resumed.diagnostics.simulations.iloc[:2].tolist() == (
        first.diagnostics.simulations.tolist()
    )
    assert resumed.simulations_run == resumed.diagnostics.simulations.iloc[2]
    # The resumed generation's threshold continues from generation 1 (not infinity again).
    assert resumed.diagnostics.epsilon.iloc[2] < resumed.diagnostics.epsilon.iloc[1]


def test_resume_refuses_a_different_calibration_but_accepts_a_bigger_budget(
    hydra_compose, tmp_path
):
    """Resuming with other parameters is refused; with more generations it is allowed."""
    cfg = hydra_compose(SMALL)
    (tmp_path / "config.yaml").write_text(OmegaConf.to_yaml(cfg, resolve=True))
    check_resumable(hydra_compose([*SMALL, "calibration.max_generations=12"]), tmp_path)
    with pytest.raises(ConfigError, match="calibration.params"):
        check_resumable(hydra_compose([*SMALL, "calibration.params=quick"]), tmp_path)


def test_point_estimate_finds_the_truth_of_a_synthetic_target(hydra_compose, uk_targets, tmp_path):
    """Optuna, fitting a synthetic 2020 wave, puts users' initial trust within 0.075 of 0.55.

    The calibrated values are published (publish_as uk_nhs_point, from experiment=calibrate)
    into the folder the caller gives, and nothing under conf/ changes.
    """
    before = conf_snapshot()
    cfg = first_wave_only(
        hydra_compose,
        uk_targets,
        "calibration.mode=point",
        "calibration.task=recovery",
        "calibration.params=quick",
        "population.archetypes.user.initial_trust=0.55",
        "behaviour.adoption_rate=0.01",
        "calibration.point_trials=25",
        "calibration.point_seeds=2",
        "calibration.predictive_draws=4",
        f"calibration.publish_dir={tmp_path / 'published'}",
    )
    assert cfg.calibration.publish_as == "uk_nhs_point"
    result = run_calibration(cfg, tmp_path)
    best = result["summary"].set_index("parameter").loc["user_initial_trust", "mean"]
    # The synthetic wave is one survey (n=1000: about 1.5 points on each share) of one workforce of
    # 300 (users' mean initial trust varies by about 0.01-0.02 between workforces), so the
    # estimate carries about 0.025 of data noise; 0.075 is 3 of those.
    assert best == pytest.approx(0.55, abs=0.075)
    assert len(result["trials"]) == 25 and (tmp_path / "trials.png").exists()
    published = tmp_path / "published" / "uk_nhs_point.yaml"
    assert published.read_text() == (tmp_path / "calibrated.yaml").read_text()
    assert result["manifest"]["published"] == str(published)
    assert conf_snapshot() == before


def test_calibrated_yaml_loads_into_an_experiment_and_changes_its_result(hydra_compose, tmp_path):
    """calibrated=<name> replaces the experiment's calibrated values; the outcomes change."""
    params = [
        ParameterSpec(
            "user_initial_trust", "population.archetypes.user.initial_trust", 0, 1, "", ""
        ),
        ParameterSpec("genai_reliability", "tools.1.reliability", 0.5, 1, "", ""),
    ]
    posterior = pd.DataFrame(
        {"user_initial_trust": [0.8], "genai_reliability": [0.66], "weight": 1.0}
    )
    text = calibrated_yaml(summarise_posterior(posterior, params, 0.8, point=True), ["test"])
    assert "tools.1.reliability=0.66" in text, "list keys are given as command-line overrides"
    publish(text, "test_values", str(tmp_path / "calibrated"))
    tiny = ["experiment=baseline", "population=small", "weeks=20", "seed=3"]
    plain = hydra_compose(tiny)
    loaded = hydra_compose(
        [*tiny, f"hydra.searchpath=[file://{tmp_path}]", "calibrated=test_values"]
    )
    assert loaded.population.archetypes.user.initial_trust == 0.8
    assert loaded.experiment.title == plain.experiment.title, "the experiment is kept"
    outcome = {
        name: WorkforceModel(as_model_config(c)).run().mean_trust.iloc[-1]
        for name, c in (("plain", plain), ("loaded", loaded))
    }
    assert outcome["loaded"] > outcome["plain"] + 0.05


def test_bad_calibration_input_gives_one_short_message(tmp_path):
    """An unknown parameter set stops run.py with exit code 2 and one line naming it."""
    result = subprocess.run(
        [
            sys.executable,
            "run.py",
            *SMALL,
            "calibration.params=no_such_set",
            f"hydra.run.dir={tmp_path}",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "no_such_set" in result.stderr
    assert "Traceback" not in result.stderr


def test_validation_holds_out_the_later_waves(hydra_compose):
    """Task validate fits only figures before the cutoff and still predicts every figure."""
    problem = build_problem(hydra_compose([*SMALL, "calibration.task=validate"]))
    cutoff = pd.Timestamp(problem.settings.holdout_from)
    targets = problem.targets
    held = set(targets.figure_id[targets.status == "held out"])
    fitted = {f for ask in problem.plan for f in ask.figure_ids}
    predicted = {f for ask in problem.full_plan for f in ask.figure_ids}
    assert held == {
        "hf2024_support_ai_patient_care",
        "hf2024_ai_worsens_care_quality",
        "hf2024_look_forward_ai_in_job",
        "dnuk2024_used_genai_clinical_practice",
    }
    assert (targets.fieldwork_mid[targets.status == "held out"] >= cutoff).all()
    assert fitted == set(targets.figure_id[targets.status == "fitted"])
    assert fitted | held <= predicted and not fitted & held
    assert (targets.fieldwork_mid[targets.status == "fitted"] < cutoff).all()
    with pytest.raises(ConfigError, match="holdout_from"):
        build_problem(
            hydra_compose(
                [*SMALL, "calibration.task=validate", "calibration.holdout_from=2030-01-01"]
            )
        )
