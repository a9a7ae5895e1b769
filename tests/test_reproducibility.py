"""Reproducibility: one seed, one result, in this process and in a fresh one.

The config used here switches every random process on (two tools with drawn rollouts and
department reliabilities, adoption, use, peer talk, four training programmes under a budget, all
four event kinds including an incident in a randomly drawn department, and turnover), so a
process that drew from a second, unseeded generator would break these tests.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from model import WorkforceModel
from model.config import EventConfig, ModelConfig, ProgrammeConfig, RolloutConfig, ToolConfig

WEEKS = 60
SEED = 424242
STATE_ARRAYS = ("trust", "trust_strength", "self_efficacy", "uses", "times_trained", "archetype")


def rich_config(seed: int = SEED) -> ModelConfig:
    """A small config in which every process of the model draws random numbers."""
    config = ModelConfig(seed=seed, weeks=WEEKS)
    pop = config.population
    pop.n_workers, pop.department_size, pop.team_size = 600, 50, 10
    pop.annual_leaver_rate = 0.2
    config.behaviour.mandate_share = 0.1
    config.tools = [
        ToolConfig(
            name="cdss",
            rollout=RolloutConfig(kind="pilot_then_scale", go_live_week=2, pilot_weeks=6),
        ),
        ToolConfig(
            name="genai",
            reliability=0.7,
            general_purpose=True,
            rollout=RolloutConfig(go_live_week=None, go_live_date="2025-02-03"),
        ),
    ]
    config.strategy.name = "mixed"
    config.strategy.budget_gbp = 60_000.0
    config.strategy.programmes = [
        ProgrammeConfig(modality="elearning", target="random", coverage=0.6, refresher_weeks=20),
        ProgrammeConfig(modality="champions", target="top_influence", coverage=0.03, start_week=5),
        ProgrammeConfig(modality="workshop", target="just_in_time", tool="cdss", window_weeks=4),
        ProgrammeConfig(modality="vendor_demo", target="non_users", tool="genai", start_week=10),
    ]
    config.events = [
        EventConfig(kind="leadership", week=3, magnitude=0.5, duration_weeks=10),
        EventConfig(kind="incident", week=20, tool="cdss"),
        EventConfig(kind="evidence", date="2025-08-04", tool="cdss", magnitude=0.3),
        EventConfig(kind="approval", week=40, tool="genai", magnitude=0.1),
    ]
    return config


def run_rich(seed: int = SEED) -> WorkforceModel:
    """Build and run the rich config to its horizon."""
    model = WorkforceModel(rich_config(seed))
    model.run()
    return model


def assert_same_state(a: WorkforceModel, b: WorkforceModel) -> None:
    """Outcome tables and the main state arrays are bit-identical."""
    assert_frame_equal(a.outcomes, b.outcomes, check_exact=True)
    assert_frame_equal(a.outcomes_by_group, b.outcomes_by_group, check_exact=True)
    for name in STATE_ARRAYS:
        np.testing.assert_array_equal(getattr(a.workforce, name), getattr(b.workforce, name))
    assert a.budget_remaining == b.budget_remaining


@pytest.fixture(scope="module")
def reference() -> WorkforceModel:
    """The rich config run once to the horizon with the reference seed."""
    return run_rich()


def test_rich_config_exercises_every_process(reference: WorkforceModel) -> None:
    """The reproducibility config really trains, turns staff over and puts both tools to use."""
    table = reference.outcomes
    assert table["cumulative_cost_gbp"].iloc[-1] > 0
    assert table["trained_share"].iloc[-1] > 0
    assert table["starting_staff_share"].iloc[-1] < 1
    assert table["live_share"].iloc[-1] == 1.0
    assert reference.workforce.uses.any(axis=0).all(), "both tools should have users"
    assert table["decisions"].sum() > 0


def test_same_seed_gives_identical_tables(reference: WorkforceModel) -> None:
    """Two runs of the same config and seed in one process give bit-identical results."""
    assert_same_state(reference, run_rich())


def test_same_seed_identical_in_fresh_process(reference: WorkforceModel, tmp_path: Path) -> None:
    """A fresh interpreter (other hash seed) reproduces the outcome tables bit for bit."""
    script = textwrap.dedent(
        f"""
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location("repro_config", {str(Path(__file__))!r})
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        model = module.run_rich({SEED})
        model.outcomes.to_parquet({str(tmp_path / "fresh.parquet")!r})
        model.outcomes_by_group.to_parquet({str(tmp_path / "fresh_groups.parquet")!r})
        """
    )
    env = {**os.environ, "PYTHONHASHSEED": "271828"}
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    # Both sides go through the same parquet round trip, so dtypes match exactly.
    reference.outcomes.to_parquet(tmp_path / "here.parquet")
    reference.outcomes_by_group.to_parquet(tmp_path / "here_groups.parquet")
    for here, fresh in (("here", "fresh"), ("here_groups", "fresh_groups")):
        assert_frame_equal(
            pd.read_parquet(tmp_path / f"{here}.parquet"),
            pd.read_parquet(tmp_path / f"{fresh}.parquet"),
            check_exact=True,
        )


def test_config_object_is_not_changed_by_running(reference: WorkforceModel) -> None:
    """A config object survives a run unchanged, so reusing it reproduces the run."""
    config = rich_config()
    untouched = copy.deepcopy(config)
    first = WorkforceModel(config)
    first.run()
    assert config == untouched
    second = WorkforceModel(config)
    second.run()
    assert_same_state(reference, second)


def test_different_seeds_give_different_tables(reference: WorkforceModel) -> None:
    """Another seed changes the overall and the by-group outcome tables."""
    other = run_rich(SEED + 1)
    numeric = ["mean_trust", "adoption_share", "appropriate_share", "decisions"]
    assert not reference.outcomes[numeric].equals(other.outcomes[numeric])
    assert not reference.outcomes_by_group[numeric].equals(other.outcomes_by_group[numeric])
    assert not np.array_equal(reference.workforce.trust, other.workforce.trust)


def test_stepping_week_by_week_equals_run(reference: WorkforceModel) -> None:
    """Calling step() once per week gives exactly the tables of run()."""
    model = WorkforceModel(rich_config())
    for week in range(WEEKS):
        assert model.week == week
        model.step()
    assert model.week == WEEKS
    assert_same_state(reference, model)


def test_running_in_pieces_equals_one_run(reference: WorkforceModel) -> None:
    """run(17), run(13) and run() to the horizon equal one full run()."""
    model = WorkforceModel(rich_config())
    model.run(17)
    model.run(13)
    model.run()
    assert len(model.outcomes) == WEEKS
    assert_same_state(reference, model)
