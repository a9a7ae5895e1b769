"""What drives the result, and what the report's words mean.

The strategies, training modalities and key parameters with their units and sources, and the
definitions of the terms the report uses.
"""

from __future__ import annotations

from typing import Any

from omegaconf import DictConfig, OmegaConf

from experiments.outcomes import pretty
from experiments.provenance import REPO_ROOT
from experiments.report.text import esc
from model.params import ASSUMPTION, iter_params
from model.validation import as_model_config

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


def table_html(head: list[str], rows: list[list[str]]) -> str:
    """A plain HTML table of escaped text."""
    header = "".join(f"<th>{esc(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
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


def assumptions_html(cfg: DictConfig, experiment: Any) -> str:
    """The 'what drives this result' section: strategies, modalities, key parameters."""
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
        table_html(["Strategy", "Config overrides", "Description"], scenario_rows),
        "<h3>Training modalities (cost and effect per person trained)</h3>",
        "<p class=note>Every strategy is built from these modalities. Cost is in GBP per person; "
        "staff hours are also paid as backfill. Calibration pull moves trust that share of the "
        "way to the tool's true reliability; detection bonus raises the chance of noticing an "
        "AI error; trust push raises trust regardless of the evidence; gains fade with the "
        "half-life. All are assumptions.</p>",
        table_html(
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
        table_html(["Parameter", "Config path", "Value", "Unit", "Source"], key_rows),
        f"<p>Replicates: {esc(experiment.get('replicates'))} paired runs per strategy (the same "
        "random seeds for every strategy). More replicates narrow the confidence intervals but "
        "do not change the assumptions.</p>",
    ]
    return "\n".join(parts)


def definitions_html(cfg: DictConfig, baseline_label: str) -> str:
    """The definitions section: every term of the report in plain words."""
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
            "Automation-bias errors",
            "AI-assisted decisions that went wrong because wrong AI advice was acted on, per "
            "1,000 AI-assisted decisions in the week.",
        ),
        (
            "Aversion errors",
            "decisions where right AI advice was overridden or rejected and the worker's own "
            "answer was wrong, per 1,000 AI-assisted decisions.",
        ),
        (
            "Avoidable errors",
            "automation-bias plus aversion errors: the errors better-calibrated trust could "
            "have prevented, per 1,000 AI-assisted decisions. Lower is better.",
        ),
        (
            "Averaged over the weeks / in total over the horizon",
            "the mean of the weekly values over the weeks where they are defined (rates need at "
            "least one AI-assisted decision that week); or the total: for a rate per 1,000 "
            "decisions, the number of such errors, the weekly rate times that week's decisions "
            "divided by 1,000, added up. Totals fall when fewer AI-assisted decisions are made, "
            "not only when each decision is better.",
        ),
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
            "Cost per avoidable error averted",
            "mean extra cost divided by the mean number of avoidable errors averted over the "
            f"whole horizon, against {baseline_label}; its 95% range is a paired bootstrap. Not "
            "given when no error is averted on average.",
        ),
        (
            "When the money is spent",
            "the first week by which a strategy's cumulative spend reached half (and 95%) of "
            "what it spent in all: the median over replicates and the range over them.",
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
    body = "".join(f"<dt><strong>{esc(t)}</strong></dt><dd>{esc(d)}</dd>" for t, d in items)
    return f"<dl>{body}</dl>"
