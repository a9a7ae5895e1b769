"""HTML pieces of the calibration report: escaping, number formats and the tables.

Each ``*_html`` function renders one table of :mod:`experiments.calibration.report` from the
calibration's tables; all text is HTML-escaped unless the function builds links itself.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from experiments.calibration.problem import CalibrationProblem


def esc(value: Any) -> str:
    """The value as HTML-escaped text."""
    return html.escape(str(value), quote=True)


def num(value: Any, digits: int = 3) -> str:
    """A number to ``digits`` significant digits (n/a for None or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}g}" if isinstance(value, float) else str(value)


def pct(share: float) -> str:
    """A share as a whole percentage (n/a for NaN)."""
    return "n/a" if share != share else f"{100 * share:.0f}%"


def table(head: Sequence[str], rows: Sequence[Sequence[Any]], raw: bool = False) -> str:
    """An HTML table; cells escaped unless ``raw``."""
    header = "".join(f"<th>{esc(h)}</th>" for h in head)
    cell = (lambda c: str(c)) if raw else esc
    body = "".join("<tr>" + "".join(f"<td>{cell(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def parameters_html(problem: CalibrationProblem) -> str:
    """The fitted parameters with their priors and reasons."""
    rows = [
        [p.name, p.key, f"{p.low:g} to {p.high:g}", p.unit, p.reasoning] for p in problem.parameters
    ]
    return table(["Parameter", "Config key", "Uniform prior", "Unit", "Why"], rows)


def _reading(f: Any) -> str:
    """How a figure is read: quantity, answer, tool, recall window, wording, strength."""
    recall = getattr(f, "recall_weeks", None)
    window = "" if recall is None or pd.isna(recall) else f", past {int(recall)} weeks"
    wording = getattr(f, "wording", None)
    return f"{f.quantity}: {f.answer} ({f.tool}{window}); {f.strength}" + (
        f"; wording {wording}" if isinstance(wording, str) else ""
    )


def data_html(problem: CalibrationProblem) -> str:
    """Every survey figure with its source, question, reading and status."""
    rows = []
    for f in problem.targets.itertuples():
        source = f'<a href="{esc(f.url)}">{esc(f.source)}</a>'
        rows.append(
            [
                esc(f.figure_id),
                esc(f.status),
                source,
                esc(f.fieldwork_as_published),
                esc(f.staff_group),
                esc("no n" if pd.isna(f.n) else int(f.n)),
                esc(f.question),
                esc(_reading(f)),
                esc(pct(f.target_share)),
            ]
        )
    return table(
        [
            "Figure",
            "Status",
            "Source",
            "Fieldwork",
            "Staff group",
            "n",
            "Question",
            "Read as",
            "Share",
        ],  # fmt: skip
        rows,
        raw=True,
    )


def figures_html(figures: pd.DataFrame) -> str:
    """Published figures against their 50% and 90% predictive intervals."""
    rows = [
        [
            f.figure_id,
            f.status,
            f"{pct(f.observed)} ({pct(f.observed_low95)} to {pct(f.observed_high95)})",
            f"{pct(f.predicted_median)} ({pct(f.predicted_low90)} to {pct(f.predicted_high90)})",
            f"{pct(f.predicted_low50)} to {pct(f.predicted_high50)}",
            pct(f.model_share_median),
            "n/a" if f.n == 0 else ("yes" if f.inside_90 else "no"),
            "n/a" if f.n == 0 else ("yes" if f.inside_50 else "no"),
            num(f.z, 2),
        ]
        for f in figures.itertuples()
    ]
    head = ["Figure", "Status", "Published (95%)", "Simulated survey (90%)", "50% interval",
            "Model staff share", "Inside 90%", "Inside 50%", "z"]  # fmt: skip
    note = (
        "<p class=note>z: the predictive median's distance from the published figure in the "
        "figure's binomial standard errors. For a figure without n the intervals are of the "
        "model's staff share (no survey is simulated).</p>"
    )
    return table(head, rows) + note


def noise_html(noise: pd.DataFrame) -> str:
    """Simulation-noise and sampling widths per figure."""
    rows = [
        [f.figure_id, f.n or "no n", num(100 * f.simulation_width90, 3),
         num(100 * f.sampling_width90, 3), num(100 * f.survey_width90, 3),
         num(100 * f.predictive_width90, 3), pct(f.simulation_share_of_variance),
         "n/a" if not f.n else ("yes" if f.simulation_below_sampling else "no")]
        for f in noise.itertuples()
    ]  # fmt: skip
    head = ["Figure", "n", "Simulation noise (90% width, points)", "Sampling (binomial)",
            "Sampling with dispersion", "Predictive interval", "Simulation share of variance",
            "Simulation below sampling"]  # fmt: skip
    return table(head, rows)


def skill_html(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """Forecast skill against the naive baselines (validation task)."""
    forecasts = tables["baselines"].set_index("figure_id")
    rows = []
    for s in tables["skill"].itertuples():
        basis = ""
        if s.figure_id in forecasts.index:
            f = forecasts.loc[s.figure_id]
            basis = {"model": "posterior predictive", "no_change": f.get("basis", ""),
                     "linear_trend": f.get("trend_basis", "")}[s.forecaster]  # fmt: skip
        rows.append([s.figure_id, s.forecaster.replace("_", " "), pct(s.observed),
                     pct(s.point), num(100 * s.abs_error, 3), num(100 * s.crps, 3),
                     num(s.log_score, 3), basis])  # fmt: skip
    head = ["Figure", "Forecaster", "Published", "Forecast", "Abs. error (points)",
            "CRPS (points)", "Log score", "Basis"]  # fmt: skip
    summary = [
        [r.forecaster.replace("_", " "), r.figures, num(100 * r.abs_error, 3),
         num(100 * r.crps, 3), num(r.log_score, 3)]
        for r in tables["skill_summary"].itertuples()
    ]  # fmt: skip
    return [
        "<h3>Forecast skill against naive baselines</h3>",
        table(head, rows),
        table(
            ["Forecaster", "Figures", "Mean abs. error", "Mean CRPS", "Mean log score"], summary
        ),  # fmt: skip
        "<p class=note>Naive baselines from the fitted figures of the same series (targets "
        "file: baseline_series), each with a normal predictive distribution of the survey's "
        "sampling error and that of the waves it extrapolates. CRPS and absolute error: lower "
        "is better; log score (log density of the published share): higher is better.</p>",
    ]


def summary_html(summary: pd.DataFrame) -> str:
    """The posterior summary with contraction and identification."""
    rows = [
        [
            r.parameter,
            num(r.mean),
            num(r.median),
            f"{num(r.q05)} to {num(r.q95)}",
            f"{r.prior_low:g} to {r.prior_high:g}",
            pct(r.interval_to_prior),
            num(r.contraction, 2),
            r.identified,
        ]
        for r in summary.itertuples()
    ]
    head = [
        "Parameter",
        "Mean",
        "Median",
        "90% interval",
        "Prior",
        "Interval / prior",
        "Contraction",
        "Identified",
    ]
    return table(head, rows)
