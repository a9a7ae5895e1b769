"""Calibration targets: which published survey figures a calibration uses, read as what.

A targets file in ``conf/calibration/targets/`` names its survey data files (the format of
:mod:`experiments.survey_data`) and maps survey questions to the model quantities the survey
instrument (``model.survey``) reads: quantity, answer, tool, strength, reasoning, and optionally
a joint label, exclusions, a recall window, a wording class, the series of the naive forecasts
and ``fit: false``. Every other question of the data is listed under ``unmapped`` with the
reason. :func:`load_targets` checks the mapping against its data, naming every problem, and
returns one row per figure used.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from experiments.survey_data import COUNT_COLUMNS, REPO_ROOT, load_survey_data
from model.survey import CENSUS_QUESTIONS, FREQUENCIES, QUESTION_TYPES

# Answer -> the Likert categories it counts (None: the "yes" of a yes/no question).
ANSWERS: dict[str, tuple[int, ...] | None] = {"agree": (4, 5), "disagree": (1, 2), "yes": None}
STRENGTHS = ("close", "partial", "weak")
TARGET_KEYS = ("name", "description", "data", "questions", "unmapped")
ENTRY_KEYS = (
    "quantity", "answer", "tool", "strength", "reasoning", "joint", "exclude", "recall_weeks",
    "wording", "baseline_series", "fit",
)  # fmt: skip
# How a question is worded (reported with each figure; surveys of different wording differ by
# more than sampling error, which the survey error of the likelihood allows for).
WORDINGS = (
    "attitude",  # support / want more / optimistic about AI in health care
    "expectation",  # what AI will do (make care worse, ...)
    "own_job",  # about using AI in one's own job
    "knowledge",  # understanding of AI or its risks
    "use_recall",  # used AI within a stated recall window
    "current_use",  # uses AI now (no recall window published)
    "use_frequency",  # how often AI is used
    "training",  # received or wants training
)


class TargetsError(ValueError):
    """A calibration-targets mapping that does not fit its survey data."""


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _entry_problems(qid: str, entry: Any, data: pd.DataFrame) -> list[str]:
    """Problems of the mapping of one question (an entry under ``questions``)."""
    at = f"questions.{qid}"
    if not isinstance(entry, dict):
        return [f"{at}: expected a mapping with keys {', '.join(ENTRY_KEYS)}"]
    unknown = [key for key in entry if key not in ENTRY_KEYS]
    errors = [f"{at}.{key}: unknown key; expected {', '.join(ENTRY_KEYS)}" for key in unknown]
    quantity, answer = entry.get("quantity"), entry.get("answer")
    fits_quantity = (
        list(FREQUENCIES)
        if quantity == "use_frequency"
        else (["yes"] if quantity in CENSUS_QUESTIONS else ["agree", "disagree"])
    )
    for key, value, allowed in (
        ("quantity", quantity, QUESTION_TYPES),
        ("answer", answer, fits_quantity if quantity in QUESTION_TYPES else list(ANSWERS)),
        ("strength", entry.get("strength"), STRENGTHS),
    ):
        if value not in allowed:
            errors.append(f"{at}.{key} = {value!r}: expected one of {', '.join(allowed)}")
    kinds = set(data.loc[data["question_id"] == qid, "response_type"])
    if answer == "yes" and "likert_counts" in kinds:
        errors.append(f"{at}.answer = 'yes': expected agree or disagree for likert_counts figures")
    recall = entry.get("recall_weeks")
    if recall is not None and (
        isinstance(recall, bool) or not isinstance(recall, int) or recall < 1
    ):
        errors.append(f"{at}.recall_weeks = {recall!r}: expected a whole number of weeks >= 1")
    if recall is not None and quantity not in ("uses_ai",):
        errors.append(f"{at}.recall_weeks: only for quantity uses_ai (found {quantity!r})")
    if "wording" in entry and entry["wording"] not in WORDINGS:
        errors.append(f"{at}.wording = {entry['wording']!r}: expected one of {', '.join(WORDINGS)}")
    if "fit" in entry and not isinstance(entry["fit"], bool):
        errors.append(f"{at}.fit = {entry['fit']!r}: expected true or false")
    for key in ("reasoning", "tool", "joint", "baseline_series"):
        value = entry.get(key, "any" if key == "tool" else None)
        if (value is not None or key == "reasoning") and not _is_text(value):
            errors.append(f"{at}.{key} = {value!r}: expected text")
    exclude = entry.get("exclude") or {}
    if not isinstance(exclude, dict):
        return [*errors, f"{at}.exclude = {exclude!r}: expected figure_id: reason pairs"]
    figures = set(data.loc[data["question_id"] == qid, "figure_id"])
    for figure_id, reason in exclude.items():
        if figure_id not in figures:
            errors.append(f"{at}.exclude.{figure_id}: expected a figure_id of {qid}")
        if not _is_text(reason):
            errors.append(f"{at}.exclude.{figure_id} = {reason!r}: expected the reason")
    return errors


def _mapping_problems(spec: dict, data: pd.DataFrame) -> list[str]:
    """Every problem of a targets mapping against the question ids of its data."""
    questions, unmapped = spec.get("questions") or {}, spec.get("unmapped") or {}
    if not isinstance(questions, dict) or not isinstance(unmapped, dict):
        return ["questions and unmapped: expected mappings keyed by question_id"]
    known = set(data["question_id"])
    unknown = [key for key in spec if key not in TARGET_KEYS]
    errors = [f"{key}: unknown key; expected {', '.join(TARGET_KEYS)}" for key in unknown]
    for section, ids in (("questions", questions), ("unmapped", unmapped)):
        for qid in ids:
            if qid not in known:
                errors.append(
                    f"{section}.{qid}: unknown question_id (not in {', '.join(spec['data'])}); "
                    f"expected one of {', '.join(sorted(known))}"
                )
    for qid in sorted(known - set(questions) - set(unmapped)):
        errors.append(f"{qid}: a question_id of the data; expected under questions or unmapped")
    for qid, reason in unmapped.items():
        if qid in questions:
            errors.append(f"unmapped.{qid}: also under questions; expected in one of the two")
        if not _is_text(reason):
            errors.append(f"unmapped.{qid} = {reason!r}: expected the reason it is not mapped")
    joints: dict[str, list[str]] = {}
    for qid, entry in questions.items():
        errors += _entry_problems(qid, entry, data)
        if isinstance(entry, dict) and entry.get("joint"):
            joints.setdefault(str(entry["joint"]), []).append(qid)
    for label, ids in joints.items():
        if len(ids) < 2:
            errors.append(
                f"questions.{ids[0]}.joint = {label!r}: expected a label shared by two or more "
                "questions (answer categories of one question asked of the same respondents)"
            )
    return errors


def load_targets(
    targets_yaml: str | Path,
    model_start: str | date | None = None,
    staff_groups: Iterable[str] | None = None,
    usable_only: bool = True,
    root: str | Path | None = None,
) -> pd.DataFrame:
    """The survey figures a targets mapping uses, with the model quantity each one reads.

    The YAML names its ``data`` files (relative to ``root``, default the repository) and maps
    question ids under ``questions`` (quantity, answer, tool, strength, reasoning, optional
    ``joint`` label and ``exclude`` of figure ids with reasons); every other question id of the
    data must be listed under ``unmapped`` with a reason. Returns one row per mapped figure with
    the survey columns plus ``quantity``, ``answer``, ``tool``, ``strength``, ``joint``,
    ``reasoning``, ``recall_weeks`` (uses_ai: the question's recall window; NA: the
    instrument's ``survey.recall_weeks``), ``wording`` (a class of :data:`WORDINGS`),
    ``baseline_series`` (the label of the naive forecasts' series), ``fit`` (False: predicted,
    never fitted), ``target_share`` (0-1) and ``target_count`` (respondents giving that answer).
    ``usable_only`` drops figures without a sample size. Raises TargetsError naming every problem
    (SurveyDataError if the data files themselves have problems).
    """
    path = Path(targets_yaml)
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(spec, dict) or not isinstance(spec.get("data"), list) or not spec["data"]:
        raise TargetsError(f"{path}: expected a mapping with a non-empty list 'data' of CSV files")
    base = Path(root) if root is not None else REPO_ROOT
    data = load_survey_data([base / p for p in spec["data"]], model_start, staff_groups)
    errors = _mapping_problems(spec, data)
    if errors:
        listing = "\n".join(f"  {error}" for error in errors)
        raise TargetsError(f"{path}: {len(errors)} problem(s):\n{listing}")

    questions = spec.get("questions") or {}
    excluded = [f for entry in questions.values() for f in (entry.get("exclude") or {})]
    table = data[data["question_id"].isin(questions) & ~data["figure_id"].isin(excluded)].copy()
    defaults = {"tool": "any", "fit": True}
    for key in (k for k in ENTRY_KEYS if k != "exclude"):
        default = defaults.get(key)
        table[key] = [questions[qid].get(key, default) for qid in table["question_id"]]
    table["recall_weeks"] = table["recall_weeks"].astype("Int64")
    table["fit"] = table["fit"].astype(bool)
    table["reasoning"] = table["reasoning"].str.strip()
    table["target_share"] = [_target_share(row) for row in table.itertuples()]
    count = table["target_share"] * table["n"].astype(float)
    table["target_count"] = count.round().astype("Int64")
    if usable_only:
        table = table[table["usable"]]
    return table.reset_index(drop=True)


def _target_share(row: Any) -> float:
    """The share (0-1) of respondents giving the mapped answer."""
    if row.response_type == "share":
        return row.share_percent / 100
    counts = [getattr(row, c) for c in COUNT_COLUMNS]
    return sum(counts[k - 1] for k in ANSWERS[row.answer]) / sum(counts)
