"""Issue 13: nothing lost, nothing silent, no tracebacks.

Most cases call ``run.entry`` in-process (the checks run before Hydra, so they take well under a
second); the few that need a real run use ``population=small`` and a short horizon.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import run
from experiments import errors, estimate, guard, preflight, runner
from experiments.calibration.schema import CalibrationConfig, validate_calibration
from experiments.calibration.simulate import build_plan
from experiments.survey_data import validate_survey_file
from model import ConfigError
from model.config import ModelConfig

REPO = Path(__file__).resolve().parent.parent
QUICK = ["population=small", "population.n_workers=200", "weeks=12", "n_jobs=1", "progress=false"]
SURVEY = REPO / "data" / "surveys" / "uk_survey_figures.csv"


def snapshot(*folders: Path) -> dict[str, str]:
    """Every file under ``folders`` with a hash of its bytes and its modification time."""
    found = {}
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")) if Path(folder).exists() else []:
            if path.is_file():
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                found[str(path)] = f"{digest}:{path.stat().st_mtime_ns}"
    return found


def refuse(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``run.py args`` in-process; assert a one-line refusal with exit code 2; return it."""
    with pytest.raises(SystemExit) as stop:
        run.entry(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    return err


# --- 2. configuration faults: one line naming the key, the value and what is accepted -----------

CASES = {
    "budget_inf": (["strategy.budget_gbp=inf"], ["strategy.budget_gbp", "inf", "finite"]),
    "n_jobs_0": (["n_jobs=0"], ["n_jobs = 0", "expected -1"]),
    "n_jobs_neg": (["n_jobs=-5"], ["n_jobs = -5", "expected -1"]),
    "unknown_nested": (["+population.sise=10"], ["population.sise", "n_workers"]),
    "unknown_top": (["+extra_key=1"], ["extra_key", "expected one of seed"]),
    "replicates_0": (
        ["experiment=training_mix", "experiment.replicates=0"],
        ["experiment.replicates = 0", ">= 1"],
    ),
    "no_modality": (
        ["strategy.programmes=[{target: all, coverage: 0.5}]"],
        ["programmes.0.modality is missing", "elearning", "workshop"],
    ),
    "go_live_past_horizon": (
        ["rollout.go_live_week=500"],
        ["go_live_week = 500", "before the horizon", "12 weeks"],
    ),
    "event_past_horizon": (
        ["experiment=incident", "events.0.week=500"],
        ["events.0", "500", "horizon"],
    ),
    "windows_path": (["hydra.run.dir=C:\\results\\x"], ["hydra.run.dir", "Windows path"]),
    "windows_resume": (["resume=D:/old/run"], ["resume", "Windows path"]),
    "tool_index": (["tools.5.reliability=0.7"], ["tools.5", "only 1 tools", "0 to 0"]),
    "bad_syntax": (["seed=[1,"], ["seed=[1,"]),
    "bad_type": (["population.n_workers=many"], ["population.n_workers", "many"]),
    "missing_option": (["strategy=nope"], ["strategy/nope", "champions"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_fault_is_one_line_exit_2_and_writes_nothing(case, tmp_path, capsys):
    args, expected = CASES[case]
    folder = tmp_path / "out"
    dir_arg = (
        [] if any(a.startswith("hydra.run.dir") for a in args) else [f"hydra.run.dir={folder}"]
    )
    before = snapshot(REPO / "results", tmp_path)
    message = refuse([*QUICK, *args, *dir_arg], capsys)
    for text in expected:
        assert text in message, (text, message)
    assert not folder.exists()
    assert snapshot(REPO / "results", tmp_path) == before
    assert not (REPO / "C:\\results\\x").exists()


def test_full_error_lets_the_traceback_through(tmp_path, monkeypatch):
    monkeypatch.setenv("HYDRA_FULL_ERROR", "1")
    with pytest.raises(ConfigError, match="n_jobs = 0"):
        run.entry([*QUICK, "n_jobs=0", f"hydra.run.dir={tmp_path / 'out'}"])


def test_unwritable_location_is_named(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(guard.os, "access", lambda path, mode: False)
    message = refuse([*QUICK, f"hydra.run.dir={tmp_path / 'ro' / 'out'}"], capsys)
    assert str(tmp_path) in message and "not writable" in message


def test_results_under_a_file_are_refused(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    message = refuse([*QUICK, f"hydra.run.dir={tmp_path / 'file' / 'out'}"], capsys)
    assert "is a file" in message


def test_malformed_yaml_names_file_line_and_column(tmp_path, monkeypatch, capsys):
    conf = tmp_path / "conf"
    shutil.copytree(REPO / "conf", conf)
    (conf / "strategy" / "broken.yaml").write_text("name: broken\nprogrammes: [\n  - a: b\n")
    monkeypatch.setattr(preflight, "CONF_DIR", conf)
    monkeypatch.setattr(errors, "CONF_DIR", conf)
    message = refuse(["strategy=broken", *QUICK, f"hydra.run.dir={tmp_path / 'out'}"], capsys)
    assert "broken.yaml:3:" in message and "expected valid YAML" in message


def test_disk_full_names_the_path_and_free_space(tmp_path, monkeypatch, capsys):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    message = refuse([*QUICK, f"hydra.run.dir={tmp_path / 'out'}"], capsys)
    assert "disk full" in message and "outcomes.csv" in message and " free there" in message


def test_a_failed_write_names_the_file_and_leaves_no_tmp(tmp_path):
    from experiments.io import write_atomic

    def raise_enospc(tmp: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(errors.OutputError, match=r"a\.txt: disk full \(.* free there\)"):
        write_atomic(tmp_path / "a.txt", raise_enospc)
    assert not list(tmp_path.glob("*.tmp")) and not (tmp_path / "a.txt").exists()


# --- 2. data faults ------------------------------------------------------------------------------


def test_header_only_survey_csv_is_a_problem(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text(SURVEY.read_text().splitlines()[0] + "\n")
    problems = [str(p) for p in validate_survey_file(path)]
    assert len(problems) == 1 and "only a header" in problems[0]


def test_semicolon_csv_says_use_commas(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text(SURVEY.read_text().replace(",", ";"))
    problems = [str(p) for p in validate_survey_file(path)]
    assert len(problems) == 1 and "use commas" in problems[0]


def test_survey_dates_past_the_horizon_are_refused():
    table = pd.DataFrame({"figure_id": ["f1"], "fieldwork_mid": [pd.Timestamp("2030-01-01")]})
    with pytest.raises(ConfigError, match=r"f1 \(fieldwork mid 2030-01-01.*expected every"):
        build_plan(table, ModelConfig(weeks=52))


def test_calibration_with_a_targets_path_publishes_a_loadable_name(hydra_compose):
    cfg = hydra_compose(["experiment=calibrate", "calibration.targets=/data/x/my_targets.yaml"])
    assert cfg.calibration.publish_as == "my_targets_abc"
    with pytest.raises(ConfigError, match="calibration.publish_as"):
        validate_calibration(CalibrationConfig(publish_as="/data/x/my_targets.yaml_abc"))


@pytest.fixture
def hydra_compose():
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    preflight.register_resolvers()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(REPO / "conf"), version_base="1.3"):
        yield lambda overrides: compose(config_name="config", overrides=overrides)
    GlobalHydra.instance().clear()


# --- 1. a results folder belongs to one config --------------------------------------------------


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    """A finished single run (in-process through Hydra)."""
    folder = tmp_path_factory.mktemp("done") / "run"
    run.entry([*QUICK, f"hydra.run.dir={folder}"])
    return folder


def test_a_run_leaves_no_lock_and_records_its_config(finished_run):
    assert (finished_run / "outcomes.parquet").exists()
    assert not (finished_run / guard.LOCK_NAME).exists()


def test_existing_folder_without_resume_is_refused_untouched(finished_run, capsys):
    before = snapshot(finished_run)
    message = refuse([*QUICK, "seed=5", f"hydra.run.dir={finished_run}"], capsys)
    assert "already holds" in message and f"resume={finished_run}" in message
    assert snapshot(finished_run) == before


def test_resume_with_another_config_is_refused_untouched(finished_run, capsys):
    before = snapshot(finished_run)
    message = refuse([*QUICK, "seed=5", f"resume={finished_run}"], capsys)
    assert "config differs" in message and "seed" in message
    assert snapshot(finished_run) == before  # .hydra/overrides.yaml included


def test_a_locked_folder_is_refused_naming_the_holder(tmp_path, capsys):
    folder = tmp_path / "busy"
    folder.mkdir()
    holder = {"pid": os.getpid(), "host": socket.gethostname(), "started": "2026-01-01T10:00:00"}
    (folder / guard.LOCK_NAME).write_text(json.dumps(holder))
    before = snapshot(folder)
    message = refuse([*QUICK, f"hydra.run.dir={folder}"], capsys)
    assert f"pid {os.getpid()}" in message and socket.gethostname() in message
    assert "2026-01-01T10:00:00" in message
    assert snapshot(folder) == before


def test_a_stale_lock_is_taken_over_and_tmp_files_removed(finished_run, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(finished_run, copy)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    holder = {"pid": dead.pid, "host": socket.gethostname(), "started": "then"}
    (copy / guard.LOCK_NAME).write_text(json.dumps(holder))
    (copy / ".outcomes.csv.abc.tmp").write_text("half")
    run.entry([*QUICK, f"resume={copy}"])
    assert not (copy / ".outcomes.csv.abc.tmp").exists()
    assert not (copy / guard.LOCK_NAME).exists()


def test_replicate_reused_only_when_fingerprint_matches(tmp_path):
    config = ModelConfig(seed=3, weeks=10)
    config.population.n_workers = 200
    spec = runner.RunSpec("s", "default", 0, config)
    assert not runner.is_complete(spec, tmp_path)
    runner.simulate(spec, tmp_path, snapshot=False)
    assert runner.is_complete(spec, tmp_path)
    other_seed = runner.RunSpec("s", "default", 0, ModelConfig(seed=4, weeks=10))
    other_seed.config.population.n_workers = 200
    assert not runner.is_complete(other_seed, tmp_path)
    other_config = ModelConfig(seed=3, weeks=11)
    other_config.population.n_workers = 200
    assert not runner.is_complete(runner.RunSpec("s", "default", 0, other_config), tmp_path)
    fp = guard.read_fingerprint(tmp_path / "s" / "default" / "rep_000.parquet")
    assert fp is not None and fp["seed"] == "3"


# --- 3. estimate, memory refusal, progress -------------------------------------------------------


def test_estimate_scales_with_runs_workers_and_weeks():
    small = estimate.estimate(1, 5000, 156, 1)
    assert 0.2 < small.seconds < 1.0 and 0.1 < small.peak_gb < 0.4
    assert estimate.estimate(4, 5000, 156, 1).seconds == pytest.approx(4 * small.seconds)
    national = estimate.estimate(140, 1_374_557, 156, 2)
    assert national.peak_gb > 2.0 and national.long_runs and national.processes == 2


def test_estimate_is_printed_first(tmp_path, capsys):
    run.entry(
        ["experiment=baseline", "experiment.replicates=1", *QUICK, f"hydra.run.dir={tmp_path}/o"]
    )
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("estimate: 1 run(s) x 200 workers x 12 weeks")


def test_too_big_for_memory_is_refused_unless_forced(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(preflight, "available_memory_gb", lambda: 0.05)
    folder = tmp_path / "big"
    message = refuse([*QUICK, f"hydra.run.dir={folder}"], capsys)
    assert "exceeds the 0.1 GB available" in message and "force=true" in message
    assert not folder.exists()
    plan = preflight.preflight([*QUICK, "force=true", f"hydra.run.dir={folder}"])
    plan.finish(refused=True)
    assert not (folder / guard.LOCK_NAME).exists()


def test_long_runs_show_a_progress_bar_per_week(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(estimate, "LONG_RUN_S", 0.0)
    config = ModelConfig(seed=1, weeks=10)
    config.population.n_workers = 200
    specs = [runner.RunSpec("s", "default", 0, config)]
    runner.run_all(specs, tmp_path, n_jobs=1, progress=True)
    assert "10/10" in capsys.readouterr().err


# --- 4. property: random malformed command lines and YAML -----------------------------------------

KEYS = [
    "seed",
    "weeks",
    "n_jobs",
    "population.n_workers",
    "tools.0.reliability",
    "strategy.budget_gbp",
]
junk = st.text(alphabet="abcxyz!@#[]{}:,;'\"", min_size=1, max_size=8)
bad_lines = st.one_of(
    st.builds(lambda k, v: f"{k}={v}x", st.sampled_from(KEYS), junk),  # not a number
    st.builds(lambda v: f"+zz_{v}=1", st.text(alphabet="abcdefgh", min_size=1, max_size=6)),
    st.builds(lambda k: f"{k}=-7", st.sampled_from(["weeks", "n_jobs", "population.n_workers"])),
    st.builds(lambda v: f"strategy={v}", st.text(alphabet="qwvk", min_size=3, max_size=6)),
    st.builds(lambda k, v: f"{k}=[{v}", st.sampled_from(KEYS), junk),  # unclosed
)
bad_yaml = st.sampled_from(
    ["name: x\nprogrammes: [\n", "name: 'x\n", "a: b\n c: d\n  - e\n", "name: x\n\t- tab\n"]
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(line=bad_lines, yaml_text=bad_yaml, use_yaml=st.booleans())
def test_property_malformed_input_fails_cleanly(line, yaml_text, use_yaml, tmp_path, capsys):
    conf = tmp_path / "conf"
    if not conf.exists():
        shutil.copytree(REPO / "conf", conf)
    (conf / "strategy" / "fuzz.yaml").write_text(yaml_text)
    args = ["strategy=fuzz"] if use_yaml else [line]
    folder = tmp_path / "new_run"
    before = snapshot(REPO / "results", REPO / "conf", tmp_path)
    mp = pytest.MonkeyPatch()
    mp.setattr(preflight, "CONF_DIR", conf)
    mp.setattr(errors, "CONF_DIR", conf)
    try:
        with pytest.raises(SystemExit) as stop:
            run.entry([*QUICK, *args, f"hydra.run.dir={folder}"])
    finally:
        mp.undo()
    err = capsys.readouterr().err.strip()
    assert stop.value.code not in (0, None)
    assert "Traceback" not in err and len(err.splitlines()) == 1 and len(err) < 600, err
    assert snapshot(REPO / "results", REPO / "conf", tmp_path) == before
    assert not folder.exists()
