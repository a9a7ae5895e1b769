"""Every parameter has an evidence row, and every default is its prior's median."""

from __future__ import annotations

import math

import pytest

from model.config import ModelConfig, ProgrammeConfig
from model.evidence import EVIDENCE_FILE, EvidenceError, load_evidence
from model.params import iter_params

ROWS = load_evidence()


def config_parameters() -> dict[str, object]:
    """Every leaf parameter of the default config, including one programme's fields."""
    config = ModelConfig()
    values = {path: value for path, value, _ in iter_params(config)}
    # Programme fields exist only inside a strategy: list them once, as programme.*.
    programme = {f"strategy.programmes.*.{p}": v for p, v, _ in iter_params(ProgrammeConfig())}
    return values | programme


def test_every_parameter_has_an_evidence_row() -> None:
    """A parameter with neither a source nor an assumption row fails here, by name."""
    params = config_parameters()
    missing = sorted(
        p for p in params if p not in ROWS and not p.startswith("strategy.programmes.")
    )
    assert not missing, f"{EVIDENCE_FILE} has no row for {missing}"
    stale = sorted(p for p in ROWS if p not in params)
    assert not stale, f"{EVIDENCE_FILE} lists parameters the config does not have: {stale}"


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


@pytest.mark.parametrize("name", sorted(config_parameters()))
def test_default_is_the_prior_median(name: str) -> None:
    """Defaults of evidence and assumption rows equal their prior median, inside its range."""
    row = ROWS.get(name)
    if row is None or row["kind"] == "convention":
        return
    value = config_parameters()[name]
    median, low, high = (_number(row[c]) for c in ("prior_median", "prior_low", "prior_high"))
    assert median is not None, f"{name}: prior_median {row['prior_median']!r} is not a number"
    assert math.isclose(float(value), median, rel_tol=1e-9, abs_tol=1e-12), (
        f"{name}: default {value} but the evidence prior's median is {median}"
    )
    assert low is not None and high is not None and low <= median <= high, name


def test_config_does_not_call_an_evidence_backed_default_an_assumption() -> None:
    """A field whose evidence row is 'evidence' cites a source in its config metadata too."""
    wrong = [
        path
        for path, _, field in iter_params(ModelConfig())
        if ROWS.get(path, {}).get("kind") == "evidence"
        and field.metadata["source"].startswith("assumption")
    ]
    assert not wrong, f"config metadata says 'assumption' for evidence-backed {wrong}"


def test_evidence_rows_are_checked_and_cited() -> None:
    """An 'evidence' row names a checked source with a DOI or URL and the figure it rests on."""
    for name, row in ROWS.items():
        if row["kind"] == "evidence":
            assert row["checked"] == "yes", name
            assert row["source"] and row["year"] and row["doi_or_url"], name
            assert row["finding"] and row["mapping"], name
        if row["checked"] == "no":
            assert row["kind"] == "assumption", f"{name}: unchecked source must be an assumption"


def test_malformed_table_names_file_line_and_value(tmp_path) -> None:
    """An unknown kind is refused with the file, line and value."""
    bad = tmp_path / "parameters.csv"
    text = EVIDENCE_FILE.read_text(encoding="utf-8").splitlines()
    first = text[1].split(",")
    first[1] = "guess"
    bad.write_text("\n".join([text[0], ",".join(first)]) + "\n", encoding="utf-8")
    with pytest.raises(EvidenceError, match=r"parameters.csv:2: kind = 'guess'"):
        load_evidence(bad)
