"""Simulate the published surveys: the model's answer to each survey figure, week by week.

A targets table (:func:`experiments.survey_targets.load_targets`) becomes a list of
:class:`SurveyAsk`: one question asked of one sample in one week. Figures that are answer
categories of one question asked of the same respondents (the targets' ``joint`` label, with the
same dataset, fieldwork and staff group) are one ask with several answers, drawn together as one
multinomial sample; every other figure is its own ask.

How a survey is simulated. In the survey's fieldwork-midpoint week (week ``(mid - start_date) //
7`` of the model calendar, surveyed after that week has run) the model gives, for each answer,
the share of its staff (the staff group, or the whole workforce) who would give it: for Likert
questions the instrument's ordered-probit model (:func:`model.survey.latent_response` and
:func:`model.survey.likert_probabilities`: the probability of each category given the worker's
latent value and the response noise), averaged over the staff; for the census questions
(``uses_ai`` with the figure's own recall window, ``use_frequency``, ``trained``,
``wants_training``) the share of the group whose record gives the answer
(:func:`model.survey.census_answers`). The simulated survey then draws the figure's own sample
size ``n`` from those shares: each survey's true share around the model's by the ask's
``rho`` of the survey error model (:mod:`experiments.calibration.survey_error`: a Dirichlet,
Beta for one answer; none for ``rho = 0``), then a multinomial over the answers and "any other
answer", so sampling error and between-survey variation enter the predictive intervals as they
entered the published figure. The fit itself compares the published counts with the model's
staff shares under the same error model (:mod:`experiments.calibration.discrepancy`).
A figure without a published n (``n = 0`` here) is not drawn: only the model's share is given.

This treats the real survey as a random sample from a workforce much larger
than the model's (1.4 million staff): sampling the model's own 2,000 workers without replacement
(``administer_survey`` with ``n``) would understate the sampling error, and cannot give 929
doctors from a model with about 220.

The survey draws use their own random generator (seeded from the simulation seed), so the model's
trajectory does not depend on which figures are surveyed: the same seed gives the same workforce
whether it is asked about earlier waves only or about all of them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from experiments.calibration.survey_error import NO_SURVEY_ERROR, SurveyError
from model import WorkforceModel
from model.config import ModelConfig
from model.survey import (
    CENSUS_QUESTIONS,
    FREQUENCIES,
    census_answers,
    latent_response,
    likert_probabilities,
)
from model.validation import ConfigError, parse_date

# Answer -> the Likert categories (1-5) it counts; "yes" is the yes of a use question.
LIKERT_ANSWERS = {"agree": (4, 5), "disagree": (1, 2)}
SURVEY_STREAM = 0x5E7  # second entropy word of the survey generator: a stream apart from the model
# A model series: quantity, answers, tool (None: any), staff group (None: all staff) and recall
# window in weeks (None: the instrument's).
Series = tuple[str, tuple[str, ...], str | None, str | None, int | None]


@dataclass(frozen=True)
class SurveyAsk:
    """One question asked of one sample in one week, giving one or more published figures."""

    week: int
    quantity: str
    tool: str | None
    staff_group: str | None
    n: int
    figure_ids: tuple[str, ...]
    answers: tuple[str, ...]
    observed: tuple[float, ...]
    recall_weeks: int | None = None

    @property
    def series(self) -> str:
        """The model series the ask reads: quantity, answer(s), tool and staff group."""
        return series_name(
            self.quantity, self.answers, self.tool, self.staff_group, self.recall_weeks
        )


def series_name(
    quantity: str,
    answers: Sequence[str],
    tool: str | None,
    staff_group: str | None,
    recall_weeks: int | None = None,
) -> str:
    """A readable key of a model series, e.g. ``trust: agree, disagree | any tool | all staff``."""
    name = f"{quantity}: {', '.join(answers)} | {tool or 'any'} tool | {staff_group or 'all'} staff"
    return name + (f" | past {recall_weeks} weeks" if recall_weeks is not None else "")


def survey_week(start_date: str | date, fieldwork_mid: date | pd.Timestamp) -> int:
    """Week of the model calendar in which a survey with this fieldwork midpoint is asked."""
    start = parse_date(str(start_date), "start_date")
    return (pd.Timestamp(fieldwork_mid).date() - start).days // 7


def build_plan(targets: pd.DataFrame, config: ModelConfig) -> list[SurveyAsk]:
    """The survey asks of a targets table, in week order; ConfigError for figures off the calendar.

    Args:
        targets: Rows of :func:`experiments.survey_targets.load_targets` (usable figures).
        config: The model config whose calendar (``start_date``, ``weeks``) places the surveys.
    """
    table = targets.copy()
    table["week"] = [survey_week(config.start_date, mid) for mid in table["fieldwork_mid"]]
    outside = table[(table["week"] < 0) | (table["week"] >= config.weeks)]
    if len(outside):
        listing = ", ".join(
            f"{r.figure_id} (fieldwork mid {pd.Timestamp(r.fieldwork_mid).date()}, week {r.week})"
            for r in outside.itertuples()
        )
        raise ConfigError(
            f"start_date = {config.start_date}, weeks = {config.weeks}: the surveys {listing} "
            f"fall outside the model's calendar; expected every fieldwork midpoint in weeks 0 to "
            f"{config.weeks - 1}"
        )
    joint = table["joint"].where(table["joint"].notna(), table["figure_id"])
    keys = [joint, table["dataset"], table["fieldwork_start"], table["staff_group"]]
    plan = []
    if "recall_weeks" not in table:
        table["recall_weeks"] = None
    for _, group in table.groupby(keys, sort=False):
        first = group.iloc[0]
        for column in ("quantity", "tool", "n", "week", "recall_weeks"):
            if group[column].nunique() > 1:
                raise ConfigError(
                    f"figures {', '.join(group.figure_id)}: joint answers of one question must "
                    f"share {column}; found {', '.join(map(str, group[column].unique()))}"
                )
        if group["answer"].nunique() < len(group):
            raise ConfigError(
                f"figures {', '.join(group.figure_id)}: joint answers must be different answers"
            )
        plan.append(
            SurveyAsk(
                week=int(first.week),
                quantity=str(first.quantity),
                tool=None if first.tool == "any" else str(first.tool),
                staff_group=None if first.staff_group == "all" else str(first.staff_group),
                n=0 if pd.isna(first.n) else int(first.n),
                figure_ids=tuple(group.figure_id),
                answers=tuple(group.answer),
                observed=tuple(float(s) for s in group.target_share),
                recall_weeks=None if pd.isna(first.recall_weeks) else int(first.recall_weeks),
            )
        )
    return sorted(plan, key=lambda ask: (ask.week, ask.figure_ids))


@dataclass
class SurveySimulation:
    """One simulation of the surveys.

    Attributes:
        seed: The simulation seed (model and survey draws).
        shares: Figure id -> the simulated survey's share (drawn with the figure's ``n``).
        probabilities: Figure id -> the share of the model's staff who would give the answer.
        trajectory: Population shares of each series over time (week, date, series, share), if
            asked for.
    """

    seed: int
    shares: dict[str, float]
    probabilities: dict[str, float]
    trajectory: pd.DataFrame | None = None


def _staff(model: WorkforceModel, staff_group: str | None) -> np.ndarray:
    if staff_group is None:
        return np.arange(model.workforce.size)
    names = list(model.config.population.staff_groups)
    if staff_group not in names:
        raise ConfigError(f"staff_group = {staff_group!r}: expected one of {', '.join(names)}")
    return np.flatnonzero(model.workforce.staff_group == names.index(staff_group))


def answer_shares(
    model: WorkforceModel,
    quantity: str,
    answers: Sequence[str],
    tool: str | None,
    staff_group: str | None,
    recall_weeks: int | None = None,
    group_weights: np.ndarray | None = None,
) -> np.ndarray:
    """Share of the staff who would give each answer this week (the survey's expectation).

    ``group_weights`` (per staff group code) reweights the workers of an oversampled workforce
    to the true staff-group shares; None weighs every worker alike.
    """
    index = _staff(model, staff_group)
    weights = None if group_weights is None else group_weights[model.workforce.staff_group[index]]
    if quantity in CENSUS_QUESTIONS:
        said = census_answers(model, quantity, index, tool, recall_weeks)
        if quantity == "use_frequency":
            return np.array(
                [float(np.average(said == FREQUENCIES.index(a), weights=weights)) for a in answers]
            )
        yes = float(np.average(said, weights=weights))
        return np.array([yes if a == "yes" else np.nan for a in answers])
    survey = model.config.survey
    latent = latent_response(model, quantity, index, tool)
    probabilities = likert_probabilities(latent, survey.cut_points, survey.response_noise)
    category = np.average(probabilities, axis=0, weights=weights)
    return np.array(
        [sum(category[c - 1] for c in LIKERT_ANSWERS[a]) if a in LIKERT_ANSWERS else np.nan
         for a in answers]
    )  # fmt: skip


def draw_survey(
    shares: np.ndarray, n: int, rng: np.random.Generator, dispersion: float = 0.0
) -> np.ndarray:
    """Shares giving each answer in a simulated sample of ``n`` (multinomial with the rest).

    With ``dispersion`` rho > 0 the survey's own true shares are first drawn from a Dirichlet
    with concentration ``(1 - rho) / rho`` around ``shares`` (beta-binomial for one answer);
    with rho = 0 no such draw is made, so the result is the plain multinomial draw.
    """
    p = np.clip(np.asarray(shares, dtype=float), 0.0, 1.0)
    p = np.append(p, max(0.0, 1.0 - p.sum()))
    p = p / p.sum()
    if dispersion > 0:
        concentration = (1.0 - dispersion) / dispersion
        p = rng.dirichlet(np.maximum(p * concentration, 1e-12))
    counts = rng.multinomial(n, p / p.sum())
    return counts[:-1] / n


def simulation_config(config: ModelConfig, seed: int) -> ModelConfig:
    """The config of one calibration simulation: the seed set, breakdowns by group not recorded.

    Recording by group only adds outcome rows; it does not change the simulation.
    """
    outcomes = dataclasses.replace(config.outcomes, by_group=False)
    return dataclasses.replace(config, seed=int(seed), outcomes=outcomes)


def simulate_survey(
    config: ModelConfig,
    plan: Sequence[SurveyAsk],
    seed: int,
    series: Iterable[Series] = (),
    every_weeks: int | None = None,
    survey_error: SurveyError = NO_SURVEY_ERROR,
    group_weights: np.ndarray | None = None,
) -> SurveySimulation:
    """Run the model and ask every survey of ``plan`` in its week.

    Args:
        config: The model config (with the parameter values to simulate).
        plan: The survey asks (:func:`build_plan`).
        seed: Seed of the simulation; the same seed gives the same result.
        survey_error: The survey error model of the simulated surveys (default: binomial
            sampling only).
        group_weights: Weight per staff group code of an oversampled workforce (None: none).
        series: (quantity, answers, tool, staff_group) to record over time, for plots.
        every_weeks: Spacing of the recorded series (None: none); the run then goes to the
            horizon, otherwise it stops after the last survey.
    """
    model = WorkforceModel(simulation_config(config, seed))
    rng = np.random.default_rng([int(seed), SURVEY_STREAM])
    series = list(series)
    by_week: dict[int, list[SurveyAsk]] = {}
    for ask in plan:
        by_week.setdefault(ask.week, []).append(ask)
    record = set(range(0, config.weeks, every_weeks)) if every_weeks and series else set()
    record |= set(by_week) if record else set()
    last = max([*by_week, *record], default=-1)
    shares: dict[str, float] = {}
    probabilities: dict[str, float] = {}
    rows = []
    while model.week <= last:
        model.step()
        week = model.week - 1
        for ask in by_week.get(week, []):
            expected = answer_shares(
                model,
                ask.quantity,
                ask.answers,
                ask.tool,
                ask.staff_group,
                ask.recall_weeks,
                group_weights,
            )
            drawn = (
                draw_survey(expected, ask.n, rng, survey_error.rho(ask))
                if ask.n > 0
                else np.full(len(ask.answers), np.nan)
            )
            probabilities.update(zip(ask.figure_ids, map(float, expected), strict=True))
            shares.update(zip(ask.figure_ids, map(float, drawn), strict=True))
        if week in record:
            day = model.date_of_week(week)
            for quantity, answers, tool, group, recall in series:
                values = answer_shares(model, quantity, answers, tool, group, recall, group_weights)
                rows += [
                    {
                        "week": week,
                        "date": pd.Timestamp(day),
                        "series": series_name(quantity, answers, tool, group, recall),
                        "answer": answer,
                        "share": float(value),
                    }
                    for answer, value in zip(answers, values, strict=True)
                ]
    trajectory = pd.DataFrame(rows) if series and every_weeks else None
    return SurveySimulation(int(seed), shares, probabilities, trajectory)


def plan_series(
    plan: Sequence[SurveyAsk],
) -> list[Series]:
    """The distinct model series the plan's figures read: quantity, answer, tool, group, recall."""
    found: dict[str, Series] = {}
    for ask in plan:
        for answer in ask.answers:
            series = (ask.quantity, (answer,), ask.tool, ask.staff_group, ask.recall_weeks)
            found.setdefault(series_name(*series), series)
    return list(found.values())
