"""Pool the shards of one experiment into the results of the whole experiment.

    python -m experiments.pool OUT SHARD_FOLDER [SHARD_FOLDER ...]

N jobs run ``experiment.shards=N experiment.shard=k`` (k = 0 .. N-1), each a disjoint, contiguous
range of the replicate numbers with the seeds those replicates have in the unsharded experiment
(:func:`experiments.schema.replicate_range`). Pooling checks that the shards belong together -
their configs agree in every key except ``experiment.shard`` and the run settings (``n_jobs``,
``parallel``, ...), each shard appears once, every run file is there with the seed its replicate
must have, and every scenario's runs share one model config - then copies the run files into
``OUT`` and writes the runs tables, summary, plots, report and manifest exactly as one job running
every replicate would (:func:`experiments.compare.finish`): the same summary.csv, bit for bit.
``OUT`` is built beside its final name and renamed when complete, so a refused or failed pooling
leaves nothing behind.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from experiments.guard import RUN_SETTINGS, read_fingerprint
from experiments.runner import DEFAULT_CONDITION, RunKey, replicate_seeds, snapshot_path
from experiments.schema import SHARD_KEYS, replicate_range
from model.validation import ConfigError


@dataclass(frozen=True)
class Shard:
    """A finished shard: its folder, saved config and manifest."""

    folder: Path
    cfg: DictConfig
    record: dict[str, Any]

    @property
    def index(self) -> int:
        """Which shard it is (0 for an unsharded run)."""
        return int(self.cfg.experiment.get("shard", 0))

    @property
    def count(self) -> int:
        """How many shards the experiment was split into."""
        return int(self.cfg.experiment.get("shards", 1))


def load_shard(folder: Path) -> Shard:
    """Read a shard's config and manifest; refuse a folder that is not a finished shard."""
    folder = Path(folder)
    config, record = folder / "config.yaml", folder / "manifest.json"
    if not config.exists():
        raise ConfigError(
            f"{folder}: no config.yaml; expected the results folder of a shard "
            "(python run.py experiment=... experiment.shards=N experiment.shard=k)"
        )
    cfg = OmegaConf.load(config)
    if not OmegaConf.select(cfg, "experiment.scenarios"):
        raise ConfigError(f"{folder}: not a scenario experiment; expected a shard of one")
    if not record.exists():
        raise ConfigError(
            f"{folder}: no manifest.json, so the shard did not finish; expected a finished "
            f"shard: complete it with its command and resume={folder}"
        )
    return Shard(folder, cfg, json.loads(record.read_text(encoding="utf-8")))


def _flat(values: Any, prefix: str = "") -> dict[str, Any]:
    """``{'a.b': 1, 'a.c.0': 2}`` from nested dicts and lists (lists kept whole)."""
    if isinstance(values, Mapping):
        flat: dict[str, Any] = {}
        for key, value in values.items():
            flat |= _flat(value, f"{prefix}{key}.")
        return flat or {prefix.rstrip("."): {}}
    return {prefix.rstrip("."): values}


def compared(cfg: DictConfig) -> dict[str, Any]:
    """The config as dotted keys, without the run settings and the shard keys."""
    values = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(values, dict)
    for key in RUN_SETTINGS:
        values.pop(key, None)
    flat = _flat(values)
    return {k: v for k, v in flat.items() if k not in SHARD_KEYS}


def check_shards(shards: Sequence[Shard]) -> None:
    """Refuse shards that are not exactly the shards of one experiment, naming the fault."""
    if not shards:
        raise ConfigError("no shard folders given; expected OUT followed by the shard folders")
    first = shards[0]
    reference = compared(first.cfg)
    for shard in shards[1:]:
        values = compared(shard.cfg)
        for key in sorted(set(reference) | set(values)):
            if reference.get(key) != values.get(key):
                raise ConfigError(
                    f"{shard.folder}: {key} = {values.get(key, '(absent)')!r} but "
                    f"{reference.get(key, '(absent)')!r} in {first.folder}; expected shards of one "
                    f"experiment, differing only in {', '.join(SHARD_KEYS)} and the run settings"
                )
    count = first.count
    seen: dict[int, Path] = {}
    for shard in shards:
        if shard.index in seen:
            raise ConfigError(
                f"experiment.shard = {shard.index}: given twice ({seen[shard.index]} and "
                f"{shard.folder}); expected each shard once"
            )
        seen[shard.index] = shard.folder
    missing = sorted(set(range(count)) - set(seen))
    if missing:
        raise ConfigError(
            f"experiment.shard = {', '.join(map(str, missing))} missing: {len(shards)} of "
            f"{count} shards given; expected one folder for each shard 0 to {count - 1}"
        )
    versions = {json.dumps(s.record.get("git", {}).get("commit")) for s in shards}
    if len(versions) > 1:
        print(
            f"warning: the shards ran at different git commits ({', '.join(sorted(versions))}); "
            "pooled anyway, since their configs agree",
            file=sys.stderr,
        )


def run_keys(cfg: DictConfig) -> list[RunKey]:
    """Every run of the whole experiment, in the order one job collects them."""
    experiment = cfg.experiment
    conditions = list(experiment.conditions or {}) or [DEFAULT_CONDITION]
    return [
        RunKey(scenario, condition, r)
        for scenario in experiment.scenarios
        for condition in conditions
        for r in range(int(experiment.replicates))
    ]


def locate_runs(shards: Sequence[Shard], keys: Sequence[RunKey]) -> dict[RunKey, Path]:
    """The ``runs/`` folder holding each run; refuse a missing run, a wrong seed or mixed configs.

    Each replicate must carry the seed it has in the whole experiment, and all replicates of a
    scenario and condition one model config (the fingerprint of :mod:`experiments.guard`).
    """
    cfg = shards[0].cfg
    seeds = replicate_seeds(int(cfg.seed), int(cfg.experiment.replicates))
    owner = {r: s for s in shards for r in replicate_range(s.cfg.experiment)}
    where: dict[RunKey, Path] = {}
    configs: dict[tuple[str, str], tuple[str, Path]] = {}
    for key in keys:
        shard = owner[key.replicate]
        path = shard.folder / "runs" / key.folder / f"{key.stem}.parquet"
        found = read_fingerprint(path)
        if found is None:
            raise ConfigError(
                f"{path}: missing or unreadable; expected every run of shard {shard.index}: "
                f"complete it with its command and resume={shard.folder}"
            )
        if int(found["seed"]) != seeds[key.replicate]:
            raise ConfigError(
                f"{path}: seed {found['seed']}, but replicate {key.replicate} has seed "
                f"{seeds[key.replicate]} with seed={cfg.seed}; expected the run of this experiment"
            )
        digest, first = configs.setdefault(
            (key.scenario, key.condition), (found["config_sha256"], path)
        )
        if digest != found["config_sha256"]:
            raise ConfigError(
                f"{path}: made by a different model config than {first}; expected every shard "
                "of one experiment at the same code and config"
            )
        where[key] = shard.folder / "runs"
    return where


def _copy(source: Path, target: Path) -> None:
    """Hard-link ``source`` to ``target`` (same disk), else copy it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def copy_runs(where: Mapping[RunKey, Path], out: Path) -> None:
    """Put every run's files (outcomes, by group, snapshot) under ``out`` as one job leaves them."""
    for key, runs_dir in where.items():
        for kind in ("_by_group", ""):
            name = f"{key.stem}{kind}.parquet"
            _copy(runs_dir / key.folder / name, out / "runs" / key.folder / name)
        snapshot = snapshot_path(key, runs_dir)
        if snapshot.exists():
            _copy(snapshot, snapshot_path(key, out / "runs"))


def unsharded(cfg: DictConfig) -> DictConfig:
    """The config with the shard keys at their defaults: the config of the whole experiment."""
    whole = OmegaConf.create(OmegaConf.to_container(cfg, resolve=True))
    whole.experiment.shard = 0
    whole.experiment.shards = 1
    return whole


def pool(out: Path, folders: Sequence[Path], progress: bool = True) -> dict:
    """Pool shard folders into ``out``; return what :func:`experiments.compare.finish` returns.

    Raises:
        ConfigError: ``out`` is not new, or the folders are not the shards of one experiment.
    """
    from experiments.compare import finish  # plotting and reporting load only when needed

    started = time.perf_counter()
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ConfigError(f"{out}: already exists; expected a new folder for the pooled results")
    shards = sorted((load_shard(Path(f)) for f in folders), key=lambda s: s.index)
    check_shards(shards)
    cfg = unsharded(shards[0].cfg)
    keys = run_keys(cfg)
    where = locate_runs(shards, keys)
    building = out.parent / f".{out.name}.pooling-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    try:
        building.mkdir(parents=True)
        copy_runs(where, building)
        (building / "config.yaml").write_text(OmegaConf.to_yaml(cfg), encoding="utf-8")
        counts = {
            "runs_total": len(keys),
            "runs_reused": sum(int(s.record.get("runs_reused", 0)) for s in shards),
            "runs_computed": sum(int(s.record.get("runs_computed", 0)) for s in shards),
            "simulation_wall_time_s": sum(
                float(s.record.get("simulation_wall_time_s", 0.0)) for s in shards
            ),
            "pooled_from": [str(s.folder) for s in shards],
            "shards": len(shards),
        }
        quiet = cfg.copy()
        quiet.progress = False  # finish would name the temporary folder
        result = finish(quiet, building, keys, counts, started)
        if out.is_dir():
            out.rmdir()
        os.replace(building, out)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    if progress:
        print(f"pooled {len(shards)} shard(s), {len(keys)} runs -> {out / 'report.html'}")
    return result


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m experiments.pool OUT FOLDER...``; faults end in one line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="new folder for the pooled results")
    parser.add_argument("folders", type=Path, nargs="+", help="the shards' results folders")
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    args = parser.parse_args(argv)
    try:
        pool(args.out, args.folders, progress=not args.quiet)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
