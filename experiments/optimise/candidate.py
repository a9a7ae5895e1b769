"""From a trial's parameters to a strategy: the YAML a planner can load with ``strategy=``.

Rule: the included programmes (and the audit) split the budget in proportion to their ``share``
weights (equally when every weight is 0); each gets that share as its own spending limit
(``budget_share``, :mod:`model.budget`). A candidate with nothing included is no training.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from experiments.optimise.space import Candidate, SearchSpace
from experiments.report.text import gbp

SHARE_DIGITS = 4
PROGRAMME_KEYS = ("coverage", "start_week", "refresher_weeks", "weekly_capacity")
MODALITY_WORDS = {
    "elearning": "e-learning",
    "workshop": "workshops",
    "simulation": "simulation training",
    "failure_exposure": "failure-exposure sessions",
    "vendor_demo": "vendor demonstrations",
    "champions": "AI champions",
}
TARGET_WORDS = {
    "all": "all staff",
    "random": "a random share of staff",
    "top_influence": "the most influential staff",
    "low_literacy": "the staff with the lowest AI literacy",
    "users_of_tool": "staff using the tool",
    "non_users": "staff not using the tool",
}


def _weights(space: SearchSpace, params: Mapping[str, Any]) -> dict[str, float]:
    """Share weight of every included candidate (programmes by name, then 'audit')."""
    candidates = [*space.programmes, *([space.audit] if space.audit else [])]
    included = [c for c in candidates if c.dims["include"].value_of(params)]
    return {c.name: float(c.dims["share"].value_of(params)) for c in included}


def budget_shares(space: SearchSpace, params: Mapping[str, Any]) -> dict[str, float]:
    """Each included candidate's share of the budget (module docstring), rounded down a little.

    Rounded to 4 decimals, and down, so the shares never add up to more than 1; a candidate whose
    share rounds to 0 is left out (it could spend nothing).
    """
    weights = _weights(space, params)
    total = sum(weights.values())
    if not weights:
        return {}
    if total <= 0:
        weights, total = dict.fromkeys(weights, 1.0), float(len(weights))
    scale = 10**SHARE_DIGITS
    shares = {name: int(w / total * scale + 1e-6) / scale for name, w in weights.items()}
    return {name: share for name, share in shares.items() if share > 0}


def _clean(value: Any) -> Any:
    """Floats rounded to 6 decimals (a range's steps leave 0.9000000000000001), others as is."""
    return round(value, 6) if isinstance(value, float) else value


def _programme(candidate: Candidate, params: Mapping[str, Any], share: float) -> dict[str, Any]:
    entry = {"modality": candidate.fixed["modality"]}
    entry["target"] = candidate.fixed.get("target", "all")
    for key in ("archetypes", "staff_groups", "tool", "window_weeks"):
        if key in candidate.fixed:
            value = candidate.fixed[key]
            entry[key] = list(value) if isinstance(value, list | tuple) else value
    for key in PROGRAMME_KEYS:
        if key in candidate.dims:
            entry[key] = _clean(candidate.dims[key].value_of(params))
    entry["budget_share"] = share
    return entry


def strategy_dict(
    space: SearchSpace, params: Mapping[str, Any], budget_gbp: float, name: str
) -> dict[str, Any]:
    """The strategy of a trial, as plain values in the layout of ``conf/strategy/*.yaml``.

    Args:
        space: The parsed search space.
        params: The trial's parameters (``trial.params``).
        budget_gbp: ``strategy.budget_gbp``, used when the space does not search the budget.
        name: The strategy's name.
    """
    shares = budget_shares(space, params)
    budget = space.budget_gbp.value_of(params)
    strategy: dict[str, Any] = {
        "name": name,
        "budget_gbp": float(budget_gbp if budget is None else budget),
        "pace": space.pace.value_of(params),
        "programmes": [
            _programme(c, params, shares[c.name]) for c in space.programmes if c.name in shares
        ],
    }
    if space.audit is not None and "audit" in shares:
        audit = {"budget_share": shares["audit"]}
        for key in ("coverage", "period_weeks", "start_week"):
            if key in space.audit.dims:
                audit[key] = _clean(space.audit.dims[key].value_of(params))
        strategy["audit"] = audit
    return strategy


def _whom(programme: Mapping[str, Any]) -> str:
    target = programme.get("target", "all")
    if target == "archetypes":
        return "the " + " and ".join(programme.get("archetypes", [])) + " archetypes"
    if target == "staff_groups":
        return " and ".join(g.replace("_", " ") for g in programme.get("staff_groups", []))
    if target == "just_in_time":
        return f"staff within {programme.get('window_weeks', 8)} weeks of their go-live"
    return TARGET_WORDS.get(target, target)


def describe(strategy: Mapping[str, Any]) -> str:
    """The strategy in plain words: what is spent on what, for whom, when.

    E.g. 'spend up to £150,000 (60% of the budget) on workshops for the embedder and driver
    archetypes (80% of them, from week 0, refreshed every 52 weeks); ...', ending with the pace.
    Each amount is the programme's limit; what it spends depends on places and attendance.
    """
    budget = float(strategy["budget_gbp"])
    parts = []
    for p in strategy.get("programmes", []):
        share = p["budget_share"]
        when = f"from week {p.get('start_week', 0)}"
        if p.get("refresher_weeks"):
            when += f", refreshed every {p['refresher_weeks']} weeks"
        coverage = f"{p.get('coverage', 1.0):.0%} of them"
        parts.append(
            f"up to {gbp(share * budget)} ({share:.0%} of the budget) on "
            f"{MODALITY_WORDS.get(p['modality'], p['modality'].replace('_', ' '))} for "
            f"{_whom(p)} ({coverage}, {when})"
        )
    audit = strategy.get("audit")
    if audit:
        share = audit["budget_share"]
        parts.append(
            f"up to {gbp(share * budget)} ({share:.0%}) on audit and feedback in "
            f"{audit.get('coverage', 0):.0%} of departments every {audit.get('period_weeks', 13)} "
            "weeks"
        )
    if not parts:
        return "spend nothing (no training)"
    pace = "as fast as places allow" if strategy.get("pace") == "asap" else "evenly by year"
    return "spend " + "; ".join(parts) + f"; money released {pace}"


__all__ = ["budget_shares", "describe", "strategy_dict"]
