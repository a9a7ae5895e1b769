"""The kernel pass of mutation testing: mutmut on the numba kernels, run as plain Python.

numba cannot compile mutmut's trampolines, so the main pass (``[tool.mutmut]`` in
pyproject.toml) leaves the kernel modules (``model/*kernels.py``) unmutated and keeps the JIT on.
This pass mutates only those modules, in a copy of the project in ``mutants-kernels/``
(git-ignored; another directory with ``MUTATION_KERNELS_DIR``) whose pyproject has the kernel
pass's ``[tool.mutmut]``, with ``MUTMUT_KERNEL_PASS=1`` (tests/conftest.py then switches the
JIT off) and a small test subset, because every test runs some 10 to 100 times slower without
the JIT. mutmut does not mutate decorated functions, so in the copy each ``@njit(...)`` is
moved below its function as ``f = njit(...)(f)`` (:func:`undecorate`). Arguments go to mutmut::

    python tests/mutation_kernels.py run --max-children 1 "model.kernels.x_fade*"
    python tests/mutation_kernels.py results

The copy is refreshed from the project on each call; mutmut's results in
``mutants-kernels/mutants`` are kept, so a rerun continues where the last stopped.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

WORK = Path(os.environ.get("MUTATION_KERNELS_DIR", "mutants-kernels"))
COPY = [
    "model",
    "experiments",
    "tests",
    "conf",
    "data",
    "docs",
    "benchmarks",
    "run.py",
    "pyproject.toml",
]
KERNEL_TESTS = [
    "tests/test_kernels.py",
    "tests/test_kernel_rules.py",
    "tests/test_per_agent_reference.py",
    "tests/test_mechanism_directions.py",
    "tests/test_outcomes.py",
    "tests/test_small_rules.py",
    "tests/test_training_rules.py",
    "tests/test_survey_rules.py",
    "tests/test_analytic.py",
    "tests/test_compiled_passes.py",
]
KERNEL_CONFIG = f"""[tool.mutmut]
source_paths = ["model", "experiments"]
only_mutate = ["model/*kernels.py"]
also_copy = ["benchmarks", "conf", "data", "docs", "run.py"]
pytest_add_cli_args = ["-p", "no:cacheprovider", "-x", "-q"]
pytest_add_cli_args_test_selection = {KERNEL_TESTS!r}
timeout_multiplier = 20.0

""".replace("'", '"')


def undecorate(source: str) -> str:
    """Move each top-level ``@njit(...)`` decorator below its function: ``f = njit(...)(f)``.

    mutmut 3 does not mutate decorated functions, which would leave every ``@njit`` kernel
    unmutated; written as an assignment after the function, the same compiled object results
    (here the JIT is off anyway) and mutmut mutates the function.
    """
    lines = source.splitlines()
    moves = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.decorator_list:
            (decorator,) = node.decorator_list
            if (
                ast.unparse(decorator).split("(")[0] != "njit"
                or decorator.lineno != decorator.end_lineno
            ):
                raise SystemExit(f"unexpected decorator on {node.name}: {ast.unparse(decorator)}")
            moves.append((decorator.lineno, node.end_lineno, node.name, ast.unparse(decorator)))
    for start, end, name, decorator in reversed(moves):
        lines.insert(end, f"{name} = {decorator}({name})")
        del lines[start - 1]
    return "\n".join(lines) + "\n"


def refresh_copy(root: Path, work: Path) -> None:
    """Copy the project into ``work`` afresh (keeping ``work/mutants``), kernel config in."""
    work.mkdir(exist_ok=True)
    for name in COPY:
        source, target = root / name, work / name
        if target.is_dir():
            shutil.rmtree(target)
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "mutants*")
            shutil.copytree(source, target, ignore=ignore)
        else:
            shutil.copy2(source, target)
    for kernel in sorted((work / "model").glob("*kernels.py")):
        kernel.write_text(undecorate(kernel.read_text()))
    pyproject = (work / "pyproject.toml").read_text()
    table = re.compile(r"^\[tool\.mutmut\]\n.*?(?=^\[)", re.DOTALL | re.MULTILINE)
    if not table.search(pyproject):
        raise SystemExit("pyproject.toml has no [tool.mutmut] table followed by another table")
    (work / "pyproject.toml").write_text(table.sub(KERNEL_CONFIG, pyproject, count=1))


def main(argv: list[str]) -> int:
    """Refresh the copy and run ``mutmut argv...`` in it with the JIT off."""
    refresh_copy(Path.cwd(), WORK)
    env = {**os.environ, "MUTMUT_KERNEL_PASS": "1", "NUMBA_DISABLE_JIT": "1"}
    env["PYTHONPATH"] = str(WORK.resolve())
    return subprocess.run(["mutmut", *argv], cwd=WORK, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
