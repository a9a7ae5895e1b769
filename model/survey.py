"""The survey instrument: model staff answer survey questions like real respondents (spec 10).

A survey samples ``n`` workers (optionally within one staff group, or stratified across groups in
proportion to their size), reads a latent variable by question type, adds response noise
``N(0, sigma_resp)`` and maps it to a 5-point Likert scale with the configured cut-points: an
ordered-probit response model. Use questions (``uses_ai``: "used AI in the past year") are
answered yes/no from the worker's use record. The share answering 4-5 ("agree", "confident") or
"yes" is what published survey figures report.

Census questions read the workers' records directly, without response noise
(:func:`census_answers`): ``uses_ai`` (used a tool within the question's recall window),
``use_frequency`` (daily / weekly / monthly / rarely / never, :func:`use_frequency`),
``trained`` (ever attended a training session: ``times_trained > 0``) and ``wants_training``
(has met a live tool and has never been trained; an ASSUMPTION: staff who work with AI without
any training say they want some, as 64-70% of UK doctors did, Turing Institute 2024; trained
staff wanting more are not counted, so the share is a lower bound).
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

QUESTION_TYPES = ("trust", "confidence", "self_efficacy", "uses_ai", "use_frequency", "trained",
                  "wants_training")  # fmt: skip
CENSUS_QUESTIONS = ("uses_ai", "use_frequency", "trained", "wants_training")
FREQUENCIES = ("daily", "weekly", "monthly", "rarely", "never")
AGREE_CATEGORIES = (4, 5)
MONTH_WEEKS = 4  # "in the past month"
WORKING_DAYS = 5  # a tool with at least this many assisted cases a week is used about daily


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


def weeks_since_use(model: WorkforceModel, index: np.ndarray, tool: str | None) -> np.ndarray:
    """Weeks since the workers last used the tool (any tool for None); huge if never.

    0 means used in the week that has just run (``model.week - 1``).
    """
    used = model.workforce.last_use_week[index]
    last_used = used.max(axis=1) if tool is None else used[:, _tool_column(model, tool)]
    return (model.week - 1) - last_used.astype(np.int64)


def use_frequency(model: WorkforceModel, index: np.ndarray, tool: str | None) -> np.ndarray:
    """How often each worker uses the tool, as codes into :data:`FREQUENCIES`.

    Rule (the model's use record: a user of tool k has Poisson(``cases_per_week`` k) assisted
    cases every week it uses the tool, and ``last_use_week`` keeps the last such week):
    a current user is *daily* if the tool's case rate is at least one a working day
    (``cases_per_week >= 5``), *weekly* if at least one a week, else *monthly*; a worker who has
    stopped is *monthly* if the last use was within the past month (4 weeks), *rarely* if within
    ``survey.recall_weeks``, else *never*. For ``tool=None`` the most frequent tool counts.
    """
    wf, tools = model.workforce, model.tools
    columns = range(len(tools.names)) if tool is None else [_tool_column(model, tool)]
    codes = np.full(index.size, FREQUENCIES.index("never"), dtype=np.int8)
    recall = model.config.survey.recall_weeks
    for k in columns:
        lam = float(tools.cases_per_week[k])
        active = "daily" if lam >= WORKING_DAYS else ("weekly" if lam >= 1 else "monthly")
        since = (model.week - 1) - wf.last_use_week[index, k].astype(np.int64)
        code = np.where(
            since < MONTH_WEEKS,
            FREQUENCIES.index("monthly"),
            np.where(since < recall, FREQUENCIES.index("rarely"), FREQUENCIES.index("never")),
        )
        code = np.where(wf.uses[index, k], FREQUENCIES.index(active), code)
        codes = np.minimum(codes, code)
    return codes


def census_answers(
    model: WorkforceModel,
    question: str,
    index: np.ndarray,
    tool: str | None = None,
    recall_weeks: int | None = None,
) -> np.ndarray:
    """Each worker's answer to a census question (see the module docstring).

    Returns booleans (yes) for ``uses_ai``, ``trained`` and ``wants_training`` and codes into
    :data:`FREQUENCIES` for ``use_frequency``. ``recall_weeks`` (``uses_ai``) overrides
    ``survey.recall_weeks``: "currently use" is a short window, "in the past 12 months" 52 weeks.
    """
    wf = model.workforce
    if question == "uses_ai":
        window = model.config.survey.recall_weeks if recall_weeks is None else recall_weeks
        return weeks_since_use(model, index, tool) < window
    if question == "use_frequency":
        return use_frequency(model, index, tool)
    if question == "trained":
        return wf.times_trained[index] > 0
    if question == "wants_training":
        return model.live[index].any(axis=1) & (wf.times_trained[index] == 0)
    raise ValueError(f"question = {question!r}: expected one of {', '.join(CENSUS_QUESTIONS)}")


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
    if question == "use_frequency":
        codes = use_frequency(model, index, tool)
        counts = np.bincount(codes, minlength=len(FREQUENCIES))
        daily_or_weekly = float(np.isin(codes, (0, 1)).mean())
        return SurveyResult(question, model.week, counts, daily_or_weekly)
    if question in CENSUS_QUESTIONS:
        # model.week weeks have run, the last of them week model.week - 1.
        yes = census_answers(model, question, index, tool)
        counts = np.bincount(yes.astype(int), minlength=2)
        return SurveyResult(question, model.week, counts, float(yes.mean()))
    answer = latent_response(model, question, index, tool)
    answer = answer + model.rng.normal(0.0, survey.response_noise, size=index.size)
    category = np.searchsorted(survey.cut_points, answer, side="right") + 1
    counts = np.bincount(category, minlength=6)[1:]
    agree = counts[[c - 1 for c in AGREE_CATEGORIES]].sum() / max(index.size, 1)
    return SurveyResult(question, model.week, counts, float(agree))
