"""Tables and files of an optimisation: trials, the re-evaluated front, the best strategy's YAML.

``pareto.csv`` has one row per re-evaluated candidate (``kind`` optimised) and hand-made strategy
(``kind`` hand-made), all on the same fresh seeds: for each outcome the mean over replicates and
its 95% Student-t confidence interval (``<outcome>``, ``<outcome>_low``, ``<outcome>_high``);
the paired difference of the primary outcome from the best hand-made strategy with its 95% CI
(``primary_diff``, ``primary_diff_low``, ``primary_diff_high``); whether no other row beats it on
every objective (``on_front``) and whether its mean spend is within the budget.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
import yaml
from omegaconf import DictConfig

from experiments.io import write_text
from experiments.optimise.evaluate import REPORTED, mean_and_ci
from experiments.outcomes import pretty, sign_of_better

COST = "cumulative_cost_gbp"
BUDGET_TOLERANCE_GBP = 1.0


def _dominated(points: np.ndarray) -> np.ndarray:
    """Rows of ``points`` (larger is better in every column) that another row dominates."""
    out = np.zeros(len(points), dtype=bool)
    for i, p in enumerate(points):
        better_or_equal = (points >= p).all(axis=1)
        strictly = (points > p).any(axis=1)
        out[i] = bool((better_or_equal & strictly).any())
    return out


def compare_table(
    fresh: pd.DataFrame,
    objectives: Mapping[str, str],
    strategies: Mapping[str, Mapping[str, Any]],
    handmade: Mapping[str, Any],
    budget_gbp: float,
) -> pd.DataFrame:
    """The re-evaluated candidates and hand-made strategies (module docstring).

    ``attrs['best_mix']`` is the optimised candidate with the best primary mean whose mean spend
    is within the budget (None if none is); ``attrs['best_hand_made']`` the best hand-made one.
    """
    from experiments.optimise.candidate import describe

    names = list(dict.fromkeys([*objectives, *REPORTED]))
    primary = next(iter(objectives))
    sign = sign_of_better(primary)
    rows = []
    for scenario, part in fresh.groupby("scenario", sort=False):
        kind = "optimised" if scenario in strategies else "hand-made"
        words = describe(strategies[scenario]) if kind == "optimised" else pretty(scenario)
        row: dict[str, Any] = {
            "scenario": scenario,
            "kind": kind,
            "description": words,
            "replicates": len(part),
        }
        for name in names:
            row[name], row[f"{name}_low"], row[f"{name}_high"] = mean_and_ci(part[name].to_numpy())
        rows.append(row)
    table = pd.DataFrame(rows)
    hand = table[table.kind == "hand-made"]
    best_hand = hand.scenario.iloc[int(np.argmax(sign * hand[primary].to_numpy()))]
    by_seed = fresh.pivot(index="seed", columns="scenario", values=primary)
    for i, scenario in enumerate(table.scenario):
        diff = (by_seed[scenario] - by_seed[best_hand]).to_numpy()
        mean, low, high = mean_and_ci(diff)
        table.loc[i, ["primary_diff", "primary_diff_low", "primary_diff_high"]] = (mean, low, high)
    signs = np.array([sign_of_better(n) for n in objectives], dtype=float)
    table["on_front"] = ~_dominated(table[list(objectives)].to_numpy() * signs)
    table["within_budget"] = table[COST] <= budget_gbp + BUDGET_TOLERANCE_GBP
    mixes = table[(table.kind == "optimised") & table.within_budget]
    best = None
    if len(mixes):
        best = mixes.scenario.iloc[int(np.argmax(sign * mixes[primary].to_numpy()))]
    table.attrs.update(best_mix=best, best_hand_made=best_hand, primary=primary)
    table["best"] = table.scenario.isin([best, best_hand])
    return table


def confirm_difference(
    confirm: pd.DataFrame, primary: str, best: str, best_hand: str
) -> dict[str, Any]:
    """Paired difference of the primary outcome, best mix minus best hand-made, on fresh seeds.

    Returns:
        ``mean``, ``low``, ``high`` (95% Student-t CI of the mean difference), each strategy's
        mean, the number of replicates, and ``verdict``: 'better', 'worse' or 'unclear' (the CI
        lies wholly on the better side, the worse side, or spans 0).
    """
    by_seed = confirm.pivot(index="seed", columns="scenario", values=primary)
    mean, low, high = mean_and_ci((by_seed[best] - by_seed[best_hand]).to_numpy())
    sign = sign_of_better(primary)
    if min(sign * low, sign * high) > 0:
        verdict = "better"
    elif max(sign * low, sign * high) < 0:
        verdict = "worse"
    else:
        verdict = "unclear"
    return {
        "primary": primary,
        "best_mix": best,
        "best_hand_made": best_hand,
        "mean": mean,
        "low": low,
        "high": high,
        "best_mix_mean": float(by_seed[best].mean()),
        "best_hand_made_mean": float(by_seed[best_hand].mean()),
        "replicates": int(len(by_seed)),
        "verdict": verdict,
    }


def trials_table(
    study: optuna.Study,
    names: list[str],
    strategy_of: Callable[[dict[str, Any]], dict[str, Any]],
    describe: Callable[[Mapping[str, Any]], str],
    front: set[int],
) -> pd.DataFrame:
    """Every trial: number, state, parameters, objective means (search seeds), the strategy."""
    table = study.trials_dataframe(
        attrs=("number", "state", "params", "values", "datetime_start", "datetime_complete")
    )
    table = table.rename(columns={f"values_{i}": name for i, name in enumerate(names)})
    if len(names) == 1 and "value" in table.columns:
        table = table.rename(columns={"value": names[0]})
    strategies = [strategy_of(dict(t.params)) for t in study.trials]
    table["strategy"] = [json.dumps(s) for s in strategies]
    table["description"] = [describe(s) for s in strategies]
    table["on_search_front"] = table.number.isin(front)
    return table


def write_best_strategy(
    path: Path, strategy: Mapping[str, Any], table: pd.DataFrame, best: str, cfg: DictConfig
) -> Path:
    """``best_strategy.yaml``: the best mix as a strategy file, with how it was found."""
    row = table.set_index("scenario").loc[best]
    primary = table.attrs["primary"]
    name = strategy["name"]
    header = [
        f"# The best training mix found by experiment=optimise_mix ({dt.date.today().isoformat()},",
        f"# seed {cfg.seed}; search trial {best.removeprefix('trial_').lstrip('0') or '0'}).",
        f"# Re-evaluated on {int(row.replicates)} fresh seeds: {primary} = {row[primary]:.2f} "
        f"(95% CI {row[primary + '_low']:.2f} to {row[primary + '_high']:.2f}),",
        f"# spend {row[COST]:,.0f} GBP of {float(strategy['budget_gbp']):,.0f} GBP.",
        f"# Use: copy to conf/strategy/{name}.yaml, then python run.py strategy={name}",
        "# (each programme's budget_share is its own spending limit; see model/budget.py).",
    ]
    body = yaml.safe_dump(json.loads(json.dumps(strategy)), sort_keys=False)
    return write_text(path, "\n".join(header) + "\n" + body)


__all__ = ["compare_table", "confirm_difference", "trials_table", "write_best_strategy"]
