"""Naive forecasts of held-out survey figures, and the scores that compare them with the model.

A model that cannot beat a naive forecast has no forecasting skill worth its complexity. For each
held-out figure (``calibrate_validate``) two baselines are built from the fitted figures of the
same *series* (the targets file's ``baseline_series`` label), using only waves before the
figure's fieldwork, from the figure's own staff group where it has enough waves (one for no
change, two for a trend), else from any staff group of the series (``basis`` says which):

- **no change**: the share of the last earlier wave;
- **linear trend**: the straight line through the last two earlier waves (by fieldwork midpoint),
  extended to the held-out figure's midpoint and kept within 0-1. With only one earlier wave
  there is no trend: the baseline is then "no change" (said so in ``trend_basis``).

Each baseline's predictive distribution is normal around its value with the sampling variance
of the held-out survey at that value plus that of the earlier wave(s) it extrapolates (each
with the design effect ``1 + (n - 1) rho`` of the fitted survey error for the figure's kind of
question, :mod:`experiments.calibration.survey_error`), so a baseline is as honest about
sampling error and between-survey variation as the model. The model's predictive distribution
is its posterior predictive ensemble of simulated surveys.

Scores per figure (:func:`score_table`): absolute error of the point forecast (the model's
predictive median), the continuous ranked probability score (CRPS; Gneiting and Raftery 2007,
JASA 102:359: the ensemble form ``E|X - y| - E|X - X'| / 2`` for the model, the closed form
for a normal for the baselines; lower is better, in share units) and the log score (the log
density of the published share; higher is better; for the model a mixture over the posterior
draws of normals with the draw's staff share and its survey's sampling variance).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from experiments.calibration.survey_error import (
    NO_SURVEY_ERROR,
    SurveyError,
    design_effect,
)

BASELINES = ("no_change", "linear_trend")
NAMES = {"model": "model", "no_change": "no change", "linear_trend": "linear trend"}


def _variance(share: float, n: float, dispersion: float) -> float:
    share = min(max(share, 1e-6), 1 - 1e-6)
    return share * (1 - share) / n * float(design_effect(n, dispersion))


def naive_forecasts(
    targets: pd.DataFrame, survey_error: SurveyError = NO_SURVEY_ERROR
) -> pd.DataFrame:
    """The two baselines for each held-out figure of a targets table (status ``held out``).

    Args:
        targets: Figures with ``figure_id``, ``status``, ``baseline_series``, ``staff_group``,
            ``fieldwork_mid``, ``target_share``, ``n`` and ``quantity``.
        survey_error: The fitted survey error (each figure gets the rho of its kind of
            question) for the baselines' sampling variance.

    Returns:
        One row per held-out figure: ``no_change`` and ``linear_trend`` values and standard
        deviations, the waves used (``basis``, ``trend_basis``); NaN where the series has no
        earlier wave.
    """
    fitted = targets[(targets.status == "fitted") & targets.baseline_series.notna()]
    rows = []
    for h in targets[targets.status == "held out"].itertuples():
        earlier = fitted[
            (fitted.baseline_series == h.baseline_series) & (fitted.fieldwork_mid < h.fieldwork_mid)
        ]
        row = {"figure_id": h.figure_id, "baseline_series": h.baseline_series}
        dispersion = survey_error.rho_of(h.quantity)
        if earlier.empty:
            rows.append(row | {"basis": "no earlier wave of the series", "trend_basis": ""})
            continue
        same = _waves(earlier[earlier.staff_group == h.staff_group])
        every = _waves(earlier)
        n_new = float(h.n)
        waves = same if len(same) else every
        last_day, last = waves.index[-1], waves.iloc[-1]
        var_last = _variance(last.share, float(last.n), dispersion)
        row["no_change"] = float(last.share)
        row["no_change_sd"] = np.sqrt(_variance(last.share, n_new, dispersion) + var_last)
        row["basis"] = f"{last.ids} ({pd.Timestamp(last_day).date()})"
        waves = same if len(same) >= 2 else every
        if len(waves) < 2:
            row |= {"linear_trend": row["no_change"], "linear_trend_sd": row["no_change_sd"]}
            row["trend_basis"] = "one earlier wave: no trend, so no change"
            rows.append(row)
            continue
        (first_day, first), (last_day, last) = waves.iloc[-2:].iterrows()
        step = (h.fieldwork_mid - last_day) / (last_day - first_day)
        value = float(np.clip(last.share + (last.share - first.share) * step, 0.0, 1.0))
        row["linear_trend"] = value
        row["linear_trend_sd"] = np.sqrt(
            _variance(value, n_new, dispersion)
            + (1 + step) ** 2 * _variance(last.share, float(last.n), dispersion)
            + step**2 * _variance(first.share, float(first.n), dispersion)
        )
        row["trend_basis"] = (
            f"{first.ids} ({pd.Timestamp(first_day).date()}) to {last.ids} "
            f"({pd.Timestamp(last_day).date()})"
        )
        rows.append(row)
    return pd.DataFrame(rows)


def _waves(figures: pd.DataFrame) -> pd.DataFrame:
    """Figures by fieldwork midpoint: mean share, total n and ids (in date order)."""
    return figures.groupby("fieldwork_mid").agg(
        share=("target_share", "mean"), n=("n", "sum"), ids=("figure_id", ", ".join)
    )


def crps_ensemble(draws: np.ndarray, observed: float) -> float:
    """CRPS of an ensemble forecast: ``mean|X - y| - mean|X - X'| / 2``."""
    x = np.asarray(draws, dtype=float)
    spread = np.abs(x[:, None] - x[None, :]).mean()
    return float(np.abs(x - observed).mean() - 0.5 * spread)


def crps_normal(mean: float, sd: float, observed: float) -> float:
    """CRPS of a normal forecast (closed form)."""
    z = (observed - mean) / sd
    return float(sd * (z * (2 * norm.cdf(z) - 1) + 2 * norm.pdf(z) - 1 / np.sqrt(np.pi)))


def model_log_score(
    probabilities: np.ndarray, n: int, dispersions: np.ndarray, observed: float
) -> float:
    """Log density of the published share under the model's mixture over posterior draws."""
    p = np.clip(np.asarray(probabilities, dtype=float), 1e-6, 1 - 1e-6)
    sd = np.sqrt(p * (1 - p) / n * design_effect(n, np.asarray(dispersions, dtype=float)))
    return float(np.log(np.mean(norm.pdf(observed, p, sd))))


def score_table(
    figures: pd.DataFrame,
    forecasts: pd.DataFrame,
    predictive: pd.DataFrame,
) -> pd.DataFrame:
    """Per held-out figure and forecaster: point, absolute error, CRPS and log score.

    Args:
        figures: The figure table (``figure_id``, ``observed``, ``n``, ``predicted_median``).
        forecasts: :func:`naive_forecasts`.
        predictive: Posterior predictive draws (``draw``, ``figure_id``, ``share``,
            ``probability``, ``rho``: the draw's survey error for the figure).
    """
    by_id = figures.set_index("figure_id")
    rows = []
    for f in forecasts.itertuples():
        fig = by_id.loc[f.figure_id]
        y, n = float(fig.observed), int(fig.n)
        sim = predictive[predictive.figure_id == f.figure_id].sort_values("draw")
        model = {
            "forecaster": "model",
            "point": float(fig.predicted_median),
            "crps": crps_ensemble(sim["share"].to_numpy(), y),
            "log_score": model_log_score(
                sim["probability"].to_numpy(), n, sim["rho"].to_numpy(), y
            ),
        }
        rows.append({"figure_id": f.figure_id, "observed": y, **model})
        for name in BASELINES:
            value = getattr(f, name, np.nan)
            if value is None or pd.isna(value):
                rows.append({"figure_id": f.figure_id, "observed": y, "forecaster": name})
                continue
            sd = float(getattr(f, f"{name}_sd"))
            rows.append(
                {
                    "figure_id": f.figure_id,
                    "observed": y,
                    "forecaster": name,
                    "point": float(value),
                    "crps": crps_normal(value, sd, y),
                    "log_score": float(norm.logpdf(y, value, sd)),
                }
            )
    table = pd.DataFrame(rows)
    table["abs_error"] = (table["point"] - table["observed"]).abs()
    return table[["figure_id", "forecaster", "observed", "point", "abs_error", "crps", "log_score"]]


def skill_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean scores per forecaster over the figures every forecaster has (the fair comparison)."""
    complete = scores.dropna(subset=["point"]).groupby("figure_id").forecaster.nunique()
    common = complete[complete == 1 + len(BASELINES)].index
    chosen = scores[scores.figure_id.isin(common)]
    summary = chosen.groupby("forecaster", sort=False)[["abs_error", "crps", "log_score"]].mean()
    summary["figures"] = len(common)
    return summary.reset_index()


def skill_sentences(scores: pd.DataFrame, summary: pd.DataFrame) -> list[str]:
    """Plain sentences: does the model beat each baseline, overall and per figure?

    The model beats a baseline when its mean CRPS and mean absolute error are lower and its mean
    log score higher; when the three disagree the sentence says on which it does and does not.
    """
    if summary.empty or summary.figures.iloc[0] == 0:
        return ["No held-out figure has an earlier wave of its series: no naive baseline."]
    means = summary.set_index("forecaster")
    per = scores.pivot(index="figure_id", columns="forecaster", values="crps").dropna()
    out = []
    for name in BASELINES:
        m, b = means.loc["model"], means.loc[name]
        better = {
            "CRPS": m.crps < b.crps,
            "absolute error": m.abs_error < b.abs_error,
            "log score": m.log_score > b.log_score,
        }
        if all(better.values()):
            verdict = "beats"
        elif not any(better.values()):
            verdict = "does NOT beat"
        else:
            yes = [k for k, v in better.items() if v]
            no = [k for k, v in better.items() if not v]
            verdict = f"beats on {' and '.join(yes)} but does NOT beat on {' and '.join(no)}"
        wins = int((per["model"] < per[name]).sum())
        out.append(
            f"Against '{NAMES[name]}' the model {verdict} the naive forecast over "
            f"{int(m.figures)} held-out figures: mean CRPS {100 * m.crps:.1f} vs "
            f"{100 * b.crps:.1f} points, mean absolute error {100 * m.abs_error:.1f} vs "
            f"{100 * b.abs_error:.1f} points, mean log score {m.log_score:.2f} vs "
            f"{b.log_score:.2f} (higher is better); lower CRPS on {wins} of {len(per)} figures."
        )
    return out
