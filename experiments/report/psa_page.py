"""The PSA's ``report.html``: question, "How sure are we" in words, figures, method, provenance.

A function of the PSA tables and the config only (no runs); the same CSS and provenance table as
the scenario reports (:mod:`experiments.report.page`), every text HTML-escaped, figures embedded
as PNG data URIs.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from experiments.io import write_text
from experiments.report.how_sure import how_sure_html
from experiments.report.page import html_page
from experiments.report.provenance import provenance_html
from experiments.report.text import esc

CAPTIONS = {
    "probability_best": (
        "How likely each strategy is best on the primary outcome, for the whole workforce and "
        "for each staff group: the share of parameter draws in which it had the best value. "
        "Read down a column; a column sums to 100%. Small groups are noisier."
    ),
    "ceac": (
        "Cost-effectiveness acceptability curves. For each value the trust might place on one "
        "unit of effect (x axis), the share of draws in which each strategy gives the most net "
        "benefit. The thick grey line is the frontier: the strategy to choose on current "
        "evidence (highest expected net benefit) and how often it is in fact the best. A "
        "frontier near 100% means a safe choice; near 1 / (number of strategies), a coin toss."
    ),
    "evppi": (
        "Expected value of partial perfect information per group of parameters, at the "
        "reference value: what the trust should at most pay to learn that group exactly before "
        "deciding. Dashed: the value of knowing everything (EVPI)."
    ),
}
METHOD = (
    "Each draw samples every uncertain parameter from its prior in the evidence table "
    "(data/evidence/parameters.csv) and the calibrated parameters together from one particle "
    "of the calibration's posterior (drawn by weight, so their correlations are kept). Every "
    "strategy is then run on the same draw with the same random seed (common random numbers), "
    "so differences between strategies on a draw come from the strategies, not from chance "
    "in who meets which case. EVPPI is estimated by regressing each strategy's net benefit on "
    "the group's parameters with an additive spline smoother (Strong, Oakley & Brennan 2014). "
    "Probabilities from N draws carry a Monte Carlo error of about sqrt(p(1-p)/N)."
)


def figure(path: Path, caption: str, alt: str) -> str:
    """A PNG embedded as a data URI, with its caption."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def render_psa_report(
    cfg: DictConfig,
    tables: Mapping[str, pd.DataFrame],
    plots: Mapping[str, Path],
    manifest: Mapping,
    primary: str,
) -> str:
    """The PSA report as one HTML string (see :func:`write_psa_report`)."""
    experiment = cfg.experiment
    title = experiment.get("title") or "Probabilistic sensitivity analysis"
    draws = int(tables["probability_best"].draws.max())
    strategies = tables["probability_best"].strategy.nunique()
    workers = OmegaConf.select(cfg, "population.n_workers", default=None)
    weeks = OmegaConf.select(cfg, "weeks", default=None)
    setting = (
        f"{strategies} strategies on {draws} draws of the uncertain parameters, each run of "
        f"{workers:,} staff over {weeks} weeks; comparator: no training; money in GBP for one "
        "trust over the horizon."
    )
    if draws < 100:
        setting += f" Only {draws} draws: the shares and values below are rough."
    parts = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="question"><strong>Question.</strong> {esc(experiment.question)}</p>',
        f"<p class=note>{esc(setting)}</p>",
        "<h2>How sure are we</h2>",
        how_sure_html(tables, primary, dict(cfg.psa.reference_wtp_gbp)),
        "<h2>Figures</h2>",
    ]
    parts += [figure(path, CAPTIONS.get(name, ""), name) for name, path in plots.items()]
    parts += [
        "<h2>Method</h2>",
        f"<p>{esc(METHOD)}</p>",
        "<h2>Provenance</h2>",
        provenance_html(cfg, manifest),
    ]
    return html_page(title, parts)


def write_psa_report(
    out_dir: Path,
    cfg: DictConfig,
    tables: Mapping[str, pd.DataFrame],
    plots: Mapping[str, Path],
    manifest: Mapping,
    primary: str,
) -> Path:
    """Write ``out_dir/report.html`` atomically and return its path.

    Args:
        out_dir: The results folder.
        cfg: The PSA's full config (with ``experiment`` and ``psa``).
        tables: ``probability_best``, ``ceac``, ``evpi``, ``evppi`` (the CSV tables).
        plots: Figure name -> PNG path.
        manifest: The provenance record.
        primary: The PSA table column of the primary outcome.
    """
    html = render_psa_report(cfg, tables, plots, manifest, primary)
    return write_text(Path(out_dir) / "report.html", html)
