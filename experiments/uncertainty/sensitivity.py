"""Global sensitivity analysis: Morris screening and Sobol indices (SALib), on arrays only.

Two steps, as is usual for a model with many uncertain inputs:

1. **Morris screening** (Morris 1991, with the mu* measure of Campolongo, Cariboni & Saltelli
   2007): ``r`` one-at-a-time trajectories through a grid on the inputs' ranges; each
   trajectory moves every input once, so ``r (k + 1)`` model runs screen ``k`` inputs. mu* is the
   mean absolute elementary effect (the change in the output when an input moves across
   ``levels / (2 (levels - 1))`` of its range, divided by that step), sigma the standard
   deviation of the elementary effects (large when an input acts non-linearly or through
   interactions). An input the output does not depend on has mu* = 0.
2. **Sobol indices** (Sobol 2001; estimators of Saltelli 2002 and Saltelli et al. 2010, sampled
   with a scrambled Sobol sequence): ``N (k + 2)`` runs give each input's first-order index S1
   (the share of the output's variance explained by the input alone) and total index ST (alone
   and through all its interactions). An input that does not enter the output has ST = 0.

Confidence intervals of every index are SALib's bootstrap intervals (half-widths, ``*_conf``).

Designs are drawn on the inputs' ``bounds``; in the experiment the inputs are prior quantiles
``u`` in ``[q, 1 - q]`` (:mod:`experiments.uncertainty.priors` maps them to parameter values), so
each index is a sensitivity to the input's prior uncertainty. Nothing here runs the model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

CONF_LEVEL = 0.95
MORRIS_COLUMNS = ["parameter", "output", "mu_star", "mu_star_conf", "sigma", "mu"]
SOBOL_COLUMNS = ["parameter", "output", "S1", "S1_conf", "ST", "ST_conf"]


def salib_problem(names: Sequence[str], bounds: Sequence[tuple[float, float]]) -> dict:
    """SALib's problem dictionary: input names and their (low, high) bounds."""
    if len(names) != len(bounds):
        raise ValueError(f"{len(names)} names for {len(bounds)} bounds")
    return {
        "num_vars": len(names),
        "names": list(names),
        "bounds": [[float(lo), float(hi)] for lo, hi in bounds],
    }


def unit_bounds(k: int, quantile_range: float) -> list[tuple[float, float]]:
    """Bounds ``[q, 1 - q]`` for ``k`` inputs given as prior quantiles."""
    return [(quantile_range, 1.0 - quantile_range)] * k


def morris_design(problem: dict, trajectories: int, levels: int, seed: int) -> np.ndarray:
    """A Morris design (Morris 1991): ``trajectories x (k + 1)`` rows, one column per input.

    Args:
        problem: From :func:`salib_problem`.
        trajectories: Number of one-at-a-time trajectories ``r``.
        levels: Grid levels per input (even; 4 is the usual choice).
        seed: Seed of the design (the same seed gives the same design).
    """
    return morris_sample.sample(problem, trajectories, num_levels=levels, seed=seed)


def sobol_design(problem: dict, samples: int, seed: int) -> np.ndarray:
    """A Saltelli design for first-order and total indices: ``samples x (k + 2)`` rows.

    Saltelli (2002) and Saltelli et al. (2010) cross two base samples of ``samples`` points
    (a scrambled Sobol sequence); ``samples`` should be a power of 2.
    """
    return sobol_sample.sample(problem, samples, calc_second_order=False, scramble=True, seed=seed)


def morris_indices(
    problem: dict,
    design: np.ndarray,
    outputs: np.ndarray,
    levels: int,
    output: str,
    resamples: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """mu*, its bootstrap CI half-width, sigma and mu of every input (Campolongo et al. 2007).

    Args:
        problem: From :func:`salib_problem`.
        design: The design of :func:`morris_design`.
        outputs: The output at each design row (one value per row).
        levels: The design's grid levels.
        output: Name of the output, for the table's ``output`` column.
        resamples: Bootstrap resamples of the mu* interval.
        seed: Seed of the bootstrap.

    Returns:
        A table with :data:`MORRIS_COLUMNS`, in input order.
    """
    outputs = np.asarray(outputs, dtype=float)
    result = morris_analyze.analyze(
        problem,
        design,
        outputs,
        num_resamples=resamples,
        conf_level=CONF_LEVEL,
        num_levels=levels,
        seed=seed,
    )
    table = pd.DataFrame(
        {
            "parameter": problem["names"],
            "output": output,
            "mu_star": np.asarray(result["mu_star"], dtype=float),
            "mu_star_conf": np.asarray(result["mu_star_conf"], dtype=float),
            "sigma": np.asarray(result["sigma"], dtype=float),
            "mu": np.asarray(result["mu"], dtype=float),
        }
    )
    return table[MORRIS_COLUMNS]


def sobol_indices(
    problem: dict, outputs: np.ndarray, output: str, resamples: int = 1000, seed: int = 0
) -> pd.DataFrame:
    """First-order and total Sobol indices with bootstrap CI half-widths (Saltelli et al. 2010).

    An output that does not vary over the design has no variance to share out: every index is
    then 0 (with a zero-width interval), as no input moves it.

    Returns:
        A table with :data:`SOBOL_COLUMNS`, in input order.
    """
    outputs = np.asarray(outputs, dtype=float)
    k = problem["num_vars"]
    if np.ptp(outputs) == 0:
        zeros = np.zeros(k)
        values = {"S1": zeros, "S1_conf": zeros, "ST": zeros, "ST_conf": zeros}
    else:
        result = sobol_analyze.analyze(
            problem,
            outputs,
            calc_second_order=False,
            num_resamples=resamples,
            conf_level=CONF_LEVEL,
            seed=seed,
        )
        values = {key: np.asarray(result[key], dtype=float) for key in SOBOL_COLUMNS[2:]}
    table = pd.DataFrame({"parameter": problem["names"], "output": output, **values})
    return table[SOBOL_COLUMNS]


def top_parameters(morris: pd.DataFrame, count: int) -> list[str]:
    """The ``count`` inputs with the largest mu*, relative to each output's largest mu*.

    Each output's mu* is divided by its largest mu* (outputs have different units); an input's
    score is its largest relative mu* over the outputs. Ties keep the table's input order.
    """
    relative = morris.assign(
        score=morris.mu_star / morris.groupby("output").mu_star.transform("max").replace(0, 1)
    )
    score = relative.groupby("parameter", sort=False).score.max()
    ranked = score.sort_values(ascending=False, kind="stable")
    return [name for name, value in ranked.items() if value > 0][:count]


__all__ = [
    "CONF_LEVEL",
    "MORRIS_COLUMNS",
    "SOBOL_COLUMNS",
    "morris_design",
    "morris_indices",
    "salib_problem",
    "sobol_design",
    "sobol_indices",
    "top_parameters",
    "unit_bounds",
]
