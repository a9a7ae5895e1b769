"""A fast point estimate with optuna, for model development: the values with the least deviance.

Each trial proposes parameter values (optuna's TPE sampler, seeded from ``seed``), simulates the
surveys with the same ``point_seeds`` seeds in every trial (common random numbers: differences
between trials are then differences of parameters, not of luck) and scores the mean over seeds
of the binomial or multinomial deviance (:func:`experiments.calibration.discrepancy.deviance`;
beta-binomial when the set fits ``likelihood.dispersion``) of the published figures against the
model's staff shares. The best trial is the estimate. It has
no interval: use ABC-SMC for how sure the fit is. The trials table shows how the deviance varies
with each parameter (a flat cloud: the data say little about it).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import optuna
import pandas as pd
from joblib import delayed

from experiments.calibration.discrepancy import deviance
from experiments.calibration.parameters import configure
from experiments.calibration.problem import CalibrationProblem
from experiments.calibration.simulate import simulate_survey
from experiments.parallel import parallel

POINT_STREAM = 0xB0B


@dataclass
class PointResult:
    """The best trial, every trial, and the cost."""

    best: dict[str, float]
    best_deviance: float
    trials: pd.DataFrame
    simulations: int
    wall_time_s: float

    def as_posterior(self, names: list[str]) -> pd.DataFrame:
        """The estimate as a one-particle 'posterior' (weight 1), for the shared outputs."""
        row = {"generation": 0, "particle": 0, **{k: self.best[k] for k in names}}
        return pd.DataFrame([{**row, "weight": 1.0, "distance": self.best_deviance, "seed": -1}])


def common_seeds(seed: int, count: int) -> list[int]:
    """The simulation seeds shared by every trial."""
    children = np.random.SeedSequence([int(seed), POINT_STREAM]).spawn(count)
    return [int(c.generate_state(1, dtype=np.uint32)[0] >> 1) for c in children]


def _trial_deviance(problem: CalibrationProblem, values: dict[str, float], seed: int) -> float:
    config, survey_error = configure(problem.base, problem.values_by_key(values))
    probabilities = simulate_survey(
        config, problem.plan, seed, group_weights=problem.group_weights
    ).probabilities
    return deviance(problem.plan, probabilities, survey_error)


def run_point(
    problem: CalibrationProblem, seed: int, n_jobs: int, progress: bool = True
) -> PointResult:
    """Minimise the mean deviance over ``point_trials`` optuna trials."""
    settings = problem.settings
    seeds = common_seeds(seed, settings.point_seeds)
    optuna.logging.set_verbosity(optuna.logging.INFO if progress else optuna.logging.WARNING)
    logging.getLogger("optuna").setLevel(logging.INFO if progress else logging.WARNING)
    study = optuna.create_study(
        direction="minimize", sampler=optuna.samplers.TPESampler(seed=int(seed))
    )
    started = time.perf_counter()
    with parallel(min(n_jobs, len(seeds)) if n_jobs > 0 else n_jobs) as pool:

        def objective(trial: optuna.Trial) -> float:
            values = {
                p.name: trial.suggest_float(p.name, p.low, p.high) for p in problem.parameters
            }
            scores = pool(delayed(_trial_deviance)(problem, values, s) for s in seeds)
            return float(np.mean(scores))

        study.optimize(objective, n_trials=settings.point_trials)
    trials = study.trials_dataframe(attrs=("number", "value", "params"))
    trials = trials.rename(columns={"value": "deviance"})
    trials.columns = [c.removeprefix("params_") for c in trials.columns]
    return PointResult(
        best={k: float(v) for k, v in study.best_params.items()},
        best_deviance=float(study.best_value),
        trials=trials,
        simulations=settings.point_trials * len(seeds),
        wall_time_s=time.perf_counter() - started,
    )
