"""Priors of the model's uncertain parameters, from the evidence table.

Every row of ``data/evidence/parameters.csv`` whose ``kind`` is ``evidence`` or ``assumption``
and whose distribution is not ``fixed`` is an uncertain parameter. A prior maps a uniform number
``u`` in (0, 1) to a value through its quantile function (scipy.stats), so designs drawn on the
unit cube (Monte Carlo, Latin hypercube, Saltelli, Morris) become parameter values; values are
clipped to the range the config accepts and rounded for integer fields. Shares that must sum to
one (the archetype shares) are renormalised after sampling.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from model.config import ModelConfig
from model.evidence import load_evidence
from model.params import iter_params

SAMPLED_KINDS = ("evidence", "assumption")
ARCHETYPE_SHARES = "population.archetypes."
"""Prefix of the archetype shares, renormalised to sum to 1 after sampling."""


@dataclass(frozen=True)
class Prior:
    """The prior of one parameter: a scipy distribution and the config range it must stay in."""

    path: str
    distribution: str
    a: float
    b: float
    low: float | None  # config's accepted range (inclusive), if any
    high: float | None
    integer: bool
    kind: str
    source: str

    def frozen(self) -> Any:
        """The scipy.stats frozen distribution."""
        if self.distribution == "beta":
            return stats.beta(self.a, self.b)
        if self.distribution == "lognormal":
            return stats.lognorm(s=self.b, scale=np.exp(self.a))
        if self.distribution == "normal":
            return stats.norm(self.a, self.b)
        if self.distribution == "uniform":
            return stats.uniform(self.a, self.b - self.a)
        raise ValueError(f"{self.path}: unknown distribution {self.distribution!r}")

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        """Values at quantiles ``u``, clipped to the config's range (rounded if integer)."""
        values = np.asarray(self.frozen().ppf(u), dtype=float)
        low = -np.inf if self.low is None else self.low
        high = np.inf if self.high is None else self.high
        values = np.clip(values, low, high)
        return np.round(values) if self.integer else values

    @property
    def median(self) -> float:
        """The prior median (the config default, by the evidence table's rule)."""
        return float(self.ppf(0.5))


def load_priors(include: Iterable[str] | None = None, exclude: Iterable[str] = ()) -> list[Prior]:
    """Priors of every uncertain parameter of the default config, in config order.

    Args:
        include: Path prefixes to keep (None = all), e.g. ``["behaviour.", "training."]``.
        exclude: Path prefixes to drop, e.g. the calibrated parameters sampled from a posterior.
    """
    rows = load_evidence()
    fields = {path: (value, f) for path, value, f in iter_params(ModelConfig())}
    priors = []
    for path, (value, f) in fields.items():
        row = rows.get(path)
        if row is None or row["kind"] not in SAMPLED_KINDS or row["distribution"] == "fixed":
            continue
        if include is not None and not any(path.startswith(p) for p in include):
            continue
        if any(path.startswith(p) for p in exclude):
            continue
        priors.append(
            Prior(
                path=path,
                distribution=row["distribution"],
                a=float(row["dist_a"]),
                b=float(row["dist_b"]),
                low=f.metadata.get("low"),
                high=f.metadata.get("high"),
                integer=isinstance(value, int) and not isinstance(value, bool),
                kind=row["kind"],
                source=row["source"] or row["kind"],
            )
        )
    return priors


def sample_unit(priors: list[Prior], unit: np.ndarray) -> np.ndarray:
    """Map a design on the unit cube (rows = draws, columns = priors) to parameter values."""
    unit = np.atleast_2d(unit)
    if unit.shape[1] != len(priors):
        raise ValueError(f"design has {unit.shape[1]} columns for {len(priors)} priors")
    return np.column_stack([p.ppf(unit[:, j]) for j, p in enumerate(priors)])


def sample(priors: list[Prior], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` independent Monte Carlo draws from the priors (rows = draws)."""
    return sample_unit(priors, rng.random((n, len(priors))))


def with_values(config: ModelConfig, values: Mapping[str, float]) -> ModelConfig:
    """A copy of ``config`` with dotted-path values set (shares renormalised where needed)."""
    config = copy.deepcopy(config)
    for path, value in values.items():
        _set(config, path, value)
    if any(p.startswith(ARCHETYPE_SHARES) and p.endswith(".share") for p in values):
        total = sum(a.share for a in config.population.archetypes.values())
        for archetype in config.population.archetypes.values():
            archetype.share = archetype.share / total
    return config


def _set(config: Any, path: str, value: float) -> None:
    parts = path.split(".")
    node = config
    for part in parts[:-1]:
        if isinstance(node, list):
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node[part]
        else:
            node = getattr(node, part)
    current = getattr(node, parts[-1])
    setattr(node, parts[-1], int(value) if isinstance(current, int) else float(value))


__all__ = ["Prior", "load_priors", "sample", "sample_unit", "with_values"]
