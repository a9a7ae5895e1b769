"""Simulation noise against sampling noise: how much of a predictive interval is the model's luck.

A figure's 90% predictive interval mixes three things: parameter uncertainty, the simulation's
own randomness at fixed parameters (a finite workforce) and the survey's sampling error (with its
survey error). :func:`noise_table` separates the second and third. It re-simulates the posterior
mean ``noise_replicates`` times with different seeds and takes, per figure, the spread of the
model's staff share (``probability``): the simulation noise at fixed parameters, with the
workforce of the predictive runs (``calibration.predictive_workers``). The sampling noise is
that of a survey of the figure's ``n`` at the observed share, ``sqrt(p (1 - p) / n x deff)``,
with the design effect ``1 + (n - 1) rho`` of the fitted survey error for the figure's kind of
question. Widths are of 90% normal intervals (``2 x 1.645 x sd``). The simulation-noise share of
the predictive interval is ``var_sim / var_predictive``, the variance of the posterior
predictive draws of the figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from joblib import delayed

from experiments.calibration.parameters import configure
from experiments.calibration.problem import CalibrationProblem
from experiments.calibration.simulate import simulate_survey
from experiments.calibration.survey_error import SurveyError, design_effect
from experiments.parallel import parallel

NOISE_STREAM = 0x401
Z90 = 1.6448536269514722


def noise_seeds(seed: int, count: int) -> list[int]:
    """Seeds of the fixed-parameter replicates, apart from every other stream."""
    children = np.random.SeedSequence([int(seed), NOISE_STREAM]).spawn(count)
    return [int(c.generate_state(1, dtype=np.uint32)[0] >> 1) for c in children]


def _probabilities(problem: CalibrationProblem, values: dict[str, float], seed: int) -> dict:
    config, _ = configure(problem.predictive_base, values)
    return simulate_survey(
        config, problem.full_plan, seed, group_weights=problem.group_weights
    ).probabilities


def replicate_shares(
    problem: CalibrationProblem, values_by_key: dict[str, float], seed: int, n_jobs: int
) -> pd.DataFrame:
    """The model's staff share of every figure in ``noise_replicates`` runs at fixed values."""
    seeds = noise_seeds(seed, problem.settings.noise_replicates)
    jobs = (delayed(_probabilities)(problem, values_by_key, s) for s in seeds)
    results = parallel(n_jobs)(jobs)
    return pd.DataFrame(
        [{"replicate": i, "figure_id": f, "probability": p}
         for i, shares in enumerate(results) for f, p in shares.items()]
    )  # fmt: skip


def noise_table(
    problem: CalibrationProblem,
    summary: pd.DataFrame,
    figures: pd.DataFrame,
    predictive: pd.DataFrame,
    seed: int,
    n_jobs: int,
) -> pd.DataFrame:
    """Per figure: simulation-noise and sampling widths (90%) and the simulation-noise share.

    Args:
        problem: The calibration problem.
        summary: The posterior summary (its means are the fixed values).
        figures: The figure table (observed share, n, predictive interval).
        predictive: Posterior predictive draws (``figure_id``, ``share``).
        seed: The run's seed.
        n_jobs: Processes.
    """
    values = {r.key: float(r.mean) for r in summary.itertuples()}
    replicates = replicate_shares(problem, values, seed, n_jobs)
    sim_sd = replicates.groupby("figure_id")["probability"].std(ddof=1)
    predictive_var = predictive.groupby("figure_id")["share"].var(ddof=1)
    survey_error = SurveyError.of_values(values)
    rows = []
    for f in figures.itertuples():
        sd = float(sim_sd.get(f.figure_id, np.nan))
        if f.n > 0:
            binomial = f.observed * (1 - f.observed) / f.n
            rho = survey_error.rho_of(f.quantity)
            sampling_sd = float(np.sqrt(binomial * design_effect(f.n, rho)))
            binomial_sd = float(np.sqrt(binomial))
        else:
            sampling_sd = binomial_sd = np.nan
        pred_var = float(predictive_var.get(f.figure_id, np.nan))
        rows.append(
            {
                "figure_id": f.figure_id,
                "status": f.status,
                "n": int(f.n),
                "simulation_width90": 2 * Z90 * sd,
                "sampling_width90": 2 * Z90 * binomial_sd,
                "survey_width90": 2 * Z90 * sampling_sd,
                "predictive_width90": float(f.predicted_high90 - f.predicted_low90),
                "simulation_share_of_variance": sd**2 / pred_var if pred_var > 0 else np.nan,
                "simulation_below_sampling": bool(sd < binomial_sd) if f.n > 0 else False,
            }
        )
    return pd.DataFrame(rows)


def noise_sentence(noise: pd.DataFrame, n_workers: int) -> str:
    """One plain sentence: is the simulation noise below the sampling noise?"""
    usable = noise[(noise.n > 0) & (noise.status == "fitted")]
    if usable.empty:
        return ""
    below = int(usable.simulation_below_sampling.sum())
    worst = usable.loc[(usable.simulation_width90 / usable.sampling_width90).idxmax()]
    return (
        f"Simulation noise at fixed parameters ({n_workers:,} workers) is below the survey's "
        f"sampling error for {below} of {len(usable)} fitted figures; the largest ratio is "
        f"{worst.figure_id} ({100 * worst.simulation_width90:.1f} against "
        f"{100 * worst.sampling_width90:.1f} points, 90% widths); the simulation noise makes up "
        f"a median {usable.simulation_share_of_variance.median():.0%} of the predictive variance."
    )
