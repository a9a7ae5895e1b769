"""Atomic file writing: every output is written to a temporary name and renamed when complete.

A run that is interrupted therefore never leaves a half-written file under its final name.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.errors import OutputError, describe_os_error


def write_atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``.

    Raises:
        OutputError: The file could not be written (the message names it and the free space).
    """
    path = Path(path)
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        write(tmp)
        tmp.chmod(0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as error:  # disk full, read-only, no permission: name the file and the space
        raise OutputError(describe_os_error(error, path)) from error
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: Path, text: str) -> Path:
    """Write text atomically."""
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json(path: Path, data: Any) -> Path:
    """Write JSON atomically (indented, keys in insertion order)."""
    return write_text(path, json.dumps(data, indent=2, default=str) + "\n")


def write_table(
    path_stem: Path,
    table: pd.DataFrame,
    formats: tuple[str, ...] = ("parquet", "csv"),
    metadata: dict[str, str] | None = None,
) -> list[Path]:
    """Write a table atomically as Parquet and/or CSV (``path_stem`` without suffix).

    Args:
        path_stem: Path of the files without suffix.
        table: The table.
        formats: Which formats to write.
        metadata: Key-value pairs stored in the Parquet file's schema (e.g. a fingerprint).
    """

    def parquet(tmp: Path) -> None:
        if not metadata:
            table.to_parquet(tmp, index=False)
            return
        arrow = pa.Table.from_pandas(table, preserve_index=False)
        extra = {k.encode(): v.encode() for k, v in metadata.items()}
        pq.write_table(
            arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), **extra}), tmp
        )

    writers = {"parquet": parquet, "csv": lambda tmp: table.to_csv(tmp, index=False)}
    stem = Path(path_stem)
    return [write_atomic(stem.with_suffix(f".{fmt}"), writers[fmt]) for fmt in formats]
