"""The optimisation's ``report.html``: the best mix in plain words, the front, method, provenance.

The answer says whether the best mix beats the best hand-made strategy, with a 95% CI on seeds
neither choice saw.

A function of ``pareto.csv``'s table, the confirmation and the config (no runs); the same style
and provenance table as the other reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from experiments.io import write_text
from experiments.outcomes import MEASURE_WORDS, outcome, pretty, sign_of_better
from experiments.report.assumptions import table_html
from experiments.report.page import html_page
from experiments.report.provenance import provenance_html
from experiments.report.psa_page import figure
from experiments.report.text import amount, bare, esc, gbp, noun

CAPTION = (
    "Left: the primary outcome against total spend; right: against staff time away from work in "
    "training. Grey dots: every candidate of the search, on the search seeds (the best of them "
    "look better than they are: the winner's curse). Blue: the candidates re-evaluated on fresh "
    "seeds; orange: the hand-made strategies on the same fresh seeds; bars are 95% confidence "
    "intervals of the means. Star: the best mix within the budget. Down and to the left is better."
)


def _difference_sentence(confirmed: Mapping[str, Any], measure: str) -> str:
    """The confirmation in words, saying plainly when the mix does not beat the hand-made one."""
    primary = confirmed["primary"]
    hand = pretty(confirmed["best_hand_made"]).lower()
    sign = sign_of_better(primary)
    diff = confirmed["mean"]
    info = outcome(primary)
    size = amount(primary, abs(diff), measure, signed=info.kind == "share")
    if info.kind == "per_1000":
        size = size.replace(" per 1,000 decisions", "")
        unit = f" {noun(primary)} per 1,000 AI-assisted decisions"
    else:
        unit = f" of {noun(primary)}"
    better_words = ("avoids", "more") if sign < 0 else ("gives", "more")
    worse_words = ("makes", "more") if sign < 0 else ("gives", "less")
    verb, more = better_words if sign * diff > 0 else worse_words
    interval = (
        f"mix minus {hand}: {bare(primary, diff, measure)}, 95% CI "
        f"{bare(primary, confirmed['low'], measure)} to {bare(primary, confirmed['high'], measure)}"
        f", on {confirmed['replicates']} fresh seeds that neither choice had seen"
    )
    if confirmed["verdict"] == "better":
        return (
            f"It {verb} {size} {more}{unit} than the best hand-made strategy ({hand}): the "
            f"optimised mix beats it ({interval})."
        )
    if confirmed["verdict"] == "worse":
        return (
            f"It does not beat the best hand-made strategy ({hand}): it {verb} {size} {more}"
            f"{unit} ({interval})."
        )
    return (
        f"It does not clearly beat the best hand-made strategy ({hand}): it {verb} about {size} "
        f"{more}{unit}, but the 95% CI includes no difference ({interval})."
    )


def answer_html(
    table: pd.DataFrame, confirmed: Mapping[str, Any] | None, measure: str, budget: float
) -> str:
    """The answer in brief."""
    best, hand = table.attrs.get("best_mix"), table.attrs.get("best_hand_made")
    if best is None or confirmed is None:
        return (
            "<p><strong>No optimised mix stayed within the budget of "
            f"{esc(gbp(budget))} on the fresh seeds; nothing to recommend.</strong></p>"
        )
    rows = table.set_index("scenario")
    mix, other = rows.loc[best], rows.loc[hand]
    primary = table.attrs["primary"]
    lines = [
        f"<p><strong>{esc(mix.description[0].upper() + mix.description[1:])}.</strong></p>",
        f"<p><strong>{esc(_difference_sentence(confirmed, measure))}</strong></p>",
        "<p>On the re-evaluation seeds: the mix's "
        f"{esc(noun(primary))} {esc(amount(primary, mix[primary], measure))} against "
        f"{esc(amount(primary, other[primary], measure))} for {esc(pretty(hand).lower())}; it "
        f"spends {esc(gbp(mix.cumulative_cost_gbp))} (against "
        f"{esc(gbp(other.cumulative_cost_gbp))}) and takes staff "
        f"{mix.cumulative_staff_hours:,.0f} hours away from work in training (against "
        f"{other.cumulative_staff_hours:,.0f}).</p>",
    ]
    return "\n".join(lines)


def key_table(table: pd.DataFrame, measure: str) -> str:
    """Every re-evaluated candidate and hand-made strategy, best primary first."""
    primary = table.attrs["primary"]
    sign = sign_of_better(primary)
    ordered = table.sort_values(primary, ascending=sign < 0)
    head = [
        "Strategy",
        f"{outcome(primary).label} (95% CI)",
        "Difference from the best hand-made (95% CI)",
        "Spend",
        "Staff hours in training",
        "On the front",
    ]
    rows = []
    for _, r in ordered.iterrows():
        name = r.description if r.kind == "optimised" else f"{r.description} (hand-made)"
        value = (
            f"{amount(primary, r[primary], measure)} ({bare(primary, r[primary + '_low'], measure)}"
            f" to {bare(primary, r[primary + '_high'], measure)})"
        )
        low, high = r.primary_diff_low, r.primary_diff_high
        diff = (
            f"{bare(primary, r.primary_diff, measure)} ({bare(primary, low, measure)} to "
            f"{bare(primary, high, measure)})"
        )
        rows.append(
            [
                ("\u2605 " if r.best else "") + name,
                value,
                diff,
                gbp(r.cumulative_cost_gbp),
                f"{r.cumulative_staff_hours:,.0f}",
                "yes" if r.on_front else "no",
            ]
        )
    return table_html(head, rows)


def method_html(cfg: DictConfig, record: Mapping[str, Any]) -> str:
    """How the search and the re-evaluation were done, in a paragraph."""
    s = cfg.optimise
    robust = (
        " Robust mode: every replicate was also a draw of the uncertain parameters (priors from "
        "the evidence table, calibrated ones from the posterior), so each outcome is an "
        "expectation over what is not known as well as over chance."
        if s.get("robust")
        else ""
    )
    objectives = ", ".join(f"{noun(k)} ({MEASURE_WORDS[v]})" for k, v in s.objectives.items())
    sampler = "NSGA-II (Deb et al. 2002)" if s.sampler == "nsga2" else "multi-objective TPE"
    return (
        f"<p>optuna's {esc(sampler)} searched {s.trials} candidate mixes in batches of "
        f"{s.batch_size}, each run on the same {s.replicates} seeds (common random numbers), "
        f"against {esc(objectives)}. The search space is in conf/optimise/ (programmes, their "
        "share of the budget, coverage, start week, refresher interval; the pace; the audit). "
        "The budget is a constraint: each included programme may spend at most its share, and "
        "the strategy no more than its budget. Up to "
        f"{s.max_reevaluate} candidates of the search's Pareto front "
        f"({record.get('pareto_front_size')} trials) and every hand-made strategy were "
        f"re-evaluated on {s.reevaluate_replicates} "
        "fresh seeds; the best mix within the budget and the best hand-made strategy were then "
        f"compared on {s.reevaluate_replicates} further seeds, so picking the best of several "
        "does not inflate the difference reported. Most model parameters are assumptions "
        "(data/evidence/parameters.csv): read the result as a comparison under stated "
        f"assumptions, not a forecast.{esc(robust)}</p>"
    )


def write_optimise_report(
    out_dir: Path,
    cfg: DictConfig,
    table: pd.DataFrame,
    confirmed: Mapping[str, Any] | None,
    plot: Path,
    record: Mapping[str, Any],
) -> Path:
    """Write ``out_dir/report.html`` atomically and return its path."""
    experiment = cfg.experiment
    title = experiment.get("title") or "Optimised training mix"
    measure = cfg.optimise.objectives[table.attrs["primary"]]
    budget = float(cfg.strategy.budget_gbp)
    workers = OmegaConf.select(cfg, "population.n_workers", default=0)
    primary = table.attrs["primary"]
    direction = "lower" if sign_of_better(primary) < 0 else "higher"
    setting = (
        f"A simulated workforce of {workers:,} staff over {cfg.weeks} weeks, budget "
        f"{gbp(budget)}; primary outcome: {noun(primary)}, {MEASURE_WORDS[measure]} "
        f"({direction} is better). Spend includes staff time at the backfill rate."
    )
    parts = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="question"><strong>Question.</strong> {esc(experiment.question)}</p>',
        f"<p class=note>{esc(setting)}</p>",
        "<h2>Answer in brief</h2>",
        answer_html(table, confirmed, measure, budget),
        "<h2>Optimised mixes and hand-made strategies on fresh seeds</h2>",
        key_table(table, measure),
        "<h2>Figure</h2>",
        figure(plot, CAPTION, "Pareto front"),
        "<h2>Method</h2>",
        method_html(cfg, record),
        "<h2>Provenance</h2>",
        provenance_html(cfg, record),
    ]
    return write_text(Path(out_dir) / "report.html", html_page(title, parts))


__all__ = ["write_optimise_report"]
