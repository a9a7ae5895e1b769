"""One-line error messages: every configuration, data or environment fault ends the same way.

A fault prints ``error: <where> = <value>: expected <what is accepted>`` on one line of stderr and
exits with code 2, without a traceback; ``HYDRA_FULL_ERROR=1`` re-raises it so the traceback shows.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from hydra.errors import HydraException, OverrideParseException
from omegaconf.errors import OmegaConfBaseException

from model.validation import ConfigError

EXIT_FAULT = 2
CONF_DIR = Path(__file__).resolve().parent.parent / "conf"
_NOISE = ("See https://", "Set the environment variable HYDRA_FULL_ERROR")


class OutputError(ConfigError):
    """A file could not be written: the message names the path, the cause and the free space."""


def free_space(path: Path) -> str:
    """Free space on the disk holding ``path`` (or its nearest existing parent), e.g. '1.2 GB'."""
    path = Path(path).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        free = shutil.disk_usage(path).free
    except OSError:
        return "unknown"
    return f"{free / 1e9:.2f} GB" if free >= 1e8 else f"{free / 1e6:.1f} MB"


def describe_os_error(error: OSError, path: Path | str | None = None) -> str:
    """One line on a failed write: the path, the cause, and the free space when the disk is full."""
    where = str(path or error.filename or "results folder")
    if error.errno == errno.ENOSPC:
        return (
            f"{where}: disk full ({free_space(Path(where))} free there); expected room for the "
            "results: free some space or choose another hydra.run.dir"
        )
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            f"{where}: cannot write ({error.strerror or 'permission denied'}); expected a "
            "writable results location: choose another hydra.run.dir"
        )
    return f"{where}: {error.strerror or error}; expected a writable results location"


def _yaml_error(error: BaseException) -> yaml.MarkedYAMLError | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, yaml.MarkedYAMLError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def find_malformed_yaml(folders: tuple[Path, ...] = (CONF_DIR,)) -> str | None:
    """The first YAML file under ``folders`` that does not parse: ``file:line:column: problem``."""
    for folder in folders:
        for path in sorted(Path(folder).rglob("*.yaml")):
            try:
                yaml.safe_load(path.read_text(encoding="utf-8"))
            except yaml.MarkedYAMLError as error:
                return describe_yaml_error(error, path)
            except (OSError, UnicodeDecodeError, yaml.YAMLError):
                continue
    return None


def describe_yaml_error(error: yaml.MarkedYAMLError, path: Path | str) -> str:
    """``file:line:column: problem`` of a YAML parse error (lines and columns from 1)."""
    mark = error.problem_mark or error.context_mark
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
    problem = error.problem or error.context or "not valid YAML"
    return f"{where}: {problem}; expected valid YAML"


def flatten(text: str) -> str:
    """A message on one line: blank and advice-only lines dropped, the rest joined with '; '."""
    lines = [line.strip() for line in str(text).split("\nConfig search path")[0].splitlines()]
    kept = [line for line in lines if line and not line.startswith(_NOISE)]
    joined = "; ".join(kept)
    return re.sub(r":;", ":", joined)


def describe(error: BaseException) -> str:
    """The one-line message of any fault this module handles."""
    if isinstance(error, OSError) and not isinstance(error, HydraException):
        return describe_os_error(error)
    if isinstance(error, OverrideParseException):
        return (
            f"{error.override}: {flatten(error.message)}; expected key=value in Hydra's override "
            "syntax (quote values with special characters)"
        )
    if (marked := _yaml_error(error)) is not None:
        return find_malformed_yaml() or describe_yaml_error(marked, marked.problem_mark.name)
    if isinstance(error, OmegaConfBaseException) and getattr(error, "full_key", None):
        first = flatten(str(error).split("\n")[0])
        return f"{error.full_key}: {first}"
    cause = error.__cause__
    if isinstance(error, HydraException) and isinstance(cause, OmegaConfBaseException):
        return f"{flatten(str(error))}: {describe(cause)}"
    return flatten(str(error))


HANDLED = (ConfigError, HydraException, OmegaConfBaseException, yaml.YAMLError, OSError)


def fail(message: str) -> None:
    """Print ``error: <message>`` on one line of stderr and exit with code 2."""
    print(f"error: {flatten(message)}", file=sys.stderr)
    raise SystemExit(EXIT_FAULT)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Turn a configuration, data or environment fault into one line on stderr and exit code 2.

    ``HYDRA_FULL_ERROR=1`` lets the exception through, with its traceback.
    """
    try:
        yield
    except HANDLED as error:
        if os.environ.get("HYDRA_FULL_ERROR") == "1":
            raise
        fail(describe(error))
