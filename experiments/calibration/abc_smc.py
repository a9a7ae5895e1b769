"""ABC-SMC with pyABC: the posterior of the fitted parameters given the survey figures.

Each particle is one simulation (:func:`experiments.calibration.simulate.simulate_survey`) with
parameters drawn from the uniform priors (generation 0) or perturbed from the last generation
(a multivariate normal kernel), accepted when the deviance of the published figures given its
staff shares and survey error (:class:`SurveyDeviance`) is at most the generation's threshold
epsilon. Generation 0 accepts every prior draw
(epsilon = infinity), so it is a prior predictive sample; each later threshold is a weighted
quantile (``calibration.epsilon_quantile``, default the median) of the previous generation's
distances. The run stops at the first of: ``max_generations`` generations,
``epsilon <= min_epsilon``, ``max_simulations`` simulations in total, ``max_walltime_minutes``
(each checked after a generation, so a run can overshoot by one generation).

Everything goes into the SQLite database ``abc.db`` in the results folder, one generation at a
time; a run with ``resume=<folder>`` loads it (``ABCSMC.load``) and continues from the last
complete generation without recomputing the earlier ones.

Parallel and reproducible. Particles are simulated on ``n_jobs`` local processes
(``MulticoreEvalParallelSampler``; -1 = every core allocated to the job), or on a Dask cluster
with ``parallel.backend=dask`` (``DaskDistributedSampler``, :mod:`experiments.parallel`). Each
simulation's seed is drawn from numpy's global generator, which pyABC reseeds from the
operating system in every worker process (or Dask task), and workers finish particles in an order
that depends on timing: **a parallel ABC run is not bit-reproducible**. Each accepted
particle's seed is stored with it (summary statistic ``seed``), so any accepted particle can
be re-simulated exactly. With ``n_jobs=1`` pyABC samples in this process from the global
generator seeded from ``seed``: the run is then reproducible.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyabc
from pyabc.weighted_statistics import effective_sample_size

from experiments.calibration.discrepancy import SurveyDeviance
from experiments.calibration.parameters import configure
from experiments.calibration.problem import CalibrationProblem
from experiments.calibration.simulate import simulate_survey
from experiments.calibration.survey_error import NO_SURVEY_ERROR
from experiments.parallel import abc_sampler

DB_NAME = "abc.db"
SEED_KEY = "seed"
MAX_SEED = 2**31 - 1


class SurveyModel:
    """The model as pyABC calls it: parameters in; staff shares, survey error and seed out."""

    __name__ = "workforce_survey"

    def __init__(self, problem: CalibrationProblem) -> None:
        self.base = problem.base
        self.plan = problem.plan
        self.keys = {p.name: p.key for p in problem.parameters}
        self.group_weights = problem.group_weights

    def __call__(self, parameters: dict) -> dict[str, float]:
        """Simulate the fitted surveys for one particle; the seed comes from numpy's generator.

        Returns the model's staff share of every fitted figure (what the deviance compares the
        published counts with), the particle's survey error and the seed.
        """
        seed = int(np.random.randint(MAX_SEED))
        values = {self.keys[k]: v for k, v in parameters.items()}
        config, survey_error = configure(self.base, values)
        result = simulate_survey(config, self.plan, seed, group_weights=self.group_weights)
        return {**result.probabilities, **survey_error.as_values(), SEED_KEY: seed}


@dataclass
class AbcResult:
    """A finished (or stopped) ABC-SMC run read back from its database.

    ``simulations`` counts every simulation in the database, ``simulations_run`` those of this
    call (fewer after a resume); likewise ``generations_run``.
    """

    posterior: pd.DataFrame
    diagnostics: pd.DataFrame
    simulations: int
    simulations_run: int
    generations_run: int
    wall_time_s: float
    db: Path


def prior(problem: CalibrationProblem) -> pyabc.Distribution:
    """Independent uniform priors on [low, high]."""
    return pyabc.Distribution(
        **{p.name: pyabc.RV("uniform", p.low, p.width) for p in problem.parameters}
    )


def sampler(n_jobs: int) -> pyabc.sampler.Sampler:
    """The sampler of :func:`experiments.parallel.abc_sampler`.

    Single-core (reproducible) for one process, multicore evaluation-parallel for several, and
    pyABC's Dask sampler on a Dask session.
    """
    return abc_sampler(n_jobs)


def make_abc(problem: CalibrationProblem, n_jobs: int, resume: bool = False) -> pyabc.ABCSMC:
    """The pyABC object of a problem.

    A new run starts with epsilon = infinity (generation 0 accepts every prior draw); a resumed
    run starts from the weighted quantile of the last stored generation's distances, as if it
    had not stopped.
    """
    settings = problem.settings
    initial = "from_sample" if resume else np.inf
    return pyabc.ABCSMC(
        SurveyModel(problem),
        prior(problem),
        SurveyDeviance(problem.plan),
        population_size=settings.population_size,
        eps=pyabc.QuantileEpsilon(initial_epsilon=initial, alpha=settings.epsilon_quantile),
        sampler=sampler(n_jobs),
    )


def db_url(out_dir: Path) -> str:
    """SQLAlchemy address of the run's database."""
    return f"sqlite:///{(Path(out_dir) / DB_NAME).resolve()}"


def stored_generations(out_dir: Path) -> int:
    """Complete generations in the folder's database (0 if there is none)."""
    if not (Path(out_dir) / DB_NAME).exists():
        return 0
    return int(pyabc.History(db_url(out_dir)).n_populations)


def run_abc(
    problem: CalibrationProblem, out_dir: Path, n_jobs: int, seed: int, progress: bool = True
) -> AbcResult:
    """Run (or continue) ABC-SMC into ``out_dir/abc.db`` and read back posterior and diagnostics."""
    settings = problem.settings
    logging.getLogger("ABC").setLevel(logging.INFO if progress else logging.WARNING)
    done = stored_generations(out_dir)
    abc = make_abc(problem, n_jobs, resume=done > 0)
    if done:
        history = abc.load(db_url(out_dir), pyabc.History(db_url(out_dir)).id)
    else:
        # A database without a complete generation (stopped during generation 0) holds nothing
        # to continue from: start afresh rather than add a second run to it.
        (Path(out_dir) / DB_NAME).unlink(missing_ok=True)
        observed = {**problem.observed, **NO_SURVEY_ERROR.as_values(), SEED_KEY: -1}
        history = abc.new(db_url(out_dir), observed, meta_info={"targets": settings.targets})
    remaining = settings.max_generations - done
    simulated_before = int(history.total_nr_simulations or 0) if done else 0
    started = time.perf_counter()
    if remaining > 0 and not _stopped(history, settings, done):
        np.random.seed(np.random.SeedSequence([int(seed), done]).generate_state(1)[0])
        with warnings.catch_warnings():
            # pyABC compares epsilon with the previous one; inf - inf after generation 0 warns.
            warnings.filterwarnings("ignore", "invalid value encountered", RuntimeWarning)
            history = abc.run(
                minimum_epsilon=settings.min_epsilon,
                max_nr_populations=remaining,
                max_total_nr_simulations=settings.max_simulations,
                max_walltime=timedelta(minutes=settings.max_walltime_minutes),
            )
    wall = time.perf_counter() - started
    diagnostics = diagnostics_table(history)
    return AbcResult(
        posterior=posterior_table(history, problem.names),
        diagnostics=diagnostics,
        simulations=int(diagnostics.simulations.sum()),
        simulations_run=int(diagnostics.simulations.sum()) - simulated_before,
        generations_run=len(diagnostics) - done,
        wall_time_s=wall,
        db=Path(out_dir) / DB_NAME,
    )


def _stopped(history: pyabc.History, settings, done: int) -> bool:  # noqa: ANN001
    """Whether a loaded run already met a stopping rule other than the generation count."""
    if not done:
        return False
    populations = history.get_all_populations()
    last_eps = float(populations.epsilon.iloc[-1])
    return last_eps <= settings.min_epsilon or (
        int(history.total_nr_simulations) >= settings.max_simulations
    )


def posterior_table(history: pyabc.History, names: list[str]) -> pd.DataFrame:
    """The last generation: one row per particle with its parameters, weight, distance, seed."""
    population = history.get_population()
    rows = [
        {
            "generation": int(history.max_t),
            "particle": i,
            **{name: float(p.parameter[name]) for name in names},
            "weight": float(p.weight),
            "distance": float(p.distance),
            "seed": int(p.sum_stat[SEED_KEY]),
        }
        for i, p in enumerate(population.particles)
    ]
    table = pd.DataFrame(rows)
    table["weight"] = table["weight"] / table["weight"].sum()
    return table


def diagnostics_table(history: pyabc.History) -> pd.DataFrame:
    """Per generation: epsilon, simulations, acceptance rate, effective sample size, wall time."""
    populations = history.get_all_populations()
    populations = populations[populations.t >= 0].sort_values("t")
    rows = []
    for pop in populations.itertuples():
        _, weights = history.get_distribution(m=0, t=int(pop.t))
        rows.append(
            {
                "generation": int(pop.t),
                "epsilon": float(pop.epsilon),
                "simulations": int(pop.samples),
                "accepted": int(pop.particles),
                "acceptance_rate": pop.particles / pop.samples,
                "ess": float(effective_sample_size(weights)),
                "wall_time_s": float(pop.wall_time) if pop.wall_time is not None else np.nan,
            }
        )
    return pd.DataFrame(rows)
