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
from experiments.outcomes import outcome, output_title_and_unit, parameter_label, pretty
from experiments.report.assumptions import table_html
from experiments.report.page import html_page
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


def _value(name: str, value: float, baseline: str, change: bool = False) -> str:
    """An output's value with its unit; shares in percent, or in points for a ``change``."""
    base = name.removesuffix(f"_vs_{baseline}")
    if outcome(base).kind == "share":
        return f"{100 * value:.1f} points" if change or base != name else f"{100 * value:.1f}%"
    return f"{value:.2f} {outcome(base).unit}"


def _share_words(row: object) -> str:
    """'ST 43% (95% CI 21 to 65), of which 13% on its own' in words, within the intervals."""
    low, high = max(row.ST - row.ST_conf, 0.0), min(row.ST + row.ST_conf, 1.0)
    text = (
        f"{parameter_label(row.parameter)}: about {100 * min(row.ST, 1.0):.0f}% of the variance "
        f"with its interactions (95% CI {100 * low:.0f} to {100 * high:.0f})"
    )
    if row.S1 - row.S1_conf > 0:  # S1 <= ST in theory; a larger estimate is sampling error
        text += f", about {100 * min(row.S1, row.ST, 1.0):.0f}% on its own"
    else:
        text += ", its effect on its own not distinguishable from zero in these runs"
    if row.ST - row.S1 > row.ST_conf + row.S1_conf:
        text += ", so partly through interactions with other parameters"
    return text


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
        sentences.append(
            f"{title}: when the {len(rows)} strongest parameters vary over their priors (the "
            "others at their medians), the variation depends mostly on "
            + "; ".join(_share_words(r) for r in matters.itertuples())
            + "."
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
        f"Of the {len(screened)} parameters screened, {len(clear)} "
        f"{'moves' if len(clear) == 1 else 'move'} it by clearly more than "
        f"what noise alone could give ({_value(name, threshold, baseline, True)})"
        + (
            "; the strongest: "
            + ", ".join(
                f"{parameter_label(r.parameter)} ({_value(name, r.mu_star, baseline, True)})"
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
    manifest_worse: float | None = None,
) -> str:
    """The section "What the answer depends on".

    ``manifest_worse`` is the share of the Sobol design's points at which the strategy did worse
    than the baseline on the primary outcome (None: no Sobol stage).
    """
    means = medians.groupby("arm", sort=False)[primary].mean()
    label = outcome(primary).label.lower()
    ours, theirs = _value(primary, means[strategy], ""), _value(primary, means[baseline], "")
    lead = (
        f"The strategy analysed is {pretty(strategy).lower()} against {pretty(baseline).lower()}"
        + (
            f", the best on {label} at the prior medians of the parameters "
            f"({ours} against {theirs}, means of {medians.replicate.nunique()} seeds)."
            if chosen_by == "best at medians"
            else " (set by sensitivity.strategy)."
        )
    )
    worse = manifest_worse
    if worse is not None:
        lead += (
            f" Over the Sobol design (the strongest parameters drawn across their priors, the "
            f"others at their medians), {pretty(strategy).lower()} did worse than "
            f"{pretty(baseline).lower()} on {label} at {100 * worse:.0f}% of the design points"
            + (" (noise included)." if worse > 0 else ".")
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
            _value(r.output, r.noise_sd, baseline, True),
            _value(r.output, r.sd_point_mean, baseline, True),
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
            manifest.get("sobol_points_worse_than_baseline"),
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
    html = html_page(title, body)
    return write_text(Path(out_dir) / "report.html", html)
