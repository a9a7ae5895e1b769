"""Checks before Hydra starts: compose the command line, validate it, claim the results folder.

Hydra writes ``.hydra/`` and its log into the run folder before ``run.py``'s task function runs,
so a run refused there would already have changed the folder. :func:`preflight` therefore
composes the config itself (Hydra's compose API, the same config search path and overrides),
checks everything that can be checked without running the model - unknown keys, list indices,
values, run settings, paths, the folder's lock and owner, disk space and the expected memory -
and only then takes the folder's lock and hands Hydra the resolved folder as ``hydra.run.dir``
(so both agree on a timestamped name). Command lines with Hydra flags (``-m``, ``--cfg``, ...)
go to Hydra unchecked.
"""

from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import ConfigKeyError, OmegaConfBaseException

from experiments import guard
from experiments.errors import CONF_DIR, describe, free_space
from experiments.estimate import available_memory_gb, cores, duration, estimate
from experiments.parallel import check_settings as check_parallel
from experiments.schema import (
    RunConfig,
    register_configs,
    replicate_range,
    validate_experiment,
)
from model import as_model_config
from model.validation import ConfigError, check_go_live

MIN_FREE_BYTES = 50e6
PATH_KEYS = ("hydra.run.dir", "hydra.sweep.dir", "resume")
_WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]|\\")
_PLAIN_VALUE = re.compile(r"[\w/.\-:+@]+")
_LIST_INDEX = re.compile(r"^(?P<list>.+)\[(?P<index>\d+)\]$")


def register_resolvers() -> None:
    """Register the schema and the ``output_dir`` resolver of ``conf/config.yaml``."""
    register_configs()
    OmegaConf.register_new_resolver(
        "output_dir",
        lambda resume, name: resume or f"results/{name}/{datetime.now():%Y-%m-%d_%H-%M-%S}",
        replace=True,
    )


@dataclass
class Plan:
    """What :func:`preflight` decided: Hydra's command line and the claimed results folder."""

    args: list[str]
    folder: Path | None = None
    lock: guard.Lock | None = None
    created: bool = False

    def finish(self, refused: bool) -> None:
        """Release the lock; a folder this run created and a fault refused is removed again."""
        if self.lock is not None:
            self.lock.release()
        if refused and self.created and self.folder is not None and self.folder.is_dir():
            found = guard.contents(self.folder)
            hydra_only = all(p.name == ".hydra" or p.suffix == ".log" for p in found)
            if hydra_only:
                shutil.rmtree(self.folder, ignore_errors=True)


def _value_of(args: list[str], key: str) -> str | None:
    for arg in args:
        name, _, value = arg.partition("=")
        if name.lstrip("+~") == key and _:
            return value
    return None


def check_paths(args: list[str]) -> None:
    """Refuse Windows paths (a drive letter or backslashes) for folders on this machine."""
    for key in PATH_KEYS:
        value = _value_of(args, key)
        if value is not None and _WINDOWS_PATH.search(value.strip("'\"")):
            raise ConfigError(
                f"{key} = {value!r}: a Windows path; expected a path on this machine written "
                "with '/' (e.g. results/my_run or /data/results/my_run)"
            )


def _explain_list_index(error: BaseException, args: list[str]) -> str | None:
    """'tools.5: there are only 1 tools ...' for an override past the end of a list."""
    cause = error.__cause__
    match = _LIST_INDEX.match(str(getattr(cause, "full_key", "") or ""))
    if not match:
        return None
    name, index = match["list"], int(match["index"])
    keep = [a for a in args if not a.lstrip("+~").startswith(f"{name}.")]
    try:
        items = OmegaConf.select(compose(config_name="config", overrides=keep), name)
    except (HydraException, OmegaConfBaseException):
        return None
    count = len(items) if items is not None else 0
    return (
        f"{name}.{index}: there are only {count} {name} ({name}.0 to {name}.{count - 1}); "
        f"expected an index from 0 to {count - 1}, or add an entry in the {name} YAML"
    )


def _unknown_key(cfg: DictConfig) -> str | None:
    """The first key of ``cfg`` the schema does not know, explained; None when all are known."""
    values = OmegaConf.to_container(without_hydra(cfg), resolve=True)
    try:
        OmegaConf.merge(OmegaConf.structured(RunConfig), values)
    except ConfigKeyError as error:
        full_key = str(error.full_key)
        parent, _, key = full_key.rpartition(".")
        known = _known_keys(error.object_type)
        where = parent or "the top level"
        accepted = f"one of {', '.join(known)}" if known else "a key the schema defines"
        return f"{full_key}: no key {key!r} in {where}; expected {accepted} (check the spelling)"
    return None


def without_hydra(cfg: DictConfig) -> DictConfig:
    """``cfg`` without Hydra's own node (which only resolves inside a Hydra run)."""
    return OmegaConf.masked_copy(cfg, [str(k) for k in cfg if k != "hydra"])


def _known_keys(object_type: Any) -> list[str]:
    try:
        return [f.name for f in fields(object_type)]
    except TypeError:
        return []


def compose_checked(args: list[str]) -> DictConfig:
    """Compose the command line as Hydra would; refuse unknown keys and indices past a list."""
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        try:
            cfg = compose(config_name="config", overrides=args, return_hydra_config=True)
        except (HydraException, OmegaConfBaseException) as error:
            raise ConfigError(_explain_list_index(error, args) or describe(error)) from error
    GlobalHydra.instance().clear()
    if problem := _unknown_key(cfg):
        raise ConfigError(problem)
    return cfg


def check_settings(cfg: DictConfig) -> None:
    """Values of the run, the experiment and the model: each fault named with what is accepted."""
    if cfg.n_jobs != -1 and cfg.n_jobs < 1:
        raise ConfigError(
            f"n_jobs = {cfg.n_jobs}: expected -1 (every core) or a number of processes from 1 "
            f"(this job may use {cores()} cores)"
        )
    check_parallel(cfg.parallel)
    check_shards(cfg)
    for i, programme in enumerate(cfg.strategy.programmes):
        if OmegaConf.is_missing(programme, "modality"):
            raise ConfigError(
                f"strategy '{cfg.strategy.name}': programmes.{i}.modality is missing: expected "
                f"one of {', '.join(cfg.training.modalities)} (a required field)"
            )
    if cfg.experiment.scenarios:
        validate_experiment(cfg.experiment)
        baseline = cfg.experiment.baseline
        if baseline is not None and baseline not in cfg.experiment.scenarios:
            raise ConfigError(
                f"experiment.baseline = {baseline!r}: expected one of the scenarios "
                f"{', '.join(cfg.experiment.scenarios)}"
            )
    if problems := check_go_live(as_model_config(without_hydra(cfg))):
        raise ConfigError("; ".join(problems))
    if cfg.get("optimise") is not None:
        from experiments.optimise.space import check_optimise

        check_optimise(cfg)


def check_shards(cfg: DictConfig) -> None:
    """Shards split the replicates of a scenario experiment; refuse them anywhere else."""
    shards = cfg.experiment.shards
    if shards == 1:
        return
    design = (
        "calibration"
        if cfg.calibration.mode != "off"
        else "a sensitivity design"
        if cfg.sensitivity.enabled
        else "a PSA"
        if cfg.get("psa") is not None
        else None
    )
    if design or not cfg.experiment.scenarios:
        raise ConfigError(
            f"experiment.shards = {shards}: shards split the replicates of a scenario experiment, "
            f"not {design or 'a single run'}; expected experiment.shards=1 (spread "
            f"{design or 'it'} over a cluster with parallel.backend=dask instead)"
        )


def check_resources(cfg: DictConfig, folder: Path) -> None:
    """Print the estimate of time and memory; refuse a run the machine cannot hold.

    Calibration, PSA, sensitivity and optimisation runs size their own designs (their settings
    groups), so the scenario count here would mislead: they get no estimate.
    """
    designed = cfg.get("psa") is not None or cfg.get("optimise") is not None
    if cfg.calibration.mode != "off" or cfg.sensitivity.enabled or designed:
        return
    experiment = cfg.experiment
    runs = 1
    if experiment.scenarios:
        runs = len(experiment.scenarios) * max(1, len(experiment.conditions))
        runs *= len(replicate_range(experiment))
    guess = estimate(runs, cfg.population.n_workers, cfg.weeks, cfg.n_jobs)
    remote = cfg.parallel.backend == "dask" and cfg.parallel.address
    if remote:  # the scheduler's workers set the time and hold the memory
        print(
            f"estimate: {runs:,} run(s) of about {duration(guess.seconds_per_run)} each on the "
            f"Dask cluster at {cfg.parallel.address}",
            flush=True,
        )
    else:
        print(guess.describe(), flush=True)
    available = available_memory_gb()
    if not remote and available is not None and guess.peak_gb > available and not cfg.force:
        raise ConfigError(
            f"estimated peak memory {guess.peak_gb:.1f} GB ({guess.processes} process(es) x "
            f"{cfg.population.n_workers:,} workers) exceeds the {available:.1f} GB available; "
            "expected a run that fits: lower n_jobs or population.n_workers, or add force=true"
        )
    try:
        free = shutil.disk_usage(guard.nearest_existing(folder)).free
    except OSError:
        return
    if free < MIN_FREE_BYTES:
        raise ConfigError(
            f"hydra.run.dir = {folder}: only {free_space(folder)} free on that disk; expected at "
            f"least {MIN_FREE_BYTES / 1e6:.0f} MB for the results"
        )


def check_folder(cfg: DictConfig, folder: Path) -> None:
    """The folder is writable, not in use, and new (or, with resume=, made by the same config)."""
    guard.check_writable(folder)
    guard.check_not_locked(folder)
    if cfg.resume:
        guard.check_resume_matches(cfg, folder)
    else:
        guard.check_new_folder(folder)


def _quoted(path: Path) -> str:
    text = str(path)
    if _PLAIN_VALUE.fullmatch(text):
        return text
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def preflight(args: list[str]) -> Plan:
    """Check a command line before Hydra runs it and claim its results folder.

    Args:
        args: The command line after ``run.py`` (Hydra overrides).

    Returns:
        The plan: Hydra's command line (with the resolved ``hydra.run.dir``) and the lock.

    Raises:
        ConfigError: A fault, named with its value and what is accepted; nothing was written.
    """
    register_resolvers()
    if any(arg.startswith("-") for arg in args):
        return Plan(list(args))
    check_paths(args)
    cfg = compose_checked(args)
    check_settings(cfg)
    folder = Path(cfg.hydra.run.dir)
    check_folder(cfg, folder)
    check_resources(cfg, folder)
    created = not folder.exists()
    lock = guard.acquire_lock(folder)
    if cfg.resume:
        for path in guard.remove_stale_tmp(folder):
            print(f"removed a stale temporary file: {path}", file=sys.stderr)
    hydra_args = [a for a in args if a.partition("=")[0].lstrip("+~") != "hydra.run.dir"]
    return Plan([*hydra_args, f"hydra.run.dir={_quoted(folder)}"], folder, lock, created)
