"""``python run.py --help``: what the tool does, its experiments, config groups and examples.

Reads only the YAML files under ``conf/`` (no model, Hydra or plotting imports), so it answers in
a fraction of a second. Hydra's own help, with the full config, stays at ``--hydra-help``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import yaml

HELP_FLAGS = ("--help", "-h")

INTRO = """\
ai-confidence-abm: an agent-based simulation of how NHS staff's confidence in AI tools evolves
with education, use and colleagues, to compare education strategies by how appropriately
confident (trust matching the tool's real reliability) they leave the workforce, at what cost.

usage: python run.py [key=value ...] [group=option ...] [experiment=NAME]
       python run.py -m key=a,b ...          (a sweep: one job per value)"""

EXAMPLES = """\
examples:
  python run.py experiment=training_mix              # the planners' comparison (report.html)
  python run.py experiment=training_mix n_jobs=2 experiment.replicates=40
  python run.py weeks=104 tools.0.reliability=0.7 seed=7   # one scenario, values overridden
  python run.py strategy=champions strategy.budget_gbp=100000
  python run.py experiment=optimise_mix optimise=quick   # search for the best training mix
  python run.py experiment=calibrate calibration/settings=quick
  python run.py experiment=training_mix parallel.backend=dask   # on a Dask LocalCluster
  python run.py -m hydra/launcher=slurm experiment=training_mix experiment.shards=4 \\
      'experiment.shard=range(4)'                   # 4 SLURM jobs, pooled at the end
  python run.py --cfg job                            # print the full resolved config
  python run.py --hydra-help                         # Hydra's own help"""

CLUSTER = """\
beyond one machine (README, "Running on a cluster"; pip install -e ".[cluster]"):
  n_jobs=-1                    processes = cores allocated to the job (taskset, SLURM), default
  parallel.backend=loky|dask   dask: every run a Dask task (experiments, PSA, sensitivity, ABC)
  parallel.address=tcp://host:8786   a running `dask scheduler` (empty: a LocalCluster of n_jobs)
  experiment.shards=N experiment.shard=k   run only shard k of the replicates (0 <= k < N)
  python -m experiments.pool OUT SHARD_FOLDER...   pool shards into one experiment's results
  hydra/launcher=slurm | submitit_local   submit a -m sweep (e.g. 'experiment.shard=range(N)')
                                          as a SLURM job array, or as local processes"""

MORE = """\
every parameter, its unit, default and source: docs/ODD.md (Parameters) and
data/evidence/parameters.csv (prior and evidence per parameter). Results go to
results/<name>/<date>_<time>/; resume an interrupted run with resume=<that folder>."""


def _experiments(conf: Path) -> list[tuple[str, str]]:
    """(name, question) of every experiment config, from its YAML."""
    found = []
    for path in sorted((conf / "experiment").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        question = (data.get("experiment") or {}).get("question") or ""
        found.append((path.stem, " ".join(str(question).split())))
    return found


def _groups(conf: Path) -> list[tuple[str, list[str]]]:
    """(group, options) of every config group folder under ``conf/``."""
    groups = []
    for folder in sorted(p for p in conf.iterdir() if p.is_dir()):
        options = sorted(p.stem for p in folder.glob("*.yaml"))
        if options and folder.name != "experiment":
            groups.append((folder.name, options))
    return groups


def help_text(conf: Path) -> str:
    """The full help text."""
    lines = [INTRO, "", "experiments (experiment=NAME):"]
    for name, question in _experiments(conf):
        wrapped = textwrap.wrap(question, width=74) or [""]
        lines.append(f"  {name:<20} {wrapped[0]}")
        lines += [f"  {'':<20} {more}" for more in wrapped[1:]]
    lines += ["", "config groups (group=option):"]
    for group, options in _groups(conf):
        lines.append(f"  {group:<20} {', '.join(options)}")
    lines += ["", EXAMPLES, "", CLUSTER, "", MORE]
    return "\n".join(lines)
