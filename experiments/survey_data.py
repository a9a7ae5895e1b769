"""Published survey figures (calibration targets): the file format, its validator and loaders.

    python -m experiments.survey_data check data/surveys/*.csv [--model-start 2020-01-01]
    python -m experiments.survey_data targets conf/calibration/targets/uk_nhs.yaml

A survey file is a tidy CSV, one row per published figure, with the columns
:data:`SURVEY_COLUMNS` (described in ``data/surveys/README.md``). :func:`validate_survey_file`
reports every problem in a file (not only the first), each with file, line, column, the value and
what is expected. :func:`load_survey_data` returns the figures as a table, with parsed fieldwork
dates, their midpoint and a ``usable`` flag (a row without a sample size ``n`` is kept, with
``n_as_published`` saying why, but cannot enter a likelihood). The mapping of survey questions to
model quantities (calibration targets) is :mod:`experiments.survey_targets`.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from model.config import ModelConfig

REPO_ROOT = Path(__file__).resolve().parent.parent
COUNT_COLUMNS = tuple(f"count_{k}" for k in range(1, 6))
SURVEY_COLUMNS = (
    "figure_id", "dataset", "source", "url", "fieldwork_start", "fieldwork_end",
    "fieldwork_as_published", "population", "staff_group", "n", "n_as_published", "question_id",
    "question", "response_type", "share_percent", *COUNT_COLUMNS, "notes",
)  # fmt: skip
RESPONSE_TYPES = ("share", "likert_counts")
ALL_STAFF = "all"
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_FIGURE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DIGITS = re.compile(r"\d+")
_URL = re.compile(r"https?://\S+")
# Columns that must not be empty, and what is expected there.
_REQUIRED_TEXT = {
    "figure_id": "a figure id, unique in the data (e.g. hf2024_support_ai_patient_care)",
    "dataset": "a dataset name (e.g. uk_nhs_staff)",
    "source": "the source of the figure (survey, publisher, report)",
    "url": "the URL where the figure is published",
    "fieldwork_as_published": "the fieldwork period as the source gives it",
    "population": "the surveyed population as the source describes it",
    "question_id": "a question id (e.g. support_ai_patient_care)",
    "question": "the question or statement as published",
}
_DATE = "an ISO date YYYY-MM-DD (e.g. 2024-06-01)"


@dataclass(frozen=True)
class Problem:
    """One problem in a survey file: where it is, the value found and what is expected."""

    file: str
    line: int
    column: str
    value: str
    expected: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: column '{self.column}'"
        return f"{where} = '{self.value}': expected {self.expected}"


class SurveyDataError(ValueError):
    """Survey data with problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the survey data:\n{lines}")


def default_staff_groups() -> tuple[str, ...]:
    """The model's staff groups (from the default config)."""
    return tuple(ModelConfig().population.staff_groups)


def _as_date(value: str | date | None, what: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    if not _ISO_DATE.fullmatch(str(value)):
        raise ValueError(f"{what} = {value!r}: expected {_DATE}")
    return date.fromisoformat(str(value))


def _parse_date(text: str) -> date | None:
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _read_csv(path: Path, problems: list[Problem]) -> tuple[list[str], list[tuple[int, list]]]:
    """The header and the (first line, fields) of each non-blank record; file problems noted."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(str(path), 0, "(file)", "", f"a readable UTF-8 CSV file ({error})"))
        return [], []
    reader = csv.reader(io.StringIO(text, newline=""))
    records, first = [], 1
    for fields in reader:
        if any(field.strip() for field in fields):
            records.append((first, fields))
        first = reader.line_num + 1
    if not records:
        problems.append(
            Problem(str(path), 1, "(header)", "", "a header row: " + ",".join(SURVEY_COLUMNS))
        )
        return [], []
    return [h.strip() for h in records[0][1]], records[1:]


def _header_problems(name: str, header: list[str]) -> list[Problem]:
    problems = []
    for i, column in enumerate(header):
        if column in header[:i]:
            problems.append(Problem(name, 1, column, column, "each column once in the header"))
        elif column not in SURVEY_COLUMNS:
            problems.append(Problem(name, 1, column, column, "one of " + ", ".join(SURVEY_COLUMNS)))
    for column in SURVEY_COLUMNS:
        if column not in header:
            problems.append(Problem(name, 1, column, "", f"a column named {column} in the header"))
    return problems


def _row_problems(
    row: dict[str, str], staff_groups: tuple[str, ...], model_start: date | None
) -> list[tuple[str, str]]:
    """(column, expected) for each problem of one row; only columns in the header are checked."""
    out: list[tuple[str, str]] = []

    def bad(column: str, expected: str) -> None:
        out.append((column, expected))

    def value(column: str) -> str:
        return row.get(column, "")

    for column, expected in _REQUIRED_TEXT.items():
        if column in row and not row[column]:
            bad(column, expected)
    if value("figure_id") and not _FIGURE_ID.fullmatch(value("figure_id")):
        bad("figure_id", "letters, digits, '_', '.' or '-' only (no spaces)")
    for column in ("dataset", "question_id"):
        if value(column) and not _NAME.fullmatch(value(column)):
            bad(column, "a lower-case snake_case name (a-z, 0-9, _; starting with a letter)")
    if value("url") and not _URL.fullmatch(value("url")):
        bad("url", "an http:// or https:// address without spaces")
    if "staff_group" in row and value("staff_group") not in (*staff_groups, ALL_STAFF):
        bad("staff_group", "one of " + ", ".join((*staff_groups, ALL_STAFF)))

    dates = {}
    for column, what in (("fieldwork_start", "first"), ("fieldwork_end", "last")):
        if column in row:
            dates[column] = _parse_date(value(column))
            if dates[column] is None:
                bad(column, f"the {what} day of fieldwork as {_DATE}")
    start, end = dates.get("fieldwork_start"), dates.get("fieldwork_end")
    if start and end and end < start:
        bad("fieldwork_end", f"a date on or after fieldwork_start ({start})")
    if start and model_start and start < model_start:
        bad("fieldwork_start", f"a date on or after the model's start_date ({model_start})")

    n = None
    if "n" in row:
        if not value("n"):
            if not value("n_as_published"):
                bad(
                    "n",
                    "a positive integer sample size, or n empty with n_as_published saying "
                    "what the source gives instead (the row is then not usable)",
                )
        elif not _DIGITS.fullmatch(value("n")) or int(value("n")) < 1:
            bad("n", "a positive integer sample size (digits only, e.g. 1292)")
        else:
            n = int(value("n"))

    kind = value("response_type")
    if "response_type" not in row:
        return out
    if kind not in RESPONSE_TYPES:
        bad("response_type", "one of " + ", ".join(RESPONSE_TYPES))
    elif kind == "share":
        share = value("share_percent")
        try:
            number = float(share)
        except ValueError:
            number = math.nan
        if not 0 <= number <= 100:
            bad("share_percent", "a percentage between 0 and 100 (a number, no % sign)")
        for column in COUNT_COLUMNS:
            if value(column):
                bad(column, "empty: response_type share gives share_percent, not counts")
    else:
        if value("share_percent"):
            bad("share_percent", "empty: response_type likert_counts gives count_1..count_5")
        counts = [value(c) for c in COUNT_COLUMNS]
        for column, count in zip(COUNT_COLUMNS, counts, strict=True):
            if not _DIGITS.fullmatch(count):
                bad(column, f"a non-negative integer: respondents answering {column[-1]} of 1-5")
        if n is not None and all(_DIGITS.fullmatch(c) for c in counts):
            total = sum(int(c) for c in counts)
            if total != n:
                bad("n", f"the sum of count_1..count_5 ({total})")
    return out


def _check_file(
    path: Path,
    staff_groups: tuple[str, ...],
    model_start: date | None,
    seen_ids: dict[str, tuple[str, int]],
    seen_questions: dict[str, tuple[str, str, int]],
) -> tuple[list[Problem], list[dict[str, Any]]]:
    """Problems and rows (as text, with ``file`` and ``line``) of one file.

    ``seen_ids`` and ``seen_questions`` carry figure ids and question texts across files.
    """
    name, problems = str(path), []
    header, records = _read_csv(path, problems)
    if not header:
        return problems, []
    if len(header) == 1 and ";" in header[0]:
        value = header[0][:40] + ("..." if len(header[0]) > 40 else "")
        expected = "fields separated by commas (the file uses semicolons: use commas)"
        return [Problem(name, 1, "(header)", value, expected)], []
    problems += _header_problems(name, header)
    if not records:
        expected = "at least one row of figures below the header (the file has only a header)"
        problems.append(Problem(name, 2, "(row)", "", expected))

    def where(file: str, first: int) -> str:
        return f"line {first}" if file == name else f"{file} line {first}"

    rows = []
    for line, fields in records:
        if len(fields) != len(header):
            expected = f"{len(header)} fields, as in the header"
            problems.append(Problem(name, line, "(row)", f"{len(fields)} fields", expected))
            continue
        row: dict[str, str] = {}
        for column, field in zip(header, fields, strict=True):
            row.setdefault(column, field.strip())
        found = _row_problems(row, staff_groups, model_start)
        figure_id, question_id = row.get("figure_id", ""), row.get("question_id", "")
        if figure_id in seen_ids:
            found.append(("figure_id", f"an id not used before ({where(*seen_ids[figure_id])})"))
        elif figure_id:
            seen_ids[figure_id] = (name, line)
        if question_id in seen_questions:
            text, file, first = seen_questions[question_id]
            if row.get("question", "") != text:
                found.append(("question", f"'{text}', as for {question_id} ({where(file, first)})"))
        elif question_id and "question" in row:
            seen_questions[question_id] = (row["question"], name, line)
        problems += [Problem(name, line, col, row.get(col, ""), exp) for col, exp in found]
        rows.append({**row, "file": name, "line": line})
    return problems, rows


def _check_files(
    paths: Iterable[str | Path],
    model_start: str | date | None,
    staff_groups: Iterable[str] | None,
) -> tuple[list[Problem], list[dict[str, Any]]]:
    start = _as_date(model_start, "model_start")
    groups = default_staff_groups() if staff_groups is None else tuple(staff_groups)
    seen_ids: dict[str, tuple[str, int]] = {}
    seen_questions: dict[str, tuple[str, str, int]] = {}
    problems, rows = [], []
    for path in paths:
        more, more_rows = _check_file(Path(path), groups, start, seen_ids, seen_questions)
        problems += more
        rows += more_rows
    return problems, rows


def _path_list(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    if isinstance(paths, str | Path):
        return [Path(paths)]
    return [Path(p) for p in paths]


def validate_survey_file(
    path: str | Path,
    model_start: str | date | None = None,
    staff_groups: Iterable[str] | None = None,
) -> list[Problem]:
    """Every problem in one survey file (empty if it is valid).

    Args:
        path: the CSV file.
        model_start: the model's ``start_date`` (ISO date); fieldwork starting before it is a
            problem. None: no check.
        staff_groups: the model's staff groups (``all`` is always accepted); None: the default
            config's groups.
    """
    return _check_files([path], model_start, staff_groups)[0]


def load_survey_data(
    paths: str | Path | Iterable[str | Path],
    model_start: str | date | None = None,
    staff_groups: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The figures of one or more survey files as one table; raises SurveyDataError if invalid.

    Adds ``file`` and ``line`` (where each row comes from), ``fieldwork_start``/``_end`` as
    dates, ``fieldwork_mid`` (their midpoint, to the day) and ``usable`` (the row has a sample
    size ``n``, so it can enter a likelihood). Figure ids must be unique across the files and a
    question_id must mean the same question in all of them.
    """
    problems, rows = _check_files(_path_list(paths), model_start, staff_groups)
    if problems:
        raise SurveyDataError(problems)
    table = pd.DataFrame(rows, columns=[*SURVEY_COLUMNS, "file", "line"])
    for column in ("n", *COUNT_COLUMNS):
        table[column] = pd.to_numeric(table[column], errors="coerce").astype("Int64")
    table["share_percent"] = pd.to_numeric(table["share_percent"], errors="coerce")
    for column in ("fieldwork_start", "fieldwork_end"):
        table[column] = pd.to_datetime(table[column], format="%Y-%m-%d")
    spread = table["fieldwork_end"] - table["fieldwork_start"]
    table["fieldwork_mid"] = (table["fieldwork_start"] + spread / 2).dt.floor("D")
    table["usable"] = table["n"].notna().astype(bool)
    return table


def _summary(rows: list[dict[str, Any]]) -> str:
    usable = sum(1 for r in rows if r.get("n"))
    datasets = sorted({r["dataset"] for r in rows})
    if not rows:
        return "no figures"
    return (
        f"{len(rows)} figures ({usable} usable with n), datasets {', '.join(datasets)}, "
        f"fieldwork {min(r['fieldwork_start'] for r in rows)} to "
        f"{max(r['fieldwork_end'] for r in rows)}"
    )


def main(argv: list[str] | None = None) -> int:
    """Command line: check survey files, or list the figures a targets mapping uses."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate survey CSV files; exit 1 on any problem")
    check.add_argument("files", nargs="+", type=Path)
    check.add_argument("--model-start", default=None, help="model start_date (YYYY-MM-DD)")
    targets = commands.add_parser("targets", help="list the figures a targets YAML maps")
    targets.add_argument("yaml", type=Path)
    targets.add_argument("--all", action="store_true", help="include figures without n")
    args = parser.parse_args(argv)
    try:
        if args.command == "targets":
            from experiments.survey_targets import load_targets

            table = load_targets(args.yaml, usable_only=not args.all)
            columns = ["figure_id", "staff_group", "n", "quantity", "answer", "target_share"]
            print(table[columns].to_string(index=False))
            return 0
        problems, rows = _check_files(args.files, args.model_start, None)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2 if args.command == "check" else 1
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    for path in args.files:
        print(f"{path}: ok, {_summary([r for r in rows if r['file'] == str(path)])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
