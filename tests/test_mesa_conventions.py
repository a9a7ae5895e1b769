"""Mesa conventions: keyword parameters, rng, DataCollector, running, batch_run, AgentSet views."""

from __future__ import annotations

import inspect

import mesa
import numpy as np
import pandas as pd
import pytest

from model import ConfigError, WorkforceModel
from model.config import ModelConfig
from model.mesa_conventions import REPORTED

TINY = {"n_workers": 200, "department_size": 50, "weeks": 12}
# Two fresh-seeded runs per parameter set: Mesa 3.5 spells it rng=[None, None] (iterations= is
# deprecated there), Mesa 3.3 only knows iterations=.
TWO_RUNS = (
    {"rng": [None, None]}
    if "rng" in inspect.signature(mesa.batch_run).parameters
    else {"iterations": 2}
)


def test_batch_run_gives_a_row_per_step_and_iterations_differ() -> None:
    """batch_run over two sizes x two iterations: 4 runs x 11 collected steps; iterations use
    fresh seeds, so their trajectories differ."""
    rows = mesa.batch_run(
        WorkforceModel,
        parameters={"n_workers": [200, 300], "department_size": 50},
        **TWO_RUNS,
        max_steps=10,
        data_collection_period=1,
        number_processes=1,
        display_progress=False,
    )
    table = pd.DataFrame(rows)
    assert set(table.n_workers) == {200, 300}
    assert table.groupby(["n_workers", "iteration"]).size().tolist() == [11, 11, 11, 11]
    final = table[table.Step == 10].set_index(["n_workers", "iteration"])
    assert final.loc[(200, 0), "mean_trust"] != final.loc[(200, 1), "mean_trust"]


def test_run_model_stops_at_the_horizon() -> None:
    """running turns False after the last week, so Mesa's run_model returns."""
    model = WorkforceModel(**TINY)
    assert model.running
    model.run_model()
    assert not model.running
    assert model.week == 12 and len(model.outcomes) == 12


def test_rng_reproduces_and_no_rng_draws_a_recorded_fresh_seed() -> None:
    """An int rng reproduces exactly; keyword-only models without rng get different recorded
    seeds; a model built from a config keeps the config's seed."""
    a, b = WorkforceModel(rng=5, **TINY), WorkforceModel(rng=5, **TINY)
    pd.testing.assert_frame_equal(a.run(), b.run())
    assert a.config.seed == 5
    fresh = [WorkforceModel(**TINY).config.seed for _ in range(3)]
    assert len(set(fresh)) == 3
    config = ModelConfig(seed=77)
    assert WorkforceModel(config).config.seed == 77
    assert WorkforceModel(config, rng=8).config.seed == 8
    assert WorkforceModel(seed=9, **TINY).config.seed == 9


def test_keyword_overrides_by_alias_dotted_path_and_nested_dict() -> None:
    """Aliases, dotted paths and nested dicts all set the config; the rest keeps its defaults."""
    model = WorkforceModel(
        n_workers=300,
        reliability=0.7,
        **{"behaviour.drop_rate": 0.01},
        population={"team_size": 5},
    )
    cfg = model.config
    assert cfg.population.n_workers == 300 and cfg.population.team_size == 5
    assert cfg.tools[0].reliability == 0.7 and cfg.behaviour.drop_rate == 0.01
    assert cfg.population.department_size == ModelConfig().population.department_size


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"n_workrs": 3}, r"WorkforceModel\(n_workrs=\.\.\.\): no such parameter; .* n_workers"),
        ({"n_workers": "many"}, r"WorkforceModel\(n_workers='many'\): Value 'many'"),
        ({"reliability": 1.4}, r"tools\.0\.reliability = 1\.4: expected a value between 0 and 1"),
    ],
)
def test_bad_keyword_overrides_are_named(overrides, message) -> None:
    """Unknown keys, wrong types and out-of-range values stop with the key and value named."""
    with pytest.raises(ConfigError, match=message):
        WorkforceModel(**overrides)


def test_datacollector_reads_the_weekly_outcomes_without_creating_agents() -> None:
    """One row per week plus the initial state; values equal the outcome table; no Mesa agents
    are created for it."""
    model = WorkforceModel(rng=3, **TINY)
    table = model.run()
    collected = model.datacollector.get_model_vars_dataframe()
    assert len(collected) == 13 and np.isnan(collected.iloc[0]["mean_trust"])
    for name in REPORTED:
        np.testing.assert_array_equal(collected[name].to_numpy()[1:], table[name].to_numpy())
    assert not model._agents_created


def test_agentset_select_groupby_and_agg_read_the_arrays() -> None:
    """AgentSet operations on the agent views agree with the arrays they view."""
    model = WorkforceModel(rng=4, **TINY)
    model.run()
    agents = model.agents
    users = agents.select(lambda a: a.uses["cdss"])
    assert len(users) == int(model.workforce.uses[:, 0].sum())
    by_group = agents.groupby("staff_group").agg("self_efficacy", np.mean)
    groups = list(model.config.population.staff_groups)
    for g, name in enumerate(groups):
        expected = model.workforce.self_efficacy[model.workforce.staff_group == g].mean()
        assert by_group[name] == pytest.approx(expected)
