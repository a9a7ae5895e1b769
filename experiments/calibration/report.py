"""The HTML report of a calibration, for a researcher: one self-contained file.

It says what was fitted (parameters, priors, reasons), to what data (each survey figure with its
source), how well (the fit plot and a per-figure table), how sure (posterior summary, pair plot,
identifiability), the recovery or held-out validation where the task asks for it, the sampler's
diagnostics, the assumptions and the provenance. PNGs are embedded as base64; all text is
HTML-escaped.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from experiments.calibration.outputs import NOT_IDENTIFIED
from experiments.calibration.problem import CalibrationProblem
from experiments.calibration.report_tables import (
    data_html,
    esc,
    figures_html,
    noise_html,
    num,
    parameters_html,
    pct,
    skill_html,
    summary_html,
    table,
)
from experiments.calibration.unreached import unreached_reasons
from experiments.io import write_text
from experiments.report.page import html_page

CAPTIONS = {
    "fit": (
        "Each panel is one model series (question, answer, tool, staff group). The blue band is "
        "the 90% range over posterior draws of the share of the model's staff who would give "
        "the answer, week by week (line: median). Black dots are the published figures with "
        "their 95% sampling interval (from n); the blue bar just right of each dot is the 90% "
        "interval of the simulated survey of the same n: where that bar and the published "
        "interval do not overlap, the model misses the figure. Open orange squares are held out "
        "of the fit."
    ),
    "pairs": (
        "The posterior. Diagonal: the weighted histogram of each parameter over its whole prior "
        "range (a flat histogram: the data did not narrow it). Below: each pair of parameters, "
        "dot size by weight; a diagonal ridge means the data fix a combination of the two, not "
        "each one."
    ),
    "diagnostics": (
        "ABC-SMC by generation. Left: the acceptance threshold (log scale; generation 0 accepts "
        "every prior draw). The dashed line is about the smallest useful threshold: the distance "
        "a true model would average from sampling error alone. Middle: the share of simulations "
        "accepted (low rates cost time). Right: the effective sample size of the weighted "
        "particles (where it is well below the particle count, a few particles dominate)."
    ),
    "trials": (
        "Point estimate: the deviance of every optuna trial against each parameter (log scale), "
        "the best trial starred. A clear valley locates a parameter; a flat cloud means the "
        "figures say little about it."
    ),
    "recovery": (
        "Each parameter on its prior range (0: lower end, 1: upper end): the posterior 90% "
        "interval (bar), its mean (tick) and the value the synthetic survey was simulated with "
        "(star)."
    ),
    "noise": (
        "Per survey figure, the width of four 90% intervals: the model's own randomness at the "
        "posterior mean (re-simulated with different seeds; a finite workforce), the survey's "
        "binomial sampling error from n, the same with the fitted survey error, and the "
        "posterior predictive interval (all sources together). Where the red bar is longer than "
        "the black one, the model's own noise is larger than the survey's sampling error: a "
        "larger calibration workforce would narrow the intervals."
    ),
    "holdout": (
        "The held-out figures: the 90% predictive interval of the model fitted to the earlier "
        "waves (bar, tick: median) against the published figure and its 95% sampling interval."
    ),
}


def _figure(name: str, path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{esc(name)}">'
        f"<figcaption>{esc(CAPTIONS.get(name, ''))}</figcaption></figure>"
    )


def _brief(
    problem: CalibrationProblem,
    summary: pd.DataFrame,
    figures: pd.DataFrame,
    fit: Mapping,
    sentences: Sequence[str],
) -> list[str]:
    settings = problem.settings
    fitted = figures[figures.status == "fitted"]
    method = (
        "ABC-SMC (a posterior distribution)"
        if settings.mode == "abc"
        else ("an optuna point estimate (no interval)")
    )
    surveys = fitted.dataset.nunique()
    text = [
        f"{len(problem.parameters)} parameters fitted by {method} to {len(fitted)} published "
        f"survey figures from {surveys} survey series"
        + (" (synthetic: simulated from known values)" if problem.truth else "")
        + f"; {fit['simulations_total']:,} simulations.",
        f"The model's 90% predictive interval holds {int(fitted.inside_90.sum())} of the "
        f"{len(fitted)} fitted figures, its 50% interval {int(fitted.inside_50.sum())} "
        f"(well-calibrated intervals hold about 90% and 50%).",
    ]
    others = figures[figures.status != "fitted"]
    if len(others):
        counts = others.status.value_counts()
        text.append(
            "Also reported, not fitted: "
            + "; ".join(f"{k}: {v}" for k, v in counts.items())
            + " (the model's share is given for each)."
        )
    missed = fitted[~fitted.inside_90].sort_values("z", key=abs, ascending=False)
    if len(missed):
        text.append(
            "Figures the fitted model does not reach (outside the 90% interval; distance of the "
            "predictive median in the figure's standard errors): "
            + "; ".join(
                f"{f.figure_id} ({pct(f.observed)} published, {pct(f.predicted_median)} "
                f"predicted, z = {f.z:+.1f})"
                for f in missed.itertuples()
            )
            + "."
        )
        text += [f"Why: {reason}" for reason in unreached_reasons(figures)]
    noise = fit.get("noise_summary")
    if noise:
        text.append(noise)
    unidentified = summary[summary.identified == NOT_IDENTIFIED].parameter.tolist()
    if settings.mode == "abc":
        epsilon, reference = fit["final_epsilon"], fit["reference_deviance"]
        binomial = fit["reference_deviance_binomial"]
        closeness = (
            "about as close as the survey error allows"
            if epsilon <= 2 * reference
            else "so the posterior is approximate (wider than an exact one); more generations "
            "would narrow it, if the model can fit the figures better at all"
        )
        text.append(
            f"The last ABC threshold is a deviance of {epsilon:.4g}, against about "
            f"{reference:.3g} averaged by a true model with the fitted survey error "
            f"({epsilon / reference:.1f} times it), {closeness}. With binomial sampling error "
            f"alone (no survey dispersion) a true model would average about {binomial:.3g} "
            f"({epsilon / binomial:.1f} times)"
            + (
                ": the published figures lie further from any one model, and from each other, "
                "than their sampling error, which the fitted survey error measures."
                if epsilon > 3 * binomial
                else "."
            )
        )
        reason = fit.get("stop_reason", "")
        text.append(f"The fit stopped at its budget limit: {reason}.")
        text.append(
            "Not identified by these data (the 90% interval spans more than "
            f"{settings.identified_ratio:.0%} of the prior): "
            + (", ".join(unidentified) if unidentified else "none")
            + "."
        )
    return [*text, *sentences]


def _tools_html(cfg: DictConfig) -> str:
    rows = []
    for tool in cfg.tools:
        rollout = tool.rollout
        start = rollout.go_live_date or f"week {rollout.go_live_week}"
        kind = "all staff at once" if tool.general_purpose else rollout.kind
        if rollout.kind == "phased" and not tool.general_purpose:
            kind += f" over {rollout.rollout_weeks} weeks"
        rows.append([tool.name, start, kind, f"{tool.reliability:g}"])
    note = ""
    try:
        from hydra.core.hydra_config import HydraConfig

        choice = HydraConfig.get().runtime.choices.get("tools")
        path = Path(__file__).resolve().parents[2] / "conf" / "tools" / f"{choice}.yaml"
        comments = [ln[1:].strip() for ln in path.read_text().splitlines() if ln.startswith("#")]
        note = (
            f"<p class=note>From conf/tools/{esc(choice)}.yaml: "
            + esc(" ".join(c for c in comments if not c.startswith("@package")))
            + "</p>"
        )
    except (ValueError, OSError, AttributeError):
        pass
    return table(["Tool", "First go-live", "Rollout", "Reliability"], rows) + note


def _method_html(cfg: DictConfig, problem: CalibrationProblem) -> str:
    joint = [a for a in problem.plan if len(a.answers) > 1]
    items = [
        f"The scenario: the model starts on {cfg.start_date} with {cfg.population.n_workers:,} "
        f"workers in the fit (a size chosen for speed) and "
        f"{problem.predictive_base.population.n_workers:,} in the posterior predictive and "
        "noise runs (so the intervals carry little of a small workforce's own noise), and runs "
        "week by week; every parameter not fitted keeps its configured value, most of them "
        "assumptions (docs/ODD.md).",
        "A simulated survey asks the model in the week of each survey's fieldwork midpoint: the "
        "share of the staff group (or the whole workforce) who would give the answer, from the "
        "instrument's ordered-probit response model (attitudes) or the workers' use and "
        "training records (census questions). Samples are treated as simple random samples of "
        "a large workforce, which panels and self-selected samples are not.",
        "Survey error (the likelihood): each survey's true share is drawn around the model's "
        "share with dispersion rho (a beta-binomial, or Dirichlet-multinomial for joint "
        "answers, with design effect 1 + (n - 1) rho), then its n respondents; rho = 0 is the "
        "binomial. rho has two fitted parts: likelihood.dispersion for every survey (sample "
        "frame, mode, weighting) and likelihood.wording_dispersion added for attitude "
        "questions, whose different wordings all read one latent quantity of the model. The "
        "predictive intervals include both.",
        "Distance (ABC): the deviance of the published answer counts given the model's staff "
        "shares of one simulation under that survey error: minus twice the log-likelihood, "
        "relative to the published shares themselves, so the survey error is fitted by its "
        "likelihood. Answers of one question asked of the same respondents "
        f"({len(joint)} such group(s): "
        + (", ".join("+".join(a.figure_ids) for a in joint) or "none")
        + ") are one multinomial, other figures from the same survey independent samples (the "
        "correlation of one person's answers is not modelled).",
        "Point estimate: binomial or multinomial deviance of the published counts against the "
        "model's staff shares, averaged over the same seeds in every trial.",
        "Survey questions as asked: each use figure is read with its own recall window (52 "
        "weeks for 'in the last 12 months', 4 weeks for current use); frequency of use, "
        "'received training' and 'want training' read the workers' use and training records "
        "(model/survey.py). The scenario includes the training on offer "
        f"({cfg.strategy.name}: an assumption, see conf/calibration/training).",
        "Reproducibility: a parallel ABC-SMC run is not bit-reproducible (pyABC reseeds its "
        "worker processes from the operating system and the order of finished particles "
        "depends on timing); every accepted particle's simulation seed is stored, so each can "
        "be re-simulated exactly, and a run with n_jobs=1 is reproducible from the seed. The "
        "point estimate and the posterior predictive are reproducible from the seed.",
    ]
    return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def _task_html(tables: Mapping[str, pd.DataFrame], plots: Mapping[str, Path]) -> list[str]:
    """The recovery or held-out section, if the task has one."""
    parts = []
    if "recovery" in tables:
        rows = [
            [x.parameter, num(x.truth), f"{num(x.q05)} to {num(x.q95)}",
             "yes" if x.covered else "no", x.identified, x.verdict]
            for x in tables["recovery"].itertuples()
        ]  # fmt: skip
        head = ["Parameter", "True value", "90% interval", "Covered", "Identified", "Verdict"]
        parts += ["<h2>Parameter recovery</h2>", table(head, rows)]
        parts += [_figure("recovery", plots["recovery"])] if "recovery" in plots else []
    if "holdout" in tables:
        figures = tables["figures"]
        parts += ["<h2>Held-out validation</h2>", figures_html(figures[figures.held_out])]
        parts += [_figure("holdout", plots["holdout"])] if "holdout" in plots else []
    if "skill" in tables:
        parts += skill_html(tables)
    return parts


def _diagnostics_html(diagnostics: pd.DataFrame) -> str:
    rows = [
        [int(x.generation), num(x.epsilon, 4), x.simulations, pct(x.acceptance_rate),
         num(x.ess, 3), num(x.wall_time_s, 3)]
        for x in diagnostics.itertuples()
    ]  # fmt: skip
    head = ["Generation", "Epsilon", "Simulations", "Accepted", "ESS", "Wall time (s)"]
    return table(head, rows)


def render_report(
    cfg: DictConfig,
    problem: CalibrationProblem,
    summary: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    fit: Mapping[str, Any],
    plots: Mapping[str, Path],
    manifest: Mapping[str, Any],
    sentences: Sequence[str],
) -> str:
    """The report as one HTML string."""
    settings = problem.settings
    title = cfg.experiment.get("title") or f"Calibration ({settings.mode}, {settings.task})"
    question = cfg.experiment.get("question") or ""
    parts = [f"<h1>{esc(title)}</h1>"]
    if question:
        parts.append(f'<p class="question"><strong>Question.</strong> {esc(question)}</p>')
    parts.append("<h2>In brief</h2><ul>")
    for line in _brief(problem, summary, tables["figures"], fit, sentences):
        parts.append(f"<li>{esc(line)}</li>")
    parts += ["</ul>", "<h2>What was fitted</h2>", parameters_html(problem)]
    parts += ["<h2>To what data</h2>", data_html(problem)]
    parts += ["<h2>How well the model fits</h2>", _figure("fit", plots["fit"])]
    parts.append(figures_html(tables["figures"]))
    if "noise" in tables:
        parts += ["<h2>Simulation noise and sampling noise</h2>", noise_html(tables["noise"])]
        parts += [_figure("noise", plots["noise"])] if "noise" in plots else []
    parts += ["<h2>How sure the values are</h2>", summary_html(summary)]
    parts.append(
        "<p class=note>Weighted posterior mean, median and 90% interval (5% to 95% quantiles). "
        "Contraction: 1 - posterior variance / prior variance (0 or below: the figures taught "
        "nothing, below 0 when the weights pile up at both ends of the prior; "
        "1: the value is pinned down). "
        f"'Not identified by these data': the interval spans more than "
        f"{settings.identified_ratio:.0%} of the prior range, so the figures did not narrow "
        "what was assumed enough; its calibrated value mostly restates the prior and should not "
        "be read as a finding. A point estimate has no interval: use mode abc for how sure.</p>"
    )
    parts += [_figure(name, plots[name]) for name in ("pairs", "trials") if name in plots]
    parts += _task_html(tables, plots)
    if "diagnostics" in fit:
        parts += ["<h2>Diagnostics</h2>", _diagnostics_html(fit["diagnostics"])]
        parts.append(_figure("diagnostics", plots["diagnostics"]))
    parts += ["<h2>Scenario and method</h2>", _tools_html(cfg), _method_html(cfg, problem)]
    calibrated = (Path(plots["fit"]).parent / "calibrated.yaml").read_text(encoding="utf-8")
    parts += ["<h2>Calibrated values</h2>", f"<pre>{esc(calibrated)}</pre>"]
    parts += ["<h2>Provenance</h2>", _provenance_html(cfg, manifest)]
    return html_page(title, parts)


def _provenance_html(cfg: DictConfig, manifest: Mapping[str, Any]) -> str:
    git = manifest.get("git") or {}
    commit = str(git.get("commit", "unknown")) + (
        " (uncommitted changes)" if git.get("dirty") else ""
    )
    keys = (
        "created",
        "command",
        "seed",
        "mode",
        "task",
        "simulations_total",
        "simulations_this_run",
        "generations",
        "stop_reason",
        "n_jobs",
        "load_average_at_start",
        "load_average_at_end",
        "horizon_weeks",
        "wall_time_s",
        "fit_wall_time_s",
        "resumed",
    )
    rows = [[k, manifest.get(k)] for k in keys if k in manifest] + [["git commit", commit]]
    versions = [[k, v] for k, v in (manifest.get("versions") or {}).items()]
    return "\n".join(
        [
            table(["Item", "Value"], rows),
            "<details><summary>Package versions</summary>",
            table(["Package", "Version"], versions),
            "</details><details><summary>Full configuration (config.yaml)</summary>",
            f"<pre>{esc(OmegaConf.to_yaml(cfg, resolve=True))}</pre></details>",
        ]
    )


def write_report(
    out_dir: Path,
    cfg: DictConfig,
    problem: CalibrationProblem,
    summary: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    fit: Mapping[str, Any],
    plots: Mapping[str, Path],
    manifest: Mapping[str, Any],
    sentences: Sequence[str] = (),
) -> Path:
    """Write ``out_dir/report.html`` atomically and return its path."""
    text = render_report(cfg, problem, summary, tables, fit, plots, manifest, sentences)
    return write_text(Path(out_dir) / "report.html", text)
