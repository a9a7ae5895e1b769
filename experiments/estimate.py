"""Time and memory of a run before it starts: runs x workers x weeks -> seconds and gigabytes.

The figures are per process, measured with ``/usr/bin/time -f '%M KB %e s'`` on the development
machine (model v2, network ``teams``, one tool):

=====================  ==========  ===========
workers x weeks        model time  peak memory
=====================  ==========  ===========
500 x 156              0.14 s      0.20 GB
5,000 x 156            0.29 s      0.20 GB
50,000 x 52            0.52 s      0.24 GB
200,000 x 30           1.32 s      0.38 GB
=====================  ==========  ===========

so a run takes about ``0.15 s + 1.5e-7 s`` per worker-week plus ``2e-6 s`` per worker to set up,
and a process needs about ``0.2 GB + 0.9 KB`` per worker. An estimate is a guide, not a promise.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from experiments.parallel import cores

SECONDS_PER_RUN = 0.15
SECONDS_PER_WORKER_WEEK = 1.5e-7
SECONDS_PER_WORKER_SETUP = 2e-6
PROCESS_BASE_GB = 0.2
GB_PER_WORKER = 0.9e-6
LONG_RUN_S = 20.0
"""A single run longer than this shows a progress bar that moves every week."""


@dataclass(frozen=True)
class Estimate:
    """Expected wall time and peak memory of a run or experiment."""

    runs: int
    workers: int
    weeks: int
    processes: int
    seconds_per_run: float
    seconds: float
    peak_gb: float

    @property
    def long_runs(self) -> bool:
        """Whether one run is long enough to deserve a per-week progress bar."""
        return self.seconds_per_run > LONG_RUN_S

    def describe(self) -> str:
        """One line for the terminal."""
        return (
            f"estimate: {self.runs:,} run(s) x {self.workers:,} workers x {self.weeks} weeks on "
            f"{self.processes} process(es): about {duration(self.seconds)}, "
            f"peak memory about {self.peak_gb:.1f} GB"
        )


def duration(seconds: float) -> str:
    """'25 s', '12 min' or '1.5 h'."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def processes_for(n_jobs: int, runs: int) -> int:
    """Worker processes joblib starts for ``runs`` runs with ``n_jobs`` (-1 = every core)."""
    wanted = cores() if n_jobs == -1 else n_jobs
    return max(1, min(wanted, runs))


def estimate(runs: int, workers: int, weeks: int, n_jobs: int) -> Estimate:
    """Expected wall time and peak memory of ``runs`` runs of ``workers`` x ``weeks``."""
    processes = processes_for(n_jobs, runs)
    per_run = (
        SECONDS_PER_RUN
        + SECONDS_PER_WORKER_SETUP * workers
        + SECONDS_PER_WORKER_WEEK * workers * weeks
    )
    waves = -(-runs // processes)
    per_process_gb = PROCESS_BASE_GB + GB_PER_WORKER * workers
    parent_gb = PROCESS_BASE_GB if processes > 1 else 0.0
    return Estimate(
        runs=runs,
        workers=workers,
        weeks=weeks,
        processes=processes,
        seconds_per_run=per_run,
        seconds=waves * per_run,
        peak_gb=processes * per_process_gb + parent_gb,
    )


def available_memory_gb() -> float | None:
    """Memory available to new processes (MemAvailable of /proc/meminfo), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024 / 1e9
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 1e9
    except (ValueError, OSError, AttributeError):
        return None
