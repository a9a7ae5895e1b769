"""Generate the parameter tables of docs/ODD.md from the config's field metadata.

Every leaf parameter of ``ModelConfig()`` (as yielded by :func:`model.params.iter_params`) becomes
one row ``parameter | default | unit | source | description | evidence``; unit, source and
description come from the field's metadata (:func:`model.params.param`). A second table lists the
fields of one entry of the list-valued parameters (``strategy.programmes`` and ``events``), which
are empty by default and so have no leaves of their own in ``ModelConfig()``.

The ``evidence`` column points to the parameter's row of the evidence table
``data/evidence/parameters.csv`` (see ``data/evidence/README.md``): its kind and a short source,
``evidence: Dratsch et al. 2023 (prior 0.174-0.662)``, ``assumption (prior 0.225-0.775)``,
``convention``, or ``-`` when the table has no row for the path (or the file does not exist).
A list entry's field ``strategy.programmes.<i>.x`` is looked up as written and as
``strategy.programmes.*.x``. "default outside" flags a numeric default outside the prior's 5-95%
range.

Usage (from the repository root)::

    python docs/parameter_table.py            # print the tables
    python docs/parameter_table.py --write    # rewrite the tables inside docs/ODD.md
    python docs/parameter_table.py --check    # exit 1 if docs/ODD.md is out of date
    python docs/parameter_table.py --evidence PATH   # another evidence table (default above)

``tests/test_odd.py`` parses the table back from docs/ODD.md and compares it with the config.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import math
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from model.config import EventConfig, ModelConfig, ProgrammeConfig
from model.params import iter_params

ODD_PATH = Path(__file__).resolve().parent / "ODD.md"
EVIDENCE_PATH = Path(__file__).resolve().parents[1] / "data" / "evidence" / "parameters.csv"
COLUMNS = ("parameter", "default", "unit", "source", "description", "evidence")
EVIDENCE_KINDS = ("evidence", "assumption", "convention")
NO_EVIDENCE = "-"
METADATA_KEYS = {"unit": "unit", "source": "source", "description": "doc"}
MISSING = "**MISSING**"
LIST_ENTRY_SCHEMAS = (
    ("strategy.programmes.<i>", ProgrammeConfig),
    ("events.<i>", EventConfig),
)
REGENERATE = "python docs/parameter_table.py --write"


def format_default(value: Any) -> str:
    """Format a default value: repr for strings, None and booleans, ``.12g`` for numbers.

    Lists are formatted element by element, so ``[0.2, 0.4]`` stays ``[0.2, 0.4]``.
    """
    if value is None or isinstance(value, bool | str):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(value, ".12g")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_default(v) for v in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{k!r}: {format_default(v)}" for k, v in value.items())
        return "{" + items + "}"
    return repr(value)


def _metadata(f: dataclasses.Field, key: str) -> str:
    value = f.metadata.get(key)
    return MISSING if value in (None, "") else str(value)


Evidence = dict[str, dict[str, str]]


def load_evidence(path: Path | None = EVIDENCE_PATH) -> Evidence:
    """Rows of the evidence table keyed by parameter path; ``{}`` if the file does not exist.

    Tolerant of a table that is still being written: rows without a parameter or with an unknown
    kind are skipped, missing columns read as empty, and the first row of a path wins.
    """
    if path is None or not Path(path).is_file():
        return {}
    with Path(path).open(newline="", encoding="utf-8") as handle:
        rows: Evidence = {}
        for row in csv.DictReader(handle):
            name = (row.get("parameter") or "").strip()
            kind = (row.get("kind") or "").strip()
            if name and kind in EVIDENCE_KINDS and name not in rows:
                rows[name] = {k: (v or "").strip() for k, v in row.items() if k is not None}
    return rows


_YEAR = re.compile(r"\((1[89]\d\d|20\d\d)\)")
_AUTHOR = re.compile(r"^([A-Z][\w'-]*(?: [A-Z][\w'-]*)*?) [A-Z]{1,4}(?: Jr)?$")


def short_source(source: str, year: str = "") -> str:
    """``Dratsch et al. 2023`` from ``Dratsch T, et al.`` and ``2023``.

    An author list ``Surname Initials, ...`` gives ``Surname`` (one author), ``A and B`` (two)
    or ``A et al.`` (more, or ``et al.``); any other source keeps its text up to the first
    ``;`` or ``(``. The year is a ``(YYYY)`` in that text if it has one, else ``year``.
    """
    head = source.split(";")[0].strip()
    in_head = _YEAR.search(head)
    name_part = re.split(r"[(;]", head)[0].strip().rstrip(",")
    tokens = [t.strip() for t in name_part.split(",") if t.strip()]
    authors = [m.group(1) for t in tokens if (m := _AUTHOR.match(t))]
    if tokens and authors and _AUTHOR.match(tokens[0]):
        et_al = len(authors) > 2 or "et al" in source
        if et_al:
            name = f"{authors[0]} et al."
        elif len(authors) == 2:
            name = f"{authors[0]} and {authors[1]}"
        else:
            name = authors[0]
    else:
        name = name_part
    year_text = in_head.group(1) if in_head else (year.split(".")[0] if year else "")
    return f"{name} {year_text}".strip()


def _number(text: Any) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _significant(value: float) -> str:
    """Three significant digits, without an exponent for large values (``3410``, ``0.0952``)."""
    rounded = float(f"{value:.3g}")
    return str(round(rounded)) if abs(rounded) >= 1000 else f"{value:.3g}"


def _prior(row: dict[str, str], default: Any = None) -> str:
    """``prior 0.1-0.5`` (5th to 95th percentile), ``; default outside`` if it is; '' if fixed."""
    low, high = _number(row.get("prior_low")), _number(row.get("prior_high"))
    if row.get("distribution") == "fixed" or low is None or high is None:
        return ""
    sep = " to " if min(low, high) < 0 else "-"
    text = f"prior {_significant(low)}{sep}{_significant(high)}"
    value = None if isinstance(default, bool) else _number(default)
    if value is not None and not low - 1e-9 <= value <= high + 1e-9:
        text += "; default outside"
    return text


def evidence_cell(row: dict[str, str] | None, default: Any = None) -> str:
    """The evidence column for one parameter: kind, short source and prior range, or ``-``."""
    if row is None:
        return NO_EVIDENCE
    kind = row["kind"]
    source = short_source(row.get("source", ""), row.get("year", "")) if row.get("source") else ""
    prior = _prior(row, default)
    if kind == "evidence":
        text = f"evidence: {source}" if source else "evidence"
        return f"{text} ({prior})" if prior else text
    if kind == "assumption":
        details = [d for d in (prior, f"context: {source}" if source else "") if d]
        return f"assumption ({'; '.join(details)})" if details else "assumption"
    return kind


def evidence_row(evidence: Evidence, path: str) -> dict[str, str] | None:
    """The evidence row of a path; list entries (``<i>``) also as ``*``."""
    return evidence.get(path) or evidence.get(path.replace("<i>", "*"))


def _row(path: str, value: Any, f: dataclasses.Field, evidence: Evidence) -> dict[str, str]:
    return {
        "parameter": path,
        "default": format_default(value),
        **{column: _metadata(f, key) for column, key in METADATA_KEYS.items()},
        "evidence": evidence_cell(evidence_row(evidence, path), value),
    }


def parameter_rows(
    config: ModelConfig | None = None, evidence: Evidence | None = None
) -> list[dict[str, str]]:
    """One row per leaf parameter of ``config`` (default ``ModelConfig()``).

    ``evidence`` defaults to the rows of ``data/evidence/parameters.csv`` (none if it is absent).
    """
    config = ModelConfig() if config is None else config
    evidence = load_evidence() if evidence is None else evidence
    return [_row(path, value, f, evidence) for path, value, f in iter_params(config)]


def list_entry_rows(evidence: Evidence | None = None) -> list[dict[str, str]]:
    """One row per field of one entry of ``strategy.programmes`` and of ``events``."""
    evidence = load_evidence() if evidence is None else evidence
    rows = []
    for prefix, schema in LIST_ENTRY_SCHEMAS:
        rows += [
            _row(f"{prefix}.{path}", value, f, evidence) for path, value, f in iter_params(schema())
        ]
    return rows


def missing_metadata(rows: Iterable[dict[str, str]]) -> list[str]:
    """``path: column`` for every cell whose metadata is missing."""
    return [f"{r['parameter']}: {c}" for r in rows for c in METADATA_KEYS if r[c] == MISSING]


def _escape(cell: str) -> str:
    return cell.replace("|", r"\|")


def _code(cell: str) -> str:
    return f"`{cell}`"


def render_table(rows: Iterable[dict[str, str]]) -> str:
    """A markdown table; parameter paths and defaults as code, pipes escaped."""
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---" for _ in COLUMNS) + "|",
    ]
    for row in rows:
        cells = [_code(row["parameter"]), _code(row["default"])]
        cells += [row[c] for c in COLUMNS[2:]]
        lines.append("| " + " | ".join(_escape(c) for c in cells) + " |")
    return "\n".join(lines)


def parse_table(text: str) -> list[dict[str, str]]:
    """Rows of the first markdown table in ``text`` whose header is :data:`COLUMNS`.

    Inverse of :func:`render_table`: splits on unescaped pipes, unescapes escaped pipes and
    strips the code backticks around parameter and default.
    """
    rows: list[dict[str, str]] = []
    in_table = False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("|"):
            if in_table:
                break
            continue
        cells = [c.strip().replace(r"\|", "|") for c in re.split(r"(?<!\\)\|", stripped)[1:-1]]
        if not in_table:
            in_table = tuple(cells) == COLUMNS
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        row = dict(zip(COLUMNS, cells, strict=True))
        for column in ("parameter", "default"):
            value = row[column]
            if len(value) >= 2 and value.startswith("`") and value.endswith("`"):
                row[column] = value[1:-1]
        rows.append(row)
    return rows


def block_markers(name: str) -> tuple[str, str]:
    """Start and end markers of a generated block in ODD.md."""
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def generated_blocks(evidence_path: Path | None = EVIDENCE_PATH) -> dict[str, str]:
    """Block name to the markdown it should contain."""
    evidence = load_evidence(evidence_path)
    return {
        "parameters": render_table(parameter_rows(evidence=evidence)),
        "list-parameters": render_table(list_entry_rows(evidence=evidence)),
    }


def block_content(text: str, name: str) -> str:
    """The text between a block's markers (stripped); ValueError if the markers are absent."""
    start, end = block_markers(name)
    match = re.search(re.escape(start) + r"\n(.*?)\n?" + re.escape(end), text, flags=re.DOTALL)
    if match is None:
        raise ValueError(f"markers {start} ... {end} not found")
    return match.group(1).strip()


def replace_block(text: str, name: str, content: str) -> str:
    """``text`` with the block ``name`` replaced by ``content``."""
    start, end = block_markers(name)
    block_content(text, name)  # raises if the markers are absent
    pattern = re.escape(start) + r".*?" + re.escape(end)
    replacement = f"{start}\n{content}\n{end}"
    return re.sub(pattern, lambda _: replacement, text, count=1, flags=re.DOTALL)


def update_document(text: str, evidence_path: Path | None = EVIDENCE_PATH) -> str:
    """``text`` with every generated block brought up to date."""
    for name, content in generated_blocks(evidence_path).items():
        text = replace_block(text, name, content)
    return text


def stale_blocks(text: str, evidence_path: Path | None = EVIDENCE_PATH) -> Iterator[str]:
    """Names of the generated blocks of ``text`` that differ from what the config gives."""
    for name, content in generated_blocks(evidence_path).items():
        if block_content(text, name) != content:
            yield name


def main(argv: list[str] | None = None) -> int:
    """Print the tables, or write them into / check them against docs/ODD.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="rewrite the tables in docs/ODD.md")
    mode.add_argument("--check", action="store_true", help="exit 1 if docs/ODD.md is stale")
    parser.add_argument("--odd", type=Path, default=ODD_PATH, help="path of ODD.md")
    parser.add_argument(
        "--evidence", type=Path, default=EVIDENCE_PATH, help="path of the evidence table (CSV)"
    )
    args = parser.parse_args(argv)

    evidence = load_evidence(args.evidence)
    if not evidence:
        print(f"note: no evidence rows in {args.evidence}; evidence column is '-'", file=sys.stderr)
    missing = missing_metadata(parameter_rows(evidence=evidence) + list_entry_rows(evidence))
    for cell in missing:
        print(f"warning: no metadata for {cell} (flagged {MISSING})", file=sys.stderr)

    if args.write:
        text = args.odd.read_text(encoding="utf-8")
        updated = update_document(text, args.evidence)
        if updated != text:
            args.odd.write_text(updated, encoding="utf-8")
        print(f"{args.odd}: {'updated' if updated != text else 'already up to date'}")
    elif args.check:
        stale = list(stale_blocks(args.odd.read_text(encoding="utf-8"), args.evidence))
        if stale:
            print(f"{args.odd}: stale blocks {', '.join(stale)}; run `{REGENERATE}`")
            return 1
        print(f"{args.odd}: up to date")
    else:
        for content in generated_blocks(args.evidence).values():
            print(content, end="\n\n")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
