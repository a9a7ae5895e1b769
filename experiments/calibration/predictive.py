"""The posterior predictive: fitted parameter values re-simulated, against every survey figure.

``predictive_draws`` particles are drawn from the posterior by weight (with replacement) and each
is simulated once with a fresh seed, asking every survey (fitted and held out) and recording the
model's answer shares over time. Two kinds of prediction follow:

- per figure, the simulated survey's share (drawn with the figure's ``n`` and the particle's
  survey error): its 5-95% range is a 90% predictive interval for the published figure,
  its 25-75% range a 50% one, parameter uncertainty, the model's own randomness, between-survey
  variation and sampling error together (for a figure without n, the model's staff share);
- per model series, the share of the staff who would give the answer, week by week: its 5-95%
  band shows what the model says happened between and beyond the survey waves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import delayed
from scipy.stats import norm

from experiments.calibration.parameters import ParameterSpec, configure
from experiments.calibration.problem import CalibrationProblem
from experiments.calibration.simulate import SurveyAsk, plan_series, simulate_survey
from experiments.parallel import parallel
from model.config import ModelConfig

PREDICTIVE_STREAM = 0x9ED
LOW, HIGH = 0.05, 0.95
LOW50, HIGH50 = 0.25, 0.75


@dataclass
class Predictive:
    """Posterior predictive simulations.

    Attributes:
        draws: One row per draw: its parameter values and seed.
        figures: One row per draw and figure: ``share`` (the simulated survey),
            ``probability`` (the model's staff share) and ``rho`` (the draw's survey error
            for the figure's question).
        trajectories: One row per draw, week and series: the staff share giving the answer.
    """

    draws: pd.DataFrame
    figures: pd.DataFrame
    trajectories: pd.DataFrame


def draw_seeds(seed: int, count: int) -> list[int]:
    """Seeds of the predictive simulations, apart from every fitted simulation's."""
    children = np.random.SeedSequence([int(seed), PREDICTIVE_STREAM]).spawn(count)
    return [int(c.generate_state(1, dtype=np.uint32)[0] >> 1) for c in children]


def _simulate_draw(
    base: ModelConfig,
    parameters: Sequence[ParameterSpec],
    values: dict[str, float],
    plan: Sequence[SurveyAsk],
    seed: int,
    every_weeks: int,
    group_weights: np.ndarray | None = None,
) -> tuple[dict, dict, dict, pd.DataFrame]:
    config, survey_error = configure(base, {p.key: values[p.name] for p in parameters})
    result = simulate_survey(
        config,
        plan,
        seed,
        series=plan_series(plan),
        every_weeks=every_weeks,
        survey_error=survey_error,
        group_weights=group_weights,
    )
    rho = {f: survey_error.rho(ask) for ask in plan for f in ask.figure_ids}
    return result.shares, result.probabilities, rho, result.trajectory


def posterior_predictive(
    problem: CalibrationProblem, posterior: pd.DataFrame, seed: int, n_jobs: int
) -> Predictive:
    """Simulate ``predictive_draws`` posterior particles (drawn by weight) once each.

    The runs have ``calibration.predictive_workers`` workers (:attr:`CalibrationProblem.
    predictive_base`), so the intervals carry little of a small model workforce's own noise.
    """
    settings = problem.settings
    rng = np.random.default_rng([int(seed), PREDICTIVE_STREAM])
    weights = posterior["weight"].to_numpy(dtype=float)
    picks = rng.choice(len(posterior), size=settings.predictive_draws, p=weights / weights.sum())
    seeds = draw_seeds(seed, settings.predictive_draws)
    draws = posterior.iloc[picks][problem.names].reset_index(drop=True)
    draws.insert(0, "draw", range(len(draws)))
    draws["seed"] = seeds
    jobs = (
        delayed(_simulate_draw)(
            problem.predictive_base,
            problem.parameters,
            row,
            problem.full_plan,
            s,
            settings.predictive_every_weeks,
            problem.group_weights,
        )
        for row, s in zip(draws[problem.names].to_dict("records"), seeds, strict=True)
    )
    results = parallel(n_jobs)(jobs)
    figure_rows, trajectories = [], []
    for draw, (shares, probabilities, rho, trajectory) in enumerate(results):
        figure_rows += [
            {"draw": draw, "figure_id": f, "share": shares[f], "probability": probabilities[f],
             "rho": rho[f]}
            for f in shares
        ]  # fmt: skip
        trajectories.append(trajectory.assign(draw=draw))
    return Predictive(draws, pd.DataFrame(figure_rows), pd.concat(trajectories, ignore_index=True))


def wilson_interval(share: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial share: the figure's own sampling interval."""
    z = norm.ppf(0.5 + level / 2)
    centre = (share + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(share * (1 - share) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def figure_table(problem: CalibrationProblem, predictive: Predictive) -> pd.DataFrame:
    """Per figure: observed share with its 95% interval against the 50% and 90% predictive ones.

    ``z`` is the distance of the predictive median from the published figure in binomial
    standard errors of the figure (its square is about the figure's share of the ABC distance).
    Figures without n are compared with the model's staff share (no sampling interval).
    """
    grouped = predictive.figures.groupby("figure_id")
    rows = []
    for fig in problem.targets.itertuples():
        sim = grouped.get_group(fig.figure_id)
        has_n = not pd.isna(fig.n)
        n = int(fig.n) if has_n else 0
        low, high = wilson_interval(fig.target_share, n) if has_n else (np.nan, np.nan)
        column = "share" if has_n else "probability"
        pred_low, pred_high = sim[column].quantile([LOW, HIGH])
        low50, high50 = sim[column].quantile([LOW50, HIGH50])
        median = float(sim[column].median())
        se = np.sqrt(fig.target_share * (1 - fig.target_share) / n) if has_n else np.nan
        rows.append(
            {
                "figure_id": fig.figure_id,
                "question_id": fig.question_id,
                "dataset": fig.dataset,
                "fieldwork_mid": pd.Timestamp(fig.fieldwork_mid).date(),
                "staff_group": fig.staff_group,
                "quantity": fig.quantity,
                "answer": fig.answer,
                "tool": fig.tool,
                "recall_weeks": fig.recall_weeks,
                "wording": fig.wording,
                "n": n,
                "status": fig.status,
                "held_out": bool(fig.held_out),
                "synthetic": bool(fig.synthetic),
                "observed": float(fig.target_share),
                "observed_low95": low,
                "observed_high95": high,
                "predicted_median": median,
                "predicted_low90": float(pred_low),
                "predicted_high90": float(pred_high),
                "predicted_low50": float(low50),
                "predicted_high50": float(high50),
                "model_share_median": float(sim["probability"].median()),
                "inside_90": bool(pred_low <= fig.target_share <= pred_high),
                "inside_50": bool(low50 <= fig.target_share <= high50),
                "z": float((median - fig.target_share) / se) if has_n else np.nan,
            }
        )
    return pd.DataFrame(rows)


def coverage(figures: pd.DataFrame, status: str = "fitted") -> dict[str, float]:
    """Share of the figures of one status inside their 50% and 90% predictive intervals.

    Well-calibrated intervals hold about 50% and 90% of the figures (with few figures, roughly:
    of 11 figures, anything from 8 to 11 inside the 90% intervals is consistent with 90%).
    """
    chosen = figures[figures.status == status]
    if chosen.empty:
        return {"figures": 0, "inside_50": np.nan, "inside_90": np.nan}
    return {
        "figures": int(len(chosen)),
        "inside_50": float(chosen.inside_50.mean()),
        "inside_90": float(chosen.inside_90.mean()),
    }
