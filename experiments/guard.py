"""A results folder belongs to one config: locks, refusals and replicate fingerprints.

- While a run writes into a folder it holds ``.lock`` (pid, host, start time); a second run into
  the same folder is refused with a message naming the holder. A lock whose process is gone (a
  killed run on this host) is stale and is taken over.
- Without ``resume=`` a folder that already holds files is refused; with it, the saved
  ``config.yaml`` must match the new config (run settings aside).
- Every replicate file carries a fingerprint (hash of its model config, and its seed) in its
  Parquet metadata and is reused only when the fingerprint matches.
- Stale ``*.tmp`` files (a write cut short by a kill) are removed when a run resumes.

Every check runs before Hydra writes anything into the folder, so a refused run changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from omegaconf import DictConfig, OmegaConf

from model.validation import ConfigError

LOCK_NAME = ".lock"
FINGERPRINT_KEY = "abm_fingerprint"
RUN_SETTINGS = ("resume", "n_jobs", "progress", "force", "parallel")
"""Keys that may differ between a run and its resumption: they do not change any result."""


# --- fingerprints -------------------------------------------------------------------------------


def fingerprint(config: Any) -> dict[str, str]:
    """The fingerprint of a replicate: a hash of its model config (seed aside) and its seed.

    Args:
        config: A :class:`~model.config.ModelConfig` (or any dataclass with a ``seed``).
    """
    values = dataclasses.asdict(config)
    seed = values.pop("seed")
    text = json.dumps(values, sort_keys=True, default=str)
    return {"config_sha256": hashlib.sha256(text.encode()).hexdigest(), "seed": str(seed)}


def fingerprint_metadata(config: Any) -> dict[str, str]:
    """Parquet metadata holding the fingerprint of ``config``."""
    return {FINGERPRINT_KEY: json.dumps(fingerprint(config), sort_keys=True)}


def read_fingerprint(path: Path) -> dict[str, str] | None:
    """The fingerprint stored in a Parquet file, or None (no file, none stored, unreadable)."""
    try:
        metadata = pq.read_schema(path).metadata or {}
    except (OSError, ValueError):
        return None
    raw = metadata.get(FINGERPRINT_KEY.encode())
    return json.loads(raw) if raw else None


def matches(path: Path, config: Any) -> bool:
    """Whether the file at ``path`` exists and was made by ``config`` (same hash, same seed)."""
    return read_fingerprint(path) == fingerprint(config)


# --- folder checks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lock:
    """The lock a run holds on its results folder."""

    path: Path
    pid: int
    host: str

    def release(self) -> None:
        """Remove the lock file if this process still holds it."""
        holder = read_lock(self.path)
        if holder and holder.get("pid") == self.pid and holder.get("host") == self.host:
            self.path.unlink(missing_ok=True)


def read_lock(path: Path) -> dict[str, Any] | None:
    """The holder recorded in a lock file, or None when there is none or it is unreadable."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def holder_is_live(holder: dict[str, Any]) -> bool:
    """A holder is live unless it ran on this host and its process is gone."""
    if holder.get("host") != socket.gethostname():
        return True
    return _alive(int(holder.get("pid", -1)))


def describe_holder(holder: dict[str, Any]) -> str:
    """'pid 123 on host h since 2026-01-01T10:00:00'."""
    return (
        f"pid {holder.get('pid', '?')} on host {holder.get('host', '?')} "
        f"since {holder.get('started', '?')}"
    )


def check_not_locked(folder: Path) -> None:
    """Refuse a folder another live run is writing into (naming that run)."""
    lock = Path(folder) / LOCK_NAME
    holder = read_lock(lock) if lock.exists() else None
    if lock.exists() and (holder is None or holder_is_live(holder)):
        who = describe_holder(holder) if holder else "an unknown run (unreadable lock)"
        raise ConfigError(
            f"results folder {folder} is in use by {who} (lock {lock}); expected a folder no "
            "other run is writing: wait for it to finish or choose another hydra.run.dir"
        )


def acquire_lock(folder: Path) -> Lock:
    """Create ``folder`` if needed and take its lock; a stale lock (dead process) is replaced."""
    folder = Path(folder)
    check_not_locked(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    path.unlink(missing_ok=True)  # stale: check_not_locked found no live holder
    me = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": dt.datetime.now().isoformat(timespec="seconds"),
    }
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:  # another run took it between the check and now
        check_not_locked(folder)
        raise
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(me, handle)
    return Lock(path, me["pid"], me["host"])


def contents(folder: Path) -> list[Path]:
    """Files and folders in ``folder`` (none when it does not exist)."""
    folder = Path(folder)
    return sorted(folder.iterdir()) if folder.is_dir() else []


def check_new_folder(folder: Path) -> None:
    """Without ``resume=``, refuse a folder that already holds anything."""
    found = contents(folder)
    if found:
        names = ", ".join(p.name for p in found[:3]) + (", ..." if len(found) > 3 else "")
        raise ConfigError(
            f"hydra.run.dir = {folder}: the folder already holds {len(found)} item(s) ({names}); "
            f"expected a new or empty folder, or resume={folder} to complete the run saved there"
        )


def comparable(cfg: DictConfig) -> dict[str, Any]:
    """The resolved config without Hydra's node and the run settings."""
    keep = [str(k) for k in cfg if k != "hydra"]
    values = OmegaConf.to_container(OmegaConf.masked_copy(cfg, keep), resolve=True)
    assert isinstance(values, dict)
    for key in RUN_SETTINGS:
        values.pop(key, None)
    return values


def check_resume_matches(cfg: DictConfig, folder: Path) -> None:
    """With ``resume=``, refuse unless the folder holds a config.yaml equal to ``cfg``."""
    saved = Path(folder) / "config.yaml"
    if not saved.exists():
        raise ConfigError(f"resume = {folder}: expected a results folder with a config.yaml")
    previous = OmegaConf.to_container(OmegaConf.load(saved), resolve=False)
    assert isinstance(previous, dict)
    for key in (*RUN_SETTINGS, "hydra"):
        previous.pop(key, None)
    current = comparable(cfg)
    if previous != current:
        differing = sorted(
            k for k in set(previous) | set(current) if previous.get(k) != current.get(k)
        )
        raise ConfigError(
            f"resume = {folder}: the config differs from the one saved there "
            f"(keys: {', '.join(differing)}); expected the same command as the first run"
        )


def nearest_existing(path: Path) -> Path:
    """The path itself if it exists, else its nearest existing parent (absolute)."""
    path = Path(path).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_writable(folder: Path) -> None:
    """Refuse a results location that cannot be created or written (read-only, no permission)."""
    probe = nearest_existing(folder)
    if not probe.is_dir():
        raise ConfigError(
            f"hydra.run.dir = {folder}: {probe} is a file; expected a folder to write results into"
        )
    if not os.access(probe, os.W_OK | os.X_OK):
        raise ConfigError(
            f"hydra.run.dir = {folder}: {probe} is not writable (read-only or no permission); "
            "expected a writable results location: choose another hydra.run.dir"
        )


def remove_stale_tmp(folder: Path) -> list[Path]:
    """Delete ``*.tmp`` files left by writes cut short (call only while holding the lock)."""
    stale = [p for p in Path(folder).rglob("*.tmp") if p.is_file()]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale
