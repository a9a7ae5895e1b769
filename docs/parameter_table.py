"""Generate the parameter tables of docs/ODD.md from the config's field metadata.

Every leaf parameter of ``ModelConfig()`` (as yielded by :func:`model.params.iter_params`) becomes
one row ``parameter | default | unit | source | description``; unit, source and description come
from the field's metadata (:func:`model.params.param`). A second table lists the fields of one
entry of the list-valued parameters (``strategy.programmes`` and ``events``), which are empty by
default and so have no leaves of their own in ``ModelConfig()``.

Usage (from the repository root)::

    python docs/parameter_table.py            # print the tables
    python docs/parameter_table.py --write    # rewrite the tables inside docs/ODD.md
    python docs/parameter_table.py --check    # exit 1 if docs/ODD.md is out of date

``tests/test_odd.py`` parses the table back from docs/ODD.md and compares it with the config.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from model.config import EventConfig, ModelConfig, ProgrammeConfig
from model.params import iter_params

ODD_PATH = Path(__file__).resolve().parent / "ODD.md"
COLUMNS = ("parameter", "default", "unit", "source", "description")
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


def _row(path: str, value: Any, f: dataclasses.Field) -> dict[str, str]:
    return {
        "parameter": path,
        "default": format_default(value),
        **{column: _metadata(f, key) for column, key in METADATA_KEYS.items()},
    }


def parameter_rows(config: ModelConfig | None = None) -> list[dict[str, str]]:
    """One row per leaf parameter of ``config`` (default ``ModelConfig()``)."""
    config = ModelConfig() if config is None else config
    return [_row(path, value, f) for path, value, f in iter_params(config)]


def list_entry_rows() -> list[dict[str, str]]:
    """One row per field of one entry of ``strategy.programmes`` and of ``events``."""
    rows = []
    for prefix, schema in LIST_ENTRY_SCHEMAS:
        rows += [_row(f"{prefix}.{path}", value, f) for path, value, f in iter_params(schema())]
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


def generated_blocks() -> dict[str, str]:
    """Block name to the markdown it should contain."""
    return {
        "parameters": render_table(parameter_rows()),
        "list-parameters": render_table(list_entry_rows()),
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


def update_document(text: str) -> str:
    """``text`` with every generated block brought up to date."""
    for name, content in generated_blocks().items():
        text = replace_block(text, name, content)
    return text


def stale_blocks(text: str) -> Iterator[str]:
    """Names of the generated blocks of ``text`` that differ from what the config gives."""
    for name, content in generated_blocks().items():
        if block_content(text, name) != content:
            yield name


def main(argv: list[str] | None = None) -> int:
    """Print the tables, or write them into / check them against docs/ODD.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="rewrite the tables in docs/ODD.md")
    mode.add_argument("--check", action="store_true", help="exit 1 if docs/ODD.md is stale")
    parser.add_argument("--odd", type=Path, default=ODD_PATH, help="path of ODD.md")
    args = parser.parse_args(argv)

    missing = missing_metadata(parameter_rows() + list_entry_rows())
    for cell in missing:
        print(f"warning: no metadata for {cell} (flagged {MISSING})", file=sys.stderr)

    if args.write:
        text = args.odd.read_text(encoding="utf-8")
        updated = update_document(text)
        if updated != text:
            args.odd.write_text(updated, encoding="utf-8")
        print(f"{args.odd}: {'updated' if updated != text else 'already up to date'}")
    elif args.check:
        stale = list(stale_blocks(args.odd.read_text(encoding="utf-8")))
        if stale:
            print(f"{args.odd}: stale blocks {', '.join(stale)}; run `{REGENERATE}`")
            return 1
        print(f"{args.odd}: up to date")
    else:
        for content in generated_blocks().values():
            print(content, end="\n\n")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
