"""run.py --help: describes the tool, lists experiments and config groups, loads nothing heavy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import run
from experiments.cli_help import help_text

REPO = Path(__file__).resolve().parent.parent
CONF = REPO / "conf"


def test_help_lists_every_experiment_with_its_question_and_every_group(capsys) -> None:
    """Every conf/experiment/*.yaml appears with the start of its question; groups list options."""
    assert run.entry(["--help"]) == 0
    text = capsys.readouterr().out
    assert text == help_text(CONF) + "\n"
    for path in (CONF / "experiment").glob("*.yaml"):
        assert f"\n  {path.stem} " in text, path.stem
    assert "Which education strategy gives the most appropriately-confident" in text
    strategies = sorted(p.stem for p in (CONF / "strategy").glob("*.yaml"))
    assert f"  strategy             {', '.join(strategies)}" in text
    assert "docs/ODD.md" in text and "data/evidence/parameters.csv" in text


def test_help_loads_neither_the_model_nor_plotting() -> None:
    """--help answers without importing Mesa, pandas, SciPy or matplotlib (so it is fast)."""
    code = (
        "import sys, run; run.entry(['-h']); "
        "print(sorted(m for m in ('mesa', 'pandas', 'scipy', 'matplotlib') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_a_config_error_loads_no_model_code() -> None:
    """A bad value is refused (exit 2, one line) before Mesa or pandas are imported."""
    code = (
        "import sys, run\n"
        "try:\n    run.entry(['population.n_workers=-3'])\n"
        "except SystemExit as stop:\n    print('exit', stop.code)\n"
        "print(sorted(m for m in ('mesa', 'pandas', 'matplotlib') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    lines = result.stdout.strip().splitlines()
    assert lines[-2:] == ["exit 2", "[]"]
    assert result.stderr.strip() == (
        "error: invalid config: population.n_workers = -3: expected a value >= 2"
    )


def test_calibration_without_its_extra_names_the_extra(monkeypatch) -> None:
    """Missing pyABC gives one line telling which extra to install, not an ImportError."""
    import importlib.util

    import pytest

    from experiments.calibration import require_calibration_packages
    from model.validation import ConfigError

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pyabc" else real(name, *a)
    )
    with pytest.raises(
        ConfigError, match=r"calibration needs pyabc, .*pip install -e '\.\[calibrate\]'"
    ):
        require_calibration_packages()
