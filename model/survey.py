"""The survey instrument: model staff answer survey questions like real respondents (spec 10).

A survey samples ``n`` workers (optionally within one staff group, or stratified across groups in
proportion to their size), reads a latent variable by question type, adds response noise
``N(0, sigma_resp)`` and maps it to a 5-point Likert scale with the configured cut-points: an
ordered-probit response model. Use questions (``uses_ai``: "used AI in the past year") are
answered yes/no from the worker's use record. The share answering 4-5 ("agree", "confident") or
"yes" is what published survey figures report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.stats import norm

from model.tools import known_tool_trust
from model.workforce import exact_counts

if TYPE_CHECKING:
    from model.simulation import WorkforceModel

QUESTION_TYPES = ("trust", "confidence", "self_efficacy", "uses_ai")
AGREE_CATEGORIES = (4, 5)


@dataclass(frozen=True)
class SurveyResult:
    """Answers to one question: counts per category (Likert 1-5, or no/yes) and the agree share."""

    question: str
    week: int
    counts: np.ndarray
    share_agree: float

    @property
    def n(self) -> int:
        """Number of respondents."""
        return int(self.counts.sum())


def latent_response(
    model: WorkforceModel, question: str, index: np.ndarray, tool: str | None = None
) -> np.ndarray:
    """The latent variable a question reads, for the workers at ``index``.

    Trust is in the named ``tool``, or in "AI" in general (the tools the worker knows) for None.
    """
    wf = model.workforce
    if tool is None:
        trust = known_tool_trust(wf.trust[index], model.live[index])
    else:
        trust = wf.trust[index, _tool_column(model, tool)]
    if question == "trust":
        return trust
    if question == "self_efficacy":
        return wf.self_efficacy[index]
    if question == "confidence":
        omega = model.config.behaviour.confidence_trust_weight
        return omega * trust + (1 - omega) * wf.self_efficacy[index]
    raise ValueError(f"question = {question!r}: expected one of {', '.join(QUESTION_TYPES)}")


def _tool_column(model: WorkforceModel, tool: str) -> int:
    if tool not in model.tools.names:
        raise ValueError(f"tool = {tool!r}: expected one of {', '.join(model.tools.names)} or None")
    return model.tools.names.index(tool)


def likert_probabilities(latent: np.ndarray, cut_points: list[float], noise: float) -> np.ndarray:
    """Ordered-probit probabilities of the five categories given latent values (rows sum to 1)."""
    latent = np.atleast_1d(np.asarray(latent, dtype=float))[:, None]
    edges = np.concatenate([[-np.inf], cut_points, [np.inf]])
    cdf = (
        norm.cdf((edges[None, :] - latent) / noise) if noise > 0 else (latent < edges).astype(float)
    )
    return np.diff(cdf, axis=1)


def sample_respondents(
    model: WorkforceModel, n: int, staff_group: str | None = None, stratify: bool = False
) -> np.ndarray:
    """Draw ``n`` distinct respondents: from one staff group, stratified, or at random."""
    wf, rng = model.workforce, model.rng
    names = list(model.config.population.staff_groups)
    if staff_group is not None:
        if staff_group not in names:
            raise ValueError(f"staff_group = {staff_group!r}: expected one of {', '.join(names)}")
        pool = np.flatnonzero(wf.staff_group == names.index(staff_group))
        return rng.choice(pool, size=min(n, pool.size), replace=False)
    if not stratify:
        return rng.choice(wf.size, size=min(n, wf.size), replace=False)
    sizes = np.bincount(wf.staff_group, minlength=len(names))
    quota = np.minimum(exact_counts(sizes, min(n, wf.size)), sizes)
    pools = [np.flatnonzero(wf.staff_group == g) for g in range(len(names))]
    return np.concatenate(
        [rng.choice(pool, size=q, replace=False) for pool, q in zip(pools, quota, strict=True)]
    )


def administer_survey(
    model: WorkforceModel,
    question: str,
    n: int,
    staff_group: str | None = None,
    stratify: bool = False,
    tool: str | None = None,
) -> SurveyResult:
    """Ask ``n`` sampled workers one question this week and tally their answers.

    ``tool`` narrows trust and use questions to one tool; None asks about "AI" in general (for
    ``uses_ai``: any tool).
    """
    if question not in QUESTION_TYPES:
        raise ValueError(f"question = {question!r}: expected one of {', '.join(QUESTION_TYPES)}")
    if n < 1:
        raise ValueError(f"n = {n}: expected a sample size of at least 1")
    index = sample_respondents(model, n, staff_group, stratify)
    survey = model.config.survey
    if question == "uses_ai":
        # model.week weeks have run, the last of them week model.week - 1.
        last_week = model.week - 1
        used = model.workforce.last_use_week[index]
        last_used = used.max(axis=1) if tool is None else used[:, _tool_column(model, tool)]
        recent = last_week - last_used < survey.recall_weeks
        counts = np.bincount(recent.astype(int), minlength=2)
        return SurveyResult(question, model.week, counts, float(recent.mean()))
    answer = latent_response(model, question, index, tool)
    answer = answer + model.rng.normal(0.0, survey.response_noise, size=index.size)
    category = np.searchsorted(survey.cut_points, answer, side="right") + 1
    counts = np.bincount(category, minlength=6)[1:]
    agree = counts[[c - 1 for c in AGREE_CATEGORIES]].sum() / max(index.size, 1)
    return SurveyResult(question, model.week, counts, float(agree))
