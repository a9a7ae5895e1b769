"""Provenance of a results folder: config, seed, package versions, git commit, wall time."""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = (
    "ai-confidence-abm",
    "mesa",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "networkx",
    "matplotlib",
    "hydra-core",
    "omegaconf",
    "joblib",
    "tqdm",
    "SALib",
)
REPO_ROOT = Path(__file__).resolve().parent.parent


def package_versions() -> dict[str, str]:
    """Installed versions of the packages the results depend on (and Python's)."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit() -> dict[str, Any]:
    """The checked-out commit and whether the working tree had uncommitted changes."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": "unknown (not a git checkout)", "dirty": None}


def manifest(seed: int | list[int], wall_time_s: float, **extra: Any) -> dict[str, Any]:
    """Everything needed to reproduce a results folder, besides the config file beside it."""
    return {
        "created": dt.datetime.now().isoformat(timespec="seconds"),
        "seed": seed,
        "wall_time_s": round(wall_time_s, 3),
        "command": " ".join(sys.argv),
        "git": git_commit(),
        "versions": package_versions(),
        **extra,
    }
