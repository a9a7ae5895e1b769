"""Beyond one machine: the Dask backend, shards and their pooling, the SLURM launcher path.

The end-to-end tests run one small experiment (3 strategies x 3 replicates, 150 staff, 12 weeks)
three ways - locally, on a Dask LocalCluster of 2 worker processes, and as 2 shards through
Hydra's submitit_local launcher pooled at the end - and require the same tables bit for bit.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from experiments import parallel
from experiments.pool import pool
from experiments.preflight import (
    check_settings,
    compose_checked,
    register_resolvers,
    without_hydra,
)
from experiments.runner import replicate_seeds
from experiments.schema import replicate_range
from model.validation import ConfigError

REPO = Path(__file__).resolve().parent.parent
KEEP = {"no_training", "elearning_all", "champions"}
DROPPED = [
    "~experiment.scenarios.workshops_embedders_drivers",
    "~experiment.scenarios.simulation_just_in_time",
    "~experiment.scenarios.blended",
    "~experiment.scenarios.vendor_demo",
    "~experiment.scenarios.failure_exposure",
    "~experiment.scenarios.audit_feedback",
]
SMALL = [
    "experiment=training_mix",
    *DROPPED,
    "experiment.replicates=3",
    "population=small",
    "population.n_workers=150",
    "weeks=12",
    "progress=false",
]
TABLES = ("runs.parquet", "runs_by_group.parquet")
CSVS = ("summary.csv", "cost_effectiveness.csv")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """``python run.py`` with arguments, its output captured."""
    return subprocess.run(
        [sys.executable, "run.py", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
        timeout=600,
    )


def assert_same_results(folder: Path, reference: Path) -> None:
    """Runs tables equal, summary and cost-effectiveness CSVs identical byte for byte."""
    for name in TABLES:
        pd.testing.assert_frame_equal(
            pd.read_parquet(folder / name), pd.read_parquet(reference / name)
        )
    for name in CSVS:
        assert (folder / name).read_bytes() == (reference / name).read_bytes(), name
    assert sorted(p.name for p in (folder / "plots").glob("*.png")) == sorted(
        p.name for p in (reference / "plots").glob("*.png")
    )


@pytest.fixture(scope="module")
def local_run(tmp_path_factory) -> Path:
    """The experiment in one job on local processes."""
    out = tmp_path_factory.mktemp("local") / "run"
    result = run_cli(*SMALL, "n_jobs=1", f"hydra.run.dir={out}")
    assert result.returncode == 0, result.stderr
    assert set(pd.read_parquet(out / "runs.parquet").scenario) == KEEP
    return out


@pytest.fixture(scope="module")
def sharded_sweep(tmp_path_factory) -> Path:
    """The experiment as 2 shards through the submitit_local launcher (pooled at the end)."""
    sweep = tmp_path_factory.mktemp("sweep") / "sweep"
    result = run_cli(
        "-m",
        "hydra/launcher=submitit_local",
        *SMALL,
        "n_jobs=1",
        "experiment.shards=2",
        "experiment.shard=0,1",
        f"hydra.sweep.dir={sweep}",
    )
    assert result.returncode == 0, result.stderr
    return sweep


# --- shards ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("replicates", [1, 2, 3, 7, 20])
def test_shards_split_the_replicates_disjointly_and_evenly(replicates):
    """Shard ranges are contiguous, disjoint, cover every replicate, and differ by at most one."""
    for shards in range(1, replicates + 1):
        ranges = [replicate_range(_Experiment(replicates, shards, k)) for k in range(shards)]
        assert [r for rng in ranges for r in rng] == list(range(replicates))
        assert max(map(len, ranges)) - min(map(len, ranges)) <= 1


class _Experiment:
    def __init__(self, replicates: int, shards: int, shard: int) -> None:
        self.replicates, self.shards, self.shard = replicates, shards, shard


def test_a_shard_runs_its_replicates_with_the_seeds_of_the_whole_experiment(sharded_sweep):
    """Shard k holds its replicate numbers with the seeds they have in the unsharded run."""
    seeds = replicate_seeds(20260101, 3)
    records = [json.loads((sharded_sweep / k / "manifest.json").read_text()) for k in "01"]
    assert [r["replicates"] for r in records] == [[0, 0], [1, 2]]
    assert [r["replicate_seeds"] for r in records] == [seeds[:1], seeds[1:]]
    names = {p.name for p in (sharded_sweep / "1" / "runs").rglob("rep_*.parquet")}
    assert names == {f"rep_00{r}{kind}.parquet" for r in (1, 2) for kind in ("", "_by_group")}
    assert not (sharded_sweep / "0" / "summary.csv").exists()  # the summary waits for the pool


def test_submitit_shards_pooled_equal_the_unsharded_run(sharded_sweep, local_run):
    """Two shards run by the submitit_local launcher, pooled at the end, equal one job."""
    pooled = sharded_sweep / "pooled"
    assert_same_results(pooled, local_run)
    saved = yaml.safe_load((pooled / "config.yaml").read_text())
    assert saved["experiment"]["shards"] == 1 and saved["experiment"]["shard"] == 0
    record = json.loads((pooled / "manifest.json").read_text())
    assert record["runs_total"] == 9 and record["shards"] == 2
    assert record["replicate_seeds"] == replicate_seeds(20260101, 3)
    snapshots = sorted(p.relative_to(pooled) for p in (pooled / "snapshots").rglob("*.parquet"))
    assert snapshots == sorted(
        p.relative_to(local_run) for p in (local_run / "snapshots").rglob("*.parquet")
    )


def test_pool_command_pools_shards_given_in_any_order(sharded_sweep, local_run, tmp_path):
    """``python -m experiments.pool OUT 1 0`` gives the unsharded results too."""
    out = tmp_path / "pooled"
    pool(out, [sharded_sweep / "1", sharded_sweep / "0"], progress=False)
    assert_same_results(out, local_run)
    assert not list(tmp_path.glob(".pooled.pooling-*")), "building folder left behind"


def _copy_shards(sweep: Path, tmp_path: Path) -> list[Path]:
    copies = []
    for k in "01":
        copy = tmp_path / f"shard{k}"
        shutil.copytree(sweep / k, copy)
        copies.append(copy)
    return copies


def test_pool_refuses_shards_of_different_configs_naming_the_key(sharded_sweep, tmp_path):
    """A shard run with another value is refused, naming the key and both values."""
    first, second = _copy_shards(sharded_sweep, tmp_path)
    saved = second / "config.yaml"
    saved.write_text(saved.read_text().replace("weeks: 12", "weeks: 13"))
    with pytest.raises(ConfigError, match=r"weeks = 13 but 12 in .*shard0"):
        pool(tmp_path / "out", [first, second], progress=False)
    assert not (tmp_path / "out").exists()


def test_pool_refuses_a_missing_duplicate_or_unfinished_shard(sharded_sweep, tmp_path):
    """Each shard exactly once, every run file present, each with its replicate's seed."""
    first, second = _copy_shards(sharded_sweep, tmp_path)
    with pytest.raises(ConfigError, match=r"experiment.shard = 1 missing: 1 of 2 shards"):
        pool(tmp_path / "out", [first], progress=False)
    with pytest.raises(ConfigError, match=r"experiment.shard = 0: given twice"):
        pool(tmp_path / "out", [first, first, second], progress=False)
    (second / "runs" / "champions" / "default" / "rep_002.parquet").unlink()
    with pytest.raises(ConfigError, match=r"rep_002.parquet: missing .* resume="):
        pool(tmp_path / "out", [first, second], progress=False)
    (second / "manifest.json").unlink()
    with pytest.raises(ConfigError, match="no manifest.json, so the shard did not finish"):
        pool(tmp_path / "out", [first, second], progress=False)
    assert not (tmp_path / "out").exists()


def test_pool_refuses_a_run_with_another_seed(sharded_sweep, tmp_path):
    """A run file from another seed (here: replicate 1's file as replicate 2) is refused."""
    first, second = _copy_shards(sharded_sweep, tmp_path)
    folder = second / "runs" / "no_training" / "default"
    shutil.copy(folder / "rep_001.parquet", folder / "rep_002.parquet")
    with pytest.raises(ConfigError, match=r"rep_002.parquet: seed \d+, but replicate 2 has"):
        pool(tmp_path / "out", [first, second], progress=False)


# --- Dask ---------------------------------------------------------------------------------------


def test_dask_local_cluster_gives_the_local_results(local_run, tmp_path):
    """parallel.backend=dask on a LocalCluster of 2 worker processes: the same tables."""
    out = tmp_path / "dask"
    result = run_cli(*SMALL, "parallel.backend=dask", "n_jobs=2", f"hydra.run.dir={out}")
    assert result.returncode == 0, result.stderr
    assert_same_results(out, local_run)


def test_a_missing_scheduler_is_one_line_naming_the_address(monkeypatch):
    """No scheduler at parallel.address: a ConfigError naming the key and the address."""
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT_S", 1)
    settings = parallel.ParallelConfig(backend="dask", address="tcp://127.0.0.1:9")
    with pytest.raises(ConfigError, match=r"parallel.address = 'tcp://127.0.0.1:9': no Dask"):
        with parallel.session(settings):
            pass
    assert parallel.active() is None


def test_dask_session_routes_parallel_loops_and_checks_the_shared_folder(tmp_path):
    """Inside a Dask session joblib loops run on the cluster, and a folder the workers cannot
    see is refused; outside it, loops are local again."""
    settings = parallel.ParallelConfig(backend="dask")
    with parallel.session(settings, n_jobs=2, processes=False) as session:
        assert session.backend == "dask" and session.workers == 2
        squares = parallel.parallel(1)(parallel_delayed(pow)(i, 2) for i in range(5))
        assert squares == [0, 1, 4, 9, 16]
        assert type(parallel.abc_sampler(1)).__name__ == "DaskDistributedSampler"
        parallel.check_shared_folder(tmp_path)
        with pytest.raises(ConfigError, match="cannot see it"):
            parallel.check_shared_folder(tmp_path / "elsewhere")
    assert parallel.active() is None
    assert type(parallel.abc_sampler(1)).__name__ == "SingleCoreSampler"


def parallel_delayed(function):
    from joblib import delayed

    return delayed(function)


# --- cores and settings -------------------------------------------------------------------------


def test_core_count_follows_the_cpu_affinity_not_the_node():
    """Pinned to one core (as taskset or a SLURM allocation does), one process is used."""
    code = (
        "import os; os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})\n"
        "from experiments import parallel\n"
        "from model.network import allocated_cores\n"
        "print(parallel.cores(), allocated_cores(), type(parallel.abc_sampler(-1)).__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["1", "1", "SingleCoreSampler"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["experiment.shards=2", "experiment.shard=2"], "experiment.shard = 2: expected 0 to 1"),
        (["experiment.shards=4"], "experiment.shards = 4: more shards than the 3 replicates"),
        (["parallel.backend=ray"], "parallel.backend = 'ray': expected one of loky, dask"),
        (["parallel.address=tcp://x:8786"], "used only with parallel.backend=dask"),
    ],
)
def test_bad_cluster_settings_are_named(args, message):
    """Shard and backend faults are refused before anything runs, naming the key."""
    register_resolvers()
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_settings(compose_checked([*SMALL, *args]))


def test_shards_are_refused_outside_scenario_experiments():
    """A PSA is not split into shards (it is spread with parallel.backend=dask)."""
    register_resolvers()
    with pytest.raises(ConfigError, match="experiment.shards = 2: shards split the replicates"):
        check_settings(compose_checked(["experiment=psa", "experiment.shards=2"]))


def test_slurm_launcher_config_composes_onto_submitit():
    """hydra/launcher=slurm is hydra-submitit-launcher's SLURM launcher with our defaults."""
    register_resolvers()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(REPO / "conf"), version_base="1.3"):
        cfg = compose(
            config_name="config",
            overrides=["hydra/launcher=slurm", "hydra.launcher.partition=compute"],
            return_hydra_config=True,
        )
    GlobalHydra.instance().clear()
    launcher = cfg.hydra.launcher
    assert launcher._target_.endswith("submitit_launcher.SlurmLauncher")
    assert (launcher.partition, launcher.cpus_per_task, launcher.timeout_min) == ("compute", 8, 240)
    assert np.isfinite(launcher.mem_gb)


def test_abc_on_dask_accepts_particles_that_re_simulate_from_their_seeds(tmp_path):
    """One ABC-SMC generation through pyABC's Dask sampler: every particle is accepted (epsilon
    is infinite in generation 0) and re-simulating it from its stored seed gives its distance."""
    from experiments.calibration.abc_smc import SurveyModel, run_abc
    from experiments.calibration.discrepancy import SurveyDeviance
    from experiments.calibration.parameters import apply_overrides
    from experiments.calibration.problem import build_problem
    from experiments.calibration.simulate import simulate_survey
    from experiments.survey_targets import load_targets

    targets = load_targets(REPO / "conf" / "calibration" / "targets" / "uk_nhs.yaml")
    others = [f for f in targets.figure_id if not f.startswith("hf2020_want_")]
    register_resolvers()
    cfg = compose_checked(
        [
            "experiment=calibrate",
            "population.n_workers=200",
            "weeks=30",
            "strategy.programmes=[]",  # the training on offer starts after these 30 weeks
            "progress=false",
            "calibration.params=quick",
            "calibration.population_size=6",
            "calibration.max_generations=1",
            f"calibration.exclude_figures=[{','.join(others)}]",
        ]
    )
    problem = build_problem(without_hydra(cfg))
    with parallel.session(parallel.ParallelConfig(backend="dask"), n_jobs=2, processes=False):
        result = run_abc(problem, tmp_path, n_jobs=2, seed=3, progress=False)
    posterior = result.posterior
    assert len(posterior) == 6 and result.generations_run == 1
    distance, model = SurveyDeviance(problem.plan), SurveyModel(problem)
    for row in posterior.itertuples():
        values = {model.keys[name]: getattr(row, name) for name in problem.names}
        config = apply_overrides(model.base, values)
        shares = simulate_survey(config, problem.plan, int(row.seed)).probabilities
        assert distance(shares, problem.observed) == pytest.approx(row.distance)
