"""Tests of the sensitivity analysis: known indices, unused parameters, resume, bad settings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import open_dict

from experiments.schema import register_configs
from experiments.uncertainty.priors import load_priors
from experiments.uncertainty.sensitivity import (
    morris_design,
    morris_indices,
    salib_problem,
    sobol_design,
    sobol_indices,
    top_parameters,
    unit_bounds,
)
from experiments.uncertainty.sensitivity_experiment import (
    outputs_at,
    run_sensitivity,
    used_priors,
    values_of,
)
from experiments.uncertainty.sensitivity_runs import Point, collect_points, run_points
from experiments.uncertainty.sensitivity_settings import SensitivityConfig, validate_sensitivity
from model.config import ModelConfig, ProgrammeConfig
from model.validation import ConfigError
from tests.test_experiments import CONF, run_cli

register_configs()

ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


# --- toy functions with known indices ---


def test_sobol_matches_the_analytic_indices_of_the_ishigami_function():
    problem = salib_problem(["x1", "x2", "x3"], [(-np.pi, np.pi)] * 3)
    design = sobol_design(problem, 2048, seed=1)
    table = sobol_indices(problem, ishigami(design), "y", resamples=300, seed=1).set_index(
        "parameter"
    )
    for name, s1 in ISHIGAMI_S1.items():
        row = table.loc[name]
        assert abs(row.S1 - s1) <= max(1.5 * row.S1_conf, 0.02), (name, row.S1, row.S1_conf)
        assert abs(row.ST - ISHIGAMI_ST[name]) <= max(1.5 * row.ST_conf, 0.02), name


def test_linear_function_gives_its_variance_shares_and_nothing_to_an_unused_input():
    a, b = 3.0, 1.0  # y = a x1 + b x2, independent uniform inputs: S1 = a^2 / (a^2 + b^2)
    problem = salib_problem(["x1", "x2", "unused"], [(0.0, 1.0)] * 3)
    design = sobol_design(problem, 1024, seed=2)
    y = a * design[:, 0] + b * design[:, 1]
    sobol = sobol_indices(problem, y, "y", resamples=300, seed=2).set_index("parameter")
    assert sobol.loc["x1", "S1"] == pytest.approx(0.9, abs=max(sobol.loc["x1", "S1_conf"], 0.01))
    assert sobol.loc["x2", "S1"] == pytest.approx(0.1, abs=max(sobol.loc["x2", "S1_conf"], 0.01))
    assert abs(sobol.loc["unused", "ST"]) < 1e-9
    design = morris_design(problem, 10, 4, seed=2)
    y = a * design[:, 0] + b * design[:, 1]
    morris = morris_indices(problem, design, y, 4, "y", resamples=100, seed=2)
    morris = morris.set_index("parameter")
    assert morris.loc["x1", "mu_star"] == pytest.approx(a)
    assert morris.loc["x2", "mu_star"] == pytest.approx(b)
    assert morris.loc["unused", "mu_star"] == 0.0


def test_constant_output_gives_zero_indices_not_nan():
    problem = salib_problem(["x1", "x2"], [(0.0, 1.0)] * 2)
    design = sobol_design(problem, 16, seed=3)
    table = sobol_indices(problem, np.ones(len(design)), "y", resamples=20)
    assert (table[["S1", "ST"]].to_numpy() == 0).all()


def test_top_parameters_ranks_within_each_output_then_across():
    morris = pd.DataFrame(
        {
            "parameter": ["a", "b", "c", "a", "b", "c"],
            "output": ["big"] * 3 + ["small"] * 3,
            "mu_star": [100.0, 50.0, 0.0, 0.001, 0.002, 0.0],
        }
    )
    # 'b' is the strongest for the small-unit output, so it ties with 'a' on top.
    assert top_parameters(morris, 2) == ["a", "b"]
    assert top_parameters(morris, 5) == ["a", "b"]  # 'c' moves nothing


# --- the real model, tiny ---


def tiny_arms() -> dict[str, ModelConfig]:
    """e-learning for all against no training, 120 workers over 20 weeks."""
    base = ModelConfig(seed=1, weeks=20)
    base.population.n_workers = 120
    base.population.department_size = 40
    trained = ModelConfig(seed=1, weeks=20)
    trained.population.n_workers = 120
    trained.population.department_size = 40
    trained.strategy.budget_gbp = 1e6
    trained.strategy.programmes = [
        ProgrammeConfig(modality="elearning", target="all", coverage=1.0, weekly_capacity=0.2)
    ]
    return {"elearning": trained, "none": base}


TINY_INCLUDE = [
    "behaviour.automation_bias",
    "training.modalities.elearning.calibration_pull",
    "training.modalities.vendor_demo.",
]


def morris_on_tiny_model(points_dir, n_jobs=1):
    arms = tiny_arms()
    priors = load_priors(include=TINY_INCLUDE)
    names = [p.path for p in priors]
    problem = salib_problem(names, unit_bounds(len(names), 0.025))
    design = morris_design(problem, 2, 4, seed=5)
    points = [
        Point("morris", f"{i:05d}", v, ("elearning", "none"))
        for i, v in enumerate(values_of(priors, design))
    ]
    counts = run_points(points, arms, [11, 12], points_dir, n_jobs=n_jobs, progress=False)
    return problem, design, points, counts


def test_a_modality_no_strategy_uses_gets_mu_star_exactly_zero(tmp_path):
    problem, design, points, _ = morris_on_tiny_model(tmp_path)
    table = collect_points(points, tmp_path)
    outputs = outputs_at(table, points, "elearning", "none", "avoidable_errors_per_1000")
    morris = pd.concat(
        [morris_indices(problem, design, y, 4, name, 50) for name, y in outputs.items()]
    )
    unused = morris[morris.parameter.str.startswith("training.modalities.vendor_demo.")]
    assert len(unused) > 0 and (unused.mu_star == 0).all() and (unused.sigma == 0).all()
    read = morris[morris.parameter == "behaviour.automation_bias"]
    assert (read.mu_star > 0).any()


def test_skip_unused_drops_modalities_nobody_teaches_and_unused_audit():
    priors = load_priors(include=["training.modalities.", "audit.", "strategy.audit.", "tools.0."])
    kept = {
        p.path.split(".")[2] for p in used_priors(priors, tiny_arms()) if "modalities" in p.path
    }
    assert kept == {"elearning"}
    paths = [p.path for p in used_priors(priors, tiny_arms())]
    assert not any(p.startswith(("audit.", "strategy.audit.")) for p in paths)
    assert any(p.startswith("tools.0.") for p in paths)


def test_resume_recomputes_only_missing_points_with_identical_results(tmp_path):
    *_, points, counts = morris_on_tiny_model(tmp_path)
    assert counts["points_computed"] == len(points)
    first = collect_points(points, tmp_path)
    missing = [points[1], points[4]]
    for point in missing:
        point.path(tmp_path).unlink()
    kept_mtime = points[0].path(tmp_path).stat().st_mtime_ns
    *_, counts = morris_on_tiny_model(tmp_path)
    assert counts["points_computed"] == len(missing)
    assert counts["points_reused"] == len(points) - len(missing)
    assert points[0].path(tmp_path).stat().st_mtime_ns == kept_mtime
    pd.testing.assert_frame_equal(collect_points(points, tmp_path), first)


# --- settings ---


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("sobol_samples", 100),
        ("morris_trajectories", 1),
        ("morris_levels", 3),
        ("quantile_range", 0.6),
        ("strategy", "no_such_strategy"),
    ],
)
def test_bad_settings_give_one_line_naming_the_key(key, value):
    settings = SensitivityConfig()
    setattr(settings, key, value)
    with pytest.raises(ConfigError) as error:
        validate_sensitivity(settings, ["no_training", "champions"], "no_training")
    message = str(error.value)
    assert f"sensitivity.{key}" in message and "\n" not in message


@pytest.fixture
def hydra_compose():
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        yield lambda overrides: compose(config_name="config", overrides=overrides)
    GlobalHydra.instance().clear()


def test_settings_groups_compose(hydra_compose):
    standard = hydra_compose(["experiment=sensitivity"])
    quick = hydra_compose(["experiment=sensitivity", "sensitivity=quick"])
    assert standard.sensitivity.enabled and quick.sensitivity.enabled
    assert quick.sensitivity.n_workers < standard.sensitivity.n_workers
    assert standard.experiment.baseline in standard.experiment.scenarios


def test_end_to_end_on_a_tiny_config_writes_every_output(hydra_compose, tmp_path):
    overrides = [
        "experiment=sensitivity",
        "sensitivity=quick",
        "weeks=20",
        "rollout=big_bang",
        "rollout.go_live_week=0",
        "behaviour.adoption_rate=0.1",
        "n_jobs=1",
        "progress=false",
        "sensitivity.n_workers=60",
        "sensitivity.median_replicates=2",
        "sensitivity.sobol_samples=4",
        "sensitivity.sobol_top=2",
        "sensitivity.bootstrap_resamples=20",
        "sensitivity.strategy=elearning_all",
        "sensitivity.include=[behaviour.automation_bias,tools.0.error_salience,"
        "training.modalities.elearning.calibration_pull]",
    ]
    cfg = hydra_compose(overrides)
    with open_dict(cfg):
        cfg.experiment.scenarios = {
            k: v
            for k, v in cfg.experiment.scenarios.items()
            if k in ("no_training", "elearning_all")
        }

    def scenario(extra):
        return hydra_compose([*overrides, *extra])

    result = run_sensitivity(cfg, tmp_path, scenario)
    for name in ("sensitivity_morris.csv", "sensitivity_sobol.csv", "tornado.png", "report.html"):
        assert (tmp_path / name).exists(), name
    morris = pd.read_csv(tmp_path / "sensitivity_morris.csv")
    assert {"parameter", "output", "mu_star", "mu_star_conf", "sigma"} <= set(morris.columns)
    assert morris.output.nunique() == 3 and morris.parameter.nunique() == 3
    sobol = pd.read_csv(tmp_path / "sensitivity_sobol.csv")
    assert {"parameter", "output", "S1", "S1_conf", "ST", "ST_conf"} <= set(sobol.columns)
    assert "What the answer depends on" in (tmp_path / "report.html").read_text()
    assert result["manifest"]["strategy"] == "elearning_all"
    # A second run into the same folder reuses every design point.
    with open_dict(cfg):
        cfg.resume = str(tmp_path)
    again = run_sensitivity(cfg, tmp_path, scenario)
    assert again["manifest"]["runs_computed"] == 0
    pd.testing.assert_frame_equal(again["morris"], result["morris"])


def test_bad_setting_on_the_command_line_ends_with_one_line_and_exit_code_2(tmp_path):
    result = run_cli(
        "experiment=sensitivity",
        "sensitivity=quick",
        "sensitivity.sobol_samples=100",
        "progress=false",
        f"hydra.run.dir={tmp_path}",
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "sensitivity.sobol_samples = 100" in lines[0], result.stderr
    assert not (tmp_path / "points").exists()


def test_tornado_has_titles_labelled_axes_units_and_a_legend():
    from experiments.plots.tornado import tornado_figure

    outputs = ["avoidable_errors_per_1000_vs_no_training", "appropriate_share"]
    morris = pd.DataFrame(
        {
            "parameter": ["a.x", "b.y"] * 2,
            "output": [outputs[0]] * 2 + [outputs[1]] * 2,
            "mu_star": [2.0, 1.0, 0.1, 0.2],
            "mu_star_conf": [0.5, 0.2, 0.01, 0.02],
            "sigma": [1.0, 0.5, 0.05, 0.1],
        }
    )
    noise = pd.DataFrame({"output": outputs, "morris_noise_floor": [0.3, 0.01]})
    fig = tornado_figure(morris, noise, "avoidable_errors_per_1000", "no_training")
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == [
        "Avoidable errors: strategy minus no training",
        "Appropriately confident (strategy)",
    ]
    assert "per 1,000 decisions" in axes[0].get_xlabel()
    assert "percentage points" in axes[1].get_xlabel()
    assert fig.legends and len(fig.legends[0].get_texts()) == 3
    assert axes[1].patches[-1].get_width() == pytest.approx(20.0)  # shares shown in points
