"""Show that given tests fail on given mutants, with mutmut's own switch (tests/MUTATION.md).

The evidence behind a test docstring's "kills mutant X". Run from the project root after mutmut
has generated the mutants (``mutants/``)::

    python tests/mutation_check.py tests/test_training_rules.py -- \\
        model.training.x__select__mutmut_12 model.training.x__select__mutmut_14

The test files are copied into ``mutants/tests/`` (the current versions), then for each mutant
pytest runs them inside ``mutants/`` with ``MUTANT_UNDER_TEST`` set to the mutant's name, which
is how mutmut itself activates a mutant. A clean run (no mutant) must pass first. Prints
``killed`` or ``SURVIVED`` per mutant; exits 1 if any survived. ``--mutants DIR`` uses another
mutmut directory (the kernel pass: ``mutants-kernels/mutants``, run with the JIT off).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def run_tests(mutants: Path, tests: list[str], mutant: str) -> int:
    """pytest's exit code for ``tests`` inside ``mutants`` with ``mutant`` active."""
    env = {**os.environ, "MUTANT_UNDER_TEST": mutant, "PYTHONPATH": str(mutants.resolve())}
    if mutants.resolve().parent.name.startswith("mutants-kernels"):  # the kernel pass: JIT off
        env |= {"MUTMUT_KERNEL_PASS": "1", "NUMBA_DISABLE_JIT": "1"}
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    return subprocess.run(command, cwd=mutants, env=env, capture_output=True).returncode


def check(mutants: Path, tests: list[str], names: list[str]) -> int:
    """Run ``tests`` against each mutant in ``names``; the number that survived."""
    for test in [*tests, "tests/conftest.py"]:
        shutil.copy2(test, mutants / test)
    if run_tests(mutants, tests, "") != 0:
        raise SystemExit(f"the tests fail without a mutant: {' '.join(tests)}")
    survived = 0
    for name in names:
        killed = run_tests(mutants, tests, name) != 0
        survived += not killed
        print(f"{'killed' if killed else 'SURVIVED'}  {name}", flush=True)
    return survived


def main(argv: list[str]) -> int:
    """``[--mutants DIR] TESTS... -- MUTANTS...``."""
    mutants = Path("mutants")
    if argv[:1] == ["--mutants"]:
        mutants, argv = Path(argv[1]), argv[2:]
    if "--" not in argv:
        raise SystemExit("usage: mutation_check.py [--mutants DIR] TESTS... -- MUTANTS...")
    split = argv.index("--")
    return 1 if check(mutants, argv[:split], argv[split + 1 :]) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
