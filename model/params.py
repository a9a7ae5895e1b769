"""Parameter declarations that carry their unit, range and source.

Every config field is declared with :func:`param`, which stores in the dataclass field's metadata
the unit, the accepted range, and where the default comes from: a citation, or the word
``assumption``. The validator (:mod:`model.validation`) and the ODD parameter table
(``docs/ODD.md``, checked by a test) both read this metadata, so a field cannot lose its unit
or source without a test failing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import MISSING, field
from typing import Any

ASSUMPTION = "assumption"


def param(
    default: Any = MISSING,
    *,
    unit: str,
    source: str = ASSUMPTION,
    low: float | None = None,
    high: float | None = None,
    choices: tuple[str, ...] | None = None,
    doc: str = "",
    default_factory: Callable[[], Any] | None = None,
) -> Any:
    """Declare a config field with its unit, accepted range and the source of its default.

    Args:
        default: The default value (use ``default_factory`` for lists and dicts).
        unit: Unit of the value, e.g. ``"share"``, ``"weeks"``, ``"GBP per person"``.
        source: Citation for the default, or ``"assumption"`` when no source backs it.
        low: Smallest accepted value (inclusive), if any.
        high: Largest accepted value (inclusive), if any.
        choices: Accepted values for a string field.
        doc: One line saying what the parameter is.
        default_factory: Factory for a mutable default.
    """
    metadata = {
        "unit": unit,
        "source": source,
        "low": low,
        "high": high,
        "choices": choices,
        "doc": doc,
    }
    if default_factory is not None:
        return field(default_factory=default_factory, metadata=metadata)
    return field(default=default, metadata=metadata)


def fraction(default: Any = MISSING, *, source: str = ASSUMPTION, doc: str = "", **kw: Any) -> Any:
    """Declare a share or probability: a number between 0 and 1."""
    return param(default, unit="share", source=source, low=0.0, high=1.0, doc=doc, **kw)


def iter_params(obj: Any, prefix: str = "") -> Iterator[tuple[str, Any, dataclasses.Field]]:
    """Yield ``(dotted path, value, field)`` for every leaf parameter of a config object.

    Walks nested dataclasses, lists of dataclasses (index in the path) and dicts of dataclasses
    (key in the path).
    """
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        path = f"{prefix}{f.name}"
        yield from _iter_value(value, path, f)


def _iter_value(
    value: Any, path: str, f: dataclasses.Field
) -> Iterator[tuple[str, Any, dataclasses.Field]]:
    if dataclasses.is_dataclass(value):
        yield from iter_params(value, path + ".")
    elif isinstance(value, list) and value and dataclasses.is_dataclass(value[0]):
        for i, item in enumerate(value):
            yield from iter_params(item, f"{path}.{i}.")
    elif isinstance(value, dict) and value and dataclasses.is_dataclass(next(iter(value.values()))):
        for key, item in value.items():
            yield from iter_params(item, f"{path}.{key}.")
    else:
        yield path, value, f
