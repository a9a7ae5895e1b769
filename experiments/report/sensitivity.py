"""The report of a sensitivity analysis: "What the answer depends on", in plain words.

Sentences are built from the tables only (``sensitivity_morris.csv``, ``sensitivity_sobol.csv``,
``sensitivity_noise.csv``, ``sensitivity_medians.csv``) and say no more than they support:

- a parameter *matters* for an output when the lower end of its total Sobol index's 95% interval
  is above :data:`MATTERS` (5% of the output's variance), or, among the parameters screened only
  by Morris, when mu* minus its interval is above the noise floor (the mu* replicate noise alone
  could give: ``morris_noise_floor`` of the noise table);
- a parameter acts *through interactions* when ST exceeds S1 by more than both intervals;
- when noise is more than :data:`NOISY` of an output's variance over the Sobol design, the
  indices of that output are flagged as blurred by noise.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from experiments.io import write_text
from experiments.outcomes import outcome, pretty
from experiments.plots.tornado import output_title_and_unit, parameter_label
from experiments.report.assumptions import table_html
from experiments.report.page import CSS
from experiments.report.provenance import provenance_html
from experiments.report.text import esc

MATTERS = 0.05
NOISY = 0.2
TORNADO_CAPTION = (
    "Morris screening, one panel per output. Each bar is how much the output changes, on "
    "average, when one parameter moves across its prior range (mu*, with its 95% bootstrap "
    "interval); the strongest parameters are on top. The orange dot (sigma) is the spread of "
    "those changes: a dot far right of its bar's end means the effect depends on the other "
    "parameters. The dashed line is the noise floor: the effect a parameter with no influence "
    "could show from random seeds alone (measured at the prior medians; an upper bound): bars "
    "to its left cannot be told from noise."
)


def _value(name: str, value: float, baseline: str) -> str:
    base = name.removesuffix(f"_vs_{baseline}")
    if outcome(base).kind == "share":
        return f"{100 * value:.1f} points" if base != name else f"{100 * value:.1f}%"
    return f"{value:.2f} {outcome(base).unit}"


def output_sentences(
    name: str,
    morris: pd.DataFrame,
    sobol: pd.DataFrame,
    noise: pd.DataFrame,
    baseline: str,
) -> list[str]:
    """What one output depends on, in sentences (module docstring for the rules)."""
    title, unit = output_title_and_unit(name, name, baseline)
    level = noise.set_index("output").loc[name] if name in set(noise.output) else None
    sentences = []
    rows = sobol[sobol.output == name].sort_values("ST", ascending=False)
    matters = rows[rows.ST - rows.ST_conf > MATTERS]
    if len(rows) and len(matters):
        parts = []
        for r in matters.itertuples():
            text = (
                f"{parameter_label(r.parameter)} (on its own {100 * r.S1:.0f}% of the variance, "
                f"95% CI \u00b1{100 * r.S1_conf:.0f}; with its interactions {100 * r.ST:.0f}%)"
            )
            if r.ST - r.S1 > r.ST_conf + r.S1_conf:
                text += ", partly through interactions with other parameters"
            parts.append(text)
        sentences.append(
            f"{title}: when the {len(rows)} strongest parameters vary over their priors (the "
            f"others at their medians), the variation depends mostly on " + "; ".join(parts) + "."
        )
    elif len(rows):
        sentences.append(
            f"{title}: no parameter among the {len(rows)} taken to the Sobol analysis clearly "
            f"explains more than {100 * MATTERS:.0f}% of the variation."
        )
    screened = morris[morris.output == name]
    threshold = float(level.morris_noise_floor) if level is not None else 0.0
    clear = screened[screened.mu_star - screened.mu_star_conf > threshold]
    sentences.append(
        f"Of the {len(screened)} parameters screened, {len(clear)} move it by clearly more than "
        f"what noise alone could give ({_value(name, threshold, baseline)})"
        + (
            "; the strongest: "
            + ", ".join(
                f"{parameter_label(r.parameter)} ({_value(name, r.mu_star, baseline)})"
                for r in clear.nlargest(5, "mu_star").itertuples()
            )
            if len(clear)
            else ""
        )
        + f". The other {len(screened) - len(clear)} cannot be told from noise in these runs."
    )
    if level is not None and level.get("noise_share_of_design_variance", 0) > NOISY:
        sentences.append(
            f"Random noise is {100 * level.noise_share_of_design_variance:.0f}% of this output's "
            "variance over the Sobol design: its indices are blurred by noise; more replicates "
            "per point (sensitivity.replicates) or a larger workforce would sharpen them."
        )
    return sentences


def depends_on_html(
    morris: pd.DataFrame,
    sobol: pd.DataFrame,
    noise: pd.DataFrame,
    medians: pd.DataFrame,
    strategy: str,
    baseline: str,
    primary: str,
    chosen_by: str,
) -> str:
    """The section "What the answer depends on"."""
    means = medians.groupby("arm", sort=False)[primary].mean()
    label = outcome(primary).label.lower()
    ours, theirs = _value(primary, means[strategy], ""), _value(primary, means[baseline], "")
    lead = (
        f"The strategy analysed is {pretty(strategy).lower()} against {pretty(baseline).lower()}"
        + (
            f", the best on {label} at the prior medians of the parameters "
            f"({ours} against {theirs})."
            if chosen_by == "best at medians"
            else " (set by sensitivity.strategy)."
        )
    )
    parts = [f"<p>{esc(lead)}</p>"]
    for name in pd.unique(morris.output):
        parts.append("<p>" + esc(" ".join(output_sentences(name, morris, sobol, noise, baseline))))
        parts.append("</p>")
    parts.append(
        "<p class=note>Read these as statements about the model under its priors "
        "(data/evidence/parameters.csv), most of which are assumptions: a parameter that matters "
        "here is one whose evidence is worth improving before trusting the ranking; one that "
        "does not matter can stay an assumption for this question.</p>"
    )
    return "\n".join(parts)


def _indices_tables(sobol: pd.DataFrame, noise: pd.DataFrame, baseline: str) -> str:
    rows = [
        [
            output_title_and_unit(r.output, r.output, baseline)[0],
            parameter_label(r.parameter),
            f"{r.S1:.2f} \u00b1 {r.S1_conf:.2f}",
            f"{r.ST:.2f} \u00b1 {r.ST_conf:.2f}",
        ]
        for r in sobol.itertuples()
    ]
    noise_rows = [
        [
            output_title_and_unit(r.output, r.output, baseline)[0],
            _value(r.output, r.mean_at_medians, baseline),
            _value(r.output, r.noise_sd, baseline),
            _value(r.output, r.sd_point_mean, baseline),
            "n/a"
            if pd.isna(r.noise_share_of_design_variance)
            else f"{100 * r.noise_share_of_design_variance:.0f}%",
        ]
        for r in noise.itertuples()
    ]
    return "\n".join(
        [
            "<h3>Sobol indices (95% bootstrap interval)</h3>",
            table_html(["Output", "Parameter", "First order S1", "Total ST"], rows),
            "<h3>Noise next to the indices</h3>",
            table_html(
                [
                    "Output",
                    "Mean at the prior medians",
                    "SD over seeds (one run)",
                    "SD of a design point (mean of its replicates)",
                    "Noise share of the Sobol design's variance",
                ],
                noise_rows,
            ),
        ]
    )


def write_sensitivity_report(
    out_dir: Path,
    cfg: DictConfig,
    morris: pd.DataFrame,
    sobol: pd.DataFrame,
    noise: pd.DataFrame,
    medians: pd.DataFrame,
    plots: Mapping[str, Path],
    manifest: Mapping,
) -> Path:
    """Write ``out_dir/report.html``: question, the section, figure, tables, method, provenance."""
    settings = cfg.sensitivity
    primary = OmegaConf.select(cfg, "experiment.primary_outcome") or "avoidable_errors_per_1000"
    baseline, strategy = manifest["baseline"], manifest["strategy"]
    title = "What the answer depends on: global sensitivity analysis"
    q = settings.quantile_range
    method = (
        f"Morris screening (Morris 1991; mu* of Campolongo et al. 2007) of "
        f"{manifest['parameters_screened']} parameters with {settings.morris_trajectories} "
        f"trajectories of {settings.morris_levels} levels, then Sobol indices (Saltelli 2002; "
        f"Saltelli et al. 2010) of the {len(manifest['parameters_sobol'])} strongest with "
        f"N = {settings.sobol_samples} base samples; every parameter varies between its prior's "
        f"{100 * q:g}% and {100 - 100 * q:g}% quantiles. Each design point is the mean of "
        f"{settings.replicates} replicate seeds (the same seeds at every point: common random "
        f"numbers), in a workforce of {settings.n_workers:,} staff over "
        f"{OmegaConf.select(cfg, 'weeks')} weeks; outcomes are averaged over the weeks. "
        f"Intervals are SALib's bootstrap 95% intervals ({settings.bootstrap_resamples} "
        "resamples)."
    )
    figures = []
    for path in plots.values():
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        figures.append(
            f'<figure><img src="data:image/png;base64,{data}" alt="Tornado">'
            f"<figcaption>{esc(TORNADO_CAPTION)}</figcaption></figure>"
        )
    body = [
        f"<h1>{esc(title)}</h1>",
        '<p class="question"><strong>Question.</strong> Which uncertain parameters does the '
        "comparison of the best education strategy with no training depend on, and which "
        "hardly matter?</p>",
        "<h2>What the answer depends on</h2>",
        depends_on_html(
            morris,
            sobol,
            noise,
            medians,
            strategy,
            baseline,
            primary,
            manifest.get("strategy_chosen_by", ""),
        ),
        "<h2>Figure</h2>",
        *figures,
        "<h2>Indices and noise</h2>",
        _indices_tables(sobol, noise, baseline),
        "<p class=note>Every Morris index is in sensitivity_morris.csv.</p>",
        "<h2>Method</h2>",
        f"<p>{esc(method)}</p>",
        "<h2>Provenance</h2>",
        provenance_html(cfg, manifest),
    ]
    html = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
    return write_text(Path(out_dir) / "report.html", html)
