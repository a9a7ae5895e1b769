"""The page: the report's sections in order, in one self-contained HTML file.

``report.html`` holds the question, the answer in brief (led by the primary outcome, with its
uncertainty, the error outcomes a strategy worsens, its cost and when the money is spent), the
key table, the figures (PNG embedded as base64 data URIs) with captions on how to read them,
the assumptions that drive the result, definitions, and provenance (seed, versions, git commit,
wall time, the full config). Every piece of text is HTML-escaped; nothing is loaded from
outside the file. Sections are functions of the summary table and the config, not of runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from experiments.io import write_text
from experiments.outcomes import DEFAULT_PRIMARY, MEASURE_WORDS, check_primary, outcome, pretty
from experiments.report.answer import headline
from experiments.report.assumptions import assumptions_html, definitions_html
from experiments.report.cost import spend_timing_lines, spending_note
from experiments.report.figures import figure_html, sorted_plots
from experiments.report.provenance import provenance_html
from experiments.report.ranking import key_table_html, ranking_items
from experiments.report.text import esc, noun
from experiments.summary import ranking
from model.validation import ConfigError


def direction_words(name: str) -> str:
    """'lower is better', 'higher is better' or 'neither direction is better in itself'."""
    better = outcome(name).better
    return f"{better} is better" if better else "neither direction is better in itself"


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1200px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;
margin-top:2em}.question{font-size:1.15em;background:#f3f6fa;border-left:4px solid #2a6ebb;
padding:.7em 1em}table{border-collapse:collapse;font-size:.88em;margin:1em 0}
th,td{border:1px solid #ccc;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f0f0f0}tr.baseline td{background:#fff7d6}.num{text-align:right;white-space:nowrap}
figure{margin:1.5em 0}figure img{max-width:100%;border:1px solid #ddd}
figcaption{font-size:.92em;color:#444;margin-top:.4em}.note{color:#555;font-size:.92em}
.clear{color:#1a7f37;font-weight:600}.worse{color:#b42318;font-weight:600}
.unclear{color:#6b6b6b;font-weight:600}pre{background:#f7f7f7;padding:1em;overflow-x:auto;
font-size:.82em}details{margin:1em 0}summary{cursor:pointer;font-weight:600}
"""


def render_report(
    cfg: DictConfig | Mapping,
    summary: pd.DataFrame,
    plots: Mapping[str, Path],
    manifest: Mapping,
) -> str:
    """The report as one HTML string (see :func:`write_report`)."""
    cfg = cfg if isinstance(cfg, DictConfig) else OmegaConf.create(dict(cfg))
    experiment = OmegaConf.select(cfg, "experiment", default=None) or OmegaConf.create({})
    baseline = experiment.get("baseline")
    base_label = pretty(baseline).lower() if baseline else "the baseline"
    condition_label = experiment.get("condition_label") or "condition"
    title = experiment.get("title") or pretty(cfg.get("name", "experiment"))
    question = experiment.get("question") or "(no question given in experiment.question)"
    weeks = OmegaConf.select(cfg, "weeks", default=None)
    workers = OmegaConf.select(cfg, "population.n_workers", default=None)
    replicates = experiment.get("replicates", "n/a")
    budget = OmegaConf.select(cfg, "strategy.budget_gbp", default=None)
    primary = experiment.get("primary_outcome") or DEFAULT_PRIMARY
    measure = experiment.get("primary_measure") or "time_average"
    if problems := check_primary(primary, measure):
        raise ConfigError("; ".join(problems))
    reps = replicates if isinstance(replicates, int) else None
    conditions = list(pd.unique(summary.condition))
    several = len(conditions) > 1
    setting = (
        f"{len(pd.unique(summary.scenario))} strategies compared in a simulated workforce of "
        f"{workers:,} staff over {weeks} weeks ({weeks / 52:.1f} years), with {replicates} "
        f"paired replicates each; comparator: {base_label}."
        if isinstance(workers, int) and isinstance(weeks, int)
        else f"Comparator: {base_label}."
    )
    if isinstance(replicates, int) and replicates < 10:
        setting += (
            f" Only {replicates} replicates: the intervals are wide and may be unreliable; use "
            "20 or more before drawing conclusions."
        )
    parts = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="question"><strong>Question.</strong> {esc(question)}</p>',
        f"<p class=note>{esc(setting)}</p>",
        "<h2>Answer in brief</h2>",
    ]
    for condition in conditions:
        part = summary[summary.condition == condition]
        if several:
            parts.append(f"<h3>{esc(pretty(condition_label))}: {esc(condition)}</h3>")
        answer = headline(part, baseline, primary, measure, reps)
        parts.append(f"<p><strong>{esc(answer)}</strong></p>")
        parts.append(
            f"<p class=note>Ranked by {esc(noun(primary))} ({esc(MEASURE_WORDS[measure])}; "
            f"{esc(direction_words(primary))}). The 95% range is what a single rollout could "
            "see; the 95% CI says how sure we are about the difference from the comparator. "
            "Numbers are means over replicates, so read them as 'about'.</p><ol>"
        )
        for scenario, text in ranking_items(part, baseline, primary, measure):
            parts.append(f"<li{' class=baseline' if scenario == baseline else ''}>{esc(text)}</li>")
        parts.append("</ol>")
        if note := spending_note(part, budget):
            parts.append(f"<p>{esc(note)}</p>")
        if timing := spend_timing_lines(part, ranking(part, primary, measure)):
            parts.append("<p>When the money is spent (week of the simulation):</p><ul>")
            parts += [f"<li>{esc(line)}</li>" for line in timing]
            parts.append("</ul>")
    parts.append("<h2>Key figures</h2>")
    for condition in conditions:
        if several:
            parts.append(f"<h3>{esc(pretty(condition_label))}: {esc(condition)}</h3>")
        part = summary[summary.condition == condition]
        parts.append(key_table_html(part, baseline, primary, measure))
    parts.append(
        "<p class=note>Cells: mean over replicates (95% range). Shares are of staff whose "
        "department has the tool live.</p>"
    )
    parts.append("<h2>Figures</h2>")
    for name, path in sorted_plots(plots):
        parts.append(figure_html(name, path, base_label, condition_label))
    parts += [
        "<h2>What drives this result</h2>",
        assumptions_html(cfg, experiment),
        "<h2>Definitions</h2>",
        definitions_html(cfg, base_label),
        "<h2>Provenance</h2>",
        provenance_html(cfg, manifest),
    ]
    return html_page(title, parts)


def write_report(
    out_dir: Path,
    cfg: DictConfig | Mapping,
    summary: pd.DataFrame,
    plots: Mapping[str, Path],
    manifest: Mapping,
) -> Path:
    """Write ``out_dir/report.html`` atomically and return its path.

    Args:
        out_dir: The results folder.
        cfg: The experiment's full config (the composed run config: model fields, ``name``,
            ``experiment``), as a DictConfig or a plain mapping.
        summary: The summary table of :func:`experiments.summary.summarise`.
        plots: Figure name -> PNG path, as returned by :func:`experiments.plots.make_all_plots`.
        manifest: The provenance record written to ``manifest.json``.
    """
    return write_text(Path(out_dir) / "report.html", render_report(cfg, summary, plots, manifest))


def html_page(title: str, parts: list[str]) -> str:
    """A self-contained HTML page: the report style sheet, the title, the parts in order."""
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )
