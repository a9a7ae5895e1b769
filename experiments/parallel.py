"""Where runs execute: local processes (joblib's loky) or a Dask cluster (``parallel.*``).

Every parallel loop of the experiments (scenario runs, PSA runs, sensitivity points, calibration
trials and predictive draws) builds its ``joblib.Parallel`` with :func:`parallel`, and the ABC
sampler comes from :func:`abc_sampler`, so one setting moves them all:

- ``parallel.backend=loky`` (default): ``n_jobs`` processes on this machine (-1 = every core
  allocated to this process, :func:`cores`).
- ``parallel.backend=dask``: the runs are Dask tasks (``joblib.parallel_config(backend="dask")``
  with a ``distributed.Client``). ``parallel.address=tcp://host:8786`` connects to a running
  ``dask scheduler``, whose workers decide the parallelism; empty starts a ``LocalCluster`` on
  this machine with ``n_jobs`` single-threaded worker processes.

Results do not depend on the backend: every run carries its own seed (derived from the
experiment's seed, never from the process or the order runs finish in), and the tables are
collected in a fixed order. Workers write the run files themselves, so with a remote scheduler
the results folder must be on a filesystem every worker sees at the same path (checked before
any run starts, :func:`check_shared_folder`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib

from model.params import param
from model.validation import ConfigError

BACKENDS = ("loky", "dask")
CONNECT_TIMEOUT_S = 20
"""How long to wait for a Dask scheduler to answer before giving up with a message."""


@dataclass
class ParallelConfig:
    """The ``parallel`` settings of a run: which backend executes the model runs."""

    backend: str = param(
        "loky",
        unit="-",
        choices=BACKENDS,
        doc="loky: n_jobs local processes; dask: tasks on a Dask cluster (parallel.address)",
    )
    address: str = param(
        "",
        unit="-",
        doc="address of a running Dask scheduler (tcp://host:8786); empty = a LocalCluster of "
        "n_jobs worker processes on this machine (backend=dask only)",
    )


@dataclass(frozen=True)
class Session:
    """The active backend: its name, the Dask client (None for loky) and its worker count."""

    backend: str
    client: Any = None
    workers: int = 0


_ACTIVE: Session | None = None


def cores() -> int:
    """Cores this process may use: the scheduler's allocation, not the machine's core count.

    ``joblib.cpu_count`` honours the CPU affinity mask (``taskset``, SLURM's ``--cpus-per-task``
    binding), cgroup CPU quotas (containers) and ``LOKY_MAX_CPU_COUNT``, where ``os.cpu_count``
    reports every core of the node.
    """
    return max(1, int(joblib.cpu_count()))


def active() -> Session | None:
    """The Dask session entered with :func:`session`, or None (local processes)."""
    return _ACTIVE


def check_settings(settings: Any) -> None:
    """Refuse a backend or address that cannot work; one line naming the key.

    Args:
        settings: ``cfg.parallel`` (a :class:`ParallelConfig` or DictConfig).
    """
    backend, address = str(settings.backend), str(settings.address or "")
    if backend not in BACKENDS:
        raise ConfigError(f"parallel.backend = {backend!r}: expected one of {', '.join(BACKENDS)}")
    if address and backend != "dask":
        raise ConfigError(
            f"parallel.address = {address!r}: a Dask scheduler address is used only with "
            "parallel.backend=dask; expected parallel.backend=dask or no address"
        )
    if backend == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError as error:
            raise ConfigError(
                "parallel.backend = dask: the package 'distributed' is not installed; expected "
                "pip install 'ai-confidence-abm[cluster]'"
            ) from error


def _connect(address: str, n_jobs: int, processes: bool = True) -> tuple[Any, Any]:
    """A client of the scheduler at ``address``, or of a new LocalCluster (and that cluster)."""
    from distributed import Client, LocalCluster

    logging.getLogger("distributed").setLevel(logging.ERROR)
    if address:
        try:
            return Client(address, timeout=CONNECT_TIMEOUT_S), None
        except (OSError, TimeoutError) as error:
            raise ConfigError(
                f"parallel.address = {address!r}: no Dask scheduler answered within "
                f"{CONNECT_TIMEOUT_S} s ({error}); expected the address `dask scheduler` printed, "
                "e.g. tcp://node17:8786"
            ) from error
    workers = cores() if n_jobs == -1 else n_jobs
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=":0"
    )
    return Client(cluster), cluster


@contextmanager
def session(settings: Any, n_jobs: int = -1, processes: bool = True) -> Iterator[Session]:
    """Enter the backend of ``settings`` for every parallel loop run inside the block.

    Args:
        settings: ``cfg.parallel``; None means loky.
        n_jobs: Processes (loky), or worker processes of a LocalCluster (-1 = :func:`cores`).
        processes: A LocalCluster's workers are processes (False: threads of this process,
            for quick tests of the plumbing; the model holds the GIL, so no faster).

    Yields:
        The session (for loky, a session without a client).

    Raises:
        ConfigError: Bad settings, or no scheduler at ``parallel.address``.
    """
    global _ACTIVE
    if settings is None or str(settings.backend) == "loky":
        if settings is not None:
            check_settings(settings)
        yield Session("loky", None, cores() if n_jobs == -1 else n_jobs)
        return
    check_settings(settings)
    client, cluster = _connect(str(settings.address or ""), n_jobs, processes)
    previous = _ACTIVE
    try:
        workers = sum(client.ncores().values())
        _ACTIVE = Session("dask", client, workers)
        with joblib.parallel_config(backend="dask", client=client):
            yield _ACTIVE
    finally:
        _ACTIVE = previous
        client.close()
        if cluster is not None:
            cluster.close()


def parallel(n_jobs: int, **kwargs: Any) -> joblib.Parallel:
    """A ``joblib.Parallel`` on the active backend.

    Args:
        n_jobs: Processes for loky (-1 = every allocated core); ignored on Dask, where every
            worker of the cluster takes tasks.
        **kwargs: Passed on (``return_as``, ...).
    """
    if _ACTIVE is not None and _ACTIVE.backend == "dask":
        return joblib.Parallel(n_jobs=-1, **kwargs)
    return joblib.Parallel(n_jobs=cores() if n_jobs == -1 else n_jobs, **kwargs)


def abc_sampler(n_jobs: int) -> Any:
    """The ABC sampler: pyABC's Dask sampler on a Dask session, else a local one.

    Single-core (reproducible) for one process, multicore evaluation-parallel for several.

    Args:
        n_jobs: Local processes (-1 = every allocated core); ignored on Dask.
    """
    from pyabc.sampler import (
        DaskDistributedSampler,
        MulticoreEvalParallelSampler,
        SingleCoreSampler,
    )

    if _ACTIVE is not None and _ACTIVE.backend == "dask":
        return DaskDistributedSampler(dask_client=_ACTIVE.client, batch_size=1)
    n_procs = cores() if n_jobs < 1 else n_jobs
    if n_procs == 1:
        return SingleCoreSampler()
    return MulticoreEvalParallelSampler(n_procs=n_procs)


def _is_dir(path: str) -> bool:
    return os.path.isdir(path)


def check_shared_folder(folder: Path) -> None:
    """On Dask, refuse a results folder some worker cannot see (it would write elsewhere).

    Args:
        folder: The absolute folder the workers write into (created beforehand).
    """
    if _ACTIVE is None or _ACTIVE.backend != "dask":
        return
    seen = _ACTIVE.client.run(_is_dir, str(folder))
    blind = sorted(worker for worker, ok in seen.items() if not ok)
    if blind:
        raise ConfigError(
            f"results folder {folder}: Dask worker(s) {', '.join(blind)} cannot see it; expected "
            "a folder on a filesystem shared by every worker at the same path (set hydra.run.dir)"
        )
