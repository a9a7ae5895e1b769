"""Tests of the experiment layer: config composition, outputs, pairing, resume, bad input."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf, open_dict

from experiments.compare import run_experiment
from experiments.runner import replicate_seeds
from experiments.schema import register_configs
from experiments.summary import SUMMARY_OUTCOMES, MissingOutcomeError, per_replicate
from model import WorkforceModel, as_model_config
from model.config import ModelConfig

REPO = Path(__file__).resolve().parent.parent
CONF = REPO / "conf"
GROUPS = ("population", "network", "rollout", "tools", "strategy", "events", "experiment")
TINY = ["population=small", "population.n_workers=300", "weeks=30", "n_jobs=1", "progress=false"]

register_configs()


def outcomes_the_model_lacks() -> list[str]:
    """Summary outcomes (and decisions) the current model's outcome table does not record.

    Empty once model v2 records every outcome the experiments summarise; until then the
    end-to-end experiment tests check that the run stops with a message naming the first one.
    """
    config = ModelConfig(seed=1, weeks=2)
    config.population.n_workers = 200
    table = WorkforceModel(config).run()
    return [c for c in (*SUMMARY_OUTCOMES, "decisions") if c not in table.columns]


MODEL_LACKS = outcomes_the_model_lacks()


def options(group: str) -> list[str]:
    """Every option of a config group, from the files in conf/."""
    return sorted(p.stem for p in (CONF / group).glob("*.yaml"))


@pytest.fixture
def hydra_compose():
    """A compose function bound to conf/, cleared afterwards."""
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        yield lambda overrides: compose(config_name="config", overrides=overrides)
    GlobalHydra.instance().clear()


def run_cli(*args: str, cwd: Path = REPO, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python run.py`` with arguments; capture its output."""
    return subprocess.run(
        [sys.executable, "run.py", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg", **(env or {})},
        timeout=300,
    )


@pytest.mark.parametrize("group", GROUPS)
def test_every_group_option_composes_to_a_valid_model_config(hydra_compose, group):
    """Every YAML file of every group composes and passes validation."""
    for option in options(group):
        cfg = hydra_compose([f"{group}={option}"])
        config = as_model_config(cfg)
        assert config.weeks > 0


@pytest.mark.parametrize("experiment", options("experiment"))
def test_every_experiment_scenario_composes(hydra_compose, experiment):
    """Each experiment has scenarios, a baseline among them, and every scenario composes."""
    cfg = hydra_compose([f"experiment={experiment}"])
    assert cfg.experiment.scenarios, experiment
    assert cfg.experiment.baseline is None or cfg.experiment.baseline in cfg.experiment.scenarios
    conditions = dict(cfg.experiment.conditions) or {"default": []}
    for scenario_overrides in cfg.experiment.scenarios.values():
        for condition_overrides in conditions.values():
            overrides = [f"experiment={experiment}", *condition_overrides, *scenario_overrides]
            as_model_config(hydra_compose(overrides))


def test_strategies_in_training_mix_share_one_budget(hydra_compose):
    """training_mix compares every strategy at the same budget."""
    budgets = {
        name: hydra_compose(["experiment=training_mix", *overrides]).strategy.budget_gbp
        for name, overrides in hydra_compose(
            ["experiment=training_mix"]
        ).experiment.scenarios.items()
    }
    assert len(set(budgets.values())) == 1 and next(iter(budgets.values())) > 0
    assert set(budgets) == set(options("strategy"))


def test_rollout_group_sets_the_clinical_tool_schedule(hydra_compose):
    """The rollout group is the clinical tool's schedule; general-purpose tools keep their own."""
    cfg = as_model_config(hydra_compose(["rollout=pilot_then_scale", "tools=cdss_and_genai"]))
    assert cfg.tools[0].rollout.kind == "pilot_then_scale"
    assert cfg.tools[1].general_purpose and cfg.tools[1].rollout.go_live_week == 0


def test_structured_schema_rejects_unknown_keys_and_wrong_types(hydra_compose):
    """Unknown keys and wrong types fail at composition, naming the key."""
    with pytest.raises(Exception, match="nworkers"):
        hydra_compose(["population.nworkers=3"])
    with pytest.raises(Exception, match="n_workers"):
        hydra_compose(["population.n_workers=many"])


def test_replicate_seeds_are_derived_distinct_and_stable():
    """Replicate seeds come from the experiment seed: distinct, and the same every time."""
    seeds = replicate_seeds(42, 20)
    assert len(set(seeds)) == 20
    assert seeds == replicate_seeds(42, 20)
    assert seeds != replicate_seeds(43, 20)


@pytest.fixture(scope="module")
def tiny_experiment(tmp_path_factory) -> Path:
    """A tiny training_mix run through the command line, with every output."""
    out = tmp_path_factory.mktemp("mix")
    result = run_cli(
        "experiment=training_mix", "experiment.replicates=3", *TINY, f"hydra.run.dir={out}"
    )
    if MODEL_LACKS:
        # A model before v2: the runs are kept, and the run stops with one line naming the
        # missing outcome, not a traceback.
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("error: ") and MODEL_LACKS[0] in result.stderr
        assert "Traceback" not in result.stderr
        assert (out / "runs.parquet").exists()
        pytest.skip(f"the model does not record {', '.join(MODEL_LACKS)} (model v2 not merged)")
    assert result.returncode == 0, result.stderr
    return out


def test_tiny_experiment_writes_every_output(tiny_experiment):
    """Runs table, summary, plots, report, manifest and config are all written, none half-done."""
    for name in (
        "runs.parquet",
        "runs_by_group.parquet",
        "summary.csv",
        "report.html",
        "manifest.json",
        "config.yaml",
    ):
        assert (tiny_experiment / name).stat().st_size > 0, name
    assert list((tiny_experiment / "plots").glob("*.png"))
    assert not list(tiny_experiment.rglob("*.tmp")), "temporary files left behind"
    runs = pd.read_parquet(tiny_experiment / "runs.parquet")
    assert runs.groupby(["scenario", "replicate"]).week.count().eq(30).all()
    assert runs.scenario.nunique() == len(options("strategy"))
    # runs/ holds only per-replicate outcome tables; final-state snapshots sit in snapshots/.
    names = {p.name for p in (tiny_experiment / "runs").rglob("*.parquet")}
    assert names and all(re.fullmatch(r"rep_\d{3}(_by_group)?\.parquet", n) for n in names)
    snapshots = list((tiny_experiment / "snapshots").rglob("rep_000.parquet"))
    assert len(snapshots) == runs.scenario.nunique()


def test_cost_effect_ratios_are_a_table_of_their_own_and_counts_are_integers(tiny_experiment):
    """cost_effectiveness.csv holds the ratios with named columns; summary.csv has none of them;
    counts in the runs table are integers."""
    summary = pd.read_csv(tiny_experiment / "summary.csv")
    costs = pd.read_csv(tiny_experiment / "cost_effectiveness.csv")
    ratios = {"cost_per_additional_appropriate_worker_gbp", "cost_per_avoidable_error_averted_gbp"}
    assert not set(summary.outcome) & ratios
    assert set(costs.ratio) == ratios
    assert {"cost_per_unit_gbp", "mean_gain", "gain_unit"} <= set(costs.columns)
    assert set(costs.scenario) == set(summary.scenario)
    assert costs[costs.scenario == "no_training"].cost_per_unit_gbp.isna().all()
    runs = pd.read_parquet(tiny_experiment / "runs.parquet")
    for name in ("headcount", "appropriate_workers", "decisions", "appropriate_worker_weeks"):
        assert pd.api.types.is_integer_dtype(runs[name]), name


def test_summary_agrees_with_runs_table(tiny_experiment):
    """The summary's means, medians, intervals and paired differences follow from the runs."""
    runs = pd.read_parquet(tiny_experiment / "runs.parquet")
    summary = pd.read_csv(tiny_experiment / "summary.csv")
    reps = per_replicate(runs)
    final = reps[reps.measure == "final"].set_index(["scenario", "replicate"])
    for scenario in runs.scenario.unique():
        values = final.loc[scenario, "appropriate_share"].to_numpy()
        base = final.loc["no_training", "appropriate_share"].to_numpy()
        row = summary[
            (summary.scenario == scenario)
            & (summary.outcome == "appropriate_share")
            & (summary.measure == "final")
        ].iloc[0]
        assert row["mean"] == pytest.approx(values.mean())
        assert row["median"] == pytest.approx(np.median(values))
        assert row["low_95"] == pytest.approx(np.percentile(values, 2.5))
        assert row["diff_mean"] == pytest.approx((values - base).mean())
        last = runs[(runs.scenario == scenario)].sort_values("week").groupby("replicate").last()
        assert row["mean"] == pytest.approx(last.appropriate_share.mean())
    assert set(summary.outcome) >= set(SUMMARY_OUTCOMES)


def test_identical_strategies_give_exactly_zero_paired_difference(hydra_compose, tmp_path):
    """Two scenarios with the same config have paired differences of exactly zero."""
    cfg = hydra_compose(["experiment=training_mix", "experiment.replicates=3", *TINY])
    with open_dict(cfg):
        cfg.experiment.scenarios = OmegaConf.create(
            {"a": ["strategy=elearning_all"], "b": ["strategy=elearning_all"]}
        )
        cfg.experiment.baseline = "a"
    base = ["experiment=training_mix", *TINY]
    if MODEL_LACKS:
        with pytest.raises(MissingOutcomeError, match=MODEL_LACKS[0]):
            run_experiment(cfg, tmp_path, lambda ov: hydra_compose([*base, *ov]))
        pytest.skip(f"the model does not record {', '.join(MODEL_LACKS)} (model v2 not merged)")
    result = run_experiment(cfg, tmp_path, lambda ov: hydra_compose([*base, *ov]))
    summary = result["summary"]
    b = summary[
        (summary.scenario == "b")
        & summary.diff_mean.notna()
        & ~summary.outcome.isin(
            ["cost_per_additional_appropriate_worker_gbp", "cost_per_avoidable_error_averted_gbp"]
        )
    ]
    assert len(b) > 0
    assert (b.diff_mean == 0).all() and (b.diff_low_95 == 0).all() and (b.diff_high_95 == 0).all()


def test_resumed_run_equals_uninterrupted_run(tiny_experiment, tmp_path):
    """Deleting some finished runs and resuming recomputes them to the same results."""
    partial = tmp_path / "partial"
    shutil.copytree(tiny_experiment, partial)
    for name in ("runs.parquet", "summary.csv", "report.html", "manifest.json"):
        (partial / name).unlink()
    removed = sorted((partial / "runs").rglob("rep_001*.parquet"))
    for path in removed:
        path.unlink()
    assert removed
    result = run_cli(
        "experiment=training_mix",
        "experiment.replicates=3",
        *TINY,
        f"resume={partial}",
        f"hydra.run.dir={partial}",
    )
    assert result.returncode == 0, result.stderr
    pd.testing.assert_frame_equal(
        pd.read_parquet(partial / "runs.parquet"), pd.read_parquet(tiny_experiment / "runs.parquet")
    )
    pd.testing.assert_frame_equal(
        pd.read_csv(partial / "summary.csv"), pd.read_csv(tiny_experiment / "summary.csv")
    )
    import json

    record = json.loads((partial / "manifest.json").read_text())
    n_scenarios = pd.read_parquet(tiny_experiment / "runs.parquet").scenario.nunique()
    assert n_scenarios >= 7
    assert record["runs_computed"] == n_scenarios and record["runs_reused"] == 2 * n_scenarios


def test_killed_run_resumes_to_the_same_results(tiny_experiment, tmp_path):
    """A run killed partway (SIGKILL) and resumed gives the uninterrupted results."""
    out = tmp_path / "killed"
    args = ["experiment=training_mix", "experiment.replicates=3", *TINY, f"hydra.run.dir={out}"]
    process = subprocess.Popen(
        [sys.executable, "run.py", *args],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while time.time() < deadline and len(list(out.glob("runs/*/*/rep_???.parquet"))) < 3:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not (out / "summary.csv").exists(), "the run finished before it could be killed"
    result = run_cli(*args, f"resume={out}")
    assert result.returncode == 0, result.stderr
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "runs.parquet"), pd.read_parquet(tiny_experiment / "runs.parquet")
    )


def test_resume_refuses_a_different_config(tiny_experiment, tmp_path):
    """Resuming with a changed config is refused with a message naming the differing key."""
    copy = tmp_path / "copy"
    shutil.copytree(tiny_experiment, copy)
    result = run_cli(
        "experiment=training_mix",
        "experiment.replicates=3",
        *TINY,
        "seed=99",
        f"resume={copy}",
        f"hydra.run.dir={copy}",
    )
    assert result.returncode != 0
    assert "seed" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["experiment=nope"], ["experiment/nope", "training_mix"]),
        (["strategy=nope"], ["strategy/nope", "champions"]),
        (["population.nworkers=3"], ["nworkers"]),
        (["population.n_workers=many"], ["n_workers", "many"]),
        (["tools.0.reliability=1.5"], ["tools.0.reliability", "1.5", "between 0 and 1"]),
        (["strategy.budget_gbp=-1"], ["strategy.budget_gbp", "-1"]),
        (["training.modalities.workshop.cost_gbp=-5"], ["cost_gbp", "-5"]),
        (["tools.0.rollout.kind=gradual"], ["tools.0.rollout.kind", "gradual", "big_bang"]),
        (["experiment=incident", "events.0.week=500"], ["events.0", "500", "horizon"]),
        (["experiment=training_mix", "experiment.baseline=nope"], ["experiment.baseline", "nope"]),
        (
            ["experiment=training_mix", "experiment.primary_outcome=errors"],
            ["experiment.primary_outcome", "'errors'", "avoidable_errors_per_1000, "],
        ),
        (
            [
                "experiment=training_mix",
                "experiment.primary_outcome=appropriate_share",
                "experiment.primary_measure=cumulative",
            ],
            ["experiment.primary_measure", "appropriate_share", "final or time_average"],
        ),
    ],
)
def test_bad_input_gives_a_short_message_and_nonzero_exit(args, expected, tmp_path):
    """Bad command lines end with a message naming the fault, no traceback, non-zero exit."""
    result = run_cli(*args, *TINY, f"hydra.run.dir={tmp_path}")
    assert result.returncode != 0
    for text in expected:
        assert text in result.stderr, (text, result.stderr)
    assert "Traceback" not in result.stderr


def test_full_error_shows_the_traceback(tmp_path):
    """HYDRA_FULL_ERROR=1 still shows the traceback of a bad value."""
    result = run_cli(
        "tools.0.reliability=1.5", *TINY, f"hydra.run.dir={tmp_path}", env={"HYDRA_FULL_ERROR": "1"}
    )
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_an_experiment_kept_outside_conf_runs_its_scenarios(tmp_path):
    """hydra.searchpath reaches the composition of each scenario: an experiment file in another
    folder runs every scenario (each scenario used to fail with 'Could not find')."""
    (tmp_path / "conf" / "experiment").mkdir(parents=True)
    (tmp_path / "conf" / "experiment" / "outside.yaml").write_text(
        "# @package _global_\n"
        "name: outside\n"
        "experiment:\n"
        "  title: An experiment outside conf/\n"
        "  question: Does it run?\n"
        "  replicates: 1\n"
        "  scenarios:\n"
        "    first: []\n"
        "    second: [seed=3]\n"
    )
    out = tmp_path / "run"
    result = run_cli(
        f"hydra.searchpath=[file://{tmp_path / 'conf'}]",
        "experiment=outside",
        *TINY,
        f"hydra.run.dir={out}",
    )
    assert result.returncode == 0, result.stderr
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary.scenario) == {"first", "second"}
