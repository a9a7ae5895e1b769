"""The HTML report of an experiment, for planners: one self-contained file, readable without code.

``report.html`` holds the question, a ranking of the strategies in words with their uncertainty
and cost, the key table, the figures (PNG embedded as base64 data URIs) with captions on how to
read them, the assumptions that drive the result, definitions, and provenance (seed, versions,
git commit, wall time, the full config). Every piece of text is HTML-escaped; nothing is loaded
from outside the file.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from experiments.io import write_text
from experiments.plots import pretty, ranking
from experiments.provenance import REPO_ROOT
from experiments.summary import COST_EFFECT
from model.params import ASSUMPTION, iter_params
from model.simulation import as_model_config

TABLE_OUTCOMES = {
    "over_trust_share": "Over-trusting",
    "under_trust_share": "Under-trusting",
    "adoption_share": "Using the tool",
    "automation_bias_rate": "Wrong AI advice acted on",
}
PLOT_ORDER = (
    "by_condition",
    "final_outcomes",
    "cost_effectiveness",
    "trajectories",
    "trust_reliability",
    "archetype_heatmap",
    "staff_group_heatmap",
)
CAPTIONS = {
    "by_condition": (
        "How the result changes with {label}. Left: mean trust in the final week; where the "
        "conditions are tool reliabilities, the dotted line is where trust would equal the "
        "reliability. Right: the share appropriately confident. Dots are means over replicates, "
        "bars the range 95% of single rollouts fall in."
    ),
    "final_outcomes": (
        "Where each strategy ends up in the final week. Each row is a strategy, the best final "
        "appropriate share on top; the shaded row is the comparator ({baseline}) and the dotted "
        "line its mean. Dots are means over replicates, bars the range 95% of single rollouts "
        "fall in. Read across a row to see whether a strategy gains appropriate confidence by "
        "reducing over-trust or under-trust, and what happens to use of the tool and to the "
        "share of wrong AI advice that is acted on. Each panel has its own scale: check the "
        "axis before reading a gap as large."
    ),
    "cost_effectiveness": (
        "What each strategy buys. Further right costs more than {baseline} (training fees plus "
        "backfill for time away); further up gives more appropriately-confident staff in the "
        "final week. Bars are 95% confidence intervals of the mean difference over paired "
        "replicates: a vertical bar that crosses zero means the gain cannot be told apart from "
        "none. The green line joins the efficient strategies, for which no other strategy gives "
        "more gain for the same or less money; strategies below or right of it are dominated. "
        "The line uses the means only, so read it together with the bars."
    ),
    "trajectories": (
        "How things evolve week by week (bottom axis: calendar; top axis: week of the "
        "simulation). Lines are the median over replicates and shaded bands the range 95% of "
        "single rollouts fall in; the dashed black line is {baseline}. Shares are of staff "
        "whose department has the tool live, so they start once the tool goes live. Differences "
        "early on can matter even if the lines meet again by the end."
    ),
    "trust_reliability": (
        "Trust against the truth. Each dot is one worker in the final week of one replicate: "
        "across, how reliable the tool really is in their department; up, how much they trust "
        "it. Dots inside the green band are appropriately confident; above it they over-trust "
        "(risk of acting on wrong advice), below it they under-trust (benefit lost). Blue dots "
        "use the tool, orange dots do not."
    ),
    "archetype_heatmap": (
        "Who ends up appropriately confident, by archetype (final week, mean over replicates). "
        "Small groups (shapers, drivers and creators are a few percent of staff) have few "
        "workers, so their figures vary a lot between replicates: read small differences with "
        "caution. Colours stretch over the range of the values shown."
    ),
    "staff_group_heatmap": (
        "Who ends up appropriately confident, by staff group (final week, mean over "
        "replicates). Colours stretch over the range of the values shown, so small differences "
        "look large; the numbers in the cells are what counts."
    ),
}
KEY_PARAMETERS = (
    "weeks",
    "population.n_workers",
    "strategy.budget_gbp",
    "training.backfill_gbp_per_hour",
    "training.base_attendance",
    "training.workload_pressure",
    "behaviour.automation_bias",
    "behaviour.error_weight",
    "behaviour.forgetting",
    "outcomes.appropriate_margin",
)
TOOL_PARAMETERS = (
    "reliability",
    "reliability_concentration",
    "error_salience",
    "cases_per_week",
    "governance_maturity",
)
MODALITY_PARAMETERS = (
    "cost_gbp",
    "staff_hours",
    "calibration_pull",
    "detection_bonus",
    "trust_push",
    "literacy_gain",
    "half_life_weeks",
    "influence_multiplier",
)
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


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _pct(share: float) -> str:
    return "n/a" if _missing(share) else f"{100 * share:.0f}%"


def _points(share: float) -> str:
    return f"{100 * share:.1f}".replace("-", "\u2212")


def _gbp(value: float) -> str:
    if _missing(value):
        return "n/a"
    if math.isinf(value):
        return "no upper limit"
    return f"\u00a3{value:,.0f}"


def share_with_range(row: Mapping) -> str:
    """'84% (95% range 79-89%)' from a summary row (mean, low_95, high_95)."""
    if _missing(row.get("low_95")):
        return _pct(row["mean"])
    return f"{_pct(row['mean'])} (95% range {100 * row['low_95']:.0f}-{_pct(row['high_95'])})"


def verdict(row: Mapping) -> str:
    """'improvement', 'worse', 'not distinguishable' or 'unknown' from a paired difference.

    'unknown' when there is no interval, or a zero-width one around a non-zero difference (what
    the summary gives for a single replicate).
    """
    low, high = row.get("diff_low_95"), row.get("diff_high_95")
    if _missing(low) or _missing(high) or (low == high and low != 0):
        return "unknown"
    if low > 0:
        return "improvement"
    if high < 0:
        return "worse"
    return "not distinguishable"


def difference_words(row: Mapping, baseline_label: str) -> str:
    """The difference from the baseline in words, with its 95% CI and what it means.

    E.g. '3.1 points more than no training (95% CI 1.2 to 5.0) - a clear improvement'.
    """
    diff = row.get("diff_mean")
    if _missing(diff):
        return f"no comparison with {baseline_label}"
    direction = "more" if diff >= 0 else "fewer"
    text = f"{abs(100 * diff):.1f} points {direction} than {baseline_label}"
    kind = verdict(row)
    if kind == "unknown":
        return f"{text} (too few replicates to judge the uncertainty)"
    text += f" (95% CI {_points(row['diff_low_95'])} to {_points(row['diff_high_95'])})"
    return (
        text
        + {
            "improvement": " \u2014 a clear improvement",
            "worse": f" \u2014 clearly worse than {baseline_label}",
            "not distinguishable": f" \u2014 not distinguishable from {baseline_label}",
        }[kind]
    )


def cost_words(
    cost_row: Mapping | None,
    effect_row: Mapping | None,
    baseline_label: str,
    gain_row: Mapping | None = None,
) -> str:
    """What the gain costs: per additional appropriately-confident worker, or why there is none.

    ``cost_row`` is the final ``cumulative_cost_gbp`` summary row, ``effect_row`` the
    ``cost_per_additional_appropriate_worker_gbp`` row (its diff_mean is the mean gain) and
    ``gain_row`` the final ``appropriate_workers`` row, whose CI says whether the gain is clear.
    """
    extra = None if cost_row is None else cost_row.get("diff_mean")
    if _missing(extra) or abs(extra) < 0.5:
        return "no extra cost"
    gain = None if effect_row is None else effect_row.get("diff_mean")
    per_worker = None if effect_row is None else effect_row.get("mean")
    if _missing(gain) or gain <= 0 or _missing(per_worker):
        return f"costs {_gbp(extra)} more than {baseline_label} and gains nothing on average"
    text = f"{_gbp(per_worker)} per additional appropriately-confident worker"
    low, high = effect_row.get("low_95"), effect_row.get("high_95")
    if not (_missing(low) or _missing(high)):
        text += f" (95% range {_gbp(low)} to {_gbp(high)})"
    text += f"; {_gbp(extra)} extra in all"
    if gain_row is not None and verdict(gain_row) != "improvement":
        text += ", for a gain that cannot be told apart from none"
    return text


def _row(summary: pd.DataFrame, scenario: str, outcome: str, measure: str = "final") -> dict:
    rows = summary[
        (summary.scenario == scenario) & (summary.outcome == outcome) & (summary.measure == measure)
    ]
    return rows.iloc[0].to_dict() if len(rows) else {}


def ranking_items(summary: pd.DataFrame, baseline: str | None) -> list[tuple[str, str]]:
    """(scenario, sentence) per scenario of one condition, best final appropriate share first."""
    base_label = pretty(baseline).lower() if baseline else "the baseline"
    items = []
    for scenario in ranking(summary):
        final = _row(summary, scenario, "appropriate_share")
        average = _row(summary, scenario, "appropriate_share", "time_average")
        text = f"{pretty(scenario)}: {share_with_range(final)} appropriately confident at the end"
        if baseline is None:
            text += "."
        elif scenario == baseline:
            text += (
                f" \u2014 the comparator; averaged over the weeks since the first go-live "
                f"{_pct(average.get('mean'))}."
            )
        else:
            text += f"; {difference_words(final, base_label)}"
            if average:
                text += (
                    f". Averaged over the weeks since the first go-live: {_pct(average['mean'])}, "
                    f"{difference_words(average, base_label)}"
                )
            cost = _row(summary, scenario, "cumulative_cost_gbp")
            effect = _row(summary, scenario, COST_EFFECT)
            gain = _row(summary, scenario, "appropriate_workers")
            text += f". Cost: {cost_words(cost, effect, base_label, gain)}."
        items.append((scenario, text))
    return items


def headline(summary: pd.DataFrame, baseline: str | None) -> str:
    """One or two sentences: which strategies are clearly better than the baseline."""
    if baseline is None:
        return "There is no comparator scenario, so no strategy is compared with another."
    base_label = pretty(baseline).lower()
    sentences = []
    for measure, when in (
        ("final", "In the final week"),
        ("time_average", "Averaged over the weeks since the first go-live"),
    ):
        better = [
            pretty(s)
            for s in ranking(summary)
            if s != baseline
            and verdict(_row(summary, s, "appropriate_share", measure)) == "improvement"
        ]
        if better:
            sentences.append(
                f"{when}, {', '.join(better)} give clearly more appropriately-confident staff "
                f"than {base_label}."
            )
        else:
            sentences.append(f"{when}, no strategy is clearly better than {base_label}.")
    return " ".join(sentences)


def spending_note(summary: pd.DataFrame, budget_gbp: float | None) -> str:
    """A sentence on how much of the budget the strategies spent, when none spent it all."""
    costs = summary[(summary.outcome == "cumulative_cost_gbp") & (summary.measure == "final")]
    spent = costs["mean"].dropna()
    spent = spent[spent > 0]
    if _missing(budget_gbp) or not budget_gbp or spent.empty or spent.max() >= 0.99 * budget_gbp:
        return ""
    return (
        f"No strategy spent its whole budget of {_gbp(budget_gbp)}: the training strategies "
        f"spent {_gbp(spent.min())} to {_gbp(spent.max())} on average, so they are compared at "
        "different costs, not at equal spend."
    )


def _interval_cell(row: Mapping, percent: bool = True) -> str:
    if not row:
        return "n/a"
    if percent:
        return share_with_range(row).replace("95% range ", "")
    if _missing(row.get("low_95")) or row["low_95"] == row["high_95"] == row["mean"]:
        return _gbp(row["mean"])
    return f"{_gbp(row['mean'])} ({_gbp(row['low_95'])} to {_gbp(row['high_95'])})"


def key_table_html(summary: pd.DataFrame, baseline: str | None) -> str:
    """The key table: a row per scenario, final outcomes with their 95% ranges, and cost."""
    base_label = pretty(baseline).lower() if baseline else "baseline"
    head = [
        "Strategy",
        "Appropriately confident, final week",
        f"Difference vs {base_label} (points, 95% CI)",
        "Appropriately confident, average since first go-live",
        *TABLE_OUTCOMES.values(),
        "Training cost by the end",
        "Cost per additional appropriately-confident worker",
    ]
    rows = []
    for scenario in ranking(summary):
        final = _row(summary, scenario, "appropriate_share")
        diff = "\u2014"
        if scenario != baseline and not _missing(final.get("diff_mean")):
            diff = f"{_points(final['diff_mean'])}"
            if verdict(final) != "unknown":
                diff += f" ({_points(final['diff_low_95'])} to {_points(final['diff_high_95'])})"
        effect = _row(summary, scenario, COST_EFFECT)
        if scenario == baseline or not effect:
            per_worker = "\u2014"
        elif _missing(effect.get("mean")):
            per_worker = "no gain"
        else:
            per_worker = _interval_cell(effect, percent=False)
        cells = [
            pretty(scenario),
            _interval_cell(final),
            diff,
            _interval_cell(_row(summary, scenario, "appropriate_share", "time_average")),
            *(_interval_cell(_row(summary, scenario, o)) for o in TABLE_OUTCOMES),
            _interval_cell(_row(summary, scenario, "cumulative_cost_gbp"), percent=False),
            per_worker,
        ]
        css = ' class="baseline"' if scenario == baseline else ""
        tds = "".join(
            f"<td{'' if i == 0 else ' class=num'}>{_e(c)}</td>" for i, c in enumerate(cells)
        )
        rows.append(f"<tr{css}>{tds}</tr>")
    header = "".join(f"<th>{_e(h)}</th>" for h in head)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _figure_html(name: str, path: Path, baseline_label: str, condition_label: str) -> str:
    kind = name.split(":", 1)[0]
    caption = CAPTIONS.get(kind, "Figure of the experiment.")
    caption = caption.format(baseline=baseline_label, label=condition_label)
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    alt = pretty(kind) + (f" ({name.split(':', 1)[1]})" if ":" in name else "")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{_e(alt)}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _sorted_plots(plots: Mapping[str, Path]) -> list[tuple[str, Path]]:
    def key(item: tuple[str, Path]) -> tuple[int, str]:
        kind = item[0].split(":", 1)[0]
        return (PLOT_ORDER.index(kind) if kind in PLOT_ORDER else len(PLOT_ORDER), item[0])

    return sorted(plots.items(), key=key)


def _parameter_rows(model_cfg: Any) -> tuple[list[list[str]], list[list[str]]]:
    """(key parameters, modality table) as rows of text, with units and sources."""
    fields = {path: (value, f.metadata) for path, value, f in iter_params(model_cfg)}

    def row(path: str) -> list[str]:
        value, meta = fields[path]
        source = meta.get("source", ASSUMPTION)
        return [
            meta.get("doc") or path,
            path,
            f"{value:g}" if isinstance(value, float) else str(value),
            meta.get("unit", ""),
            source,
        ]

    key_rows = [row(p) for p in KEY_PARAMETERS if p in fields]
    for i, _ in enumerate(model_cfg.tools):
        key_rows += [row(f"tools.{i}.{p}") for p in TOOL_PARAMETERS if f"tools.{i}.{p}" in fields]
    modality_rows = []
    for name in model_cfg.training.modalities:
        values = [fields[f"training.modalities.{name}.{p}"][0] for p in MODALITY_PARAMETERS]
        modality_rows.append([pretty(name), *(f"{v:g}" for v in values)])
    return key_rows, modality_rows


def _table(head: list[str], rows: list[list[str]]) -> str:
    header = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def _strategy_description(overrides: list[str]) -> str:
    """The header comment of the strategy file a scenario selects, if any."""
    for item in overrides:
        key, _, value = str(item).partition("=")
        if key.lstrip("+~") == "strategy" and value:
            path = REPO_ROOT / "conf" / "strategy" / f"{value}.yaml"
            if path.exists():
                lines = path.read_text(encoding="utf-8").splitlines()
                comment = []
                for line in lines:
                    if not line.startswith("#"):
                        break
                    comment.append(line.lstrip("#").strip())
                return " ".join(comment)
    return ""


def _assumptions_html(cfg: DictConfig, experiment: Any) -> str:
    model_cfg = as_model_config(cfg)
    key_rows, modality_rows = _parameter_rows(model_cfg)
    scenario_rows = []
    for scenario, overrides in (experiment.get("scenarios") or {}).items():
        overrides = list(overrides)
        scenario_rows.append(
            [pretty(scenario), ", ".join(overrides), _strategy_description(overrides)]
        )
    parts = [
        "<p><strong>The results follow from the assumptions below. They are assumptions, not "
        "findings:</strong> most values have no published source (the Source column says "
        "<em>assumption</em>), and a different value can change the ranking. Treat the results "
        "as a comparison of strategies under these assumptions, and test the assumptions that "
        "matter most to your decision (for example with a sensitivity experiment).</p>",
        "<h3>What each strategy does</h3>",
        _table(["Strategy", "Config overrides", "Description"], scenario_rows),
        "<h3>Training modalities (cost and effect per person trained)</h3>",
        "<p class=note>Every strategy is built from these modalities. Cost is in GBP per person; "
        "staff hours are also paid as backfill. Calibration pull moves trust that share of the "
        "way to the tool's true reliability; detection bonus raises the chance of noticing an "
        "AI error; trust push raises trust regardless of the evidence; gains fade with the "
        "half-life. All are assumptions.</p>",
        _table(
            [
                "Modality",
                "Cost (GBP)",
                "Staff hours",
                "Calibration pull",
                "Detection bonus",
                "Trust push",
                "Literacy gain",
                "Half-life (weeks)",
                "Peer influence x",
            ],
            modality_rows,
        ),
        "<h3>Other parameters that most affect the result</h3>",
        _table(["Parameter", "Config path", "Value", "Unit", "Source"], key_rows),
        f"<p>Replicates: {_e(experiment.get('replicates'))} paired runs per strategy (the same "
        "random seeds for every strategy). More replicates narrow the confidence intervals but "
        "do not change the assumptions.</p>",
    ]
    return "\n".join(parts)


def _definitions_html(cfg: DictConfig, baseline_label: str) -> str:
    margin = OmegaConf.select(cfg, "outcomes.appropriate_margin", default=0.1)
    items = [
        ("Trust", "a worker's belief (0-1) that the tool's advice is right."),
        (
            "Reliability",
            "the share of the tool's advice that is actually right, in the worker's "
            "department (it varies a little between departments).",
        ),
        (
            "Appropriately confident",
            f"|trust - reliability| <= {margin:g}: trust is within "
            f"{margin:g} of the truth. Shares are of staff whose department has the tool live.",
        ),
        ("Over-trusting", f"trust above reliability + {margin:g}: risk of acting on wrong advice."),
        ("Under-trusting", f"trust below reliability - {margin:g}: the tool's benefit is lost."),
        ("Using the tool (adoption)", "share of staff with the tool live who use it."),
        (
            "Wrong AI advice acted on (automation-bias rate)",
            "share of the wrong advice given to users that they relied on.",
        ),
        (
            "Training cost",
            "fees plus staff time at the backfill rate, cumulated to the final "
            "week (only what the strategy actually spent, up to its budget).",
        ),
        (
            "Cost per additional appropriately-confident worker",
            "mean extra cost divided by the "
            f"mean extra number of appropriately-confident workers in the final week, against "
            f"{baseline_label}; its 95% range is a paired bootstrap. Not given when there is no "
            "gain on average.",
        ),
        (
            "95% range",
            "the range 95% of single rollouts fall in (2.5th to 97.5th percentile over "
            "replicates): what one organisation might see.",
        ),
        (
            "95% CI of a difference",
            f"the 95% confidence interval of the mean paired difference "
            f"from {baseline_label} (same seeds). When it includes zero, the strategy is not "
            "distinguishable from the comparator with this many replicates.",
        ),
        ("Points", "percentage points: 84% against 81% is 3 points."),
    ]
    body = "".join(f"<dt><strong>{_e(t)}</strong></dt><dd>{_e(d)}</dd>" for t, d in items)
    return f"<dl>{body}</dl>"


def _provenance_html(cfg: DictConfig, manifest: Mapping) -> str:
    git = manifest.get("git") or {}
    commit = str(git.get("commit", "unknown"))
    if git.get("dirty"):
        commit += " (with uncommitted changes)"
    wall = manifest.get("wall_time_s")
    rows = [
        ["Created", manifest.get("created", "unknown")],
        ["Command", manifest.get("command", "unknown")],
        ["Seed", manifest.get("seed", OmegaConf.select(cfg, "seed"))],
        ["Replicate seeds", f"{len(manifest.get('replicate_seeds') or [])} derived from the seed"],
        [
            "Runs",
            f"{manifest.get('runs_total', 'n/a')} "
            f"({manifest.get('runs_reused', 0)} reused from an earlier run)",
        ],
        ["Git commit", commit],
        ["Wall time", "unknown" if wall is None else f"{float(wall):,.1f} s"],
    ]
    versions = [[k, v] for k, v in (manifest.get("versions") or {}).items()]
    config_text = OmegaConf.to_yaml(cfg, resolve=True)
    return "\n".join(
        [
            _table(["Item", "Value"], [[k, str(v)] for k, v in rows]),
            "<details><summary>Package versions</summary>",
            _table(["Package", "Version"], versions),
            "</details>",
            "<details><summary>Full configuration (config.yaml)</summary>",
            f"<pre>{_e(config_text)}</pre></details>",
        ]
    )


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
        f"<h1>{_e(title)}</h1>",
        f'<p class="question"><strong>Question.</strong> {_e(question)}</p>',
        f"<p class=note>{_e(setting)}</p>",
        "<h2>Answer in brief</h2>",
    ]
    for condition in conditions:
        part = summary[summary.condition == condition]
        if several:
            parts.append(f"<h3>{_e(pretty(condition_label))}: {_e(condition)}</h3>")
        parts.append(f"<p><strong>{_e(headline(part, baseline))}</strong></p>")
        parts.append(
            "<p class=note>Ranked by the share appropriately confident in the final week. The "
            "95% range is what a single rollout could see; the 95% CI says how sure we are "
            "about the difference from the comparator.</p><ol>"
        )
        for scenario, text in ranking_items(part, baseline):
            parts.append(f"<li{' class=baseline' if scenario == baseline else ''}>{_e(text)}</li>")
        parts.append("</ol>")
        if note := spending_note(part, budget):
            parts.append(f"<p>{_e(note)}</p>")
    parts.append("<h2>Key figures</h2>")
    for condition in conditions:
        if several:
            parts.append(f"<h3>{_e(pretty(condition_label))}: {_e(condition)}</h3>")
        parts.append(key_table_html(summary[summary.condition == condition], baseline))
    parts.append(
        "<p class=note>Cells: mean over replicates (95% range). Shares are of staff whose "
        "department has the tool live.</p>"
    )
    parts.append("<h2>Figures</h2>")
    for name, path in _sorted_plots(plots):
        parts.append(_figure_html(name, path, base_label, condition_label))
    parts += [
        "<h2>What drives this result</h2>",
        _assumptions_html(cfg, experiment),
        "<h2>Definitions</h2>",
        _definitions_html(cfg, base_label),
        "<h2>Provenance</h2>",
        _provenance_html(cfg, manifest),
    ]
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


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
