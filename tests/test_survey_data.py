"""Tests of the survey data: the shipped figures, the validator, the loaders and the mappings."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from experiments.survey_data import (
    SURVEY_COLUMNS,
    Problem,
    SurveyDataError,
    load_survey_data,
    validate_survey_file,
)
from experiments.survey_targets import TargetsError, load_targets
from model.survey import QUESTION_TYPES

REPO = Path(__file__).resolve().parent.parent
SURVEYS = REPO / "data" / "surveys"
SHIPPED = sorted(SURVEYS.glob("*.csv"))
TARGETS = sorted((REPO / "conf" / "calibration" / "targets").glob("*.yaml"))
BAD = REPO / "tests" / "data" / "bad_surveys"
BAD_ROWS = BAD / "bad_rows.csv"

# (line, column) of every problem in bad_rows.csv; line 3-4 is one valid row whose note spans two
# lines, line 30's fieldwork precedes a model start of 2020-01-01 (reported only when given).
BAD_ROW_PROBLEMS = {
    (6, "n"),  # missing n and no n_as_published
    (7, "n"),  # "1,292"
    (8, "n"),  # 0
    (9, "share_percent"),  # 120
    (10, "share_percent"),  # "76%"
    (11, "share_percent"),  # -1
    (12, "count_1"),  # share row with a count
    (13, "share_percent"),  # share row without a share
    (14, "share_percent"),  # likert row with a share
    (15, "count_2"),  # negative count
    (16, "count_3"),  # non-integer count
    (17, "n"),  # counts sum to 100, n = 120
    (18, "staff_group"),  # "nurses"
    (19, "staff_group"),  # empty
    (20, "response_type"),  # "percent"
    (21, "dataset"),  # "UK NHS staff"
    (22, "figure_id"),  # duplicate of line 2
    (23, "source"),  # empty
    (24, "url"),  # empty
    (25, "url"),  # no http(s)://
    (26, "fieldwork_start"),  # empty
    (27, "fieldwork_start"),  # "2024-06"
    (28, "fieldwork_end"),  # 2024-02-30
    (29, "fieldwork_end"),  # before fieldwork_start
    (31, "question"),  # question_id used with another wording (line 2)
    (32, "question_id"),  # empty
    (33, "fieldwork_as_published"),  # empty
    *((34, f"count_{k}") for k in range(1, 6)),  # likert row without counts
    (35, "(row)"),  # 3 fields instead of 21
}


def shipped_rows() -> list[tuple[Path, dict[str, str]]]:
    """Every shipped row as text, with its file."""
    rows = []
    for path in SHIPPED:
        with path.open(newline="", encoding="utf-8") as handle:
            rows += [(path, row) for row in csv.DictReader(handle)]
    return rows


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write rows (missing columns empty) with the survey header."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, SURVEY_COLUMNS, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def good_row(**fields: str) -> dict[str, str]:
    """A valid share row; fields override."""
    row = {
        "figure_id": "f1",
        "dataset": "test_staff",
        "source": "Test survey",
        "url": "https://example.org/s",
        "fieldwork_start": "2024-06-01",
        "fieldwork_end": "2024-07-31",
        "fieldwork_as_published": "2024-06/07",
        "population": "staff",
        "staff_group": "all",
        "n": "200",
        "n_as_published": "200",
        "question_id": "q_trust",
        "question": "I trust AI",
        "response_type": "share",
        "share_percent": "40",
    }
    return {**row, **fields}


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """Run ``python -m experiments.survey_data`` from the repository."""
    return subprocess.run(
        [sys.executable, "-m", "experiments.survey_data", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- the shipped data -----------------------------------------------------------------------


def test_shipped_files_are_the_two_expected():
    """data/surveys holds the UK file and the US physicians file."""
    assert [p.name for p in SHIPPED] == ["uk_survey_figures.csv", "us_physicians.csv"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_file_validates_clean(path):
    """Each shipped file has no problem, even against a model starting on 2020-01-01."""
    assert validate_survey_file(path) == []
    assert validate_survey_file(path, model_start="2020-01-01") == []


def test_shipped_files_load_together_with_sources_and_dates():
    """Every shipped row has source, url, fieldwork dates and a sensible midpoint."""
    table = load_survey_data(SHIPPED)
    assert len(table) == 29
    assert table["figure_id"].is_unique
    for column in ("source", "url", "fieldwork_as_published", "population", "question"):
        assert (table[column].str.len() > 0).all(), column
    assert table["url"].str.match(r"https?://").all()
    assert table["fieldwork_start"].notna().all() and table["fieldwork_end"].notna().all()
    assert (table["fieldwork_start"] <= table["fieldwork_mid"]).all()
    assert (table["fieldwork_mid"] <= table["fieldwork_end"]).all()
    assert table["fieldwork_start"].min() == pd.Timestamp("2020-01-01")
    assert table["fieldwork_end"].max() == pd.Timestamp("2024-11-30")


def test_shipped_rows_without_n_are_unusable_and_explained():
    """Exactly the five 2024 staff-group figures lack n; each says why and is not usable."""
    table = load_survey_data(SHIPPED)
    no_n = table[table["n"].isna()]
    assert set(no_n["figure_id"]) == {
        "hf2024_look_forward_ai_in_job_nursing_midwifery",
        "hf2024_not_look_forward_ai_in_job_nursing_midwifery",
        "hf2024_neutral_ai_in_job_nursing_midwifery",
        "hf2024_look_forward_ai_in_job_medical",
        "hf2024_look_forward_ai_in_job_ahp",
    }
    assert not no_n["usable"].any() and table.loc[table["n"].notna(), "usable"].all()
    assert (no_n["n_as_published"] == "subgroup of 1292 (n not stated)").all()


def test_derived_subgroup_n_is_the_stated_share_of_the_parent_sample():
    """The AI-user subgroup's n is 29% (the published user share) of the 929 doctors."""
    table = load_survey_data(SHIPPED).set_index("figure_id")
    users = table.loc["turing2023_optimistic_ai_integration_ai_users"]
    share = table.loc["turing2023_used_any_ai_past_year", "share_percent"] / 100
    assert users["n"] == round(share * 929)
    assert "derived" in users["notes"]


# --- the validator --------------------------------------------------------------------------


def test_validator_reports_each_bad_row_at_its_line_and_column():
    """Every kind of bad row is reported at its own line and column, and nothing else is."""
    problems = validate_survey_file(BAD_ROWS)
    assert {(p.line, p.column) for p in problems} == BAD_ROW_PROBLEMS
    assert len(problems) == len(BAD_ROW_PROBLEMS)


def test_validator_reports_fieldwork_before_the_model_start_only_when_given():
    """Fieldwork before model_start is a problem (line 30); without model_start it is not."""
    problems = validate_survey_file(BAD_ROWS, model_start="2020-01-01")
    assert {(p.line, p.column) for p in problems} == BAD_ROW_PROBLEMS | {(30, "fieldwork_start")}
    [early] = [p for p in problems if p.line == 30]
    assert early.value == "2019-11-01" and "2020-01-01" in early.expected


def test_problem_values_are_the_raw_values_of_the_file():
    """Each problem's value is the cell's text in the file (so the message shows what is there)."""
    with BAD_ROWS.open(newline="", encoding="utf-8") as handle:
        rows = {row["figure_id"]: row for row in csv.DictReader(handle)}
    problems = {(p.line, p.column): p for p in validate_survey_file(BAD_ROWS)}
    assert problems[(7, "n")].value == rows["n_with_comma"]["n"] == "1,292"
    assert problems[(10, "share_percent")].value == "76%"
    assert problems[(18, "staff_group")].value == "nurses"
    assert problems[(17, "n")].expected == "the sum of count_1..count_5 (100)"


def test_problem_str_names_file_line_column_value_and_expectation():
    """str(Problem) is ``file:line: column 'col' = 'value': expected ...``."""
    problem = Problem("a.csv", 7, "n", "1,292", "a positive integer")
    assert str(problem) == "a.csv:7: column 'n' = '1,292': expected a positive integer"


def test_validator_reports_missing_unknown_and_repeated_header_columns():
    """A header without n, with an unknown and a repeated column, gives one problem for each."""
    problems = validate_survey_file(BAD / "bad_header.csv")
    assert {(p.line, p.column, p.value) for p in problems} == {
        (1, "n", ""),
        (1, "sample_size", "sample_size"),
        (1, "notes", "notes"),
    }


def test_validator_reports_an_empty_and_a_missing_file(tmp_path):
    """An empty file lacks its header; a missing file is reported, not raised."""
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert [(p.line, p.column) for p in validate_survey_file(empty)] == [(1, "(header)")]
    assert [p.column for p in validate_survey_file(tmp_path / "none.csv")] == ["(file)"]


def test_validator_uses_the_given_staff_groups(tmp_path):
    """A staff group is checked against the groups passed in (``all`` always accepted)."""
    path = write_csv(tmp_path / "s.csv", [good_row(staff_group="pharmacy")])
    assert [p.column for p in validate_survey_file(path)] == ["staff_group"]
    assert validate_survey_file(path, staff_groups=["pharmacy"]) == []
    path = write_csv(tmp_path / "s.csv", [good_row(staff_group="all")])
    assert validate_survey_file(path, staff_groups=["pharmacy"]) == []


def test_validator_rejects_a_malformed_model_start(tmp_path):
    """model_start must itself be an ISO date; the error names it."""
    path = write_csv(tmp_path / "s.csv", [good_row()])
    with pytest.raises(ValueError, match="model_start = '2020/01/01'"):
        validate_survey_file(path, model_start="2020/01/01")


# --- the loaders ----------------------------------------------------------------------------


def test_load_raises_with_every_problem_listed():
    """load_survey_data raises SurveyDataError carrying every problem the validator finds."""
    with pytest.raises(SurveyDataError) as caught:
        load_survey_data(BAD_ROWS)
    assert len(caught.value.problems) == len(BAD_ROW_PROBLEMS)
    assert f"{BAD_ROWS}:35: column '(row)'" in str(caught.value)


def test_load_checks_ids_and_wording_across_files(tmp_path):
    """A figure_id repeated in a second file, or a question reworded there, is a problem."""
    first = write_csv(tmp_path / "a.csv", [good_row()])
    second = write_csv(tmp_path / "b.csv", [good_row(question="I trust AI tools")])
    assert validate_survey_file(second) == []
    with pytest.raises(SurveyDataError) as caught:
        load_survey_data([first, second])
    found = {(Path(p.file).name, p.line, p.column) for p in caught.value.problems}
    assert found == {("b.csv", 2, "figure_id"), ("b.csv", 2, "question")}
    assert "a.csv line 2" in str(caught.value)


def test_load_parses_types_and_the_fieldwork_midpoint(tmp_path):
    """Counts and n load as integers, the midpoint is halfway, and n decides ``usable``."""
    rows = [
        good_row(fieldwork_start="2024-06-01", fieldwork_end="2024-06-30"),
        good_row(
            figure_id="f2",
            response_type="likert_counts",
            share_percent="",
            count_1="1",
            count_2="2",
            count_3="3",
            count_4="4",
            count_5="10",
            n="20",
            question_id="q_confidence",
            question="I am confident using AI",
        ),
        good_row(figure_id="f3", n="", n_as_published="not stated"),
    ]
    table = load_survey_data(write_csv(tmp_path / "s.csv", rows)).set_index("figure_id")
    assert table.loc["f1", "fieldwork_mid"] == pd.Timestamp("2024-06-15")
    assert table.loc["f2", "count_5"] == 10 and table.loc["f2", "n"] == 20
    assert table.loc["f1", "share_percent"] == 40.0
    assert table["usable"].tolist() == [True, True, False]
    assert table.loc["f2", "line"] == 3


def write_targets(tmp_path: Path, spec: dict) -> Path:
    """Write a targets YAML."""
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def trust_entry(**fields: str) -> dict[str, str]:
    """A valid mapping entry to trust/agree; fields override."""
    return {
        "quantity": "trust",
        "answer": "agree",
        "strength": "close",
        "reasoning": "test",
        **fields,
    }


@pytest.mark.parametrize("path", TARGETS, ids=lambda p: p.name)
def test_shipped_mapping_covers_exactly_the_question_ids_of_its_data(path):
    """Each targets YAML maps or lists as unmapped every question_id of its data, and no other."""
    spec = yaml.safe_load(path.read_text())
    data = load_survey_data([REPO / p for p in spec["data"]])
    mapped, unmapped = set(spec["questions"]), set(spec.get("unmapped") or {})
    assert mapped | unmapped == set(data["question_id"])
    assert not mapped & unmapped
    for qid, entry in spec["questions"].items():
        assert entry["quantity"] in QUESTION_TYPES, qid
        assert len(entry["reasoning"].split()) >= 10, qid
    table = load_targets(path, model_start="2020-01-01")
    assert table["usable"].all() and table["target_count"].notna().all()
    assert set(table["question_id"]) <= mapped


def test_uk_mapping_reads_the_issue_examples():
    """Support for AI in patient care reads trust, looking forward reads confidence, use reads
    adoption; the AI-user subgroup and figures without n are left out."""
    table = load_targets(REPO / "conf/calibration/targets/uk_nhs.yaml").set_index("figure_id")
    assert table.loc["hf2024_support_ai_patient_care", ["quantity", "answer"]].tolist() == [
        "trust",
        "agree",
    ]
    assert table.loc["hf2024_look_forward_ai_in_job", "quantity"] == "confidence"
    assert table.loc["turing2023_used_any_ai_past_year", ["quantity", "answer"]].tolist() == [
        "uses_ai",
        "yes",
    ]
    assert "turing2023_optimistic_ai_integration_ai_users" not in table.index
    assert not any(fid.endswith("_nursing_midwifery") for fid in table.index)
    assert table.loc["hf2024_support_ai_patient_care", "target_count"] == round(0.76 * 1292)
    everything = load_targets(REPO / "conf/calibration/targets/uk_nhs.yaml", usable_only=False)
    assert (~everything["usable"]).sum() == 4  # the neutral answer is unmapped


def test_targets_error_names_unknown_and_forgotten_question_ids(tmp_path):
    """A mapping of an unknown question_id, or silence about a known one, is an error naming it."""
    data = write_csv(
        tmp_path / "s.csv", [good_row(), good_row(figure_id="f2", question_id="q_other")]
    )
    spec = {"data": [str(data)], "questions": {"q_trsut": trust_entry()}}
    with pytest.raises(TargetsError) as caught:
        load_targets(write_targets(tmp_path, spec))
    message = str(caught.value)
    assert "questions.q_trsut: unknown question_id" in message
    assert "q_trust: a question_id of the data" in message
    assert "q_other: a question_id of the data" in message


@pytest.mark.parametrize(
    ("entry", "needle"),
    [
        (trust_entry(quantity="optimism"), "questions.q_trust.quantity = 'optimism'"),
        (trust_entry(answer="yes"), "questions.q_trust.answer = 'yes'"),
        (trust_entry(quantity="uses_ai"), "questions.q_trust.answer = 'agree'"),
        (trust_entry(strength="strong"), "questions.q_trust.strength = 'strong'"),
        (trust_entry(reasoning=""), "questions.q_trust.reasoning = ''"),
        (trust_entry(joint="alone"), "questions.q_trust.joint = 'alone'"),
        (trust_entry(weight="2"), "questions.q_trust.weight: unknown key"),
        (trust_entry(exclude={"nope": "why"}), "questions.q_trust.exclude.nope"),
    ],
)
def test_targets_error_names_each_bad_mapping_entry(tmp_path, entry, needle):
    """Each kind of bad mapping entry is reported with its path and value."""
    data = write_csv(tmp_path / "s.csv", [good_row()])
    spec = {"data": [str(data)], "questions": {"q_trust": entry}}
    with pytest.raises(TargetsError, match=re.escape(needle)):
        load_targets(write_targets(tmp_path, spec))


def test_targets_read_likert_counts_by_answer(tmp_path):
    """For Likert counts, agree is the share answering 4-5 and disagree the share answering 1-2."""
    counts = {"count_1": "5", "count_2": "15", "count_3": "30", "count_4": "40", "count_5": "10"}
    rows = [
        good_row(response_type="likert_counts", share_percent="", n="100", **counts),
        good_row(
            figure_id="f2",
            question_id="q_conf",
            question="I am confident",
            response_type="likert_counts",
            share_percent="",
            n="100",
            **counts,
        ),
    ]
    data = write_csv(tmp_path / "s.csv", rows)
    spec = {
        "data": [str(data)],
        "questions": {
            "q_trust": trust_entry(),
            "q_conf": trust_entry(quantity="confidence", answer="disagree"),
        },
    }
    table = load_targets(write_targets(tmp_path, spec)).set_index("question_id")
    assert table.loc["q_trust", "target_share"] == pytest.approx(0.5)
    assert table.loc["q_conf", "target_share"] == pytest.approx(0.2)
    assert table["target_count"].tolist() == [50, 20]
    assert table.loc["q_trust", "tool"] == "any"


# --- the command line -----------------------------------------------------------------------


def test_cli_check_passes_the_shipped_files_with_one_line_each():
    """``check`` on the shipped files exits 0 and prints one summary line per file."""
    result = run_cli("check", *map(str, SHIPPED), "--model-start", "2020-01-01")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(SHIPPED)
    assert lines[0].startswith(f"{SHIPPED[0]}: ok, 23 figures (18 usable with n)")


def test_cli_check_fails_a_bad_file_and_prints_every_problem():
    """``check`` on a bad file exits 1 and prints each problem on its own line."""
    result = run_cli("check", str(BAD_ROWS))
    assert result.returncode == 1
    printed = result.stdout.strip().splitlines()
    assert len(printed) == len(BAD_ROW_PROBLEMS)
    assert f"{BAD_ROWS}:7: column 'n' = '1,292': expected" in result.stdout
