"""The evidence table: a prior and its source for every model parameter.

``data/evidence/parameters.csv`` has one row per parameter (dotted config path): its ``kind``
(``evidence``: a checked published figure anchors the prior; ``assumption``: no checkable source,
prior stated as an assumption; ``convention``: a scenario or measurement setting), the prior
(distribution, 5th percentile, median, 95th percentile), the source and the finding it rests on.
Defaults are the prior medians (checked by a test); see ``data/evidence/README.md``.
"""

from __future__ import annotations

import csv
from pathlib import Path

EVIDENCE_FILE = Path(__file__).resolve().parent.parent / "data" / "evidence" / "parameters.csv"
KINDS = ("evidence", "assumption", "convention")
COLUMNS = (
    "parameter",
    "kind",
    "distribution",
    "prior_low",
    "prior_median",
    "prior_high",
    "dist_a",
    "dist_b",
    "unit",
    "source",
    "year",
    "journal",
    "doi_or_url",
    "finding",
    "mapping",
    "checked",
)


class EvidenceError(ValueError):
    """The evidence table is malformed; the message names the file, line and column."""


def load_evidence(path: Path = EVIDENCE_FILE) -> dict[str, dict[str, str]]:
    """Rows of the evidence table keyed by parameter path.

    Raises:
        EvidenceError: a missing column, an unknown kind or a parameter listed twice.
    """
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise EvidenceError(f"{path}: missing columns {', '.join(missing)}")
        rows: dict[str, dict[str, str]] = {}
        for line, row in enumerate(reader, start=2):
            name = row["parameter"]
            if row["kind"] not in KINDS:
                raise EvidenceError(
                    f"{path}:{line}: kind = {row['kind']!r}: expected one of {', '.join(KINDS)}"
                )
            if name in rows:
                raise EvidenceError(f"{path}:{line}: parameter {name!r} is listed twice")
            rows[name] = row
    return rows
